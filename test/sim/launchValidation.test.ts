import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCredentialsFile } from '../../src/sim/credentials.js';
import { commandTask, frameworkInfo, subscribe } from '../support/simClient.js';
import { startSim } from '../support/simHarness.js';

t.test('the master refuses invalid tasks one by one with TASK_ERROR', async (t) => {
  const { sim } = await startSim(t, { agents: 2 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const [agentA, agentB] = sim.agentIds();
  const offer = await sub.takeOffer(agentA);
  await sub.launch(offer.id.value, [
    commandTask('first', agentA!, 'sleep 600'),
    commandTask('first', agentA!, 'sleep 600'),
    commandTask('elsewhere', agentB!, 'true'),
    commandTask('no-resources', agentA!, 'true', { resources: [] }),
    commandTask('bad/id', agentA!, 'true'),
    commandTask('no-command', agentA!, 'true', { command: undefined }),
    commandTask('bad-health', agentA!, 'true', { health_check: { type: 'HTTP', http: { port: 1, path: 'health' } } }),
    commandTask('default-executor', agentA!, 'true', { command: undefined, executor: { type: 'DEFAULT', executor_id: { value: 'e' }, command: { value: 'x' } } }),
  ], 0);
  await sub.update('first', 'TASK_RUNNING');
  const errors = new Map<string, string>();
  for (let i = 0; i < 7; i++) {
    const e = await sub.next('UPDATE', (x) => x.update.status.state === 'TASK_ERROR');
    errors.set(e.update.status.task_id.value, e.update.status.message!);
    t.match(e.update.status, { source: 'SOURCE_MASTER', reason: 'REASON_TASK_INVALID' });
  }
  t.equal(errors.get('first'), 'Task has duplicate ID: first');
  t.equal(errors.get('elsewhere'), `Task uses invalid agent ${agentB} while agent ${agentA} is expected`);
  t.equal(errors.get('no-resources'), 'Task uses no resources');
  t.equal(errors.get('bad/id'), "'bad/id' contains invalid characters");
  t.equal(errors.get('no-command'), 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present');
  t.equal(errors.get('bad-health'), "Task uses invalid health check: The path 'health' of HTTP health check must start with '/'");
  t.equal(errors.get('default-executor'), "'ExecutorInfo.command' must not be set for 'DEFAULT' executor");

  const next = await sub.takeOffer(agentA);
  await sub.launch(next.id.value, [commandTask('negative', agentA!, 'true', { resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: -1 } }] })], 0);
  t.equal((await sub.update('negative', 'TASK_ERROR')).message, "Resource 'cpus:-1' is invalid: Invalid scalar resource: value <= 0");
});

t.test('operations the simulator does not run are refused the way Mesos refuses operations', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  const task = commandTask('grouped', offer.agent_id.value, 'true');
  const answer = await sub.call({
    type: 'ACCEPT',
    accept: {
      offer_ids: [offer.id],
      operations: [
        { type: 'LAUNCH_GROUP', launch_group: { executor: { executor_id: { value: 'default' } }, task_group: { tasks: [task] } } },
        { type: 'RESERVE', id: { value: 'op-1' }, reserve: { resources: [] } },
        { type: 'CREATE', create: { volumes: [] } },
      ],
      filters: { refuse_seconds: 0 },
    },
  });
  t.equal(answer.status, 202);
  const group = await sub.update('grouped', 'TASK_ERROR');
  t.equal(group.reason, 'REASON_TASK_GROUP_INVALID');
  t.match(group.message, /LAUNCH_GROUP is not supported by the Ferry simulator/);
  const operation = await sub.next('UPDATE_OPERATION_STATUS');
  t.match(operation.update_operation_status.status, { operation_id: { value: 'op-1' }, state: 'OPERATION_ERROR', message: /RESERVE operations are not supported/ });
  t.equal(sub.all('UPDATE_OPERATION_STATUS').length, 1, 'an operation without an id is dropped silently');
  const again = await sub.takeOffer(offer.agent_id.value, 3000);
  t.ok(again.resources!.find((r) => r.name === 'cpus')!.scalar!.value === 4, 'the refused operations used nothing');
});

t.test('UPDATE_FRAMEWORK changes what may change and refuses the rest', async (t) => {
  const { sim } = await startSim(t, { agents: 0 });
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  const id = { value: sub.frameworkId };
  const ok = await sub.call({ type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: frameworkInfo({ id, name: 'renamed' }) } });
  t.same({ status: ok.status, body: ok.body }, { status: 200, body: '' });
  t.equal(sim.state().frameworks[0]!.name, 'renamed');
  const bad = await sub.call({ type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: frameworkInfo({ id, user: 'someone-else' }) } });
  t.same({ status: bad.status, body: bad.body }, {
    status: 400,
    body: "FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' is unsupported; attempted to update from 'root' to 'someone-else'",
  });
});

t.test('credentials files in JSON or as "principal secret" lines', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-sim-creds-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'c.json'), JSON.stringify({ credentials: [{ principal: 'a', secret: 'b' }] }));
  await writeFile(join(dir, 'c.txt'), '# comment\na b\nc d\n');
  await writeFile(join(dir, 'bad.txt'), 'only-one-field\n');
  t.same(await readCredentialsFile(join(dir, 'c.json')), [{ principal: 'a', secret: 'b' }]);
  t.same(await readCredentialsFile(join(dir, 'c.txt')), [{ principal: 'a', secret: 'b' }, { principal: 'c', secret: 'd' }]);
  await t.rejects(readCredentialsFile(join(dir, 'bad.txt')), /line 1: expected "principal secret"/);
  await t.rejects(readCredentialsFile(join(dir, 'missing')), /cannot read credentials file/);
});
