// The one place where a stored record is wrapped for storage and unwrapped on
// the way back: {"ferry": schema, "kind", "epoch", "record"}. Older schemas are
// migrated here; anything newer, unknown or malformed is refused with a
// CorruptStateError naming where it was found. Nothing is reset or skipped.

import type { RecordKind } from './model.js';
import { CorruptStateError, InvalidRecordError, type RecordTypes } from './stateStore.js';

/** The schema this Ferry writes. Bump it together with a migration step below. */
export const STATE_SCHEMA_VERSION = 1;

/** Record kinds plus the bookkeeping nodes that share the envelope (the leader epoch). */
export type EnvelopeKind = RecordKind | 'epoch';

export interface Envelope {
  ferry: number;
  kind: EnvelopeKind;
  /** the leader epoch of the term that wrote it */
  epoch: number;
  record: unknown;
}

/**
 * MIGRATIONS[n - 1] turns a schema-n record into a schema-(n + 1) record of
 * the same kind. Schema 1 is the first layout Ferry ever wrote, so there is
 * nothing to migrate yet; a change to a record's layout bumps
 * STATE_SCHEMA_VERSION and appends its step here, and readers apply every
 * step from the stored schema up to the current one.
 */
const MIGRATIONS: ReadonlyArray<(kind: EnvelopeKind, record: unknown) => unknown> = [];

const RECORD_KINDS: ReadonlySet<string> = new Set<RecordKind>(['framework', 'app', 'dataset', 'task', 'move']);

export function isRecordKind(value: string): value is RecordKind {
  return RECORD_KINDS.has(value);
}

export function encodeEnvelope(kind: EnvelopeKind, epoch: number, record: unknown): Envelope {
  return { ferry: STATE_SCHEMA_VERSION, kind, epoch, record };
}

/** Parses stored bytes (UTF-8 JSON); corrupt JSON is a CorruptStateError at `location`. */
export function parseStoredJson(location: string, bytes: Buffer | string): unknown {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CorruptStateError(location, `not valid JSON (${(err as Error).message}): ${preview(text)}`);
  }
}

/**
 * Checks the envelope around any stored value and migrates its record to the
 * current schema. `kind` is what the location says must be stored there.
 */
export function openEnvelope(location: string, value: unknown, kind: EnvelopeKind): { epoch: number; record: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CorruptStateError(location, 'not a Ferry record envelope (expected a JSON object with "ferry", "kind", "epoch" and "record")');
  }
  const v = value as Record<string, unknown>;
  const schema = v['ferry'];
  if (typeof schema !== 'number' || !Number.isInteger(schema) || schema < 1) {
    throw new CorruptStateError(location, `not a Ferry record envelope ("ferry" schema version is ${JSON.stringify(schema)}, expected a positive integer)`);
  }
  if (schema > STATE_SCHEMA_VERSION) {
    throw new CorruptStateError(
      location,
      `written with state schema ${schema} by a newer Ferry; this Ferry reads schemas 1 to ${STATE_SCHEMA_VERSION}`,
    );
  }
  if (v['kind'] !== kind) {
    throw new CorruptStateError(location, `holds a "${String(v['kind'])}" record where a "${kind}" record belongs`);
  }
  const epoch = v['epoch'];
  if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) {
    throw new CorruptStateError(location, `envelope epoch is ${JSON.stringify(epoch)}, expected a non-negative integer`);
  }
  if (!('record' in v)) throw new CorruptStateError(location, 'envelope has no "record"');
  let record = v['record'];
  for (let from = schema; from < STATE_SCHEMA_VERSION; from++) {
    const step = MIGRATIONS[from - 1];
    if (step === undefined) throw new CorruptStateError(location, `no migration from state schema ${from} to ${from + 1}`);
    record = step(kind, record);
  }
  return { epoch, record };
}

/**
 * Opens an envelope holding one of Ferry's records and checks that the record
 * is the one the location names (an app stored under another app's id is
 * damage, not data).
 */
export function openRecord<K extends RecordKind>(
  location: string,
  value: unknown,
  kind: K,
  id: string | undefined,
): { epoch: number; record: RecordTypes[K] } {
  const { epoch, record } = openEnvelope(location, value, kind);
  const problem = recordProblem(kind, record, id);
  if (problem !== undefined) throw new CorruptStateError(location, problem);
  return { epoch, record: record as RecordTypes[K] };
}

/** Refuses, before anything is written, a record that could not be read back under its id. */
export function checkRecordForWrite(kind: RecordKind, id: string, record: unknown): void {
  checkRecordId(kind, id);
  const problem = recordProblem(kind, record, kind === 'framework' ? undefined : id);
  if (problem !== undefined) throw new InvalidRecordError(kind, id, problem);
}

/** Refuses an id no store can keep (puts and deletes alike). */
export function checkRecordId(kind: RecordKind, id: string): void {
  // the framework record is a singleton: its id argument names nothing
  if (kind === 'framework') return;
  if (id === '') throw new InvalidRecordError(kind, id, 'the id is empty');
  if (/\p{Cs}/u.test(id)) throw new InvalidRecordError(kind, id, 'the id is not well-formed Unicode (lone surrogate)');
}

/** The id field each kind carries; moves are opaque until the move orchestrator defines them. */
const ID_FIELDS: Record<RecordKind, string | undefined> = {
  framework: 'frameworkId',
  app: 'id',
  dataset: 'name',
  task: 'taskId',
  move: undefined,
};

function recordProblem(kind: RecordKind, record: unknown, id: string | undefined): string | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return `the ${kind} record is ${record === null ? 'null' : Array.isArray(record) ? 'an array' : typeof record}, expected an object`;
  }
  const field = ID_FIELDS[kind];
  if (field === undefined) return undefined;
  const value = (record as Record<string, unknown>)[field];
  if (typeof value !== 'string' || value === '') return `the ${kind} record has no "${field}"`;
  if (id !== undefined && value !== id) return `the ${kind} record's ${field} is "${value}" but it is stored as "${id}"`;
  return undefined;
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 80 ? `${JSON.stringify(flat.slice(0, 80))}...` : JSON.stringify(flat);
}
