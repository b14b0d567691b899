// Builds TaskStatus messages with their fields in Mesos's declaration order,
// so JSON events read exactly like a real master's. Who may set which field
// (uuid only on agent/executor updates) is the caller's rule, not this file's.

import type {
  ContainerStatus,
  Labels,
  TaskState,
  TaskStatus,
  TaskStatusReason,
  TaskStatusSource,
  TimeInfo,
} from '../mesos/types.js';

export interface TaskStatusFields {
  taskId: string;
  state: TaskState;
  message?: string;
  source: TaskStatusSource;
  reason?: TaskStatusReason;
  agentId?: string;
  executorId?: string;
  timestamp?: number;
  uuid?: string;
  healthy?: boolean;
  labels?: Labels;
  containerStatus?: ContainerStatus;
  unreachableTime?: TimeInfo;
}

export function buildTaskStatus(f: TaskStatusFields): TaskStatus {
  const status: TaskStatus = { task_id: { value: f.taskId }, state: f.state };
  if (f.message !== undefined) status.message = f.message;
  status.source = f.source;
  if (f.reason !== undefined) status.reason = f.reason;
  if (f.agentId !== undefined) status.agent_id = { value: f.agentId };
  if (f.executorId !== undefined) status.executor_id = { value: f.executorId };
  status.timestamp = f.timestamp ?? nowSeconds();
  if (f.uuid !== undefined) status.uuid = f.uuid;
  if (f.healthy !== undefined) status.healthy = f.healthy;
  if (f.labels !== undefined) status.labels = f.labels;
  if (f.containerStatus !== undefined) status.container_status = f.containerStatus;
  if (f.unreachableTime !== undefined) status.unreachable_time = f.unreachableTime;
  return status;
}

/** Copies a status with fields in declaration order (for statuses that gain or lose fields). */
export function reorderTaskStatus(s: TaskStatus): TaskStatus {
  const out: TaskStatus = { task_id: s.task_id, state: s.state };
  if (s.message !== undefined) out.message = s.message;
  if (s.source !== undefined) out.source = s.source;
  if (s.reason !== undefined) out.reason = s.reason;
  if (s.data !== undefined) out.data = s.data;
  if (s.agent_id !== undefined) out.agent_id = s.agent_id;
  if (s.executor_id !== undefined) out.executor_id = s.executor_id;
  if (s.timestamp !== undefined) out.timestamp = s.timestamp;
  if (s.uuid !== undefined) out.uuid = s.uuid;
  if (s.healthy !== undefined) out.healthy = s.healthy;
  if (s.labels !== undefined) out.labels = s.labels;
  if (s.container_status !== undefined) out.container_status = s.container_status;
  if (s.unreachable_time !== undefined) out.unreachable_time = s.unreachable_time;
  return out;
}

export function nowSeconds(): number {
  return Date.now() / 1000;
}

export function nowTimeInfo(): TimeInfo {
  return { nanoseconds: Date.now() * 1_000_000 };
}
