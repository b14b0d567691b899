import t from 'tap';
import { silentLogger } from '../../src/common/log.js';
import { orderCandidates } from '../../src/coordination/candidateNodes.js';
import { LeaderElection } from '../../src/coordination/leaderElection.js';
import { isZkError, ZkClient } from '../../src/coordination/zkClient.js';
import { ZkStateStore } from '../../src/state/zkStateStore.js';
import { candidate, nextEvent } from '../fixtures/candidates.js';
import { startChildLeader } from '../fixtures/childLeader.js';
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

async function client(t: Teardown, servers: string, sessionTimeoutMs = 10_000): Promise<ZkClient> {
  const zk = await ZkClient.connect({ servers, sessionTimeoutMs });
  t.teardown(() => zk.close());
  return zk;
}

/** The client as the election sees it, recording every read and every watch it sets. */
function recorded(zk: ZkClient): { zk: ZkClient; watches: string[]; reads: () => number } {
  const watches: string[] = [];
  let reads = 0;
  const proxy = new Proxy(zk, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'exists' || prop === 'get' || prop === 'children') {
        return (path: string, watcher?: unknown) => {
          reads++;
          if (watcher !== undefined) watches.push(path);
          return (value as (p: string, w?: unknown) => unknown).call(target, path, watcher);
        };
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
  return { zk: proxy, watches, reads: () => reads };
}

function electionOn(t: Teardown, zk: ZkClient, root: string, id: string, presumeExpiredAfterMs?: number): LeaderElection {
  const election = new LeaderElection(zk, {
    root,
    candidate: candidate(id),
    logger: silentLogger(),
    ...(presumeExpiredAfterMs === undefined ? {} : { presumeExpiredAfterMs }),
  });
  t.teardown(() => election.stop());
  return election;
}

t.test('of three candidates the lowest leads; each watches only its predecessor; a killed leader is replaced within the session timeout', async (t) => {
  const server = await zooKeeper();
  const root = `/three-${++roots}/ferry`;
  const sessionMs = 2_000;
  const first = startChildLeader(t, ['zk', server.connect, root, String(sessionMs), 'first']);
  t.equal((await first.next('elected', 15_000))['epoch'], 1);

  const b = recorded(await client(t, server.connect));
  const c = recorded(await client(t, server.connect));
  const second = electionOn(t, b.zk, root, 'second');
  const third = electionOn(t, c.zk, root, 'third');
  await second.start();
  await third.start();
  const raw = await client(t, server.connect);
  const line = orderCandidates(await raw.children(`${root}/leader`)).map((n) => `${root}/leader/${n}`);
  t.equal(line.length, 3);
  t.same(b.watches, [line[0]], 'the second watches the leader only');
  t.same(c.watches, [line[1]], 'the third watches the second only');
  t.notOk(second.isLeader);
  t.notOk(third.isLeader);
  t.match(await third.leaderInfo(), { id: 'first', api: 'first.example:8080', pid: first.pid });

  const thirdReads = c.reads();
  const elected = nextEvent<{ epoch: number }>(second, 'elected', 15_000);
  const killedAt = Date.now();
  first.signal('SIGKILL');
  t.equal((await elected).epoch, 2);
  const failoverMs = Date.now() - killedAt;
  t.ok(failoverMs < sessionMs + 1_500, `the second leads ${failoverMs} ms after the leader died (session timeout ${sessionMs} ms)`);
  t.equal(c.reads(), thirdReads, 'the third did not even look: no herd');
  t.notOk(third.isLeader);
  t.match(await third.leaderInfo(), { id: 'second' });
});

t.test('a short link drop while leading suspends the leader, and the same session resumes it', async (t) => {
  const server = await zooKeeper();
  const root = `/suspend-${++roots}/ferry`;
  const proxy = await startLinkProxy(t, server.connect);
  const leader = electionOn(t, await client(t, proxy.connect, 6_000), root, 'leader');
  const elected = nextEvent<{ epoch: number }>(leader, 'elected', 10_000);
  await leader.start();
  t.equal((await elected).epoch, 1);
  const standby = electionOn(t, await client(t, server.connect), root, 'standby');
  await standby.start();
  let standbyElected = false;
  standby.on('elected', () => (standbyElected = true));

  const suspended = nextEvent(leader, 'suspended', 5_000);
  const sessionId = leader.zk.sessionId;
  proxy.cut();
  await suspended;
  t.equal(leader.isLeader, false, 'not acting as leader while suspended');
  t.equal(leader.currentTerm()?.epoch, 1, 'but the term is not over');

  const resumed = nextEvent(leader, 'resumed', 6_000);
  setTimeout(() => proxy.restore(), 500);
  await resumed;
  t.equal(leader.isLeader, true);
  t.equal(leader.currentTerm()?.epoch, 1, 'same term');
  t.equal(leader.zk.sessionId, sessionId, 'same session');
  t.notOk(standbyElected, 'nobody else was elected meanwhile');
  const store = new ZkStateStore({ location: { servers: proxy.connect, root, display: root }, terms: leader });
  await store.load();
  await store.put('app', '/after', appRecord({ id: '/after' }));
});

t.test('a leader cut off past its session timeout is deposed, a standby takes over, and the old session can no longer write', async (t) => {
  const server = await zooKeeper();
  const root = `/expire-${++roots}/ferry`;
  const proxy = await startLinkProxy(t, server.connect);
  const leaderZk = await client(t, proxy.connect, 2_000);
  const leader = electionOn(t, leaderZk, root, 'leader');
  const elected = nextEvent(leader, 'elected', 10_000);
  await leader.start();
  await elected;
  const standby = electionOn(t, await client(t, server.connect), root, 'standby');
  await standby.start();

  const deposed = nextEvent<{ reason: string }>(leader, 'deposed', 10_000);
  const standbyElected = nextEvent<{ epoch: number }>(standby, 'elected', 10_000);
  proxy.cut();
  t.match((await deposed).reason, /presumed expired|expired/);
  t.equal(leader.currentTerm(), undefined);
  t.equal((await standbyElected).epoch, 2);

  proxy.restore();
  const err = await leaderZk.set(`${root}/epoch`, 'stale', -1).catch((e: unknown) => e);
  t.ok(isZkError(err, 'SESSIONEXPIRED') || isZkError(err, 'CLOSING'), `the old session's write fails (${String(err)})`);
  t.equal(leaderZk.state, 'expired');
});

t.test('a leader whose node is deleted by hand is deposed and the next candidate leads', async (t) => {
  const server = await zooKeeper();
  const root = `/deleted-${++roots}/ferry`;
  const leader = electionOn(t, await client(t, server.connect), root, 'leader');
  const elected = nextEvent(leader, 'elected', 10_000);
  await leader.start();
  await elected;
  const next = electionOn(t, await client(t, server.connect), root, 'next');
  await next.start();
  const deposed = nextEvent<{ reason: string }>(leader, 'deposed', 5_000);
  const nextElected = nextEvent<{ epoch: number }>(next, 'elected', 5_000);
  const raw = await client(t, server.connect);
  await raw.delete(leader.nodePath!);
  t.match((await deposed).reason, /is gone/);
  t.equal((await nextElected).epoch, 2);
});

t.test('stepping down ends only the term it names', async (t) => {
  const server = await zooKeeper();
  const root = `/stepdown-${++roots}/ferry`;
  const leader = electionOn(t, await client(t, server.connect), root, 'leader');
  const elected = nextEvent<{ epoch: number }>(leader, 'elected', 10_000);
  await leader.start();
  const { epoch } = await elected;
  leader.stepDown(epoch + 7, 'a late failure from some other term');
  t.equal(leader.isLeader, true);
  const deposed = nextEvent<{ reason: string }>(leader, 'deposed', 5_000);
  leader.stepDown(epoch, 'a fenced write');
  t.match((await deposed).reason, /stepped down: a fenced write/);
  t.equal(leader.isLeader, false);
  t.same(await leader.ended, { reason: 'stepped down: a fenced write' });
});

t.test('leaderInfo names the leader and nothing when nobody competes', async (t) => {
  const server = await zooKeeper();
  const root = `/info-${++roots}/ferry`;
  const observer = electionOn(t, await client(t, server.connect), `/info-${roots}/ferry`, 'observer');
  t.equal(await observer.leaderInfo(), undefined);
  const leader = electionOn(t, await client(t, server.connect), root, 'leader');
  const elected = nextEvent(leader, 'elected', 10_000);
  await leader.start();
  await elected;
  t.same(await observer.leaderInfo(), candidate('leader'));
  await leader.stop();
  t.equal(await observer.leaderInfo(), undefined, 'stop() removes its node');
});
