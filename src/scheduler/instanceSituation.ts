// Desired versus actual, per app instance: is it running, waiting for a
// reason it cannot change by itself, in relaunch backoff, or in need of a
// launch (and pinned to which agent)? This is where invariant 1 is enforced
// before any offer is looked at: an instance whose dataset still has a live
// task never gets a second one.

import { datasetNameFor } from '../apps/appSpec.js';
import type { TaskRecord } from '../state/model.js';
import { isActive, isLive } from './liveness.js';
import type { LaunchNeed } from './placement/launchNeed.js';
import { instanceKey, type AppEntry, type World } from './world.js';

export type InstanceSituation =
  | { kind: 'running'; task: TaskRecord }
  | { kind: 'blocked'; reason: string }
  | { kind: 'backoff'; notBefore: number; reason: string }
  | { kind: 'needsLaunch'; need: LaunchNeed };

export function instanceSituation(world: World, app: AppEntry, instance: number, now: number): InstanceSituation {
  const spec = app.spec;
  const tasks = world.tasksOfInstance(spec.id, instance);
  const active = tasks.filter((t) => isActive(t) && !t.killRequested && t.kind !== 'prepare');
  if (active.length > 0) return { kind: 'running', task: newest(active) };

  const claim = spec.dataset;
  const datasetName = claim === undefined ? undefined : datasetNameFor(claim, instance);
  const dataset = datasetName === undefined ? undefined : world.datasets.get(datasetName);

  if (datasetName !== undefined) {
    const holders = world.liveTasksOfDataset(datasetName);
    if (holders.length > 0) {
      const h = holders[0]!;
      if (h.kind === 'prepare') {
        return { kind: 'blocked', reason: `dataset ${datasetName} is being prepared on agent ${h.agentId} (task ${h.taskId})` };
      }
      const why = h.killRequested && isActive(h) ? 'is being killed' : `is ${h.state}`;
      return {
        kind: 'blocked',
        reason: `dataset ${datasetName} is still held by task ${h.taskId} on agent ${h.agentId}, which ${why}; a new task starts only once that one is proven dead or its data fenced`,
      };
    }
    if (dataset?.owner !== undefined && (dataset.owner.appId !== spec.id || dataset.owner.instance !== instance)) {
      return { kind: 'blocked', reason: `dataset ${datasetName} belongs to ${dataset.owner.appId} instance ${dataset.owner.instance}` };
    }
    const move = world.activeMoveOf(datasetName);
    if (move !== undefined && (move.trigger === 'placement' || !['LAUNCH', 'CLEANUP', 'DONE'].includes(move.step))) {
      const what = move.trigger === 'placement' ? `its volume is being prepared on agent ${move.to}` : `it is moving from ${move.from} to ${move.to}`;
      return { kind: 'blocked', reason: `dataset ${datasetName}: ${what} (move ${move.id}, step ${move.step})` };
    }
    if (dataset?.state === 'MOVING') return { kind: 'blocked', reason: `dataset ${datasetName} is being moved` };
    if (dataset?.state === 'DELETING') return { kind: 'blocked', reason: `dataset ${datasetName} is being deleted` };
    if (dataset?.state === 'PREPARING') return { kind: 'blocked', reason: `dataset ${datasetName} is being prepared on agent ${dataset.agentId}` };
    if (dataset?.state === 'UNAVAILABLE') {
      return { kind: 'blocked', reason: `dataset ${datasetName} is unavailable: ${dataset.reason ?? 'its data cannot be reached'}` };
    }
  }

  const backoff = world.backoffs.get(instanceKey(spec.id, instance));
  if (backoff !== undefined && backoff.notBefore > now) {
    const seconds = Math.ceil((backoff.notBefore - now) / 1000);
    return {
      kind: 'backoff',
      notBefore: backoff.notBefore,
      reason: `relaunch delayed ${seconds} s after ${backoff.failures} failure${backoff.failures === 1 ? '' : 's'}`,
    };
  }

  const need: LaunchNeed = { appId: spec.id, instance, spec, configVersion: app.record.configVersion };
  if (datasetName !== undefined) {
    need.datasetName = datasetName;
    if (dataset !== undefined) {
      need.dataset = dataset;
      if (dataset.agentId !== undefined) need.pinnedAgentId = dataset.agentId;
    }
  }
  return { kind: 'needsLaunch', need };
}

interface CachedSituations {
  entries: { key: string; situation: InstanceSituation }[];
  /** when one of them changes by itself (a relaunch delay runs out) */
  expiresAt: number;
  /** whether every instance runs (nothing to launch, nothing to report) */
  allRunning: boolean;
}

/**
 * Every instance the apps want, with its situation, in a stable order (app id,
 * instance). Situations are cached per app and worked out again only for apps
 * something was written about since (World.dirtyApps) or whose relaunch delay
 * ran out, so this stays cheap with thousands of apps.
 */
export function allSituations(world: World, now: number): { key: string; situation: InstanceSituation }[] {
  const out: { key: string; situation: InstanceSituation }[] = [];
  for (const id of world.appOrder()) {
    const cached = currentSituations(world, id, now);
    if (cached !== undefined) for (const e of cached.entries) out.push(e);
  }
  return out;
}

/**
 * The instances that do not run (they wait, or need a launch), in the same
 * order: what an offer round looks at. Only apps changed since (dirty) and
 * apps that had such instances last time (World.unsettledApps) are looked
 * at: with every app running, an offer round or a tick walks none of them.
 */
export function pendingSituations(world: World, now: number): { key: string; situation: InstanceSituation }[] {
  for (const id of [...world.dirtyApps]) currentSituations(world, id, now);
  const ids = [...world.unsettledApps].sort();
  const out: { key: string; situation: InstanceSituation }[] = [];
  for (const id of ids) {
    // a relaunch delay may have run out since: worked out again here
    const cached = currentSituations(world, id, now);
    if (cached === undefined || cached.allRunning) continue;
    for (const e of cached.entries) if (e.situation.kind !== 'running') out.push(e);
  }
  return out;
}

/** An app's situations, from the cache while it holds; undefined for an app that is gone. */
function currentSituations(world: World, id: string, now: number): CachedSituations | undefined {
  const cached = world.situations.get(id) as CachedSituations | undefined;
  if (cached !== undefined && cached.expiresAt > now && !world.dirtyApps.has(id)) return cached;
  world.dirtyApps.delete(id);
  const app = world.apps.get(id);
  if (app === undefined) {
    world.situations.delete(id);
    world.unsettledApps.delete(id);
    return undefined;
  }
  const entries: CachedSituations['entries'] = [];
  let expiresAt = Infinity;
  let allRunning = true;
  for (let i = 0; i < app.spec.instances; i++) {
    const situation = instanceSituation(world, app, i, now);
    if (situation.kind === 'backoff') expiresAt = Math.min(expiresAt, situation.notBefore);
    if (situation.kind !== 'running') allRunning = false;
    entries.push({ key: instanceKey(id, i), situation });
  }
  const fresh: CachedSituations = { entries, expiresAt, allRunning };
  world.situations.set(id, fresh);
  if (allRunning) world.unsettledApps.delete(id);
  else world.unsettledApps.add(id);
  return fresh;
}

/** Tasks of one app that no instance wants any more: of a deleted app, of instances scaled away, or older duplicates of an instance. */
export function surplusTasksOf(world: World, appId: string): { task: TaskRecord; why: string }[] {
  const out: { task: TaskRecord; why: string }[] = [];
  const app = world.apps.get(appId);
  const activeByInstance = new Map<number, TaskRecord[]>();
  for (const task of world.tasksOfApp(appId)) {
    if (!isLive(task) || task.kind === 'node') continue;
    if (app === undefined) {
      out.push({ task, why: `app ${task.appId} was deleted` });
      continue;
    }
    if (task.instance >= app.spec.instances) {
      out.push({ task, why: `${task.appId} was scaled to ${app.spec.instances}` });
      continue;
    }
    if (isActive(task) && !task.killRequested && task.kind !== 'prepare') {
      const list = activeByInstance.get(task.instance) ?? [];
      list.push(task);
      activeByInstance.set(task.instance, list);
    }
  }
  for (const tasks of activeByInstance.values()) {
    if (tasks.length < 2) continue;
    const keep = newest(tasks);
    for (const t of tasks) if (t !== keep) out.push({ task: t, why: `instance ${t.instance} of ${t.appId} has a newer task ${keep.taskId}` });
  }
  return out;
}

/** Surplus tasks of every app (see surplusTasksOf). */
export function surplusTasks(world: World): { task: TaskRecord; why: string }[] {
  const appIds = new Set<string>();
  for (const t of world.tasks.values()) if (t.kind !== 'node') appIds.add(t.appId);
  return [...appIds].flatMap((id) => surplusTasksOf(world, id));
}

function newest(tasks: TaskRecord[]): TaskRecord {
  return tasks.reduce((a, b) => (b.launchedAt > a.launchedAt ? b : a));
}
