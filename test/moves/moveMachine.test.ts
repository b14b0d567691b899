import t from 'tap';
import { planMoves } from '../../src/moves/moveMachine.js';
import type { MoveRecord } from '../../src/moves/moveModel.js';
import type { Plan } from '../../src/scheduler/plan.js';
import type { World } from '../../src/scheduler/world.js';
import { appSpec, config, datasetRecord, offer, T0, taskRecord, world } from '../support/builders.js';

function move(overrides: Partial<MoveRecord> = {}): MoveRecord {
  return {
    id: 'm1',
    dataset: 'kv-data',
    backend: 'local',
    kind: 'copy',
    appId: '/kv',
    instance: 0,
    trigger: 'api',
    from: 'A',
    fromHostPath: '/var/lib/ferry/datasets/kv-data',
    to: 'B',
    toHostPath: '/var/lib/ferry/datasets/kv-data',
    toHostname: 'b.example',
    state: 'RUNNING',
    step: 'RECEIVER',
    steps: [{ step: 'RECEIVER', startedAt: new Date(T0).toISOString() }],
    rounds: [],
    attempt: 0,
    token: 'tok-0123456789abcdef0123456789abcdef',
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    ...overrides,
  };
}

function nodeTask(agentId: string) {
  return taskRecord({ taskId: `node-${agentId}`, kind: 'node', appId: '', instance: -1, agentId, datasetName: undefined, dataVia: undefined, ports: [31000, 31001] });
}

function withMove(m: MoveRecord, extra: Parameters<typeof world>[0] = {}): World {
  const w = world({ apps: [appSpec()], datasets: [datasetRecord()], agents: [offer('A'), offer('B')], ...extra, tasks: [nodeTask('A'), nodeTask('B'), ...(extra.tasks ?? [])] });
  w.applyWrites([{ kind: 'move', record: m }]);
  return w;
}

/** Lets the moves advance as far as they can at this instant, as the service does in one batch. */
function step(w: World, now = T0): Plan {
  const all: Plan = { writes: [], mesos: [], notes: [] };
  for (let pass = 0; pass < 6; pass++) {
    const plan = planMoves(w, { now, config: config({ moveOpRetrySeconds: 15 }) });
    w.applyWrites(plan.writes);
    w.applyNotes(plan.notes);
    all.writes.push(...plan.writes);
    all.mesos.push(...plan.mesos);
    all.notes.push(...plan.notes);
    if (plan.writes.length === 0) break;
  }
  return all;
}

function reply(w: World, opId: string, ok = true, result: unknown = {}): void {
  w.applyNotes([{ kind: 'opResult', result: ok ? { opId, ok: true, result, ms: 1 } : { opId, ok: false, code: 'FAILED', message: 'boom', ms: 1 } }]);
}

function nodeOps(plan: Plan): { op: string; agentId: string; opId: string }[] {
  return plan.mesos.flatMap((a) => (a.type === 'NODE_OP' ? [{ op: a.request.op, agentId: a.agentId, opId: a.opId }] : []));
}

t.test('the final copy never starts while the task may still write: an unreachable task blocks the move', async (t) => {
  const w = withMove(move({ step: 'STOP_TASK' }), { tasks: [taskRecord({ state: 'TASK_UNREACHABLE' })] });
  for (let i = 0; i < 3; i++) {
    const plan = step(w, T0 + i * 1000);
    t.same(nodeOps(plan), [], 'no copy while the task is out of sight');
  }
  t.equal(w.moves.get('m1')!.step, 'STOP_TASK');
  t.equal(w.datasets.get('kv-data')!.state, 'MOVING', 'and nothing relaunches it on the source meanwhile');
  w.applyWrites([{ kind: 'deleteTask', taskId: 'kv.0.t1' }]);
  const plan = step(w, T0 + 5000);
  t.equal(w.moves.get('m1')!.step, 'FINAL_COPY', 'proof of death lets the move go on');
  t.match(nodeOps(plan), [{ op: 'finalCopy', agentId: 'A' }]);
});

t.test('a copy move goes receiver → pre-copy → stop → final copy → switch, and the dataset changes agent only at the switch', async (t) => {
  const w = withMove(move(), { tasks: [taskRecord()] });
  let plan = step(w);
  t.match(nodeOps(plan), [{ op: 'receive', agentId: 'B' }]);
  t.equal(w.moves.get('m1')!.step, 'RECEIVER', 'waits until the receiver says it listens');
  w.applyNotes([{ kind: 'opResult', result: { opId: 'm1/receive/0', progress: 'listening' } }]);
  plan = step(w);
  t.equal(w.moves.get('m1')!.step, 'PRECOPY');
  const precopy = nodeOps(plan)[0]!;
  t.match(precopy, { op: 'precopy', agentId: 'A' });
  t.same(nodeOps(step(w, T0 + 1000)), [], 'not asked again while it is fresh');
  t.same(nodeOps(step(w, T0 + 16_000)).map((o) => o.opId), [precopy.opId], 'asked again under the same id when quiet');
  reply(w, precopy.opId, true, { rounds: [{ bytesSent: 1000, filesChanged: 3, durationMs: 50 }] });
  plan = step(w, T0 + 17_000);
  t.equal(w.moves.get('m1')!.step, 'STOP_TASK');
  t.match(plan.mesos, [{ type: 'KILL', taskId: 'kv.0.t1' }]);
  t.equal(w.datasets.get('kv-data')!.agentId, 'A', 'still on the source');
  w.applyWrites([{ kind: 'deleteTask', taskId: 'kv.0.t1' }]);
  const final = nodeOps(step(w, T0 + 18_000))[0]!;
  t.match(final, { op: 'finalCopy', agentId: 'A' }, 'the final copy starts in the same instant the task is proven dead');
  reply(w, final.opId, true, { complete: true, bytesSent: 10, durationMs: 5 });
  step(w, T0 + 19_000);
  t.equal(w.moves.get('m1')!.step, 'LAUNCH');
  t.match(w.datasets.get('kv-data'), { agentId: 'B', state: 'READY' }, 'switched');
});

t.test('a failed pre-copy rolls back: the dataset stays on its source and the partial copy is removed', async (t) => {
  const w = withMove(move({ step: 'PRECOPY', port: 31000, receiveOpId: 'm1/receive/0' }), { tasks: [taskRecord()] });
  const plan = step(w);
  reply(w, nodeOps(plan)[0]!.opId, false);
  const rolling = step(w, T0 + 1);
  t.equal(w.moves.get('m1')!.step, 'ROLLBACK');
  const cleanup = nodeOps(rolling)[0]!;
  t.match(cleanup, { op: 'destroy', agentId: 'B' });
  reply(w, cleanup.opId);
  step(w, T0 + 3);
  t.match(w.moves.get('m1'), { state: 'ROLLED_BACK', error: /pre-copy failed: boom/ });
  t.match(w.datasets.get('kv-data'), { agentId: 'A', state: 'READY' });
});

t.test('a cancelled move goes back before its switch', async (t) => {
  const w = withMove(move({ step: 'STOP_TASK', cancelRequested: true }), { tasks: [taskRecord()] });
  const plan = step(w);
  t.equal(w.moves.get('m1')!.step, 'ROLLBACK');
  const cleanup = nodeOps(plan)[0]!;
  reply(w, cleanup.opId);
  step(w, T0 + 2);
  t.equal(w.moves.get('m1')!.state, 'CANCELLED');
  t.equal(w.datasets.get('kv-data')!.agentId, 'A');
});

t.test('a block volume is detached from its source before it is attached anywhere else', async (t) => {
  const w = withMove(move({ kind: 'block', backend: 'loopback', step: 'STOP_TASK', volumeId: 'vol-1', toHostPath: '/mnt/kv-data' }), {
    datasets: [datasetRecord({ backend: 'loopback', volumeId: 'vol-1' })],
  });
  const order: string[] = [];
  for (let i = 0; i < 20 && w.moves.get('m1')!.state === 'RUNNING'; i++) {
    const plan = step(w, T0 + i);
    for (const a of plan.mesos) {
      if (a.type === 'NODE_OP') {
        order.push(`${a.request.op}@${a.agentId}`);
        reply(w, a.opId);
      }
      if (a.type === 'BACKEND_OP') {
        order.push(`${a.request.call}@${'agent' in a.request ? a.request.agent.agentId : ''}`);
        reply(w, a.opId, true, { id: 'vol-1', state: 'available' });
      }
    }
    if (w.moves.get('m1')!.step === 'LAUNCH') break;
  }
  t.same(order, ['unmountLoopback@A', 'detach@A', 'attach@B', 'mountLoopback@B']);
  t.match(w.datasets.get('kv-data'), { agentId: 'B', hostPath: '/mnt/kv-data', state: 'READY' });
});

t.test('fencing a lost agent marks its task as no longer holding the data, then attaches elsewhere', async (t) => {
  const w = withMove(move({ kind: 'block', backend: 'ebs', step: 'FENCE', forced: true, volumeId: 'vol-1', trigger: 'agent-lost' }), {
    datasets: [datasetRecord({ backend: 'ebs', volumeId: 'vol-1' })],
    tasks: [taskRecord({ state: 'TASK_UNREACHABLE' })],
  });
  const plan = step(w);
  t.match(plan.mesos, [{ type: 'BACKEND_OP', request: { call: 'detach', force: true, volumeId: 'vol-1' } }]);
  t.same(w.liveTasksOfDataset('kv-data').map((x) => x.taskId), ['kv.0.t1'], 'held until the fence is done');
  reply(w, (plan.mesos[0] as { opId: string }).opId, true, { state: 'available' });
  step(w, T0 + 1);
  t.equal(w.moves.get('m1')!.step, 'ATTACH');
  t.same(w.liveTasksOfDataset('kv-data'), [], 'the fenced task holds nothing');
  t.equal(w.tasks.get('kv.0.t1')!.killRequested, true, 'and is killed if it ever shows up again');
});
