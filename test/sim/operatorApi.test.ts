import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROTOBUF } from '../../src/mesos/codec.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { commandTask, frameworkInfo, httpRequest, subscribe } from '../support/simClient.js';
import { eventually, processExists, startSim } from '../support/simHarness.js';
import { operatorCall, scheduleFor } from '../support/simOperator.js';

const killingCapable = frameworkInfo({ capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }] });

function ready(sim: Simulator, taskId: string): Promise<void> {
  return eventually(() => existsSync(join(sim.task(taskId)!.directory, 'ready')), `task ${taskId} to be ready`);
}

t.test('DRAIN_AGENT kills the tasks with REASON_AGENT_DRAINING, caps their grace period and leaves the agent DRAINED', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const [agentId] = sim.agentIds() as [string];
  const sub = await subscribe(sim.url, killingCapable, { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  const stubborn = "trap '' TERM; touch ready; sleep 600";
  await sub.launch(offer.id.value, [commandTask('drained', agentId, stubborn, { kill_policy: { grace_period: { nanoseconds: 60e9 } } })], 0);
  await sub.update('drained', 'TASK_RUNNING');
  await ready(sim, 'drained');

  const drainedAt = Date.now();
  const answer = await operatorCall(sim.url, { type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: agentId }, max_grace_period: { nanos: 300e6 } } });
  t.same({ status: answer.status, body: answer.body }, { status: 200, body: '' });
  t.match(sim.state().slaves[0], {
    active: false,
    deactivated: true,
    drain_info: { state: 'DRAINING', config: { max_grace_period: { nanoseconds: 300e6 }, mark_gone: false } },
    estimated_drain_start_time_seconds: Number,
  });
  const early = await operatorCall(sim.url, { type: 'REACTIVATE_AGENT', reactivate_agent: { agent_id: { value: agentId } } });
  t.same({ status: early.status, body: early.body }, { status: 400, body: 'Agent is still in the DRAINING state' });

  const killing = await sub.update('drained', 'TASK_KILLING');
  t.match(killing, { source: 'SOURCE_EXECUTOR', reason: 'REASON_AGENT_DRAINING' });
  const killed = await sub.update('drained', 'TASK_KILLED', 5000);
  t.match(killed, { source: 'SOURCE_EXECUTOR', reason: 'REASON_AGENT_DRAINING', message: 'Command terminated with signal Killed' });
  t.ok(Date.now() - drainedAt < 5000, "max_grace_period caps the task's 60 s grace period");
  await eventually(() => sim.state().slaves[0]?.drain_info?.state === 'DRAINED', 'the agent to be DRAINED once its task is acknowledged');

  const agents = await operatorCall(sim.url, { type: 'GET_AGENTS' });
  t.match(agents.response, {
    type: 'GET_AGENTS',
    get_agents: { agents: [{ agent_info: { id: { value: agentId }, hostname: '127.0.0.1' }, active: false, deactivated: true, drain_info: { state: 'DRAINED' } }] },
  });
  await t.rejects(sub.takeOffer(agentId, 600), 'a drained agent is not offered');
  t.equal((await operatorCall(sim.url, { type: 'REACTIVATE_AGENT', reactivate_agent: { agent_id: { value: agentId } } })).status, 200);
  await sub.takeOffer(agentId);
  t.equal(sim.state().slaves[0]!.drain_info, undefined, 'reactivation ends the drain');
});

t.test('DRAIN_AGENT with mark_gone reports TASK_GONE_BY_OPERATOR and then removes the agent for good', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const [agentId] = sim.agentIds() as [string];
  const sub = await subscribe(sim.url, killingCapable, { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [commandTask('goner', agentId, 'sleep 600')], 0);
  const pid = (await sub.update('goner', 'TASK_RUNNING')).container_status!.executor_pid!;

  await sim.drainAgent(agentId, { mark_gone: true });
  const gone = await sub.update('goner', 'TASK_GONE_BY_OPERATOR');
  t.match(gone, { source: 'SOURCE_EXECUTOR', reason: 'REASON_AGENT_DRAINING' }, 'the kill of a partition-aware task reads as gone by operator');
  t.same((await sub.next('FAILURE')).failure, { agent_id: { value: agentId } }, 'the agent is marked gone once drained');
  await eventually(() => !processExists(pid), 'the gone agent to be shut down');
  t.same(sim.state().slaves, []);
  await sub.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'goner' }, agent_id: { value: agentId } }] } });
  t.match(await sub.update('goner', 'TASK_GONE_BY_OPERATOR'), { source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION', message: 'Reconciliation: Task is gone' });
  await sim.startAgent(agentId);
  await t.rejects(sub.takeOffer(agentId, 600), 'a gone agent may not come back');
});

t.test('MARK_AGENT_GONE ends tasks as TASK_GONE_BY_OPERATOR, or TASK_LOST for frameworks that are not partition-aware', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const [agentId] = sim.agentIds() as [string];
  const aware = await subscribe(sim.url, frameworkInfo({ name: 'aware' }), { autoAck: true });
  t.teardown(() => aware.close());
  await aware.launch((await aware.takeOffer()).id.value, [commandTask('aware-task', agentId, 'sleep 600')], 0);
  const pid = (await aware.update('aware-task', 'TASK_RUNNING')).container_status!.executor_pid!;
  const legacy = await subscribe(sim.url, frameworkInfo({ name: 'legacy', capabilities: [{ type: 'MULTI_ROLE' }] }), { autoAck: true });
  t.teardown(() => legacy.close());
  await legacy.launch((await legacy.takeOffer()).id.value, [commandTask('legacy-task', agentId, 'sleep 600')], 0);
  await legacy.update('legacy-task', 'TASK_RUNNING');

  t.equal((await operatorCall(sim.url, { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: agentId } } })).status, 200);
  t.match(await aware.update('aware-task', 'TASK_GONE_BY_OPERATOR'), {
    source: 'SOURCE_MASTER',
    reason: 'REASON_AGENT_REMOVED_BY_OPERATOR',
    message: 'Agent has been marked gone',
    agent_id: { value: agentId },
  });
  t.match(await legacy.update('legacy-task', 'TASK_LOST'), { source: 'SOURCE_MASTER', reason: 'REASON_AGENT_REMOVED', message: 'Agent has been marked gone' });
  t.same((await aware.next('FAILURE')).failure, { agent_id: { value: agentId } });
  t.same((await legacy.next('FAILURE')).failure, { agent_id: { value: agentId } });
  await eventually(() => !processExists(pid), 'the gone agent to kill its tasks');
  t.equal((await operatorCall(sim.url, { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: agentId } } })).status, 200, 'marking it again is fine');
});

t.test('DEACTIVATE_AGENT stops offers until REACTIVATE_AGENT; GET_STATE and protobuf answers', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const [agentId] = sim.agentIds() as [string];
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer();
  await sub.launch(offer.id.value, [commandTask('listed', agentId, 'sleep 600')], 0);
  await sub.update('listed', 'TASK_RUNNING');
  const held = await sub.takeOffer(agentId);

  t.equal((await operatorCall(sim.url, { type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: agentId } } })).status, 200);
  t.same((await sub.next('RESCIND')).rescind.offer_id, held.id, 'its outstanding offer is rescinded');
  await t.rejects(sub.takeOffer(agentId, 600), 'a deactivated agent is not offered');
  t.equal(sim.task('listed')!.state, 'TASK_RUNNING', 'its tasks keep running');
  const state = await operatorCall(sim.url, { type: 'GET_STATE' }, { media: PROTOBUF, accept: PROTOBUF });
  t.equal(state.headers['content-type'], PROTOBUF);
  t.match(state.response, {
    type: 'GET_STATE',
    get_state: {
      get_tasks: { tasks: [{ task_id: { value: 'listed' }, framework_id: { value: sub.frameworkId }, agent_id: { value: agentId }, state: 'TASK_RUNNING' }] },
      get_frameworks: { frameworks: [{ framework_info: { name: 'sim-test' }, active: true, connected: true }] },
      get_agents: { agents: [{ deactivated: true, active: false }] },
    },
  });
  await sim.reactivateAgent(agentId);
  await sub.takeOffer(agentId);
  const health = await operatorCall(sim.url, { type: 'GET_HEALTH' });
  t.same(health.response, { type: 'GET_HEALTH', get_health: { healthy: true } });
  t.equal(health.headers['content-type'], 'application/json');
});

t.test('operator API errors carry upstream statuses and texts', async (t) => {
  const { sim } = await startSim(t, { agents: 1 });
  const [agentId] = sim.agentIds() as [string];
  const cases: [string, object | string, number, string][] = [
    ['bad json', '{', 400, 'Failed to parse body into JSON: syntax error at line 1 near: '],
    ['no type', {}, 400, "Failed to validate master::Call: Expecting 'type' to be present"],
    ['no payload', { type: 'DRAIN_AGENT' }, 400, "Failed to validate master::Call: Expecting 'drain_agent' to be present"],
    ['no agent id', { type: 'DRAIN_AGENT', drain_agent: {} }, 400, 'Failed to convert JSON into Call protobuf: Missing required fields: drain_agent.agent_id'],
    ['drain unknown', { type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: 'nope' } } }, 400, 'Unknown agent'],
    ['deactivate unknown', { type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: 'nope' } } }, 400, 'Unknown agent'],
    ['reactivate active', { type: 'REACTIVATE_AGENT', reactivate_agent: { agent_id: { value: agentId } } }, 400, 'Agent is not deactivated'],
    ['gone unknown', { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: 'nope' } } }, 404, "Agent 'nope' not found"],
    ['teardown unknown', { type: 'TEARDOWN', teardown: { framework_id: { value: 'nope' } } }, 400, 'No framework found with specified ID'],
  ];
  for (const [what, call, status, body] of cases) {
    const answer = await operatorCall(sim.url, call);
    t.same({ status: answer.status, body: answer.body }, { status, body }, what);
  }
  t.equal((await operatorCall(sim.url, { type: 'GET_METRICS' })).status, 501, 'calls the simulator does not serve are 501');
  t.equal((await operatorCall(sim.url, { type: 'GET_HEALTH' }, { accept: 'text/html' })).status, 406);
  t.equal((await httpRequest(`${sim.url}/api/v1`, 'POST', {}, Buffer.from('{}'))).body, "Expecting 'Content-Type' to be present");
  t.equal((await httpRequest(`${sim.url}/api/v1`, 'POST', { 'Content-Type': 'text/plain' }, Buffer.from('{}'))).status, 415);
  t.equal((await httpRequest(`${sim.url}/api/v1`, 'GET', {})).status, 405);

  await sim.scheduleMaintenance(scheduleFor([sim.agentMachine(agentId)]));
  const scheduled = await operatorCall(sim.url, { type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: agentId } } });
  t.same(
    { status: scheduled.status, body: scheduled.body },
    { status: 400, body: `Agent ${agentId} is part of a maintenance schedule under Machine 127.0.0.1 (127.0.0.1)` },
  );
  const schedule = await operatorCall(sim.url, { type: 'GET_MAINTENANCE_SCHEDULE' });
  t.same(schedule.response, { type: 'GET_MAINTENANCE_SCHEDULE', get_maintenance_schedule: { schedule: sim.maintenanceSchedule() } });
  t.equal((await operatorCall(sim.url, { type: 'UPDATE_MAINTENANCE_SCHEDULE', update_maintenance_schedule: { schedule: {} } })).status, 200);
  t.same(sim.maintenanceSchedule(), {});
  await t.rejects(sim.drainAgent('nope'), { name: 'SimNotFoundError' });
  await t.rejects(sim.reactivateAgent(agentId), { name: 'SimRefusedError', message: 'Agent is not deactivated' });
});
