// Temporary directories for one benchmark run, removed by the run's cleanup.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup.js';

/** Makes a fresh directory under the system temp dir; set FERRY_BENCH_KEEP=1 to keep it for inspection. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ferry-bench-${prefix}-`));
  if (process.env['FERRY_BENCH_KEEP'] !== '1') {
    onCleanup(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  } else {
    process.stderr.write(`keeping ${dir}\n`);
  }
  return dir;
}
