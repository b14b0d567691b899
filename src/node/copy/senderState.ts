// What a sender remembers between rounds, in its state file on the source
// agent: per source file the inode, size and mtime it had when read and the
// hashes of its blocks then (so an unchanged file is never read again), and
// the destination manifest as of the last committed round. It never holds
// anything read from the destination's disk.

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
  version: 1;
  hashAlgorithm: string;
  blockSize: number;
  files: Record<string, CachedFile>;
  destination?: { digest: string; manifest: ManifestList };
}

/** The remembered state, or a fresh one when there is none or it was made with another hash or block size. */
export async function loadSenderState(path: string, hashAlgorithm: string, blockSize: number): Promise<SenderState> {
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
  await writeSenderState(path, senderStateText(state));
}

/** The state as its file holds it: made apart from the write, so a sender can prepare it while it waits on the receiver. */
export function senderStateText(state: SenderState): string {
  const file: SenderStateFile = {
    version: 1,
    hashAlgorithm: state.hashAlgorithm,
    blockSize: state.blockSize,
    files: Object.fromEntries(state.files),
  };
  if (state.destination !== undefined) file.destination = { digest: state.destination.digest, manifest: manifestToList(state.destination.manifest) };
  return JSON.stringify(file);
}

export async function writeSenderState(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // a cache, not a record: after a power loss an older or unreadable file only costs reads (not synced, so not downtime)
  await replaceFile(path, text, { syncData: false });
}
