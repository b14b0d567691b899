// Runs the built `ferry` command (node bin/ferry.js) as a real process and
// collects its exit code and output; starts an in-process Ferry for it to
// talk to, on a port block of its own so parallel test files never collide.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../src/common/packageRoot.js';
import { startInProcessFerry, type InProcessFerry } from '../support/ferryInProcess.js';

export const BIN = join(packageRoot(), 'bin', 'ferry.js');
const MAIN = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
export const EXAMPLES = join(packageRoot(), 'marathon', 'examples');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** added to the environment; undefined removes a variable */
  env?: Record<string, string | undefined>;
  /** written to stdin */
  input?: string;
  timeoutMs?: number;
}

/** `ferry ARGS...` with FERRY_URL and FERRY_TOKEN unset unless given; resolves when it exits. */
export function runFerry(args: string[], options: RunOptions = {}): Promise<CliResult> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before these tests (npm test does)`);
  const env: NodeJS.ProcessEnv = { ...process.env, FERRY_URL: undefined, FERRY_TOKEN: undefined, FORCE_COLOR: undefined, NO_COLOR: undefined };
  for (const [k, v] of Object.entries(options.env ?? {})) env[k] = v;
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** What a failing expectation shows: the command's whole output. */
export function shown(result: CliResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
}

/**
 * A block of 100 ports below Linux's ephemeral range and away from the
 * simulator's default 31000-31999, so apps and move receivers of parallel
 * test files do not meet on one port.
 */
export function portBlock(): number {
  return 20_000 + Math.floor(Math.random() * 100) * 100;
}

export interface CliFerry extends InProcessFerry {
  url: string;
  /** the agents' port range starts here */
  ports: number;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startCliFerry(t: Teardown, options: Parameters<typeof startInProcessFerry>[1] = {}): Promise<CliFerry> {
  const ports = portBlock();
  const ferry = await startInProcessFerry(t, {
    ...options,
    sim: { agentResources: `cpus:4;mem:8192;disk:65536;ports:[${ports}-${ports + 99}]`, ...options.sim },
  });
  return Object.assign(ferry, { url: `http://${ferry.api}`, ports });
}

/** An example from marathon/examples with its fixed port replaced by one of this test's ports. */
export async function exampleApp(file: string, port: number): Promise<Record<string, unknown>> {
  const app = JSON.parse(await readFile(join(EXAMPLES, file), 'utf8')) as Record<string, unknown> & { portDefinitions: { port: number }[] };
  app.portDefinitions = app.portDefinitions.map((p, i) => ({ ...p, port: port + i }));
  return app;
}

/** The non-empty lines of a table, each split on runs of two or more spaces. */
export function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s{2,}/));
}
