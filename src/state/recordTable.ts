// Records as a store holds them in memory: keyed by kind and id, each with
// the epoch of the term that wrote it, convertible to a StateSnapshot. It
// only holds what it is given; it never validates or reorders anything.

import { emptySnapshot, type RecordKind, type StateSnapshot } from './model.js';
import type { RecordTypes } from './stateStore.js';

export interface StoredRecord {
  kind: RecordKind;
  /** '' for the framework record, a singleton */
  id: string;
  epoch: number;
  record: unknown;
}

export class RecordTable {
  private readonly rows = new Map<string, StoredRecord>();

  get size(): number {
    return this.rows.size;
  }

  set(row: StoredRecord): void {
    this.rows.set(key(row.kind, row.id), row);
  }

  delete(kind: RecordKind, id: string): void {
    this.rows.delete(key(kind, id));
  }

  values(): IterableIterator<StoredRecord> {
    return this.rows.values();
  }

  toSnapshot(): StateSnapshot {
    const snapshot = emptySnapshot();
    for (const row of this.rows.values()) addToSnapshot(snapshot, row.kind, row.id, row.record);
    return snapshot;
  }
}

function key(kind: RecordKind, id: string): string {
  return `${kind}\u0000${id}`;
}

/** Puts one decoded record where a StateSnapshot keeps its kind. */
export function addToSnapshot(snapshot: StateSnapshot, kind: RecordKind, id: string | undefined, record: unknown): void {
  switch (kind) {
    case 'framework':
      snapshot.framework = record as RecordTypes['framework'];
      return;
    case 'app':
      snapshot.apps.set(id!, record as RecordTypes['app']);
      return;
    case 'dataset':
      snapshot.datasets.set(id!, record as RecordTypes['dataset']);
      return;
    case 'task':
      snapshot.tasks.set(id!, record as RecordTypes['task']);
      return;
    case 'move':
      snapshot.moves.set(id!, record as RecordTypes['move']);
      return;
    default: {
      const unhandled: never = kind;
      throw new Error(`unhandled record kind ${String(unhandled)}`);
    }
  }
}
