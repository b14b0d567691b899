// The master's maintenance endpoints (/maintenance/schedule, /maintenance/status,
// /machine/down, /machine/up), answered as Master::Http answers them: JSON in,
// JSON out, 400 with upstream's text. The master decides; this file only reads
// requests and writes answers.

import type Koa from 'koa';
import type { MaintenanceSchedule } from '../mesos/operator.js';
import type { MachineID } from '../mesos/types.js';
import { answer, MAX_BODY_BYTES, methodNotAllowed, readBody, redirectToLeader } from './httpReplies.js';
import type { Master, OperatorAnswer } from './master.js';
import { parseJsonText, ProtoParseError, readMessage } from './protoCodec.js';

export const MAINTENANCE_PATHS: ReadonlyMap<string, 'schedule' | 'status' | 'down' | 'up'> = new Map([
  ['/maintenance/schedule', 'schedule'],
  ['/master/maintenance/schedule', 'schedule'],
  ['/maintenance/status', 'status'],
  ['/master/maintenance/status', 'status'],
  ['/machine/down', 'down'],
  ['/master/machine/down', 'down'],
  ['/machine/up', 'up'],
  ['/master/machine/up', 'up'],
] as const);

export async function handleMaintenanceRequest(ctx: Koa.Context, endpoint: 'schedule' | 'status' | 'down' | 'up', master: Master): Promise<void> {
  if (!master.elected) return redirectToLeader(ctx, master.leader);
  switch (endpoint) {
    case 'schedule':
      if (ctx.method === 'GET') return json(ctx, master.maintenanceSchedule());
      if (ctx.method !== 'POST') return methodNotAllowed(ctx, ['GET', 'POST']);
      return withBody(ctx, (value) => {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ProtoParseError('Unexpected JSON type parsed');
        return master.updateMaintenanceSchedule(readMessage<MaintenanceSchedule>('mesos.v1.maintenance.Schedule', value));
      });
    case 'status':
      if (ctx.method !== 'GET') return methodNotAllowed(ctx, ['GET']);
      return json(ctx, master.maintenanceStatus());
    case 'down':
    case 'up':
      if (ctx.method !== 'POST') return methodNotAllowed(ctx, ['POST']);
      return withBody(ctx, (value) => {
        if (!Array.isArray(value)) throw new ProtoParseError('Unexpected JSON type parsed');
        const ids = value.map((item) => readMessage<MachineID>('mesos.v1.MachineID', item));
        return endpoint === 'down' ? master.startMaintenance(ids) : master.stopMaintenance(ids);
      });
  }
}

/** Parses the JSON body, runs the request and writes its answer; a parse error is a 400 with its text. */
async function withBody(ctx: Koa.Context, run: (value: unknown) => OperatorAnswer): Promise<void> {
  const body = await readBody(ctx.req);
  if (body === undefined) return answer(ctx, 413, `Request body larger than ${MAX_BODY_BYTES} bytes`);
  let result: OperatorAnswer;
  try {
    result = run(parseJsonText(body.toString('utf8')));
  } catch (err) {
    if (err instanceof ProtoParseError) return answer(ctx, 400, err.message);
    throw err;
  }
  if (result.status === 200) {
    ctx.status = 200;
    ctx.body = '';
    return;
  }
  answer(ctx, result.status, result.body);
}

function json(ctx: Koa.Context, body: object): void {
  ctx.status = 200;
  ctx.body = JSON.stringify(body);
  ctx.set('Content-Type', 'application/json');
}
