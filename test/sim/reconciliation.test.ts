import t from 'tap';
import { commandTask, frameworkInfo, subscribe } from '../support/simClient.js';
import { startSim } from '../support/simHarness.js';

t.test('explicit reconciliation answers each task by what the master knows of it and its agent', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const aware = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => aware.close());
  const agentId = sim.agentIds()[0]!;
  const offer = await aware.takeOffer();
  await aware.launch(offer.id.value, [commandTask('known', agentId, 'sleep 600')]);
  await aware.update('known', 'TASK_RUNNING');

  await aware.call({
    type: 'RECONCILE',
    reconcile: {
      tasks: [
        { task_id: { value: 'known' } },
        { task_id: { value: 'on-registered' }, agent_id: { value: agentId } },
        { task_id: { value: 'on-unknown-agent' }, agent_id: { value: 'no-such-agent' } },
        { task_id: { value: 'no-agent-given' } },
      ],
    },
  });
  const known = await aware.next('UPDATE', (e) => e.update.status.task_id.value === 'known' && e.update.status.reason === 'REASON_RECONCILIATION');
  t.match(known.update.status, { state: 'TASK_RUNNING', message: 'Reconciliation: Latest task state', source: 'SOURCE_MASTER', agent_id: { value: agentId } });
  t.ok(known.update.status.container_status !== undefined, 'with the latest container status');
  t.equal(known.update.status.uuid, undefined);
  t.match(await aware.update('on-registered'), { state: 'TASK_GONE', message: 'Reconciliation: Task is unknown to the agent' });
  t.match(await aware.update('on-unknown-agent'), { state: 'TASK_UNKNOWN', message: 'Reconciliation: Task is unknown' });
  t.match(await aware.update('no-agent-given'), { state: 'TASK_UNKNOWN', message: 'Reconciliation: Task is unknown', agent_id: undefined });

  const legacy = await subscribe(sim.url, frameworkInfo({ capabilities: [{ type: 'MULTI_ROLE' }] }));
  t.teardown(() => legacy.close());
  await legacy.call({
    type: 'RECONCILE',
    reconcile: { tasks: [{ task_id: { value: 'x' }, agent_id: { value: agentId } }, { task_id: { value: 'y' }, agent_id: { value: 'no-such-agent' } }] },
  });
  t.equal((await legacy.update('x')).state, 'TASK_LOST', 'TASK_LOST instead of TASK_GONE without PARTITION_AWARE');
  t.equal((await legacy.update('y')).state, 'TASK_LOST', 'TASK_LOST instead of TASK_UNKNOWN without PARTITION_AWARE');
});

t.test('implicit reconciliation reports every task the framework has, and nothing of others', async (t) => {
  const { sim } = await startSim(t, { agents: 2 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const other = await subscribe(sim.url, frameworkInfo({ name: 'other' }));
  t.teardown(() => other.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [commandTask('a', offer.agent_id.value, 'sleep 600'), commandTask('b', offer.agent_id.value, 'sleep 600')]);
  await sub.update('a', 'TASK_RUNNING');
  await sub.update('b', 'TASK_RUNNING');
  await sub.call({ type: 'RECONCILE', reconcile: {} });
  const a = await sub.next('UPDATE', (e) => e.update.status.reason === 'REASON_RECONCILIATION');
  const b = await sub.next('UPDATE', (e) => e.update.status.reason === 'REASON_RECONCILIATION');
  t.same([a.update.status.task_id.value, b.update.status.task_id.value].sort(), ['a', 'b']);
  await other.call({ type: 'RECONCILE', reconcile: {} });
  await t.rejects(other.next('UPDATE', () => true, 500), 'a framework without tasks hears nothing');
});
