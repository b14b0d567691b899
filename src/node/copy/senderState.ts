// What a sender remembers between rounds, in its state file on the source
// agent: per source file the inode, size and mtime it had when read and the
// hashes of its blocks then (so an unchanged file is never read again), and
// the destination manifest as of the last committed round. It never holds
// anything read from the destination's disk. A resident sender (the node
// executor running a move's rounds) takes the state it wrote last from
// memory, never a state someone else wrote since.

import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { replaceFile } from '../atomicFile.js';
import { checkManifestList } from './copyMessages.js';
import { manifestFromList, manifestToList, type Manifest, type ManifestList } from './copyManifest.js';

export interface CachedFile {
  ino: string;
  size: number;
  mtimeNs: string;
  hashes: string[];
}

export interface SenderState {
  hashAlgorithm: string;
  blockSize: number;
  files: Map<string, CachedFile>;
  /** the destination as of the last committed round, with its digest */
  destination?: { digest: string; manifest: Manifest };
}

interface SenderStateFile {
  /** random per write, first in the file: what tells a resident sender that the file is still the one it wrote */
  generation?: string;
  version: 1;
  hashAlgorithm: string;
  blockSize: number;
  files: Record<string, CachedFile>;
  destination?: { digest: string; manifest: ManifestList };
}

/** The remembered state, or a fresh one when there is none or it was made with another hash or block size. */
export async function loadSenderState(path: string, hashAlgorithm: string, blockSize: number): Promise<SenderState> {
  const kept = remembered.get(path);
  if (kept !== undefined && kept.state.hashAlgorithm === hashAlgorithm && kept.state.blockSize === blockSize && stillAsWritten(path, kept)) return kept.state;
  remembered.delete(path);
  const fresh: SenderState = { hashAlgorithm, blockSize, files: new Map() };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fresh;
    throw err;
  }
  // a damaged or foreign cache costs one full read of the source, nothing else
  let parsed: SenderStateFile;
  try {
    parsed = JSON.parse(text) as SenderStateFile;
    if (parsed.version !== 1 || typeof parsed.files !== 'object' || parsed.files === null) return fresh;
    if (parsed.destination !== undefined) checkManifestList(parsed.destination.manifest);
  } catch {
    return fresh;
  }
  if (parsed.hashAlgorithm !== hashAlgorithm || parsed.blockSize !== blockSize) return fresh;
  const files = new Map<string, CachedFile>();
  for (const [file, cached] of Object.entries(parsed.files)) {
    if (typeof cached?.ino === 'string' && typeof cached.mtimeNs === 'string' && Number.isSafeInteger(cached.size) && Array.isArray(cached.hashes)) files.set(file, cached);
  }
  const state: SenderState = { hashAlgorithm, blockSize, files };
  if (parsed.destination !== undefined && typeof parsed.destination.digest === 'string') {
    state.destination = { digest: parsed.destination.digest, manifest: manifestFromList(parsed.destination.manifest) };
  }
  return state;
}

export async function saveSenderState(path: string, state: SenderState): Promise<void> {
  await writeSenderState(path, prepareSenderState(state));
}

/** A state ready to write: its file's text, made apart from the write, so a sender can prepare it while it waits on the receiver. */
export interface PreparedState {
  state: SenderState;
  generation: string;
  text: string;
}

export function prepareSenderState(state: SenderState): PreparedState {
  const generation = randomUUID();
  const file: SenderStateFile = {
    generation,
    version: 1,
    hashAlgorithm: state.hashAlgorithm,
    blockSize: state.blockSize,
    files: Object.fromEntries(state.files),
  };
  if (state.destination !== undefined) file.destination = { digest: state.destination.digest, manifest: manifestToList(state.destination.manifest) };
  return { state, generation, text: JSON.stringify(file) };
}

/**
 * Writes the state file and remembers the state for this process's next
 * load of it. The state must not be changed afterwards (a sender builds a
 * new one each round).
 */
export async function writeSenderState(path: string, prepared: PreparedState): Promise<void> {
  remembered.delete(path);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // a cache, not a record: after a power loss an older or unreadable file only costs reads (not synced, so not downtime)
  await replaceFile(path, prepared.text, { syncData: false });
  const written = fileAsWritten(path, prepared.generation);
  if (written === undefined) return;
  remembered.set(path, { ...written, state: prepared.state });
  // a node executor serves a few moves at once; a state no longer remembered is read from its file again
  if (remembered.size > REMEMBERED_FILES) remembered.delete(remembered.keys().next().value!);
}

/**
 * The state files this process wrote last, with what identifies each file
 * as written: a resident sender's next round skips reading and parsing its
 * state (every file's block hashes and the destination manifest) on the
 * downtime path of a final round.
 */
const remembered = new Map<string, WrittenFile & { state: SenderState }>();
const REMEMBERED_FILES = 8;

interface WrittenFile {
  generation: string;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
}

/**
 * The file is the one this process wrote: it still begins with the
 * generation written into it (random per write, so another writer's file,
 * even one reusing the inode within the same timestamp tick, never matches)
 * and has the inode, size and mtime it had then (so an edit in place is
 * seen too). A copy of the very same bytes matches, and rightly: its state
 * is the remembered one.
 */
function stillAsWritten(path: string, kept: WrittenFile): boolean {
  const now = fileAsWritten(path, kept.generation);
  return now !== undefined && now.ino === kept.ino && now.size === kept.size && now.mtimeNs === kept.mtimeNs;
}

/**
 * What identifies `path` now, when it begins with `generation`; undefined
 * when it does not or cannot be read. Synchronous: an open, an fstat and a
 * read of a few bytes take microseconds, a thread-pool round trip each more.
 */
function fileAsWritten(path: string, generation: string): WrittenFile | undefined {
  const head = Buffer.from(`{"generation":${JSON.stringify(generation)},`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const s = fstatSync(fd, { bigint: true });
    const read = Buffer.alloc(head.length);
    if (readSync(fd, read, 0, head.length, 0) !== head.length || !read.equals(head)) return undefined;
    return { generation, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
