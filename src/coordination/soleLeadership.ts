// Leadership for local mode: the process that holds the state directory's
// exclusive lock leads, with the next epoch from DIR/epoch; others keep
// trying until the holder stops or dies. It never leads without the lock, so
// two local instances on one directory cannot both lead.

import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../common/log.js';
import { writeFileDurably } from '../state/durableFile.js';
import { encodeEnvelope, openEnvelope, parseStoredJson } from '../state/recordEnvelope.js';
import { decodeCandidate, encodeCandidate } from './candidateNodes.js';
import { DirectoryLock } from './directoryLock.js';
import type { CandidateInfo, Leadership, LeadershipEvents, LeaderTerm } from './leadership.js';

export const EPOCH_FILE = 'epoch';
export const LEADER_FILE = 'leader';

export interface SoleLeadershipOptions {
  /** the state directory (the same one the file store uses) */
  dir: string;
  candidate: CandidateInfo;
  logger: Logger;
  /** how often a process that does not hold the lock tries again; default 1 s */
  retryMs?: number;
}

export class SoleLeadership extends EventEmitter<LeadershipEvents> implements Leadership {
  private lock: DirectoryLock | undefined;
  private term: LeaderTerm | undefined;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private attempting: Promise<void> | undefined;
  /** someone else held the lock at our last attempt */
  private heldElsewhere = false;
  private readonly logger: Logger;

  constructor(private readonly options: SoleLeadershipOptions) {
    super();
    this.logger = options.logger.child({ stateDir: options.dir, candidate: options.candidate.id });
  }

  get isLeader(): boolean {
    return this.term !== undefined;
  }

  currentTerm(): LeaderTerm | undefined {
    return this.term;
  }

  /** The directory lock is held by this process for as long as it lives: leading is what memory says. */
  async confirm(): Promise<boolean> {
    return this.term !== undefined;
  }

  /** Resolves after the first attempt; `elected` has been emitted by then if the lock was free. */
  async start(): Promise<void> {
    if (!this.stopped) throw new Error('sole leadership already started');
    this.stopped = false;
    await this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.attempting;
    this.term = undefined;
    const lock = this.lock;
    this.lock = undefined;
    await lock?.release();
  }

  stepDown(epoch: number, reason: string): void {
    if (this.term?.epoch !== epoch) return;
    this.term = undefined;
    const lock = this.lock;
    this.lock = undefined;
    this.logger.warn({ epoch, reason }, 'deposed');
    this.emit('deposed', { reason: `stepped down: ${reason}` });
    void lock
      ?.release()
      .catch((err: unknown) => this.logger.error({ err: (err as Error).message }, 'could not release the state directory lock'))
      .finally(() => this.schedule());
  }

  async leaderInfo(): Promise<CandidateInfo | undefined> {
    if (this.term !== undefined) return this.options.candidate;
    if (!this.heldElsewhere) return undefined;
    const path = join(this.options.dir, LEADER_FILE);
    try {
      return decodeCandidate(path, await readFile(path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private attempt(): Promise<void> {
    this.attempting ??= this.tryToLead().finally(() => {
      this.attempting = undefined;
    });
    return this.attempting;
  }

  private async tryToLead(): Promise<void> {
    if (this.stopped || this.term !== undefined) return;
    let lock: DirectoryLock | undefined;
    try {
      lock = await DirectoryLock.tryAcquire(this.options.dir);
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'cannot lock the state directory');
      this.schedule();
      return;
    }
    if (lock === undefined) {
      if (!this.heldElsewhere) this.logger.info('another Ferry leads from this state directory; waiting for its lock');
      this.heldElsewhere = true;
      this.schedule();
      return;
    }
    this.heldElsewhere = false;
    let epoch: number;
    try {
      epoch = (await readLocalEpoch(this.options.dir)) + 1;
      const record = { leaderId: this.options.candidate.id, takenAt: new Date().toISOString() };
      await writeFileDurably(join(this.options.dir, EPOCH_FILE), JSON.stringify(encodeEnvelope('epoch', epoch, record)) + '\n');
      await writeFileDurably(join(this.options.dir, LEADER_FILE), encodeCandidate(this.options.candidate) + '\n');
    } catch (err) {
      await lock.release();
      this.logger.error({ err: (err as Error).message }, 'holding the state directory lock but cannot take the next epoch');
      this.schedule();
      return;
    }
    if (this.stopped) {
      await lock.release();
      return;
    }
    this.lock = lock;
    this.term = { epoch };
    this.logger.info({ epoch }, 'elected leader (holding the state directory lock)');
    this.emit('elected', { epoch });
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(), this.options.retryMs ?? 1_000);
  }
}

/** The last epoch taken in a state directory; 0 when none was. */
export async function readLocalEpoch(dir: string): Promise<number> {
  const path = join(dir, EPOCH_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  return openEnvelope(path, parseStoredJson(path, bytes), 'epoch').epoch;
}
