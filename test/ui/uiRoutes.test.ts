import t from 'tap';
import Koa from 'koa';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uiRoutes } from '../../src/api/uiRoutes.js';
import { startInProcessFerry } from '../support/ferryInProcess.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with the path exactly as given: fetch() would resolve "..", a real attacker's client does not. */
function raw(api: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const [host, port] = api.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const TRAVERSALS = [
  '/ui/../package.json',
  '/ui/../../package.json',
  '/ui/views/../../../package.json',
  '/ui/%2e%2e/%2e%2e/%2e%2e/package.json',
  '/ui/.%2e/.%2e/.%2e/package.json',
  '/ui/..%2f..%2f..%2fpackage.json',
  '/ui/..%2F..%2F..%2Fdist%2Fsrc%2Fcli%2Fmain.js',
  '/ui/..%5c..%5c..%5cpackage.json',
  '/ui/..\\..\\..\\package.json',
  '/ui/%2fetc%2fpasswd',
  '/ui//etc/hostname.json',
  '/ui/app.js%00.html',
  '/ui/%E0%A4%A',
  '/ui/.hidden.js',
];

t.test('the scheduler serves the UI at /ui/ and redirects / and /ui there', async (t) => {
  const ferry = await startInProcessFerry(t);

  for (const path of ['/', '/ui']) {
    const res = await raw(ferry.api, path);
    t.equal(res.status, 302, `${path} redirects`);
    t.equal(res.headers.location, '/ui/', `${path} redirects to /ui/`);
  }

  const index = await raw(ferry.api, '/ui/');
  t.equal(index.status, 200);
  t.match(index.headers['content-type'], /^text\/html; charset=utf-8/);
  t.match(index.body, /<script type="module" src="app.js">/);
  t.equal(index.headers['cache-control'], 'no-cache', 'the browser asks again each time, so an upgrade shows at once');
  t.match(index.headers['content-security-policy'], /connect-src 'self'/, 'the page may talk only to its own origin');
  t.equal(index.headers['x-content-type-options'], 'nosniff');
  const etag = String(index.headers.etag);
  t.equal((await raw(ferry.api, '/ui/', { headers: { 'If-None-Match': etag } })).status, 304, 'an unchanged file is not sent again');

  for (const [path, type] of [
    ['/ui/index.html', /^text\/html/],
    ['/ui/app.js', /^text\/javascript/],
    ['/ui/views/movesView.js', /^text\/javascript/],
    ['/ui/style.css', /^text\/css/],
  ] as const) {
    const res = await raw(ferry.api, path);
    t.equal(res.status, 200, path);
    t.match(res.headers['content-type'], type, `${path} has its media type`);
  }
  const head = await raw(ferry.api, '/ui/app.js', { method: 'HEAD' });
  t.equal(head.status, 200, 'HEAD answers like GET');
  t.equal(head.body, '', 'HEAD has no body');
  t.not((await raw(ferry.api, '/ui/', { method: 'POST' })).status, 200, 'the UI files are read-only');
});

t.test('the UI routes refuse every path that leads out of the UI folder', async (t) => {
  const ferry = await startInProcessFerry(t);
  for (const path of TRAVERSALS) {
    const res = await raw(ferry.api, path);
    t.equal(res.status, 404, `${path} is refused`);
    t.notMatch(res.body, /"name": "ferry"|"dependencies"|runScheduler/, `${path} leaks nothing`);
  }
  t.equal((await raw(ferry.api, '/ui/nothing-here.js')).status, 404, 'a missing file is a 404');
  t.equal((await raw(ferry.api, '/ui/views/')).status, 404, 'a folder is not listed');
  t.equal((await raw(ferry.api, '/ui/app.ts')).status, 404, 'a file of an unknown media type is not served');
});

t.test('a symbolic link inside the UI folder that leads out of it is not followed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-ui-routes-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const staticDir = join(dir, 'static');
  await mkdir(staticDir);
  await writeFile(join(dir, 'secret.js'), 'the secret');
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>x</title>');
  await symlink(join(dir, 'secret.js'), join(staticDir, 'escape.js'));

  const app = new Koa();
  app.use(uiRoutes(staticDir).routes());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.teardown(() => new Promise((r) => server.close(r)));
  const api = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  t.equal((await raw(api, '/ui/')).status, 200, 'the folder itself is served');
  const escaped = await raw(api, '/ui/escape.js');
  t.equal(escaped.status, 404);
  t.notMatch(escaped.body, /the secret/);
});
