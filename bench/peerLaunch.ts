// Ferry against a peer on the same simulator in the same run: the npm package
// `mesos-framework` launching N `sleep` tasks of 0.1 cpus on 3 agents (real
// processes), and Ferry launching N single-instance apps of the same size —
// stateless (no volume, no prepare step) and stateful (one local dataset each:
// a prepare task, then the app task). Figure: time from submission to every
// task RUNNING (the simulator's TASK_RUNNING timestamps), and the ratio. The
// peer is installed for this run only, outside the repository.
//
//   node dist/bench/peerLaunch.js [--tasks 100] [--cpus 0.1] [--mem 32] [--repeat 3]
//        [--peer-dir DIR_WITH_node_modules/mesos-framework] [--store zk|file]

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { benchFlags, choiceFlag, numberFlag } from './support/benchArgs.js';
import { runBenchmark } from './support/cleanup.js';
import { startChild } from './support/childProcess.js';
import { startFerry, type FerryProcess } from './support/ferryProcess.js';
import { mapConcurrently, requestJson, sleep, waitUntil } from './support/httpJson.js';
import { describeMachine, machineInfo } from './support/machine.js';
import { FERRY_ROOT } from './support/paths.js';
import { startSim, type SimProcess } from './support/simProcess.js';
import { median, round } from './support/stats.js';
import { tempDir } from './support/tempDir.js';
import { startZooKeeper } from './support/zooKeeper.js';
import type { FrameworkJson } from '../src/sim/stateJson.js';

const run = promisify(execFile);
const PEER_PACKAGE = 'mesos-framework@0.5.3';
const TARGET_RATIO = 10;

interface Args {
  tasks: number;
  cpus: number;
  mem: number;
  repeat: number;
  peerDir: string | undefined;
  store: 'zk' | 'file';
}

interface Timing {
  /** submission -> last TASK_RUNNING, ms */
  ms: number;
  running: number;
  /** when tasks reached their agents, ms after submission, grouped into offer rounds */
  waves: { atMs: number; tasks: number }[];
  /** Ferry only: ms until every POST /v1/apps was answered */
  postsMs?: number;
}

interface PeerTiming extends Timing {
  /** process spawn -> last TASK_RUNNING (includes loading the library) */
  fromSpawnMs: number;
  errors: string[];
}

function parseArgs(argv: string[]): Args {
  const values = benchFlags(argv, { tasks: true, cpus: true, mem: true, repeat: true, 'peer-dir': true, store: true });
  const peerDir = values['peer-dir'];
  return {
    tasks: numberFlag(values, 'tasks', 100),
    cpus: numberFlag(values, 'cpus', 0.1),
    mem: numberFlag(values, 'mem', 32),
    repeat: numberFlag(values, 'repeat', 3),
    peerDir: typeof peerDir === 'string' ? peerDir : undefined,
    store: choiceFlag(values, 'store', ['zk', 'file'], 'zk'),
  };
}

async function installPeer(args: Args): Promise<string> {
  if (args.peerDir !== undefined) {
    if (!existsSync(join(args.peerDir, 'node_modules', 'mesos-framework'))) throw new Error(`${args.peerDir}/node_modules/mesos-framework is missing`);
    return args.peerDir;
  }
  const dir = tempDir('peer-lib');
  console.log(`installing ${PEER_PACKAGE} into ${dir} (for this run only)`);
  await run('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-package-lock', PEER_PACKAGE], { timeout: 300_000 });
  return dir;
}

/** The framework's tasks in TASK_RUNNING, and the latest of their TASK_RUNNING timestamps (ms). */
function running(framework: FrameworkJson | undefined, select: (taskId: string, name: string) => boolean): { count: number; lastMs: number } {
  let count = 0;
  let lastMs = 0;
  for (const t of framework?.tasks ?? []) {
    if (t.state !== 'TASK_RUNNING' || !select(t.id, t.name)) continue;
    count++;
    const ts = t.statuses.find((s) => s.state === 'TASK_RUNNING')?.timestamp;
    if (ts !== undefined) lastMs = Math.max(lastMs, ts * 1000);
  }
  return { count, lastMs };
}

async function waitAllRunning(sim: SimProcess, frameworkName: string, select: (taskId: string, name: string) => boolean, want: number, timeoutMs: number): Promise<{ count: number; lastMs: number }> {
  let last = { count: 0, lastMs: 0 };
  await waitUntil(
    async () => {
      const state = await sim.state();
      last = running(state.frameworks.find((f) => f.name === frameworkName), select);
      return last.count >= want;
    },
    timeoutMs,
    () => `${frameworkName}: ${last.count}/${want} tasks running`,
    50,
  );
  return last;
}

async function waitNoneRunning(sim: SimProcess, frameworkName: string, timeoutMs = 60_000): Promise<void> {
  await waitUntil(
    async () => {
      const state = await sim.state();
      const f = state.frameworks.find((x) => x.name === frameworkName);
      return (f?.tasks ?? []).filter((t) => !['TASK_KILLED', 'TASK_FINISHED', 'TASK_FAILED'].includes(t.state)).length === 0;
    },
    timeoutMs,
    () => `${frameworkName} still has live tasks`,
    200,
  );
}

/** Every task launch the simulator's agents logged: when, and for which framework. */
class LaunchLog {
  private readonly launches: { time: number; frameworkId: string; taskId: string }[] = [];

  constructor(sim: SimProcess) {
    sim.child.onLine((line) => {
      if (!line.includes('"msg":"launching task"') || !line.includes('"component":"agent"')) return;
      try {
        const e = JSON.parse(line) as { time: number; frameworkId: string; taskId: string };
        this.launches.push({ time: e.time, frameworkId: e.frameworkId, taskId: e.taskId });
      } catch {
        // not a log line
      }
    });
  }

  /** Launches after `from` whose task id passes `select`, grouped into waves (gaps over 300 ms). */
  waves(from: number, select: (taskId: string) => boolean): { atMs: number; tasks: number }[] {
    const waves: { atMs: number; tasks: number }[] = [];
    let last = -Infinity;
    for (const l of this.launches) {
      if (l.time < from || !select(l.taskId)) continue;
      if (l.time - last > 300) waves.push({ atMs: l.time - from, tasks: 0 });
      waves[waves.length - 1]!.tasks++;
      last = l.time;
    }
    return waves;
  }
}

const describeWaves = (waves: { atMs: number; tasks: number }[]): string => waves.map((w) => `${w.tasks}@${w.atMs}ms`).join(' ');

async function runPeer(args: Args, sim: SimProcess, launches: LaunchLog, lib: string, rep: number): Promise<PeerTiming> {
  const name = `peer-r${rep}`;
  const dir = tempDir(`peer-r${rep}`);
  const spawnedAt = Date.now();
  const child = startChild({
    name,
    command: process.execPath,
    args: [
      join(FERRY_ROOT, 'dist', 'bench', 'support', 'peerRunner.js'),
      '--lib', lib, '--master', sim.address, '--name', name,
      '--tasks', String(args.tasks), '--cpus', String(args.cpus), '--mem', String(args.mem), '--log-dir', dir,
    ],
    logFile: join(dir, 'peer.out'),
  });
  const subscribedLine = await child.waitForLine((l) => l.includes('"peer":"subscribed"'), 60_000);
  const subscribedAt = (JSON.parse(subscribedLine) as { time: number }).time;
  const done = await waitAllRunning(sim, name, () => true, args.tasks, 120_000).catch((err: Error) => {
    throw new Error(`${err.message}; peer output: ${child.lines().slice(-10).join(' | ')}`);
  });
  const errors = child.lines().filter((l) => l.includes('"peer":"error"'));
  await child.stop();
  await waitNoneRunning(sim, name);
  const waves = launches.waves(subscribedAt, (id) => id.startsWith(`${name}.`));
  return { ms: done.lastMs - subscribedAt, fromSpawnMs: done.lastMs - spawnedAt, running: done.count, errors, waves };
}

async function runFerry(args: Args, sim: SimProcess, launches: LaunchLog, ferry: FerryProcess, rep: number, stateful: boolean): Promise<Timing> {
  const kind = stateful ? 'stateful' : 'stateless';
  const ids = Array.from({ length: args.tasks }, (_, i) => `/peer/r${rep}-${kind}-${String(i + 1).padStart(3, '0')}`);
  const prefix = `peer_r${rep}-${kind}-`;
  const definition = (id: string): Record<string, unknown> => ({
    id,
    cmd: 'sleep 3600',
    cpus: args.cpus,
    mem: args.mem,
    instances: 1,
    portDefinitions: [],
    ...(stateful
      ? {
          container: {
            type: 'MESOS',
            volumes: [{ containerPath: 'data', mode: 'RW', external: { name: `${id.slice(6)}-data`, size: 1, provider: 'ferry', options: { 'ferry/backend': 'local' } } }],
          },
        }
      : {}),
  });
  const submittedAt = Date.now();
  await mapConcurrently(ids, 16, async (id) => {
    const r = await requestJson(ferry.api, 'POST', '/v1/apps', definition(id));
    if (r.status !== 201) throw new Error(`POST ${id} answered ${r.status}: ${JSON.stringify(r.body)}`);
  });
  const postsMs = Date.now() - submittedAt;
  const done = await waitAllRunning(sim, 'ferry', (id, name) => id.startsWith(prefix) && !name.startsWith('prepare'), args.tasks, 120_000);
  await mapConcurrently(ids, 16, async (id) => {
    const r = await requestJson(ferry.api, 'DELETE', `/v1/apps${id}`);
    if (r.status !== 200) throw new Error(`DELETE ${id} answered ${r.status}: ${JSON.stringify(r.body)}`);
  });
  await waitNoneRunning(sim, 'ferry');
  return { ms: done.lastMs - submittedAt, running: done.count, postsMs, waves: launches.waves(submittedAt, (id) => id.startsWith(prefix)) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  console.log(`peerLaunch: ${describeMachine(machine)}`);
  const lib = await installPeer(args);
  const dir = tempDir('peer-launch');
  const sim = await startSim({ dir, agents: 3, allocationIntervalSeconds: 1, logLevel: 'info' });
  const launches = new LaunchLog(sim);
  const storeArgs = args.store === 'zk' ? ['--zk', `zk://${(await startZooKeeper(tempDir('peer-zk'))).connect}/ferry-peer`] : ['--state', `file:${join(dir, 'state')}`];
  const ferry = await startFerry({ name: 'ferry', dir, args: ['--master', sim.address, ...storeArgs] });
  await ferry.child.waitForLine((l) => l.includes('"msg":"subscribed to the Mesos master"'), 60_000);
  await sleep(2000);
  console.log(`${args.tasks} tasks of ${args.cpus} cpus / ${args.mem} MB on 3 agents (cpus:4;mem:8192 each), real processes, allocation every 1 s; Ferry with --${args.store === 'zk' ? 'zk' : 'state file:'} store`);

  const peer: PeerTiming[] = [];
  const stateless: Timing[] = [];
  const stateful: Timing[] = [];
  for (let rep = 1; rep <= args.repeat; rep++) {
    const p = await runPeer(args, sim, launches, lib, rep);
    peer.push(p);
    const s = await runFerry(args, sim, launches, ferry, rep, false);
    stateless.push(s);
    const d = await runFerry(args, sim, launches, ferry, rep, true);
    stateful.push(d);
    console.log(
      `  #${rep}: mesos-framework ${p.ms} ms from SUBSCRIBED (${p.fromSpawnMs} ms from process start${p.errors.length > 0 ? `, ${p.errors.length} error events` : ''}); Ferry stateless ${s.ms} ms, stateful ${d.ms} ms from the first POST`,
    );
    console.log(`     launch waves (tasks@ms after submission): mesos-framework ${describeWaves(p.waves)}`);
    console.log(`     Ferry stateless ${describeWaves(s.waves)} (POSTs answered at ${s.postsMs} ms); stateful ${describeWaves(d.waves)} (POSTs at ${d.postsMs} ms; prepare tasks included)`);
    for (const e of p.errors.slice(0, 3)) console.log(`     peer error: ${e.slice(0, 300)}`);
  }
  const peerMs = median(peer.map((p) => p.ms));
  const statelessMs = median(stateless.map((s) => s.ms));
  const statefulMs = median(stateful.map((s) => s.ms));
  const ratio = round(peerMs / statelessMs, 1);
  const ratioStateful = round(peerMs / statefulMs, 1);
  console.log('');
  console.log(`submission -> all ${args.tasks} RUNNING (median of ${args.repeat}):`);
  console.log(`  mesos-framework (from its SUBSCRIBED): ${peerMs} ms (from process start: ${median(peer.map((p) => p.fromSpawnMs))} ms)`);
  console.log(`  Ferry, stateless apps:                 ${statelessMs} ms  -> ${ratio}x faster`);
  console.log(`  Ferry, stateful apps (prepare + task): ${statefulMs} ms  -> ${ratioStateful}x faster`);
  console.log(`target: Ferry >= ${TARGET_RATIO}x faster (stateless): ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}; stateful: ${ratioStateful >= TARGET_RATIO ? 'met' : 'NOT met'}`);
  console.log(JSON.stringify({ benchmark: 'peerLaunch', machine, args, peerPackage: PEER_PACKAGE, peer, stateless, stateful, medians: { peerMs, statelessMs, statefulMs }, ratio, ratioStateful, targetRatio: TARGET_RATIO }));
}

await runBenchmark(main);
