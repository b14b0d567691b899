// The offers a simulator with N agents makes: its first OFFERS event, as a
// framework receives it (JSON, the canonical form), from an in-process
// simulator that is stopped again before the caller measures anything.

import { silentLogger } from '../../src/common/log.js';
import { JSON_MEDIA } from '../../src/mesos/codec.js';
import type { SchedulerEvent } from '../../src/mesos/events.js';
import { createMasterDetector } from '../../src/mesos/masterDetector.js';
import { SchedulerClient } from '../../src/mesos/schedulerClient.js';
import { Simulator } from '../../src/sim/simulator.js';
import { onCleanup } from './cleanup.js';
import { tempDir } from './tempDir.js';

/** The first OFFERS event of a simulator with `agents` agents, as the framework receives it (JSON, canonical form). */
export async function simulatorOffers(agents: number): Promise<SchedulerEvent> {
  const sim = await Simulator.start({ workDir: tempDir('sim-offers'), agents, processless: true, allocationIntervalMs: 60_000 });
  const stopSim = onCleanup('in-process simulator', () => sim.stop());
  const client = new SchedulerClient({
    detector: createMasterDetector(`127.0.0.1:${sim.port}`, silentLogger()),
    framework: { user: 'bench', name: 'bench-offers', roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }], failover_timeout: 0 },
    media: JSON_MEDIA,
  });
  try {
    const offers = new Promise<SchedulerEvent>((resolve) => {
      client.on('event', (e) => {
        if (e.type === 'OFFERS') resolve(e);
      });
    });
    await client.start();
    return await offers;
  } finally {
    await client.stop();
    await stopSim();
  }
}

