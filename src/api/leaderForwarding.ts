// Standbys answer reads themselves and forward every write to the leader's
// API, returning the leader's answer unchanged (the event stream and the
// agents, which only the leader knows, are forwarded too). A request is
// forwarded at most once; a standby asked to forward a forwarded request
// answers 503. An instance elected a moment ago, still loading the state,
// holds the request until it leads. With TLS on, the leader is reached over https.

import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Context } from 'koa';
import { ApiError } from './apiError.js';
import type { ApiContext } from './apiContext.js';

export const FORWARDED_HEADER = 'x-ferry-forwarded-by';
const TIMEOUT_MS = 30_000;
/** How long a request waits for an instance elected a moment ago to take the lead. */
const SELF_ELECTED_WAIT_MS = 10_000;
/** Request headers that travel to the leader; everything else stays here. */
const FORWARDED_REQUEST_HEADERS = ['authorization', 'if-match', 'accept', 'last-event-id'];
/** Answer headers that travel back to the client. */
const FORWARDED_ANSWER_HEADERS = ['www-authenticate', 'etag', 'location'];

/** The leader's API address, refusing a second hop and a cluster without a leader. */
export async function leaderToAsk(ctx: Context, api: ApiContext): Promise<string> {
  if (ctx.get(FORWARDED_HEADER) !== '') {
    throw new ApiError(503, 'this Ferry instance does not lead and the request was already forwarded once; retry shortly');
  }
  const leader = await api.deps.leadership.leaderInfo();
  if (leader === undefined) throw new ApiError(503, 'no Ferry instance leads right now; retry shortly');
  if (leader.api === api.deps.selfApi) {
    // elected, still loading the state: the request waits for this instance to lead, then goes to it once
    const deadline = Date.now() + SELF_ELECTED_WAIT_MS;
    while (api.service.view === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    if (api.service.view === undefined) throw new ApiError(503, 'this Ferry instance was just elected and is still loading the state; retry shortly');
  }
  return leader.api;
}

/** Starts the same request (method, path and query) at the leader, with the headers that matter. */
export function requestToLeader(ctx: Context, api: ApiContext, leader: string, extraHeaders: http.OutgoingHttpHeaders = {}): http.ClientRequest {
  const [host, port] = splitHostPort(leader);
  const headers: http.OutgoingHttpHeaders = { [FORWARDED_HEADER]: api.deps.selfApi, ...extraHeaders };
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const v = ctx.get(name);
    if (v !== '') headers[name] = v;
  }
  const options: https.RequestOptions = { host, port, method: ctx.method, path: ctx.url, headers };
  const tls = api.deps.tls;
  if (tls === undefined) return http.request(options);
  // the leader's certificate is checked against the system's CAs and the certificates this instance serves
  return https.request({ ...options, ca: [...rootCertificates, tls.cert] });
}

export async function forwardToLeader(ctx: Context, api: ApiContext, body: unknown): Promise<void> {
  const leader = await leaderToAsk(ctx, api);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const extra: http.OutgoingHttpHeaders = payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.byteLength };
  const answer = await new Promise<{ status: number; type: string; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = requestToLeader(ctx, api, leader, extra);
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer in ${TIMEOUT_MS} ms`)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 502, type: String(res.headers['content-type'] ?? 'application/json'), headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  }).catch((err: Error) => {
    throw new ApiError(502, `the leader at ${leader} could not be reached: ${err.message}`);
  });
  ctx.status = answer.status;
  ctx.type = answer.type;
  ctx.body = answer.body;
  for (const name of FORWARDED_ANSWER_HEADERS) {
    const v = answer.headers[name];
    if (typeof v === 'string') ctx.set(name, v);
  }
  ctx.set('X-Ferry-Leader', leader);
}

function splitHostPort(api: string): [string, number] {
  const at = api.lastIndexOf(':');
  return [api.slice(0, at).replace(/^\[|\]$/g, ''), Number(api.slice(at + 1))];
}
