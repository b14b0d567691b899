// Benchmark (a): copy moves of 10 MiB, 1 GiB and 4 GiB datasets, agent to
// agent over 127.0.0.1 with the compiled node artifact. The app writes 10 MiB
// during pre-copy and 1 MiB more just before it is stopped; the final delta is
// the downtime and must stay flat as the dataset grows. Also measures bulk
// copy throughput against `tar -c | tar -x` (plus sync) in the same run: by a
// `send` process (its Node start included) and by a resident sender (this
// process, as the node executor runs a move's rounds), each into a receiver
// process that listens before the timer starts.
// Usage: node dist/bench/copyMoveDowntime.js [workdir] [sizes in MiB, comma-separated]

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { appWrites, writeColdDataset, writeHotFiles } from './benchDatasets.js';
import { performance } from 'node:perf_hooks';
import { runSender } from '../src/node/copy/sender.js';
import { fmtMs, freeBytes, GiB, median, MiB, send, startReceiver, timed, timedShell, type SendResult } from './benchProcesses.js';

const base = process.argv[2] ?? tmpdir();
const sizes = (process.argv[3] ?? '10,1024,4096').split(',').map((s) => Number(s) * MiB);
const REPEATS = Number(process.env['FERRY_BENCH_REPEATS'] ?? 3);

interface SizeFigures {
  sizeMiB: number;
  skipped?: string;
  preCopyRounds?: { bytesSent: number; durationMs: number }[];
  final?: { engineMs: number; wallMs: number; bytesRead: number; bytesSent: number; filesRead: number; flushMs: number };
  bulk?: { ferryMs: number[]; residentMs: number[]; tarSyncMs: number[]; tarOnlyMs: number[] };
}

async function sync(): Promise<void> {
  await timed('sync', []);
}

async function fullCopyByFerry(source: string, destinationRoot: string): Promise<number> {
  const destination = join(destinationRoot, 'ds');
  const receiver = await startReceiver(destination);
  const { wallMs } = await send(source, receiver.port, join(destinationRoot, 'sender.json'), 'final');
  await receiver.done;
  await rm(destinationRoot, { recursive: true, force: true });
  await sync();
  return wallMs;
}

/** The same full copy by a sender in this process: no Node start, as when the node executor runs it. */
async function fullCopyByResidentFerry(source: string, destinationRoot: string): Promise<number> {
  const destination = join(destinationRoot, 'ds');
  const receiver = await startReceiver(destination);
  const t0 = performance.now();
  const stats = await runSender({ dir: source, host: '127.0.0.1', port: receiver.port, stateFile: join(destinationRoot, 'sender.json'), final: true });
  const ms = performance.now() - t0;
  if (!stats.complete) throw new Error('the resident full copy did not complete');
  await receiver.done;
  await rm(destinationRoot, { recursive: true, force: true });
  await sync();
  return ms;
}

async function fullCopyByTar(source: string, destinationRoot: string, withSync: boolean): Promise<number> {
  const destination = join(destinationRoot, 'ds');
  await mkdir(destination, { recursive: true });
  const script = `tar -C '${source}' -cf - . | tar -C '${destination}' -xf -${withSync ? ` && sync -f '${destination}'` : ''}`;
  const { ms } = await timedShell(script);
  await rm(destinationRoot, { recursive: true, force: true });
  await sync();
  return ms;
}

async function measureSize(size: number): Promise<SizeFigures> {
  const figures: SizeFigures = { sizeMiB: size / MiB };
  const needed = 3 * size + 512 * MiB;
  const free = await freeBytes(base);
  if (free < needed) {
    figures.skipped = `needs ${(needed / GiB).toFixed(1)} GiB free in ${base}, has ${(free / GiB).toFixed(1)} GiB`;
    return figures;
  }
  const work = await mkdtemp(join(base, 'ferry-bench-move-'));
  try {
    const source = join(work, 'agent-a', 'ds');
    await writeColdDataset(source, size, size <= 64 * MiB ? MiB : 64 * MiB);
    await writeHotFiles(source);
    await sync();

    // bulk throughput, alternating so that neither side always runs on a warmer machine
    const bulk = { ferryMs: [] as number[], residentMs: [] as number[], tarSyncMs: [] as number[], tarOnlyMs: [] as number[] };
    for (let i = 0; i < REPEATS; i++) {
      if (i % 2 === 0) {
        bulk.ferryMs.push(await fullCopyByFerry(source, join(work, 'bulk-ferry')));
        bulk.residentMs.push(await fullCopyByResidentFerry(source, join(work, 'bulk-resident')));
        bulk.tarSyncMs.push(await fullCopyByTar(source, join(work, 'bulk-tar'), true));
      } else {
        bulk.tarSyncMs.push(await fullCopyByTar(source, join(work, 'bulk-tar'), true));
        bulk.residentMs.push(await fullCopyByResidentFerry(source, join(work, 'bulk-resident')));
        bulk.ferryMs.push(await fullCopyByFerry(source, join(work, 'bulk-ferry')));
      }
      bulk.tarOnlyMs.push(await fullCopyByTar(source, join(work, 'bulk-tar'), false));
    }
    figures.bulk = bulk;

    // the move: pre-copy while the app writes 10 MiB, a last 1 MiB, then the final delta
    const destination = join(work, 'agent-b', 'ds');
    const stateFile = join(work, 'agent-a', 'sender.json');
    const receiver = await startReceiver(destination);
    let writing = true;
    const writer = appWrites(source, 10 * MiB, 256 * 1024, 10).finally(() => (writing = false));
    const rounds: { bytesSent: number; durationMs: number }[] = [];
    do {
      const pass = await send(source, receiver.port, stateFile, 'pre-copy');
      for (const r of (pass.result as { rounds: SendResult[] }).rounds) rounds.push({ bytesSent: r.bytesSent, durationMs: r.durationMs });
    } while (writing);
    await writer;
    const lastPass = await send(source, receiver.port, stateFile, 'pre-copy');
    for (const r of (lastPass.result as { rounds: SendResult[] }).rounds) rounds.push({ bytesSent: r.bytesSent, durationMs: r.durationMs });
    figures.preCopyRounds = rounds;

    await appWrites(source, MiB, 256 * 1024, 0, 7);
    const final = await send(source, receiver.port, stateFile, 'final');
    const finalResult = final.result as SendResult;
    if (!finalResult.complete) throw new Error('the final round did not complete the destination');
    const received = JSON.parse(await receiver.done) as { result: { rounds: { final: boolean; flushMs: number }[] } };
    const finalReceived = received.result.rounds.find((r) => r.final);
    figures.final = {
      engineMs: finalResult.durationMs,
      wallMs: final.wallMs,
      bytesRead: finalResult.bytesRead,
      bytesSent: finalResult.bytesSent,
      filesRead: finalResult.filesRead,
      flushMs: finalReceived?.flushMs ?? 0,
    };
    return figures;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const started = new Date();
console.log(`copy move downtime — ${started.toISOString()} on ${hostname()} (${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / GiB).toFixed(0)} GiB RAM, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}), work dir ${base}`);
const results: SizeFigures[] = [];
for (const size of sizes) {
  const figures = await measureSize(size);
  results.push(figures);
  if (figures.skipped !== undefined) {
    console.log(`${figures.sizeMiB} MiB: SKIPPED (${figures.skipped})`);
    continue;
  }
  const f = figures.final!;
  const b = figures.bulk!;
  const bytes = figures.sizeMiB * MiB + 4 * 4 * MiB;
  const ferryMBs = bytes / MiB / (median(b.ferryMs) / 1000);
  const residentMBs = bytes / MiB / (median(b.residentMs) / 1000);
  const tarMBs = bytes / MiB / (median(b.tarSyncMs) / 1000);
  console.log(
    `${figures.sizeMiB} MiB: pre-copy rounds sent [${figures.preCopyRounds!.map((r) => (r.bytesSent / MiB).toFixed(1)).join(', ')}] MiB; ` +
      `final delta ${fmtMs(f.engineMs)} in the sender (${fmtMs(f.wallMs)} with process start), read ${(f.bytesRead / MiB).toFixed(1)} MiB in ${f.filesRead} files, sent ${(f.bytesSent / MiB).toFixed(2)} MiB, receiver flush ${fmtMs(f.flushMs)}; ` +
      `bulk copy by a send process ${fmtMs(median(b.ferryMs))} (${ferryMBs.toFixed(0)} MiB/s), by a resident sender ${fmtMs(median(b.residentMs))} (${residentMBs.toFixed(0)} MiB/s) ` +
      `vs tar|tar+sync ${fmtMs(median(b.tarSyncMs))} (${tarMBs.toFixed(0)} MiB/s): ratio ${(ferryMBs / tarMBs).toFixed(2)} as a process, ${(residentMBs / tarMBs).toFixed(2)} resident; tar|tar without sync ${fmtMs(median(b.tarOnlyMs))}`,
  );
}
const measured = results.filter((r) => r.final !== undefined);
if (measured.length >= 2) {
  const smallest = measured[0]!;
  const largest = measured.at(-1)!;
  console.log(
    `flatness: final delta ${largest.sizeMiB} MiB / ${smallest.sizeMiB} MiB = ${(largest.final!.engineMs / smallest.final!.engineMs).toFixed(2)}× in the sender, ` +
      `${(largest.final!.wallMs / smallest.final!.wallMs).toFixed(2)}× with process start (target ≤ 1.5×)`,
  );
}
console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(JSON.stringify({ benchmark: 'copyMoveDowntime', date: started.toISOString(), host: hostname(), results }));
