// Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self
// time per function and per file, optionally only for samples inside given
// windows of the monotonic clock (process.hrtime, which V8's profile
// timestamps share on Linux), so that one profile can be split into phases.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  /** share of the non-idle time in the window */
  share: number;
}

export interface ProfileSummary {
  /** non-idle sampled time in the window */
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  files: SelfTime[];
  /** every function's self time in ms, for differences between windows */
  allFunctions: Record<string, number>;
}

/** Monotonic clock in microseconds, the unit and base of .cpuprofile timestamps. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export function loadProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

export function profileSpan(profile: CpuProfile): { startUs: number; endUs: number } {
  return { startUs: profile.startTime, endUs: profile.endTime };
}

/** Self time by function and by file for samples within [fromUs, toUs) (the whole profile when not given). */
export function summarizeProfile(profile: CpuProfile, root: string, window?: { fromUs: number; toUs: number }, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fnTime = new Map<string, number>();
  const fileTime = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    // the time until the next sample is spent where this sample was taken
    const dt = profile.timeDeltas[i + 1] ?? 0;
    if (window !== undefined && (t < window.fromUs || t >= window.toUs)) continue;
    const node = byId.get(profile.samples[i]!);
    if (node === undefined) continue;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    busy += dt;
    const file = shortUrl(frame.url, root);
    const fn = `${frame.functionName || '(anonymous)'}${file === '' ? '' : ` ${file}:${frame.lineNumber + 1}`}`;
    fnTime.set(fn, (fnTime.get(fn) ?? 0) + dt);
    const fileKey = file === '' ? frame.functionName : file;
    fileTime.set(fileKey, (fileTime.get(fileKey) ?? 0) + dt);
  }
  const rank = (m: Map<string, number>): SelfTime[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, share: busy > 0 ? Math.round((us / busy) * 1000) / 10 : 0 }));
  return {
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    functions: rank(fnTime),
    files: rank(fileTime),
    allFunctions: Object.fromEntries([...fnTime].map(([k, us]) => [k, us / 1000])),
  };
}

/**
 * What a window costs beyond a baseline window of the same length, per unit
 * (e.g. per offer round): self time per function of `window` minus `baseline`,
 * divided by `units`, largest first.
 */
export function extraPerUnit(window: ProfileSummary, baseline: ProfileSummary, units: number, top = 20): { totalMs: number; functions: SelfTime[] } {
  const names = new Set([...Object.keys(window.allFunctions), ...Object.keys(baseline.allFunctions)]);
  const extra: [string, number][] = [];
  for (const n of names) extra.push([n, ((window.allFunctions[n] ?? 0) - (baseline.allFunctions[n] ?? 0)) / units]);
  const total = (window.busyMs - baseline.busyMs) / units;
  return {
    totalMs: Math.round(total * 10) / 10,
    functions: extra
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms * 10) / 10, share: total > 0 ? Math.round((ms / total) * 1000) / 10 : 0 })),
  };
}

function shortUrl(url: string, root: string): string {
  if (url === '') return '';
  let path = url;
  if (url.startsWith('file://')) {
    try {
      path = fileURLToPath(url);
    } catch {
      return url;
    }
  }
  if (path.startsWith('node:')) return path;
  const rel = relative(root, path);
  return rel.startsWith('..') ? path : rel;
}

export function printSummary(title: string, summary: ProfileSummary, lines = 20): void {
  console.log(`  ${title}: ${summary.busyMs} ms busy (${summary.idleMs} ms idle) in the samples`);
  console.log('    top self time by function:');
  for (const f of summary.functions.slice(0, lines)) console.log(`      ${f.share.toFixed(1).padStart(5)}%  ${String(f.ms).padStart(8)} ms  ${f.name}`);
  console.log('    by file:');
  for (const f of summary.files.slice(0, Math.min(lines, 12))) console.log(`      ${f.share.toFixed(1).padStart(5)}%  ${String(f.ms).padStart(8)} ms  ${f.name}`);
}
