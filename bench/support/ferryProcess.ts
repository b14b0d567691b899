// `ferry scheduler` as a child process (leader or standby), with its API
// address and its JSON log lines; optionally under `node --cpu-prof`.

import { createServer } from 'node:net';
import { join } from 'node:path';
import { startChild, type BenchChild } from './childProcess.js';
import { requestJson, waitUntil } from './httpJson.js';
import { FERRY_MAIN, requireBuild } from './paths.js';

export interface FerryProcess {
  api: string;
  child: BenchChild;
  stop(): Promise<void>;
}

export interface FerryOptions {
  name: string;
  dir: string;
  /** e.g. ['--master', '127.0.0.1:5050', '--zk', 'zk://127.0.0.1:2181/ferry'] */
  args: string[];
  port?: number;
  /** write a .cpuprofile into this directory when the process exits cleanly */
  cpuProfileDir?: string;
  logLevel?: string;
  /** wait for /v1/health to answer 200 (default true) */
  waitHealthy?: boolean;
  /** more node flags, e.g. --heapsnapshot-signal=SIGUSR2 */
  nodeArgs?: string[];
  /** working directory (where node writes heap snapshots) */
  cwd?: string;
}

export async function startFerry(options: FerryOptions): Promise<FerryProcess> {
  requireBuild();
  const port = options.port ?? (await freePort());
  const api = `127.0.0.1:${port}`;
  const nodeArgs = [...(options.cpuProfileDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : []), ...(options.nodeArgs ?? [])];
  const child = startChild({
    name: options.name,
    command: process.execPath,
    args: [...nodeArgs, FERRY_MAIN, 'scheduler', '--api', api, ...options.args],
    logFile: join(options.dir, `${options.name}.log`),
    env: { ...process.env, FERRY_LOG_LEVEL: options.logLevel ?? 'info' },
    keepLines: true,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  if (options.waitHealthy ?? true) {
    await waitUntil(
      async () => {
        if (child.exited) throw new Error(`${options.name} exited while starting; see ${child.logFile}`);
        const r = await requestJson(api, 'GET', '/v1/health').catch(() => undefined);
        return r?.status === 200;
      },
      60_000,
      () => `${options.name} at ${api} never became healthy (log: ${child.logFile})`,
    );
  }
  return { api, child, stop: () => child.stop() };
}

/** A free loopback port, for a process that must be told its port up front. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The `time` (ms since the epoch) of a pino JSON log line, if it is one. */
export function logTime(line: string): number | undefined {
  try {
    const parsed = JSON.parse(line) as { time?: unknown };
    return typeof parsed.time === 'number' ? parsed.time : undefined;
  } catch {
    return undefined;
  }
}
