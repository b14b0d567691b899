import t from 'tap';
import type { Test } from 'tap';
import { constants } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockWriter, DIRECT_MIN_FILE_BYTES, DirectIo } from '../../src/node/copy/blockWriter.js';
import { BufferPool } from '../../src/node/copy/bufferPool.js';
import { startReceiver, type ReceiverOptions } from '../../src/node/copy/receiver.js';
import { runSender } from '../../src/node/copy/sender.js';
import { age, bytes, overwrite, snapshotTree, treeDifferences, writeData } from '../support/datasetTrees.js';

const MiB = 1024 * 1024;

async function scratch(t: Test): Promise<string> {
  const base = await mkdtemp(join(tmpdir(), 'ferry-direct-'));
  t.teardown(() => rm(base, { recursive: true, force: true }));
  return base;
}

/** One final round from a fresh source into a fresh destination; the receiver's stats of that round. */
async function copyOnce(t: Test, base: string, fill: (source: string) => Promise<void>, options: Partial<ReceiverOptions> = {}) {
  const source = join(base, 'a', 'ds');
  const destination = join(base, 'b', 'ds');
  await mkdir(source, { recursive: true });
  await fill(source);
  const receiver = await startReceiver({ dir: destination, port: 0, host: '127.0.0.1', idleTimeoutMs: 60_000, ...options });
  t.teardown(() => receiver.close());
  const sent = await runSender({ dir: source, host: '127.0.0.1', port: receiver.port, final: true });
  const result = await receiver.finished;
  t.same(treeDifferences(await snapshotTree(source), await snapshotTree(destination)), [], 'the destination equals the source');
  return { sent, round: result.rounds.at(-1)! };
}

t.test('a large file goes to the device directly, its short last block and small files through the page cache', async (t) => {
  const base = await scratch(t);
  const { round } = await copyOnce(t, base, async (source) => {
    await writeData(join(source, 'big'), bytes(8 * MiB + 1234, 1));
    await writeData(join(source, 'small'), bytes(100 * 1024, 2));
    await writeData(join(source, 'exactly-below'), bytes(DIRECT_MIN_FILE_BYTES - 4096, 3));
    for (const name of ['big', 'small', 'exactly-below']) await age(join(source, name));
  });
  t.equal(round.bytesWritten, 8 * MiB + 1234 + 100 * 1024 + DIRECT_MIN_FILE_BYTES - 4096);
  t.equal(round.bytesWrittenDirect, 8 * MiB, "the big file's eight whole blocks, not its tail nor the smaller files");
});

t.test('blocks changed in place in a large file are written directly, and holes are filled', async (t) => {
  const base = await scratch(t);
  const source = join(base, 'a', 'ds');
  const destination = join(base, 'b', 'ds');
  await mkdir(source, { recursive: true });
  await writeData(join(source, 'db'), bytes(12 * MiB, 4));
  await age(join(source, 'db'));
  const receiver = await startReceiver({ dir: destination, port: 0, host: '127.0.0.1', idleTimeoutMs: 60_000 });
  t.teardown(() => receiver.close());
  await runSender({ dir: source, host: '127.0.0.1', port: receiver.port, final: false });
  // two blocks rewritten, one block zeroed (a zero block is written through the page cache)
  await overwrite(join(source, 'db'), 3 * MiB, bytes(2 * MiB, 5));
  await overwrite(join(source, 'db'), 7 * MiB, Buffer.alloc(MiB));
  await age(join(source, 'db'));
  await runSender({ dir: source, host: '127.0.0.1', port: receiver.port, final: true });
  const result = await receiver.finished;
  const last = result.rounds.at(-1)!;
  t.equal(last.bytesWrittenDirect, 2 * MiB, 'the two rewritten blocks');
  t.equal(last.bytesWritten, 3 * MiB);
  t.same(await readFile(join(destination, 'db')), await readFile(join(source, 'db')), 'the file is byte for byte the source');
});

t.test('with direct writes off, everything goes through the page cache', async (t) => {
  const base = await scratch(t);
  const { round } = await copyOnce(
    t,
    base,
    async (source) => {
      await writeData(join(source, 'big'), bytes(9 * MiB, 6));
      await age(join(source, 'big'));
    },
    { directWrites: false },
  );
  t.equal(round.bytesWritten, 9 * MiB);
  t.equal(round.bytesWrittenDirect, 0);
});

t.test('pooled buffers are page-aligned: direct writes of each succeed', async (t) => {
  const base = await scratch(t);
  const path = join(base, 'file');
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT, 0o600);
  const io = new DirectIo(true);
  const writer = await BlockWriter.over(handle, path, true, io);
  // an odd block size: the pool rounds each buffer's stride up to a page
  const pool = new BufferPool(64 * 1024 + 512, 5);
  const held = await Promise.all(Array.from({ length: 5 }, () => pool.acquire()));
  for (const [i, { buffer }] of held.entries()) {
    buffer.fill(i + 1);
    await writer.write(buffer.subarray(0, 64 * 1024), i * 64 * 1024, true);
  }
  await writer.closeDirect();
  await handle.close();
  t.equal(writer.directBytes, 5 * 64 * 1024, 'every buffer went to the device directly');
  t.ok(io.available, 'nothing was refused');
  const written = await readFile(path);
  for (let i = 0; i < 5; i++) t.ok(written.subarray(i * 64 * 1024, (i + 1) * 64 * 1024).every((b) => b === i + 1), `block ${i} holds its buffer's bytes`);
});

t.test('a direct write the kernel refuses (memory not aligned) is done through the page cache, and direct I/O is dropped', async (t) => {
  const base = await scratch(t);
  const path = join(base, 'file');
  await writeData(path, Buffer.alloc(0));
  await truncate(path, 16 * 1024);
  const handle = await open(path, constants.O_WRONLY);
  const io = new DirectIo(true);
  const writer = await BlockWriter.over(handle, path, true, io);
  // offset and length aligned, the memory one byte off: O_DIRECT answers EINVAL
  const misaligned = Buffer.alloc(8192 + 1).subarray(1).fill(7);
  await writer.write(misaligned, 4096, true);
  await writer.write(Buffer.alloc(4096, 9), 12 * 1024, true);
  await writer.closeDirect();
  await handle.close();
  t.equal(writer.directBytes, 0, 'nothing went directly');
  t.notOk(io.available, 'the receiver stops trying direct I/O');
  t.notOk(io.wanted(DIRECT_MIN_FILE_BYTES, MiB), 'later files are not opened for it');
  const written = await readFile(path);
  t.ok(written.subarray(4096, 12 * 1024).every((b) => b === 7), 'the refused write landed through the page cache');
  t.ok(written.subarray(12 * 1024).every((b) => b === 9), 'and so did the next one');
  t.ok(written.subarray(0, 4096).every((b) => b === 0), 'nothing else changed');
});

t.test('direct I/O is only wanted for files large enough, written in page-multiple blocks', async (t) => {
  const io = new DirectIo(true);
  t.ok(io.wanted(DIRECT_MIN_FILE_BYTES, MiB));
  t.notOk(io.wanted(DIRECT_MIN_FILE_BYTES - 1, MiB), 'a smaller file');
  t.notOk(io.wanted(DIRECT_MIN_FILE_BYTES, MiB + 512), 'blocks that do not start on pages');
  t.notOk(new DirectIo(false).wanted(DIRECT_MIN_FILE_BYTES, MiB), 'turned off');
});
