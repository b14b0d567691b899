// Health checks with Marathon's defaults applied and its rules checked: a
// command for COMMAND checks only, a port (by index into the app's ports, or
// explicit) for every other protocol, at most one check Mesos runs.

import type { HealthCheckProtocol, HealthCheckSpec } from './appSpec.js';
import type { HealthCheckShape } from './appDefinitionShape.js';
import { childPath, type FieldError } from './fieldError.js';

export const HEALTH_CHECK_DEFAULTS = {
  protocol: 'HTTP',
  gracePeriodSeconds: 300,
  intervalSeconds: 60,
  timeoutSeconds: 20,
  maxConsecutiveFailures: 3,
  delaySeconds: 15,
  path: '/',
  portIndex: 0,
} as const;

const HTTP_PROTOCOLS: readonly HealthCheckProtocol[] = ['HTTP', 'HTTPS', 'MESOS_HTTP', 'MESOS_HTTPS'];
const RUN_BY_MESOS: readonly HealthCheckProtocol[] = ['COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP'];

const given = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

function normalizeOne(check: HealthCheckShape, at: string, portCount: number, errors: FieldError[]): HealthCheckSpec {
  const protocol = check.protocol ?? HEALTH_CHECK_DEFAULTS.protocol;
  const spec: HealthCheckSpec = {
    protocol,
    gracePeriodSeconds: check.gracePeriodSeconds ?? HEALTH_CHECK_DEFAULTS.gracePeriodSeconds,
    intervalSeconds: check.intervalSeconds ?? HEALTH_CHECK_DEFAULTS.intervalSeconds,
    timeoutSeconds: check.timeoutSeconds ?? HEALTH_CHECK_DEFAULTS.timeoutSeconds,
    maxConsecutiveFailures: check.maxConsecutiveFailures ?? HEALTH_CHECK_DEFAULTS.maxConsecutiveFailures,
    delaySeconds: check.delaySeconds ?? HEALTH_CHECK_DEFAULTS.delaySeconds,
  };
  // A zero interval would probe without pause; Marathon allows it, Ferry's checker cannot honour it.
  if (spec.intervalSeconds < 1) errors.push({ field: childPath(at, 'intervalSeconds'), message: 'must be at least 1 second' });
  if (spec.timeoutSeconds < 1) errors.push({ field: childPath(at, 'timeoutSeconds'), message: 'must be at least 1 second' });

  if (protocol === 'COMMAND') {
    const command = check.command?.value;
    if (!given(command) || command.trim() === '') {
      errors.push({ field: childPath(at, 'command'), message: 'a COMMAND health check needs command.value, the shell command to run' });
    } else spec.command = command;
    for (const key of ['path', 'port', 'portIndex'] as const) {
      if (given(check[key])) errors.push({ field: childPath(at, key), message: `${key} does not apply to a COMMAND health check; remove it` });
    }
    return spec;
  }

  if (given(check.command)) {
    errors.push({ field: childPath(at, 'command'), message: `command applies to COMMAND health checks only, and this one is ${protocol}` });
  }
  if (HTTP_PROTOCOLS.includes(protocol)) {
    spec.path = check.path ?? HEALTH_CHECK_DEFAULTS.path;
    if (!spec.path.startsWith('/')) errors.push({ field: childPath(at, 'path'), message: `must start with "/"; got "${spec.path}"` });
  } else if (given(check.path)) {
    errors.push({ field: childPath(at, 'path'), message: `path applies to HTTP health checks only, and this one is ${protocol}` });
  }

  if (given(check.port) && given(check.portIndex)) {
    errors.push({ field: childPath(at, 'port'), message: 'give port or portIndex, not both' });
  } else if (given(check.port)) {
    if (check.port === 0) errors.push({ field: childPath(at, 'port'), message: 'must be a port number from 1 to 65535' });
    spec.port = check.port;
  } else {
    const portIndex = check.portIndex ?? HEALTH_CHECK_DEFAULTS.portIndex;
    if (portIndex >= portCount) {
      const has =
        portCount === 0
          ? 'the app declares no ports'
          : `the app declares ${portCount} port${portCount === 1 ? '' : 's'} (indexes 0-${portCount - 1})`;
      errors.push({ field: childPath(at, 'portIndex'), message: `portIndex ${portIndex} refers to no port: ${has}` });
    }
    spec.portIndex = portIndex;
  }
  return spec;
}

/** The app's health checks, or errors naming the field at fault. `portCount` is how many ports the app declares. */
export function normalizeHealthChecks(checks: readonly HealthCheckShape[], portCount: number, errors: FieldError[]): HealthCheckSpec[] {
  const specs = checks.map((check, i) => normalizeOne(check, childPath('healthChecks', i), portCount, errors));
  const byMesos = specs.map((s, i) => [s, i] as const).filter(([s]) => RUN_BY_MESOS.includes(s.protocol));
  if (byMesos.length > 1) {
    const [, second] = byMesos[1] ?? [];
    errors.push({
      field: childPath('healthChecks', second ?? 0),
      message: `an app has at most one health check that Mesos runs (${RUN_BY_MESOS.join(', ')}); healthChecks[${byMesos[0]?.[1]}] is one already`,
    });
  }
  return specs;
}
