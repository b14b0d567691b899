import t from 'tap';
import { frameworkInfo, subscribe } from '../support/simClient.js';
import { startSim } from '../support/simHarness.js';
import { assertMatchesReference, loadReference } from '../support/simReference.js';

t.test('declined offers return once the refusal filter expires, not before', async (t) => {
  const recording = loadReference('decline-revive.jsonl');
  const { sim } = await startSim(t, { agentResources: 'cpus:2;mem:2048;disk:10240;ports:[31000-31999]', agentAttributes: ['host:h1;zone:z1', 'host:h2;zone:z2'] });
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  const first = await sub.next('OFFERS', (e) => e.offers.offers!.length === 2);
  const declinedAt = Date.now();
  const decline = await sub.call({ type: 'DECLINE', decline: { offer_ids: first.offers.offers!.map((o) => o.id), filters: { refuse_seconds: 1 } } });
  t.equal(decline.status, 202);
  const again = await sub.next('OFFERS', () => true, 5000);
  t.ok(Date.now() - declinedAt >= 1000, 'no offer for the declined agents within refuse_seconds');
  t.same(
    again.offers.offers!.map((o) => o.agent_id.value).sort(),
    first.offers.offers!.map((o) => o.agent_id.value).sort(),
    'the same agents are offered again',
  );
  t.notSame(again.offers.offers!.map((o) => o.id.value), first.offers.offers!.map((o) => o.id.value), 'with new offer ids');
  assertMatchesReference(t, sub.events, recording.stream);
});

t.test('SUPPRESS stops offers until REVIVE, which clears filters at once', async (t) => {
  const { sim } = await startSim(t);
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  const offers = (await sub.next('OFFERS', (e) => e.offers.offers!.length === 2)).offers.offers!;
  t.equal((await sub.call({ type: 'SUPPRESS', suppress: {} })).status, 202);
  t.equal((await sub.call({ type: 'DECLINE', decline: { offer_ids: offers.map((o) => o.id), filters: { refuse_seconds: 3600 } } })).status, 202);
  await t.rejects(sub.next('OFFERS', () => true, 1000), 'no offers while suppressed');
  const revivedAt = Date.now();
  t.equal((await sub.call({ type: 'REVIVE', revive: {} })).status, 202);
  const revived = await sub.next('OFFERS', () => true, 2000);
  t.equal(revived.offers.offers!.length, 2, 'REVIVE drops the hour-long refusal filters too');
  t.ok(Date.now() - revivedAt < 1000, 'offers follow a REVIVE without waiting for filters');
});

t.test('refuse_seconds 0 sets no filter; a missing filter means 5 s', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  const first = (await sub.next('OFFERS')).offers.offers![0]!;
  await sub.call({ type: 'DECLINE', decline: { offer_ids: [first.id], filters: { refuse_seconds: 0 } } });
  const second = (await sub.next('OFFERS', () => true, 1000)).offers.offers![0]!;
  t.equal(second.agent_id.value, first.agent_id.value, 'offered again within one allocation interval');
  await sub.call({ type: 'DECLINE', decline: { offer_ids: [second.id] } });
  await t.rejects(sub.next('OFFERS', () => true, 2000), 'the default filter of 5 s holds the agent back');
});
