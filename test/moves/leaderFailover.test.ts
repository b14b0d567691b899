// Kill the leader at each step of a move: Ferry processes on a real ZooKeeper
// and the simulator; the leader is SIGKILLed the moment the move reaches a
// given step; the next leader resumes the move from its recorded step. Every
// move must end SUCCEEDED with every acknowledged record present, and Mesos
// must never run two tasks of the app at once.

import t, { type Test } from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator } from '../../src/sim/simulator.js';
import { api, freePort, startFerry, waitFor, type FerryProcess } from '../support/ferryProcess.js';
import { startZooKeeper } from '../support/zookeeper.js';
import { simAgentResources } from '../support/ferryInProcess.js';

interface MoveView {
  id: string;
  state: string;
  step: string;
  to: string;
  steps: { step: string }[];
  error?: string;
}

function app(witness: string) {
  return {
    id: '/steady',
    // a large file makes the pre-copy take a while; SIGTERM is answered after a second of extra writes
    cmd: [
      'test -f data/big || dd if=/dev/urandom of=data/big bs=1M count=200 status=none',
      'n=$(wc -l < data/records 2>/dev/null || echo 0)',
      "trap 'dd if=/dev/urandom of=data/tail bs=1M count=20 status=none; sync; exit 0' TERM",
      'while true; do n=$((n+1)); echo $n >> data/records && sync data/records && echo $n >> "$WITNESS"; sleep 0.05; done',
    ].join('; '),
    cpus: 0.1,
    mem: 64,
    portDefinitions: [],
    taskKillGracePeriodSeconds: 10,
    env: { WITNESS: witness },
    healthChecks: [{ protocol: 'COMMAND', command: { value: 'test -s data/records' }, delaySeconds: 1, intervalSeconds: 1, gracePeriodSeconds: 5, timeoutSeconds: 2, maxConsecutiveFailures: 3 }],
    container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', external: { name: 'steady-data', size: 1, provider: 'ferry' } }] },
  };
}

async function leaderOf(instances: FerryProcess[]): Promise<FerryProcess> {
  let leader: FerryProcess | undefined;
  await waitFor(
    async () => {
      for (const f of instances) {
        if (f.child.exitCode !== null || f.child.signalCode !== null) continue;
        const r = await api<{ self: boolean }>(f.api, 'GET', '/v1/leader').catch(() => undefined);
        if (r?.status === 200 && r.body.self) {
          leader = f;
          return true;
        }
      }
      return false;
    },
    30_000,
    () => 'no instance leads',
  );
  return leader!;
}

function alive(instances: FerryProcess[]): FerryProcess[] {
  return instances.filter((f) => f.child.exitCode === null && f.child.signalCode === null);
}

function numbers(text: string): number[] {
  return text.split('\n').filter((l) => l !== '').map(Number);
}

t.test('a move survives the leader being killed at each of its steps', { timeout: 600_000 }, async (t: Test) => {
  const zk = await startZooKeeper(t);
  const dir = await mkdtemp(join(tmpdir(), 'ferry-failover-move-'));
  const sim = await Simulator.start({
    workDir: join(dir, 'sim'),
    agents: 3,
    agentHostnames: ['127.0.0.1', '127.0.0.2', '127.0.0.3'],
    agentResources: simAgentResources(),
    allocationIntervalMs: 200,
    heartbeatIntervalSeconds: 1,
    statusUpdateRetryMs: 1000,
  });
  t.teardown(async () => {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const args = ['--master', `127.0.0.1:${sim.port}`, '--zk', `zk://${zk.connect}/ferry`, '--zk-session-timeout', '2000', '--agent-lost-timeout', '3600'];
  const instances: FerryProcess[] = [];
  for (let i = 0; i < 3; i++) instances.push(await startFerry(t, args, { port: await freePort() }));
  const witness = join(dir, 'witness');
  const first = await leaderOf(instances);
  t.equal((await api(first.api, 'POST', '/v1/apps', app(witness))).status, 201);

  const runningTasks = () => sim.state().frameworks.flatMap((f) => f.tasks).filter((x) => x.name.startsWith('steady#') && (x.state === 'TASK_RUNNING' || x.state === 'TASK_STARTING' || x.state === 'TASK_STAGING' || x.state === 'TASK_KILLING'));
  let worstOverlap = 0;
  const sampler = setInterval(() => (worstOverlap = Math.max(worstOverlap, runningTasks().length)), 20);
  t.teardown(() => clearInterval(sampler));

  await waitFor(async () => numbers(await readFile(witness, 'utf8').catch(() => '')).length > 20, 60_000, () => 'the app never wrote');

  const targets = ['RECEIVER', 'PRECOPY', 'STOP_TASK', 'FINAL_COPY', 'LAUNCH', 'CLEANUP'];
  const hit: string[] = [];
  for (const target of targets) {
    const leader = await leaderOf(alive(instances));
    let started = await api<{ moveId: string }>(leader.api, 'POST', '/v1/apps/steady/move', { to: 'any' });
    // a leader that just took over answers 503 until it has heard from the agents
    for (let i = 0; started.status === 503 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      started = await api<{ moveId: string }>(leader.api, 'POST', '/v1/apps/steady/move', { to: 'any' });
    }
    t.equal(started.status, 202, `${target}: move started ${JSON.stringify(started.body)}`);
    const id = started.body.moveId;
    // watch the move on the leader itself (a standby's view lags by up to a second) and kill it when the move reaches the target step
    const watcher = leader;
    let killedAt: string | undefined;
    await waitFor(
      async () => {
        const m = (await api<{ move: MoveView }>(watcher.api, 'GET', `/v1/moves/${id}`).catch(() => undefined))?.body.move;
        if (m === undefined) return false;
        if (m.step === target || m.state !== 'RUNNING') {
          killedAt = m.state === 'RUNNING' ? m.step : `after end (${m.state})`;
          leader.signal('SIGKILL');
          return true;
        }
        return false;
      },
      120_000,
      () => `move ${id} never reached ${target}`,
      15,
    );
    if (killedAt === target) hit.push(target);
    instances.push(await startFerry(t, args, { port: await freePort() }));
    const next = await leaderOf(alive(instances));
    let end: MoveView | undefined;
    await waitFor(
      async () => {
        end = (await api<{ move: MoveView }>(next.api, 'GET', `/v1/moves/${id}`).catch(() => undefined))?.body.move;
        return end !== undefined && end.state !== 'RUNNING';
      },
      120_000,
      () => `move ${id} did not end: ${JSON.stringify(end)}`,
    );
    t.equal(end!.state, 'SUCCEEDED', `leader killed at ${killedAt}: the move still succeeded ${end!.error ?? ''}`);
    await waitFor(async () => runningTasks().some((x) => x.state === 'TASK_RUNNING'), 60_000, () => 'the app is not running after the move');
  }
  clearInterval(sampler);
  t.comment(`leader killed during steps: ${hit.join(', ')} (of ${targets.join(', ')})`);
  t.ok(hit.length >= 4, `the leader died inside at least four different steps (${hit.join(', ')})`);
  t.equal(worstOverlap, 1, 'Mesos never ran two tasks of the app at once');

  const detail = (await api<{ datasets: { hostPath: string }[] }>((await leaderOf(alive(instances))).api, 'GET', '/v1/apps/steady')).body;
  const kept = numbers(await readFile(join(detail.datasets[0]!.hostPath, 'records'), 'utf8'));
  const acked = numbers(await readFile(witness, 'utf8'));
  t.same(kept.filter((n, i) => n !== i + 1), [], 'records 1, 2, 3, ... with no gap and nothing twice');
  t.ok(kept.length >= acked.length, `all ${acked.length} acknowledged records survived ${targets.length} moves`);
});
