// GET /v1/events: every durable state change as server-sent events, with a
// heartbeat comment every 15 s. The leader streams its own changes (resuming
// after Last-Event-ID when it still has them); a standby relays the leader's
// stream byte for byte and ends it when the leader's ends, so the client
// reconnects to whoever leads then. A stream never outlives its source.

import Router from '@koa/router';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import { ApiError } from './apiError.js';
import type { ApiContext } from './apiContext.js';
import { noQuery } from './apiSchemas.js';
import type { ApiEvent, EventJournal } from './eventJournal.js';
import { leaderToAsk, requestToLeader } from './leaderForwarding.js';
import { parseQuery } from './requestValidation.js';

export const EVENTS_PATH = '/v1/events';
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** How long a client waits before reconnecting (the SSE retry field). */
const RETRY_MS = 2000;
/** A client this far behind is cut off; it reconnects and resumes with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const LEADER_ANSWER_TIMEOUT_MS = 10_000;

function frame(event: ApiEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${event.data}\n\n`;
}

function startStream(ctx: Context): PassThrough {
  const out = new PassThrough();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.req.socket.setKeepAlive(true);
  ctx.status = 200;
  ctx.type = 'text/event-stream; charset=utf-8';
  ctx.set('Cache-Control', 'no-cache, no-transform');
  ctx.set('X-Accel-Buffering', 'no');
  ctx.body = out;
  return out;
}

function streamFromJournal(ctx: Context, api: ApiContext, journal: EventJournal): void {
  const out = startStream(ctx);
  const write = (text: string): void => {
    if (out.writableEnded) return;
    out.write(text);
    if (out.writableLength > MAX_BUFFERED_BYTES) out.end(': this client fell too far behind; reconnect with Last-Event-ID\n\n');
  };
  write(`retry: ${RETRY_MS}\n: connected to ${api.deps.selfApi}, which leads\n\n`);
  const lastId = ctx.get('Last-Event-ID');
  if (lastId !== '') {
    const resume = journal.since(lastId);
    if (resume.ok) for (const e of resume.missed) write(frame(e));
    else write(`event: resync\ndata: ${JSON.stringify({ reason: `${resume.reason}; read the state again (GET /v1/apps, /v1/datasets, /v1/moves)` })}\n\n`);
  }
  const onEvent = (e: ApiEvent): void => {
    write(frame(e));
    // this instance no longer leads: end the stream so the client finds the new leader
    if (e.type === 'leader' && api.service.view === undefined) out.end();
  };
  journal.on('event', onEvent);
  const heartbeat = setInterval(() => write(`: heartbeat ${new Date(api.clock()).toISOString()}\n\n`), api.deps.eventHeartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  out.once('close', () => {
    journal.off('event', onEvent);
    clearInterval(heartbeat);
  });
}

async function streamFromLeader(ctx: Context, api: ApiContext): Promise<void> {
  const leader = await leaderToAsk(ctx, api);
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = requestToLeader(ctx, api, leader);
    const timer = setTimeout(() => req.destroy(new Error(`no answer in ${LEADER_ANSWER_TIMEOUT_MS} ms`)), LEADER_ANSWER_TIMEOUT_MS);
    req.on('response', (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  }).catch((err: Error) => {
    throw new ApiError(502, `the leader at ${leader} could not be reached for its event stream: ${err.message}`);
  });
  ctx.set('X-Ferry-Leader', leader);
  if (upstream.statusCode !== 200) {
    // the leader's refusal (401, 503, ...) goes back as it is
    ctx.status = upstream.statusCode ?? 502;
    ctx.type = String(upstream.headers['content-type'] ?? 'application/json');
    const auth = upstream.headers['www-authenticate'];
    if (typeof auth === 'string') ctx.set('WWW-Authenticate', auth);
    ctx.body = upstream;
    return;
  }
  const out = startStream(ctx);
  out.write(`: relayed by ${api.deps.selfApi} from the leader at ${leader}\n\n`);
  upstream.pipe(out);
  upstream.once('error', () => out.end());
  out.once('close', () => upstream.destroy());
}

export function eventRoutes(api: ApiContext, journal: EventJournal): Router {
  const router = new Router();
  router.get(EVENTS_PATH, async (ctx) => {
    parseQuery(noQuery, ctx);
    if (api.service.view === undefined) return streamFromLeader(ctx, api);
    streamFromJournal(ctx, api, journal);
  });
  return router;
}
