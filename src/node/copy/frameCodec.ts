// The copy protocol's framing over one TCP connection: each frame is an
// 8-byte prefix (header length, payload length, both big-endian uint32), a
// UTF-8 JSON header and a raw payload (block data). The reader applies
// backpressure to the socket; the writer waits for it to drain. Neither
// interprets the headers.

import type { Socket } from 'node:net';
import { NodeError } from '../nodeError.js';

export const MAX_HEADER_BYTES = 256 * 1024 * 1024;
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
const PREFIX_BYTES = 8;
const PAUSE_ABOVE_BYTES = 32 * 1024 * 1024;
const RESUME_BELOW_BYTES = 8 * 1024 * 1024;

export interface Frame {
  header: unknown;
  /** the payload as it arrived, in pieces (not copied into one buffer) */
  payload: Buffer[];
  payloadLength: number;
}

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private paused = false;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered > PAUSE_ABOVE_BYTES && !this.paused) {
        this.paused = true;
        socket.pause();
      }
      this.poke();
    });
    socket.on('end', () => {
      this.ended = true;
      this.poke();
    });
    socket.on('close', () => {
      this.ended = true;
      this.poke();
    });
    socket.on('error', (err) => {
      this.failure = err;
      this.poke();
    });
  }

  /** The next frame, or undefined when the peer closed the connection between frames. */
  async next(): Promise<Frame | undefined> {
    for (;;) {
      if (this.buffered >= PREFIX_BYTES) {
        const prefix = this.peek(PREFIX_BYTES);
        const headerBytes = prefix.readUInt32BE(0);
        const payloadBytes = prefix.readUInt32BE(4);
        if (headerBytes > MAX_HEADER_BYTES || payloadBytes > MAX_PAYLOAD_BYTES) {
          throw new NodeError('PROTOCOL', `a frame of ${headerBytes} + ${payloadBytes} bytes is larger than the copy protocol allows; is the peer a Ferry copy engine?`);
        }
        if (this.buffered >= PREFIX_BYTES + headerBytes + payloadBytes) {
          this.take(PREFIX_BYTES);
          const headerText = this.take(headerBytes).toString('utf8');
          const payload = payloadBytes === 0 ? [] : this.takePieces(payloadBytes);
          if (this.paused && this.buffered < RESUME_BELOW_BYTES) {
            this.paused = false;
            this.socket.resume();
          }
          let header: unknown;
          try {
            header = JSON.parse(headerText);
          } catch {
            throw new NodeError('PROTOCOL', 'a frame header is not JSON; is the peer a Ferry copy engine?');
          }
          return { header, payload, payloadLength: payloadBytes };
        }
      }
      if (this.failure !== undefined) throw new NodeError('CONNECTION', `the copy connection failed: ${this.failure.message}`);
      if (this.ended) {
        if (this.buffered === 0) return undefined;
        throw new NodeError('CONNECTION', `the copy connection closed in the middle of a frame (${this.buffered} bytes of it received)`);
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private peek(length: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= length) return first.subarray(0, length);
    return Buffer.concat(this.chunks, Math.min(this.buffered, Math.max(length, 64))).subarray(0, length);
  }

  /** `length` bytes as the pieces they arrived in: no copy. */
  private takePieces(length: number): Buffer[] {
    const pieces: Buffer[] = [];
    let left = length;
    while (left > 0) {
      const chunk = this.chunks[0]!;
      if (chunk.length <= left) {
        pieces.push(chunk);
        this.chunks.shift();
        left -= chunk.length;
      } else {
        pieces.push(chunk.subarray(0, left));
        this.chunks[0] = chunk.subarray(left);
        left = 0;
      }
    }
    this.buffered -= length;
    return pieces;
  }

  private take(length: number): Buffer {
    this.buffered -= length;
    const first = this.chunks[0]!;
    if (first.length > length) {
      this.chunks[0] = first.subarray(length);
      return first.subarray(0, length);
    }
    if (first.length === length) {
      this.chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(length);
    let copied = 0;
    while (copied < length) {
      const chunk = this.chunks[0]!;
      const want = length - copied;
      if (chunk.length <= want) {
        chunk.copy(out, copied);
        copied += chunk.length;
        this.chunks.shift();
      } else {
        chunk.copy(out, copied, 0, want);
        this.chunks[0] = chunk.subarray(want);
        copied += want;
      }
    }
    return out;
  }
}

export class FrameWriter {
  /** every byte written, prefixes and headers included */
  bytesWritten = 0;
  private failure: Error | undefined;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly socket: Socket) {
    socket.on('error', (err) => {
      this.failure = err;
      this.release();
    });
    socket.on('close', () => {
      this.closed = true;
      this.release();
    });
    socket.on('drain', () => this.release());
  }

  /**
   * Sends one frame; resolves once the socket can take more. `flushed` runs
   * when the payload has been handed to the kernel (or the connection
   * failed): until then its buffer must not be reused.
   */
  async send(header: object, payload?: Buffer, flushed?: () => void): Promise<void> {
    this.check();
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const prefix = Buffer.allocUnsafe(PREFIX_BYTES + headerBytes.length);
    prefix.writeUInt32BE(headerBytes.length, 0);
    prefix.writeUInt32BE(payload?.length ?? 0, 4);
    headerBytes.copy(prefix, PREFIX_BYTES);
    let flowing = this.socket.write(prefix);
    this.bytesWritten += prefix.length;
    if (payload !== undefined && payload.length > 0) {
      flowing = this.socket.write(payload, flushed === undefined ? undefined : () => flushed());
      this.bytesWritten += payload.length;
    } else flushed?.();
    if (!flowing) await this.drained();
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.waiters.delete(done);
        try {
          this.check();
          resolve();
        } catch (err) {
          reject(err as Error);
        }
      };
      this.waiters.add(done);
    });
  }

  private release(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private check(): void {
    if (this.failure !== undefined) throw new NodeError('CONNECTION', `the copy connection failed: ${this.failure.message}`);
    if (this.closed) throw new NodeError('CONNECTION', 'the copy connection was closed by the peer');
  }
}
