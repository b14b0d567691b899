// Event decode throughput, protobuf against JSON, on the same events: a
// 1,000-offer OFFERS event exactly as the simulator builds it, the UPDATE
// events real Mesos sent in test/fixtures/mesos-reference/, and HEARTBEAT.
// Each is encoded both ways with src/mesos/codec.ts and decoded with
// decodeEvent alone, then as a stream through RecordIODecoder (64 KiB chunks,
// as a socket hands them over). Warm-up runs first; figures are medians. The
// heap is set up as `ferry scheduler` sets up its own (src/common/heapTuning.ts).
//
//   node dist/bench/eventDecode.js [--runs 7] [--min-run-ms 300] [--agents 1000]

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { packageRoot } from '../src/common/packageRoot.js';
import { decodeEvent, encodeEvent, JSON_MEDIA, PROTOBUF, type MediaType } from '../src/mesos/codec.js';
import type { SchedulerEvent } from '../src/mesos/events.js';
import { encodeRecord, RecordIODecoder } from '../src/mesos/recordio.js';
import { tuneHeapForOfferRounds } from '../src/common/heapTuning.js';
import { runBenchmark } from './support/cleanup.js';
import { simulatorOffers } from './support/simulatorOffers.js';
import { describeMachine, machineInfo } from './support/machine.js';
import { median, round } from './support/stats.js';

const CHUNK_BYTES = 64 * 1024;

interface Args {
  runs: number;
  warmupRuns: number;
  minRunMs: number;
  agents: number;
}

interface Corpus {
  name: string;
  description: string;
  events: SchedulerEvent[];
}

interface Figure {
  corpus: string;
  path: 'decodeEvent' | 'stream';
  media: 'protobuf' | 'json';
  events: number;
  bytesPerEvent: number;
  eventsPerSecond: number;
  mbPerSecond: number;
  usPerEvent: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 7, warmupRuns: 2, minRunMs: 300, agents: 1000 };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const value = Number(argv[i + 1]);
    if (!Number.isFinite(value)) throw new Error(`${flag} needs a number`);
    if (flag === '--runs') args.runs = value;
    else if (flag === '--warmup-runs') args.warmupRuns = value;
    else if (flag === '--min-run-ms') args.minRunMs = value;
    else if (flag === '--agents') args.agents = value;
    else throw new Error(`unknown flag ${flag}`);
  }
  return args;
}

/** UPDATE events from the recordings of a real Mesos master. */
function referenceUpdates(): SchedulerEvent[] {
  const dir = join(packageRoot(), 'test', 'fixtures', 'mesos-reference');
  const updates: SchedulerEvent[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const parsed = JSON.parse(line) as { type?: string; event?: SchedulerEvent };
      const event = parsed.type !== undefined ? (parsed as SchedulerEvent) : parsed.event;
      if (event?.type === 'UPDATE') updates.push(event);
    }
  }
  return updates;
}

/**
 * The same event for both media: what survives a protobuf round trip (Ferry's
 * .proto subset), so that neither encoding carries fields the other lacks.
 */
function normalized(event: SchedulerEvent): { event: SchedulerEvent; lossless: boolean } {
  const back = decodeEvent(encodeEvent(event, PROTOBUF), PROTOBUF);
  return { event: back, lossless: JSON.stringify(sortKeys(back)) === JSON.stringify(sortKeys(event)) };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

let sink = 0;

/** Decodes `payloads` round-robin until minRunMs passed; returns events/s and bytes/s of the run. */
function decodeRun(payloads: Buffer[], media: MediaType, minRunMs: number): { eventsPerSecond: number; bytesPerSecond: number } {
  let events = 0;
  let bytes = 0;
  const start = performance.now();
  let now = start;
  while (now - start < minRunMs) {
    for (const p of payloads) {
      const e = decodeEvent(p, media);
      sink += e.type.length;
      bytes += p.byteLength;
    }
    events += payloads.length;
    now = performance.now();
  }
  const seconds = (now - start) / 1000;
  return { eventsPerSecond: events / seconds, bytesPerSecond: bytes / seconds };
}

/** Feeds the whole RecordIO stream in 64 KiB chunks through a fresh decoder, decoding every record, until minRunMs passed. */
function streamRun(stream: Buffer, eventsInStream: number, media: MediaType, minRunMs: number): { eventsPerSecond: number; bytesPerSecond: number } {
  let events = 0;
  let bytes = 0;
  const start = performance.now();
  let now = start;
  while (now - start < minRunMs) {
    const decoder = new RecordIODecoder();
    for (let off = 0; off < stream.byteLength; off += CHUNK_BYTES) {
      for (const record of decoder.decode(stream.subarray(off, off + CHUNK_BYTES))) {
        sink += decodeEvent(record, media).type.length;
      }
    }
    events += eventsInStream;
    bytes += stream.byteLength;
    now = performance.now();
  }
  const seconds = (now - start) / 1000;
  return { eventsPerSecond: events / seconds, bytesPerSecond: bytes / seconds };
}

function measure(args: Args, run: () => { eventsPerSecond: number; bytesPerSecond: number }): { eventsPerSecond: number; bytesPerSecond: number } {
  for (let i = 0; i < args.warmupRuns; i++) run();
  const runs = Array.from({ length: args.runs }, run);
  return { eventsPerSecond: median(runs.map((r) => r.eventsPerSecond)), bytesPerSecond: median(runs.map((r) => r.bytesPerSecond)) };
}

async function main(): Promise<void> {
  tuneHeapForOfferRounds();
  const args = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  console.log(`eventDecode: ${describeMachine(machine)}`);

  const offers = normalized(await simulatorOffers(args.agents));
  const updates = referenceUpdates().map(normalized);
  const heartbeat = normalized({ type: 'HEARTBEAT' });
  const offerCount = offers.event.type === 'OFFERS' ? (offers.event.offers.offers ?? []).length : 0;
  const corpora: Corpus[] = [
    { name: 'offers', description: `one OFFERS event of ${offerCount} offers, from a simulator with ${args.agents} agents`, events: [offers.event] },
    { name: 'update', description: `${updates.length} UPDATE events recorded from real Mesos (test/fixtures/mesos-reference)`, events: updates.map((u) => u.event) },
    { name: 'heartbeat', description: 'HEARTBEAT', events: [heartbeat.event] },
  ];
  const lossy = [offers, ...updates, heartbeat].filter((n) => !n.lossless).length;
  console.log(`events normalized through protobuf so both media carry the same fields (${lossy} of ${updates.length + 2} lost fields not in Ferry's .proto subset)`);

  // a stream like a busy placement round: the OFFERS event, then two updates (STARTING, RUNNING) per launched task
  const mixedEvents: SchedulerEvent[] = [offers.event];
  for (let i = 0; i < 2 * offerCount; i++) mixedEvents.push(updates[i % updates.length]!.event);
  mixedEvents.push(heartbeat.event);

  const figures: Figure[] = [];
  const mediaList: MediaType[] = [PROTOBUF, JSON_MEDIA];
  const name = (m: MediaType): 'protobuf' | 'json' => (m === PROTOBUF ? 'protobuf' : 'json');
  const record = (corpus: string, path: Figure['path'], media: MediaType, events: number, bytes: number, r: { eventsPerSecond: number; bytesPerSecond: number }): void => {
    figures.push({
      corpus,
      path,
      media: name(media),
      events,
      bytesPerEvent: Math.round(bytes / events),
      eventsPerSecond: Math.round(r.eventsPerSecond),
      mbPerSecond: round(r.bytesPerSecond / 1e6),
      usPerEvent: round(1e6 / r.eventsPerSecond, 2),
    });
  };

  for (const corpus of corpora) {
    for (const media of mediaList) {
      const payloads = corpus.events.map((e) => encodeEvent(e, media));
      const bytes = payloads.reduce((s, p) => s + p.byteLength, 0);
      record(corpus.name, 'decodeEvent', media, payloads.length, bytes, measure(args, () => decodeRun(payloads, media, args.minRunMs)));
    }
  }
  const streams: { name: string; events: SchedulerEvent[]; repeat: number }[] = [
    { name: 'offers', events: corpora[0]!.events, repeat: 4 },
    { name: 'update', events: corpora[1]!.events, repeat: Math.ceil(2000 / corpora[1]!.events.length) },
    { name: 'heartbeat', events: corpora[2]!.events, repeat: 2000 },
    { name: 'mixed', events: mixedEvents, repeat: 1 },
  ];
  for (const s of streams) {
    for (const media of mediaList) {
      const records: Buffer[] = [];
      for (let k = 0; k < s.repeat; k++) for (const e of s.events) records.push(encodeRecord(encodeEvent(e, media)));
      const stream = Buffer.concat(records);
      record(s.name, 'stream', media, records.length, stream.byteLength, measure(args, () => streamRun(stream, records.length, media, args.minRunMs)));
    }
  }

  const ratios: { corpus: string; path: string; protobufOverJson: number }[] = [];
  console.log('');
  console.log('corpus     path         media     bytes/event     events/s      MB/s   us/event');
  for (const f of figures) {
    console.log(
      `${f.corpus.padEnd(10)} ${f.path.padEnd(12)} ${f.media.padEnd(8)} ${String(f.bytesPerEvent).padStart(12)} ${String(f.eventsPerSecond).padStart(12)} ${f.mbPerSecond.toFixed(1).padStart(9)} ${f.usPerEvent.toFixed(2).padStart(10)}`,
    );
  }
  console.log('');
  for (const c of [...new Set(figures.map((f) => `${f.corpus}|${f.path}`))]) {
    const [corpus, path] = c.split('|') as [string, string];
    const pb = figures.find((f) => f.corpus === corpus && f.path === path && f.media === 'protobuf')!;
    const js = figures.find((f) => f.corpus === corpus && f.path === path && f.media === 'json')!;
    const ratio = round(pb.eventsPerSecond / js.eventsPerSecond, 2);
    ratios.push({ corpus, path, protobufOverJson: ratio });
    console.log(`${corpus} (${path}): protobuf/JSON events/s = ${ratio}; sizes ${pb.bytesPerEvent} vs ${js.bytesPerEvent} bytes/event`);
  }
  for (const c of corpora) console.log(`  ${c.name}: ${c.description}`);
  console.log(`  mixed: the OFFERS event + ${2 * offerCount} UPDATE events + a HEARTBEAT (a placement round's stream)`);
  console.log(`(sink ${sink % 10})`);
  console.log(JSON.stringify({ benchmark: 'eventDecode', machine, args, chunkBytes: CHUNK_BYTES, figures, ratios }));
}

await runBenchmark(main);
