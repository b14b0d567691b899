// The local backend's node-plane work on an agent's disk: make a dataset's
// directory (owner-only permissions unless told whose it is) and remove it
// with its copy bookkeeping. Removal refuses anything outside the dataset
// root, a dataset path that is a symlink, and names that could escape.

import { chown, lstat, mkdir, realpath, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { copyStateDirOf } from '../copy/copyStatePaths.js';
import { isErrno, NodeError } from '../nodeError.js';

export interface DatasetDirectoryRef {
  /** the agent's dataset root (`ferry_root`) */
  root: string;
  dataset: string;
}

export interface PreparedDirectory {
  path: string;
  created: boolean;
}

/** Creates `<root>/<dataset>` (mode 0700, optionally owned by `owner`); an existing directory is kept as it is. */
export async function prepareDatasetDirectory(ref: DatasetDirectoryRef, owner?: { uid: number; gid: number }): Promise<PreparedDirectory> {
  const path = await confinedPath(ref);
  const existing = await lstatOrUndefined(path);
  if (existing !== undefined) {
    if (existing.isSymbolicLink() || !existing.isDirectory()) throw new NodeError('REFUSED', `${path} exists and is not a directory; remove it by hand if it is not a dataset`);
    return { path, created: false };
  }
  await mkdir(path, { mode: 0o700 });
  if (owner !== undefined) await chown(path, owner.uid, owner.gid);
  return { path, created: true };
}

/** Removes `<root>/<dataset>` and its copy state; removing one already gone is fine. */
export async function destroyDatasetDirectory(ref: DatasetDirectoryRef): Promise<{ path: string; removed: boolean }> {
  const path = await confinedPath(ref);
  const existing = await lstatOrUndefined(path);
  const stateDir = copyStateDirOf(path);
  await rm(stateDir, { recursive: true, force: true });
  if (existing === undefined) return { path, removed: false };
  if (existing.isSymbolicLink()) throw new NodeError('REFUSED', `${path} is a symlink; a dataset directory never is, so Ferry will not remove what it points at`);
  if (!existing.isDirectory()) throw new NodeError('REFUSED', `${path} is not a directory; remove it by hand if it is not a dataset`);
  // rm does not follow symlinks inside the tree: links are removed, not their targets
  await rm(path, { recursive: true, force: true });
  return { path, removed: true };
}

/**
 * Why `name` cannot be one directory entry under the root, or undefined. The
 * API enforces the naming policy; here only what could escape or hide counts.
 */
function entryNameProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return `"${name}" cannot name a dataset directory`;
  if (name.includes('/') || name.includes('\0')) return `"${name}" would escape the dataset root`;
  if (name.startsWith('.')) return `"${name}" starts with '.', which is reserved for Ferry's bookkeeping beside the datasets`;
  if (Buffer.byteLength(name) > 255) return `"${name.slice(0, 40)}…" is longer than a file name can be`;
  return undefined;
}

/** `<real root>/<dataset>`, after checking the name and that the root is an absolute, real directory. */
async function confinedPath(ref: DatasetDirectoryRef): Promise<string> {
  const problem = entryNameProblem(ref.dataset);
  if (problem !== undefined) throw new NodeError('REFUSED', problem);
  if (!isAbsolute(ref.root)) throw new NodeError('INVALID', `the dataset root ${ref.root} must be an absolute path`);
  await mkdir(ref.root, { recursive: true, mode: 0o755 });
  const root = await realpath(ref.root);
  const path = join(root, ref.dataset);
  if (dirname(path) !== root) throw new NodeError('REFUSED', `${ref.dataset} would escape the dataset root ${root}`);
  return path;
}

async function lstatOrUndefined(path: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}
