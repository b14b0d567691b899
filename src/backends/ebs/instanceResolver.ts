// Which EC2 instance an agent is: its `aws_instance_id` attribute, or the
// instance whose private DNS name (or private IP) is the agent's hostname;
// with the instance's zone and the device names in use on it. Ids are cached
// per agent; device names never are (they change with every attachment).

import { DescribeInstancesCommand, type EC2Client, type Filter, type Instance } from '@aws-sdk/client-ec2';
import { isIPv4 } from 'node:net';
import { BackendError, type AgentRef } from '../backend.js';
import type { Ec2Caller } from './ec2Retry.js';

export const INSTANCE_ID_ATTRIBUTE = 'aws_instance_id';

export interface AgentInstance {
  instanceId: string;
  zone?: string;
  /** device names of the instance's block device mappings (root and attached volumes) */
  devicesInUse: string[];
}

export class InstanceResolver {
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly ec2: EC2Client,
    private readonly call: Ec2Caller,
  ) {}

  async resolve(agent: AgentRef): Promise<AgentInstance> {
    const known = agent.attributes[INSTANCE_ID_ATTRIBUTE] ?? this.ids.get(agent.agentId);
    const instance = known !== undefined ? await this.byId(known, agent) : await this.byHostname(agent);
    if (instance.InstanceId === undefined) throw new BackendError('FAILED', `EC2 described an instance without an id for agent ${agent.agentId}`);
    this.ids.set(agent.agentId, instance.InstanceId);
    const resolved: AgentInstance = {
      instanceId: instance.InstanceId,
      devicesInUse: (instance.BlockDeviceMappings ?? []).flatMap((m) => (m.DeviceName === undefined ? [] : [m.DeviceName])),
    };
    if (instance.Placement?.AvailabilityZone !== undefined) resolved.zone = instance.Placement.AvailabilityZone;
    return resolved;
  }

  private async byId(instanceId: string, agent: AgentRef): Promise<Instance> {
    const found = await this.describe([], [instanceId]);
    if (found.length === 0) throw new BackendError('NOT_FOUND', `EC2 knows no instance ${instanceId} (agent ${agent.agentId}); check its ${INSTANCE_ID_ATTRIBUTE} attribute`);
    return found[0]!;
  }

  private async byHostname(agent: AgentRef): Promise<Instance> {
    const filter: Filter = isIPv4(agent.hostname)
      ? { Name: 'private-ip-address', Values: [agent.hostname] }
      : { Name: 'private-dns-name', Values: [agent.hostname] };
    const found = (await this.describe([filter], [])).filter((i) => i.State?.Name !== 'terminated');
    if (found.length === 1) return found[0]!;
    if (found.length === 0) {
      throw new BackendError(
        'NOT_FOUND',
        `no EC2 instance has ${filter.Name} ${agent.hostname} (agent ${agent.agentId}); give the agent an ${INSTANCE_ID_ATTRIBUTE} attribute`,
      );
    }
    throw new BackendError('FAILED', `${found.length} EC2 instances have ${filter.Name} ${agent.hostname}; give agent ${agent.agentId} an ${INSTANCE_ID_ATTRIBUTE} attribute`);
  }

  private async describe(filters: Filter[], instanceIds: string[]): Promise<Instance[]> {
    const instances: Instance[] = [];
    let token: string | undefined;
    do {
      const input: ConstructorParameters<typeof DescribeInstancesCommand>[0] = {};
      if (filters.length > 0) input.Filters = filters;
      if (instanceIds.length > 0) input.InstanceIds = instanceIds;
      if (token !== undefined) input.NextToken = token;
      const page = await this.call('DescribeInstances', () => this.ec2.send(new DescribeInstancesCommand(input)));
      for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
      token = page.NextToken;
    } while (token !== undefined && token !== '');
    return instances;
  }
}
