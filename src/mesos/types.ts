// Mesos v1 messages as TypeScript sees them: the JSON form Mesos itself uses
// (proto field names, enums by name, bytes as base64, int64 as numbers), which
// is also what protobuf decoding yields here. Only fields declared in proto/
// appear; this file declares shapes and never holds behaviour.

export interface FrameworkID { value: string }
export interface OfferID { value: string }
export interface AgentID { value: string }
export interface TaskID { value: string }
export interface ExecutorID { value: string }
export interface OperationID { value: string }
export interface ResourceProviderID { value: string }
export interface ContainerID { value: string; parent?: ContainerID }

export interface TimeInfo { nanoseconds: number }
export interface DurationInfo { nanoseconds: number }

export interface Address { hostname?: string; ip?: string; port: number }
export interface Parameter { key: string; value: string }
export interface Parameters { parameter?: Parameter[] }

export interface URL {
  scheme: string;
  address: Address;
  path?: string;
  query?: Parameter[];
  fragment?: string;
}

export interface Unavailability { start: TimeInfo; duration?: DurationInfo }
export interface MachineID { hostname?: string; ip?: string }

export type FrameworkCapabilityType =
  | 'UNKNOWN'
  | 'REVOCABLE_RESOURCES'
  | 'TASK_KILLING_STATE'
  | 'GPU_RESOURCES'
  | 'SHARED_RESOURCES'
  | 'PARTITION_AWARE'
  | 'MULTI_ROLE'
  | 'RESERVATION_REFINEMENT'
  | 'REGION_AWARE';

export interface FrameworkInfo {
  user: string;
  name: string;
  id?: FrameworkID;
  failover_timeout?: number;
  checkpoint?: boolean;
  role?: string;
  roles?: string[];
  hostname?: string;
  principal?: string;
  webui_url?: string;
  capabilities?: { type?: FrameworkCapabilityType }[];
  labels?: Labels;
}

export interface Label { key: string; value?: string }
export interface Labels { labels?: Label[] }

export type ValueType = 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
export interface Scalar { value: number }
export interface Range { begin: number; end: number }
export interface Ranges { range?: Range[] }
export interface ValueSet { item?: string[] }
export interface Text { value: string }

export interface Attribute {
  name: string;
  type: ValueType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: ValueSet;
  text?: Text;
}

export interface ReservationInfo {
  type?: 'UNKNOWN' | 'STATIC' | 'DYNAMIC';
  role?: string;
  principal?: string;
  labels?: Labels;
}

export interface DiskInfo {
  persistence?: { id: string; principal?: string };
  volume?: Volume;
  source?: {
    type: 'UNKNOWN' | 'PATH' | 'MOUNT' | 'BLOCK' | 'RAW';
    path?: { root?: string };
    mount?: { root?: string };
    vendor?: string;
    id?: string;
    metadata?: Labels;
    profile?: string;
  };
}

export interface Resource {
  provider_id?: ResourceProviderID;
  name: string;
  type: ValueType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: ValueSet;
  role?: string;
  allocation_info?: { role?: string };
  reservation?: ReservationInfo;
  reservations?: ReservationInfo[];
  disk?: DiskInfo;
  revocable?: Record<string, never>;
  shared?: Record<string, never>;
}

export interface EnvironmentVariable {
  name: string;
  type?: 'UNKNOWN' | 'VALUE' | 'SECRET';
  value?: string;
}
export interface Environment { variables?: EnvironmentVariable[] }

export interface CommandURI {
  value: string;
  executable?: boolean;
  extract?: boolean;
  cache?: boolean;
  output_file?: string;
}

export interface CommandInfo {
  uris?: CommandURI[];
  environment?: Environment;
  /** proto2 default: true */
  shell?: boolean;
  value?: string;
  arguments?: string[];
  user?: string;
}

export type HealthCheckType = 'UNKNOWN' | 'COMMAND' | 'HTTP' | 'TCP';

export interface HealthCheck {
  delay_seconds?: number;
  interval_seconds?: number;
  timeout_seconds?: number;
  consecutive_failures?: number;
  grace_period_seconds?: number;
  type?: HealthCheckType;
  command?: CommandInfo;
  http?: { protocol?: 'IPv4' | 'IPv6'; scheme?: string; port: number; path?: string; statuses?: number[] };
  tcp?: { protocol?: 'IPv4' | 'IPv6'; port: number };
}

export interface CheckInfo {
  type?: HealthCheckType;
  command?: { command: CommandInfo };
  http?: { port: number; path?: string };
  tcp?: { port: number };
  delay_seconds?: number;
  interval_seconds?: number;
  timeout_seconds?: number;
}

export interface KillPolicy { grace_period?: DurationInfo }

export interface HostPathSource { path: string; mount_propagation?: { mode?: 'UNKNOWN' | 'HOST_TO_CONTAINER' | 'BIDIRECTIONAL' } }

export interface VolumeSource {
  type?: 'UNKNOWN' | 'DOCKER_VOLUME' | 'HOST_PATH' | 'SANDBOX_PATH' | 'SECRET' | 'CSI_VOLUME';
  docker_volume?: { driver?: string; name: string; driver_options?: Parameters };
  host_path?: HostPathSource;
  sandbox_path?: { type?: 'UNKNOWN' | 'SELF' | 'PARENT'; path: string };
}

export interface Volume {
  mode: 'RW' | 'RO';
  container_path: string;
  host_path?: string;
  source?: VolumeSource;
}

export interface NetworkInfo {
  ip_addresses?: { protocol?: 'IPv4' | 'IPv6'; ip_address?: string }[];
  name?: string;
  groups?: string[];
  labels?: Labels;
  port_mappings?: { host_port: number; container_port: number; protocol?: string }[];
}

export interface ContainerInfo {
  type: 'DOCKER' | 'MESOS';
  volumes?: Volume[];
  hostname?: string;
  docker?: { image: string; network?: 'HOST' | 'BRIDGE' | 'NONE' | 'USER'; privileged?: boolean; force_pull_image?: boolean };
  mesos?: { image?: { type: 'APPC' | 'DOCKER'; docker?: { name: string }; cached?: boolean } };
  network_infos?: NetworkInfo[];
}

export interface DiscoveryInfo {
  visibility: 'FRAMEWORK' | 'CLUSTER' | 'EXTERNAL';
  name?: string;
  environment?: string;
  location?: string;
  version?: string;
  ports?: { ports?: { number: number; name?: string; protocol?: string }[] };
  labels?: Labels;
}

export interface ExecutorInfo {
  type?: 'UNKNOWN' | 'DEFAULT' | 'CUSTOM';
  executor_id: ExecutorID;
  framework_id?: FrameworkID;
  command?: CommandInfo;
  container?: ContainerInfo;
  resources?: Resource[];
  name?: string;
  data?: string;
  shutdown_grace_period?: DurationInfo;
  labels?: Labels;
}

export interface TaskInfo {
  name: string;
  task_id: TaskID;
  agent_id: AgentID;
  resources?: Resource[];
  executor?: ExecutorInfo;
  command?: CommandInfo;
  container?: ContainerInfo;
  health_check?: HealthCheck;
  check?: CheckInfo;
  kill_policy?: KillPolicy;
  /** base64 */
  data?: string;
  labels?: Labels;
  discovery?: DiscoveryInfo;
  max_completion_time?: DurationInfo;
}

export type OfferOperationType =
  | 'UNKNOWN'
  | 'LAUNCH'
  | 'LAUNCH_GROUP'
  | 'RESERVE'
  | 'UNRESERVE'
  | 'CREATE'
  | 'DESTROY'
  | 'GROW_VOLUME'
  | 'SHRINK_VOLUME'
  | 'CREATE_DISK'
  | 'DESTROY_DISK';

export interface OfferOperation {
  type?: OfferOperationType;
  id?: OperationID;
  launch?: { task_infos?: TaskInfo[] };
  launch_group?: { executor: ExecutorInfo; task_group: { tasks?: TaskInfo[] } };
  reserve?: { source?: Resource[]; resources?: Resource[] };
  unreserve?: { resources?: Resource[] };
  create?: { volumes?: Resource[] };
  destroy?: { volumes?: Resource[] };
}

export interface DomainInfo {
  fault_domain?: { region: { name: string }; zone: { name: string } };
}

export interface Offer {
  id: OfferID;
  framework_id: FrameworkID;
  agent_id: AgentID;
  hostname: string;
  url?: URL;
  domain?: DomainInfo;
  resources?: Resource[];
  attributes?: Attribute[];
  executor_ids?: ExecutorID[];
  unavailability?: Unavailability;
  allocation_info?: { role?: string };
}

export interface InverseOffer {
  id: OfferID;
  url?: URL;
  framework_id: FrameworkID;
  agent_id?: AgentID;
  unavailability: Unavailability;
  resources?: Resource[];
}

export type MasterCapabilityType = 'UNKNOWN' | 'AGENT_UPDATE' | 'AGENT_DRAINING' | 'QUOTA_V2';

export interface MasterInfo {
  id: string;
  ip: number;
  port: number;
  pid?: string;
  hostname?: string;
  version?: string;
  address?: Address;
  domain?: DomainInfo;
  capabilities?: { type?: MasterCapabilityType }[];
}

export const TASK_STATES = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export type TaskStatusSource = 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';

export type TaskStatusReason =
  | 'REASON_COMMAND_EXECUTOR_FAILED'
  | 'REASON_CONTAINER_LAUNCH_FAILED'
  | 'REASON_CONTAINER_LIMITATION'
  | 'REASON_CONTAINER_LIMITATION_DISK'
  | 'REASON_CONTAINER_LIMITATION_MEMORY'
  | 'REASON_CONTAINER_PREEMPTED'
  | 'REASON_CONTAINER_UPDATE_FAILED'
  | 'REASON_MAX_COMPLETION_TIME_REACHED'
  | 'REASON_EXECUTOR_REGISTRATION_TIMEOUT'
  | 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT'
  | 'REASON_EXECUTOR_TERMINATED'
  | 'REASON_EXECUTOR_UNREGISTERED'
  | 'REASON_FRAMEWORK_REMOVED'
  | 'REASON_GC_ERROR'
  | 'REASON_INVALID_FRAMEWORKID'
  | 'REASON_INVALID_OFFERS'
  | 'REASON_IO_SWITCHBOARD_EXITED'
  | 'REASON_MASTER_DISCONNECTED'
  | 'REASON_RECONCILIATION'
  | 'REASON_RESOURCES_UNKNOWN'
  | 'REASON_AGENT_DISCONNECTED'
  | 'REASON_AGENT_DRAINING'
  | 'REASON_AGENT_REMOVED'
  | 'REASON_AGENT_REMOVED_BY_OPERATOR'
  | 'REASON_AGENT_REREGISTERED'
  | 'REASON_AGENT_RESTARTED'
  | 'REASON_AGENT_UNKNOWN'
  | 'REASON_TASK_KILLED_DURING_LAUNCH'
  | 'REASON_TASK_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_GROUP_INVALID'
  | 'REASON_TASK_GROUP_UNAUTHORIZED'
  | 'REASON_TASK_INVALID'
  | 'REASON_TASK_UNAUTHORIZED'
  | 'REASON_TASK_UNKNOWN';

export interface ContainerStatus {
  container_id?: ContainerID;
  network_infos?: NetworkInfo[];
  executor_pid?: number;
}

export interface TaskStatus {
  task_id: TaskID;
  state: TaskState;
  message?: string;
  source?: TaskStatusSource;
  reason?: TaskStatusReason;
  /** base64 */
  data?: string;
  agent_id?: AgentID;
  executor_id?: ExecutorID;
  timestamp?: number;
  /** base64; present only on updates that must be acknowledged */
  uuid?: string;
  healthy?: boolean;
  labels?: Labels;
  container_status?: ContainerStatus;
  unreachable_time?: TimeInfo;
}

export interface OperationStatus {
  operation_id?: OperationID;
  state: string;
  message?: string;
  agent_id?: AgentID;
  uuid?: { value: string };
}

export interface Filters {
  /** proto2 default: 5 seconds */
  refuse_seconds?: number;
}

export interface DrainConfig {
  max_grace_period?: DurationInfo;
  mark_gone?: boolean;
}

/** Terminal states: Mesos will send nothing more for the task after one of these. */
export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

export function isTerminalTaskState(state: TaskState): boolean {
  return TERMINAL_TASK_STATES.has(state);
}
