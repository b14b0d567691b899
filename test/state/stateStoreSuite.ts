// The behaviour every StateStore must show, as one suite run against each
// store (ZooKeeper, file). A store passes by keeping every record exactly,
// refusing what it cannot read, and refusing writes from a non-leader.

import t from 'tap';
import type { RecordKind, StateSnapshot } from '../../src/state/model.js';
import { CorruptStateError, FencedWriteError, InvalidRecordError, type StateStore } from '../../src/state/stateStore.js';
import { appRecord, datasetRecord, frameworkRecord, moveRecord, taskRecord } from './recordBuilders.js';

export interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface StoreUnderTest {
  /** a store whose process leads and has loaded the state */
  store: StateStore;
  /** a store over the same state in a process that does not lead */
  standby(): Promise<StateStore>;
  /**
   * Stores `text` verbatim where the record kind/id lives, bypassing the
   * envelope (called after the leader has written something). Returns the
   * part of the location a refusal must name.
   */
  plant(kind: RecordKind, id: string, text: string): Promise<string>;
}

export type OpenStore = (t: Teardown) => Promise<StoreUnderTest>;

function counts(s: StateSnapshot): Record<string, number> {
  return { framework: s.framework ? 1 : 0, apps: s.apps.size, datasets: s.datasets.size, tasks: s.tasks.size, moves: s.moves.size };
}

export function stateStoreSuite(name: string, open: OpenStore): void {
  t.test(`${name}: every kind of record reads back exactly as it was put, by the leader and by a standby`, async (t) => {
    const { store, standby } = await open(t);
    const framework = frameworkRecord();
    const app = appRecord({ id: '/prod/db' });
    const dataset = datasetRecord({ metadata: { team: 'storage' }, zone: 'us-east-1a' });
    const task = taskRecord({ killRequested: true });
    const move = moveRecord('move-7', { rounds: [{ round: 1, final: false, bytesSent: 1234, filesChanged: 2, ms: 10 }] });
    await store.put('framework', framework.frameworkId, framework);
    await store.put('app', app.id, app);
    await store.put('dataset', dataset.name, dataset);
    await store.put('task', task.taskId, task);
    await store.put('move', 'move-7', move);

    for (const reader of [store, await standby()]) {
      const s = await reader.load();
      t.same(s.framework, framework);
      t.same(s.apps.get('/prod/db'), app);
      t.same(s.datasets.get('db-data'), dataset);
      t.same(s.tasks.get(task.taskId), task);
      t.same(s.moves.get('move-7'), move);
      t.same(counts(s), { framework: 1, apps: 1, datasets: 1, tasks: 1, moves: 1 });
    }
  });

  t.test(`${name}: ids with slashes, percent signs, dots and non-ASCII stay distinct records`, async (t) => {
    const { store } = await open(t);
    const ids = ['/a/b', 'a/b', '/a%2Fb', '%', '.', '..', '/team/ü-db', 'with space', '/a/b/'];
    for (const id of ids) await store.put('app', id, appRecord({ id }));
    const s = await store.load();
    t.same([...s.apps.keys()].sort(), [...ids].sort());
    for (const id of ids) t.equal(s.apps.get(id)?.id, id, `${id} maps back to itself`);
  });

  t.test(`${name}: a later put replaces the record, however many times`, async (t) => {
    const { store } = await open(t);
    for (let v = 1; v <= 5; v++) await store.put('app', '/web', appRecord({ id: '/web', version: `v${v}` }));
    t.equal((await store.load()).apps.get('/web')?.version, 'v5');
    // after a load too (a leader's usual sequence)
    await store.put('app', '/web', appRecord({ id: '/web', version: 'v6' }));
    t.equal((await store.load()).apps.get('/web')?.version, 'v6');
  });

  t.test(`${name}: concurrent puts of one record settle in call order`, async (t) => {
    const { store } = await open(t);
    await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((v) => store.put('task', 't-1', taskRecord({ taskId: 't-1', agentId: `agent-${v}` }))));
    t.equal((await store.load()).tasks.get('t-1')?.agentId, 'agent-8');
  });

  t.test(`${name}: a record changed by the caller after put stays as it was put`, async (t) => {
    const { store } = await open(t);
    const dataset = datasetRecord({ name: 'logs' });
    const put = store.put('dataset', 'logs', dataset);
    dataset.state = 'UNAVAILABLE';
    await put;
    t.equal((await store.load()).datasets.get('logs')?.state, 'READY');
  });

  t.test(`${name}: delete removes a record, deleting a missing one changes nothing, and it can be created again`, async (t) => {
    const { store } = await open(t);
    await store.put('dataset', 'a', datasetRecord({ name: 'a' }));
    await store.put('dataset', 'b', datasetRecord({ name: 'b' }));
    await store.delete('dataset', 'a');
    await store.delete('dataset', 'never-existed');
    await store.delete('move', 'never-existed');
    let s = await store.load();
    t.same([...s.datasets.keys()], ['b']);
    await store.put('dataset', 'a', datasetRecord({ name: 'a', sizeMiB: 7 }));
    s = await store.load();
    t.equal(s.datasets.get('a')?.sizeMiB, 7);
    await store.put('framework', 'fw', frameworkRecord());
    await store.delete('framework', 'fw');
    t.equal((await store.load()).framework, undefined);
  });

  t.test(`${name}: 1,500 records of every kind load back complete`, async (t) => {
    const { store } = await open(t);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 500; i++) {
      writes.push(store.put('app', `/apps/a${i}`, appRecord({ id: `/apps/a${i}` })));
      writes.push(store.put('task', `a${i}.0`, taskRecord({ taskId: `a${i}.0`, appId: `/apps/a${i}` })));
      writes.push(store.put('dataset', `d${i}`, datasetRecord({ name: `d${i}` })));
    }
    await Promise.all(writes);
    const s = await store.load();
    t.same(counts(s), { framework: 0, apps: 500, datasets: 500, tasks: 500, moves: 0 });
    t.equal(s.tasks.get('a499.0')?.appId, '/apps/a499');
  });

  t.test(`${name}: a record from a newer state schema is refused, naming where it is`, async (t) => {
    const { store, plant } = await open(t);
    await store.put('app', '/ok', appRecord({ id: '/ok' }));
    const location = await plant('app', '/future', JSON.stringify({ ferry: 99, kind: 'app', epoch: 1, record: { id: '/future' } }));
    const err = await store.load().catch((e: unknown) => e);
    t.type(err, CorruptStateError);
    t.ok((err as CorruptStateError).location.includes(location), `location "${(err as CorruptStateError).location}" names ${location}`);
    t.match((err as Error).message, /schema 99 by a newer Ferry/);
  });

  t.test(`${name}: corrupt JSON is refused, naming where it is`, async (t) => {
    const { store, plant } = await open(t);
    await store.put('task', 'ok', taskRecord({ taskId: 'ok' }));
    const location = await plant('task', 'broken', '{"ferry":1,"kind":"task","epoch":1,"record":{"taskId":"bro');
    const err = await store.load().catch((e: unknown) => e);
    t.type(err, CorruptStateError);
    t.ok((err as CorruptStateError).location.includes(location), `location "${(err as CorruptStateError).location}" names ${location}`);
    t.match((err as Error).message, /not valid JSON/);
  });

  t.test(`${name}: a record stored under another record's id is refused`, async (t) => {
    const { store, plant } = await open(t);
    await store.put('app', '/a', appRecord({ id: '/a' }));
    await plant('app', '/b', JSON.stringify({ ferry: 1, kind: 'app', epoch: 1, record: appRecord({ id: '/a' }) }));
    const err = await store.load().catch((e: unknown) => e);
    t.type(err, CorruptStateError);
    t.match((err as Error).message, /stored as "\/b"/);
  });

  t.test(`${name}: a store whose process does not lead refuses every write and changes nothing`, async (t) => {
    const { store, standby } = await open(t);
    await store.put('app', '/kept', appRecord({ id: '/kept', version: 'leader' }));
    const other = await standby();
    await t.rejects(other.put('app', '/kept', appRecord({ id: '/kept', version: 'standby' })), FencedWriteError);
    await t.rejects(other.put('app', '/new', appRecord({ id: '/new' })), FencedWriteError);
    await t.rejects(other.delete('app', '/kept'), FencedWriteError);
    const s = await store.load();
    t.equal(s.apps.get('/kept')?.version, 'leader');
    t.notOk(s.apps.has('/new'));
    // and the leader is not disturbed by the refusals
    await store.put('app', '/kept', appRecord({ id: '/kept', version: 'leader-2' }));
    t.equal((await other.load()).apps.get('/kept')?.version, 'leader-2');
  });

  t.test(`${name}: a record that could not be read back under its id is refused before anything is written`, async (t) => {
    const { store } = await open(t);
    await t.rejects(store.put('app', '/x', appRecord({ id: '/y' })), InvalidRecordError);
    await t.rejects(store.put('dataset', '', datasetRecord({ name: '' })), InvalidRecordError);
    await t.rejects(store.put('task', 't', null as unknown as ReturnType<typeof taskRecord>), InvalidRecordError);
    await t.rejects(store.delete('app', 'half a surrogate \ud800'), InvalidRecordError);
    t.same(counts(await store.load()), { framework: 0, apps: 0, datasets: 0, tasks: 0, moves: 0 });
  });
}
