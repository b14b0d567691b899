import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { silentLogger } from '../../src/common/log.js';
import { LeaderElection } from '../../src/coordination/leaderElection.js';
import { ZkClient } from '../../src/coordination/zkClient.js';
import { ZkStateStore } from '../../src/state/zkStateStore.js';
import { candidate, nextEvent } from '../fixtures/candidates.js';
import { appRecord } from '../state/recordBuilders.js';
import { startZooKeeper } from '../support/zookeeper.js';

/** ZooKeeper's "stat" four-letter word: the server's client connections, one line each. */
function clientsOf(port: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let out = '';
    const socket = connect(port, '127.0.0.1', () => socket.end('stat'));
    socket.on('data', (chunk: Buffer) => (out += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const section = out.split('Clients:')[1]?.split('\n\n')[0] ?? '';
      resolve(section.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('/')));
    });
  });
}

t.test('a leader whose ZooKeeper server dies moves to another member on the same session: suspended, then resumed', async (t) => {
  const ensemble = await startZooKeeper(t, { servers: 3 });
  const zk = await ZkClient.connect({ servers: ensemble.connect, sessionTimeoutMs: 8_000 });
  t.teardown(() => zk.close());
  const root = '/ensemble/ferry';
  const leader = new LeaderElection(zk, { root, candidate: candidate('leader'), logger: silentLogger() });
  t.teardown(() => leader.stop());
  const elected = nextEvent<{ epoch: number }>(leader, 'elected', 15_000);
  await leader.start();
  t.equal((await elected).epoch, 1);

  // the member serving the leader's session is the one with a client that has sent more than this probe
  let serving: number | undefined;
  for (let k = 1; k <= 3 && serving === undefined; k++) {
    const port = Number(await readFile(join(ensemble.dir, `server-${k}`, 'port'), 'utf8'));
    const clients = await clientsOf(port);
    if (clients.some((c) => !/recved=1,/.test(c))) serving = k;
  }
  t.ok(serving !== undefined, 'found the member serving the leader');
  const pid = Number(await readFile(join(ensemble.dir, `server-${serving}`, 'pid'), 'utf8'));

  const suspended = nextEvent(leader, 'suspended', 8_000);
  const resumed = nextEvent(leader, 'resumed', 20_000);
  const sessionId = zk.sessionId;
  process.kill(pid, 'SIGKILL');
  await suspended;
  await resumed;
  t.equal(zk.sessionId, sessionId, 'same session');
  t.equal(leader.currentTerm()?.epoch, 1, 'same term');
  const store = new ZkStateStore({ location: { servers: ensemble.connect, root, display: root }, terms: leader });
  await store.load();
  await store.put('app', '/after-failover', appRecord({ id: '/after-failover' }));
  t.ok((await store.load()).apps.has('/after-failover'), 'and it keeps writing');
});
