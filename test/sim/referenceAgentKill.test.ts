import t from 'tap';
import { commandTask, frameworkInfo, subscribe } from '../support/simClient.js';
import { eventually, processExists, startSim } from '../support/simHarness.js';
import { assertMatchesReference, loadReference } from '../support/simReference.js';

for (const checkpoint of [false, true]) {
  t.test(`an agent whose host crashes, framework ${checkpoint ? 'with' : 'without'} checkpointing`, async (t) => {
    const recording = loadReference(checkpoint ? 'agent-kill-checkpointed.jsonl' : 'agent-kill.jsonl');
    const { sim } = await startSim(t, { agentResources: 'cpus:2;mem:2048;disk:10240;ports:[31000-31999]', agentAttributes: ['host:h1;zone:z1', 'host:h2;zone:z2'] });
    const sub = await subscribe(sim.url, frameworkInfo({ checkpoint }), { autoAck: true });
    t.teardown(() => sub.close());
    const offer = (await sub.next('OFFERS')).offers.offers![0]!;
    const agentId = offer.agent_id.value;
    await sub.launch(offer.id.value, [commandTask('on-killed-agent', agentId, 'sleep 600')]);
    await sub.update('on-killed-agent', 'TASK_STARTING');
    const pid = (await sub.update('on-killed-agent', 'TASK_RUNNING')).container_status!.executor_pid!;

    await sim.stopAgent(agentId);
    t.notOk(processExists(pid), "the crashed host's task process is gone");
    if (checkpoint) {
      const unreachable = await sub.update('on-killed-agent', 'TASK_UNREACHABLE', 5000);
      t.equal(unreachable.message, 'health check timed out');
    } else {
      const lost = await sub.update('on-killed-agent', 'TASK_LOST', 1000);
      t.equal(lost.message, 'Agent 127.0.0.1 disconnected');
    }
    const failure = await sub.next('FAILURE', () => true, 5000);
    t.same(failure.failure, { agent_id: { value: agentId } });
    const stateOrder = sub.events.filter((e) => e.type === 'FAILURE' || (e.type === 'UPDATE' && e.update.status.source === 'SOURCE_MASTER')).map((e) => e.type);
    t.same(stateOrder, ['UPDATE', 'FAILURE'], 'the task update comes before FAILURE');
    t.equal((await sub.call({ type: 'TEARDOWN' })).status, 202);
    assertMatchesReference(t, sub.events, recording.stream);
  });
}

for (const partitionAware of [true, false]) {
  t.test(`a crashed agent that restarts before it is declared lost reconciles its unknown tasks (${partitionAware ? 'TASK_DROPPED' : 'TASK_LOST'})`, async (t) => {
    const { sim } = await startSim(t, { agents: 1, agentPingTimeoutMs: 5000 });
    const capabilities = partitionAware ? [{ type: 'MULTI_ROLE' as const }, { type: 'PARTITION_AWARE' as const }] : [{ type: 'MULTI_ROLE' as const }];
    const sub = await subscribe(sim.url, frameworkInfo({ checkpoint: true, capabilities }), { autoAck: true });
    t.teardown(() => sub.close());
    const offer = (await sub.next('OFFERS')).offers.offers![0]!;
    const agentId = offer.agent_id.value;
    await sub.launch(offer.id.value, [commandTask('lost-in-crash', agentId, 'sleep 600')]);
    await sub.update('lost-in-crash', 'TASK_RUNNING');
    await sim.stopAgent(agentId);
    await sim.startAgent(agentId);
    const status = await sub.update('lost-in-crash', partitionAware ? 'TASK_DROPPED' : 'TASK_LOST');
    t.equal(status.source, 'SOURCE_AGENT');
    t.equal(status.reason, 'REASON_RECONCILIATION');
    t.equal(status.message, 'Reconciliation: task unknown to the agent');
    t.ok(status.uuid !== undefined, 'the agent sends it reliably, with a uuid');
    t.equal(status.executor_id, undefined, 'without an executor id');
    await eventually(() => sim.state().frameworks[0]!.tasks.length === 0, 'the master to forget the task once acknowledged');
    await sub.next('OFFERS', (e) => e.offers.offers!.some((o) => o.agent_id.value === agentId));
  });
}

t.test('a crashed agent that restarts after it was declared lost comes back empty', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo({ checkpoint: true }), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = (await sub.next('OFFERS')).offers.offers![0]!;
  const agentId = offer.agent_id.value;
  await sub.launch(offer.id.value, [commandTask('gone-with-host', agentId, 'sleep 600')]);
  await sub.update('gone-with-host', 'TASK_RUNNING');
  await sim.stopAgent(agentId);
  await sub.update('gone-with-host', 'TASK_UNREACHABLE', 5000);
  await sim.startAgent(agentId);
  await sub.next('OFFERS', (e) => e.offers.offers!.some((o) => o.agent_id.value === agentId));
  await sub.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'gone-with-host' }, agent_id: { value: agentId } }] } });
  const answer = await sub.next('UPDATE', (e) => e.update.status.reason === 'REASON_RECONCILIATION');
  t.equal(answer.update.status.state, 'TASK_GONE', 'the returned agent does not know the task');
  t.same(sim.state().frameworks[0]!.unreachable_tasks, [], 'the master forgot the unreachable task');
  t.equal(sim.state().slaves.find((s) => s.id === agentId)?.active, true, 'the agent is active again');
});
