import t from 'tap';
import { createServer } from 'node:http';
import { commandTask, frameworkInfo, subscribe } from '../support/simClient.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../../src/sim/simulator.js';
import { eventually, processExists, startSim } from '../support/simHarness.js';

/** Waits until a task's command has created `ready` in its sandbox (its signal traps are set by then). */
function ready(sim: Simulator, taskId: string): Promise<void> {
  return eventually(() => existsSync(join(sim.task(taskId)!.directory, 'ready')), `task ${taskId} to be ready`);
}

const killingCapable = frameworkInfo({ capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }] });

t.test('KILL: TASK_KILLING for capable frameworks, SIGTERM, then TASK_KILLED', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, killingCapable, { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [commandTask('polite', offer.agent_id.value, 'sleep 600')]);
  const pid = (await sub.update('polite', 'TASK_RUNNING')).container_status!.executor_pid!;
  await sub.call({ type: 'KILL', kill: { task_id: { value: 'polite' } } });
  const killing = await sub.update('polite', 'TASK_KILLING');
  t.equal(killing.source, 'SOURCE_EXECUTOR');
  t.ok(killing.uuid !== undefined);
  const killed = await sub.update('polite', 'TASK_KILLED');
  t.equal(killed.message, 'Command terminated with signal Terminated');
  t.notOk(processExists(pid), 'the process is gone');
});

t.test('a task that ignores SIGTERM is killed with SIGKILL after the grace period', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  const stubborn = "trap '' TERM; touch ready; sleep 600";
  await sub.launch(offer.id.value, [
    commandTask('stubborn', offer.agent_id.value, stubborn, { kill_policy: { grace_period: { nanoseconds: 60e9 } } }),
    commandTask('policy', offer.agent_id.value, stubborn, { kill_policy: { grace_period: { nanoseconds: 300e6 } } }),
  ]);
  await sub.update('stubborn', 'TASK_RUNNING');
  await sub.update('policy', 'TASK_RUNNING');
  await ready(sim, 'stubborn');
  await ready(sim, 'policy');

  let killedAt = Date.now();
  await sub.call({ type: 'KILL', kill: { task_id: { value: 'stubborn' }, kill_policy: { grace_period: { nanoseconds: 500e6 } } } });
  const killed = await sub.update('stubborn', 'TASK_KILLED', 5000);
  t.ok(Date.now() - killedAt >= 500, "the KILL call's grace period overrides the task's");
  t.equal(killed.message, 'Command terminated with signal Killed');
  t.notOk(sub.events.some((e) => e.type === 'UPDATE' && e.update.status.state === 'TASK_KILLING'), 'no TASK_KILLING without the capability');

  killedAt = Date.now();
  await sub.call({ type: 'KILL', kill: { task_id: { value: 'policy' } } });
  await sub.update('policy', 'TASK_KILLED', 5000);
  const waited = Date.now() - killedAt;
  t.ok(waited >= 300 && waited < 3000, `the task's own kill policy applies (${waited} ms)`);
});

t.test('a task that exits by itself during its grace period reports its exit status', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [commandTask('graceful', offer.agent_id.value, "trap 'exit 7' TERM; touch ready; while true; do sleep 0.05; done")]);
  await sub.update('graceful', 'TASK_RUNNING');
  await ready(sim, 'graceful');
  await sub.call({ type: 'KILL', kill: { task_id: { value: 'graceful' } } });
  const killed = await sub.update('graceful', 'TASK_KILLED');
  t.equal(killed.message, 'Command exited with status 7');
});

t.test('a crashed task fails with SIGKILL; crashing an unknown task is refused', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [commandTask('crasher', offer.agent_id.value, 'sleep 600')]);
  await sub.update('crasher', 'TASK_RUNNING');
  await sim.crashTask('crasher');
  const failed = await sub.update('crasher', 'TASK_FAILED');
  t.equal(failed.message, 'Command terminated with signal Killed');
  await t.rejects(sim.crashTask('crasher'), { name: 'SimNotFoundError' });
});

t.test('a kill before the executor started answers for the agent', async (t) => {
  let release: () => void = () => undefined;
  let requested: () => void = () => undefined;
  const fetchStarted = new Promise<void>((r) => (requested = r));
  const server = createServer((_req, res) => {
    release = () => res.end('late');
    requested();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => {
    release();
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  const port = (server.address() as { port: number }).port;
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [
    commandTask('slow-fetch', offer.agent_id.value, 'true', { command: { value: 'true', uris: [{ value: `http://127.0.0.1:${port}/artifact` }] } }),
  ]);
  await fetchStarted;
  await sub.call({ type: 'KILL', kill: { task_id: { value: 'slow-fetch' } } });
  const killed = await sub.update('slow-fetch', 'TASK_KILLED');
  t.match(killed, { source: 'SOURCE_AGENT', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', message: 'Killed before delivery to the executor' });
  release();
  await t.rejects(sub.update('slow-fetch', 'TASK_STARTING', 500), 'the task never starts after its fetch completes');
});
