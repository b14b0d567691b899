// The move orchestrator's decisions: for every running move, what its current
// step needs now, judged from the durable move record and the world (task
// states, dataset records, node executors, operation results). Level-triggered
// and idempotent, so a new leader resumes a move from its recorded step by
// simply evaluating it again. Invariants enforced here: a dataset's task is
// proven dead (or its volume fenced) before the data is copied for the last
// time or attached elsewhere, and a volume is detached before it is attached
// anywhere else. Pure: effects come back in the plan.

import { datasetPath, datasetRootOf, devicePathOn, mountRootOf } from '../backends/agentPaths.js';
import type { AgentRef } from '../backends/backend.js';
import type { DatasetRecord, TaskRecord } from '../state/model.js';
import { planKillTask } from '../scheduler/killDecisions.js';
import { isActive } from '../scheduler/liveness.js';
import { emptyPlan, mergePlans, type Plan } from '../scheduler/plan.js';
import type { SchedulerConfig } from '../scheduler/schedulerConfig.js';
import type { World } from '../scheduler/world.js';
import type { MoveRecord } from './moveModel.js';
import { advance, awaitOp, awaitOpOnce, finish, type MoveClock } from './moveSteps.js';

/** How many ports each node executor takes from its offer for copy receivers. */
export const NODE_PORTS = 4;
const MAX_PRECOPY_ROUNDS = 5;
const RECEIVER_IDLE_TIMEOUT_S = 900;

export interface MoveEnv {
  now: number;
  config: SchedulerConfig;
}

function clockOf(env: MoveEnv): MoveClock {
  return { now: env.now, opRetryMs: env.config.moveOpRetrySeconds * 1000 };
}

export function agentRef(world: World, agentId: string, hostname?: string): AgentRef {
  const a = world.agents.get(agentId);
  return { agentId, hostname: a?.hostname ?? hostname ?? '', attributes: a?.attributes ?? {} };
}

/** Where a dataset's data is seen on an agent: its directory (copy) or its mount point (block). */
export function hostPathOn(world: World, agentId: string, dataset: string, kind: 'copy' | 'block', config: SchedulerConfig): string {
  const agent = agentRef(world, agentId);
  return kind === 'copy' ? datasetPath(datasetRootOf(agent, config.defaultFerryRoot), dataset) : datasetPath(mountRootOf(agent, config.defaultMountRoot), dataset);
}

/** A node executor that can take operations: its task runs. */
export function nodeReady(world: World, agentId: string): boolean {
  return world.nodeTaskOn(agentId)?.state === 'TASK_RUNNING';
}

/** Agents whose node executors running moves need now (the offer round launches missing ones). */
export function agentsNeedingNodeExecutors(world: World): Set<string> {
  const out = new Set<string>();
  for (const m of world.moves.values()) {
    if (m.state !== 'RUNNING') continue;
    if (m.kind === 'copy') {
      if (['RECEIVER', 'PRECOPY', 'STOP_TASK', 'FINAL_COPY'].includes(m.step)) {
        out.add(m.from);
        out.add(m.to);
      }
      if (m.step === 'CLEANUP' || m.step === 'DESTROY') out.add(m.from);
      if (m.step === 'ROLLBACK') out.add(m.to);
    } else {
      if ((m.step === 'STOP_TASK' || m.step === 'UNMOUNT') && !m.forced && m.from !== '') out.add(m.from);
      // the destination's executor starts while the source is released, not after: MOUNT would wait for it with the app down
      if (['CREATE', 'STOP_TASK', 'FENCE', 'UNMOUNT', 'DETACH', 'ATTACH', 'MOUNT'].includes(m.step)) out.add(m.to);
      if (m.step === 'REMOUNT') out.add(m.from);
    }
  }
  return out;
}

export function planMoves(world: World, env: MoveEnv): Plan {
  const plans: Plan[] = [];
  for (const move of world.moves.values()) {
    if (move.state !== 'RUNNING') continue;
    const plan = emptyPlan();
    const next = stepMove(world, move, plan, env);
    if (next !== move) plan.writes.push({ kind: 'move', record: next });
    plans.push(plan);
  }
  return mergePlans(...plans);
}

function datasetOf(world: World, move: MoveRecord): DatasetRecord | undefined {
  return world.datasets.get(move.dataset);
}

function setDataset(plan: Plan, dataset: DatasetRecord, changes: Partial<DatasetRecord>, now: number): DatasetRecord {
  const record: DatasetRecord = { ...dataset, ...changes, updatedAt: new Date(now).toISOString() };
  if (!('reason' in changes)) delete record.reason;
  plan.writes.push({ kind: 'dataset', record });
  return record;
}

/** The dataset is placed nowhere again (a failed first placement). */
function unplace(plan: Plan, dataset: DatasetRecord, reason: string, now: number): void {
  const { agentId: _a, hostname: _h, hostPath: _p, ...rest } = dataset;
  plan.writes.push({ kind: 'dataset', record: { ...rest, state: 'NEW', reason, updatedAt: new Date(now).toISOString() } });
}

/** Whether the move can still go back to where it came from. */
function beforeSwitch(move: MoveRecord): boolean {
  return !['SWITCH', 'LAUNCH', 'CLEANUP', 'DONE'].includes(move.step);
}

function fail(move: MoveRecord, now: number, error: string): MoveRecord {
  if (move.trigger === 'destroy') return finish(move, 'FAILED', now, undefined, error);
  if (beforeSwitch(move) && move.step !== 'ROLLBACK') {
    return { ...advance(move, 'ROLLBACK', now, error, 'failed'), error };
  }
  return finish(move, 'FAILED', now, error, error);
}

function stepMove(world: World, move: MoveRecord, plan: Plan, env: MoveEnv): MoveRecord {
  const now = env.now;
  const dataset = datasetOf(world, move);
  if (dataset === undefined) return finish(move, 'FAILED', now, undefined, `dataset ${move.dataset} no longer exists`);

  if (move.cancelRequested && beforeSwitch(move) && move.step !== 'ROLLBACK') {
    return advance(move, 'ROLLBACK', now, 'cancelled by an operator', 'skipped');
  }
  if (move.deadline !== undefined && now > move.deadline && move.step !== 'ROLLBACK') {
    return fail(move, now, `step ${move.step} did not finish in time`);
  }
  switch (move.step) {
    case 'CREATE':
      return stepCreate(world, move, plan, env, dataset);
    case 'RECEIVER':
      return stepReceiver(world, move, plan, env);
    case 'PRECOPY':
      return stepPreCopy(world, move, plan, env);
    case 'STOP_TASK':
      return stepStopTask(world, move, plan, env, dataset);
    case 'FENCE':
      return stepFence(world, move, plan, env);
    case 'FINAL_COPY':
      return stepFinalCopy(world, move, plan, env);
    case 'UNMOUNT':
      return stepUnmount(world, move, plan, env);
    case 'DETACH':
      return stepDetach(world, move, plan, env);
    case 'ATTACH':
      return stepAttach(world, move, plan, env);
    case 'MOUNT':
      return stepMount(world, move, plan, env, 'to');
    case 'REMOUNT':
      return stepMount(world, move, plan, env, 'from');
    case 'DESTROY':
      return stepDestroy(world, move, plan, env);
    case 'SWITCH':
      return stepSwitch(world, move, plan, env, dataset);
    case 'LAUNCH':
      return stepLaunch(world, move, env);
    case 'CLEANUP':
      return stepCleanup(world, move, plan, env);
    case 'ROLLBACK':
      return stepRollback(world, move, plan, env, dataset);
    case 'DONE':
      return move;
    default: {
      const never: never = move.step;
      throw new Error(`unknown move step ${String(never)}`);
    }
  }
}

/** Waits for node executors; past their deadline the move rolls back. */
function needNodes(world: World, move: MoveRecord, env: MoveEnv, agents: string[]): MoveRecord | undefined {
  const missing = agents.filter((a) => !nodeReady(world, a));
  if (missing.length === 0) return undefined;
  if (move.deadline === undefined) return { ...move, deadline: env.now + env.config.nodeExecutorTimeoutSeconds * 1000 };
  return move;
}

// ---- block placement: a new volume --------------------------------------------------------

function stepCreate(world: World, move: MoveRecord, plan: Plan, env: MoveEnv, dataset: DatasetRecord): MoveRecord {
  const w = awaitOp(world, move, plan, clockOf(env), 'create', {
    backend: { call: 'create', backend: move.backend, spec: { dataset: dataset.name, sizeMiB: dataset.sizeMiB, ...(dataset.profile ? { profile: dataset.profile } : {}), ...(dataset.zone ? { zone: dataset.zone } : {}) } },
  });
  if (w.status === 'waiting') return w.move;
  if (w.status === 'failed') {
    unplace(plan, dataset, `creating its volume failed: ${w.message}`, env.now);
    return finish(w.move, 'FAILED', env.now, w.message, `creating the volume failed: ${w.message}`);
  }
  const volume = w.result as { id: string; zone?: string };
  setDataset(plan, dataset, { volumeId: volume.id, ...(volume.zone !== undefined ? { zone: volume.zone } : {}) }, env.now);
  return advance({ ...w.move, volumeId: volume.id }, 'ATTACH', env.now, `volume ${volume.id} created`);
}

// ---- copy moves ------------------------------------------------------------------------------

/** A port of the destination's node executor not used by another running copy into it. */
function freeReceiverPort(world: World, move: MoveRecord): number | undefined {
  const ports = world.nodeTaskOn(move.to)?.ports ?? [];
  const used = new Set<number>();
  for (const m of world.moves.values()) {
    if (m !== move && m.state === 'RUNNING' && m.to === move.to && m.port !== undefined) used.add(m.port);
  }
  return ports.find((p) => !used.has(p));
}

/**
 * Starts the receiver on the destination and waits until it says it listens
 * (framework messages can be lost, so the request is repeated under the same
 * id until the executor answers; it runs once).
 */
function stepReceiver(world: World, move: MoveRecord, plan: Plan, env: MoveEnv): MoveRecord {
  const waiting = needNodes(world, move, env, [move.from, move.to]);
  if (waiting !== undefined) return waiting;
  const port = move.port ?? freeReceiverPort(world, move);
  if (port === undefined) return move; // every receiver port of the destination is busy: wait for a copy to end
  const token = move.token!;
  // listen on the agent's own address, where the sender connects (agents sharing a host do not collide)
  const request = { op: 'receive' as const, dir: move.toHostPath, port, ...(move.toHostname ? { host: move.toHostname } : {}), token, idleTimeoutS: RECEIVER_IDLE_TIMEOUT_S };
  const opId = `${move.id}/receive/${move.attempt}`;
  const heard = world.opResults.get(opId);
  if (heard !== undefined) {
    if ('ok' in heard && !heard.ok) return fail(move, env.now, `the receiver on ${move.to} failed: ${heard.message}`);
    const detail = 'progress' in heard ? heard.progress : 'receiver ready';
    return advance({ ...move, port, receiveOpId: opId }, 'PRECOPY', env.now, `receiver on ${move.toHostname ?? move.to}:${port} (${detail})`);
  }
  const last = move.op?.opId === opId ? move.op : undefined;
  if (last !== undefined && env.now - last.heardAt < env.config.moveOpRetrySeconds * 1000) return move;
  plan.mesos.push({ type: 'NODE_OP', agentId: move.to, opId, request });
  return {
    ...move,
    port,
    receiveOpId: opId,
    op: { opId, target: 'node', agentId: move.to, request, sentAt: last?.sentAt ?? env.now, heardAt: env.now, attempts: (last?.attempts ?? 0) + 1 },
  };
}

/** The receive operation ends only after the final round; an early end means it failed. */
function receiverFailure(world: World, move: MoveRecord): string | undefined {
  if (move.receiveOpId === undefined) return undefined;
  const r = world.opResults.get(move.receiveOpId);
  if (r !== undefined && 'ok' in r && !r.ok) return `the receiver on ${move.to} failed: ${r.message}`;
  return undefined;
}

function copyTarget(move: MoveRecord) {
  return { dir: move.fromHostPath, host: move.toHostname ?? '', port: move.port!, token: move.token! };
}

function stepPreCopy(world: World, move: MoveRecord, plan: Plan, env: MoveEnv): MoveRecord {
  const broken = receiverFailure(world, move);
  if (broken !== undefined) return fail(move, env.now, broken);
  const holder = world.liveTasksOfDataset(move.dataset)[0];
  if (holder === undefined) return advance(move, 'STOP_TASK', env.now, 'no task runs on the dataset: nothing to pre-copy', 'skipped');
  const waiting = needNodes(world, move, env, [move.from]);
  if (waiting !== undefined) return waiting;
  const w = awaitOp(world, move, plan, clockOf(env), 'precopy', { node: { agentId: move.from, request: { op: 'precopy', ...copyTarget(move), maxRounds: MAX_PRECOPY_ROUNDS } } });
  if (w.status === 'waiting') return w.move;
  if (w.status === 'failed') return fail(w.move, env.now, `pre-copy failed: ${w.message}`);
  const result = w.result as { rounds?: { bytesSent?: number; filesChanged?: number; durationMs?: number }[] };
  const rounds = (result.rounds ?? []).map((r, i) => ({ round: i + 1, final: false, bytesSent: r.bytesSent ?? 0, filesChanged: r.filesChanged ?? 0, ms: r.durationMs ?? 0 }));
  const sent = rounds.reduce((n, r) => n + r.bytesSent, 0);
  return advance({ ...w.move, rounds }, 'STOP_TASK', env.now, `${rounds.length} pre-copy round${rounds.length === 1 ? '' : 's'}, ${mib(sent)} sent while the task ran`);
}

function stepFinalCopy(world: World, move: MoveRecord, plan: Plan, env: MoveEnv): MoveRecord {
  const broken = receiverFailure(world, move);
  if (broken !== undefined) return fail(move, env.now, broken);
  const waiting = needNodes(world, move, env, [move.from, move.to]);
  if (waiting !== undefined) return waiting;
  const w = awaitOp(world, move, plan, clockOf(env), 'final', { node: { agentId: move.from, request: { op: 'finalCopy', ...copyTarget(move) } } });
  if (w.status === 'waiting') return w.move;
  if (w.status === 'failed') return fail(w.move, env.now, `the final copy failed: ${w.message}`);
  const stats = w.result as { bytesSent?: number; filesChanged?: number; durationMs?: number; complete?: boolean };
  if (stats.complete !== true) return fail(w.move, env.now, 'the final copy did not verify the destination as complete');
  if (move.receiveOpId !== undefined) plan.notes.push({ kind: 'opConsumed', opId: move.receiveOpId });
  const round = { round: move.rounds.length + 1, final: true, bytesSent: stats.bytesSent ?? 0, filesChanged: stats.filesChanged ?? 0, ms: stats.durationMs ?? 0 };
  return advance({ ...w.move, rounds: [...move.rounds, round] }, 'SWITCH', env.now, `final delta ${mib(round.bytesSent)} in ${round.ms} ms, verified`);
}

function stepCleanup(world: World, move: MoveRecord, plan: Plan, env: MoveEnv): MoveRecord {
  if (!world.agents.has(move.from) && world.nodeTaskOn(move.from) === undefined) {
    return finish(move, 'SUCCEEDED', env.now, `the old copy on ${move.from} stays: the agent is not reachable`);
  }
  const waiting = needNodes(world, move, env, [move.from]);
  if (waiting !== undefined) return waiting.deadline !== undefined && env.now > waiting.deadline ? finish(move, 'SUCCEEDED', env.now, 'the old copy stays: no node executor') : waiting;
  const root = datasetRootOf(agentRef(world, move.from), env.config.defaultFerryRoot);
  const w = awaitOp(world, move, plan, clockOf(env), 'destroy', { node: { agentId: move.from, request: { op: 'destroy', root, dataset: move.dataset } } });
  if (w.status === 'waiting') return w.move;
  if (w.status === 'failed') return finish(w.move, 'SUCCEEDED', env.now, `removing the old copy failed: ${w.message}`);
  return finish(w.move, 'SUCCEEDED', env.now, `old copy removed from ${move.from}`);
}

// ---- shared: stop the task -----------------------------------------------------------------------

function stepStopTask(world: World, move: MoveRecord, plan: Plan, env: MoveEnv, dataset: DatasetRecord): MoveRecord {
  if (dataset.state !== 'MOVING') setDataset(plan, dataset, { state: 'MOVING' }, env.now);
  const holders = world.liveTasksOfDataset(move.dataset);
  if (holders.length > 0) {
    for (const t of holders) {
      if (!t.killRequested) plan.writes.push(...planKillTask(world, t.taskId, env.now).writes);
      const last = world.killsSent.get(t.taskId);
      if (last === undefined || env.now - last > env.config.killRetrySeconds * 1000) {
        plan.mesos.push({ type: 'KILL', taskId: t.taskId, agentId: t.agentId });
        plan.notes.push({ kind: 'killSent', taskId: t.taskId, at: env.now });
      }
    }
    const deadline = move.deadline ?? env.now + env.config.moveStopTimeoutSeconds * 1000;
    return { ...move, stoppedTaskId: move.stoppedTaskId ?? holders[0]!.taskId, deadline };
  }
  const next = move.kind === 'copy' ? 'FINAL_COPY' : 'UNMOUNT';
  return advance(move, next, env.now, move.stoppedTaskId ? `task ${move.stoppedTaskId} stopped` : 'no task was running');
}

// ---- block moves ----------------------------------------------------------------------------------

function stepUnmount(world: World, move: MoveRecord, plan: Plan, env: MoveEnv): MoveRecord {
  if (move.trigger === 'destroy' && world.nodeTaskOn(move.from) === undefined && !world.agents.has(move.from)) {
    return advance(move, 'DETACH', env.now, `agent ${move.from} is not known: nothing to unmount there`, 'skipped');
  }
  const waiting = needNodes(world, move, env, [move.from]);
  if (waiting !== undefined) return waiting;
  const w = awaitOp(world, move, plan, clockOf(env), 'unmount', { node: { agentId: move.from, request: unmountRequest(world, move, env, move.from) } });
  if (w.status === 'waiting') return w.move;
  if (w.status === 'failed') return fail(w.move, env.now, `unmounting on ${move.from} failed: ${w.message}`);
  return advance(w.move, 'DETACH', env.now, `unmounted on ${move.from}`);
}

function stepDetach(world: World, move: MoveRecord, plan: Plan, env: MoveEnv): MoveRecord {
  const w = awaitOp(world, move, plan, clockOf(env), 'detach', { backend: { call: 'detach', backend: move.backend, volumeId: move.volumeId!, agent: agentRef(world, move.from), force: false } });
  if (w.status === 'waiting') return w.move;
  if (w.status === 'failed') return fail(w.move, env.now, `detaching from ${move.from} failed: ${w.message}`);
  return advance(w.move, move.trigger === 'destroy' ? 'DESTROY' : 'ATTACH', env.now, `detached from ${move.from}`);
}

/** Removes the data for good (a local directory on its agent, or the backend volume) and then the dataset record. */
function stepDestroy(world: World, move: MoveRecord, plan: Plan, env: MoveEnv): MoveRecord {
  if (move.kind === 'copy') {
    const waiting = needNodes(world, move, env, [move.from]);
    if (waiting !== undefined) return waiting;
    const root = datasetRootOf(agentRef(world, move.from), env.config.defaultFerryRoot);
    const w = awaitOp(world, move, plan, clockOf(env), 'destroy', { node: { agentId: move.from, request: { op: 'destroy', root, dataset: move.dataset } } });
    if (w.status === 'waiting') return w.move;
    if (w.status === 'failed') return giveUpDestroy(world, w.move, plan, env, `removing its directory on ${move.from} failed: ${w.message}`);
    plan.writes.push({ kind: 'deleteDataset', name: move.dataset });
    return finish(w.move, 'SUCCEEDED', env.now, `directory ${move.fromHostPath} removed from ${move.from}`);
  }
  const w = awaitOp(world, move, plan, clockOf(env), 'destroy', { backend: { call: 'destroy', backend: move.backend, volumeId: move.volumeId! } });
  if (w.status === 'waiting') return w.move;
  if (w.status === 'failed') return giveUpDestroy(world, w.move, plan, env, `destroying volume ${move.volumeId} failed: ${w.message}`);
  plan.writes.push({ kind: 'deleteDataset', name: move.dataset });
  return finish(w.move, 'SUCCEEDED', env.now, `volume ${move.volumeId} destroyed`);
}

/** A destroy that cannot finish leaves the dataset as it was (its data may be partly gone) and says why. */
function giveUpDestroy(world: World, move: MoveRecord, plan: Plan, env: MoveEnv, error: string): MoveRecord {
  const dataset = datasetOf(world, move);
  if (dataset !== undefined) setDataset(plan, dataset, { state: 'UNAVAILABLE', unavailableCause: 'data-missing', reason: `deleting it failed: ${error}` }, env.now);
  return finish(move, 'FAILED', env.now, undefined, error);
}

function unmountRequest(world: World, move: MoveRecord, env: MoveEnv, agentId: string) {
  return move.backend === 'loopback'
    ? { op: 'unmountLoopback' as const, store: env.config.loopbackStore ?? '', volumeId: move.volumeId! }
    : { op: 'unmountEbs' as const, volumeId: move.volumeId!, device: devicePathOn(agentRef(world, agentId), move.fromDevice ?? move.device ?? '') };
}

/** The source is gone (or draining without a way to run there): release the volume by force, so nothing left there can write. */
function stepFence(world: World, move: MoveRecord, plan: Plan, env: MoveEnv): MoveRecord {
  const w = awaitOp(world, move, plan, clockOf(env), 'fence', { backend: { call: 'detach', backend: move.backend, volumeId: move.volumeId!, agent: agentRef(world, move.from), force: true } });
  if (w.status === 'waiting') return w.move;
  if (w.status === 'failed') return fail(w.move, env.now, `forcing the volume off ${move.from} failed: ${w.message}`);
  const state = (w.result as { state?: string }).state;
  if (state !== undefined && state !== 'available') {
    // a forced detach may still be completing; ask again until the volume reads available
    return { ...w.move, attempt: w.move.attempt + 1 };
  }
  for (const t of world.liveTasksOfDataset(move.dataset)) {
    plan.writes.push({ kind: 'task', record: { ...t, fenced: true, killRequested: true, updatedAt: new Date(env.now).toISOString() } });
  }
  return advance(w.move, 'ATTACH', env.now, `volume forcibly released from ${move.from} (fenced)`);
}

function stepAttach(world: World, move: MoveRecord, plan: Plan, env: MoveEnv): MoveRecord {
  const w = awaitOp(world, move, plan, clockOf(env), 'attach', { backend: { call: 'attach', backend: move.backend, volumeId: move.volumeId!, agent: agentRef(world, move.to) } });
  if (w.status === 'waiting') return w.move;
  if (w.status === 'failed') return fail(w.move, env.now, `attaching to ${move.to} failed: ${w.message}`);
  const device = (w.result as { device?: string }).device;
  return advance({ ...w.move, ...(device !== undefined ? { device } : {}) }, 'MOUNT', env.now, `attached to ${move.to}${device ? ` as ${device}` : ''}`);
}

/** Mounts the volume on the destination (MOUNT) or, rolling back, on the source (REMOUNT). */
function stepMount(world: World, move: MoveRecord, plan: Plan, env: MoveEnv, where: 'to' | 'from'): MoveRecord {
  const agentId = where === 'to' ? move.to : move.from;
  const mountPoint = where === 'to' ? move.toHostPath : move.fromHostPath;
  const waiting = needNodes(world, move, env, [agentId]);
  if (waiting !== undefined) return waiting;
  const volumeId = move.volumeId!;
  const request =
    move.backend === 'loopback'
      ? { op: 'mountLoopback' as const, store: env.config.loopbackStore ?? '', volumeId, agentId, mountPoint }
      : { op: 'mountEbs' as const, volumeId, device: devicePathOn(agentRef(world, agentId), where === 'to' ? (move.device ?? '') : (move.fromDevice ?? move.device ?? '')), mountPoint };
  const w = awaitOp(world, move, plan, clockOf(env), 'mount', { node: { agentId, request } });
  if (w.status === 'waiting') return w.move;
  if (where === 'from') {
    const dataset = datasetOf(world, move)!;
    if (w.status === 'failed') {
      setDataset(plan, dataset, { state: 'UNAVAILABLE', reason: `rolling back failed: mounting on ${agentId}: ${w.message}` }, env.now);
      return finish(w.move, 'FAILED', env.now, undefined, `rolling back failed: ${w.message}`);
    }
    setDataset(plan, dataset, { state: 'READY', agentId, hostPath: mountPoint }, env.now);
    return finish(w.move, move.cancelRequested ? 'CANCELLED' : 'ROLLED_BACK', env.now, 'volume back on its source', move.error);
  }
  if (w.status === 'failed') return fail(w.move, env.now, `mounting on ${agentId} failed: ${w.message}`);
  return advance(w.move, 'SWITCH', env.now, `mounted at ${mountPoint}`);
}

// ---- the switch, the launch, rolling back -----------------------------------------------------

function stepSwitch(world: World, move: MoveRecord, plan: Plan, env: MoveEnv, dataset: DatasetRecord): MoveRecord {
  const agent = agentRef(world, move.to, move.toHostname);
  setDataset(
    plan,
    dataset,
    { state: 'READY', agentId: move.to, hostname: agent.hostname, hostPath: move.toHostPath, ...(move.volumeId ? { volumeId: move.volumeId } : {}), ...(move.device ? { device: move.device } : {}) },
    env.now,
  );
  if (move.trigger === 'placement') return finish(move, 'SUCCEEDED', env.now, `dataset ready on ${move.to}`);
  const next = advance(move, 'LAUNCH', env.now, `dataset now lives on ${move.to}`);
  return { ...next, deadline: env.now + env.config.moveLaunchTimeoutSeconds * 1000 };
}

function serving(task: TaskRecord, world: World): boolean {
  const app = world.apps.get(task.appId);
  const checks = (app?.spec.healthChecks.length ?? 0) > 0;
  return task.state === 'TASK_RUNNING' && (!checks || task.status?.healthy === true);
}

function stepLaunch(world: World, move: MoveRecord, env: MoveEnv): MoveRecord {
  const app = move.appId === undefined ? undefined : world.apps.get(move.appId);
  const wanted = app !== undefined && move.instance !== undefined && move.instance < app.spec.instances;
  const next = move.kind === 'copy' ? 'CLEANUP' : 'DONE';
  if (!wanted) {
    return next === 'DONE' ? finish(move, 'SUCCEEDED', env.now, 'no app instance to launch') : advance(move, next, env.now, 'no app instance to launch', 'skipped');
  }
  const task = world.tasksOfInstance(move.appId!, move.instance!).find((t) => t.agentId === move.to && t.kind !== 'prepare' && isActive(t) && serving(t, world));
  if (task === undefined) return move;
  const launched = { ...move, launchedTaskId: task.taskId };
  const detail = `task ${task.taskId} running on ${move.to}`;
  return next === 'DONE' ? finish(launched, 'SUCCEEDED', env.now, detail) : advance(launched, next, env.now, detail);
}

function stepRollback(world: World, move: MoveRecord, plan: Plan, env: MoveEnv, dataset: DatasetRecord): MoveRecord {
  const outcome = move.cancelRequested ? 'CANCELLED' : 'ROLLED_BACK';
  if (move.kind === 'copy') {
    if (dataset.state === 'MOVING' || dataset.agentId !== move.from) {
      setDataset(plan, dataset, { state: 'READY', agentId: move.from, hostPath: move.fromHostPath }, env.now);
    }
    if (move.to === move.from || !nodeReady(world, move.to)) return finish(move, outcome, env.now, 'dataset back on its source', move.error);
    const root = datasetRootOf(agentRef(world, move.to), env.config.defaultFerryRoot);
    const w = awaitOp(world, move, plan, clockOf(env), 'destroy', { node: { agentId: move.to, request: { op: 'destroy', root, dataset: move.dataset } } });
    if (w.status === 'waiting') return w.move;
    return finish(w.move, outcome, env.now, w.status === 'done' ? 'partial copy removed; dataset back on its source' : `dataset back on its source; removing the partial copy failed: ${w.message}`, move.error);
  }
  if (move.trigger === 'placement') {
    unplace(plan, dataset, move.error ?? 'placement failed', env.now);
    return finish(move, outcome === 'ROLLED_BACK' ? 'FAILED' : outcome, env.now, undefined, move.error);
  }
  if (move.forced) {
    // the source is gone: there is nothing to go back to; the volume stays detached
    setDataset(plan, dataset, { state: 'UNAVAILABLE', reason: move.error ?? 'the move failed after the volume was fenced' }, env.now);
    return finish(move, outcome === 'ROLLED_BACK' ? 'FAILED' : outcome, env.now, undefined, move.error);
  }
  // a block move: release the volume from the destination if it got there, attach it to its source again, then REMOUNT
  const reachedDestination = move.steps.some((s) => s.step === 'ATTACH');
  if (reachedDestination && move.to !== move.from) {
    if (nodeReady(world, move.to)) {
      const u = awaitOpOnce(world, move, plan, clockOf(env), 'undo-mount', { node: { agentId: move.to, request: { ...unmountRequest(world, move, env, move.to), ...(move.backend === 'ebs' ? { device: devicePathOn(agentRef(world, move.to), move.device ?? '') } : {}) } } });
      if (u.status === 'waiting') return u.move;
      move = u.status === 'done' ? u.move : { ...u.move, completedOps: [...(u.move.completedOps ?? []), 'undo-mount'] };
    }
    const d = awaitOpOnce(world, move, plan, clockOf(env), 'undo-attach', { backend: { call: 'detach', backend: move.backend, volumeId: move.volumeId!, agent: agentRef(world, move.to), force: !nodeReady(world, move.to) } });
    if (d.status === 'waiting') return d.move;
    if (d.status === 'failed') {
      setDataset(plan, dataset, { state: 'UNAVAILABLE', reason: `rolling back failed: detaching from ${move.to}: ${d.message}` }, env.now);
      return finish(d.move, 'FAILED', env.now, undefined, `rolling back failed: ${d.message}`);
    }
    move = d.move;
  }
  const w = awaitOpOnce(world, move, plan, clockOf(env), 'reattach', { backend: { call: 'attach', backend: move.backend, volumeId: move.volumeId!, agent: agentRef(world, move.from) } });
  if (w.status === 'waiting') return w.move;
  if (w.status === 'failed') {
    setDataset(plan, dataset, { state: 'UNAVAILABLE', reason: `rolling back failed: ${w.message}` }, env.now);
    return finish(w.move, 'FAILED', env.now, undefined, `rolling back failed: ${w.message}`);
  }
  const device = (w.result as { device?: string } | undefined)?.device;
  return advance({ ...w.move, ...(device !== undefined ? { fromDevice: device } : {}) }, 'REMOUNT', env.now, `attached to ${move.from} again`);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
