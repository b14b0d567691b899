import t from 'tap';
import { commandTask, frameworkInfo, subscribe } from '../support/simClient.js';
import { processExists, startSim } from '../support/simHarness.js';
import { assertMatchesReference, loadReference } from '../support/simReference.js';

t.test('a partitioned agent becomes unreachable and returns with its task still running', async (t) => {
  const recording = loadReference('agent-partition.jsonl');
  const { sim } = await startSim(t, { agentResources: 'cpus:2;mem:2048;disk:10240;ports:[31000-31999]', agentAttributes: ['host:h1', 'host:h2'] });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = (await sub.next('OFFERS')).offers.offers![0]!;
  const agentId = offer.agent_id.value;
  await sub.launch(offer.id.value, [commandTask('tx-sleep-7608', agentId, 'sleep 600')], 0);
  await sub.update('tx-sleep-7608', 'TASK_STARTING');
  const running = await sub.update('tx-sleep-7608', 'TASK_RUNNING');
  const pid = running.container_status!.executor_pid!;

  const partitionedAt = Date.now();
  await sim.partitionAgent(agentId);
  const unreachable = await sub.update('tx-sleep-7608', 'TASK_UNREACHABLE', 5000);
  t.ok(Date.now() - partitionedAt >= 350, 'the master waits for several missed pings');
  t.equal(unreachable.reason, 'REASON_AGENT_REMOVED');
  const failure = await sub.next('FAILURE');
  t.same(failure.failure, { agent_id: { value: agentId } }, 'FAILURE names only the agent');
  t.ok(processExists(pid), 'the task process keeps running on the partitioned agent');

  await sub.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'tx-sleep-7608' }, agent_id: { value: agentId } }] } });
  const reconciled = await sub.next('UPDATE', (e) => e.update.status.message === 'Reconciliation: Task is unreachable');
  t.same(reconciled.update.status.unreachable_time, unreachable.unreachable_time, 'reconciliation reports when the agent became unreachable');
  t.same(sim.state().frameworks[0]!.unreachable_tasks.map((task) => task.id), ['tx-sleep-7608'], '/state lists the task as unreachable');

  await sim.healAgent(agentId);
  const back = await sub.next('UPDATE', (e) => e.update.status.reason === 'REASON_AGENT_REREGISTERED');
  t.equal(back.update.status.state, 'TASK_RUNNING');
  t.equal(back.update.status.container_status!.executor_pid, pid, 'the same process is still running');
  const offersBack = await sub.next('OFFERS', (e) => e.offers.offers!.some((o) => o.agent_id.value === agentId));
  const cpus = offersBack.offers.offers!.find((o) => o.agent_id.value === agentId)!.resources!.find((r) => r.name === 'cpus')!;
  t.equal(cpus.scalar!.value, 1.9, "the returned agent's offer excludes the running task");
  await sub.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'tx-sleep-7608' }, agent_id: { value: agentId } }] } });
  await sub.next('UPDATE', (e) => e.update.status.message === 'Reconciliation: Latest task state');

  assertMatchesReference(t, sub.events, recording.stream);
});

t.test('a partition shorter than the ping timeouts goes unnoticed and held messages arrive', async (t) => {
  const { sim } = await startSim(t, { agents: 1, agentPingTimeoutMs: 1000 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = (await sub.next('OFFERS')).offers.offers![0]!;
  await sim.partitionAgent(offer.agent_id.value);
  await sub.launch(offer.id.value, [commandTask('during-partition', offer.agent_id.value, 'sleep 600')]);
  await t.rejects(sub.update('during-partition', 'TASK_STARTING', 300), 'nothing reaches the partitioned agent');
  await sim.healAgent(offer.agent_id.value);
  await sub.update('during-partition', 'TASK_RUNNING');
  t.notOk(sub.events.some((e) => e.type === 'FAILURE'), 'the agent was never lost');
});

t.test('a non-partition-aware framework hears TASK_LOST for an unreachable agent', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo({ capabilities: [{ type: 'MULTI_ROLE' }] }), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = (await sub.next('OFFERS')).offers.offers![0]!;
  await sub.launch(offer.id.value, [commandTask('plain', offer.agent_id.value, 'sleep 600')]);
  await sub.update('plain', 'TASK_RUNNING');
  await sim.partitionAgent(offer.agent_id.value);
  const lost = await sub.update('plain', 'TASK_LOST', 5000);
  t.equal(lost.reason, 'REASON_AGENT_REMOVED');
  t.equal(lost.message, 'health check timed out');
  t.ok(lost.unreachable_time !== undefined, 'TASK_LOST still says when the agent was lost');
  await sub.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'plain' }, agent_id: offer.agent_id }] } });
  const reconciled = await sub.next('UPDATE', (e) => e.update.status.reason === 'REASON_RECONCILIATION');
  t.equal(reconciled.update.status.state, 'TASK_LOST');
  await sim.healAgent(offer.agent_id.value);
  const back = await sub.next('UPDATE', (e) => e.update.status.reason === 'REASON_AGENT_REREGISTERED');
  t.equal(back.update.status.state, 'TASK_RUNNING', 'the task is running again when its agent returns');
});
