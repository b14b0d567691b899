// How `ferry` prints: aligned tables and field lists for people, JSON for
// scripts, and the small formats (sizes, durations, ages) they share. Colour
// only on a terminal that wants it; piped output is plain text.

import type { Writable } from 'node:stream';

export type Tone = 'good' | 'bad' | 'busy' | 'dim' | 'strong';

/** A table cell: text, optionally with a tone that colour shows (alignment ignores it). */
export type Cell = string | { text: string; tone?: Tone };

const ANSI: Record<Tone, [string, string]> = {
  good: ['\u001b[32m', '\u001b[39m'],
  bad: ['\u001b[31m', '\u001b[39m'],
  busy: ['\u001b[33m', '\u001b[39m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  strong: ['\u001b[1m', '\u001b[22m'],
};

/** Whether a stream wants colour: a terminal, NO_COLOR unset, TERM not "dumb"; FORCE_COLOR wins. */
export function wantsColour(stream: Writable & { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const forced = env['FORCE_COLOR'];
  if (forced !== undefined && forced !== '') return forced !== '0' && forced !== 'false';
  return stream.isTTY === true && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
}

export class Output {
  constructor(
    private readonly stream: Writable,
    readonly colour: boolean,
    /** a terminal that can redraw its last line */
    readonly live: boolean = false,
  ) {}

  static stdout(): Output {
    return new Output(process.stdout, wantsColour(process.stdout), process.stdout.isTTY === true);
  }

  static stderr(): Output {
    return new Output(process.stderr, wantsColour(process.stderr), process.stderr.isTTY === true);
  }

  write(text: string): void {
    this.stream.write(text);
  }

  line(text = ''): void {
    this.stream.write(`${text}\n`);
  }

  /** The API's JSON as it came, for scripts. */
  json(value: unknown): void {
    this.stream.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  paint(text: string, tone: Tone | undefined): string {
    if (!this.colour || tone === undefined || text === '') return text;
    const [on, off] = ANSI[tone];
    return `${on}${text}${off}`;
  }

  /** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
  table(headers: readonly string[], rows: readonly (readonly Cell[])[]): void {
    const cells = rows.map((row) => headers.map((_, i) => normalizeCell(row[i])));
    const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.text.length)));
    const render = (row: readonly { text: string; tone?: Tone }[]): string =>
      row
        .map((cell, i) => {
          const padded = i === row.length - 1 ? cell.text : cell.text.padEnd(widths[i]!);
          return this.paint(padded, cell.tone);
        })
        .join('  ')
        .trimEnd();
    this.line(render(headers.map((h) => ({ text: h, tone: 'strong' as const }))));
    for (const row of cells) this.line(render(row));
  }

  /** "label: value" lines with the values aligned; undefined values are left out. */
  fields(pairs: readonly (readonly [string, Cell | undefined])[]): void {
    const shown = pairs.filter((p): p is readonly [string, Cell] => p[1] !== undefined);
    const width = Math.max(0, ...shown.map(([label]) => label.length + 1));
    for (const [label, value] of shown) {
      const cell = normalizeCell(value);
      this.line(`${`${label}:`.padEnd(width)}  ${this.paint(cell.text, cell.tone)}`);
    }
  }

  /** A section heading above a table. */
  heading(text: string): void {
    this.line();
    this.line(this.paint(text, 'strong'));
  }
}

function normalizeCell(cell: Cell | undefined): { text: string; tone?: Tone } {
  if (cell === undefined) return { text: '-' };
  if (typeof cell === 'string') return { text: cell === '' ? '-' : cell };
  return { text: cell.text === '' ? '-' : cell.text, ...(cell.tone !== undefined ? { tone: cell.tone } : {}) };
}

const GOOD = new Set(['TASK_RUNNING', 'SUCCEEDED', 'READY', 'ok']);
const BAD = new Set(['TASK_FAILED', 'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNREACHABLE', 'FAILED', 'UNAVAILABLE', 'failed']);
const BUSY = new Set(['running', 'TASK_STAGING', 'TASK_STARTING', 'TASK_KILLING', 'RUNNING', 'MOVING', 'PREPARING', 'NEW', 'ROLLED_BACK', 'CANCELLED', 'skipped']);

/** A state word with the tone that colours it. */
export function stateCell(state: string | undefined): Cell {
  if (state === undefined) return '-';
  if (GOOD.has(state)) return { text: state, tone: 'good' };
  if (BAD.has(state)) return { text: state, tone: 'bad' };
  if (BUSY.has(state)) return { text: state, tone: 'busy' };
  return state;
}

/** A size in MiB as people read it: "512 MiB", "1 GiB", "1.5 GiB", "2 TiB". */
export function formatMiB(mib: number | undefined): string {
  if (mib === undefined || !Number.isFinite(mib)) return '-';
  const units = ['MiB', 'GiB', 'TiB'];
  let value = mib;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1).replace(/\.0$/, '')} ${units[unit]}`;
}

/** A byte count as people read it: "20 B", "3.5 KiB", "12 MiB". */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '-';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return formatMiB(bytes / (1024 * 1024));
}

/** A duration as people read it: "850 ms", "4.2 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min${seconds % 60 === 0 ? '' : ` ${seconds % 60} s`}`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h${minutes % 60 === 0 ? '' : ` ${minutes % 60} min`}`;
}

/** How long ago an ISO time was: "12 s ago", "3 min ago"; the time itself when it cannot be read. */
export function formatAge(iso: string | undefined, now: number = Date.now()): string {
  if (iso === undefined) return '-';
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return iso;
  const ms = Math.max(0, now - at);
  if (ms < 1000) return 'just now';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** yes/no for booleans, "-" when unknown. */
export function formatYesNo(value: boolean | undefined): string {
  if (value === undefined) return '-';
  return value ? 'yes' : 'no';
}

/** A health check's verdict: green yes, red no, "-" when the task has no check (or no result yet). */
export function healthCell(healthy: boolean | undefined): Cell {
  if (healthy === undefined) return '-';
  return healthy ? { text: 'yes', tone: 'good' } : { text: 'no', tone: 'bad' };
}
