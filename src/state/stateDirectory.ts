// The file store's directory layout and how it is read back: snapshot-G
// holds every record as of the start of generation G, journal-G the group
// commits made since. Reading takes the highest snapshot and replays its
// journal; only that journal's incomplete final entry may be ignored. It
// never deletes or repairs anything while reading.

import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from './durableFile.js';
import { encodeFrame, entryLocation, readFrames, type Frame } from './journalFrames.js';
import type { RecordKind } from './model.js';
import { encodeEnvelope, isRecordKind, openRecord } from './recordEnvelope.js';
import { RecordTable } from './recordTable.js';
import { CorruptStateError } from './stateStore.js';
import type { Envelope } from './recordEnvelope.js';

/** The layout of snapshot and journal files; bump with a reader for the old one. */
export const FILE_FORMAT = 1;
const NAME = /^(snapshot|journal)-(\d{10})\.ferry$/;

export function snapshotFile(dir: string, generation: number): string {
  return join(dir, `snapshot-${String(generation).padStart(10, '0')}.ferry`);
}

export function journalFile(dir: string, generation: number): string {
  return join(dir, `journal-${String(generation).padStart(10, '0')}.ferry`);
}

export type JournalOp = { op: 'put'; id: string; envelope: Envelope } | { op: 'delete'; kind: RecordKind; id: string };

export interface JournalHeader {
  ferry: number;
  kind: 'journal';
  generation: number;
  /** the epoch of the term that opened this journal */
  epoch: number;
}

export interface JournalBatch {
  epoch: number;
  ops: JournalOp[];
}

export interface StateDirectoryContents {
  /** the generation read; 0 when the directory holds no state yet */
  generation: number;
  records: RecordTable;
  /** the highest leader epoch found in any header, batch or record */
  maxEpoch: number;
  snapshotBytes: number;
  journalBytes: number;
  /** an incomplete final journal entry that was ignored (never acknowledged) */
  tornTail: { file: string; bytes: number } | undefined;
}

/** Reads the directory's state; retried when a compaction replaces files mid-read. */
export async function readStateDirectory(dir: string): Promise<StateDirectoryContents> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readOnce(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw err;
    }
  }
}

async function readOnce(dir: string): Promise<StateDirectoryContents> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyContents();
    throw err;
  }
  const snapshots: number[] = [];
  const journals: number[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (m) (m[1] === 'snapshot' ? snapshots : journals).push(Number(m[2]));
  }
  if (snapshots.length === 0) {
    if (journals.length > 0) {
      throw new CorruptStateError(journalFile(dir, Math.max(...journals)), 'a journal without any snapshot: the snapshot it continues is missing');
    }
    return emptyContents();
  }
  const generation = Math.max(...snapshots);
  const ahead = journals.filter((g) => g > generation);
  if (ahead.length > 0) {
    throw new CorruptStateError(journalFile(dir, Math.max(...ahead)), `a journal newer than the newest snapshot (generation ${generation}): that snapshot is missing`);
  }

  const contents = emptyContents();
  contents.generation = generation;
  const snapshotPath = snapshotFile(dir, generation);
  const snapshotBytes = await readFile(snapshotPath);
  contents.snapshotBytes = snapshotBytes.length;
  applySnapshot(snapshotPath, readFrames(snapshotPath, snapshotBytes, { allowTornTail: false }).frames, generation, contents);

  const journalPath = journalFile(dir, generation);
  let journalBytes: Buffer;
  try {
    journalBytes = await readFile(journalPath);
  } catch (err) {
    // a compaction that stopped between writing the snapshot and creating its journal
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && journals.every((g) => g !== generation)) return contents;
    throw err;
  }
  contents.journalBytes = journalBytes.length;
  const { frames, tornBytes } = readFrames(journalPath, journalBytes, { allowTornTail: true });
  if (tornBytes > 0) contents.tornTail = { file: journalPath, bytes: tornBytes };
  applyJournal(journalPath, frames, generation, contents);
  return contents;
}

function emptyContents(): StateDirectoryContents {
  return { generation: 0, records: new RecordTable(), maxEpoch: 0, snapshotBytes: 0, journalBytes: 0, tornTail: undefined };
}

function applySnapshot(file: string, frames: Frame[], generation: number, contents: StateDirectoryContents): void {
  const [header, ...rows] = frames;
  if (header === undefined) throw new CorruptStateError(file, 'the snapshot is empty (no header entry)');
  const h = checkHeader(file, header, 'snapshot', generation);
  const count = (header.value as { records?: unknown }).records;
  if (typeof count !== 'number' || count !== rows.length) {
    throw new CorruptStateError(file, `the snapshot header announces ${String(count)} records but ${rows.length} follow`);
  }
  contents.maxEpoch = Math.max(contents.maxEpoch, h.epoch);
  for (const row of rows) {
    const where = entryLocation(file, row.entry, row.offset);
    const v = row.value as { id?: unknown; envelope?: unknown } | null;
    if (typeof v !== 'object' || v === null || typeof v.id !== 'string') throw new CorruptStateError(where, 'a snapshot entry without an "id"');
    applyPut(where, v.id, v.envelope, contents);
  }
}

function applyJournal(file: string, frames: Frame[], generation: number, contents: StateDirectoryContents): void {
  const [header, ...batches] = frames;
  if (header === undefined) return; // created but its header never became durable: nothing was acknowledged
  const h = checkHeader(file, header, 'journal', generation);
  contents.maxEpoch = Math.max(contents.maxEpoch, h.epoch);
  for (const batch of batches) {
    const where = entryLocation(file, batch.entry, batch.offset);
    const b = batch.value as Partial<JournalBatch> | null;
    if (typeof b !== 'object' || b === null || !Number.isInteger(b.epoch) || !Array.isArray(b.ops)) {
      throw new CorruptStateError(where, 'not a journal batch ({"epoch", "ops"} expected)');
    }
    contents.maxEpoch = Math.max(contents.maxEpoch, b.epoch!);
    b.ops.forEach((op: unknown, i) => applyOp(`${where}, op ${i + 1}`, op, contents));
  }
}

function checkHeader(file: string, frame: Frame, kind: 'snapshot' | 'journal', generation: number): { epoch: number } {
  const where = entryLocation(file, frame.entry, frame.offset);
  const v = frame.value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || typeof v['ferry'] !== 'number') throw new CorruptStateError(where, `not a Ferry ${kind} header`);
  if (v['ferry'] > FILE_FORMAT) {
    throw new CorruptStateError(where, `${kind} file format ${String(v['ferry'])} was written by a newer Ferry; this Ferry reads format ${FILE_FORMAT}`);
  }
  if (v['kind'] !== kind || v['generation'] !== generation) {
    throw new CorruptStateError(where, `header says ${String(v['kind'])} generation ${String(v['generation'])}, expected ${kind} generation ${generation}`);
  }
  const epoch = v['epoch'];
  if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) throw new CorruptStateError(where, `header epoch ${String(epoch)} is not an epoch`);
  return { epoch };
}

function applyOp(where: string, op: unknown, contents: StateDirectoryContents): void {
  const o = op as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || typeof o['id'] !== 'string') throw new CorruptStateError(where, 'not a journal op (no "id")');
  if (o['op'] === 'put') {
    applyPut(where, o['id'], o['envelope'], contents);
  } else if (o['op'] === 'delete') {
    const kind = o['kind'];
    if (typeof kind !== 'string' || !isRecordKind(kind)) throw new CorruptStateError(where, `delete of unknown record kind ${JSON.stringify(kind)}`);
    contents.records.delete(kind, o['id']);
  } else {
    throw new CorruptStateError(where, `unknown journal op ${JSON.stringify(o['op'])}`);
  }
}

function applyPut(where: string, id: string, envelope: unknown, contents: StateDirectoryContents): void {
  const kind = (envelope as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !isRecordKind(kind)) {
    throw new CorruptStateError(where, `not a Ferry record envelope of a known kind (kind ${JSON.stringify(kind)})`);
  }
  const { epoch, record } = openRecord(where, envelope, kind, kind === 'framework' ? undefined : id);
  contents.maxEpoch = Math.max(contents.maxEpoch, epoch);
  contents.records.set({ kind, id: kind === 'framework' ? '' : id, epoch, record });
}

/** Writes snapshot-G durably (temp file, fsync, rename); returns its size in bytes. */
export async function writeSnapshot(dir: string, generation: number, epoch: number, records: RecordTable): Promise<number> {
  const frames: Buffer[] = [encodeFrame({ ferry: FILE_FORMAT, kind: 'snapshot', generation, epoch, records: records.size })];
  for (const row of records.values()) {
    frames.push(encodeFrame({ id: row.id, envelope: encodeEnvelope(row.kind, row.epoch, row.record) }));
  }
  const bytes = Buffer.concat(frames);
  await writeFileDurably(snapshotFile(dir, generation), bytes);
  return bytes.length;
}

/** Removes snapshots and journals older than `generation` (superseded by its snapshot). */
export async function removeGenerationsBefore(dir: string, generation: number): Promise<void> {
  for (const name of await readdir(dir)) {
    const m = NAME.exec(name);
    if (m && Number(m[2]) < generation) await rm(join(dir, name), { force: true });
  }
}
