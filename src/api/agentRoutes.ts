// /v1/agents: the Mesos agents as the leader knows them (from offers, and
// those its datasets and tasks name), with the datasets each holds. Agents
// live only in the leader's memory, so a standby forwards these reads.

import Router from '@koa/router';
import { ApiError } from './apiError.js';
import type { ApiContext } from './apiContext.js';
import { noQuery } from './apiSchemas.js';
import { forwardToLeader } from './leaderForwarding.js';
import { parseQuery } from './requestValidation.js';
import { agentViews } from './views.js';

export function agentRoutes(api: ApiContext): Router {
  const router = new Router();

  router.get('/v1/agents', async (ctx) => {
    parseQuery(noQuery, ctx);
    const world = api.service.view;
    if (world === undefined) return forwardToLeader(ctx, api, undefined);
    ctx.body = { agents: agentViews(world) };
  });

  router.get('/v1/agents/:id', async (ctx) => {
    parseQuery(noQuery, ctx);
    const world = api.service.view;
    if (world === undefined) return forwardToLeader(ctx, api, undefined);
    const id = ctx.params['id']!;
    const agent = agentViews(world).find((a) => a.id === id);
    if (agent === undefined) throw new ApiError(404, `agent ${id} is not known to the leader (no offer, dataset or task names it)`, 'id');
    ctx.body = { agent };
  });

  return router;
}
