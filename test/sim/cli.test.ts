import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/common/packageRoot.js';
import type { MasterState } from '../../src/sim/stateJson.js';
import { commandTask, frameworkInfo, getJson, subscribe } from '../support/simClient.js';
import { processExists } from '../support/simHarness.js';

/** Runs `ferry` from source with the TypeScript loader this test runs under. */
function ferry(args: string[]) {
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));
  return spawn(process.execPath, [...loader, join(packageRoot(), 'src', 'cli', 'main.ts'), ...args], {
    cwd: packageRoot(),
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exitOf(child: ReturnType<typeof ferry>): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

t.test('ferry sim prints its URL, serves, and stops cleanly on SIGTERM', async (t) => {
  const workDir = await mkdtemp(join(tmpdir(), 'ferry-sim-cli-'));
  t.teardown(() => rm(workDir, { recursive: true, force: true }));
  const child = ferry(['sim', '--agents', '2', '--port', '0', '--work-dir', workDir, '--allocation-interval', '0.2', '--agent-attributes', 'zone:a', '--posix-only-agents', '1', '--agent-hostnames', 'alpha,beta']);
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const exited = exitOf(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`ferry sim exited with ${code} before printing its URL`)));
  });
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const state = (await getJson<MasterState>(`${url}/state`)).body;
  t.equal(state.slaves.length, 2);
  t.same(state.slaves.map((s) => s.hostname).sort(), ['alpha', 'beta'], '--agent-hostnames names the agents');
  t.equal(state.slaves.find((s) => s.attributes['zone'] === 'a')?.attributes['ferry_root'], `${workDir}/agent-0/datasets`);

  const sub = await subscribe(url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [commandTask('cli-task', offer.agent_id.value, 'sleep 600')]);
  const pid = (await sub.update('cli-task', 'TASK_RUNNING')).container_status!.executor_pid!;

  child.kill('SIGTERM');
  const { code } = await exited;
  t.equal(code, 0, 'it exits with status 0');
  t.notOk(processExists(pid), 'no task process is left behind');
  t.ok(await sub.waitClosed(), 'its streams are closed');
});

t.test('ferry sim names the flag it cannot use', async (t) => {
  const { code, stderr } = await exitOf(ferry(['sim', '--agents', 'many', '--work-dir', '/tmp/unused']));
  t.not(code, 0);
  t.match(stderr, /--agents takes a whole number/);
  const missing = await exitOf(ferry(['sim']));
  t.not(missing.code, 0);
  t.match(missing.stderr, /--work-dir/);
  const badResources = await exitOf(ferry(['sim', '--port', '0', '--work-dir', '/tmp/unused', '--agent-resources', 'cpus:x']));
  t.equal(badResources.code, 1);
  t.match(badResources.stderr, /ferry sim: agentResources: resource 'cpus:x' has a text value/);
});
