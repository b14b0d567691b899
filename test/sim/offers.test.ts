import t from 'tap';
import { commandTask, frameworkInfo, subscribe } from '../support/simClient.js';
import { startSim } from '../support/simHarness.js';

t.test('offers carry the agent, its resources and attributes as Mesos shows them', async (t) => {
  const { sim, workDir } = await startSim(t, { agents: 2, agentAttributes: ['zone:a;rack:1', 'zone:b;slots:[1-4]'] });
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  const offers = (await sub.next('OFFERS', (e) => e.offers.offers!.length === 2)).offers.offers!;
  const first = offers.find((o) => o.agent_id.value === sim.agentIds()[0])!;
  t.match(first, {
    framework_id: { value: sub.frameworkId },
    hostname: '127.0.0.1',
    url: { scheme: 'http', address: { hostname: '127.0.0.1', ip: '127.0.0.1', port: sim.port }, path: '/slave(1)' },
    allocation_info: { role: '*' },
  });
  t.same(first.resources!.map((r) => r.name), ['ports', 'cpus', 'mem', 'disk'], 'resources in the order a master lists them');
  t.same(first.attributes, [
    { name: 'zone', type: 'TEXT', text: { value: 'a' } },
    { name: 'rack', type: 'SCALAR', scalar: { value: 1 } },
    { name: 'ferry_root', type: 'TEXT', text: { value: `${workDir}/agent-0/datasets` } },
  ]);
  const second = offers.find((o) => o.agent_id.value === sim.agentIds()[1])!;
  t.same(second.attributes![1], { name: 'slots', type: 'RANGES', ranges: { range: [{ begin: 1, end: 4 }] } });
  t.equal(second.url!.path, '/slave(2)');
});

t.test('the unused part of an accepted offer is filtered for refuse_seconds', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  const launchedAt = Date.now();
  await sub.launch(offer.id.value, [commandTask('uses-part', offer.agent_id.value, 'sleep 600', {
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1.5 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 100 } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31005, end: 31005 }] } },
    ],
  })], 1);
  const rest = await sub.takeOffer(offer.agent_id.value, 5000);
  t.ok(Date.now() - launchedAt >= 1000, 'the rest is offered again only after the filter expires');
  const byName = Object.fromEntries(rest.resources!.map((r) => [r.name, r]));
  t.equal(byName['cpus']!.scalar!.value, 2.5);
  t.equal(byName['mem']!.scalar!.value, 8092);
  t.same(byName['ports']!.ranges!.range, [{ begin: 31000, end: 31004 }, { begin: 31006, end: 31999 }], 'the used port is cut out of the range');
});

t.test('an unanswered offer is rescinded after the offer timeout and offered anew', async (t) => {
  const { sim } = await startSim(t, { agents: 1, offerTimeoutMs: 300 });
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  const offer = (await sub.next('OFFERS')).offers.offers![0]!;
  const rescind = await sub.next('RESCIND', () => true, 3000);
  t.equal(rescind.rescind.offer_id.value, offer.id.value);
  const next = (await sub.next('OFFERS')).offers.offers![0]!;
  t.not(next.id.value, offer.id.value);
  const stale = await sub.launch(offer.id.value, [commandTask('too-late', offer.agent_id.value, 'true')]);
  t.equal(stale.status, 202);
  t.equal((await sub.update('too-late')).state, 'TASK_DROPPED', 'a rescinded offer cannot be used');
});

t.test("an agent's outstanding offers are rescinded when it disconnects", async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  const offer = (await sub.next('OFFERS')).offers.offers![0]!;
  await sim.stopAgent(offer.agent_id.value);
  t.equal((await sub.next('RESCIND')).rescind.offer_id.value, offer.id.value);
});

t.test('frameworks share the agents by dominant share, one framework per agent', async (t) => {
  const { sim } = await startSim(t, { agents: 4 });
  const a = await subscribe(sim.url, frameworkInfo({ name: 'a' }));
  t.teardown(() => a.close());
  const all = (await a.next('OFFERS', (e) => e.offers.offers!.length === 4)).offers.offers!;
  const b = await subscribe(sim.url, frameworkInfo({ name: 'b' }));
  t.teardown(() => b.close());
  await t.rejects(b.next('OFFERS', () => true, 500), 'nothing is left while a holds every agent in offers');
  await a.call({ type: 'DECLINE', decline: { offer_ids: all.map((o) => o.id), filters: { refuse_seconds: 0 } } });
  const forA = (await a.next('OFFERS')).offers.offers!.map((o) => o.agent_id.value);
  const forB = (await b.next('OFFERS')).offers.offers!.map((o) => o.agent_id.value);
  t.equal(forA.length, 2, 'a gets half of the agents');
  t.equal(forB.length, 2, 'b gets the other half');
  t.same([...forA, ...forB].sort(), [...sim.agentIds()].sort(), 'no agent is offered to both');
});
