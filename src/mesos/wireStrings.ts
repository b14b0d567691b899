// Reads protobuf strings, the short repeated ones from a small cache: an offer
// round carries the same few short strings thousands of times ("*", "cpus",
// "ports", a hostname), and decoding each through Buffer's native UTF-8 call
// costs more than comparing its bytes to the string read last time. Only
// ASCII is cached, where a byte and a UTF-16 unit are the same; the result is
// always exactly what protobufjs's Reader.string() returns.

import type protobuf from 'protobufjs';

/** Longer strings are mostly unique (offer and agent ids): the native decoder reads them. */
const MAX_CACHED = 24;
const SLOTS = 1024;

const cache: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);

export function readWireString(r: protobuf.Reader): string {
  const at = r.pos;
  const length = r.uint32();
  const start = r.pos;
  // long strings, overruns (protobufjs reports them in its own words) and non-ASCII: protobufjs reads them
  if (length > MAX_CACHED || start + length > r.len) return again(r, at);
  const buf = r.buf;
  let hash = length;
  for (let i = start; i < start + length; i++) {
    const c = buf[i]!;
    if (c > 0x7f) return again(r, at);
    hash = (Math.imul(hash, 31) + c) | 0;
  }
  const slot = hash & (SLOTS - 1);
  const cached = cache[slot];
  if (cached !== undefined && cached.length === length && sameBytes(cached, buf, start)) {
    r.pos = start + length;
    return cached;
  }
  const s = again(r, at);
  cache[slot] = s;
  return s;
}

/** Back to the length prefix, and protobufjs reads the string. */
function again(r: protobuf.Reader, at: number): string {
  r.pos = at;
  return r.string();
}

function sameBytes(s: string, buf: Uint8Array, start: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}
