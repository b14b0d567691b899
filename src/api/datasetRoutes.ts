// /v1/datasets: every dataset with where it lives and who uses it; deleting
// one is refused while an app or a live task uses it.

import Router from '@koa/router';
import { emptyPlan } from '../scheduler/plan.js';
import type { World } from '../scheduler/world.js';
import { ApiError } from './apiError.js';
import type { ApiContext } from './apiContext.js';
import { forwardToLeader } from './leaderForwarding.js';
import { datasetView } from './views.js';

function datasetOr404(world: World, name: string) {
  const d = world.datasets.get(name);
  if (d === undefined) throw new ApiError(404, `dataset ${name} does not exist`, 'name');
  return d;
}

export function datasetRoutes(api: ApiContext): Router {
  const router = new Router();

  router.get('/v1/datasets', async (ctx) => {
    const { world } = await api.view();
    const datasets = [...world.datasets.values()].sort((a, b) => a.name.localeCompare(b.name)).map((d) => datasetView(world, d));
    ctx.body = { datasets };
  });

  router.get('/v1/datasets/:name', async (ctx) => {
    const { world } = await api.view();
    ctx.body = { dataset: datasetView(world, datasetOr404(world, ctx.params['name']!)) };
  });

  router.delete('/v1/datasets/:name', async (ctx) => {
    if (api.service.view === undefined) return forwardToLeader(ctx, api, undefined);
    const name = ctx.params['name']!;
    await api.service.command((world) => {
      const d = datasetOr404(world, name);
      const holder = world.liveTasksOfDataset(name)[0];
      if (holder !== undefined) throw new ApiError(409, `dataset ${name} is in use by task ${holder.taskId}`, 'name');
      if (d.owner !== undefined && world.apps.has(d.owner.appId)) {
        throw new ApiError(409, `dataset ${name} belongs to app ${d.owner.appId} instance ${d.owner.instance}; delete or scale the app first`, 'name');
      }
      if (d.agentId !== undefined || d.state !== 'NEW') {
        throw new ApiError(
          409,
          `dataset ${name} holds data on agent ${d.agentId ?? '(unknown)'}; Ferry removes placed data only through its backend's destroy step`,
          'name',
        );
      }
      const plan = emptyPlan();
      plan.writes.push({ kind: 'deleteDataset', name });
      return { plan, result: undefined };
    });
    ctx.body = { name, deleted: true };
  });

  return router;
}
