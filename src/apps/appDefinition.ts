// Marathon app definitions → AppSpec: validates the JSON an operator submits,
// refuses what Ferry does not support (naming the field and saying why),
// applies Marathon's defaults. Pure: no I/O, and bad input never throws.

import type { BackendName } from '../state/model.js';
import { normalizeAppId, reservedAppIdProblem } from './appId.js';
import { appDefinitionShape, type AppDefinitionShape, type ContainerShape } from './appDefinitionShape.js';
import type { AppSpec, DatasetClaim } from './appSpec.js';
import { parseConstraints } from './constraints/constraintDefinition.js';
import { claimFromVolumes } from './datasetClaim.js';
import { normalizeEnv } from './environment.js';
import { normalizeFetch } from './fetchArtifacts.js';
import { childPath, describeValue, type FieldError } from './fieldError.js';
import { normalizeHealthChecks } from './healthChecks.js';
import { normalizePorts } from './portDefinitions.js';
import { shapeErrors } from './shapeErrors.js';
import {
  READ_ONLY_APP_FIELDS,
  unsupportedFieldErrors,
  UNSUPPORTED_APP_FIELDS,
  UNSUPPORTED_CONTAINER_FIELDS,
  UNSUPPORTED_HEALTH_CHECK_FIELDS,
} from './unsupportedFields.js';
import { normalizeUpgradeStrategy } from './upgradeStrategy.js';

export interface ParseAppOptions {
  /**
   * The app id the request URL names (PUT /v1/apps/prod/db): used when the
   * body has no id; a body id that differs is refused.
   */
  idFromUrl?: string;
  /** The backend of an external Ferry volume whose options name none; "local" unless given. */
  defaultBackend?: BackendName;
}

export type ParseAppResult =
  | { ok: true; spec: AppSpec; definition: Record<string, unknown> }
  | { ok: false; errors: FieldError[] };

/** Marathon's defaults for the fields an operator may omit (maxLaunchDelaySeconds as since Marathon 1.8). */
export const APP_DEFAULTS = {
  cpus: 1,
  mem: 128,
  disk: 0,
  instances: 1,
  killSelection: 'YOUNGEST_FIRST',
  backoffSeconds: 1,
  backoffFactor: 1.15,
  maxLaunchDelaySeconds: 300,
} as const;

const given = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveId(bodyId: string | null | undefined, options: ParseAppOptions, errors: FieldError[]): string {
  let fromUrl: string | undefined;
  if (options.idFromUrl !== undefined) {
    const normalized = normalizeAppId(options.idFromUrl);
    if (!normalized.ok) {
      errors.push(normalized.error);
      return '';
    }
    fromUrl = normalized.id;
  }
  if (!given(bodyId)) {
    if (fromUrl === undefined) errors.push({ field: 'id', message: 'is required: the app\'s id, e.g. "/prod/db"' });
    return fromUrl ?? '';
  }
  const normalized = normalizeAppId(bodyId);
  if (!normalized.ok) {
    errors.push(normalized.error);
    return '';
  }
  if (fromUrl !== undefined && normalized.id !== fromUrl) {
    errors.push({ field: 'id', message: `"${normalized.id}" does not match the app the URL names, "${fromUrl}"` });
  }
  return normalized.id;
}

function resolveCommand(app: AppDefinitionShape, errors: FieldError[]): Pick<AppSpec, 'cmd' | 'args'> {
  const cmd = app.cmd ?? undefined;
  // Marathon shows an unused args as [] and accepts it back alongside cmd.
  const args = app.args === null || (app.args?.length === 0 && cmd !== undefined) ? undefined : app.args;
  if (cmd !== undefined && args !== undefined) {
    errors.push({ field: 'args', message: 'give cmd or args, not both' });
    return {};
  }
  if (cmd !== undefined) {
    if (cmd.trim() === '') errors.push({ field: 'cmd', message: 'must not be empty' });
    return { cmd };
  }
  if (args !== undefined) {
    if (args.length === 0) errors.push({ field: 'args', message: 'must not be empty: give the program and its arguments' });
    return { args };
  }
  errors.push({
    field: 'cmd',
    message: 'an app needs cmd (a shell command) or args (the program and its arguments); Ferry runs no container images',
  });
  return {};
}

function checkContainer(container: ContainerShape | null | undefined, errors: FieldError[]): void {
  if (!given(container)) return;
  errors.push(...unsupportedFieldErrors(container, UNSUPPORTED_CONTAINER_FIELDS, 'container'));
  if (container.type === 'DOCKER') {
    errors.push({
      field: 'container.type',
      message: 'Ferry does not support Docker (no images, no Docker containerizer): use "MESOS" or omit container.type, and give cmd or args',
    });
  }
}

/** Whether the definition declares a Ferry volume at all, even one with errors. */
function declaresDataset(container: ContainerShape | null | undefined): boolean {
  return (container?.volumes ?? []).some((v) => given(v.external) || given(v.persistent));
}

/**
 * "__proto__" keys, at any depth. JSON.parse makes them ordinary keys, but
 * copying one into a fresh object would set its prototype instead, so zod's
 * records drop them: refused here rather than silently lost.
 */
function prototypeKeyErrors(value: unknown, path: string): FieldError[] {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => prototypeKeyErrors(item, childPath(path, i)));
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '__proto__'
      ? [{ field: childPath(path, key), message: '"__proto__" cannot be used as a name here' }]
      : prototypeKeyErrors(inner, childPath(path, key)),
  );
}

/** The definition as stored and shown back: id normalized (and first), Marathon's read-only fields dropped. */
function storedDefinition(input: Record<string, unknown>, id: string): Record<string, unknown> {
  const readOnly: readonly string[] = READ_ONLY_APP_FIELDS;
  const definition: Record<string, unknown> = { id };
  for (const [key, value] of Object.entries(input)) {
    if (key !== 'id' && !readOnly.includes(key)) definition[key] = structuredClone(value);
  }
  return definition;
}

/**
 * Validates and normalizes a Marathon app definition. On success, the AppSpec
 * the scheduler runs and the definition to store; otherwise every error found,
 * each naming its field.
 */
export function parseAppDefinition(input: unknown, options: ParseAppOptions = {}): ParseAppResult {
  if (!isPlainObject(input)) {
    return { ok: false, errors: [{ field: '', message: `an app definition is a JSON object; got ${describeValue(input)}` }] };
  }
  const errors: FieldError[] = [...prototypeKeyErrors(input, ''), ...unsupportedFieldErrors(input, UNSUPPORTED_APP_FIELDS, '')];
  const shaped = appDefinitionShape.safeParse(input);
  if (!shaped.success) return { ok: false, errors: [...shapeErrors(shaped.error, input), ...errors] };
  const app = shaped.data;

  const id = resolveId(app.id, options, errors);
  if (id !== '') {
    const reserved = reservedAppIdProblem(id);
    if (reserved !== undefined) errors.push({ field: 'id', message: reserved });
  }
  const command = resolveCommand(app, errors);
  const instances = app.instances ?? APP_DEFAULTS.instances;

  checkContainer(app.container, errors);
  const dataset: DatasetClaim | undefined = claimFromVolumes(
    { appId: id, instances, volumes: app.container?.volumes ?? [], defaultBackend: options.defaultBackend ?? 'local' },
    errors,
  );

  const { constraints, errors: constraintErrors } = parseConstraints(app.constraints ?? [], 'constraints');
  errors.push(...constraintErrors);

  const ports = normalizePorts(app, errors);
  const checks = app.healthChecks ?? [];
  checks.forEach((check, i) => {
    errors.push(...unsupportedFieldErrors(check, UNSUPPORTED_HEALTH_CHECK_FIELDS, childPath('healthChecks', i)));
  });
  const healthChecks = normalizeHealthChecks(checks, ports.length, errors);
  const env = normalizeEnv(app.env, errors);
  const fetch = normalizeFetch(app.fetch, app.uris, errors);
  const upgradeStrategy = normalizeUpgradeStrategy(app.upgradeStrategy, declaresDataset(app.container), errors);
  if (given(app.user) && app.user.trim() === '') {
    errors.push({ field: 'user', message: "must not be empty; omit it to run as Ferry's default user" });
  }

  if (errors.length > 0) return { ok: false, errors };

  const spec: AppSpec = {
    id,
    ...command,
    cpus: app.cpus ?? APP_DEFAULTS.cpus,
    mem: app.mem ?? APP_DEFAULTS.mem,
    disk: app.disk ?? APP_DEFAULTS.disk,
    instances,
    env,
    labels: app.labels ?? {},
    constraints,
    ports,
    healthChecks,
    fetch,
    killSelection: app.killSelection ?? APP_DEFAULTS.killSelection,
    backoffSeconds: app.backoffSeconds ?? APP_DEFAULTS.backoffSeconds,
    backoffFactor: app.backoffFactor ?? APP_DEFAULTS.backoffFactor,
    maxLaunchDelaySeconds: app.maxLaunchDelaySeconds ?? APP_DEFAULTS.maxLaunchDelaySeconds,
    upgradeStrategy,
  };
  if (given(app.user)) spec.user = app.user;
  if (given(app.taskKillGracePeriodSeconds)) spec.taskKillGracePeriodSeconds = app.taskKillGracePeriodSeconds;
  if (dataset !== undefined) spec.dataset = dataset;
  return { ok: true, spec, definition: storedDefinition(input, id) };
}
