// Runs the node artifact's CLI (src/node/main.ts) as a child process under the
// TypeScript loader the test itself runs with, the way a Mesos task runs the
// compiled one on an agent, and reads its single JSON result line.

import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { packageRoot } from '../../src/common/packageRoot.js';

export interface NodeCommand {
  child: ChildProcess;
  /** the parsed JSON line it printed, once it exited */
  result: Promise<{ ok: boolean; command: string; result?: Record<string, unknown>; code?: string; message?: string }>;
  exit: Promise<number | null>;
}

export function runNodeCommand(args: string[]): NodeCommand {
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));
  const child = spawn(process.execPath, [...loader, join(packageRoot(), 'src', 'node', 'main.ts'), ...args], {
    cwd: packageRoot(),
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.resume();
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const result = exit.then(() => {
    const lines = stdout.trim().split('\n').filter((l) => l !== '');
    if (lines.length !== 1) throw new Error(`expected one JSON line, got ${lines.length}: ${stdout}`);
    return JSON.parse(lines[0]!) as Awaited<NodeCommand['result']>;
  });
  result.catch(() => undefined);
  return { child, result, exit };
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts connections on `port` (a receiver task has started). */
export async function waitForListener(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
