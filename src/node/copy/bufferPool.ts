// A fixed set of equally sized buffers handed out and given back, so that
// streaming gigabytes does not allocate a fresh megabyte per block (which
// costs more in garbage collection than the copy itself). The buffers are
// shared memory, so hashing threads read and fill them in place, and they are
// page-aligned, so a receiver can hand them to direct I/O: they are cut from
// one shared WebAssembly memory, whose base the engine maps on a page
// boundary (a SharedArrayBuffer gets no such promise from the allocator). A
// buffer is reused only after its holder releases it; waiting callers are
// served in order.

/** Each buffer starts on a page. */
export const POOL_ALIGNMENT = 4096;
const WASM_PAGE_BYTES = 64 * 1024;

// the part of the WebAssembly global this uses (TypeScript declares it only in the DOM library)
declare const WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => { buffer: SharedArrayBuffer } };

export class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly waiting: ((buffer: Buffer) => void)[] = [];

  constructor(
    readonly size: number,
    count: number,
  ) {
    const stride = Math.ceil(size / POOL_ALIGNMENT) * POOL_ALIGNMENT;
    const pages = Math.ceil((stride * count) / WASM_PAGE_BYTES);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    for (let i = 0; i < count; i++) this.free.push(Buffer.from(memory.buffer, i * stride, size));
  }

  /** A buffer and the function that returns it (callable once; later calls do nothing). */
  async acquire(): Promise<{ buffer: Buffer; release: () => void }> {
    const buffer = this.free.pop() ?? (await new Promise<Buffer>((resolve) => this.waiting.push(resolve)));
    let released = false;
    return {
      buffer,
      release: () => {
        if (released) return;
        released = true;
        const waiter = this.waiting.shift();
        if (waiter !== undefined) waiter(buffer);
        else this.free.push(buffer);
      },
    };
  }
}
