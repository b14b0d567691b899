// Holds the simulator to the event streams recorded from a real Mesos 1.12
// master (test/fixtures/mesos-reference): loads a recording, pairs each
// recorded event with the simulator's event for the same thing, and compares
// them field for field — the same keys at every level, the same value types,
// and equal states, sources, reasons, messages and event types. Values that
// must differ between runs (ids, uuids, timestamps, pids, ports) are compared
// by type only; ids inside messages are normalized first.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/common/packageRoot.js';
import type { Test } from 'tap';
import type { SchedulerEvent } from '../../src/mesos/events.js';

export interface ReferenceRecording {
  /** Events of the first subscriber ("in"), in order. */
  stream: SchedulerEvent[];
  /** Events of a second subscriber ("in2"). */
  stream2: SchedulerEvent[];
  /** Calls with the master's answers ("out"). */
  calls: { call: unknown; answer?: { status: number; body?: string } }[];
}

export function loadReference(name: string): ReferenceRecording {
  const text = readFileSync(join(packageRoot(), 'test', 'fixtures', 'mesos-reference', name), 'utf8');
  const recording: ReferenceRecording = { stream: [], stream2: [], calls: [] };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as { type?: string; dir?: string; event?: SchedulerEvent; call?: unknown; answer?: { status: number; body?: string } };
    if (entry.type !== undefined) recording.stream.push(entry as unknown as SchedulerEvent);
    else if (entry.dir === 'in' && entry.event !== undefined) recording.stream.push(entry.event);
    else if (entry.dir === 'in2' && entry.event !== undefined) recording.stream2.push(entry.event);
    else if (entry.dir === 'out') recording.calls.push({ call: entry.call, ...(entry.answer !== undefined ? { answer: entry.answer } : {}) });
  }
  return recording;
}

/** Keys whose values carry meaning and must be equal; every other leaf is compared by type. */
const COMPARED_VALUES = new Set(['type', 'state', 'source', 'reason', 'message', 'healthy', 'scheme', 'role', 'protocol']);

/** Replaces what differs between runs inside texts: UUIDs, and ids derived from a master id. */
export function normalizeText(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-O\d+/g, '<offer>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-S\d+/g, '<agent>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\d{4}/g, '<framework>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
}

/** Every way `actual` departs from the shape of `expected`, as readable paths; empty when they agree. */
export function shapeDifferences(actual: unknown, expected: unknown, path = '$', key = ''): string[] {
  const kind = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (kind(actual) !== kind(expected)) return [`${path}: expected ${kind(expected)}, got ${kind(actual)} (${JSON.stringify(actual)})`];
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length === expected.length) return actual.flatMap((a, i) => shapeDifferences(a, expected[i], `${path}[${i}]`, key));
    // Lists of different lengths (offers, attributes): each element must have the shape of one recorded element.
    return actual.flatMap((a, i) => {
      const fits = expected.some((e) => shapeDifferences(a, e, '', key).length === 0);
      return fits ? [] : [`${path}[${i}]: ${JSON.stringify(a)} has the shape of no recorded element`];
    });
  }
  if (kind(actual) === 'object') {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const out: string[] = [];
    const missing = Object.keys(e).filter((k) => !(k in a));
    const extra = Object.keys(a).filter((k) => !(k in e));
    if (missing.length > 0) out.push(`${path}: missing keys ${missing.join(', ')}`);
    if (extra.length > 0) out.push(`${path}: unexpected keys ${extra.join(', ')}`);
    for (const k of Object.keys(e)) if (k in a) out.push(...shapeDifferences(a[k], e[k], `${path}.${k}`, k));
    return out;
  }
  if (COMPARED_VALUES.has(key)) {
    const av = typeof actual === 'string' ? normalizeText(actual) : actual;
    const ev = typeof expected === 'string' ? normalizeText(expected) : expected;
    if (av !== ev) return [`${path}: expected ${JSON.stringify(ev)}, got ${JSON.stringify(av)}`];
  }
  return [];
}

/** What an event is about, to pair recorded and simulated events: type, task, state and message. */
export function eventKey(event: SchedulerEvent): string {
  if (event.type === 'UPDATE') {
    const s = event.update.status;
    return `UPDATE ${s.task_id.value} ${s.state} ${normalizeText(s.message ?? '')}`;
  }
  return event.type;
}

export type Assertions = Pick<Test, 'ok' | 'same'>;

/**
 * For every recorded event, finds the simulator's event with the same key and
 * asserts it has the same shape. `taskIds` maps recorded task ids to the ones the
 * replay used, when they differ.
 */
export function assertMatchesReference(t: Assertions, actual: readonly SchedulerEvent[], recorded: readonly SchedulerEvent[], taskIds: Record<string, string> = {}): void {
  const used = new Set<number>();
  for (const expected of recorded) {
    let key = eventKey(expected);
    for (const [recordedId, replayedId] of Object.entries(taskIds)) key = key.replace(` ${recordedId} `, ` ${replayedId} `);
    const index = actual.findIndex((e, i) => !used.has(i) && eventKey(e) === key);
    t.ok(index !== -1, `the simulator sent ${key}`);
    if (index === -1) continue;
    used.add(index);
    t.same(shapeDifferences(actual[index], expected), [], `${key} has the recorded shape`);
  }
}
