import t from 'tap';
import type { Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashBlock, zeroBlockHash } from '../../src/node/copy/blockHashing.js';
import { copyStateDirOf } from '../../src/node/copy/copyStatePaths.js';
import { FlushQueue } from '../../src/node/copy/flushQueue.js';
import { HashWorkers, WORTH_THREADS_BYTES } from '../../src/node/copy/hashWorkers.js';
import { startReceiver } from '../../src/node/copy/receiver.js';
import { readCompletion } from '../../src/node/copy/receiverState.js';
import { runSender } from '../../src/node/copy/sender.js';
import { NodeError } from '../../src/node/nodeError.js';
import { age, bytes, overwrite, snapshotTree, treeDifferences, writeData } from '../support/datasetTrees.js';
import { TcpFaultProxy } from '../support/tcpFaultProxy.js';

const MiB = 1024 * 1024;

function sharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

async function scratch(t: Test, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('blocks hashed on the threads hash as on the caller, zero blocks are recognised, and a short read is padded and reported', async (t) => {
  const dir = await scratch(t, 'ferry-hash-threads-');
  const data = bytes(MiB, 7);
  const path = join(dir, 'data');
  await writeFile(path, Buffer.concat([data, Buffer.alloc(MiB), data.subarray(0, 1000)]));
  const workers = new HashWorkers(2);
  t.teardown(() => workers.close());
  const handle = await open(path, 'r');
  t.teardown(() => handle.close());

  // on the caller's thread before any thread is started, then on the threads
  for (const where of ['caller', 'threads']) {
    if (where === 'threads') {
      workers.start();
      while (workers.online < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const buffer = sharedBuffer(MiB);
    const first = await workers.readAndHash(handle.fd, 0, buffer, MiB);
    t.same(first, { hash: hashBlock(data), zero: false, filled: MiB }, `${where}: a full block`);
    t.ok(buffer.equals(data), `${where}: the block is read into the caller's buffer`);
    t.same(await workers.readAndHash(handle.fd, MiB, buffer, MiB), { hash: zeroBlockHash(MiB), zero: true, filled: MiB }, `${where}: a zero block`);
    const short = await workers.readAndHash(handle.fd, 2 * MiB, buffer, MiB);
    t.equal(short.filled, 1000, `${where}: the file ended 1000 bytes into the block`);
    t.equal(short.hash, hashBlock(Buffer.concat([data.subarray(0, 1000), Buffer.alloc(MiB - 1000)])), `${where}: the rest reads as zeros`);
    const inMemory = sharedBuffer(MiB);
    data.copy(inMemory);
    t.equal((await workers.hash(inMemory, 4096)).hash, hashBlock(data.subarray(0, 4096)), `${where}: a block already in memory`);
  }
  t.throws(() => workers.hash(Buffer.alloc(16), 16), /SharedArrayBuffer/, 'unshared memory is refused rather than copied');
});

t.test('hashing threads that are idle never keep the process alive', async (t) => {
  const dir = await scratch(t, 'ferry-hash-exit-');
  const module = fileURLToPath(new URL('../../src/node/copy/hashWorkers.ts', import.meta.url));
  const script = join(dir, 'script.mts');
  // four threads, one job: three threads never get work, and the process must still end on its own
  await writeFile(
    script,
    `import { HashWorkers } from ${JSON.stringify(module)};
const workers = new HashWorkers(4);
workers.start();
while (workers.online < 4) await new Promise((resolve) => setTimeout(resolve, 5));
const buffer = Buffer.from(new SharedArrayBuffer(4096));
console.log((await workers.hash(buffer, 4096)).zero ? 'hashed' : 'wrong');
`,
  );
  const child = spawn(process.execPath, [...process.execArgv, script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  clearTimeout(killer);
  t.equal(out.trim(), 'hashed');
  t.equal(signal, null, 'the process ended by itself, not killed after the timeout');
  t.equal(code, 0);
});

t.test('a copy large enough for the hashing threads arrives exact, and a block corrupted in transit is refused before it is written', async (t) => {
  const base = await scratch(t, 'ferry-copy-threads-');
  const source = join(base, 'agent-a', 'kv-data');
  const destination = join(base, 'agent-b', 'kv-data');
  await mkdir(source, { recursive: true });
  const files = Math.ceil((WORTH_THREADS_BYTES + 16 * MiB) / (8 * MiB));
  for (let i = 0; i < files; i++) {
    const path = join(source, `seg-${i}`);
    // a zero block in the middle of each file as well: it travels as a hole marker
    await writeData(path, Buffer.concat([bytes(3 * MiB, i), Buffer.alloc(MiB), bytes(4 * MiB, 100 + i)]));
    await age(path);
  }
  await age(source);
  const receiver = await startReceiver({ dir: destination, port: 0, host: '127.0.0.1', idleTimeoutMs: 60_000 });
  t.teardown(() => receiver.close());
  // past the point where both sides have started their threads
  const proxy = new TcpFaultProxy({ targetPort: receiver.port, corruptAt: WORTH_THREADS_BYTES + 6 * MiB });
  await proxy.start();
  t.teardown(() => proxy.stop());
  const error = await runSender({ dir: source, host: '127.0.0.1', port: proxy.port, final: true }).then(
    () => undefined,
    (err: unknown) => err,
  );
  t.type(error, NodeError);
  t.equal((error as NodeError).code, 'CORRUPT_BLOCK', (error as Error).message);
  t.equal(await readCompletion(copyStateDirOf(destination)), undefined, 'no completion marker');

  const retry = await runSender({ dir: source, host: '127.0.0.1', port: receiver.port, final: false });
  t.ok(retry.bytesSent > 0, 'a clean retry resumes the copy');
  t.same(treeDifferences(await snapshotTree(source), await snapshotTree(destination)), [], 'the destination equals the source');

  // a change in place is found by hashing every block of the file again, and only the changed block is sent
  await overwrite(join(source, 'seg-1'), 5 * MiB + 12345, Buffer.from('changed'));
  const delta = await runSender({ dir: source, host: '127.0.0.1', port: receiver.port, final: true });
  t.equal(delta.blocksSent, 1, 'one block changed, one block sent');
  t.equal(delta.complete, true, 'and the final round verifies the destination complete');
  t.same(treeDifferences(await snapshotTree(source), await snapshotTree(destination)), [], 'the destination equals the source again');
});

t.test('finished files wait to be flushed together until enough of them is unflushed, and every one is flushed by the drain', async (t) => {
  const dir = await scratch(t, 'ferry-flush-');
  const handles = await Promise.all(
    [0, 1, 2, 3].map(async (i) => {
      const handle = await open(join(dir, `f-${i}`), 'w');
      await handle.write(bytes(1000, i));
      return handle;
    }),
  );
  const queue = new FlushQueue(2500);
  queue.add(handles[0]!, 1000);
  queue.add(handles[1]!, 1000);
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.same(queue.counts, { flushes: 0, batches: 0 }, 'a small delta waits for the end of the round');
  queue.add(handles[2]!, 1000);
  queue.add(handles[3]!, 1000);
  await queue.drain();
  t.equal(queue.counts.flushes, 4, 'every file is flushed');
  t.equal(queue.counts.batches, 2, 'in a background batch of the first three, and the last at the drain');
  await t.rejects(handles[3]!.stat(), 'and closed');
});
