// The Marathon fields Ferry knows but does not support, with the values that
// mean "not used" (what Marathon's GET returns for an app that does not use
// them), and the read-only fields Marathon's GET adds. Data and one check.

import { childPath, type FieldError } from './fieldError.js';

export interface UnsupportedField {
  /** whether this value asks for nothing Ferry lacks (null, [], a default), so it can be accepted */
  inert: (value: unknown) => boolean;
  /** why Ferry refuses any other value, and what to do instead */
  message: string;
}

const absent = (v: unknown): boolean => v === null || v === undefined;
const emptyArray = (v: unknown): boolean => Array.isArray(v) && v.length === 0;
const emptyObject = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
const oneOf =
  (...values: readonly unknown[]) =>
  (v: unknown): boolean =>
    absent(v) || values.includes(v);
const orEmptyArray = (v: unknown): boolean => absent(v) || emptyArray(v);
const orEmptyObject = (v: unknown): boolean => absent(v) || emptyObject(v);
const onlyWildcardRole = (v: unknown): boolean => orEmptyArray(v) || (Array.isArray(v) && v.length === 1 && v[0] === '*');
const hostNetworkingOnly = (v: unknown): boolean =>
  orEmptyArray(v) ||
  (Array.isArray(v) &&
    v.length === 1 &&
    typeof v[0] === 'object' &&
    v[0] !== null &&
    Object.keys(v[0]).length === 1 &&
    (v[0] as Record<string, unknown>)['mode'] === 'host');

export const UNSUPPORTED_APP_FIELDS = {
  acceptedResourceRoles: {
    inert: onlyWildcardRole,
    message: 'Ferry does not support acceptedResourceRoles: tasks use the resources offered to Ferry\'s role; remove it (or leave it ["*"])',
  },
  check: { inert: absent, message: 'Ferry does not support Mesos checks (check); use healthChecks' },
  dependencies: { inert: orEmptyArray, message: 'Ferry does not support dependencies between apps; deploy them in order instead' },
  executor: {
    inert: oneOf('', '//cmd'),
    message: 'Ferry does not support custom executors: tasks run under the Mesos command executor; remove executor',
  },
  executorResources: {
    inert: absent,
    message: "Ferry does not support executorResources: the command executor's resources are not configurable",
  },
  gpus: { inert: oneOf(0), message: 'Ferry does not support GPUs: gpus must be 0 or absent' },
  ipAddress: {
    inert: absent,
    message: 'Ferry does not support ipAddress (an IP per task): tasks use host networking; declare ports in portDefinitions',
  },
  networks: {
    inert: hostNetworkingOnly,
    message: 'Ferry supports host networking only: remove networks or give [{"mode": "host"}]',
  },
  readinessChecks: { inert: orEmptyArray, message: 'Ferry does not support readinessChecks; use healthChecks' },
  residency: {
    inert: absent,
    message: 'Ferry does not support residency (deprecated in Marathon): Ferry always keeps a stateful task with its dataset; remove it',
  },
  resourceLimits: { inert: absent, message: 'Ferry does not support resourceLimits: tasks get exactly cpus and mem' },
  role: { inert: oneOf('*'), message: 'Ferry does not support role: tasks use the role Ferry registers with; remove it' },
  secrets: {
    inert: orEmptyObject,
    message: 'Ferry does not support Marathon secrets; pass configuration through env or fetch',
  },
  storeUrls: { inert: orEmptyArray, message: 'Ferry does not support storeUrls (deprecated in Marathon); use fetch' },
  tty: { inert: oneOf(false), message: 'Ferry does not support tty; remove it' },
  unreachableStrategy: {
    inert: absent,
    message:
      'Ferry does not support unreachableStrategy: Ferry itself decides what happens to an unreachable stateful task ' +
      '(it moves the dataset once the agent stays unreachable past its configured timeout, when the backend allows); remove it',
  },
} satisfies Record<string, UnsupportedField>;

/**
 * Fields Marathon adds to an app when it shows it (GET /v2/apps/...). Operators
 * routinely PUT such a document back, and Marathon accepts them then, so Ferry
 * accepts them too; they describe a running app, not a wish, so they are
 * dropped from the stored definition rather than kept stale.
 */
export const READ_ONLY_APP_FIELDS = [
  'version',
  'versionInfo',
  'tasksRunning',
  'tasksStaged',
  'tasksHealthy',
  'tasksUnhealthy',
  'deployments',
  'tasks',
  'lastTaskFailure',
  'readinessCheckResults',
  'tasksStats',
] as const;

export const UNSUPPORTED_CONTAINER_FIELDS = {
  docker: {
    inert: absent,
    message: 'Ferry does not support Docker (no images, no Docker containerizer): remove container.docker and give cmd or args',
  },
  portMappings: {
    inert: orEmptyArray,
    message: 'Ferry does not support container.portMappings: tasks use host networking; declare ports in portDefinitions',
  },
  linuxInfo: { inert: absent, message: 'Ferry does not support container.linuxInfo; remove it' },
} satisfies Record<string, UnsupportedField>;

export const UNSUPPORTED_HEALTH_CHECK_FIELDS = {
  ipProtocol: { inert: oneOf('IPv4'), message: 'Ferry probes over IPv4 only: remove ipProtocol or set it to "IPv4"' },
  ignoreHttp1xx: { inert: oneOf(false), message: 'Ferry does not support ignoreHttp1xx; remove it' },
} satisfies Record<string, UnsupportedField>;

export const UNSUPPORTED_EXTERNAL_VOLUME_FIELDS = {
  shared: {
    inert: oneOf(false),
    message: 'a Ferry dataset is never shared: at most one live task uses it, so shared must be false or absent',
  },
} satisfies Record<string, UnsupportedField>;

export const UNSUPPORTED_PERSISTENT_VOLUME_FIELDS = {
  maxSize: {
    inert: absent,
    message: 'Ferry does not support maxSize: a local persistent volume is a directory of exactly size MiB (type root)',
  },
  profileName: {
    inert: absent,
    message:
      'Ferry does not support Mesos disk profiles (profileName); for a Ferry profile use an external volume ' +
      'with provider "ferry" and the option "ferry/profile"',
  },
  constraints: {
    inert: orEmptyArray,
    message: 'Ferry does not support constraints on the disk of a persistent volume; constrain the app instead',
  },
} satisfies Record<string, UnsupportedField>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One error per field of `object` (at JSON path `path`) whose value asks for something Ferry does not support. */
export function unsupportedFieldErrors(object: unknown, fields: Readonly<Record<string, UnsupportedField>>, path: string): FieldError[] {
  if (!isRecord(object)) return [];
  const errors: FieldError[] = [];
  for (const [key, field] of Object.entries(fields)) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    if (!field.inert(object[key])) errors.push({ field: childPath(path, key), message: field.message });
  }
  return errors;
}
