// Which tasks to kill now: those no instance wants (deleted apps, scaled-away
// instances, older duplicates); tasks of an older app configuration, replaced
// a few at a time as the app's upgrade strategy allows (a dataset admits no
// second task, so replacing means kill, then relaunch in place); and kills not
// yet answered by a terminal update, sent again after a while (Mesos may drop
// a kill, e.g. for an agent out of reach). Every kill is marked killRequested
// durably before the first KILL, so a new leader keeps killing.

import type { TaskRecord } from '../state/model.js';
import { surplusTasksOf } from './instanceSituation.js';
import { isActive, isLive } from './liveness.js';
import { emptyPlan, type Plan } from './plan.js';
import type { SchedulerConfig } from './schedulerConfig.js';
import type { World } from './world.js';

/**
 * The kills due now. Only apps changed since the last call are examined
 * (World.killDirty, consumed here), plus the kills already under way, so a
 * tick costs little with thousands of apps.
 */
export function planKills(world: World, now: number, config: SchedulerConfig): Plan {
  const plan = emptyPlan();
  const stamp = new Date(now).toISOString();
  const retryMs = config.killRetrySeconds * 1000;
  const apps = [...world.killDirty];
  world.killDirty.clear();
  const toKill = apps.flatMap((id) => [...surplusTasksOf(world, id).map((s) => s.task), ...staleTasksOf(world, id)]);
  const marked = new Set<string>();
  for (const task of toKill) {
    if (task.killRequested || marked.has(task.taskId)) continue;
    marked.add(task.taskId);
    plan.writes.push({ kind: 'task', record: { ...task, killRequested: true, updatedAt: stamp } });
    plan.mesos.push({ type: 'KILL', taskId: task.taskId, agentId: task.agentId });
    plan.notes.push({ kind: 'killSent', taskId: task.taskId, at: now });
  }
  for (const taskId of world.killing) {
    const task = world.tasks.get(taskId);
    if (task === undefined || !task.killRequested || !isLive(task)) continue;
    const last = world.killsSent.get(task.taskId);
    if (last !== undefined && now - last < retryMs) continue;
    plan.mesos.push({ type: 'KILL', taskId: task.taskId, agentId: task.agentId });
    plan.notes.push({ kind: 'killSent', taskId: task.taskId, at: now });
  }
  return plan;
}

/** Marks one task for killing (restart, move) and kills it. */
export function planKillTask(world: World, taskId: string, now: number): Plan {
  const plan = emptyPlan();
  const task = world.tasks.get(taskId);
  if (task === undefined || !isLive(task)) return plan;
  if (!task.killRequested) {
    plan.writes.push({ kind: 'task', record: { ...task, killRequested: true, updatedAt: new Date(now).toISOString() } });
  }
  plan.mesos.push({ type: 'KILL', taskId, agentId: task.agentId });
  plan.notes.push({ kind: 'killSent', taskId, at: now });
  return plan;
}

/** A task that serves its instance: running, and healthy when the app checks health. */
function serving(task: TaskRecord, checksHealth: boolean): boolean {
  return task.state === 'TASK_RUNNING' && !task.killRequested && (!checksHealth || task.status?.healthy === true);
}

/**
 * Tasks launched with an older configuration, as many as the upgrade strategy
 * lets go at once: at least one, at most instances × (1 − minimumHealthCapacity),
 * minus the instances already not serving.
 */
export function staleTasksToReplace(world: World): TaskRecord[] {
  return [...world.apps.keys()].flatMap((id) => staleTasksOf(world, id));
}

/** The stale tasks of one app that may be replaced now (see staleTasksToReplace). */
export function staleTasksOf(world: World, appId: string): TaskRecord[] {
  const out: TaskRecord[] = [];
  const app = world.apps.get(appId);
  if (app !== undefined) {
    const { spec, record } = app;
    const checksHealth = spec.healthChecks.length > 0;
    const stale: TaskRecord[] = [];
    let servingInstances = 0;
    for (let i = 0; i < spec.instances; i++) {
      const tasks = world.tasksOfInstance(spec.id, i).filter((t) => isActive(t) && t.kind !== 'prepare');
      if (tasks.some((t) => serving(t, checksHealth))) servingInstances++;
      for (const t of tasks) if (!t.killRequested && t.configVersion !== record.configVersion) stale.push(t);
    }
    const budget = Math.max(1, Math.floor(spec.instances * (1 - spec.upgradeStrategy.minimumHealthCapacity) + 1e-9));
    const allowed = budget - (spec.instances - servingInstances);
    if (stale.length > 0 && allowed > 0) {
      const order = spec.killSelection === 'OLDEST_FIRST' ? 1 : -1;
      stale.sort((a, b) => order * a.launchedAt.localeCompare(b.launchedAt));
      out.push(...stale.slice(0, allowed));
    }
  }
  return out;
}
