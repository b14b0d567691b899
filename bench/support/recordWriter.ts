// The stateful app of the move benchmarks: it appends numbered records
// "n microseconds task-id" to data/records, each synced to disk before the
// next is written (an acknowledged write), every few milliseconds. When the
// old task stopped writing and the new one started is then read from the data
// itself; this module builds the app and reads its records back.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendName } from '../../src/state/model.js';

/** Pause between records; with the sync and the forks a record lands every ~8–15 ms on the reference VM. */
const PAUSE_S = '0.005';

/** bash, for EPOCHREALTIME (a clock read without a fork). Runs in the task's sandbox, where data/ is the dataset. */
export const WRITER_SCRIPT = [
  '[ -e data/cold ] || { head -c "$COLD_BYTES" /dev/urandom > data/cold.tmp && mv data/cold.tmp data/cold; }',
  'n=$(wc -l < data/records 2>/dev/null || echo 0)',
  `while :; do n=$((n+1)); printf "%d %s %s\\n" "$n" "\${EPOCHREALTIME/./}" "$MESOS_TASK_ID" >> data/records && sync data/records || exit 1; sleep ${PAUSE_S}; done`,
].join('; ');

/** The Marathon app definition of the writer with one dataset on `backend`. */
export function writerApp(id: string, dataset: string, backend: BackendName, coldBytes: number): Record<string, unknown> {
  return {
    id,
    args: ['/bin/bash', '-c', WRITER_SCRIPT],
    cpus: 0.1,
    mem: 32,
    portDefinitions: [],
    env: { COLD_BYTES: String(coldBytes) },
    container: {
      type: 'MESOS',
      volumes: [{ containerPath: 'data', mode: 'RW', external: { name: dataset, size: 1, provider: 'ferry', options: { 'ferry/backend': backend } } }],
    },
  };
}

export interface WriterRecord {
  n: number;
  /** epoch ms, with microsecond precision */
  atMs: number;
  taskId: string;
}

/** The records in `dir`/records; a torn last line (a task killed mid-write) is skipped. */
export async function readRecords(dir: string): Promise<WriterRecord[]> {
  let text: string;
  try {
    text = await readFile(join(dir, 'records'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const records: WriterRecord[] = [];
  for (const line of text.split('\n')) {
    const [n, us, taskId] = line.split(' ');
    if (n === undefined || us === undefined || taskId === undefined || !/^\d+$/.test(n) || !/^\d{16}$/.test(us)) continue;
    records.push({ n: Number(n), atMs: Number(us) / 1000, taskId });
  }
  return records;
}

/** The last record `taskId` wrote and the first one of `nextTaskId` after it. */
export function handover(records: readonly WriterRecord[], taskId: string, nextTaskId: string): { lastMs: number; firstMs: number } | undefined {
  const last = records.findLast((r) => r.taskId === taskId);
  const first = records.find((r) => r.taskId === nextTaskId);
  if (last === undefined || first === undefined) return undefined;
  return { lastMs: last.atMs, firstMs: first.atMs };
}

/** Records numbered 1, 2, 3, … with no gap and nothing twice: nothing acknowledged was lost in the moves. */
export function gapsIn(records: readonly WriterRecord[]): number {
  let gaps = 0;
  records.forEach((r, i) => {
    if (r.n !== i + 1) gaps++;
  });
  return gaps;
}
