// Who leads, whether this instance is healthy, and which Ferry it is.
// /v1/health is 200 whenever this process's state-store session is live,
// standbys included (a scheduler that answers 503 while standing by would be
// killed by Marathon).

import Router from '@koa/router';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../common/packageRoot.js';
import type { ApiContext } from './apiContext.js';
import { noQuery } from './apiSchemas.js';
import { parseQuery } from './requestValidation.js';

let version: { version: string; commit?: string } | undefined;

/** Ferry's version from its package.json, and the commit when the package records one (gitHead). */
export function versionInfo(): { version: string; commit?: string } {
  if (version === undefined) {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown; gitHead?: unknown };
    version = { version: typeof pkg.version === 'string' ? pkg.version : 'unknown' };
    if (typeof pkg.gitHead === 'string' && pkg.gitHead !== '') version.commit = pkg.gitHead;
  }
  return version;
}

export function clusterRoutes(api: ApiContext): Router {
  const router = new Router();

  router.get('/v1/leader', async (ctx) => {
    parseQuery(noQuery, ctx);
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

  router.get('/v1/version', (ctx) => {
    parseQuery(noQuery, ctx);
    ctx.body = versionInfo();
  });

  return router;
}
