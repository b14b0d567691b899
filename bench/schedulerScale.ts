// Ferry at scale: a simulator with 1,000 processless agents (allocation every
// 1 s, offers rescinded after 10 s unanswered) and Ferry as its own process, leading through a standalone ZooKeeper
// (or the embedded file store, for comparison). 10,000 single-instance apps,
// each with its own local-backend dataset, are POSTed to the API; figures:
// the time until every app task is RUNNING, Ferry's CPU per 1,000-offer round
// once all run (offers kept flowing by one app that fits nowhere, net of
// Ferry's idle CPU with the same 10,000 apps, the mean of idle windows before and after), Ferry's own
// account of the same rounds (median, p90 and mean of ferry_offer_event_cpu_seconds over the steady
// window, from /metrics), and Ferry's RSS at the end.
// With --profile, Ferry runs under `node --cpu-prof` and the self time of its
// functions is printed per phase.
//
//   node dist/bench/schedulerScale.js [--agents 1000] [--apps 10000] [--concurrency 32]
//        [--stores zk,file] [--data-via env|volume] [--steady-seconds 40] [--waiting-refuse-seconds 1] [--profile] [--heap-snapshot]

import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseTaskId } from '../src/apps/taskId.js';
import { runBenchmark } from './support/cleanup.js';
import { startFerry, type FerryProcess } from './support/ferryProcess.js';
import { mapConcurrently, requestJson, sleep } from './support/httpJson.js';
import { describeMachine, machineInfo } from './support/machine.js';
import { extraPerUnit, loadProfile, monotonicMicros, printSummary, summarizeProfile, type ProfileSummary } from './support/cpuProfile.js';
import { summarizeHeapSnapshot, type HeapSummary } from './support/heapSnapshot.js';
import { FERRY_ROOT } from './support/paths.js';
import { cpuMsOf, memoryOf, mib } from './support/procStats.js';
import { startSim, type SimProcess } from './support/simProcess.js';
import { median, round } from './support/stats.js';
import { tempDir } from './support/tempDir.js';
import { startZooKeeper, type ZooKeeper } from './support/zooKeeper.js';
import { benchFlags, choiceFlag, listFlag, numberFlag } from './support/benchArgs.js';
import { appDefinition, appId, UNPLACEABLE } from './support/scaleApps.js';
import { histogramDelta, histogramQuantile, readHistogram, type HistogramReading } from './support/promHistogram.js';

const TARGETS = { allRunningSeconds: 30, cpuMsPerRound: 20, rssBytes: 300 * 1024 * 1024 };
const OFFER_TIMEOUT_S = 10;

type Store = 'zk' | 'file';

interface Args {
  agents: number;
  apps: number;
  concurrency: number;
  stores: Store[];
  dataVia: 'env' | 'volume';
  steadySeconds: number;
  profile: boolean;
  heapSnapshot: boolean;
  timeoutSeconds: number;
  /** Ferry's --waiting-refuse-seconds: how soon declined offers come back while the unplaceable app waits */
  waitingRefuseSeconds: number;
}

interface LogEvent {
  time: number;
  msg: string;
  [key: string]: unknown;
}

interface StoreResult {
  store: Store;
  apps: number;
  agents: number;
  dataVia: string;
  postFailures: number;
  submitSeconds: number;
  allRunningSeconds: number;
  allRunningSecondsBySimTimestamps: number | undefined;
  runningInMesos: number;
  runningInFerry: number | undefined;
  listAppsMs: number | undefined;
  placementRounds: number;
  launchCalls: number;
  ferryCpuMsPlacement: number;
  simCpuMsPlacement: number;
  idleCpuMsPerSecond: number;
  /** the idle window after the steady one */
  idleAfterCpuMsPerSecond: number;
  idleAfterOffersDeclined: number;
  steadyWindowSeconds: number;
  steadyOffersDeclined: number;
  steadyRounds: number;
  steadyOffersPerRound: number;
  /** Ferry's failed Mesos calls ("Mesos call failed"), by type */
  failedCallsPlacement: Record<string, number>;
  failedCallsSteady: Record<string, number>;
  steadyCpuMsGross: number;
  cpuMsPerRoundGross: number | undefined;
  cpuMsPerRoundNet: number | undefined;
  /** Ferry's own account (ferry_offer_event_cpu_seconds) of the steady window's OFFERS events, per 1,000 offers */
  inProcess: InProcessRoundCpu | undefined;
  ferryRssBytes: number;
  ferryPeakRssBytes: number;
  simRssBytes: number;
  targets: { allRunning: boolean; cpuPerRound: boolean | undefined; rss: boolean };
  profile?: Record<string, ProfileSummary>;
  heap?: HeapSummary;
}

/** ferry_offer_event_cpu_seconds over the steady window, scaled to 1,000 offers by the median offers per round. */
interface InProcessRoundCpu {
  events: number;
  medianMs: number | undefined;
  p90Ms: number | undefined;
  meanMs: number;
}

const ROUND_CPU_METRIC = 'ferry_offer_event_cpu_seconds';

async function offerCpuHistogram(ferry: FerryProcess): Promise<HistogramReading | undefined> {
  const r = await requestJson<string>(ferry.api, 'GET', '/metrics');
  return r.status === 200 && typeof r.body === 'string' ? readHistogram(r.body, ROUND_CPU_METRIC) : undefined;
}

function inProcessRoundCpu(before: HistogramReading | undefined, after: HistogramReading | undefined, offersPerRound: number): InProcessRoundCpu | undefined {
  if (before === undefined || after === undefined || offersPerRound <= 0) return undefined;
  const window = histogramDelta(before, after);
  if (window.count <= 0) return undefined;
  const perThousandMs = (seconds: number | undefined): number | undefined => (seconds === undefined ? undefined : round((seconds * 1000 * 1000) / offersPerRound, 2));
  return {
    events: window.count,
    medianMs: perThousandMs(histogramQuantile(window, 0.5)),
    p90Ms: perThousandMs(histogramQuantile(window, 0.9)),
    meanMs: perThousandMs(window.sum / window.count)!,
  };
}

function parseArgs(argv: string[]): Args {
  const values = benchFlags(argv, {
    agents: true,
    apps: true,
    concurrency: true,
    'steady-seconds': true,
    'timeout-seconds': true,
    'waiting-refuse-seconds': true,
    stores: true,
    'data-via': true,
    profile: false,
    'heap-snapshot': false,
  });
  return {
    agents: numberFlag(values, 'agents', 1000),
    apps: numberFlag(values, 'apps', 10_000),
    concurrency: numberFlag(values, 'concurrency', 32),
    stores: listFlag(values, 'stores', ['zk', 'file'] as const, ['zk', 'file']),
    dataVia: choiceFlag(values, 'data-via', ['env', 'volume'] as const, 'env'),
    steadySeconds: numberFlag(values, 'steady-seconds', 40),
    profile: values['profile'] === true,
    heapSnapshot: values['heap-snapshot'] === true,
    timeoutSeconds: numberFlag(values, 'timeout-seconds', 900),
    waitingRefuseSeconds: numberFlag(values, 'waiting-refuse-seconds', 1),
  };
}


function parseLog(line: string): LogEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as LogEvent;
  } catch {
    return undefined;
  }
}

/** What the simulator's log says: launches per app, and every DECLINE with its offer count. */
class SimLogWatch {
  readonly launchesByApp = new Map<string, number>();
  readonly declines: { time: number; declined: number }[] = [];
  lastLaunchTime = 0;
  private readonly waiters: { check: () => boolean; resolve: () => void }[] = [];

  constructor(sim: SimProcess) {
    sim.child.onLine((line) => {
      if (line.includes('"msg":"launching task"')) {
        // the master and the agent each log the launch; the agent's line is when it runs (processless: RUNNING at once)
        const e = parseLog(line);
        const parsed = e?.['component'] === 'agent' && typeof e['taskId'] === 'string' ? parseTaskId(e['taskId']) : undefined;
        if (e !== undefined && parsed !== undefined) {
          this.launchesByApp.set(parsed.appId, (this.launchesByApp.get(parsed.appId) ?? 0) + 1);
          this.lastLaunchTime = e.time;
        }
      } else if (line.includes('"msg":"processed DECLINE"')) {
        const e = parseLog(line);
        if (e !== undefined) this.declines.push({ time: e.time, declined: Number(e['declined'] ?? 0) });
      } else return;
      for (const w of [...this.waiters]) {
        if (w.check()) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
  }

  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }

  appsWithLaunches(needed: number): number {
    let n = 0;
    for (const [id, count] of this.launchesByApp) if (id.startsWith('/scale/app-') && count >= needed) n++;
    return n;
  }

  /** Offers declined in the window, grouped into rounds (DECLINE calls less than 500 ms apart belong to one round). */
  declinedBetween(from: number, to: number): { offers: number; rounds: number[] } {
    const inWindow = this.declines.filter((d) => d.time >= from && d.time < to);
    const rounds: number[] = [];
    let last = -Infinity;
    for (const d of inWindow) {
      if (d.time - last > 500) rounds.push(0);
      rounds[rounds.length - 1]! += d.declined;
      last = d.time;
    }
    return { offers: inWindow.reduce((s, d) => s + d.declined, 0), rounds };
  }
}

/** Ferry's "Mesos call failed" lines in a time window, by call type. */
function failedCalls(ferry: FerryProcess, from: number, to: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of ferry.child.lines()) {
    if (!line.includes('"msg":"Mesos call failed"')) continue;
    const e = parseLog(line);
    if (e === undefined || e.time < from || e.time >= to) continue;
    const action = String(e['action']);
    out[action] = (out[action] ?? 0) + 1;
  }
  return out;
}

async function runStore(args: Args, store: Store, zk: ZooKeeper | undefined): Promise<StoreResult> {
  const dir = tempDir(`scale-${store}`);
  // offers time out after OFFER_TIMEOUT_S: an offer whose DECLINE was lost (see failedCalls) comes back instead of being held forever
  const sim = await startSim({ dir, agents: args.agents, processless: true, allocationIntervalSeconds: 1, logLevel: 'debug', extraArgs: ['--offer-timeout', String(OFFER_TIMEOUT_S)] });
  const simLog = new SimLogWatch(sim);
  const storeArgs = store === 'zk' ? ['--zk', `zk://${zk!.connect}/ferry-scale-${Date.now()}`] : ['--state', `file:${join(dir, 'state')}`];
  const profileDir = args.profile ? join(dir, 'profile') : undefined;
  const heapDir = join(dir, 'heap');
  mkdirSync(heapDir, { recursive: true });
  const ferry: FerryProcess = await startFerry({
    name: `ferry-${store}`,
    dir,
    args: ['--master', sim.address, ...storeArgs, '--data-via', args.dataVia, '--zk-session-timeout', '10000', '--waiting-refuse-seconds', String(args.waitingRefuseSeconds)],
    ...(profileDir !== undefined ? { cpuProfileDir: profileDir } : {}),
    ...(args.heapSnapshot ? { nodeArgs: ['--heapsnapshot-signal=SIGUSR2'], cwd: heapDir } : {}),
  });
  const windows: Record<string, { fromUs: number; toUs: number }> = {};
  try {
    await ferry.child.waitForLine((l) => l.includes('"msg":"subscribed to the Mesos master"'), 60_000);
    await sleep(3000); // the first offers are declined and Ferry suppresses
    const apps = Array.from({ length: args.apps }, (_, i) => i + 1);

    // ---- placement: submit every app, wait until every app task runs
    const ferryCpu0 = cpuMsOf(ferry.child.pid);
    const simCpu0 = cpuMsOf(sim.child.pid);
    const launchLines0 = ferry.child.lines().length;
    const t0 = Date.now();
    const p0 = performance.now();
    const us0 = monotonicMicros();
    let postFailures = 0;
    let firstFailure = '';
    await mapConcurrently(apps, args.concurrency, async (i) => {
      const r = await requestJson(ferry.api, 'POST', '/v1/apps', appDefinition(i)).catch((err: Error) => ({ status: 0, body: err.message }));
      if (r.status !== 201) {
        postFailures++;
        firstFailure ||= `${r.status} ${JSON.stringify(r.body).slice(0, 300)}`;
      }
    });
    const submitSeconds = (performance.now() - p0) / 1000;
    windows['submit'] = { fromUs: us0, toUs: monotonicMicros() };
    console.log(`  ${store}: ${args.apps} apps POSTed in ${round(submitSeconds, 2)} s (${postFailures} failed${firstFailure ? `; first: ${firstFailure}` : ''})`);

    const needed = args.dataVia === 'volume' ? 2 : 1;
    const expected = args.apps - postFailures;
    const progress = setInterval(() => console.log(`    ... ${simLog.appsWithLaunches(needed)}/${expected} apps launched (${round((performance.now() - p0) / 1000)} s)`), 5000);
    let deadlineTimer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (deadlineTimer = setTimeout(() => resolve('timeout'), args.timeoutSeconds * 1000)));
    const outcome = await Promise.race([simLog.until(() => simLog.appsWithLaunches(needed) >= expected).then(() => 'done' as const), deadline]);
    clearTimeout(deadlineTimer);
    clearInterval(progress);
    const allRunningSeconds = (simLog.lastLaunchTime - t0) / 1000;
    windows['placement'] = { fromUs: us0, toUs: monotonicMicros() };
    const ferryCpuPlacement = cpuMsOf(ferry.child.pid) - ferryCpu0;
    const simCpuPlacement = cpuMsOf(sim.child.pid) - simCpu0;
    const launchCalls = ferry.child.lines().slice(launchLines0).filter((l) => l.includes('"msg":"launching"')).length;
    if (outcome === 'timeout') {
      const sample = await requestJson<{ tasks?: { id: string; state: string }[]; pending?: unknown }>(ferry.api, 'GET', `/v1/apps${appId(1)}`).catch(() => undefined);
      const said = { tasks: sample?.body.tasks?.map((t) => `${t.id} ${t.state}`), pending: sample?.body.pending };
      throw new Error(`${store}: only ${simLog.appsWithLaunches(needed)}/${expected} apps launched after ${args.timeoutSeconds} s; ${appId(1)} says ${JSON.stringify(said)}`);
    }
    const placementRounds = new Set(
      ferry.child
        .lines()
        .slice(launchLines0)
        .filter((l) => l.includes('"msg":"launching"'))
        .map((l) => Math.floor((parseLog(l)?.time ?? 0) / 500)),
    ).size;
    console.log(`  ${store}: every app task launched ${round(allRunningSeconds, 2)} s after the first POST (${launchCalls} ACCEPT calls)`);

    // the simulator's own account: every app task RUNNING, and when
    await sleep(3000);
    const state = await sim.state();
    let runningInMesos = 0;
    let lastRunning = 0;
    for (const f of state.frameworks) {
      for (const t of f.tasks) {
        if (t.state !== 'TASK_RUNNING' || t.name.startsWith('prepare') || parseTaskId(t.id)?.appId.startsWith('/scale/app-') !== true) continue;
        runningInMesos++;
        const running = t.statuses.find((s) => s.state === 'TASK_RUNNING');
        if (running !== undefined) lastRunning = Math.max(lastRunning, running.timestamp * 1000);
      }
    }
    const allRunningBySim = lastRunning > 0 ? (lastRunning - t0) / 1000 : undefined;

    // ---- steady state: idle (suppressed) first, then with offers flowing
    await sleep(5000);
    const idleFrom = Date.now();
    const idleUs = monotonicMicros();
    const idleCpu0 = cpuMsOf(ferry.child.pid);
    await sleep(args.steadySeconds * 1000);
    const idleCpuMs = cpuMsOf(ferry.child.pid) - idleCpu0;
    const idleTo = Date.now();
    windows['idle'] = { fromUs: idleUs, toUs: monotonicMicros() };
    const idleOffers = simLog.declinedBetween(idleFrom, idleTo);
    const idleRate = idleCpuMs / ((idleTo - idleFrom) / 1000);

    const posted = await requestJson(ferry.api, 'POST', '/v1/apps', UNPLACEABLE);
    if (posted.status !== 201) throw new Error(`POST ${UNPLACEABLE.id} answered ${posted.status}: ${JSON.stringify(posted.body)}`);
    const afterPost = Date.now();
    await simLog.until(() => simLog.declines.some((d) => d.time >= afterPost));
    await sleep(500);
    // scraped outside the CPU window: a scrape walks every instance for the gauges
    const histogramBefore = await offerCpuHistogram(ferry);
    const steadyFrom = Date.now();
    const steadyUs = monotonicMicros();
    const steadyCpu0 = cpuMsOf(ferry.child.pid);
    await sleep(args.steadySeconds * 1000);
    const steadyCpuMs = cpuMsOf(ferry.child.pid) - steadyCpu0;
    const steadyTo = Date.now();
    windows['steady'] = { fromUs: steadyUs, toUs: monotonicMicros() };
    const histogramAfter = await offerCpuHistogram(ferry);
    const steady = simLog.declinedBetween(steadyFrom, steadyTo);
    const windowSeconds = (steadyTo - steadyFrom) / 1000;
    // a round whose DECLINE failed was still evaluated by Ferry: it counts as a round (its offers come back after the offer timeout)
    const steadyFailed = failedCalls(ferry, steadyFrom, steadyTo);
    const rounds = steady.rounds.length + (steadyFailed['DECLINE'] ?? 0);
    const offersPerRound = median(steady.rounds);
    const roundsOf1000 = (rounds * offersPerRound) / 1000;
    const gross = roundsOf1000 > 0 ? steadyCpuMs / roundsOf1000 : undefined;

    const memory = memoryOf(ferry.child.pid);
    const simMemory = memoryOf(sim.child.pid);

    // idle again, after the steady window: idle CPU drifts (the collector works off the placement's garbage), so
    // the net figure takes the mean of the idle windows before and after
    const deleted = await requestJson(ferry.api, 'DELETE', `/v1/apps${UNPLACEABLE.id}`);
    if (deleted.status !== 200 && deleted.status !== 202) throw new Error(`DELETE ${UNPLACEABLE.id} answered ${deleted.status}: ${JSON.stringify(deleted.body)}`);
    await sleep(5000);
    const idle2From = Date.now();
    const idle2Cpu0 = cpuMsOf(ferry.child.pid);
    await sleep(args.steadySeconds * 1000);
    const idle2CpuMs = cpuMsOf(ferry.child.pid) - idle2Cpu0;
    const idle2To = Date.now();
    const idle2Offers = simLog.declinedBetween(idle2From, idle2To);
    const idle2Rate = idle2CpuMs / ((idle2To - idle2From) / 1000);
    const idleMeanRate = (idleRate + idle2Rate) / 2;
    const net = roundsOf1000 > 0 ? (steadyCpuMs - idleMeanRate * windowSeconds) / roundsOf1000 : undefined;

    // Ferry's own account, timed: GET /v1/apps lists every app with its running count
    const l0 = performance.now();
    const list = await requestJson<{ apps: { id: string; tasksRunning: number }[] }>(ferry.api, 'GET', '/v1/apps', undefined, 300_000).catch(() => undefined);
    const listAppsMs = list?.status === 200 ? performance.now() - l0 : undefined;
    const runningInFerry = list?.status === 200 ? list.body.apps.filter((a) => a.id.startsWith('/scale/app-') && a.tasksRunning === 1).length : undefined;

    const result: StoreResult = {
      store,
      apps: args.apps,
      agents: args.agents,
      dataVia: args.dataVia,
      postFailures,
      submitSeconds: round(submitSeconds, 2),
      allRunningSeconds: round(allRunningSeconds, 2),
      allRunningSecondsBySimTimestamps: allRunningBySim === undefined ? undefined : round(allRunningBySim, 2),
      runningInMesos,
      runningInFerry,
      listAppsMs: listAppsMs === undefined ? undefined : Math.round(listAppsMs),
      placementRounds,
      launchCalls,
      ferryCpuMsPlacement: Math.round(ferryCpuPlacement),
      simCpuMsPlacement: Math.round(simCpuPlacement),
      idleCpuMsPerSecond: round(idleRate),
      idleAfterCpuMsPerSecond: round(idle2Rate),
      idleAfterOffersDeclined: idle2Offers.offers,
      steadyWindowSeconds: round(windowSeconds),
      steadyOffersDeclined: steady.offers,
      steadyRounds: rounds,
      steadyOffersPerRound: offersPerRound,
      failedCallsPlacement: failedCalls(ferry, t0, idleFrom),
      failedCallsSteady: steadyFailed,
      steadyCpuMsGross: Math.round(steadyCpuMs),
      cpuMsPerRoundGross: gross === undefined ? undefined : round(gross),
      cpuMsPerRoundNet: net === undefined ? undefined : round(net),
      inProcess: inProcessRoundCpu(histogramBefore, histogramAfter, offersPerRound),
      ferryRssBytes: memory.rss,
      ferryPeakRssBytes: memory.peak,
      simRssBytes: simMemory.rss,
      targets: {
        allRunning: allRunningSeconds <= TARGETS.allRunningSeconds && runningInMesos === args.apps,
        cpuPerRound: net === undefined ? undefined : net <= TARGETS.cpuMsPerRound,
        rss: memory.rss <= TARGETS.rssBytes,
      },
    };
    if (idleOffers.offers > 0) console.log(`  note: ${idleOffers.offers} offers were declined during the idle window`);
    if (args.heapSnapshot) {
      // the snapshot is written synchronously on the signal: once the API answers again, it is complete
      ferry.child.kill('SIGUSR2');
      await sleep(1000);
      await requestJson(ferry.api, 'GET', '/v1/health', undefined, 600_000);
      const file = readdirSync(heapDir).find((f) => f.endsWith('.heapsnapshot'));
      if (file !== undefined) result.heap = summarizeHeapSnapshot(join(heapDir, file));
    }
    await ferry.stop();
    if (profileDir !== undefined) {
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file === undefined) console.log(`  no .cpuprofile was written in ${profileDir}`);
      else {
        const profile = loadProfile(join(profileDir, file));
        result.profile = {};
        for (const [phase, w] of Object.entries(windows)) result.profile[phase] = summarizeProfile(profile, FERRY_ROOT, w);
      }
    }
    return result;
  } finally {
    await ferry.stop();
    await sim.stop();
  }
}

function report(r: StoreResult): void {
  const yes = (b: boolean | undefined): string => (b === undefined ? 'n/a' : b ? 'met' : 'NOT met');
  console.log(`\nstore ${r.store} (${r.apps} apps with one dataset each, ${r.agents} agents, --data-via ${r.dataVia}):`);
  console.log(`  submit (POST /v1/apps x ${r.apps}): ${r.submitSeconds} s; all app tasks RUNNING after ${r.allRunningSeconds} s (simulator timestamps: ${r.allRunningSecondsBySimTimestamps ?? '-'} s) — target <= ${TARGETS.allRunningSeconds} s: ${yes(r.targets.allRunning)}`);
  console.log(`  RUNNING in Mesos: ${r.runningInMesos}; in Ferry's GET /v1/apps: ${r.runningInFerry ?? '-'} (that GET took ${r.listAppsMs ?? '-'} ms)`);
  console.log(`  placement: ${r.launchCalls} ACCEPT calls in ~${r.placementRounds} offer rounds; CPU Ferry ${r.ferryCpuMsPlacement} ms, simulator ${r.simCpuMsPlacement} ms`);
  console.log(`  steady state with all apps running: Ferry idle ${r.idleCpuMsPerSecond} ms CPU/s before and ${r.idleAfterCpuMsPerSecond} ms CPU/s after (suppressed${r.idleAfterOffersDeclined > 0 ? `; ${r.idleAfterOffersDeclined} offers declined in the second` : ', no offers'}); with one unplaceable app ${r.steadyRounds} rounds of ${r.steadyOffersPerRound} offers over ${r.steadyWindowSeconds} s (${r.steadyOffersDeclined} offers declined), ${r.steadyCpuMsGross} ms CPU`);
  const failures = (f: Record<string, number>): string => (Object.keys(f).length === 0 ? 'none' : Object.entries(f).map(([k, v]) => `${v} ${k}`).join(', '));
  console.log(`  Ferry's failed Mesos calls: placement ${failures(r.failedCallsPlacement)}; steady state ${failures(r.failedCallsSteady)}`);
  console.log(`  Ferry CPU per 1,000-offer round: ${r.cpuMsPerRoundNet ?? '-'} ms net of idle (${r.cpuMsPerRoundGross ?? '-'} ms gross) — target <= ${TARGETS.cpuMsPerRound} ms: ${yes(r.targets.cpuPerRound)}`);
  const p = r.inProcess;
  console.log(
    p === undefined
      ? `  Ferry's own account (${ROUND_CPU_METRIC}): not available`
      : `  Ferry's own account (${ROUND_CPU_METRIC}, ${p.events} OFFERS events, per 1,000 offers): median ${p.medianMs ?? '-'} ms, p90 ${p.p90Ms ?? '-'} ms, mean ${p.meanMs} ms (quantiles interpolated in 1–2 ms buckets)`,
  );
  console.log(`  Ferry RSS at the end: ${mib(r.ferryRssBytes)} (peak ${mib(r.ferryPeakRssBytes)}) — target <= ${mib(TARGETS.rssBytes)}: ${yes(r.targets.rss)}; simulator RSS ${mib(r.simRssBytes)}`);
  if (r.heap !== undefined) {
    console.log(`  Ferry's heap at the end (snapshot, shallow sizes): ${r.heap.totalMiB} MiB in ${r.heap.nodes} objects; largest groups:`);
    for (const g of r.heap.groups.slice(0, 15)) console.log(`      ${g.share.toFixed(1).padStart(5)}%  ${String(g.mib).padStart(7)} MiB  ${String(g.count).padStart(8)} x ${g.name}`);
  }
  if (r.profile !== undefined) {
    console.log('  CPU profile of Ferry (node --cpu-prof; timings above are slowed by the profiler):');
    for (const [phase, summary] of Object.entries(r.profile)) printSummary(phase, summary, 15);
    const steady = r.profile['steady'];
    const idle = r.profile['idle'];
    if (steady !== undefined && idle !== undefined && r.steadyRounds > 0) {
      const extra = extraPerUnit(steady, idle, r.steadyRounds);
      console.log(`  per offer round (steady window minus the idle window of the same length, / ${r.steadyRounds} rounds): ${extra.totalMs} ms sampled`);
      for (const f of extra.functions.slice(0, 15)) console.log(`      ${f.share.toFixed(1).padStart(5)}%  ${String(f.ms).padStart(7)} ms/round  ${f.name}`);
    }
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  console.log(`schedulerScale: ${describeMachine(machine)}`);
  console.log(`${args.apps} apps, ${args.agents} processless agents (allocation every 1 s), POST concurrency ${args.concurrency}, stores: ${args.stores.join(', ')}${args.profile ? ', under --cpu-prof' : ''}`);
  const zk = args.stores.includes('zk') ? await startZooKeeper(tempDir('scale-zk')) : undefined;
  const results: StoreResult[] = [];
  for (const store of args.stores) {
    const r = await runStore(args, store, zk);
    results.push(r);
    report(r);
  }
  const slim = results.map((r) =>
    r.profile === undefined ? r : { ...r, profile: Object.fromEntries(Object.entries(r.profile).map(([k, v]) => [k, { ...v, allFunctions: undefined }])) },
  );
  console.log(JSON.stringify({ benchmark: 'schedulerScale', machine, args, targets: TARGETS, results: slim }));
}

await runBenchmark(main);
