// Datasets for the copy benchmarks and the writes of the stateful app that
// owns them: cold segment files of incompressible data (aged, as in a
// long-running service), hot files the app appends to and overwrites in
// place, and the in-place edits of the rsync comparisons.

import { randomBytes } from 'node:crypto';
import { mkdir, open, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MiB } from './benchProcesses.js';

const PATTERN = randomBytes(64 * MiB);
const DAY_AGO = new Date(Date.now() - 24 * 3600 * 1000);

/** Unique, incompressible content for file `index` (every MiB stamped with the file and block number). */
function contentFor(index: number, size: number): Buffer {
  const data = Buffer.allocUnsafe(size);
  for (let offset = 0; offset < size; offset += PATTERN.length) PATTERN.copy(data, offset, 0, Math.min(PATTERN.length, size - offset));
  for (let block = 0; block * MiB < size; block++) {
    const at = block * MiB;
    if (at + 8 <= size) {
      data.writeUInt32LE(index, at);
      data.writeUInt32LE(block, at + 4);
    }
  }
  return data;
}

/** `totalBytes` of cold data in files of `fileBytes` under dir/cold, aged a day. Returns the file names. */
export async function writeColdDataset(dir: string, totalBytes: number, fileBytes: number): Promise<string[]> {
  await mkdir(join(dir, 'cold'), { recursive: true });
  const names: string[] = [];
  for (let i = 0, left = totalBytes; left > 0; i++, left -= fileBytes) {
    const name = `cold/seg-${String(i).padStart(4, '0')}`;
    const path = join(dir, name);
    await writeFile(path, contentFor(i, Math.min(fileBytes, left)));
    await utimes(path, DAY_AGO, DAY_AGO);
    names.push(name);
  }
  await utimes(join(dir, 'cold'), DAY_AGO, DAY_AGO);
  return names;
}

export const HOT_TABLES = 4;
export const HOT_TABLE_BYTES = 4 * MiB;

/** The app's own files: a write-ahead log and a few tables it updates in place. */
export async function writeHotFiles(dir: string): Promise<void> {
  await mkdir(join(dir, 'hot'), { recursive: true });
  await writeFile(join(dir, 'hot', 'wal.log'), Buffer.alloc(0));
  for (let i = 0; i < HOT_TABLES; i++) {
    const path = join(dir, 'hot', `table-${i}`);
    await writeFile(path, contentFor(10_000 + i, HOT_TABLE_BYTES));
    await utimes(path, DAY_AGO, DAY_AGO);
  }
}

/**
 * The app at work: `total` bytes in `chunk`-sized writes, one every `pauseMs`,
 * alternately appended to the log and written in place into a table. Each
 * write is synced, as an app acknowledges it.
 */
export async function appWrites(dir: string, total: number, chunk: number, pauseMs: number, seed = 1): Promise<number> {
  let written = 0;
  let n = seed;
  while (written < total) {
    const data = randomBytes(Math.min(chunk, total - written));
    const appending = n % 2 === 0;
    const path = appending ? join(dir, 'hot', 'wal.log') : join(dir, 'hot', `table-${n % HOT_TABLES}`);
    const handle = await open(path, appending ? 'a' : 'r+');
    try {
      const offset = appending ? null : ((n * 7919) % (HOT_TABLE_BYTES / chunk)) * chunk;
      await handle.write(data, 0, data.length, offset);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    written += data.length;
    n++;
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return written;
}

/** Overwrites `length` bytes at `offset` in place with new random data. */
export async function overwriteInPlace(path: string, offset: number, length: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(randomBytes(length), 0, length, offset);
  } finally {
    await handle.close();
  }
}

/** `count` files of `size` bytes, named f-0000 …, aged a day. */
export async function writeSmallFiles(dir: string, count: number, size: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `f-${String(i).padStart(4, '0')}`;
    await writeFile(join(dir, name), contentFor(20_000 + i, size));
    await utimes(join(dir, name), DAY_AGO, DAY_AGO);
    names.push(name);
  }
  await utimes(dir, DAY_AGO, DAY_AGO);
  return names;
}

/** Replaces the whole content of each named file with new data of the same size. */
export async function rewriteFiles(dir: string, names: string[], size: number): Promise<void> {
  for (const name of names) await writeFile(join(dir, name), randomBytes(size));
}
