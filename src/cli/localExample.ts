// The example app local mode deploys, marathon/examples/kv.json. Its command
// runs kv-server.mjs from $FERRY_EXAMPLES_DIR, which simulated tasks inherit
// from the agent's (this process's) environment; the file stays plain Marathon.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../common/packageRoot.js';
import { ApiRefusedError, type FerryApiClient } from './apiClient.js';
import type { AppDetailShape } from './apiShapes.js';
import { appPath } from './argumentParsers.js';

export const EXAMPLES_DIR_VARIABLE = 'FERRY_EXAMPLES_DIR';

export function examplesDir(): string {
  return join(packageRoot(), 'marathon', 'examples');
}

export interface ExampleApp {
  id: string;
  /** the file it came from, relative to the repository */
  file: string;
  /** the fixed host port it serves on */
  port?: number;
  dataset?: string;
}

export interface ExampleStatus extends ExampleApp {
  /** the agent its task runs on, once it runs, and that agent's hostname */
  agentId?: string;
  hostname?: string;
  /** why it does not run yet, when it does not */
  waiting?: string;
}

/** Makes the examples' scripts reachable to tasks this process's simulator starts. */
export function exportExamplesDir(env: NodeJS.ProcessEnv = process.env): void {
  env[EXAMPLES_DIR_VARIABLE] ??= examplesDir();
}

/** Deploys marathon/examples/kv.json unless an app with its id exists; reads what the guide needs from it. */
export async function deployKvExample(client: FerryApiClient): Promise<ExampleApp> {
  const definition = JSON.parse(await readFile(join(examplesDir(), 'kv.json'), 'utf8')) as {
    id: string;
    portDefinitions?: { port?: number }[];
    container?: { volumes?: { external?: { name?: string } }[] };
  };
  try {
    await client.post('/v1/apps', definition);
  } catch (err) {
    if (!(err instanceof ApiRefusedError && err.status === 409 && err.field === 'id')) throw err;
  }
  const port = definition.portDefinitions?.[0]?.port;
  const dataset = definition.container?.volumes?.find((v) => v.external?.name !== undefined)?.external?.name;
  return { id: definition.id, file: 'marathon/examples/kv.json', ...(port !== undefined && port !== 0 ? { port } : {}), ...(dataset !== undefined ? { dataset } : {}) };
}

/** Waits (up to `timeoutMs`, or until `stop` aborts) for the app's instance 0 to run; says why it waits when it does not. */
export async function exampleRunning(client: FerryApiClient, app: ExampleApp, timeoutMs: number, stop: AbortSignal): Promise<ExampleStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: AppDetailShape | undefined;
  while (!stop.aborted) {
    last = await client.get<AppDetailShape>(appPath(app.id));
    const task = last.tasks?.find((t) => t.state === 'TASK_RUNNING');
    if (task?.agentId !== undefined) return { ...app, agentId: task.agentId, ...(task.hostname !== undefined ? { hostname: task.hostname } : {}) };
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const reason = last?.pending?.[0]?.reason ?? last?.tasks?.at(-1)?.message ?? 'it has not started yet';
  return { ...app, waiting: reason };
}
