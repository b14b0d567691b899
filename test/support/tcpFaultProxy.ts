// A TCP proxy between a copy sender and its receiver that injects transport
// faults: flip one byte at a chosen offset of the sender's stream (corruption
// in transit) or cut both directions after a chosen number of bytes (a broken
// connection). Everything else is forwarded unchanged.

import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface FaultProxyOptions {
  targetPort: number;
  /** flip the byte at this offset of the sender → receiver stream */
  corruptAt?: number;
  /** close both sides once this many sender bytes went through */
  cutAfter?: number;
  /** stop forwarding (and keep the connection open) once this many sender bytes went through */
  holdAfter?: number;
}

export class TcpFaultProxy {
  port = 0;
  forwarded = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: FaultProxyOptions) {}

  async start(): Promise<number> {
    const server = createServer((client) => this.bridge(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private bridge(client: Socket): void {
    const upstream = connect({ host: '127.0.0.1', port: this.options.targetPort });
    this.sockets.add(client).add(upstream);
    let seen = 0;
    client.on('data', (chunk: Buffer) => {
      let data = chunk;
      const { corruptAt, cutAfter, holdAfter } = this.options;
      if (holdAfter !== undefined && seen + data.length > holdAfter) {
        if (seen < holdAfter) upstream.write(data.subarray(0, holdAfter - seen));
        seen = holdAfter;
        this.forwarded = seen;
        return;
      }
      if (corruptAt !== undefined && corruptAt >= seen && corruptAt < seen + data.length) {
        data = Buffer.from(data);
        data[corruptAt - seen] = data[corruptAt - seen]! ^ 0xff;
      }
      if (cutAfter !== undefined && seen + data.length >= cutAfter) {
        upstream.write(data.subarray(0, Math.max(0, cutAfter - seen)));
        seen = cutAfter;
        this.forwarded = seen;
        client.destroy();
        upstream.destroy();
        return;
      }
      seen += data.length;
      this.forwarded = seen;
      upstream.write(data);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
