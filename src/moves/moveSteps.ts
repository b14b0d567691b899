// Small pure helpers every move step uses: record the timeline (a step ends,
// the next starts), and wait for an operation — issue it once, ask again with
// the same id when it goes quiet, and hand back its result when it comes. The
// steps themselves live in moveMachine.ts.

import type { NodeOp } from '../node/executor/nodeOps.js';
import type { BackendCall, Plan } from '../scheduler/plan.js';
import type { OpResult, World } from '../scheduler/world.js';
import type { MoveRecord, MoveState, MoveStep, PendingOp } from './moveModel.js';

export interface MoveClock {
  now: number;
  /** an operation quiet for this long is asked for again */
  opRetryMs: number;
}

function stamp(now: number): string {
  return new Date(now).toISOString();
}

/** Ends the current step (ok, with what happened) and starts the next. */
export function advance(move: MoveRecord, next: MoveStep, now: number, detail?: string, outcome: 'ok' | 'failed' | 'skipped' = 'ok'): MoveRecord {
  const steps = move.steps.map((s, i) => (i === move.steps.length - 1 && s.endedAt === undefined ? { ...s, endedAt: stamp(now), outcome, ...(detail !== undefined ? { detail } : {}) } : s));
  steps.push({ step: next, startedAt: stamp(now) });
  const { op: _done, deadline: _deadline, completedOps: _ops, ...rest } = move;
  return { ...rest, step: next, steps, updatedAt: stamp(now) };
}

/** Ends the move in a final state. */
export function finish(move: MoveRecord, state: Exclude<MoveState, 'RUNNING'>, now: number, detail?: string, error?: string): MoveRecord {
  const ended = advance(move, 'DONE', now, detail, state === 'SUCCEEDED' ? 'ok' : state === 'CANCELLED' ? 'skipped' : 'failed');
  const last = ended.steps[ended.steps.length - 1]!;
  last.endedAt = last.startedAt;
  return { ...ended, state, endedAt: stamp(now), ...(error !== undefined ? { error } : {}) };
}

export type OpWait =
  | { status: 'waiting'; move: MoveRecord }
  | { status: 'done'; move: MoveRecord; result: unknown }
  | { status: 'failed'; move: MoveRecord; code: string; message: string };

function opIdOf(move: MoveRecord, name: string): string {
  return `${move.id}/${move.step}/${name}/${move.attempt}`;
}

/**
 * Waits for one operation of the current step: the first call issues it (the
 * plan gets the effect and the updated move), later calls return its result
 * once the world has it, and re-send it (same id, so it runs once) when it has
 * been quiet too long.
 */
export function awaitOp(
  world: World,
  move: MoveRecord,
  plan: Plan,
  clock: MoveClock,
  name: string,
  target: { node: { agentId: string; request: NodeOp } } | { backend: BackendCall },
): OpWait {
  const opId = opIdOf(move, name);
  const known: OpResult | undefined = world.opResults.get(opId);
  if (known !== undefined && 'ok' in known) {
    plan.notes.push({ kind: 'opConsumed', opId });
    const { op: _done, ...rest } = move;
    if (known.ok) return { status: 'done', move: rest, result: known.result };
    return { status: 'failed', move: rest, code: known.code, message: known.message };
  }
  const current = move.op?.opId === opId ? move.op : undefined;
  const heardAt = Math.max(current?.heardAt ?? 0, known !== undefined ? clock.now : 0);
  if (current !== undefined && clock.now - heardAt < clock.opRetryMs) {
    if (known !== undefined) {
      plan.notes.push({ kind: 'opConsumed', opId });
      return { status: 'waiting', move: { ...move, op: { ...current, heardAt } } };
    }
    return { status: 'waiting', move };
  }
  const op: PendingOp =
    'node' in target
      ? { opId, target: 'node', agentId: target.node.agentId, request: target.node.request, sentAt: current?.sentAt ?? clock.now, heardAt: clock.now, attempts: (current?.attempts ?? 0) + 1 }
      : { opId, target: 'backend', request: target.backend as unknown as Record<string, unknown>, sentAt: current?.sentAt ?? clock.now, heardAt: clock.now, attempts: (current?.attempts ?? 0) + 1 };
  if ('node' in target) plan.mesos.push({ type: 'NODE_OP', agentId: target.node.agentId, opId, request: target.node.request });
  else plan.mesos.push({ type: 'BACKEND_OP', opId, request: target.backend });
  return { status: 'waiting', move: { ...move, op } };
}

/** Sends a long-running node operation once (and again if it is asked for again), without waiting for it. */
export function launchOp(move: MoveRecord, plan: Plan, name: string, agentId: string, request: NodeOp): { move: MoveRecord; opId: string } {
  const opId = opIdOf(move, name);
  plan.mesos.push({ type: 'NODE_OP', agentId, opId, request });
  return { move, opId };
}

/** Like awaitOp, for a step that runs several operations in order: one already done is skipped. */
export function awaitOpOnce(
  world: World,
  move: MoveRecord,
  plan: Plan,
  clock: MoveClock,
  name: string,
  target: Parameters<typeof awaitOp>[5],
): OpWait {
  if (move.completedOps?.includes(name)) return { status: 'done', move, result: undefined };
  const w = awaitOp(world, move, plan, clock, name, target);
  if (w.status === 'done') return { ...w, move: { ...w.move, completedOps: [...(w.move.completedOps ?? []), name] } };
  return w;
}
