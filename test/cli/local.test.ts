// `ferry local` as an operator runs it: a real process that starts the
// simulator, a scheduler and the API, deploys the kv example, prints the
// walkthrough, and on SIGTERM stops everything, leaving no process behind. A
// later start clears what a killed run left, processes included.

import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../support/ferryProcess.js';
import { BIN, runFerry, shown } from './ferryCli.js';

interface LocalRun {
  child: ChildProcess;
  apiPort: number;
  simPort: number;
  output(): string;
  exited: Promise<number | null>;
}

async function startLocal(t: Test, workDir: string, extra: string[] = []): Promise<LocalRun> {
  const apiPort = await freePort();
  const simPort = await freePort();
  const child = spawn(process.execPath, [BIN, 'local', '--work-dir', workDir, '--api-port', String(apiPort), '--sim-port', String(simPort), ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FERRY_EXAMPLES_DIR: undefined, FERRY_URL: undefined },
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await waitFor(() => out.includes('Ctrl-C stops everything.') || child.exitCode !== null, 90_000, () => `ferry local never finished starting:\n${out}`);
  return { child, apiPort, simPort, output: () => out, exited };
}

/** Processes whose Mesos sandbox is under `dir`: what the simulator there started. */
function sandboxProcesses(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (environ.some((e) => e.startsWith(`MESOS_SANDBOX=${dir}/`))) pids.push(Number(name));
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return pids;
}

/** Running, or stopped; a zombie (dead, waiting for a parent that no longer exists to reap it) is not alive. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<number | undefined> {
  return (await fetch(url).catch(() => undefined))?.status;
}

t.test('ferry local starts a cluster with the example, refuses a second one on its directory, and stops cleanly on SIGTERM', { timeout: 240_000 }, async (t) => {
  const workDir = await mkdtemp(join(tmpdir(), 'ferry-local-'));
  const run = await startLocal(t, workDir);
  t.equal(run.child.exitCode, null, run.output());
  const api = `http://127.0.0.1:${run.apiPort}`;
  t.equal(await answers(`${api}/v1/health`), 200, 'the API answers');
  const state = (await (await fetch(`http://127.0.0.1:${run.simPort}/state`)).json()) as { slaves: unknown[]; frameworks: { tasks: { id: string; slave_id: string }[] }[] };
  t.equal(state.slaves.length, 3, 'the simulated master has 3 agents');
  const kv = (await (await fetch(`${api}/v1/apps/kv`)).json()) as { app: { id: string }; datasets: { name: string }[] };
  t.equal(kv.app.id, '/kv', 'the example app is deployed');
  t.same(kv.datasets.map((d) => d.name), ['kv-data']);
  t.match(run.output(), /Deployed the example app \/kv/);
  t.match(run.output(), new RegExp(`Ferry UI +${api}/ui/`));
  t.match(run.output(), new RegExp(`export FERRY_URL=${api}`), 'the walkthrough says how to reach this API');
  t.match(run.output(), /The example app \/kv \(marathon\/examples\/kv\.json\) (runs on agent \S+|is deployed but not running yet)/);
  t.match(run.output(), new RegExp(`curl -XPOST http://127\\.0\\.0\\.1:${run.simPort}/sim/agents/\\S+/stop`));
  t.match(run.output(), /npx ferry apps move \/kv --to any --wait/);

  const cli = await runFerry(['apps', 'ls'], { env: { FERRY_URL: api } });
  t.equal(cli.code, 0, shown(cli));
  t.match(cli.stdout, /^\/kv +1 /m, 'the CLI talks to it');

  const second = await runFerry(['local', '--work-dir', workDir, '--api-port', String(await freePort()), '--sim-port', String(await freePort())]);
  t.equal(second.code, 1, shown(second));
  t.match(second.stderr, `another ferry local is running in ${workDir}`);

  await waitFor(() => sandboxProcesses(join(workDir, 'sim')).length > 0, 30_000, () => `no task process started:\n${run.output()}`);
  const tasks = sandboxProcesses(join(workDir, 'sim'));
  run.child.kill('SIGTERM');
  const code = await Promise.race([run.exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000))]);
  t.equal(code, 0, `it exits 0 after SIGTERM:\n${run.output()}`);
  t.match(run.output(), /Stopping \(SIGTERM\)[\s\S]*Stopped\.\n$/);
  t.same(tasks.filter(alive), [], `every task process ended (${tasks.length} were running)`);
  t.same(sandboxProcesses(join(workDir, 'sim')), [], 'no process of the cluster is left');
  t.equal(await answers(`${api}/v1/health`), undefined, 'the API port is closed');
  t.equal(await answers(`http://127.0.0.1:${run.simPort}/state`), undefined, "the simulator's port is closed");
});

t.test('a start after a killed run clears its cluster and ends the task processes it left behind', { timeout: 240_000 }, async (t) => {
  const workDir = await mkdtemp(join(tmpdir(), 'ferry-local-'));
  const killed = await startLocal(t, workDir);
  await waitFor(() => sandboxProcesses(join(workDir, 'sim')).length > 0, 30_000, () => `no task process started:\n${killed.output()}`);
  killed.child.kill('SIGKILL');
  await killed.exited;
  const orphans = sandboxProcesses(join(workDir, 'sim'));
  t.ok(orphans.length > 0, 'SIGKILL left task processes running, as a crash would');

  const next = await startLocal(t, workDir, ['--no-example']);
  t.match(next.output(), /Cleared the previous local cluster in /);
  t.match(next.output(), /Ended \d+ task process\(es\) an earlier run left behind/);
  t.same(orphans.filter(alive), [], 'the orphans are gone');
  t.notMatch(next.output(), /Deployed the example app/, '--no-example deploys nothing');
  const apps = (await (await fetch(`http://127.0.0.1:${next.apiPort}/v1/apps`)).json()) as { apps: unknown[] };
  t.same(apps.apps, [], 'the state of the killed run is gone');
  next.child.kill('SIGINT');
  t.equal(await next.exited, 0, next.output());
});

t.test('ferry local refuses a work directory it did not create, and a port in use', { timeout: 120_000 }, async (t) => {
  const foreign = await mkdtemp(join(tmpdir(), 'ferry-local-foreign-'));
  await writeFile(join(foreign, 'precious.txt'), 'not Ferry\'s');
  const refused = await runFerry(['local', '--work-dir', foreign, '--api-port', String(await freePort()), '--sim-port', String(await freePort())]);
  t.equal(refused.code, 2, shown(refused));
  t.match(refused.stderr, /holds files that ferry local did not create \(precious\.txt\)/);
  t.equal(readFileSync(join(foreign, 'precious.txt'), 'utf8'), 'not Ferry\'s', 'nothing was touched');

  const busy = createServer();
  const busyPort = await freePort();
  await new Promise<void>((resolve) => busy.listen(busyPort, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => busy.close(() => resolve())));
  const workDir = await mkdtemp(join(tmpdir(), 'ferry-local-'));
  const apiBusy = await runFerry(['local', '--work-dir', workDir, '--api-port', String(busyPort), '--sim-port', String(await freePort()), '--no-example']);
  t.equal(apiBusy.code, 1, shown(apiBusy));
  t.match(apiBusy.stderr, `cannot listen on 127.0.0.1:${busyPort}: the address is in use`);
  const simBusy = await runFerry(['local', '--work-dir', workDir, '--api-port', String(await freePort()), '--sim-port', String(busyPort), '--no-example']);
  t.equal(simBusy.code, 1, shown(simBusy));
  t.match(simBusy.stderr, /EADDRINUSE.*use --sim-port/);
  t.same(sandboxProcesses(join(workDir, 'sim')), [], 'a failed start leaves no process');
});
