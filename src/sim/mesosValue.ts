// Parses a value the way Mesos agent flags write them: "[1-5]" ranges, "{a,b}"
// sets, non-negative numbers, else text (spaces removed, as values::parse
// does). It returns errors as values and never throws.

export interface Range {
  begin: number;
  end: number;
}

export type MesosValue =
  | { type: 'SCALAR'; value: number }
  | { type: 'RANGES'; ranges: Range[] }
  | { type: 'SET'; items: string[] }
  | { type: 'TEXT'; value: string };

export type MesosValueResult = { ok: true; value: MesosValue } | { ok: false; error: string };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const UNSIGNED = /^\d+$/;

export function parseMesosValue(text: string): MesosValueResult {
  const compact = text.replace(/ /g, '');
  if (compact.length === 0) return { ok: false, error: 'Expecting non-empty string' };
  if (!bracketsMatch(compact)) return { ok: false, error: 'Mismatched brackets' };

  const bracket = compact.indexOf('[');
  if (bracket === 0) {
    const tokens = compact.split(/[[\]\-,\n]/).filter((t) => t !== '');
    if (tokens.length % 2 !== 0) return { ok: false, error: 'Expecting one or more "ranges"' };
    const ranges: Range[] = [];
    for (let i = 0; i < tokens.length; i += 2) {
      const begin = tokens[i]!;
      const end = tokens[i + 1]!;
      if (!UNSIGNED.test(begin) || !UNSIGNED.test(end)) {
        return { ok: false, error: `Expecting non-negative integers in '${begin}'` };
      }
      ranges.push({ begin: Number(begin), end: Number(end) });
    }
    return { ok: true, value: { type: 'RANGES', ranges: coalesceRanges(ranges) } };
  }
  if (bracket !== -1) return { ok: false, error: "Unexpected '[' found" };

  const brace = compact.indexOf('{');
  if (brace === 0) {
    const items = compact.split(/[{},\n]/).filter((t) => t !== '');
    return { ok: true, value: { type: 'SET', items } };
  }
  if (brace !== -1) return { ok: false, error: "Unexpected '{' found" };

  if (NUMBER.test(compact)) {
    const value = Number(compact);
    if (Number.isFinite(value) && value >= 0) return { ok: true, value: { type: 'SCALAR', value } };
  }
  return { ok: true, value: { type: 'TEXT', value: compact } };
}

/** Sorts ranges and merges those that overlap or touch, as Mesos's coalesce does. */
export function coalesceRanges(ranges: readonly Range[]): Range[] {
  if (ranges.length === 0) return [];
  const sorted = [...ranges].sort((a, b) => a.begin - b.begin || a.end - b.end);
  const out: Range[] = [{ ...sorted[0]! }];
  for (let i = 1; i < sorted.length; i++) {
    const r = sorted[i]!;
    const last = out[out.length - 1]!;
    if (r.begin <= last.end + 1) {
      if (r.end > last.end) last.end = r.end;
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/** "[31000-31999, 32001-32002]", as Mesos prints Value::Ranges. */
export function formatRanges(ranges: readonly Range[]): string {
  return '[' + ranges.map((r) => `${r.begin}-${r.end}`).join(', ') + ']';
}

/** "{a, b}", as Mesos prints Value::Set. */
export function formatSet(items: readonly string[]): string {
  return '{' + items.join(', ') + '}';
}

function bracketsMatch(text: string): boolean {
  for (const [open, close] of [
    ['{', '}'],
    ['[', ']'],
    ['(', ')'],
  ] as const) {
    let depth = 0;
    for (const c of text) {
      if (c === open) depth++;
      else if (c === close && --depth < 0) return false;
    }
    if (depth !== 0) return false;
  }
  return true;
}
