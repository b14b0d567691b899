// Answers RECONCILE as master.cpp reconcile() does, by what the master knows
// of each task and its agent (TASK_LOST for frameworks that are not
// partition-aware). Pure: it builds statuses and never sends them.

import type { ContainerStatus, TaskState, TaskStatus, TimeInfo } from '../mesos/types.js';
import type { MasterTask } from './masterModel.js';
import { buildTaskStatus } from './taskStatus.js';

export type AgentStanding =
  | { kind: 'registered' }
  | { kind: 'recovered' }
  | { kind: 'unreachable'; since: TimeInfo }
  | { kind: 'gone' }
  | { kind: 'unknown' };

export interface ReconciliationView {
  partitionAware: boolean;
  /** The framework's live (not unreachable) tasks. */
  tasks: ReadonlyMap<string, MasterTask>;
  agentStanding(agentId: string): AgentStanding;
  /** Some agents known from the registry have not re-registered since a master failover. */
  anyRecoveredAgents: boolean;
}

export function implicitReconciliation(view: ReconciliationView): TaskStatus[] {
  return [...view.tasks.values()].map(latestStateStatus);
}

export function explicitReconciliation(view: ReconciliationView, requests: readonly { taskId: string; agentId?: string }[]): TaskStatus[] {
  const out: TaskStatus[] = [];
  const lostUnlessAware = (state: TaskState): TaskState => (view.partitionAware ? state : 'TASK_LOST');
  for (const { taskId, agentId } of requests) {
    const task = view.tasks.get(taskId);
    if (task !== undefined) {
      out.push(latestStateStatus(task));
      continue;
    }
    const standing: AgentStanding = agentId === undefined ? { kind: 'unknown' } : view.agentStanding(agentId);
    if (standing.kind === 'recovered' || (agentId === undefined && view.anyRecoveredAgents)) {
      // The agent may still re-register with the task: Mesos stays silent and the framework retries.
      continue;
    }
    switch (standing.kind) {
      case 'registered':
        out.push(reconciliationStatus(taskId, agentId, lostUnlessAware('TASK_GONE'), 'Reconciliation: Task is unknown to the agent'));
        break;
      case 'unreachable':
        out.push(
          buildTaskStatus({
            taskId,
            state: lostUnlessAware('TASK_UNREACHABLE'),
            message: 'Reconciliation: Task is unreachable',
            source: 'SOURCE_MASTER',
            reason: 'REASON_RECONCILIATION',
            agentId,
            unreachableTime: standing.since,
          }),
        );
        break;
      case 'gone':
        out.push(reconciliationStatus(taskId, agentId, lostUnlessAware('TASK_GONE_BY_OPERATOR'), 'Reconciliation: Task is gone'));
        break;
      case 'unknown':
        out.push(reconciliationStatus(taskId, agentId, lostUnlessAware('TASK_UNKNOWN'), 'Reconciliation: Task is unknown'));
        break;
    }
  }
  return out;
}

/** "Reconciliation: Latest task state" for a task the master knows. */
export function latestStateStatus(task: MasterTask): TaskStatus {
  const last = task.statuses[task.statuses.length - 1];
  return buildTaskStatus({
    taskId: task.taskId,
    state: task.statusUpdateState ?? task.state,
    message: 'Reconciliation: Latest task state',
    source: 'SOURCE_MASTER',
    reason: 'REASON_RECONCILIATION',
    agentId: task.agentId,
    healthy: last?.healthy,
    containerStatus: latestContainerStatus(task),
  });
}

/** The newest container_status among the task's statuses (getTaskContainerStatus). */
export function latestContainerStatus(task: { statuses: readonly TaskStatus[] }): ContainerStatus | undefined {
  for (let i = task.statuses.length - 1; i >= 0; i--) {
    const cs = task.statuses[i]!.container_status;
    if (cs !== undefined) return cs;
  }
  return undefined;
}

function reconciliationStatus(taskId: string, agentId: string | undefined, state: TaskState, message: string): TaskStatus {
  return buildTaskStatus({ taskId, state, message, source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION', agentId });
}
