import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoopbackControlPlane, LOOPBACK_SIZE_LIMITS } from '../../src/backends/loopback/loopbackControlPlane.js';
import { silentLogger } from '../../src/common/log.js';
import { releaseLoopbackVolume } from '../../src/node/block/loopbackAttachment.js';
import { agentRef, crashSwitch } from '../support/backendFixtures.js';
import { backendSuite } from './backendSuite.js';

t.test('the generic backend suite, over an image store directory', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ferry-images-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  let n = 0;
  backendSuite(t, async () => {
    const store = join(root, `store-${n++}`);
    const crash = crashSwitch();
    return {
      plane: new LoopbackControlPlane({ cluster: 'c1', store, afterStep: crash.hook }),
      twin: new LoopbackControlPlane({ cluster: 'c1', store }),
      otherCluster: new LoopbackControlPlane({ cluster: 'c2', store }),
      agents: [agentRef('agent-a'), agentRef('agent-b')],
      sizeMiB: 64,
      rounding: { askMiB: 1000, getsMiB: 1000 },
      tooBigMiB: LOOPBACK_SIZE_LIMITS.maxMiB + 1,
      crashPoints: [
        { operation: 'create', step: 'image-created' },
        { operation: 'forceDetach', step: 'release-recorded' },
        { operation: 'destroy', step: 'image-removed' },
      ],
      crashAfter: crash.crashAfter,
      completeForcedDetach: async (volume) => {
        await releaseLoopbackVolume({ store, volumeId: volume.id }, silentLogger());
      },
      unknownId: 'c1.no-such-dataset',
    };
  });
});
