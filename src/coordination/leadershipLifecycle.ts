// Keeps a Ferry process in the leader election for its whole life: opens a
// ZooKeeper session, runs one LeaderElection on it, and when that candidacy
// ends (deposed, session expired) closes the session and joins again with a
// brand-new one. It never carries a term over to a new session.

import { EventEmitter } from 'node:events';
import type { Logger } from '../common/log.js';
import { Backoff, type BackoffOptions } from '../mesos/backoff.js';
import { LeaderElection } from './leaderElection.js';
import type { CandidateInfo, Leadership, LeadershipEvents, ZkLeaderTerm, ZkTermSource } from './leadership.js';
import { ZkClient } from './zkClient.js';
import type { ZkLocation } from './zkLocation.js';

export interface LeadershipLifecycleOptions {
  location: Pick<ZkLocation, 'servers' | 'root' | 'digestAuth' | 'display'>;
  sessionTimeoutMs: number;
  candidate: CandidateInfo;
  logger: Logger;
  /** pause between attempts to open a session; default 250 ms doubling to 5 s */
  retry?: BackoffOptions;
  /** see LeaderElectionOptions.presumeExpiredAfterMs */
  presumeExpiredAfterMs?: number;
}

export class LeadershipLifecycle extends EventEmitter<LeadershipEvents> implements Leadership, ZkTermSource {
  private election: LeaderElection | undefined;
  private stopped = true;
  private joining: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly backoff: Backoff;
  private readonly logger: Logger;

  constructor(private readonly options: LeadershipLifecycleOptions) {
    super();
    this.backoff = new Backoff(options.retry ?? { initialMs: 250, maxMs: 5_000 });
    this.logger = options.logger.child({ zk: options.location.display, candidate: options.candidate.id });
  }

  get isLeader(): boolean {
    return this.election?.isLeader ?? false;
  }

  /** The session of the current candidacy, if any (it changes only after a candidacy ends). */
  get session(): ZkClient | undefined {
    return this.election?.zk;
  }

  currentTerm(): ZkLeaderTerm | undefined {
    return this.election?.currentTerm();
  }

  readSession(): ZkClient | undefined {
    return this.election?.readSession();
  }

  async confirm(): Promise<boolean> {
    return (await this.election?.confirm()) ?? false;
  }

  stepDown(epoch: number, reason: string): void {
    this.election?.stepDown(epoch, reason);
  }

  async leaderInfo(): Promise<CandidateInfo | undefined> {
    const election = this.election;
    if (election === undefined) throw new Error(`not connected to ZooKeeper at ${this.options.location.display} (joining the election); try again shortly`);
    return election.leaderInfo();
  }

  /** Resolves once the first candidacy is registered; until then it keeps retrying (and logging) or stops. */
  async start(): Promise<void> {
    if (!this.stopped) throw new Error('leadership lifecycle already started');
    this.stopped = false;
    await this.join();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.joining;
    const election = this.election;
    this.election = undefined;
    if (election !== undefined) {
      await election.stop();
      election.zk.close();
    }
  }

  private join(): Promise<void> {
    this.joining ??= this.joinLoop().finally(() => {
      this.joining = undefined;
    });
    return this.joining;
  }

  private async joinLoop(): Promise<void> {
    while (!this.stopped && this.election === undefined) {
      let zk: ZkClient;
      try {
        zk = await ZkClient.connect({
          servers: this.options.location.servers,
          sessionTimeoutMs: this.options.sessionTimeoutMs,
          ...(this.options.location.digestAuth === undefined ? {} : { digestAuth: this.options.location.digestAuth }),
        });
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'cannot open a ZooKeeper session for the leader election; retrying');
        await this.pause();
        continue;
      }
      if (this.stopped) {
        zk.close();
        return;
      }
      const election = new LeaderElection(zk, {
        root: this.options.location.root,
        candidate: this.options.candidate,
        logger: this.options.logger,
        ...(this.options.presumeExpiredAfterMs === undefined ? {} : { presumeExpiredAfterMs: this.options.presumeExpiredAfterMs }),
      });
      election.on('elected', (e) => this.emit('elected', e));
      election.on('suspended', () => this.emit('suspended'));
      election.on('resumed', () => this.emit('resumed'));
      election.on('deposed', (e) => this.emit('deposed', e));
      void election.ended.then(({ reason }) => this.candidacyEnded(election, reason));
      this.election = election;
      try {
        await election.start();
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'could not join the leader election; retrying with a new session');
      }
      if (election.status !== 'ended' && !this.stopped) {
        this.backoff.reset();
        return;
      }
      if (this.election === election) this.election = undefined;
      zk.close();
      if (!this.stopped) await this.pause();
    }
  }

  private candidacyEnded(election: LeaderElection, reason: string): void {
    if (this.election !== election) return;
    this.election = undefined;
    election.zk.close();
    if (this.stopped) return;
    this.logger.info({ reason }, 'candidacy ended; joining the election again with a new ZooKeeper session');
    // after any join in progress settles, so that exactly one loop opens the next session
    void (this.joining ?? Promise.resolve()).then(() => this.join());
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.backoff.next());
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
