import t, { type Test } from 'tap';
import type Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import * as shapes from '../../src/api/apiSchemas.js';
import { buildApi } from '../../src/api/apiServer.js';
import { OPERATIONS, openApiDocument } from '../../src/api/openApiDocument.js';
import { parseAppDefinition } from '../../src/apps/appDefinition.js';
import { silentLogger } from '../../src/common/log.js';
import { SoleLeadership } from '../../src/coordination/soleLeadership.js';
import { DEFAULT_SCHEDULER_CONFIG } from '../../src/scheduler/schedulerConfig.js';
import { SchedulerService } from '../../src/scheduler/schedulerService.js';
import { FileStateStore } from '../../src/state/fileStateStore.js';
import type { AppRecord } from '../../src/state/model.js';
import { waitFor } from '../support/ferryProcess.js';
import { startInProcessFerry } from '../support/ferryInProcess.js';

type Layer = Router['stack'][number];

/** Every route registered on the API's koa app, however its router was added. */
async function registeredLayers(t: { teardown(fn: () => unknown): void }): Promise<Layer[]> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-openapi-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const logger = silentLogger();
  const leadership = new SoleLeadership({ dir, candidate: { id: randomUUID(), api: '127.0.0.1:1', hostname: 'h', pid: 1, version: 'test', startedAt: new Date().toISOString() }, logger });
  const store = new FileStateStore({ dir, leadership, logger });
  const parseApp = (record: AppRecord) => {
    const parsed = parseAppDefinition(record.definition);
    if (!parsed.ok) throw new Error('unparsable');
    return parsed.spec;
  };
  const service = new SchedulerService({
    store,
    leadership,
    master: '127.0.0.1:1',
    framework: { name: 'f', role: '*', user: 'root', hostname: 'h', failoverTimeoutSeconds: 1 },
    config: DEFAULT_SCHEDULER_CONFIG,
    logger,
    parseApp,
    newTaskId: () => randomUUID(),
    newId: randomUUID,
  });
  const app = buildApi({ service, store, leadership, parseApp, storeHealthy: () => true, logger, selfApi: '127.0.0.1:1', config: () => service.config });
  const layers: Layer[] = [];
  for (const mw of app.middleware as ((...args: unknown[]) => unknown)[]) {
    const router = (mw as unknown as { router?: Router }).router;
    if (router !== undefined) layers.push(...router.stack);
  }
  return layers;
}

function isApiLayer(layer: Layer): boolean {
  if (typeof layer.path === 'string') return layer.path.startsWith('/v1/') || layer.path === '/metrics';
  return layer.regexp.source.includes('\\/v1\\/');
}

/** A URL the documented path stands for; app ids keep their slashes (/v1/apps/prod/db/scale). */
function sampleUrl(path: string): string {
  return path.replace(/\{(\w+)\}/g, () => (path.startsWith('/v1/apps/') ? 'prod/db' : 'x1'));
}

const documented = (): [string, string][] => Object.entries(OPERATIONS).flatMap(([path, ops]) => Object.keys(ops).map((m) => [path, m.toUpperCase()] as [string, string]));

t.test('every registered API route is documented in the OpenAPI document, and every documented one exists', async (t) => {
  const layers = (await registeredLayers(t)).filter(isApiLayer);
  t.ok(layers.length >= 15, `${layers.length} API routes found`);
  const undocumented: string[] = [];
  for (const layer of layers) {
    for (const method of layer.methods.filter((m) => m !== 'HEAD')) {
      if (typeof layer.path === 'string') {
        const path = layer.path.replace(/:(\w+)/g, '{$1}');
        if (OPERATIONS[path]?.[method.toLowerCase() as 'get'] === undefined) undocumented.push(`${method} ${path}`);
      } else if (!documented().some(([path, m]) => m === method && layer.match(sampleUrl(path)))) {
        undocumented.push(`${method} ${String(layer.path)}`);
      }
    }
  }
  t.same(undocumented, [], 'no registered route is missing from the document');
  const missing = documented().filter(([path, method]) => !layers.some((l) => l.methods.includes(method) && l.match(sampleUrl(path))));
  t.same(missing, [], 'no documented route is missing from the server');
});

t.test('the document is OpenAPI 3.1 whose references all resolve, and the server serves it', async (t) => {
  const doc = openApiDocument() as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
  t.equal(doc.openapi, '3.1.0');
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
  t.ok(refs.length > 20);
  t.same([...new Set(refs.filter((r) => !(r in doc.components.schemas)))], [], 'every $ref names a component');
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item as Record<string, { responses: Record<string, unknown> }>)) {
      t.ok(Object.keys(op.responses).some((s) => s.startsWith('2')), `${method.toUpperCase()} ${path} documents a success`);
    }
  }
  t.match(doc.components.schemas['DatasetCreateRequest'], { type: 'object', additionalProperties: false, properties: { name: { type: 'string' }, backend: { enum: ['local', 'loopback', 'ebs'] } } });

  const ferry = await startInProcessFerry(t);
  const served = await ferry.call('GET', '/v1/openapi.json');
  t.equal(served.status, 200);
  t.same(served.body, JSON.parse(JSON.stringify(doc)));
});

/** Parses with the documented shape and finds top-level fields the shape does not name. */
function conforms(t: Test, shape: z.ZodObject, value: unknown, what: string): void {
  const parsed = shape.safeParse(value);
  t.ok(parsed.success, `${what} matches its documented shape${parsed.success ? '' : `: ${JSON.stringify(parsed.error.issues)}`}`);
  const extra = Object.keys(value as object).filter((k) => !(k in shape.shape));
  t.same(extra, [], `${what} has no undocumented fields`);
}

t.test('real answers match their documented shapes', async (t) => {
  const ferry = await startInProcessFerry(t);
  const createdDataset = await ferry.call<{ dataset: unknown }>('POST', '/v1/datasets', { name: 'shaped', size: 1, metadata: { a: 'b' } });
  conforms(t, shapes.datasetAnswerShape, createdDataset.body, 'POST /v1/datasets');
  conforms(t, shapes.datasetViewShape, createdDataset.body.dataset, 'a dataset');
  const created = await ferry.call('POST', '/v1/apps', {
    id: '/shaped',
    cmd: 'sleep 600',
    cpus: 0.1,
    mem: 32,
    portDefinitions: [],
    container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', external: { name: 'shaped-data', size: 1, provider: 'ferry' } }] },
  });
  conforms(t, shapes.appDetailViewShape, created.body, 'POST /v1/apps');
  let detail: { tasks: Record<string, unknown>[]; datasets: Record<string, unknown>[] } | undefined;
  await waitFor(async () => ((detail = (await ferry.call<typeof detail>('GET', '/v1/apps/shaped')).body)!.tasks.some((x) => x['kind'] === undefined && x['state'] === 'TASK_RUNNING')), 20_000, () => JSON.stringify(detail));
  conforms(t, shapes.appDetailViewShape, detail, 'GET /v1/apps/{id}');
  for (const task of detail!.tasks) conforms(t, shapes.taskViewShape, task, 'a task');
  for (const d of detail!.datasets) conforms(t, shapes.datasetViewShape, d, 'an app\'s dataset');
  conforms(t, shapes.appListAnswerShape, (await ferry.call('GET', '/v1/apps')).body, 'GET /v1/apps');
  const agents = (await ferry.call<{ agents: unknown[] }>('GET', '/v1/agents')).body;
  conforms(t, shapes.agentListAnswerShape, agents, 'GET /v1/agents');
  for (const a of agents.agents) conforms(t, shapes.agentViewShape, a, 'an agent');
  conforms(t, shapes.datasetListAnswerShape, (await ferry.call('GET', '/v1/datasets')).body, 'GET /v1/datasets');
  conforms(t, shapes.moveListAnswerShape, (await ferry.call('GET', '/v1/moves')).body, 'GET /v1/moves');
  conforms(t, shapes.versionViewShape, (await ferry.call('GET', '/v1/version')).body, 'GET /v1/version');
  conforms(t, shapes.healthViewShape, (await ferry.call('GET', '/v1/health')).body, 'GET /v1/health');
  conforms(t, shapes.leaderViewShape, (await ferry.call('GET', '/v1/leader')).body, 'GET /v1/leader');
  conforms(t, shapes.errorViewShape, (await ferry.call('GET', '/v1/datasets/absent')).body, 'a 404');
  conforms(t, shapes.appRestartAnswerShape, (await ferry.call('POST', '/v1/apps/shaped/restart')).body, 'POST /v1/apps/{id}/restart');
  conforms(t, shapes.appDeletedAnswerShape, (await ferry.call('DELETE', '/v1/apps/shaped')).body, 'DELETE /v1/apps/{id}');
  conforms(t, shapes.datasetDeletedAnswerShape, (await ferry.call('DELETE', '/v1/datasets/shaped')).body, 'DELETE /v1/datasets/{name}');
  let deleting: { status: number; body: unknown } | undefined;
  await waitFor(async () => (deleting = await ferry.call('DELETE', '/v1/datasets/shaped-data')).status !== 409, 20_000, () => JSON.stringify(deleting));
  t.equal(deleting!.status, 202, 'a dataset that holds data is deleted through a destroy operation');
  conforms(t, shapes.datasetDeletingAnswerShape, deleting!.body, 'DELETE /v1/datasets/{name} of a placed dataset');
});
