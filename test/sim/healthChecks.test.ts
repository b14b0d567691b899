import t from 'tap';
import { createServer } from 'node:http';
import type { HealthCheck } from '../../src/mesos/types.js';
import { commandTask, frameworkInfo, subscribe } from '../support/simClient.js';
import { startSim } from '../support/simHarness.js';

const fast = { delay_seconds: 0, interval_seconds: 0.1, timeout_seconds: 2, grace_period_seconds: 0 };

t.test('a command health check reports health changes and kills after consecutive failures', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  // The grace period covers the moments before the task has created its file.
  const healthCheck: HealthCheck = { ...fast, grace_period_seconds: 1, consecutive_failures: 2, type: 'COMMAND', command: { value: 'test -f healthy' } };
  await sub.launch(offer.id.value, [commandTask('checked', offer.agent_id.value, 'touch healthy; sleep 1.2; rm healthy; sleep 600', { health_check: healthCheck })]);

  const healthy = await sub.next('UPDATE', (e) => e.update.status.task_id.value === 'checked' && e.update.status.healthy === true);
  t.match(healthy.update.status, { state: 'TASK_RUNNING', reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', source: 'SOURCE_EXECUTOR' });
  t.ok(healthy.update.status.uuid !== undefined, 'health updates are acknowledged like any executor update');

  await sub.call({ type: 'RECONCILE', reconcile: {} });
  const reconciled = await sub.next('UPDATE', (e) => e.update.status.reason === 'REASON_RECONCILIATION');
  t.equal(reconciled.update.status.healthy, true, 'reconciliation reports the latest health');

  const unhealthy = await sub.next('UPDATE', (e) => e.update.status.task_id.value === 'checked' && e.update.status.healthy === false);
  t.equal(unhealthy.update.status.state, 'TASK_RUNNING');
  const killed = await sub.update('checked', 'TASK_KILLED');
  t.equal(killed.healthy, false, 'a task killed by its health check is reported unhealthy');
  t.equal(killed.message, 'Command terminated with signal Terminated');
  const healthUpdates = sub.all('UPDATE').filter((e) => e.update.status.reason === 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');
  t.same(healthUpdates.map((e) => e.update.status.healthy), [true, false, false], 'one healthy report, then one unhealthy report per failure');
});

t.test('failures inside the grace period are ignored', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  const healthCheck: HealthCheck = { ...fast, grace_period_seconds: 0.8, consecutive_failures: 5, type: 'COMMAND', command: { value: 'false' } };
  const launchedAt = Date.now();
  await sub.launch(offer.id.value, [commandTask('slow-starter', offer.agent_id.value, 'sleep 600', { health_check: healthCheck })]);
  await sub.update('slow-starter', 'TASK_RUNNING');
  await sub.next('UPDATE', (e) => e.update.status.healthy === false);
  t.ok(Date.now() - launchedAt >= 800, 'the first failure is reported only after the grace period');
});

t.test('HTTP and TCP health checks probe 127.0.0.1', async (t) => {
  let answer = 200;
  const server = createServer((_req, res) => res.writeHead(answer).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [
    commandTask('http-checked', offer.agent_id.value, 'sleep 600', { health_check: { ...fast, consecutive_failures: 100, type: 'HTTP', http: { port, path: '/health' } } }),
    commandTask('tcp-checked', offer.agent_id.value, 'sleep 600', { health_check: { ...fast, type: 'TCP', tcp: { port } } }),
    commandTask('inferred', offer.agent_id.value, 'sleep 600', { health_check: { ...fast, command: { value: 'true' } } }),
  ]);
  await sub.next('UPDATE', (e) => e.update.status.task_id.value === 'http-checked' && e.update.status.healthy === true);
  await sub.next('UPDATE', (e) => e.update.status.task_id.value === 'tcp-checked' && e.update.status.healthy === true);
  await sub.next('UPDATE', (e) => e.update.status.task_id.value === 'inferred' && e.update.status.healthy === true);
  t.pass('a health check without a type gets one from its fields, as the master does');
  answer = 503;
  await sub.next('UPDATE', (e) => e.update.status.task_id.value === 'http-checked' && e.update.status.healthy === false);
  t.pass('an HTTP error status is a failure');
});
