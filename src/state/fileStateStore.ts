// Ferry's durable state in one local directory (local mode, `--state
// file:DIR`): an append-only journal of checksummed entries with group commit
// (many puts, one fdatasync; each put resolves only once its entry is on
// disk), compacted now and then into a snapshot written beside it and
// renamed into place. Only the holder of the directory lock (SoleLeadership)
// writes, stamped with its epoch; nothing is ever reset or skipped silently.

import type { Logger } from '../common/log.js';
import { silentLogger } from '../common/log.js';
import type { LeaderTerm, LeaderTermSource } from '../coordination/leadership.js';
import { JournalFile } from './journalFile.js';
import { encodeFrame } from './journalFrames.js';
import type { RecordKind, StateSnapshot } from './model.js';
import { checkRecordForWrite, checkRecordId, encodeEnvelope } from './recordEnvelope.js';
import type { RecordTable } from './recordTable.js';
import {
  FILE_FORMAT,
  journalFile,
  readStateDirectory,
  removeGenerationsBefore,
  writeSnapshot,
  type JournalBatch,
  type JournalHeader,
  type JournalOp,
} from './stateDirectory.js';
import { FencedWriteError, type RecordTypes, type StateStore } from './stateStore.js';

export interface FileStateStoreOptions {
  dir: string;
  /** the directory's lock holder: SoleLeadership on the same directory */
  leadership: LeaderTermSource;
  logger?: Logger;
  /** compact once the journal is at least this large and larger than the last snapshot; default 4 MiB */
  compactAfterBytes?: number;
}

interface PendingOp {
  term: LeaderTerm;
  op: JournalOp;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** The open journal of one term, with the records it has made durable. */
interface Writer {
  epoch: number;
  generation: number;
  journal: JournalFile;
  records: RecordTable;
  snapshotBytes: number;
}

export class FileStateStore implements StateStore {
  private pending: PendingOp[] = [];
  private committing: Promise<void> | undefined;
  private writer: Writer | undefined;
  private closed = false;
  private readonly dir: string;
  private readonly logger: Logger;
  private readonly compactAfterBytes: number;

  constructor(private readonly options: FileStateStoreOptions) {
    this.dir = options.dir;
    this.logger = (options.logger ?? silentLogger()).child({ state: this.describe() });
    this.compactAfterBytes = options.compactAfterBytes ?? 4 * 1024 * 1024;
  }

  describe(): string {
    return `file:${this.dir}`;
  }

  async load(): Promise<StateSnapshot> {
    this.assertOpen();
    const term = this.options.leadership.currentTerm();
    const contents = await readStateDirectory(this.dir);
    if (term !== undefined && contents.maxEpoch > term.epoch) this.newerTermFound(term, contents.maxEpoch);
    if (contents.tornTail !== undefined) {
      this.logger.warn(contents.tornTail, 'ignoring an incomplete final journal entry (a write that was never acknowledged)');
    }
    return contents.records.toSnapshot();
  }

  async put<K extends RecordKind>(kind: K, id: string, record: RecordTypes[K]): Promise<void> {
    this.assertOpen();
    checkRecordForWrite(kind, id, record);
    const term = this.requireTerm();
    // a copy as JSON has it, so the caller changing its object later cannot change what was stored
    const stored = JSON.parse(JSON.stringify(record)) as unknown;
    await this.enqueue(term, { op: 'put', id: kind === 'framework' ? '' : id, envelope: encodeEnvelope(kind, term.epoch, stored) });
  }

  async delete(kind: RecordKind, id: string): Promise<void> {
    this.assertOpen();
    checkRecordId(kind, id);
    const term = this.requireTerm();
    // journalled even when absent: replaying a delete of nothing changes nothing
    await this.enqueue(term, { op: 'delete', kind, id: kind === 'framework' ? '' : id });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.committing;
    await this.dropWriter();
  }

  private enqueue(term: LeaderTerm, op: JournalOp): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ term, op, resolve, reject });
      this.committing ??= this.commitLoop().finally(() => {
        this.committing = undefined;
      });
    });
  }

  /** Group commit: everything queued while the previous fdatasync ran goes into the next entry. */
  private async commitLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      const term = this.options.leadership.currentTerm();
      const current: PendingOp[] = [];
      for (const p of batch) {
        if (term !== undefined && p.term.epoch === term.epoch) current.push(p);
        else p.reject(new FencedWriteError(this.describe(), `the term (leader epoch ${p.term.epoch}) that issued this write ended before it was written`));
      }
      if (term === undefined || current.length === 0) continue;
      let writer: Writer;
      try {
        writer = await this.openWriter(term);
        const entry: JournalBatch = { epoch: term.epoch, ops: current.map((p) => p.op) };
        await writer.journal.append(encodeFrame(entry));
      } catch (err) {
        for (const p of current) p.reject(err as Error);
        // a failed append may have left a partial entry: the next write reopens from disk
        await this.dropWriter().catch(() => undefined);
        continue;
      }
      for (const p of current) applyOp(writer.records, p.op);
      for (const p of current) p.resolve();
      if (writer.journal.bytes >= Math.max(this.compactAfterBytes, writer.snapshotBytes)) await this.compact(writer);
    }
  }

  /**
   * The first write of a term reads the directory afresh (nothing may have
   * changed without the lock, but the term trusts only the disk), refuses to
   * go on if a later epoch wrote there, and starts a new generation, which
   * also leaves any torn tail behind for good.
   */
  private async openWriter(term: LeaderTerm): Promise<Writer> {
    if (this.writer?.epoch === term.epoch) return this.writer;
    await this.dropWriter();
    const contents = await readStateDirectory(this.dir);
    if (contents.maxEpoch > term.epoch) this.newerTermFound(term, contents.maxEpoch);
    if (contents.tornTail !== undefined) {
      this.logger.warn(contents.tornTail, 'discarding an incomplete final journal entry (a write that was never acknowledged)');
    }
    const writer = await this.startGeneration(term.epoch, contents.generation + 1, contents.records);
    this.logger.info({ epoch: term.epoch, generation: writer.generation, records: contents.records.size }, 'state directory opened for writing');
    return writer;
  }

  private async compact(writer: Writer): Promise<void> {
    try {
      await writer.journal.close();
      this.writer = undefined;
      const next = await this.startGeneration(writer.epoch, writer.generation + 1, writer.records);
      this.logger.debug({ generation: next.generation, records: writer.records.size, snapshotBytes: next.snapshotBytes }, 'journal compacted into a snapshot');
    } catch (err) {
      // every acknowledged entry is still in the old generation; the next write reopens from disk
      this.logger.error({ err: (err as Error).message }, 'compacting the journal failed');
      await this.dropWriter().catch(() => undefined);
    }
  }

  /** Snapshot first (temp file, fsync, rename), then its empty journal, then the superseded files go. */
  private async startGeneration(epoch: number, generation: number, records: RecordTable): Promise<Writer> {
    const snapshotBytes = await writeSnapshot(this.dir, generation, epoch, records);
    const header: JournalHeader = { ferry: FILE_FORMAT, kind: 'journal', generation, epoch };
    const journal = await JournalFile.create(journalFile(this.dir, generation), header);
    this.writer = { epoch, generation, journal, records, snapshotBytes };
    // superseded files are ignored by readers, so failing to remove them costs only disk space
    await removeGenerationsBefore(this.dir, generation).catch((err: unknown) =>
      this.logger.warn({ generation, err: (err as Error).message }, 'could not remove superseded snapshot and journal files'),
    );
    return this.writer;
  }

  private async dropWriter(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    await writer?.journal.close();
  }

  private newerTermFound(term: LeaderTerm, epoch: number): never {
    const detail = `${this.dir} holds records from leader epoch ${epoch}, after this leader's epoch ${term.epoch}: a newer leader wrote there`;
    this.options.leadership.stepDown(term.epoch, detail);
    throw new FencedWriteError(this.describe(), `${detail}; this Ferry steps down`);
  }

  private requireTerm(): LeaderTerm {
    const term = this.options.leadership.currentTerm();
    if (term === undefined) {
      throw new FencedWriteError(this.describe(), 'this Ferry does not hold the state directory lock, so it does not lead; only the leader changes state');
    }
    return term;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the state store for ${this.describe()} is closed`);
  }
}

function applyOp(records: RecordTable, op: JournalOp): void {
  if (op.op === 'put') {
    const kind = op.envelope.kind as RecordKind;
    records.set({ kind, id: op.id, epoch: op.envelope.epoch, record: op.envelope.record });
  } else {
    records.delete(op.kind, op.id);
  }
}
