import t from 'tap';
import { silentLogger } from '../../src/common/log.js';
import { ZkClient } from '../../src/coordination/zkClient.js';
import { addressFromMasterInfo, leaderNode, ZkMasterDetector } from '../../src/mesos/zkMasterDetector.js';
import { startZooKeeper } from '../support/zookeeper.js';
import type { MasterAddress } from '../../src/mesos/masterAddress.js';

function masterInfo(port: number): string {
  return JSON.stringify({
    id: `m-${port}`,
    ip: 16777343,
    port,
    pid: `master@127.0.0.1:${port}`,
    hostname: '127.0.0.1',
    version: '1.12.0',
    address: { hostname: '127.0.0.1', ip: '127.0.0.1', port },
  });
}

function nextChange(d: ZkMasterDetector): Promise<MasterAddress | undefined> {
  return new Promise((resolve) => d.once('change', resolve));
}

t.test('the lowest json.info_ sequence leads; other children are ignored', async (t) => {
  t.equal(leaderNode(['log_replicas', 'json.info_0000000012', 'json.info_0000000003', 'info_0000000001']), 'json.info_0000000003');
  t.equal(leaderNode(['log_replicas']), undefined);
});

t.test('a MasterInfo without an address falls back to the ip in network order', async (t) => {
  t.same(addressFromMasterInfo({ id: 'x', ip: 16777343, port: 5050 }), { scheme: 'http', host: '127.0.0.1', port: 5050 });
});

t.test('zk:// detection follows the leader as masters come and go', async (t) => {
  const zkServer = await startZooKeeper(t);
  const zk = await ZkClient.connect({ servers: zkServer.connect, sessionTimeoutMs: 4000 });
  t.teardown(() => zk.close());
  await zk.mkdirp('/mesos');

  const detector = new ZkMasterDetector(`zk://${zkServer.connect}/mesos`, silentLogger());
  t.teardown(() => detector.stop());
  await detector.start();
  t.equal(detector.current(), undefined, 'no master registered yet');

  const first = nextChange(detector);
  const n1 = await zk.create('/mesos/json.info_', masterInfo(5051), 'ephemeral_sequential');
  t.same(await first, { scheme: 'http', host: '127.0.0.1', port: 5051 });
  t.same(await detector.leader(), { scheme: 'http', host: '127.0.0.1', port: 5051 });

  // a second master registers behind the first: still the first leads
  await zk.create('/mesos/json.info_', masterInfo(5052), 'ephemeral_sequential');
  await zk.create('/mesos/log_replicas', '', 'persistent');

  const second = nextChange(detector);
  await zk.delete(n1);
  t.same(await second, { scheme: 'http', host: '127.0.0.1', port: 5052 }, 'the next in line takes over');
});

t.test('zk:// detection waits for a path that does not exist yet', async (t) => {
  const zkServer = await startZooKeeper(t);
  const detector = new ZkMasterDetector(`zk://${zkServer.connect}/later`, silentLogger());
  t.teardown(() => detector.stop());
  await detector.start();
  const zk = await ZkClient.connect({ servers: zkServer.connect });
  t.teardown(() => zk.close());
  const changed = nextChange(detector);
  await zk.mkdirp('/later');
  await zk.create('/later/json.info_', masterInfo(6000), 'ephemeral_sequential');
  t.same(await changed, { scheme: 'http', host: '127.0.0.1', port: 6000 });
});
