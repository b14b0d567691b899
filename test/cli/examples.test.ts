// The example apps run in the simulator as local mode runs them: the kv
// service stores a value as a file in its dataset and returns it; the todo
// web tier (no dataset) keeps its items in the todo db tier's dataset.

import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportExamplesDir } from '../../src/cli/localExample.js';
import { waitFor } from '../support/ferryProcess.js';
import { exampleApp, startCliFerry, type CliFerry } from './ferryCli.js';

interface Detail {
  tasks: { state: string; healthy?: boolean }[];
  datasets: { name: string; hostPath: string }[];
}

async function healthy(ferry: CliFerry, appPath: string): Promise<Detail> {
  let detail: Detail | undefined;
  await waitFor(
    async () => {
      detail = (await ferry.call<Detail>('GET', `/v1/apps${appPath}`)).body;
      return detail.tasks.some((x) => x.state === 'TASK_RUNNING' && x.healthy === true);
    },
    30_000,
    () => `${appPath} never became healthy: ${JSON.stringify(detail)}`,
  );
  return detail!;
}

t.test('examples', async (t) => {
  exportExamplesDir();
  const ferry = await startCliFerry(t);

  t.test('kv stores a value as a file in its dataset and returns it', async (t) => {
    const port = ferry.ports + 20;
    t.equal((await ferry.call('POST', '/v1/apps', await exampleApp('kv.json', port))).status, 201);
    const detail = await healthy(ferry, '/kv');
    const base = `http://127.0.0.1:${port}`;
    const put = await fetch(`${base}/kv/answer`, { method: 'PUT', body: '42' });
    t.equal(put.status, 200);
    t.match(await put.json(), { key: 'answer', bytes: 2 });
    const get = await fetch(`${base}/kv/answer`);
    t.equal(await get.text(), '42');
    t.equal(await readFile(join(detail.datasets[0]!.hostPath, 'answer'), 'utf8'), '42', 'the value is a file in the dataset kv-data');
    t.same(await (await fetch(`${base}/kv/`)).json(), { keys: ['answer'] });
    t.equal((await fetch(`${base}/kv/missing`)).status, 404);
    t.equal((await fetch(`${base}/kv/..%2Fescape`, { method: 'PUT', body: 'x' })).status, 400, 'a key cannot leave the dataset');
    t.equal((await fetch(`${base}/kv/answer`, { method: 'DELETE' })).status, 200);
    t.equal((await fetch(`${base}/kv/answer`)).status, 404);
  });

  t.test('todo: the web tier keeps every item in the db tier, whose dataset holds it', async (t) => {
    const dbPort = ferry.ports + 30;
    const webPort = ferry.ports + 31;
    const web = await exampleApp('todo-web.json', webPort);
    web['env'] = { TODO_DB_URL: `http://127.0.0.1:${dbPort}` };
    t.equal((await ferry.call('POST', '/v1/apps', await exampleApp('todo-db.json', dbPort))).status, 201);
    t.equal((await ferry.call('POST', '/v1/apps', web)).status, 201);
    const db = await healthy(ferry, '/todo/db');
    const webDetail = await healthy(ferry, '/todo/web');
    t.same(webDetail.datasets, [], 'the web tier has no dataset');

    const base = `http://127.0.0.1:${webPort}`;
    t.match(await (await fetch(`${base}/`)).text(), /<title>Todo/);
    const added = await fetch(`${base}/api/todos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'water the plants' }) });
    t.equal(added.status, 201);
    const todo = (await added.json()) as { id: string; text: string };
    t.same((await (await fetch(`${base}/api/todos`)).json()) as unknown, { todos: [{ ...todo, createdAt: (todo as { createdAt?: string }).createdAt }] });
    const stored = JSON.parse(await readFile(join(db.datasets[0]!.hostPath, todo.id), 'utf8')) as { text: string };
    t.equal(stored.text, 'water the plants', "the item is a file in the db tier's dataset");
    t.equal((await fetch(`${base}/api/todos`, { method: 'POST', body: '{}' })).status, 422);
    t.equal((await fetch(`${base}/api/todos/${todo.id}`, { method: 'DELETE' })).status, 200);
    t.same(await (await fetch(`${base}/api/todos`)).json(), { todos: [] });
  });
});
