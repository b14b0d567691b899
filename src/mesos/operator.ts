// The v1 operator API of a Mesos master (mesos.v1.master Call/Response) and the
// maintenance messages it carries, in Mesos's JSON form. Shapes only, covering
// the calls proto/mesos/v1/master/master.proto declares; no behaviour lives here.

import type {
  AgentID,
  Attribute,
  ContainerInfo,
  DiscoveryInfo,
  DrainConfig,
  ExecutorID,
  ExecutorInfo,
  FrameworkID,
  FrameworkInfo,
  HealthCheck,
  InverseOffer,
  KillPolicy,
  Labels,
  MachineID,
  MasterInfo,
  Offer,
  Resource,
  TaskID,
  TaskState,
  TaskStatus,
  TimeInfo,
  Unavailability,
} from './types.js';

// ---------------------------------------------------------------- maintenance

/** Machines that go into maintenance together, in one unavailability (maintenance.Window). */
export interface MaintenanceWindow {
  machine_ids?: MachineID[];
  unavailability: Unavailability;
}

/** The cluster's maintenance schedule (maintenance.Schedule); posting a new one replaces it. */
export interface MaintenanceSchedule {
  windows?: MaintenanceWindow[];
}

export type MachineMode = 'UP' | 'DRAINING' | 'DOWN';

/** A framework's latest answer to an inverse offer for one agent (allocator.InverseOfferStatus). */
export interface InverseOfferStatus {
  status: 'UNKNOWN' | 'ACCEPT' | 'DECLINE';
  framework_id: FrameworkID;
  timestamp: TimeInfo;
}

/** maintenance.ClusterStatus: draining machines with the frameworks' answers, and down machines. */
export interface MaintenanceClusterStatus {
  draining_machines?: { id: MachineID; statuses?: InverseOfferStatus[] }[];
  down_machines?: MachineID[];
}

export type DrainState = 'UNKNOWN' | 'DRAINING' | 'DRAINED';

export interface DrainInfo {
  state: DrainState;
  config: DrainConfig;
}

/** google.protobuf.Duration as Mesos's JSON parser reads it: a plain message of seconds and nanos. */
export interface ProtobufDuration {
  seconds?: number;
  nanos?: number;
}

// ---------------------------------------------------------------- calls

export const OPERATOR_CALL_TYPES = [
  'UNKNOWN',
  'GET_HEALTH',
  'GET_FLAGS',
  'GET_VERSION',
  'GET_METRICS',
  'GET_LOGGING_LEVEL',
  'SET_LOGGING_LEVEL',
  'LIST_FILES',
  'READ_FILE',
  'GET_STATE',
  'GET_AGENTS',
  'GET_FRAMEWORKS',
  'GET_EXECUTORS',
  'GET_OPERATIONS',
  'GET_TASKS',
  'GET_ROLES',
  'GET_WEIGHTS',
  'UPDATE_WEIGHTS',
  'GET_MASTER',
  'SUBSCRIBE',
  'RESERVE_RESOURCES',
  'UNRESERVE_RESOURCES',
  'CREATE_VOLUMES',
  'DESTROY_VOLUMES',
  'GROW_VOLUME',
  'SHRINK_VOLUME',
  'GET_MAINTENANCE_STATUS',
  'GET_MAINTENANCE_SCHEDULE',
  'UPDATE_MAINTENANCE_SCHEDULE',
  'START_MAINTENANCE',
  'STOP_MAINTENANCE',
  'DRAIN_AGENT',
  'DEACTIVATE_AGENT',
  'REACTIVATE_AGENT',
  'GET_QUOTA',
  'UPDATE_QUOTA',
  'SET_QUOTA',
  'REMOVE_QUOTA',
  'TEARDOWN',
  'MARK_AGENT_GONE',
] as const;
export type OperatorCallType = (typeof OPERATOR_CALL_TYPES)[number];

export interface GetHealthCall { type: 'GET_HEALTH' }
export interface GetStateCall { type: 'GET_STATE' }
export interface GetAgentsCall { type: 'GET_AGENTS' }
export interface GetFrameworksCall { type: 'GET_FRAMEWORKS' }
export interface GetExecutorsCall { type: 'GET_EXECUTORS' }
export interface GetTasksCall { type: 'GET_TASKS' }
export interface GetMasterCall { type: 'GET_MASTER' }
export interface GetMaintenanceStatusCall { type: 'GET_MAINTENANCE_STATUS' }
export interface GetMaintenanceScheduleCall { type: 'GET_MAINTENANCE_SCHEDULE' }
export interface UpdateMaintenanceScheduleCall {
  type: 'UPDATE_MAINTENANCE_SCHEDULE';
  update_maintenance_schedule: { schedule: MaintenanceSchedule };
}
export interface StartMaintenanceCall { type: 'START_MAINTENANCE'; start_maintenance: { machines?: MachineID[] } }
export interface StopMaintenanceCall { type: 'STOP_MAINTENANCE'; stop_maintenance: { machines?: MachineID[] } }
export interface DrainAgentCall {
  type: 'DRAIN_AGENT';
  drain_agent: { agent_id: AgentID; max_grace_period?: ProtobufDuration; mark_gone?: boolean };
}
export interface DeactivateAgentCall { type: 'DEACTIVATE_AGENT'; deactivate_agent: { agent_id: AgentID } }
export interface ReactivateAgentCall { type: 'REACTIVATE_AGENT'; reactivate_agent: { agent_id: AgentID } }
export interface TeardownOperatorCall { type: 'TEARDOWN'; teardown: { framework_id: FrameworkID } }
export interface MarkAgentGoneCall { type: 'MARK_AGENT_GONE'; mark_agent_gone: { agent_id: AgentID } }

export type OperatorCall =
  | GetHealthCall
  | GetStateCall
  | GetAgentsCall
  | GetFrameworksCall
  | GetExecutorsCall
  | GetTasksCall
  | GetMasterCall
  | GetMaintenanceStatusCall
  | GetMaintenanceScheduleCall
  | UpdateMaintenanceScheduleCall
  | StartMaintenanceCall
  | StopMaintenanceCall
  | DrainAgentCall
  | DeactivateAgentCall
  | ReactivateAgentCall
  | TeardownOperatorCall
  | MarkAgentGoneCall;

/** A call of a type whose payload proto/ does not declare: it decodes to its type alone. */
export interface OtherOperatorCall {
  type: Exclude<OperatorCallType, OperatorCall['type']>;
}

// ---------------------------------------------------------------- responses

/** mesos.v1.AgentInfo. */
export interface AgentInfoMessage {
  hostname: string;
  port?: number;
  resources?: Resource[];
  attributes?: Attribute[];
  id?: AgentID;
}

export type AgentCapabilityType =
  | 'UNKNOWN'
  | 'MULTI_ROLE'
  | 'HIERARCHICAL_ROLE'
  | 'RESERVATION_REFINEMENT'
  | 'RESOURCE_PROVIDER'
  | 'RESIZE_VOLUME'
  | 'AGENT_OPERATION_FEEDBACK'
  | 'AGENT_DRAINING'
  | 'TASK_RESOURCE_LIMITS';

/** mesos.v1.Task: a task as the master knows it. */
export interface Task {
  name: string;
  task_id: TaskID;
  framework_id: FrameworkID;
  executor_id?: ExecutorID;
  agent_id: AgentID;
  state: TaskState;
  resources?: Resource[];
  statuses?: TaskStatus[];
  status_update_state?: TaskState;
  /** base64 */
  status_update_uuid?: string;
  labels?: Labels;
  discovery?: DiscoveryInfo;
  container?: ContainerInfo;
  health_check?: HealthCheck;
  kill_policy?: KillPolicy;
  user?: string;
}

export interface AgentView {
  agent_info: AgentInfoMessage;
  active: boolean;
  deactivated?: boolean;
  version: string;
  pid?: string;
  registered_time?: TimeInfo;
  reregistered_time?: TimeInfo;
  total_resources?: Resource[];
  allocated_resources?: Resource[];
  offered_resources?: Resource[];
  capabilities?: { type?: AgentCapabilityType }[];
  drain_info?: DrainInfo;
  estimated_drain_start_time?: TimeInfo;
}

export interface GetAgentsResponse {
  agents?: AgentView[];
  recovered_agents?: AgentInfoMessage[];
}

export interface FrameworkView {
  framework_info: FrameworkInfo;
  active: boolean;
  connected: boolean;
  recovered: boolean;
  registered_time?: TimeInfo;
  reregistered_time?: TimeInfo;
  unregistered_time?: TimeInfo;
  offers?: Offer[];
  inverse_offers?: InverseOffer[];
  allocated_resources?: Resource[];
  offered_resources?: Resource[];
}

export interface GetFrameworksResponse {
  frameworks?: FrameworkView[];
  completed_frameworks?: FrameworkView[];
}

export interface GetExecutorsResponse {
  executors?: { executor_info: ExecutorInfo; agent_id: AgentID }[];
}

export interface GetTasksResponse {
  tasks?: Task[];
  unreachable_tasks?: Task[];
  completed_tasks?: Task[];
}

export interface GetStateResponse {
  get_tasks?: GetTasksResponse;
  get_executors?: GetExecutorsResponse;
  get_frameworks?: GetFrameworksResponse;
  get_agents?: GetAgentsResponse;
}

export type OperatorResponse =
  | { type: 'GET_HEALTH'; get_health: { healthy: boolean } }
  | { type: 'GET_STATE'; get_state: GetStateResponse }
  | { type: 'GET_AGENTS'; get_agents: GetAgentsResponse }
  | { type: 'GET_FRAMEWORKS'; get_frameworks: GetFrameworksResponse }
  | { type: 'GET_EXECUTORS'; get_executors: GetExecutorsResponse }
  | { type: 'GET_TASKS'; get_tasks: GetTasksResponse }
  | { type: 'GET_MASTER'; get_master: { master_info?: MasterInfo; start_time?: number; elected_time?: number } }
  | { type: 'GET_MAINTENANCE_STATUS'; get_maintenance_status: { status: MaintenanceClusterStatus } }
  | { type: 'GET_MAINTENANCE_SCHEDULE'; get_maintenance_schedule: { schedule: MaintenanceSchedule } };

export type OperatorResponseType = OperatorResponse['type'];
