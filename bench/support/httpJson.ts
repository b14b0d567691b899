// Plain JSON over HTTP to 127.0.0.1 (Ferry's API, the simulator's /state),
// with a keep-alive agent so that thousands of requests reuse sockets.

import http from 'node:http';
import { onCleanup } from './cleanup.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
onCleanup('HTTP keep-alive sockets', () => agent.destroy());

export interface JsonAnswer<T> {
  status: number;
  body: T;
}

/**
 * One request; a GET or DELETE that meets a reset keep-alive socket (the
 * server closed it as it was reused) is sent once more on a fresh one.
 */
export async function requestJson<T = unknown>(base: string, method: string, path: string, body?: unknown, timeoutMs = 60_000): Promise<JsonAnswer<T>> {
  try {
    return await requestOnce<T>(base, method, path, body, timeoutMs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reset = code === 'ECONNRESET' || (err as Error).message === 'socket hang up';
    if (!reset || (method !== 'GET' && method !== 'DELETE')) throw err;
    return requestOnce<T>(base, method, path, body, timeoutMs);
  }
}

function requestOnce<T>(base: string, method: string, path: string, body: unknown, timeoutMs: number): Promise<JsonAnswer<T>> {
  const url = new URL(path, base.startsWith('http') ? base : `http://${base}`);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        timeout: timeoutMs,
        headers: payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': payload.byteLength },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.href}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs the tasks with at most `limit` at a time; resolves with their results in order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until check() is true; throws with describe() after timeoutMs. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, describe: () => string, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await sleep(intervalMs);
  }
}
