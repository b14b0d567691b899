// The receiving end of a dataset copy, run on the destination agent: listens
// on the TCP port Mesos offered, takes rounds from one sender at a time,
// checks every block against the sender's hash before writing it in place,
// keeps its manifest and checkpoints durable so a broken connection or a
// crash leaves a destination that the next round resumes, and writes the
// completion marker only after a final round whose manifest matches the
// sender's exactly. It never reads file data back from its disk.

import { createServer, type Server, type Socket } from 'node:net';
import type { FileHandle } from 'node:fs/promises';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../common/log.js';
import { silentLogger } from '../../common/log.js';
import { join } from 'node:path';
import { fsyncDirectory } from '../../state/durableFile.js';
import { isErrno, NodeError } from '../nodeError.js';
import { blockCount, DEFAULT_BLOCK_SIZE, HASH_ALGORITHM, zeroBlockHash, zeroBuffer } from './blockHashing.js';
import { BlockWriter, DirectIo } from './blockWriter.js';
import { BufferPool } from './bufferPool.js';
import { hashWorkers, WORTH_THREADS_BYTES } from './hashWorkers.js';
import { manifestDifferences, manifestFromList, manifestToList, parentOf, pathsUnder, ROOT_PATH, type FileEntry } from './copyManifest.js';
import { FlushQueue } from './flushQueue.js';
import { parseSenderMessage, PROTOCOL_VERSION, type SenderMessage } from './copyMessages.js';
import { copyStateDirOf } from './copyStatePaths.js';
import { DestinationTree } from './destinationTree.js';
import { FrameReader, FrameWriter } from './frameCodec.js';
import { ReceiverState, type PendingRound } from './receiverState.js';
import { requireRelativePath } from './relativePath.js';

export interface ReceiverOptions {
  /** the destination dataset directory (created if missing) */
  dir: string;
  /** the TCP port to listen on (from the offer); 0 picks a free one */
  port: number;
  /** the address to listen on; all interfaces when absent */
  host?: string;
  /** where the manifest and completion marker live; beside the dataset by default */
  stateDir?: string;
  /** a secret the sender must present (from the move); anyone may connect when absent */
  token?: string;
  blockSize?: number;
  /** give up when no sender has been connected for this long */
  idleTimeoutMs?: number;
  /** make progress durable after this many bytes written ... */
  checkpointBytes?: number;
  /** ... or this long, whichever comes first */
  checkpointMs?: number;
  /** write large files with direct I/O, past the page cache (default true; dropped when the filesystem refuses it) */
  directWrites?: boolean;
  logger?: Logger;
}

export interface ReceiveRoundStats {
  round: number;
  final: boolean;
  bytesReceived: number;
  bytesWritten: number;
  /** of which: written with direct I/O */
  bytesWrittenDirect: number;
  /** files finished this round (new content, changed blocks, or new metadata) */
  filesWritten: number;
  blocksReceived: number;
  deleted: number;
  renamed: number;
  durationMs: number;
  /** of which: waiting for data and directories to reach the disk at the end of the round */
  flushMs: number;
  complete: boolean;
}

export interface ReceiveResult {
  dir: string;
  stateDir: string;
  /** the last committed round */
  round: number;
  digest: string;
  complete: boolean;
  rounds: ReceiveRoundStats[];
}

export interface Receiver {
  port: number;
  /** resolves after a verified final round; rejects on an idle timeout or a failure to serve */
  finished: Promise<ReceiveResult>;
  close(): Promise<void>;
}

const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_CHECKPOINT_BYTES = 1024 * 1024 * 1024;
const DEFAULT_CHECKPOINT_MS = 10_000;
/** positional writes of one file kept in flight at once */
const WRITE_WINDOW = 8;
/** block buffers: those being hashed or written, and the next one arriving */
const POOLED_BUFFERS = 2 * WRITE_WINDOW;

export async function runReceiver(options: ReceiverOptions): Promise<ReceiveResult> {
  const receiver = await startReceiver(options);
  try {
    return await receiver.finished;
  } finally {
    await receiver.close();
  }
}

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  const stateDir = options.stateDir ?? copyStateDirOf(options.dir);
  const tree = new DestinationTree(options.dir);
  await tree.ensureRoot();
  const state = await ReceiverState.open(stateDir, HASH_ALGORITHM, blockSize);
  const log = (options.logger ?? silentLogger()).child({ component: 'copy-receiver', dir: options.dir });
  if (state.recovered > 0) log.warn({ paths: state.recovered, round: state.round }, 'a round was torn: its paths will be sent again');
  const service = new ReceiveService(options, tree, state, stateDir, log);
  const server = createServer((socket) => service.accept(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  log.info({ port, round: state.round }, 'copy receiver listening');
  service.startIdleTimer();
  const finished = service.finished.finally(() => closeServer(server));
  // a caller that only closes must not see an unhandled rejection
  finished.catch(() => undefined);
  return {
    port,
    finished,
    close: async () => {
      service.stop();
      await closeServer(server);
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

interface OpenFile {
  path: string;
  handle: FileHandle;
  writer: BlockWriter;
  size: number;
  rewrite: boolean;
  old: FileEntry | undefined;
  received: Map<number, string>;
  inFlight: Set<Promise<void>>;
  /** bytes written to it this round */
  written: number;
  writeError: Error | undefined;
}

interface ActiveRound {
  round: number;
  final: boolean;
  pending: PendingRound;
  planned: Set<string>;
  done: Set<string>;
  stats: ReceiveRoundStats;
  started: number;
  bytesSinceCheckpoint: number;
  lastCheckpoint: number;
  /** directories whose entries or metadata changed since the last flush */
  touchedDirs: Set<string>;
  /** finished files being flushed in the background */
  flushes: FlushQueue;
}

class ReceiveService {
  readonly finished: Promise<ReceiveResult>;
  private resolveFinished!: (result: ReceiveResult) => void;
  private rejectFinished!: (err: Error) => void;
  private active: { socket: Socket; done: Promise<void> } | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly rounds: ReceiveRoundStats[] = [];
  private readonly blockSize: number;
  private readonly pool: BufferPool;
  private readonly directIo: DirectIo;
  private stopped = false;

  constructor(
    private readonly options: ReceiverOptions,
    private readonly tree: DestinationTree,
    private readonly state: ReceiverState,
    private readonly stateDir: string,
    private readonly log: Logger,
  ) {
    this.blockSize = state.blockSize;
    this.pool = new BufferPool(this.blockSize, POOLED_BUFFERS);
    this.directIo = new DirectIo(options.directWrites ?? true);
    this.finished = new Promise((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
  }

  startIdleTimer(): void {
    clearTimeout(this.idleTimer);
    const ms = this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.idleTimer = setTimeout(() => {
      if (this.active !== undefined) return this.startIdleTimer();
      this.stopped = true;
      this.rejectFinished(new NodeError('IDLE_TIMEOUT', `no sender connected for ${Math.round(ms / 1000)} s; the destination stays resumable (round ${this.state.round})`));
    }, ms);
    this.idleTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.idleTimer);
    this.active?.socket.destroy();
  }

  /** A new sender replaces one still connected: the sender drives, and a half-open old connection must not block its retry. */
  accept(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const previous = this.active;
    const done = (async () => {
      if (previous !== undefined) {
        this.log.warn({ peer: socket.remoteAddress }, 'a new sender connected: dropping the previous connection');
        previous.socket.destroy();
        await previous.done;
      }
      await this.serve(socket);
    })();
    this.active = { socket, done };
    void done.finally(() => {
      if (this.active?.socket === socket) this.active = undefined;
      this.startIdleTimer();
    });
  }

  private async serve(socket: Socket): Promise<void> {
    const reader = new FrameReader(socket);
    const writer = new FrameWriter(socket);
    let round: ActiveRound | undefined;
    let file: OpenFile | undefined;
    try {
      const first = await this.next(reader);
      // a probe (a port check, a load balancer) connects and leaves without a word: not a session
      if (first === undefined) return;
      const hello = first.message;
      if (hello.t !== 'hello') throw new NodeError('PROTOCOL', 'a sender must start with hello');
      this.checkHello(hello);
      const marked = await this.state.reconcile(this.tree);
      if (marked > 0) {
        this.log.warn({ paths: marked }, 'the destination changed since the receiver last wrote it: those paths will be sent again');
        await this.state.persist();
      }
      const digest = this.state.digest();
      await writer.send({
        t: 'welcome',
        protocol: PROTOCOL_VERSION,
        destinationId: this.state.destinationId,
        round: this.state.round,
        digest,
        preservesOwners: this.tree.canChown,
        ...(hello.expectDigest === digest ? {} : { manifest: manifestToList(this.state.manifest) }),
      });
      for (;;) {
        const frame = await this.next(reader);
        if (frame === undefined) break;
        const { message, payload } = frame;
        if (message.t === 'plan') {
          if (round !== undefined) throw new NodeError('PROTOCOL', 'a plan arrived inside a round');
          round = await this.beginRound(message);
          continue;
        }
        if (round === undefined) throw new NodeError('PROTOCOL', `${message.t} arrived outside a round`);
        switch (message.t) {
          case 'mkdir': {
            const path = this.planned(round, message.path);
            await this.tree.mkdir(path);
            this.state.manifest.set(path, message.entry);
            this.state.stamps.delete(path);
            round.touchedDirs.add(path).add(parentOf(path));
            break;
          }
          case 'rename': {
            const from = this.planned(round, message.from);
            const to = this.planned(round, message.to);
            const entry = this.state.manifest.get(from);
            if (entry?.type !== 'file') throw new NodeError('PROTOCOL', `the sender moved ${from}, which is not a file the destination knows`);
            await this.tree.rename(from, to);
            this.forget(from);
            this.state.manifest.set(to, entry);
            const stamp = await this.tree.stamp(to);
            if (stamp !== undefined) this.state.stamps.set(to, stamp);
            round.done.add(from).add(to);
            round.stats.renamed++;
            round.touchedDirs.add(parentOf(from)).add(parentOf(to));
            break;
          }
          case 'delete': {
            const path = this.planned(round, message.path);
            await this.tree.remove(path);
            for (const under of pathsUnder(this.state.manifest, path)) this.forget(under);
            this.forget(path);
            round.done.add(path);
            round.stats.deleted++;
            round.touchedDirs.add(parentOf(path));
            break;
          }
          case 'symlink': {
            const path = this.planned(round, message.path);
            await this.tree.symlink(path, message.entry);
            for (const under of pathsUnder(this.state.manifest, path)) this.forget(under);
            this.state.manifest.set(path, message.entry);
            const stamp = await this.tree.stamp(path);
            if (stamp !== undefined) this.state.stamps.set(path, stamp);
            round.done.add(path);
            round.touchedDirs.add(parentOf(path));
            break;
          }
          case 'file': {
            if (file !== undefined) throw new NodeError('PROTOCOL', `a file began before ${file.path} ended`);
            const path = this.planned(round, message.path);
            const old = this.state.manifest.get(path);
            const known = old?.type === 'file' ? old : undefined;
            if (!message.rewrite && known === undefined) throw new NodeError('PROTOCOL', `the sender updates ${path} in place, but the destination does not know it as a file`);
            for (const under of pathsUnder(this.state.manifest, path)) if (under !== path) this.forget(under);
            const { handle, fullPath, created } = await this.tree.openFile(path, message.rewrite);
            const writer = await BlockWriter.over(handle, fullPath, this.directIo.wanted(message.size, this.blockSize), this.directIo).catch(async (err: unknown) => {
              await handle.close().catch(() => undefined);
              throw err;
            });
            file = { path, handle, writer, size: message.size, rewrite: message.rewrite, old: known, received: new Map(), inFlight: new Set(), written: 0, writeError: undefined };
            // a file updated in place leaves its directory as it was: nothing there to make durable
            if (created) round.touchedDirs.add(parentOf(path));
            break;
          }
          case 'block': {
            if (file === undefined) throw new NodeError('PROTOCOL', 'a block arrived outside a file');
            await this.receiveBlock(file, message, payload, frame.payloadLength, round);
            break;
          }
          case 'fileEnd': {
            if (file?.path !== message.path) throw new NodeError('PROTOCOL', `fileEnd for ${message.path} does not match the open file ${file?.path ?? '(none)'}`);
            const ended = file;
            file = undefined;
            await this.endFile(ended, message.entry, round);
            break;
          }
          case 'dirMeta': {
            const path = this.planned(round, message.path);
            const stamp = await this.tree.setDirMeta(path, message.entry);
            this.state.manifest.set(path, message.entry);
            this.state.stamps.set(path, stamp);
            round.done.add(path);
            round.touchedDirs.add(path);
            break;
          }
          case 'end': {
            if (file !== undefined) throw new NodeError('PROTOCOL', `the round ended inside file ${file.path}`);
            if (message.round !== round.round) throw new NodeError('PROTOCOL', `end of round ${message.round} inside round ${round.round}`);
            const ending = round;
            round = undefined;
            await this.commit(ending, message, writer);
            break;
          }
          case 'hello':
            throw new NodeError('PROTOCOL', 'hello arrived twice');
          default: {
            const never: never = message;
            throw new NodeError('PROTOCOL', `unknown message ${JSON.stringify(never)}`);
          }
        }
        this.state.changed();
        if (round !== undefined && file === undefined) await this.maybeCheckpoint(round);
      }
      if (round !== undefined) throw new NodeError('CONNECTION', `the sender went away in the middle of round ${round.round}`);
    } catch (err) {
      const error = err instanceof NodeError ? err : new NodeError('CONNECTION', (err as Error).message);
      await this.abandon(round, file, error);
      await writer.send({ t: 'failed', code: error.code, message: error.message }).catch(() => undefined);
      socket.end();
    } finally {
      socket.destroy();
    }
  }

  private async next(reader: FrameReader): Promise<{ message: SenderMessage; payload: Buffer[]; payloadLength: number } | undefined> {
    const frame = await reader.next();
    if (frame === undefined) return undefined;
    return { message: parseSenderMessage(frame.header), payload: frame.payload, payloadLength: frame.payloadLength };
  }

  private checkHello(hello: Extract<SenderMessage, { t: 'hello' }>): void {
    if (hello.protocol !== PROTOCOL_VERSION) throw new NodeError('PROTOCOL', `the sender speaks copy protocol ${hello.protocol}, this receiver ${PROTOCOL_VERSION}: run the same Ferry version on both agents`);
    const token = this.options.token;
    if (token !== undefined && (hello.token === undefined || !sameSecret(token, hello.token))) {
      throw new NodeError('AUTH', 'the sender did not present this transfer\'s token');
    }
    if (hello.hashAlgorithm !== HASH_ALGORITHM || hello.blockSize !== this.blockSize) {
      throw new NodeError('INVALID', `the sender uses ${hello.hashAlgorithm} over ${hello.blockSize}-byte blocks, this destination ${HASH_ALGORITHM} over ${this.blockSize}`);
    }
  }

  private async beginRound(plan: Extract<SenderMessage, { t: 'plan' }>): Promise<ActiveRound> {
    if (plan.round !== this.state.round + 1) throw new NodeError('PROTOCOL', `the sender starts round ${plan.round}; the destination committed round ${this.state.round}`);
    for (const path of plan.paths) requireRelativePath(path);
    // before the first byte of a round lands, the destination stops being complete
    const pending: PendingRound = { round: plan.round, paths: plan.paths, done: [] };
    await this.state.beginRound(pending);
    const now = Date.now();
    this.log.info({ round: plan.round, final: plan.final, paths: plan.paths.length }, 'copy round started');
    return {
      round: plan.round,
      final: plan.final,
      pending,
      planned: new Set(plan.paths),
      done: new Set(),
      started: now,
      bytesSinceCheckpoint: 0,
      lastCheckpoint: now,
      touchedDirs: new Set(),
      flushes: new FlushQueue(),
      stats: { round: plan.round, final: plan.final, bytesReceived: 0, bytesWritten: 0, bytesWrittenDirect: 0, filesWritten: 0, blocksReceived: 0, deleted: 0, renamed: 0, durationMs: 0, flushMs: 0, complete: false },
    };
  }

  private planned(round: ActiveRound, path: string): string {
    requireRelativePath(path);
    if (!round.planned.has(path)) {
      throw new NodeError('PROTOCOL', `the sender touched ${path}, which its plan for round ${round.round} did not name`);
    }
    return path;
  }

  private forget(path: string): void {
    this.state.manifest.delete(path);
    this.state.stamps.delete(path);
  }

  private async receiveBlock(file: OpenFile, block: Extract<SenderMessage, { t: 'block' }>, payload: Buffer[], payloadLength: number, round: ActiveRound): Promise<void> {
    if (file.writeError !== undefined) throw file.writeError;
    const blocks = blockCount(file.size, this.blockSize);
    if (block.index >= blocks) throw new NodeError('PROTOCOL', `block ${block.index} of ${file.path} is beyond its ${blocks} blocks`);
    const expectedLength = Math.min(this.blockSize, file.size - block.index * this.blockSize);
    if (block.length !== expectedLength) throw new NodeError('PROTOCOL', `block ${block.index} of ${file.path} is ${block.length} bytes, expected ${expectedLength}`);
    const offset = block.index * this.blockSize;
    file.received.set(block.index, block.hash);
    round.stats.blocksReceived++;
    let work: Promise<void>;
    if (block.zero === true) {
      if (payloadLength !== 0 || block.hash !== zeroBlockHash(block.length)) {
        throw new NodeError('CORRUPT_BLOCK', `block ${block.index} of ${file.path} claims to be zeros but does not hash as zeros; the transfer is corrupt`);
      }
      // a hole where the file has no data yet: sparse files stay sparse
      if (file.rewrite || file.old === undefined || offset >= file.old.size) return;
      work = file.writer.write(zeroBuffer(block.length), offset, false);
    } else {
      if (payloadLength !== block.length) throw new NodeError('PROTOCOL', `block ${block.index} of ${file.path} carries ${payloadLength} bytes, not ${block.length}`);
      round.stats.bytesReceived += payloadLength;
      hashWorkers().startFor(round.stats.bytesReceived);
      // a small round hashes on this thread: a hop to a hashing thread and back costs more than it saves
      const onThreads = round.stats.bytesReceived >= WORTH_THREADS_BYTES;
      // one copy out of the socket's chunks into shared memory; a hashing thread checks it while earlier blocks are written
      const { buffer, release } = await this.pool.acquire();
      let at = 0;
      for (const piece of payload) at += piece.copy(buffer, at);
      work = (async () => {
        try {
          const { hash } = await hashWorkers().hash(buffer, payloadLength, onThreads);
          if (hash !== block.hash) {
            throw new NodeError('CORRUPT_BLOCK', `block ${block.index} of ${file.path} arrived with hash ${hash}, the sender's is ${block.hash}: corrupted in transit; nothing of it was written`);
          }
          // a pooled buffer starts on a page: the block may go to the device directly
          await file.writer.write(buffer.subarray(0, payloadLength), offset, true);
        } finally {
          release();
        }
      })();
    }
    round.stats.bytesWritten += block.length;
    round.bytesSinceCheckpoint += block.length;
    file.written += block.length;
    this.track(file, work);
    if (file.inFlight.size >= WRITE_WINDOW) await Promise.race(file.inFlight);
  }

  /** A block's check and write, running in the background: its failure fails the file at its next block or its end. */
  private track(file: OpenFile, work: Promise<void>): void {
    const tracked = work.catch((err: Error) => {
      file.writeError ??= err;
    });
    file.inFlight.add(tracked);
    void tracked.finally(() => file.inFlight.delete(tracked));
  }

  private async endFile(file: OpenFile, entry: FileEntry, round: ActiveRound): Promise<void> {
    try {
      await Promise.all(file.inFlight);
      await file.writer.closeDirect();
      round.stats.bytesWrittenDirect += file.writer.directBytes;
      if (file.writeError !== undefined) throw file.writeError;
      if (entry.size !== file.size) throw new NodeError('PROTOCOL', `${file.path} began as ${file.size} bytes and ended as ${entry.size}`);
      const blocks = blockCount(entry.size, this.blockSize);
      if (entry.hashes.length !== blocks) throw new NodeError('PROTOCOL', `${file.path} has ${blocks} blocks but ${entry.hashes.length} hashes`);
      for (let i = 0; i < blocks; i++) {
        const received = file.received.get(i);
        if (received !== undefined) {
          if (received !== entry.hashes[i]) throw new NodeError('PROTOCOL', `block ${i} of ${file.path} was sent with another hash than the file's final list`);
          continue;
        }
        // not sent: the destination must already have exactly this block
        const had = file.rewrite ? undefined : file.old?.hashes[i];
        const complete = had !== undefined && (i < blocks - 1 || sameLastBlock(file.old!, entry, this.blockSize));
        if (!complete || had !== entry.hashes[i]) {
          throw new NodeError('VERIFY_FAILED', `block ${i} of ${file.path} was not sent and the destination does not hold it; the sender's view of the destination is stale`);
        }
      }
      const stamp = this.tree.finishFile(file.handle, entry);
      this.state.manifest.set(file.path, entry);
      this.state.stamps.set(file.path, stamp);
      round.done.add(file.path);
      round.stats.filesWritten++;
    } catch (err) {
      await file.writer.closeDirect().catch(() => undefined);
      await file.handle.close().catch(() => undefined);
      throw err;
    }
    round.flushes.add(file.handle, file.written);
  }

  private async maybeCheckpoint(round: ActiveRound): Promise<void> {
    const bytes = this.options.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES;
    const ms = this.options.checkpointMs ?? DEFAULT_CHECKPOINT_MS;
    if (round.bytesSinceCheckpoint < bytes && Date.now() - round.lastCheckpoint < ms) return;
    await this.checkpoint(round);
  }

  /** Data first, then the manifest that describes it: a manifest never claims what a power loss could take back. */
  private async checkpoint(round: ActiveRound): Promise<void> {
    await this.flush(round);
    round.pending.done = [...round.done];
    await this.state.persist(round.pending);
    round.bytesSinceCheckpoint = 0;
    round.lastCheckpoint = Date.now();
  }

  /** Waits for the finished files' flushes, then makes the touched directories' entries durable. */
  private async flush(round: ActiveRound): Promise<void> {
    await round.flushes.drain();
    const dirs = [...round.touchedDirs];
    round.touchedDirs.clear();
    await Promise.all(
      dirs.map(async (dir) => {
        try {
          await fsyncDirectory(dir === ROOT_PATH ? this.tree.root : join(this.tree.root, dir));
        } catch (err) {
          // a directory removed later in the round has nothing left to make durable
          if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ENOTDIR')) throw err;
        }
      }),
    );
  }

  private async commit(round: ActiveRound, end: Extract<SenderMessage, { t: 'end' }>, writer: FrameWriter): Promise<void> {
    const flushStarted = Date.now();
    const flushing = this.flush(round).then(() => {
      round.stats.flushMs = Date.now() - flushStarted;
    });
    // settled below; until then its failure must not count as unhandled
    flushing.catch(() => undefined);
    // the manifest and the marker are written and synced beside the current ones while the data is flushed
    const differences = !end.final ? [] : end.manifest === undefined ? ['the final round carried no manifest'] : manifestDifferences(manifestFromList(end.manifest), this.state.manifest);
    const digest = this.state.digest();
    const verified = end.final && differences.length === 0;
    const staging = this.state.stageCommit(round.round, verified ? { round: round.round, digest, completedAt: new Date().toISOString() } : undefined);
    const [flushed, staged] = await Promise.allSettled([flushing, staging]);
    if (flushed.status === 'rejected' || staged.status === 'rejected') {
      if (staged.status === 'fulfilled') await this.state.discardCommit(staged.value).catch(() => undefined);
      // a failed flush may have lost any file of the round, finished or not
      this.markUnknown(round.pending.paths);
      throw flushed.status === 'rejected' ? flushed.reason : (staged as PromiseRejectedResult).reason;
    }
    // only now is the data durable that the manifest describes
    await this.state.installCommit(staged.value);
    round.stats.durationMs = Date.now() - round.started;
    if (differences.length > 0) {
      this.rounds.push(round.stats);
      this.log.error({ round: round.round, differences }, 'final verification FAILED: the destination does not match the source; not marking it complete');
      await writer.send({ t: 'failed', code: 'VERIFY_FAILED', message: `the destination does not match the source after round ${round.round}`, differences });
      return;
    }
    round.stats.complete = end.final;
    this.rounds.push(round.stats);
    this.log.info({ ...round.stats, digest }, end.final ? 'final copy round verified: destination complete' : 'copy round committed');
    await writer.send({ t: 'committed', round: round.round, digest, final: end.final, complete: round.stats.complete });
    if (end.final) {
      this.stopped = true;
      clearTimeout(this.idleTimer);
      this.resolveFinished({ dir: this.tree.root, stateDir: this.stateDir, round: round.round, digest, complete: true, rounds: this.rounds });
    }
  }

  /** Paths a torn round may have left half-done: 'unknown', so the next round rewrites or removes them. */
  private markUnknown(paths: string[]): void {
    for (const path of paths) {
      this.state.stamps.delete(path);
      this.state.manifest.set(path, { type: 'unknown' });
    }
    this.state.changed();
  }

  /** A round cut short: whatever it may have touched and not finished becomes unknown, durably. */
  private async abandon(round: ActiveRound | undefined, file: OpenFile | undefined, error: NodeError): Promise<void> {
    if (file !== undefined) {
      await Promise.allSettled(file.inFlight);
      await file.writer.closeDirect().catch(() => undefined);
      await file.handle.close().catch(() => undefined);
    }
    if (round === undefined) {
      this.log.warn({ code: error.code, err: error.message }, 'copy session ended with an error');
      return;
    }
    try {
      await this.flush(round);
      // entries below an unfinished path that an unfinished removal took away are found by the next session's reconcile
      this.markUnknown(round.pending.paths.filter((path) => !round.done.has(path)));
      await this.state.persist();
    } catch (err) {
      // the pending journal on disk still names every path: a restart marks them unknown
      this.log.error({ err: (err as Error).message }, 'could not record the torn round; the journal will on restart');
    }
    round.stats.durationMs = Date.now() - round.started;
    this.log.warn({ round: round.round, code: error.code, err: error.message, done: round.done.size, planned: round.pending.paths.length }, 'copy round torn: the destination stays resumable');
  }
}

/** The last block matches when the file's size did not change inside it (a shorter or longer last block hashes differently anyway). */
function sameLastBlock(old: FileEntry, entry: FileEntry, blockSize: number): boolean {
  const lastLength = (size: number) => size - (blockCount(size, blockSize) - 1) * blockSize;
  return blockCount(old.size, blockSize) === blockCount(entry.size, blockSize) && lastLength(old.size) === lastLength(entry.size);
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
