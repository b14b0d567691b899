import t from 'tap';
import { allSituations, pendingSituations } from '../../src/scheduler/instanceSituation.js';
import { World } from '../../src/scheduler/world.js';
import type { StateSnapshot } from '../../src/state/model.js';
import { appRecord, appSpec, claim, datasetRecord, specOf, T0, taskRecord, world } from '../support/builders.js';

/** What pendingSituations must say: every instance allSituations reports as not running, in the same order. */
function expectedPending(w: World, now: number): string[] {
  return allSituations(w, now)
    .filter((s) => s.situation.kind !== 'running')
    .map((s) => `${s.key} ${s.situation.kind}`);
}

function pendingKeys(w: World, now: number): string[] {
  return pendingSituations(w, now).map((s) => `${s.key} ${s.situation.kind}`);
}

function spec(i: number, instances = 1): ReturnType<typeof appSpec> {
  return appSpec({ id: `/app-${String(i).padStart(2, '0')}`, instances, dataset: claim({ name: `data-${i}` }) });
}

function running(i: number, instance = 0, extra: Parameters<typeof taskRecord>[0] = {}): ReturnType<typeof taskRecord> {
  return taskRecord({ taskId: `app-${i}.${instance}.t1`, appId: `/app-${String(i).padStart(2, '0')}`, instance, datasetName: `data-${i}-${instance}`, ...extra });
}

t.test('with every app running, no instance is pending, and one that stops running is found', async (t) => {
  const specs = Array.from({ length: 20 }, (_, i) => spec(i));
  const w = world({ apps: specs, tasks: specs.map((_, i) => running(i)) });
  t.same(pendingKeys(w, T0), []);
  t.same(w.unsettledApps.size, 0, 'no app is left to look at');
  w.applyWrites([{ kind: 'deleteTask', taskId: 'app-7.0.t1' }]);
  t.same(pendingKeys(w, T0), ['/app-07#0 needsLaunch']);
  t.same(pendingKeys(w, T0), expectedPending(w, T0));
});

t.test('pending instances come in app id and instance order, as the full walk gives them', async (t) => {
  const specs = [spec(3, 2), spec(1, 3), spec(2)];
  const w = world({ apps: specs, tasks: [running(1, 1), running(3, 0)] });
  t.same(pendingKeys(w, T0), ['/app-01#0 needsLaunch', '/app-01#2 needsLaunch', '/app-02#0 needsLaunch', '/app-03#1 needsLaunch']);
  t.same(pendingKeys(w, T0), expectedPending(w, T0));
});

t.test('an instance in relaunch backoff is pending until its delay runs out, then needs a launch', async (t) => {
  const w = world({ apps: [spec(1)] });
  w.applyNotes([{ kind: 'backoff', instanceKey: '/app-01#0', failures: 1, notBefore: T0 + 5000 }]);
  t.same(pendingKeys(w, T0), ['/app-01#0 backoff']);
  t.same(pendingKeys(w, T0 + 5000), ['/app-01#0 needsLaunch'], 'worked out again once the delay ran out, with nothing written');
});

t.test('a world loaded from a snapshot knows which instances are pending before anything is written', async (t) => {
  const specs = [spec(1), spec(2)];
  const snapshot: StateSnapshot = {
    framework: undefined,
    apps: new Map(specs.map((s) => [s.id, appRecord(s)])),
    datasets: new Map([['data-1-0', datasetRecord({ name: 'data-1-0', owner: { appId: '/app-01', instance: 0 } })]]),
    tasks: new Map([[running(1).taskId, running(1)]]),
    moves: new Map(),
  };
  const w = World.fromSnapshot(snapshot, specOf);
  t.same(pendingKeys(w, T0), ['/app-02#0 needsLaunch'], 'the app without tasks is pending');
});

t.test('after any sequence of changes the pending instances are those the full walk finds', async (t) => {
  let seed = 42;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return Math.floor((seed / 2 ** 32) * n);
  };
  const w = world({ apps: Array.from({ length: 12 }, (_, i) => spec(i, 1 + (i % 3))) });
  let now = T0;
  let n = 0;
  for (let step = 0; step < 400; step++) {
    const i = random(14);
    const id = `/app-${String(i).padStart(2, '0')}`;
    const instance = random(3);
    switch (random(6)) {
      case 0:
        w.applyWrites([{ kind: 'task', record: running(i, instance, { taskId: `${id}.${instance}.t${++n}`, appId: id }) }]);
        break;
      case 1: {
        const task = [...w.tasks.values()][random(Math.max(1, w.tasks.size))];
        if (task !== undefined) w.applyWrites([{ kind: 'deleteTask', taskId: task.taskId }]);
        break;
      }
      case 2:
        w.applyNotes([{ kind: 'backoff', instanceKey: `${id}#${instance}`, failures: 1, notBefore: now + random(4000) }]);
        break;
      case 3:
        if (i < 12) w.applyWrites([{ kind: 'app', record: appRecord(spec(i, 1 + random(3))) }]);
        else w.applyWrites([{ kind: 'deleteApp', id }]);
        break;
      case 4:
        w.applyWrites([{ kind: 'deleteApp', id }]);
        break;
      default:
        now += random(3000);
    }
    // the offer round asks first (as it does in a batch), then the full walk checks it
    const pending = pendingKeys(w, now);
    t.same(pending, expectedPending(w, now), `step ${step}`);
  }
});
