// The OpenAPI 3.1 description of every API route, built from the same zod
// shapes the routes validate with and the views answer with, and served at
// GET /v1/openapi.json. A test walks the registered routes against it, so a
// route cannot be added, renamed or dropped without this list following.

import Router from '@koa/router';
import { z } from 'zod';
import * as shapes from './apiSchemas.js';
import { versionInfo } from './clusterRoutes.js';

export const OPENAPI_PATH = '/v1/openapi.json';

type Method = 'get' | 'post' | 'put' | 'delete';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  description: string;
  schema: Record<string, unknown>;
}

interface Operation {
  summary: string;
  /** false: answered without a token even when tokens are configured */
  secured?: boolean;
  /** true: needs an admin token (a change); read-only tokens get 403 */
  write?: boolean;
  parameters?: Parameter[];
  body?: string;
  /** status → [description, component name | media type description] */
  answers: Record<number, [string, string?]>;
}

/** Components: request bodies (as clients write them) and answers (as Ferry writes them). */
const REQUESTS: Record<string, z.ZodType> = {
  AppDefinition: shapes.appDefinitionBody,
  ScaleRequest: shapes.scaleBody,
  MoveRequest: shapes.moveBody,
  DatasetCreateRequest: shapes.datasetCreateBody,
};

const ANSWERS: Record<string, z.ZodType> = {
  Error: shapes.errorViewShape,
  Task: shapes.taskViewShape,
  Dataset: shapes.datasetViewShape,
  AppDefinitionView: shapes.appDefinitionViewShape,
  AppSummary: shapes.appSummaryViewShape,
  Pending: shapes.pendingViewShape,
  AppDetail: shapes.appDetailViewShape,
  MoveStep: shapes.moveStepViewShape,
  Move: shapes.moveViewShape,
  Agent: shapes.agentViewShape,
  Health: shapes.healthViewShape,
  Leader: shapes.leaderViewShape,
  Version: shapes.versionViewShape,
  AppList: shapes.appListAnswerShape,
  AppDeleted: shapes.appDeletedAnswerShape,
  AppRestarting: shapes.appRestartAnswerShape,
  DatasetList: shapes.datasetListAnswerShape,
  DatasetAnswer: shapes.datasetAnswerShape,
  DatasetDeleted: shapes.datasetDeletedAnswerShape,
  DatasetDeleting: shapes.datasetDeletingAnswerShape,
  MoveStarted: shapes.moveStartedAnswerShape,
  MoveList: shapes.moveListAnswerShape,
  MoveAnswer: shapes.moveAnswerShape,
  AgentList: shapes.agentListAnswerShape,
  AgentAnswer: shapes.agentAnswerShape,
};

const TEXT_ANSWERS: Record<string, string> = {
  'text/event-stream': 'server-sent events: `event: app|dataset|task|move|leader|subscription` (and `resync`), `id:`, `data:` the changed object\'s view or {"id","deleted":true}; a `: heartbeat` comment every 15 s',
  'text/plain': 'Prometheus text exposition format 0.0.4; every name starts with ferry_',
  'application/gzip': 'the node artifact (a tar.gz of Ferry\'s node executor)',
  'application/json': 'this document',
};

const appId: Parameter = { name: 'id', in: 'path', required: true, description: 'the app id without its leading slash; its segments stay separate path segments (/v1/apps/prod/db)', schema: { type: 'string' } };
const ifMatch: Parameter = { name: 'If-Match', in: 'header', description: 'the app version (the ETag of GET /v1/apps/{id}) the change is meant for; 412 when the app is at another', schema: { type: 'string' } };
const name: Parameter = { name: 'name', in: 'path', required: true, description: 'the dataset name', schema: { type: 'string' } };
const moveId: Parameter = { name: 'id', in: 'path', required: true, description: 'the move id', schema: { type: 'string' } };
const agentId: Parameter = { name: 'id', in: 'path', required: true, description: 'the Mesos agent id', schema: { type: 'string' } };

function queryParameters(schema: z.ZodObject): Parameter[] {
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, Record<string, unknown>> };
  return Object.entries(json.properties ?? {}).map(([key, property]) => {
    const { description, ...rest } = property;
    return { name: key, in: 'query', description: typeof description === 'string' ? description : key, schema: rest };
  });
}

const refused = (what = 'a field is invalid; the body names it'): Record<number, [string]> => ({ 422: [what] });
const missing = (what: string): Record<number, [string]> => ({ 404: [`no such ${what}`] });
const notLeader: Record<number, [string]> = { 502: ['a standby could not reach the leader'], 503: ['no leader right now'] };

/** Every route, by documented path and method. Paths use OpenAPI's {param} templates. */
export const OPERATIONS: Record<string, Partial<Record<Method, Operation>>> = {
  '/v1/health': {
    get: { summary: 'whether this instance has a live state-store session (standbys included)', secured: false, answers: { 200: ['healthy', 'Health'], 503: ['no state-store session', 'Health'] } },
  },
  '/v1/leader': { get: { summary: 'where the leader\'s API is', answers: { 200: ['the leader', 'Leader'], 503: ['no leader right now'] } } },
  '/v1/version': { get: { summary: 'the Ferry version this instance runs', answers: { 200: ['its version', 'Version'] } } },
  '/v1/apps': {
    get: { summary: 'every app, with task counts', answers: { 200: ['the apps', 'AppList'] } },
    post: { summary: 'create an app', write: true, body: 'AppDefinition', answers: { 201: ['created', 'AppDetail'], 409: ['the id, or a dataset it claims, is taken'], ...refused(), ...notLeader } },
  },
  '/v1/apps/{id}': {
    get: { summary: 'one app with its tasks, datasets and why instances wait', parameters: [appId], answers: { 200: ['the app (ETag: its version)', 'AppDetail'], ...missing('app') } },
    put: {
      summary: 'replace (or create) an app; running tasks are replaced unless only the instance count changed',
      write: true,
      parameters: [appId, ifMatch],
      body: 'AppDefinition',
      answers: { 200: ['updated', 'AppDetail'], 201: ['created', 'AppDetail'], 412: ['If-Match names another version'], ...refused(), ...notLeader },
    },
    delete: {
      summary: 'delete an app; its datasets are kept unless deleteDatasets=true and none of them was ever placed',
      write: true,
      parameters: [appId, ifMatch, ...queryParameters(shapes.appDeleteQuery)],
      answers: { 200: ['deleted', 'AppDeleted'], 409: ['deleteDatasets=true but a dataset may hold data'], 412: ['If-Match names another version'], ...missing('app'), ...notLeader },
    },
  },
  '/v1/apps/{id}/scale': {
    post: { summary: 'set the number of instances', write: true, parameters: [appId, ifMatch], body: 'ScaleRequest', answers: { 200: ['scaled', 'AppDetail'], 412: ['If-Match names another version'], ...missing('app'), ...refused(), ...notLeader } },
  },
  '/v1/apps/{id}/restart': {
    post: { summary: 'replace every task (as the upgrade strategy allows)', write: true, parameters: [appId, ifMatch], answers: { 202: ['restarting', 'AppRestarting'], 412: ['If-Match names another version'], ...missing('app'), ...notLeader } },
  },
  '/v1/apps/{id}/move': {
    post: {
      summary: 'move an app instance and its dataset to another agent',
      write: true,
      parameters: [appId, ifMatch],
      body: 'MoveRequest',
      answers: { 202: ['the move started (Location: /v1/moves/{id})', 'MoveStarted'], 409: ['the dataset cannot move now'], 412: ['If-Match names another version'], ...missing('app'), ...refused(), ...notLeader },
    },
  },
  '/v1/datasets': {
    get: { summary: 'datasets, optionally filtered', parameters: queryParameters(shapes.datasetListQuery), answers: { 200: ['the datasets', 'DatasetList'], 400: ['a filter is invalid'] } },
    post: {
      summary: 'create a dataset ahead of time (state NEW; placed when an app first uses it)',
      write: true,
      body: 'DatasetCreateRequest',
      answers: { 201: ['created', 'DatasetAnswer'], 409: ['a dataset of that name exists'], ...refused(), ...notLeader },
    },
  },
  '/v1/datasets/{name}': {
    get: { summary: 'one dataset', parameters: [name], answers: { 200: ['the dataset', 'DatasetAnswer'], ...missing('dataset') } },
    delete: {
      summary: 'delete a dataset that no app uses: at once when it holds no data, else after its backend removed the data',
      write: true,
      parameters: [name],
      answers: {
        200: ['deleted (it held no data)', 'DatasetDeleted'],
        202: ['its data is being removed (Location: /v1/moves/{id}); the record goes when that is done', 'DatasetDeleting'],
        409: ['it is in use, moving, or already being deleted'],
        ...missing('dataset'),
        ...notLeader,
      },
    },
  },
  '/v1/datasets/{name}/move': {
    post: { summary: 'move a dataset (and the app instance using it) to another agent', write: true, parameters: [name], body: 'MoveRequest', answers: { 202: ['the move started', 'MoveStarted'], 409: ['it cannot move now'], ...missing('dataset'), ...refused(), ...notLeader } },
  },
  '/v1/moves': { get: { summary: 'moves, newest first', parameters: queryParameters(shapes.moveListQuery), answers: { 200: ['the moves', 'MoveList'], 400: ['the state filter is invalid'] } } },
  '/v1/moves/{id}': {
    get: { summary: 'one move with its step timeline', parameters: [moveId], answers: { 200: ['the move', 'MoveAnswer'], ...missing('move') } },
    delete: { summary: 'cancel a move before its switch; it rolls back', write: true, parameters: [moveId], answers: { 202: ['cancelling', 'MoveAnswer'], 409: ['it ended or is past its switch'], ...missing('move'), ...notLeader } },
  },
  '/v1/agents': { get: { summary: 'the agents the leader knows (standbys forward)', answers: { 200: ['the agents', 'AgentList'], ...notLeader } } },
  '/v1/agents/{id}': { get: { summary: 'one agent', parameters: [agentId], answers: { 200: ['the agent', 'AgentAnswer'], ...missing('agent'), ...notLeader } } },
  '/v1/events': {
    get: {
      summary: 'every durable state change as server-sent events (standbys relay the leader\'s stream)',
      parameters: [{ name: 'Last-Event-ID', in: 'header', description: 'resume after this event (the leader keeps the last 1000)', schema: { type: 'string' } }],
      answers: { 200: ['the stream', 'text/event-stream'], ...notLeader },
    },
  },
  '/v1/openapi.json': { get: { summary: 'this document', answers: { 200: ['the OpenAPI 3.1 document', 'application/json'] } } },
  '/v1/artifacts/ferry-node.tar.gz': {
    get: { summary: 'the node artifact the Mesos fetcher downloads for Ferry\'s node executor', secured: false, answers: { 200: ['the artifact (ETag: its sha256)', 'application/gzip'], 304: ['unchanged'] } },
  },
  '/metrics': { get: { summary: 'Prometheus metrics', secured: false, answers: { 200: ['the metrics', 'text/plain'] } } },
};

function componentSchemas(registry: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, unknown> {
  const reg = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(registry)) reg.add(schema, { id });
  const { schemas } = z.toJSONSchema(reg, { io, target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` });
  const out: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _schema, $id: _id, ...rest } = schema as Record<string, unknown>;
    out[id] = rest;
  }
  return out;
}

function answer(description: string, target: string | undefined): Record<string, unknown> {
  if (target === undefined) return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  if (target in TEXT_ANSWERS) {
    const schema = target === 'application/json' ? { type: 'object' } : { type: 'string', description: TEXT_ANSWERS[target] };
    return { description, content: { [target]: { schema } } };
  }
  return { description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${target}` } } } };
}

let built: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  if (built !== undefined) return built;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, operations] of Object.entries(OPERATIONS)) {
    const item: Record<string, unknown> = {};
    for (const [method, op] of Object.entries(operations) as [Method, Operation][]) {
      const responses: Record<string, unknown> = {};
      for (const [status, [description, target]] of Object.entries(op.answers)) responses[status] = answer(description, target);
      if (op.secured !== false) {
        responses['401'] = answer('tokens are configured and the request carries no known token (WWW-Authenticate: Bearer)', undefined);
        if (op.write === true) responses['403'] = answer('a read-only token asked for a change', undefined);
      }
      if (op.body !== undefined) {
        responses['400'] ??= answer('the body is not JSON, or a query parameter is unknown or invalid', undefined);
        responses['413'] = answer('the body is larger than 1 MiB', undefined);
        responses['415'] = answer('the body is not application/json', undefined);
      }
      item[method] = {
        summary: op.summary,
        operationId: `${method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
        ...(op.parameters !== undefined ? { parameters: op.parameters } : {}),
        ...(op.body !== undefined ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.body}` } } } } } : {}),
        responses,
        ...(op.secured === false ? { security: [] } : {}),
      };
    }
    paths[path] = item;
  }
  built = {
    openapi: '3.1.0',
    info: {
      title: 'Ferry API',
      version: versionInfo().version,
      description: 'Ferry runs stateful apps on Mesos with portable datasets. Errors are {"message","field"}; bad input is a 4xx naming the field. See docs/api.md.',
    },
    components: {
      schemas: { ...componentSchemas(REQUESTS, 'input'), ...componentSchemas(ANSWERS, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'only when tokens are configured (--auth-tokens or FERRY_AUTH_TOKENS); roles admin and read-only' } },
    },
    security: [{ bearer: [] }],
    paths,
  };
  return built;
}

export function openApiRoutes(): Router {
  const router = new Router();
  router.get(OPENAPI_PATH, (ctx) => {
    ctx.body = openApiDocument();
  });
  return router;
}
