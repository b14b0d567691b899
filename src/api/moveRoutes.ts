// Moves over the API: start one for a dataset or an app instance (202 with
// its id), list them, show one with its step timeline, cancel one. The
// orchestrator decides everything; these routes only validate and ask.

import Router from '@koa/router';
import type { Context } from 'koa';
import { randomUUID } from 'node:crypto';
import { datasetNameFor } from '../apps/appSpec.js';
import type { MoveRecord } from '../moves/moveModel.js';
import { planStartMove, type MoveStart } from '../moves/moveRequests.js';
import { emptyPlan } from '../scheduler/plan.js';
import type { SchedulerConfig } from '../scheduler/schedulerConfig.js';
import type { World } from '../scheduler/world.js';
import type { z } from 'zod';
import { ApiError } from './apiError.js';
import type { ApiContext } from './apiContext.js';
import { moveBody, moveListQuery, noQuery } from './apiSchemas.js';
import { readJsonBody } from './jsonBody.js';
import { forwardToLeader } from './leaderForwarding.js';
import { parseBody, parseQuery } from './requestValidation.js';

export type MoveBody = z.output<typeof moveBody>;

export function moveView(m: MoveRecord): Record<string, unknown> {
  const { token: _secret, op: _op, receiveOpId: _r, completedOps: _c, attempt: _a, deadline: _d, ...shown } = m;
  const started = Date.parse(m.createdAt);
  const ended = m.endedAt !== undefined ? Date.parse(m.endedAt) : undefined;
  return {
    ...shown,
    ...(ended !== undefined ? { durationMs: ended - started } : {}),
    steps: m.steps.map((s) => ({ ...s, ...(s.endedAt !== undefined ? { durationMs: Date.parse(s.endedAt) - Date.parse(s.startedAt) } : {}) })),
  };
}

/** Starts a move through the leader's queue; answers 202 {moveId} or the refusal. */
export async function startMove(ctx: Context, api: ApiContext, dataset: (world: World) => string, body: MoveBody, config: () => SchedulerConfig): Promise<void> {
  const result = await api.service.command<MoveStart>((world, now) => {
    const name = dataset(world);
    const r = planStartMove(world, { dataset: name, to: body.to, trigger: 'api', ...(body.force ? { force: true } : {}) }, now, config(), {
      moveId: randomUUID(),
      token: randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, ''),
    });
    return { plan: r.ok ? r.plan : emptyPlan(), result: r };
  });
  if (!result.ok) throw new ApiError(result.status, result.message, result.field);
  ctx.status = 202;
  ctx.set('Location', `/v1/moves/${result.move.id}`);
  ctx.body = { moveId: result.move.id, move: moveView(result.move) };
}

export function moveRoutes(api: ApiContext, config: () => SchedulerConfig): Router {
  const router = new Router();

  router.get('/v1/moves', async (ctx) => {
    const { state } = parseQuery(moveListQuery, ctx);
    const { world } = await api.view();
    const moves = [...world.moves.values()]
      .filter((m) => state === undefined || m.state === state)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map(moveView);
    ctx.body = { moves };
  });

  router.get('/v1/moves/:id', async (ctx) => {
    parseQuery(noQuery, ctx);
    const { world } = await api.view();
    const m = world.moves.get(ctx.params['id']!);
    if (m === undefined) throw new ApiError(404, `move ${ctx.params['id']} does not exist`, 'id');
    ctx.body = { move: moveView(m) };
  });

  router.delete('/v1/moves/:id', async (ctx) => {
    parseQuery(noQuery, ctx);
    if (api.service.view === undefined) return forwardToLeader(ctx, api, undefined);
    const id = ctx.params['id']!;
    const move = await api.service.command((world, now) => {
      const m = world.moves.get(id);
      if (m === undefined) throw new ApiError(404, `move ${id} does not exist`, 'id');
      if (m.state !== 'RUNNING') throw new ApiError(409, `move ${id} already ended (${m.state})`, 'id');
      if (['SWITCH', 'LAUNCH', 'CLEANUP', 'DONE'].includes(m.step)) {
        throw new ApiError(409, `move ${id} is past its switch (step ${m.step}): the data already lives on ${m.to}; move it back instead`, 'id');
      }
      const plan = emptyPlan();
      const record = { ...m, cancelRequested: true, updatedAt: new Date(now).toISOString() };
      plan.writes.push({ kind: 'move', record });
      return { plan, result: record };
    });
    ctx.status = 202;
    ctx.body = { move: moveView(move) };
  });

  router.post('/v1/datasets/:name/move', async (ctx) => {
    parseQuery(noQuery, ctx);
    const body = parseBody(moveBody, await readJsonBody(ctx));
    if (api.service.view === undefined) return forwardToLeader(ctx, api, body);
    if (body.instance !== undefined) throw new ApiError(422, 'instance is for app moves (POST /v1/apps/<id>/move)', 'instance');
    await startMove(ctx, api, () => ctx.params['name']!, body, config);
  });

  return router;
}

/** The dataset an app instance uses, or a 404/422 naming what is wrong. */
export function datasetOfInstance(world: World, appId: string, instance: number): string {
  const app = world.apps.get(appId);
  if (app === undefined) throw new ApiError(404, `app ${appId} does not exist`, 'id');
  if (app.spec.dataset === undefined) throw new ApiError(422, `app ${appId} has no dataset to move; a stateless app just runs elsewhere`, 'id');
  if (instance >= app.spec.instances) throw new ApiError(422, `app ${appId} has ${app.spec.instances} instance(s); there is no instance ${instance}`, 'instance');
  return datasetNameFor(app.spec.dataset, instance);
}
