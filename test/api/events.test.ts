import t from 'tap';
import { waitFor } from '../support/ferryProcess.js';
import { startInProcessFerry } from '../support/ferryInProcess.js';
import { openEvents, type SseEvent } from './sseClient.js';
import { startStandby } from './standbyInstance.js';
import { sleeperApp as app } from './sleeperApp.js';

const data = (e: SseEvent): Record<string, unknown> => e.data as Record<string, unknown>;

t.test('the event stream carries app, dataset and task changes as they become durable, with heartbeats', async (t) => {
  const ferry = await startInProcessFerry(t, { api: { eventHeartbeatMs: 200 } });
  const stream = await openEvents(t, ferry.api);
  t.equal(stream.status, 200);
  t.match(stream.contentType, /^text\/event-stream/);
  await waitFor(() => stream.comments.some((c) => c.startsWith('heartbeat')), 5_000, () => `comments: ${stream.comments.join(' | ')}`);
  t.pass('a heartbeat comment arrives');

  t.equal((await ferry.call('POST', '/v1/apps', app('/sse'))).status, 201);
  const appEvent = await stream.next((e) => e.type === 'app' && data(e)['id'] === '/sse', 10_000, 'the app event');
  t.match(appEvent.data, { id: '/sse', cpus: 0.1, version: String, tasksRunning: 0 }, 'the app event holds the app\'s view');
  t.match(appEvent.id, /^[0-9a-f]+-\d+$/);
  await stream.next((e) => e.type === 'dataset' && data(e)['name'] === 'sse-data' && data(e)['state'] === 'NEW', 10_000, 'the dataset created with the app');
  await stream.next((e) => e.type === 'task' && data(e)['kind'] === 'prepare', 10_000, 'the task preparing the dataset');
  await stream.next((e) => e.type === 'dataset' && data(e)['name'] === 'sse-data' && data(e)['state'] === 'READY', 10_000, 'the placed dataset');
  const isAppTask = (e: SseEvent): boolean => e.type === 'task' && data(e)['appId'] === '/sse' && data(e)['kind'] === undefined;
  const running = await stream.next((e) => isAppTask(e) && data(e)['state'] === 'TASK_RUNNING', 20_000, 'the running app task');
  t.match(running.data, { instance: 0, agentId: String, dataset: 'sse-data', dataVia: 'volume' });

  t.equal((await ferry.call('DELETE', '/v1/apps/sse')).status, 200);
  t.same((await stream.next((e) => e.type === 'app' && data(e)['deleted'] === true, 10_000, 'the deletion')).data, { id: '/sse', deleted: true });
  await stream.next((e) => e.type === 'task' && data(e)['id'] === data(running)['id'] && data(e)['state'] === 'TASK_KILLING', 20_000, 'the task being killed');
  const gone = await stream.next((e) => e.type === 'task' && data(e)['id'] === data(running)['id'] && data(e)['deleted'] === true, 20_000, 'the dead task forgotten');
  t.same(gone.data, { id: data(running)['id'], deleted: true }, 'a task whose death is recorded is gone from the state');

  const ids = stream.events.map((e) => Number(e.id!.split('-')[1]));
  t.same(ids, [...ids].sort((a, b) => a - b), 'event ids increase');
  t.ok(stream.events.every((e) => ['app', 'dataset', 'task', 'move', 'leader', 'subscription'].includes(e.type)), 'only the documented event types');
});

t.test('a client resumes after Last-Event-ID, and is told to re-read when the id is unknown', async (t) => {
  const ferry = await startInProcessFerry(t);
  const first = await openEvents(t, ferry.api);
  t.equal((await ferry.call('POST', '/v1/datasets', { name: 'one', size: 1 })).status, 201);
  const one = await first.next((e) => e.type === 'dataset' && data(e)['name'] === 'one');
  first.close();
  t.equal((await ferry.call('POST', '/v1/datasets', { name: 'two', size: 1 })).status, 201);
  t.equal((await ferry.call('POST', '/v1/datasets', { name: 'three', size: 1 })).status, 201);

  const resumed = await openEvents(t, ferry.api, { 'Last-Event-ID': one.id! });
  await resumed.next((e) => e.type === 'dataset' && data(e)['name'] === 'three');
  t.same(
    resumed.events.filter((e) => e.type === 'dataset').map((e) => data(e)['name']),
    ['two', 'three'],
    'the missed events are replayed, and nothing from before the id',
  );

  const foreign = await openEvents(t, ferry.api, { 'Last-Event-ID': 'abc-12' });
  const resync = await foreign.next((e) => e.type === 'resync');
  t.match(resync.data, { reason: /not from this Ferry instance/ });
});

t.test('a standby relays the leader\'s event stream', async (t) => {
  const ferry = await startInProcessFerry(t, { api: { eventHeartbeatMs: 200 } });
  const standby = await startStandby(t, ferry);
  const relayed = await openEvents(t, standby.api);
  t.equal(relayed.status, 200);
  await waitFor(() => relayed.comments.some((c) => c.startsWith('relayed by')) && relayed.comments.some((c) => c.startsWith('heartbeat')), 5_000, () => relayed.comments.join(' | '));
  t.pass('the relay says so, and the leader\'s heartbeats come through');
  t.equal((await ferry.call('POST', '/v1/datasets', { name: 'relayed', size: 1 })).status, 201);
  t.match((await relayed.next((e) => e.type === 'dataset')).data, { name: 'relayed', state: 'NEW' });
});
