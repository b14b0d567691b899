// How apps, tasks and datasets look in the API, computed from a World (the
// leader's live one, or one a standby builds from the store). Read-only: a
// view never changes what it shows.

import { datasetNameFor } from '../apps/appSpec.js';
import type { DatasetRecord, TaskRecord } from '../state/model.js';
import type { AgentView, DatasetView, PendingView, TaskView } from './apiSchemas.js';
import { allSituations, instanceSituation } from '../scheduler/instanceSituation.js';
import { isLive } from '../scheduler/liveness.js';
import { instanceKey, type AgentView as KnownAgent, type AppEntry, type World } from '../scheduler/world.js';

export function taskView(t: TaskRecord): TaskView {
  const v: TaskView = {
    id: t.taskId,
    appId: t.appId,
    instance: t.instance,
    agentId: t.agentId,
    state: t.state,
    killRequested: t.killRequested === true,
    launchedAt: t.launchedAt,
    updatedAt: t.updatedAt,
  };
  if (t.kind !== undefined && t.kind !== 'app') v.kind = t.kind;
  if (t.hostname !== undefined) v.hostname = t.hostname;
  if (t.dataVia !== undefined) v.dataVia = t.dataVia;
  if (t.datasetName !== undefined) v.dataset = t.datasetName;
  if (t.status?.healthy !== undefined) v.healthy = t.status.healthy;
  if (t.status?.message !== undefined) v.message = t.status.message;
  return v;
}

export function datasetView(world: World, d: DatasetRecord): DatasetView {
  const holder = world.liveTasksOfDataset(d.name)[0];
  const v: DatasetView = {
    name: d.name,
    sizeMiB: d.sizeMiB,
    backend: d.backend,
    state: d.state,
    inUse: holder !== undefined || (d.owner !== undefined && world.apps.has(d.owner.appId)),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
  if (d.profile !== undefined) v.profile = d.profile;
  if (d.agentId !== undefined) v.agentId = d.agentId;
  if (d.hostname !== undefined) v.hostname = d.hostname;
  if (d.hostPath !== undefined) v.hostPath = d.hostPath;
  if (d.zone !== undefined) v.zone = d.zone;
  if (d.preferredAgent !== undefined) v.preferredAgent = d.preferredAgent;
  if (d.owner !== undefined) v.owner = d.owner;
  if (holder !== undefined) v.taskId = holder.taskId;
  if (d.reason !== undefined) v.reason = d.reason;
  if (d.metadata !== undefined) v.metadata = d.metadata;
  return v;
}

export function appDefinitionView(app: AppEntry): Record<string, unknown> {
  return { ...app.record.definition, version: app.record.version };
}

export function appSummaryView(world: World, app: AppEntry): Record<string, unknown> {
  const tasks = world.tasksOfApp(app.spec.id).filter(isLive);
  return {
    ...appDefinitionView(app),
    tasksRunning: tasks.filter((t) => t.state === 'TASK_RUNNING').length,
    tasksStaged: tasks.filter((t) => t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING').length,
    tasksHealthy: tasks.filter((t) => t.status?.healthy === true).length,
    tasksUnhealthy: tasks.filter((t) => t.status?.healthy === false).length,
  };
}

/**
 * Why each instance without a running task waits. The leader knows the
 * reasons its last offer round gave; a standby only what the records say.
 */
export function pendingView(world: World, app: AppEntry, now: number, leaderKnowsMore: string | undefined): PendingView[] {
  const out: PendingView[] = [];
  for (let i = 0; i < app.spec.instances; i++) {
    const s = instanceSituation(world, app, i, now);
    if (s.kind === 'running') continue;
    if (s.kind !== 'needsLaunch') {
      out.push({ instance: i, reason: s.reason });
      continue;
    }
    const known = world.pending.get(instanceKey(app.spec.id, i));
    out.push({ instance: i, reason: known ?? leaderKnowsMore ?? 'waiting for offers' });
  }
  return out;
}

export function appDetailView(world: World, app: AppEntry, now: number, leaderKnowsMore?: string): Record<string, unknown> {
  const tasks = world.tasksOfApp(app.spec.id).sort((a, b) => a.instance - b.instance || a.launchedAt.localeCompare(b.launchedAt));
  const datasets: DatasetView[] = [];
  if (app.spec.dataset !== undefined) {
    for (let i = 0; i < app.spec.instances; i++) {
      const d = world.datasets.get(datasetNameFor(app.spec.dataset, i));
      if (d !== undefined) datasets.push(datasetView(world, d));
    }
  }
  return {
    app: appDefinitionView(app),
    tasks: tasks.map(taskView),
    datasets,
    pending: pendingView(world, app, now, leaderKnowsMore),
  };
}

/** Counts for /v1/apps summaries and metrics: instances wanted, running, waiting. */
export function instanceCounts(world: World, now: number): { wanted: number; running: number; waiting: number } {
  let running = 0;
  let waiting = 0;
  for (const { situation } of allSituations(world, now)) {
    if (situation.kind === 'running') running++;
    else waiting++;
  }
  return { wanted: running + waiting, running, waiting };
}

/**
 * Every agent the leader knows: from offers, and those that datasets or live
 * tasks name even if no offer came from them since it took office (an agent
 * that died still holds its datasets).
 */
export function agentViews(world: World): AgentView[] {
  const byId = new Map<string, AgentView>();
  const entry = (id: string, hostname: string | undefined): AgentView => {
    let v = byId.get(id);
    if (v === undefined) {
      const known: KnownAgent | undefined = world.agents.get(id);
      v = { id, hostname: known?.hostname ?? hostname ?? '', attributes: known?.attributes ?? {}, datasets: [], tasks: 0, lastOfferAt: null };
      if (known !== undefined) {
        if (known.lastOfferAt !== undefined) v.lastOfferAt = new Date(known.lastOfferAt).toISOString();
        if (known.unavailableFrom !== undefined) v.unavailableFrom = new Date(known.unavailableFrom).toISOString();
        if (known.draining === true) v.draining = true;
        if (known.dataVia !== undefined) v.dataVia = known.dataVia;
      }
      byId.set(id, v);
    }
    return v;
  };
  for (const agent of world.agents.values()) entry(agent.id, agent.hostname);
  for (const d of world.datasets.values()) if (d.agentId !== undefined) entry(d.agentId, d.hostname).datasets.push(d.name);
  for (const t of world.tasks.values()) {
    if (!isLive(t)) continue;
    const v = entry(t.agentId, t.hostname);
    if (t.kind === undefined || t.kind === 'app') v.tasks++;
  }
  for (const v of byId.values()) v.datasets.sort();
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}
