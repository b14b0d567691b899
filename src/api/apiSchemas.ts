// The API's shapes in zod: request bodies and query parameters (the routes
// validate with them) and the answers (views.ts builds them, the OpenAPI
// document describes them, tests check real answers against them). A shape
// changes here first; nothing else restates it.

import { z } from 'zod';
import { appDefinitionShape } from '../apps/appDefinitionShape.js';
import { DATASET_NAME_MAX_LENGTH } from '../apps/datasetName.js';
import { PROFILE_NAMES } from '../backends/profiles.js';
import { TASK_STATES } from '../mesos/types.js';
import { BACKENDS } from '../state/model.js';

export const DATASET_STATES = ['NEW', 'PREPARING', 'READY', 'MOVING', 'UNAVAILABLE', 'DELETING'] as const;
export const MOVE_STATES = ['RUNNING', 'SUCCEEDED', 'ROLLED_BACK', 'CANCELLED', 'FAILED'] as const;
export const MAX_METADATA_ENTRIES = 32;
export const MAX_METADATA_TEXT = 256;

const isoTime = z.string().describe('an ISO-8601 time');

// ---- requests -------------------------------------------------------------------

export const appDefinitionBody = appDefinitionShape.describe('a Marathon app definition; the dataset is one of container.volumes[] (external with provider "ferry", or persistent)');

export const scaleBody = z.strictObject({
  instances: z.int({ error: 'instances must be an integer >= 0' }).min(0, { error: 'instances must be an integer >= 0' }).max(2147483647),
});

export const moveBody = z.strictObject({
  to: z.string({ error: 'to must be an agent id or "any"' }).min(1, { error: 'to must be an agent id or "any"' }).describe('the destination agent id, or "any" for the best-ranked other agent'),
  instance: z.int({ error: 'instance must be an integer >= 0' }).min(0, { error: 'instance must be an integer >= 0' }).optional().describe('app moves: which instance (default 0)'),
  force: z.boolean({ error: 'force must be true or false' }).optional().describe('move even when the source agent cannot be reached (block backends fence it)'),
});

const metadataText = z.string().min(1, { error: 'metadata keys and values must not be empty' }).max(MAX_METADATA_TEXT, { error: `metadata keys and values are at most ${MAX_METADATA_TEXT} characters` });

export const datasetCreateBody = z
  .strictObject({
    name: z.string({ error: 'name must be a string' }).describe(`lowercase letters, digits, '-', '_' and '.', starting with a letter or digit, at most ${DATASET_NAME_MAX_LENGTH} characters`),
    size: z.int({ error: 'size must be a whole number of GiB >= 1' }).min(1, { error: 'size must be a whole number of GiB >= 1' }).max(65536).optional().describe('GiB; give size or sizeMiB'),
    sizeMiB: z.int({ error: 'sizeMiB must be a whole number of MiB >= 1' }).min(1, { error: 'sizeMiB must be a whole number of MiB >= 1' }).max(65536 * 1024).optional().describe('MiB; give size or sizeMiB'),
    backend: z.enum(BACKENDS, { error: `backend must be one of ${BACKENDS.join(', ')}` }).default('local'),
    profile: z.enum(PROFILE_NAMES, { error: `profile must be one of ${PROFILE_NAMES.join(', ')}` }).optional(),
    metadata: z
      .record(metadataText, metadataText)
      .refine((m) => Object.keys(m).length <= MAX_METADATA_ENTRIES, { error: `metadata holds at most ${MAX_METADATA_ENTRIES} entries` })
      .optional(),
    agent: z.string().min(1, { error: 'agent must be an agent id (GET /v1/agents)' }).optional().describe('place the dataset on this agent when it is first used'),
    zone: z.string().min(1, { error: 'zone must not be empty' }).optional().describe('only agents with this zone attribute may hold it'),
  })
  .refine((b) => (b.size === undefined) !== (b.sizeMiB === undefined), { error: 'give the size as either size (GiB) or sizeMiB, exactly one of them', path: ['size'] });

export const datasetListQuery = z.strictObject({
  app: z.string().min(1).optional().describe('only datasets owned by this app id, e.g. /prod/db'),
  agent: z.string().min(1).optional().describe('only datasets on this agent'),
  state: z.enum(DATASET_STATES, { error: `state must be one of ${DATASET_STATES.join(', ')}` }).optional().describe('only datasets in this state'),
});

export const moveListQuery = z.strictObject({
  state: z.enum(MOVE_STATES, { error: `state must be one of ${MOVE_STATES.join(', ')}` }).optional().describe('only moves in this state'),
});

export const appDeleteQuery = z.strictObject({
  deleteDatasets: z.enum(['true', 'false'], { error: 'deleteDatasets must be true or false' }).optional().describe('also delete the app\'s datasets; refused (409) if any was ever placed'),
});

export const noQuery = z.strictObject({});

// ---- answers --------------------------------------------------------------------

export const errorViewShape = z.object({ message: z.string(), field: z.string().optional().describe('the field, parameter or header at fault') });

export const taskViewShape = z.object({
  id: z.string(),
  kind: z.enum(['prepare', 'node']).optional().describe('absent for app tasks'),
  appId: z.string(),
  instance: z.int(),
  agentId: z.string(),
  hostname: z.string().optional(),
  state: z.enum(TASK_STATES),
  dataVia: z.enum(['volume', 'env']).optional(),
  dataset: z.string().optional(),
  healthy: z.boolean().optional(),
  message: z.string().optional(),
  killRequested: z.boolean(),
  launchedAt: isoTime,
  updatedAt: isoTime,
});

export const datasetViewShape = z.object({
  name: z.string(),
  sizeMiB: z.int(),
  backend: z.enum(BACKENDS),
  profile: z.string().optional(),
  state: z.enum(DATASET_STATES),
  agentId: z.string().optional(),
  hostname: z.string().optional(),
  hostPath: z.string().optional(),
  zone: z.string().optional(),
  preferredAgent: z.string().optional(),
  owner: z.object({ appId: z.string(), instance: z.int() }).optional(),
  taskId: z.string().optional().describe('the live task holding it'),
  inUse: z.boolean(),
  reason: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const appDefinitionViewShape = z.looseObject({ id: z.string(), version: z.string() }).describe('the app definition as given, with its version');

export const appSummaryViewShape = appDefinitionViewShape.extend({
  tasksRunning: z.int(),
  tasksStaged: z.int(),
  tasksHealthy: z.int(),
  tasksUnhealthy: z.int(),
});

export const pendingViewShape = z.object({ instance: z.int(), reason: z.string() });

export const appDetailViewShape = z.object({
  app: appDefinitionViewShape,
  tasks: z.array(taskViewShape),
  datasets: z.array(datasetViewShape),
  pending: z.array(pendingViewShape),
});

export const moveStepViewShape = z.looseObject({
  step: z.string(),
  startedAt: isoTime,
  endedAt: isoTime.optional(),
  detail: z.string().optional(),
  outcome: z.enum(['ok', 'failed', 'skipped']).optional(),
  durationMs: z.number().optional(),
});

export const moveViewShape = z
  .looseObject({
    id: z.string(),
    dataset: z.string(),
    backend: z.enum(BACKENDS),
    kind: z.enum(['copy', 'block']),
    appId: z.string().optional(),
    instance: z.int().optional(),
    trigger: z.enum(['api', 'maintenance', 'drain', 'agent-lost', 'placement', 'destroy']),
    from: z.string(),
    to: z.string(),
    state: z.enum(MOVE_STATES),
    step: z.string(),
    steps: z.array(moveStepViewShape),
    error: z.string().optional(),
    createdAt: isoTime,
    updatedAt: isoTime,
    endedAt: isoTime.optional(),
    durationMs: z.number().optional(),
  })
  .describe('a move with its step timeline; the move record\'s secrets and bookkeeping are left out');

export const agentViewShape = z.object({
  id: z.string(),
  hostname: z.string(),
  attributes: z.record(z.string(), z.string()),
  datasets: z.array(z.string()).describe('names of the datasets it holds'),
  tasks: z.int().describe('live app tasks on it'),
  lastOfferAt: isoTime.nullable().describe('null when no offer came from it since this leader took office'),
  unavailableFrom: isoTime.optional().describe('Mesos maintenance makes it unavailable from then'),
  draining: z.boolean().optional(),
  dataVia: z.enum(['volume', 'env']).optional(),
});

export const healthViewShape = z.object({ status: z.enum(['ok', 'unhealthy']), role: z.enum(['leader', 'standby']), message: z.string().optional() });
export const leaderViewShape = z.object({ leader: z.string().describe('HOST:PORT of the leader\'s API'), self: z.boolean() });
export const versionViewShape = z.object({ version: z.string(), commit: z.string().optional() });

export const appListAnswerShape = z.object({ apps: z.array(appSummaryViewShape) });
export const appDeletedAnswerShape = z.object({ id: z.string(), deleted: z.literal(true), datasetsKept: z.boolean(), datasetsDeleted: z.array(z.string()).optional() });
export const appRestartAnswerShape = z.object({ id: z.string(), restarting: z.literal(true), version: z.string() });
export const datasetListAnswerShape = z.object({ datasets: z.array(datasetViewShape) });
export const datasetAnswerShape = z.object({ dataset: datasetViewShape });
export const datasetDeletedAnswerShape = z.object({ name: z.string(), deleted: z.literal(true) });
export const datasetDeletingAnswerShape = z
  .object({ name: z.string(), deleting: z.literal(true), operationId: z.string(), operation: moveViewShape })
  .describe('the dataset held data: a destroy operation (a move record with trigger "destroy") removes it, then the record');
export const moveStartedAnswerShape = z.object({ moveId: z.string(), move: moveViewShape });
export const moveListAnswerShape = z.object({ moves: z.array(moveViewShape) });
export const moveAnswerShape = z.object({ move: moveViewShape });
export const agentListAnswerShape = z.object({ agents: z.array(agentViewShape) });
export const agentAnswerShape = z.object({ agent: agentViewShape });

export type TaskView = z.infer<typeof taskViewShape>;
export type DatasetView = z.infer<typeof datasetViewShape>;
export type AgentView = z.infer<typeof agentViewShape>;
export type PendingView = z.infer<typeof pendingViewShape>;
