import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestAclId, isZkError, ZK_PERM_ALL, ZkClient } from '../../src/coordination/zkClient.js';
import { Simulator } from '../../src/sim/simulator.js';
import { api, waitFor } from '../support/ferryProcess.js';
import { startZooKeeper } from '../support/zookeeper.js';
import { startScheduler } from './schedulerFlags.js';

const CREDENTIALS = 'ferry:s3cret-pass';
const ROOT = '/ferry-acl';

async function client(t: { teardown(fn: () => unknown): void }, servers: string, digestAuth?: string): Promise<ZkClient> {
  const zk = await ZkClient.connect({ servers, ...(digestAuth !== undefined ? { digestAuth } : {}) });
  t.teardown(() => zk.close());
  return zk;
}

async function errorCode(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
    return 'OK';
  } catch (err) {
    return isZkError(err) ? err.code : (err as Error).message;
  }
}

async function walk(zk: ZkClient, path: string): Promise<string[]> {
  const out = [path];
  for (const child of await zk.children(path)) out.push(...(await walk(zk, `${path}/${child}`)));
  return out;
}

t.test('with credentials in --zk, every znode Ferry creates is readable and writable by that identity only', async (t) => {
  const server = await startZooKeeper(t);
  const dir = await mkdtemp(join(tmpdir(), 'ferry-zkacl-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const sim = await Simulator.start({ workDir: join(dir, 'sim'), agents: 1, allocationIntervalMs: 100, heartbeatIntervalSeconds: 1 });
  t.teardown(() => sim.stop());
  const flags = { master: `127.0.0.1:${sim.port}`, zk: `zk://${CREDENTIALS}@${server.connect}${ROOT}` };
  const ferry = await startScheduler(t, flags);
  await waitFor(() => ferry.service.isSubscribed, 20_000, () => 'never subscribed');
  t.equal(
    (await api(ferry.api, 'POST', '/v1/apps', {
      id: '/acl',
      cmd: 'sleep 600',
      cpus: 0.1,
      mem: 32,
      portDefinitions: [],
      container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', external: { name: 'acl-data', size: 1, provider: 'ferry' } }] },
    })).status,
    201,
  );
  await waitFor(async () => (await api<{ datasets: { state: string }[] }>(ferry.api, 'GET', '/v1/apps/acl')).body.datasets[0]?.state === 'READY', 20_000, () => 'never placed');

  const owner = await client(t, server.connect, CREDENTIALS);
  const nodes = await walk(owner, ROOT);
  for (const kind of ['framework', 'epoch', 'apps', 'apps/%2Facl', 'datasets/acl-data', 'tasks', 'leader']) t.ok(nodes.includes(`${ROOT}/${kind}`), `${kind} was created`);
  t.ok(nodes.some((n) => n.startsWith(`${ROOT}/leader/`)), 'the candidate node was created');
  const ownerOnly = [{ perms: ZK_PERM_ALL, scheme: 'digest', id: digestAclId(CREDENTIALS) }];
  const open: string[] = [];
  for (const node of nodes) {
    const { acl } = await owner.getAcl(node);
    if (JSON.stringify(acl) !== JSON.stringify(ownerOnly)) open.push(`${node}: ${JSON.stringify(acl)}`);
  }
  t.same(open, [], `all ${nodes.length} of Ferry's znodes carry only the digest identity`);

  const anonymous = await client(t, server.connect);
  const stranger = await client(t, server.connect, 'ferry:guessed');
  for (const zk of [anonymous, stranger]) {
    t.equal(await errorCode(() => zk.get(`${ROOT}/apps/%2Facl`)), 'NOAUTH', 'an app record cannot be read');
    t.equal(await errorCode(() => zk.set(`${ROOT}/apps/%2Facl`, '{}')), 'NOAUTH', 'nor overwritten');
    t.equal(await errorCode(() => zk.get(`${ROOT}/epoch`)), 'NOAUTH');
    t.equal(await errorCode(() => zk.children(ROOT)), 'NOAUTH', 'the root cannot be listed');
    t.equal(await errorCode(() => zk.create(`${ROOT}/apps/%2Fplanted`, '{}')), 'NOAUTH', 'nothing can be planted beside the records');
    t.equal(await errorCode(() => zk.delete(`${ROOT}/datasets/acl-data`)), 'NOAUTH', 'nor deleted');
  }
  t.equal(await errorCode(() => owner.get(`${ROOT}/apps/%2Facl`)), 'OK', 'the identity itself reads');

  const standby = await startScheduler(t, flags);
  await waitFor(async () => (await api(standby.api, 'GET', '/v1/health').catch(() => ({ status: 0 }))).status === 200, 20_000, () => 'the standby is not healthy');
  t.match(await api(standby.api, 'GET', '/v1/apps/acl'), { status: 200, body: { app: { id: '/acl' } } }, 'a standby with the same credentials reads the state');
});
