// GET /metrics: the Prometheus text exposition of Ferry's metrics. Open like
// /v1/health (scrapers carry no token); it shows counts, never names or data.

import Router from '@koa/router';
import type { FerryMetrics } from './ferryMetrics.js';

export const METRICS_PATH = '/metrics';

export function metricsRoutes(metrics: FerryMetrics): Router {
  const router = new Router();
  router.get(METRICS_PATH, async (ctx) => {
    const text = await metrics.text();
    ctx.type = metrics.contentType;
    ctx.body = text;
  });
  return router;
}
