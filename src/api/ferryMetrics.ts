// Ferry's Prometheus metrics (all named ferry_…): counters the scheduler feeds
// through its metrics sink, move outcomes and durations taken from move
// records as they end, and gauges read from the leader's live view at scrape
// time. It observes only; it never changes what it measures.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ZkSessionState } from '../coordination/zkClient.js';
import type { MoveRecord } from '../moves/moveModel.js';
import { instanceCounts } from './views.js';
import type { SchedulerMetricsSink, SchedulerService } from '../scheduler/schedulerService.js';

/** What the gauges read at scrape time. */
export interface MetricsSource {
  service: SchedulerService;
  storeHealthy: () => boolean;
  /** the ZooKeeper session's state, when Ferry keeps its state in ZooKeeper */
  zkSession?: () => ZkSessionState | undefined;
  clock: () => number;
}

const ZK_STATES: readonly (ZkSessionState | 'none')[] = ['connecting', 'connected', 'expired', 'closed', 'none'];

export class FerryMetrics {
  readonly registry = new Registry();
  private source: MetricsSource | undefined;
  private readonly endedMoves = new Set<string>();

  private readonly offersReceived = this.counter('ferry_offers_received_total', 'resource offers received from Mesos');
  private readonly offersAccepted = this.counter('ferry_offers_accepted_total', 'offers accepted (each ACCEPT launches one or more tasks)');
  private readonly offersDeclined = this.counter('ferry_offers_declined_total', 'offers declined');
  private readonly launches = this.counter('ferry_tasks_launched_total', 'tasks launched (app, prepare and node-executor tasks)');
  private readonly statusUpdates = new Counter({ name: 'ferry_status_updates_total', help: 'task status updates received, by state', labelNames: ['state'], registers: [this.registry] });
  private readonly moves = new Counter({ name: 'ferry_moves_total', help: 'moves that ended, by backend, trigger and outcome', labelNames: ['backend', 'trigger', 'outcome'], registers: [this.registry] });
  private readonly moveDuration = new Histogram({
    name: 'ferry_move_duration_seconds',
    help: 'how long moves took from request to end, by backend and outcome',
    labelNames: ['backend', 'outcome'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 14400],
    registers: [this.registry],
  });

  private readonly offerEventCpu = new Histogram({
    name: 'ferry_offer_event_cpu_seconds',
    help: 'process CPU (user + system) each OFFERS event cost: reading and decoding it, the offer round, and its ACCEPT/DECLINE calls handed to HTTP',
    // fine steps around the 20 ms a 1,000-offer round may take (docs/benchmarks.md), so quantiles read well there
    buckets: [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01, 0.012, 0.014, 0.016, 0.018, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /** What the scheduler service calls as it works (SchedulerServiceOptions.metrics). */
  readonly sink: SchedulerMetricsSink = {
    offersReceived: (n) => this.offersReceived.inc(n),
    offersAccepted: (n) => this.offersAccepted.inc(n),
    offersDeclined: (n) => this.offersDeclined.inc(n),
    tasksLaunched: (n) => this.launches.inc(n),
    statusUpdate: (state) => this.statusUpdates.inc({ state }),
    offerEventCpu: (seconds) => this.offerEventCpu.observe(seconds),
  };

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ferry_' });
    const self = this;
    const live = () => this.source?.service.view;
    this.gauge('ferry_leader', 'whether this instance leads (1) or stands by (0)', [], function () {
      this.set(live() !== undefined ? 1 : 0);
    });
    this.gauge('ferry_mesos_subscribed', 'whether this instance holds a Mesos subscription', [], function () {
      this.set(self.source?.service.isSubscribed === true ? 1 : 0);
    });
    this.gauge('ferry_state_store_healthy', 'whether this instance has a live session to its state store', [], function () {
      this.set(self.source?.storeHealthy() === true ? 1 : 0);
    });
    this.gauge('ferry_zookeeper_session_state', 'the ZooKeeper session of this instance: 1 for its current state (only with --zk)', ['state'], function () {
      this.reset();
      const zk = self.source?.zkSession;
      if (zk === undefined) return;
      const now = zk() ?? 'none';
      for (const state of ZK_STATES) this.set({ state }, state === now ? 1 : 0);
    });
    // state gauges come from the leader only, so that summing over instances counts each thing once
    this.gauge('ferry_apps', 'apps (0 on standbys)', [], function () {
      this.reset();
      const world = live();
      if (world !== undefined) this.set(world.apps.size);
    });
    this.gauge('ferry_app_instances', 'app instances wanted, by whether a task runs for them (leader only)', ['status'], function () {
      this.reset();
      const world = live();
      if (world === undefined) return;
      const counts = instanceCounts(world, self.source!.clock());
      this.set({ status: 'running' }, counts.running);
      this.set({ status: 'waiting' }, counts.waiting);
    });
    this.gauge('ferry_datasets', 'datasets by backend and state (leader only)', ['backend', 'state'], function () {
      this.reset();
      const world = live();
      if (world === undefined) return;
      for (const d of world.datasets.values()) this.inc({ backend: d.backend, state: d.state });
    });
    this.gauge('ferry_tasks', 'task records by their last Mesos state (leader only)', ['state'], function () {
      this.reset();
      const world = live();
      if (world === undefined) return;
      for (const t of world.tasks.values()) this.inc({ state: t.state });
    });
    this.gauge('ferry_moves_running', 'moves under way (0 on standbys)', [], function () {
      this.reset();
      const world = live();
      if (world === undefined) return;
      let n = 0;
      for (const m of world.moves.values()) if (m.state === 'RUNNING') n++;
      this.set(n);
    });
    this.gauge('ferry_agents', 'agents the leader knows from offers (0 on standbys)', [], function () {
      this.reset();
      const world = live();
      if (world !== undefined) this.set(world.agents.size);
    });
  }

  /** Starts reading from the service: its move records as they end, its view at scrape time. */
  attach(source: MetricsSource): void {
    if (this.source !== undefined) throw new Error('these metrics already follow a scheduler service; build one FerryMetrics per service');
    this.source = source;
    source.service.on('change', (change) => {
      if (change.kind !== 'move' || change.deleted) return;
      const move = source.service.view?.moves.get(change.id);
      if (move !== undefined) this.moveChanged(move);
    });
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private moveChanged(move: MoveRecord): void {
    if (move.state === 'RUNNING' || this.endedMoves.has(move.id)) return;
    this.endedMoves.add(move.id);
    const outcome = move.state.toLowerCase();
    this.moves.inc({ backend: move.backend, trigger: move.trigger, outcome });
    const ended = Date.parse(move.endedAt ?? move.updatedAt);
    const started = Date.parse(move.createdAt);
    if (Number.isFinite(ended) && Number.isFinite(started) && ended >= started) {
      this.moveDuration.observe({ backend: move.backend, outcome }, (ended - started) / 1000);
    }
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }

  private gauge(name: string, help: string, labelNames: string[], collect: (this: Gauge) => void): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry], collect });
  }
}
