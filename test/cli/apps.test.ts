// `ferry apps`: deploy creates then updates, reads stdin and Marathon's own
// answer shape, refuses bad files before sending anything (exit 2) and passes
// the API's refusals on (exit 1); ls/show tables and --json; scale, restart, rm.

import t from 'tap';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../support/ferryProcess.js';
import { runFerry, shown, startCliFerry, tableRows, type CliFerry } from './ferryCli.js';

function sleeper(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, cmd: 'sleep 600', cpus: 0.1, mem: 16, portDefinitions: [], ...extra };
}

function stateful(id: string, dataset: string): Record<string, unknown> {
  return sleeper(id, {
    container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', external: { name: dataset, size: 1, provider: 'ferry' } }] },
  });
}

async function appFile(definition: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-cli-apps-'));
  const path = join(dir, 'app.json');
  await writeFile(path, typeof definition === 'string' ? definition : JSON.stringify(definition));
  return path;
}

async function runningTask(ferry: CliFerry, id: string): Promise<void> {
  await waitFor(
    async () => ((await ferry.call<{ tasks: { state: string }[] }>('GET', `/v1/apps${id}`)).body.tasks ?? []).some((x) => x.state === 'TASK_RUNNING'),
    30_000,
    () => `${id} never ran`,
  );
}

t.test('apps', async (t) => {
  const ferry = await startCliFerry(t);
  const url = ['--url', ferry.url];

  t.test('deploy creates an app with POST, and deploying the same id again updates it with PUT', async (t) => {
    const created = await runFerry(['apps', 'deploy', await appFile(sleeper('/cli/web', { env: { GEN: '1' } })), ...url]);
    t.equal(created.code, 0, shown(created));
    t.match(created.stdout, /^created app \/cli\/web \(version \S+\)/);
    const updated = await runFerry(['apps', 'deploy', await appFile(sleeper('/cli/web', { env: { GEN: '2' } })), ...url]);
    t.equal(updated.code, 0, shown(updated));
    t.match(updated.stdout, /^updated app \/cli\/web \(version \S+\)/);
    const now = await ferry.call<{ app: { env: Record<string, string> } }>('GET', '/v1/apps/cli/web');
    t.same(now.body.app.env, { GEN: '2' }, 'the second deploy replaced the definition');
  });

  t.test('deploy reads stdin for "-" and accepts Marathon\'s {"app": {...}} answer', async (t) => {
    const result = await runFerry(['apps', 'deploy', '-', ...url], { input: JSON.stringify({ app: sleeper('/cli/piped') }) });
    t.equal(result.code, 0, shown(result));
    t.equal((await ferry.call('GET', '/v1/apps/cli/piped')).status, 200);
  });

  t.test('deploy --json prints the API\'s answer, the app with its tasks', async (t) => {
    const result = await runFerry(['apps', 'deploy', await appFile(sleeper('/cli/json')), '--json', ...url]);
    t.equal(result.code, 0, shown(result));
    const body = JSON.parse(result.stdout) as { app: { id: string }; tasks: unknown[]; pending: unknown[] };
    t.equal(body.app.id, '/cli/json');
    t.ok(Array.isArray(body.tasks) && Array.isArray(body.pending), 'the detail shape: app, tasks, datasets, pending');
  });

  t.test('a file that cannot be sent is a usage error, exit 2, and nothing reaches Ferry', async (t) => {
    const cases: [string, RegExp][] = [
      [join(tmpdir(), 'no-such-ferry-app.json'), /cannot read the app definition .*no such file/],
      [await appFile('{"id": "/broken",'), /is not JSON/],
      [await appFile([sleeper('/a'), sleeper('/b')]), /must be one JSON object \(a Marathon app\), not an array/],
    ];
    for (const [path, message] of cases) {
      const result = await runFerry(['apps', 'deploy', path, ...url]);
      t.equal(result.code, 2, shown(result));
      t.match(result.stderr, message);
    }
    t.equal((await ferry.call('GET', '/v1/apps/broken')).status, 404);
  });

  t.test('a definition Ferry refuses exits 1 with the API\'s message and field', async (t) => {
    const docker = sleeper('/cli/docker', { container: { type: 'DOCKER', docker: { image: 'redis' } } });
    const result = await runFerry(['apps', 'deploy', await appFile(docker), ...url]);
    t.equal(result.code, 1, shown(result));
    t.match(result.stderr, /^ferry: .*Docker.*\(field "container\.(docker|type)", HTTP 422\)\n$/m);
  });

  t.test('ls shows a table of apps; --json is the API\'s body unchanged', async (t) => {
    await runFerry(['apps', 'deploy', await appFile(stateful('/cli/db', 'cli-db-data')), ...url]);
    await runningTask(ferry, '/cli/db');
    const table = await runFerry(['apps', 'ls', ...url]);
    t.equal(table.code, 0, shown(table));
    const rows = tableRows(table.stdout);
    t.same(rows[0], ['ID', 'INSTANCES', 'RUNNING', 'HEALTHY', 'DATASET', 'VERSION']);
    t.match(rows.find((r) => r[0] === '/cli/db'), ['/cli/db', '1', '1', '0', 'cli-db-data', /^\d{4}-/]);
    const json = await runFerry(['apps', 'ls', '--json', ...url]);
    t.same(JSON.parse(json.stdout), (await ferry.call('GET', '/v1/apps')).body);
  });

  t.test('show prints the app, its tasks and its datasets; --json is the API\'s body unchanged', async (t) => {
    const result = await runFerry(['apps', 'show', 'cli/db', ...url]);
    t.equal(result.code, 0, shown(result));
    t.match(result.stdout, /^id: +\/cli\/db$/m);
    t.match(result.stdout, /^instances: +1 wanted, 1 running$/m);
    t.match(result.stdout, /^TASKS\nINSTANCE +ID +AGENT +HOST +STATE +HEALTHY +DATA-VIA\n0 +cli_db\S* +\S+ +\S+ +TASK_RUNNING/m);
    t.match(result.stdout, /^DATASETS\nNAME +SIZE +BACKEND +PROFILE +STATE +AGENT +HOST +APP +IN-USE\ncli-db-data +1 GiB +local/m);
    const json = await runFerry(['apps', 'show', '/cli/db', '--json', ...url]);
    t.same(JSON.parse(json.stdout), (await ferry.call('GET', '/v1/apps/cli/db')).body);
    const missing = await runFerry(['apps', 'show', '/cli/nothing', ...url]);
    t.equal(missing.code, 1, shown(missing));
    t.match(missing.stderr, 'ferry: app /cli/nothing does not exist (field "id", HTTP 404)');
  });

  t.test('scale sets the instances; scaling an unknown app exits 1', async (t) => {
    const result = await runFerry(['apps', 'scale', '/cli/web', '2', ...url]);
    t.equal(result.code, 0, shown(result));
    t.equal(result.stdout, 'scaled app /cli/web to 2 instances\n');
    t.equal((await ferry.call<{ app: { instances: number } }>('GET', '/v1/apps/cli/web')).body.app.instances, 2);
    const unknown = await runFerry(['apps', 'scale', '/cli/nothing', '1', ...url]);
    t.equal(unknown.code, 1, shown(unknown));
    t.match(unknown.stderr, /app \/cli\/nothing does not exist.*HTTP 404/);
  });

  t.test('restart asks Ferry to replace the tasks', async (t) => {
    const result = await runFerry(['apps', 'restart', '/cli/db', ...url]);
    t.equal(result.code, 0, shown(result));
    t.equal(result.stdout, 'restarting app /cli/db\n');
  });

  t.test('move of a stateless app is refused with the reason', async (t) => {
    const result = await runFerry(['apps', 'move', '/cli/web', '--to', 'any', ...url]);
    t.equal(result.code, 1, shown(result));
    t.match(result.stderr, /has no dataset to move.*HTTP 422/);
  });

  t.test('rm deletes the app and keeps its datasets; removing it again exits 1', async (t) => {
    const result = await runFerry(['apps', 'rm', '/cli/db', ...url]);
    t.equal(result.code, 0, shown(result));
    t.match(result.stdout, 'deleted app /cli/db; its datasets are kept');
    t.equal((await ferry.call('GET', '/v1/apps/cli/db')).status, 404);
    t.equal((await ferry.call('GET', '/v1/datasets/cli-db-data')).status, 200, 'the dataset stays');
    const again = await runFerry(['apps', 'rm', '/cli/db', ...url]);
    t.equal(again.code, 1, shown(again));
  });
});
