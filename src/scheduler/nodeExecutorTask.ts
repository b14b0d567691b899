// The task that keeps Ferry's node executor resident on an agent: a small
// long-running task whose ExecutorInfo fetches the node artifact from the
// leader's API and starts it with Node. The executor takes a few ports from
// the offer for copy receivers. Builds TaskInfo only.

import { EXECUTOR_ENTRY } from '../node/nodeArtifact.js';
import type { Resource, TaskInfo } from '../mesos/types.js';
import type { OfferResources } from './placement/offerResources.js';
import type { SchedulerConfig } from './schedulerConfig.js';

export const NODE_EXECUTOR_ID = 'ferry-node';
/** What the node task and its executor take: the executor's share is accounted by Mesos separately. */
export const NODE_TASK_NEEDS = { cpus: 0.05, mem: 32, disk: 0 };
export const NODE_EXECUTOR_RESOURCES = { cpus: 0.1, mem: 128 };

export function nodeExecutorFits(offer: OfferResources, ports: number): boolean {
  return (
    offer.shortfall({ ...NODE_TASK_NEEDS, ports: [] }) === undefined &&
    offer.scalar('cpus') >= NODE_TASK_NEEDS.cpus + NODE_EXECUTOR_RESOURCES.cpus &&
    offer.scalar('mem') >= NODE_TASK_NEEDS.mem + NODE_EXECUTOR_RESOURCES.mem &&
    offer.pickPorts(new Array<number>(ports).fill(0)) !== undefined
  );
}

export function buildNodeExecutorTask(
  taskId: string,
  agentId: string,
  hostname: string,
  offer: OfferResources,
  portCount: number,
  config: SchedulerConfig,
): { info: TaskInfo; ports: number[] } {
  if (config.artifactUrl === undefined) throw new Error('the node artifact URL is not configured');
  const ports = offer.pickPorts(new Array<number>(portCount).fill(0)) ?? [];
  const taskResources = offer.take({ ...NODE_TASK_NEEDS, ports }, ports);
  const executorResources: Resource[] = offer.take({ cpus: NODE_EXECUTOR_RESOURCES.cpus, mem: NODE_EXECUTOR_RESOURCES.mem, disk: 0, ports: [] }, []);
  const info: TaskInfo = {
    name: `ferry node executor on ${hostname}`,
    task_id: { value: taskId },
    agent_id: { value: agentId },
    resources: taskResources,
    executor: {
      type: 'CUSTOM',
      executor_id: { value: NODE_EXECUTOR_ID },
      name: 'Ferry node executor',
      resources: executorResources,
      command: {
        shell: true,
        value: `exec ${config.nodeCommand} ${EXECUTOR_ENTRY}`,
        uris: [{ value: config.artifactUrl, extract: true, cache: true }],
        environment: { variables: [{ name: 'FERRY_NODE_PORTS', type: 'VALUE', value: ports.join(',') }] },
      },
    },
    labels: { labels: [{ key: 'ferry/purpose', value: 'node-executor' }] },
  };
  return { info, ports };
}
