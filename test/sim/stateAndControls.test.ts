import t from 'tap';
import type { SimTaskView } from '../../src/sim/simulator.js';
import type { MasterState } from '../../src/sim/stateJson.js';
import { commandTask, frameworkInfo, getJson, httpRequest, subscribe } from '../support/simClient.js';
import { startSim } from '../support/simHarness.js';

t.test('/state shows frameworks, tasks and agents with Mesos field names', async (t) => {
  const { sim, workDir } = await startSim(t, { agents: 2, agentAttributes: ['zone:a;rack:1;ports:[1-3]'] });
  const sub = await subscribe(sim.url, frameworkInfo({ labels: { labels: [{ key: 'k', value: 'v' }] } }), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer(sim.agentIds()[0]);
  await sub.launch(offer.id.value, [commandTask('visible', offer.agent_id.value, 'sleep 600', { labels: { labels: [{ key: 'app', value: 'db' }] } })]);
  await sub.update('visible', 'TASK_RUNNING');

  for (const path of ['/state', '/master/state', '/state.json']) {
    const { status, body } = await getJson<MasterState>(`${sim.url}${path}`);
    t.equal(status, 200, `${path} answers`);
    t.equal(body.id, sim.state().id);
  }
  const state = (await getJson<MasterState>(`${sim.url}/state`)).body;
  t.match(state, { version: '1.12.0', hostname: '127.0.0.1', pid: `master@127.0.0.1:${sim.port}`, leader: `master@127.0.0.1:${sim.port}` });
  const framework = state.frameworks[0]!;
  t.match(framework, { id: sub.frameworkId, name: 'sim-test', active: true, connected: true, roles: ['*'], labels: [{ key: 'k', value: 'v' }] });
  const task = framework.tasks[0]!;
  t.match(task, {
    id: 'visible',
    name: 'visible',
    framework_id: sub.frameworkId,
    executor_id: '',
    slave_id: offer.agent_id.value,
    state: 'TASK_RUNNING',
    resources: { cpus: 0.1, mem: 16, disk: 0, gpus: 0 },
    labels: [{ key: 'app', value: 'db' }],
  });
  t.same(task.statuses.map((s) => s.state), ['TASK_STARTING', 'TASK_RUNNING']);
  const agent = state.slaves.find((s) => s.id === offer.agent_id.value)!;
  t.match(agent, {
    hostname: '127.0.0.1',
    active: true,
    resources: { cpus: 4, mem: 8192, disk: 65536, ports: '[31000-31999]' },
    used_resources: { cpus: 0.1, mem: 16 },
    attributes: { zone: 'a', rack: 1, ports: '[1-3]', ferry_root: `${workDir}/agent-0/datasets` },
  });
});

t.test('/sim/tasks and the fault routes answer 200 {} or 404 with a message', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [commandTask('looked-up', offer.agent_id.value, 'sleep 600')]);
  const pid = (await sub.update('looked-up', 'TASK_RUNNING')).container_status!.executor_pid;
  const view = await getJson<SimTaskView>(`${sim.url}/sim/tasks/looked-up`);
  t.equal(view.status, 200);
  t.match(view.body, { id: 'looked-up', agent_id: offer.agent_id.value, state: 'TASK_RUNNING', pid });
  t.match(view.body.directory, /\/executors\/looked-up\/runs\//);
  const missing = await getJson<{ message: string }>(`${sim.url}/sim/tasks/nope`);
  t.equal(missing.status, 404);
  t.match(missing.body.message, /nope/);

  const post = (path: string) => httpRequest(`${sim.url}${path}`, 'POST', {});
  for (const path of ['/sim/agents/nope/partition', '/sim/agents/nope/heal', '/sim/agents/nope/stop', '/sim/agents/nope/start', '/sim/tasks/nope/crash']) {
    const answer = await post(path);
    t.equal(answer.status, 404, `${path} is 404`);
    t.match(JSON.parse(answer.body), { message: /nope/ });
  }
  const agentId = offer.agent_id.value;
  for (const path of [`/sim/agents/${agentId}/partition`, `/sim/agents/${agentId}/heal`, '/sim/master/pause-streams', '/sim/master/resume-streams']) {
    const answer = await post(path);
    t.same({ status: answer.status, body: JSON.parse(answer.body) }, { status: 200, body: {} }, `${path} is 200 {}`);
  }
  t.same(JSON.parse((await post('/sim/tasks/looked-up/crash')).body), {});
  await sub.update('looked-up', 'TASK_FAILED');
  await t.rejects(sim.partitionAgent('nope'), { name: 'SimNotFoundError' });
  t.equal((await httpRequest(`${sim.url}/nowhere`, 'GET', {})).status, 404);
});

t.test('paused streams hold every event, heartbeats included, until resumed; new streams flow', async (t) => {
  const { sim } = await startSim(t, { agents: 1, heartbeatIntervalSeconds: 0.2 });
  const sub = await subscribe(sim.url, frameworkInfo());
  t.teardown(() => sub.close());
  await sub.next('HEARTBEAT');
  await sub.next('HEARTBEAT');
  await sim.pauseStreams();
  const count = sub.events.length;
  await sub.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'held' } }] } });
  await t.rejects(sub.nextOf((_e, i) => i >= count, 700), 'nothing arrives while paused');
  t.notOk(sub.closed, 'the connection stays open');
  const fresh = await subscribe(sim.url, frameworkInfo({ id: { value: sub.frameworkId } }));
  t.teardown(() => fresh.close());
  t.equal(fresh.frameworkId, sub.frameworkId, 'a resubscription made while paused gets a live stream');
  await sim.resumeStreams();
  await sub.update('held');
  t.equal((await sub.next('ERROR')).error.message, 'Framework failed over', 'the held stream delivers what it held once resumed');
  await fresh.next('HEARTBEAT');
  t.pass('events flow on the new stream');
});

t.test('agent ids and option errors', async (t) => {
  const { sim } = await startSim(t, { agents: 3 });
  t.equal(sim.agentIds().length, 3);
  t.match(sim.agentIds()[2], /-S2$/);
  const { Simulator } = await import('../../src/sim/simulator.js');
  await t.rejects(Simulator.start({ workDir: '/tmp/unused', agentResources: 'cpus:lots' }), /agentResources: resource 'cpus:lots' has a text value/);
  await t.rejects(Simulator.start({ workDir: '/tmp/unused', agents: 1, posixOnlyAgents: [4] }), /posixOnlyAgents: 4 is not the index of an agent/);
  await t.rejects(Simulator.start({ workDir: '/tmp/unused', agents: 1, agentAttributes: ['k:{a,b}'] }), /set value/);
  await t.rejects(Simulator.start({ workDir: '/tmp/unused', allocationIntervalMs: 0 }), /allocationIntervalMs must be a positive number/);
  await t.rejects(Simulator.start({ workDir: '/tmp/unused', agents: 1, agentHostnames: ['a', 'b'] }), /agentHostnames has 2 entries for 1 agents/);
  await t.rejects(Simulator.start({ workDir: '/tmp/unused', agents: 1, agentHostnames: ['no spaces'] }), /agentHostnames\[0\]: 'no spaces' is not a hostname/);
});
