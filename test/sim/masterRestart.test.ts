import t from 'tap';
import { commandTask, frameworkInfo, postCall, subscribe } from '../support/simClient.js';
import { processExists, startSim } from '../support/simHarness.js';

t.test('after a master restart, tasks survive and the framework must resubscribe', async (t) => {
  const { sim } = await startSim(t, { agents: 2 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [commandTask('survives', offer.agent_id.value, 'sleep 600')]);
  const pid = (await sub.update('survives', 'TASK_RUNNING')).container_status!.executor_pid!;
  const oldMasterId = sim.state().id;

  await sim.restartMaster();
  t.ok(await sub.waitClosed(), 'every stream drops');
  const state = sim.state();
  t.not(state.id, oldMasterId, 'the new master has a new id');
  t.ok(processExists(pid), 'the task process keeps running');
  const recovered = state.frameworks.find((f) => f.id === sub.frameworkId)!;
  t.match(recovered, { active: false, connected: false, recovered: true }, 'the framework is known from its agents, waiting for its scheduler');
  t.same(recovered.tasks.map((task) => [task.id, task.state]), [['survives', 'TASK_RUNNING']]);

  const call = await postCall(sim.url, { type: 'REVIVE', framework_id: { value: sub.frameworkId } }, { streamId: sub.streamId });
  t.same({ status: call.status, body: call.body }, { status: 403, body: 'Framework is not subscribed' }, 'calls are refused until it resubscribes');
  const unknown = await postCall(sim.url, { type: 'REVIVE', framework_id: { value: `${oldMasterId}-0099` } }, { streamId: 'x' });
  t.equal(unknown.body, 'Framework cannot be found', 'a framework with no tasks is unknown to the new master');

  const again = await subscribe(sim.url, frameworkInfo({ id: { value: sub.frameworkId } }), { autoAck: true });
  t.teardown(() => again.close());
  const subscribed = again.all('SUBSCRIBED')[0]!;
  t.equal(subscribed.subscribed.framework_id.value, sub.frameworkId, 'it keeps its framework id');
  t.equal(subscribed.subscribed.master_info!.id, state.id, 'and learns the new master');
  await again.call({ type: 'RECONCILE', reconcile: {} });
  const latest = await again.next('UPDATE', (e) => e.update.status.reason === 'REASON_RECONCILIATION');
  t.match(latest.update.status, { state: 'TASK_RUNNING', task_id: { value: 'survives' } });
  const offers = await again.next('OFFERS');
  t.ok(offers.offers.offers![0]!.id.value.startsWith(state.id), 'offers carry the new master id');
  await again.call({ type: 'KILL', kill: { task_id: { value: 'survives' } } });
  await again.update('survives', 'TASK_KILLED');
  t.notOk(processExists(pid), 'the surviving task can still be killed');
});

t.test('updates left unacknowledged at a restart are re-sent once the framework resubscribes', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [commandTask('pending', offer.agent_id.value, 'sleep 600')]);
  const starting = await sub.update('pending', 'TASK_STARTING');
  await sim.restartMaster();
  const again = await subscribe(sim.url, frameworkInfo({ id: { value: sub.frameworkId } }));
  t.teardown(() => again.close());
  const resent = await again.update('pending', 'TASK_STARTING', 3000);
  t.equal(resent.uuid, starting.uuid, 'the same update arrives on the new stream');
  await again.acknowledge(resent);
  await again.update('pending', 'TASK_RUNNING');
});

t.test('an agent that was down during the restart is recovered when it returns', async (t) => {
  const { sim } = await startSim(t, { agents: 2 });
  const [down, up] = sim.agentIds();
  await sim.stopAgent(down!);
  await sim.restartMaster();
  const state = sim.state();
  t.same(state.slaves.map((s) => s.id), [up], 'only the running agent re-registered');
  t.same(state.recovered_slaves.map((s) => s.id), [down], 'the other waits in recovered_slaves');
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  await sub.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'maybe-there' }, agent_id: { value: down! } }] } });
  await t.rejects(sub.update('maybe-there', undefined, 500), 'no answer about a task on an agent that may still return');
  await sim.startAgent(down!);
  await sub.takeOffer(down);
  t.same(sim.state().recovered_slaves, [], 'it is registered again');
});
