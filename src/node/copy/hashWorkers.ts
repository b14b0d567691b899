// Block hashing off the main thread: a few worker threads that read a block
// of a file (or take one already in memory) into a shared buffer and hash it,
// so that reading, hashing and the socket overlap and use every CPU. Data is
// never copied between threads (the buffers are SharedArrayBuffers). A worker
// only reports what it read and its hash; it never writes nor decides.

import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { NodeError } from '../nodeError.js';
import { HASH_ALGORITHM, zeroBlockHash, zeroBuffer } from './blockHashing.js';

/**
 * One job: read the block (when given a file) and hash it. A short read (the
 * file shrank meanwhile) fills the rest with zeros and says so. Runs on a
 * thread and, until a thread is up, on the caller's; self-contained, because
 * its source is what the threads run (the same code from the compiled
 * artifact and from the TypeScript sources under test).
 */
function runJob(job: Job, io: { readSync: typeof readSync; createHash: typeof createHash; zeros: (length: number) => Buffer }): Reply {
  const view = Buffer.from(job.memory, job.offset, job.length);
  let filled = job.length;
  if (job.fd !== undefined && job.position !== undefined) {
    filled = 0;
    while (filled < job.length) {
      const n = io.readSync(job.fd, view, filled, job.length - filled, job.position + filled);
      if (n === 0) break;
      filled += n;
    }
    if (filled < job.length) view.fill(0, filled);
  }
  const zero = view.equals(io.zeros(job.length));
  const hash = zero ? '' : io.createHash(job.algorithm).update(view).digest('hex');
  return { id: job.id, filled, zero, hash };
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { readSync } = require('node:fs');
let zeroBytes = Buffer.alloc(0);
const zeros = (length) => {
  if (zeroBytes.length < length) zeroBytes = Buffer.alloc(length);
  return zeroBytes.subarray(0, length);
};
const runJob = ${runJob.toString()};
parentPort.on('message', (job) => {
  try {
    parentPort.postMessage(runJob(job, { readSync, createHash, zeros }));
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: String(err && err.message), code: err && err.code });
  }
});
`;

/** hashing ahead that repays starting the threads: about 20 ms of hashing on one CPU */
export const WORTH_THREADS_BYTES = 32 * 1024 * 1024;

export interface HashedBlock {
  hash: string;
  /** all zeros: `hash` is the zero block's, and nothing needs to be sent or written */
  zero: boolean;
  /** bytes actually read (less than asked when the file shrank; the rest reads as zeros) */
  filled: number;
}

interface Job {
  id: number;
  memory: ArrayBufferLike;
  offset: number;
  length: number;
  fd?: number;
  position?: number;
  algorithm: string;
}

interface Reply {
  id: number;
  filled?: number;
  zero?: boolean;
  hash?: string;
  error?: string;
  code?: string;
}

interface Pending {
  resolve: (block: HashedBlock) => void;
  reject: (err: Error) => void;
  length: number;
}

class HashThread {
  readonly pending = new Map<number, Pending>();
  /** the thread has started and takes jobs without delay */
  online = false;
  private readonly worker: Worker;

  constructor(private readonly onExit: (thread: HashThread) => void) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.once('online', () => (this.online = true));
    this.worker.on('message', (reply: Reply) => this.settle(reply));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`a hashing thread exited (code ${code})`)));
    // after the listeners, which ref the thread's port again: an idle thread never keeps the process alive
    this.worker.unref();
  }

  run(job: Job, pending: Pending): void {
    // a thread with work keeps the process alive until the answer arrives
    if (this.pending.size === 0) this.worker.ref();
    this.pending.set(job.id, pending);
    this.worker.postMessage(job);
  }

  private settle(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.error !== undefined) pending.reject(Object.assign(new Error(reply.error), reply.code !== undefined ? { code: reply.code } : {}));
    else pending.resolve(hashedBlockOf(reply, pending.length));
  }

  private fail(err: Error): void {
    this.online = false;
    this.onExit(this);
    for (const pending of this.pending.values()) pending.reject(new NodeError('COMMAND_FAILED', `block hashing failed: ${err.message}`));
    this.pending.clear();
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

function hashedBlockOf(reply: Reply, length: number): HashedBlock {
  const zero = reply.zero === true;
  return { hash: zero ? zeroBlockHash(length) : reply.hash!, zero, filled: reply.filled! };
}

/**
 * The hashing threads, started only when a round has enough data to repay
 * their start (tens of milliseconds of CPU each): until one is up, and for
 * rounds too small to repay the hops (the caller says so per job), jobs run
 * on the caller's thread.
 */
export class HashWorkers {
  private threads: HashThread[] = [];
  private nextId = 1;

  constructor(private readonly size: number) {}

  /** Starts the threads when `bytes` of hashing lie ahead: enough to repay their start. */
  startFor(bytes: number): void {
    if (bytes >= WORTH_THREADS_BYTES) this.start();
  }

  /** Starts the threads (once); jobs go to them as soon as they are up. */
  start(): void {
    while (this.threads.length < this.size) this.threads.push(new HashThread((gone) => (this.threads = this.threads.filter((t) => t !== gone))));
  }

  /** Threads up and taking jobs. */
  get online(): number {
    return this.threads.filter((t) => t.online).length;
  }

  /**
   * Reads `length` bytes of `fd` at `position` into `buffer` (which must sit
   * on a SharedArrayBuffer) and hashes them; on the caller's thread when
   * `onThreads` is false (a round too small to repay a hop to a thread).
   */
  readAndHash(fd: number, position: number, buffer: Buffer, length: number, onThreads = true): Promise<HashedBlock> {
    return this.submit(buffer, length, { fd, position }, onThreads);
  }

  /** Hashes the first `length` bytes of `buffer` (which must sit on a SharedArrayBuffer). */
  hash(buffer: Buffer, length: number, onThreads = true): Promise<HashedBlock> {
    return this.submit(buffer, length, {}, onThreads);
  }

  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((t) => t.terminate()));
  }

  private submit(buffer: Buffer, length: number, source: { fd?: number; position?: number }, onThreads: boolean): Promise<HashedBlock> {
    if (!(buffer.buffer instanceof SharedArrayBuffer)) throw new Error('hash workers take buffers on a SharedArrayBuffer');
    if (length > buffer.length) throw new Error(`cannot hash ${length} bytes of a ${buffer.length}-byte buffer`);
    const job: Job = { id: this.nextId++, memory: buffer.buffer, offset: buffer.byteOffset, length, algorithm: HASH_ALGORITHM, ...source };
    const thread = onThreads ? this.leastBusy() : undefined;
    if (thread !== undefined) return new Promise((resolve, reject) => thread.run(job, { resolve, reject, length }));
    let block: Promise<HashedBlock>;
    try {
      block = Promise.resolve(hashedBlockOf(runJob(job, { readSync, createHash, zeros: zeroBuffer }), length));
    } catch (err) {
      block = Promise.reject(err as Error);
    }
    // threads on their way up announce it through the event loop, which a caller awaiting only settled promises never reaches
    if (this.threads.length === 0 || !onThreads) return block;
    return new Promise((resolve) => setImmediate(() => resolve(block)));
  }

  private leastBusy(): HashThread | undefined {
    let best: HashThread | undefined;
    for (const thread of this.threads) if (thread.online && (best === undefined || thread.pending.size < best.pending.size)) best = thread;
    return best;
  }
}

let shared: HashWorkers | undefined;

/** The process's hashing threads: one per CPU, at most four (more only compete with the socket and the disk). */
export function hashWorkers(): HashWorkers {
  shared ??= new HashWorkers(Math.max(1, Math.min(4, availableParallelism())));
  return shared;
}
