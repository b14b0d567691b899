// The scheduler's shell: everything with I/O around the pure decisions. While
// this instance leads it loads the durable state, subscribes to Mesos with the
// stored framework id, and runs one queue of work (Mesos events, operator
// commands, clock ticks) in batches: decide, apply to memory, write every
// changed record durably, and only then make the Mesos calls the decisions
// asked for (so an update is acknowledged only once recorded, and a task is
// known before it is launched). It stops calling Mesos the moment leadership
// is in doubt, and never decides anything itself.

import { EventEmitter } from 'node:events';
import type { AppSpec } from '../apps/appSpec.js';
import type { Logger } from '../common/log.js';
import type { Leadership } from '../coordination/leadership.js';
import type { EventOf, SchedulerEvent } from '../mesos/events.js';
import type { MediaType } from '../mesos/codec.js';
import { createMasterDetector } from '../mesos/masterDetector.js';
import { SchedulerClient, type EventCost, type Subscription } from '../mesos/schedulerClient.js';
import { cpuMicrosSince } from '../common/cpuTime.js';
import type { FrameworkInfo, Offer, TaskStatus } from '../mesos/types.js';
import type { AppRecord, FrameworkRecord } from '../state/model.js';
import type { StateStore } from '../state/stateStore.js';
import type { ControlPlane } from '../backends/backend.js';
import { planMoves } from '../moves/moveMachine.js';
import { planAgentBack, planAgentLost, planDrained, planMaintenance } from '../moves/moveTriggers.js';
import type { MoveIds } from '../moves/moveRequests.js';
import { decodeNodeReply, encodeNodeMessage } from '../node/executor/nodeOps.js';
import type { BackendName } from '../state/model.js';
import { planKills } from './killDecisions.js';
import { NODE_EXECUTOR_ID } from './nodeExecutorTask.js';
import { planOfferRound } from './offerRound.js';
import { OfferInterest } from './offerInterest.js';
import { emptyPlan, mergePlans, type MesosAction, type Plan, type RecordWrite } from './plan.js';
import { Reconciler } from './reconciler.js';
import type { SchedulerConfig } from './schedulerConfig.js';
import { planStatusUpdate } from './statusUpdates.js';
import { World } from './world.js';

export interface FrameworkSettings {
  name: string;
  role: string;
  user: string;
  hostname: string;
  failoverTimeoutSeconds: number;
  webuiUrl?: string;
  principal?: string;
  secret?: string;
}

export interface SchedulerServiceOptions {
  store: StateStore;
  leadership: Leadership;
  /** --master: host:port, a list, or zk://.../mesos */
  master: string;
  framework: FrameworkSettings;
  config: SchedulerConfig;
  media?: MediaType;
  logger: Logger;
  /** parses a stored app definition; throws when it no longer parses */
  parseApp: (record: AppRecord) => AppSpec;
  newTaskId: (appId: string, instance: number) => string;
  /** a fresh unique id (uuid) */
  newId: () => string;
  /** the control planes of the block backends this Ferry drives */
  controlPlanes?: Map<BackendName, ControlPlane>;
  clock?: () => number;
  tickMs?: number;
  /** how many queued items one batch takes at most */
  batchSize?: number;
  /** told about offers, launches and status updates as they happen (for /metrics) */
  metrics?: SchedulerMetricsSink;
}

/** What the service counts as it works. Implementations must be cheap and must not throw. */
export interface SchedulerMetricsSink {
  offersReceived(count: number): void;
  offersAccepted(count: number): void;
  offersDeclined(count: number): void;
  tasksLaunched(count: number): void;
  statusUpdate(state: TaskStatus['state']): void;
  /** process CPU one OFFERS event cost, from its bytes read to its ACCEPT/DECLINE calls handed to HTTP */
  offerEventCpu(seconds: number): void;
}

export type ServiceRole = 'starting' | 'standby' | 'leader' | 'suspended' | 'stopped';

/** A state change, after it is durable: what the event stream and the UI follow. */
export type StateChange =
  | { kind: 'app' | 'dataset' | 'task' | 'move'; id: string; deleted: boolean }
  | { kind: 'framework'; id: string; deleted: false }
  | { kind: 'role'; role: ServiceRole }
  | { kind: 'subscription'; subscribed: boolean; frameworkId?: string };

export interface SchedulerServiceEvents {
  change: [StateChange];
}

/** The instance stopped leading while the work waited; the caller should try the leader. */
/** Offer interest (REVIVE/SUPPRESS) is decided at most this often. */
const INTEREST_EVERY_MS = 100;
/** Ended moves kept for the record; older ones are removed. */
const MOVES_KEPT = 200;

/** How many times one batch lets the moves take a step. */
const MOVE_PASSES = 6;

export class NotLeaderError extends Error {
  override name = 'NotLeaderError';
  constructor(detail = 'this Ferry instance does not lead') {
    super(detail);
  }
}

type WorkItem =
  | { kind: 'event'; event: SchedulerEvent; cost?: EventCost }
  | { kind: 'interest' }
  | { kind: 'opResult'; result: import('./world.js').OpResult }
  | { kind: 'subscribed'; subscription: Subscription }
  | { kind: 'tick' }
  | { kind: 'command'; decide: (world: World, now: number) => { plan: Plan; result: unknown }; resolve: (v: unknown) => void; reject: (e: Error) => void };

export class SchedulerService extends EventEmitter<SchedulerServiceEvents> {
  private roleValue: ServiceRole = 'starting';
  private world: World | undefined;
  private client: SchedulerClient | undefined;
  private queue: WorkItem[] = [];
  private draining = false;
  private ticker: NodeJS.Timeout | undefined;
  private reconciler: Reconciler;
  private interest: OfferInterest;
  private readonly clock: () => number;
  private readonly logger: Logger;
  /** bumps with each term, so work from an old term is dropped */
  private term = 0;
  private subscribed = false;
  private lastSubscription: Subscription | undefined;
  /** the epoch of the term this process leads, if it does */
  private epoch: number | undefined;
  private lastInterestAt = -Infinity;
  private interestTimer: NodeJS.Timeout | undefined;
  /** DECLINE and ACCEPT calls not yet answered (their refuse filters are not in place yet) */
  private readonly declinesInFlight = new Set<Promise<void>>();

  constructor(private readonly options: SchedulerServiceOptions) {
    super();
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger;
    this.reconciler = new Reconciler(options.config);
    this.interest = new OfferInterest(options.config);
  }

  get role(): ServiceRole {
    return this.roleValue;
  }

  get config(): SchedulerConfig {
    return this.options.config;
  }

  get isSubscribed(): boolean {
    return this.subscribed;
  }

  get subscription(): Subscription | undefined {
    return this.subscribed ? this.lastSubscription : undefined;
  }

  /** The leader's live picture, for reads; undefined unless leading. */
  get view(): World | undefined {
    return this.roleValue === 'leader' || this.roleValue === 'suspended' ? this.world : undefined;
  }

  async start(): Promise<void> {
    const l = this.options.leadership;
    l.on('elected', (e) => void this.becomeLeader(e.epoch));
    l.on('suspended', () => this.suspend());
    l.on('resumed', () => this.resume());
    l.on('deposed', (e) => void this.stepDown(e.reason));
    this.setRole('standby');
    await l.start();
  }

  async stop(): Promise<void> {
    this.setRole('stopped');
    await this.endTerm('stopping');
    await this.options.leadership.stop();
  }

  /** Runs an operator command in the queue: its plan is applied, made durable, then its Mesos calls are made. */
  command<T>(decide: (world: World, now: number) => { plan: Plan; result: T }): Promise<T> {
    if (this.roleValue !== 'leader' && this.roleValue !== 'suspended') return Promise.reject(new NotLeaderError());
    return new Promise<T>((resolve, reject) => {
      this.enqueue({ kind: 'command', decide, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  // ---- leadership ----------------------------------------------------------------

  private setRole(role: ServiceRole): void {
    if (this.roleValue === role) return;
    this.roleValue = role;
    this.emit('change', { kind: 'role', role });
  }

  private async becomeLeader(epoch: number): Promise<void> {
    const term = ++this.term;
    this.epoch = epoch;
    this.logger.info({ epoch }, 'elected leader; loading state');
    let world: World;
    try {
      const snapshot = await this.options.store.load();
      world = World.fromSnapshot(snapshot, this.options.parseApp);
    } catch (err) {
      this.logger.fatal({ err: (err as Error).message, store: this.options.store.describe() }, 'cannot load Ferry state; stopping');
      process.exitCode = 1;
      await this.options.leadership.stop().catch(() => undefined);
      this.setRole('stopped');
      return;
    }
    if (term !== this.term) return;
    this.world = world;
    this.reconciler = new Reconciler(this.options.config);
    this.interest = new OfferInterest(this.options.config);
    this.setRole('leader');
    this.logger.info(
      { epoch, apps: world.apps.size, datasets: world.datasets.size, tasks: world.tasks.size, frameworkId: world.framework?.frameworkId },
      'leading',
    );
    this.startClient(world);
    this.ticker = setInterval(() => this.enqueue({ kind: 'tick' }), this.options.tickMs ?? 1000);
  }

  private frameworkInfo(world: World): FrameworkInfo {
    const f = this.options.framework;
    const info: FrameworkInfo = {
      user: f.user,
      name: f.name,
      failover_timeout: f.failoverTimeoutSeconds,
      checkpoint: true,
      roles: [f.role],
      hostname: f.hostname,
      capabilities: [{ type: 'PARTITION_AWARE' }, { type: 'MULTI_ROLE' }, { type: 'TASK_KILLING_STATE' }],
    };
    if (world.framework) info.id = { value: world.framework.frameworkId };
    if (f.webuiUrl !== undefined) info.webui_url = f.webuiUrl;
    if (f.principal !== undefined) info.principal = f.principal;
    return info;
  }

  private startClient(world: World): void {
    const f = this.options.framework;
    const detector = createMasterDetector(this.options.master, this.logger);
    const client = new SchedulerClient({
      detector,
      framework: this.frameworkInfo(world),
      ...(this.options.media ? { media: this.options.media } : {}),
      ...(f.principal !== undefined && f.secret !== undefined ? { credential: { principal: f.principal, secret: f.secret } } : {}),
      logger: this.logger.child({ component: 'mesos' }),
      mayConnect: () => this.options.leadership.confirm(),
    });
    const term = this.term;
    client.on('subscribed', (subscription) => {
      if (term === this.term) this.enqueue({ kind: 'subscribed', subscription });
    });
    client.on('event', (event, cost) => {
      if (term === this.term && event.type !== 'SUBSCRIBED' && event.type !== 'HEARTBEAT') this.enqueue({ kind: 'event', event, ...(cost ? { cost } : {}) });
    });
    client.on('disconnected', ({ reason }) => {
      if (term !== this.term) return;
      this.subscribed = false;
      this.emit('change', { kind: 'subscription', subscribed: false });
      this.logger.warn({ reason }, 'lost the Mesos subscription');
    });
    client.on('terminated', ({ message }) => {
      if (term !== this.term) return;
      this.logger.error({ message }, 'Mesos ended this framework\'s subscription; stepping down');
      void this.stepDown(`Mesos sent ERROR: ${message}`, true);
    });
    this.client = client;
    client.start().catch((err: Error) => this.logger.error({ err: err.message }, 'cannot start the Mesos client'));
  }

  /** The ZooKeeper link dropped: not one more Mesos call until it is back. */
  private suspend(): void {
    if (this.roleValue !== 'leader') return;
    this.logger.warn('ZooKeeper link lost while leading: suspending every Mesos call');
    this.setRole('suspended');
    const client = this.client;
    this.client = undefined;
    this.subscribed = false;
    void client?.stop();
  }

  private resume(): void {
    if (this.roleValue !== 'suspended' || this.world === undefined) return;
    this.logger.info('ZooKeeper link back with the same session: resuming leadership');
    this.setRole('leader');
    this.startClient(this.world);
  }

  private async stepDown(reason: string, abdicate = false): Promise<void> {
    if (this.roleValue === 'stopped') return;
    this.logger.warn({ reason }, 'no longer leading');
    await this.endTerm(reason);
    if ((this.roleValue as ServiceRole) !== 'stopped') this.setRole('standby');
    const epoch = this.epoch;
    this.epoch = undefined;
    if (abdicate && epoch !== undefined) this.options.leadership.stepDown(epoch, reason);
  }

  private async endTerm(reason: string): Promise<void> {
    this.term++;
    clearTimeout(this.interestTimer);
    this.interestTimer = undefined;
    clearInterval(this.ticker);
    this.ticker = undefined;
    const client = this.client;
    this.client = undefined;
    this.subscribed = false;
    this.world = undefined;
    const queued = this.queue;
    this.queue = [];
    for (const item of queued) if (item.kind === 'command') item.reject(new NotLeaderError(`leadership ended: ${reason}`));
    await client?.stop();
  }

  // ---- the work queue -------------------------------------------------------------

  private enqueue(item: WorkItem): void {
    this.queue.push(item);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.batchSize ?? 2000);
        await this.runBatch(batch);
      }
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(batch: WorkItem[]): Promise<void> {
    const world = this.world;
    const term = this.term;
    if (world === undefined) {
      for (const item of batch) if (item.kind === 'command') item.reject(new NotLeaderError());
      return;
    }
    const now = this.clock();
    const offerEvents = this.options.metrics === undefined ? [] : batch.filter(isOffersEvent);
    const batchCpu = offerEvents.length > 0 ? process.cpuUsage() : undefined;
    const plans: Plan[] = [];
    const settled: { item: Extract<WorkItem, { kind: 'command' }>; result?: unknown; error?: Error }[] = [];
    let needsInterest = false;
    for (const item of batch) {
      let plan: Plan;
      try {
        plan = this.decide(world, item, now, settled);
      } catch (err) {
        // a command's refusal goes back to its caller; any other failed decision is a bug worth a loud line
        if (item.kind === 'command') settled.push({ item, error: err as Error });
        else this.logger.error({ err: (err as Error).stack, item: item.kind }, 'a decision failed');
        continue;
      }
      world.applyWrites(plan.writes);
      world.applyNotes(plan.notes);
      plans.push(plan);
      if (item.kind !== 'event' || plan.writes.some((w) => w.kind === 'deleteTask' || w.kind === 'move')) needsInterest = true;
    }
    // moves advance as far as they can in this batch: a step that ends lets the next one start at once
    let switched = false;
    for (let pass = 0; pass < MOVE_PASSES && world.moves.size > 0; pass++) {
      try {
        const moves = planMoves(world, { now, config: this.options.config });
        switched ||= movesSwitched(world, moves.writes);
        world.applyWrites(moves.writes);
        world.applyNotes(moves.notes);
        plans.push(moves);
        if (moves.writes.length === 0) break;
        needsInterest = true;
      } catch (err) {
        this.logger.error({ err: (err as Error).stack }, 'a move decision failed');
        break;
      }
    }
    if (needsInterest || batch.some((i) => i.kind === 'interest')) {
      // deciding walks every instance: at most every INTEREST_EVERY_MS, the rest catch up a moment later
      // except right after a move's switch: its instance waits for the destination's offer, and the app is down meanwhile
      const wait = this.lastInterestAt + INTEREST_EVERY_MS - now;
      if (wait <= 0 || switched) {
        this.lastInterestAt = now;
        const interest = emptyPlan();
        interest.mesos.push(...this.interest.decide(world, now));
        plans.push(interest);
        // a revive held back by its minimum interval goes out when that ends, not at the next tick
        const owedAt = this.interest.owedReviveAt();
        if (owedAt !== undefined && this.interestTimer === undefined) {
          this.interestTimer = setTimeout(() => {
            this.interestTimer = undefined;
            if (term === this.term) this.enqueue({ kind: 'interest' });
          }, Math.max(owedAt - now, INTEREST_EVERY_MS));
        }
      } else if (this.interestTimer === undefined) {
        this.interestTimer = setTimeout(() => {
          this.interestTimer = undefined;
          if (term === this.term) this.enqueue({ kind: 'interest' });
        }, wait);
      }
    }
    const merged = mergePlans(...plans);
    try {
      await this.persist(merged.writes);
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'a durable write failed; stepping down so a fresh leader reloads the state');
      for (const s of settled) s.item.reject(new NotLeaderError(`write failed: ${(err as Error).message}`));
      await this.stepDown(`write failed: ${(err as Error).message}`, true);
      return;
    }
    if (term !== this.term) return;
    for (const s of settled) {
      if (s.error) s.item.reject(s.error);
      else s.item.resolve(s.result);
    }
    this.announce(merged.writes);
    this.perform(merged.mesos, now);
    if (batchCpu !== undefined) this.observeOfferCpu(offerEvents, cpuMicrosSince(batchCpu));
  }

  /**
   * Each OFFERS event's CPU: reading it (measured by the client) plus its
   * share of the batch that decided on it. In steady state the batch holds the
   * event alone; whatever else shares a batch (updates, a tick) is counted in,
   * and so is what the process did while the batch waited for its writes.
   */
  private observeOfferCpu(events: OffersWorkItem[], batchMicros: number): void {
    const share = batchMicros / events.length;
    for (const item of events) {
      const micros = (item.cost?.readCpuMicros ?? 0) + share;
      this.options.metrics?.offerEventCpu(micros / 1e6);
    }
  }

  private decide(world: World, item: WorkItem, now: number, settled: { item: Extract<WorkItem, { kind: 'command' }>; result?: unknown; error?: Error }[]): Plan {
    switch (item.kind) {
      case 'command': {
        const { plan, result } = item.decide(world, now);
        settled.push({ item, result });
        return plan;
      }
      case 'subscribed':
        return this.onSubscribed(world, item.subscription, now);
      case 'tick': {
        const plan = planKills(world, now, this.options.config);
        plan.mesos.push(...this.reconciler.tick(now));
        const ids = (): MoveIds => this.moveIds();
        return mergePlans(plan, planAgentLost(world, now, this.options.config, ids), planDrained(world, now, this.options.config, ids), pruneMoves(world));
      }
      case 'interest':
        return emptyPlan();
      case 'opResult': {
        const plan = emptyPlan();
        const known = world.opResults.get(item.result.opId);
        // a late sign of life never hides a result that already came
        if (!(known !== undefined && 'ok' in known && !('ok' in item.result))) plan.notes.push({ kind: 'opResult', result: item.result });
        return plan;
      }
      case 'event':
        return this.onEvent(world, item.event, now);
      default: {
        const never: never = item;
        throw new Error(`unknown work ${JSON.stringify(never)}`);
      }
    }
  }

  private onSubscribed(world: World, subscription: Subscription, now: number): Plan {
    const plan = emptyPlan();
    this.subscribed = true;
    this.lastSubscription = subscription;
    this.emit('change', { kind: 'subscription', subscribed: true, frameworkId: subscription.frameworkId });
    if (world.framework?.frameworkId !== subscription.frameworkId) {
      if (world.framework !== undefined) {
        this.logger.error({ stored: world.framework.frameworkId, assigned: subscription.frameworkId }, 'Mesos assigned a different framework id than the stored one');
      }
      const record: FrameworkRecord = { frameworkId: subscription.frameworkId, name: this.options.framework.name, registeredAt: new Date(now).toISOString() };
      plan.writes.push({ kind: 'framework', record });
    }
    this.interest.reset(now);
    plan.mesos.push(...this.reconciler.subscribed(world, now));
    // a new subscription (a new leader, a master failover) learns the agents anew: offers clear earlier refuse filters
    plan.mesos.push({ type: 'REVIVE' });
    return plan;
  }

  private onEvent(world: World, event: SchedulerEvent, now: number): Plan {
    switch (event.type) {
      case 'OFFERS':
        return this.onOffers(world, event.offers.offers ?? [], now);
      case 'UPDATE':
        return this.onUpdate(world, event.update.status, now);
      case 'RESCIND':
        this.logger.debug({ offerId: event.rescind.offer_id.value }, 'offer rescinded');
        return emptyPlan();
      case 'FAILURE':
        if (event.failure.agent_id) this.logger.warn({ agentId: event.failure.agent_id.value }, 'Mesos reports an agent lost');
        return emptyPlan();
      case 'INVERSE_OFFERS': {
        const offers = event.inverse_offers.inverse_offers ?? [];
        this.logger.warn({ agents: offers.map((o) => o.agent_id?.value) }, 'Mesos maintenance announced: moving datasets away');
        return planMaintenance(world, offers, now, this.options.config, () => this.moveIds());
      }
      case 'MESSAGE': {
        const reply = decodeNodeReply(event.message.data);
        if (reply === undefined) {
          this.logger.warn({ agentId: event.message.agent_id.value, data: event.message.data.slice(0, 200) }, 'an unreadable message from an executor was ignored');
          return emptyPlan();
        }
        if (reply.kind === 'hello') {
          this.logger.info({ agentId: event.message.agent_id.value, running: reply.running }, 'node executor ready');
          return emptyPlan();
        }
        const plan = emptyPlan();
        const known = world.opResults.get(reply.opId);
        if (reply.kind === 'result') {
          plan.notes.push({ kind: 'opResult', result: reply.ok ? { opId: reply.opId, ok: true, result: reply.result, ms: reply.ms } : { opId: reply.opId, ok: false, code: reply.code, message: reply.message, ms: reply.ms } });
        } else if (!(known !== undefined && 'ok' in known)) {
          plan.notes.push({ kind: 'opResult', result: { opId: reply.opId, progress: reply.detail } });
        }
        return plan;
      }
      case 'RESCIND_INVERSE_OFFER':
      case 'UPDATE_OPERATION_STATUS':
        this.logger.debug({ type: event.type }, 'event not acted on');
        return emptyPlan();
      case 'ERROR':
      case 'SUBSCRIBED':
      case 'HEARTBEAT':
        return emptyPlan();
      default: {
        const never: never = event;
        this.logger.warn({ event: never }, 'unknown event type from the master');
        return emptyPlan();
      }
    }
  }

  private onOffers(world: World, offers: Offer[], now: number): Plan {
    this.options.metrics?.offersReceived(offers.length);
    for (const offer of offers) world.observeOffer(offer, now);
    return planOfferRound(world, { offers, now, config: this.options.config, newTaskId: this.options.newTaskId, newId: this.options.newId });
  }

  private onUpdate(world: World, status: TaskStatus, now: number): Plan {
    this.reconciler.answered(status.task_id.value, status.state);
    this.options.metrics?.statusUpdate(status.state);
    const agentId = status.agent_id?.value;
    if (agentId !== undefined && status.reason === 'REASON_AGENT_DRAINING') {
      const agent = world.agents.get(agentId);
      if (agent !== undefined) agent.draining = true;
    }
    const before = world.tasks.get(status.task_id.value)?.state;
    const plan = planStatusUpdate(world, status, now, this.options.config);
    const cameBack = before === 'TASK_UNREACHABLE' || before === 'TASK_LOST' || before === 'TASK_UNKNOWN';
    if (status.state === 'TASK_RUNNING' && agentId !== undefined && cameBack) return mergePlans(plan, planAgentBack(world, agentId, now));
    return plan;
  }

  private moveIds(): MoveIds {
    return { moveId: this.options.newId(), token: this.options.newId().replace(/-/g, '') + this.options.newId().replace(/-/g, '') };
  }

  // ---- durable writes and Mesos calls ---------------------------------------------------

  /** Writes each changed record once (the last change wins) and resolves when all are durable. */
  private async persist(writes: RecordWrite[]): Promise<void> {
    const last = new Map<string, RecordWrite>();
    for (const w of writes) last.set(writeKey(w), w);
    const store = this.options.store;
    await Promise.all(
      [...last.values()].map((w) => {
        switch (w.kind) {
          case 'framework':
            return store.put('framework', 'framework', w.record);
          case 'app':
            return store.put('app', w.record.id, w.record);
          case 'dataset':
            return store.put('dataset', w.record.name, w.record);
          case 'task':
            return store.put('task', w.record.taskId, w.record);
          case 'deleteApp':
            return store.delete('app', w.id);
          case 'deleteDataset':
            return store.delete('dataset', w.name);
          case 'deleteTask':
            return store.delete('task', w.taskId);
          case 'move':
            return store.put('move', w.record.id, w.record);
          case 'deleteMove':
            return store.delete('move', w.id);
          default: {
            const never: never = w;
            throw new Error(`unknown write ${JSON.stringify(never)}`);
          }
        }
      }),
    );
  }

  private announce(writes: RecordWrite[]): void {
    const seen = new Set<string>();
    for (const w of writes) {
      const key = writeKey(w);
      if (seen.has(key)) continue;
      seen.add(key);
      switch (w.kind) {
        case 'framework':
          this.emit('change', { kind: 'framework', id: w.record.frameworkId, deleted: false });
          break;
        case 'app':
          this.emit('change', { kind: 'app', id: w.record.id, deleted: false });
          break;
        case 'dataset':
          this.emit('change', { kind: 'dataset', id: w.record.name, deleted: false });
          break;
        case 'task':
          this.emit('change', { kind: 'task', id: w.record.taskId, deleted: false });
          break;
        case 'deleteApp':
          this.emit('change', { kind: 'app', id: w.id, deleted: true });
          break;
        case 'deleteDataset':
          this.emit('change', { kind: 'dataset', id: w.name, deleted: true });
          break;
        case 'deleteTask':
          this.reconciler.forget(w.taskId);
          this.emit('change', { kind: 'task', id: w.taskId, deleted: true });
          break;
        case 'move':
          this.emit('change', { kind: 'move', id: w.record.id, deleted: false });
          break;
        case 'deleteMove':
          this.emit('change', { kind: 'move', id: w.id, deleted: true });
          break;
      }
    }
  }

  private perform(all: MesosAction[], now: number): void {
    const actions: MesosAction[] = [];
    for (const action of all) {
      if (action.type === 'BACKEND_OP') this.runBackendOp(action);
      else actions.push(action);
    }
    const client = this.client;
    if (client === undefined || this.roleValue !== 'leader') {
      if (actions.length > 0) this.logger.debug({ count: actions.length }, 'not subscribed: Mesos calls skipped (they are retried or re-derived)');
      return;
    }
    for (const action of actions) {
      // a REVIVE must reach the master after every DECLINE sent before it, or an older filter outlives it
      const call =
        action.type === 'REVIVE'
          ? Promise.allSettled([...this.declinesInFlight]).then(() => this.call(client, action, now))
          : this.call(client, action, now);
      if (action.type === 'DECLINE' || action.type === 'LAUNCH') {
        this.declinesInFlight.add(call);
        void call.finally(() => this.declinesInFlight.delete(call)).catch(() => undefined);
      }
      call.catch((err: Error) => this.logger.warn({ action: action.type, err: err.message }, 'Mesos call failed'));
    }
  }

  /** A control-plane call runs here (it may take seconds: EBS waits for states); its result comes back through the queue. */
  private runBackendOp(action: Extract<MesosAction, { type: 'BACKEND_OP' }>): void {
    const request = action.request;
    const plane = this.options.controlPlanes?.get(request.backend);
    const started = this.clock();
    const term = this.term;
    const done = (result: import('./world.js').OpResult): void => {
      if (term === this.term) this.enqueue({ kind: 'opResult', result });
    };
    if (plane === undefined) {
      done({ opId: action.opId, ok: false, code: 'UNAVAILABLE', message: `the ${request.backend} backend is not configured on this Ferry`, ms: 0 });
      return;
    }
    this.logger.info({ opId: action.opId, call: request.call, backend: request.backend }, 'backend operation');
    const work = (): Promise<unknown> => {
      switch (request.call) {
        case 'create':
          return plane.create(request.spec);
        case 'attach':
          return plane.attach(request.volumeId, request.agent);
        case 'detach':
          if (request.force) this.logger.warn({ volumeId: request.volumeId, agentId: request.agent.agentId }, 'FORCED detach: releasing the volume from an agent that is gone or cannot be reached');
          return plane.detach(request.volumeId, request.agent, { force: request.force });
        case 'destroy':
          return plane.destroy(request.volumeId);
      }
    };
    work().then(
      (result) => done({ opId: action.opId, ok: true, result: result ?? null, ms: this.clock() - started }),
      (err: unknown) => done({ opId: action.opId, ok: false, code: errorCode(err), message: (err as Error).message ?? String(err), ms: this.clock() - started }),
    );
  }

  private call(client: SchedulerClient, action: MesosAction, now: number): Promise<void> {
    switch (action.type) {
      case 'LAUNCH':
        for (const t of action.tasks) this.reconciler.launched(t.task_id.value, action.agentId, now);
        this.logger.info(
          { agentId: action.agentId, offerId: action.offerId, tasks: action.tasks.map((t) => t.task_id.value) },
          'launching',
        );
        this.options.metrics?.offersAccepted(1);
        this.options.metrics?.tasksLaunched(action.tasks.length);
        return client.accept([{ value: action.offerId }], [{ type: 'LAUNCH', launch: { task_infos: action.tasks } }], {
          refuse_seconds: action.refuseSeconds,
        });
      case 'DECLINE':
        this.options.metrics?.offersDeclined(action.offerIds.length);
        return client.decline(action.offerIds.map((value) => ({ value })), { refuse_seconds: action.refuseSeconds });
      case 'KILL':
        this.logger.info({ taskId: action.taskId, agentId: action.agentId }, 'killing');
        return client.kill({ value: action.taskId }, { value: action.agentId });
      case 'ACKNOWLEDGE':
        return client.acknowledge(action.status);
      case 'RECONCILE':
        return client.reconcile(action.tasks.map((t) => ({ task_id: { value: t.taskId }, agent_id: { value: t.agentId } })));
      case 'REVIVE':
        return client.revive();
      case 'SUPPRESS':
        return client.suppress();
      case 'ACCEPT_INVERSE_OFFERS':
        return client.acceptInverseOffers(action.inverseOfferIds.map((value) => ({ value })));
      case 'NODE_OP':
        this.logger.info({ agentId: action.agentId, opId: action.opId, op: action.request.op }, 'node operation');
        return client.message({ value: action.agentId }, { value: NODE_EXECUTOR_ID }, Buffer.from(encodeNodeMessage({ kind: 'op', opId: action.opId, request: action.request }), 'base64'));
      case 'BACKEND_OP':
        return Promise.resolve();
      default: {
        const never: never = action;
        return Promise.reject(new Error(`unknown action ${JSON.stringify(never)}`));
      }
    }
  }
}

type OffersWorkItem = { kind: 'event'; event: EventOf<'OFFERS'>; cost?: EventCost };

function isOffersEvent(item: WorkItem): item is OffersWorkItem {
  return item.kind === 'event' && item.event.type === 'OFFERS';
}

/** Ended moves beyond the newest MOVES_KEPT are removed from the record. */
function pruneMoves(world: World): Plan {
  const plan = emptyPlan();
  const ended = [...world.moves.values()].filter((m) => m.state !== 'RUNNING');
  if (ended.length <= MOVES_KEPT) return plan;
  ended.sort((a, b) => (b.endedAt ?? b.updatedAt).localeCompare(a.endedAt ?? a.updatedAt));
  for (const m of ended.slice(MOVES_KEPT)) plan.writes.push({ kind: 'deleteMove', id: m.id });
  return plan;
}

/** Whether one of these move writes ends a switch: an instance must now launch on the destination (or, placed, for the first time). */
function movesSwitched(world: World, writes: RecordWrite[]): boolean {
  return writes.some((w) => {
    if (w.kind !== 'move' || world.moves.get(w.record.id)?.step === w.record.step) return false;
    return w.record.step === 'LAUNCH' || (w.record.trigger === 'placement' && w.record.state === 'SUCCEEDED');
  });
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'FAILED';
}

function writeKey(w: RecordWrite): string {
  switch (w.kind) {
    case 'framework':
      return 'framework';
    case 'app':
      return `app:${w.record.id}`;
    case 'deleteApp':
      return `app:${w.id}`;
    case 'dataset':
      return `dataset:${w.record.name}`;
    case 'deleteDataset':
      return `dataset:${w.name}`;
    case 'task':
      return `task:${w.record.taskId}`;
    case 'deleteTask':
      return `task:${w.taskId}`;
    case 'move':
      return `move:${w.record.id}`;
    case 'deleteMove':
      return `move:${w.id}`;
  }
}
