// End to end: Ferry scheduler processes against the simulator and a real
// ZooKeeper. A stateful app appends numbered records to a file in its dataset;
// crashes, Ferry restarts and leader failovers must never lose a record,
// duplicate the task or restart it needlessly.

import t, { type Test } from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator } from '../../src/sim/simulator.js';
import { api, freePort, startFerry, waitFor, type FerryProcess } from '../support/ferryProcess.js';
import { startZooKeeper } from '../support/zookeeper.js';

interface AppDetail {
  tasks: { id: string; state: string; agentId: string; dataVia: string }[];
  datasets: { name: string; agentId: string; state: string; hostPath: string }[];
  pending: { instance: number; reason: string }[];
}

const APPENDER = {
  id: '/appender',
  cmd: 'n=$(wc -l < data/records 2>/dev/null || echo 0); while true; do n=$((n+1)); echo $n >> data/records; sleep 0.1; done',
  cpus: 0.1,
  mem: 32,
  portDefinitions: [],
  backoffSeconds: 1,
  container: {
    type: 'MESOS',
    volumes: [{ containerPath: 'data', mode: 'RW', external: { name: 'appender-data', size: 1, provider: 'ferry', options: { 'ferry/backend': 'local' } } }],
  },
};

async function setup(t: Test) {
  const zk = await startZooKeeper(t);
  const dir = await mkdtemp(join(tmpdir(), 'ferry-e2e-'));
  const sim = await Simulator.start({ workDir: join(dir, 'sim'), agents: 3, allocationIntervalMs: 200, heartbeatIntervalSeconds: 1, statusUpdateRetryMs: 1000 });
  t.teardown(async () => {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const args = ['--master', `127.0.0.1:${sim.port}`, '--zk', `zk://${zk.connect}/ferry`, '--zk-session-timeout', '2000'];
  return { zk, sim, dir, args };
}

async function detail(ferry: string): Promise<AppDetail> {
  const r = await api<AppDetail>(ferry, 'GET', '/v1/apps/appender');
  if (r.status !== 200) throw new Error(`GET /v1/apps/appender answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

async function runningTask(ferry: string, not?: string): Promise<AppDetail['tasks'][number]> {
  let found: AppDetail['tasks'][number] | undefined;
  await waitFor(
    async () => {
      const d = await detail(ferry).catch(() => undefined);
      found = d?.tasks.find((x) => x.state === 'TASK_RUNNING' && x.id !== not);
      return found !== undefined;
    },
    20_000,
    () => `no running task of /appender at ${ferry}`,
  );
  return found!;
}

function records(text: string): number[] {
  return text.split('\n').filter((l) => l !== '').map(Number);
}

function assertContiguous(t: Test, values: number[], what: string): void {
  const gaps = values.filter((v, i) => v !== i + 1);
  t.same(gaps, [], `${what}: every record from 1 to ${values.length} is there, in order`);
}

async function leaderOf(instances: FerryProcess[]): Promise<FerryProcess> {
  let leader: FerryProcess | undefined;
  await waitFor(
    async () => {
      for (const f of instances) {
        if (f.child.exitCode !== null || f.child.signalCode !== null) continue;
        const r = await api<{ leader: string; self: boolean }>(f.api, 'GET', '/v1/leader').catch(() => undefined);
        if (r?.status === 200 && r.body.self) {
          leader = f;
          return true;
        }
      }
      return false;
    },
    20_000,
    () => 'no instance leads',
  );
  return leader!;
}

t.test('a crashed task is relaunched on the agent that holds its data, and the data is intact', async (t) => {
  const { sim, args } = await setup(t);
  const ferry = await startFerry(t, args, { port: await freePort() });
  const created = await api(ferry.api, 'POST', '/v1/apps', APPENDER);
  t.equal(created.status, 201, JSON.stringify(created.body));
  const first = await runningTask(ferry.api);
  t.equal(first.dataVia, 'volume');
  const { datasets } = await detail(ferry.api);
  const file = join(datasets[0]!.hostPath, 'records');
  await waitFor(async () => records(await readFile(file, 'utf8').catch(() => '')).length >= 5, 10_000, () => 'no records written');

  await sim.crashTask(first.id);
  const second = await runningTask(ferry.api, first.id);
  t.equal(second.agentId, first.agentId, 'relaunched on the same agent');
  const before = records(await readFile(file, 'utf8')).length;
  await waitFor(async () => records(await readFile(file, 'utf8')).length > before + 3, 10_000, () => 'the relaunched task does not write');
  assertContiguous(t, records(await readFile(file, 'utf8')), 'after the crash');
  t.equal(sim.state().frameworks[0]!.tasks.filter((x) => x.state === 'TASK_RUNNING').length, 1, 'one running task in Mesos');

  // restart Ferry: the task keeps running, is reconciled, and nothing is relaunched
  await ferry.stop();
  const again = await startFerry(t, args, { port: await freePort() });
  await waitFor(async () => (await api<{ self: boolean }>(again.api, 'GET', '/v1/leader')).body.self === true, 20_000, () => 'the restarted Ferry does not lead');
  await waitFor(() => /"msg":"subscribed to the Mesos master"/.test(again.output()), 20_000, () => again.output());
  await new Promise((r) => setTimeout(r, 2000));
  const after = await detail(again.api);
  t.same(after.tasks.map((x) => [x.id, x.state]), [[second.id, 'TASK_RUNNING']], 'the same task, still running');
  t.notMatch(again.output(), /"msg":"launching"/, 'the restarted Ferry launched nothing');
});

t.test('three instances: SIGKILL the leader, a standby leads with the same framework id and no task restarts', async (t) => {
  const { sim, args } = await setup(t);
  const ports = [await freePort(), await freePort(), await freePort()];
  const instances: FerryProcess[] = [];
  for (const port of ports) instances.push(await startFerry(t, args, { port }));
  const leader = await leaderOf(instances);
  const standby = instances.find((f) => f !== leader)!;
  const created = await api(standby.api, 'POST', '/v1/apps', APPENDER);
  t.equal(created.status, 201, 'a standby forwards the write to the leader');
  const task = await runningTask(standby.api);
  const frameworkId = sim.state().frameworks[0]!.id;

  leader.signal('SIGKILL');
  const next = await leaderOf(instances.filter((f) => f !== leader));
  await waitFor(() => /"msg":"subscribed to the Mesos master"/.test(next.output()), 20_000, () => next.output());
  const state = sim.state();
  t.equal(state.frameworks.length, 1, 'one framework');
  t.equal(state.frameworks[0]!.id, frameworkId, 'resubscribed with the same framework id');
  t.equal(state.frameworks[0]!.active, true);
  await new Promise((r) => setTimeout(r, 2000));
  const after = await detail(next.api);
  t.same(after.tasks.map((x) => [x.id, x.state]), [[task.id, 'TASK_RUNNING']], 'the same task, not restarted or duplicated');
  t.equal(sim.state().frameworks[0]!.tasks.length, 1, 'Mesos runs exactly one task');
});

t.test('a leader paused past its ZooKeeper session cannot write or subscribe after it resumes', async (t) => {
  const { sim, args } = await setup(t);
  const instances = [await startFerry(t, args, { port: await freePort() }), await startFerry(t, args, { port: await freePort() })];
  const old = await leaderOf(instances);
  const other = instances.find((f) => f !== old)!;
  t.equal((await api(old.api, 'POST', '/v1/apps', APPENDER)).status, 201);
  const task = await runningTask(old.api);

  old.signal('SIGSTOP');
  const next = await leaderOf([other]);
  t.equal(next, other);
  await waitFor(() => /"msg":"subscribed to the Mesos master"/.test(other.output()), 20_000, () => other.output());
  // the new leader changes durable state while the old one is frozen
  const scaled = await api(other.api, 'POST', '/v1/apps/appender/scale', { instances: 0 });
  t.equal(scaled.status, 200, JSON.stringify(scaled.body));
  await waitFor(async () => (await detail(other.api)).tasks.length === 0, 20_000, () => 'the task was not killed');

  old.signal('SIGCONT');
  await waitFor(() => /no longer leading|deposed|stepped down/.test(old.output()), 20_000, () => old.output());
  await new Promise((r) => setTimeout(r, 3000));
  const app = await api<{ app: { instances: number } }>(other.api, 'GET', '/v1/apps/appender');
  t.equal(app.body.app.instances, 0, 'the newer decision stands');
  const fw = sim.state().frameworks;
  t.equal(fw.length, 1);
  t.equal(fw[0]!.active, true, 'the framework stays with the new leader');
  t.same(fw[0]!.tasks, [], 'the old leader relaunched nothing');
  const subscriptions = old.output().split('\n').filter((l) => l.includes('"msg":"subscribed to the Mesos master"'));
  t.equal(subscriptions.length, 1, 'the old leader never subscribed again after it resumed');
  t.notOk(sim.state().frameworks[0]!.tasks.some((x) => x.id === task.id), 'its task stays killed');
});
