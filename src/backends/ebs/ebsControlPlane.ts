// The control plane of the `ebs` (block) backend over the EC2 API: creates
// tagged volumes of the profile's type in a zone, attaches each to at most
// one agent's instance under a free device name, detaches (forcing when the
// agent is gone), lists this cluster's volumes and destroys them. Every call
// is safe to repeat after a crash at any point; it never attaches across zones.

import {
  AttachVolumeCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteVolumeCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  EC2Client,
  type CreateVolumeCommandInput,
  type Filter,
  type Volume,
} from '@aws-sdk/client-ec2';
import { createHash } from 'node:crypto';
import type { Logger } from '../../common/log.js';
import { silentLogger } from '../../common/log.js';
import { datasetPath, DEFAULT_MOUNT_ROOT, mountRootOf } from '../agentPaths.js';
import { BackendError, type AgentRef, type BackendVolume, type ControlPlane, type VolumeSpec } from '../backend.js';
import { DEFAULT_PROFILE, isProfileName, profileProblem, profilesOf, type ProfileName } from '../profiles.js';
import type { StepHook } from '../stepHook.js';
import { gibRoundedUp, MIB_PER_GIB, sizeProblem } from '../volumeSize.js';
import { requireClusterName, requireDatasetName } from '../volumeNames.js';
import { freeDeviceName } from './deviceNames.js';
import { attachmentOf, backendVolumeOf, EBS_TAGS, isGone, tagsOf } from './ebsVolumeView.js';
import { EBS_TYPE_FOR_PROFILE } from './ebsVolumeTypes.js';
import { DEFAULT_RETRY_POLICY, ec2Caller, ec2ErrorCode, ec2ErrorMessage, type Ec2Caller, type RetryPolicy } from './ec2Retry.js';
import { InstanceResolver, type AgentInstance } from './instanceResolver.js';

/** Agent attributes that name its availability zone, in the order they are read. */
export const ZONE_ATTRIBUTES = ['zone', 'aws_zone'] as const;

export interface VolumeWaitPolicy {
  firstPollMs: number;
  maxPollMs: number;
  /** give up waiting for a state after this long */
  deadlineMs: number;
}

export const DEFAULT_WAIT_POLICY: VolumeWaitPolicy = { firstPollMs: 250, maxPollMs: 5_000, deadlineMs: 300_000 };

export interface EbsControlPlaneOptions {
  cluster: string;
  region: string;
  /** an EC2-compatible endpoint (tests: the fake); AWS's own when absent */
  endpoint?: string;
  /** static credentials; the SDK's default chain (environment, instance role) when absent */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** zone of new volumes whose spec names none */
  defaultZone?: string;
  defaultMountRoot?: string;
  retry?: RetryPolicy;
  wait?: VolumeWaitPolicy;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  afterStep?: StepHook;
}

/** A created volume may come back under a reused idempotency token; after this many, give up. */
const MAX_TOKEN_GENERATIONS = 20;
/** Device-name races (another attach took the name first) are retried this often. */
const MAX_DEVICE_ATTEMPTS = 4;

export class EbsControlPlane implements ControlPlane {
  readonly name = 'ebs' as const;
  readonly kind = 'block' as const;
  private readonly cluster: string;
  private readonly ec2: EC2Client;
  private readonly call: Ec2Caller;
  private readonly instances: InstanceResolver;
  private readonly wait: VolumeWaitPolicy;
  private readonly log: Logger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly step: StepHook;

  constructor(private readonly options: EbsControlPlaneOptions) {
    this.cluster = requireClusterName(options.cluster);
    this.log = (options.logger ?? silentLogger()).child({ backend: 'ebs', cluster: this.cluster });
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.ec2 = new EC2Client({
      region: options.region,
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      // Ferry retries itself, with its own backoff and logging
      maxAttempts: 1,
    });
    this.call = ec2Caller(options.retry ?? DEFAULT_RETRY_POLICY, this.log, this.sleep, options.random);
    this.instances = new InstanceResolver(this.ec2, this.call);
    this.wait = options.wait ?? DEFAULT_WAIT_POLICY;
    this.step = options.afterStep ?? (() => undefined);
  }

  profiles(): Record<string, string> {
    return profilesOf('ebs');
  }

  /** Stops the SDK's connection pool; the control plane is unusable afterwards. */
  close(): void {
    this.ec2.destroy();
  }

  async create(spec: VolumeSpec): Promise<BackendVolume> {
    const dataset = requireDatasetName(spec.dataset);
    const profile = spec.profile ?? DEFAULT_PROFILE;
    const problem =
      sizeProblem(spec.sizeMiB, { minMiB: 1, maxMiB: 16_384 * MIB_PER_GIB }, `EBS volume ${dataset}`) ?? profileProblem('ebs', profile, spec.sizeMiB);
    if (problem !== undefined || !isProfileName(profile)) throw new BackendError('INVALID', problem ?? `unknown profile ${profile}`);
    const zone = spec.zone ?? this.options.defaultZone;
    if (zone === undefined) throw new BackendError('INVALID', `EBS volume ${dataset} needs an availability zone: give the dataset one or configure a default zone`);
    const sizeGiB = gibRoundedUp(spec.sizeMiB);

    const existing = await this.findByDataset(dataset);
    if (existing !== undefined) return this.adopt(existing, dataset, sizeGiB);

    const rule = EBS_TYPE_FOR_PROFILE[profile];
    for (let generation = 0; generation < MAX_TOKEN_GENERATIONS; generation++) {
      const input: CreateVolumeCommandInput = {
        AvailabilityZone: zone,
        Size: sizeGiB,
        VolumeType: rule.type,
        ClientToken: this.clientToken(dataset, sizeGiB, profile, zone, generation),
        TagSpecifications: [
          {
            ResourceType: 'volume',
            Tags: [
              { Key: EBS_TAGS.cluster, Value: this.cluster },
              { Key: EBS_TAGS.dataset, Value: dataset },
              { Key: EBS_TAGS.profile, Value: profile },
              { Key: 'Name', Value: `ferry-${this.cluster}-${dataset}` },
            ],
          },
        ],
      };
      if (rule.iops !== undefined) input.Iops = rule.iops(sizeGiB);
      const created = await this.ec2Call('CreateVolume', () => this.ec2.send(new CreateVolumeCommand(input)), { dataset });
      if (created.VolumeId === undefined) throw new BackendError('FAILED', `EC2 CreateVolume for dataset ${dataset} answered without a volume id`);
      // a token EC2 still remembers from a destroyed volume of the same name returns that volume: take the next token
      if (isGone(created)) continue;
      this.log.info({ volumeId: created.VolumeId, dataset, sizeGiB, type: rule.type, zone }, 'EBS volume requested');
      this.step('create-requested');
      return this.requireView(await this.waitFor(created.VolumeId, 'available', (v) => v.State === 'available'), dataset);
    }
    throw new BackendError('FAILED', `EC2 kept answering CreateVolume for dataset ${dataset} with deleted volumes (${MAX_TOKEN_GENERATIONS} tokens tried)`);
  }

  async destroy(volumeId: string): Promise<void> {
    const volume = await this.describeOwn(volumeId);
    if (volume === undefined) return;
    const attachment = attachmentOf(volume);
    if (attachment !== undefined) {
      throw new BackendError('IN_USE', `EBS volume ${volumeId} is attached to instance ${attachment.instanceId}; detach it before destroying it`);
    }
    try {
      await this.ec2Call('DeleteVolume', () => this.ec2.send(new DeleteVolumeCommand({ VolumeId: volumeId })), { volumeId });
    } catch (err) {
      if (err instanceof BackendError && err.code === 'NOT_FOUND') return;
      throw err;
    }
    this.step('delete-requested');
    await this.waitUntilGone(volumeId);
    this.log.info({ volumeId, dataset: tagsOf(volume).get(EBS_TAGS.dataset) }, 'EBS volume destroyed');
  }

  async attach(volumeId: string, agent: AgentRef): Promise<BackendVolume> {
    let volume = await this.requireOwn(volumeId);
    const dataset = tagsOf(volume).get(EBS_TAGS.dataset) ?? volumeId;
    const placement = this.zoneProblem(volume, agent);
    if (placement !== undefined) throw new BackendError('INVALID', placement);
    const instance = await this.instances.resolve(agent);
    if (instance.zone !== undefined && volume.AvailabilityZone !== undefined && instance.zone !== volume.AvailabilityZone) {
      throw new BackendError('INVALID', zoneMismatch(volumeId, volume.AvailabilityZone, agent, instance.zone));
    }

    const current = attachmentOf(volume);
    if (current !== undefined && current.instanceId !== instance.instanceId) {
      throw new BackendError('ATTACHED_ELSEWHERE', `EBS volume ${volumeId} is ${current.state} on ${holderOf(volume)}; detach it there before attaching it to agent ${agent.agentId} (${instance.instanceId})`);
    }
    if (current?.state === 'detaching') volume = await this.waitFor(volumeId, 'available', (v) => attachmentOf(v) === undefined);
    else if (current !== undefined) return this.finishAttach(volumeId, dataset, agent, instance);
    if (volume.State === 'creating') volume = await this.waitFor(volumeId, 'available', (v) => v.State === 'available');

    await this.tagAgent(volume, agent, instance);
    this.step('agent-tagged');
    await this.requestAttach(volumeId, agent, instance);
    this.step('attach-requested');
    return this.finishAttach(volumeId, dataset, agent, instance);
  }

  /** Waits for the attachment, then makes sure the agent tags name this agent (a losing concurrent attach may have written its own). */
  private async finishAttach(volumeId: string, dataset: string, agent: AgentRef, instance: AgentInstance): Promise<BackendVolume> {
    const attached = await this.waitAttached(volumeId, instance.instanceId);
    await this.tagAgent(attached, agent, instance);
    const view = this.requireView(await this.requireOwn(volumeId), dataset);
    this.log.info({ volumeId, dataset, agentId: agent.agentId, instanceId: instance.instanceId, device: view.device }, 'EBS volume attached');
    return view;
  }

  async detach(volumeId: string, agent: AgentRef, options: { force?: boolean } = {}): Promise<BackendVolume> {
    const force = options.force === true;
    const volume = await this.requireOwn(volumeId);
    const dataset = tagsOf(volume).get(EBS_TAGS.dataset) ?? volumeId;
    const attachment = attachmentOf(volume);
    if (attachment === undefined) return this.requireView(volume, dataset);
    const instanceId = await this.instanceOfAgent(volume, agent, attachment.instanceId, force);
    if (attachment.instanceId !== instanceId) {
      throw new BackendError('ATTACHED_ELSEWHERE', `EBS volume ${volumeId} is attached to ${holderOf(volume)}, not to agent ${agent.agentId} (${instanceId})`);
    }
    if (force) {
      this.log.error({ volumeId, dataset, agentId: agent.agentId, instanceId }, 'FORCED detach of EBS volume: the agent is fenced off; unflushed writes on it are lost');
    }
    // EC2 refuses to detach a volume still attaching: let that finish first
    if (attachment.state === 'attaching') await this.waitAttached(volumeId, instanceId);
    // a normal detach already in progress is left to finish, unless this one must force it
    if (attachment.state !== 'detaching' || force) {
      try {
        await this.ec2Call('DetachVolume', () => this.ec2.send(new DetachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Force: force })), { volumeId });
      } catch (err) {
        // already detached between our look and our request: the goal is reached
        if (!(err instanceof BackendError && err.code === 'INVALID' && /IncorrectState|InvalidAttachment/.test(err.message))) throw err;
      }
    }
    this.step('detach-requested');
    const detached = await this.waitFor(volumeId, 'available', (v) => attachmentOf(v) === undefined && v.State === 'available');
    this.log.info({ volumeId, dataset, agentId: agent.agentId, instanceId, force }, 'EBS volume detached');
    return this.requireView(detached, dataset);
  }

  async get(volumeId: string): Promise<BackendVolume | undefined> {
    const volume = await this.describeOwn(volumeId);
    return volume === undefined ? undefined : backendVolumeOf(volume, this.cluster);
  }

  async list(): Promise<BackendVolume[]> {
    const volumes = await this.describeFiltered([{ Name: `tag:${EBS_TAGS.cluster}`, Values: [this.cluster] }]);
    return volumes.flatMap((v) => {
      const view = backendVolumeOf(v, this.cluster);
      return view === undefined ? [] : [view];
    });
  }

  placementProblem(volume: BackendVolume, agent: AgentRef): string | undefined {
    if (volume.zone === undefined) return undefined;
    const agentZone = ZONE_ATTRIBUTES.map((a) => agent.attributes[a]).find((z) => z !== undefined);
    if (agentZone === undefined || agentZone === volume.zone) return undefined;
    return zoneMismatch(volume.id, volume.zone, agent, agentZone);
  }

  private zoneProblem(volume: Volume, agent: AgentRef): string | undefined {
    const view = backendVolumeOf(volume, this.cluster);
    return view === undefined ? undefined : this.placementProblem(view, agent);
  }

  /** Idempotency token of a create: the same for every retry of it, and new after each destroy of the name. */
  private clientToken(dataset: string, sizeGiB: number, profile: ProfileName, zone: string, generation: number): string {
    return createHash('sha256').update(`ferry\0${this.cluster}\0${dataset}\0${sizeGiB}\0${profile}\0${zone}\0${generation}`).digest('hex').slice(0, 64);
  }

  private async adopt(volume: Volume, dataset: string, sizeGiB: number): Promise<BackendVolume> {
    if (volume.Size !== undefined && volume.Size !== sizeGiB) {
      throw new BackendError('INVALID', `dataset ${dataset} already has EBS volume ${volume.VolumeId} of ${volume.Size} GiB; resizing is not supported`);
    }
    const ready = volume.State === 'creating' ? await this.waitFor(volume.VolumeId!, 'available', (v) => v.State !== 'creating') : volume;
    return this.requireView(ready, dataset);
  }

  private async findByDataset(dataset: string): Promise<Volume | undefined> {
    const found = await this.describeFiltered([
      { Name: `tag:${EBS_TAGS.cluster}`, Values: [this.cluster] },
      { Name: `tag:${EBS_TAGS.dataset}`, Values: [dataset] },
    ]);
    const live = found.filter((v) => !isGone(v));
    if (live.length > 1) {
      throw new BackendError('FAILED', `dataset ${dataset} has ${live.length} EBS volumes (${live.map((v) => v.VolumeId).join(', ')}); keep the right one and delete the others`);
    }
    return live[0];
  }

  private async tagAgent(volume: Volume, agent: AgentRef, instance: AgentInstance): Promise<void> {
    const tags = tagsOf(volume);
    const mountPoint = datasetPath(mountRootOf(agent, this.options.defaultMountRoot ?? DEFAULT_MOUNT_ROOT), tags.get(EBS_TAGS.dataset) ?? volume.VolumeId!);
    if (tags.get(EBS_TAGS.agent) === agent.agentId && tags.get(EBS_TAGS.agentInstance) === instance.instanceId && tags.get(EBS_TAGS.mountPoint) === mountPoint) return;
    await this.ec2Call(
      'CreateTags',
      () =>
        this.ec2.send(
          new CreateTagsCommand({
            Resources: [volume.VolumeId!],
            Tags: [
              { Key: EBS_TAGS.agent, Value: agent.agentId },
              { Key: EBS_TAGS.agentInstance, Value: instance.instanceId },
              { Key: EBS_TAGS.mountPoint, Value: mountPoint },
            ],
          }),
        ),
      { volumeId: volume.VolumeId },
    );
  }

  private async requestAttach(volumeId: string, agent: AgentRef, instance: AgentInstance): Promise<void> {
    let inUse = instance.devicesInUse;
    for (let attempt = 1; ; attempt++) {
      const device = freeDeviceName(inUse);
      if (device === undefined) {
        throw new BackendError('FAILED', `instance ${instance.instanceId} (agent ${agent.agentId}) has no free device name in /dev/xvdf-/dev/xvdp; detach a volume there first`);
      }
      try {
        await this.ec2Call('AttachVolume', () => this.ec2.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instance.instanceId, Device: device })), { volumeId });
        return;
      } catch (err) {
        if (!(err instanceof BackendError)) throw err;
        if (/already in use/i.test(err.message) && err.code === 'INVALID' && attempt < MAX_DEVICE_ATTEMPTS) {
          // another attach took this name since we looked: look again
          this.log.warn({ volumeId, device, instanceId: instance.instanceId }, 'device name taken meanwhile: choosing another');
          inUse = [...(await this.instances.resolve(agent)).devicesInUse, device];
          continue;
        }
        if (err.code === 'ATTACHED_ELSEWHERE' || err.code === 'INVALID') {
          // a concurrent attach to the same instance (or a retry) may have won: that is success
          const now = await this.requireOwn(volumeId);
          if (attachmentOf(now)?.instanceId === instance.instanceId) return;
          if (err.code === 'INVALID') throw err;
          const holder = attachmentOf(now)?.instanceId;
          throw new BackendError('ATTACHED_ELSEWHERE', `EBS volume ${volumeId} was attached to instance ${holder ?? 'another instance'} meanwhile; detach it there first`);
        }
        throw err;
      }
    }
  }

  private async instanceOfAgent(volume: Volume, agent: AgentRef, attachedTo: string, force: boolean): Promise<string> {
    const tags = tagsOf(volume);
    // the tags written at attach identify the agent's instance without asking EC2 (which may no longer know a lost one)
    if (tags.get(EBS_TAGS.agent) === agent.agentId && tags.get(EBS_TAGS.agentInstance) === attachedTo) return attachedTo;
    try {
      return (await this.instances.resolve(agent)).instanceId;
    } catch (err) {
      if (force && err instanceof BackendError && err.code === 'NOT_FOUND') {
        throw new BackendError('ATTACHED_ELSEWHERE', `EBS volume ${volume.VolumeId} is attached to instance ${attachedTo}, and agent ${agent.agentId} cannot be matched to it (${err.message})`);
      }
      throw err;
    }
  }

  private async waitAttached(volumeId: string, instanceId: string): Promise<Volume> {
    return this.waitFor(volumeId, `attached to ${instanceId}`, (v) => {
      const attachment = attachmentOf(v);
      if (attachment !== undefined && attachment.instanceId !== instanceId) {
        throw new BackendError('ATTACHED_ELSEWHERE', `EBS volume ${volumeId} became attached to instance ${attachment.instanceId} while attaching to ${instanceId}`);
      }
      if (attachment === undefined && v.State === 'available') {
        throw new BackendError('FAILED', `EC2 dropped the attachment of volume ${volumeId} to instance ${instanceId}; attach again`);
      }
      return attachment?.state === 'attached' && v.State === 'in-use';
    });
  }

  /** Polls the volume with growing intervals until `reached` holds; UNAVAILABLE at the deadline. */
  private async waitFor(volumeId: string, what: string, reached: (volume: Volume) => boolean): Promise<Volume> {
    const started = Date.now();
    let pause = this.wait.firstPollMs;
    for (;;) {
      const volume = await this.requireOwn(volumeId);
      if (reached(volume)) return volume;
      const waited = Date.now() - started;
      if (waited >= this.wait.deadlineMs) {
        const attachment = attachmentOf(volume);
        throw new BackendError(
          'UNAVAILABLE',
          `EBS volume ${volumeId} is still ${volume.State}${attachment === undefined ? '' : ` (${attachment.state} on ${attachment.instanceId})`} after ${Math.round(waited / 1000)} s waiting for ${what}; the call can be repeated`,
        );
      }
      await this.sleep(pause);
      pause = Math.min(this.wait.maxPollMs, Math.ceil(pause * 1.5));
    }
  }

  private async waitUntilGone(volumeId: string): Promise<void> {
    const started = Date.now();
    let pause = this.wait.firstPollMs;
    while ((await this.describeOwn(volumeId)) !== undefined) {
      if (Date.now() - started >= this.wait.deadlineMs) throw new BackendError('UNAVAILABLE', `EBS volume ${volumeId} is still not deleted after ${Math.round(this.wait.deadlineMs / 1000)} s; destroy it again later`);
      await this.sleep(pause);
      pause = Math.min(this.wait.maxPollMs, Math.ceil(pause * 1.5));
    }
  }

  private async requireOwn(volumeId: string): Promise<Volume> {
    const volume = await this.describeOwn(volumeId);
    if (volume === undefined) throw new BackendError('NOT_FOUND', `no EBS volume ${volumeId} in cluster ${this.cluster}`);
    return volume;
  }

  /** The volume if it exists, is not being deleted, and belongs to this cluster. */
  private async describeOwn(volumeId: string): Promise<Volume | undefined> {
    if (!/^vol-[0-9a-f]+$/.test(volumeId)) return undefined;
    let volumes: Volume[];
    try {
      volumes = (await this.ec2Call('DescribeVolumes', () => this.ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] })), { volumeId })).Volumes ?? [];
    } catch (err) {
      if (err instanceof BackendError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
    const volume = volumes.find((v) => v.VolumeId === volumeId);
    if (volume === undefined || isGone(volume) || tagsOf(volume).get(EBS_TAGS.cluster) !== this.cluster) return undefined;
    return volume;
  }

  private async describeFiltered(filters: Filter[]): Promise<Volume[]> {
    const volumes: Volume[] = [];
    let token: string | undefined;
    do {
      const page = await this.ec2Call(
        'DescribeVolumes',
        () => this.ec2.send(new DescribeVolumesCommand({ Filters: filters, MaxResults: 500, ...(token !== undefined ? { NextToken: token } : {}) })),
        {},
      );
      volumes.push(...(page.Volumes ?? []));
      token = page.NextToken;
    } while (token !== undefined && token !== '');
    return volumes;
  }

  private requireView(volume: Volume, dataset: string): BackendVolume {
    const view = backendVolumeOf(volume, this.cluster);
    if (view === undefined) throw new BackendError('NOT_FOUND', `EBS volume ${volume.VolumeId} of dataset ${dataset} is gone`);
    return view;
  }

  /** One EC2 call through the retry policy, its refusal turned into a BackendError that says what to do. */
  private async ec2Call<T>(action: string, call: () => Promise<T>, ids: { volumeId?: string | undefined; dataset?: string }): Promise<T> {
    try {
      return await this.call(action, call);
    } catch (err) {
      if (err instanceof BackendError) throw err;
      throw translateEc2Error(action, err, ids.volumeId ?? ids.dataset ?? '');
    }
  }
}

/** "agent A (instance i-…)" when the tags know the agent, else "instance i-…". */
function holderOf(volume: Volume): string {
  const attachment = attachmentOf(volume);
  if (attachment === undefined) return 'no instance';
  const tags = tagsOf(volume);
  const agentId = tags.get(EBS_TAGS.agentInstance) === attachment.instanceId ? tags.get(EBS_TAGS.agent) : undefined;
  return agentId === undefined ? `instance ${attachment.instanceId}` : `agent ${agentId} (instance ${attachment.instanceId})`;
}

function zoneMismatch(volumeId: string, volumeZone: string, agent: AgentRef, agentZone: string): string {
  return `EBS volume ${volumeId} is in availability zone ${volumeZone}; agent ${agent.agentId} (${agent.hostname}) is in ${agentZone}: an EBS volume can only be attached in its own zone`;
}

/** EC2's refusal as a BackendError: the code decides what a caller may do next. */
export function translateEc2Error(action: string, err: unknown, subject: string): BackendError {
  const code = ec2ErrorCode(err) ?? 'Unknown';
  const said = `EC2 ${action} ${subject}: ${code}: ${ec2ErrorMessage(err)}`;
  switch (code) {
    case 'InvalidVolume.NotFound':
    case 'InvalidInstanceID.NotFound':
    case 'InvalidInstanceID.Malformed':
    case 'InvalidVolumeID.Malformed':
      return new BackendError('NOT_FOUND', said);
    case 'InvalidVolume.ZoneMismatch':
      return new BackendError('INVALID', `${said} (the volume and the instance are in different availability zones; place the task in the volume's zone)`);
    case 'VolumeInUse':
      return new BackendError(action === 'DeleteVolume' ? 'IN_USE' : 'ATTACHED_ELSEWHERE', said);
    case 'IncorrectState':
    case 'IncorrectInstanceState':
    case 'InvalidAttachment.NotFound':
    case 'InvalidParameterValue':
    case 'InvalidParameterCombination':
    case 'InvalidParameter':
    case 'IdempotentParameterMismatch':
      return new BackendError('INVALID', said);
    case 'AuthFailure':
    case 'UnauthorizedOperation':
      return new BackendError('FAILED', `${said} (check the credentials and their IAM permissions for EC2 volumes)`);
    default:
      return new BackendError('FAILED', said);
  }
}
