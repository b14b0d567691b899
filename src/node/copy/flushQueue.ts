// Files a receiver finished writing, flushed to disk in the background while
// the next ones arrive, so the disk works during the transfer instead of all
// at the end. Files wait until enough of their data is unflushed to be worth
// a flush of their own; then that batch is flushed together (one batch at a
// time: an fsync holds a thread-pool thread the next file's writes need).
// When the round ends, the rest are flushed together, so the filesystem can
// commit them in one journal transaction rather than one per file.

import type { FileHandle } from 'node:fs/promises';

/** unflushed bytes that start a background flush; below it, files wait for the round's end (a small delta is flushed at once) */
export const DEFAULT_BATCH_BYTES = 16 * 1024 * 1024;

export class FlushQueue {
  private waiting: FileHandle[] = [];
  private waitingBytes = 0;
  private running: Promise<void> | undefined;
  private failure: Error | undefined;
  /** files flushed, and the batches they were flushed in */
  readonly counts = { flushes: 0, batches: 0 };

  constructor(private readonly batchBytes = DEFAULT_BATCH_BYTES) {}

  /** Flushes `handle` (which had `bytes` written) with a later batch, then closes it. */
  add(handle: FileHandle, bytes: number): void {
    this.waiting.push(handle);
    this.waitingBytes += bytes;
    if (this.running === undefined && this.waitingBytes >= this.batchBytes) this.running = this.work();
  }

  /** Resolves when every queued file is on disk; rejects with the first flush failure. */
  async drain(): Promise<void> {
    await this.running;
    await this.flushBatch(this.take());
    if (this.failure !== undefined) throw this.failure;
  }

  private async work(): Promise<void> {
    while (this.waitingBytes >= this.batchBytes) await this.flushBatch(this.take());
    this.running = undefined;
  }

  private take(): FileHandle[] {
    const batch = this.waiting;
    this.waiting = [];
    this.waitingBytes = 0;
    return batch;
  }

  private async flushBatch(batch: FileHandle[]): Promise<void> {
    if (batch.length === 0) return;
    this.counts.batches++;
    await Promise.all(batch.map((handle) => this.flush(handle)));
  }

  /**
   * fdatasync: the data and what is needed to read it back. A mode or mtime
   * lost to a power cut changes the file's ctime, which the receiver's next
   * reconcile notices, so the file is sent again rather than trusted.
   */
  private async flush(handle: FileHandle): Promise<void> {
    this.counts.flushes++;
    try {
      await handle.datasync();
    } catch (err) {
      this.failure ??= err as Error;
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
}
