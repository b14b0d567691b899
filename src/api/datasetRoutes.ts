// /v1/datasets: every dataset with where it lives and who uses it (filtered by
// app, agent or state), created ahead of time, or deleted while nothing uses
// it and it holds no data. Moves of a dataset live in moveRoutes.ts.

import Router from '@koa/router';
import { normalizeAppId } from '../apps/appId.js';
import { randomUUID } from 'node:crypto';
import { planDestroyDataset } from '../moves/moveRequests.js';
import { emptyPlan } from '../scheduler/plan.js';
import { moveView } from './moveRoutes.js';
import type { World } from '../scheduler/world.js';
import { ApiError } from './apiError.js';
import type { ApiContext } from './apiContext.js';
import { datasetCreateBody, datasetListQuery, noQuery } from './apiSchemas.js';
import { checkDatasetRequest, planCreateDataset } from './datasetCreation.js';
import { readJsonBody } from './jsonBody.js';
import { forwardToLeader } from './leaderForwarding.js';
import { parseBody, parseQuery } from './requestValidation.js';
import { datasetView } from './views.js';

function datasetOr404(world: World, name: string) {
  const d = world.datasets.get(name);
  if (d === undefined) throw new ApiError(404, `dataset ${name} does not exist`, 'name');
  return d;
}

export function datasetRoutes(api: ApiContext): Router {
  const router = new Router();

  router.get('/v1/datasets', async (ctx) => {
    const filter = parseQuery(datasetListQuery, ctx);
    let appId: string | undefined;
    if (filter.app !== undefined) {
      const normalized = normalizeAppId(filter.app, 'app');
      if (!normalized.ok) throw new ApiError(400, normalized.error.message, 'app');
      appId = normalized.id;
    }
    const { world } = await api.view();
    const datasets = [...world.datasets.values()]
      .filter((d) => (appId === undefined || d.owner?.appId === appId) && (filter.agent === undefined || d.agentId === filter.agent) && (filter.state === undefined || d.state === filter.state))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((d) => datasetView(world, d));
    ctx.body = { datasets };
  });

  router.post('/v1/datasets', async (ctx) => {
    parseQuery(noQuery, ctx);
    const body = await readJsonBody(ctx);
    const request = parseBody(datasetCreateBody, body);
    const sizeMiB = checkDatasetRequest(request, api.deps.backends);
    if (api.service.view === undefined) return forwardToLeader(ctx, api, body);
    await api.service.command((world, now) => {
      const { plan } = planCreateDataset(world, request, sizeMiB, now);
      return { plan, result: undefined };
    });
    const { world } = await api.view();
    ctx.status = 201;
    ctx.set('Location', `/v1/datasets/${encodeURIComponent(request.name)}`);
    ctx.body = { dataset: datasetView(world, datasetOr404(world, request.name)) };
  });

  router.get('/v1/datasets/:name', async (ctx) => {
    parseQuery(noQuery, ctx);
    const { world } = await api.view();
    ctx.body = { dataset: datasetView(world, datasetOr404(world, ctx.params['name']!)) };
  });

  router.delete('/v1/datasets/:name', async (ctx) => {
    parseQuery(noQuery, ctx);
    if (api.service.view === undefined) return forwardToLeader(ctx, api, undefined);
    const name = ctx.params['name']!;
    const destroying = await api.service.command((world, now) => {
      const d = datasetOr404(world, name);
      const holder = world.liveTasksOfDataset(name)[0];
      if (holder !== undefined) throw new ApiError(409, `dataset ${name} is in use by task ${holder.taskId}`, 'name');
      if (d.owner !== undefined && world.apps.has(d.owner.appId)) {
        throw new ApiError(409, `dataset ${name} belongs to app ${d.owner.appId} instance ${d.owner.instance}; delete or scale the app first`, 'name');
      }
      const move = world.activeMoveOf(name);
      if (move !== undefined) throw new ApiError(409, `dataset ${name} is being moved (move ${move.id}); wait for it to end or cancel it`, 'name');
      if (d.state === 'DELETING') throw new ApiError(409, `dataset ${name} is already being deleted`, 'name');
      if (holdsData(d)) {
        // its data is on an agent or in a backend volume: remove that first, through the move machinery
        const started = planDestroyDataset(world, name, now, api.deps.config(), randomUUID());
        if (!started.ok) throw new ApiError(started.status, started.message, started.field);
        return { plan: started.plan, result: started.move };
      }
      const plan = emptyPlan();
      plan.writes.push({ kind: 'deleteDataset', name });
      return { plan, result: undefined };
    });
    if (destroying !== undefined) {
      ctx.status = 202;
      ctx.set('Location', `/v1/moves/${destroying.id}`);
      ctx.body = { name, deleting: true, operationId: destroying.id, operation: moveView(destroying) };
      return;
    }
    ctx.body = { name, deleted: true };
  });

  return router;
}

/** Whether a dataset may have data somewhere: placed on an agent, past NEW, or with a backend volume. */
export function holdsData(d: { agentId?: string; state: string; volumeId?: string }): boolean {
  return d.agentId !== undefined || d.state !== 'NEW' || d.volumeId !== undefined;
}
