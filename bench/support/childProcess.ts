// A child process a benchmark starts (a simulator, a Ferry scheduler, a peer
// framework): its output goes to a log file, its lines can be awaited, and it
// is stopped (SIGTERM, then SIGKILL) by the run's cleanup if not before.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { killOnExit, onCleanup } from './cleanup.js';

export interface BenchChild {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** true once the process has exited */
  readonly exited: boolean;
  /** every output line so far, if kept (see keepLines) */
  lines(): readonly string[];
  /** resolves with the first line (already seen or coming) that matches */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  onLine(listener: (line: string) => void): void;
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process is gone and its log is flushed */
  stop(): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  waitForExit(): Promise<void>;
}

export interface ChildOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** keep output lines in memory for lines() and late waitForLine (default true) */
  keepLines?: boolean;
}

export function startChild(options: ChildOptions): BenchChild {
  const child = spawn(options.command, options.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  if (child.pid === undefined) throw new Error(`${options.name} did not start: ${options.command} ${options.args.join(' ')}`);
  const pid = child.pid;
  const forgetExitKill = killOnExit(pid, options.name);
  const log = createWriteStream(options.logFile);
  const keep = options.keepLines ?? true;
  const kept: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      forgetExitKill();
      resolve();
    });
  });

  const feed = (stream: NodeJS.ReadableStream): void => {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      log.write(chunk);
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        if (keep) kept.push(line);
        for (const l of [...listeners]) l(line);
      }
    });
  };
  feed(child.stdout!);
  feed(child.stderr!);

  const stop = async (): Promise<void> => {
    const graceMs = 10_000;
    if (!exited) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exitPromise;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => log.end(() => resolve()));
  };
  const cleanup = onCleanup(`process ${options.name} (${pid})`, () => stop());

  return {
    name: options.name,
    pid,
    child,
    logFile: options.logFile,
    get exited() {
      return exited;
    },
    lines: () => kept,
    onLine: (listener) => listeners.push(listener),
    waitForLine(match, timeoutMs) {
      const seen = kept.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = listeners.indexOf(listener);
          if (i >= 0) listeners.splice(i, 1);
          reject(new Error(`${options.name}: no matching line in ${timeoutMs} ms (log: ${options.logFile})`));
        }, timeoutMs);
        timer.unref();
        const listener = (line: string): void => {
          if (!match(line)) return;
          clearTimeout(timer);
          const i = listeners.indexOf(listener);
          if (i >= 0) listeners.splice(i, 1);
          resolve(line);
        };
        listeners.push(listener);
        void exitPromise.then(() => {
          if (listeners.includes(listener)) {
            clearTimeout(timer);
            listeners.splice(listeners.indexOf(listener), 1);
            reject(new Error(`${options.name} exited before printing the awaited line (log: ${options.logFile})`));
          }
        });
      });
    },
    stop: () => cleanup(),
    kill: (signal) => {
      if (!exited) child.kill(signal);
    },
    waitForExit: () => exitPromise,
  };
}
