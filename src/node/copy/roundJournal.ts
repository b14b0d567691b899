// The receiver's journal of the round in progress: one checksummed entry
// naming the round's paths, written before the round touches any data. It
// is overwritten in place, within blocks the file already has, so making it
// durable is a data write and a cache flush, not a filesystem journal
// commit (which would wait for every other file's dirty data on the disk:
// on a final round's path, the slowest and least predictable fsync there
// is). It never holds anything but the latest round's paths.

import { open, readFile } from 'node:fs/promises';
import { writeFileDurably } from '../../state/durableFile.js';
import { encodeFrame, readFrames } from '../../state/journalFrames.js';
import { CorruptStateError } from '../../state/stateStore.js';

/** a new journal file's size: room for a few hundred paths, so most rounds overwrite it in place */
const MIN_JOURNAL_BYTES = 16 * 1024;
const PADDING = 0x20;

/**
 * Makes `entry` the journal's content, durably. In place when it fits the
 * file (the rest padded); otherwise, or when there is no journal yet, as a
 * new file with room to spare, replaced whole (durableFile).
 */
export async function writeRoundJournal(path: string, entry: unknown, mode: number): Promise<void> {
  const frame = encodeFrame(entry);
  let handle;
  try {
    handle = await open(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (handle !== undefined) {
    try {
      const { size } = await handle.stat();
      if (frame.length <= size) {
        const bytes = padded(frame, size);
        let written = 0;
        while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written, written)).bytesWritten;
        // the size and the blocks stay as they were: nothing but the data to flush
        await handle.datasync();
        return;
      }
    } finally {
      await handle.close();
    }
  }
  let size = MIN_JOURNAL_BYTES;
  while (size < frame.length) size *= 2;
  await writeFileDurably(path, padded(frame, size), mode);
}

/**
 * The journal's entry; undefined when there is no journal, or when its entry
 * does not check out. Such an entry was cut short by a crash while being
 * written, and the round it was for touched nothing: a round writes no data
 * before its journal is durable. What it overwrote was obsolete, since a
 * round journals here only when the manifest records all else.
 */
export async function readRoundJournal(path: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const end = bytes.indexOf(0x0a);
  if (end < 0) return undefined;
  try {
    return readFrames(path, bytes.subarray(0, end + 1), { allowTornTail: false }).frames[0]?.value;
  } catch (err) {
    if (err instanceof CorruptStateError) return undefined;
    throw err;
  }
}

function padded(frame: Buffer, size: number): Buffer {
  const bytes = Buffer.alloc(size, PADDING);
  frame.copy(bytes);
  return bytes;
}
