import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/common/log.js';
import { createMasterDetector } from '../../src/mesos/masterDetector.js';
import { SchedulerClient } from '../../src/mesos/schedulerClient.js';
import { Simulator } from '../../src/sim/simulator.js';
import { nextSubscription } from '../support/clientEvents.js';
import { startZooKeeper } from '../support/zookeeper.js';

t.test('zk:// detection and a 307 both lead to the leading master, and a master failover keeps the framework id', async (t) => {
  const zk = await startZooKeeper(t);
  const zkUrl = `zk://${zk.connect}/mesos`;
  const dirs: string[] = [];
  const start = async (): Promise<Simulator> => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-failover-'));
    dirs.push(dir);
    return Simulator.start({ workDir: dir, agents: 1, zk: zkUrl, allocationIntervalMs: 200, heartbeatIntervalSeconds: 1 });
  };
  const a = await start();
  const b = await start();
  t.teardown(async () => {
    await a.stop();
    await b.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  const framework = { user: 'root', name: 'failover-test', failover_timeout: 60, checkpoint: true, roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' as const }, { type: 'PARTITION_AWARE' as const }] };
  const viaZk = new SchedulerClient({ detector: createMasterDetector(zkUrl, silentLogger()), framework, backoff: { initialMs: 50, maxMs: 500 }, logger: silentLogger() });
  const viaRedirect = new SchedulerClient({
    detector: createMasterDetector(`127.0.0.1:${b.port}`, silentLogger()),
    framework: { ...framework, name: 'redirected' },
    backoff: { initialMs: 50, maxMs: 500 },
    logger: silentLogger(),
  });
  t.teardown(() => viaZk.stop());
  t.teardown(() => viaRedirect.stop());

  const zkSub = nextSubscription(viaZk);
  const redirectSub = nextSubscription(viaRedirect);
  await viaZk.start();
  await viaRedirect.start();
  const first = await zkSub;
  t.equal(first.master.port, a.port, 'zk:// found the first registered master');
  t.equal((await redirectSub).master.port, a.port, 'the standby answered 307 and the client followed it');

  const zkAgain = nextSubscription(viaZk, 30_000);
  const redirectAgain = nextSubscription(viaRedirect, 30_000);
  await a.stop();
  const second = await zkAgain;
  t.equal(second.master.port, b.port, 'the detector followed the new leader');
  t.equal(second.frameworkId, first.frameworkId, 'resubscribed with the same framework id');
  t.equal(second.resubscribed, true);
  t.equal((await redirectAgain).master.port, b.port, 'the static client reached the new leader too');
});
