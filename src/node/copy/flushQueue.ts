// Files a receiver finished writing, flushed to disk in the background while
// the next ones arrive, so the disk works during the transfer instead of all
// at the end. While data streams, one flush runs at a time (an fsync holds a
// thread-pool thread the next file's writes need); when the round ends, the
// rest are flushed together so the filesystem can commit them as one.

import type { FileHandle } from 'node:fs/promises';

export class FlushQueue {
  private readonly waiting: FileHandle[] = [];
  private running: Promise<void> | undefined;
  private failure: Error | undefined;

  /** Flushes `handle` after those queued before it, then closes it. */
  add(handle: FileHandle): void {
    this.waiting.push(handle);
    this.running ??= this.work();
  }

  /** Resolves when every queued file is on disk; rejects with the first flush failure. */
  async drain(): Promise<void> {
    const rest = this.waiting.splice(0);
    await Promise.all([this.running, ...rest.map((handle) => this.flush(handle))]);
    if (this.failure !== undefined) throw this.failure;
  }

  private async work(): Promise<void> {
    for (let handle = this.waiting.shift(); handle !== undefined; handle = this.waiting.shift()) await this.flush(handle);
    this.running = undefined;
  }

  /**
   * fdatasync: the data and what is needed to read it back. A mode or mtime
   * lost to a power cut changes the file's ctime, which the receiver's next
   * reconcile notices, so the file is sent again rather than trusted.
   */
  private async flush(handle: FileHandle): Promise<void> {
    try {
      await handle.datasync();
    } catch (err) {
      this.failure ??= err as Error;
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
}
