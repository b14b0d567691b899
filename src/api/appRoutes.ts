// /v1/apps: Marathon app definitions in, apps with their tasks, datasets and
// pending reasons out. Validation is the app-definition parser's; decisions
// are the scheduler's; this file maps requests to them and errors to statuses.

import Router from '@koa/router';
import type { Context } from 'koa';
import { appIdFromUrlPath } from '../apps/appId.js';
import { parseAppDefinition } from '../apps/appDefinition.js';
import type { AppSpec } from '../apps/appSpec.js';
import { planCreateApp, planDeleteApp, planRestartApp, planUpdateApp, type ChangeError, type ChangeResult } from '../scheduler/appChanges.js';
import { ApiError } from './apiError.js';
import type { ApiContext } from './apiContext.js';
import { readJsonBody } from './jsonBody.js';
import { forwardToLeader } from './leaderForwarding.js';
import { datasetOfInstance, readMoveBody, startMove } from './moveRoutes.js';
import { appDetailView, appSummaryView } from './views.js';
import type { World } from '../scheduler/world.js';

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

async function detail(api: ApiContext, appId: string): Promise<Record<string, unknown>> {
  const { world, live } = await api.view();
  const app = world.apps.get(appId);
  if (app === undefined) throw new ApiError(404, `app ${appId} does not exist`, 'id');
  return appDetailView(world, app, api.clock(), live ? undefined : 'waiting for the leader to place it');
}

function checkIfMatch(ctx: Context, world: World, appId: string): void {
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
    const { world } = await api.view();
    const apps = [...world.apps.values()].sort((a, b) => a.spec.id.localeCompare(b.spec.id)).map((a) => appSummaryView(world, a));
    ctx.body = { apps };
  });

  router.post('/v1/apps', async (ctx) => {
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
    ctx.body = await detail(api, spec.id);
  });

  router.get(/^\/v1\/apps\/.+/, async (ctx) => {
    const { appId, action } = appUrl(ctx);
    if (action !== undefined) throw new ApiError(405, `use POST for /${action}`);
    ctx.body = await detail(api, appId);
  });

  router.put(/^\/v1\/apps\/.+/, async (ctx) => {
    const { appId, action } = appUrl(ctx);
    if (action !== undefined) throw new ApiError(405, `use POST for /${action}`);
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
    ctx.body = await detail(api, appId);
  });

  router.delete(/^\/v1\/apps\/.+/, async (ctx) => {
    const { appId, action } = appUrl(ctx);
    if (action !== undefined) throw new ApiError(405, `use POST for /${action}`);
    if (api.service.view === undefined) return forwardToLeader(ctx, api, undefined);
    const result = await api.service.command((world, now) => {
      checkIfMatch(ctx, world, appId);
      const r = planDeleteApp(world, appId, now);
      return 'status' in r ? { plan: { writes: [], mesos: [], notes: [] }, result: r } : { plan: r, result: undefined };
    });
    if (result !== undefined) changeFailed(result);
    ctx.body = { id: appId, deleted: true, datasetsKept: true };
  });

  router.post(/^\/v1\/apps\/.+/, async (ctx) => {
    const { appId, action } = appUrl(ctx);
    if (action === undefined) throw new ApiError(405, 'create apps with POST /v1/apps');
    const body = action === 'restart' ? undefined : await readJsonBody(ctx);
    if (api.service.view === undefined) return forwardToLeader(ctx, api, body);
    if (action === 'restart') {
      const result = await api.service.command((world, now) => {
        const r = planRestartApp(world, appId, now);
        return 'writes' in r ? { plan: r, result: undefined } : { plan: { writes: [], mesos: [], notes: [] }, result: r };
      });
      if (result !== undefined) changeFailed(result);
      ctx.status = 202;
      ctx.body = { id: appId, restarting: true };
      return;
    }
    if (action === 'scale') {
      const instances = (body as { instances?: unknown } | null)?.instances;
      if (typeof instances !== 'number' || !Number.isInteger(instances) || instances < 0) {
        throw new ApiError(422, 'instances must be an integer >= 0', 'instances');
      }
      const result = await api.service.command<ChangeResult>((world, now) => {
        const app = world.apps.get(appId);
        if (app === undefined) return { plan: { writes: [], mesos: [], notes: [] }, result: { ok: false, error: { status: 404, message: `app ${appId} does not exist` } } };
        const definition = { ...app.record.definition, instances };
        const spec = { ...app.spec, instances };
        const r = planUpdateApp(world, spec, definition, now, newVersion(now));
        return { plan: r.ok ? r.plan : { writes: [], mesos: [], notes: [] }, result: r };
      });
      if (!result.ok) changeFailed(result.error);
      ctx.body = await detail(api, appId);
      return;
    }
    const move = readMoveBody(body);
    await startMove(ctx, api, (world) => datasetOfInstance(world, appId, move.instance ?? 0), move, () => api.deps.config());
  });

  return router;
}

