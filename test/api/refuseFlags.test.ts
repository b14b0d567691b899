import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator } from '../../src/sim/simulator.js';
import { runFerry, shown } from '../cli/ferryCli.js';
import { waitFor } from '../support/ferryProcess.js';
import { startScheduler } from './schedulerFlags.js';

t.test('--decline-refuse-seconds and --waiting-refuse-seconds set the refuse filters of declined offers', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-refuse-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const sim = await Simulator.start({ workDir: join(dir, 'sim'), agents: 1, allocationIntervalMs: 100, heartbeatIntervalSeconds: 1 });
  t.teardown(() => sim.stop());
  const ferry = await startScheduler(t, { master: `127.0.0.1:${sim.port}`, state: `file:${join(dir, 'state')}`, declineRefuseSeconds: 30, waitingRefuseSeconds: 0.5 });
  await waitFor(() => ferry.service.isSubscribed, 10_000, () => 'never subscribed');
  t.equal(ferry.service.config.declineRefuseSeconds, 30);
  t.equal(ferry.service.config.shortRefuseSeconds, 0.5);
});

t.test('a refuse filter that is not a positive number is a usage error', async (t) => {
  for (const flag of ['--decline-refuse-seconds', '--waiting-refuse-seconds']) {
    const result = await runFerry(['scheduler', '--master', '127.0.0.1:1', '--state', 'file:/nonexistent', flag, '0']);
    t.equal(result.code, 2, shown(result));
    t.match(result.stderr, /"0" is not a positive number/, `${flag} 0 is refused`);
  }
});
