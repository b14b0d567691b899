import t from 'tap';
import { waitFor } from '../support/ferryProcess.js';
import { startInProcessFerry, type InProcessFerry } from '../support/ferryInProcess.js';
import { sleeperApp as app } from './sleeperApp.js';

interface Detail {
  app: { id: string; version: string; instances: number };
  tasks: { id: string; kind?: string; state: string }[];
}

async function versionOf(ferry: InProcessFerry, id: string): Promise<string> {
  const res = await fetch(`http://${ferry.api}/v1/apps${id}`);
  const body = (await res.json()) as Detail;
  if (res.headers.get('etag') !== `"${body.app.version}"`) throw new Error(`the ETag ${res.headers.get('etag')} is not the version ${body.app.version}`);
  return body.app.version;
}

t.test('scale, restart and move refuse a stale If-Match with 412 and change nothing', async (t) => {
  const ferry = await startInProcessFerry(t);
  t.equal((await ferry.call('POST', '/v1/apps', app('/cond'))).status, 201);
  await waitFor(async () => (await ferry.call<Detail>('GET', '/v1/apps/cond')).body.tasks.some((x) => x.kind === undefined && x.state === 'TASK_RUNNING'), 20_000, () => 'not running');
  const v1 = await versionOf(ferry, '/cond');
  const stale = { 'If-Match': '"1970-01-01T00:00:00.000Z"' };

  t.match(await ferry.call('POST', '/v1/apps/cond/scale', { instances: 2 }, stale), { status: 412, body: { field: 'If-Match' } });
  t.match(await ferry.call('POST', '/v1/apps/cond/restart', undefined, stale), { status: 412, body: { field: 'If-Match' } });
  t.match(await ferry.call('POST', '/v1/apps/cond/move', { to: 'any' }, stale), { status: 412, body: { field: 'If-Match' } });
  t.equal(await versionOf(ferry, '/cond'), v1, 'the refused changes left the version alone');
  t.equal((await ferry.call<Detail>('GET', '/v1/apps/cond')).body.app.instances, undefined, 'not scaled');
  t.same((await ferry.call<{ moves: unknown[] }>('GET', '/v1/moves')).body.moves, [], 'no move started');

  const scaled = await ferry.call<Detail>('POST', '/v1/apps/cond/scale', { instances: 2 }, { 'If-Match': `"${v1}"` });
  t.equal(scaled.status, 200);
  t.equal(scaled.body.app.instances, 2);
  const v2 = await versionOf(ferry, '/cond');
  t.not(v2, v1, 'a scale makes a new version');
  t.match(await ferry.call('POST', '/v1/apps/cond/scale', { instances: 1 }, { 'If-Match': `"${v1}"` }), { status: 412 }, 'the old version is stale now');

  const restarted = await ferry.call<{ version: string }>('POST', '/v1/apps/cond/restart', undefined, { 'If-Match': `W/"${v2}"` });
  t.match(restarted, { status: 202, body: { id: '/cond', restarting: true } }, 'a weak tag of the current version is accepted');
  t.equal(restarted.body.version, await versionOf(ferry, '/cond'), 'the restart answers with the new version');
  t.match(await ferry.call('POST', '/v1/apps/cond/scale', { instances: 1, extra: true }), { status: 422, body: { field: 'extra' } }, 'unknown fields are refused');
  t.match(await ferry.call('POST', '/v1/apps/cond/move', { to: 'any', instance: 7 }), { status: 422, body: { field: 'instance' } });
  t.match(await ferry.call('POST', '/v1/apps/nobody/scale', { instances: 1 }), { status: 404, body: { field: 'id' } });
});
