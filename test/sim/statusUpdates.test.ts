import t from 'tap';
import { commandTask, frameworkInfo, subscribe } from '../support/simClient.js';
import { eventually, startSim } from '../support/simHarness.js';

t.test('an unacknowledged update is re-sent, and the next waits for its acknowledgement', async (t) => {
  const { sim } = await startSim(t, { agents: 1, statusUpdateRetryMs: 300 });
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [commandTask('quick', offer.agent_id.value, 'true')]);
  const starting = await sub.update('quick', 'TASK_STARTING');
  const resent = await sub.update('quick', 'TASK_STARTING', 3000);
  t.equal(resent.uuid, starting.uuid, 'the same update (same uuid) comes again');
  t.notOk(sub.all('UPDATE').some((e) => e.update.status.state === 'TASK_RUNNING'), 'TASK_RUNNING waits behind the unacknowledged TASK_STARTING');
  await eventually(() => sim.state().frameworks[0]!.tasks[0]!.state === 'TASK_FINISHED', "the master's state to be the task's latest, ahead of the stream");
  t.pass("the master's state follows the task's latest state while the stream waits");

  await sub.acknowledge(starting);
  const running = await sub.update('quick', 'TASK_RUNNING');
  await sub.acknowledge(running);
  const finished = await sub.update('quick', 'TASK_FINISHED');
  t.equal(sim.state().frameworks[0]!.tasks.length, 1, 'the master keeps a terminal task until its update is acknowledged');
  await sub.acknowledge(finished);
  await eventually(() => sim.state().frameworks[0]!.tasks.length === 0, 'the master to forget the task');
  t.same(sim.state().frameworks[0]!.completed_tasks.map((task) => task.state), ['TASK_FINISHED']);
  const before = sub.all('UPDATE').length;
  await t.rejects(sub.update('quick', undefined, 1000), 'nothing is re-sent once acknowledged');
  t.equal(sub.all('UPDATE').length, before);
});

t.test('master-generated updates carry no uuid and are never re-sent', async (t) => {
  const { sim } = await startSim(t, { agents: 1, statusUpdateRetryMs: 200 });
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  await sub.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'ghost' }, agent_id: { value: sim.agentIds()[0]! } }] } });
  const gone = await sub.update('ghost', 'TASK_GONE');
  t.equal(gone.uuid, undefined);
  await t.rejects(sub.update('ghost', undefined, 800), 'no second copy');
});
