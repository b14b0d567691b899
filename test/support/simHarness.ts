// Starts a simulator for one test in a fresh temporary work directory, with
// short intervals so that timeouts are seconds, not minutes, and stops it
// (and removes the directory) when the test ends.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/common/log.js';
import { Simulator, type SimulatorOptions } from '../../src/sim/simulator.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface SimHarness {
  sim: Simulator;
  workDir: string;
}

/** Fast defaults for tests; any option can be overridden. FERRY_SIM_TEST_LOG=debug shows the simulator's logs. */
export async function startSim(t: Teardown, options: Partial<SimulatorOptions> = {}): Promise<SimHarness> {
  const workDir = await mkdtemp(join(tmpdir(), 'ferry-sim-'));
  const level = process.env['FERRY_SIM_TEST_LOG'];
  const sim = await Simulator.start({
    workDir,
    agents: 2,
    allocationIntervalMs: 200,
    heartbeatIntervalSeconds: 15,
    agentPingTimeoutMs: 200,
    maxAgentPingTimeouts: 3,
    ...(level !== undefined ? { logger: createLogger({ name: 'ferry-sim-test', level }) } : {}),
    ...options,
  });
  t.teardown(async () => {
    await sim.stop();
    await rm(workDir, { recursive: true, force: true });
  });
  return { sim, workDir };
}

/** Resolves when `condition` holds, polling every 20 ms; rejects after timeoutMs with `what`. */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether a process (or process group, for a negative pid) still exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
