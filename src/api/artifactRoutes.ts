// Serves Ferry's node artifact to agents (GET /v1/artifacts/ferry-node.tar.gz):
// the Mesos fetcher downloads it for the node executor. Agents present no
// credentials, so this route stays open like /v1/health; it holds only code.

import Router from '@koa/router';
import { ARTIFACT_NAME, nodeArtifact } from '../node/nodeArtifact.js';

export const ARTIFACT_PATH = `/v1/artifacts/${ARTIFACT_NAME}`;

export function artifactRoutes(): Router {
  const router = new Router();
  router.get(ARTIFACT_PATH, async (ctx) => {
    const artifact = await nodeArtifact();
    ctx.set('ETag', `"${artifact.sha256}"`);
    if (ctx.get('If-None-Match') === `"${artifact.sha256}"`) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'application/gzip';
    ctx.body = artifact.bytes;
  });
  return router;
}
