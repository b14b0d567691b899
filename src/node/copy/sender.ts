// The sending end of a dataset copy, run on the source agent: one round per
// call. It walks the source, reads only files whose inode, size or mtime
// changed since it last read them (or whose blocks the destination lacks),
// sends only blocks whose hash differs from the destination manifest, and
// streams them straight to the receiver over TCP. It never reads the
// destination; a final round ends with the receiver comparing manifests.

import { Socket, type SocketConstructorOpts } from 'node:net';
import { constants, fstatSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../common/log.js';
import { silentLogger } from '../../common/log.js';
import { isErrno, NodeError, type NodeErrorCode } from '../nodeError.js';
import { blockCount, DEFAULT_BLOCK_SIZE, HASH_ALGORITHM, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE } from './blockHashing.js';
import { manifestDigest, manifestFromList, manifestToList, pathsUnder, type FileEntry, type Manifest } from './copyManifest.js';
import { parseReceiverMessage, PROTOCOL_VERSION, type ReceiverMessage } from './copyMessages.js';
import { senderStateFileOf } from './copyStatePaths.js';
import { FrameReader, FrameWriter } from './frameCodec.js';
import { fileEntryOf, planRound, type RoundOp } from './roundPlan.js';
import { loadSenderState, prepareSenderState, saveSenderState, writeSenderState, type CachedFile, type SenderState } from './senderState.js';
import { sourceRoot, walkSourceRoot, type SourceNode, type SourceTree } from './sourceTree.js';
import { BufferPool } from './bufferPool.js';
import { hashWorkers, WORTH_THREADS_BYTES } from './hashWorkers.js';

export interface SenderOptions {
  /** the source dataset directory */
  dir: string;
  /** the receiver's address and port */
  host: string;
  port: number;
  /** the sender's memory between rounds; beside the dataset by default */
  stateFile?: string;
  /** the task has stopped: verify the destination against the source and let it be marked complete */
  final: boolean;
  token?: string;
  blockSize?: number;
  connectTimeoutMs?: number;
  logger?: Logger;
}

export interface SendRoundStats {
  round: number;
  final: boolean;
  /** source entries walked (stat only) */
  entriesScanned: number;
  filesRead: number;
  bytesRead: number;
  /** files whose content or metadata the round changed at the destination */
  filesChanged: number;
  blocksSent: number;
  /** block data sent (zero blocks cost nothing) */
  bytesSent: number;
  /** everything written to the connection, framing included */
  wireBytes: number;
  deleted: number;
  renamed: number;
  durationMs: number;
  /** where the time went: loading the cache, walking the source, the handshake, sending, the receiver's commit, saving the cache */
  phasesMs: { load: number; walk: number; handshake: number; transfer: number; commit: number; save: number };
  /** final rounds: the receiver compared manifests and marked the destination complete */
  complete: boolean;
  digest: string;
  skipped: string[];
}

const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** blocks being read and hashed (on the hashing threads) ahead of the one being sent */
const READ_AHEAD_BLOCKS = 8;
/** block buffers in use at once: read ahead, queued in the socket, and in the kernel's hands */
const POOLED_BUFFERS = 24;
/** bytes the socket queues before the sender waits for it to drain */
const SOCKET_QUEUE_BYTES = 8 * 1024 * 1024;
/**
 * A file modified this close to when it was read could change again within
 * the same timestamp tick (a jiffy, at most 10 ms) without its mtime moving:
 * it is read again next round rather than trusted, as git does with its
 * "racily clean" entries.
 */
const RACY_MARGIN_NS = 100_000_000n;

export async function runSender(options: SenderOptions): Promise<SendRoundStats> {
  const started = Date.now();
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  if (!Number.isInteger(blockSize) || blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
    throw new NodeError('INVALID', `block size ${blockSize} is outside ${MIN_BLOCK_SIZE}-${MAX_BLOCK_SIZE} bytes`);
  }
  const stateFile = options.stateFile ?? senderStateFileOf(options.dir);
  const log = (options.logger ?? silentLogger()).child({ component: 'copy-sender', dir: options.dir, peer: `${options.host}:${options.port}` });
  const state = await loadSenderState(stateFile, HASH_ALGORITHM, blockSize);
  // a source that is not there is the user's error to report, before any connection
  const root = await sourceRoot(options.dir);
  const loaded = Date.now();
  const socket = await connectTo(options.host, options.port, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  const session = new SendSession(options, state, blockSize, socket, log);
  try {
    const stats = await session.round(() => walkSourceRoot(root));
    stats.phasesMs.load = loaded - started;
    stats.durationMs = Date.now() - started;
    log.info({ ...stats, skipped: stats.skipped.length }, options.final ? 'final copy round done' : 'copy round done');
    return stats;
  } catch (err) {
    // what was learned about the source stays true; the destination view is dropped and asked for again
    await saveSenderState(stateFile, { ...state, files: session.cacheAfterFailure() }).catch(() => undefined);
    throw err;
  } finally {
    socket.destroy();
  }
}

/** A block read and hashed, in a pooled buffer to release once it is sent (or not needed). */
interface ReadBlock {
  data: Buffer;
  hash: string;
  zero: boolean;
  /** the file ended before the block did (it shrank while being read) */
  short: boolean;
  release: () => void;
}

class SendSession {
  private readonly reader: FrameReader;
  private readonly writer: FrameWriter;
  private readonly newCache = new Map<string, CachedFile>();
  private readonly stats: SendRoundStats;
  private preservesOwners = false;
  private readonly pool: BufferPool;
  /** the real path of the source root, once walked */
  private root = '';
  /** the round reads enough to hash on the hashing threads (a small one hashes on this thread, without the hops) */
  private onThreads = false;

  constructor(
    private readonly options: SenderOptions,
    private readonly state: SenderState,
    private readonly blockSize: number,
    socket: Socket,
    private readonly log: Logger,
  ) {
    this.reader = new FrameReader(socket);
    this.writer = new FrameWriter(socket);
    this.pool = new BufferPool(blockSize, POOLED_BUFFERS);
    this.stats = {
      round: 0,
      final: options.final,
      entriesScanned: 0,
      filesRead: 0,
      bytesRead: 0,
      filesChanged: 0,
      blocksSent: 0,
      bytesSent: 0,
      wireBytes: 0,
      deleted: 0,
      renamed: 0,
      durationMs: 0,
      phasesMs: { load: 0, walk: 0, handshake: 0, transfer: 0, commit: 0, save: 0 },
      complete: false,
      digest: '',
      skipped: [],
    };
  }

  /** The source knowledge gathered so far, for a round that failed: new reads win over old ones. */
  cacheAfterFailure(): Map<string, CachedFile> {
    return new Map([...this.state.files, ...this.newCache]);
  }

  async round(walk: () => Promise<SourceTree>): Promise<SendRoundStats> {
    const phases = this.stats.phasesMs;
    let mark = Date.now();
    const lap = (): number => {
      const now = Date.now();
      const took = now - mark;
      mark = now;
      return took;
    };
    await this.writer.send({
      t: 'hello',
      protocol: PROTOCOL_VERSION,
      hashAlgorithm: HASH_ALGORITHM,
      blockSize: this.blockSize,
      ...(this.options.token !== undefined ? { token: this.options.token } : {}),
      ...(this.state.destination !== undefined ? { expectDigest: this.state.destination.digest } : {}),
    });
    phases.handshake = lap();
    // the walk runs while the receiver checks its destination against its stamps (another process, often another machine)
    const tree = await walk();
    const nodes = tree.nodes;
    this.root = tree.root;
    this.stats.entriesScanned = nodes.length;
    this.stats.skipped = tree.skipped;
    phases.walk = lap();
    const welcome = await this.expect('welcome');
    this.preservesOwners = welcome.preservesOwners;
    const destination = welcome.manifest !== undefined ? manifestFromList(welcome.manifest) : this.state.destination?.manifest;
    if (destination === undefined) throw new NodeError('PROTOCOL', 'the receiver confirmed a manifest this sender does not have');
    const round = welcome.round + 1;
    this.stats.round = round;
    phases.handshake += lap();

    const plan = planRound({ nodes, cache: this.state.files, destination, preservesOwners: this.preservesOwners });
    let toRead = 0;
    for (const op of plan.ops) if (op.kind === 'file') toRead += op.node.size;
    hashWorkers().startFor(toRead);
    this.onThreads = toRead >= WORTH_THREADS_BYTES;
    await this.writer.send({ t: 'plan', round, final: this.options.final, paths: plan.paths });

    // the destination as it will be once this round is applied
    const expected: Manifest = new Map(destination);
    const inPlan = new Set<string>();
    for (const op of plan.ops) if (op.kind === 'file') inPlan.add(op.path);
    for (const node of nodes) {
      if (node.type !== 'file' || inPlan.has(node.path)) continue;
      const cached = this.state.files.get(node.path);
      if (cached !== undefined) this.newCache.set(node.path, cached);
    }
    for (const op of plan.ops) await this.apply(op, expected);

    phases.transfer = lap();
    await this.writer.send({ t: 'end', round, final: this.options.final, ...(this.options.final ? { manifest: manifestToList(expected) } : {}) });
    // the digest to expect and the state to keep if the receiver commits what was predicted, prepared while it flushes
    const digest = manifestDigest(expected);
    const predicted: SenderState = { ...this.state, files: this.newCache, destination: { digest, manifest: expected } };
    const prepared = prepareSenderState(predicted);
    const reply = await this.expect('committed');
    phases.commit = lap();
    this.stats.wireBytes = this.writer.bytesWritten;
    this.stats.digest = reply.digest;
    this.stats.complete = reply.complete;
    if (this.options.final && !reply.complete) throw new NodeError('VERIFY_FAILED', `the receiver committed final round ${round} without marking it complete`);
    const stateFile = this.options.stateFile ?? senderStateFileOf(this.options.dir);
    if (reply.digest === digest) await writeSenderState(stateFile, prepared);
    else {
      this.log.warn({ round, expected: digest, receiver: reply.digest }, 'the receiver describes its destination differently than predicted: it will send its manifest next round');
      const { destination: _stale, ...known } = this.state;
      await saveSenderState(stateFile, { ...known, files: this.newCache });
    }
    phases.save = lap();
    return this.stats;
  }

  private async apply(op: RoundOp, expected: Manifest): Promise<void> {
    switch (op.kind) {
      case 'mkdir':
        await this.writer.send({ t: 'mkdir', path: op.path, entry: op.entry });
        expected.set(op.path, op.entry);
        return;
      case 'rename': {
        await this.writer.send({ t: 'rename', from: op.from, to: op.to });
        const entry = expected.get(op.from);
        expected.delete(op.from);
        if (entry !== undefined) expected.set(op.to, entry);
        this.stats.renamed++;
        return;
      }
      case 'delete':
        await this.writer.send({ t: 'delete', path: op.path });
        for (const under of pathsUnder(expected, op.path)) expected.delete(under);
        expected.delete(op.path);
        this.stats.deleted++;
        return;
      case 'symlink':
        await this.writer.send({ t: 'symlink', path: op.path, entry: op.entry });
        for (const under of pathsUnder(expected, op.path)) expected.delete(under);
        expected.set(op.path, op.entry);
        return;
      case 'file': {
        const entry = await this.sendFile(op);
        if (entry === undefined) return;
        // a file where the destination had a directory: what was below it goes (a file has nothing below it)
        if (expected.get(op.path)?.type !== 'file') for (const under of pathsUnder(expected, op.path)) if (under !== op.path) expected.delete(under);
        expected.set(op.path, entry);
        return;
      }
      case 'dirMeta':
        await this.writer.send({ t: 'dirMeta', path: op.path, entry: op.entry });
        expected.set(op.path, op.entry);
        return;
      default: {
        const never: never = op;
        throw new Error(`unknown round op ${JSON.stringify(never)}`);
      }
    }
  }

  /** Sends the blocks of one file that the destination lacks; undefined when the file vanished meanwhile (the next round sees). */
  private async sendFile(op: Extract<RoundOp, { kind: 'file' }>): Promise<FileEntry | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(join(this.root, op.path), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ELOOP') || isErrno(err, 'ENOTDIR')) return undefined;
      throw err;
    }
    // the hashing threads read through the descriptor: it stays open until every read they were given is over
    const reads: Promise<ReadBlock>[] = [];
    try {
      // fstat of an open file is served from the inode in memory: a thread-pool round trip would cost ten times more
      const before = fstatSync(handle.fd, { bigint: true });
      if (!before.isFile()) return undefined;
      const readStartNs = BigInt(Date.now()) * 1_000_000n;
      const node: SourceNode = { ...op.node, mode: Number(before.mode & 0o7777n), uid: Number(before.uid), gid: Number(before.gid), mtimeNs: before.mtimeNs.toString(), ino: before.ino.toString(), size: Number(before.size) };
      // hashes remembered for the walk's view of the file hold only if the file is still that file
      const stillAsWalked = node.ino === op.node.ino && node.size === op.node.size && node.mtimeNs === op.node.mtimeNs;
      const known = stillAsWalked ? op.known : undefined;
      const blocks = blockCount(node.size, this.blockSize);
      const rewrite = op.rewrite;
      const have = rewrite ? undefined : op.destination?.hashes;
      const hashes: string[] = known !== undefined ? [...known] : new Array<string>(blocks);
      const toRead: number[] = [];
      for (let i = 0; i < blocks; i++) if (known === undefined || have?.[i] !== known[i] || i >= (have?.length ?? 0)) toRead.push(i);

      await this.writer.send({ t: 'file', path: op.path, size: node.size, rewrite });
      let racy = false;
      let sentAny = false;
      // reads and hashes run ahead on the hashing threads, into pooled buffers returned once the kernel has the bytes
      let next = 0;
      const topUp = () => {
        while (next < toRead.length && reads.length < READ_AHEAD_BLOCKS) {
          const read = this.readBlock(handle, toRead[next++]!, node.size);
          read.catch(() => undefined);
          reads.push(read);
        }
      };
      topUp();
      for (let k = 0; k < toRead.length; k++) {
        const index = toRead[k]!;
        const { data, hash, zero, short, release } = await reads.shift()!;
        topUp();
        racy ||= short;
        this.stats.bytesRead += data.length;
        if (known !== undefined && known[index] !== hash) racy = true;
        hashes[index] = hash;
        // equal hashes mean equal bytes (and so equal lengths): the destination already has this block
        if (have?.[index] === hash || zero) {
          release();
          if (have?.[index] === hash) continue;
        }
        await this.writer.send({ t: 'block', index, hash, length: data.length, ...(zero ? { zero: true } : {}) }, zero ? undefined : data, zero ? undefined : release);
        this.stats.blocksSent++;
        if (!zero) this.stats.bytesSent += data.length;
        sentAny = true;
      }
      if (toRead.length > 0) this.stats.filesRead++;
      const after = fstatSync(handle.fd, { bigint: true });
      racy ||= after.mtimeNs !== before.mtimeNs || after.size !== before.size || after.ctimeNs !== before.ctimeNs || before.mtimeNs > readStartNs - RACY_MARGIN_NS;
      const entry = fileEntryOf(node, hashes, this.preservesOwners);
      await this.writer.send({ t: 'fileEnd', path: op.path, entry });
      if (sentAny || op.destination === undefined || op.destination.mode !== entry.mode || op.destination.mtimeNs !== entry.mtimeNs || op.destination.size !== entry.size) this.stats.filesChanged++;
      if (!racy) this.newCache.set(op.path, { ino: node.ino, size: node.size, mtimeNs: node.mtimeNs, hashes });
      else this.newCache.delete(op.path);
      return entry;
    } finally {
      for (const settled of await Promise.allSettled(reads)) if (settled.status === 'fulfilled') settled.value.release();
      await handle.close();
    }
  }

  private async readBlock(handle: FileHandle, index: number, size: number): Promise<ReadBlock> {
    const length = Math.min(this.blockSize, size - index * this.blockSize);
    const { buffer, release } = await this.pool.acquire();
    try {
      // the file shrank while being read: what is missing reads as zeros, and the file is read again next round
      const { hash, zero, filled } = await hashWorkers().readAndHash(handle.fd, index * this.blockSize, buffer, length, this.onThreads);
      return { data: buffer.subarray(0, length), hash, zero, short: filled < length, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  private async expect<T extends ReceiverMessage['t']>(kind: T): Promise<Extract<ReceiverMessage, { t: T }>> {
    const frame = await this.reader.next();
    if (frame === undefined) throw new NodeError('CONNECTION', `the receiver closed the connection while the sender waited for ${kind}`);
    const message = parseReceiverMessage(frame.header);
    if (message.t === 'failed') {
      const details = message.differences === undefined || message.differences.length === 0 ? '' : `: ${message.differences.join('; ')}`;
      throw new NodeError(knownCode(message.code), `the receiver refused: ${message.message}${details}`);
    }
    if (message.t !== kind) throw new NodeError('PROTOCOL', `the receiver sent ${message.t} where ${kind} was due`);
    return message as Extract<ReceiverMessage, { t: T }>;
  }
}

const NODE_ERROR_CODES: NodeErrorCode[] = ['INVALID', 'REFUSED', 'BUSY', 'COMMAND_FAILED', 'CONNECTION', 'CORRUPT_BLOCK', 'VERIFY_FAILED', 'PROTOCOL', 'AUTH', 'IDLE_TIMEOUT'];

function knownCode(code: string): NodeErrorCode {
  return (NODE_ERROR_CODES as string[]).includes(code) ? (code as NodeErrorCode) : 'PROTOCOL';
}

/** Connects, retrying while nothing listens yet (the receiver task may still be starting), up to the timeout. */
async function connectTo(host: string, port: number, timeoutMs: number): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connectOnce(host, port, Math.max(1, deadline - Date.now()));
    } catch (err) {
      const refused = (err as { cause?: NodeJS.ErrnoException }).cause?.code === 'ECONNREFUSED';
      if (!refused || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function connectOnce(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // a deep user-space queue keeps the sender reading and hashing while the kernel drains the socket
    const socket = new Socket({ writableHighWaterMark: SOCKET_QUEUE_BYTES } as SocketConstructorOpts);
    socket.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new NodeError('CONNECTION', `no answer from the receiver at ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(Object.assign(new NodeError('CONNECTION', `cannot reach the receiver at ${host}:${port}: ${err.message}`), { cause: err }));
    });
  });
}
