// Leader failover: three Ferry schedulers on one ZooKeeper root
// (--zk-session-timeout 2000), a simulator running a few stateful apps as real
// processes. The leader is SIGKILLed; the figure is the time until a standby
// is SUBSCRIBED to the master (its log line's `time`), cross-checked against
// the moment the simulator's /state shows the framework active again. Every
// task must survive: same task ids, still RUNNING, nothing launched. The
// killed instance is restarted as a standby before the next repetition.
//
//   node dist/bench/failover.js [--repeat 5] [--apps 3] [--session-timeout-ms 2000]

import { benchFlags, numberFlag } from './support/benchArgs.js';
import { runBenchmark } from './support/cleanup.js';
import { logTime, startFerry, type FerryProcess } from './support/ferryProcess.js';
import { requestJson, sleep, waitUntil } from './support/httpJson.js';
import { describeMachine, machineInfo } from './support/machine.js';
import { startSim, type SimProcess } from './support/simProcess.js';
import { median, round } from './support/stats.js';
import { tempDir } from './support/tempDir.js';
import { startZooKeeper } from './support/zooKeeper.js';

const TARGET_MS = 3000;
const SUBSCRIBED = '"msg":"subscribed to the Mesos master"';

interface Args {
  repeat: number;
  apps: number;
  sessionTimeoutMs: number;
}

interface Repetition {
  killedApi: string;
  newLeaderApi: string;
  /** kill -> the new leader logged SUBSCRIBED */
  subscribedMs: number;
  /** kill -> the simulator's /state showed the framework active again (polled every 25 ms) */
  activeAgainMs: number | undefined;
  /** kill -> the new leader's "leading" line (elected, state loaded) */
  leadingMs: number | undefined;
  sameTasks: boolean;
  launchedAfterKill: number;
}

function parseArgs(argv: string[]): Args {
  const values = benchFlags(argv, { repeat: true, apps: true, 'session-timeout-ms': true });
  return { repeat: numberFlag(values, 'repeat', 5), apps: numberFlag(values, 'apps', 3), sessionTimeoutMs: numberFlag(values, 'session-timeout-ms', 2000) };
}

function appDefinition(i: number): Record<string, unknown> {
  return {
    id: `/failover/app-${i}`,
    cmd: 'sleep 3600',
    cpus: 0.1,
    mem: 32,
    portDefinitions: [],
    container: {
      type: 'MESOS',
      volumes: [{ containerPath: 'data', mode: 'RW', external: { name: `failover-${i}`, size: 1, provider: 'ferry', options: { 'ferry/backend': 'local' } } }],
    },
  };
}

async function leaderOf(instances: FerryProcess[]): Promise<FerryProcess> {
  let leader: FerryProcess | undefined;
  await waitUntil(
    async () => {
      for (const f of instances) {
        if (f.child.exited) continue;
        const r = await requestJson<{ leader: string; self: boolean }>(f.api, 'GET', '/v1/leader').catch(() => undefined);
        if (r?.status === 200 && r.body.self) {
          leader = f;
          return true;
        }
      }
      return false;
    },
    30_000,
    () => 'no Ferry instance leads',
    50,
  );
  return leader!;
}

/** The app tasks (not prepare tasks) Mesos runs for the framework, by id. */
async function runningAppTasks(sim: SimProcess): Promise<{ frameworkId: string; active: boolean; taskIds: string[] }> {
  const state = await sim.state();
  const f = state.frameworks[0];
  if (f === undefined) return { frameworkId: '', active: false, taskIds: [] };
  return {
    frameworkId: f.id,
    active: f.active,
    taskIds: f.tasks.filter((t) => t.state === 'TASK_RUNNING' && !t.name.startsWith('prepare')).map((t) => t.id).sort(),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  console.log(`failover: ${describeMachine(machine)}`);
  const dir = tempDir('failover');
  const zk = await startZooKeeper(tempDir('failover-zk'));
  const sim = await startSim({ dir, agents: 3, allocationIntervalSeconds: 1 });
  const common = ['--master', sim.address, '--zk', `zk://${zk.connect}/ferry-failover`, '--zk-session-timeout', String(args.sessionTimeoutMs)];
  let generation = 0;
  const start = (port?: number): Promise<FerryProcess> =>
    startFerry({ name: `ferry-${++generation}`, dir, args: common, ...(port !== undefined ? { port } : {}) });
  const instances: FerryProcess[] = [await start(), await start(), await start()];
  const first = await leaderOf(instances);
  await first.child.waitForLine((l) => l.includes(SUBSCRIBED), 30_000);
  for (let i = 1; i <= args.apps; i++) {
    const r = await requestJson(first.api, 'POST', '/v1/apps', appDefinition(i));
    if (r.status !== 201) throw new Error(`POST app ${i} answered ${r.status}: ${JSON.stringify(r.body)}`);
  }
  await waitUntil(async () => (await runningAppTasks(sim)).taskIds.length === args.apps, 60_000, () => `${args.apps} app tasks never all ran`, 200);
  const initial = await runningAppTasks(sim);
  console.log(`${args.apps} stateful apps running as real processes: ${initial.taskIds.join(', ')}`);
  console.log(`three Ferry instances, ZooKeeper session timeout ${args.sessionTimeoutMs} ms; SIGKILL the leader ${args.repeat} times`);

  const reps: Repetition[] = [];
  for (let rep = 1; rep <= args.repeat; rep++) {
    await sleep(2000);
    const leader = await leaderOf(instances);
    const standbys = instances.filter((f) => f !== leader);
    const before = await runningAppTasks(sim);
    let activeAgain: number | undefined;
    let sawInactive = false;
    let polling = true;
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    const poller = (async () => {
      while (polling) {
        const s = await runningAppTasks(sim).catch(() => undefined);
        if (s !== undefined) {
          if (!s.active) sawInactive = true;
          else if (sawInactive && activeAgain === undefined) activeAgain = Date.now();
        }
        await sleep(25);
      }
    })();
    let line: { f: FerryProcess; l: string };
    try {
      line = await Promise.any(standbys.map((f) => f.child.waitForLine((l) => l.includes(SUBSCRIBED) && (logTime(l) ?? 0) > killedAt, 30_000).then((l) => ({ f, l }))));
      await waitUntil(() => activeAgain !== undefined, 10_000, () => 'the framework never showed active again in /state', 25).catch(() => undefined);
    } catch {
      throw new Error(`no standby subscribed within 30 s of the kill; logs: ${standbys.map((f) => f.child.logFile).join(', ')}`);
    } finally {
      polling = false;
      await poller;
    }
    const subscribedAt = logTime(line.l)!;
    const leadingLine = line.f.child.lines().find((l) => l.includes('"msg":"leading"') && (logTime(l) ?? 0) > killedAt);
    await sleep(3000);
    const after = await runningAppTasks(sim);
    const launched = line.f.child.lines().filter((l) => l.includes('"msg":"launching"') && (logTime(l) ?? 0) > killedAt).length;
    const r: Repetition = {
      killedApi: leader.api,
      newLeaderApi: line.f.api,
      subscribedMs: subscribedAt - killedAt,
      activeAgainMs: activeAgain === undefined ? undefined : activeAgain - killedAt,
      leadingMs: leadingLine === undefined ? undefined : logTime(leadingLine)! - killedAt,
      sameTasks: JSON.stringify(after.taskIds) === JSON.stringify(before.taskIds) && after.frameworkId === before.frameworkId && JSON.stringify(after.taskIds) === JSON.stringify(initial.taskIds),
      launchedAfterKill: launched,
    };
    reps.push(r);
    console.log(
      `  #${rep}: killed ${r.killedApi}; ${r.newLeaderApi} leading after ${r.leadingMs ?? '-'} ms, SUBSCRIBED after ${r.subscribedMs} ms, framework active in /state after ${r.activeAgainMs ?? '-'} ms; tasks unchanged: ${r.sameTasks ? 'yes' : 'NO'}, launched: ${r.launchedAfterKill}`,
    );
    // the killed instance comes back as a standby on its old port
    const port = Number(leader.api.split(':')[1]);
    await leader.stop();
    instances.splice(instances.indexOf(leader), 1, await start(port));
  }

  const subscribed = reps.map((r) => r.subscribedMs);
  const active = reps.map((r) => r.activeAgainMs).filter((v): v is number => v !== undefined);
  const allSame = reps.every((r) => r.sameTasks && r.launchedAfterKill === 0);
  const met = Math.max(...subscribed) <= TARGET_MS && allSame;
  console.log('');
  console.log(`SIGKILL of the leader -> a standby SUBSCRIBED: median ${median(subscribed)} ms, max ${Math.max(...subscribed)} ms (${reps.length} runs)`);
  console.log(`  -> framework active again in the simulator's /state: median ${round(median(active), 0)} ms, max ${Math.max(...active)} ms`);
  console.log(`  no task restarted, duplicated or launched in any run: ${allSame ? 'yes' : 'NO'}`);
  console.log(`target: <= ${TARGET_MS} ms (session timeout ${args.sessionTimeoutMs} ms + 1 s) with no task restarted: ${met ? 'met' : 'NOT met'}`);
  console.log(JSON.stringify({ benchmark: 'failover', machine, args, targetMs: TARGET_MS, repetitions: reps, medianSubscribedMs: median(subscribed), maxSubscribedMs: Math.max(...subscribed), medianActiveMs: median(active), maxActiveMs: Math.max(...active), noTaskRestarted: allSame, targetMet: met }));
}

await runBenchmark(main);
