// Reads a request body as JSON, with a size limit, answering 415 for another
// media type and 400 naming the problem for malformed JSON.

import type { Context } from 'koa';
import { ApiError } from './apiError.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export async function readJsonBody(ctx: Context): Promise<unknown> {
  const type = ctx.request.type;
  if (type !== '' && type !== 'application/json') {
    throw new ApiError(415, `expected a JSON body (Content-Type: application/json), got ${type}`, 'body');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`, 'body');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new ApiError(400, 'the request needs a JSON body', 'body');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(400, `the body is not valid JSON: ${(err as Error).message}`, 'body');
  }
}
