// The one interface every durable store implements (ZooKeeper for clusters,
// an embedded file store for local mode), and the errors they raise. A store
// never decides anything; it keeps records and refuses writes from a writer
// that no longer leads.

import type { MoveRecord } from '../moves/moveModel.js';
import type { AppRecord, DatasetRecord, FrameworkRecord, RecordKind, StateSnapshot, TaskRecord } from './model.js';

export interface RecordTypes {
  framework: FrameworkRecord;
  app: AppRecord;
  dataset: DatasetRecord;
  task: TaskRecord;
  move: MoveRecord;
}

export interface StateStore {
  /**
   * Reads every record (standbys may read too). A corrupt or unknown-version
   * record throws CorruptStateError; nothing is reset. A leader that finds a
   * record written by a newer term steps down and gets FencedWriteError.
   */
  load(): Promise<StateSnapshot>;
  /**
   * Writes one record and resolves once it is durable. Throws FencedWriteError
   * unless this writer leads (on that error the leader has already been told
   * to step down), and InvalidRecordError for a record that could not be read
   * back under `id`. The framework record is a singleton: its id is ignored.
   */
  put<K extends RecordKind>(kind: K, id: string, record: RecordTypes[K]): Promise<void>;
  /** Removes one record (a no-op if it does not exist). Fenced like put. */
  delete(kind: RecordKind, id: string): Promise<void>;
  /** Human-readable location, for logs: "zk://.../ferry" or "file:/var/lib/ferry". */
  describe(): string;
  close(): Promise<void>;
}

/** A stored record Ferry cannot read: damaged, or written by a newer Ferry. Ferry stops rather than guess. */
export class CorruptStateError extends Error {
  override name = 'CorruptStateError';
  constructor(
    readonly location: string,
    detail: string,
  ) {
    super(`cannot read Ferry state at ${location}: ${detail}. Ferry stops instead of resetting it; restore the record or run a Ferry version that understands it.`);
  }
}

/** A write refused because the writer no longer leads (or another writer changed the record). */
export class FencedWriteError extends Error {
  override name = 'FencedWriteError';
  constructor(
    readonly location: string,
    detail: string,
  ) {
    super(`write to ${location} refused: ${detail}`);
  }
}

/** A record Ferry was asked to store that it could not read back as written: a caller's bug, refused before any write. */
export class InvalidRecordError extends Error {
  override name = 'InvalidRecordError';
  constructor(
    readonly kind: RecordKind,
    readonly id: string,
    detail: string,
  ) {
    super(`refusing to store ${kind} ${JSON.stringify(id)}: ${detail}`);
  }
}
