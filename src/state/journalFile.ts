// One open journal of the file store: created with its header entry, then
// appended to one group commit at a time, each append durable (fdatasync)
// before it resolves. It never rewrites or truncates what it has written.

import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDirectory } from './durableFile.js';
import { encodeFrame } from './journalFrames.js';

export class JournalFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private size: number,
  ) {}

  /** Creates the file (it must not exist) with `header` as its first entry, durably. */
  static async create(path: string, header: unknown): Promise<JournalFile> {
    const handle = await open(path, 'ax', 0o644);
    const journal = new JournalFile(path, handle, 0);
    try {
      await journal.append(encodeFrame(header));
      await fsyncDirectory(dirname(path));
    } catch (err) {
      await handle.close();
      throw err;
    }
    return journal;
  }

  get bytes(): number {
    return this.size;
  }

  /** Appends whole entries and resolves once they are on disk. */
  async append(frames: Buffer): Promise<void> {
    let written = 0;
    while (written < frames.length) {
      const { bytesWritten } = await this.handle.write(frames, written, frames.length - written);
      written += bytesWritten;
    }
    await this.handle.datasync();
    this.size += frames.length;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
