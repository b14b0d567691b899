import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOBUF } from '../../src/mesos/codec.js';
import { messageType, TO_OBJECT_OPTIONS } from '../../src/mesos/protoSchema.js';
import { RecordIODecoder } from '../../src/mesos/recordio.js';
import type { ExecutorInfo, TaskInfo } from '../../src/mesos/types.js';
import { commandTask, frameworkInfo, httpRequest, subscribe, type SimSubscription } from '../support/simClient.js';
import { eventually, processExists, startSim } from '../support/simHarness.js';

const ECHO_EXECUTOR = fileURLToPath(new URL('../fixtures/echoExecutor.mjs', import.meta.url));

function echoExecutor(id: string, env: Record<string, string> = {}): ExecutorInfo {
  return {
    type: 'CUSTOM',
    executor_id: { value: id },
    name: 'echo',
    command: {
      shell: false,
      value: process.execPath,
      arguments: ['node', ECHO_EXECUTOR],
      environment: { variables: Object.entries(env).map(([name, value]) => ({ name, value })) },
    },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
    ],
  };
}

/** A task for a custom executor; the echo executor runs `command` (TaskInfo.data), or idles until killed. */
function executorTask(taskId: string, agentId: string, executor: ExecutorInfo, command?: string): TaskInfo {
  const task: TaskInfo = { ...commandTask(taskId, agentId, 'unused'), command: undefined, executor };
  if (command !== undefined) task.data = Buffer.from(command).toString('base64');
  return task;
}

function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

async function launchOn(sub: SimSubscription, tasks: TaskInfo[]): Promise<void> {
  const offer = await sub.takeOffer(tasks[0]!.agent_id.value);
  await sub.launch(offer.id.value, tasks, 0);
}

t.test('a custom executor is launched with the executor environment, subscribes, and runs every task of its id', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const [agentId] = sim.agentIds() as [string];
  const sub = await subscribe(sim.url, frameworkInfo({ checkpoint: true }), { autoAck: true });
  t.teardown(() => sub.close());
  const executor = echoExecutor('echo');
  await launchOn(sub, [executorTask('first', agentId, executor, 'env > env.txt; sleep 600')]);

  const running = await sub.update('first', 'TASK_RUNNING');
  t.match(running, { source: 'SOURCE_EXECUTOR', executor_id: { value: 'echo' }, agent_id: { value: agentId }, uuid: String, container_status: { executor_pid: Number } });
  const executorPid = running.container_status!.executor_pid!;
  const view = sim.task('first')!;
  t.match(view, { executor_id: 'echo', pid: executorPid, state: 'TASK_RUNNING' });
  t.match(view.directory, /\/executors\/echo\/runs\//);
  await eventually(() => readFileSync(join(view.directory, 'stdout'), 'utf8').includes(`ACKNOWLEDGED first ${running.uuid}`), 'the executor to get ACKNOWLEDGED for its update');

  await eventually(() => existsSync(join(view.directory, 'env.txt')) && readFileSync(join(view.directory, 'env.txt'), 'utf8').includes('MESOS_SANDBOX'), 'the task to write its environment');
  const env = Object.fromEntries(
    readFileSync(join(view.directory, 'env.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('MESOS_') || l.startsWith('LIBPROCESS_'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  t.match(env, {
    MESOS_FRAMEWORK_ID: sub.frameworkId,
    MESOS_EXECUTOR_ID: 'echo',
    MESOS_SLAVE_ID: agentId,
    MESOS_SLAVE_PID: `slave(1)@127.0.0.1:${sim.port}`,
    MESOS_AGENT_ENDPOINT: `127.0.0.1:${sim.port}`,
    MESOS_DIRECTORY: view.directory,
    MESOS_SANDBOX: view.directory,
    MESOS_CHECKPOINT: '1',
    MESOS_HTTP_COMMAND_EXECUTOR: '0',
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '5secs',
    MESOS_RECOVERY_TIMEOUT: '15mins',
    MESOS_SUBSCRIPTION_BACKOFF_MAX: '2secs',
    MESOS_ALLOCATION_ROLE: '*',
    LIBPROCESS_PORT: '0',
  });

  const next = await sub.takeOffer(agentId);
  t.same(next.executor_ids, [{ value: 'echo' }], "offers name the framework's executors on the agent");
  await sub.launch(next.id.value, [executorTask('second', agentId, executor, 'sleep 600')], 0);
  const second = await sub.update('second', 'TASK_RUNNING');
  t.equal(second.container_status!.executor_pid, executorPid, 'the second task runs in the same executor');

  const state = sim.state();
  t.match(state.frameworks[0]!.executors, [{ executor_id: 'echo', framework_id: sub.frameworkId, slave_id: agentId, type: 'CUSTOM', resources: { cpus: 0.1, mem: 32 }, role: '*' }]);
  t.same(state.frameworks[0]!.tasks.map((task) => task.executor_id).sort(), ['echo', 'echo']);
  t.match(state.slaves[0]!.used_resources, { cpus: 0.3, mem: 64 }, "the executor's resources count once, on top of its tasks'");
});

t.test('framework messages reach the executor and come back; KILL goes through it; SHUTDOWN ends it', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const [agentId] = sim.agentIds() as [string];
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  await launchOn(sub, [executorTask('talker', agentId, echoExecutor('echo'), 'sleep 600')]);
  const pid = (await sub.update('talker', 'TASK_RUNNING')).container_status!.executor_pid!;

  await sub.call({ type: 'MESSAGE', message: { agent_id: { value: agentId }, executor_id: { value: 'echo' }, data: base64('hello executor') } });
  const echoed = await sub.next('MESSAGE');
  t.same(echoed.message, { agent_id: { value: agentId }, executor_id: { value: 'echo' }, data: base64('hello executor') });

  await sub.call({ type: 'KILL', kill: { task_id: { value: 'talker' } } });
  t.match(await sub.update('talker', 'TASK_KILLED'), { source: 'SOURCE_EXECUTOR', executor_id: { value: 'echo' } });
  await new Promise((r) => setTimeout(r, 300));
  t.ok(processExists(pid), 'the agent does not shut an executor down when its last task ends; the executor decides');
  t.match(sim.state().frameworks[0]!.executors, [{ executor_id: 'echo' }]);

  await sub.call({ type: 'SHUTDOWN', shutdown: { agent_id: { value: agentId }, executor_id: { value: 'echo' } } });
  t.same((await sub.next('FAILURE')).failure, { agent_id: { value: agentId }, executor_id: { value: 'echo' }, status: 0 }, 'the executor exited 0 after SHUTDOWN');
  await eventually(() => !processExists(pid), 'the executor process to be gone');
  t.same(sim.state().frameworks[0]!.executors, []);
  t.match(sim.state().slaves[0]!.used_resources, { cpus: 0, mem: 0 }, "the executor's resources are free again");
});

t.test('a dying executor fails its live tasks (REASON_EXECUTOR_TERMINATED) and the framework gets FAILURE with its wait status', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const [agentId] = sim.agentIds() as [string];
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const echo = echoExecutor('echo');
  await launchOn(sub, [executorTask('one', agentId, echo, 'sleep 600'), executorTask('two', agentId, echo)]);
  await sub.update('one', 'TASK_RUNNING');
  await sub.update('two', 'TASK_RUNNING');

  await sub.call({ type: 'MESSAGE', message: { agent_id: { value: agentId }, executor_id: { value: 'echo' }, data: base64('exit:3') } });
  for (const taskId of ['one', 'two']) {
    t.match(await sub.update(taskId, 'TASK_FAILED'), {
      source: 'SOURCE_AGENT',
      reason: 'REASON_EXECUTOR_TERMINATED',
      message: 'Executor terminated',
      executor_id: { value: 'echo' },
    });
  }
  t.same((await sub.next('FAILURE')).failure, { agent_id: { value: agentId }, executor_id: { value: 'echo' }, status: 3 << 8 });
  const order = sub.events.filter((e) => e.type === 'FAILURE' || (e.type === 'UPDATE' && e.update.status.state === 'TASK_FAILED')).map((e) => e.type);
  t.same(order, ['UPDATE', 'UPDATE', 'FAILURE'], 'the task updates come before FAILURE');

  await launchOn(sub, [executorTask('three', agentId, echoExecutor('echo-2'), 'sleep 600')]);
  await sub.update('three', 'TASK_RUNNING');
  await sim.crashTask('three');
  t.match(await sub.update('three', 'TASK_FAILED'), { reason: 'REASON_EXECUTOR_TERMINATED' });
  t.same((await sub.next('FAILURE')).failure, { agent_id: { value: agentId }, executor_id: { value: 'echo-2' }, status: 9 }, 'killed by SIGKILL');
});

t.test('an executor that never subscribes is destroyed; the executor API refuses bad calls with upstream texts', async (t) => {
  const { sim } = await startSim(t, { agents: 1, executorRegistrationTimeoutMs: 2000 });
  const [agentId] = sim.agentIds() as [string];
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const silent: ExecutorInfo = { executor_id: { value: 'silent' }, command: { value: 'sleep 600' } };
  await launchOn(sub, [executorTask('waiting', agentId, silent)]);
  await eventually(() => sim.task('waiting')?.pid !== null, 'the executor process to start');

  const url = `${sim.url}/slave(1)/api/v1/executor`;
  const ids = { executor_id: { value: 'silent' }, framework_id: { value: sub.frameworkId } };
  const status = { task_id: { value: 'waiting' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid: 'AAAAAAAAQACAAAAAAAAAAA==' };
  const post = (body: object, path = url) => httpRequest(path, 'POST', { 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify(body)));
  const cases: [string, object, number, string][] = [
    ['not subscribed', { ...ids, type: 'UPDATE', update: { status } }, 403, 'Executor is not subscribed'],
    ['unknown framework', { ...ids, framework_id: { value: 'nope' }, type: 'MESSAGE', message: { data: '' } }, 400, 'Framework cannot be found'],
    ['unknown executor', { ...ids, executor_id: { value: 'nope' }, type: 'MESSAGE', message: { data: '' } }, 400, 'Executor cannot be found'],
    ['bad uuid', { ...ids, type: 'UPDATE', update: { status: { ...status, uuid: base64('short') } } }, 400, 'Failed to validate Executor::Call: Not a valid UUID'],
    [
      'wrong source',
      { ...ids, type: 'UPDATE', update: { status: { ...status, source: 'SOURCE_MASTER' } } },
      400,
      `Failed to validate Executor::Call: Received Call from executor silent of framework ${sub.frameworkId} with invalid source, expecting 'SOURCE_EXECUTOR'`,
    ],
    ['no executor id', { framework_id: ids.framework_id, type: 'HEARTBEAT' }, 400, 'Failed to convert JSON into Call protobuf: Missing required fields: executor_id'],
  ];
  for (const [what, body, code, text] of cases) {
    const answer = await post(body);
    t.same({ status: answer.status, body: answer.body }, { status: code, body: text }, what);
  }
  t.equal((await post({ ...ids, type: 'HEARTBEAT' })).status, 202);
  t.equal((await post({ ...ids, type: 'HEARTBEAT' }, `${sim.url}/slave(9)/api/v1/executor`)).status, 404, 'no such agent process');
  t.equal((await httpRequest(url, 'GET', {})).status, 405);

  const failed = await sub.update('waiting', 'TASK_FAILED', 5000);
  t.match(failed, { source: 'SOURCE_AGENT', reason: 'REASON_EXECUTOR_REGISTRATION_TIMEOUT', message: 'Executor did not register within 2secs' });
  t.same((await sub.next('FAILURE')).failure, { agent_id: { value: agentId }, executor_id: { value: 'silent' }, status: 9 });
});

t.test('executors live through partitions and master failovers, answer at /api/v1/executor too, and die with their host', async (t) => {
  const { sim } = await startSim(t, { agents: 2 });
  const [agentId] = sim.agentIds() as [string];
  const sub = await subscribe(sim.url, frameworkInfo({ checkpoint: true }), { autoAck: true });
  t.teardown(() => sub.close());
  await launchOn(sub, [executorTask('durable', agentId, echoExecutor('echo', { ECHO_EXECUTOR_ENDPOINT: '1' }), 'sleep 600')]);
  const pid = (await sub.update('durable', 'TASK_RUNNING')).container_status!.executor_pid!;
  t.match(readFileSync(join(sim.task('durable')!.directory, 'stdout'), 'utf8'), `posting to http://127.0.0.1:${sim.port}/api/v1/executor`);

  await sim.partitionAgent(agentId);
  await new Promise((r) => setTimeout(r, 300));
  t.ok(processExists(pid), 'a partition leaves the executor running');
  await sim.healAgent(agentId);

  await sim.restartMaster();
  const again = await subscribe(sim.url, frameworkInfo({ checkpoint: true, id: { value: sub.frameworkId } }), { autoAck: true });
  t.teardown(() => again.close());
  await eventually(() => sim.state().frameworks[0]?.executors.length === 1, 'the new master to learn the executor from the agent');
  await again.call({ type: 'MESSAGE', message: { agent_id: { value: agentId }, executor_id: { value: 'echo' }, data: base64('still there?') } });
  t.equal((await again.next('MESSAGE')).message.data, base64('still there?'), 'the executor answers after the failover');

  await sim.stopAgent(agentId);
  t.notOk(processExists(pid), "the host's death kills the executor");
});

t.test('the executor API speaks protobuf: SUBSCRIBED, LAUNCH, UPDATE and ACKNOWLEDGED in application/x-protobuf', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const [agentId] = sim.agentIds() as [string];
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  // The executor's own process never subscribes; the test speaks for it.
  await launchOn(sub, [executorTask('proto-task', agentId, { executor_id: { value: 'proto' }, command: { value: 'sleep 600' } })]);
  await eventually(() => sim.task('proto-task')?.pid !== null, 'the executor process to start');
  const callType = messageType('mesos.v1.executor.Call');
  const eventType = messageType('mesos.v1.executor.Event');
  const encode = (call: object) => Buffer.from(callType.encode(callType.fromObject(call as Record<string, unknown>)).finish());
  const ids = { executor_id: { value: 'proto' }, framework_id: { value: sub.frameworkId } };
  const url = `${sim.url}/slave(1)/api/v1/executor`;

  const garbage = await httpRequest(url, 'POST', { 'Content-Type': PROTOBUF }, Buffer.from([0xff, 0xff, 0xff]));
  t.same({ status: garbage.status, body: garbage.body }, { status: 400, body: 'Failed to parse body into Call protobuf' });

  const events: Record<string, unknown>[] = [];
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': PROTOBUF, Accept: PROTOBUF } });
    req.on('response', resolve);
    req.on('error', reject);
    req.end(encode({ ...ids, type: 'SUBSCRIBE', subscribe: {} }));
  });
  t.teardown(() => response.destroy());
  t.equal(response.headers['content-type'], PROTOBUF);
  const decoder = new RecordIODecoder();
  response.on('data', (chunk: Buffer) => {
    for (const record of decoder.decode(chunk)) events.push(eventType.toObject(eventType.decode(record), TO_OBJECT_OPTIONS));
  });
  await eventually(() => events.length >= 2, 'SUBSCRIBED and LAUNCH');
  t.match(events[0], { type: 'SUBSCRIBED', subscribed: { executor_info: { executor_id: { value: 'proto' } }, agent_info: { id: { value: agentId } }, framework_info: { name: 'sim-test' } } });
  t.match(events[1], { type: 'LAUNCH', launch: { task: { task_id: { value: 'proto-task' } } } });

  const uuid = 'AAAAAAAAQACAAAAAAAAAAA==';
  const status = { task_id: { value: 'proto-task' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid, message: 'from a protobuf executor' };
  const updated = await httpRequest(url, 'POST', { 'Content-Type': PROTOBUF }, encode({ ...ids, type: 'UPDATE', update: { status } }));
  t.equal(updated.status, 202);
  const running = await sub.update('proto-task', 'TASK_RUNNING');
  t.match(running, { uuid, message: 'from a protobuf executor', source: 'SOURCE_EXECUTOR', agent_id: { value: agentId } }, "the executor's uuid reaches the framework");
  await eventually(() => events.some((e) => e['type'] === 'ACKNOWLEDGED'), 'ACKNOWLEDGED');
  t.match(events.find((e) => e['type'] === 'ACKNOWLEDGED'), { acknowledged: { task_id: { value: 'proto-task' }, uuid } });

  // A resubscription (say the connection broke) replaces the stream and replays what the agent may have missed.
  const closed = new Promise<void>((resolve) => response.on('close', () => resolve()));
  const finished = { ...status, state: 'TASK_FINISHED', uuid: 'AAAAAAAAQACAAAAAAAAAAQ==', message: 'replayed' };
  const again = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': PROTOBUF, Accept: PROTOBUF } });
    req.on('response', resolve);
    req.on('error', reject);
    req.end(encode({ ...ids, type: 'SUBSCRIBE', subscribe: { unacknowledged_updates: [{ status }, { status: finished }] } }));
  });
  t.teardown(() => again.destroy());
  const replayed: Record<string, unknown>[] = [];
  const replayDecoder = new RecordIODecoder();
  again.on('data', (chunk: Buffer) => {
    for (const record of replayDecoder.decode(chunk)) replayed.push(eventType.toObject(eventType.decode(record), TO_OBJECT_OPTIONS));
  });
  await closed;
  t.pass('the earlier stream is closed');
  t.match(await sub.update('proto-task', 'TASK_FINISHED'), { uuid: finished.uuid, message: 'replayed' });
  await eventually(() => replayed.filter((e) => e['type'] === 'ACKNOWLEDGED').length === 2, 'both replayed updates to be acknowledged');
  t.same(replayed.map((e) => e['type']).filter((type) => type !== 'HEARTBEAT'), ['SUBSCRIBED', 'ACKNOWLEDGED', 'ACKNOWLEDGED'], 'no second LAUNCH; the replayed updates are acknowledged');
  t.equal(sub.all('UPDATE').filter((e) => e.update.status.state === 'TASK_RUNNING').length, 1, 'the duplicate RUNNING update is not forwarded again');
});
