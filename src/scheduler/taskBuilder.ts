// Builds the Mesos TaskInfo for one app instance placed on one offer: the
// command (shell or argv), its environment, resources carved from the offer,
// the dataset as a HOST_PATH volume (or, on agents without the volume
// isolators, as a path in the environment linked before the command starts),
// the health check, kill policy, and the names and labels that make the task
// readable in the Mesos UI. Pure: it decides nothing about placement.

import type { AppSpec, HealthCheckSpec } from '../apps/appSpec.js';
import type { CommandInfo, EnvironmentVariable, HealthCheck, Label, Resource, TaskInfo } from '../mesos/types.js';
import type { DataVia } from '../state/model.js';

export const LABEL_APP = 'ferry/app';
export const LABEL_INSTANCE = 'ferry/instance';
export const LABEL_DATASET = 'ferry/dataset';

export interface TaskPlacement {
  taskId: string;
  agentId: string;
  hostname: string;
  resources: Resource[];
  /** host ports picked for the app's port definitions, in order */
  ports: number[];
  /** the dataset on this agent, for a stateful app */
  dataset?: { name: string; hostPath: string; dataVia: DataVia };
}

/** Shell lines that make the dataset appear at its container path before the real command runs. */
const LINK_SCRIPT = [
  'set -e',
  'mkdir -p "$FERRY_DATASET_PATH"',
  'target="$MESOS_SANDBOX/$FERRY_CONTAINER_PATH"',
  'mkdir -p "$(dirname "$target")"',
  'ln -sfn "$FERRY_DATASET_PATH" "$target"',
  'exec "$@"',
].join('; ');

export function taskName(appId: string, instance: number, datasetName: string | undefined): string {
  const base = `${appId.replace(/^\//, '')}#${instance}`;
  return datasetName === undefined ? base : `${base} (${datasetName})`;
}

/** Mesos-DNS style name: the id's segments reversed, joined by dots (/prod/db → db.prod). */
export function discoveryName(appId: string): string {
  return appId.split('/').filter((s) => s !== '').reverse().join('.');
}

export function buildTaskInfo(spec: AppSpec, instance: number, placement: TaskPlacement): TaskInfo {
  const env = environment(spec, instance, placement);
  const task: TaskInfo = {
    name: taskName(spec.id, instance, placement.dataset?.name),
    task_id: { value: placement.taskId },
    agent_id: { value: placement.agentId },
    resources: placement.resources,
    command: command(spec, env, placement.dataset?.dataVia === 'env'),
    labels: { labels: labels(spec, instance, placement.dataset?.name) },
  };
  if (placement.dataset !== undefined && placement.dataset.dataVia === 'volume' && spec.dataset !== undefined) {
    task.container = {
      type: 'MESOS',
      volumes: [
        {
          mode: spec.dataset.mode,
          container_path: spec.dataset.containerPath,
          source: { type: 'HOST_PATH', host_path: { path: placement.dataset.hostPath } },
        },
      ],
    };
  }
  const check = spec.healthChecks[0];
  if (check !== undefined) task.health_check = healthCheck(check, placement.ports);
  if (spec.taskKillGracePeriodSeconds !== undefined) {
    task.kill_policy = { grace_period: { nanoseconds: Math.round(spec.taskKillGracePeriodSeconds * 1e9) } };
  }
  if (spec.ports.length > 0) {
    task.discovery = {
      visibility: 'FRAMEWORK',
      name: discoveryName(spec.id),
      ports: {
        ports: spec.ports.map((p, i) => ({
          number: placement.ports[i]!,
          ...(p.name !== undefined ? { name: p.name } : {}),
          protocol: p.protocol,
        })),
      },
    };
  }
  return task;
}

function environment(spec: AppSpec, instance: number, placement: TaskPlacement): EnvironmentVariable[] {
  const vars = new Map<string, string>();
  for (const [k, v] of Object.entries(spec.env)) vars.set(k, v);
  vars.set('HOST', placement.hostname);
  vars.set('FERRY_APP_ID', spec.id);
  vars.set('FERRY_INSTANCE', String(instance));
  if (placement.ports.length > 0) {
    vars.set('PORTS', placement.ports.join(','));
    placement.ports.forEach((port, i) => {
      vars.set(`PORT${i}`, String(port));
      const name = spec.ports[i]?.name;
      if (name !== undefined) vars.set(`PORT_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`, String(port));
    });
    vars.set('PORT', String(placement.ports[0]));
  }
  if (placement.dataset !== undefined && spec.dataset !== undefined) {
    vars.set('FERRY_DATASET', placement.dataset.name);
    vars.set('FERRY_DATASET_PATH', placement.dataset.hostPath);
    vars.set('FERRY_CONTAINER_PATH', spec.dataset.containerPath);
    vars.set('FERRY_DATA_VIA', placement.dataset.dataVia);
  }
  return [...vars].map(([name, value]) => ({ name, type: 'VALUE', value }));
}

function command(spec: AppSpec, env: EnvironmentVariable[], linkDataset: boolean): CommandInfo {
  const uris = spec.fetch.map((f) => ({
    value: f.uri,
    executable: f.executable,
    extract: f.extract,
    cache: f.cache,
    ...(f.destPath !== undefined ? { output_file: f.destPath } : {}),
  }));
  const base: CommandInfo = { environment: { variables: env }, ...(uris.length > 0 ? { uris } : {}) };
  if (spec.user !== undefined) base.user = spec.user;
  const argv = spec.args ?? ['/bin/sh', '-c', spec.cmd ?? ''];
  if (linkDataset) {
    return { ...base, shell: false, value: '/bin/sh', arguments: ['sh', '-c', LINK_SCRIPT, 'ferry-link', ...argv] };
  }
  if (spec.args !== undefined) return { ...base, shell: false, value: spec.args[0]!, arguments: spec.args };
  return { ...base, shell: true, value: spec.cmd ?? '' };
}

function labels(spec: AppSpec, instance: number, datasetName: string | undefined): Label[] {
  const out: Label[] = Object.entries(spec.labels).map(([key, value]) => ({ key, value }));
  out.push({ key: LABEL_APP, value: spec.id }, { key: LABEL_INSTANCE, value: String(instance) });
  if (datasetName !== undefined) out.push({ key: LABEL_DATASET, value: datasetName });
  return out;
}

function healthCheck(check: HealthCheckSpec, ports: number[]): HealthCheck {
  const common = {
    delay_seconds: check.delaySeconds,
    interval_seconds: check.intervalSeconds,
    timeout_seconds: check.timeoutSeconds,
    consecutive_failures: check.maxConsecutiveFailures,
    grace_period_seconds: check.gracePeriodSeconds,
  };
  const port = check.port ?? ports[check.portIndex ?? 0];
  switch (check.protocol) {
    case 'COMMAND':
      return { ...common, type: 'COMMAND', command: { shell: true, value: check.command ?? '' } };
    case 'HTTP':
    case 'MESOS_HTTP':
    case 'HTTPS':
    case 'MESOS_HTTPS':
      return {
        ...common,
        type: 'HTTP',
        http: { port: port ?? 0, path: check.path ?? '/', scheme: check.protocol.endsWith('HTTPS') ? 'https' : 'http' },
      };
    case 'TCP':
    case 'MESOS_TCP':
      return { ...common, type: 'TCP', tcp: { port: port ?? 0 } };
    default: {
      const never: never = check.protocol;
      throw new Error(`unknown health check protocol ${String(never)}`);
    }
  }
}
