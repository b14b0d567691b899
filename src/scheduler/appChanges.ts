// What an operator's change to an app means for durable state: the app
// record, the dataset records its instances claim (created NEW, or adopted
// when they were kept from before), and which tasks must be killed. Conflicts
// (an id taken, a dataset owned by another app, a dataset whose backend
// differs) come back as errors naming the field; nothing is written then.

import { datasetNameFor, type AppSpec } from '../apps/appSpec.js';
import type { AppRecord, DatasetRecord } from '../state/model.js';
import { planKillTask } from './killDecisions.js';
import { isLive } from './liveness.js';
import { emptyPlan, mergePlans, type Plan } from './plan.js';
import type { World } from './world.js';

export interface ChangeError {
  status: 404 | 409 | 422;
  field?: string;
  message: string;
}

export type ChangeResult = { ok: true; plan: Plan; record: AppRecord } | { ok: false; error: ChangeError };

function datasetPlan(world: World, spec: AppSpec, now: string): { writes: Plan['writes']; error?: ChangeError } {
  const writes: Plan['writes'] = [];
  const claim = spec.dataset;
  if (claim === undefined) return { writes };
  for (let i = 0; i < spec.instances; i++) {
    const name = datasetNameFor(claim, i);
    const existing = world.datasets.get(name);
    if (existing === undefined) {
      const record: DatasetRecord = {
        name,
        sizeMiB: claim.sizeMiB,
        backend: claim.backend,
        ...(claim.profile !== undefined ? { profile: claim.profile } : {}),
        state: 'NEW',
        owner: { appId: spec.id, instance: i },
        createdAt: now,
        updatedAt: now,
      };
      writes.push({ kind: 'dataset', record });
      continue;
    }
    if (existing.owner !== undefined && (existing.owner.appId !== spec.id || existing.owner.instance !== i)) {
      return {
        writes,
        error: {
          status: 409,
          field: 'container.volumes',
          message: `dataset ${name} is used by ${existing.owner.appId} instance ${existing.owner.instance}`,
        },
      };
    }
    if (existing.backend !== claim.backend) {
      return {
        writes,
        error: {
          status: 409,
          field: 'container.volumes',
          message: `dataset ${name} exists with backend ${existing.backend}, the app asks for ${claim.backend}`,
        },
      };
    }
    if (existing.owner === undefined) {
      writes.push({ kind: 'dataset', record: { ...existing, owner: { appId: spec.id, instance: i }, updatedAt: now } });
    }
  }
  return { writes };
}

export function planCreateApp(world: World, spec: AppSpec, definition: Record<string, unknown>, now: number, version: string): ChangeResult {
  if (world.apps.has(spec.id)) return { ok: false, error: { status: 409, field: 'id', message: `app ${spec.id} already exists` } };
  const stamp = new Date(now).toISOString();
  const datasets = datasetPlan(world, spec, stamp);
  if (datasets.error) return { ok: false, error: datasets.error };
  const record: AppRecord = { id: spec.id, definition, version, configVersion: version, createdAt: stamp };
  const plan = emptyPlan();
  plan.writes.push(...datasets.writes, { kind: 'app', record });
  return { ok: true, plan, record };
}

/** Fields whose change leaves running tasks as they are (only the instance count moves). */
function onlyScaled(before: AppSpec, after: AppSpec): boolean {
  return JSON.stringify({ ...before, instances: 0 }) === JSON.stringify({ ...after, instances: 0 });
}

export function planUpdateApp(world: World, spec: AppSpec, definition: Record<string, unknown>, now: number, version: string): ChangeResult {
  const current = world.apps.get(spec.id);
  if (current === undefined) return { ok: false, error: { status: 404, message: `app ${spec.id} does not exist` } };
  const before = current.spec.dataset;
  const after = spec.dataset;
  if (JSON.stringify(before && { n: before.name, b: before.backend, s: before.source }) !== JSON.stringify(after && { n: after.name, b: after.backend, s: after.source })) {
    return {
      ok: false,
      error: {
        status: 422,
        field: 'container.volumes',
        message: 'an app cannot switch to another dataset or backend; create a new app, or move the dataset',
      },
    };
  }
  const stamp = new Date(now).toISOString();
  const datasets = datasetPlan(world, spec, stamp);
  if (datasets.error) return { ok: false, error: datasets.error };
  // anything but a scale makes the running tasks stale: the kill decisions replace them, a few at a time
  const configVersion = onlyScaled(current.spec, spec) ? current.record.configVersion : version;
  const record: AppRecord = { ...current.record, definition, version, configVersion };
  const plan = emptyPlan();
  plan.writes.push(...datasets.writes, { kind: 'app', record });
  return { ok: true, plan, record };
}

/** A restart makes every task stale; they are replaced as the app's upgrade strategy allows. */
export function planRestartApp(world: World, appId: string, now: number): Plan | ChangeError {
  const app = world.apps.get(appId);
  if (app === undefined) return { status: 404, message: `app ${appId} does not exist` };
  const plan = emptyPlan();
  const version = new Date(now).toISOString();
  plan.writes.push({ kind: 'app', record: { ...app.record, version, configVersion: version } });
  return plan;
}

/** Deleting an app kills its tasks (by the kill decisions, since no app wants them) and releases its datasets, which are kept. */
export function planDeleteApp(world: World, appId: string, now: number): Plan | ChangeError {
  const app = world.apps.get(appId);
  if (app === undefined) return { status: 404, message: `app ${appId} does not exist` };
  const stamp = new Date(now).toISOString();
  const plan = emptyPlan();
  plan.writes.push({ kind: 'deleteApp', id: appId });
  for (const dataset of world.datasets.values()) {
    if (dataset.owner?.appId !== appId) continue;
    const { owner: _released, ...rest } = dataset;
    plan.writes.push({ kind: 'dataset', record: { ...rest, updatedAt: stamp } });
  }
  const kills = world.tasksOfApp(appId).filter(isLive).map((t) => planKillTask(world, t.taskId, now));
  return mergePlans(plan, ...kills);
}
