// A whole Ferry cluster on this machine, as `ferry local` runs it: the
// simulated master with its agents, one scheduler on the embedded file store
// with the local backend, and the API and UI. stop() leaves no process behind.

import os from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../common/log.js';
import { DEFAULT_SCHEDULER_CONFIG } from '../scheduler/schedulerConfig.js';
import { Simulator } from '../sim/simulator.js';
import { FerryApiClient } from './apiClient.js';
import { runScheduler, type RunningScheduler, type SchedulerFlags } from './commands/scheduler.js';
import { CommandFailedError } from './exitCodes.js';
import { prepareLocalWorkDir, type LocalWorkDir } from './localWorkDir.js';

const HOST = '127.0.0.1';
const SUBSCRIBE_TIMEOUT_MS = 30_000;

export interface LocalClusterOptions {
  workDir: string;
  apiPort: number;
  simPort: number;
  agents: number;
  logLevel: string;
}

export interface LocalCluster {
  apiUrl: string;
  simUrl: string;
  workDir: LocalWorkDir;
  agentIds: string[];
  client: FerryApiClient;
  stop(): Promise<void>;
}

export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const workDir = await prepareLocalWorkDir(options.workDir);
  let sim: Simulator | undefined;
  let scheduler: RunningScheduler | undefined;
  const stop = async (): Promise<void> => {
    try {
      await scheduler?.stop();
    } finally {
      try {
        await sim?.stop();
      } finally {
        await workDir.release();
      }
    }
  };
  try {
    sim = await Simulator.start({
      workDir: workDir.simDir,
      host: HOST,
      port: options.simPort,
      agents: options.agents,
      agentHostnames: loopbackHostnames(options.agents),
      logger: createLogger({ name: 'ferry-sim', level: options.logLevel }),
    }).catch((err: Error) => {
      throw new CommandFailedError(`${err.message}${/EADDRINUSE/.test(err.message) ? '; is another ferry local or Mesos master running? use --sim-port' : ''}`);
    });
    scheduler = await runScheduler(schedulerFlags(options, workDir, sim.port)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        throw new CommandFailedError(`cannot listen on ${HOST}:${options.apiPort}: the address is in use; is another Ferry running? use --api-port`);
      }
      throw err;
    });
    const apiUrl = `http://${scheduler.api}`;
    await subscribed(scheduler);
    return { apiUrl, simUrl: sim.url, workDir, agentIds: sim.agentIds(), client: new FerryApiClient({ url: apiUrl, ...(process.env['FERRY_TOKEN'] ? { token: process.env['FERRY_TOKEN'] } : {}) }), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * 127.0.0.1, 127.0.0.2, ...: every agent its own machine for Mesos
 * maintenance (which names machines by hostname and ip), all of them this
 * machine's loopback (Linux routes all of 127/8 there).
 */
function loopbackHostnames(agents: number): string[] {
  return Array.from({ length: Math.min(agents, 254) }, (_, k) => `127.0.0.${k + 1}`);
}

function schedulerFlags(options: LocalClusterOptions, workDir: LocalWorkDir, simPort: number): SchedulerFlags {
  return {
    master: `${HOST}:${simPort}`,
    state: `file:${workDir.stateDir}`,
    api: `${HOST}:${options.apiPort}`,
    name: 'ferry',
    role: '*',
    user: os.userInfo().username,
    failoverTimeout: 604800,
    zkSessionTimeout: 10000,
    media: 'protobuf',
    // every simulated agent names its own ferry_root (sim/agent-K/datasets); this is only a fallback
    defaultFerryRoot: join(workDir.dir, 'datasets'),
    dataVia: 'auto',
    hostname: os.hostname(),
    logLevel: options.logLevel,
    defaultMountRoot: join(workDir.dir, 'mounts'),
    // the node executor runs with the same Node as this process, wherever PATH points
    nodeCommand: shellWord(process.execPath),
    agentLostTimeout: DEFAULT_SCHEDULER_CONFIG.agentLostTimeoutSeconds,
    declineRefuseSeconds: DEFAULT_SCHEDULER_CONFIG.declineRefuseSeconds,
    waitingRefuseSeconds: DEFAULT_SCHEDULER_CONFIG.shortRefuseSeconds,
  };
}

async function subscribed(scheduler: RunningScheduler): Promise<void> {
  const deadline = Date.now() + SUBSCRIBE_TIMEOUT_MS;
  while (!scheduler.service.isSubscribed) {
    if (Date.now() > deadline) {
      throw new CommandFailedError(`the scheduler did not subscribe to the simulated master within ${SUBSCRIBE_TIMEOUT_MS / 1000} s; run with --log-level info to see why`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function shellWord(text: string): string {
  return /^[A-Za-z0-9_/.+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
