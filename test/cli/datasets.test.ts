// `ferry datasets`: create with sizes, profiles, agents and metadata; list
// with filters; show; remove; and the API's refusals passed on with exit 1.

import t from 'tap';
import { waitFor } from '../support/ferryProcess.js';
import { runFerry, shown, startCliFerry, tableRows } from './ferryCli.js';

interface DatasetBody {
  name: string;
  sizeMiB: number;
  backend: string;
  profile?: string;
  state: string;
  agentId?: string;
  metadata?: Record<string, string>;
}

t.test('datasets', async (t) => {
  const ferry = await startCliFerry(t, { api: { backends: ['local'] } });
  const url = ['--url', ferry.url];
  // an app whose dataset gets placed on an agent: the READY dataset the filters look for
  await ferry.call('POST', '/v1/apps', {
    id: '/cli/owner',
    cmd: 'sleep 600',
    cpus: 0.1,
    mem: 16,
    portDefinitions: [],
    container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', external: { name: 'owned-data', size: 1, provider: 'ferry' } }] },
  });
  let placed: DatasetBody | undefined;
  await waitFor(async () => {
    placed = (await ferry.call<{ dataset: DatasetBody }>('GET', '/v1/datasets/owned-data')).body.dataset;
    return placed.state === 'READY';
  }, 30_000, () => JSON.stringify(placed));

  t.test('create sends the size in GiB, the profile and the metadata, and shows the new dataset', async (t) => {
    const result = await runFerry(['datasets', 'create', 'cli-two', '--size', '2', '--profile', 'gold', '--metadata', 'team=storage', '--metadata', 'tier=1', ...url]);
    t.equal(result.code, 0, shown(result));
    t.match(result.stdout, /^created dataset cli-two\nname: +cli-two\nsize: +2 GiB\nbackend: +local\nprofile: +gold\nstate: +NEW\n/);
    t.match(result.stdout, /^metadata: +team=storage, tier=1$/m);
    const stored = (await ferry.call<{ dataset: DatasetBody }>('GET', '/v1/datasets/cli-two')).body.dataset;
    t.match(stored, { sizeMiB: 2048, backend: 'local', profile: 'gold', metadata: { team: 'storage', tier: '1' } });
  });

  t.test('a fractional size becomes whole MiB', async (t) => {
    const result = await runFerry(['datasets', 'create', 'cli-half', '--size', '0.5', '--json', ...url]);
    t.equal(result.code, 0, shown(result));
    t.equal((JSON.parse(result.stdout) as { dataset: DatasetBody }).dataset.sizeMiB, 512);
  });

  t.test('create --agent places it on that agent when an app first uses it', async (t) => {
    const agent = placed!.agentId!;
    const result = await runFerry(['datasets', 'create', 'cli-pinned', '--size', '1', '--agent', agent, ...url]);
    t.equal(result.code, 0, shown(result));
  });

  t.test('the API\'s refusals of a create exit 1 with its message and field', async (t) => {
    const cases: [string[], RegExp][] = [
      [['cli-two', '--size', '1'], /dataset cli-two already exists \(field "name", HTTP 409\)/],
      [['cli-nowhere', '--size', '1', '--agent', 'no-such-agent'], /agent no-such-agent has sent no offer.*\(field "agent", HTTP 422\)/],
      [['cli-loop', '--size', '1', '--backend', 'loopback'], /loopback backend is not configured.*\(field "backend", HTTP 422\)/],
      [['cli-shiny', '--size', '1', '--profile', 'platinum'], /profile.*gold, silver, bronze.*\(field "profile", HTTP 422\)/],
      [['Bad_Name', '--size', '1'], /\(field "name", HTTP 422\)/],
    ];
    for (const [args, message] of cases) {
      const result = await runFerry(['datasets', 'create', ...args, ...url]);
      t.equal(result.code, 1, shown(result));
      t.match(result.stderr, message, args.join(' '));
    }
  });

  t.test('ls shows a table; its filters go to the API; --json is the API\'s body unchanged', async (t) => {
    const all = await runFerry(['datasets', 'ls', ...url]);
    t.equal(all.code, 0, shown(all));
    const rows = tableRows(all.stdout);
    t.same(rows[0], ['NAME', 'SIZE', 'BACKEND', 'PROFILE', 'STATE', 'AGENT', 'HOST', 'APP', 'IN-USE']);
    t.same(rows.slice(1).map((r) => r[0]), ['cli-half', 'cli-pinned', 'cli-two', 'owned-data']);
    t.same(rows.find((r) => r[0] === 'owned-data'), ['owned-data', '1 GiB', 'local', '-', 'READY', placed!.agentId, '127.0.0.1', '/cli/owner#0', 'yes']);

    for (const [flags, query] of [
      [['--state', 'ready'], 'state=READY'],
      [['--app', 'cli/owner'], 'app=%2Fcli%2Fowner'],
      [['--agent', placed!.agentId!], `agent=${placed!.agentId}`],
    ] as const) {
      const filtered = await runFerry(['datasets', 'ls', ...flags, ...url]);
      t.same(tableRows(filtered.stdout).slice(1).map((r) => r[0]), ['owned-data'], flags.join(' '));
      const json = await runFerry(['datasets', 'ls', ...flags, '--json', ...url]);
      t.same(JSON.parse(json.stdout), (await ferry.call('GET', `/v1/datasets?${query}`)).body, `${flags.join(' ')} --json`);
    }
  });

  t.test('show prints every field; --json is the API\'s body; an unknown name exits 1', async (t) => {
    const result = await runFerry(['datasets', 'show', 'owned-data', ...url]);
    t.equal(result.code, 0, shown(result));
    t.match(result.stdout, /^name: +owned-data$/m);
    t.match(result.stdout, new RegExp(`^agent: +${placed!.agentId}$`, 'm'));
    t.match(result.stdout, /^host path: +\/\S+owned-data$/m);
    t.match(result.stdout, /^app: +\/cli\/owner instance 0$/m);
    const json = await runFerry(['datasets', 'show', 'owned-data', '--json', ...url]);
    t.same(JSON.parse(json.stdout), (await ferry.call('GET', '/v1/datasets/owned-data')).body);
    const missing = await runFerry(['datasets', 'show', 'nothing-here', ...url]);
    t.equal(missing.code, 1, shown(missing));
    t.match(missing.stderr, 'ferry: dataset nothing-here does not exist (field "name", HTTP 404)');
  });

  t.test('move of a dataset never placed is refused with the reason', async (t) => {
    const result = await runFerry(['datasets', 'move', 'cli-two', '--to', 'any', ...url]);
    t.equal(result.code, 1, shown(result));
    t.match(result.stderr, /cli-two has not been placed yet.*HTTP 409/);
  });

  t.test('rm deletes an unused dataset and refuses one an app uses', async (t) => {
    const removed = await runFerry(['datasets', 'rm', 'cli-two', ...url]);
    t.equal(removed.code, 0, shown(removed));
    t.equal(removed.stdout, 'deleted dataset cli-two\n');
    t.equal((await ferry.call('GET', '/v1/datasets/cli-two')).status, 404);
    const used = await runFerry(['datasets', 'rm', 'owned-data', ...url]);
    t.equal(used.code, 1, shown(used));
    t.match(used.stderr, /owned-data is in use by task .*HTTP 409/);
  });
});
