// Entry point of Ferry's resident node executor, started by a Mesos agent for
// a Ferry "node" task (`node dist/src/node/executorMain.js`). Reads the
// environment every Mesos executor gets and runs until its task ends.

import { createLogger } from '../common/log.js';
import { NodeExecutor } from './executor/nodeExecutor.js';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`ferry node executor: ${name} is not set; this program is started by a Mesos agent as an executor\n`);
    process.exit(2);
  }
  return value;
}

function durationMs(text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|secs|mins|hrs|days)$/.exec(text.trim());
  if (!m) return fallbackMs;
  const unit = { ns: 1e-6, us: 1e-3, ms: 1, secs: 1000, mins: 60_000, hrs: 3_600_000, days: 86_400_000 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}

/**
 * Where the agent's executor API answers. Like Mesos's own executor library:
 * MESOS_SLAVE_PID ("slave(1)@10.0.0.5:5051") names the agent process, whose
 * endpoint is /slave(1)/api/v1/executor; MESOS_AGENT_ENDPOINT alone means
 * the unprefixed /api/v1/executor.
 */
function agentAddress(): { endpoint: string; pathPrefix?: string } {
  const pid = process.env['MESOS_SLAVE_PID'];
  const m = pid === undefined ? null : /^([^@]+)@(.+:\d+)$/.exec(pid);
  if (m) return { endpoint: m[2]!, pathPrefix: `/${m[1]!}` };
  return { endpoint: required('MESOS_AGENT_ENDPOINT') };
}

const logger = createLogger({ name: 'ferry-node-executor' });
const executor = new NodeExecutor({
  ...agentAddress(),
  frameworkId: required('MESOS_FRAMEWORK_ID'),
  executorId: required('MESOS_EXECUTOR_ID'),
  recoveryTimeoutMs: durationMs(process.env['MESOS_RECOVERY_TIMEOUT'], 15 * 60_000),
  version: process.env['FERRY_VERSION'] ?? 'unknown',
  logger,
});
executor.start();
await executor.finished;
process.exit(0);
