// The framing of the file store's journal and snapshot files: one entry per
// line, "<crc32 as 8 hex digits> <JSON>\n" (JSON never holds a raw newline).
// Only a final entry cut short (no newline: a write that was never
// acknowledged) may be ignored, and only where the caller allows it; any
// other damage is a CorruptStateError naming the file, entry and byte.

import { crc32 } from 'node:zlib';
import { CorruptStateError } from './stateStore.js';

const NEWLINE = 0x0a;
const SPACE = 0x20;
const CRC_DIGITS = 8;

export function encodeFrame(value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  const crc = crc32(json).toString(16).padStart(CRC_DIGITS, '0');
  return Buffer.concat([Buffer.from(`${crc} `, 'latin1'), json, Buffer.from('\n', 'latin1')]);
}

export interface Frame {
  value: unknown;
  /** 1-based position in the file */
  entry: number;
  /** byte offset of the entry's first byte */
  offset: number;
}

export interface FramesRead {
  frames: Frame[];
  /** bytes of an incomplete final entry that were ignored (0 when the file ends cleanly) */
  tornBytes: number;
}

/** Where an entry sits, as CorruptStateError locations name it. */
export function entryLocation(file: string, entry: number, offset: number): string {
  return `${file}, entry ${entry} (byte ${offset})`;
}

export function readFrames(file: string, bytes: Buffer, options: { allowTornTail: boolean }): FramesRead {
  const frames: Frame[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const entry = frames.length + 1;
    const end = bytes.indexOf(NEWLINE, offset);
    if (end < 0) {
      const tornBytes = bytes.length - offset;
      if (options.allowTornTail) return { frames, tornBytes };
      throw new CorruptStateError(entryLocation(file, entry, offset), `the file ends inside an entry (${tornBytes} bytes without a terminating newline)`);
    }
    frames.push({ value: decodeLine(file, entry, offset, bytes.subarray(offset, end)), entry, offset });
    offset = end + 1;
  }
  return { frames, tornBytes: 0 };
}

function decodeLine(file: string, entry: number, offset: number, line: Buffer): unknown {
  const where = entryLocation(file, entry, offset);
  if (line.length < CRC_DIGITS + 2 || line[CRC_DIGITS] !== SPACE) {
    throw new CorruptStateError(where, 'not a journal entry ("<crc32> <json>" expected); the file is damaged');
  }
  const stored = line.subarray(0, CRC_DIGITS).toString('latin1');
  const json = line.subarray(CRC_DIGITS + 1);
  const actual = crc32(json).toString(16).padStart(CRC_DIGITS, '0');
  if (!/^[0-9a-f]{8}$/.test(stored) || stored !== actual) {
    throw new CorruptStateError(where, `checksum mismatch (stored ${stored}, computed ${actual}); the entry is damaged`);
  }
  try {
    return JSON.parse(json.toString('utf8')) as unknown;
  } catch (err) {
    throw new CorruptStateError(where, `the entry is not valid JSON (${(err as Error).message})`);
  }
}
