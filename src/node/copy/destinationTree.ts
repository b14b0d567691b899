// The receiver's hands on the destination directory: create, replace, rename
// and remove entries, write blocks in place, and set modes, owners and
// mtimes, each confined to the directory (every path checked, every parent a
// real directory, never a symlink followed). It also stamps what it leaves
// behind (inode, ctime, size) so that a later change by anyone else is seen.

import { constants, fchmodSync, fchownSync, fstatSync, ftruncateSync, futimesSync, lstatSync, type BigIntStats } from 'node:fs';
import { lchown, lstat, lutimes, mkdir, open, readdir, rename, rm, symlink, utimes, chmod, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, NodeError } from '../nodeError.js';
import { parentOf, ROOT_PATH, type DirEntry, type FileEntry, type SymlinkEntry } from './copyManifest.js';

/** What the receiver saw of an entry after its last change to it; ctime moves with any later change. */
export interface DiskStamp {
  ino: string;
  ctimeNs: string;
  size: number;
}

export class DestinationTree {
  private readonly verifiedDirs = new Set<string>();
  readonly canChown = typeof process.getuid === 'function' && process.getuid() === 0;

  constructor(readonly root: string) {}

  /** Creates the destination root with owner-only permissions (the final mode arrives with the root's metadata). */
  async ensureRoot(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const s = await lstat(this.root);
    if (!s.isDirectory()) throw new NodeError('REFUSED', `the destination ${this.root} is not a directory`);
  }

  async mkdir(path: string): Promise<void> {
    if (path === ROOT_PATH) return this.ensureRoot();
    const full = await this.resolve(path);
    const existing = await lstatOrUndefined(full);
    if (existing?.isDirectory()) return;
    if (existing !== undefined) await this.remove(path);
    await mkdir(full, { mode: 0o700 });
  }

  async symlink(path: string, entry: SymlinkEntry): Promise<void> {
    const full = await this.resolve(path);
    if ((await lstatOrUndefined(full)) !== undefined) await this.remove(path);
    await symlink(entry.target, full);
    if (this.canChown && entry.uid >= 0) await lchown(full, entry.uid, entry.gid);
    const time = secondsOf(entry.mtimeNs);
    await lutimes(full, time, time);
  }

  async rename(from: string, to: string): Promise<void> {
    const source = await this.resolve(from);
    const target = await this.resolve(to);
    if ((await lstatOrUndefined(source)) === undefined) throw new NodeError('PROTOCOL', `the sender asked to move ${from}, which the destination does not have`);
    await rename(source, target);
    this.verifiedDirs.clear();
  }

  /** Removes whatever is at `path` (recursively); an absent path is fine. */
  async remove(path: string): Promise<void> {
    if (path === ROOT_PATH) throw new NodeError('PROTOCOL', 'the sender asked to remove the dataset root');
    await rm(await this.resolve(path), { recursive: true, force: true });
    this.verifiedDirs.clear();
  }

  /**
   * Opens `path` for block writes; `rewrite` starts from an empty file, and
   * anything that is not a regular file is replaced. `fullPath`: where it
   * is, for a second descriptor; `created`: the entry is new, so its
   * directory changed too.
   */
  async openFile(path: string, rewrite: boolean): Promise<{ handle: FileHandle; fullPath: string; created: boolean }> {
    const full = await this.resolve(path);
    const existing = lstatNowOrUndefined(full);
    let truncate = rewrite;
    if (existing !== undefined && !existing.isFile()) {
      await this.remove(path);
      truncate = true;
    }
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (truncate ? constants.O_TRUNC : 0);
    return { handle: await open(full, flags, 0o600), fullPath: full, created: existing === undefined || !existing.isFile() };
  }

  /**
   * Sets a written file's size, owner, mode and mtime. Synchronous on
   * purpose, like the source walk: each call is a metadata update of an open
   * file that takes microseconds, and a round trip through the thread pool
   * per call (five per file) costs a final round of many small files more
   * than the calls themselves.
   */
  finishFile(handle: FileHandle, entry: FileEntry): DiskStamp {
    ftruncateSync(handle.fd, entry.size);
    // owner before mode: a chown clears set-user-ID and set-group-ID bits
    if (this.canChown && entry.uid >= 0) fchownSync(handle.fd, entry.uid, entry.gid);
    fchmodSync(handle.fd, entry.mode);
    const time = secondsOf(entry.mtimeNs);
    futimesSync(handle.fd, time, time);
    return stampOf(fstatSync(handle.fd, { bigint: true }));
  }

  async setDirMeta(path: string, entry: DirEntry): Promise<DiskStamp> {
    const full = path === ROOT_PATH ? this.root : await this.resolve(path);
    const s = await lstat(full);
    if (!s.isDirectory()) throw new NodeError('PROTOCOL', `the sender set directory metadata on ${path}, which is not a directory at the destination`);
    if (this.canChown && entry.uid >= 0) await lchown(full, entry.uid, entry.gid);
    await chmod(full, entry.mode);
    const time = secondsOf(entry.mtimeNs);
    await utimes(full, time, time);
    return stampOf(await lstat(full, { bigint: true }));
  }

  /** The stamp of what is at `path` now, or undefined when nothing is. */
  async stamp(path: string): Promise<DiskStamp | undefined> {
    return this.stampNow(path);
  }

  /**
   * The same, synchronously: for checking thousands of entries, where a
   * thread-pool round trip per lstat would cost more than the lstat. The
   * path is joined by hand: a manifest path is already relative and clean
   * (checked when it arrived), and path.join's normalising costs about as
   * much as the lstat.
   */
  stampNow(path: string): DiskStamp | undefined {
    try {
      const s = lstatSync(path === ROOT_PATH ? this.root : `${this.root}/${path}`, { bigint: true, throwIfNoEntry: false });
      return s === undefined ? undefined : stampOf(s);
    } catch (err) {
      if (isErrno(err, 'ENOTDIR')) return undefined;
      throw err;
    }
  }

  /** The names inside directory `path`. */
  async list(path: string): Promise<string[]> {
    return readdir(path === ROOT_PATH ? this.root : join(this.root, path));
  }

  /** The absolute path of `path`, after checking that each of its parents is a real directory inside the root. */
  private async resolve(path: string): Promise<string> {
    if (path === ROOT_PATH) return this.root;
    const parent = parentOf(path);
    if (parent !== ROOT_PATH && !this.verifiedDirs.has(parent)) {
      let current = '';
      for (const segment of parent.split('/')) {
        current = current === '' ? segment : `${current}/${segment}`;
        if (this.verifiedDirs.has(current)) continue;
        const s = await lstatOrUndefined(join(this.root, current));
        if (s === undefined) throw new NodeError('PROTOCOL', `the sender wrote ${path} before creating its directory ${current}`);
        if (!s.isDirectory()) throw new NodeError('REFUSED', `${current} is not a directory at the destination; refusing to write ${path} through it`);
        this.verifiedDirs.add(current);
      }
    }
    return join(this.root, path);
  }
}

function stampOf(s: BigIntStats): DiskStamp {
  return { ino: s.ino.toString(), ctimeNs: s.ctimeNs.toString(), size: Number(s.size) };
}

/**
 * Seconds as a double, from ns, for utimes: exact to the microsecond. A
 * double near 1.8e9 s resolves about 0.24 µs and libuv truncates the
 * fraction, so aim at the middle of the microsecond, not its edge.
 */
export function secondsOf(mtimeNs: string): number {
  const us = BigInt(mtimeNs) / 1000n;
  return (Number(us) + 0.5) / 1e6;
}

async function lstatOrUndefined(path: string, bigint = false): Promise<BigIntStats | import('node:fs').Stats | undefined> {
  try {
    return bigint ? await lstat(path, { bigint: true }) : await lstat(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
    throw err;
  }
}

/** lstat without a thread-pool round trip (metadata served from the kernel's caches). */
function lstatNowOrUndefined(path: string): import('node:fs').Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
    throw err;
  }
}
