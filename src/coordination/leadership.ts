// Who may change Ferry's durable state: the contract every leadership
// implements (ZooKeeper election for clusters, a directory lock for local
// mode) and what a store asks of it before each write. It never writes
// records itself and never lets two terms share an epoch.

import type { EventEmitter } from 'node:events';
import type { ZkClient } from './zkClient.js';

/** What a candidate publishes about itself; GET /v1/leader answers with the leader's. */
export interface CandidateInfo {
  /** unique per process start, e.g. a uuid */
  id: string;
  /** where its API answers: "HOST:PORT" */
  api: string;
  hostname: string;
  pid: number;
  /** the Ferry version it runs */
  version: string;
  /** ISO-8601 */
  startedAt: string;
}

export interface LeadershipEvents {
  /** this process leads from now on; epoch is strictly greater than every earlier term's */
  elected: [{ epoch: number }];
  /** the link to the coordinator dropped while leading: stop issuing Mesos calls at once */
  suspended: [];
  /** the same session came back and still leads: carry on */
  resumed: [];
  /** this process no longer leads (session expired, its node vanished, a write was fenced) */
  deposed: [{ reason: string }];
}

/** One term of leadership: the epoch stamped into every record written during it. */
export interface LeaderTerm {
  readonly epoch: number;
}

/** What a store needs from leadership to fence its writes. */
export interface LeaderTermSource {
  /** the term this process holds now (also while suspended), or undefined when it does not lead */
  currentTerm(): LeaderTerm | undefined;
  /**
   * Ends the given term at once because a write showed that another writer
   * intervened. A no-op when that term is already over, so a late failure of
   * an old write cannot depose a newer term.
   */
  stepDown(epoch: number, reason: string): void;
}

/** A term held on a ZooKeeper session: every write of the term travels on that very session. */
export interface ZkLeaderTerm extends LeaderTerm {
  readonly zk: ZkClient;
}

export interface ZkTermSource extends LeaderTermSource {
  currentTerm(): ZkLeaderTerm | undefined;
  /** a live session to read through (leaders and standbys alike), if there is one */
  readSession(): ZkClient | undefined;
}

export interface Leadership extends EventEmitter<LeadershipEvents>, LeaderTermSource {
  /** true while leading and connected (false while suspended) */
  readonly isLeader: boolean;
  /** The current leader's published data (this process's own when it leads), or undefined when nobody leads. */
  leaderInfo(): Promise<CandidateInfo | undefined>;
  /**
   * Asks the coordinator, not memory, whether this process still leads: true
   * only if the term is live and (for ZooKeeper) its election node is still
   * the first, read on the term's own session. Called before (re)subscribing
   * to Mesos, so a leader that was paused past its session cannot take the
   * framework back from its successor.
   */
  confirm(): Promise<boolean>;
  /** Becomes a candidate; `elected` follows whenever this process wins. */
  start(): Promise<void>;
  /** Withdraws: gives up leadership (without emitting `deposed`) and stops competing. */
  stop(): Promise<void>;
}

/** Checks the candidate data a peer published; undefined when it is not candidate data. */
export function parseCandidateInfo(value: unknown): CandidateInfo | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const strings = ['id', 'api', 'hostname', 'version', 'startedAt'] as const;
  if (!strings.every((k) => typeof v[k] === 'string') || typeof v['pid'] !== 'number') return undefined;
  return {
    id: v['id'] as string,
    api: v['api'] as string,
    hostname: v['hostname'] as string,
    pid: v['pid'],
    version: v['version'] as string,
    startedAt: v['startedAt'] as string,
  };
}
