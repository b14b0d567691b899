// The master's /state document with Mesos's field names (readonly_handler.cpp
// and the JSON models of common/http.cpp). It reads the master's records and
// never changes them.

import type { AgentCapabilityType, DrainInfo } from '../mesos/operator.js';
import type { CommandInfo, ContainerInfo, DiscoveryInfo, Environment, ExecutorInfo, HealthCheck, Label, MasterInfo, TaskState } from '../mesos/types.js';
import { attributesToStateJson } from './attributes.js';
import type { AgentRecord, FrameworkRecord, MasterTask } from './masterModel.js';
import type { MasterView } from './master.js';
import { MESOS_VERSION } from './masterInfo.js';
import { Resources } from './resources.js';

export type ResourcesJson = Record<string, number | string>;

export interface TaskStatusJson {
  state: TaskState;
  timestamp: number;
  labels?: Label[];
  container_status?: { container_id?: { value: string }; network_infos?: unknown[] };
  healthy?: boolean;
}

export interface TaskJson {
  id: string;
  name: string;
  framework_id: string;
  executor_id: string;
  slave_id: string;
  state: TaskState;
  resources: ResourcesJson;
  role: string;
  statuses: TaskStatusJson[];
  labels?: Label[];
  discovery?: DiscoveryInfo;
  container?: ContainerInfo;
  health_check?: HealthCheck;
}

export interface OfferJson {
  id: string;
  framework_id: string;
  slave_id: string;
  resources: ResourcesJson;
}

export interface FrameworkJson {
  id: string;
  name: string;
  used_resources: ResourcesJson;
  offered_resources: ResourcesJson;
  capabilities: string[];
  hostname: string;
  webui_url: string;
  active: boolean;
  connected: boolean;
  recovered: boolean;
  user: string;
  failover_timeout: number;
  checkpoint: boolean;
  registered_time: number;
  unregistered_time: number;
  principal?: string;
  resources: ResourcesJson;
  reregistered_time?: number;
  role?: string;
  roles?: string[];
  tasks: TaskJson[];
  unreachable_tasks: TaskJson[];
  completed_tasks: TaskJson[];
  offers: OfferJson[];
  executors: ExecutorJson[];
  labels?: Label[];
  offer_constraints: Record<string, never>;
}

/** An executor as /state lists it under its framework (json(ExecutorInfo) plus slave_id). */
export interface ExecutorJson {
  executor_id: string;
  name: string;
  framework_id: string;
  command: { shell?: boolean; value?: string; argv: string[]; environment?: Environment; uris: { value: string; executable: boolean }[] };
  resources: ResourcesJson;
  role?: string;
  labels?: Label[];
  type?: string;
  slave_id: string;
}

export interface AgentJson {
  id: string;
  hostname: string;
  port: number;
  attributes: Record<string, string | number>;
  pid: string;
  registered_time: number;
  reregistered_time?: number;
  resources: ResourcesJson;
  used_resources: ResourcesJson;
  offered_resources: ResourcesJson;
  reserved_resources: Record<string, never>;
  unreserved_resources: ResourcesJson;
  active: boolean;
  deactivated: boolean;
  version: string;
  capabilities: string[];
  drain_info?: DrainInfo;
  estimated_drain_start_time_seconds?: number;
}

export interface MasterState {
  version: string;
  build_date: string;
  build_time: number;
  build_user: string;
  start_time: number;
  elected_time?: number;
  id: string;
  pid: string;
  hostname: string;
  capabilities: string[];
  activated_slaves: number;
  deactivated_slaves: number;
  unreachable_slaves: number;
  leader?: string;
  leader_info?: { id: string; pid: string; port: number; hostname: string };
  flags: Record<string, string>;
  slaves: AgentJson[];
  recovered_slaves: { id: string; hostname: string; port: number; attributes: Record<string, string | number> }[];
  frameworks: FrameworkJson[];
  completed_frameworks: FrameworkJson[];
  orphan_tasks: never[];
  unregistered_frameworks: never[];
}

export const AGENT_CAPABILITIES: AgentCapabilityType[] = ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT', 'RESOURCE_PROVIDER', 'RESIZE_VOLUME', 'AGENT_OPERATION_FEEDBACK', 'AGENT_DRAINING', 'TASK_RESOURCE_LIMITS'];

export function masterStateJson(view: MasterView, agentPort: number): MasterState {
  const state: MasterState = {
    version: MESOS_VERSION,
    build_date: '',
    build_time: 0,
    build_user: 'ferry-sim',
    start_time: view.startTime,
    id: view.info.id,
    pid: view.info.pid ?? '',
    hostname: view.info.hostname ?? '',
    capabilities: (view.info.capabilities ?? []).map((c) => c.type ?? 'UNKNOWN'),
    activated_slaves: view.agents.filter((a) => a.active).length,
    deactivated_slaves: view.agents.filter((a) => !a.active).length,
    unreachable_slaves: view.unreachableAgents,
    flags: view.flags,
    slaves: view.agents.map((a) => agentJson(a, view, agentPort)),
    recovered_slaves: view.recoveredAgents.map((a) => ({ id: a.id, hostname: a.hostname, port: agentPort, attributes: attributesToStateJson(a.attributes) })),
    frameworks: view.frameworks.map((f) => frameworkJson(f, view)),
    completed_frameworks: view.completedFrameworks.map((f) => frameworkJson(f, view)),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
  if (view.electedTime !== undefined && view.elected) state.elected_time = view.electedTime;
  if (view.leader !== undefined) {
    state.leader = view.leader.pid ?? '';
    state.leader_info = leaderInfo(view.leader);
  }
  return state;
}

function leaderInfo(info: MasterInfo): { id: string; pid: string; port: number; hostname: string } {
  return { id: info.id, pid: info.pid ?? '', port: info.port, hostname: info.hostname ?? '' };
}

function agentJson(agent: AgentRecord, view: MasterView, port: number): AgentJson {
  const json: AgentJson = {
    id: agent.id,
    hostname: agent.info.hostname,
    port,
    attributes: attributesToStateJson(agent.info.attributes),
    pid: `${agent.info.processId}@${view.info.address?.ip ?? agent.info.hostname}:${port}`,
    registered_time: agent.registeredTime,
    resources: agent.info.resources.toStateJson(),
    used_resources: agent.used.toStateJson(),
    offered_resources: agent.offered.toStateJson(),
    reserved_resources: {},
    unreserved_resources: agent.info.resources.toStateJson(),
    active: agent.active,
    deactivated: view.deactivated.has(agent.id),
    version: MESOS_VERSION,
    capabilities: AGENT_CAPABILITIES,
  };
  if (agent.reregisteredTime !== undefined) json.reregistered_time = agent.reregisteredTime;
  const drain = view.draining.get(agent.id);
  if (drain !== undefined) {
    json.drain_info = drain;
    if (agent.estimatedDrainStartTime !== undefined) json.estimated_drain_start_time_seconds = agent.estimatedDrainStartTime;
  }
  return json;
}

function frameworkJson(framework: FrameworkRecord, view: MasterView): FrameworkJson {
  let offered = Resources.EMPTY;
  const offers: OfferJson[] = [];
  for (const id of framework.offers) {
    const offer = view.offers.get(id);
    if (offer === undefined) continue;
    offered = offered.plus(offer.resources);
    offers.push({ id, framework_id: offer.frameworkId, slave_id: offer.agentId, resources: offer.resources.toStateJson() });
  }
  const info = framework.info;
  const json: FrameworkJson = {
    id: framework.id,
    name: info.name,
    used_resources: framework.used.toStateJson(),
    offered_resources: offered.toStateJson(),
    capabilities: (info.capabilities ?? []).map((c) => c.type ?? 'UNKNOWN'),
    hostname: info.hostname ?? '',
    webui_url: info.webui_url ?? '',
    active: framework.active,
    connected: framework.connected,
    recovered: framework.recovered,
    user: info.user,
    failover_timeout: info.failover_timeout ?? 0,
    checkpoint: info.checkpoint ?? false,
    registered_time: framework.registeredTime,
    unregistered_time: framework.unregisteredTime,
    resources: framework.used.plus(offered).toStateJson(),
    tasks: [...framework.tasks.values()].map(taskJson),
    unreachable_tasks: [...framework.unreachableTasks.values()].map(taskJson),
    completed_tasks: framework.completedTasks.map(taskJson),
    offers,
    executors: [...framework.executors].flatMap(([agentId, byId]) => [...byId.values()].map((e) => executorJson(e, agentId))),
    offer_constraints: {},
  };
  if (info.principal !== undefined) json.principal = info.principal;
  if (framework.reregisteredTime !== framework.registeredTime) json.reregistered_time = framework.reregisteredTime;
  if ((info.capabilities ?? []).some((c) => c.type === 'MULTI_ROLE')) json.roles = info.roles ?? [];
  else json.role = info.role ?? '*';
  if (info.labels !== undefined) json.labels = info.labels.labels ?? [];
  return json;
}

function executorJson(executor: ExecutorInfo, agentId: string): ExecutorJson {
  const role = executor.resources?.[0]?.allocation_info?.role;
  return {
    executor_id: executor.executor_id.value,
    name: executor.name ?? '',
    framework_id: executor.framework_id?.value ?? '',
    command: commandJson(executor.command ?? {}),
    resources: Resources.fromProtos(executor.resources).toStateJson(),
    ...(role !== undefined ? { role } : {}),
    ...(executor.labels !== undefined ? { labels: executor.labels.labels ?? [] } : {}),
    ...(executor.type !== undefined ? { type: executor.type } : {}),
    slave_id: agentId,
  };
}

function commandJson(command: CommandInfo): ExecutorJson['command'] {
  return {
    ...(command.shell !== undefined ? { shell: command.shell } : {}),
    ...(command.value !== undefined ? { value: command.value } : {}),
    argv: command.arguments ?? [],
    ...(command.environment !== undefined ? { environment: command.environment } : {}),
    uris: (command.uris ?? []).map((u) => ({ value: u.value, executable: u.executable ?? false })),
  };
}

function taskJson(task: MasterTask): TaskJson {
  const json: TaskJson = {
    id: task.taskId,
    name: task.info.name,
    framework_id: task.frameworkId,
    executor_id: task.info.executor?.executor_id.value ?? '',
    slave_id: task.agentId,
    state: task.state,
    resources: task.resources.toStateJson(),
    role: task.allocationRole,
    statuses: task.statuses.map((s) => {
      const status: TaskStatusJson = { state: s.state, timestamp: s.timestamp ?? 0 };
      if (s.labels !== undefined) status.labels = s.labels.labels ?? [];
      if (s.container_status !== undefined) {
        // Mesos's JSON model of ContainerStatus leaves executor_pid out.
        const { container_id, network_infos } = s.container_status;
        status.container_status = { ...(container_id !== undefined ? { container_id } : {}), ...(network_infos !== undefined ? { network_infos } : {}) };
      }
      if (s.healthy !== undefined) status.healthy = s.healthy;
      return status;
    }),
  };
  if (task.info.labels !== undefined) json.labels = task.info.labels.labels ?? [];
  if (task.info.discovery !== undefined) json.discovery = task.info.discovery;
  if (task.info.container !== undefined) json.container = task.info.container;
  if (task.info.health_check !== undefined) json.health_check = task.info.health_check;
  return json;
}
