// The v1 executor API (mesos.v1.executor): the calls an executor POSTs to its
// agent's /api/v1/executor and the events the agent streams back, as
// discriminated unions on `type` in Mesos's JSON form. Shapes only.

import type { AgentInfoMessage } from './operator.js';
import type {
  ContainerID,
  ExecutorID,
  ExecutorInfo,
  FrameworkID,
  FrameworkInfo,
  KillPolicy,
  TaskID,
  TaskInfo,
  TaskStatus,
} from './types.js';

export interface ExecutorSubscribeCall {
  type: 'SUBSCRIBE';
  executor_id: ExecutorID;
  framework_id: FrameworkID;
  subscribe: { unacknowledged_tasks?: TaskInfo[]; unacknowledged_updates?: { status: TaskStatus }[] };
}
export interface ExecutorUpdateCall {
  type: 'UPDATE';
  executor_id: ExecutorID;
  framework_id: FrameworkID;
  update: { status: TaskStatus };
}
export interface ExecutorMessageCall {
  type: 'MESSAGE';
  executor_id: ExecutorID;
  framework_id: FrameworkID;
  /** data is base64 */
  message: { data: string };
}
export interface ExecutorHeartbeatCall {
  type: 'HEARTBEAT';
  executor_id: ExecutorID;
  framework_id: FrameworkID;
}
export interface ExecutorUnknownCall {
  type: 'UNKNOWN';
  executor_id: ExecutorID;
  framework_id: FrameworkID;
}

export type ExecutorCall = ExecutorSubscribeCall | ExecutorUpdateCall | ExecutorMessageCall | ExecutorHeartbeatCall | ExecutorUnknownCall;
export type ExecutorCallType = ExecutorCall['type'];

export interface ExecutorSubscribedEvent {
  type: 'SUBSCRIBED';
  subscribed: { executor_info: ExecutorInfo; framework_info: FrameworkInfo; agent_info: AgentInfoMessage; container_id?: ContainerID };
}
export interface ExecutorLaunchEvent { type: 'LAUNCH'; launch: { task: TaskInfo } }
export interface ExecutorKillEvent { type: 'KILL'; kill: { task_id: TaskID; kill_policy?: KillPolicy } }
/** uuid is base64, the uuid of the update being acknowledged */
export interface ExecutorAcknowledgedEvent { type: 'ACKNOWLEDGED'; acknowledged: { task_id: TaskID; uuid: string } }
/** data is base64 */
export interface ExecutorMessageEvent { type: 'MESSAGE'; message: { data: string } }
export interface ExecutorErrorEvent { type: 'ERROR'; error: { message: string } }
export interface ExecutorShutdownEvent { type: 'SHUTDOWN' }
export interface ExecutorHeartbeatEvent { type: 'HEARTBEAT' }

export type ExecutorEvent =
  | ExecutorSubscribedEvent
  | ExecutorLaunchEvent
  | ExecutorKillEvent
  | ExecutorAcknowledgedEvent
  | ExecutorMessageEvent
  | ExecutorErrorEvent
  | ExecutorShutdownEvent
  | ExecutorHeartbeatEvent;

export type ExecutorEventType = ExecutorEvent['type'];
