import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../support/ferryProcess.js';
import { startInProcessFerry, type InProcessFerry } from '../support/ferryInProcess.js';

interface Detail {
  app: Record<string, unknown> & { version: string; instances?: number };
  tasks: { id: string; kind?: string; instance: number; agentId: string; state: string; dataVia: string; dataset?: string }[];
  datasets: { name: string; agentId?: string; state: string; hostPath?: string }[];
  pending: { instance: number; reason: string }[];
}

function kv(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    cmd: 'echo started >> data/log; sleep 600',
    cpus: 0.1,
    mem: 32,
    portDefinitions: [],
    container: {
      type: 'MESOS',
      volumes: [{ containerPath: 'data', mode: 'RW', external: { name: `${id.replace(/^\//, '').replace(/\//g, '-')}-data`, size: 1, provider: 'ferry' } }],
    },
    ...extra,
  };
}

async function running(ferry: InProcessFerry, id: string, count = 1): Promise<Detail> {
  let last: Detail | undefined;
  await waitFor(
    async () => {
      const r = await ferry.call<Detail>('GET', `/v1/apps${id}`);
      last = r.body;
      return r.status === 200 && r.body.tasks.filter((x) => x.kind === undefined && x.state === 'TASK_RUNNING').length === count;
    },
    20_000,
    () => `app ${id}: ${JSON.stringify(last)}`,
  );
  return last!;
}

t.test('apps: create, read, list, update, scale, restart and delete through the API', async (t) => {
  const ferry = await startInProcessFerry(t);
  const created = await ferry.call<Detail>('POST', '/v1/apps', kv('/prod/db'));
  t.equal(created.status, 201);
  t.match(created.body, { app: { id: '/prod/db', cpus: 0.1 }, tasks: [], datasets: [{ name: 'prod-db-data', state: 'NEW' }] });
  t.type(created.body.app.version, 'string');

  const first = await running(ferry, '/prod/db');
  t.match(first.tasks[0], { instance: 0, dataVia: 'volume', dataset: 'prod-db-data' });
  t.match(first.datasets[0], { name: 'prod-db-data', state: 'READY', agentId: first.tasks[0]!.agentId });
  t.same(first.pending, []);

  const list = await ferry.call<{ apps: { id: string; tasksRunning: number }[] }>('GET', '/v1/apps');
  t.match(list.body.apps, [{ id: '/prod/db', tasksRunning: 1 }]);

  t.match(await ferry.call('POST', '/v1/apps', kv('/prod/db')), { status: 409, body: { message: 'app /prod/db already exists', field: 'id' } });
  t.match(await ferry.call('GET', '/v1/apps/nope'), { status: 404, body: { field: 'id' } });

  // an update replaces the task in place, on the dataset's agent
  const stale = await ferry.call('PUT', '/v1/apps/prod/db', kv('/prod/db', { cpus: 0.2 }), { 'If-Match': '"not-the-version"' });
  t.match(stale, { status: 412, body: { field: 'If-Match' } });
  const updated = await ferry.call<Detail>('PUT', '/v1/apps/prod/db', kv('/prod/db', { cpus: 0.2 }), { 'If-Match': `"${first.app.version}"` });
  t.equal(updated.status, 200);
  await waitFor(
    async () => {
      const d = (await ferry.call<Detail>('GET', '/v1/apps/prod/db')).body;
      return d.tasks.length === 1 && d.tasks[0]!.id !== first.tasks[0]!.id && d.tasks[0]!.state === 'TASK_RUNNING';
    },
    20_000,
    () => 'the task was not replaced',
  );
  const replaced = (await ferry.call<Detail>('GET', '/v1/apps/prod/db')).body;
  t.equal(replaced.tasks[0]!.agentId, first.tasks[0]!.agentId, 'replaced on the agent that holds the data');
  const log = await readFile(join(replaced.datasets[0]!.hostPath!, 'log'), 'utf8');
  t.equal(log, 'started\nstarted\n', 'both tasks wrote to the same dataset');

  const scaled = await ferry.call<Detail>('POST', '/v1/apps/prod/db/scale', { instances: 2 });
  t.equal(scaled.status, 200);
  const two = await running(ferry, '/prod/db', 2);
  t.same(two.datasets.map((d) => d.name), ['prod-db-data', 'prod-db-data-1']);
  t.match(await ferry.call('POST', '/v1/apps/prod/db/scale', { instances: -1 }), { status: 422, body: { field: 'instances' } });

  await ferry.call('POST', '/v1/apps/prod/db/scale', { instances: 1 });
  await running(ferry, '/prod/db', 1);
  const kept = await ferry.call<{ dataset: { name: string; state: string; owner: unknown } }>('GET', '/v1/datasets/prod-db-data-1');
  t.match(kept, { status: 200, body: { dataset: { name: 'prod-db-data-1', state: 'READY' } } }, 'scaling down keeps the dataset');

  const restarted = await ferry.call('POST', '/v1/apps/prod/db/restart');
  t.equal(restarted.status, 202);
  await waitFor(
    async () => {
      const d = (await ferry.call<Detail>('GET', '/v1/apps/prod/db')).body;
      return d.tasks.length === 1 && d.tasks[0]!.id !== replaced.tasks[0]!.id && d.tasks[0]!.state === 'TASK_RUNNING';
    },
    20_000,
    () => 'the restart did not replace the task',
  );

  t.match(await ferry.call('DELETE', '/v1/datasets/prod-db-data'), { status: 409, body: { field: 'name' } }, 'a dataset in use is not deleted');
  const deleted = await ferry.call('DELETE', '/v1/apps/prod/db');
  t.match(deleted, { status: 200, body: { id: '/prod/db', deleted: true } });
  await waitFor(async () => ferry.sim.state().frameworks[0]!.tasks.length === 0, 20_000, () => 'tasks survived the delete');
  const datasets = await ferry.call<{ datasets: { name: string; state: string }[] }>('GET', '/v1/datasets');
  t.same(datasets.body.datasets.map((d) => [d.name, d.state]), [['prod-db-data', 'READY'], ['prod-db-data-1', 'READY']], 'deleting the app keeps its datasets');
});

t.test('bad input gets a 4xx naming the field, and nothing is written', async (t) => {
  const ferry = await startInProcessFerry(t);
  t.match(await ferry.call('POST', '/v1/apps', { ...kv('/a'), cpus: 'lots' }), { status: 422, body: { field: 'cpus' } });
  t.match(await ferry.call('POST', '/v1/apps', { ...kv('/a'), networks: [{ mode: 'container' }] }), { status: 422, body: { field: 'networks' } });
  t.match(await ferry.call('POST', '/v1/apps', '{"id": ', { 'content-type': 'application/json' }), { status: 400, body: { field: 'body' } });
  t.match(await ferry.call('POST', '/v1/apps', 'id=a', { 'content-type': 'text/plain' }), { status: 415, body: { field: 'body' } });
  const escape = kv('/a');
  escape.container.volumes[0]!.external.name = '../../etc';
  t.match(await ferry.call('POST', '/v1/apps', escape), { status: 422, body: { field: 'container.volumes[0].external.name' } });
  t.match(await ferry.call('POST', '/v1/apps/a/restart'), { status: 404 });
  t.match(await ferry.call('GET', '/v1/nothing'), { status: 404, body: { message: /no such resource/ } });
  t.same((await ferry.call<{ apps: unknown[] }>('GET', '/v1/apps')).body.apps, []);
  t.same((await ferry.call<{ datasets: unknown[] }>('GET', '/v1/datasets')).body.datasets, []);
});

t.test('an instance that cannot be placed says why', async (t) => {
  const ferry = await startInProcessFerry(t);
  await ferry.call('POST', '/v1/apps', kv('/huge', { cpus: 100 }));
  await waitFor(
    async () => /no offer fits: 3 offers: offered 4 cpus, needs 100/.test(JSON.stringify((await ferry.call<Detail>('GET', '/v1/apps/huge')).body.pending)),
    10_000,
    () => 'no pending reason naming the cpu shortfall',
  );
  t.pass('the pending reason names the shortfall');
});

t.test('on agents without the volume isolators the dataset reaches the task through its environment', async (t) => {
  const ferry = await startInProcessFerry(t, { sim: { agents: 1, posixOnlyAgents: [0] } });
  await ferry.call('POST', '/v1/apps', kv('/posix'));
  const d = await running(ferry, '/posix');
  t.equal(d.tasks[0]!.dataVia, 'env', 'the API says how the task got its data');
  const hostPath = d.datasets[0]!.hostPath!;
  await waitFor(async () => (await readFile(join(hostPath, 'log'), 'utf8').catch(() => '')) === 'started\n', 10_000, () => 'nothing written');
  t.pass('the task wrote into the dataset through the linked path');
});

t.test('health and leader of a sole (local-mode) instance', async (t) => {
  const ferry = await startInProcessFerry(t);
  t.same((await ferry.call('GET', '/v1/health')).body, { status: 'ok', role: 'leader' });
  t.same((await ferry.call('GET', '/v1/leader')).body, { leader: ferry.api, self: true });
});
