import t from 'tap';
import type { TaskInfo } from '../../src/mesos/types.js';
import { PROTOBUF } from '../../src/mesos/codec.js';
import { commandTask, frameworkInfo, subscribe } from '../support/simClient.js';
import { eventually, startSim } from '../support/simHarness.js';

// Correctness at scale; the timings are printed as comments, never asserted
// (benchmarks belong in bench/).

t.test('a thousand agents: one OFFERS event with a thousand offers, declined in one call', async (t) => {
  const { sim } = await startSim(t, { agents: 1000, processless: true, allocationIntervalMs: 60_000 });
  for (const media of ['application/json', PROTOBUF] as const) {
    const started = Date.now();
    const sub = await subscribe(sim.url, frameworkInfo({ name: `scale-${media}` }), { media });
    const offers = (await sub.next('OFFERS', () => true, 20_000)).offers.offers!;
    t.comment(`${media}: subscribe to a 1,000-offer OFFERS event in ${Date.now() - started} ms`);
    t.equal(offers.length, 1000, `${media}: every agent in one OFFERS event`);
    t.equal(new Set(offers.map((o) => o.agent_id.value)).size, 1000, 'one offer per agent');
    const declinedAt = Date.now();
    const answer = await sub.call({ type: 'DECLINE', decline: { offer_ids: offers.map((o) => o.id), filters: { refuse_seconds: 3600 } } });
    t.comment(`${media}: DECLINE of 1,000 offers answered in ${Date.now() - declinedAt} ms`);
    t.equal(answer.status, 202);
    t.equal(sim.state().frameworks.find((f) => f.id === sub.frameworkId)!.offers.length, 0, 'no offer is outstanding after the decline');
    await sub.call({ type: 'TEARDOWN' });
    sub.close();
  }
});

t.test('ten thousand processless tasks from a thousand ACCEPT calls', async (t) => {
  const { sim } = await startSim(t, { agents: 1000, processless: true, allocationIntervalMs: 60_000 });
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  const offers = (await sub.next('OFFERS', () => true, 20_000)).offers.offers!;
  const heapBefore = process.memoryUsage().heapUsed;
  const started = Date.now();
  let accepted = 0;
  const launchOn = async (index: number): Promise<void> => {
    const offer = offers[index]!;
    const tasks: TaskInfo[] = [];
    for (let k = 0; k < 10; k++) tasks.push(commandTask(`t-${index}-${k}`, offer.agent_id.value, 'sleep 600'));
    if ((await sub.launch(offer.id.value, tasks)).status === 202) accepted++;
  };
  for (let i = 0; i < offers.length; i += 100) await Promise.all(offers.slice(i, i + 100).map((_, j) => launchOn(i + j)));
  t.comment(`1,000 ACCEPT calls launching 10,000 tasks answered in ${Date.now() - started} ms`);
  t.equal(accepted, 1000);
  await eventually(() => sub.all('UPDATE').length >= 10_000, '10,000 TASK_STARTING updates', 60_000);
  t.comment(`all 10,000 tasks reported starting after ${Date.now() - started} ms`);
  const tasks = sim.state().frameworks[0]!.tasks;
  t.equal(tasks.length, 10_000, 'the master knows every task');
  t.ok(tasks.every((task) => task.state === 'TASK_STARTING' || task.state === 'TASK_RUNNING'), 'all of them live');
  t.comment(`heap grew by ${Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e6)} MB for 10,000 tasks`);
  await sub.acknowledge(await sub.update('t-0-0', 'TASK_STARTING'));
  await sub.acknowledge(await sub.update('t-0-0', 'TASK_RUNNING'));
  const killAt = Date.now();
  await sub.call({ type: 'KILL', kill: { task_id: { value: 't-0-0' } } });
  const killed = await sub.update('t-0-0', 'TASK_KILLED');
  t.comment(`a KILL among 10,000 tasks was answered after ${Date.now() - killAt} ms`);
  t.equal(killed.message, 'Command terminated with signal Terminated', 'a processless task dies like a killed command');
});
