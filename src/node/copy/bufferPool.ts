// A fixed set of equally sized buffers handed out and given back, so that
// streaming gigabytes does not allocate a fresh megabyte per block (which
// costs more in garbage collection than the copy itself). The buffers are
// shared memory, so hashing threads read and fill them in place. A buffer is
// reused only after its holder releases it; waiting callers are served in order.

export class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly waiting: ((buffer: Buffer) => void)[] = [];

  constructor(
    readonly size: number,
    count: number,
  ) {
    for (let i = 0; i < count; i++) this.free.push(Buffer.from(new SharedArrayBuffer(size)));
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
