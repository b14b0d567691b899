import t from 'tap';
import { TokenTable } from '../../src/api/apiTokens.js';
import { apiTokens } from '../../src/cli/commands/scheduler.js';
import { silentLogger } from '../../src/common/log.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInProcessFerry } from '../support/ferryInProcess.js';
import { openEvents } from './sseClient.js';
import { startStandby } from './standbyInstance.js';

const ADMIN = 'admin-0123456789abcdef';
const READER = 'reader-0123456789abcdef';
const tokens = (): TokenTable => TokenTable.fromEnvironment(`${ADMIN}:admin, ${READER}:read-only`);
const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

async function raw(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(`http://${base}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, auth: res.headers.get('www-authenticate'), body: json as { message?: string; field?: string } };
}

t.test('with tokens configured, requests need a known token and writes need an admin one', async (t) => {
  const ferry = await startInProcessFerry(t, { api: { auth: tokens() } });
  const none = await raw(ferry.api, 'GET', '/v1/apps');
  t.match(none, { status: 401, auth: 'Bearer realm="ferry"', body: { field: 'Authorization', message: /Bearer <token>/ } });
  t.match(await raw(ferry.api, 'GET', '/v1/apps', bearer('not-a-token')), { status: 401, auth: /error="invalid_token"/, body: { field: 'Authorization' } });
  t.match(await raw(ferry.api, 'GET', '/v1/apps', { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }), { status: 401 });
  t.match(await raw(ferry.api, 'GET', '/v1/apps', { Authorization: 'Bearer' }), { status: 401 });
  t.match(await raw(ferry.api, 'GET', '/v1/nothing-here'), { status: 401 }, 'unknown paths say nothing without a token');
  const refusedStream = await openEvents(t, ferry.api);
  t.equal(refusedStream.status, 401, 'the event stream needs a token too');

  t.match(await raw(ferry.api, 'GET', '/v1/apps', bearer(READER)), { status: 200, body: { apps: [] } });
  t.match(await raw(ferry.api, 'GET', '/v1/datasets', { Authorization: `bearer   ${READER}` }), { status: 200 }, 'the scheme is case-insensitive');
  const forbidden = await raw(ferry.api, 'POST', '/v1/datasets', bearer(READER), { name: 'ro', size: 1 });
  t.match(forbidden, { status: 403, auth: /insufficient_scope/, body: { field: 'Authorization', message: /read-only token may not POST/ } });
  t.match(await raw(ferry.api, 'DELETE', '/v1/datasets/ro', bearer(READER)), { status: 403 });
  t.match(await raw(ferry.api, 'POST', '/v1/datasets', bearer(ADMIN), { name: 'rw', size: 1 }), { status: 201 });
  t.match(await raw(ferry.api, 'GET', '/v1/datasets/rw', bearer(READER)), { status: 200, body: { dataset: { name: 'rw' } } });
  t.match(await raw(ferry.api, 'GET', '/v1/datasets/ro', bearer(READER)), { status: 404 }, 'the refused write wrote nothing');
  const stream = await openEvents(t, ferry.api, bearer(READER));
  t.equal(stream.status, 200, 'a read-only token reads the event stream');

  t.match(await raw(ferry.api, 'GET', '/v1/health'), { status: 200, body: { status: 'ok' } }, 'health is open');
  t.match(await raw(ferry.api, 'GET', '/metrics'), { status: 200 }, 'metrics are open');
  const artifact = await raw(ferry.api, 'GET', '/v1/artifacts/ferry-node.tar.gz');
  t.not(artifact.status, 401, 'the node artifact is open to agents');
  t.match(await raw(ferry.api, 'POST', '/v1/health'), { status: 401 }, 'only reads of the open routes are open');
  t.match(await raw(ferry.api, 'GET', '/v1/version'), { status: 401 });
});

t.test('a standby checks tokens itself and forwards the Authorization header to the leader', async (t) => {
  const ferry = await startInProcessFerry(t, { api: { auth: tokens() } });
  const standby = await startStandby(t, ferry, { auth: tokens() });
  t.match(await raw(standby.api, 'POST', '/v1/datasets', {}, { name: 'x', size: 1 }), { status: 401 });
  t.match(await raw(standby.api, 'POST', '/v1/datasets', bearer(READER), { name: 'x', size: 1 }), { status: 403 });
  t.match(await raw(standby.api, 'POST', '/v1/datasets', bearer(ADMIN), { name: 'via-standby', size: 1 }), { status: 201 }, 'the leader accepted the forwarded token');
  t.match(await raw(standby.api, 'GET', '/v1/agents', bearer(READER)), { status: 200 }, 'a forwarded read carries the token');
  const relayed = await openEvents(t, standby.api, bearer(READER));
  t.equal(relayed.status, 200, 'the relayed event stream carries the token');

  const open = await startStandby(t, ferry);
  t.match(await raw(open.api, 'POST', '/v1/datasets', {}, { name: 'y', size: 1 }), { status: 401, auth: /Bearer/ }, 'a standby without tokens passes the leader\'s refusal through');
  t.match(await raw(open.api, 'POST', '/v1/datasets', bearer(ADMIN), { name: 'y', size: 1 }), { status: 201 });
});

t.test('token files and FERRY_AUTH_TOKENS are read strictly, without echoing tokens', async (t) => {
  const table = TokenTable.fromFile(['# operators', `${ADMIN} admin`, '', `  ${READER}\tread-only   # the dashboard`].join('\n'), 'tokens.txt');
  t.equal(table.size, 2);
  t.equal(table.roleOf(ADMIN), 'admin');
  t.equal(table.roleOf(READER), 'read-only');
  t.equal(table.roleOf(ADMIN.slice(0, -1)), undefined, 'a prefix is not the token');
  t.equal(table.roleOf(''), undefined);
  const refusals: [() => unknown, RegExp][] = [
    [() => TokenTable.fromFile('sekrit-one superuser', 'f'), /f line 1: unknown role "superuser"/],
    [() => TokenTable.fromFile('sekrit-one admin extra', 'f'), /f line 1: expected "TOKEN ROLE"/],
    [() => TokenTable.fromFile('sekrit-one admin\nsekrit-one read-only', 'f'), /f line 2: the same token is already given at f line 1/],
    [() => TokenTable.fromFile('# nothing\n', 'f'), /holds no tokens/],
    [() => TokenTable.fromEnvironment('sekrit-one'), /FERRY_AUTH_TOKENS entry 1: expected "TOKEN:ROLE"/],
    [() => TokenTable.fromEnvironment('sekrit-one:root'), /unknown role "root"/],
  ];
  for (const [read, message] of refusals) {
    let error: Error | undefined;
    try {
      read();
    } catch (err) {
      error = err as Error;
    }
    t.match(error?.message, message);
    t.notMatch(error?.message ?? '', /sekrit/, 'the message does not repeat the token');
  }

  const dir = await mkdtemp(join(tmpdir(), 'ferry-tokens-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'tokens');
  await writeFile(file, `${ADMIN} admin\n`, { mode: 0o600 });
  t.equal(apiTokens({ authTokens: file }, silentLogger(), {})?.roleOf(ADMIN), 'admin');
  t.equal(apiTokens({}, silentLogger(), { FERRY_AUTH_TOKENS: `${READER}:read-only` })?.roleOf(READER), 'read-only');
  t.equal(apiTokens({}, silentLogger(), {}), undefined, 'no tokens: the API stays open');
  t.throws(() => apiTokens({ authTokens: file }, silentLogger(), { FERRY_AUTH_TOKENS: `${READER}:read-only` }), /not both/);
  t.throws(() => apiTokens({ authTokens: join(dir, 'absent') }, silentLogger(), {}), /cannot read the API tokens/);
});
