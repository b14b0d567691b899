import t from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandTask, frameworkInfo, subscribe } from '../support/simClient.js';
import { startSim } from '../support/simHarness.js';
import { assertMatchesReference, loadReference } from '../support/simReference.js';

t.test('launch, kill and reconcile send what a real master sent, field for field', async (t) => {
  const recording = loadReference('launch-kill-reconcile.jsonl');
  const { sim } = await startSim(t, { agentResources: 'cpus:2;mem:2048;disk:10240;ports:[31000-31999]', agentAttributes: ['host:h1', 'host:h2'] });
  const hostDir = await mkdtemp(join(tmpdir(), 'ferry-sim-volume-'));
  t.teardown(() => rm(hostDir, { recursive: true, force: true }));

  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  const offers = await sub.next('OFFERS');
  t.same(sub.events.slice(0, 2).map((e) => e.type), ['SUBSCRIBED', 'HEARTBEAT'], 'a HEARTBEAT follows SUBSCRIBED at once');
  const offer = offers.offers.offers![0]!;
  const agentId = offer.agent_id.value;

  const write = commandTask('probe-write-33ea72', agentId, 'echo written-through-the-volume > data/probe.txt', {
    container: { type: 'MESOS', volumes: [{ mode: 'RW', container_path: 'data', source: { type: 'HOST_PATH', host_path: { path: hostDir } } }] },
  });
  const sleep = commandTask('probe-sleep-070220', agentId, 'sleep 600');
  t.equal((await sub.launch(offer.id.value, [write, sleep])).status, 202);

  for (const state of ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'] as const) {
    t.equal((await sub.acknowledge(await sub.update(write.task_id.value, state))).status, 202);
  }
  for (const state of ['TASK_STARTING', 'TASK_RUNNING'] as const) {
    t.equal((await sub.acknowledge(await sub.update(sleep.task_id.value, state))).status, 202);
  }
  t.equal(await readFile(join(hostDir, 'probe.txt'), 'utf8'), 'written-through-the-volume\n', 'the task wrote into the host directory through its volume');

  t.equal((await sub.call({ type: 'KILL', kill: { task_id: sleep.task_id, agent_id: { value: agentId } } })).status, 202);
  const killed = await sub.update(sleep.task_id.value, 'TASK_KILLED');
  t.equal((await sub.acknowledge(killed)).status, 202);

  t.equal(
    (
      await sub.call({
        type: 'RECONCILE',
        reconcile: { tasks: [{ task_id: sleep.task_id, agent_id: { value: agentId } }, { task_id: { value: 'no-such-task' }, agent_id: { value: agentId } }] },
      })
    ).status,
    202,
  );
  await sub.update(sleep.task_id.value, 'TASK_GONE');
  await sub.update('no-such-task', 'TASK_GONE');

  assertMatchesReference(t, sub.events, recording.stream);
});
