import t from 'tap';
import { silentLogger } from '../../src/common/log.js';
import { LeaderElection } from '../../src/coordination/leaderElection.js';
import { ZkClient } from '../../src/coordination/zkClient.js';
import type { ZkLocation } from '../../src/coordination/zkLocation.js';
import { FencedWriteError, InvalidRecordError } from '../../src/state/stateStore.js';
import { readOnlyZkAccess, ZkStateStore } from '../../src/state/zkStateStore.js';
import { recordPath } from '../../src/state/zkRecordPaths.js';
import { candidate, nextEvent } from '../fixtures/candidates.js';
import { startChildLeader } from '../fixtures/childLeader.js';
import { startLinkProxy } from '../fixtures/linkProxy.js';
import { startZooKeeper, type ZooKeeperServer } from '../support/zookeeper.js';
import { appRecord, taskRecord } from './recordBuilders.js';
import { stateStoreSuite, type Teardown } from './stateStoreSuite.js';

let shared: Promise<ZooKeeperServer> | undefined;
/** one ZooKeeper for this file; every test gets its own root */
function zooKeeper(): Promise<ZooKeeperServer> {
  shared ??= startZooKeeper(t);
  return shared;
}
let roots = 0;

function locationOf(servers: string, root: string): ZkLocation {
  return { servers, root, display: `zk://${servers}${root}` };
}

async function client(t: Teardown, servers: string, sessionTimeoutMs = 10_000): Promise<ZkClient> {
  const zk = await ZkClient.connect({ servers, sessionTimeoutMs });
  t.teardown(() => zk.close());
  return zk;
}

/** A candidate on its own session; resolves once it has started (and, if `lead`, once elected). */
async function candidateOn(t: Teardown, zk: ZkClient, root: string, id: string, lead: boolean): Promise<LeaderElection> {
  const election = new LeaderElection(zk, { root, candidate: candidate(id), logger: silentLogger() });
  const elected = lead ? nextEvent(election, 'elected', 10_000) : undefined;
  await election.start();
  await elected;
  t.teardown(() => election.stop());
  return election;
}

stateStoreSuite('ZooKeeper store', async (t) => {
  const server = await zooKeeper();
  const root = `/suite-${++roots}/ferry`;
  const location = locationOf(server.connect, root);
  const leader = await candidateOn(t, await client(t, server.connect), root, 'leader', true);
  const store = new ZkStateStore({ location, terms: leader });
  await store.load();
  const raw = await client(t, server.connect);
  return {
    store,
    async standby() {
      const other = await candidateOn(t, await client(t, server.connect), root, 'standby', false);
      return new ZkStateStore({ location, terms: other });
    },
    async plant(kind, id, text) {
      const path = recordPath(root, kind, id);
      await raw.mkdirp(path.slice(0, path.lastIndexOf('/')));
      await raw.create(path, text);
      return path;
    },
  };
});

t.test('a paused leader whose session expired cannot write once it resumes, while the new leader writes', async (t) => {
  const server = await zooKeeper();
  const root = `/paused-${++roots}/ferry`;
  const old = startChildLeader(t, ['zk', server.connect, root, '2000', 'old-leader']);
  t.equal((await old.next('elected', 15_000))['epoch'], 1);
  old.send({ put: { kind: 'app', id: '/db', record: appRecord({ id: '/db', version: 'old-1' }) } });
  t.same(await old.next('put', 5_000), { event: 'put', ok: true });

  const successor = await candidateOn(t, await client(t, server.connect, 4_000), root, 'successor', false);
  const elected = nextEvent<{ epoch: number }>(successor, 'elected', 15_000);
  old.signal('SIGSTOP'); // a long GC pause, a frozen VM: it stops pinging
  t.equal((await elected).epoch, 2, 'the successor takes the next epoch once the old session expires');

  const store = new ZkStateStore({ location: locationOf(server.connect, root), terms: successor });
  t.equal((await store.load()).apps.get('/db')?.version, 'old-1');
  await store.put('app', '/db', appRecord({ id: '/db', version: 'new-1' }));

  // the old leader wakes up still believing it leads and tries to undo the decision
  old.send({ put: { kind: 'app', id: '/db', record: appRecord({ id: '/db', version: 'old-2' }) } });
  old.signal('SIGCONT');
  const put = await old.next('put', 15_000);
  t.equal(put['ok'], false, 'the stale write fails');
  t.equal(put['name'], 'FencedWriteError');

  await store.put('app', '/db', appRecord({ id: '/db', version: 'new-2' }));
  const reader = new ZkStateStore({ location: locationOf(server.connect, root), terms: readOnlyZkAccess(await client(t, server.connect)) });
  t.equal((await reader.load()).apps.get('/db')?.version, 'new-2', "only the new leader's decisions are stored");
});

t.test('a write from a stale version is fenced and the leader steps down', async (t) => {
  const server = await zooKeeper();
  const root = `/stale-${++roots}/ferry`;
  const leader = await candidateOn(t, await client(t, server.connect), root, 'leader', true);
  const next = await candidateOn(t, await client(t, server.connect), root, 'next', false);
  const store = new ZkStateStore({ location: locationOf(server.connect, root), terms: leader });
  await store.load();
  await store.put('task', 't1', taskRecord({ taskId: 't1', agentId: 'a1' }));

  // another writer (an operator's tool, a leader this one does not know of) changes the record
  const raw = await client(t, server.connect);
  const path = recordPath(root, 'task', 't1');
  const { data } = await raw.get(path);
  await raw.set(path, data.toString().replace('"a1"', '"a2"'));

  const deposed = nextEvent<{ reason: string }>(leader, 'deposed', 5_000);
  const nextElected = nextEvent<{ epoch: number }>(next, 'elected', 10_000);
  const err = await store.put('task', 't1', taskRecord({ taskId: 't1', agentId: 'a3' })).catch((e: unknown) => e);
  t.type(err, FencedWriteError);
  t.match((err as FencedWriteError).location, path);
  t.match((await deposed).reason, /another writer changed it/);
  t.equal(leader.isLeader, false);
  t.equal((await nextElected).epoch, 2, 'the next candidate takes over');
  t.equal((await new ZkStateStore({ location: locationOf(server.connect, root), terms: next }).load()).tasks.get('t1')?.agentId, 'a2');
  await t.rejects(store.put('task', 't2', taskRecord({ taskId: 't2' })), FencedWriteError, 'nothing more from the stepped-down leader');
});

t.test('a leader cannot create over a record it has not read since taking office', async (t) => {
  const server = await zooKeeper();
  const root = `/unseen-${++roots}/ferry`;
  const leader = await candidateOn(t, await client(t, server.connect), root, 'leader', true);
  const store = new ZkStateStore({ location: locationOf(server.connect, root), terms: leader });
  await store.load();
  const raw = await client(t, server.connect);
  const other = new ZkStateStore({ location: locationOf(server.connect, root), terms: readOnlyZkAccess(raw) });
  const path = recordPath(root, 'app', '/x');
  await raw.mkdirp(path.slice(0, path.lastIndexOf('/')));
  await raw.create(path, JSON.stringify({ ferry: 1, kind: 'app', epoch: 1, record: appRecord({ id: '/x', version: 'foreign' }) }));
  await t.rejects(store.put('app', '/x', appRecord({ id: '/x', version: 'mine' })), FencedWriteError);
  t.equal((await other.load()).apps.get('/x')?.version, 'foreign');
});

t.test('a leader that finds a record from a later epoch steps down on load', async (t) => {
  const server = await zooKeeper();
  const root = `/later-${++roots}/ferry`;
  const leader = await candidateOn(t, await client(t, server.connect), root, 'leader', true);
  const raw = await client(t, server.connect);
  const path = recordPath(root, 'app', '/x');
  await raw.mkdirp(path.slice(0, path.lastIndexOf('/')));
  await raw.create(path, JSON.stringify({ ferry: 1, kind: 'app', epoch: 9, record: appRecord({ id: '/x' }) }));
  const deposed = nextEvent(leader, 'deposed', 5_000);
  const err = await new ZkStateStore({ location: locationOf(server.connect, root), terms: leader }).load().catch((e: unknown) => e);
  t.type(err, FencedWriteError);
  t.match((err as Error).message, /epoch 9, after this leader's epoch 1/);
  await deposed;
});

t.test('a write whose reply is lost with the link is settled on the same session, never applied twice or lost', async (t) => {
  // The leader runs in a child process: the native ZooKeeper client can abort its
  // process when a connection drops mid-request (a known defect of the `zookeeper`
  // package, docs/state.md). What must hold then too: no acknowledged write is lost.
  const server = await zooKeeper();
  const root = `/lost-${++roots}/ferry`;
  const proxy = await startLinkProxy(t, server.connect);
  const leader = startChildLeader(t, ['zk', proxy.connect, root, '3000', 'leader']);
  t.equal((await leader.next('elected', 15_000))['epoch'], 1);
  let acknowledged = 'v0';
  leader.send({ put: { kind: 'app', id: '/a', record: appRecord({ id: '/a', version: 'v0' }) } });
  t.same(await leader.next('put', 5_000), { event: 'put', ok: true });
  let aborted: NodeJS.Signals | null = null;
  for (let i = 1; i <= 4 && aborted === null; i++) {
    leader.send({ put: { kind: 'app', id: '/a', record: appRecord({ id: '/a', version: `v${i}` }) } });
    // the cut lands before, while or after the request reaches the server
    await new Promise((resolve) => setTimeout(resolve, i - 1));
    proxy.cut();
    setTimeout(() => proxy.restore(), 200);
    const outcome = await Promise.race([leader.next('put', 15_000), leader.exited]);
    if (outcome === null || typeof outcome === 'string') aborted = outcome ?? 'SIGABRT';
    else {
      t.same(outcome, { event: 'put', ok: true }, `v${i} is written`);
      acknowledged = `v${i}`;
    }
  }
  const reader = new ZkStateStore({ location: locationOf(server.connect, root), terms: readOnlyZkAccess(await client(t, server.connect)) });
  const stored = (await reader.load()).apps.get('/a')?.version;
  if (aborted !== null) {
    t.comment(`the leader process ended by ${aborted} after a dropped connection (the native client's known defect)`);
    const n = Number(acknowledged.slice(1));
    t.ok(stored === acknowledged || stored === `v${n + 1}`, `no acknowledged write is lost: ${acknowledged} acknowledged, ${stored ?? 'nothing'} stored`);
    return;
  }
  const settled = await leader.next('settled', 1_000).catch(() => undefined);
  t.ok(settled !== undefined, `at least one reply was lost and settled (${String(settled?.['outcome'])})`);
  t.equal(stored, 'v4');
  leader.send({ put: { kind: 'app', id: '/a', record: appRecord({ id: '/a', version: 'v5' }) } });
  t.same(await leader.next('put', 5_000), { event: 'put', ok: true }, 'still leading on the same session');
  t.equal((await reader.load()).apps.get('/a')?.version, 'v5', 'versions stayed in step');
});

t.test('a standby reads the state but cannot write, even through the leader session of another process', async (t) => {
  const server = await zooKeeper();
  const root = `/standby-${++roots}/ferry`;
  const leader = await candidateOn(t, await client(t, server.connect), root, 'leader', true);
  const store = new ZkStateStore({ location: locationOf(server.connect, root), terms: leader });
  await store.put('app', '/a', appRecord({ id: '/a' }));
  const standby = new ZkStateStore({ location: locationOf(server.connect, root), terms: readOnlyZkAccess(await client(t, server.connect)) });
  t.ok((await standby.load()).apps.has('/a'));
  await t.rejects(standby.put('app', '/b', appRecord({ id: '/b' })), FencedWriteError);
});

t.test('a record too large for one znode is refused before it reaches ZooKeeper', async (t) => {
  const server = await zooKeeper();
  const root = `/large-${++roots}/ferry`;
  const leader = await candidateOn(t, await client(t, server.connect), root, 'leader', true);
  const store = new ZkStateStore({ location: locationOf(server.connect, root), terms: leader });
  await store.load();
  const huge = appRecord({ id: '/huge', definition: { id: '/huge', env: { BLOB: 'x'.repeat(1_100_000) } } });
  const err = await store.put('app', '/huge', huge).catch((e: unknown) => e);
  t.type(err, InvalidRecordError);
  t.match((err as Error).message, /at most 1000000/);
  t.equal(leader.isLeader, true, 'a refused record does not cost the leadership');
});
