// The simulated Mesos master, modelled on master.cpp: frameworks, offers and
// inverse offers, tasks and executors, agents coming, going, draining and gone,
// maintenance. It reaches agents only through messages and never writes HTTP.

import type { Logger } from '../common/log.js';
import type { AcceptCall, DeclineCall, KillCall, ReconcileCall, ReviveCall, SubscribeCall, SuppressCall, WireCall } from '../mesos/calls.js';
import type { SchedulerEvent } from '../mesos/events.js';
import type { DrainInfo, InverseOfferStatus, MaintenanceClusterStatus, MaintenanceSchedule } from '../mesos/operator.js';
import type {
  DrainConfig,
  ExecutorInfo,
  Filters,
  FrameworkInfo,
  InverseOffer,
  MachineID,
  MasterInfo,
  Offer,
  OfferOperation,
  TaskInfo,
  TaskState,
  TaskStatus,
  TaskStatusReason,
  TimeInfo,
  Unavailability,
  URL,
} from '../mesos/types.js';
import { isTerminalTaskState } from '../mesos/types.js';
import type { AgentReport, AgentToMasterMessage, MasterToAgentMessage } from './agentProtocol.js';
import { Allocator } from './allocator.js';
import { InverseOfferAllocator, type InverseOfferCandidate } from './inverseOfferAllocator.js';
import { agentMachine, machineJson, machineKey, machineText } from './machineIds.js';
import { validateMachines, validateSchedule } from './maintenanceValidation.js';
import { frameworkRoles, validateFrameworkInfo, validateFrameworkUpdate, validateRole } from './callValidation.js';
import type { EventStream } from './eventStream.js';
import { assertNever } from './exhaustive.js';
import type { MasterIds } from './ids.js';
import { setLongTimeout } from './longTimeout.js';
import { buildMasterInfo } from './masterInfo.js';
import {
  AgentRecord,
  FrameworkRecord,
  MAX_COMPLETED_FRAMEWORKS,
  taskKey,
  type AgentInfo,
  type InverseOfferRecord,
  type MasterRegistry,
  type MasterTask,
  type OfferRecord,
} from './masterModel.js';
import { explicitReconciliation, implicitReconciliation, latestContainerStatus, type AgentStanding } from './reconciliation.js';
import { Resources, validateResourceList } from './resources.js';
import { buildTaskStatus, nowTimeInfo, reorderTaskStatus } from './taskStatus.js';
import { validateTask, withInferredHealthCheckType } from './taskValidation.js';

export interface MasterOptions {
  ids: MasterIds;
  host: string;
  port: number;
  registry: MasterRegistry;
  /** True when the master starts after a failover: registered agents become "recovered" until they return. */
  recovering: boolean;
  allocationIntervalMs: number;
  offerTimeoutMs: number | undefined;
  heartbeatIntervalSeconds: number;
  agentPingTimeoutMs: number;
  maxAgentPingTimeouts: number;
  agentReregisterTimeoutMs: number;
  logger: Logger;
  /** Delivers a message to an agent over its link (which may hold or drop it). */
  sendToAgent(agentId: string, message: MasterToAgentMessage): void;
  /** Whether the agent would answer a ping now. */
  agentAnswersPings(agentId: string): boolean;
  /** Asks agents to resend unacknowledged updates of a framework that has just (re)subscribed. */
  resendPendingUpdates(frameworkId: string): void;
}

/** How the HTTP layer should answer a call the master processed. */
export type CallAnswer = { status: 200 | 202 } | { status: 400 | 403 | 501; body: string };

/** How the HTTP layer should answer an operator request (operator API, maintenance endpoints). */
export type OperatorAnswer = { status: 200 } | { status: 400 | 404 | 409 | 503; body: string };

const OK: OperatorAnswer = { status: 200 };

export class Master {
  readonly info: MasterInfo;
  readonly startTime = Date.now() / 1000;
  electedTime: number | undefined;
  /** Whether this master leads (always, without ZooKeeper). */
  elected = true;
  /** The leading master as last detected; this master's own info when it leads. */
  leader: MasterInfo | undefined;

  private readonly log: Logger;
  private readonly frameworks = new Map<string, FrameworkRecord>();
  private readonly completedFrameworks = new Map<string, FrameworkRecord>();
  private readonly agents = new Map<string, AgentRecord>();
  /** Agents known from the registry that have not re-registered since this master started. */
  private readonly recoveredAgents = new Map<string, AgentInfo>();
  /** Task ids made unreachable per agent, to forget once the agent returns. */
  private readonly unreachableTasksByAgent = new Map<string, Map<string, string[]>>();
  private readonly offers = new Map<string, OfferRecord>();
  private readonly inverseOffers = new Map<string, InverseOfferRecord>();
  private readonly allocator: Allocator;
  private readonly inverseOfferAllocator = new InverseOfferAllocator();
  /** Machines that have had a registered agent since this master started (upstream's `machines` keys). */
  private readonly knownMachines = new Set<string>();
  /** Streams held by pauseStreams() until resumeStreams(). */
  private readonly pausedStreams = new Set<EventStream>();
  private allocationTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private recoveryTimer: NodeJS.Timeout | undefined;
  private allocationScheduled = false;
  private stopped = false;

  constructor(private readonly options: MasterOptions) {
    this.log = options.logger.child({ component: 'master', masterId: options.ids.masterId });
    this.info = buildMasterInfo(options.ids.masterId, options.host, options.port);
    this.leader = this.info;
    this.electedTime = this.startTime;
    this.allocator = new Allocator(options.allocationIntervalMs);
    if (options.recovering) {
      for (const [id, info] of options.registry.admitted) {
        if (!options.registry.unreachable.has(id)) this.recoveredAgents.set(id, info);
      }
    }
  }

  get id(): string {
    return this.options.ids.masterId;
  }

  get ids(): MasterIds {
    return this.options.ids;
  }

  start(): void {
    this.allocationTimer = setInterval(() => this.safely('allocation', () => this.allocate()), this.options.allocationIntervalMs);
    this.allocationTimer.unref();
    this.pingTimer = setInterval(() => this.safely('agent pings', () => this.pingAgents()), this.options.agentPingTimeoutMs);
    this.pingTimer.unref();
    if (this.recoveredAgents.size > 0) {
      this.recoveryTimer = setTimeout(() => this.safely('agent re-registration timeout', () => this.recoveredAgentsTimeout()), this.options.agentReregisterTimeoutMs);
      this.recoveryTimer.unref();
    }
  }

  /** Stops every timer and closes every stream: what a master process's death looks like from outside. */
  shutdown(): void {
    this.stopped = true;
    clearInterval(this.allocationTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.recoveryTimer);
    for (const offer of this.offers.values()) clearTimeout(offer.timer);
    for (const inverseOffer of this.inverseOffers.values()) clearTimeout(inverseOffer.timer);
    for (const framework of this.frameworks.values()) {
      framework.failoverTimer?.cancel();
      const stream = framework.stream;
      framework.stream = undefined;
      stream?.close();
    }
    for (const stream of this.pausedStreams) stream.abort();
    this.pausedStreams.clear();
  }

  // ---------------------------------------------------------------- frameworks

  framework(frameworkId: string): FrameworkRecord | undefined {
    return this.frameworks.get(frameworkId);
  }

  /** SUBSCRIBE (Master::subscribe / _subscribe): the stream is open and answered 200 already. */
  subscribe(stream: EventStream, subscribe: SubscribeCall['subscribe'], principal: string | undefined): void {
    const info: FrameworkInfo = { ...subscribe.framework_info };
    if (principal !== undefined && info.principal === undefined) info.principal = principal;
    const log = this.log.child({ frameworkName: info.name, frameworkId: info.id?.value });

    const refuse = (message: string): void => {
      log.info({ reason: message }, 'refusing subscription');
      stream.send({ type: 'ERROR', error: { message } });
      stream.close();
    };

    let error = validateFrameworkInfo(info);
    if (error === undefined && info.id !== undefined && info.id.value !== '' && this.completedFrameworks.has(info.id.value)) {
      error = 'Framework has been removed';
    }
    if (error !== undefined) return refuse(error);
    const roles = frameworkRoles(info);
    const suppressed = subscribe.suppressed_roles ?? [];
    const invalidSuppressed = suppressed.filter((r) => !roles.includes(r));
    if (invalidSuppressed.length > 0) {
      return refuse(`Suppressed roles { ${[...new Set(invalidSuppressed)].join(', ')} } are not contained in the set of roles`);
    }

    if (info.id === undefined || info.id.value === '') {
      const id = this.options.ids.nextFrameworkId();
      const framework = new FrameworkRecord({ ...info, id: { value: id } }, Resources.EMPTY, now());
      this.frameworks.set(id, framework);
      this.allocator.addFramework(id, suppressed);
      log.info({ frameworkId: id, checkpoint: info.checkpoint ?? false }, 'framework subscribed');
      this.connect(framework, stream);
      this.scheduleAllocation();
      return;
    }

    const id = info.id.value;
    let framework = this.frameworks.get(id);
    if (framework === undefined) framework = this.recoverFramework({ ...info, id: { value: id } });
    // Mesos keeps user and checkpoint from the first subscription (MESOS-703).
    info.user = framework.info.user;
    info.checkpoint = framework.info.checkpoint;
    error = validateFrameworkUpdate(framework.info, info);
    if (error !== undefined) return refuse(error);

    framework.info = { ...info, id: { value: id } };
    this.allocator.addFramework(id, suppressed);
    if (!framework.recovered) {
      framework.reregisteredTime = now();
      const old = framework.stream;
      if (old !== undefined && !old.closed) {
        framework.stream = undefined;
        old.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
        old.close();
      }
      for (const offerId of [...framework.offers]) this.removeOffer(offerId, { rescind: false });
      log.info('framework failed over');
    } else {
      framework.recovered = false;
      log.info('recovered framework resubscribed');
    }
    this.connect(framework, stream);
    this.options.resendPendingUpdates(id);
    this.scheduleAllocation();
  }

  /** Runs a non-SUBSCRIBE call of a connected framework whose stream id matched. */
  handleCall(framework: FrameworkRecord, call: WireCall): CallAnswer {
    const type = call.type as string;
    switch (call.type) {
      case 'SUBSCRIBE':
        return { status: 400, body: "Unexpected 'SUBSCRIBE' call" };
      case 'TEARDOWN':
        this.log.info({ frameworkId: framework.id }, 'processing TEARDOWN');
        this.removeFramework(framework);
        return { status: 202 };
      case 'ACCEPT':
        this.accept(framework, call.accept);
        return { status: 202 };
      case 'DECLINE':
        this.decline(framework, call.decline);
        return { status: 202 };
      case 'ACCEPT_INVERSE_OFFERS':
        this.answerInverseOffers(framework, 'ACCEPT', call.accept_inverse_offers.inverse_offer_ids ?? [], call.accept_inverse_offers.filters);
        return { status: 202 };
      case 'DECLINE_INVERSE_OFFERS':
        this.answerInverseOffers(framework, 'DECLINE', call.decline_inverse_offers.inverse_offer_ids ?? [], call.decline_inverse_offers.filters);
        return { status: 202 };
      case 'REVIVE':
        this.revive(framework, call.revive);
        return { status: 202 };
      case 'SUPPRESS':
        this.suppress(framework, call.suppress);
        return { status: 202 };
      case 'KILL':
        this.kill(framework, call.kill);
        return { status: 202 };
      case 'SHUTDOWN': {
        const agent = this.agents.get(call.shutdown.agent_id.value);
        if (agent?.connected === true) {
          this.options.sendToAgent(agent.id, { kind: 'shutdownExecutor', frameworkId: framework.id, executorId: call.shutdown.executor_id.value });
        }
        return { status: 202 };
      }
      case 'ACKNOWLEDGE':
        this.acknowledge(framework, call.acknowledge);
        return { status: 202 };
      case 'RECONCILE':
        this.reconcile(framework, call.reconcile);
        return { status: 202 };
      case 'MESSAGE':
        this.frameworkMessage(framework, call.message);
        return { status: 202 };
      case 'REQUEST':
        return { status: 202 };
      case 'UPDATE_FRAMEWORK':
        return this.updateFramework(framework, call.update_framework);
      default:
        // only UNKNOWN gets here (validation refuses the operation feedback calls first); Mesos answers it so too
        this.log.warn({ frameworkId: framework.id, callType: type }, "received an 'UNKNOWN' call");
        return { status: 501, body: '501 Not Implemented.' };
    }
  }

  private connect(framework: FrameworkRecord, stream: EventStream): void {
    framework.failoverTimer?.cancel();
    framework.failoverTimer = undefined;
    framework.stream = stream;
    framework.active = true;
    stream.onClose(() => this.streamClosed(framework.id, stream));
    stream.send({
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: framework.id },
        heartbeat_interval_seconds: this.options.heartbeatIntervalSeconds,
        master_info: this.info,
      },
    });
    stream.startHeartbeats(this.options.heartbeatIntervalSeconds, { type: 'HEARTBEAT' });
  }

  /** Master::exited for an HTTP framework: the scheduler's connection closed. */
  private streamClosed(frameworkId: string, stream: EventStream): void {
    if (this.stopped) return;
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined || framework.stream !== stream) return;
    framework.stream = undefined;
    this.deactivate(framework, true);
    const timeoutSeconds = framework.info.failover_timeout ?? 0;
    const reregisteredTime = framework.reregisteredTime;
    this.log.info({ frameworkId, failoverTimeoutSeconds: timeoutSeconds }, 'framework disconnected; waiting for it to fail over');
    framework.failoverTimer = setLongTimeout(() => {
      const current = this.frameworks.get(frameworkId);
      if (this.stopped || current === undefined || current.connected || current.reregisteredTime !== reregisteredTime) return;
      this.log.info({ frameworkId }, 'framework failover timeout; removing the framework');
      this.safely('framework failover timeout', () => this.removeFramework(current));
    }, timeoutSeconds * 1000);
  }

  private deactivate(framework: FrameworkRecord, rescind: boolean): void {
    framework.active = false;
    this.inverseOfferAllocator.clearFilters(framework.id);
    for (const offerId of [...framework.offers]) this.removeOffer(offerId, { rescind });
    for (const id of [...framework.inverseOffers]) this.withdrawInverseOffer(id, rescind);
  }

  /** Master::recoverFramework: a framework known only from agents' reports or a resubscription after failover. */
  private recoverFramework(info: FrameworkInfo & { id: { value: string } }): FrameworkRecord {
    const framework = new FrameworkRecord(info, Resources.EMPTY, now());
    framework.recovered = true;
    this.frameworks.set(framework.id, framework);
    this.allocator.addFramework(framework.id);
    for (const agent of this.agents.values()) {
      for (const task of agent.tasks.get(framework.id)?.values() ?? []) this.attachTaskToFramework(task, framework);
      for (const executor of agent.executors.get(framework.id)?.values() ?? []) this.attachExecutorToFramework(agent.id, executor, framework);
    }
    this.log.info({ frameworkId: framework.id }, 'recovered framework');
    return framework;
  }

  private updateFramework(framework: FrameworkRecord, update: { framework_info: FrameworkInfo; suppressed_roles?: string[] }): CallAnswer {
    const info = update.framework_info;
    const invalid = validateFrameworkInfo(info);
    if (invalid !== undefined) return { status: 400, body: `Supplied FrameworkInfo is not valid: ${invalid}` };
    const badUpdate = validateFrameworkUpdate(framework.info, info);
    if (badUpdate !== undefined) return { status: 400, body: `FrameworkInfo update is not valid: ${badUpdate}` };
    const roles = frameworkRoles(info);
    const suppressed = update.suppressed_roles ?? [];
    const invalidSuppressed = suppressed.filter((r) => !roles.includes(r));
    if (invalidSuppressed.length > 0) {
      return {
        status: 400,
        body: `'UpdateFramework' call is not valid: Suppressed roles { ${[...new Set(invalidSuppressed)].join(', ')} } are not contained in the set of roles`,
      };
    }
    framework.info = { ...info, id: { value: framework.id } };
    this.allocator.addFramework(framework.id, suppressed);
    for (const offerId of [...framework.offers]) {
      const offer = this.offers.get(offerId);
      if (offer !== undefined && !roles.includes(offer.role)) this.removeOffer(offerId, { rescind: true });
    }
    this.scheduleAllocation();
    return { status: 200 };
  }

  /** Master::removeFramework: TEARDOWN, or the failover timeout expired. */
  private removeFramework(framework: FrameworkRecord): void {
    const log = this.log.child({ frameworkId: framework.id });
    log.info('removing framework');
    if (framework.active) this.deactivate(framework, false);
    for (const id of [...framework.inverseOffers]) this.withdrawInverseOffer(id, false);
    this.inverseOfferAllocator.clearFilters(framework.id);
    for (const agent of this.agents.values()) {
      this.options.sendToAgent(agent.id, { kind: 'shutdownFramework', frameworkId: framework.id });
    }
    for (const [agentId, executors] of [...framework.executors]) {
      const agent = this.agents.get(agentId);
      for (const executorId of [...executors.keys()]) if (agent !== undefined) this.removeExecutor(agent, framework.id, executorId);
    }
    const message = `Framework ${framework.id} removed`;
    for (const task of [...framework.tasks.values()]) {
      this.updateTask(task, this.masterStatus(task, 'TASK_KILLED', message, 'REASON_FRAMEWORK_REMOVED'));
      this.removeTask(task);
    }
    for (const task of [...framework.unreachableTasks.values()]) {
      this.updateTask(task, this.masterStatus(task, 'TASK_KILLED', message, 'REASON_FRAMEWORK_REMOVED'));
      framework.unreachableTasks.delete(task.taskId);
      framework.addCompletedTask(task);
    }
    framework.failoverTimer?.cancel();
    const stream = framework.stream;
    framework.stream = undefined;
    stream?.close();
    framework.unregisteredTime = now();
    this.frameworks.delete(framework.id);
    this.allocator.removeFramework(framework.id);
    this.completedFrameworks.set(framework.id, framework);
    if (this.completedFrameworks.size > MAX_COMPLETED_FRAMEWORKS) {
      this.completedFrameworks.delete(this.completedFrameworks.keys().next().value!);
    }
  }

  private send(framework: FrameworkRecord, event: SchedulerEvent): void {
    if (framework.connected) framework.stream!.send(event);
  }

  // ---------------------------------------------------------------- offers

  private decline(framework: FrameworkRecord, decline: DeclineCall['decline']): void {
    const refuseSeconds = decline.filters?.refuse_seconds;
    let declined = 0;
    for (const offerId of decline.offer_ids ?? []) {
      if (this.offers.has(offerId.value)) {
        this.removeOffer(offerId.value, { rescind: false, refuseSeconds: refuseSeconds ?? 5, refused: true });
        declined++;
      } else {
        this.log.warn({ frameworkId: framework.id, offerId: offerId.value }, 'ignoring decline of an offer that is no longer valid');
      }
    }
    this.log.debug({ frameworkId: framework.id, declined, refuseSeconds }, 'processed DECLINE');
  }

  private revive(framework: FrameworkRecord, revive: ReviveCall['revive']): void {
    const roles = this.callRoles(framework, revive?.roles, 'revive');
    if (roles === undefined) return;
    this.allocator.revive(framework.id, roles);
    this.inverseOfferAllocator.clearFilters(framework.id);
    this.scheduleAllocation();
  }

  private suppress(framework: FrameworkRecord, suppress: SuppressCall['suppress']): void {
    const roles = this.callRoles(framework, suppress?.roles, 'suppression');
    if (roles === undefined) return;
    this.allocator.suppress(framework.id, roles);
  }

  /** The roles a REVIVE or SUPPRESS applies to; undefined (and the call dropped) if one is invalid. */
  private callRoles(framework: FrameworkRecord, named: string[] | undefined, what: string): string[] | undefined {
    if (named === undefined || named.length === 0) return framework.roles;
    for (const role of named) {
      const error = validateRole(role);
      const reason = error !== undefined ? `${what} role '${role}' is invalid: ${error}` : !framework.roles.includes(role) ? `${what} role '${role}' is not one of the frameworks's subscribed roles` : undefined;
      if (reason !== undefined) {
        this.log.warn({ frameworkId: framework.id, reason }, 'dropping call');
        return undefined;
      }
    }
    return named;
  }

  /** Master::accept and _accept, LAUNCH being the operation the simulator runs. */
  private accept(framework: FrameworkRecord, accept: AcceptCall['accept']): void {
    const offerIds = (accept.offer_ids ?? []).map((o) => o.value);
    const operations = accept.operations ?? [];
    const log = this.log;
    const frameworkId = framework.id;
    const error = offerIds.length === 0 ? 'No offers specified' : this.validateOffers(offerIds, framework);
    if (error !== undefined) {
      for (const offerId of offerIds) if (this.offers.has(offerId)) this.removeOffer(offerId, { rescind: false });
      log.warn({ frameworkId, offerIds, reason: error }, 'ACCEPT used invalid offers');
      const state: TaskState = framework.partitionAware ? 'TASK_DROPPED' : 'TASK_LOST';
      for (const operation of operations) {
        const tasks = launchedTasks(operation);
        if (tasks === undefined) {
          this.dropOperation(framework, operation, `Operation attempted with invalid offers: ${error}`);
          continue;
        }
        for (const task of tasks) {
          this.send(framework, updateEvent(this.plainStatus(task, state, `Task launched with invalid offers: ${error}`, 'REASON_INVALID_OFFERS')));
        }
      }
      return;
    }

    const first = this.offers.get(offerIds[0]!)!;
    const agent = this.agents.get(first.agentId)!;
    const role = first.role;
    let offered = Resources.EMPTY;
    for (const offerId of offerIds) {
      const offer = this.offers.get(offerId);
      if (offer === undefined) continue;
      offered = offered.plus(offer.resources);
      this.removeOffer(offerId, { rescind: false, recover: false });
    }
    let remaining = offered;
    const taskError = (tasks: readonly TaskInfo[], reason: TaskStatusReason, message: string): void => {
      for (const task of tasks) this.send(framework, updateEvent(this.plainStatus(task, 'TASK_ERROR', message, reason)));
    };

    for (const operation of operations) {
      const type = operation.type ?? 'UNKNOWN';
      switch (type) {
        case 'LAUNCH': {
          const tasks = operation.launch?.task_infos ?? [];
          const resourceError = tasks.map((t) => validateResourceList(t.resources)).find((e) => e !== undefined);
          if (resourceError !== undefined) {
            taskError(tasks, 'REASON_TASK_INVALID', resourceError);
            break;
          }
          if (operation.id !== undefined) {
            taskError(tasks, 'REASON_TASK_INVALID', 'The `id` field cannot be set on LAUNCH operations');
            break;
          }
          for (const raw of tasks) {
            const task = withExecutorFrameworkId(withInferredHealthCheckType(raw), framework.id);
            const invalid = validateTask(task, {
              hasTask: (id) => framework.tasks.has(id),
              hasUnreachableTask: (id) => framework.unreachableTasks.has(id),
              agentId: agent.id,
              frameworkId,
              existingExecutor: (id) => agent.executors.get(frameworkId)?.get(id),
              available: remaining,
              allocationRole: role,
            });
            if (invalid !== undefined) {
              taskError([task], 'REASON_TASK_INVALID', invalid);
              continue;
            }
            const launched = injectAllocationRole(task, role);
            const resources = Resources.fromProtos(task.resources);
            remaining = remaining.minus(resources);
            if (launched.executor !== undefined && !agent.hasExecutor(frameworkId, launched.executor.executor_id.value)) {
              remaining = remaining.minus(Resources.fromProtos(launched.executor.resources));
              this.addExecutor(agent, framework, { ...launched.executor, framework_id: { value: frameworkId } });
            }
            this.addTask(task, framework, agent, role, resources);
            if (log.isLevelEnabled('info')) {
              log.info({ frameworkId, taskId: task.task_id.value, agentId: agent.id, resources: resources.toText(role) }, 'launching task');
            }
            this.options.sendToAgent(agent.id, { kind: 'runTask', framework: framework.info, task: launched });
          }
          break;
        }
        case 'LAUNCH_GROUP':
          taskError(
            operation.launch_group?.task_group.tasks ?? [],
            'REASON_TASK_GROUP_INVALID',
            'LAUNCH_GROUP is not supported by the Ferry simulator (it runs no default executor): launch each task with a LAUNCH operation',
          );
          break;
        case 'RESERVE':
        case 'UNRESERVE':
        case 'CREATE':
        case 'DESTROY':
        case 'GROW_VOLUME':
        case 'SHRINK_VOLUME':
        case 'CREATE_DISK':
        case 'DESTROY_DISK':
          this.dropOperation(framework, operation, `${type} operations are not supported by the Ferry simulator, which offers unreserved resources only`);
          break;
        case 'UNKNOWN':
          log.warn({ frameworkId }, 'ignoring unknown operation');
          break;
        default:
          assertNever(type, 'offer operation type');
      }
    }
    this.allocator.refuse(framework.id, agent.id, remaining, accept.filters?.refuse_seconds ?? 5, Date.now());
  }

  private validateOffers(offerIds: readonly string[], framework: FrameworkRecord): string | undefined {
    const seen = new Set<string>();
    for (const id of offerIds) {
      if (seen.has(id)) return `Duplicate offer ${id} in offer list`;
      seen.add(id);
    }
    for (const id of offerIds) if (!this.offers.has(id)) return `Offer ${id} is no longer valid`;
    for (const id of offerIds) {
      const offer = this.offers.get(id)!;
      if (offer.frameworkId !== framework.id) {
        return `Offer ${id} has invalid framework ${offer.frameworkId} while framework ${framework.id} is expected`;
      }
    }
    const role = this.offers.get(offerIds[0]!)!.role;
    for (const id of offerIds) {
      const offer = this.offers.get(id)!;
      if (offer.role !== role) {
        return `Aggregated offers must be allocated to the same role. Offer ${id} uses role '${offer.role} but another is using role '${role}`;
      }
    }
    const agentId = this.offers.get(offerIds[0]!)!.agentId;
    for (const id of offerIds) {
      const offer = this.offers.get(id)!;
      if (offer.agentId !== agentId) {
        return `Aggregated offers must belong to one single agent. Offer ${id} uses agent ${offer.agentId} and agent ${agentId}`;
      }
    }
    return undefined;
  }

  /** Master::drop for offer operations: OPERATION_ERROR when the framework asked for feedback. */
  private dropOperation(framework: FrameworkRecord, operation: OfferOperation, message: string): void {
    this.log.warn({ frameworkId: framework.id, operationType: operation.type, reason: message }, 'dropping operation');
    if (operation.id === undefined) return;
    this.send(framework, {
      type: 'UPDATE_OPERATION_STATUS',
      update_operation_status: { status: { operation_id: operation.id, state: 'OPERATION_ERROR', message } },
    });
  }

  /** Removes an offer; its resources return to the allocator (with a refusal filter when declined). */
  private removeOffer(offerId: string, how: { rescind: boolean; recover?: boolean; refused?: boolean; refuseSeconds?: number }): void {
    const offer = this.offers.get(offerId);
    if (offer === undefined) return;
    this.offers.delete(offerId);
    clearTimeout(offer.timer);
    const framework = this.frameworks.get(offer.frameworkId);
    framework?.offers.delete(offerId);
    const agent = this.agents.get(offer.agentId);
    if (agent !== undefined) {
      agent.offers.delete(offerId);
      agent.offered = agent.offered.minus(offer.resources);
    }
    if (framework !== undefined && how.rescind) this.send(framework, { type: 'RESCIND', rescind: { offer_id: { value: offerId } } });
    if (framework !== undefined && how.refused === true) {
      this.allocator.refuse(framework.id, offer.agentId, offer.resources, how.refuseSeconds, Date.now());
    }
  }

  /** Runs an allocation soon, batching triggers that arrive together. */
  scheduleAllocation(): void {
    if (this.allocationScheduled || this.stopped) return;
    this.allocationScheduled = true;
    setImmediate(() => {
      this.allocationScheduled = false;
      this.safely('allocation', () => this.allocate());
    });
  }

  /** Runs timer-driven work so that an internal fault is logged rather than fatal to the process. */
  private safely(what: string, work: () => void): void {
    try {
      work();
    } catch (err) {
      this.log.error({ err, work: what }, 'internal error in the simulated master');
    }
  }

  private allocate(): void {
    if (this.stopped || !this.elected) return;
    const frameworks = [...this.frameworks.values()].filter((f) => f.active && f.connected);
    if (frameworks.length === 0) return;
    const agents = [...this.agents.values()]
      .filter((a) => a.active && a.connected)
      .map((a) => ({ id: a.id, available: a.info.resources.minus(a.used).minus(a.offered) }));
    const allocations = this.allocator.allocate(
      agents,
      frameworks.map((f) => ({ id: f.id, roles: f.roles, allocated: f.used.plus(this.offeredTo(f)) })),
      Date.now(),
    );
    const batches = new Map<string, Offer[]>();
    for (const allocation of allocations) {
      const framework = this.frameworks.get(allocation.frameworkId)!;
      const agent = this.agents.get(allocation.agentId)!;
      const id = this.options.ids.nextOfferId();
      const resources = allocation.resources.inOfferOrder();
      const record: OfferRecord = { id, frameworkId: framework.id, agentId: agent.id, role: allocation.role, resources, timer: undefined };
      if (this.options.offerTimeoutMs !== undefined) {
        record.timer = setTimeout(() => {
          if (this.offers.has(id)) this.removeOffer(id, { rescind: true });
        }, this.options.offerTimeoutMs);
        record.timer.unref();
      }
      this.offers.set(id, record);
      framework.offers.add(id);
      agent.offers.add(id);
      agent.offered = agent.offered.plus(resources);
      let batch = batches.get(framework.id);
      if (batch === undefined) batches.set(framework.id, (batch = []));
      record.message = this.offerMessage(record, agent);
      batch.push(record.message);
    }
    for (const [frameworkId, offers] of batches) {
      this.send(this.frameworks.get(frameworkId)!, { type: 'OFFERS', offers: { offers } });
    }
    this.allocateInverseOffers();
  }

  private offeredTo(framework: FrameworkRecord): Resources {
    let sum = Resources.EMPTY;
    for (const id of framework.offers) {
      const offer = this.offers.get(id);
      if (offer !== undefined) sum = sum.plus(offer.resources);
    }
    return sum;
  }

  private offerMessage(offer: OfferRecord, agent: AgentRecord): Offer {
    const message: Offer = {
      id: { value: offer.id },
      framework_id: { value: offer.frameworkId },
      agent_id: { value: agent.id },
      hostname: agent.info.hostname,
      url: this.agentUrl(agent),
      resources: offer.resources.toProtos(offer.role),
      attributes: agent.info.attributes,
    };
    const executorIds = [...(agent.executors.get(offer.frameworkId)?.keys() ?? [])];
    if (executorIds.length > 0) message.executor_ids = executorIds.map((value) => ({ value }));
    const unavailability = this.options.registry.maintenance.unavailability(this.machineKeyOf(agent));
    if (unavailability !== undefined) message.unavailability = unavailability;
    message.allocation_info = { role: offer.role };
    return message;
  }

  /** The agent's libprocess address as an offer names it: http://<ip>:<port>/slave(N). */
  private agentUrl(agent: AgentRecord): URL {
    return {
      scheme: 'http',
      address: { hostname: agent.info.hostname, ip: this.options.host, port: this.options.port },
      path: `/${agent.info.processId}`,
    };
  }

  // ---------------------------------------------------------------- tasks

  private addTask(task: TaskInfo, framework: FrameworkRecord, agent: AgentRecord, role: string, resources: Resources): void {
    const record: MasterTask = {
      taskId: task.task_id.value,
      frameworkId: framework.id,
      agentId: agent.id,
      info: injectAllocationRole(task, role),
      resources,
      allocationRole: role,
      state: 'TASK_STAGING',
      statuses: [],
    };
    agent.addTask(record);
    agent.used = agent.used.plus(resources);
    this.attachTaskToFramework(record, framework);
  }

  private attachTaskToFramework(task: MasterTask, framework: FrameworkRecord): void {
    framework.tasks.set(task.taskId, task);
    if (!isTerminalOrUnreachable(task.state)) framework.used = framework.used.plus(task.resources);
  }

  private kill(framework: FrameworkRecord, kill: KillCall['kill']): void {
    const taskId = kill.task_id.value;
    const agentId = kill.agent_id?.value;
    const task = framework.tasks.get(taskId);
    const ids = { frameworkId: framework.id, taskId };
    if (task === undefined) {
      this.log.warn(ids, 'cannot kill an unknown task; performing reconciliation');
      this.reconcile(framework, { tasks: [{ task_id: { value: taskId }, ...(agentId !== undefined ? { agent_id: { value: agentId } } : {}) }] });
      return;
    }
    if (agentId !== undefined && agentId !== task.agentId) {
      this.log.warn({ ...ids, agentId, taskAgentId: task.agentId }, 'cannot kill a task on another agent than the one named');
      return;
    }
    const agent = this.agents.get(task.agentId);
    if (agent === undefined) return;
    agent.killedTasks.add(taskKey(framework.id, taskId));
    if (agent.connected) {
      this.log.info({ ...ids, agentId: agent.id }, 'telling agent to kill task');
      this.options.sendToAgent(agent.id, {
        kind: 'killTask',
        frameworkId: framework.id,
        taskId,
        ...(kill.kill_policy !== undefined ? { killPolicy: kill.kill_policy } : {}),
      });
    } else {
      this.log.warn({ ...ids, agentId: agent.id }, 'agent disconnected; the kill is retried when it re-registers');
    }
  }

  private acknowledge(framework: FrameworkRecord, ack: { agent_id: { value: string }; task_id: { value: string }; uuid: string }): void {
    const agent = this.agents.get(ack.agent_id.value);
    const ids = { frameworkId: framework.id, taskId: ack.task_id.value, agentId: ack.agent_id.value };
    if (agent === undefined || !agent.connected) {
      this.log.warn(ids, 'cannot pass an acknowledgement to an agent that is not registered or is disconnected');
      return;
    }
    const task = agent.getTask(framework.id, ack.task_id.value);
    if (task !== undefined) {
      if (task.statusUpdateState === undefined) {
        this.log.warn(ids, 'ignoring acknowledgement of an update this master did not send');
        return;
      }
      if (isTerminalTaskState(task.statusUpdateState) && sameUuid(task.statusUpdateUuid, ack.uuid)) this.removeTask(task);
    }
    this.options.sendToAgent(agent.id, { kind: 'acknowledge', frameworkId: framework.id, taskId: ack.task_id.value, uuid: ack.uuid });
    this.checkAndTransitionDrainingAgent(agent);
  }

  private reconcile(framework: FrameworkRecord, reconcile: ReconcileCall['reconcile']): void {
    const view = {
      partitionAware: framework.partitionAware,
      tasks: framework.tasks,
      agentStanding: (agentId: string): AgentStanding => this.agentStanding(agentId),
      anyRecoveredAgents: this.recoveredAgents.size > 0,
    };
    const requests = reconcile.tasks ?? [];
    const statuses =
      requests.length === 0
        ? implicitReconciliation(view)
        : explicitReconciliation(
            view,
            requests.map((t) => ({ taskId: t.task_id.value, ...(t.agent_id !== undefined ? { agentId: t.agent_id.value } : {}) })),
          );
    for (const status of statuses) this.send(framework, updateEvent(status));
  }

  private agentStanding(agentId: string): AgentStanding {
    if (this.recoveredAgents.has(agentId)) return { kind: 'recovered' };
    if (this.agents.has(agentId)) return { kind: 'registered' };
    const since = this.options.registry.unreachable.get(agentId);
    if (since !== undefined) return { kind: 'unreachable', since };
    if (this.options.registry.gone.has(agentId)) return { kind: 'gone' };
    return { kind: 'unknown' };
  }

  /** Master::updateTask: the master's view of a task follows an update. */
  private updateTask(task: MasterTask, status: TaskStatus, latestState?: TaskState): void {
    const newState = latestState ?? status.state;
    const wasDone = isTerminalOrUnreachable(task.state);
    if (!isTerminalTaskState(task.state)) task.state = newState;
    const stored = reorderTaskStatus({ ...status, data: undefined });
    const last = task.statuses[task.statuses.length - 1];
    if (last !== undefined && last.state === status.state) task.statuses[task.statuses.length - 1] = stored;
    else task.statuses.push(stored);
    if (!wasDone && isTerminalOrUnreachable(newState)) this.recoverTaskResources(task);
  }

  private recoverTaskResources(task: MasterTask): void {
    const agent = this.agents.get(task.agentId);
    if (agent !== undefined) agent.used = agent.used.minus(task.resources);
    const framework = this.frameworks.get(task.frameworkId);
    if (framework !== undefined) framework.used = framework.used.minus(task.resources);
  }

  /** Master::removeTask; `unreachable` keeps the task among the framework's unreachable tasks. */
  private removeTask(task: MasterTask, unreachable = false): void {
    if (!isTerminalOrUnreachable(task.state)) this.recoverTaskResources(task);
    const framework = this.frameworks.get(task.frameworkId);
    if (unreachable) {
      let byFramework = this.unreachableTasksByAgent.get(task.agentId);
      if (byFramework === undefined) this.unreachableTasksByAgent.set(task.agentId, (byFramework = new Map()));
      const ids = byFramework.get(task.frameworkId) ?? [];
      ids.push(task.taskId);
      byFramework.set(task.frameworkId, ids);
    }
    if (framework !== undefined && framework.tasks.get(task.taskId) === task) {
      framework.tasks.delete(task.taskId);
      if (unreachable) framework.unreachableTasks.set(task.taskId, task);
      else framework.addCompletedTask(task);
    }
    const agent = this.agents.get(task.agentId);
    agent?.removeTask(task);
    agent?.killedTasks.delete(taskKey(task.frameworkId, task.taskId));
  }

  /** A status the master makes up about one of its tasks (no uuid: it is never acknowledged). */
  private masterStatus(task: MasterTask, state: TaskState, message: string, reason: TaskStatusReason, extra: { unreachableTime?: TimeInfo } = {}): TaskStatus {
    const executorId = task.info.executor?.executor_id.value;
    return buildTaskStatus({
      taskId: task.taskId,
      state,
      message,
      source: 'SOURCE_MASTER',
      reason,
      agentId: task.agentId,
      ...(executorId !== undefined ? { executorId } : {}),
      ...(extra.unreachableTime !== undefined ? { unreachableTime: extra.unreachableTime } : {}),
    });
  }

  /** A master status about a TaskInfo that never became a task (invalid launches). */
  private plainStatus(task: TaskInfo, state: TaskState, message: string, reason: TaskStatusReason): TaskStatus {
    return buildTaskStatus({ taskId: task.task_id.value, state, message, source: 'SOURCE_MASTER', reason, agentId: task.agent_id.value });
  }

  /** Master::forward: sends an agent's update on, remembering what was sent for acknowledgements. */
  private forward(framework: FrameworkRecord, status: TaskStatus): void {
    const task = framework.tasks.get(status.task_id.value);
    if (task !== undefined && status.uuid !== undefined) {
      task.statusUpdateState = status.state;
      task.statusUpdateUuid = status.uuid;
    }
    this.send(framework, updateEvent(status));
  }

  // ---------------------------------------------------------------- agents

  isAgentRegistered(agentId: string): boolean {
    return this.agents.has(agentId);
  }

  /** RegisterSlaveMessage from a new agent. */
  registerAgent(info: AgentInfo): void {
    if (this.refusedAgent(info, 'registration') !== undefined) return;
    const agent = new AgentRecord(info, Resources.EMPTY, now());
    this.agents.set(info.id, agent);
    this.options.registry.admitted.set(info.id, info);
    this.addAgentToMachine(agent);
    this.log.info({ agentId: info.id, resources: info.resources.toText() }, 'registered agent');
    this.scheduleAllocation();
  }

  /** ReregisterSlaveMessage: an agent that the master knows, or knew before a failover or a partition. */
  reregisterAgent(info: AgentInfo, report: AgentReport): void {
    if (this.refusedAgent(info, 're-registration') !== undefined) return;
    const existing = this.agents.get(info.id);
    if (existing !== undefined) this.reregisterKnownAgent(existing, report);
    else this.readmitAgent(info, report);
    const agent = this.agents.get(info.id)!;
    this.syncExecutors(agent, report);
    if (this.options.registry.deactivated.has(info.id)) this.deactivateAgentRecord(agent);
    const drain = this.options.registry.draining.get(info.id);
    if (drain !== undefined) {
      this.options.sendToAgent(info.id, { kind: 'drain', config: drain.config });
      this.checkAndTransitionDrainingAgent(agent);
    }
    this.scheduleAllocation();
  }

  /** Gone agents and agents on DOWN machines are told to shut down instead of being admitted. */
  private refusedAgent(info: AgentInfo, what: string): string | undefined {
    const machine = agentMachine(info.hostname, this.options.host);
    let message: string | undefined;
    if (this.options.registry.gone.has(info.id)) message = 'Agent has been marked gone';
    else if (this.options.registry.maintenance.mode(machineKey(machine)) === 'DOWN') message = 'Machine is `DOWN`';
    if (message === undefined) return undefined;
    this.log.warn({ agentId: info.id, machine: machineText(machine), reason: message }, `refusing ${what} of agent`);
    this.options.sendToAgent(info.id, { kind: 'shutdown', message });
    return message;
  }

  private reregisterKnownAgent(agent: AgentRecord, report: AgentReport): void {
    const log = this.log.child({ agentId: agent.id });
    const reported = new Set(report.tasks.map((t) => taskKey(t.frameworkId, t.info.task_id.value)));
    for (const [frameworkId, tasks] of agent.tasks) {
      const missing = [...tasks.keys()].filter((id) => !reported.has(taskKey(frameworkId, id)));
      const framework = this.frameworks.get(frameworkId);
      if (missing.length === 0 || framework === undefined) continue;
      log.warn({ frameworkId, taskIds: missing }, 'tasks unknown to the re-registering agent: reconciling with the agent');
      this.options.sendToAgent(agent.id, { kind: 'reconcileTasks', framework: framework.info, taskIds: missing });
    }
    for (const t of report.tasks) {
      const key = taskKey(t.frameworkId, t.info.task_id.value);
      if (!isTerminalTaskState(t.state) && agent.killedTasks.has(key)) {
        this.options.sendToAgent(agent.id, { kind: 'killTask', frameworkId: t.frameworkId, taskId: t.info.task_id.value });
      }
    }
    this.shutdownCompletedFrameworks(agent.id, report);
    agent.reregisteredTime = now();
    if (!agent.connected) {
      agent.connected = true;
      agent.active = true;
      log.info('reactivating re-registered agent');
    }
    agent.missedPings = 0;
    for (const info of report.frameworks) if (!this.frameworks.has(info.id.value) && !this.completedFrameworks.has(info.id.value)) this.recoverFramework(info);
  }

  /** Master::__reregisterSlave: an unreachable agent returns, or any agent after a master failover. */
  private readmitAgent(info: AgentInfo, report: AgentReport): void {
    const wasRecovered = this.recoveredAgents.has(info.id);
    const wasUnreachable = this.options.registry.unreachable.has(info.id);
    const log = this.log.child({ agentId: info.id });
    if (!wasRecovered) {
      const message = wasUnreachable ? 'Unreachable agent re-reregistered' : 'Unknown agent reregistered';
      for (const t of report.tasks) {
        if (this.completedFrameworks.has(t.frameworkId)) continue;
        const framework = this.frameworks.get(t.frameworkId);
        framework?.unreachableTasks.delete(t.info.task_id.value);
        const last = t.statuses[t.statuses.length - 1];
        const status = buildTaskStatus({
          taskId: t.info.task_id.value,
          state: t.state,
          message,
          source: 'SOURCE_MASTER',
          reason: 'REASON_AGENT_REREGISTERED',
          agentId: info.id,
          healthy: last?.healthy,
          containerStatus: latestContainerStatus(t),
        });
        if (framework?.connected === true) this.send(framework, updateEvent(status));
        else log.warn({ frameworkId: t.frameworkId, taskId: t.info.task_id.value }, 'dropping update for a disconnected or unknown framework');
      }
    }
    for (const [frameworkId, ids] of this.unreachableTasksByAgent.get(info.id) ?? []) {
      const framework = this.frameworks.get(frameworkId);
      for (const id of ids) framework?.unreachableTasks.delete(id);
    }
    this.unreachableTasksByAgent.delete(info.id);
    this.recoveredAgents.delete(info.id);
    this.options.registry.unreachable.delete(info.id);
    this.options.registry.admitted.set(info.id, info);

    const agent = new AgentRecord(info, Resources.EMPTY, now());
    agent.reregisteredTime = now();
    this.agents.set(info.id, agent);
    this.addAgentToMachine(agent);
    for (const frameworkInfo of report.frameworks) {
      if (!this.frameworks.has(frameworkInfo.id.value) && !this.completedFrameworks.has(frameworkInfo.id.value)) {
        this.recoverFramework(frameworkInfo);
      }
    }
    for (const t of report.tasks) {
      if (this.completedFrameworks.has(t.frameworkId)) continue;
      const role = t.info.resources?.[0]?.allocation_info?.role ?? '*';
      const task: MasterTask = {
        taskId: t.info.task_id.value,
        frameworkId: t.frameworkId,
        agentId: info.id,
        info: t.info,
        resources: Resources.fromProtos(t.info.resources),
        allocationRole: role,
        state: t.state,
        statuses: t.statuses.map((s) => reorderTaskStatus({ ...s, data: undefined })),
        ...(t.statusUpdateState !== undefined ? { statusUpdateState: t.statusUpdateState } : {}),
        ...(t.statusUpdateUuid !== undefined ? { statusUpdateUuid: t.statusUpdateUuid } : {}),
      };
      agent.addTask(task);
      if (!isTerminalOrUnreachable(task.state)) agent.used = agent.used.plus(task.resources);
      const framework = this.frameworks.get(t.frameworkId);
      if (framework !== undefined) this.attachTaskToFramework(task, framework);
    }
    this.shutdownCompletedFrameworks(info.id, report);
    log.info({ tasks: report.tasks.length, wasUnreachable, wasRecovered }, 're-admitted agent');
  }

  private shutdownCompletedFrameworks(agentId: string, report: AgentReport): void {
    for (const info of report.frameworks) {
      if (this.completedFrameworks.has(info.id.value)) {
        this.options.sendToAgent(agentId, { kind: 'shutdownFramework', frameworkId: info.id.value });
      }
    }
  }

  /** Master::exited for an agent: its connection broke (the agent process or its host died). */
  agentExited(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (agent === undefined || !agent.connected) return;
    const log = this.log.child({ agentId });
    log.info('agent disconnected');
    agent.connected = false;
    this.deactivateAgentRecord(agent);
    for (const frameworkId of [...agent.tasks.keys()]) {
      const framework = this.frameworks.get(frameworkId);
      if (framework === undefined || framework.info.checkpoint === true) continue;
      log.info({ frameworkId }, 'removing the tasks of a framework that does not checkpoint from the disconnected agent');
      for (const task of [...(agent.tasks.get(frameworkId)?.values() ?? [])]) {
        const status = this.masterStatus(task, 'TASK_LOST', `Agent ${agent.info.hostname} disconnected`, 'REASON_AGENT_DISCONNECTED');
        this.updateTask(task, status);
        this.removeTask(task);
        this.send(framework, updateEvent(status));
      }
    }
  }

  receiveFromAgent(agentId: string, message: AgentToMasterMessage): void {
    if (this.stopped) return;
    switch (message.kind) {
      case 'statusUpdate':
        this.statusUpdate(agentId, message);
        return;
      case 'exitedExecutor':
        this.exitedExecutor(agentId, message.frameworkId, message.executorId, message.status);
        return;
      case 'executorMessage':
        this.executorMessage(agentId, message.frameworkId, message.executorId, message.data);
        return;
      default:
        assertNever(message, 'agent message');
    }
  }

  /** Master::statusUpdate. */
  private statusUpdate(agentId: string, message: Extract<AgentToMasterMessage, { kind: 'statusUpdate' }>): void {
    const { frameworkId, status, latestState } = message;
    const ids = { agentId, frameworkId, taskId: status.task_id.value, state: status.state };
    const agent = this.agents.get(agentId);
    if (agent === undefined) {
      this.log.warn(ids, 'ignoring status update from an agent that is not registered');
      return;
    }
    const framework = this.frameworks.get(frameworkId);
    if (framework?.connected === true) this.forward(framework, status);
    else this.log.warn(ids, 'status update for a disconnected or unknown framework: not forwarded');
    const task = agent.getTask(frameworkId, status.task_id.value);
    if (task === undefined) {
      this.log.warn(ids, 'status update for a task the master does not know');
      return;
    }
    this.updateTask(task, status, latestState);
  }

  /** The slave observer: counts unanswered pings and marks an agent unreachable after too many. */
  private pingAgents(): void {
    if (this.stopped) return;
    for (const agent of [...this.agents.values()]) {
      if (this.options.agentAnswersPings(agent.id)) {
        agent.missedPings = 0;
        continue;
      }
      agent.missedPings++;
      if (agent.missedPings >= this.options.maxAgentPingTimeouts) this.markUnreachable(agent, 'health check timed out');
    }
  }

  /** Master::markUnreachable and __removeSlave. */
  private markUnreachable(agent: AgentRecord, message: string): void {
    const unreachableTime = nowTimeInfo();
    const log = this.log.child({ agentId: agent.id });
    log.warn({ reason: message }, 'marking agent unreachable');
    this.options.registry.unreachable.set(agent.id, unreachableTime);
    for (const [frameworkId, tasks] of [...agent.tasks]) {
      const framework = this.frameworks.get(frameworkId);
      const state: TaskState = framework?.partitionAware === true ? 'TASK_UNREACHABLE' : 'TASK_LOST';
      for (const task of [...tasks.values()]) {
        const status = this.masterStatus(task, state, message, 'REASON_AGENT_REMOVED', { unreachableTime });
        this.updateTask(task, status);
        this.removeTask(task, true);
        if (framework !== undefined) this.send(framework, updateEvent(status));
      }
    }
    this.dropAgent(agent);
  }

  /** __removeSlave for an agent marked gone: TASK_GONE_BY_OPERATOR (TASK_LOST if not partition-aware). */
  private removeGoneAgent(agent: AgentRecord, message: string): void {
    for (const [frameworkId, tasks] of [...agent.tasks]) {
      const framework = this.frameworks.get(frameworkId);
      const aware = framework?.partitionAware === true;
      for (const task of [...tasks.values()]) {
        const status = aware
          ? this.masterStatus(task, 'TASK_GONE_BY_OPERATOR', message, 'REASON_AGENT_REMOVED_BY_OPERATOR')
          : this.masterStatus(task, 'TASK_LOST', message, 'REASON_AGENT_REMOVED');
        this.updateTask(task, status);
        this.removeTask(task);
        if (framework !== undefined) this.send(framework, updateEvent(status));
      }
    }
    this.dropAgent(agent);
  }

  /** Master::removeSlave (machine DOWN): the agent leaves the registry, its tasks become TASK_LOST. */
  private removeAgent(agent: AgentRecord, cause: string): void {
    this.log.info({ agentId: agent.id, cause }, 'removing agent');
    const message = `Agent ${agent.info.hostname} removed: ${cause}`;
    for (const [frameworkId, tasks] of [...agent.tasks]) {
      const framework = this.frameworks.get(frameworkId);
      for (const task of [...tasks.values()]) {
        const status = this.masterStatus(task, 'TASK_LOST', message, 'REASON_AGENT_REMOVED');
        this.updateTask(task, status);
        this.removeTask(task);
        if (framework !== undefined) this.send(framework, updateEvent(status));
      }
    }
    this.options.registry.admitted.delete(agent.id);
    this.options.registry.draining.delete(agent.id);
    this.options.registry.deactivated.delete(agent.id);
    this.dropAgent(agent);
  }

  /** What every removal of a registered agent shares: executors, offers and inverse offers go, frameworks hear FAILURE. */
  private dropAgent(agent: AgentRecord): void {
    for (const [frameworkId, executors] of [...agent.executors]) {
      for (const executorId of [...executors.keys()]) this.removeExecutor(agent, frameworkId, executorId);
    }
    for (const offerId of [...agent.offers]) this.removeOffer(offerId, { rescind: true });
    for (const id of [...agent.inverseOffers]) this.removeInverseOffer(id, true);
    this.inverseOfferAllocator.removeAgent(agent.id);
    this.agents.delete(agent.id);
    this.sendAgentLost(agent.id);
  }

  private recoveredAgentsTimeout(): void {
    for (const [agentId] of [...this.recoveredAgents]) {
      this.log.warn({ agentId }, 'agent did not re-register after the master failover; marking it unreachable');
      this.recoveredAgents.delete(agentId);
      this.options.registry.unreachable.set(agentId, nowTimeInfo());
      this.sendAgentLost(agentId);
    }
  }

  /** LostSlaveMessage: a FAILURE event holding only the agent id, to every connected framework. */
  private sendAgentLost(agentId: string): void {
    for (const framework of this.frameworks.values()) this.send(framework, { type: 'FAILURE', failure: { agent_id: { value: agentId } } });
  }

  // ---------------------------------------------------------------- custom executors

  /** Master::addExecutor: a custom executor's resources are used on its agent from its first task on. */
  private addExecutor(agent: AgentRecord, framework: FrameworkRecord | undefined, info: ExecutorInfo & { framework_id: { value: string } }): void {
    const frameworkId = info.framework_id.value;
    let byFramework = agent.executors.get(frameworkId);
    if (byFramework === undefined) agent.executors.set(frameworkId, (byFramework = new Map()));
    byFramework.set(info.executor_id.value, info);
    agent.used = agent.used.plus(Resources.fromProtos(info.resources));
    if (framework !== undefined) this.attachExecutorToFramework(agent.id, info, framework);
  }

  private attachExecutorToFramework(agentId: string, info: ExecutorInfo, framework: FrameworkRecord): void {
    let byAgent = framework.executors.get(agentId);
    if (byAgent === undefined) framework.executors.set(agentId, (byAgent = new Map()));
    if (byAgent.has(info.executor_id.value)) return;
    byAgent.set(info.executor_id.value, info);
    framework.used = framework.used.plus(Resources.fromProtos(info.resources));
  }

  /** Master::removeExecutor: the executor's resources are free again. */
  private removeExecutor(agent: AgentRecord, frameworkId: string, executorId: string): void {
    const byFramework = agent.executors.get(frameworkId);
    const info = byFramework?.get(executorId);
    if (byFramework === undefined || info === undefined) return;
    byFramework.delete(executorId);
    if (byFramework.size === 0) agent.executors.delete(frameworkId);
    const resources = Resources.fromProtos(info.resources);
    agent.used = agent.used.minus(resources);
    const framework = this.frameworks.get(frameworkId);
    const byAgent = framework?.executors.get(agent.id);
    if (framework !== undefined && byAgent?.delete(executorId) === true) {
      if (byAgent.size === 0) framework.executors.delete(agent.id);
      framework.used = framework.used.minus(resources);
    }
  }

  /** After a re-registration the agent's report is the truth about which custom executors run there. */
  private syncExecutors(agent: AgentRecord, report: AgentReport): void {
    const reported = new Set(report.executors.map((e) => taskKey(e.frameworkId, e.info.executor_id.value)));
    for (const [frameworkId, executors] of [...agent.executors]) {
      for (const executorId of [...executors.keys()]) if (!reported.has(taskKey(frameworkId, executorId))) this.removeExecutor(agent, frameworkId, executorId);
    }
    for (const { frameworkId, info } of report.executors) {
      if (this.completedFrameworks.has(frameworkId) || agent.hasExecutor(frameworkId, info.executor_id.value)) continue;
      this.addExecutor(agent, this.frameworks.get(frameworkId), { ...info, framework_id: { value: frameworkId } });
    }
  }

  /** Master::exitedExecutor: ExitedExecutorMessage becomes a FAILURE event with the executor's wait status. */
  private exitedExecutor(agentId: string, frameworkId: string, executorId: string, status: number): void {
    const agent = this.agents.get(agentId);
    const ids = { agentId, frameworkId, executorId, status };
    if (agent === undefined || !agent.hasExecutor(frameworkId, executorId)) {
      this.log.warn(ids, 'ignoring exited executor on an unknown agent, or unknown to the master');
      return;
    }
    this.log.info(ids, 'executor exited');
    this.removeExecutor(agent, frameworkId, executorId);
    const framework = this.frameworks.get(frameworkId);
    if (framework?.connected !== true) {
      this.log.warn(ids, 'not forwarding the exited executor: the framework is unknown or disconnected');
      return;
    }
    this.send(framework, { type: 'FAILURE', failure: { agent_id: { value: agentId }, executor_id: { value: executorId }, status } });
    this.scheduleAllocation();
  }

  /** Master::executorMessage: ExecutorToFrameworkMessage, delivered as a MESSAGE event (unreliably). */
  private executorMessage(agentId: string, frameworkId: string, executorId: string, data: string): void {
    const framework = this.frameworks.get(frameworkId);
    const ids = { agentId, frameworkId, executorId };
    if (!this.agents.has(agentId)) {
      this.log.warn(ids, 'ignoring executor message from an unknown agent');
      return;
    }
    if (framework?.connected !== true) {
      this.log.warn(ids, 'not forwarding executor message: the framework is unknown or disconnected');
      return;
    }
    this.send(framework, { type: 'MESSAGE', message: { agent_id: { value: agentId }, executor_id: { value: executorId }, data } });
  }

  /** Master::message: the scheduler's MESSAGE call goes to the agent, which hands it to the executor. */
  private frameworkMessage(framework: FrameworkRecord, message: { agent_id: { value: string }; executor_id: { value: string }; data: string }): void {
    const agent = this.agents.get(message.agent_id.value);
    const ids = { frameworkId: framework.id, agentId: message.agent_id.value, executorId: message.executor_id.value };
    if (agent === undefined || !agent.connected) {
      this.log.warn(ids, 'cannot send framework message: the agent is not registered or is disconnected');
      return;
    }
    this.options.sendToAgent(agent.id, { kind: 'frameworkMessage', frameworkId: framework.id, executorId: message.executor_id.value, data: message.data });
  }

  // ---------------------------------------------------------------- inverse offers

  /** The allocator's inverse offer round, after the offers of an allocation. */
  private allocateInverseOffers(): void {
    const candidates: InverseOfferCandidate[] = [];
    for (const agent of this.agents.values()) {
      if (!agent.active || !agent.connected || !this.inverseOfferAllocator.hasMaintenance(agent.id)) continue;
      const using = new Set<string>(agent.executors.keys());
      for (const [frameworkId, tasks] of agent.tasks) {
        for (const task of tasks.values()) if (!isTerminalOrUnreachable(task.state)) using.add(frameworkId);
      }
      for (const offerId of agent.offers) {
        const offer = this.offers.get(offerId);
        if (offer !== undefined) using.add(offer.frameworkId);
      }
      const frameworkIds = [...using].filter((id) => {
        const framework = this.frameworks.get(id);
        return framework !== undefined && framework.active && framework.connected;
      });
      if (frameworkIds.length > 0) candidates.push({ agentId: agent.id, frameworkIds });
    }
    for (const [frameworkId, byAgent] of this.inverseOfferAllocator.generate(candidates, Date.now())) this.makeInverseOffers(frameworkId, byAgent);
  }

  /** Master::inverseOffer: one INVERSE_OFFERS event with an inverse offer per agent. */
  private makeInverseOffers(frameworkId: string, byAgent: ReadonlyMap<string, Unavailability>): void {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined || !framework.connected || !framework.active) return;
    const messages: InverseOffer[] = [];
    for (const [agentId, unavailability] of byAgent) {
      const agent = this.agents.get(agentId);
      if (agent === undefined || !agent.active) continue;
      if (this.options.registry.maintenance.unavailability(this.machineKeyOf(agent)) === undefined) continue;
      const id = this.options.ids.nextOfferId();
      const record: InverseOfferRecord = { id, frameworkId, agentId, url: this.agentUrl(agent), unavailability, timer: undefined };
      if (this.options.offerTimeoutMs !== undefined) {
        record.timer = setTimeout(() => this.safely('inverse offer timeout', () => this.withdrawInverseOffer(id, true)), this.options.offerTimeoutMs);
        record.timer.unref();
      }
      this.inverseOffers.set(id, record);
      framework.inverseOffers.add(id);
      agent.inverseOffers.add(id);
      messages.push(inverseOfferMessage(record));
    }
    if (messages.length === 0) return;
    this.log.info({ frameworkId, inverseOfferIds: messages.map((m) => m.id.value) }, 'sending inverse offers');
    this.send(framework, { type: 'INVERSE_OFFERS', inverse_offers: { inverse_offers: messages } });
  }

  /** An inverse offer ends unanswered (rescinded, timed out, framework or agent deactivated). */
  private withdrawInverseOffer(id: string, rescind: boolean): void {
    const record = this.inverseOffers.get(id);
    if (record === undefined) return;
    this.inverseOfferAllocator.updateInverseOffer(record.agentId, record.frameworkId, undefined, undefined, Date.now());
    this.removeInverseOffer(id, rescind);
  }

  /** Master::removeInverseOffer; a rescinded one reaches the framework as RESCIND_INVERSE_OFFER. */
  private removeInverseOffer(id: string, rescind: boolean): void {
    const record = this.inverseOffers.get(id);
    if (record === undefined) return;
    this.inverseOffers.delete(id);
    clearTimeout(record.timer);
    const framework = this.frameworks.get(record.frameworkId);
    framework?.inverseOffers.delete(id);
    this.agents.get(record.agentId)?.inverseOffers.delete(id);
    if (framework !== undefined && rescind) this.send(framework, { type: 'RESCIND_INVERSE_OFFER', rescind_inverse_offer: { inverse_offer_id: { value: id } } });
  }

  /** ACCEPT_INVERSE_OFFERS and DECLINE_INVERSE_OFFERS: the answer is recorded, the filter (5 s by default) applies. */
  private answerInverseOffers(framework: FrameworkRecord, answer: 'ACCEPT' | 'DECLINE', ids: readonly { value: string }[], filters: Filters | undefined): void {
    const log = this.log.child({ frameworkId: framework.id });
    if (answer === 'ACCEPT' && ids.length === 0) {
      log.warn({ reason: 'No inverse offers specified' }, 'ACCEPT_INVERSE_OFFERS call used invalid offers');
      return;
    }
    const invalid = this.validateInverseOffers(ids, framework);
    if (answer === 'ACCEPT' && invalid !== undefined) log.warn({ reason: invalid }, 'ACCEPT_INVERSE_OFFERS call used invalid offers');
    for (const { value } of ids) {
      const record = this.inverseOffers.get(value);
      if (record === undefined) {
        log.warn({ inverseOfferId: value }, `ignoring ${answer === 'ACCEPT' ? 'accept' : 'decline'} of an inverse offer that is no longer valid`);
        continue;
      }
      const status: InverseOfferStatus = { status: answer, framework_id: { value: record.frameworkId }, timestamp: nowTimeInfo() };
      this.inverseOfferAllocator.updateInverseOffer(record.agentId, record.frameworkId, status, filters?.refuse_seconds ?? 5, Date.now());
      this.removeInverseOffer(value, false);
    }
  }

  /** validation::offer::validateInverseOffers; Mesos only logs what it finds. */
  private validateInverseOffers(ids: readonly { value: string }[], framework: FrameworkRecord): string | undefined {
    const seen = new Set<string>();
    for (const { value } of ids) {
      if (seen.has(value)) return `Duplicate offer ${value} in offer list`;
      seen.add(value);
    }
    for (const { value } of ids) {
      const record = this.inverseOffers.get(value);
      if (record === undefined) return `Inverse offer ${value} is no longer valid`;
      if (record.frameworkId !== framework.id) {
        return `Inverse offer ${value} has invalid framework ${record.frameworkId} while framework ${framework.id} is expected`;
      }
    }
    return undefined;
  }

  // ---------------------------------------------------------------- maintenance

  private machineKeyOf(agent: AgentRecord): string {
    return machineKey(agentMachine(agent.info.hostname, this.options.host));
  }

  /** A newly admitted agent joins its machine; a machine with an unavailability puts it into maintenance. */
  private addAgentToMachine(agent: AgentRecord): void {
    const key = this.machineKeyOf(agent);
    this.knownMachines.add(key);
    this.inverseOfferAllocator.updateUnavailability(agent.id, this.options.registry.maintenance.unavailability(key));
  }

  /** The registered agents of every machine that has one. */
  private agentsByMachine(): Map<string, AgentRecord[]> {
    const byMachine = new Map<string, AgentRecord[]>();
    for (const agent of this.agents.values()) {
      const key = this.machineKeyOf(agent);
      const list = byMachine.get(key);
      if (list === undefined) byMachine.set(key, [agent]);
      else list.push(agent);
    }
    return byMachine;
  }

  /** Master::updateUnavailability: offers and inverse offers of the machine's agents are rescinded and made anew. */
  private updateUnavailability(agents: readonly AgentRecord[], unavailability: Unavailability | undefined): void {
    for (const agent of agents) {
      this.log.info({ agentId: agent.id, start: unavailability?.start.nanoseconds }, unavailability === undefined ? 'removing unavailability of agent' : 'updating unavailability of agent');
      for (const offerId of [...agent.offers]) this.removeOffer(offerId, { rescind: true });
      for (const id of [...agent.inverseOffers]) this.withdrawInverseOffer(id, true);
      this.inverseOfferAllocator.updateUnavailability(agent.id, unavailability);
    }
  }

  /** POST /maintenance/schedule and UPDATE_MAINTENANCE_SCHEDULE. */
  updateMaintenanceSchedule(schedule: MaintenanceSchedule): OperatorAnswer {
    const maintenance = this.options.registry.maintenance;
    const invalid = validateSchedule(schedule, maintenance.entries());
    if (invalid !== undefined) return { status: 400, body: invalid };
    const modesBefore = new Map<string, string>();
    for (const key of this.knownMachines) modesBefore.set(key, 'UP');
    for (const [key, machine] of maintenance.entries()) modesBefore.set(key, machine.mode);
    const unavailabilities = new Map<string, Unavailability>();
    for (const window of schedule.windows ?? []) {
      for (const id of window.machine_ids ?? []) unavailabilities.set(machineKey(id), window.unavailability);
    }
    maintenance.updateSchedule(schedule);
    const byMachine = this.agentsByMachine();
    for (const [key, mode] of modesBefore) {
      const unavailability = unavailabilities.get(key);
      if (unavailability !== undefined && mode === 'UP') continue;
      this.updateUnavailability(byMachine.get(key) ?? [], unavailability);
    }
    for (const [key, unavailability] of unavailabilities) {
      const mode = modesBefore.get(key);
      if (mode === undefined || mode === 'UP') this.updateUnavailability(byMachine.get(key) ?? [], unavailability);
    }
    this.scheduleAllocation();
    this.log.info({ windows: (schedule.windows ?? []).length }, 'updated the maintenance schedule');
    return OK;
  }

  /** GET /maintenance/schedule and GET_MAINTENANCE_SCHEDULE. */
  maintenanceSchedule(): MaintenanceSchedule {
    return this.options.registry.maintenance.schedule();
  }

  /** GET /maintenance/status and GET_MAINTENANCE_STATUS: the frameworks' answers are this master's only. */
  maintenanceStatus(): MaintenanceClusterStatus {
    const status: MaintenanceClusterStatus = {};
    const byMachine = this.agentsByMachine();
    for (const [key, machine] of this.options.registry.maintenance.entries()) {
      if (machine.mode === 'DRAINING') {
        const statuses: InverseOfferStatus[] = [];
        for (const agent of byMachine.get(key) ?? []) statuses.push(...this.inverseOfferAllocator.statuses(agent.id));
        (status.draining_machines ??= []).push(statuses.length > 0 ? { id: machine.id, statuses } : { id: machine.id });
      } else if (machine.mode === 'DOWN') {
        (status.down_machines ??= []).push(machine.id);
      }
    }
    return status;
  }

  /** POST /machine/down and START_MAINTENANCE: the machines' agents are shut down and removed. */
  startMaintenance(ids: readonly MachineID[]): OperatorAnswer {
    const maintenance = this.options.registry.maintenance;
    const invalid = validateMachines(ids);
    if (invalid !== undefined) return { status: 400, body: invalid };
    for (const id of ids) {
      const key = machineKey(id);
      if (!this.machineKnown(key)) return { status: 400, body: `Machine '${machineJson(id)}' is not part of a maintenance schedule` };
      if (maintenance.mode(key) !== 'DRAINING') return { status: 400, body: `Machine '${machineJson(id)}' is not in DRAINING mode and cannot be brought down` };
    }
    maintenance.startMaintenance(ids);
    const message = "Operator initiated 'Machine DOWN'";
    const keys = new Set(ids.map(machineKey));
    for (const agent of [...this.agents.values()]) {
      if (!keys.has(this.machineKeyOf(agent))) continue;
      this.options.sendToAgent(agent.id, { kind: 'shutdown', message });
      this.removeAgent(agent, message);
    }
    return OK;
  }

  /** POST /machine/up and STOP_MAINTENANCE: the machines are UP and leave the schedule. */
  stopMaintenance(ids: readonly MachineID[]): OperatorAnswer {
    const maintenance = this.options.registry.maintenance;
    const invalid = validateMachines(ids);
    if (invalid !== undefined) return { status: 400, body: invalid };
    for (const id of ids) {
      const key = machineKey(id);
      if (!this.machineKnown(key)) return { status: 400, body: `Machine '${machineJson(id)}' is not part of a maintenance schedule` };
      if (maintenance.mode(key) !== 'DOWN') return { status: 400, body: `Machine '${machineJson(id)}' is not in DOWN mode and cannot be brought up` };
    }
    maintenance.stopMaintenance(ids);
    return OK;
  }

  /** Whether upstream's `machines` map holds the machine: scheduled, or an agent has registered on it. */
  private machineKnown(key: string): boolean {
    return this.options.registry.maintenance.machine(key) !== undefined || this.knownMachines.has(key);
  }

  // ---------------------------------------------------------------- operator calls on agents

  /** DRAIN_AGENT (Master::Http::drainAgent): deactivate, tell the agent to kill its tasks, DRAINED once they are gone. */
  drainAgent(agentId: string, maxGracePeriod: { nanoseconds: number } | undefined, markGone: boolean): OperatorAnswer {
    const agent = this.agents.get(agentId);
    if (agent !== undefined) {
      const key = this.machineKeyOf(agent);
      for (const window of this.options.registry.maintenance.schedule().windows ?? []) {
        for (const id of window.machine_ids ?? []) {
          if (machineKey(id) === key) return { status: 400, body: `Agent ${agentId} is part of a maintenance schedule under Machine ${machineText(id)}` };
        }
      }
    }
    if (!this.agentKnown(agentId)) return { status: 400, body: 'Unknown agent' };
    const config: DrainConfig = maxGracePeriod !== undefined ? { max_grace_period: maxGracePeriod, mark_gone: markGone } : { mark_gone: markGone };
    this.options.registry.draining.set(agentId, { state: 'DRAINING', config });
    this.options.registry.deactivated.add(agentId);
    if (agent !== undefined) {
      this.log.info({ agentId, tasks: [...agent.tasks.values()].reduce((n, t) => n + t.size, 0), markGone }, 'transitioning agent to the DRAINING state');
      this.deactivateAgentRecord(agent);
      this.options.sendToAgent(agentId, { kind: 'drain', config });
      agent.estimatedDrainStartTime = now();
      this.checkAndTransitionDrainingAgent(agent);
    }
    return OK;
  }

  /** DEACTIVATE_AGENT: no more offers from the agent; its tasks keep running. */
  deactivateAgent(agentId: string): OperatorAnswer {
    if (!this.agentKnown(agentId)) return { status: 400, body: 'Unknown agent' };
    this.options.registry.deactivated.add(agentId);
    const agent = this.agents.get(agentId);
    if (agent !== undefined) this.deactivateAgentRecord(agent);
    return OK;
  }

  /** REACTIVATE_AGENT: a deactivated (or DRAINED) agent is offered again. */
  reactivateAgent(agentId: string): OperatorAnswer {
    const registry = this.options.registry;
    if (!registry.deactivated.has(agentId)) return { status: 400, body: 'Agent is not deactivated' };
    if (registry.draining.get(agentId)?.state === 'DRAINING') return { status: 400, body: 'Agent is still in the DRAINING state' };
    registry.draining.delete(agentId);
    registry.deactivated.delete(agentId);
    const agent = this.agents.get(agentId);
    if (agent === undefined) return { status: 409, body: 'Agent removed while processing the call' };
    if (agent.connected) {
      this.log.info({ agentId }, 'reactivating agent');
      agent.active = true;
      this.scheduleAllocation();
    }
    agent.estimatedDrainStartTime = undefined;
    return OK;
  }

  /** MARK_AGENT_GONE: the agent is shut down and removed for good; its tasks are TASK_GONE_BY_OPERATOR. */
  markAgentGone(agentId: string): OperatorAnswer {
    if (this.options.registry.gone.has(agentId)) return OK;
    if (!this.agentKnown(agentId)) return { status: 404, body: `Agent '${agentId}' not found` };
    this.markGone(agentId);
    return OK;
  }

  /** The operator API's TEARDOWN: the framework is removed as if it had torn itself down. */
  teardownFramework(frameworkId: string): OperatorAnswer {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined) return { status: 400, body: 'No framework found with specified ID' };
    this.log.info({ frameworkId }, 'processing operator TEARDOWN');
    this.removeFramework(framework);
    return OK;
  }

  /** Registered, recovered after a failover, or unreachable: the agents operator calls may name. */
  private agentKnown(agentId: string): boolean {
    return this.agents.has(agentId) || this.recoveredAgents.has(agentId) || this.options.registry.unreachable.has(agentId);
  }

  /** Master::deactivate(Slave*): offers and inverse offers of the agent are rescinded, none are made. */
  private deactivateAgentRecord(agent: AgentRecord): void {
    agent.active = false;
    for (const offerId of [...agent.offers]) this.removeOffer(offerId, { rescind: true });
    for (const id of [...agent.inverseOffers]) this.withdrawInverseOffer(id, true);
  }

  /** Master::checkAndTransitionDrainingAgent: once no task is left, DRAINED (or gone, with mark_gone). */
  private checkAndTransitionDrainingAgent(agent: AgentRecord): void {
    const drain = this.options.registry.draining.get(agent.id);
    if (drain === undefined || drain.state === 'DRAINED' || agent.tasks.size > 0) return;
    if (drain.config.mark_gone === true) {
      this.log.info({ agentId: agent.id }, 'marking agent in the DRAINED state as gone');
      this.markGone(agent.id);
      return;
    }
    drain.state = 'DRAINED';
    this.log.info({ agentId: agent.id }, 'agent successfully marked as DRAINED');
  }

  /** Master::markGone: recorded in the registry; a registered agent is shut down, an unreachable one's tasks end. */
  private markGone(agentId: string): void {
    const registry = this.options.registry;
    registry.gone.set(agentId, nowTimeInfo());
    registry.admitted.delete(agentId);
    registry.draining.delete(agentId);
    registry.deactivated.delete(agentId);
    const message = 'Agent has been marked gone';
    this.log.info({ agentId }, 'agent marked gone');
    const agent = this.agents.get(agentId);
    if (agent !== undefined) {
      this.options.sendToAgent(agentId, { kind: 'shutdown', message });
      this.removeGoneAgent(agent, message);
      return;
    }
    if (this.recoveredAgents.delete(agentId)) return;
    registry.unreachable.delete(agentId);
    for (const [frameworkId, taskIds] of this.unreachableTasksByAgent.get(agentId) ?? []) {
      const framework = this.frameworks.get(frameworkId);
      if (framework === undefined) continue;
      for (const taskId of taskIds) {
        const task = framework.unreachableTasks.get(taskId);
        if (task === undefined) continue;
        const status = framework.partitionAware
          ? this.masterStatus(task, 'TASK_GONE_BY_OPERATOR', message, 'REASON_AGENT_REMOVED_BY_OPERATOR')
          : this.masterStatus(task, 'TASK_LOST', message, 'REASON_AGENT_REMOVED');
        this.updateTask(task, status);
        this.send(framework, updateEvent(status));
        framework.unreachableTasks.delete(taskId);
        framework.addCompletedTask(task);
      }
    }
    this.unreachableTasksByAgent.delete(agentId);
  }

  // ---------------------------------------------------------------- streams and views

  /** Holds every event of the streams open now; a stream opened later (a resubscription) flows. */
  pauseStreams(): void {
    for (const framework of this.frameworks.values()) {
      const stream = framework.stream;
      if (stream === undefined || stream.closed) continue;
      stream.pause();
      this.pausedStreams.add(stream);
    }
  }

  resumeStreams(): void {
    for (const stream of this.pausedStreams) stream.resume();
    this.pausedStreams.clear();
  }

  /** Read-only access for /state. */
  view(): MasterView {
    return {
      info: this.info,
      startTime: this.startTime,
      electedTime: this.electedTime,
      elected: this.elected,
      leader: this.leader,
      frameworks: [...this.frameworks.values()],
      completedFrameworks: [...this.completedFrameworks.values()],
      agents: [...this.agents.values()],
      recoveredAgents: [...this.recoveredAgents.values()],
      unreachableAgents: this.options.registry.unreachable.size,
      offers: this.offers,
      inverseOffers: this.inverseOffers,
      draining: this.options.registry.draining,
      deactivated: this.options.registry.deactivated,
      agentIp: this.options.host,
      agentPort: this.options.port,
      flags: {
        allocation_interval: `${this.options.allocationIntervalMs}ms`,
        agent_ping_timeout: `${this.options.agentPingTimeoutMs}ms`,
        max_agent_ping_timeouts: String(this.options.maxAgentPingTimeouts),
        offer_timeout: this.options.offerTimeoutMs === undefined ? '' : `${this.options.offerTimeoutMs}ms`,
      },
    };
  }
}

export interface MasterView {
  info: MasterInfo;
  startTime: number;
  electedTime: number | undefined;
  elected: boolean;
  leader: MasterInfo | undefined;
  frameworks: FrameworkRecord[];
  completedFrameworks: FrameworkRecord[];
  agents: AgentRecord[];
  recoveredAgents: AgentInfo[];
  unreachableAgents: number;
  offers: ReadonlyMap<string, OfferRecord>;
  inverseOffers: ReadonlyMap<string, InverseOfferRecord>;
  draining: ReadonlyMap<string, DrainInfo>;
  deactivated: ReadonlySet<string>;
  /** The ip and port of every agent's libprocess pid. */
  agentIp: string;
  agentPort: number;
  flags: Record<string, string>;
}

function updateEvent(status: TaskStatus): SchedulerEvent {
  return { type: 'UPDATE', update: { status } };
}

function launchedTasks(operation: OfferOperation): TaskInfo[] | undefined {
  if (operation.type === 'LAUNCH') return operation.launch?.task_infos ?? [];
  if (operation.type === 'LAUNCH_GROUP') return operation.launch_group?.task_group.tasks ?? [];
  return undefined;
}

/** protobuf::injectAllocationInfo: task (and executor) resources carry the offer's allocation role. */
function injectAllocationRole(task: TaskInfo, role: string): TaskInfo {
  const inject = (resources: TaskInfo['resources']): NonNullable<TaskInfo['resources']> =>
    (resources ?? []).map((r) => (r.allocation_info === undefined ? { ...r, allocation_info: { role } } : r));
  const out: TaskInfo = { ...task, resources: inject(task.resources) };
  if (task.executor?.resources !== undefined) out.executor = { ...task.executor, resources: inject(task.executor.resources) };
  return out;
}

/** The master fills in ExecutorInfo.framework_id for executors of LAUNCH operations. */
function withExecutorFrameworkId(task: TaskInfo, frameworkId: string): TaskInfo {
  if (task.executor === undefined || task.executor.framework_id !== undefined) return task;
  return { ...task, executor: { ...task.executor, framework_id: { value: frameworkId } } };
}

/** The InverseOffer message a framework was sent for a record. */
export function inverseOfferMessage(record: InverseOfferRecord): InverseOffer {
  return {
    id: { value: record.id },
    url: record.url,
    framework_id: { value: record.frameworkId },
    agent_id: { value: record.agentId },
    unavailability: record.unavailability,
  };
}

function isTerminalOrUnreachable(state: TaskState): boolean {
  return isTerminalTaskState(state) || state === 'TASK_UNREACHABLE';
}

function sameUuid(a: string | undefined, b: string): boolean {
  return a !== undefined && Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));
}

function now(): number {
  return Date.now() / 1000;
}
