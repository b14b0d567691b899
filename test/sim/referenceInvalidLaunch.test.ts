import t from 'tap';
import { commandTask, frameworkInfo, postCall, subscribe } from '../support/simClient.js';
import { startSim } from '../support/simHarness.js';
import { assertMatchesReference, loadReference } from '../support/simReference.js';

t.test('invalid launches and bad calls are answered as a real master answered them', async (t) => {
  const recording = loadReference('invalid-launch.jsonl');
  const recordedAnswer = (fragment: string) => recording.calls.find((c) => JSON.stringify(c.call).includes(fragment))!.answer!;
  // Every agent gets the recorded agent's ports, so that the TASK_ERROR message names the same resources.
  const { sim } = await startSim(t, {
    agentResources: 'cpus:2;mem:2048;disk:10240;ports:[32000-32999]',
    agentAttributes: ['host:h2;zone:z2', 'host:h1;zone:z1'],
  });
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  const offer = (await sub.next('OFFERS')).offers.offers![0]!;
  const agentId = offer.agent_id.value;

  const tooBig = commandTask('too-big', agentId, 'sleep 5', {
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 64 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 16 } },
    ],
  });
  t.equal((await sub.launch(offer.id.value, [tooBig], 1)).status, 202, 'ACCEPT is 202 even when the task is invalid');
  const error = await sub.update('too-big', 'TASK_ERROR');
  t.match(error.message, /^Total resources cpus\(allocated: \*\):64; mem\(allocated: \*\):16 required by task/);

  const stale = await sub.launch(offer.id.value, [commandTask('stale-offer', agentId, 'true')]);
  t.same({ status: stale.status, body: stale.body }, recordedAnswer('stale-offer'), 'ACCEPT of a used offer is 202');
  await sub.update('stale-offer', 'TASK_DROPPED');
  await sub.next('OFFERS', (e) => e.offers.offers!.some((o) => o.agent_id.value === agentId), 5000);

  const kill = await sub.call({ type: 'KILL', kill: { task_id: { value: 'never-launched' }, agent_id: { value: agentId } } });
  t.same({ status: kill.status, body: kill.body }, recordedAnswer('never-launched'));
  await sub.update('never-launched', 'TASK_GONE');

  const noStreamId = await postCall(sim.url, { type: 'DECLINE', decline: { offer_ids: [] }, framework_id: { value: sub.frameworkId } });
  t.same({ status: noStreamId.status, body: noStreamId.body }, recordedAnswer('DECLINE without Mesos-Stream-Id'));
  const malformed = await postCall(sim.url, 'not json', { streamId: sub.streamId });
  t.same({ status: malformed.status, body: malformed.body }, recordedAnswer('malformed JSON body'));
  const teardown = await sub.call({ type: 'TEARDOWN' });
  t.same({ status: teardown.status, body: teardown.body }, recordedAnswer('TEARDOWN'));

  assertMatchesReference(t, sub.events, recording.stream);
});
