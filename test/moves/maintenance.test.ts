// Mesos maintenance moves datasets away before the window: inverse offers for
// the agent holding a dataset start a move to another agent, the app follows
// its data, and Ferry accepts the inverse offer.

import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '../support/ferryProcess.js';
import { startInProcessFerry } from '../support/ferryInProcess.js';

interface Detail {
  tasks: { id: string; agentId: string; state: string }[];
  datasets: { agentId: string; hostPath: string }[];
}

t.test('a maintenance window on an agent moves its datasets away first', async (t) => {
  const ferry = await startInProcessFerry(t, {
    // distinct loopback addresses make each agent its own machine for maintenance
    sim: { agents: 3, agentHostnames: ['127.0.0.1', '127.0.0.2', '127.0.0.3'] },
    config: { moveOpRetrySeconds: 5 },
  });
  const app = {
    id: '/maint',
    cmd: 'n=$(wc -l < data/records 2>/dev/null || echo 0); while true; do n=$((n+1)); echo $n >> data/records; sleep 0.05; done',
    cpus: 0.1,
    mem: 32,
    portDefinitions: [],
    container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', external: { name: 'maint-data', size: 1, provider: 'ferry' } }] },
  };
  t.equal((await ferry.call('POST', '/v1/apps', app)).status, 201);
  let d: Detail | undefined;
  await waitFor(async () => {
    d = (await ferry.call<Detail>('GET', '/v1/apps/maint')).body;
    return d.tasks.some((x) => x.state === 'TASK_RUNNING');
  }, 30_000, () => JSON.stringify(d));
  const source = d!.tasks[0]!.agentId;

  const machine = ferry.sim.agentMachine(source);
  const start = (Date.now() + 60_000) * 1e6;
  await ferry.sim.scheduleMaintenance({ windows: [{ machine_ids: [machine], unavailability: { start: { nanoseconds: start }, duration: { nanoseconds: 3600e9 } } }] });

  await waitFor(async () => {
    d = (await ferry.call<Detail>('GET', '/v1/apps/maint')).body;
    return d.tasks.some((x) => x.state === 'TASK_RUNNING' && x.agentId !== source) && d.datasets[0]!.agentId !== source;
  }, 60_000, () => JSON.stringify(d));
  let moves: { trigger: string; state: string; from: string }[] = [];
  await waitFor(async () => {
    moves = (await ferry.call<{ moves: typeof moves }>('GET', '/v1/moves')).body.moves;
    return moves.length > 0 && moves.every((m) => m.state !== 'RUNNING');
  }, 30_000, () => JSON.stringify(moves));
  t.match(moves, [{ trigger: 'maintenance', state: 'SUCCEEDED', from: source }]);
  const records = (await readFile(join(d!.datasets[0]!.hostPath, 'records'), 'utf8')).split('\n').filter(Boolean).map(Number);
  t.same(records.filter((n, i) => n !== i + 1), [], 'the data came along, 1, 2, 3, ... with no gap');
  const status = ferry.sim.maintenanceStatus();
  t.match(JSON.stringify(status), /ACCEPT/, 'Ferry accepted the inverse offer');
});
