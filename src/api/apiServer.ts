// The REST API server: koa with the error mapping, the web UI, the bearer
// check, then one router per resource. Listens (http, or https with TLS
// material) where it is told and closes cleanly.

import Koa from 'koa';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { agentRoutes } from './agentRoutes.js';
import { ApiContext, type ApiDependencies, type ApiTls } from './apiContext.js';
import { errorMiddleware } from './apiError.js';
import { appRoutes } from './appRoutes.js';
import { artifactRoutes } from './artifactRoutes.js';
import { bearerAuth } from './bearerAuth.js';
import { clusterRoutes } from './clusterRoutes.js';
import { datasetRoutes } from './datasetRoutes.js';
import { EventJournal } from './eventJournal.js';
import { eventRoutes } from './eventRoutes.js';
import { FerryMetrics } from './ferryMetrics.js';
import { metricsRoutes } from './metricsRoutes.js';
import { moveRoutes } from './moveRoutes.js';
import { openApiRoutes } from './openApiDocument.js';
import { uiRoutes } from './uiRoutes.js';

export function buildApi(deps: ApiDependencies): Koa {
  const api = new ApiContext(deps);
  const metrics = deps.metrics ?? new FerryMetrics();
  metrics.attach({ service: deps.service, storeHealthy: deps.storeHealthy, clock: api.clock, ...(deps.zkSession !== undefined ? { zkSession: deps.zkSession } : {}) });
  const journal = new EventJournal(deps.service, deps.selfApi);
  const app = new Koa();
  app.on('error', (err: NodeJS.ErrnoException) => {
    // a client that hangs up on a stream (the event stream above all) is not a failure
    if (err.code === 'ERR_STREAM_PREMATURE_CLOSE' || err.code === 'ECONNRESET' || err.code === 'EPIPE') return;
    deps.logger.error({ err: err.stack }, 'API response failed');
  });
  app.use(errorMiddleware(deps.logger));
  app.use(uiRoutes().routes()); // the web UI at /ui/, open like /v1/health: it holds only code and asks for a token itself
  app.use(bearerAuth(deps.auth));
  const routers = [
    clusterRoutes(api),
    appRoutes(api),
    datasetRoutes(api),
    moveRoutes(api, deps.config),
    agentRoutes(api),
    eventRoutes(api, journal),
    openApiRoutes(),
    metricsRoutes(metrics),
    artifactRoutes(),
  ];
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { message: `no such resource: ${ctx.method} ${ctx.path}` };
  });
  return app;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Listens at once and answers 503 until `handle` installs the real handler:
 * the address must be known before the rest of Ferry can be built.
 */
export function listenPending(host: string, port: number, tls?: ApiTls): Promise<{ server: Server; port: number; handle: (h: Handler) => void }> {
  let handler: Handler = (_req, res) => {
    res.writeHead(503, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: 'Ferry is starting' }));
  };
  const serve: Handler = (req, res) => handler(req, res);
  const server: Server = tls === undefined ? createServer(serve) : createTlsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, serve);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        server,
        port: typeof address === 'object' && address !== null ? address.port : port,
        handle: (h) => {
          handler = h;
        },
      });
    });
  });
}
