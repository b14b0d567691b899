// When is a task dead? Mesos's terminal states are not all proof: TASK_LOST
// and TASK_UNREACHABLE (and TASK_UNKNOWN) leave the task's processes possibly
// running and writing on a host Mesos cannot see (invariant 1). Only the
// states below prove the task can no longer touch its dataset.

import type { TaskState } from '../mesos/types.js';
import type { TaskRecord } from '../state/model.js';

const PROOF_OF_DEATH: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

/** True when Mesos's word proves the task's processes are gone. */
export function provesDeath(state: TaskState): boolean {
  return PROOF_OF_DEATH.has(state);
}

/** A task is live (its processes may run) until Mesos proves it dead. */
export function isLive(task: TaskRecord): boolean {
  return !provesDeath(task.state);
}

/** A task holds its dataset while it is live, unless the data was fenced off from it. */
export function holdsDataset(task: TaskRecord): boolean {
  return isLive(task) && task.fenced !== true;
}

/** Live and believed to be running normally (not lost from view). */
export function isActive(task: TaskRecord): boolean {
  return task.state === 'TASK_STAGING' || task.state === 'TASK_STARTING' || task.state === 'TASK_RUNNING' || task.state === 'TASK_KILLING';
}

/** Live but out of Mesos's sight: the data must stay bound to it. */
export function isOutOfSight(task: TaskRecord): boolean {
  return task.state === 'TASK_UNREACHABLE' || task.state === 'TASK_LOST' || task.state === 'TASK_UNKNOWN';
}
