// Block moves on real loop devices: a loopback volume is created, attached and
// mounted where its app first runs, moved by unmount → detach → attach →
// mount, and fenced by force when its agent dies. Root only (losetup, mount).

import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createControlPlane } from '../../src/backends/controlPlanes.js';
import type { ControlPlane } from '../../src/backends/backend.js';
import type { BackendName } from '../../src/state/model.js';
import { waitFor } from '../support/ferryProcess.js';
import { startInProcessFerry, type InProcessFerry } from '../support/ferryInProcess.js';

interface Detail {
  tasks: { id: string; agentId: string; state: string }[];
  datasets: { name: string; agentId: string; hostPath: string; state: string; reason?: string }[];
  pending: { reason: string }[];
}
interface MoveView {
  id: string;
  state: string;
  step: string;
  trigger: string;
  from: string;
  to: string;
  forced?: boolean;
  steps: { step: string; detail?: string }[];
  error?: string;
}

function appender(id: string, witness: string) {
  return {
    id,
    cmd: 'n=$(wc -l < data/records 2>/dev/null || echo 0); while true; do n=$((n+1)); echo $n >> data/records && sync data/records && echo $n >> "$WITNESS"; sleep 0.05; done',
    cpus: 0.1,
    mem: 32,
    portDefinitions: [],
    env: { WITNESS: witness },
    container: {
      type: 'MESOS',
      volumes: [{ containerPath: 'data', mode: 'RW', external: { name: `${id.slice(1)}-data`, size: 1, provider: 'ferry', options: { 'ferry/backend': 'loopback' } } }],
    },
  };
}

async function startLoopbackFerry(t: Tap, extra: Parameters<typeof startInProcessFerry>[1] = {}): Promise<InProcessFerry> {
  const probe = await startInProcessFerryDir();
  const store = join(probe, 'images');
  await mkdir(store, { recursive: true });
  const planes = new Map<BackendName, ControlPlane>([['loopback', createControlPlane('ferry-test', { backend: 'loopback', store, fenceOnThisMachine: true })]]);
  const ferry = await startInProcessFerry(t, {
    ...extra,
    sim: { agents: 3, agentAttributes: [0, 1, 2].map((k) => `ferry_mount_root:${probe}/mounts/agent-${k}`), ...extra.sim },
    config: { loopbackStore: store, moveOpRetrySeconds: 5, ...extra.config },
    controlPlanes: planes,
  });
  t.teardown(() => releaseLoopDevices(store));
  return ferry;
}

type Tap = Test;

let dirs = 0;
async function startInProcessFerryDir(): Promise<string> {
  const dir = join('/tmp', `ferry-block-${process.pid}-${++dirs}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Whatever a failed test left: unmount and detach every loop device of the store's images. */
function releaseLoopDevices(store: string): void {
  const out = execFileSync('losetup', ['-a'], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    if (!line.includes(store)) continue;
    const dev = line.split(':')[0]!;
    try {
      execFileSync('umount', ['-l', dev]);
    } catch {
      // not mounted
    }
    try {
      execFileSync('losetup', ['-d', dev]);
    } catch {
      // already gone
    }
  }
}

async function detail(ferry: InProcessFerry, id: string): Promise<Detail> {
  return (await ferry.call<Detail>('GET', `/v1/apps${id}`)).body;
}

async function runningOn(ferry: InProcessFerry, id: string, notOn?: string): Promise<Detail> {
  let d: Detail | undefined;
  await waitFor(
    async () => {
      d = await detail(ferry, id);
      return d.tasks.some((x) => x.state === 'TASK_RUNNING' && x.agentId !== notOn);
    },
    45_000,
    () => JSON.stringify(d),
  );
  return d!;
}

async function moveEnds(find: () => Promise<MoveView | undefined>): Promise<MoveView> {
  let m: MoveView | undefined;
  await waitFor(
    async () => {
      m = await find();
      return m !== undefined && m.state !== 'RUNNING';
    },
    90_000,
    () => JSON.stringify(m),
  );
  return m!;
}

function numbers(text: string): number[] {
  return text.split('\n').filter((l) => l !== '').map(Number);
}

async function assertAllAcknowledgedPresent(t: Tap, hostPath: string, witness: string): Promise<void> {
  const acked = numbers(await readFile(witness, 'utf8'));
  const kept = numbers(await readFile(join(hostPath, 'records'), 'utf8'));
  t.same(kept.filter((n, i) => n !== i + 1), [], 'records are 1, 2, 3, ... with no gap and nothing twice');
  t.ok(kept.length >= acked.length, `all ${acked.length} acknowledged records are in the dataset (${kept.length} there)`);
}

t.test('a loopback volume is created where its app first runs, then moved by detach and attach', async (t) => {
  const ferry = await startLoopbackFerry(t);
  const witness = join(ferry.dir, 'witness-block');
  t.equal((await ferry.call('POST', '/v1/apps', appender('/blocky', witness))).status, 201);
  const first = await runningOn(ferry, '/blocky');
  const source = first.tasks.find((x) => x.state === 'TASK_RUNNING')!.agentId;
  t.match(first.datasets[0], { state: 'READY', agentId: source, hostPath: /mounts\/agent-\d\/blocky-data$/ });
  t.match(execFileSync('findmnt', ['-n', '-o', 'SOURCE', first.datasets[0]!.hostPath], { encoding: 'utf8' }), /\/dev\/loop\d+/, 'the dataset is a mounted loop device');
  await waitFor(async () => numbers(await readFile(witness, 'utf8').catch(() => '')).length > 20, 10_000, () => 'nothing written');

  const started = await ferry.call<{ moveId: string }>('POST', '/v1/apps/blocky/move', { to: 'any' });
  t.equal(started.status, 202, JSON.stringify(started.body));
  const move = await moveEnds(async () => (await ferry.call<{ move: MoveView }>('GET', `/v1/moves/${started.body.moveId}`)).body.move);
  t.equal(move.state, 'SUCCEEDED', JSON.stringify(move));
  t.same(move.steps.map((s) => s.step), ['STOP_TASK', 'UNMOUNT', 'DETACH', 'ATTACH', 'MOUNT', 'SWITCH', 'LAUNCH', 'DONE']);
  const after = await runningOn(ferry, '/blocky', source);
  t.equal(after.datasets[0]!.agentId, move.to);
  await assertAllAcknowledgedPresent(t, after.datasets[0]!.hostPath, witness);
  t.throws(() => execFileSync('findmnt', ['-n', first.datasets[0]!.hostPath], { stdio: 'pipe' }), 'no longer mounted on the source');
});

t.test('when the agent of a loopback dataset dies, its volume is fenced by force and the app relaunched elsewhere with its data', async (t) => {
  const ferry = await startLoopbackFerry(t, { config: { agentLostTimeoutSeconds: 2 }, sim: { agentPingTimeoutMs: 300, maxAgentPingTimeouts: 3 } });
  const witness = join(ferry.dir, 'witness-lost');
  t.equal((await ferry.call('POST', '/v1/apps', appender('/lost', witness))).status, 201);
  const first = await runningOn(ferry, '/lost');
  const source = first.tasks.find((x) => x.state === 'TASK_RUNNING')!.agentId;
  await waitFor(async () => numbers(await readFile(witness, 'utf8').catch(() => '')).length > 20, 10_000, () => 'nothing written');

  await ferry.sim.stopAgent(source);
  const after = await runningOn(ferry, '/lost', source);
  t.not(after.datasets[0]!.agentId, source);
  const moves = (await ferry.call<{ moves: MoveView[] }>('GET', '/v1/moves')).body.moves;
  const forced = moves.find((m) => m.trigger === 'agent-lost');
  t.match(forced, { state: 'SUCCEEDED', forced: true, from: source }, 'an agent-lost move fenced the volume');
  t.equal(forced?.steps[0]?.step, 'FENCE');
  await assertAllAcknowledgedPresent(t, after.datasets[0]!.hostPath, witness);
});

t.test('a local dataset whose agent is lost is marked unavailable, never recreated empty, and comes back with its agent', async (t) => {
  const ferry = await startInProcessFerry(t, { config: { agentLostTimeoutSeconds: 1 }, sim: { agentPingTimeoutMs: 300, maxAgentPingTimeouts: 3 } });
  const app = { ...appender('/stuck', join(ferry.dir, 'witness-stuck')), container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', external: { name: 'stuck-data', size: 1, provider: 'ferry' } }] } };
  t.equal((await ferry.call('POST', '/v1/apps', app)).status, 201);
  const first = await runningOn(ferry, '/stuck');
  const source = first.tasks.find((x) => x.state === 'TASK_RUNNING')!.agentId;
  await ferry.sim.partitionAgent(source);
  await waitFor(async () => (await detail(ferry, '/stuck')).datasets[0]!.state === 'UNAVAILABLE', 20_000, () => 'not marked unavailable');
  const d = await detail(ferry, '/stuck');
  t.match(d.datasets[0]!.reason, /out of reach/);
  t.same(d.tasks.filter((x) => x.agentId !== source), [], 'no task was started anywhere else');
  await ferry.sim.healAgent(source);
  await waitFor(async () => (await detail(ferry, '/stuck')).datasets[0]!.state === 'READY', 20_000, () => 'not READY again');
  t.equal((await detail(ferry, '/stuck')).tasks.find((x) => x.state === 'TASK_RUNNING')?.agentId, source, 'the same task runs on, where its data is');
});
