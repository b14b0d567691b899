// Starts a real ZooKeeper (standalone or an ensemble) for a test through
// scripts/zookeeper.sh, and stops it when the test ends.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../src/common/packageRoot.js';

const run = promisify(execFile);
const SCRIPT = join(packageRoot(), 'scripts', 'zookeeper.sh');

export interface ZooKeeperServer {
  /** host:port[,host:port...] */
  connect: string;
  dir: string;
  stop(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startZooKeeper(t: Teardown, options: { servers?: number } = {}): Promise<ZooKeeperServer> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-zk-'));
  const args = ['start', dir, '--owner-pid', String(process.pid), ...(options.servers ? ['--servers', String(options.servers)] : [])];
  const { stdout } = await run('bash', [SCRIPT, ...args], { timeout: 90_000 });
  let stopped = false;
  const server: ZooKeeperServer = {
    connect: stdout.trim().split('\n').pop()!,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await run('bash', [SCRIPT, 'stop', dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
  t.teardown(() => server.stop());
  return server;
}
