import t from 'tap';
import type { TaskStatus } from '../../src/mesos/types.js';
import { planStatusUpdate, relaunchDelayMs } from '../../src/scheduler/statusUpdates.js';
import { instanceSituation } from '../../src/scheduler/instanceSituation.js';
import { evaluate, PLACEMENT_CHECKS } from '../../src/scheduler/placement/offerEvaluator.js';
import { OfferResources } from '../../src/scheduler/placement/offerResources.js';
import { appSpec, config, datasetRecord, offer, T0, taskRecord, world } from '../support/builders.js';

function status(overrides: Partial<TaskStatus> = {}): TaskStatus {
  return {
    task_id: { value: 'kv.0.t1' },
    state: 'TASK_RUNNING',
    source: 'SOURCE_EXECUTOR',
    agent_id: { value: 'A' },
    uuid: 'OyoRyoDQQdSUYidUxDKEmQ==',
    timestamp: T0 / 1000,
    ...overrides,
  };
}

t.test('an update is recorded in the same plan that acknowledges it, the write first', async (t) => {
  const w = world({ apps: [appSpec()], datasets: [datasetRecord()], tasks: [taskRecord({ state: 'TASK_STARTING' })] });
  const plan = planStatusUpdate(w, status(), T0, config());
  t.match(plan.writes, [{ kind: 'task', record: { taskId: 'kv.0.t1', state: 'TASK_RUNNING', status: { state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' } } }]);
  t.same(plan.mesos.map((m) => m.type), ['ACKNOWLEDGE']);
});

t.test('updates without a uuid (from the master) are never acknowledged', async (t) => {
  const w = world({ apps: [appSpec()], tasks: [taskRecord()] });
  const { uuid: _drop, ...rest } = status({ state: 'TASK_UNREACHABLE', source: 'SOURCE_MASTER', reason: 'REASON_AGENT_REMOVED' });
  const plan = planStatusUpdate(w, rest, T0, config());
  t.same(plan.mesos, []);
  t.match(plan.writes, [{ kind: 'task', record: { state: 'TASK_UNREACHABLE' } }]);
});

t.test('a reconciliation answer that confirms the record writes nothing', async (t) => {
  const w = world({ apps: [appSpec()], tasks: [taskRecord({ status: { state: 'TASK_RUNNING' } })] });
  const { uuid: _drop, ...rest } = status({ source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION', message: 'Reconciliation: Latest task state' });
  t.same(planStatusUpdate(w, rest, T0, config()).writes, []);
});

t.test('UNREACHABLE and LOST keep the dataset bound to the task', async (t) => {
  for (const state of ['TASK_UNREACHABLE', 'TASK_LOST'] as const) {
    const w = world({ apps: [appSpec()], datasets: [datasetRecord()], tasks: [taskRecord()] });
    const plan = planStatusUpdate(w, status({ state, source: 'SOURCE_MASTER' }), T0, config());
    t.notOk(plan.writes.some((x) => x.kind === 'deleteTask'), `${state}: the task is not forgotten`);
    w.applyWrites(plan.writes);
    const s = instanceSituation(w, w.apps.get('/kv')!, 0, T0);
    t.equal(s.kind, 'blocked', `${state}: the instance waits`);
  }
});

t.test('a task that failed on its own is forgotten and its instance relaunched after a backoff', async (t) => {
  const w = world({ apps: [appSpec({ backoffSeconds: 2, backoffFactor: 2 })], datasets: [datasetRecord()], tasks: [taskRecord({ launchedAt: new Date(T0 - 5_000).toISOString() })] });
  w.applyNotes([{ kind: 'backoff', instanceKey: '/kv#0', failures: 2, notBefore: T0 - 1 }]);
  const plan = planStatusUpdate(w, status({ state: 'TASK_FAILED', message: 'Command exited with status 1' }), T0, config());
  t.match(plan.writes, [{ kind: 'deleteTask', taskId: 'kv.0.t1' }]);
  t.match(plan.notes, [{ kind: 'backoff', instanceKey: '/kv#0', failures: 3, notBefore: T0 + 8_000 }]);
  t.same(plan.mesos.map((m) => m.type), ['ACKNOWLEDGE']);
});

t.test('a task that ran long before failing starts its backoff over', async (t) => {
  const w = world({ apps: [appSpec()], tasks: [taskRecord({ launchedAt: new Date(T0 - 3600_000).toISOString() })] });
  w.applyNotes([{ kind: 'backoff', instanceKey: '/kv#0', failures: 7, notBefore: 0 }]);
  const plan = planStatusUpdate(w, status({ state: 'TASK_FAILED' }), T0, config());
  t.match(plan.notes, [{ kind: 'backoff', failures: 1, notBefore: T0 + 1000 }]);
});

t.test('a task killed on request is not a failure', async (t) => {
  const w = world({ apps: [appSpec()], tasks: [taskRecord({ killRequested: true })] });
  const plan = planStatusUpdate(w, status({ state: 'TASK_KILLED' }), T0, config());
  t.same(plan.notes, []);
  t.match(plan.writes, [{ kind: 'deleteTask' }]);
});

t.test('an agent that refuses volumes is learned, and the instance relaunches at once', async (t) => {
  const w = world({ apps: [appSpec()], datasets: [datasetRecord()], tasks: [taskRecord({ dataVia: 'volume' })] });
  const plan = planStatusUpdate(
    w,
    status({ state: 'TASK_FAILED', source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: 'Failed to launch container: Volumes in ContainerInfo is not supported' }),
    T0,
    config(),
  );
  t.match(plan.notes, [{ kind: 'agentDataVia', agentId: 'A', dataVia: 'env' }, { kind: 'backoffReset', instanceKey: '/kv#0' }]);
  const forced = planStatusUpdate(
    w,
    status({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: 'Failed to launch container: Volumes in ContainerInfo is not supported' }),
    T0,
    config({ dataVia: 'volume' }),
  );
  t.notOk(forced.notes.some((n) => n.kind === 'agentDataVia'), 'a forced setting is not overridden');
});

t.test('a live task nobody knows is killed; a dead one only acknowledged', async (t) => {
  const w = world({});
  const live = planStatusUpdate(w, status({ task_id: { value: 'stranger' } }), T0, config());
  t.same(live.mesos.map((m) => m.type), ['KILL', 'ACKNOWLEDGE']);
  const dead = planStatusUpdate(w, status({ task_id: { value: 'stranger' }, state: 'TASK_FINISHED' }), T0, config());
  t.same(dead.mesos.map((m) => m.type), ['ACKNOWLEDGE']);
});

t.test('a task marked for killing that shows up running is killed again', async (t) => {
  const w = world({ apps: [appSpec()], tasks: [taskRecord({ killRequested: true, state: 'TASK_UNREACHABLE' })] });
  const { uuid: _drop, ...rest } = status({ source: 'SOURCE_MASTER', reason: 'REASON_AGENT_REREGISTERED' });
  const plan = planStatusUpdate(w, rest, T0, config());
  t.same(plan.mesos, [{ type: 'KILL', taskId: 'kv.0.t1', agentId: 'A' }]);
});

t.test('relaunch delays grow by the factor and stop at the cap', async (t) => {
  const spec = { backoffSeconds: 1, backoffFactor: 2, maxLaunchDelaySeconds: 5 };
  t.same([1, 2, 3, 4, 5].map((n) => relaunchDelayMs(n, spec)), [1000, 2000, 4000, 5000, 5000]);
});

t.test('the pinning check refuses any agent but the dataset\'s', async (t) => {
  const w = world({ apps: [appSpec()], datasets: [datasetRecord()], agents: [offer('B')] });
  const s = instanceSituation(w, w.apps.get('/kv')!, 0, T0);
  if (s.kind !== 'needsLaunch') throw new Error('expected a launch need');
  const b = offer('B');
  const why = evaluate(s.need, { offer: new OfferResources(b), agent: w.agents.get('B')! }, { peersOf: () => [], load: () => 0 }, PLACEMENT_CHECKS);
  t.equal(why, 'dataset kv-data lives on agent A');
});

t.test('a finished prepare task makes its dataset READY; a failed one leaves it unplaced with the reason', async (t) => {
  const prep = taskRecord({ kind: 'prepare', state: 'TASK_RUNNING', dataVia: undefined });
  const ok = world({ apps: [appSpec()], datasets: [datasetRecord({ state: 'PREPARING' })], tasks: [prep] });
  t.match(planStatusUpdate(ok, status({ state: 'TASK_FINISHED' }), T0, config()).writes, [{ kind: 'deleteTask' }, { kind: 'dataset', record: { state: 'READY', agentId: 'A' } }]);
  const bad = world({ apps: [appSpec()], datasets: [datasetRecord({ state: 'PREPARING' })], tasks: [prep] });
  const plan = planStatusUpdate(bad, status({ state: 'TASK_FAILED', message: 'Command exited with status 1' }), T0, config());
  const ds = plan.writes.find((w) => w.kind === 'dataset');
  t.match(ds, { record: { state: 'NEW', reason: /preparing it on agent A failed: TASK_FAILED Command exited with status 1/ } });
  t.equal((ds as { record: { agentId?: string } }).record.agentId, undefined, 'no longer placed');
  t.match(plan.notes, [{ kind: 'backoff', failures: 1 }]);
});

t.test('a dataset whose directory vanished becomes unavailable instead of being recreated empty', async (t) => {
  const w = world({ apps: [appSpec()], datasets: [datasetRecord()], tasks: [taskRecord({ state: 'TASK_STAGING' })] });
  const plan = planStatusUpdate(
    w,
    status({ state: 'TASK_FAILED', source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: "Failed to launch container: Path '/var/lib/ferry/datasets/kv-data' in HOST_PATH volume does not exist" }),
    T0,
    config(),
  );
  w.applyWrites(plan.writes);
  t.equal(w.datasets.get('kv-data')?.state, 'UNAVAILABLE');
  t.match(instanceSituation(w, w.apps.get('/kv')!, 0, T0), { kind: 'blocked', reason: /unavailable: its directory \/var\/lib\/ferry\/datasets\/kv-data is gone from agent A/ });
});
