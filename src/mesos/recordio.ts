// Mesos RecordIO framing (docs/recordio.md): each record is its length in
// decimal ASCII, a line feed, then that many bytes. The decoder is streaming:
// chunk boundaries fall anywhere, several records may share a chunk, and a
// malformed length or an oversized record is an error, never a guess.

export class RecordIOError extends Error {
  override name = 'RecordIOError';
}

/** The largest record Ferry accepts: bigger ones mean a broken or hostile stream. */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;
/** A length prefix longer than this many digits cannot be a valid size. */
const MAX_LENGTH_DIGITS = 20;

export function encodeRecord(data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${data.byteLength}\n`), data]);
}

export class RecordIODecoder {
  private readonly maxRecordBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Length of the record being read, once its prefix has been parsed. */
  private expected: number | undefined;
  private failed: RecordIOError | undefined;

  constructor(options: { maxRecordBytes?: number } = {}) {
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  /** Feeds a chunk and returns every record it completes, in order. */
  decode(chunk: Uint8Array): Buffer[] {
    if (this.failed) throw this.failed;
    if (chunk.byteLength > 0) {
      this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.buffered += chunk.byteLength;
    }
    const records: Buffer[] = [];
    try {
      for (;;) {
        if (this.expected === undefined) {
          if (!this.readLength()) break;
        }
        const size = this.expected!;
        if (this.buffered < size) break;
        records.push(this.take(size));
        this.expected = undefined;
      }
    } catch (err) {
      this.failed = err as RecordIOError;
      throw err;
    }
    return records;
  }

  /** True when the stream stopped between records, not in the middle of one. */
  get idle(): boolean {
    return this.expected === undefined && this.buffered === 0;
  }

  private readLength(): boolean {
    const head = this.flatten();
    const newline = head.indexOf(0x0a);
    const digits = newline === -1 ? head.byteLength : newline;
    for (let i = 0; i < digits; i++) {
      const c = head[i]!;
      if (c < 0x30 || c > 0x39) {
        throw new RecordIOError(`malformed RecordIO length: byte 0x${c.toString(16).padStart(2, '0')} at offset ${i} of the length prefix`);
      }
    }
    if (digits > MAX_LENGTH_DIGITS) throw new RecordIOError(`malformed RecordIO length: more than ${MAX_LENGTH_DIGITS} digits`);
    if (newline === -1) return false;
    if (newline === 0) throw new RecordIOError('malformed RecordIO length: empty length prefix');
    const size = Number(head.subarray(0, newline).toString('ascii'));
    if (size === 0) throw new RecordIOError('malformed RecordIO length: a record of 0 bytes');
    if (size > this.maxRecordBytes) {
      throw new RecordIOError(`RecordIO record of ${size} bytes exceeds the limit of ${this.maxRecordBytes} bytes`);
    }
    this.skip(newline + 1);
    this.expected = size;
    return true;
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private take(size: number): Buffer {
    const head = this.flatten();
    const record = Buffer.from(head.subarray(0, size));
    this.skip(size);
    return record;
  }

  private skip(size: number): void {
    const head = this.flatten();
    const rest = head.subarray(size);
    this.chunks = rest.byteLength > 0 ? [rest] : [];
    this.buffered = rest.byteLength;
  }
}
