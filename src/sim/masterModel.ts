// What the simulated master remembers (frameworks, agents, tasks, offers),
// shaped after Mesos's master records. Facts and bookkeeping only: the
// decisions that change them live in master.ts.

import type { DrainInfo } from '../mesos/operator.js';
import type { Attribute, ExecutorInfo, FrameworkInfo, Offer, TaskInfo, TaskState, TaskStatus, TimeInfo, Unavailability, URL } from '../mesos/types.js';
import type { EventStream } from './eventStream.js';
import type { LongTimeout } from './longTimeout.js';
import type { MaintenanceRegistry } from './maintenanceRegistry.js';
import type { Resources } from './resources.js';
import { frameworkRoles, hasCapability } from './callValidation.js';

/** What an agent announces about itself (SlaveInfo); survives master restarts in the registry. */
export interface AgentInfo {
  id: string;
  /** 0-based position among the simulator's agents: its directory is WORK_DIR/agent-<index>. */
  index: number;
  hostname: string;
  /** The agent's libprocess id, "slave(<index+1>)". */
  processId: string;
  resources: Resources;
  attributes: Attribute[];
}

/** The registry: what a Mesos master keeps across failovers. */
export interface MasterRegistry {
  admitted: Map<string, AgentInfo>;
  unreachable: Map<string, TimeInfo>;
  /** Agents an operator marked gone, with when; they may never return. */
  gone: Map<string, TimeInfo>;
  /** DRAIN_AGENT: the drain of each draining or drained agent. */
  draining: Map<string, DrainInfo>;
  /** Agents an operator deactivated (DRAIN_AGENT deactivates too): no offers until REACTIVATE_AGENT. */
  deactivated: Set<string>;
  maintenance: MaintenanceRegistry;
}

export interface MasterTask {
  taskId: string;
  frameworkId: string;
  agentId: string;
  info: TaskInfo;
  resources: Resources;
  allocationRole: string;
  /** The task's latest state as its agent knows it. */
  state: TaskState;
  /** State and uuid of the latest update forwarded to the framework (set only by updates with a uuid). */
  statusUpdateState?: TaskState;
  statusUpdateUuid?: string;
  /** The most recent status for each state, later states last (data stripped). */
  statuses: TaskStatus[];
}

export class FrameworkRecord {
  stream: EventStream | undefined;
  active = false;
  /** Known only from agents' reports after a master failover; the scheduler has not resubscribed yet. */
  recovered = false;
  readonly tasks = new Map<string, MasterTask>();
  readonly unreachableTasks = new Map<string, MasterTask>();
  readonly completedTasks: MasterTask[] = [];
  readonly offers = new Set<string>();
  readonly inverseOffers = new Set<string>();
  /** Custom executors by agent id, then executor id (command executors are the agents' own business). */
  readonly executors = new Map<string, Map<string, ExecutorInfo>>();
  registeredTime: number;
  reregisteredTime: number;
  unregisteredTime = 0;
  failoverTimer: LongTimeout | undefined;
  /** Resources of the framework's non-terminal tasks. */
  used: Resources;

  constructor(
    public info: FrameworkInfo & { id: { value: string } },
    empty: Resources,
    now: number,
  ) {
    this.used = empty;
    this.registeredTime = now;
    this.reregisteredTime = now;
  }

  get id(): string {
    return this.info.id.value;
  }

  get connected(): boolean {
    return this.stream !== undefined && !this.stream.closed;
  }

  get partitionAware(): boolean {
    return hasCapability(this.info, 'PARTITION_AWARE');
  }

  get roles(): string[] {
    return frameworkRoles(this.info);
  }

  addCompletedTask(task: MasterTask): void {
    this.completedTasks.push(task);
    if (this.completedTasks.length > MAX_COMPLETED_TASKS) this.completedTasks.shift();
  }
}

export class AgentRecord {
  connected = true;
  active = true;
  /** Tasks by framework id, then task id. */
  readonly tasks = new Map<string, Map<string, MasterTask>>();
  readonly offers = new Set<string>();
  readonly inverseOffers = new Set<string>();
  /** Custom executors by framework id, then executor id; their resources count in `used`. */
  readonly executors = new Map<string, Map<string, ExecutorInfo>>();
  /** When the master last told the agent to drain (seconds). */
  estimatedDrainStartTime: number | undefined;
  /** "frameworkId\ntaskId" of tasks the master asked the agent to kill. */
  readonly killedTasks = new Set<string>();
  used: Resources;
  offered: Resources;
  registeredTime: number;
  reregisteredTime: number | undefined;
  /** Consecutive pings the agent has not answered. */
  missedPings = 0;

  constructor(
    readonly info: AgentInfo,
    empty: Resources,
    now: number,
  ) {
    this.used = empty;
    this.offered = empty;
    this.registeredTime = now;
  }

  get id(): string {
    return this.info.id;
  }

  getTask(frameworkId: string, taskId: string): MasterTask | undefined {
    return this.tasks.get(frameworkId)?.get(taskId);
  }

  addTask(task: MasterTask): void {
    let byFramework = this.tasks.get(task.frameworkId);
    if (byFramework === undefined) {
      byFramework = new Map();
      this.tasks.set(task.frameworkId, byFramework);
    }
    byFramework.set(task.taskId, task);
  }

  removeTask(task: MasterTask): void {
    const byFramework = this.tasks.get(task.frameworkId);
    byFramework?.delete(task.taskId);
    if (byFramework?.size === 0) this.tasks.delete(task.frameworkId);
  }

  hasExecutor(frameworkId: string, executorId: string): boolean {
    return this.executors.get(frameworkId)?.has(executorId) ?? false;
  }
}

export interface OfferRecord {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  resources: Resources;
  timer: NodeJS.Timeout | undefined;
  /** The Offer as the framework was sent it. */
  message?: Offer;
}

/** An inverse offer: the master asks a framework to give an agent back before its unavailability. */
export interface InverseOfferRecord {
  id: string;
  frameworkId: string;
  agentId: string;
  url: URL;
  unavailability: Unavailability;
  timer: NodeJS.Timeout | undefined;
}

export const MAX_COMPLETED_TASKS = 1000;
export const MAX_COMPLETED_FRAMEWORKS = 50;

export function taskKey(frameworkId: string, taskId: string): string {
  return `${frameworkId}\n${taskId}`;
}
