// Offer throughput of the simulator at 1,000 agents (processless tasks) with a
// minimal framework on Ferry's own SchedulerClient, in protobuf and JSON:
// per-offer latency from the OFFERS event reaching the framework to the 202 of
// the call that answers the offer, the time to answer a whole 1,000-offer
// round, sustained offers per second, and the simulator's CPU and memory (it
// runs as its own process). It measures; it asserts nothing.
//
//   node dist/bench/simOffers.js [--agents 1000] [--rounds 10] [--warmup 2]
//        [--throughput-seconds 8] [--media protobuf,json] [--modes decline,decline-each,accept] [--profile-sim]
//
// The framework's own side can be profiled with `node --cpu-prof --cpu-prof-dir DIR dist/bench/simOffers.js ...`
// and `node dist/bench/profileSummary.js DIR/*.cpuprofile`.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/common/log.js';
import { JSON_MEDIA, PROTOBUF, type MediaType } from '../src/mesos/codec.js';
import type { SchedulerEvent } from '../src/mesos/events.js';
import { createMasterDetector } from '../src/mesos/masterDetector.js';
import { SchedulerClient } from '../src/mesos/schedulerClient.js';
import type { FrameworkInfo, Offer, TaskInfo } from '../src/mesos/types.js';
import { benchFlags, listFlag, numberFlag } from './support/benchArgs.js';
import { runBenchmark } from './support/cleanup.js';
import { loadProfile, monotonicMicros, printSummary, summarizeProfile } from './support/cpuProfile.js';
import { FERRY_ROOT } from './support/paths.js';
import { describeMachine, machineInfo } from './support/machine.js';
import { cpuMsOf, memoryOf, mib } from './support/procStats.js';
import { startSim, type SimProcess } from './support/simProcess.js';
import { median, percentile, round } from './support/stats.js';
import { tempDir } from './support/tempDir.js';

type Mode = 'decline' | 'decline-each' | 'accept';
const MODES: readonly Mode[] = ['decline', 'decline-each', 'accept'];
const MODE_TEXT: Record<Mode, string> = {
  decline: 'declines every offer of an event in one DECLINE call (as Ferry does)',
  'decline-each': 'declines every offer in its own DECLINE call',
  accept: 'accepts every offer with its own ACCEPT launching one 0.01-cpu task',
};
const TARGET_ROUND_MS = 100;

interface Args {
  agents: number;
  rounds: number;
  warmup: number;
  throughputSeconds: number;
  media: MediaType[];
  modes: Mode[];
  /** profile the simulator process during the measured rounds */
  profileSim: boolean;
}

interface Round {
  offers: number;
  /** ms from the event reaching the framework to the last 202 */
  totalMs: number;
  /** one per offer: ms to the 202 of the call that answered it */
  latencies: number[];
  /** the framework process's CPU while answering the round */
  frameworkCpuMs: number;
  failedCalls: number;
}

interface ConfigResult {
  media: 'protobuf' | 'json';
  mode: Mode;
  rounds: number;
  fullRounds: number;
  offersPerRound: number;
  roundMsMedian: number;
  roundMsP99: number;
  roundMsMax: number;
  offerLatencyP50Ms: number;
  offerLatencyP99Ms: number;
  perRoundOffersPerSecond: number;
  frameworkCpuMsPerRound: number;
  simCpuMsPerRound: number;
  sustainedOffersPerSecond: number;
  sustainedAllocationIntervalMs: number;
  simRssBytes: number;
  simPeakRssBytes: number;
  simRssAfterThroughputBytes: number;
  updatesAcknowledged: number;
  failedCalls: number;
  targetMet: boolean;
}

function parseArgs(argv: string[]): Args {
  const values = benchFlags(argv, { agents: true, rounds: true, warmup: true, 'throughput-seconds': true, media: true, modes: true, 'profile-sim': false });
  const media = listFlag(values, 'media', ['protobuf', 'json'] as const, ['protobuf', 'json']);
  return {
    agents: numberFlag(values, 'agents', 1000),
    rounds: numberFlag(values, 'rounds', 10),
    warmup: numberFlag(values, 'warmup', 2),
    throughputSeconds: numberFlag(values, 'throughput-seconds', 8),
    media: media.map((m) => (m === 'protobuf' ? PROTOBUF : JSON_MEDIA)),
    modes: listFlag(values, 'modes', MODES, MODES),
    profileSim: values['profile-sim'] === true,
  };
}

const mediaName = (media: MediaType): 'protobuf' | 'json' => (media === PROTOBUF ? 'protobuf' : 'json');

/** A framework that answers every OFFERS event as the mode says and acknowledges every update. */
class OfferAnswerer {
  readonly client: SchedulerClient;
  readonly rounds: Round[] = [];
  /** offers answered (202) so far, with the time of each answer, for the sustained rate */
  answeredAt: number[] = [];
  updatesAcknowledged = 0;
  private taskSeq = 0;
  private roundWaiters: { count: number; resolve: () => void }[] = [];

  constructor(
    sim: SimProcess,
    media: MediaType,
    private readonly mode: Mode,
  ) {
    const framework: FrameworkInfo = {
      user: 'bench',
      name: `bench-offers-${mode}`,
      roles: ['*'],
      failover_timeout: 0,
      capabilities: [{ type: 'MULTI_ROLE' }],
    };
    this.client = new SchedulerClient({ detector: createMasterDetector(sim.address, silentLogger()), framework, media, logger: silentLogger() });
    this.client.on('event', (event) => this.onEvent(event));
  }

  async start(): Promise<void> {
    const subscribed = new Promise<void>((resolve) => this.client.once('subscribed', () => resolve()));
    await this.client.start();
    await subscribed;
  }

  /** Resolves once `count` rounds in total have been answered completely. */
  roundsDone(count: number): Promise<void> {
    if (this.rounds.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.roundWaiters.push({ count, resolve }));
  }

  private onEvent(event: SchedulerEvent): void {
    if (event.type === 'OFFERS') this.answer(event.offers.offers ?? []);
    else if (event.type === 'UPDATE' && event.update.status.uuid !== undefined) {
      this.client.acknowledge(event.update.status).then(
        () => this.updatesAcknowledged++,
        () => undefined,
      );
    }
  }

  private answer(offers: Offer[]): void {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const latencies: number[] = [];
    let failedCalls = 0;
    const answered = (count: number) => (): void => {
      const now = performance.now();
      for (let i = 0; i < count; i++) {
        latencies.push(now - start);
        this.answeredAt.push(now);
      }
    };
    const failed = (): void => {
      failedCalls++;
    };
    const calls: Promise<void>[] = [];
    switch (this.mode) {
      case 'decline':
        calls.push(this.client.decline(offers.map((o) => o.id), { refuse_seconds: 0 }).then(answered(offers.length), failed));
        break;
      case 'decline-each':
        for (const offer of offers) calls.push(this.client.decline([offer.id], { refuse_seconds: 0 }).then(answered(1), failed));
        break;
      case 'accept':
        for (const offer of offers) {
          calls.push(
            this.client
              .accept([offer.id], [{ type: 'LAUNCH', launch: { task_infos: [this.tinyTask(offer)] } }], { refuse_seconds: 0 })
              .then(answered(1), failed),
          );
        }
        break;
    }
    void Promise.all(calls).then(() => {
      const cpu = process.cpuUsage(cpuStart);
      this.rounds.push({
        offers: offers.length,
        totalMs: performance.now() - start,
        latencies,
        frameworkCpuMs: (cpu.user + cpu.system) / 1000,
        failedCalls,
      });
      for (const w of [...this.roundWaiters]) {
        if (this.rounds.length >= w.count) {
          this.roundWaiters.splice(this.roundWaiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
  }

  private tinyTask(offer: Offer): TaskInfo {
    const id = `bench-${++this.taskSeq}`;
    return {
      name: id,
      task_id: { value: id },
      agent_id: offer.agent_id,
      resources: [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 0.01 } },
        { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
      ],
      command: { shell: true, value: 'sleep 3600' },
    };
  }
}

async function measureRounds(args: Args, media: MediaType, mode: Mode): Promise<Omit<ConfigResult, 'sustainedOffersPerSecond' | 'sustainedAllocationIntervalMs' | 'simRssAfterThroughputBytes'>> {
  const dir = tempDir('sim-offers');
  const profileDir = args.profileSim ? join(dir, 'profile') : undefined;
  const sim = await startSim({ dir, agents: args.agents, processless: true, allocationIntervalSeconds: 1, ...(profileDir !== undefined ? { cpuProfileDir: profileDir } : {}) });
  const framework = new OfferAnswerer(sim, media, mode);
  let window: { fromUs: number; toUs: number } | undefined;
  try {
    await framework.start();
    await framework.roundsDone(args.warmup);
    const simCpuStart = cpuMsOf(sim.child.pid);
    const fromUs = monotonicMicros();
    await framework.roundsDone(args.warmup + args.rounds);
    window = { fromUs, toUs: monotonicMicros() };
    const simCpuMs = cpuMsOf(sim.child.pid) - simCpuStart;
    const memory = memoryOf(sim.child.pid);
    const measured = framework.rounds.slice(args.warmup, args.warmup + args.rounds);
    const full = measured.filter((r) => r.offers >= args.agents * 0.99);
    const totals = measured.map((r) => r.totalMs);
    const latencies = measured.flatMap((r) => r.latencies);
    const offersPerRound = median(measured.map((r) => r.offers));
    const roundMsMedian = median(totals);
    return {
      media: mediaName(media),
      mode,
      rounds: measured.length,
      fullRounds: full.length,
      offersPerRound,
      roundMsMedian: round(roundMsMedian),
      roundMsP99: round(percentile(totals, 99)),
      roundMsMax: round(Math.max(...totals)),
      offerLatencyP50Ms: round(percentile(latencies, 50)),
      offerLatencyP99Ms: round(percentile(latencies, 99)),
      perRoundOffersPerSecond: Math.round((offersPerRound * 1000) / roundMsMedian),
      frameworkCpuMsPerRound: round(median(measured.map((r) => r.frameworkCpuMs))),
      simCpuMsPerRound: round(simCpuMs / measured.length),
      simRssBytes: memory.rss,
      simPeakRssBytes: memory.peak,
      updatesAcknowledged: framework.updatesAcknowledged,
      failedCalls: measured.reduce((s, r) => s + r.failedCalls, 0),
      targetMet: full.length === measured.length && percentile(totals, 99) < TARGET_ROUND_MS,
    };
  } finally {
    await framework.client.stop();
    await sim.stop();
    if (profileDir !== undefined && window !== undefined) {
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file !== undefined) printSummary(`simulator CPU profile during the measured rounds (${mode}, ${mediaName(media)})`, summarizeProfile(loadProfile(join(profileDir, file)), FERRY_ROOT, window), 20);
    }
  }
}

/** Offers answered per second with the allocator running every 10 ms: how fast the loop can turn. */
async function measureSustained(args: Args, media: MediaType, mode: Mode): Promise<{ offersPerSecond: number; intervalMs: number; simRssBytes: number }> {
  const intervalMs = 10;
  const dir = tempDir('sim-offers-sustained');
  const sim = await startSim({ dir, agents: args.agents, processless: true, allocationIntervalSeconds: intervalMs / 1000 });
  const framework = new OfferAnswerer(sim, media, mode);
  try {
    await framework.start();
    await framework.roundsDone(args.warmup);
    const from = performance.now();
    await new Promise((r) => setTimeout(r, args.throughputSeconds * 1000));
    const to = performance.now();
    const answered = framework.answeredAt.filter((t) => t >= from && t < to).length;
    return { offersPerSecond: Math.round((answered * 1000) / (to - from)), intervalMs, simRssBytes: memoryOf(sim.child.pid).rss };
  } finally {
    await framework.client.stop();
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  console.log(`simOffers: ${describeMachine(machine)}`);
  console.log(`simulator: ${args.agents} agents, processless, its own process; allocation every 1 s; ${args.warmup} warm-up rounds then ${args.rounds} measured`);
  const results: ConfigResult[] = [];
  for (const mode of args.modes) {
    for (const media of args.media) {
      const r = await measureRounds(args, media, mode);
      const s = args.throughputSeconds > 0 ? await measureSustained(args, media, mode) : { offersPerSecond: NaN, intervalMs: NaN, simRssBytes: NaN };
      const result: ConfigResult = { ...r, sustainedOffersPerSecond: s.offersPerSecond, sustainedAllocationIntervalMs: s.intervalMs, simRssAfterThroughputBytes: s.simRssBytes };
      results.push(result);
      console.log(`\n${mode} / ${result.media}: the framework ${MODE_TEXT[mode]}`);
      console.log(`  round of ${result.offersPerRound} offers answered end to end: median ${result.roundMsMedian} ms, p99 ${result.roundMsP99} ms, max ${result.roundMsMax} ms (${result.fullRounds}/${result.rounds} full rounds)`);
      console.log(`  per-offer latency (event at the framework -> 202): p50 ${result.offerLatencyP50Ms} ms, p99 ${result.offerLatencyP99Ms} ms`);
      console.log(`  offers/s within a round: ${result.perRoundOffersPerSecond}; sustained with allocation every ${result.sustainedAllocationIntervalMs} ms: ${result.sustainedOffersPerSecond}`);
      console.log(`  CPU per round: framework ${result.frameworkCpuMsPerRound} ms, simulator ${result.simCpuMsPerRound} ms (per 1 s allocation interval, its agent pings included)`);
      console.log(`  simulator RSS: ${mib(result.simRssBytes)} (peak ${mib(result.simPeakRssBytes)}); after the sustained phase ${Number.isNaN(result.simRssAfterThroughputBytes) ? '-' : mib(result.simRssAfterThroughputBytes)}`);
      if (mode === 'accept') console.log(`  status updates acknowledged: ${result.updatesAcknowledged}`);
      if (result.failedCalls > 0) console.log(`  FAILED calls: ${result.failedCalls}`);
      console.log(`  target: a 1,000-offer round answered end to end in < ${TARGET_ROUND_MS} ms (p99 of rounds): ${result.targetMet ? 'met' : 'NOT met'}`);
    }
  }
  console.log(JSON.stringify({ benchmark: 'simOffers', machine, args: { ...args, media: args.media.map(mediaName) }, targetRoundMs: TARGET_ROUND_MS, results }));
}

await runBenchmark(main);
