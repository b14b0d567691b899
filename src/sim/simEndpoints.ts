// The simulator's own controls under /sim/ (faults and the task lookup): 200 {}
// when done, 404 with a message for an unknown id. A real master has no such
// routes; nothing outside tests and local mode may rely on them.

import type Koa from 'koa';
import type { SimTaskView } from './agent.js';
import { SimNotFoundError } from './simErrors.js';

export interface SimulatorControls {
  task(taskId: string): SimTaskView | undefined;
  partitionAgent(agentId: string): Promise<void>;
  healAgent(agentId: string): Promise<void>;
  stopAgent(agentId: string): Promise<void>;
  startAgent(agentId: string): Promise<void>;
  restartMaster(): Promise<void>;
  crashTask(taskId: string): Promise<void>;
  pauseStreams(): Promise<void>;
  resumeStreams(): Promise<void>;
}

const AGENT_FAULTS = {
  partition: 'partitionAgent',
  heal: 'healAgent',
  stop: 'stopAgent',
  start: 'startAgent',
} as const;

const MASTER_FAULTS = {
  restart: 'restartMaster',
  'pause-streams': 'pauseStreams',
  'resume-streams': 'resumeStreams',
} as const;

/** Handles the request if it is a /sim/ route; returns false when it is not one. */
export async function handleSimRequest(ctx: Koa.Context, controls: SimulatorControls): Promise<boolean> {
  const path = ctx.path;
  if (!path.startsWith('/sim/')) return false;
  try {
    let match = /^\/sim\/tasks\/([^/]+)$/.exec(path);
    if (match && ctx.method === 'GET') {
      const id = decodeURIComponent(match[1]!);
      const view = controls.task(id);
      if (view === undefined) throw new SimNotFoundError(`no task '${id}' on any agent of this simulator`);
      return json(ctx, 200, view);
    }
    match = /^\/sim\/tasks\/([^/]+)\/crash$/.exec(path);
    if (match && ctx.method === 'POST') {
      await controls.crashTask(decodeURIComponent(match[1]!));
      return json(ctx, 200, {});
    }
    match = /^\/sim\/agents\/([^/]+)\/(partition|heal|stop|start)$/.exec(path);
    if (match && ctx.method === 'POST') {
      const fault = AGENT_FAULTS[match[2] as keyof typeof AGENT_FAULTS];
      await controls[fault](decodeURIComponent(match[1]!));
      return json(ctx, 200, {});
    }
    match = /^\/sim\/master\/(restart|pause-streams|resume-streams)$/.exec(path);
    if (match && ctx.method === 'POST') {
      await controls[MASTER_FAULTS[match[1] as keyof typeof MASTER_FAULTS]]();
      return json(ctx, 200, {});
    }
    return json(ctx, 404, { message: `no simulator route ${ctx.method} ${path}` });
  } catch (err) {
    if (err instanceof SimNotFoundError) return json(ctx, 404, { message: err.message });
    throw err;
  }
}

function json(ctx: Koa.Context, status: number, body: object): true {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(body);
  return true;
}
