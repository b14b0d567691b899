import t from 'tap';
import { waitFor } from '../support/ferryProcess.js';
import { startInProcessFerry, type InProcessFerry } from '../support/ferryInProcess.js';
import { startStandby } from './standbyInstance.js';
import { sleeperApp as app } from './sleeperApp.js';

/** The value of one sample ("name" or "name{labels}") in a Prometheus text exposition; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    if (line.slice(0, at) === series) return Number(line.slice(at + 1));
  }
  return undefined;
}

async function scrape(base: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`http://${base}/metrics`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function runningOn(ferry: InProcessFerry, id: string, notOn?: string): Promise<string> {
  let agent: string | undefined;
  await waitFor(
    async () => {
      const d = (await ferry.call<{ tasks: { kind?: string; state: string; agentId: string }[] }>('GET', `/v1/apps${id}`)).body;
      agent = d.tasks.find((x) => x.kind === undefined && x.state === 'TASK_RUNNING' && x.agentId !== notOn)?.agentId;
      return agent !== undefined;
    },
    30_000,
    () => `${id} not running`,
  );
  return agent!;
}

t.test('metrics count offers, launches, status updates and moves, and gauge the state', async (t) => {
  const ferry = await startInProcessFerry(t, { config: { moveOpRetrySeconds: 5 } });
  const first = await scrape(ferry.api);
  t.equal(first.status, 200);
  t.match(first.type, /^text\/plain; version=0\.0\.4/);
  for (const name of [
    'ferry_offers_received_total',
    'ferry_offers_accepted_total',
    'ferry_offers_declined_total',
    'ferry_tasks_launched_total',
    'ferry_status_updates_total',
    'ferry_moves_total',
    'ferry_move_duration_seconds',
    'ferry_offer_event_cpu_seconds',
    'ferry_leader',
    'ferry_mesos_subscribed',
    'ferry_state_store_healthy',
    'ferry_zookeeper_session_state',
    'ferry_apps',
    'ferry_app_instances',
    'ferry_datasets',
    'ferry_tasks',
    'ferry_moves_running',
    'ferry_agents',
    'ferry_process_cpu_seconds_total',
  ]) {
    t.match(first.text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is exposed`);
  }
  const names = [...first.text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
  t.same(names.filter((n) => !n.startsWith('ferry_')), [], 'every metric is named ferry_…');
  t.equal(sample(first.text, 'ferry_leader'), 1);
  t.equal(sample(first.text, 'ferry_apps'), 0);
  t.equal(sample(first.text, 'ferry_zookeeper_session_state{state="connected"}'), undefined, 'no ZooKeeper session in local mode');
  await waitFor(async () => (sample((await scrape(ferry.api)).text, 'ferry_offers_received_total') ?? 0) > 0, 10_000, () => 'no offers counted');
  const offered = (await scrape(ferry.api)).text;
  t.ok(sample(offered, 'ferry_offer_event_cpu_seconds_count')! >= 1, 'each OFFERS event\'s CPU is observed');
  t.ok(sample(offered, 'ferry_offer_event_cpu_seconds_sum')! > 0, 'and costs something');
  t.ok(sample(offered, 'ferry_offer_event_cpu_seconds_sum')! < sample(offered, 'ferry_process_cpu_seconds_total')!, 'never more than the whole process spent');
  const launchedBefore = sample((await scrape(ferry.api)).text, 'ferry_tasks_launched_total') ?? 0;

  t.equal((await ferry.call('POST', '/v1/apps', app('/metered'))).status, 201);
  const source = await runningOn(ferry, '/metered');
  const busy = (await scrape(ferry.api)).text;
  t.ok(sample(busy, 'ferry_tasks_launched_total')! >= launchedBefore + 2, 'the prepare task and the app task were launched');
  t.ok(sample(busy, 'ferry_offers_accepted_total')! >= 1);
  t.ok(sample(busy, 'ferry_offers_declined_total')! >= 1);
  t.ok(sample(busy, 'ferry_status_updates_total{state="TASK_RUNNING"}')! >= 1);
  t.equal(sample(busy, 'ferry_apps'), 1);
  t.equal(sample(busy, 'ferry_app_instances{status="running"}'), 1);
  t.equal(sample(busy, 'ferry_datasets{backend="local",state="READY"}'), 1);
  t.equal(sample(busy, 'ferry_agents'), 3);

  const started = await ferry.call<{ moveId: string }>('POST', '/v1/apps/metered/move', { to: 'any' });
  t.equal(started.status, 202);
  let text = '';
  await waitFor(async () => sample((text = (await scrape(ferry.api)).text), 'ferry_moves_total{backend="local",trigger="api",outcome="succeeded"}') === 1, 60_000, () => text);
  t.equal(sample(text, 'ferry_move_duration_seconds_count{backend="local",outcome="succeeded"}'), 1, 'the move\'s duration is in the histogram');
  t.ok(sample(text, 'ferry_move_duration_seconds_sum{backend="local",outcome="succeeded"}')! > 0);
  t.equal(sample(text, 'ferry_moves_running'), 0);
  await runningOn(ferry, '/metered', source);
  t.equal(sample((await scrape(ferry.api)).text, 'ferry_moves_total{backend="local",trigger="api",outcome="succeeded"}'), 1, 'a move is counted once however often its record is written');
});

t.test('a standby reports itself as such and leaves the state gauges to the leader', async (t) => {
  const ferry = await startInProcessFerry(t);
  const standby = await startStandby(t, ferry);
  const text = (await scrape(standby.api)).text;
  t.equal(sample(text, 'ferry_leader'), 0);
  t.equal((await ferry.call<{ apps: unknown[] }>('GET', '/v1/apps')).status, 200);
  t.equal((await ferry.call('POST', '/v1/datasets', { name: 'counted-once', size: 1 })).status, 201);
  const leader = (await scrape(ferry.api)).text;
  const standbyText = (await scrape(standby.api)).text;
  t.equal(sample(leader, 'ferry_datasets{backend="local",state="NEW"}'), 1);
  t.equal(sample(standbyText, 'ferry_datasets{backend="local",state="NEW"}'), undefined, 'only the leader reports the state, so a sum over instances counts each dataset once');
  t.equal(sample(standbyText, 'ferry_apps'), 0);
  t.equal(sample(text, 'ferry_offers_received_total'), 0);
});
