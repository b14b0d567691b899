// What every simulated endpoint answers the same way: plain-text replies,
// 405 and leader redirects with Mesos's texts, and reading a request body with
// a size limit. Helpers for koa handlers; they decide nothing about calls.

import type { IncomingMessage } from 'node:http';
import type Koa from 'koa';
import type { MasterInfo } from '../mesos/types.js';

export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function answer(ctx: Koa.Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = body;
}

/** libprocess's MethodNotAllowed. */
export function methodNotAllowed(ctx: Koa.Context, allowed: readonly string[]): void {
  ctx.set('Allow', allowed.join(', '));
  answer(ctx, 405, `405 Method Not Allowed. Expecting one of { ${allowed.map((m) => `'${m}'`).join(', ')} }, but received '${ctx.method}'.`);
}

/** A master that does not lead sends requests to the leader (307), or answers 503 when none is known. */
export function redirectToLeader(ctx: Koa.Context, leader: MasterInfo | undefined): void {
  if (leader === undefined) return answer(ctx, 503, 'No leader elected');
  ctx.status = 307;
  ctx.set('Location', `//${leader.hostname ?? leader.address?.ip ?? '127.0.0.1'}:${leader.port}${ctx.url}`);
  ctx.body = '';
}

/** The whole body, or undefined when it exceeds MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
