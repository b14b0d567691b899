// Standbys answer reads themselves and forward every write to the leader's
// API, returning the leader's answer unchanged. A request is forwarded at most
// once; a standby that is asked to forward a forwarded request answers 503.

import http from 'node:http';
import type { Context } from 'koa';
import { ApiError } from './apiError.js';
import type { ApiContext } from './apiContext.js';

export const FORWARDED_HEADER = 'x-ferry-forwarded-by';
const TIMEOUT_MS = 30_000;

export async function forwardToLeader(ctx: Context, api: ApiContext, body: unknown): Promise<void> {
  if (ctx.get(FORWARDED_HEADER) !== '') {
    throw new ApiError(503, 'this Ferry instance does not lead and the request was already forwarded once; retry shortly');
  }
  const leader = await api.deps.leadership.leaderInfo();
  if (leader === undefined) throw new ApiError(503, 'no Ferry instance leads right now; retry shortly');
  const [host, portText] = splitHostPort(leader.api);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: http.OutgoingHttpHeaders = { [FORWARDED_HEADER]: api.deps.selfApi };
  for (const name of ['authorization', 'if-match', 'accept']) {
    const v = ctx.get(name);
    if (v !== '') headers[name] = v;
  }
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = payload.byteLength;
  }
  const answer = await new Promise<{ status: number; type: string; body: Buffer }>((resolve, reject) => {
    const req = http.request({ host, port: portText, method: ctx.method, path: ctx.url, headers, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, type: String(res.headers['content-type'] ?? 'application/json'), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  }).catch((err: Error) => {
    throw new ApiError(502, `the leader at ${leader.api} could not be reached: ${err.message}`);
  });
  ctx.status = answer.status;
  ctx.type = answer.type;
  ctx.body = answer.body;
  ctx.set('X-Ferry-Leader', leader.api);
}

function splitHostPort(api: string): [string, number] {
  const at = api.lastIndexOf(':');
  return [api.slice(0, at).replace(/^\[|\]$/g, ''), Number(api.slice(at + 1))];
}
