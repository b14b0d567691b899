// What the API's routes need from the rest of Ferry, in one place: the
// leader's scheduler (for commands and its live view), a standby's view built
// from the store, the leadership (who leads, where), the clock, and the
// optional security (tokens, TLS) and metrics. Routes stay thin: validate,
// call the core, map errors to statuses.

import type { AppSpec } from '../apps/appSpec.js';
import type { Leadership } from '../coordination/leadership.js';
import type { Logger } from '../common/log.js';
import type { ZkSessionState } from '../coordination/zkClient.js';
import type { AppRecord, BackendName } from '../state/model.js';
import type { StateStore } from '../state/stateStore.js';
import type { SchedulerConfig } from '../scheduler/schedulerConfig.js';
import type { SchedulerService } from '../scheduler/schedulerService.js';
import { World } from '../scheduler/world.js';
import type { TokenTable } from './apiTokens.js';
import type { FerryMetrics } from './ferryMetrics.js';

/** The API's TLS material, PEM text. */
export interface ApiTls {
  cert: string;
  key: string;
}

export interface ApiDependencies {
  service: SchedulerService;
  store: StateStore;
  leadership: Leadership;
  parseApp: (record: AppRecord) => AppSpec;
  /** true while this process's state-store session is live */
  storeHealthy: () => boolean;
  /** this process's own API address, "HOST:PORT" */
  selfApi: string;
  /** the scheduler's configuration (moves need its roots and timeouts) */
  config: () => SchedulerConfig;
  logger: Logger;
  clock?: () => number;
  /** how long a standby reuses a view it built from the store */
  standbyViewTtlMs?: number;
  /** bearer tokens; absent: the API is open */
  auth?: TokenTable;
  /** the API serves https with this (every instance alike), so the leader is reached over https too */
  tls?: ApiTls;
  /** the metrics the scheduler service feeds (its sink); absent: the API keeps its own, without the scheduler's counters */
  metrics?: FerryMetrics;
  /** the state of this instance's ZooKeeper session, when the state lives in ZooKeeper */
  zkSession?: () => ZkSessionState | undefined;
  /** the backends this Ferry can place datasets on (local always; loopback and ebs when configured) */
  backends?: readonly BackendName[];
  /** the event stream's heartbeat interval (default 15 s) */
  eventHeartbeatMs?: number;
}

export interface WorldView {
  world: World;
  /** true when this is the leader's live view */
  live: boolean;
}

export class ApiContext {
  readonly clock: () => number;
  private cached: { at: number; view: Promise<WorldView> } | undefined;

  constructor(readonly deps: ApiDependencies) {
    this.clock = deps.clock ?? Date.now;
  }

  get service(): SchedulerService {
    return this.deps.service;
  }

  /** The leader's live world, or (on a standby) one read from the store, reused for a moment. */
  async view(): Promise<WorldView> {
    const live = this.deps.service.view;
    if (live !== undefined) return { world: live, live: true };
    const now = this.clock();
    if (this.cached && now - this.cached.at < (this.deps.standbyViewTtlMs ?? 1000)) return this.cached.view;
    const view = this.deps.store.load().then((snapshot) => ({ world: World.fromSnapshot(snapshot, this.deps.parseApp), live: false }));
    this.cached = { at: now, view };
    view.catch(() => {
      if (this.cached?.view === view) this.cached = undefined;
    });
    return view;
  }
}
