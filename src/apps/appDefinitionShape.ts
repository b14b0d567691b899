// The JSON shape of a Marathon app definition as Ferry accepts it, in zod: the
// explicit allow-list of fields at every level, their types and ranges. Values
// are judged elsewhere; an unknown key is an error here, never dropped.

import { z } from 'zod';
import {
  READ_ONLY_APP_FIELDS,
  UNSUPPORTED_APP_FIELDS,
  UNSUPPORTED_CONTAINER_FIELDS,
  UNSUPPORTED_EXTERNAL_VOLUME_FIELDS,
  UNSUPPORTED_HEALTH_CHECK_FIELDS,
  UNSUPPORTED_PERSISTENT_VOLUME_FIELDS,
} from './unsupportedFields.js';

type AnyJson = z.ZodOptional<z.ZodUnknown>;

// Fields whose values unsupportedFields.ts judges (or, read-only, drops): any JSON is shape-valid here.
function judgedElsewhere<K extends string>(keys: readonly K[]): Record<K, AnyJson> {
  return Object.fromEntries(keys.map((key) => [key, z.unknown().optional()])) as Record<K, AnyJson>;
}

function keysOf<T extends object>(fields: T): (keyof T & string)[] {
  return Object.keys(fields) as (keyof T & string)[];
}

const stringMap = z.record(z.string(), z.string());
const anyPort = z.number().int().min(0).max(65535);
const count = z.number().int().min(0).max(2147483647);
// Marathon reads null as "not given" (its GET shows null for unset fields).
const seconds = count.nullish();

export const HEALTH_CHECK_PROTOCOLS = ['COMMAND', 'HTTP', 'HTTPS', 'TCP', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP'] as const;

export const portDefinitionShape = z.strictObject({
  port: anyPort.nullish(),
  name: z.string().nullish(),
  protocol: z.enum(['tcp', 'udp', 'udp,tcp']).nullish(),
  labels: stringMap.nullish(),
});

export const healthCheckShape = z.strictObject({
  protocol: z.enum(HEALTH_CHECK_PROTOCOLS).nullish(),
  command: z.strictObject({ value: z.string() }).nullish(),
  path: z.string().nullish(),
  port: anyPort.nullish(),
  portIndex: count.nullish(),
  gracePeriodSeconds: seconds,
  intervalSeconds: seconds,
  timeoutSeconds: seconds,
  maxConsecutiveFailures: seconds,
  delaySeconds: seconds,
  ...judgedElsewhere(keysOf(UNSUPPORTED_HEALTH_CHECK_FIELDS)),
});

export const fetchShape = z.strictObject({
  uri: z.string(),
  extract: z.boolean().nullish(),
  executable: z.boolean().nullish(),
  cache: z.boolean().nullish(),
  destPath: z.string().nullish(),
});

export const externalVolumeShape = z.strictObject({
  name: z.string().nullish(),
  size: z.number().nullish(),
  provider: z.string().nullish(),
  options: stringMap.nullish(),
  ...judgedElsewhere(keysOf(UNSUPPORTED_EXTERNAL_VOLUME_FIELDS)),
});

export const persistentVolumeShape = z.strictObject({
  type: z.enum(['root', 'path', 'mount']).nullish(),
  size: z.number().nullish(),
  ...judgedElsewhere(keysOf(UNSUPPORTED_PERSISTENT_VOLUME_FIELDS)),
});

export const volumeShape = z.strictObject({
  containerPath: z.string().nullish(),
  mode: z.enum(['RW', 'RO']).nullish(),
  external: externalVolumeShape.nullish(),
  persistent: persistentVolumeShape.nullish(),
  // the kinds Ferry refuses are recognized, so that the refusal can say why
  hostPath: z.unknown().optional(),
  secret: z.unknown().optional(),
});

export const containerShape = z.strictObject({
  type: z.enum(['MESOS', 'DOCKER']).nullish(),
  volumes: z.array(volumeShape).nullish(),
  ...judgedElsewhere(keysOf(UNSUPPORTED_CONTAINER_FIELDS)),
});

export const upgradeStrategyShape = z.strictObject({
  minimumHealthCapacity: z.number().min(0).max(1).nullish(),
  maximumOverCapacity: z.number().min(0).max(1).nullish(),
});

export const appDefinitionShape = z.strictObject({
  id: z.string().nullish(),
  cmd: z.string().nullish(),
  args: z.array(z.string()).nullish(),
  cpus: z.number().min(0.001).nullish(),
  mem: z.number().min(0).nullish(),
  disk: z.number().min(0).nullish(),
  instances: count.nullish(),
  env: z.record(z.string(), z.unknown()).nullish(),
  labels: stringMap.nullish(),
  constraints: z.array(z.unknown()).nullish(),
  portDefinitions: z.array(portDefinitionShape).nullish(),
  ports: z.array(anyPort).nullish(),
  requirePorts: z.boolean().nullish(),
  healthChecks: z.array(healthCheckShape).nullish(),
  killSelection: z.enum(['YOUNGEST_FIRST', 'OLDEST_FIRST']).nullish(),
  taskKillGracePeriodSeconds: seconds,
  fetch: z.array(fetchShape).nullish(),
  uris: z.array(z.string()).nullish(),
  user: z.string().nullish(),
  backoffSeconds: seconds,
  backoffFactor: z.number().min(1).nullish(),
  maxLaunchDelaySeconds: seconds,
  upgradeStrategy: upgradeStrategyShape.nullish(),
  container: containerShape.nullish(),
  ...judgedElsewhere(keysOf(UNSUPPORTED_APP_FIELDS)),
  ...judgedElsewhere(READ_ONLY_APP_FIELDS),
});

export type AppDefinitionShape = z.infer<typeof appDefinitionShape>;
export type PortDefinitionShape = z.infer<typeof portDefinitionShape>;
export type HealthCheckShape = z.infer<typeof healthCheckShape>;
export type FetchShape = z.infer<typeof fetchShape>;
export type VolumeShape = z.infer<typeof volumeShape>;
export type ContainerShape = z.infer<typeof containerShape>;
export type UpgradeStrategyShape = z.infer<typeof upgradeStrategyShape>;
