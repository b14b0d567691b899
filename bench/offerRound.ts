// One 1,000-offer round of Ferry's scheduler, in this process and back to
// back, with 10,000 running apps (schedulerScale's apps, parsed by the real
// Marathon parser) and one app no agent can hold: what SchedulerService does
// with an OFFERS event in steady state, minus the queue and the sockets —
// decodeEvent of the protobuf bytes, observeOffer, planOfferRound, the plan
// applied to the World, and the DECLINE call encoded. Process CPU (all
// threads) is read around every round and over the whole run, so the mean
// includes the garbage collection the rounds cause, wherever it falls. The
// offers are the first OFFERS event of an in-process simulator (stopped before
// measuring). The heap is set up as `ferry scheduler` sets it up, unless
// --pretenuring on.
//
//   node dist/bench/offerRound.js [--apps 10000] [--agents 1000] [--rounds 300] [--warmup-rounds 30] [--pretenuring off|on]

import { parseAppDefinition } from '../src/apps/appDefinition.js';
import type { AppSpec } from '../src/apps/appSpec.js';
import { cpuMicrosSince } from '../src/common/cpuTime.js';
import { tuneHeapForOfferRounds } from '../src/common/heapTuning.js';
import { decodeEvent, encodeCall, encodeEvent, PROTOBUF } from '../src/mesos/codec.js';
import type { Offer } from '../src/mesos/types.js';
import { planOfferRound } from '../src/scheduler/offerRound.js';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from '../src/scheduler/schedulerConfig.js';
import { World } from '../src/scheduler/world.js';
import type { RecordWrite } from '../src/scheduler/plan.js';
import type { AppRecord } from '../src/state/model.js';
import { benchFlags, choiceFlag, numberFlag } from './support/benchArgs.js';
import { runBenchmark } from './support/cleanup.js';
import { describeMachine, machineInfo } from './support/machine.js';
import { appDefinition, appId, UNPLACEABLE } from './support/scaleApps.js';
import { simulatorOffers } from './support/simulatorOffers.js';
import { median, percentile, round } from './support/stats.js';

interface Args {
  apps: number;
  agents: number;
  rounds: number;
  warmupRounds: number;
  pretenuring: 'off' | 'on';
}

function parseArgs(argv: string[]): Args {
  const values = benchFlags(argv, { apps: true, agents: true, rounds: true, 'warmup-rounds': true, pretenuring: true });
  return {
    apps: numberFlag(values, 'apps', 10_000),
    agents: numberFlag(values, 'agents', 1000),
    rounds: numberFlag(values, 'rounds', 300),
    warmupRounds: numberFlag(values, 'warmup-rounds', 30),
    pretenuring: choiceFlag(values, 'pretenuring', ['off', 'on'] as const, 'off'),
  };
}

function appRecord(definition: Record<string, unknown>, stamp: string): AppRecord {
  return { id: String(definition['id']), definition, version: 'v1', configVersion: 'v1', createdAt: stamp };
}

function parseApp(record: AppRecord): AppSpec {
  const parsed = parseAppDefinition(record.definition);
  if (!parsed.ok) throw new Error(`${record.id}: ${parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  return parsed.spec;
}

/** Every scale app RUNNING on an agent that offered, its dataset READY there; and the app nothing can hold. */
function scaleWorld(apps: number, offers: Offer[]): World {
  const world = new World(parseApp);
  const stamp = new Date().toISOString();
  const writes: RecordWrite[] = [];
  for (let i = 1; i <= apps; i++) {
    const record = appRecord(appDefinition(i), stamp);
    const spec = parseApp(record);
    const claim = spec.dataset!;
    const offer = offers[i % offers.length]!;
    const agentId = offer.agent_id.value;
    const hostPath = `/var/lib/ferry/datasets/${claim.name}`;
    writes.push({ kind: 'app', record });
    writes.push({
      kind: 'dataset',
      record: { name: claim.name, sizeMiB: claim.sizeMiB, backend: claim.backend, state: 'READY', agentId, hostname: offer.hostname, hostPath, owner: { appId: appId(i), instance: 0 }, createdAt: stamp, updatedAt: stamp },
    });
    writes.push({
      kind: 'task',
      record: { taskId: `${appId(i).slice(1).replace(/\//g, '_')}.0.t${i}`, appId: appId(i), instance: 0, agentId, hostname: offer.hostname, datasetName: claim.name, dataVia: 'env', hostPath, state: 'TASK_RUNNING', configVersion: 'v1', launchedAt: stamp, updatedAt: stamp },
    });
  }
  writes.push({ kind: 'app', record: appRecord(UNPLACEABLE, stamp) });
  world.applyWrites(writes);
  return world;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // before anything is allocated, as `ferry scheduler` does it
  if (args.pretenuring === 'off') tuneHeapForOfferRounds();
  const machine = machineInfo();
  console.log(`offerRound: ${describeMachine(machine)}`);
  const event = await simulatorOffers(args.agents);
  const offers = event.type === 'OFFERS' ? (event.offers.offers ?? []) : [];
  const bytes = encodeEvent(event, PROTOBUF);
  const world = scaleWorld(args.apps, offers);
  const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, dataVia: 'env' };
  let ids = 0;
  let declined = 0;
  const oneRound = (): void => {
    const now = Date.now();
    const decoded = decodeEvent(bytes, PROTOBUF);
    const roundOffers = decoded.type === 'OFFERS' ? (decoded.offers.offers ?? []) : [];
    for (const offer of roundOffers) world.observeOffer(offer, now);
    const plan = planOfferRound(world, { offers: roundOffers, now, config, newTaskId: () => `t${++ids}`, newId: () => `id${++ids}` });
    world.applyWrites(plan.writes);
    world.applyNotes(plan.notes);
    for (const action of plan.mesos) {
      if (action.type !== 'DECLINE') throw new Error(`a steady round asked for ${action.type}`);
      declined += action.offerIds.length;
      encodeCall({ type: 'DECLINE', framework_id: { value: 'bench' }, decline: { offer_ids: action.offerIds.map((value) => ({ value })), filters: { refuse_seconds: action.refuseSeconds } } }, PROTOBUF);
    }
  };
  for (let i = 0; i < args.warmupRounds; i++) oneRound();
  declined = 0;
  const perRound: number[] = [];
  const start = process.cpuUsage();
  for (let i = 0; i < args.rounds; i++) {
    const before = process.cpuUsage();
    oneRound();
    perRound.push(cpuMicrosSince(before) / 1000);
  }
  const totalMs = cpuMicrosSince(start) / 1000;
  const scale = 1000 / offers.length;
  const figures = {
    offersPerRound: offers.length,
    declinedPerRound: declined / args.rounds,
    meanMsPer1000: round((totalMs / args.rounds) * scale, 2),
    medianMsPer1000: round(median(perRound) * scale, 2),
    p90MsPer1000: round(percentile(perRound, 90) * scale, 2),
    maxMsPer1000: round(Math.max(...perRound) * scale, 2),
  };
  console.log(`${args.rounds} rounds of ${offers.length} offers (${args.apps} running apps + 1 that fits no agent; pretenuring ${args.pretenuring}):`);
  console.log(`  process CPU per 1,000-offer round: mean ${figures.meanMsPer1000} ms (collection included), median ${figures.medianMsPer1000} ms, p90 ${figures.p90MsPer1000} ms, max ${figures.maxMsPer1000} ms`);
  console.log(JSON.stringify({ benchmark: 'offerRound', machine, args, figures }));
}

await runBenchmark(main);
