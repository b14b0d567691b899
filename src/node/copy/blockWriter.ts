// Where a receiver's blocks go on disk. A large file is written with direct
// I/O (O_DIRECT): the block goes from the receiver's buffer to the device,
// without a copy into the destination's page cache. That copy, and the
// dirty-page accounting and reclaim that come with it, cost more CPU than
// anything else in a bulk copy; a dataset that is being moved in is not read
// by anyone before its task starts, and it would push out of the cache what
// the agent's running tasks are using. Direct I/O takes memory, offset and
// length aligned to the device's logical block: blocks from the receiver's
// buffer pool (page-aligned memory) at block offsets qualify; a file's short
// last block, zero fills and small files are written through the page cache
// as before. Either way the file's fdatasync at the end of the round is what
// makes it durable: a direct write may still sit in the device's cache.

import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { isErrno } from '../nodeError.js';

/** Offsets and lengths of direct writes are multiples of this: a page, the largest logical block in common use. */
export const DIRECT_ALIGNMENT = 4096;

/** Files smaller than this are written through the page cache: a few blocks are cheaper to copy than to open twice. */
export const DIRECT_MIN_FILE_BYTES = 8 * 1024 * 1024;

/** A receiver's choice of direct I/O, which it drops for good when the filesystem refuses it. */
export class DirectIo {
  private refused = false;

  constructor(readonly enabled: boolean) {}

  /** Direct writes are worth trying for a file of `size` bytes written in `blockSize` blocks. */
  wanted(size: number, blockSize: number): boolean {
    return this.enabled && !this.refused && size >= DIRECT_MIN_FILE_BYTES && blockSize % DIRECT_ALIGNMENT === 0;
  }

  /** The filesystem (or the device) refused direct I/O: every later file is written through the page cache. */
  refuse(): void {
    this.refused = true;
  }

  get available(): boolean {
    return this.enabled && !this.refused;
  }
}

/**
 * Writes the blocks of one open file: through its direct descriptor when the
 * block qualifies, else through the ordinary one. `handle` is the ordinary
 * descriptor, which also serves the file's metadata and its flush.
 */
export class BlockWriter {
  /** bytes that went to the device directly */
  directBytes = 0;

  private constructor(
    readonly handle: FileHandle,
    private direct: FileHandle | undefined,
    private readonly io: DirectIo,
  ) {}

  /**
   * Adds a direct descriptor to `handle` (the file at `fullPath`, already
   * open) when direct I/O is wanted; a filesystem that refuses O_DIRECT
   * (EINVAL) turns it off for the receiver.
   */
  static async over(handle: FileHandle, fullPath: string, wantDirect: boolean, io: DirectIo): Promise<BlockWriter> {
    if (!wantDirect) return new BlockWriter(handle, undefined, io);
    try {
      const direct = await open(fullPath, constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_DIRECT);
      return new BlockWriter(handle, direct, io);
    } catch (err) {
      if (!isErrno(err, 'EINVAL')) throw err;
      io.refuse();
      return new BlockWriter(handle, undefined, io);
    }
  }

  /**
   * Writes `data` at `position`. `aligned`: the caller vouches that `data`
   * starts on an aligned address (a pooled block buffer); offset and length
   * are checked here. A direct write the kernel still refuses (EINVAL: a
   * device with larger logical blocks) is done through the page cache, and
   * direct I/O is dropped.
   */
  async write(data: Buffer, position: number, aligned: boolean): Promise<void> {
    const direct = this.direct;
    if (direct !== undefined && aligned && position % DIRECT_ALIGNMENT === 0 && data.length % DIRECT_ALIGNMENT === 0) {
      try {
        await writeFully(direct, [data], position);
        this.directBytes += data.length;
        return;
      } catch (err) {
        if (!isErrno(err, 'EINVAL')) throw err;
        this.io.refuse();
        this.direct = undefined;
        await direct.close().catch(() => undefined);
      }
    }
    await writeFully(this.handle, [data], position);
  }

  /** Closes the direct descriptor once every write is over (the ordinary one stays open for metadata and the flush). */
  async closeDirect(): Promise<void> {
    const direct = this.direct;
    this.direct = undefined;
    await direct?.close();
  }
}

export async function writeFully(handle: FileHandle, pieces: Buffer[], position: number): Promise<void> {
  let left = pieces;
  let at = position;
  while (left.length > 0) {
    const { bytesWritten } = await handle.writev(left, at);
    at += bytesWritten;
    left = advance(left, bytesWritten);
  }
}

/** The pieces after the first `bytes` bytes (a short writev resumes here). */
function advance(pieces: Buffer[], bytes: number): Buffer[] {
  let skip = bytes;
  let i = 0;
  while (i < pieces.length && skip >= pieces[i]!.length) skip -= pieces[i++]!.length;
  if (i >= pieces.length) return [];
  return [pieces[i]!.subarray(skip), ...pieces.slice(i + 1)];
}
