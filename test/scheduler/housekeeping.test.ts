import t from 'tap';
import { planKills } from '../../src/scheduler/killDecisions.js';
import { OfferInterest } from '../../src/scheduler/offerInterest.js';
import { Reconciler } from '../../src/scheduler/reconciler.js';
import { appSpec, config, datasetRecord, T0, taskRecord, world } from '../support/builders.js';

t.test('scaling down kills the instances above the new count, marked durably first', async (t) => {
  const tasks = [0, 1, 2].map((i) => taskRecord({ taskId: `kv.${i}`, instance: i, datasetName: i === 0 ? 'kv-data' : `kv-data-${i}` }));
  const w = world({ apps: [appSpec({ instances: 1 })], tasks });
  const plan = planKills(w, T0, config());
  t.same(plan.writes.map((x) => (x.kind === 'task' ? [x.record.taskId, x.record.killRequested] : [])), [['kv.1', true], ['kv.2', true]]);
  t.same(plan.mesos, [
    { type: 'KILL', taskId: 'kv.1', agentId: 'A' },
    { type: 'KILL', taskId: 'kv.2', agentId: 'A' },
  ]);
});

t.test('tasks of a deleted app are killed', async (t) => {
  const w = world({ tasks: [taskRecord()] });
  t.same(planKills(w, T0, config()).mesos, [{ type: 'KILL', taskId: 'kv.0.t1', agentId: 'A' }]);
});

t.test('an unanswered kill is repeated after the retry interval, not before', async (t) => {
  const w = world({ apps: [appSpec()], tasks: [taskRecord({ killRequested: true })] });
  w.applyNotes([{ kind: 'killSent', taskId: 'kv.0.t1', at: T0 }]);
  t.same(planKills(w, T0 + 29_000, config({ killRetrySeconds: 30 })).mesos, []);
  t.same(planKills(w, T0 + 30_000, config({ killRetrySeconds: 30 })).mesos, [{ type: 'KILL', taskId: 'kv.0.t1', agentId: 'A' }]);
});

t.test('of two running tasks of a stateless instance, the older is killed', async (t) => {
  const older = taskRecord({ taskId: 'old', datasetName: undefined, launchedAt: new Date(T0 - 10_000).toISOString() });
  const newer = taskRecord({ taskId: 'new', datasetName: undefined, launchedAt: new Date(T0 - 1_000).toISOString() });
  const w = world({ apps: [appSpec({ dataset: undefined })], tasks: [older, newer] });
  t.same(planKills(w, T0, config()).mesos, [{ type: 'KILL', taskId: 'old', agentId: 'A' }]);
});

t.test('reconciliation asks about every live task, then again with growing intervals until answered', async (t) => {
  const w = world({ apps: [appSpec()], tasks: [taskRecord({ taskId: 'a' }), taskRecord({ taskId: 'b', agentId: 'B', state: 'TASK_UNREACHABLE' })] });
  const r = new Reconciler(config({ reconcileInitialSeconds: 5, reconcileMaxSeconds: 15, implicitReconcileSeconds: 600 }));
  t.same(r.subscribed(w, T0), [{ type: 'RECONCILE', tasks: [{ taskId: 'a', agentId: 'A' }, { taskId: 'b', agentId: 'B' }] }]);
  r.answered('a', 'TASK_RUNNING');
  r.answered('b', 'TASK_UNKNOWN');
  t.same(r.tick(T0 + 4_000), [], 'not yet');
  t.same(r.tick(T0 + 5_000), [{ type: 'RECONCILE', tasks: [{ taskId: 'b', agentId: 'B' }] }], 'TASK_UNKNOWN is no answer');
  t.same(r.tick(T0 + 14_000), [], 'the interval doubled');
  t.same(r.tick(T0 + 15_000), [{ type: 'RECONCILE', tasks: [{ taskId: 'b', agentId: 'B' }] }]);
  r.answered('b', 'TASK_UNREACHABLE');
  t.equal(r.outstanding, 0);
  t.same(r.tick(T0 + 600_000), [{ type: 'RECONCILE', tasks: [] }], 'implicit reconciliation on its schedule');
});

t.test('a launch Mesos never mentions is reconciled', async (t) => {
  const r = new Reconciler(config({ reconcileInitialSeconds: 5 }));
  r.subscribed(world({}), T0);
  r.launched('x', 'A', T0);
  t.same(r.tick(T0 + 9_000), []);
  t.same(r.tick(T0 + 10_000), [{ type: 'RECONCILE', tasks: [{ taskId: 'x', agentId: 'A' }] }]);
  const r2 = new Reconciler(config({ reconcileInitialSeconds: 5 }));
  r2.subscribed(world({}), T0);
  r2.launched('y', 'A', T0);
  r2.answered('y', 'TASK_STARTING');
  t.same(r2.tick(T0 + 10_000), [], 'an answered launch needs no question');
});

t.test('offers are suppressed when nothing waits and revived when something does', async (t) => {
  const interest = new OfferInterest(config({ reviveMinIntervalSeconds: 1 }));
  const idle = world({ apps: [appSpec()], datasets: [datasetRecord()], tasks: [taskRecord()] });
  t.same(interest.decide(idle, T0), [{ type: 'SUPPRESS' }]);
  t.same(interest.decide(idle, T0 + 1), [], 'suppressed once');
  const busy = world({ apps: [appSpec(), appSpec({ id: '/new', dataset: undefined })], datasets: [datasetRecord()], tasks: [taskRecord()] });
  t.same(interest.decide(busy, T0 + 2), [{ type: 'REVIVE' }]);
  t.same(interest.decide(busy, T0 + 3), [], 'the same waiting instance does not revive again');
  const busier = world({ apps: [appSpec({ instances: 2 }), appSpec({ id: '/new', dataset: undefined })], tasks: [taskRecord()] });
  t.equal(interest.owedReviveAt(), undefined, 'nothing owed while every waiting instance has had its revive');
  t.same(interest.decide(busier, T0 + 500), [], 'rate-limited');
  t.equal(interest.owedReviveAt(), T0 + 1002, 'the held-back revive is due when the minimum interval ends');
  t.same(interest.decide(busier, T0 + 1002), [{ type: 'REVIVE' }], 'then revived');
  t.equal(interest.owedReviveAt(), undefined, 'and no longer owed');
});

t.test('a new configuration replaces tasks one at a time, never more than the strategy lets go', async (t) => {
  const spec = appSpec({ instances: 3 });
  const tasks = [0, 1, 2].map((i) => taskRecord({ taskId: `kv.${i}`, instance: i, datasetName: i === 0 ? 'kv-data' : `kv-data-${i}`, launchedAt: new Date(T0 - (10 - i) * 1000).toISOString() }));
  const w = world({ apps: [spec], tasks });
  const app = w.apps.get('/kv')!;
  w.applyWrites([{ kind: 'app', record: { ...app.record, configVersion: 'v2', version: 'v2' } }]);
  const first = planKills(w, T0, config());
  t.same(first.mesos, [{ type: 'KILL', taskId: 'kv.2', agentId: 'A' }], 'the youngest first, only one');
  w.applyWrites(first.writes);
  w.applyNotes(first.notes);
  t.same(planKills(w, T0 + 1, config()).mesos, [], 'no second kill while one instance is down');
  w.applyWrites([{ kind: 'deleteTask', taskId: 'kv.2' }, { kind: 'task', record: taskRecord({ taskId: 'kv.2b', instance: 2, datasetName: 'kv-data-2', configVersion: 'v2' }) }]);
  t.same(planKills(w, T0 + 2, config()).mesos, [{ type: 'KILL', taskId: 'kv.1', agentId: 'A' }], 'the next once the replacement serves');
});

t.test('a lower minimum health capacity lets more go at once', async (t) => {
  const spec = appSpec({ instances: 4, upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 } });
  const tasks = [0, 1, 2, 3].map((i) => taskRecord({ taskId: `kv.${i}`, instance: i, datasetName: `d${i}` }));
  const w = world({ apps: [spec], tasks });
  const app = w.apps.get('/kv')!;
  w.applyWrites([{ kind: 'app', record: { ...app.record, configVersion: 'v2' } }]);
  t.equal(planKills(w, T0, config()).mesos.length, 2);
});
