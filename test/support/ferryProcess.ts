// Runs `ferry scheduler` as a real child process (from the build in dist/),
// so tests can SIGKILL or SIGSTOP it like an operator's host would, and talks
// to its API. Every process started here is killed at teardown.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/common/packageRoot.js';

const BIN = join(packageRoot(), 'bin', 'ferry.js');
const MAIN = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');

export interface FerryProcess {
  api: string;
  child: ChildProcess;
  output(): string;
  signal(sig: NodeJS.Signals): void;
  stop(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startFerry(t: Teardown, args: string[], options: { port: number }): Promise<FerryProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before these tests (npm test does)`);
  const api = `127.0.0.1:${options.port}`;
  const child = spawn(process.execPath, [BIN, 'scheduler', '--api', api, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FERRY_LOG_LEVEL: process.env['FERRY_LOG_LEVEL'] ?? 'info' },
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const proc: FerryProcess = {
    api,
    child,
    output: () => out,
    signal: (sig) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  t.teardown(() => proc.stop());
  await waitFor(async () => (await fetch(`http://${api}/v1/health`).catch(() => undefined))?.status === 200, 20_000, () => `ferry at ${api} never became healthy:\n${out}`);
  return proc;
}

/** Polls until the check passes or the deadline passes (then throws with the description). */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, describe: () => string, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function api<T = unknown>(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://${base}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

/** A free loopback port, for a process that must be told its port up front. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
