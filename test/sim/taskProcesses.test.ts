import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandTask, frameworkInfo, subscribe } from '../support/simClient.js';
import { eventually, processExists, startSim } from '../support/simHarness.js';

async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-sim-host-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('a task runs in its sandbox with the environment Mesos gives it', async (t) => {
  const { sim, workDir } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  const agentId = offer.agent_id.value;
  await sub.launch(offer.id.value, [
    commandTask('env-task', agentId, 'env > env.txt; pwd > pwd.txt; echo to-stdout; echo to-stderr >&2', {
      command: { value: 'env > env.txt; pwd > pwd.txt; echo to-stdout; echo to-stderr >&2', environment: { variables: [{ name: 'GREETING', value: 'hello world' }] } },
    }),
  ]);
  await sub.update('env-task', 'TASK_FINISHED');
  const view = sim.task('env-task')!;
  t.match(view.directory, new RegExp(`^${workDir}/agent-0/slaves/${agentId}/frameworks/${sub.frameworkId}/executors/env-task/runs/[0-9a-f-]{36}$`));
  t.equal(view.state, 'TASK_FINISHED');
  t.equal((await readFile(join(view.directory, 'pwd.txt'), 'utf8')).trim(), view.directory, 'the sandbox is the working directory');
  t.equal(await readFile(join(view.directory, 'stdout'), 'utf8'), 'to-stdout\n');
  t.equal(await readFile(join(view.directory, 'stderr'), 'utf8'), 'to-stderr\n');
  const env = Object.fromEntries(
    (await readFile(join(view.directory, 'env.txt'), 'utf8'))
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  t.match(env, {
    GREETING: 'hello world',
    MESOS_SANDBOX: view.directory,
    MESOS_DIRECTORY: view.directory,
    MESOS_TASK_ID: 'env-task',
    MESOS_EXECUTOR_ID: 'env-task',
    MESOS_FRAMEWORK_ID: sub.frameworkId,
    MESOS_AGENT_ID: agentId,
    MESOS_SLAVE_ID: agentId,
    MESOS_ALLOCATION_ROLE: '*',
  });
  t.match(env['MESOS_CONTAINER_NAME'], /^mesos-[0-9a-f-]{36}$/);
});

t.test('argv mode runs the executable with the given arguments, unsplit', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [
    commandTask('argv', offer.agent_id.value, '', { command: { shell: false, value: '/usr/bin/printf', arguments: ['printf', '%s|%s', 'a b', '$HOME'] } }),
    commandTask('no-such-exe', offer.agent_id.value, '', { command: { shell: false, value: '/no/such/executable', arguments: ['x'] } }),
    commandTask('exit-3', offer.agent_id.value, 'exit 3'),
  ], 0);
  await sub.update('argv', 'TASK_FINISHED');
  t.equal(await readFile(join(sim.task('argv')!.directory, 'stdout'), 'utf8'), 'a b|$HOME', 'no shell expanded or split the arguments');
  const missing = await sub.update('no-such-exe', 'TASK_FAILED');
  t.equal(missing.message, 'Command exited with status 1');
  t.match(await readFile(join(sim.task('no-such-exe')!.directory, 'stderr'), 'utf8'), /Failed to execute '\/no\/such\/executable'/);
  t.equal((await sub.update('exit-3', 'TASK_FAILED')).message, 'Command exited with status 3');
});

t.test('URIs are fetched into the sandbox before the task starts', async (t) => {
  const host = await tempDir(t);
  await mkdir(join(host, 'content'));
  await writeFile(join(host, 'content', 'inner.txt'), 'from the archive\n');
  execFileSync('tar', ['-czf', join(host, 'bundle.tar.gz'), '-C', host, 'content']);
  await writeFile(join(host, 'local.txt'), 'copied from a path\n');
  await writeFile(join(host, 'script.sh'), '#!/bin/sh\necho ran-the-script\n');
  const server = createServer(async (req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { Location: '/script.sh' });
      res.end();
      return;
    }
    const file = join(host, req.url!.slice(1));
    try {
      res.end(await readFile(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;

  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  const check = 'cat content/inner.txt local.txt && ./run.sh && test ! -x local.txt';
  await sub.launch(offer.id.value, [
    commandTask('fetching', offer.agent_id.value, check, {
      command: {
        value: check,
        uris: [
          { value: `http://127.0.0.1:${port}/bundle.tar.gz` },
          { value: join(host, 'local.txt'), extract: false },
          { value: `http://127.0.0.1:${port}/redirect`, executable: true, output_file: 'run.sh' },
        ],
      },
    }),
    commandTask('fetch-fails', offer.agent_id.value, 'true', { command: { value: 'true', uris: [{ value: `http://127.0.0.1:${port}/missing` }] } }),
  ], 0);
  await sub.update('fetching', 'TASK_FINISHED');
  t.equal(await readFile(join(sim.task('fetching')!.directory, 'stdout'), 'utf8'), 'from the archive\ncopied from a path\nran-the-script\n');
  const failed = await sub.update('fetch-fails', 'TASK_FAILED');
  t.match(failed, { source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED', executor_id: { value: 'fetch-fails' } });
  t.match(failed.message, /^Failed to launch container: Failed to fetch all URIs for container '[0-9a-f-]{36}': exited with status 1$/);
  t.match(await readFile(join(sim.task('fetch-fails')!.directory, 'stderr'), 'utf8'), /HTTP 404/);
  t.notOk(sub.events.some((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'fetch-fails' && e.update.status.state === 'TASK_STARTING'), 'a task whose container failed never starts');
});

t.test('HOST_PATH volumes: linked into the sandbox on linux agents, refused on posix-only agents', async (t) => {
  const host = await tempDir(t);
  const { sim } = await startSim(t, { agents: 2, posixOnlyAgents: [1] });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const [linuxAgent, posixAgent] = sim.agentIds();
  const volume = (containerPath: string) => ({ type: 'MESOS' as const, volumes: [{ mode: 'RW' as const, container_path: containerPath, source: { type: 'HOST_PATH' as const, host_path: { path: host } } }] });

  const linuxOffer = await sub.takeOffer(linuxAgent);
  await sub.launch(linuxOffer.id.value, [
    commandTask('writer', linuxAgent!, 'mkdir -p mnt/data/nested && echo persisted > mnt/data/nested/file.txt', { container: volume('mnt/data') }),
    commandTask('legacy', linuxAgent!, 'echo legacy > old/legacy.txt', { container: { type: 'MESOS', volumes: [{ mode: 'RW', container_path: 'old', host_path: host }] } }),
    commandTask('absolute', linuxAgent!, 'true', { container: volume('/mnt/data') }),
  ], 0);
  await sub.update('writer', 'TASK_FINISHED');
  await sub.update('legacy', 'TASK_FINISHED');
  const absolute = await sub.update('absolute', 'TASK_FAILED');
  t.match(absolute.message, /^Failed to launch container: Mount point '\/mnt\/data' is an absolute path/);
  t.equal(await readFile(join(host, 'legacy.txt'), 'utf8'), 'legacy\n', 'the legacy host_path form works too');
  t.equal(await readFile(join(host, 'nested', 'file.txt'), 'utf8'), 'persisted\n', 'what the task wrote through the volume is on the host');
  t.ok((await stat(join(sim.task('writer')!.directory, 'mnt', 'data'))).isDirectory(), 'the volume appears at its container path');

  const posixOffer = await sub.takeOffer(posixAgent);
  await sub.launch(posixOffer.id.value, [commandTask('on-posix', posixAgent!, 'true', { container: volume('data') })], 0);
  const refused = await sub.update('on-posix', 'TASK_FAILED');
  t.match(refused, {
    source: 'SOURCE_AGENT',
    reason: 'REASON_CONTAINER_LAUNCH_FAILED',
    message: 'Failed to launch container: Volumes in ContainerInfo is not supported',
    executor_id: { value: 'on-posix' },
  });
  t.ok(refused.uuid !== undefined, 'the failure is a reliable agent update');
  t.equal(refused.container_status, undefined, 'no container ever existed');
});

t.test('a task that leaves children behind does not leave them running', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [commandTask('parent', offer.agent_id.value, 'sleep 600 & echo $! > child.pid')]);
  await sub.update('parent', 'TASK_FINISHED');
  const child = Number(await readFile(join(sim.task('parent')!.directory, 'child.pid'), 'utf8'));
  await eventually(() => !processExists(child), 'the background child to be killed with its container');
  t.pass('the child is gone');
});
