// An app as the scheduler uses it: a Marathon app definition validated,
// normalized and with its defaults applied (see appDefinition.ts, which makes
// these). Shapes only.

import type { BackendName } from '../state/model.js';

export type ConstraintOperator = 'UNIQUE' | 'CLUSTER' | 'LIKE' | 'UNLIKE' | 'MAX_PER' | 'GROUP_BY' | 'IS';

/** A Marathon constraint: [field, operator, value?]; field is "hostname" or an agent attribute name. */
export interface Constraint {
  field: string;
  operator: ConstraintOperator;
  value?: string;
}

export interface PortSpec {
  /** 0 = any port from the offer; otherwise that exact port must be offered */
  port: number;
  name?: string;
  protocol: 'tcp' | 'udp' | 'udp,tcp';
  labels: Record<string, string>;
}

export type HealthCheckProtocol = 'COMMAND' | 'HTTP' | 'HTTPS' | 'TCP' | 'MESOS_HTTP' | 'MESOS_HTTPS' | 'MESOS_TCP';

export interface HealthCheckSpec {
  protocol: HealthCheckProtocol;
  /** for HTTP(S): the path */
  path?: string;
  /** which of the app's ports to probe */
  portIndex?: number;
  /** an explicit port instead of portIndex */
  port?: number;
  /** for COMMAND: the shell command */
  command?: string;
  gracePeriodSeconds: number;
  intervalSeconds: number;
  timeoutSeconds: number;
  maxConsecutiveFailures: number;
  delaySeconds: number;
}

export interface FetchSpec {
  uri: string;
  executable: boolean;
  extract: boolean;
  cache: boolean;
  destPath?: string;
}

/** The dataset an app instance uses, from its Ferry volume. */
export interface DatasetClaim {
  /** the name for instance 0; instance i >= 1 uses `${name}-${i}` */
  name: string;
  /** where the task sees it: a path relative to its sandbox (Mesos's container_path) */
  containerPath: string;
  mode: 'RW' | 'RO';
  sizeMiB: number;
  backend: BackendName;
  profile?: string;
  /** other `ferry/...` options, passed to the backend */
  options: Record<string, string>;
  /** "external" (Marathon external volume) or "persistent" (Marathon local persistent volume) */
  source: 'external' | 'persistent';
}

/** Marathon's upgradeStrategy: fractions of `instances`. */
export interface UpgradeStrategySpec {
  /** at least this share of instances stays healthy while a new version rolls out */
  minimumHealthCapacity: number;
  /** at most this share of extra instances runs during a rollout; always 0 for an app with a dataset */
  maximumOverCapacity: number;
}

export interface AppSpec {
  /** normalized Marathon id: "/counter", "/prod/db" */
  id: string;
  /** a shell command (Marathon cmd) ... */
  cmd?: string;
  /** ... or an argv (Marathon args), exactly one of the two */
  args?: string[];
  cpus: number;
  mem: number;
  disk: number;
  instances: number;
  env: Record<string, string>;
  labels: Record<string, string>;
  constraints: Constraint[];
  ports: PortSpec[];
  healthChecks: HealthCheckSpec[];
  fetch: FetchSpec[];
  user?: string;
  killSelection: 'YOUNGEST_FIRST' | 'OLDEST_FIRST';
  taskKillGracePeriodSeconds?: number;
  /** relaunch backoff, Marathon's fields */
  backoffSeconds: number;
  backoffFactor: number;
  maxLaunchDelaySeconds: number;
  /**
   * parseAppDefinition always sets it (Marathon's default when not given).
   * Optional only so that specs built by hand in tests need not; treat a
   * missing one as {minimumHealthCapacity: 0.5, maximumOverCapacity: 0} for an
   * app with a dataset, {1, 1} otherwise.
   */
  upgradeStrategy: UpgradeStrategySpec;
  /** at most one Ferry dataset per app; none for a stateless app */
  dataset?: DatasetClaim;
}

/** The dataset name an instance uses: instance 0 the claim's name, instance i >= 1 `${name}-${i}`. */
export function datasetNameFor(claim: DatasetClaim, instance: number): string {
  return instance === 0 ? claim.name : `${claim.name}-${instance}`;
}
