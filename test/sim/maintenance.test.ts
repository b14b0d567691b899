import t from 'tap';
import type { MaintenanceClusterStatus, MaintenanceSchedule } from '../../src/mesos/operator.js';
import type { MasterState } from '../../src/sim/stateJson.js';
import { commandTask, frameworkInfo, getJson, httpRequest, subscribe } from '../support/simClient.js';
import { eventually, processExists, startSim } from '../support/simHarness.js';
import { postJson, scheduleFor, unavailabilityIn } from '../support/simOperator.js';

const HOSTNAMES = { agentHostnames: ['alpha', 'beta'] };

t.test('a schedule tags the machine\'s offers with its unavailability and sends inverse offers to frameworks using it', async (t) => {
  const { sim } = await startSim(t, HOSTNAMES);
  const [alpha, beta] = sim.agentIds() as [string, string];
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer(alpha);
  t.equal(offer.hostname, 'alpha', 'agents announce the hostnames they were given');
  await sub.launch(offer.id.value, [commandTask('on-alpha', alpha, 'sleep 600')], 0);
  await sub.update('on-alpha', 'TASK_RUNNING');

  const machine = sim.agentMachine(alpha);
  t.same(machine, { hostname: 'alpha', ip: '127.0.0.1' }, "an agent's machine is its hostname and the simulator's ip");
  const schedule = scheduleFor([machine]);
  t.equal((await postJson(sim.url, '/maintenance/schedule', schedule)).status, 200);

  const inverse = (await sub.next('INVERSE_OFFERS')).inverse_offers.inverse_offers!;
  t.equal(inverse.length, 1, 'one inverse offer, for the scheduled agent only');
  t.same(inverse[0], {
    id: inverse[0]!.id,
    url: { scheme: 'http', address: { hostname: 'alpha', ip: '127.0.0.1', port: sim.port }, path: '/slave(1)' },
    framework_id: { value: sub.frameworkId },
    agent_id: { value: alpha },
    unavailability: schedule.windows![0]!.unavailability,
  });
  t.same((await sub.takeOffer(alpha)).unavailability, schedule.windows![0]!.unavailability, "the machine's offers carry its unavailability");
  t.equal((await sub.takeOffer(beta)).unavailability, undefined, 'other machines are untouched');

  t.same((await getJson<MaintenanceSchedule>(`${sim.url}/maintenance/schedule`)).body, schedule);
  t.same((await getJson<MaintenanceClusterStatus>(`${sim.url}/maintenance/status`)).body, { draining_machines: [{ id: machine }] });
  const other = await subscribe(sim.url, frameworkInfo({ name: 'idle' }));
  t.teardown(() => other.close());
  await t.rejects(other.next('INVERSE_OFFERS', () => true, 600), 'a framework holding nothing on the machine gets no inverse offer');
});

t.test('answers to inverse offers are recorded, hold the next one back for refuse_seconds, and a new schedule rescinds them', async (t) => {
  const { sim } = await startSim(t, HOSTNAMES);
  const [alpha] = sim.agentIds() as [string];
  const sub = await subscribe(sim.url, frameworkInfo(), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer(alpha);
  await sub.launch(offer.id.value, [commandTask('kept', alpha, 'sleep 600')], 0);
  await sub.update('kept', 'TASK_RUNNING');
  const machine = sim.agentMachine(alpha);
  await sim.scheduleMaintenance(scheduleFor([machine]));

  const first = (await sub.next('INVERSE_OFFERS')).inverse_offers.inverse_offers![0]!;
  const acceptedAt = Date.now();
  await sub.call({ type: 'ACCEPT_INVERSE_OFFERS', accept_inverse_offers: { inverse_offer_ids: [first.id], filters: { refuse_seconds: 0.6 } } });
  const second = (await sub.next('INVERSE_OFFERS')).inverse_offers.inverse_offers![0]!;
  t.ok(Date.now() - acceptedAt >= 550, 'the next inverse offer waits for the filter to expire');
  t.not(second.id.value, first.id.value);
  const statuses = sim.maintenanceStatus().draining_machines![0]!.statuses!;
  t.match(statuses, [{ status: 'ACCEPT', framework_id: { value: sub.frameworkId }, timestamp: { nanoseconds: Number } }]);

  await sub.call({ type: 'DECLINE_INVERSE_OFFERS', decline_inverse_offers: { inverse_offer_ids: [second.id], filters: { refuse_seconds: 60 } } });
  await t.rejects(sub.next('INVERSE_OFFERS', () => true, 700), 'a declined inverse offer is not made again within its filter');
  t.match(sim.maintenanceStatus().draining_machines![0]!.statuses, [{ status: 'DECLINE' }]);

  const moved = scheduleFor([machine], 7_200_000);
  await sim.scheduleMaintenance(moved);
  const third = (await sub.next('INVERSE_OFFERS')).inverse_offers.inverse_offers![0]!;
  t.same(third.unavailability, moved.windows![0]!.unavailability, 'a new unavailability drops the filters and is offered at once');
  await sim.scheduleMaintenance(scheduleFor([machine], 10_800_000));
  const rescind = await sub.next('RESCIND_INVERSE_OFFER');
  t.same(rescind.rescind_inverse_offer.inverse_offer_id, third.id, 'an outstanding inverse offer is rescinded when the schedule changes');
  await sub.next('INVERSE_OFFERS');

  await sim.scheduleMaintenance({});
  t.same(sim.maintenanceStatus(), {}, 'an empty schedule cancels maintenance');
  t.same(sim.maintenanceSchedule(), {});
});

t.test('machine down removes its agents (TASK_LOST, FAILURE) and keeps them out until machine up', async (t) => {
  const { sim } = await startSim(t, HOSTNAMES);
  const [alpha] = sim.agentIds() as [string];
  const sub = await subscribe(sim.url, frameworkInfo({ checkpoint: true }), { autoAck: true });
  t.teardown(() => sub.close());
  const offer = await sub.takeOffer(alpha);
  await sub.launch(offer.id.value, [commandTask('on-down-machine', alpha, 'sleep 600')], 0);
  const pid = (await sub.update('on-down-machine', 'TASK_RUNNING')).container_status!.executor_pid!;
  const machine = sim.agentMachine(alpha);
  await postJson(sim.url, '/maintenance/schedule', scheduleFor([machine], 0));

  t.equal((await postJson(sim.url, '/machine/down', [machine])).status, 200);
  const lost = await sub.update('on-down-machine', 'TASK_LOST');
  t.match(lost, { source: 'SOURCE_MASTER', reason: 'REASON_AGENT_REMOVED', message: "Agent alpha removed: Operator initiated 'Machine DOWN'" });
  t.same((await sub.next('FAILURE')).failure, { agent_id: { value: alpha } });
  await eventually(() => !processExists(pid), 'the shut-down agent to kill its task');
  t.same(sim.maintenanceStatus(), { down_machines: [machine] });
  t.notOk(sim.state().slaves.some((s) => s.id === alpha), 'the agent is removed');

  await sim.startAgent(alpha);
  await t.rejects(sub.takeOffer(alpha, 700), 'an agent on a DOWN machine may not register');
  t.equal((await postJson(sim.url, '/machine/up', [machine])).status, 200);
  t.same(sim.maintenanceStatus(), {});
  t.same(sim.maintenanceSchedule(), {}, 'the machine left the schedule');
  await sim.startAgent(alpha);
  t.equal((await sub.takeOffer(alpha)).unavailability, undefined, 'the agent is back, without unavailability');
});

t.test('maintenance requests are refused with upstream texts', async (t) => {
  const { sim } = await startSim(t, HOSTNAMES);
  const [alpha, beta] = sim.agentIds() as [string, string];
  const a = sim.agentMachine(alpha);
  const b = sim.agentMachine(beta);
  const window = (machine_ids: object[], unavailability = unavailabilityIn(0)) => ({ windows: [{ machine_ids, unavailability }] });
  const cases: [string, string, unknown, number, string][] = [
    ['empty window', '/maintenance/schedule', window([]), 400, 'List of machines in the maintenance window is empty'],
    ['duplicate', '/maintenance/schedule', window([a, a]), 400, `Machine '{"hostname":"alpha","ip":"127.0.0.1"}' appears more than once in the schedule`],
    ['negative duration', '/maintenance/schedule', window([a], { start: { nanoseconds: 0 }, duration: { nanoseconds: -1 } }), 400, "Unavailability 'duration' is negative"],
    ['empty machine', '/maintenance/schedule', window([{}]), 400, "Both 'hostname' and 'ip' for a machine are empty"],
    ['bad ip', '/maintenance/schedule', window([{ hostname: 'x', ip: '300.1.1.1' }]), 400, 'Failed to parse IPv4: 300.1.1.1'],
    ['no unavailability', '/maintenance/schedule', { windows: [{ machine_ids: [a] }] }, 400, 'Missing required fields: windows[0].unavailability'],
    ['not an object', '/maintenance/schedule', '[]', 400, 'Unexpected JSON type parsed'],
    ['bad json', '/maintenance/schedule', '{"windows": [', 400, 'syntax error at line 1 near: '],
    ['down: empty list', '/machine/down', [], 400, 'List of machines is empty'],
    ['down: not a list', '/machine/down', { hostname: 'alpha' }, 400, 'Unexpected JSON type parsed'],
    ['down: unscheduled machine', '/machine/down', [{ hostname: 'gamma', ip: '127.0.0.1' }], 400, `Machine '{"hostname":"gamma","ip":"127.0.0.1"}' is not part of a maintenance schedule`],
    ['down: machine that is up', '/machine/down', [b], 400, `Machine '{"hostname":"beta","ip":"127.0.0.1"}' is not in DRAINING mode and cannot be brought down`],
  ];
  for (const [what, path, body, status, text] of cases) {
    const answer = await postJson(sim.url, path, body);
    t.same({ status: answer.status, body: answer.body }, { status, body: text }, what);
  }
  t.equal((await postJson(sim.url, '/maintenance/schedule', window([a]))).status, 200);
  t.same(await postJson(sim.url, '/machine/up', [a]).then((x) => x.body), `Machine '{"hostname":"alpha","ip":"127.0.0.1"}' is not in DOWN mode and cannot be brought up`);
  t.equal((await postJson(sim.url, '/machine/down', [a])).status, 200);
  const dropDown = await postJson(sim.url, '/maintenance/schedule', window([b]));
  t.same({ status: dropDown.status, body: dropDown.body }, { status: 400, body: `Machine '{"hostname":"alpha","ip":"127.0.0.1"}' is deactivated and cannot be removed from the schedule` });
  const wrongMethod = await httpRequest(`${sim.url}/machine/down`, 'GET', {});
  t.equal(wrongMethod.status, 405);
  t.equal(wrongMethod.body, "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.");
  const state = (await getJson<MasterState>(`${sim.url}/state`)).body;
  t.same(state.slaves.map((s) => s.hostname), ['beta'], 'only the agent of the DOWN machine is gone');
});
