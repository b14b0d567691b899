// Benchmark (b): Ferry's final delta against what an operator would script
// with rsync (rsync -a while the task runs, stop, a final rsync), on the same
// data in the same run: (i) one 1 GiB file with 10 MiB overwritten in place,
// (ii) 1,000 files of 1 MiB with 10 rewritten. rsync runs with its default
// (whole files, between local directories) and with --no-whole-file --inplace;
// its best is the comparison. Ferry runs sender and receiver over 127.0.0.1;
// its compared figure is the sender's own time in a resident process (this
// one, which also ran the first copy), as the node executor runs a move's
// final round: no process start, code already warm. The same round run as a
// `send --final` process (its sender time and wall time) is printed for reference.
// Usage: node dist/bench/copyVsRsync.js [--scenario file,files] [workdir]
// (--scenario picks scenarios (i) `file` and/or (ii) `files`; both by default)

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { overwriteInPlace, rewriteFiles, writeColdDataset, writeSmallFiles } from './benchDatasets.js';
import { runSender, type SendRoundStats } from '../src/node/copy/sender.js';
import { benchCommandLine, listFlag } from './support/benchArgs.js';
import { fmtMs, freeBytes, GiB, median, MiB, send, startReceiver, timed, timedShell, type SendResult } from './benchProcesses.js';

const SCENARIOS = ['file', 'files'] as const;
const { values: flags, positionals } = benchCommandLine(process.argv.slice(2), { scenario: true });
const chosen = listFlag(flags, 'scenario', SCENARIOS, SCENARIOS);
if (positionals.length > 1) throw new Error(`one work dir at most, not ${positionals.join(' ')}`);
const base = positionals[0] ?? tmpdir();
const REPEATS = Number(process.env['FERRY_BENCH_REPEATS'] ?? 3);

type Method = 'ferry' | 'ferry, resident sender' | 'rsync default' | 'rsync --no-whole-file --inplace' | 'rsync default, then sync';
const RSYNC_FLAGS: Record<Exclude<Method, 'ferry' | 'ferry, resident sender'>, string[]> = {
  'rsync default': ['-a'],
  'rsync --no-whole-file --inplace': ['-a', '--no-whole-file', '--inplace'],
  // not an rsync setting: what its default costs when made as durable as Ferry's result (for reference only)
  'rsync default, then sync': ['-a'],
};

interface Scenario {
  key: (typeof SCENARIOS)[number];
  name: string;
  bytes: number;
  prepare: (source: string) => Promise<void>;
  change: (source: string, repeat: number) => Promise<void>;
}

/** Ferry's own figures beside the compared times: the process sender's time, bytes, and where the resident sender's time went. */
interface Extras {
  ferryEngineMs: number[];
  ferryRead: number[];
  ferrySent: number[];
  residentPhases: SendRoundStats['phasesMs'][];
}

async function runScenario(scenario: Scenario): Promise<Record<Method, number[]> & Extras> {
  const work = await mkdtemp(join(base, 'ferry-bench-rsync-'));
  try {
    const source = join(work, 'source', 'ds');
    await scenario.prepare(source);
    const destinations: Record<Method, string> = {
      ferry: join(work, 'ferry', 'ds'),
      'ferry, resident sender': join(work, 'ferry-resident', 'ds'),
      'rsync default': join(work, 'rsync-default', 'ds'),
      'rsync --no-whole-file --inplace': join(work, 'rsync-inplace', 'ds'),
      'rsync default, then sync': join(work, 'rsync-synced', 'ds'),
    };
    const stateFile = join(work, 'source', 'sender.json');
    // while the task runs: the first copy by each method
    let receiver = await startReceiver(destinations.ferry);
    await send(source, receiver.port, stateFile, 'round');
    // a resident sender, as the node executor runs it: this process, which ran the first copy (and so is warm)
    const residentState = join(work, 'source', 'sender-resident.json');
    let residentReceiver = await startReceiver(destinations['ferry, resident sender']);
    const resident = (final: boolean) => runSender({ dir: source, host: '127.0.0.1', port: residentReceiver.port, stateFile: residentState, final });
    await resident(false);
    for (const method of Object.keys(RSYNC_FLAGS) as (keyof typeof RSYNC_FLAGS)[]) {
      await mkdir(destinations[method], { recursive: true });
      await timed('rsync', [...RSYNC_FLAGS[method], `${source}/`, `${destinations[method]}/`]);
    }
    await timed('sync', []);

    const times: Record<Method, number[]> & Extras = {
      ferry: [],
      'ferry, resident sender': [],
      'rsync default': [],
      'rsync --no-whole-file --inplace': [],
      'rsync default, then sync': [],
      ferryEngineMs: [],
      ferryRead: [],
      ferrySent: [],
      residentPhases: [],
    };
    const methods: Method[] = ['ferry', 'ferry, resident sender', 'rsync default', 'rsync --no-whole-file --inplace', 'rsync default, then sync'];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      // the task stops after its last writes; every method then brings its copy up to date
      await scenario.change(source, repeat);
      const order = methods.map((_, i) => methods[(i + repeat) % methods.length]!);
      for (const method of order) {
        // each method starts with nothing of another's left to write back: rsync leaves its copy in the page cache,
        // and a filesystem journal commit that Ferry's flush needs would otherwise wait for that data too
        await timed('sync', []);
        if (method === 'ferry') {
          const final = await send(source, receiver.port, stateFile, 'final');
          const result = final.result as SendResult;
          if (!result.complete) throw new Error('Ferry final round did not complete');
          times.ferry.push(final.wallMs);
          times.ferryEngineMs.push(result.durationMs);
          times.ferryRead.push(result.bytesRead);
          times.ferrySent.push(result.bytesSent);
          await receiver.done;
          // the next repetition is another move's final round into the same (resumable) destination, after a
          // pre-copy round with nothing to send: in a move the receiver has served pre-copy rounds before the final one
          receiver = await startReceiver(destinations.ferry);
          await send(source, receiver.port, stateFile, 'round');
        } else if (method === 'ferry, resident sender') {
          const result = await resident(true);
          if (!result.complete) throw new Error('Ferry final round did not complete');
          times[method].push(result.durationMs);
          times.residentPhases.push(result.phasesMs);
          await residentReceiver.done;
          residentReceiver = await startReceiver(destinations[method]);
          await resident(false);
        } else if (method === 'rsync default, then sync') {
          const { ms } = await timedShell(`rsync ${RSYNC_FLAGS[method].join(' ')} '${source}/' '${destinations[method]}/' && sync -f '${destinations[method]}'`);
          times[method].push(ms);
        } else {
          const { ms } = await timed('rsync', [...RSYNC_FLAGS[method], `${source}/`, `${destinations[method]}/`]);
          times[method].push(ms);
        }
      }
    }
    receiver.child.kill('SIGTERM');
    residentReceiver.child.kill('SIGTERM');
    for (const method of methods) {
      await timed('diff', ['-r', '-q', source, destinations[method]]);
    }
    return times;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const scenarios: Scenario[] = [
  {
    key: 'file',
    name: 'one 1 GiB file, 10 MiB overwritten in place',
    bytes: GiB,
    prepare: async (source) => {
      await writeColdDataset(source, GiB, GiB);
    },
    change: (source, repeat) => overwriteInPlace(join(source, 'cold', 'seg-0000'), (100 + repeat * 211) * MiB, 10 * MiB),
  },
  {
    key: 'files',
    name: '1,000 files of 1 MiB, 10 rewritten',
    bytes: 1000 * MiB,
    prepare: async (source) => {
      await writeSmallFiles(join(source, 'files'), 1000, MiB);
    },
    change: (source, repeat) =>
      rewriteFiles(
        join(source, 'files'),
        Array.from({ length: 10 }, (_, i) => `f-${String((repeat * 37 + i * 97) % 1000).padStart(4, '0')}`),
        MiB,
      ),
  },
];

const started = new Date();
console.log(`copy vs rsync — ${started.toISOString()} on ${hostname()} (${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / GiB).toFixed(0)} GiB RAM, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}), work dir ${base}`);
const rsyncVersion = (await timed('rsync', ['--version'])).stdout.split('\n')[0];
console.log(rsyncVersion);
const all: { scenario: string; skipped?: string; figures?: Awaited<ReturnType<typeof runScenario>> }[] = [];
for (const scenario of scenarios.filter((s) => chosen.includes(s.key))) {
  const free = await freeBytes(base);
  if (free < 4 * scenario.bytes + 512 * MiB) {
    console.log(`${scenario.name}: SKIPPED (needs ${((4 * scenario.bytes) / GiB).toFixed(1)} GiB free, has ${(free / GiB).toFixed(1)} GiB)`);
    all.push({ scenario: scenario.name, skipped: 'disk space' });
    continue;
  }
  const figures = await runScenario(scenario);
  all.push({ scenario: scenario.name, figures });
  // the compared figure is the sender's own time in a resident process: in a move the node executor runs the final round, warm from the pre-copy, with no process to start
  const residentSender = median(figures['ferry, resident sender']);
  const processSender = median(figures.ferryEngineMs);
  const ferryWall = median(figures.ferry);
  const rsyncDefault = median(figures['rsync default']);
  const rsyncInplace = median(figures['rsync --no-whole-file --inplace']);
  const best = Math.min(rsyncDefault, rsyncInplace);
  const list = (values: number[]) => `[${values.map((ms) => fmtMs(ms)).join(', ')}]`;
  console.log(
    `${scenario.name}: final delta Ferry ${fmtMs(residentSender)} in a resident sender ${list(figures['ferry, resident sender'])}; ` +
      `for reference, as a process: ${fmtMs(processSender)} in the sender ${list(figures.ferryEngineMs)}, ${fmtMs(ferryWall)} wall ${list(figures.ferry)} ` +
      `(read ${(median(figures.ferryRead) / MiB).toFixed(0)} MiB, sent ${(median(figures.ferrySent) / MiB).toFixed(0)} MiB); ` +
      `rsync default ${fmtMs(rsyncDefault)} ${list(figures['rsync default'])}; ` +
      `rsync --no-whole-file --inplace ${fmtMs(rsyncInplace)} ${list(figures['rsync --no-whole-file --inplace'])}; ` +
      `Ferry's resident sender takes ${(residentSender / best).toFixed(2)}× the time of rsync's best (${best === rsyncDefault ? 'default' : '--no-whole-file --inplace'}), ` +
      `${(processSender / best).toFixed(2)}× as a process's sender, ${(ferryWall / best).toFixed(2)}× with the process start; ` +
      `for reference, rsync default followed by sync -f: ${fmtMs(median(figures['rsync default, then sync']))}`,
  );
  const phases = Object.keys(figures.residentPhases[0] ?? {}) as (keyof SendRoundStats['phasesMs'])[];
  console.log(`  resident sender phases, median ms: ${phases.map((phase) => `${phase} ${median(figures.residentPhases.map((p) => p[phase])).toFixed(0)}`).join(', ')}`);
}
console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(JSON.stringify({ benchmark: 'copyVsRsync', date: started.toISOString(), host: hostname(), rsync: rsyncVersion, repeats: REPEATS, results: all }));
