// Processes the copy benchmarks time: the node artifact's receiver and sender
// (compiled, as an agent runs them), tar and rsync, each with its wall time,
// and the free-space check that decides which dataset sizes fit. Measuring
// only; nothing here asserts a timing.

import { spawn, type ChildProcess } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { packageRoot } from '../src/common/packageRoot.js';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export interface Timed {
  ms: number;
  stdout: string;
}

/** Runs a command to completion and returns its wall time; a non-zero exit is an error naming the command. */
export function timed(command: string, args: string[], options: { shell?: boolean } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: options.shell ?? false, env: { ...process.env, FERRY_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim().slice(0, 500)}`));
      else resolve({ ms, stdout });
    });
  });
}

/** `sh -c` for pipelines (tar | tar), timed the same way. */
export function timedShell(script: string): Promise<Timed> {
  return timed('sh', ['-c', script]);
}

export function nodeMain(): string {
  return join(packageRoot(), 'dist', 'src', 'node', 'main.js');
}

/** The sender's JSON result line. */
export interface SendResult {
  round: number;
  bytesRead: number;
  bytesSent: number;
  filesRead: number;
  blocksSent: number;
  durationMs: number;
  complete: boolean;
}

export async function send(dir: string, port: number, stateFile: string, mode: 'round' | 'final' | 'pre-copy'): Promise<{ wallMs: number; result: SendResult | { rounds: SendResult[] } }> {
  const args = [nodeMain(), 'send', '--dir', dir, '--host', '127.0.0.1', '--port', String(port), '--state-file', stateFile];
  if (mode === 'final') args.push('--final');
  if (mode === 'pre-copy') args.push('--pre-copy');
  const { ms, stdout } = await timed(process.execPath, args);
  const line = JSON.parse(stdout.trim()) as { ok: boolean; result: SendResult | { rounds: SendResult[] }; message?: string };
  if (!line.ok) throw new Error(`send failed: ${line.message ?? stdout}`);
  return { wallMs: ms, result: line.result };
}

export interface ReceiverProcess {
  port: number;
  child: ChildProcess;
  /** resolves with its JSON line once it exits (after a verified final round) */
  done: Promise<string>;
}

export async function startReceiver(dir: string): Promise<ReceiverProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [nodeMain(), 'receive', '--dir', dir, '--port', String(port), '--host', '127.0.0.1', '--idle-timeout-s', '600'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
  });
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  const done = new Promise<string>((resolve) => child.on('close', () => resolve(stdout.trim())));
  await listening(port);
  return { port, child, done };
}

/** Waits until the receiver accepts connections, so that its start-up is not timed as part of a copy. */
async function listening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the receiver did not listen on port ${port}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Bytes free for an unprivileged writer on the filesystem holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}
