// Runs `ferry scheduler` in the test process through runScheduler (the same
// function the command calls), so tests see what its flags wire together:
// TLS, tokens, ZooKeeper credentials. Everything started is stopped at teardown.

import https from 'node:https';
import { runScheduler, type RunningScheduler, type SchedulerFlags } from '../../src/cli/commands/scheduler.js';
import { DEFAULT_SCHEDULER_CONFIG } from '../../src/scheduler/schedulerConfig.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startScheduler(t: Teardown, flags: Partial<SchedulerFlags> & Pick<SchedulerFlags, 'master'>): Promise<RunningScheduler> {
  const running = await runScheduler({
    api: '127.0.0.1:0',
    name: 'ferry-test',
    role: '*',
    user: 'root',
    failoverTimeout: 3600,
    zkSessionTimeout: 10_000,
    media: 'protobuf',
    defaultFerryRoot: DEFAULT_SCHEDULER_CONFIG.defaultFerryRoot,
    dataVia: 'auto',
    hostname: 'localhost',
    logLevel: process.env['FERRY_TEST_LOG'] ?? 'silent',
    defaultMountRoot: DEFAULT_SCHEDULER_CONFIG.defaultMountRoot,
    nodeCommand: 'node',
    agentLostTimeout: DEFAULT_SCHEDULER_CONFIG.agentLostTimeoutSeconds,
    declineRefuseSeconds: DEFAULT_SCHEDULER_CONFIG.declineRefuseSeconds,
    waitingRefuseSeconds: DEFAULT_SCHEDULER_CONFIG.shortRefuseSeconds,
    ...flags,
  });
  t.teardown(() => running.stop());
  return running;
}

/** One request over https trusting only `ca`; resolves with the status and the parsed body. */
export function httpsCall(base: string, ca: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<{ status: number; body: unknown }> {
  const [host, port] = [base.slice(0, base.lastIndexOf(':')), Number(base.slice(base.lastIndexOf(':') + 1))];
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request({ host, port, method, path, ca, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : (JSON.parse(text) as unknown) });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
