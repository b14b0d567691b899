// EBS moves end to end, against a fake EC2 whose volumes are real: each is a
// sparse image, an attached volume a loop device linked under its instance's
// device root. An app's volume is created, attached and mounted where it first
// runs, moved by unmount → detach → attach → mount, fenced by a forced detach
// when its agent dies, and never attached in another availability zone.
// Root only (losetup, mount, fuser).

import t, { type Test } from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { EbsControlPlane } from '../../src/backends/ebs/ebsControlPlane.js';
import type { ControlPlane } from '../../src/backends/backend.js';
import { silentLogger } from '../../src/common/log.js';
import { mountEbsVolume, unmountEbsVolume } from '../../src/node/block/ebsAttachment.js';
import type { BackendName } from '../../src/state/model.js';
import { agentRef } from '../support/backendFixtures.js';
import { FakeEc2 } from '../support/fakeEc2.js';
import { waitFor } from '../support/ferryProcess.js';
import { startInProcessFerry, type InProcessFerry } from '../support/ferryInProcess.js';

interface Detail {
  tasks: { id: string; agentId: string; state: string }[];
  datasets: { name: string; agentId: string; hostPath: string; state: string; zone?: string; reason?: string }[];
}
interface MoveView {
  id: string;
  state: string;
  step: string;
  trigger: string;
  from: string;
  to: string;
  forced?: boolean;
  steps: { step: string; detail?: string; outcome?: string }[];
  error?: string;
}

/** Agents 0 and 1 share a zone; agent 2 is alone in another. */
const INSTANCES = [
  { instanceId: 'i-0a1a1a1a1a1a1a1a1', zone: 'us-east-1a', privateDnsName: 'ip-10-0-0-1.ec2.internal', privateIp: '10.0.0.1', devices: ['/dev/xvda'] },
  { instanceId: 'i-0a2a2a2a2a2a2a2a2', zone: 'us-east-1a', privateDnsName: 'ip-10-0-0-2.ec2.internal', privateIp: '10.0.0.2', devices: ['/dev/xvda'] },
  { instanceId: 'i-0b3b3b3b3b3b3b3b3', zone: 'us-east-1b', privateDnsName: 'ip-10-0-1-3.ec2.internal', privateIp: '10.0.1.3', devices: ['/dev/xvda'] },
];
const ZONE = 'us-east-1a';
const OTHER_ZONE = 'us-east-1b';

interface EbsWorld {
  root: string;
  endpoint: string;
  fake: FakeEc2;
  plane: EbsControlPlane;
  deviceRoot: (instanceId: string) => string;
  /** what the control plane logged, one object per line */
  logged: { level: number; msg: string; volumeId?: string; instanceId?: string }[];
}

/** A temp root, the backed fake EC2 and an EBS control plane on it; everything released in teardown, even after a failure. */
async function startEbs(t: Test, delaysMs = { create: 50, attach: 100, detach: 100, delete: 10 }): Promise<EbsWorld> {
  const root = await mkdtemp('/tmp/ferry-ebs-');
  // teardowns run newest first: Ferry and its tasks stop, then the fake releases its devices, then the directory goes
  t.teardown(() => rm(root, { recursive: true, force: true }).catch((err: Error) => t.comment(`leaving ${root}: ${err.message}`)));
  const imageDir = join(root, 'images');
  await mkdir(imageDir, { recursive: true });
  const deviceRoot = (instanceId: string): string => join(root, 'devices', instanceId);
  const fake = new FakeEc2({ zones: [ZONE, OTHER_ZONE], instances: INSTANCES, delaysMs, backing: { imageDir, deviceRoot } });
  const endpoint = await fake.start();
  t.teardown(() => fake.stop());
  const logged: EbsWorld['logged'] = [];
  const plane = new EbsControlPlane({
    logger: pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as EbsWorld['logged'][number]) }),
    cluster: 'ferry-test',
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' },
    retry: { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 100 },
    wait: { firstPollMs: 20, maxPollMs: 200, deadlineMs: 30_000 },
  });
  t.teardown(() => plane.close());
  return { root, endpoint, fake, plane, deviceRoot, logged };
}

async function startEbsFerry(t: Test, extra: Parameters<typeof startInProcessFerry>[1] = {}): Promise<{ ferry: InProcessFerry; ebs: EbsWorld; zoneOf: (agentId: string) => string }> {
  const ebs = await startEbs(t);
  const attributes = INSTANCES.map(
    (i, k) => `zone:${i.zone};aws_instance_id:${i.instanceId};ferry_device_root:${ebs.deviceRoot(i.instanceId)};ferry_mount_root:${ebs.root}/mounts/agent-${k}`,
  );
  const ferry = await startInProcessFerry(t, {
    ...extra,
    sim: { agents: 3, agentAttributes: attributes, ...extra.sim },
    config: { moveOpRetrySeconds: 5, ...extra.config },
    controlPlanes: new Map<BackendName, ControlPlane>([['ebs', ebs.plane]]),
    api: { backends: ['local', 'ebs'] },
  });
  const zoneOf = (agentId: string): string => {
    const agent = ferry.sim.state().slaves.find((s) => s.id === agentId);
    return String(agent?.attributes['zone'] ?? '');
  };
  return { ferry, ebs, zoneOf };
}

function appender(id: string, dataset: string, witness: string) {
  return {
    id,
    // each record is appended and synced in the dataset before it is acknowledged in the witness file
    cmd: 'n=$(wc -l < data/records 2>/dev/null || echo 0); while true; do n=$((n+1)); echo $n >> data/records && sync data/records && echo $n >> "$WITNESS"; sleep 0.05; done',
    cpus: 0.1,
    mem: 32,
    portDefinitions: [],
    env: { WITNESS: witness },
    container: {
      type: 'MESOS',
      volumes: [{ containerPath: 'data', mode: 'RW', external: { name: dataset, size: 1, provider: 'ferry', options: { 'ferry/backend': 'ebs' } } }],
    },
  };
}

/** The dataset made ahead of time in one zone, then the app that writes to it. */
async function deployInZone(t: Test, ferry: InProcessFerry, id: string, witness: string): Promise<Detail> {
  const dataset = `${id.slice(1)}-data`;
  const created = await ferry.call('POST', '/v1/datasets', { name: dataset, backend: 'ebs', size: 1, zone: ZONE });
  t.equal(created.status, 201, JSON.stringify(created.body));
  const deployed = await ferry.call('POST', '/v1/apps', appender(id, dataset, witness));
  t.equal(deployed.status, 201, JSON.stringify(deployed.body));
  const first = await runningOn(ferry, id);
  await waitFor(async () => numbers(await readFile(witness, 'utf8').catch(() => '')).length > 20, 15_000, () => 'nothing written');
  return first;
}

async function detail(ferry: InProcessFerry, id: string): Promise<Detail> {
  return (await ferry.call<Detail>('GET', `/v1/apps${id}`)).body;
}

async function runningOn(ferry: InProcessFerry, id: string, notOn?: string): Promise<Detail> {
  let d: Detail | undefined;
  await waitFor(
    async () => {
      d = await detail(ferry, id);
      return d.tasks.some((x) => x.state === 'TASK_RUNNING' && x.agentId !== notOn) && d.datasets[0]?.state === 'READY';
    },
    60_000,
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

async function moveApp(ferry: InProcessFerry, id: string, to: string): Promise<MoveView> {
  const started = await ferry.call<{ moveId: string }>('POST', `/v1/apps${id}/move`, { to });
  if (started.status !== 202) throw new Error(`move refused: ${started.status} ${JSON.stringify(started.body)}`);
  return moveEnds(async () => (await ferry.call<{ move: MoveView }>('GET', `/v1/moves/${started.body.moveId}`)).body.move);
}

function numbers(text: string): number[] {
  return text.split('\n').filter((l) => l !== '').map(Number);
}

async function assertAllAcknowledgedPresent(t: Test, hostPath: string, witness: string): Promise<void> {
  const acked = numbers(await readFile(witness, 'utf8'));
  const kept = numbers(await readFile(join(hostPath, 'records'), 'utf8'));
  t.same(kept.filter((n, i) => n !== i + 1), [], 'records are 1, 2, 3, ... with no gap and nothing twice');
  t.same(acked.filter((n) => kept[n - 1] !== n), [], `all ${acked.length} acknowledged records are in the dataset, in order (${kept.length} there)`);
}

function mountSource(path: string): string {
  try {
    return execFileSync('findmnt', ['-n', '-o', 'SOURCE', path], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

const BLOCK_STEPS = ['STOP_TASK', 'UNMOUNT', 'DETACH', 'ATTACH', 'MOUNT', 'SWITCH', 'LAUNCH', 'DONE'];

t.test('the backed fake detaches as EBS does: a mounted device stays busy until unmounted, a forced detach takes it from its users', async (t) => {
  const { fake, plane, root, endpoint, deviceRoot } = await startEbs(t, { create: 10, attach: 30, detach: 30, delete: 5 });
  const log = silentLogger();
  const [a, b] = [INSTANCES[0]!, INSTANCES[1]!];
  const agentA = agentRef('agent-a', { aws_instance_id: a.instanceId, zone: ZONE });
  const agentB = agentRef('agent-b', { aws_instance_id: b.instanceId, zone: ZONE });
  const volume = await plane.create({ dataset: 'probe', sizeMiB: 1024, zone: ZONE });

  const onA = await plane.attach(volume.id, agentA);
  const linkA = join(deviceRoot(a.instanceId), 'xvdf');
  t.equal(onA.device, '/dev/xvdf');
  t.match(await readlink(linkA), /^\/dev\/loop\d+$/, "the device appears under the instance's device root as the name it was attached as");
  const mountA = join(root, 'mnt-a');
  t.match(await mountEbsVolume({ volumeId: volume.id, device: linkA, mountPoint: mountA }, log), { formatted: true });
  await writeFile(join(mountA, 'kept'), 'written on A\n');

  const busy = new EbsControlPlane({ cluster: 'ferry-test', region: 'us-east-1', endpoint, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'x' }, wait: { firstPollMs: 20, maxPollMs: 50, deadlineMs: 400 } });
  t.teardown(() => busy.close());
  await t.rejects(busy.detach(volume.id, agentA), { code: 'UNAVAILABLE' }, 'a normal detach of a mounted device does not complete');
  t.equal(fake.volumes.get(volume.id)?.attachment?.state, 'busy', 'EC2 shows the attachment busy');
  t.equal(mountSource(mountA) !== '', true, 'and the instance keeps its mount');
  await unmountEbsVolume({ volumeId: volume.id, device: linkA }, log);
  t.equal((await plane.detach(volume.id, agentA)).state, 'available', 'once unmounted, the detach completes');
  await t.rejects(readlink(linkA), { code: 'ENOENT' }, 'the device is gone from A');

  await plane.attach(volume.id, agentB);
  const linkB = join(deviceRoot(b.instanceId), 'xvdf');
  const mountB = join(root, 'mnt-b');
  t.match(await mountEbsVolume({ volumeId: volume.id, device: linkB, mountPoint: mountB }, log), { formatted: false });
  t.equal(await readFile(join(mountB, 'kept'), 'utf8'), 'written on A\n', 'the data came with the volume');
  const user = spawn('sleep', ['600'], { cwd: mountB, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => user.once('exit', (_code, signal) => resolve(signal)));
  t.teardown(() => void user.kill('SIGKILL'));
  t.equal((await plane.detach(volume.id, agentB, { force: true })).state, 'available');
  t.equal(await exited, 'SIGKILL', 'the process using the volume on B lost it');
  t.equal(mountSource(mountB), '', 'B no longer has it mounted');
  t.match(fake.fencedUsers, [{ volumeId: volume.id, instanceId: b.instanceId, mountPoints: [mountB] }]);
  t.same(fake.deviceErrors, []);
});

t.test('an EBS dataset is created and mounted where its app first runs, then moved by detach and attach within its zone', async (t) => {
  const { ferry, ebs, zoneOf } = await startEbsFerry(t);
  const witness = join(ferry.dir, 'witness-move');
  const first = await deployInZone(t, ferry, '/ledger', witness);
  const source = first.tasks.find((x) => x.state === 'TASK_RUNNING')!.agentId;
  const dataset = first.datasets[0]!;
  t.equal(zoneOf(source), ZONE, 'first placed in the zone the dataset was made for');
  t.match(dataset, { state: 'READY', agentId: source, zone: ZONE, hostPath: /mounts\/agent-\d\/ledger-data$/ });
  // the API does not show backend ids; the leader's record does
  const record = ferry.service.view!.datasets.get(dataset.name)!;
  t.match(record, { volumeId: /^vol-/, device: '/dev/xvdf' });
  t.match(mountSource(dataset.hostPath), /^\/dev\/loop\d+$/, 'the dataset is the mounted device of its volume');
  const volume = ebs.fake.volumes.get(record.volumeId!)!;
  t.equal(volume.attachment?.state, 'attached');

  const elsewhere = ferry.sim.state().slaves.find((s) => zoneOf(s.id) === OTHER_ZONE)!.id;
  const refused = await ferry.call<{ message: string }>('POST', '/v1/apps/ledger/move', { to: elsewhere });
  t.equal(refused.status, 422, 'a move to an agent in another zone is refused');
  t.match(refused.body.message, new RegExp(`zone ${OTHER_ZONE}.*${ZONE}`));

  const move = await moveApp(ferry, '/ledger', 'any');
  t.equal(move.state, 'SUCCEEDED', JSON.stringify(move));
  t.same(move.steps.map((s) => s.step), BLOCK_STEPS);
  t.equal(zoneOf(move.to), ZONE, 'the destination chosen is in the volume\'s zone');
  const after = await runningOn(ferry, '/ledger', source);
  t.equal(after.datasets[0]!.agentId, move.to);
  await assertAllAcknowledgedPresent(t, after.datasets[0]!.hostPath, witness);
  t.equal(mountSource(dataset.hostPath), '', 'no longer mounted on the source');
  t.match(mountSource(after.datasets[0]!.hostPath), /^\/dev\/loop\d+$/);
  const instanceOfDestination = INSTANCES[Number(/agent-(\d)/.exec(after.datasets[0]!.hostPath)![1])]!.instanceId;
  t.equal(volume.attachment?.instanceId, instanceOfDestination, 'EC2 has the volume attached to the destination instance');
  t.equal(ebs.fake.count('AttachVolume'), 2, 'attached twice: at placement and on the destination');
  t.same(ebs.fake.deviceErrors, []);
});

t.test('when the agent of an EBS dataset dies, its volume is force-detached and the app relaunched in the same zone with its data', async (t) => {
  const { ferry, ebs, zoneOf } = await startEbsFerry(t, { config: { agentLostTimeoutSeconds: 2 }, sim: { agentPingTimeoutMs: 300, maxAgentPingTimeouts: 3 } });
  const witness = join(ferry.dir, 'witness-lost');
  const first = await deployInZone(t, ferry, '/orphan', witness);
  const source = first.tasks.find((x) => x.state === 'TASK_RUNNING')!.agentId;
  const sourceMount = first.datasets[0]!.hostPath;

  await ferry.sim.stopAgent(source);
  const after = await runningOn(ferry, '/orphan', source);
  const moves = (await ferry.call<{ moves: MoveView[] }>('GET', '/v1/moves')).body.moves;
  const forced = moves.find((m) => m.trigger === 'agent-lost');
  t.match(forced, { state: 'SUCCEEDED', forced: true, from: source }, 'an agent-lost move fenced the volume');
  t.same(forced?.steps.map((s) => s.step), ['FENCE', 'ATTACH', 'MOUNT', 'SWITCH', 'LAUNCH', 'DONE']);
  t.match(forced?.steps[0]?.detail, /forcibly released .*\(fenced\)/, 'the forced release is recorded in the move');
  const sourceVolume = ferry.service.view!.datasets.get('orphan-data')!.volumeId!;
  t.ok(
    ebs.logged.some((l) => l.level >= 50 && /FORCED detach/.test(l.msg) && l.volumeId === sourceVolume),
    'and logged as an error by the control plane, with the volume id',
  );
  t.equal(zoneOf(forced!.to), ZONE, 'relaunched in the same zone, never on the agent in the other one');
  t.equal(after.datasets[0]!.agentId, forced!.to);
  const sourceInstance = INSTANCES[Number(/agent-(\d)/.exec(sourceMount)![1])]!.instanceId;
  t.match(ebs.fake.fencedUsers, [{ instanceId: sourceInstance, mountPoints: [sourceMount] }], 'the dead host lost its mount of the volume');
  t.ok(ebs.fake.requests.includes('DetachVolume'));
  await assertAllAcknowledgedPresent(t, after.datasets[0]!.hostPath, witness);
  t.same(ebs.fake.deviceErrors, []);
});

t.test('EC2 throttling during moves is ridden through: there and back again with every third request refused', async (t) => {
  const { ferry, ebs, zoneOf } = await startEbsFerry(t);
  const witness = join(ferry.dir, 'witness-throttled');
  const first = await deployInZone(t, ferry, '/steady', witness);
  const source = first.tasks.find((x) => x.state === 'TASK_RUNNING')!.agentId;
  const before = ebs.fake.throttled;
  ebs.fake.throttleEveryNth = 3;

  const there = await moveApp(ferry, '/steady', 'any');
  t.equal(there.state, 'SUCCEEDED', JSON.stringify(there));
  t.equal(zoneOf(there.to), ZONE);
  await runningOn(ferry, '/steady', source);
  const back = await moveApp(ferry, '/steady', source);
  t.equal(back.state, 'SUCCEEDED', JSON.stringify(back));
  t.same(back.steps.map((s) => s.step), BLOCK_STEPS);
  ebs.fake.throttleEveryNth = undefined;

  t.ok(ebs.fake.throttled - before >= 3, `EC2 refused ${ebs.fake.throttled - before} requests during the moves, and both completed`);
  const after = await runningOn(ferry, '/steady', there.to);
  t.equal(after.datasets[0]!.agentId, source, 'back where it started');
  await assertAllAcknowledgedPresent(t, after.datasets[0]!.hostPath, witness);
  t.same(ebs.fake.deviceErrors, []);
});
