// The simulator's HTTP surface as one koa app: the scheduler API, the operator
// API, maintenance endpoints, /state, /redirect, every agent's executor API and
// the /sim/ controls. It routes and maps failures to answers; an unexpected
// error is logged and answered 500, never thrown out.

import Koa from 'koa';
import type { Logger } from '../common/log.js';
import type { Credential } from './credentials.js';
import { executorPath, handleExecutorRequest, type ExecutorEndpointDeps } from './executorEndpoint.js';
import { handleMaintenanceRequest, MAINTENANCE_PATHS } from './maintenanceEndpoints.js';
import type { Master } from './master.js';
import { handleOperatorRequest } from './operatorEndpoint.js';
import { handleSchedulerRequest } from './schedulerEndpoint.js';
import { handleSimRequest, type SimulatorControls } from './simEndpoints.js';
import type { MasterState } from './stateJson.js';

export interface HttpAppDeps {
  master(): Master;
  state(): MasterState;
  controls: SimulatorControls;
  executors: Omit<ExecutorEndpointDeps, 'logger'>;
  credentials: readonly Credential[] | undefined;
  logger: Logger;
}

const SCHEDULER_PATHS = new Set(['/api/v1/scheduler', '/master/api/v1/scheduler']);
const OPERATOR_PATHS = new Set(['/api/v1', '/master/api/v1']);
const STATE_PATHS = new Set(['/state', '/master/state', '/state.json', '/master/state.json']);
const REDIRECT_PATHS = new Set(['/redirect', '/master/redirect']);

export function createHttpApp(deps: HttpAppDeps): Koa {
  const app = new Koa();
  app.silent = true;
  app.on('error', (err: unknown) => deps.logger.warn({ err }, 'HTTP error'));
  app.use(async (ctx) => {
    try {
      if (SCHEDULER_PATHS.has(ctx.path)) {
        await handleSchedulerRequest(ctx, { master: deps.master, credentials: deps.credentials, logger: deps.logger });
        return;
      }
      if (OPERATOR_PATHS.has(ctx.path)) {
        await handleOperatorRequest(ctx, deps.master());
        return;
      }
      const maintenance = MAINTENANCE_PATHS.get(ctx.path);
      if (maintenance !== undefined) {
        await handleMaintenanceRequest(ctx, maintenance, deps.master());
        return;
      }
      const executor = executorPath(decodeURIComponent(ctx.path));
      if (executor !== undefined) {
        await handleExecutorRequest(ctx, executor.processId, { ...deps.executors, logger: deps.logger.child({ component: 'executor-api' }) });
        return;
      }
      if (STATE_PATHS.has(ctx.path) && ctx.method === 'GET') {
        ctx.type = 'application/json';
        ctx.body = JSON.stringify(deps.state());
        return;
      }
      if (REDIRECT_PATHS.has(ctx.path) && ctx.method === 'GET') {
        const leader = deps.master().leader;
        if (leader === undefined) {
          ctx.status = 503;
          ctx.body = 'No leader elected';
          return;
        }
        ctx.status = 307;
        ctx.set('Location', `//${leader.hostname ?? '127.0.0.1'}:${leader.port}`);
        ctx.body = '';
        return;
      }
      if (await handleSimRequest(ctx, deps.controls)) return;
      ctx.status = 404;
      ctx.body = '';
    } catch (err) {
      deps.logger.error({ err, method: ctx.method, path: ctx.path }, 'request failed');
      if (ctx.respond === false) return;
      ctx.status = 500;
      ctx.type = 'application/json';
      ctx.body = JSON.stringify({ message: (err as Error).message });
    }
  });
  return app;
}
