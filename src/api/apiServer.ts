// The REST API server: koa with the error mapping, then one router per
// resource. Listens where it is told and closes cleanly.

import Koa from 'koa';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiContext, type ApiDependencies } from './apiContext.js';
import { errorMiddleware } from './apiError.js';
import { appRoutes } from './appRoutes.js';
import { artifactRoutes } from './artifactRoutes.js';
import { clusterRoutes } from './clusterRoutes.js';
import { datasetRoutes } from './datasetRoutes.js';
import { moveRoutes } from './moveRoutes.js';

export function buildApi(deps: ApiDependencies): Koa {
  const api = new ApiContext(deps);
  const app = new Koa();
  app.use(errorMiddleware(deps.logger));
  for (const router of [clusterRoutes(api), appRoutes(api), datasetRoutes(api), moveRoutes(api, deps.config), artifactRoutes()]) {
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
export function listenPending(host: string, port: number): Promise<{ server: Server; port: number; handle: (h: Handler) => void }> {
  let handler: Handler = (_req, res) => {
    res.writeHead(503, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: 'Ferry is starting' }));
  };
  const server = createServer((req, res) => handler(req, res));
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
