#!/usr/bin/env node
// The web tier of the todo example: a page and a small JSON API (/api/todos)
// that keep nothing themselves. Every todo is a key in the stateful db tier
// (kv-server.mjs behind TODO_DB_URL), so this tier can run anywhere and be
// restarted freely. Plain Node, no dependencies.

import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const port = Number(process.env.PORT0 ?? process.env.PORT ?? 8082);
const listenHost = process.env.TODO_LISTEN ?? '0.0.0.0';
const db = (process.env.TODO_DB_URL ?? 'http://127.0.0.1:31090').replace(/\/+$/, '');
const PREFIX = 'todo-';

class DbError extends Error {}

async function dbCall(method, path, body) {
  let res;
  try {
    res = await fetch(`${db}${path}`, { method, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(5000) });
  } catch (err) {
    throw new DbError(`the todo database at ${db} is not reachable (${err.cause?.code ?? err.message}); it may be moving: retry in a moment`);
  }
  if (res.status === 404) return undefined;
  if (!res.ok) throw new DbError(`the todo database at ${db} answered ${res.status}: ${await res.text()}`);
  return res;
}

async function listTodos() {
  const res = await dbCall('GET', '/kv/');
  const { keys } = await res.json();
  const todos = [];
  for (const key of keys.filter((k) => k.startsWith(PREFIX))) {
    const item = await dbCall('GET', `/kv/${key}`);
    if (item !== undefined) todos.push(await item.json());
  }
  return todos.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

async function addTodo(text) {
  const todo = { id: `${PREFIX}${Date.now()}-${randomUUID().slice(0, 8)}`, text, createdAt: new Date().toISOString() };
  await dbCall('PUT', `/kv/${todo.id}`, JSON.stringify(todo));
  return todo;
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    return undefined;
  }
}

function reply(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : `${JSON.stringify(body)}\n`);
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Todo (Ferry example)</title>
<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}li{margin:.3rem 0}button{margin-left:.5rem}</style></head>
<body><h1>Todo</h1><p>Each item is stored by the <code>/todo/db</code> app in its Ferry dataset.</p>
<form id="add"><input id="text" required placeholder="something to do" autofocus> <button>Add</button></form>
<ul id="list"></ul><p id="error" style="color:#b00"></p>
<script>
const list = document.getElementById('list'), error = document.getElementById('error');
async function load() {
  const res = await fetch('api/todos');
  const body = await res.json();
  error.textContent = res.ok ? '' : body.message;
  list.replaceChildren(...(res.ok ? body.todos : []).map((t) => {
    const li = document.createElement('li');
    li.textContent = t.text;
    const done = document.createElement('button');
    done.textContent = 'done';
    done.onclick = async () => { await fetch('api/todos/' + t.id, { method: 'DELETE' }); load(); };
    li.append(done);
    return li;
  }));
}
document.getElementById('add').onsubmit = async (e) => {
  e.preventDefault();
  const text = document.getElementById('text');
  const res = await fetch('api/todos', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: text.value }) });
  if (res.ok) text.value = ''; else error.textContent = (await res.json()).message;
  load();
};
load();
</script></body></html>
`;

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://todo');
  if (url.pathname === '/health') return reply(res, 200, { ok: true });
  if (url.pathname === '/' && req.method === 'GET') return reply(res, 200, PAGE, 'text/html; charset=utf-8');
  if (url.pathname === '/api/todos' && req.method === 'GET') return reply(res, 200, { todos: await listTodos() });
  if (url.pathname === '/api/todos' && req.method === 'POST') {
    const body = await readJson(req);
    if (typeof body?.text !== 'string' || body.text.trim() === '') return reply(res, 422, { message: 'give {"text": "something to do"}' });
    return reply(res, 201, await addTodo(body.text.trim()));
  }
  const match = /^\/api\/todos\/(todo-[A-Za-z0-9-]+)$/.exec(url.pathname);
  if (match && req.method === 'DELETE') {
    const gone = await dbCall('DELETE', `/kv/${match[1]}`);
    return gone === undefined ? reply(res, 404, { message: `no todo ${match[1]}` }) : reply(res, 200, { id: match[1], deleted: true });
  }
  return reply(res, 404, { message: 'the page is at /, the API at /api/todos' });
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => reply(res, err instanceof DbError ? 503 : 500, { message: err.message }));
});
server.listen(port, listenHost, () => console.log(`todo web on ${listenHost}:${port}, database ${db}`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
