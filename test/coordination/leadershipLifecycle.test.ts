import t from 'tap';
import { silentLogger } from '../../src/common/log.js';
import { LeaderElection } from '../../src/coordination/leaderElection.js';
import { LeadershipLifecycle } from '../../src/coordination/leadershipLifecycle.js';
import { ZkClient } from '../../src/coordination/zkClient.js';
import { FencedWriteError } from '../../src/state/stateStore.js';
import { ZkStateStore } from '../../src/state/zkStateStore.js';
import { candidate, nextEvent } from '../fixtures/candidates.js';
import { startLinkProxy } from '../fixtures/linkProxy.js';
import { appRecord } from '../state/recordBuilders.js';
import { startZooKeeper, type ZooKeeperServer } from '../support/zookeeper.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

let shared: Promise<ZooKeeperServer> | undefined;
function zooKeeper(): Promise<ZooKeeperServer> {
  shared ??= startZooKeeper(t);
  return shared;
}
let roots = 0;

function lifecycleOn(t: Teardown, servers: string, root: string, id: string, sessionTimeoutMs: number): LeadershipLifecycle {
  const lifecycle = new LeadershipLifecycle({
    location: { servers, root, display: `zk://${servers}${root}` },
    sessionTimeoutMs,
    candidate: candidate(id),
    logger: silentLogger(),
    retry: { initialMs: 100, maxMs: 500 },
  });
  t.teardown(() => lifecycle.stop());
  return lifecycle;
}

async function until(what: string, ms: number, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not ${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

t.test('after deposition the process rejoins on a brand-new session and leads again later with a higher epoch', async (t) => {
  const server = await zooKeeper();
  const root = `/rejoin-${++roots}/ferry`;
  const proxy = await startLinkProxy(t, server.connect);
  const lifecycle = lifecycleOn(t, proxy.connect, root, 'a', 2_000);
  const firstTerm = nextEvent<{ epoch: number }>(lifecycle, 'elected', 10_000);
  await lifecycle.start();
  t.equal((await firstTerm).epoch, 1);
  const store = new ZkStateStore({ location: { servers: proxy.connect, root, display: root }, terms: lifecycle });
  await store.load();
  await store.put('app', '/db', appRecord({ id: '/db', version: 'a-1' }));
  const firstSession = lifecycle.session!.sessionId;

  const otherZk = await ZkClient.connect({ servers: server.connect, sessionTimeoutMs: 10_000 });
  t.teardown(() => otherZk.close());
  const other = new LeaderElection(otherZk, { root, candidate: candidate('b'), logger: silentLogger() });
  await other.start();
  const otherElected = nextEvent<{ epoch: number }>(other, 'elected', 10_000);
  const deposed = nextEvent<{ reason: string }>(lifecycle, 'deposed', 10_000);
  proxy.cut();
  await deposed;
  t.equal((await otherElected).epoch, 2);
  await t.rejects(store.put('app', '/db', appRecord({ id: '/db', version: 'a-stale' })), FencedWriteError, 'no writes between terms');

  proxy.restore();
  await until('rejoined on a new session', 10_000, () => lifecycle.session?.state === 'connected' && lifecycle.session.sessionId !== firstSession);
  t.equal(lifecycle.isLeader, false, 'back as a candidate behind the new leader');
  t.match(await lifecycle.leaderInfo(), { id: 'b' });

  const secondTerm = nextEvent<{ epoch: number }>(lifecycle, 'elected', 10_000);
  await other.stop();
  t.equal((await secondTerm).epoch, 3);
  t.equal(lifecycle.currentTerm()?.zk, lifecycle.session, 'the new term lives on the new session');
  await store.load();
  await store.put('app', '/db', appRecord({ id: '/db', version: 'a-2' }));
  t.equal((await store.load()).apps.get('/db')?.version, 'a-2');
});

t.test('starting while ZooKeeper is unreachable keeps trying and joins once it answers', async (t) => {
  const server = await zooKeeper();
  const root = `/late-${++roots}/ferry`;
  const proxy = await startLinkProxy(t, server.connect);
  proxy.cut();
  const lifecycle = lifecycleOn(t, proxy.connect, root, 'late', 2_000);
  const elected = nextEvent<{ epoch: number }>(lifecycle, 'elected', 20_000);
  const started = lifecycle.start();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  t.equal(lifecycle.isLeader, false);
  proxy.restore();
  await started;
  t.equal((await elected).epoch, 1);
  t.equal(lifecycle.isLeader, true);
});

t.test('stop() leaves the election so another candidate leads at once', async (t) => {
  const server = await zooKeeper();
  const root = `/stop-${++roots}/ferry`;
  const a = lifecycleOn(t, server.connect, root, 'a', 10_000);
  const b = lifecycleOn(t, server.connect, root, 'b', 10_000);
  const aElected = nextEvent(a, 'elected', 10_000);
  await a.start();
  await aElected;
  await b.start();
  const bElected = nextEvent<{ epoch: number }>(b, 'elected', 3_000);
  await a.stop();
  t.equal((await bElected).epoch, 2);
  t.equal(a.isLeader, false);
  t.equal(a.currentTerm(), undefined);
});
