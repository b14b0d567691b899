import t from 'tap';
import { planOfferRound } from '../../src/scheduler/offerRound.js';
import type { Plan } from '../../src/scheduler/plan.js';
import type { TaskInfo } from '../../src/mesos/types.js';
import { World } from '../../src/scheduler/world.js';
import type { StateSnapshot } from '../../src/state/model.js';
import { appRecord, appSpec, claim, config, datasetRecord, ids, offer, specOf, T0, taskIds, taskRecord, world } from '../support/builders.js';

function launches(plan: Plan): Extract<Plan['mesos'][number], { type: 'LAUNCH' }>[] {
  return plan.mesos.filter((a): a is Extract<Plan['mesos'][number], { type: 'LAUNCH' }> => a.type === 'LAUNCH');
}
function declines(plan: Plan): Extract<Plan['mesos'][number], { type: 'DECLINE' }>[] {
  return plan.mesos.filter((a): a is Extract<Plan['mesos'][number], { type: 'DECLINE' }> => a.type === 'DECLINE');
}
function pending(plan: Plan): Map<string, string> {
  return new Map(plan.notes.flatMap((n) => (n.kind === 'pending' ? [[n.instanceKey, n.reason] as [string, string]] : [])));
}
function env(task: TaskInfo): Record<string, string> {
  return Object.fromEntries((task.command?.environment?.variables ?? []).map((v) => [v.name, v.value ?? '']));
}

t.test('a task is never launched on an agent that does not hold its dataset', async (t) => {
  const offers = [offer('B'), offer('C')];
  const w = world({ apps: [appSpec()], datasets: [datasetRecord({ agentId: 'A' })], agents: offers });
  const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  t.same(launches(plan), []);
  t.match(pending(plan).get('/kv#0'), /waiting for an offer from agent A, which holds dataset kv-data/);
  t.same(declines(plan).flatMap((d) => d.offerIds).sort(), offers.map((o) => o.id.value).sort(), 'both offers declined');
});

t.test('an instance whose dataset lives on an agent launches there, with the dataset as a HOST_PATH volume', async (t) => {
  const offers = [offer('B'), offer('A')];
  const w = world({ apps: [appSpec()], datasets: [datasetRecord({ agentId: 'A' })], agents: offers });
  const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  const [launch] = launches(plan);
  t.equal(launch?.agentId, 'A');
  t.equal(launch?.offerId, offers[1]!.id.value);
  const task = launch!.tasks[0]!;
  t.same(task.container?.volumes, [
    { mode: 'RW', container_path: 'data', source: { type: 'HOST_PATH', host_path: { path: '/var/lib/ferry/datasets/kv-data' } } },
  ]);
  t.same(task.labels?.labels?.filter((l) => l.key.startsWith('ferry/')), [
    { key: 'ferry/app', value: '/kv' },
    { key: 'ferry/instance', value: '0' },
    { key: 'ferry/dataset', value: 'kv-data' },
  ]);
  t.equal(task.name, 'kv#0 (kv-data)');
  const written = plan.writes.find((w) => w.kind === 'task');
  t.match(written, { kind: 'task', record: { taskId: task.task_id.value, state: 'TASK_STAGING', agentId: 'A', datasetName: 'kv-data', dataVia: 'volume' } });
  t.notOk(plan.writes.some((w) => w.kind === 'dataset'), 'a dataset already placed and owned is not rewritten');
});

t.test('while any task on a dataset may still be alive, no second task starts', async (t) => {
  for (const state of ['TASK_UNREACHABLE', 'TASK_LOST', 'TASK_UNKNOWN', 'TASK_STAGING'] as const) {
    const offers = [offer('A')];
    const old = taskRecord({ state, killRequested: state === 'TASK_STAGING' });
    const w = world({ apps: [appSpec()], datasets: [datasetRecord()], tasks: [old], agents: offers });
    const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
    t.same(launches(plan), [], `${state}: no launch`);
    t.match(pending(plan).get('/kv#0'), /still held by task kv\.0\.t1/, `${state}: the reason names the holding task`);
  }
});

t.test('a new dataset goes to the least loaded agent and is recorded there', async (t) => {
  const offers = [offer('A', { attributes: { ferry_root: '/srv/a' } }), offer('B', { attributes: { ferry_root: '/srv/b' } })];
  const busy = taskRecord({ appId: '/other', taskId: 'other.0.x', agentId: 'A', datasetName: 'other-data' });
  const w = world({ apps: [appSpec(), appSpec({ id: '/other', dataset: claim({ name: 'other-data' }) })], tasks: [busy], agents: offers, datasets: [datasetRecord({ name: 'other-data', agentId: 'A', owner: { appId: '/other', instance: 0 } })] });
  const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  const [launch] = launches(plan);
  t.equal(launch?.agentId, 'B', 'agent A already runs a Ferry task');
  const ds = plan.writes.find((x) => x.kind === 'dataset');
  t.match(ds, { kind: 'dataset', record: { name: 'kv-data', state: 'PREPARING', agentId: 'B', hostPath: '/srv/b/kv-data', owner: { appId: '/kv', instance: 0 } } });
});

t.test('a new dataset\'s directory is created by a short task first; the app launches once it is READY', async (t) => {
  const offers = [offer('A', { attributes: { ferry_root: '/srv' } })];
  const w = world({ apps: [appSpec()], agents: offers });
  const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  const prepare = launches(plan)[0]!.tasks[0]!;
  t.same(prepare.command, { shell: false, value: '/bin/mkdir', arguments: ['mkdir', '-p', '-m', '0750', '/srv/kv-data'] });
  t.equal(prepare.container, undefined, 'the prepare task itself names no volume');
  t.match(plan.writes, [{ kind: 'task', record: { kind: 'prepare', datasetName: 'kv-data' } }, { kind: 'dataset', record: { state: 'PREPARING' } }]);
  w.applyWrites(plan.writes);
  const waiting = planOfferRound(w, { offers: [offer('A')], now: T0 + 1, config: config(), newTaskId: taskIds(), newId: ids() });
  t.same(launches(waiting), [], 'nothing else runs on the dataset while it is prepared');
  t.match(pending(waiting).get('/kv#0'), /being prepared on agent A/);
});

t.test('an agent is given no more new datasets than their app tasks can run on, in one round or over several', async (t) => {
  const w = world({ apps: [appSpec({ instances: 10, cpus: 0.5 })], agents: [offer('A', { cpus: 2.2 })] });
  const first = planOfferRound(w, { offers: [offer('A', { cpus: 2.2 })], now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  const prepared = first.writes.filter((x) => x.kind === 'dataset');
  t.equal(prepared.length, 4, 'four tasks of 0.5 cpus (and their prepares) fit in 2.2 cpus: four datasets, not ten');
  t.equal(launches(first)[0]!.tasks.length, 4);
  w.applyWrites(first.writes);
  // the prepares still run (0.01 cpus each): the agent offers the rest again
  const second = planOfferRound(w, { offers: [offer('A', { cpus: 2.16 })], now: T0 + 1, config: config(), newTaskId: taskIds(), newId: ids() });
  t.same(launches(second), [], 'what is left is held for the four app tasks that follow their prepares');
  t.match(pending(second).get('/kv#4'), /no offer fits/);
});

t.test('several instances launch from one offer in one call', async (t) => {
  const offers = [offer('A', { cpus: 4 })];
  const datasets = ['kv-data', 'kv-data-1', 'kv-data-2'].map((name, i) => datasetRecord({ name, owner: { appId: '/kv', instance: i } }));
  const w = world({ apps: [appSpec({ instances: 3 })], agents: offers, datasets });
  const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  const l = launches(plan);
  t.equal(l.length, 1);
  t.same(l[0]!.tasks.map((x) => x.name), ['kv#0 (kv-data)', 'kv#1 (kv-data-1)', 'kv#2 (kv-data-2)']);
  t.equal(plan.writes.filter((x) => x.kind === 'task').length, 3);
});

t.test('a pinned instance whose agent offers too little says exactly what is missing', async (t) => {
  const offers = [offer('A', { cpus: 0.5 })];
  const w = world({ apps: [appSpec({ cpus: 1 })], datasets: [datasetRecord()], agents: offers });
  const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  t.equal(pending(plan).get('/kv#0'), 'agent A holds dataset kv-data but offered 0.5 cpus, needs 1');
  t.same(declines(plan), [{ type: 'DECLINE', offerIds: [offers[0]!.id.value], refuseSeconds: 5 }], 'declined briefly: it may fit later');
});

t.test('offers nobody can use are declined with a long filter', async (t) => {
  const offers = [offer('A'), offer('B')];
  const w = world({ apps: [appSpec()], datasets: [datasetRecord({ agentId: 'C' })], agents: offers });
  const plan = planOfferRound(w, { offers, now: T0, config: config({ declineRefuseSeconds: 120 }), newTaskId: taskIds(), newId: ids() });
  t.same(declines(plan), [{ type: 'DECLINE', offerIds: offers.map((o) => o.id.value), refuseSeconds: 120 }]);
});

t.test('dynamic ports come from the offer and reach the task environment', async (t) => {
  const offers = [offer('A', { ports: [[31000, 31001], [31005, 31010]] })];
  const spec = appSpec({
    dataset: undefined,
    ports: [
      { port: 0, name: 'http', protocol: 'tcp', labels: {} },
      { port: 31006, protocol: 'tcp', labels: {} },
      { port: 0, protocol: 'tcp', labels: {} },
    ],
  });
  const w = world({ apps: [spec], agents: offers });
  const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  const task = launches(plan)[0]!.tasks[0]!;
  const e = env(task);
  t.equal(e['PORTS'], '31000,31006,31001');
  t.equal(e['PORT0'], '31000');
  t.equal(e['PORT_HTTP'], '31000');
  const ports = task.resources?.find((r) => r.name === 'ports');
  t.same(ports?.ranges?.range, [{ begin: 31000, end: 31000 }, { begin: 31006, end: 31006 }, { begin: 31001, end: 31001 }]);
});

t.test('a fixed port that is not offered keeps the instance waiting with that reason', async (t) => {
  const offers = [offer('A', { ports: [[31000, 31010]] })];
  const w = world({ apps: [appSpec({ dataset: undefined, ports: [{ port: 8080, protocol: 'tcp', labels: {} }] })], agents: offers });
  const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  t.match(pending(plan).get('/kv#0'), /port 8080 not offered/);
});

t.test('agents that cannot mount volumes get the dataset through the environment', async (t) => {
  const offers = [offer('A', { attributes: { ferry_root: '/srv' } })];
  const w = world({ apps: [appSpec()], agents: offers });
  w.applyNotes([{ kind: 'agentDataVia', agentId: 'A', dataVia: 'env', why: 'test' }]);
  const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  const task = launches(plan)[0]!.tasks[0]!;
  t.equal(task.container, undefined, 'no volume is asked of this agent');
  t.equal(task.command?.shell, false);
  t.equal(task.command?.value, '/bin/sh');
  t.same(task.command?.arguments?.slice(3), ['ferry-link', '/bin/sh', '-c', 'sleep 1000']);
  t.match(env(task), { FERRY_DATASET_PATH: '/srv/kv-data', FERRY_CONTAINER_PATH: 'data', FERRY_DATA_VIA: 'env' });
  t.match(plan.writes.find((x) => x.kind === 'task'), { record: { dataVia: 'env' } });
});

t.test('UNIQUE hostname spreads instances over agents within one round', async (t) => {
  const offers = [offer('A', { hostname: 'h1' }), offer('B', { hostname: 'h2' })];
  const spec = appSpec({ instances: 3, constraints: [{ field: 'hostname', operator: 'UNIQUE' }] });
  const w = world({ apps: [spec], agents: offers });
  const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  const placed = launches(plan).flatMap((l) => l.tasks.map((x) => x.agent_id.value)).sort();
  t.same(placed, ['A', 'B']);
  t.match(pending(plan).get('/kv#2'), /UNIQUE/);
});

t.test('an instance in relaunch backoff waits, and says until when', async (t) => {
  const offers = [offer('A')];
  const w = world({ apps: [appSpec()], datasets: [datasetRecord()], agents: offers });
  w.applyNotes([{ kind: 'backoff', instanceKey: '/kv#0', failures: 3, notBefore: T0 + 10_000 }]);
  const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  t.same(launches(plan), []);
  t.equal(pending(plan).get('/kv#0'), 'relaunch delayed 10 s after 3 failures');
  const later = planOfferRound(w, { offers: [offer('A')], now: T0 + 10_000, config: config(), newTaskId: taskIds(), newId: ids() });
  t.equal(launches(later).length, 1, 'launched once the delay has passed');
});

t.test('resources the task takes carry the offer\'s role and allocation info', async (t) => {
  const offers = [offer('A')];
  const w = world({ apps: [appSpec({ cpus: 0.5, mem: 64, disk: 10 })], agents: offers, datasets: [datasetRecord()] });
  const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  const task = launches(plan)[0]!.tasks[0]!;
  t.same(task.resources, [
    { name: 'cpus', type: 'SCALAR', role: '*', allocation_info: { role: '*' }, scalar: { value: 0.5 } },
    { name: 'mem', type: 'SCALAR', role: '*', allocation_info: { role: '*' }, scalar: { value: 64 } },
    { name: 'disk', type: 'SCALAR', role: '*', allocation_info: { role: '*' }, scalar: { value: 10 } },
  ]);
});

t.test('a dataset a new leader finds being prepared keeps its app task\'s share of the agent back', async (t) => {
  const spec = appSpec({ instances: 2, cpus: 1 });
  const preparing = datasetRecord({ state: 'PREPARING', agentId: 'A' });
  const prepare = taskRecord({ taskId: 'kv.0.prepare', kind: 'prepare', state: 'TASK_RUNNING' });
  const snapshot: StateSnapshot = {
    framework: undefined,
    apps: new Map([[spec.id, appRecord(spec)]]),
    datasets: new Map([[preparing.name, preparing]]),
    tasks: new Map([[prepare.taskId, prepare]]),
    moves: new Map(),
  };
  const w = World.fromSnapshot(snapshot, specOf);
  const offers = [offer('A', { cpus: 1.5 })];
  for (const o of offers) w.observeOffer(o, T0);
  const plan = planOfferRound(w, { offers, now: T0, config: config(), newTaskId: taskIds(), newId: ids() });
  t.same(launches(plan), [], 'the second instance does not take the cpu the first one\'s task will need');
  t.match(pending(plan).get('/kv#1'), /no offer fits/);
});
