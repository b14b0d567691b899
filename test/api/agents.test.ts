import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../src/common/packageRoot.js';
import { api, waitFor } from '../support/ferryProcess.js';
import { startInProcessFerry } from '../support/ferryInProcess.js';
import { startStandby } from './standbyInstance.js';

interface AgentView {
  id: string;
  hostname: string;
  attributes: Record<string, string>;
  datasets: string[];
  tasks: number;
  lastOfferAt: string | null;
  dataVia?: string;
}

t.test('the version is the package version', async (t) => {
  const ferry = await startInProcessFerry(t);
  const pkg = JSON.parse(await readFile(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const r = await ferry.call<{ version: string; commit?: string }>('GET', '/v1/version');
  t.equal(r.status, 200);
  t.equal(r.body.version, pkg.version);
  t.match(await ferry.call('GET', '/v1/version?verbose=1'), { status: 400, body: { field: 'verbose' } });
});

t.test('agents are listed with their attributes, datasets and task counts, on the leader and through a standby', async (t) => {
  const ferry = await startInProcessFerry(t, { sim: { agentAttributes: ['zone:a', 'zone:b', 'zone:c'] } });
  let agents: AgentView[] = [];
  await waitFor(async () => (agents = (await ferry.call<{ agents: AgentView[] }>('GET', '/v1/agents')).body.agents).length === 3, 10_000, () => JSON.stringify(agents));
  t.same(agents.map((a) => a.attributes['zone']).sort(), ['a', 'b', 'c']);
  for (const a of agents) {
    t.match(a, { hostname: String, datasets: [], tasks: 0 });
    t.ok(a.lastOfferAt !== null && Number.isFinite(Date.parse(a.lastOfferAt)), `agent ${a.id} has offered`);
  }

  t.equal(
    (await ferry.call('POST', '/v1/apps', {
      id: '/web',
      cmd: 'sleep 600',
      cpus: 0.1,
      mem: 32,
      portDefinitions: [],
      constraints: [['zone', 'CLUSTER', 'b']],
      container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', external: { name: 'web-data', size: 1, provider: 'ferry' } }] },
    })).status,
    201,
  );
  const inB = agents.find((a) => a.attributes['zone'] === 'b')!;
  let one: AgentView | undefined;
  await waitFor(async () => (one = (await ferry.call<{ agent: AgentView }>('GET', `/v1/agents/${inB.id}`)).body.agent).tasks === 1, 20_000, () => JSON.stringify(one));
  t.same(one!.datasets, ['web-data'], 'the agent holds the app\'s dataset');
  const others = (await ferry.call<{ agents: AgentView[] }>('GET', '/v1/agents')).body.agents.filter((a) => a.id !== inB.id);
  t.same(others.map((a) => [a.tasks, a.datasets]), [[0, []], [0, []]], 'the other agents run nothing');
  t.match(await ferry.call('GET', '/v1/agents/no-such-agent'), { status: 404, body: { field: 'id' } });

  const standby = await startStandby(t, ferry);
  const viaStandby = await fetch(`http://${standby.api}/v1/agents`);
  t.equal(viaStandby.status, 200);
  t.equal(viaStandby.headers.get('x-ferry-leader'), ferry.api, 'the standby asked the leader, which alone knows agents');
  t.same(((await viaStandby.json()) as { agents: AgentView[] }).agents.map((a) => a.id).sort(), agents.map((a) => a.id).sort());
  t.match(await api(standby.api, 'GET', `/v1/agents/${inB.id}`), { status: 200, body: { agent: { id: inB.id, datasets: ['web-data'] } } });
});
