// `ferry agents ls` and `ferry leader`: the tables and lines they print, and
// --json as the API's body unchanged.

import t from 'tap';
import { waitFor } from '../support/ferryProcess.js';
import { runFerry, shown, startCliFerry, tableRows } from './ferryCli.js';

t.test('agents and leader', async (t) => {
  const ferry = await startCliFerry(t);
  const url = ['--url', ferry.url];
  await waitFor(async () => (await ferry.call<{ agents: unknown[] }>('GET', '/v1/agents')).body.agents.length === 3, 15_000, () => 'Ferry never heard of 3 agents');

  t.test('agents ls shows every agent with its hostname, holdings and attributes', async (t) => {
    const result = await runFerry(['agents', 'ls', ...url]);
    t.equal(result.code, 0, shown(result));
    const rows = tableRows(result.stdout);
    t.same(rows[0], ['ID', 'HOSTNAME', 'STATE', 'DATASETS', 'TASKS', 'ATTRIBUTES']);
    t.same(rows.slice(1).map((r) => r[0]).sort(), ferry.sim.agentIds().sort());
    for (const row of rows.slice(1)) t.match(row, [/\S/, '127.0.0.1', /\S/, '0', '0', /^ferry_root=\/\S+\/agent-\d\/datasets$/]);
    const json = await runFerry(['agents', 'ls', '--json', ...url]);
    t.same(JSON.parse(json.stdout), (await ferry.call('GET', '/v1/agents')).body);
  });

  t.test('leader names the leading instance and whether it is the one asked', async (t) => {
    const result = await runFerry(['leader', ...url]);
    t.equal(result.code, 0, shown(result));
    t.equal(result.stdout, `${ferry.api} (the instance at --url)\n`);
    const json = await runFerry(['leader', '--json', ...url]);
    t.same(JSON.parse(json.stdout), (await ferry.call('GET', '/v1/leader')).body);
  });
});
