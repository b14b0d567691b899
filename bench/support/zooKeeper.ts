// A standalone ZooKeeper for a benchmark run, through scripts/zookeeper.sh
// (free loopback port; stops by itself if this process dies first).

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onCleanup } from './cleanup.js';
import { FERRY_ROOT } from './paths.js';

const run = promisify(execFile);
const SCRIPT = join(FERRY_ROOT, 'scripts', 'zookeeper.sh');

export interface ZooKeeper {
  /** host:port */
  connect: string;
  stop(): Promise<void>;
}

export async function startZooKeeper(dir: string): Promise<ZooKeeper> {
  const { stdout } = await run('bash', [SCRIPT, 'start', dir, '--owner-pid', String(process.pid)], { timeout: 120_000 });
  const connect = stdout.trim().split('\n').pop()!;
  const stop = onCleanup(`ZooKeeper ${connect}`, async () => {
    await run('bash', [SCRIPT, 'stop', dir], { timeout: 60_000 });
  });
  return { connect, stop };
}
