// A walk of the source dataset directory: every directory, regular file and
// symlink with what lstat says of it (type, mode, owner, mtime in ns, inode,
// size), never following a symlink and never reading file data. Sockets,
// FIFOs and device nodes are listed as skipped: a dataset does not carry them.
// The calls are synchronous on purpose: a metadata lookup served from the
// kernel's caches takes microseconds, a round trip through the thread pool
// ten times that, and the walk is on the downtime path of a final round.

import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BigIntStats } from 'node:fs';
import { NodeError } from '../nodeError.js';
import { ROOT_PATH } from './copyManifest.js';

export interface SourceNode {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: string;
  ino: string;
  size: number;
  target?: string;
}

export interface SourceTree {
  /** the real path of the dataset root */
  root: string;
  /** parents before children, siblings by name */
  nodes: SourceNode[];
  skipped: string[];
}

export async function walkSource(dir: string): Promise<SourceTree> {
  return walkSourceRoot(await sourceRoot(dir));
}

/** The real path of the dataset root; an error a user can act on when it is missing or not a directory. */
export async function sourceRoot(dir: string): Promise<string> {
  try {
    const root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) throw new NodeError('INVALID', `${dir} is not a directory`);
    return root;
  } catch (err) {
    if (err instanceof NodeError) throw err;
    throw new NodeError('INVALID', `cannot read the source dataset ${dir}: ${(err as Error).message}`);
  }
}

/** The walk below a root from `sourceRoot`. */
export async function walkSourceRoot(root: string): Promise<SourceTree> {
  const nodes: SourceNode[] = [nodeOf(ROOT_PATH, await lstat(root, { bigint: true }))];
  const skipped: string[] = [];
  walkInto(root, '', nodes, skipped);
  return { root, nodes, skipped };
}

function walkInto(root: string, relative: string, nodes: SourceNode[], skipped: string[]): void {
  const names = readdirSync(join(root, relative)).sort();
  for (const name of names) {
    const path = relative === '' ? name : `${relative}/${name}`;
    const s = vanished(() => lstatSync(join(root, path), { bigint: true }));
    if (s === undefined) continue;
    if (s.isDirectory()) {
      nodes.push(nodeOf(path, s));
      walkInto(root, path, nodes, skipped);
    } else if (s.isFile()) {
      nodes.push(nodeOf(path, s));
    } else if (s.isSymbolicLink()) {
      const target = vanished(() => readlinkSync(join(root, path)));
      if (target !== undefined) nodes.push({ ...nodeOf(path, s), target });
    } else {
      skipped.push(path);
    }
  }
}

/** A file removed between readdir and lstat is simply not part of this round. */
function vanished<T>(look: () => T): T | undefined {
  try {
    return look();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function nodeOf(path: string, s: BigIntStats): SourceNode {
  return {
    path,
    type: s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : 'file',
    mode: Number(s.mode & 0o7777n),
    uid: Number(s.uid),
    gid: Number(s.gid),
    mtimeNs: s.mtimeNs.toString(),
    ino: s.ino.toString(),
    size: s.isFile() ? Number(s.size) : 0,
  };
}
