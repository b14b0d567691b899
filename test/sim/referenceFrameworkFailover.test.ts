import t from 'tap';
import { commandTask, frameworkInfo, postCall, subscribe } from '../support/simClient.js';
import { eventually, processExists, startSim } from '../support/simHarness.js';
import { assertMatchesReference, loadReference } from '../support/simReference.js';

t.test('a second SUBSCRIBE with the same id takes the framework over', async (t) => {
  const recording = loadReference('framework-failover.jsonl');
  const { sim } = await startSim(t, { agentResources: 'cpus:2;mem:2048;disk:10240;ports:[31000-31999]', agentAttributes: ['host:h1;zone:z1', 'host:h2;zone:z2'] });
  const first = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => first.close());
  const offer = (await first.next('OFFERS')).offers.offers![0]!;
  await first.launch(offer.id.value, [commandTask('survivor', offer.agent_id.value, 'sleep 600')]);
  await first.update('survivor', 'TASK_STARTING');
  const running = await first.update('survivor', 'TASK_RUNNING');
  const pid = running.container_status!.executor_pid!;

  const second = await subscribe(sim.url, frameworkInfo({ id: { value: first.frameworkId } }));
  t.teardown(() => second.close());
  t.equal(second.frameworkId, first.frameworkId, 'the new stream carries the same framework id');
  t.not(second.streamId, first.streamId, 'with a new stream id');
  const error = await first.next('ERROR');
  t.equal(error.error.message, 'Framework failed over');
  t.ok(await first.waitClosed(), 'the old stream closes');

  t.equal((await second.call({ type: 'RECONCILE', reconcile: {} })).status, 202);
  await second.next('UPDATE', (e) => e.update.status.message === 'Reconciliation: Latest task state');
  const old = await first.call({ type: 'REVIVE', revive: {} });
  t.equal(old.status, 400, "the old stream id is refused");
  t.match(old.body, /^The stream ID '.*' included in this request didn't match the stream ID currently associated with framework ID /);

  assertMatchesReference(t, first.events, recording.stream);
  assertMatchesReference(t, second.events, recording.stream2);

  t.equal((await second.call({ type: 'TEARDOWN' })).status, 202);
  t.ok(await second.waitClosed(), 'TEARDOWN closes the stream');
  const recorded = recording.calls.at(-1)!.answer!;
  const again = await postCall(sim.url, { type: 'TEARDOWN', framework_id: { value: first.frameworkId } }, { streamId: second.streamId });
  t.same({ status: again.status, body: again.body }, recorded, 'a torn-down framework cannot be found');
  await eventually(() => !processExists(pid), 'the task process to be killed after TEARDOWN');
  const resubscribe = subscribe(sim.url, frameworkInfo({ id: { value: first.frameworkId } }));
  await t.rejects(resubscribe, /Framework has been removed/, 'a removed framework cannot come back');
});

t.test('a framework whose stream closes is removed after its failover timeout, killing its tasks', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo({ failover_timeout: 1 }), { autoAck: true });
  const offer = (await sub.next('OFFERS')).offers.offers![0]!;
  await sub.launch(offer.id.value, [commandTask('orphan', offer.agent_id.value, 'sleep 600')]);
  const pid = (await sub.update('orphan', 'TASK_RUNNING')).container_status!.executor_pid!;
  sub.close();
  await eventually(() => sim.state().frameworks.some((f) => f.id === sub.frameworkId && !f.connected), 'the master to see the framework disconnect');
  const call = await postCall(sim.url, { type: 'REVIVE', framework_id: { value: sub.frameworkId } }, { streamId: sub.streamId });
  t.same({ status: call.status, body: call.body }, { status: 403, body: 'Framework is not subscribed' });
  await eventually(() => sim.state().completed_frameworks.some((f) => f.id === sub.frameworkId), 'the framework to be removed', 5000);
  await eventually(() => !processExists(pid), 'its task process to be killed');
  const completed = sim.state().completed_frameworks.find((f) => f.id === sub.frameworkId)!;
  t.same(completed.completed_tasks.map((task) => task.state), ['TASK_KILLED'], 'its task is marked killed');
});
