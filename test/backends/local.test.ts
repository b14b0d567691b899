import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileVolumeLedger } from '../../src/backends/local/fileVolumeLedger.js';
import { LocalControlPlane, LOCAL_SIZE_LIMITS } from '../../src/backends/local/localControlPlane.js';
import { MemoryVolumeLedger } from '../../src/backends/local/volumeLedger.js';
import { backendSuite } from './backendSuite.js';
import { agentRef } from '../support/backendFixtures.js';

t.test('the generic backend suite, over an in-memory ledger', async (t) => {
  backendSuite(t, async () => {
    const ledger = new MemoryVolumeLedger();
    return {
      plane: new LocalControlPlane({ cluster: 'c1', ledger }),
      twin: new LocalControlPlane({ cluster: 'c1', ledger }),
      otherCluster: new LocalControlPlane({ cluster: 'c2', ledger }),
      agents: [agentRef('agent-a'), agentRef('agent-b')],
      sizeMiB: 64,
      rounding: { askMiB: 1000, getsMiB: 1000 },
      tooBigMiB: LOCAL_SIZE_LIMITS.maxMiB + 1,
      crashPoints: [],
      crashAfter: () => undefined,
      completeForcedDetach: async () => undefined,
      unknownId: 'no-such-dataset',
    };
  });
});

t.test('the generic backend suite, over a ledger file shared by processes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-ledger-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  let n = 0;
  backendSuite(t, async () => {
    const ledger = join(dir, `ledger-${n++}.json`);
    return {
      plane: new LocalControlPlane({ cluster: 'c1', ledger: new FileVolumeLedger(ledger) }),
      twin: new LocalControlPlane({ cluster: 'c1', ledger: new FileVolumeLedger(ledger) }),
      otherCluster: new LocalControlPlane({ cluster: 'c2', ledger: new FileVolumeLedger(ledger) }),
      agents: [agentRef('agent-a'), agentRef('agent-b')],
      sizeMiB: 64,
      rounding: { askMiB: 1000, getsMiB: 1000 },
      tooBigMiB: LOCAL_SIZE_LIMITS.maxMiB + 1,
      crashPoints: [],
      crashAfter: () => undefined,
      completeForcedDetach: async () => undefined,
      unknownId: 'no-such-dataset',
    };
  });
});

t.test("a local dataset's host path is <ferry_root>/<dataset> on the agent, or the default root", async (t) => {
  const plane = new LocalControlPlane({ cluster: 'c1', ledger: new MemoryVolumeLedger(), defaultRoot: '/srv/ferry/' });
  await plane.create({ dataset: 'kv-data', sizeMiB: 10 });
  await plane.create({ dataset: 'db-data', sizeMiB: 10 });
  t.equal((await plane.attach('kv-data', agentRef('a', { ferry_root: '/data/ferry' }))).hostPath, '/data/ferry/kv-data');
  t.equal((await plane.attach('db-data', agentRef('b'))).hostPath, '/srv/ferry/db-data');
});

t.test('the ledger survives a new control plane over the same file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-ledger-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'ledger.json');
  await new LocalControlPlane({ cluster: 'c1', ledger: new FileVolumeLedger(path) }).create({ dataset: 'kv-data', sizeMiB: 10 });
  await new LocalControlPlane({ cluster: 'c1', ledger: new FileVolumeLedger(path) }).attach('kv-data', agentRef('a'));
  const seen = await new LocalControlPlane({ cluster: 'c1', ledger: new FileVolumeLedger(path) }).get('kv-data');
  t.equal(seen?.agentId, 'a');
});
