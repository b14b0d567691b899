// A dataset tree as the copy engine records it: per path its type, mode,
// owner, mtime, and for a regular file its size and the hash of every block.
// The receiver keeps one for what it has written, the sender predicts it; the
// final comparison of the two (no data re-read) decides whether a copy is
// complete. An 'unknown' entry is a path the receiver lost track of.

import { createHash } from 'node:crypto';

interface Owned {
  mode: number;
  /** -1 when owners are not preserved (a receiver that is not root) */
  uid: number;
  gid: number;
  /** nanoseconds since the epoch, as a decimal string */
  mtimeNs: string;
}

export interface FileEntry extends Owned {
  type: 'file';
  size: number;
  hashes: string[];
}

export interface DirEntry extends Owned {
  type: 'dir';
}

export interface SymlinkEntry extends Omit<Owned, 'mode'> {
  type: 'symlink';
  target: string;
}

/** What a torn round may or may not have changed: it must be rewritten or removed. */
export interface UnknownEntry {
  type: 'unknown';
}

export type ManifestEntry = FileEntry | DirEntry | SymlinkEntry | UnknownEntry;

/** Relative path ('.' for the root) → entry. */
export type Manifest = Map<string, ManifestEntry>;

export type ManifestList = [string, ManifestEntry][];

export const ROOT_PATH = '.';

/** One line per entry, fields in a fixed order: what digests and comparisons are made of. */
export function canonicalEntry(entry: ManifestEntry): string {
  switch (entry.type) {
    case 'file':
      return `f ${entry.mode} ${entry.uid} ${entry.gid} ${entry.mtimeNs} ${entry.size} ${entry.hashes.join(',')}`;
    case 'dir':
      return `d ${entry.mode} ${entry.uid} ${entry.gid} ${entry.mtimeNs}`;
    case 'symlink':
      return `l ${entry.uid} ${entry.gid} ${entry.mtimeNs} ${JSON.stringify(entry.target)}`;
    case 'unknown':
      return 'u';
    default: {
      const never: never = entry;
      throw new Error(`unknown manifest entry ${JSON.stringify(never)}`);
    }
  }
}

export function sameEntry(a: ManifestEntry | undefined, b: ManifestEntry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalEntry(a) === canonicalEntry(b);
}

/** A digest of the whole manifest: equal digests mean equal manifests. */
export function manifestDigest(manifest: Manifest): string {
  const lines: string[] = [];
  for (const path of [...manifest.keys()].sort()) lines.push(`${JSON.stringify(path)} ${canonicalEntry(manifest.get(path)!)}\n`);
  // one update of the whole text: thousands of small updates each cross into the native hash, which costs more than the hashing
  return createHash('sha1').update(lines.join('')).digest('hex');
}

/** Where `actual` differs from `expected`, in words, at most `limit` of them. */
export function manifestDifferences(expected: Manifest, actual: Manifest, limit = 10): string[] {
  const found: string[] = [];
  const paths = new Set([...expected.keys(), ...actual.keys()]);
  for (const path of [...paths].sort()) {
    if (found.length >= limit) break;
    const want = expected.get(path);
    const have = actual.get(path);
    if (sameEntry(want, have)) continue;
    if (want === undefined) found.push(`${path}: present at the destination, absent at the source`);
    else if (have === undefined) found.push(`${path}: missing at the destination`);
    else if (want.type !== have.type) found.push(`${path}: a ${have.type} at the destination, a ${want.type} at the source`);
    else if (want.type === 'file' && have.type === 'file') found.push(`${path}: ${fileDifference(want, have)}`);
    else found.push(`${path}: metadata differs (${canonicalEntry(have)} instead of ${canonicalEntry(want)})`);
  }
  return found;
}

function fileDifference(want: FileEntry, have: FileEntry): string {
  if (want.size !== have.size) return `size ${have.size} instead of ${want.size}`;
  const block = want.hashes.findIndex((h, i) => h !== have.hashes[i]);
  if (block >= 0) return `block ${block} differs`;
  return `metadata differs (mode ${have.mode.toString(8)}/${want.mode.toString(8)}, mtime ${have.mtimeNs}/${want.mtimeNs}, owner ${have.uid}:${have.gid}/${want.uid}:${want.gid})`;
}

export function manifestFromList(list: ManifestList): Manifest {
  return new Map(list);
}

export function manifestToList(manifest: Manifest): ManifestList {
  return [...manifest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The paths at or under `path` in the manifest. */
export function pathsUnder(manifest: Manifest, path: string): string[] {
  if (path === ROOT_PATH) return [...manifest.keys()];
  const prefix = path + '/';
  return [...manifest.keys()].filter((p) => p === path || p.startsWith(prefix));
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? ROOT_PATH : path.slice(0, slash);
}

export function depthOf(path: string): number {
  return path === ROOT_PATH ? 0 : path.split('/').length;
}
