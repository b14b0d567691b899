// The sending end of a dataset copy, run on the source agent: one round per
// call. It walks the source, reads only files whose inode, size or mtime
// changed since it last read them (or whose blocks the destination lacks),
// sends only blocks whose hash differs from the destination manifest, and
// streams them straight to the receiver over TCP. It never reads the
// destination; a final round ends with the receiver comparing manifests.

import { Socket, type SocketConstructorOpts } from 'node:net';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../common/log.js';
import { silentLogger } from '../../common/log.js';
import { isErrno, NodeError, type NodeErrorCode } from '../nodeError.js';
import { blockCount, DEFAULT_BLOCK_SIZE, fingerprint, HASH_ALGORITHM, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE } from './blockHashing.js';
import { manifestDigest, manifestFromList, manifestToList, pathsUnder, type FileEntry, type Manifest } from './copyManifest.js';
import { parseReceiverMessage, PROTOCOL_VERSION, type ReceiverMessage } from './copyMessages.js';
import { senderStateFileOf } from './copyStatePaths.js';
import { FrameReader, FrameWriter } from './frameCodec.js';
import { fileEntryOf, planRound, type RoundOp } from './roundPlan.js';
import { loadSenderState, saveSenderState, type CachedFile, type SenderState } from './senderState.js';
import { walkSource, type SourceNode } from './sourceTree.js';
import { BufferPool } from './bufferPool.js';

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
/** blocks read ahead of the one being hashed and sent */
const READ_AHEAD_BLOCKS = 4;
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
  const loaded = Date.now();
  const tree = await walkSource(options.dir);
  const walked = Date.now();
  const socket = await connectTo(options.host, options.port, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  const session = new SendSession(options, tree.root, state, blockSize, socket, log);
  try {
    const stats = await session.round(tree.nodes);
    stats.phasesMs.load = loaded - started;
    stats.phasesMs.walk = walked - loaded;
    stats.skipped = tree.skipped;
    stats.durationMs = Date.now() - started;
    log.info({ ...stats, skipped: tree.skipped.length }, options.final ? 'final copy round done' : 'copy round done');
    return stats;
  } catch (err) {
    // what was learned about the source stays true; the destination view is dropped and asked for again
    await saveSenderState(stateFile, { ...state, files: session.cacheAfterFailure() }).catch(() => undefined);
    throw err;
  } finally {
    socket.destroy();
  }
}

class SendSession {
  private readonly reader: FrameReader;
  private readonly writer: FrameWriter;
  private readonly newCache = new Map<string, CachedFile>();
  private readonly stats: SendRoundStats;
  private preservesOwners = false;
  private readonly pool: BufferPool;

  constructor(
    private readonly options: SenderOptions,
    private readonly root: string,
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

  async round(nodes: SourceNode[]): Promise<SendRoundStats> {
    this.stats.entriesScanned = nodes.length;
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
    const welcome = await this.expect('welcome');
    this.preservesOwners = welcome.preservesOwners;
    const destination = welcome.manifest !== undefined ? manifestFromList(welcome.manifest) : this.state.destination?.manifest;
    if (destination === undefined) throw new NodeError('PROTOCOL', 'the receiver confirmed a manifest this sender does not have');
    const round = welcome.round + 1;
    this.stats.round = round;
    phases.handshake = lap();

    const plan = planRound({ nodes, cache: this.state.files, destination, preservesOwners: this.preservesOwners });
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

    const digest = manifestDigest(expected);
    phases.transfer = lap();
    await this.writer.send({ t: 'end', round, final: this.options.final, ...(this.options.final ? { manifest: manifestToList(expected) } : {}) });
    const reply = await this.expect('committed');
    phases.commit = lap();
    this.stats.wireBytes = this.writer.bytesWritten;
    this.stats.digest = reply.digest;
    this.stats.complete = reply.complete;
    if (this.options.final && !reply.complete) throw new NodeError('VERIFY_FAILED', `the receiver committed final round ${round} without marking it complete`);
    const next: SenderState = { ...this.state, files: this.newCache };
    if (reply.digest === digest) next.destination = { digest, manifest: expected };
    else {
      delete next.destination;
      this.log.warn({ round, expected: digest, receiver: reply.digest }, 'the receiver describes its destination differently than predicted: it will send its manifest next round');
    }
    await saveSenderState(this.options.stateFile ?? senderStateFileOf(this.options.dir), next);
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
        for (const under of pathsUnder(expected, op.path)) if (under !== op.path) expected.delete(under);
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
    try {
      const before = await handle.stat({ bigint: true });
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
      // reads run ahead of hashing and sending, into pooled buffers returned once the kernel has the bytes
      const reads: Promise<{ data: Buffer; short: boolean; release: () => void }>[] = [];
      let next = 0;
      const topUp = () => {
        while (next < toRead.length && reads.length < READ_AHEAD_BLOCKS) reads.push(this.readBlock(handle, toRead[next++]!, node.size));
      };
      topUp();
      for (let k = 0; k < toRead.length; k++) {
        const index = toRead[k]!;
        const { data, short, release } = await reads.shift()!;
        topUp();
        racy ||= short;
        this.stats.bytesRead += data.length;
        const { hash, zero } = fingerprint(data);
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
      const after = await handle.stat({ bigint: true });
      racy ||= after.mtimeNs !== before.mtimeNs || after.size !== before.size || after.ctimeNs !== before.ctimeNs || before.mtimeNs > readStartNs - RACY_MARGIN_NS;
      const entry = fileEntryOf(node, hashes, this.preservesOwners);
      await this.writer.send({ t: 'fileEnd', path: op.path, entry });
      if (sentAny || op.destination === undefined || op.destination.mode !== entry.mode || op.destination.mtimeNs !== entry.mtimeNs || op.destination.size !== entry.size) this.stats.filesChanged++;
      if (!racy) this.newCache.set(op.path, { ino: node.ino, size: node.size, mtimeNs: node.mtimeNs, hashes });
      else this.newCache.delete(op.path);
      return entry;
    } finally {
      await handle.close();
    }
  }

  private async readBlock(handle: FileHandle, index: number, size: number): Promise<{ data: Buffer; short: boolean; release: () => void }> {
    const length = Math.min(this.blockSize, size - index * this.blockSize);
    const { buffer, release } = await this.pool.acquire();
    const data = buffer.subarray(0, length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(data, filled, length - filled, index * this.blockSize + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    // the file shrank while being read: what is missing reads as zeros, and the file is read again next round
    if (filled < length) data.fill(0, filled);
    return { data, short: filled < length, release };
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
