// Who leads and whether this instance is healthy. /v1/health is 200 whenever
// this process's state-store session is live, standbys included (a scheduler
// that answers 503 while standing by would be killed by Marathon).

import Router from '@koa/router';
import type { ApiContext } from './apiContext.js';

export function clusterRoutes(api: ApiContext): Router {
  const router = new Router();

  router.get('/v1/leader', async (ctx) => {
    const leader = await api.deps.leadership.leaderInfo();
    if (leader === undefined) {
      ctx.status = 503;
      ctx.body = { message: 'no Ferry instance leads right now' };
      return;
    }
    ctx.body = { leader: leader.api, self: leader.api === api.deps.selfApi && api.deps.leadership.isLeader };
  });

  router.get('/v1/health', (ctx) => {
    const role = api.service.view !== undefined ? 'leader' : 'standby';
    if (!api.deps.storeHealthy()) {
      ctx.status = 503;
      ctx.body = { status: 'unhealthy', role, message: `no live session to the state store (${api.deps.store.describe()})` };
      return;
    }
    ctx.body = { status: 'ok', role };
  });

  return router;
}
