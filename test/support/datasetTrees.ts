// Dataset trees for copy tests: write files with chosen sizes, modes and
// mtimes, and snapshot a tree (type, mode, mtime to the microsecond, size,
// content hash, link target, allocated blocks) so that a source and a
// destination can be compared. Tests only: it reads both sides freely.

import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink, utimes, writeFile, mkdir, lutimes, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface EntrySnapshot {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  mtimeUs: string;
  size: number;
  sha1?: string;
  target?: string;
  /** 512-byte blocks allocated: how sparse a file is */
  allocated: number;
}

export async function snapshotTree(root: string): Promise<Map<string, EntrySnapshot>> {
  const out = new Map<string, EntrySnapshot>();
  const visit = async (relative: string): Promise<void> => {
    const full = relative === '.' ? root : join(root, relative);
    const s = await lstat(full, { bigint: true });
    const base = { mode: Number(s.mode & 0o7777n), mtimeUs: (s.mtimeNs / 1000n).toString(), size: Number(s.size), allocated: Number(s.blocks) };
    if (s.isSymbolicLink()) {
      out.set(relative, { ...base, type: 'symlink', mode: 0, target: await readlink(full) });
    } else if (s.isDirectory()) {
      out.set(relative, { ...base, type: 'dir', size: 0, allocated: 0 });
      for (const name of (await readdir(full)).sort()) await visit(relative === '.' ? name : `${relative}/${name}`);
    } else {
      out.set(relative, { ...base, type: 'file', sha1: createHash('sha1').update(await readFile(full)).digest('hex') });
    }
  };
  await visit('.');
  return out;
}

/** The differences between two snapshots, ignoring allocation (and the root's mode, which the destination's creator sets). */
export function treeDifferences(source: Map<string, EntrySnapshot>, destination: Map<string, EntrySnapshot>): string[] {
  const found: string[] = [];
  for (const path of new Set([...source.keys(), ...destination.keys()])) {
    const a = source.get(path);
    const b = destination.get(path);
    if (a === undefined || b === undefined) {
      found.push(`${path}: ${a === undefined ? 'only at the destination' : 'missing at the destination'}`);
      continue;
    }
    for (const key of ['type', 'mode', 'mtimeUs', 'size', 'sha1', 'target'] as const) {
      if (a[key] !== b[key]) found.push(`${path}: ${key} ${String(b[key])} instead of ${String(a[key])}`);
    }
  }
  return found;
}

/** Deterministic pseudo-random bytes (xorshift32), so tests can write the same content again. */
export function bytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(Math.ceil(length / 4) * 4);
  let x = (Math.imul(seed + 1, 2654435761) >>> 0) || 1;
  for (let i = 0; i < out.length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  return out.subarray(0, length);
}

export async function writeData(path: string, data: Buffer, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data, { mode });
}

/** Sets an mtime in the past, so the copy engine does not treat the file as racily changed. */
export async function age(path: string, secondsAgo = 3600, symlink = false): Promise<void> {
  const when = new Date(Date.now() - secondsAgo * 1000);
  if (symlink) await lutimes(path, when, when);
  else await utimes(path, when, when);
}

/** Overwrites `data` at `offset` in place, keeping the file's size. */
export async function overwrite(path: string, offset: number, data: Buffer): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(data, 0, data.length, offset);
  } finally {
    await handle.close();
  }
}
