// Leader election on one ZooKeeper session: each candidate creates an
// ephemeral sequential node under <root>/leader and watches only its
// predecessor (no herd); the lowest node leads once it has taken the next
// leader epoch. The session is never replaced here: when it ends, the
// candidacy ends, and a new one needs a new session (LeadershipLifecycle).

import { EventEmitter } from 'node:events';
import type { Logger } from '../common/log.js';
import { CorruptStateError } from '../state/stateStore.js';
import { candidateNamePrefix, decodeCandidate, encodeCandidate, orderCandidates } from './candidateNodes.js';
import { takeNextEpoch } from './leaderEpoch.js';
import type { CandidateInfo, Leadership, LeadershipEvents, ZkLeaderTerm, ZkTermSource } from './leadership.js';
import { untilConnected } from './untilConnected.js';
import { isZkError, type ZkClient, type ZkSessionState } from './zkClient.js';
import { candidatesPath } from './zkLocation.js';

export type ElectionStatus = 'idle' | 'candidate' | 'leading' | 'suspended' | 'ended';

export interface LeaderElectionOptions {
  /** the framework's root znode, e.g. /ferry */
  root: string;
  candidate: CandidateInfo;
  logger: Logger;
  /**
   * How long a leader may stay disconnected before it presumes ZooKeeper has
   * expired its session (a partitioned client never hears "expired") and
   * gives up the term. Default: the session timeout, by when ZooKeeper has
   * expired it for sure. Until then the leader is only suspended: it issues
   * no Mesos calls, and its writes fail if the session has expired.
   */
  presumeExpiredAfterMs?: number;
}

export class LeaderElection extends EventEmitter<LeadershipEvents> implements Leadership, ZkTermSource {
  private statusValue: ElectionStatus = 'idle';
  private nodeName: string | undefined;
  private term: ZkLeaderTerm | undefined;
  private suspendTimer: NodeJS.Timeout | undefined;
  private checking = false;
  private recheck = false;
  /** the predecessor whose deletion we are already waiting for */
  private watched: string | undefined;
  private readonly dir: string;
  private readonly logger: Logger;
  private readonly onSessionState = (state: ZkSessionState): void => this.sessionChanged(state);
  private endedWith: ((outcome: { reason: string }) => void) | undefined;
  /** Settles when the candidacy is over for good (after `deposed`, if it was leading); competing again takes a new session. */
  readonly ended: Promise<{ reason: string }>;

  constructor(
    readonly zk: ZkClient,
    private readonly options: LeaderElectionOptions,
  ) {
    super();
    this.ended = new Promise((resolve) => (this.endedWith = resolve));
    this.dir = candidatesPath(options.root);
    this.logger = options.logger.child({ candidate: options.candidate.id, root: options.root });
  }

  get status(): ElectionStatus {
    return this.statusValue;
  }

  get isLeader(): boolean {
    return this.statusValue === 'leading';
  }

  /** The full path of this candidate's node, once created. */
  get nodePath(): string | undefined {
    return this.nodeName === undefined ? undefined : `${this.dir}/${this.nodeName}`;
  }

  currentTerm(): ZkLeaderTerm | undefined {
    return this.statusValue === 'leading' || this.statusValue === 'suspended' ? this.term : undefined;
  }

  readSession(): ZkClient | undefined {
    return this.zk.state === 'expired' || this.zk.state === 'closed' ? undefined : this.zk;
  }

  async start(): Promise<void> {
    if (this.statusValue !== 'idle') throw new Error(`this election has already been started (status ${this.statusValue}); create a new one on a new session`);
    this.statusValue = 'candidate';
    this.zk.on('state', this.onSessionState);
    try {
      await this.zk.mkdirp(this.dir);
      this.nodeName = await this.createCandidateNode();
    } catch (err) {
      this.finish();
      this.endedWith?.({ reason: `could not join: ${(err as Error).message}` });
      throw err;
    }
    this.logger.info({ node: this.nodePath, session: this.zk.sessionId }, 'joined the leader election');
    await this.check();
  }

  async stop(): Promise<void> {
    if (this.statusValue === 'idle' || this.statusValue === 'ended') {
      this.statusValue = 'ended';
      this.endedWith?.({ reason: 'stopped' });
      return;
    }
    const path = this.nodePath;
    this.finish();
    // while disconnected the delete would wait for the link; closing the session removes the node as well
    if (path !== undefined && this.zk.state === 'connected') {
      try {
        await this.zk.delete(path);
      } catch (err) {
        if (!isZkError(err, 'NONODE')) this.logger.warn({ node: path, err: (err as Error).message }, 'could not remove the candidate node; it goes with the session');
      }
    }
    this.logger.info({ node: path }, 'left the leader election');
    this.endedWith?.({ reason: 'stopped' });
  }

  async confirm(): Promise<boolean> {
    const name = this.nodeName;
    if (this.statusValue !== 'leading' || name === undefined) return false;
    try {
      // a read on this very session: an expired session fails it, and the first node must still be ours
      const children = await this.zk.children(this.dir);
      return this.statusValue === 'leading' && orderCandidates(children)[0] === name;
    } catch {
      return false;
    }
  }

  stepDown(epoch: number, reason: string): void {
    if (this.term?.epoch !== epoch || this.currentTerm() === undefined) return;
    this.end(`stepped down: ${reason}`);
  }

  /** The candidate that leads (or is taking office), as it published itself. */
  async leaderInfo(): Promise<CandidateInfo | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      let children: string[];
      try {
        children = await this.zk.children(this.dir);
      } catch (err) {
        if (isZkError(err, 'NONODE')) return undefined;
        throw err;
      }
      const first = orderCandidates(children)[0];
      if (first === undefined) return undefined;
      try {
        const { data } = await this.zk.get(`${this.dir}/${first}`);
        return decodeCandidate(`${this.dir}/${first}`, data);
      } catch (err) {
        if (!isZkError(err, 'NONODE')) throw err;
        // the leader left between the two reads: look again
      }
    }
    throw new Error(`the leader under ${this.dir} kept changing while being read; try again`);
  }

  private async createCandidateNode(): Promise<string> {
    const prefix = candidateNamePrefix(this.zk.sessionId);
    const data = encodeCandidate(this.options.candidate);
    for (;;) {
      try {
        const created = await this.zk.create(`${this.dir}/${prefix}`, data, 'ephemeral_sequential');
        return created.slice(created.lastIndexOf('/') + 1);
      } catch (err) {
        if (!isZkError(err, 'CONNECTIONLOSS') && !isZkError(err, 'OPERATIONTIMEOUT')) throw err;
        // the create may have happened: the session id in the name finds it
        if ((await untilConnected(this.zk, this.zk.sessionTimeoutMs)) !== 'connected') throw err;
        const mine = (await this.zk.children(this.dir)).find((name) => name.startsWith(prefix));
        if (mine !== undefined) return mine;
      }
    }
  }

  /** Re-evaluates our place in line; serialized, and repeated when asked again meanwhile. */
  private async check(): Promise<void> {
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.recheck = false;
        await this.checkOnce();
      } while (this.recheck && this.statusValue !== 'ended');
    } catch (err) {
      this.checkFailed(err);
    } finally {
      this.checking = false;
    }
  }

  private async checkOnce(): Promise<void> {
    if (this.statusValue === 'ended' || this.nodeName === undefined) return;
    const ordered = orderCandidates(await this.zk.children(this.dir));
    const index = ordered.indexOf(this.nodeName);
    if (index < 0) {
      this.end(`its candidate node ${this.nodePath} is gone`);
      return;
    }
    if (index === 0) {
      if (this.statusValue === 'candidate') await this.takeOffice();
      else if (this.statusValue === 'suspended' && this.zk.state === 'connected') this.resume();
      return;
    }
    if (this.statusValue === 'leading' || this.statusValue === 'suspended') {
      this.end(`candidate ${ordered[0]} is ahead of this leader's node ${this.nodeName}`);
      return;
    }
    const predecessor = ordered[index - 1]!;
    if (this.watched === predecessor) return;
    const stat = await this.zk.exists(`${this.dir}/${predecessor}`, (event) => {
      if (event === 'session') return;
      if (this.watched === predecessor) this.watched = undefined;
      void this.check();
    });
    if (stat === undefined) {
      this.recheck = true;
    } else {
      this.watched = predecessor;
      this.logger.debug({ predecessor }, 'waiting for the predecessor to leave');
    }
  }

  private async takeOffice(): Promise<void> {
    let epoch: number;
    try {
      epoch = await takeNextEpoch(this.zk, this.options.root, this.options.candidate.id);
    } catch (err) {
      if (isZkError(err, 'BADVERSION') || isZkError(err, 'NODEEXISTS')) {
        this.logger.warn({ err: (err as Error).message }, 'the leader epoch changed while taking office; checking the line again');
        this.recheck = true;
        return;
      }
      throw err;
    }
    if (this.statusValue !== 'candidate') return;
    const own = this.nodePath!;
    // the node vanishing (an operator, a stepped-down session) ends this term
    const stat = await this.zk.exists(own, (event) => {
      if (event === 'deleted') void this.check();
    });
    if (stat === undefined) {
      this.end(`its candidate node ${own} vanished while taking office`);
      return;
    }
    if (this.statusValue !== 'candidate') return;
    this.term = { zk: this.zk, epoch };
    this.statusValue = 'leading';
    this.logger.info({ epoch, node: own, session: this.zk.sessionId }, 'elected leader');
    this.emit('elected', { epoch });
    if (this.zk.state === 'connecting') this.suspend();
  }

  private sessionChanged(state: ZkSessionState): void {
    switch (state) {
      case 'connecting':
        if (this.statusValue === 'leading') this.suspend();
        return;
      case 'connected':
        if (this.statusValue === 'suspended' || this.statusValue === 'candidate') void this.check();
        return;
      case 'expired':
        this.end('its ZooKeeper session expired');
        return;
      case 'closed':
        this.end('its ZooKeeper session was closed');
        return;
      default: {
        const unhandled: never = state;
        throw new Error(`unhandled ZooKeeper session state ${String(unhandled)}`);
      }
    }
  }

  private suspend(): void {
    this.statusValue = 'suspended';
    const after = this.options.presumeExpiredAfterMs ?? this.zk.sessionTimeoutMs;
    this.logger.warn({ epoch: this.term?.epoch, presumeExpiredAfterMs: after }, 'lost the ZooKeeper link while leading; suspended');
    clearTimeout(this.suspendTimer);
    this.suspendTimer = setTimeout(() => {
      if (this.statusValue === 'suspended') this.end(`ZooKeeper was unreachable for ${after} ms, so its session is presumed expired`);
    }, after);
    this.emit('suspended');
  }

  private resume(): void {
    clearTimeout(this.suspendTimer);
    this.statusValue = 'leading';
    this.logger.info({ epoch: this.term?.epoch }, 'ZooKeeper link back on the same session; still leading');
    this.emit('resumed');
  }

  private checkFailed(err: unknown): void {
    if (this.statusValue === 'ended') return;
    if (isZkError(err, 'CONNECTIONLOSS') || isZkError(err, 'OPERATIONTIMEOUT')) {
      // the link dropped mid-check; reconnecting runs the check again
      this.logger.debug({ err: (err as Error).message }, 'election check interrupted by a ZooKeeper disconnect');
      return;
    }
    if (isZkError(err, 'SESSIONEXPIRED') || isZkError(err, 'CLOSING')) {
      this.end('its ZooKeeper session ended');
      return;
    }
    const detail = err instanceof CorruptStateError ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
    this.logger.error({ err: detail }, 'leader election failed; leaving the election');
    this.end(`the election failed: ${detail}`);
  }

  /** Ends the candidacy: not leading from this instant, node released, `deposed` (if leading) then `ended`. */
  private end(reason: string): void {
    if (this.statusValue === 'ended') return;
    const wasLeading = this.statusValue === 'leading' || this.statusValue === 'suspended';
    const epoch = this.term?.epoch;
    const path = this.nodePath;
    this.finish();
    if (path !== undefined && this.readSession() !== undefined) {
      // issued after every write of the term on this session, so ZooKeeper orders them all before any successor
      this.zk.delete(path).catch((err: unknown) => {
        if (!isZkError(err, 'NONODE')) this.logger.debug({ node: path, err: (err as Error).message }, 'candidate node goes with the session');
      });
    }
    if (wasLeading) {
      this.logger.warn({ epoch, reason }, 'deposed');
      this.emit('deposed', { reason });
    } else {
      this.logger.info({ reason }, 'candidacy ended');
    }
    this.endedWith?.({ reason });
  }

  private finish(): void {
    this.statusValue = 'ended';
    this.term = undefined;
    this.watched = undefined;
    clearTimeout(this.suspendTimer);
    this.zk.off('state', this.onSessionState);
  }
}
