// How the copy engine fingerprints data: fixed-size blocks, each hashed with
// SHA-1 (hardware-accelerated on current x86 and ARM CPUs, and the fastest
// digest Node ships), an all-zero block recognised without hashing. Sender
// and receiver must agree on both; the handshake checks it.

import { createHash } from 'node:crypto';

export const HASH_ALGORITHM = 'sha1';
export const DEFAULT_BLOCK_SIZE = 1024 * 1024;
export const MIN_BLOCK_SIZE = 4096;
export const MAX_BLOCK_SIZE = 16 * 1024 * 1024;

export function hashBlock(data: Buffer): string {
  return createHash(HASH_ALGORITHM).update(data).digest('hex');
}

const zeroHashes = new Map<number, string>();
let zeros = Buffer.alloc(0);

/** A buffer of at least `length` zero bytes (shared: never write into it). */
export function zeroBuffer(length: number): Buffer {
  if (zeros.length < length) zeros = Buffer.alloc(length);
  return zeros.subarray(0, length);
}

export function zeroBlockHash(length: number): string {
  let hash = zeroHashes.get(length);
  if (hash === undefined) {
    hash = hashBlock(zeroBuffer(length));
    zeroHashes.set(length, hash);
  }
  return hash;
}

export function isAllZero(data: Buffer): boolean {
  return data.equals(zeroBuffer(data.length));
}

/** The hash of a block and whether it is all zeros (then hashing is skipped). */
export function fingerprint(data: Buffer): { hash: string; zero: boolean } {
  if (isAllZero(data)) return { hash: zeroBlockHash(data.length), zero: true };
  return { hash: hashBlock(data), zero: false };
}

/** The hash of a block that arrived in pieces, without joining them. */
export function hashPieces(pieces: Buffer[]): string {
  const hash = createHash(HASH_ALGORITHM);
  for (const piece of pieces) hash.update(piece);
  return hash.digest('hex');
}

export function blockCount(size: number, blockSize: number): number {
  return Math.ceil(size / blockSize);
}
