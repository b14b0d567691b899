#!/usr/bin/env node
// A tiny key-value HTTP service that keeps each value as a file in its dataset
// (./data, the app's container path): GET, PUT and DELETE /kv/<key>, GET /kv/
// lists keys, GET / says where it runs. A PUT is answered only once the value
// is on disk (file and directory fsynced), so an acknowledged write survives
// a crash or a move. Plain Node, no dependencies.

import { createServer } from 'node:http';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';

const port = Number(process.env.PORT0 ?? process.env.PORT ?? 8081);
const listenHost = process.env.KV_LISTEN ?? '0.0.0.0';
const dataDir = resolve(process.env.KV_DATA_DIR ?? 'data');
const agent = process.env.MESOS_AGENT_ID ?? process.env.MESOS_SLAVE_ID ?? 'unknown';
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const MAX_VALUE_BYTES = 1024 * 1024;

async function fsyncPath(path, flags) {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Write to a temporary file, fsync it, rename it over the key, fsync the directory. */
async function store(key, value) {
  const temporary = join(dataDir, `.${key}.${randomUUID()}.tmp`);
  const handle = await open(temporary, 'w', 0o644);
  try {
    await handle.writeFile(value);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, join(dataDir, key));
  await fsyncPath(dataDir, 'r');
}

async function remove(key) {
  await rm(join(dataDir, key));
  await fsyncPath(dataDir, 'r');
}

async function keys() {
  return (await readdir(dataDir)).filter((name) => KEY.test(name)).sort();
}

function readBody(req) {
  return new Promise((resolveBody, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_VALUE_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_VALUE_BYTES) reject(Object.assign(new Error(`a value is at most ${MAX_VALUE_BYTES} bytes`), { status: 413 }));
      else resolveBody(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function reply(res, status, body, type = 'application/json') {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': type, 'x-kv-agent': agent });
  res.end(text);
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://kv');
  if (url.pathname === '/' && req.method === 'GET') {
    return reply(res, 200, { service: 'kv', agent, dataset: process.env.FERRY_DATASET ?? null, dataDir, keys: (await keys()).length });
  }
  if (url.pathname === '/health') return reply(res, 200, { ok: true });
  if (url.pathname === '/kv' || url.pathname === '/kv/') {
    if (req.method !== 'GET') return reply(res, 405, { message: 'GET /kv/ lists the keys' });
    return reply(res, 200, { keys: await keys() });
  }
  const match = /^\/kv\/(.+)$/.exec(url.pathname);
  if (!match) return reply(res, 404, { message: 'use /kv/<key>' });
  const key = decodeURIComponent(match[1]);
  if (!KEY.test(key)) return reply(res, 400, { message: 'a key is 1-200 letters, digits, ".", "_" or "-", starting with a letter or digit' });
  switch (req.method) {
    case 'GET':
      try {
        return reply(res, 200, await readFile(join(dataDir, key)), 'application/octet-stream');
      } catch (err) {
        if (err.code === 'ENOENT') return reply(res, 404, { message: `no key ${key}` });
        throw err;
      }
    case 'PUT': {
      const value = await readBody(req);
      await store(key, value);
      return reply(res, 200, { key, bytes: value.length, agent });
    }
    case 'DELETE':
      try {
        await remove(key);
        return reply(res, 200, { key, deleted: true });
      } catch (err) {
        if (err.code === 'ENOENT') return reply(res, 404, { message: `no key ${key}` });
        throw err;
      }
    default:
      return reply(res, 405, { message: 'use GET, PUT or DELETE' });
  }
}

await mkdir(dataDir, { recursive: true });
const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    if (!res.headersSent) reply(res, err.status ?? 500, { message: err.message });
    else res.destroy();
  });
});
server.listen(port, listenHost, () => {
  console.log(`kv listening on ${listenHost}:${port}, data in ${dataDir}, agent ${agent}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
