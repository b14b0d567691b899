// `ferry sim` as a child process, so that its CPU and memory are its own and
// the framework under test reaches it over a real socket as it would a master.

import { join } from 'node:path';
import { startChild, type BenchChild } from './childProcess.js';
import { requestJson } from './httpJson.js';
import { FERRY_MAIN, requireBuild } from './paths.js';
import type { MasterState } from '../../src/sim/stateJson.js';

export interface SimProcess {
  url: string;
  /** host:port, for --master */
  address: string;
  port: number;
  child: BenchChild;
  state(): Promise<MasterState>;
  stop(): Promise<void>;
}

export interface SimProcessOptions {
  dir: string;
  agents: number;
  processless?: boolean;
  allocationIntervalSeconds?: number;
  heartbeatIntervalSeconds?: number;
  agentResources?: string;
  /** e.g. 'debug' to get the master's per-DECLINE lines */
  logLevel?: string;
  extraArgs?: string[];
  /** write a .cpuprofile of the simulator into this directory when it stops */
  cpuProfileDir?: string;
}

export async function startSim(options: SimProcessOptions): Promise<SimProcess> {
  requireBuild();
  const args = [...(options.cpuProfileDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : []), FERRY_MAIN, 'sim', '--agents', String(options.agents), '--port', '0', '--work-dir', join(options.dir, 'work')];
  if (options.processless) args.push('--processless');
  if (options.allocationIntervalSeconds !== undefined) args.push('--allocation-interval', String(options.allocationIntervalSeconds));
  if (options.heartbeatIntervalSeconds !== undefined) args.push('--heartbeat-interval', String(options.heartbeatIntervalSeconds));
  if (options.agentResources !== undefined) args.push('--agent-resources', options.agentResources);
  args.push(...(options.extraArgs ?? []));
  const child = startChild({
    name: 'sim',
    command: process.execPath,
    args,
    logFile: join(options.dir, 'sim.log'),
    env: { ...process.env, FERRY_LOG_LEVEL: options.logLevel ?? 'warn' },
    keepLines: false,
  });
  const urlLine = await child.waitForLine((l) => /^http:\/\/[\d.]+:\d+$/.test(l.trim()), 120_000);
  const url = urlLine.trim();
  const port = Number(new URL(url).port);
  return {
    url,
    address: `127.0.0.1:${port}`,
    port,
    child,
    async state() {
      const r = await requestJson<MasterState>(url, 'GET', '/state', undefined, 120_000);
      if (r.status !== 200) throw new Error(`GET /state answered ${r.status}`);
      return r.body;
    },
    stop: () => child.stop(),
  };
}
