// What a task status update changes: the task's recorded state (written
// before the update is acknowledged, invariant 5), the instance's relaunch
// backoff when a task died on its own, what Ferry learns about an agent that
// cannot mount volumes, and kills for tasks nobody wants. A task is forgotten
// only once Mesos proves it dead; TASK_LOST and TASK_UNREACHABLE keep the
// dataset bound to it (invariant 1).

import type { TaskStatus } from '../mesos/types.js';
import type { TaskRecord, TaskStatusRecord } from '../state/model.js';
import { provesDeath } from './liveness.js';
import { emptyPlan, type Plan } from './plan.js';
import type { SchedulerConfig } from './schedulerConfig.js';
import { instanceKey, type World } from './world.js';

/** The agent's answer when it lacks the volume isolators (see mesos-reference). */
export const VOLUMES_UNSUPPORTED = 'Volumes in ContainerInfo is not supported';
/** The agent's answer when a HOST_PATH volume names a directory that is not there (volume/host_path isolator). */
export const HOST_PATH_MISSING = 'in HOST_PATH volume does not exist';

export function statusRecord(status: TaskStatus): TaskStatusRecord {
  const r: TaskStatusRecord = { state: status.state };
  if (status.reason !== undefined) r.reason = status.reason;
  if (status.message !== undefined) r.message = status.message;
  if (status.source !== undefined) r.source = status.source;
  if (status.timestamp !== undefined) r.timestamp = status.timestamp;
  if (status.healthy !== undefined) r.healthy = status.healthy;
  return r;
}

/** Marathon's relaunch delay: backoffSeconds × factor^(failures−1), capped. */
export function relaunchDelayMs(failures: number, spec: { backoffSeconds: number; backoffFactor: number; maxLaunchDelaySeconds: number }): number {
  const seconds = Math.min(spec.maxLaunchDelaySeconds, spec.backoffSeconds * spec.backoffFactor ** Math.max(0, failures - 1));
  return Math.round(seconds * 1000);
}

export function planStatusUpdate(world: World, status: TaskStatus, now: number, config: SchedulerConfig): Plan {
  const plan = emptyPlan();
  const taskId = status.task_id.value;
  const task = world.tasks.get(taskId);
  const stamp = new Date(now).toISOString();

  if (task === undefined) {
    // Not ours (or already forgotten): a live one is an orphan nobody will look after.
    if (!provesDeath(status.state) && status.agent_id !== undefined && status.state !== 'TASK_UNKNOWN') {
      plan.mesos.push({ type: 'KILL', taskId, agentId: status.agent_id.value });
      plan.notes.push({ kind: 'killSent', taskId, at: now });
    }
    if (status.uuid !== undefined) plan.mesos.push({ type: 'ACKNOWLEDGE', status });
    return plan;
  }

  if (provesDeath(status.state) && task.kind === 'prepare') {
    plan.writes.push({ kind: 'deleteTask', taskId });
    plan.writes.push(...preparedDataset(world, task, status, stamp));
    if (status.state !== 'TASK_FINISHED') {
      const key = instanceKey(task.appId, task.instance);
      const failures = (world.backoffs.get(key)?.failures ?? 0) + 1;
      const app = world.apps.get(task.appId);
      if (app !== undefined) plan.notes.push({ kind: 'backoff', instanceKey: key, failures, notBefore: now + relaunchDelayMs(failures, app.spec) });
    }
  } else if (provesDeath(status.state)) {
    plan.writes.push({ kind: 'deleteTask', taskId });
    const key = instanceKey(task.appId, task.instance);
    const app = world.apps.get(task.appId);
    const dataset = task.datasetName === undefined ? undefined : world.datasets.get(task.datasetName);
    if (dataset !== undefined && status.state === 'TASK_FAILED' && (status.message ?? '').includes(HOST_PATH_MISSING)) {
      // the data directory vanished from the agent: never recreate it empty
      plan.writes.push({
        kind: 'dataset',
        record: { ...dataset, state: 'UNAVAILABLE', reason: `its directory ${task.hostPath ?? ''} is gone from agent ${task.agentId} (${status.message})`, updatedAt: stamp },
      });
    }
    const volumesRefused =
      status.state === 'TASK_FAILED' &&
      status.reason === 'REASON_CONTAINER_LAUNCH_FAILED' &&
      (status.message ?? '').includes(VOLUMES_UNSUPPORTED) &&
      task.dataVia === 'volume';
    if (volumesRefused && config.dataVia === 'auto') {
      plan.notes.push({
        kind: 'agentDataVia',
        agentId: task.agentId,
        dataVia: 'env',
        why: `agent refused a HOST_PATH volume (${status.message}); datasets are handed over in the environment there`,
      });
      plan.notes.push({ kind: 'backoffReset', instanceKey: key });
    } else if (!task.killRequested && app !== undefined && task.instance < app.spec.instances) {
      const ranMs = now - Date.parse(task.launchedAt);
      const previous = world.backoffs.get(key)?.failures ?? 0;
      const failures = ranMs >= config.backoffResetSeconds * 1000 ? 1 : previous + 1;
      plan.notes.push({ kind: 'backoff', instanceKey: key, failures, notBefore: now + relaunchDelayMs(failures, app.spec) });
    }
  } else if (recordChanges(task, status)) {
    const updated: TaskRecord = { ...task, state: status.state, status: statusRecord(status), updatedAt: stamp };
    plan.writes.push({ kind: 'task', record: updated });
    if (status.state === 'TASK_RUNNING' && task.killRequested) {
      plan.mesos.push({ type: 'KILL', taskId, agentId: task.agentId });
      plan.notes.push({ kind: 'killSent', taskId, at: now });
    }
  }
  if (status.uuid !== undefined) plan.mesos.push({ type: 'ACKNOWLEDGE', status });
  return plan;
}

function recordChanges(task: TaskRecord, status: TaskStatus): boolean {
  const before = task.status;
  // a reconciliation answer that confirms what is recorded changes nothing durable
  if (status.reason === 'REASON_RECONCILIATION' && before !== undefined && task.state === status.state) return false;
  return (
    before === undefined ||
    task.state !== status.state ||
    before.reason !== status.reason ||
    before.healthy !== status.healthy ||
    before.message !== status.message
  );
}

/** The outcome of a prepare task: the dataset is READY where it was prepared, or unplaced again with the reason. */
function preparedDataset(world: World, task: TaskRecord, status: TaskStatus, stamp: string): Plan['writes'] {
  const dataset = task.datasetName === undefined ? undefined : world.datasets.get(task.datasetName);
  if (dataset === undefined || dataset.state !== 'PREPARING' || dataset.agentId !== task.agentId) return [];
  if (status.state === 'TASK_FINISHED') return [{ kind: 'dataset', record: { ...dataset, state: 'READY', updatedAt: stamp } }];
  const { agentId: _a, hostname: _h, hostPath: _p, ...unplaced } = dataset;
  return [
    {
      kind: 'dataset',
      record: { ...unplaced, state: 'NEW', reason: `preparing it on agent ${task.agentId} failed: ${status.state} ${status.message ?? ''}`.trim(), updatedAt: stamp },
    },
  ];
}
