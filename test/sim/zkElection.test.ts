import t from 'tap';
import { ZkClient } from '../../src/coordination/zkClient.js';
import type { MasterInfo } from '../../src/mesos/types.js';
import { frameworkInfo, postCall, subscribe } from '../support/simClient.js';
import { eventually, startSim } from '../support/simHarness.js';
import { startZooKeeper } from '../support/zookeeper.js';

t.test('simulators elect a leader in ZooKeeper; the others redirect to it', async (t) => {
  const zk = await startZooKeeper(t);
  const url = `zk://${zk.connect}/mesos`;
  const first = await startSim(t, { agents: 1, zk: url });
  const second = await startSim(t, { agents: 1, zk: url });

  const client = await ZkClient.connect({ servers: zk.connect });
  t.teardown(() => client.close());
  const children = (await client.children('/mesos')).filter((c) => c.startsWith('json.info_')).sort();
  t.equal(children.length, 2, 'each simulator registers one json.info_ node');
  const info = JSON.parse((await client.get(`/mesos/${children[0]}`)).data.toString()) as MasterInfo;
  t.match(info, { id: first.sim.state().id, ip: 16777343, port: first.sim.port, pid: `master@127.0.0.1:${first.sim.port}`, hostname: '127.0.0.1', version: '1.12.0' });
  t.same(info.address, { hostname: '127.0.0.1', ip: '127.0.0.1', port: first.sim.port });

  const redirected = await postCall(second.sim.url, { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } });
  t.equal(redirected.status, 307, 'the non-leader redirects');
  t.equal(redirected.headers.location, `//127.0.0.1:${first.sim.port}/api/v1/scheduler`);
  t.equal(second.sim.state().leader, `master@127.0.0.1:${first.sim.port}`, "its /state names the leader");
  const sub = await subscribe(first.sim.url, frameworkInfo());
  sub.close();

  await first.sim.stop();
  t.notOk((await client.children('/mesos')).includes(children[0]!), 'stop() removes the node');
  await eventually(async () => (await postCall(second.sim.url, '{}')).status !== 307, 'the second simulator to lead');
  const sub2 = await subscribe(second.sim.url, frameworkInfo());
  t.teardown(() => sub2.close());
  t.equal(sub2.all('SUBSCRIBED')[0]!.subscribed.master_info!.port, second.sim.port, 'the new leader serves subscriptions');
  await sub2.next('OFFERS');
  t.pass('and allocates');
});
