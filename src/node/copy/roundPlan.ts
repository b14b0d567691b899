// One copy round's plan, decided without reading any file data: compare the
// source tree (and the hashes the sender remembers for files whose inode,
// size and mtime did not change) with the destination manifest, and list the
// operations that bring the destination to the source, in an order that
// never needs a path that is not there yet. Pure: no I/O.

import type { CachedFile } from './senderState.js';
import type { DirEntry, FileEntry, Manifest, SymlinkEntry } from './copyManifest.js';
import { depthOf, parentOf, ROOT_PATH, sameEntry } from './copyManifest.js';
import type { SourceNode } from './sourceTree.js';

export type RoundOp =
  | { kind: 'mkdir'; path: string; entry: DirEntry }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'delete'; path: string }
  | { kind: 'symlink'; path: string; entry: SymlinkEntry }
  | {
      kind: 'file';
      path: string;
      node: SourceNode;
      /** the source's block hashes, known without reading because the file did not change since they were taken */
      known: string[] | undefined;
      /** what the destination holds at this path (after any rename), when it is a known regular file */
      destination: FileEntry | undefined;
      /** the destination must start from an empty file (nothing usable there) */
      rewrite: boolean;
    }
  | { kind: 'dirMeta'; path: string; entry: DirEntry };

export interface RoundPlan {
  ops: RoundOp[];
  /** every path the ops may touch, for the receiver's journal */
  paths: string[];
}

export interface PlanInput {
  nodes: SourceNode[];
  cache: ReadonlyMap<string, CachedFile>;
  destination: Manifest;
  /** the receiver records owners; when not, owners are -1 on both sides */
  preservesOwners: boolean;
}

export function planRound(input: PlanInput): RoundPlan {
  const { nodes, cache, destination } = input;
  const source = new Map(nodes.map((n) => [n.path, n]));
  const known = knownHashes(nodes, cache, source);
  const dest = new Map(destination);

  const renames = findRenames(nodes, known, dest, source);
  for (const { from, to } of renames) {
    dest.set(to, dest.get(from)!);
    dest.delete(from);
  }

  const mkdirs: RoundOp[] = [];
  const symlinks: RoundOp[] = [];
  const files: RoundOp[] = [];
  const touchedParents = new Set<string>();
  const wantedDirs = new Map<string, DirEntry>();

  for (const node of nodes) {
    const have = dest.get(node.path);
    if (node.type === 'dir') {
      const entry = dirEntryOf(node, input.preservesOwners);
      wantedDirs.set(node.path, entry);
      if (have?.type !== 'dir') {
        mkdirs.push({ kind: 'mkdir', path: node.path, entry });
        if (node.path !== ROOT_PATH) touchedParents.add(parentOf(node.path));
      }
    } else if (node.type === 'symlink') {
      const entry = symlinkEntryOf(node, input.preservesOwners);
      if (!sameEntry(have, entry)) {
        symlinks.push({ kind: 'symlink', path: node.path, entry });
        touchedParents.add(parentOf(node.path));
      }
    } else {
      const hashes = known.get(node.path);
      const destFile = have?.type === 'file' ? have : undefined;
      if (destFile !== undefined && hashes !== undefined && sameEntry(destFile, fileEntryOf(node, hashes, input.preservesOwners))) continue;
      files.push({ kind: 'file', path: node.path, node, known: hashes, destination: destFile, rewrite: destFile === undefined });
      if (destFile === undefined) touchedParents.add(parentOf(node.path));
    }
  }

  // whatever the destination has that the source lacks, and directories the source now has as something else
  const deletes: RoundOp[] = [];
  const deleted = new Set<string>();
  for (const path of [...dest.keys()].sort()) {
    const node = source.get(path);
    const have = dest.get(path)!;
    // an unknown or differently typed non-directory is replaced by the op that creates the source's entry
    const goes = node === undefined || (have.type === 'dir' && node.type !== 'dir');
    if (!goes || path === ROOT_PATH) continue;
    if ([...ancestorsOf(path)].some((a) => deleted.has(a))) continue;
    deleted.add(path);
    deletes.push({ kind: 'delete', path });
    touchedParents.add(parentOf(path));
  }

  for (const { from, to } of renames) {
    touchedParents.add(parentOf(from));
    touchedParents.add(parentOf(to));
  }

  const dirMetas: Extract<RoundOp, { kind: 'dirMeta' }>[] = [];
  for (const [path, entry] of wantedDirs) {
    if (!sameEntry(dest.get(path), entry) || touchedParents.has(path)) dirMetas.push({ kind: 'dirMeta', path, entry });
  }
  dirMetas.sort((a, b) => depthOf(b.path) - depthOf(a.path));

  const ops: RoundOp[] = [...mkdirs, ...renames.map((r): RoundOp => ({ kind: 'rename', ...r })), ...deletes, ...symlinks, ...files, ...dirMetas];
  const paths = new Set<string>();
  for (const op of ops) {
    if (op.kind === 'rename') {
      paths.add(op.from);
      paths.add(op.to);
    } else paths.add(op.path);
  }
  return { ops, paths: [...paths] };
}

/** Source block hashes known without reading: the file's inode, size and mtime match what was cached (at this path, or at the path it was renamed from). */
function knownHashes(nodes: SourceNode[], cache: ReadonlyMap<string, CachedFile>, source: Map<string, SourceNode>): Map<string, string[]> {
  const known = new Map<string, string[]>();
  const byInode = new Map<string, CachedFile>();
  for (const [path, cached] of cache) if (!source.has(path)) byInode.set(`${cached.ino}:${cached.size}:${cached.mtimeNs}`, cached);
  for (const node of nodes) {
    if (node.type !== 'file') continue;
    const cached = cache.get(node.path) ?? byInode.get(`${node.ino}:${node.size}:${node.mtimeNs}`);
    if (cached !== undefined && cached.ino === node.ino && cached.size === node.size && cached.mtimeNs === node.mtimeNs) known.set(node.path, cached.hashes);
  }
  return known;
}

/** A new source file whose known content equals a destination file the source no longer has: move it there instead of sending it. */
function findRenames(nodes: SourceNode[], known: Map<string, string[]>, dest: Manifest, source: Map<string, SourceNode>): { from: string; to: string }[] {
  const leaving = new Map<string, string>();
  for (const [path, entry] of dest) {
    if (entry.type === 'file' && !source.has(path) && entry.hashes.length > 0) leaving.set(`${entry.size}:${entry.hashes.join(',')}`, path);
  }
  if (leaving.size === 0) return [];
  const renames: { from: string; to: string }[] = [];
  for (const node of nodes) {
    if (node.type !== 'file' || dest.has(node.path)) continue;
    const hashes = known.get(node.path);
    if (hashes === undefined) continue;
    const key = `${node.size}:${hashes.join(',')}`;
    const from = leaving.get(key);
    if (from === undefined) continue;
    leaving.delete(key);
    renames.push({ from, to: node.path });
  }
  return renames;
}

function* ancestorsOf(path: string): Generator<string> {
  let current = path;
  while (current !== ROOT_PATH) {
    current = parentOf(current);
    yield current;
  }
}

export function fileEntryOf(node: SourceNode, hashes: string[], preservesOwners: boolean): FileEntry {
  return { type: 'file', mode: node.mode, uid: preservesOwners ? node.uid : -1, gid: preservesOwners ? node.gid : -1, mtimeNs: node.mtimeNs, size: node.size, hashes };
}

export function dirEntryOf(node: SourceNode, preservesOwners: boolean): DirEntry {
  return { type: 'dir', mode: node.mode, uid: preservesOwners ? node.uid : -1, gid: preservesOwners ? node.gid : -1, mtimeNs: node.mtimeNs };
}

export function symlinkEntryOf(node: SourceNode, preservesOwners: boolean): SymlinkEntry {
  return { type: 'symlink', uid: preservesOwners ? node.uid : -1, gid: preservesOwners ? node.gid : -1, mtimeNs: node.mtimeNs, target: node.target ?? '' };
}
