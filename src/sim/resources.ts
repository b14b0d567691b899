// Resource arithmetic as a Mesos master does it: fixed-point scalars, coalesced
// ranges, sets; reserved resources never merge with unreserved ones. Values are
// immutable: every operation returns a new one.

import type { Resource } from '../mesos/types.js';
import { assertNever } from './exhaustive.js';
import { coalesceRanges, formatRanges, formatSet, parseMesosValue, type Range } from './mesosValue.js';

type EntryValue =
  | { type: 'SCALAR'; milli: number }
  | { type: 'RANGES'; ranges: Range[] }
  | { type: 'SET'; items: string[] };

interface Entry {
  readonly name: string;
  /** '' for plain unreserved resources; otherwise what sets this resource apart (reservation, disk, revocable). */
  readonly qualifier: string;
  readonly value: EntryValue;
}

/** Offers list ports first, then cpus, mem, disk, then anything else: the order a Mesos master shows. */
const OFFER_ORDER = ['ports', 'cpus', 'mem', 'disk'];

export class Resources {
  static readonly EMPTY = new Resources([]);

  private constructor(private readonly entries: readonly Entry[]) {}

  /** Sums resources as a scheduler sent them; the caller has validated them (see validateResourceList). */
  static fromProtos(resources: readonly Resource[] | undefined): Resources {
    let result = Resources.EMPTY;
    for (const r of resources ?? []) {
      const entry = entryOf(r);
      if (entry !== undefined) result = result.plusEntry(entry);
    }
    return result;
  }

  /**
   * Parses an agent's --resources text ("cpus:4;mem:8192;ports:[31000-31999]").
   * Returns an error message naming the bad part.
   */
  static parse(text: string): Resources | string {
    let result = Resources.EMPTY;
    for (const token of text.split(/[;\n]/).map((t) => t.trim()).filter((t) => t !== '')) {
      const colon = token.indexOf(':');
      if (colon <= 0) return `resource '${token}' is not name:value`;
      let name = token.slice(0, colon).trim();
      const roleMatch = /^([^()]+)\((.*)\)$/.exec(name);
      if (roleMatch) {
        if (roleMatch[2] !== '*') return `resource '${token}' is reserved for role '${roleMatch[2]}'; the simulator offers unreserved ('*') resources only`;
        name = roleMatch[1]!;
      }
      const parsed = parseMesosValue(token.slice(colon + 1));
      if (!parsed.ok) return `resource '${token}': ${parsed.error}`;
      const v = parsed.value;
      switch (v.type) {
        case 'SCALAR':
          result = result.plusEntry({ name, qualifier: '', value: { type: 'SCALAR', milli: toMilli(v.value) } });
          break;
        case 'RANGES':
          result = result.plusEntry({ name, qualifier: '', value: { type: 'RANGES', ranges: v.ranges } });
          break;
        case 'SET':
          result = result.plusEntry({ name, qualifier: '', value: { type: 'SET', items: v.items } });
          break;
        case 'TEXT':
          return `resource '${token}' has a text value; resources are numbers, [ranges] or {sets}`;
        default:
          return assertNever(v);
      }
    }
    return result;
  }

  isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** The amount of a scalar resource, 0 when absent. */
  scalar(name: string): number {
    let milli = 0;
    for (const e of this.entries) {
      if (e.name === name && e.value.type === 'SCALAR') milli += e.value.milli;
    }
    return milli / 1000;
  }

  plus(other: Resources): Resources {
    let result: Resources = this;
    for (const e of other.entries) result = result.plusEntry(e);
    return result;
  }

  minus(other: Resources): Resources {
    const entries = this.entries.slice();
    for (const e of other.entries) {
      const i = entries.findIndex((x) => sameKind(x, e));
      if (i === -1) continue;
      const left = subtractValue(entries[i]!.value, e.value);
      if (left === undefined) entries.splice(i, 1);
      else entries[i] = { ...entries[i]!, value: left };
    }
    return new Resources(entries.filter((x) => !valueIsEmpty(x.value)));
  }

  contains(other: Resources): boolean {
    for (const e of other.entries) {
      const mine = this.entries.find((x) => sameKind(x, e));
      if (mine === undefined || !valueContains(mine.value, e.value)) return false;
    }
    return true;
  }

  /** The same resources listed in the order offers show them. */
  inOfferOrder(): Resources {
    const rank = (e: Entry): number => {
      const i = OFFER_ORDER.indexOf(e.name);
      return i === -1 ? OFFER_ORDER.length : i;
    };
    const sorted = this.entries
      .map((e, i) => ({ e, i }))
      .sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i)
      .map((x) => x.e);
    return new Resources(sorted);
  }

  /** Unreserved resources as an offer carries them: role "*" and the allocation role (none for an agent's total). */
  toProtos(allocationRole?: string): Resource[] {
    return this.entries.map((e) => {
      const r: Resource = { name: e.name, type: e.value.type };
      switch (e.value.type) {
        case 'SCALAR':
          r.scalar = { value: e.value.milli / 1000 };
          break;
        case 'RANGES':
          r.ranges = { range: e.value.ranges.map((x) => ({ begin: x.begin, end: x.end })) };
          break;
        case 'SET':
          r.set = { item: [...e.value.items] };
          break;
        default:
          return assertNever(e.value);
      }
      r.role = '*';
      if (allocationRole !== undefined) r.allocation_info = { role: allocationRole };
      return r;
    });
  }

  /**
   * Mesos's text for a set of resources, e.g.
   * "cpus(allocated: *):2; mem(allocated: *):2048; ports(allocated: *):[31000-31999]".
   */
  toText(allocationRole?: string): string {
    if (this.entries.length === 0) return '{}';
    return this.entries
      .map((e) => {
        const allocated = allocationRole === undefined ? '' : `(allocated: ${allocationRole})`;
        return `${e.name}${allocated}${e.qualifier}:${formatValue(e.value)}`;
      })
      .join('; ');
  }

  /** The JSON a master's /state uses: cpus, gpus, mem, disk always; ranges and sets as text. */
  toStateJson(): Record<string, number | string> {
    const out: Record<string, number | string> = { cpus: 0, gpus: 0, mem: 0, disk: 0 };
    const ranges = new Map<string, Range[]>();
    const sets = new Map<string, string[]>();
    for (const e of this.entries) {
      const name = e.qualifier.includes('{REV}') ? `${e.name}_revocable` : e.name;
      switch (e.value.type) {
        case 'SCALAR':
          out[name] = roundMilli(Number(out[name] ?? 0) * 1000 + e.value.milli) / 1000;
          break;
        case 'RANGES':
          ranges.set(name, coalesceRanges([...(ranges.get(name) ?? []), ...e.value.ranges]));
          break;
        case 'SET':
          sets.set(name, [...(sets.get(name) ?? []), ...e.value.items.filter((i) => !(sets.get(name) ?? []).includes(i))]);
          break;
        default:
          return assertNever(e.value);
      }
    }
    for (const [name, r] of ranges) out[name] = formatRanges(r);
    for (const [name, s] of sets) out[name] = formatSet(s);
    return out;
  }

  private plusEntry(e: Entry): Resources {
    if (valueIsEmpty(e.value)) return this;
    const i = this.entries.findIndex((x) => sameKind(x, e));
    if (i === -1) return new Resources([...this.entries, e]);
    const entries = this.entries.slice();
    entries[i] = { ...entries[i]!, value: addValue(entries[i]!.value, e.value) };
    return new Resources(entries);
  }
}

/**
 * Mesos's per-resource validation (Resources::validate), with its messages.
 * Returns the first error, naming the resource as Mesos prints it.
 */
export function validateResourceList(resources: readonly Resource[] | undefined): string | undefined {
  for (const r of resources ?? []) {
    const error = validateResource(r);
    if (error !== undefined) return `Resource '${describeRawResource(r)}' is invalid: ${error}`;
  }
  return undefined;
}

function validateResource(r: Resource): string | undefined {
  if (r.name === '') return 'Empty resource name';
  switch (r.type) {
    case 'SCALAR': {
      if (r.scalar === undefined || r.ranges !== undefined || r.set !== undefined) return 'Invalid scalar resource';
      const milli = toMilli(r.scalar.value);
      if (r.scalar.value !== 0 && milli <= 0) return 'Invalid scalar resource: value <= 0';
      return undefined;
    }
    case 'RANGES': {
      if (r.scalar !== undefined || r.ranges === undefined || r.set !== undefined) return 'Invalid ranges resource';
      const list = r.ranges.range ?? [];
      for (let i = 0; i < list.length; i++) {
        const a = list[i]!;
        if (a.begin > a.end) return 'Invalid ranges resource: begin > end';
        for (let j = i + 1; j < list.length; j++) {
          const b = list[j]!;
          if (a.begin <= b.begin && b.begin <= a.end) return 'Invalid ranges resource: overlapping ranges';
        }
      }
      return undefined;
    }
    case 'SET': {
      if (r.scalar !== undefined || r.ranges !== undefined || r.set === undefined) return 'Invalid set resource';
      const items = r.set.item ?? [];
      if (new Set(items).size !== items.length) return 'Invalid set resource: duplicated elements';
      return undefined;
    }
    case 'TEXT':
      return 'Unsupported resource type';
    default:
      return 'Invalid resource type';
  }
}

/** How Mesos prints one resource before the master has injected its allocation role. */
function describeRawResource(r: Resource): string {
  const entry = entryOf(r);
  const allocated = r.allocation_info?.role !== undefined ? `(allocated: ${r.allocation_info.role})` : '';
  const qualifier = entry?.qualifier ?? '';
  let value: string;
  switch (r.type) {
    case 'SCALAR':
      value = formatScalar(toMilli(r.scalar?.value ?? 0));
      break;
    case 'RANGES':
      value = formatRanges(r.ranges?.range ?? []);
      break;
    case 'SET':
      value = formatSet(r.set?.item ?? []);
      break;
    default:
      value = '';
  }
  return `${r.name}${allocated}${qualifier}:${value}`;
}

function entryOf(r: Resource): Entry | undefined {
  const qualifier = qualifierOf(r);
  switch (r.type) {
    case 'SCALAR':
      return { name: r.name, qualifier, value: { type: 'SCALAR', milli: toMilli(r.scalar?.value ?? 0) } };
    case 'RANGES':
      return {
        name: r.name,
        qualifier,
        value: { type: 'RANGES', ranges: coalesceRanges((r.ranges?.range ?? []).map((x) => ({ begin: x.begin, end: x.end }))) },
      };
    case 'SET':
      return { name: r.name, qualifier, value: { type: 'SET', items: [...new Set(r.set?.item ?? [])] } };
    default:
      return undefined;
  }
}

function qualifierOf(r: Resource): string {
  let q = '';
  const reservations = r.reservations ?? [];
  if (reservations.length > 0) {
    q += '(reservations: [' + reservations.map((x) => `(${x.type ?? 'UNKNOWN'},${x.role ?? ''})`).join(',') + '])';
  } else if (r.role !== undefined && r.role !== '*') {
    q += `(reservations: [(STATIC,${r.role})])`;
  } else if (r.reservation !== undefined) {
    q += `(reservations: [(DYNAMIC,${r.reservation.role ?? ''})])`;
  }
  if (r.disk !== undefined) q += '[' + JSON.stringify(r.disk) + ']';
  if (r.revocable !== undefined) q += '{REV}';
  if (r.shared !== undefined) q += '<SHARED>';
  return q;
}

function sameKind(a: Entry, b: Entry): boolean {
  return a.name === b.name && a.qualifier === b.qualifier && a.value.type === b.value.type;
}

function addValue(a: EntryValue, b: EntryValue): EntryValue {
  if (a.type === 'SCALAR' && b.type === 'SCALAR') return { type: 'SCALAR', milli: a.milli + b.milli };
  if (a.type === 'RANGES' && b.type === 'RANGES') return { type: 'RANGES', ranges: coalesceRanges([...a.ranges, ...b.ranges]) };
  if (a.type === 'SET' && b.type === 'SET') return { type: 'SET', items: [...a.items, ...b.items.filter((i) => !a.items.includes(i))] };
  return a;
}

/** a - b; undefined when nothing is left. */
function subtractValue(a: EntryValue, b: EntryValue): EntryValue | undefined {
  if (a.type === 'SCALAR' && b.type === 'SCALAR') {
    const milli = a.milli - b.milli;
    return milli > 0 ? { type: 'SCALAR', milli } : undefined;
  }
  if (a.type === 'RANGES' && b.type === 'RANGES') {
    const left = subtractRanges(a.ranges, b.ranges);
    return left.length > 0 ? { type: 'RANGES', ranges: left } : undefined;
  }
  if (a.type === 'SET' && b.type === 'SET') {
    const items = a.items.filter((i) => !b.items.includes(i));
    return items.length > 0 ? { type: 'SET', items } : undefined;
  }
  return a;
}

function valueContains(a: EntryValue, b: EntryValue): boolean {
  if (a.type === 'SCALAR' && b.type === 'SCALAR') return a.milli >= b.milli;
  if (a.type === 'RANGES' && b.type === 'RANGES') {
    return b.ranges.every((r) => a.ranges.some((x) => x.begin <= r.begin && r.end <= x.end));
  }
  if (a.type === 'SET' && b.type === 'SET') return b.items.every((i) => a.items.includes(i));
  return false;
}

function valueIsEmpty(v: EntryValue): boolean {
  switch (v.type) {
    case 'SCALAR':
      return v.milli <= 0;
    case 'RANGES':
      return v.ranges.length === 0;
    case 'SET':
      return v.items.length === 0;
    default:
      return assertNever(v);
  }
}

function subtractRanges(from: readonly Range[], remove: readonly Range[]): Range[] {
  let current = from.map((r) => ({ ...r }));
  for (const cut of remove) {
    const next: Range[] = [];
    for (const r of current) {
      if (cut.end < r.begin || cut.begin > r.end) {
        next.push(r);
        continue;
      }
      if (cut.begin > r.begin) next.push({ begin: r.begin, end: cut.begin - 1 });
      if (cut.end < r.end) next.push({ begin: cut.end + 1, end: r.end });
    }
    current = next;
  }
  return current;
}

function formatValue(v: EntryValue): string {
  switch (v.type) {
    case 'SCALAR':
      return formatScalar(v.milli);
    case 'RANGES':
      return formatRanges(v.ranges);
    case 'SET':
      return formatSet(v.items);
    default:
      return assertNever(v);
  }
}

/** Mesos rounds scalars to thousandths (convertToFixed) before printing them. */
function toMilli(value: number): number {
  return Math.round(value * 1000);
}

function roundMilli(milli: number): number {
  return Math.round(milli);
}

function formatScalar(milli: number): string {
  return String(milli / 1000);
}

