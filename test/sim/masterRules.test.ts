import t from 'tap';
import { Allocator } from '../../src/sim/allocator.js';
import { validateCall, validateFrameworkInfo, validateFrameworkUpdate, validateRole } from '../../src/sim/callValidation.js';
import { Resources } from '../../src/sim/resources.js';
import { StatusUpdateManager } from '../../src/sim/statusUpdateManager.js';
import { buildTaskStatus } from '../../src/sim/taskStatus.js';
import { newStatusUuid } from '../../src/sim/ids.js';
import type { TaskStatus } from '../../src/mesos/types.js';
import { shapeDifferences } from '../support/simReference.js';

const agentResources = Resources.parse('cpus:4;mem:8192') as Resources;

t.test('the allocator offers each agent to the framework with the lowest share', async (t) => {
  const allocator = new Allocator(1000);
  allocator.addFramework('a');
  allocator.addFramework('b');
  const agents = ['s0', 's1', 's2', 's3'].map((id) => ({ id, available: agentResources }));
  const frameworks = [
    { id: 'a', roles: ['*'], allocated: agentResources.plus(agentResources) },
    { id: 'b', roles: ['*'], allocated: Resources.EMPTY },
  ];
  const first = allocator.allocate(agents, frameworks, 0);
  t.equal(first.length, 4);
  t.same(first.filter((x) => x.frameworkId === 'b').length, 3, 'the framework holding less gets more');

  allocator.refuse('b', 's0', agentResources, 10, 0);
  const filtered = allocator.allocate([agents[0]!], [frameworks[1]!], 5_000);
  t.same(filtered, [], 'a refusal filter holds the agent back');
  t.equal(allocator.allocate([agents[0]!], [frameworks[1]!], 10_001).length, 1, 'and expires after refuse_seconds');

  allocator.refuse('b', 's0', agentResources, 0.1, 0);
  t.same(allocator.allocate([agents[0]!], [frameworks[1]!], 500), [], 'a filter lasts at least one allocation interval');
  const more = Resources.parse('cpus:8;mem:8192') as Resources;
  t.equal(allocator.allocate([{ id: 's0', available: more }], [frameworks[1]!], 500).length, 1, 'more resources than refused pass the filter');

  allocator.suppress('b', ['*']);
  t.same(allocator.allocate(agents, [frameworks[1]!], 0), [], 'suppressed roles get nothing');
  allocator.refuse('b', 's1', agentResources, 3600, 0);
  allocator.revive('b', ['*']);
  t.equal(allocator.allocate(agents, [frameworks[1]!], 0).length, 4, 'REVIVE unsuppresses and drops filters');
  const tiny = Resources.parse('cpus:0.001;mem:1;disk:100') as Resources;
  t.same(allocator.allocate([{ id: 's9', available: tiny }], [frameworks[1]!], 0), [], 'too little to run anything is not offered');
});

t.test('call and framework validation use upstream messages', async (t) => {
  t.equal(validateRole('*'), undefined);
  t.equal(validateRole('a/b'), undefined);
  t.equal(validateRole('/a'), "Role '/a' cannot start with a slash");
  t.equal(validateRole('a//b'), "Role 'a//b' cannot contain two adjacent slashes");
  t.equal(validateRole('a/./b'), "Role 'a/./b' cannot include '.' as a component");
  t.equal(validateRole('-x'), "Role component '-x' is invalid because it starts with a dash");
  t.equal(validateRole('a b'), "Role component 'a b' is invalid because it contains backspace or whitespace");
  t.equal(validateFrameworkInfo({ user: 'u', name: 'n', roles: ['a'] }), "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable");
  t.equal(
    validateFrameworkInfo({ user: 'u', name: 'n', roles: ['a', 'a'], capabilities: [{ type: 'MULTI_ROLE' }] }),
    "'FrameworkInfo.roles' contains duplicate items: { a }",
  );
  t.equal(validateFrameworkInfo({ user: 'u', name: 'n', role: '..' }), "'FrameworkInfo.role' is not a valid role: Role '..' cannot include '..' as a component");
  t.equal(validateFrameworkUpdate({ user: 'u', name: 'n' }, { user: 'v', name: 'n' }), "Updating 'FrameworkInfo.user' is unsupported; attempted to update from 'u' to 'v'");
  t.equal(validateFrameworkUpdate({ user: 'u', name: 'n', principal: 'p' }, { user: 'u', name: 'n' }), "Changing framework's principal is not allowed.");
  t.equal(validateCall({ type: 'KILL', framework_id: { value: 'f' } } as never, undefined), "Expecting 'kill' to be present");
  t.equal(validateCall({ type: 'DECLINE' } as never, undefined), "Expecting 'framework_id' to be present");
  t.equal(
    validateCall({ type: 'UPDATE_FRAMEWORK', framework_id: { value: 'f' }, update_framework: { framework_info: { user: 'u', name: 'n' } } }, undefined),
    "'framework_id' differs from 'update_framework.framework_info.id'",
  );
});

t.test('the status update manager sends one update per task at a time, in order, until acknowledged', async (t) => {
  const sent: TaskStatus[] = [];
  const manager = new StatusUpdateManager({ initialRetryMs: 50, maxRetryMs: 80, send: (_f, s) => sent.push(s) });
  t.teardown(() => manager.clear());
  const update = (taskId: string, state: TaskStatus['state']) => buildTaskStatus({ taskId, state, source: 'SOURCE_EXECUTOR', uuid: newStatusUuid() });
  const starting = update('t', 'TASK_STARTING');
  const running = update('t', 'TASK_RUNNING');
  const finished = update('t', 'TASK_FINISHED');
  manager.update('f', starting);
  manager.update('f', running);
  manager.update('f', update('other', 'TASK_STARTING'));
  t.same(sent.map((s) => `${s.task_id.value} ${s.state}`), ['t TASK_STARTING', 'other TASK_STARTING'], 'each task has its own stream');
  t.equal(manager.acknowledge('f', 't', running.uuid!), 'unexpected', 'only the head can be acknowledged');
  await new Promise((r) => setTimeout(r, 70));
  t.equal(sent.filter((s) => s.uuid === starting.uuid).length, 2, 'the head is re-sent after the retry interval');
  t.equal(manager.acknowledge('f', 't', starting.uuid!), 'acknowledged');
  t.equal(sent.at(-1)!.uuid, running.uuid, 'the next update leaves on acknowledgement');
  manager.update('f', finished);
  manager.update('f', update('t', 'TASK_RUNNING'));
  t.equal(manager.acknowledge('f', 't', running.uuid!), 'acknowledged');
  t.equal(manager.acknowledge('f', 't', finished.uuid!), 'stream-finished', 'nothing is accepted after a terminal update');
  t.equal(manager.hasPending('f', 't'), false);
});

t.test('the reference comparison notices every kind of departure', async (t) => {
  const recorded = { type: 'UPDATE', update: { status: { task_id: { value: 'a' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid: 'x', timestamp: 1 } } };
  const same = { type: 'UPDATE', update: { status: { task_id: { value: 'b' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid: 'y', timestamp: 2 } } };
  t.same(shapeDifferences(same, recorded), [], 'ids, uuids and timestamps may differ');
  const { uuid: _uuid, ...withoutUuid } = same.update.status;
  t.match(shapeDifferences({ ...same, update: { status: withoutUuid } }, recorded), [/missing keys uuid/]);
  t.match(shapeDifferences({ ...same, update: { status: { ...same.update.status, reason: 'REASON_RECONCILIATION' } } }, recorded), [/unexpected keys reason/]);
  t.match(shapeDifferences({ ...same, update: { status: { ...same.update.status, source: 'SOURCE_MASTER' } } }, recorded), [/source: expected "SOURCE_EXECUTOR"/]);
  t.match(shapeDifferences({ ...same, update: { status: { ...same.update.status, timestamp: '2' } } }, recorded), [/timestamp: expected number, got string/]);
  t.same(
    shapeDifferences({ message: 'Offer 11111111-2222-3333-4444-555555555555-O7 is no longer valid' }, { message: 'Offer aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee-O0 is no longer valid' }),
    [],
    'ids inside messages are normalized',
  );
});

t.test('task validation follows upstream order and messages', async (t) => {
  const { validateTask } = await import('../../src/sim/taskValidation.js');
  const available = Resources.parse('cpus:1;mem:128;gpus:2') as Resources;
  const running = { executor_id: { value: 'running' }, framework_id: { value: 'F' }, command: { value: 'exec' }, resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.1 }, allocation_info: { role: '*' } }] };
  const ctx = {
    hasTask: (id: string) => id === 'taken',
    hasUnreachableTask: (id: string) => id === 'lost',
    agentId: 'S0',
    frameworkId: 'F',
    existingExecutor: (id: string) => (id === 'running' ? running : undefined),
    available,
    allocationRole: '*',
  };
  const executor = (fields: object) => ({ command: undefined, executor: { executor_id: { value: 'e' }, framework_id: { value: 'F' }, command: { value: 'exec' }, ...fields } });
  const base = {
    name: 'n',
    task_id: { value: 't' },
    agent_id: { value: 'S0' },
    resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.5 } }],
    command: { value: 'true' },
  };
  const cases: [string, object, string | RegExp | undefined][] = [
    ['valid', {}, undefined],
    ['empty id', { task_id: { value: '' } }, 'ID must not be empty'],
    ['dot id', { task_id: { value: '..' } }, "'..' is disallowed"],
    ['unreachable id', { task_id: { value: 'lost' } }, 'Task reuses the ID of an unreachable task: lost'],
    ['negative grace', { kill_policy: { grace_period: { nanoseconds: -1 } } }, "Task's 'kill_policy.grace_period' must be non-negative"],
    ['negative completion', { max_completion_time: { nanoseconds: -1 } }, "Task's `max_completion_time` must be non-negative"],
    ['check without type', { check: {} }, "Task uses invalid check: CheckInfo must specify 'type'"],
    ['health without type', { health_check: {} }, "Task uses invalid health check: HealthCheck must specify 'type'"],
    ['command health without command', { health_check: { type: 'COMMAND' } }, "Task uses invalid health check: Expecting 'command' to be set for COMMAND health check"],
    ['tcp health without tcp', { health_check: { type: 'TCP' } }, "Task uses invalid health check: Expecting 'tcp' to be set for TCP health check"],
    ['bad scheme', { health_check: { type: 'HTTP', http: { port: 1, scheme: 'ftp' } } }, "Task uses invalid health check: Unsupported HTTP health check scheme: 'ftp'"],
    ['negative delay', { health_check: { type: 'TCP', tcp: { port: 1 }, delay_seconds: -1 } }, "Task uses invalid health check: Expecting 'delay_seconds' to be non-negative"],
    ['fractional gpus', { resources: [{ name: 'gpus', type: 'SCALAR', scalar: { value: 0.5 } }] }, "Task uses invalid resources: Invalid 'gpus' resource: The 'gpus' resource must be an unsigned integer"],
    ['env without value', { command: { value: 'x', environment: { variables: [{ name: 'A' }] } } }, "Task's `CommandInfo` is invalid: Environment variable 'A' of type 'VALUE' must have a value set"],
    ['volume without source', { container: { type: 'MESOS', volumes: [{ mode: 'RW', container_path: 'x' }] } }, "Task's `ContainerInfo` is invalid: Invalid volume: Only one of them should be set: 'host_path', 'image' and 'source'"],
    ['docker without docker', { container: { type: 'DOCKER' } }, "Task's `ContainerInfo` is invalid: DockerInfo 'docker' is not set for DOCKER typed ContainerInfo"],
    ['too much', { resources: [{ name: 'mem', type: 'SCALAR', scalar: { value: 256 } }] }, 'Total resources mem(allocated: *):256 required by task and its executor is more than available cpus(allocated: *):1; mem(allocated: *):128; gpus(allocated: *):2'],
    ['custom executor', executor({}), undefined],
    ['executor and command', { executor: executor({}).executor }, 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present'],
    ['executor without command', executor({ command: undefined }), "'ExecutorInfo.command' must be set"],
    ['custom executor without command', executor({ type: 'CUSTOM', command: undefined }), "'ExecutorInfo.command' must be set for 'CUSTOM' executor"],
    ['executor of another framework', executor({ framework_id: { value: 'G' } }), 'ExecutorInfo has an invalid FrameworkID (Actual: G vs Expected: F)'],
    ['negative shutdown grace', executor({ shutdown_grace_period: { nanoseconds: -1 } }), "ExecutorInfo's 'shutdown_grace_period' must be non-negative"],
    ['executor resources count', executor({ resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.6 } }] }), 'Total resources cpus(allocated: *):1.1 required by task and its executor is more than available cpus(allocated: *):1; mem(allocated: *):128; gpus(allocated: *):2'],
    ['running executor is reused', executor({ executor_id: { value: 'running' }, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }] }), undefined],
    ['running executor differs', executor({ executor_id: { value: 'running' }, command: { value: 'other' } }), /^ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID/],
  ];
  for (const [what, change, expected] of cases) {
    const error = validateTask({ ...base, ...change } as never, ctx);
    if (expected instanceof RegExp) t.match(error, expected, what);
    else t.equal(error, expected, what);
  }
});
