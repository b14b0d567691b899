// Moves from the command line, for real: the kv example deployed with
// `ferry apps deploy`, a value written through it, then moved with --wait
// (exit 0, every step printed, the value still there on the new agent), a
// move that rolls back (exit 1, the reason), and `ferry moves ls|show|cancel`.

import t, { type Test } from 'tap';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportExamplesDir } from '../../src/cli/localExample.js';
import { waitFor } from '../support/ferryProcess.js';
import { exampleApp, runFerry, shown, startCliFerry, tableRows, type CliFerry } from './ferryCli.js';

interface Detail {
  tasks: { state: string; agentId: string }[];
  datasets: { agentId: string }[];
}

async function kvAnswer(port: number, key: string): Promise<{ status: number; agent: string | null; value: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/kv/${key}`);
  return { status: res.status, agent: res.headers.get('x-kv-agent'), value: await res.text() };
}

async function kvServing(ferry: CliFerry, port: number, notOn?: string): Promise<string> {
  let agent = '';
  await waitFor(
    async () => {
      const detail = (await ferry.call<Detail>('GET', '/v1/apps/kv')).body;
      const running = detail.tasks.find((x) => x.state === 'TASK_RUNNING' && x.agentId !== notOn);
      if (running === undefined) return false;
      const health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      agent = running.agentId;
      return health?.status === 200 && health.headers.get('x-kv-agent') === agent;
    },
    30_000,
    () => 'kv never served',
  );
  return agent;
}

/** Holds a port on every address, as another program on the agent's host would. */
async function occupy(t: Test, port: number): Promise<() => Promise<void>> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  const release = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  t.teardown(release);
  return release;
}

t.test('moves', async (t) => {
  exportExamplesDir();
  const ferry = await startCliFerry(t, { config: { moveOpRetrySeconds: 5 } });
  const url = ['--url', ferry.url];
  const kvPort = ferry.ports + 50;
  const dir = await mkdtemp(join(tmpdir(), 'ferry-cli-moves-'));
  const kvFile = join(dir, 'kv.json');
  await writeFile(kvFile, JSON.stringify(await exampleApp('kv.json', kvPort)));

  const deployed = await runFerry(['apps', 'deploy', kvFile, ...url]);
  t.equal(deployed.code, 0, shown(deployed));
  const first = await kvServing(ferry, kvPort);
  const put = await fetch(`http://127.0.0.1:${kvPort}/kv/greeting`, { method: 'PUT', body: 'hello through a move' });
  t.equal(put.status, 200, 'the kv example acknowledged the write');

  t.test('a move that rolls back exits 1 and says why', async (t) => {
    // the receiver on the destination listens on the first port offered; something else holds it
    const release = await occupy(t, ferry.ports);
    const result = await runFerry(['apps', 'move', '/kv', '--to', 'any', '--wait', ...url]);
    await release();
    t.equal(result.code, 1, shown(result));
    t.match(result.stdout, /^move \S+ ROLLED_BACK in .+: .*EADDRINUSE/m);
    t.match(result.stdout, /^ {2}[A-Z_]+ +failed +.*EADDRINUSE/m, "the step that failed, with the reason");
    t.equal((await kvAnswer(kvPort, 'greeting')).value, 'hello through a move', 'the data stayed and is served');
  });

  let moveId = '';
  t.test('apps move --wait follows the move step by step and exits 0 once it SUCCEEDED', async (t) => {
    await kvServing(ferry, kvPort);
    const result = await runFerry(['apps', 'move', 'kv', '--to', 'any', '--wait', ...url]);
    t.equal(result.code, 0, shown(result));
    const header = /^move (\S+): dataset kv-data \(app \/kv instance 0\) from (\S+) to (\S+), copy \(local\)$/m.exec(result.stdout);
    t.ok(header, 'the first line names the move, its dataset, app and agents');
    moveId = header?.[1] ?? '';
    t.equal(header?.[2], first);
    for (const step of ['RECEIVER', 'PRECOPY', 'STOP_TASK', 'FINAL_COPY', 'SWITCH', 'LAUNCH', 'CLEANUP', 'DONE']) {
      t.match(result.stdout, new RegExp(`^  ${step} +ok +`, 'm'), `${step} is in the timeline`);
    }
    t.match(result.stdout, new RegExp(`^move ${moveId} SUCCEEDED in \\S+`, 'm'));
    const now = await kvServing(ferry, kvPort, first);
    t.equal(now, header?.[3], 'the app runs on the destination');
    const read = await kvAnswer(kvPort, 'greeting');
    t.same(read, { status: 200, agent: now, value: 'hello through a move' }, 'the acknowledged value came along');
  });

  t.test('moves ls lists moves newest first; --state filters; --json is the API\'s body', async (t) => {
    const result = await runFerry(['moves', 'ls', ...url]);
    t.equal(result.code, 0, shown(result));
    const rows = tableRows(result.stdout);
    t.same(rows[0], ['ID', 'DATASET', 'APP', 'KIND', 'TRIGGER', 'FROM', 'TO', 'STATE', 'STEP', 'DURATION', 'STARTED']);
    t.same(rows.slice(1).map((r) => [r[0] === moveId, r[1], r[2], r[3], r[4], r[7]]), [
      [true, 'kv-data', '/kv#0', 'copy', 'api', 'SUCCEEDED'],
      [false, 'kv-data', '/kv#0', 'copy', 'api', 'ROLLED_BACK'],
    ]);
    const succeeded = await runFerry(['moves', 'ls', '--state', 'succeeded', ...url]);
    t.same(tableRows(succeeded.stdout).slice(1).map((r) => r[0]), [moveId]);
    const json = await runFerry(['moves', 'ls', '--json', '--state', 'ROLLED_BACK', ...url]);
    t.same(JSON.parse(json.stdout), (await ferry.call('GET', '/v1/moves?state=ROLLED_BACK')).body);
  });

  t.test('moves show prints the timeline; --json is the API\'s body; --wait on an ended move returns at once', async (t) => {
    const result = await runFerry(['moves', 'show', moveId, ...url]);
    t.equal(result.code, 0, shown(result));
    t.match(result.stdout, /^state: +SUCCEEDED$/m);
    t.match(result.stdout, /^trigger: +api$/m);
    t.match(result.stdout, /^STEPS\nSTEP +OUTCOME +DURATION +STARTED +DETAIL\nRECEIVER +ok /m);
    const json = await runFerry(['moves', 'show', moveId, '--json', ...url]);
    t.same(JSON.parse(json.stdout), (await ferry.call('GET', `/v1/moves/${moveId}`)).body);
    const waited = await runFerry(['moves', 'show', moveId, '--wait', ...url]);
    t.equal(waited.code, 0, shown(waited));
    t.match(waited.stdout, new RegExp(`move ${moveId} SUCCEEDED`));
    const unknown = await runFerry(['moves', 'show', 'no-such-move', ...url]);
    t.equal(unknown.code, 1, shown(unknown));
    t.match(unknown.stderr, 'ferry: move no-such-move does not exist (field "id", HTTP 404)');
  });

  t.test('cancelling a move that already ended is refused (exit 1)', async (t) => {
    const result = await runFerry(['moves', 'cancel', moveId, ...url]);
    t.equal(result.code, 1, shown(result));
    t.match(result.stderr, /already ended \(SUCCEEDED\).*HTTP 409/);
  });

  t.test('datasets move --wait --json: progress on stderr, the ended move as the API shows it on stdout', async (t) => {
    const from = await kvServing(ferry, kvPort);
    const result = await runFerry(['datasets', 'move', 'kv-data', '--to', first === from ? 'any' : first, '--wait', '--json', ...url]);
    t.equal(result.code, 0, shown(result));
    const body = JSON.parse(result.stdout) as { move: { id: string; state: string } };
    t.equal(body.move.state, 'SUCCEEDED');
    t.same(body, (await ferry.call('GET', `/v1/moves/${body.move.id}`)).body);
    t.match(result.stderr, /^ {2}FINAL_COPY +ok /m);
    t.equal((await kvAnswer(kvPort, 'greeting')).value, 'hello through a move');
    const here = await runFerry(['datasets', 'move', 'kv-data', '--to', (await kvServing(ferry, kvPort)), ...url]);
    t.equal(here.code, 1, shown(here));
    t.match(here.stderr, /already lives on .*\(field "to", HTTP 422\)/);
  });

  t.test('a move without --wait says which move started and how to follow it', async (t) => {
    const from = await kvServing(ferry, kvPort);
    const result = await runFerry(['apps', 'move', '/kv', '--to', 'any', ...url]);
    t.equal(result.code, 0, shown(result));
    t.match(result.stdout, new RegExp(`^started move (\\S+): dataset kv-data \\(app /kv instance 0\\) from ${from} to \\S+, copy \\(local\\)\\nfollow it with: ferry moves show \\1 --wait\\n$`));
    const id = /^started move (\S+):/.exec(result.stdout)?.[1] ?? '';
    const waited = await runFerry(['moves', 'show', id, '--wait', ...url]);
    t.equal(waited.code, 0, shown(waited));
  });
});
