// The read-only answers of the operator API (GET_STATE, GET_AGENTS,
// GET_FRAMEWORKS, GET_EXECUTORS, GET_TASKS, GET_MASTER) as mesos.v1.master
// Response messages, built from the master's records. It never changes them.

import type {
  AgentView,
  FrameworkView,
  GetAgentsResponse,
  GetExecutorsResponse,
  GetFrameworksResponse,
  GetStateResponse,
  GetTasksResponse,
  Task,
} from '../mesos/operator.js';
import type { Resource, TimeInfo } from '../mesos/types.js';
import { isTerminalTaskState } from '../mesos/types.js';
import { inverseOfferMessage, type MasterView } from './master.js';
import type { AgentInfo, AgentRecord, FrameworkRecord, MasterTask } from './masterModel.js';
import { MESOS_VERSION } from './masterInfo.js';
import { Resources } from './resources.js';
import { AGENT_CAPABILITIES } from './stateJson.js';

export function getState(view: MasterView): GetStateResponse {
  return { get_tasks: getTasks(view), get_executors: getExecutors(view), get_frameworks: getFrameworks(view), get_agents: getAgents(view) };
}

export function getAgents(view: MasterView): GetAgentsResponse {
  const out: GetAgentsResponse = {};
  if (view.agents.length > 0) out.agents = view.agents.map((a) => agentView(a, view));
  if (view.recoveredAgents.length > 0) out.recovered_agents = view.recoveredAgents.map((a) => agentInfoMessage(a, view.agentPort));
  return out;
}

export function getFrameworks(view: MasterView): GetFrameworksResponse {
  const out: GetFrameworksResponse = {};
  if (view.frameworks.length > 0) out.frameworks = view.frameworks.map((f) => frameworkView(f, view));
  if (view.completedFrameworks.length > 0) out.completed_frameworks = view.completedFrameworks.map((f) => frameworkView(f, view));
  return out;
}

export function getExecutors(view: MasterView): GetExecutorsResponse {
  const executors: NonNullable<GetExecutorsResponse['executors']> = [];
  for (const framework of view.frameworks) {
    for (const [agentId, byId] of framework.executors) {
      for (const info of byId.values()) executors.push({ executor_info: info, agent_id: { value: agentId } });
    }
  }
  return executors.length > 0 ? { executors } : {};
}

export function getTasks(view: MasterView): GetTasksResponse {
  const tasks: Task[] = [];
  const unreachable: Task[] = [];
  const completed: Task[] = [];
  for (const framework of [...view.frameworks, ...view.completedFrameworks]) {
    for (const task of framework.tasks.values()) tasks.push(taskMessage(task));
    for (const task of framework.unreachableTasks.values()) unreachable.push(taskMessage(task));
    for (const task of framework.completedTasks) completed.push(taskMessage(task));
  }
  const out: GetTasksResponse = {};
  if (tasks.length > 0) out.tasks = tasks;
  if (unreachable.length > 0) out.unreachable_tasks = unreachable;
  if (completed.length > 0) out.completed_tasks = completed;
  return out;
}

function agentInfoMessage(info: AgentInfo, port: number): AgentView['agent_info'] {
  return { hostname: info.hostname, port, resources: info.resources.toProtos(), attributes: info.attributes, id: { value: info.id } };
}

function agentView(agent: AgentRecord, view: MasterView): AgentView {
  const out: AgentView = {
    agent_info: agentInfoMessage(agent.info, view.agentPort),
    active: agent.active,
    deactivated: view.deactivated.has(agent.id),
    version: MESOS_VERSION,
    pid: `${agent.info.processId}@${view.agentIp}:${view.agentPort}`,
    registered_time: timeInfo(agent.registeredTime),
  };
  if (agent.reregisteredTime !== undefined) out.reregistered_time = timeInfo(agent.reregisteredTime);
  out.total_resources = agent.info.resources.toProtos();
  const allocated = byRole([...agent.tasks.values()].flatMap((tasks) => [...tasks.values()]), [...agent.executors.values()].flatMap((byId) => [...byId.values()]));
  if (allocated.length > 0) out.allocated_resources = allocated;
  const offered = [...agent.offers].flatMap((id) => {
    const offer = view.offers.get(id);
    return offer === undefined ? [] : offer.resources.toProtos(offer.role);
  });
  if (offered.length > 0) out.offered_resources = offered;
  out.capabilities = AGENT_CAPABILITIES.map((type) => ({ type }));
  const drain = view.draining.get(agent.id);
  if (drain !== undefined) {
    out.drain_info = drain;
    if (agent.estimatedDrainStartTime !== undefined) out.estimated_drain_start_time = timeInfo(agent.estimatedDrainStartTime);
  }
  return out;
}

function frameworkView(framework: FrameworkRecord, view: MasterView): FrameworkView {
  const out: FrameworkView = {
    framework_info: framework.info,
    active: framework.active,
    connected: framework.connected,
    recovered: framework.recovered,
    registered_time: timeInfo(framework.registeredTime),
    reregistered_time: timeInfo(framework.reregisteredTime),
  };
  if (framework.unregisteredTime > 0) out.unregistered_time = timeInfo(framework.unregisteredTime);
  const offers = [...framework.offers].flatMap((id) => {
    const message = view.offers.get(id)?.message;
    return message === undefined ? [] : [message];
  });
  if (offers.length > 0) out.offers = offers;
  const inverseOffers = [...framework.inverseOffers].flatMap((id) => {
    const record = view.inverseOffers.get(id);
    return record === undefined ? [] : [inverseOfferMessage(record)];
  });
  if (inverseOffers.length > 0) out.inverse_offers = inverseOffers;
  const allocated = byRole([...framework.tasks.values()], [...framework.executors.values()].flatMap((byId) => [...byId.values()]));
  if (allocated.length > 0) out.allocated_resources = allocated;
  const offered = [...framework.offers].flatMap((id) => {
    const offer = view.offers.get(id);
    return offer === undefined ? [] : offer.resources.toProtos(offer.role);
  });
  if (offered.length > 0) out.offered_resources = offered;
  return out;
}

/** The resources of live tasks and executors, summed per allocation role. */
function byRole(tasks: readonly MasterTask[], executors: readonly { resources?: Resource[] }[]): Resource[] {
  const sums = new Map<string, Resources>();
  const add = (role: string, resources: Resources): void => {
    sums.set(role, (sums.get(role) ?? Resources.EMPTY).plus(resources));
  };
  for (const task of tasks) if (!isTerminalTaskState(task.state) && task.state !== 'TASK_UNREACHABLE') add(task.allocationRole, task.resources);
  for (const executor of executors) add(executor.resources?.[0]?.allocation_info?.role ?? '*', Resources.fromProtos(executor.resources));
  return [...sums].flatMap(([role, resources]) => resources.toProtos(role));
}

function taskMessage(task: MasterTask): Task {
  const info = task.info;
  const out: Task = {
    name: info.name,
    task_id: info.task_id,
    framework_id: { value: task.frameworkId },
    agent_id: { value: task.agentId },
    state: task.state,
  };
  if (info.executor !== undefined) out.executor_id = info.executor.executor_id;
  if ((info.resources ?? []).length > 0) out.resources = info.resources!;
  if (task.statuses.length > 0) out.statuses = task.statuses;
  if (task.statusUpdateState !== undefined) out.status_update_state = task.statusUpdateState;
  if (task.statusUpdateUuid !== undefined) out.status_update_uuid = task.statusUpdateUuid;
  if (info.labels !== undefined) out.labels = info.labels;
  if (info.discovery !== undefined) out.discovery = info.discovery;
  if (info.container !== undefined) out.container = info.container;
  if (info.health_check !== undefined) out.health_check = info.health_check;
  if (info.kill_policy !== undefined) out.kill_policy = info.kill_policy;
  return out;
}

function timeInfo(seconds: number): TimeInfo {
  return { nanoseconds: Math.round(seconds * 1e9) };
}
