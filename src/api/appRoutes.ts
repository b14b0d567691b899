// /v1/apps: Marathon app definitions in, apps with their tasks, datasets and
// pending reasons out. Validation is the app-definition parser's; decisions
// are the scheduler's; this file maps requests to them and errors to statuses.

import Router from '@koa/router';
import type { Context } from 'koa';
import { appIdFromUrlPath } from '../apps/appId.js';
import { parseAppDefinition } from '../apps/appDefinition.js';
import type { AppSpec } from '../apps/appSpec.js';
import { planCreateApp, planDeleteApp, planRestartApp, planUpdateApp, type ChangeError, type ChangeResult } from '../scheduler/appChanges.js';
import { emptyPlan } from '../scheduler/plan.js';
import type { World } from '../scheduler/world.js';
import { ApiError } from './apiError.js';
import type { ApiContext } from './apiContext.js';
import { appDeleteQuery, moveBody, noQuery, scaleBody } from './apiSchemas.js';
import { holdsData } from './datasetRoutes.js';
import { readJsonBody } from './jsonBody.js';
import { forwardToLeader } from './leaderForwarding.js';
import { datasetOfInstance, startMove } from './moveRoutes.js';
import { parseBody, parseQuery } from './requestValidation.js';
import { appDetailView, appSummaryView } from './views.js';

/** Marathon-style version: the ISO time of the change. */
function newVersion(now: number): string {
  return new Date(now).toISOString();
}

function parseOrThrow(body: unknown, idFromUrl?: string): { spec: AppSpec; definition: Record<string, unknown> } {
  const parsed = parseAppDefinition(body, idFromUrl === undefined ? {} : { idFromUrl });
  if (!parsed.ok) {
    const first = parsed.errors[0]!;
    const more = parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more: ${parsed.errors.slice(1).map((e) => `${e.field}: ${e.message}`).join('; ')})` : '';
    throw new ApiError(422, first.message + more, first.field);
  }
  return parsed;
}

function changeFailed(error: ChangeError): never {
  throw new ApiError(error.status, error.message, error.field);
}

function appUrl(ctx: Context): { appId: string; action?: 'move' | 'restart' | 'scale' } {
  const rest = ctx.path.replace(/^\/v1\/apps\/?/, '');
  const segments = rest.split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new ApiError(400, `"${s}" is not a valid URL segment`, 'id');
    }
  });
  const parsed = appIdFromUrlPath(segments);
  if (!parsed.ok) throw new ApiError(400, parsed.error.message, parsed.error.field);
  return parsed.action === undefined ? { appId: parsed.appId } : { appId: parsed.appId, action: parsed.action };
}

/** Answers with the app's detail and its version as the ETag (what If-Match takes). */
async function answerDetail(ctx: Context, api: ApiContext, appId: string): Promise<void> {
  const { world, live } = await api.view();
  const app = world.apps.get(appId);
  if (app === undefined) throw new ApiError(404, `app ${appId} does not exist`, 'id');
  ctx.set('ETag', `"${app.record.version}"`);
  ctx.body = appDetailView(world, app, api.clock(), live ? undefined : 'waiting for the leader to place it');
}

/** Refuses (412) a change whose If-Match names another version than the app's current one; no If-Match, no check. */
export function checkIfMatch(ctx: Context, world: World, appId: string): void {
  const wanted = ctx.get('If-Match');
  if (wanted === '') return;
  const current = world.apps.get(appId)?.record.version;
  const versions = wanted.split(',').map((v) => v.trim().replace(/^W\//, '').replace(/^"|"$/g, ''));
  if (current === undefined || !versions.includes(current)) {
    throw new ApiError(412, `app ${appId} is at version ${current ?? '(none)'}, not ${wanted}; read it again and retry`, 'If-Match');
  }
}

export function appRoutes(api: ApiContext): Router {
  const router = new Router();

  router.get('/v1/apps', async (ctx) => {
    parseQuery(noQuery, ctx);
    const { world } = await api.view();
    const apps = [...world.apps.values()].sort((a, b) => a.spec.id.localeCompare(b.spec.id)).map((a) => appSummaryView(world, a));
    ctx.body = { apps };
  });

  router.post('/v1/apps', async (ctx) => {
    parseQuery(noQuery, ctx);
    const body = await readJsonBody(ctx);
    if (api.service.view === undefined) return forwardToLeader(ctx, api, body);
    const { spec, definition } = parseOrThrow(body);
    const result = await api.service.command<ChangeResult>((world, now) => {
      const r = planCreateApp(world, spec, definition, now, newVersion(now));
      return { plan: r.ok ? r.plan : { writes: [], mesos: [], notes: [] }, result: r };
    });
    if (!result.ok) changeFailed(result.error);
    ctx.status = 201;
    ctx.set('Location', `/v1/apps${spec.id}`);
    await answerDetail(ctx, api, spec.id);
  });

  router.get(/^\/v1\/apps\/.+/, async (ctx) => {
    const { appId, action } = appUrl(ctx);
    if (action !== undefined) throw new ApiError(405, `use POST for /${action}`);
    parseQuery(noQuery, ctx);
    await answerDetail(ctx, api, appId);
  });

  router.put(/^\/v1\/apps\/.+/, async (ctx) => {
    const { appId, action } = appUrl(ctx);
    if (action !== undefined) throw new ApiError(405, `use POST for /${action}`);
    parseQuery(noQuery, ctx);
    const body = await readJsonBody(ctx);
    if (api.service.view === undefined) return forwardToLeader(ctx, api, body);
    const { spec, definition } = parseOrThrow(body, appId);
    const result = await api.service.command<ChangeResult & { created: boolean }>((world, now) => {
      checkIfMatch(ctx, world, appId);
      const created = !world.apps.has(appId);
      const r = created ? planCreateApp(world, spec, definition, now, newVersion(now)) : planUpdateApp(world, spec, definition, now, newVersion(now));
      return { plan: r.ok ? r.plan : { writes: [], mesos: [], notes: [] }, result: { ...r, created } };
    });
    if (!result.ok) changeFailed(result.error);
    ctx.status = result.created ? 201 : 200;
    await answerDetail(ctx, api, appId);
  });

  router.delete(/^\/v1\/apps\/.+/, async (ctx) => {
    const { appId, action } = appUrl(ctx);
    if (action !== undefined) throw new ApiError(405, `use POST for /${action}`);
    const deleteDatasets = parseQuery(appDeleteQuery, ctx).deleteDatasets === 'true';
    if (api.service.view === undefined) return forwardToLeader(ctx, api, undefined);
    const result = await api.service.command<{ error: ChangeError } | { deleted: string[] }>((world, now) => {
      checkIfMatch(ctx, world, appId);
      const r = planDeleteApp(world, appId, now);
      if ('status' in r) return { plan: emptyPlan(), result: { error: r } };
      const deleted = deleteDatasets ? datasetsToDelete(world, appId) : [];
      r.writes.push(...deleted.map((name) => ({ kind: 'deleteDataset' as const, name })));
      return { plan: r, result: { deleted } };
    });
    if ('error' in result) changeFailed(result.error);
    ctx.body = deleteDatasets ? { id: appId, deleted: true, datasetsKept: false, datasetsDeleted: result.deleted } : { id: appId, deleted: true, datasetsKept: true };
  });

  router.post(/^\/v1\/apps\/.+/, async (ctx) => {
    const { appId, action } = appUrl(ctx);
    if (action === undefined) throw new ApiError(405, 'create apps with POST /v1/apps');
    parseQuery(noQuery, ctx);
    const body = action === 'restart' ? undefined : await readJsonBody(ctx);
    if (api.service.view === undefined) return forwardToLeader(ctx, api, body);
    if (action === 'restart') {
      const result = await api.service.command<{ error: ChangeError } | { version: string }>((world, now) => {
        const r = planRestartApp(world, appId, now);
        if (!('writes' in r)) return { plan: emptyPlan(), result: { error: r } };
        checkIfMatch(ctx, world, appId);
        return { plan: r, result: { version: new Date(now).toISOString() } };
      });
      if ('error' in result) changeFailed(result.error);
      ctx.status = 202;
      ctx.set('ETag', `"${result.version}"`);
      ctx.body = { id: appId, restarting: true, version: result.version };
      return;
    }
    if (action === 'scale') {
      const { instances } = parseBody(scaleBody, body);
      const result = await api.service.command<ChangeResult>((world, now) => {
        const app = world.apps.get(appId);
        if (app === undefined) return { plan: emptyPlan(), result: { ok: false, error: { status: 404, field: 'id', message: `app ${appId} does not exist` } } };
        checkIfMatch(ctx, world, appId);
        const definition = { ...app.record.definition, instances };
        const spec = { ...app.spec, instances };
        const r = planUpdateApp(world, spec, definition, now, newVersion(now));
        return { plan: r.ok ? r.plan : { writes: [], mesos: [], notes: [] }, result: r };
      });
      if (!result.ok) changeFailed(result.error);
      await answerDetail(ctx, api, appId);
      return;
    }
    const move = parseBody(moveBody, body);
    await startMove(
      ctx,
      api,
      (world) => {
        const name = datasetOfInstance(world, appId, move.instance ?? 0);
        checkIfMatch(ctx, world, appId);
        return name;
      },
      move,
      () => api.deps.config(),
    );
  });

  return router;
}

/**
 * The datasets to delete with an app (?deleteDatasets=true): all of them, but
 * only if none may hold data. Placed data is removed by a destroy operation,
 * which may start only once no task holds the dataset, i.e. after the app's
 * tasks are dead; so a placed one refuses the whole delete, saying what to do.
 */
function datasetsToDelete(world: World, appId: string): string[] {
  const owned = [...world.datasets.values()].filter((d) => d.owner?.appId === appId);
  const placed = owned.filter((d) => holdsData(d) || world.liveTasksOfDataset(d.name).length > 0 || world.activeMoveOf(d.name) !== undefined);
  if (placed.length > 0) {
    throw new ApiError(
      409,
      `deleteDatasets=true refused: ${placed.map((d) => `${d.name} (${d.state}${d.agentId !== undefined ? ` on agent ${d.agentId}` : ''})`).join(', ')} ` +
        `may hold data, which can be removed only once the app's tasks are dead; ` +
        `delete the app without deleteDatasets, then DELETE /v1/datasets/<name> for each`,
      'deleteDatasets',
    );
  }
  return owned.map((d) => d.name).sort();
}

