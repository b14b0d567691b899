import t from 'tap';
import { waitFor } from '../support/ferryProcess.js';
import { startInProcessFerry, type InProcessFerry } from '../support/ferryInProcess.js';
import { sleeperApp as app } from './sleeperApp.js';

interface DatasetView {
  name: string;
  sizeMiB: number;
  backend: string;
  profile?: string;
  state: string;
  agentId?: string;
  preferredAgent?: string;
  zone?: string;
  owner?: { appId: string; instance: number };
  inUse: boolean;
  metadata?: Record<string, string>;
}
interface Detail {
  tasks: { instance: number; kind?: string; agentId: string; state: string }[];
  datasets: DatasetView[];
}

async function names(ferry: InProcessFerry, query = ''): Promise<string[]> {
  const r = await ferry.call<{ datasets: DatasetView[] }>('GET', `/v1/datasets${query}`);
  if (r.status !== 200) throw new Error(`GET /v1/datasets${query}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.datasets.map((d) => d.name);
}

async function agentIds(ferry: InProcessFerry, count: number): Promise<string[]> {
  let ids: string[] = [];
  await waitFor(
    async () => (ids = (await ferry.call<{ agents: { id: string }[] }>('GET', '/v1/agents')).body.agents.map((a) => a.id)).length === count,
    10_000,
    () => `agents: ${ids.join(', ')}`,
  );
  return ids;
}

t.test('a dataset created ahead of time is listed, filtered, read and deleted', async (t) => {
  const ferry = await startInProcessFerry(t);
  const created = await ferry.call<{ dataset: DatasetView }>('POST', '/v1/datasets', { name: 'pre-data', size: 2, metadata: { team: 'db' } });
  t.equal(created.status, 201, JSON.stringify(created.body));
  t.same(created.body.dataset, {
    name: 'pre-data',
    sizeMiB: 2048,
    backend: 'local',
    state: 'NEW',
    inUse: false,
    metadata: { team: 'db' },
    createdAt: (created.body.dataset as unknown as { createdAt: string }).createdAt,
    updatedAt: (created.body.dataset as unknown as { updatedAt: string }).updatedAt,
  });
  t.match(await ferry.call('POST', '/v1/datasets', { name: 'pre-data', size: 1 }), { status: 409, body: { field: 'name', message: 'dataset pre-data already exists' } });
  t.match(await ferry.call('POST', '/v1/datasets', { name: 'small', sizeMiB: 512, profile: 'gold', zone: 'z1' }), {
    status: 201,
    body: { dataset: { name: 'small', sizeMiB: 512, profile: 'gold', zone: 'z1', state: 'NEW' } },
  });

  t.same(await names(ferry), ['pre-data', 'small']);
  t.same(await names(ferry, '?state=NEW'), ['pre-data', 'small']);
  t.same(await names(ferry, '?state=READY'), []);
  t.same(await names(ferry, '?agent=nowhere'), []);
  t.same(await names(ferry, '?app=/nobody'), []);
  t.match(await ferry.call('GET', '/v1/datasets/pre-data'), { status: 200, body: { dataset: { name: 'pre-data', metadata: { team: 'db' } } } });

  t.match(await ferry.call('DELETE', '/v1/datasets/pre-data'), { status: 200, body: { name: 'pre-data', deleted: true } });
  t.match(await ferry.call('GET', '/v1/datasets/pre-data'), { status: 404, body: { field: 'name' } });
  t.same(await names(ferry), ['small']);
});

t.test('bad dataset requests get a 4xx naming the field, and nothing is created', async (t) => {
  const ferry = await startInProcessFerry(t, { api: { backends: ['local'] } });
  const refusals: [unknown, number, string][] = [
    [{ name: '../etc', size: 1 }, 422, 'name'],
    [{ name: 'Upper', size: 1 }, 422, 'name'],
    [{ name: 'a'.repeat(64), size: 1 }, 422, 'name'],
    [{ name: 'x' }, 422, 'size'],
    [{ name: 'x', size: 1, sizeMiB: 1024 }, 422, 'size'],
    [{ name: 'x', size: 0 }, 422, 'size'],
    [{ name: 'x', size: 1.5 }, 422, 'size'],
    [{ name: 'x', sizeMiB: -1 }, 422, 'sizeMiB'],
    [{ name: 'x', size: 1, backend: 'nfs' }, 422, 'backend'],
    [{ name: 'x', size: 1, backend: 'ebs' }, 422, 'backend'],
    [{ name: 'x', size: 1, profile: 'platinum' }, 422, 'profile'],
    [{ name: 'x', size: 1, color: 'blue' }, 422, 'color'],
    [{ name: 'x', size: 1, metadata: { a: 1 } }, 422, 'metadata.a'],
    [{ name: 'x', size: 1, agent: 'no-such-agent' }, 422, 'agent'],
    [{ name: 7, size: 1 }, 422, 'name'],
    [[], 422, 'body'],
  ];
  for (const [body, status, field] of refusals) {
    const r = await ferry.call<{ message: string; field: string }>('POST', '/v1/datasets', body);
    t.match(r, { status, body: { field } }, `${JSON.stringify(body)} → ${status} ${field}: ${r.body.message}`);
  }
  t.match(await ferry.call('POST', '/v1/datasets', { name: 'x', size: 1, backend: 'ebs' }), { body: { message: /not configured.*--ebs-region/ } }, 'the refusal says how to enable the backend');
  t.match(await ferry.call('POST', '/v1/datasets', '{"name":', { 'content-type': 'application/json' }), { status: 400, body: { field: 'body' } });
  t.match(await ferry.call('POST', '/v1/datasets', 'name=x', { 'content-type': 'text/plain' }), { status: 415, body: { field: 'body' } });
  t.match(await ferry.call('GET', '/v1/datasets?color=red'), { status: 400, body: { field: 'color' } });
  t.match(await ferry.call('GET', '/v1/datasets?state=BOGUS'), { status: 400, body: { field: 'state' } });
  t.match(await ferry.call('GET', '/v1/datasets?app=Not/Valid'), { status: 400, body: { field: 'app' } });
  t.match(await ferry.call('GET', '/v1/datasets?state=NEW&state=READY'), { status: 400, body: { field: 'state' } });
  t.match(await ferry.call('DELETE', '/v1/datasets/absent'), { status: 404, body: { field: 'name' } });
  t.same(await names(ferry), [], 'nothing was created');
});

t.test('an app that claims datasets created for one agent runs there', async (t) => {
  const ferry = await startInProcessFerry(t);
  const agents = await agentIds(ferry, 3);
  const chosen = agents[2]!;
  for (const name of ['pinned-data', 'pinned-data-1']) {
    t.equal((await ferry.call('POST', '/v1/datasets', { name, size: 1, agent: chosen })).status, 201);
  }
  t.match(await ferry.call('GET', '/v1/datasets/pinned-data'), { body: { dataset: { preferredAgent: chosen, state: 'NEW' } } });
  t.equal((await ferry.call('POST', '/v1/apps', app('/pinned', { instances: 2 }))).status, 201);
  let d: Detail | undefined;
  await waitFor(
    async () => (d = (await ferry.call<Detail>('GET', '/v1/apps/pinned')).body).tasks.filter((x) => x.kind === undefined && x.state === 'TASK_RUNNING').length === 2,
    20_000,
    () => JSON.stringify(d),
  );
  t.same(d!.tasks.map((x) => x.agentId), [chosen, chosen], 'both instances run on the agent their datasets were created for (spreading would have split them)');
  t.same(d!.datasets.map((x) => [x.name, x.state, x.agentId]), [['pinned-data', 'READY', chosen], ['pinned-data-1', 'READY', chosen]]);
  t.same(await names(ferry, `?agent=${encodeURIComponent(chosen)}`), ['pinned-data', 'pinned-data-1']);
  t.same(await names(ferry, `?agent=${encodeURIComponent(agents[0]!)}`), []);
  t.same(await names(ferry, '?app=/pinned&state=READY'), ['pinned-data', 'pinned-data-1']);
  t.same(await names(ferry, '?app=pinned'), ['pinned-data', 'pinned-data-1'], 'the app id may omit its leading slash');
});

t.test('deleteDatasets removes datasets that never held data, and refuses when one might', async (t) => {
  const ferry = await startInProcessFerry(t);
  t.equal((await ferry.call('POST', '/v1/apps', app('/huge', { cpus: 100 }))).status, 201);
  t.match(await ferry.call('GET', '/v1/datasets/huge-data'), { body: { dataset: { state: 'NEW' } } });
  t.match(await ferry.call('DELETE', '/v1/apps/huge?deleteDatasets=maybe'), { status: 400, body: { field: 'deleteDatasets' } });
  t.match(await ferry.call('DELETE', '/v1/apps/huge?deleteDatasets=true'), { status: 200, body: { id: '/huge', deleted: true, datasetsKept: false, datasetsDeleted: ['huge-data'] } });
  t.match(await ferry.call('GET', '/v1/datasets/huge-data'), { status: 404 }, 'the never-placed dataset is gone');

  t.equal((await ferry.call('POST', '/v1/apps', app('/kept'))).status, 201);
  await waitFor(async () => (await ferry.call<Detail>('GET', '/v1/apps/kept')).body.datasets[0]?.state === 'READY', 20_000, () => 'never placed');
  const refused = await ferry.call<{ message: string }>('DELETE', '/v1/apps/kept?deleteDatasets=true');
  t.match(refused, { status: 409, body: { field: 'deleteDatasets', message: /kept-data \(READY on agent .*\) may hold data/ } });
  t.equal((await ferry.call('GET', '/v1/apps/kept')).status, 200, 'the app was not deleted');
  t.match(await ferry.call('DELETE', '/v1/apps/kept'), { status: 200, body: { datasetsKept: true } });
  t.match(await ferry.call('GET', '/v1/datasets/kept-data'), { status: 200, body: { dataset: { state: 'READY' } } }, 'its data is kept');
});
