// Builders for scheduler fixtures: an app spec, an offer, task and dataset
// records, and a world holding them. Each takes overrides for what a test cares about.

import type { AppSpec, DatasetClaim } from '../../src/apps/appSpec.js';
import type { Offer, Resource } from '../../src/mesos/types.js';
import type { AppRecord, DatasetRecord, TaskRecord } from '../../src/state/model.js';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from '../../src/scheduler/schedulerConfig.js';
import { World } from '../../src/scheduler/world.js';

export const T0 = Date.parse('2026-11-24T12:00:00Z');

export function claim(overrides: Partial<DatasetClaim> = {}): DatasetClaim {
  return { name: 'kv-data', containerPath: 'data', mode: 'RW', sizeMiB: 1024, backend: 'local', options: {}, source: 'external', ...overrides };
}

export function appSpec(overrides: Partial<AppSpec> = {}): AppSpec {
  return {
    id: '/kv',
    cmd: 'sleep 1000',
    cpus: 1,
    mem: 128,
    disk: 0,
    instances: 1,
    env: {},
    labels: {},
    constraints: [],
    ports: [],
    healthChecks: [],
    fetch: [],
    killSelection: 'YOUNGEST_FIRST',
    backoffSeconds: 1,
    backoffFactor: 1.15,
    maxLaunchDelaySeconds: 300,
    upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0 },
    dataset: claim(),
    ...overrides,
  };
}

export function appRecord(spec: AppSpec): AppRecord {
  return { id: spec.id, definition: { id: spec.id, __spec: spec }, version: 'v1', configVersion: 'v1', createdAt: '2026-11-24T12:00:00.000Z' };
}

/** Specs travel inside the test records so a world can be built without the Marathon parser. */
export function specOf(record: AppRecord): AppSpec {
  return (record.definition as { __spec: AppSpec }).__spec;
}

export function scalar(name: string, value: number): Resource {
  return { name, type: 'SCALAR', scalar: { value }, role: '*', allocation_info: { role: '*' } };
}

let offerSeq = 0;
export function offer(agent: string, overrides: { cpus?: number; mem?: number; disk?: number; ports?: [number, number][]; attributes?: Record<string, string>; hostname?: string } = {}): Offer {
  const ports = overrides.ports ?? [[31000, 31999]];
  return {
    id: { value: `O${offerSeq++}` },
    framework_id: { value: 'fw' },
    agent_id: { value: agent },
    hostname: overrides.hostname ?? `${agent}.example`,
    resources: [
      { name: 'ports', type: 'RANGES', ranges: { range: ports.map(([begin, end]) => ({ begin, end })) }, role: '*', allocation_info: { role: '*' } },
      scalar('cpus', overrides.cpus ?? 4),
      scalar('mem', overrides.mem ?? 8192),
      scalar('disk', overrides.disk ?? 65536),
    ],
    attributes: Object.entries(overrides.attributes ?? {}).map(([name, value]) => ({ name, type: 'TEXT' as const, text: { value } })),
  };
}

export function datasetRecord(overrides: Partial<DatasetRecord> = {}): DatasetRecord {
  return {
    name: 'kv-data',
    sizeMiB: 1024,
    backend: 'local',
    state: 'READY',
    agentId: 'A',
    hostPath: '/var/lib/ferry/datasets/kv-data',
    owner: { appId: '/kv', instance: 0 },
    createdAt: '2026-11-24T11:00:00.000Z',
    updatedAt: '2026-11-24T11:00:00.000Z',
    ...overrides,
  };
}

export function taskRecord(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskId: 'kv.0.t1',
    appId: '/kv',
    instance: 0,
    agentId: 'A',
    datasetName: 'kv-data',
    dataVia: 'volume',
    hostPath: '/var/lib/ferry/datasets/kv-data',
    state: 'TASK_RUNNING',
    configVersion: 'v1',
    launchedAt: new Date(T0 - 3600_000).toISOString(),
    updatedAt: new Date(T0 - 3600_000).toISOString(),
    ...overrides,
  };
}

export function config(overrides: Partial<SchedulerConfig> = {}): SchedulerConfig {
  return { ...DEFAULT_SCHEDULER_CONFIG, ...overrides };
}

export function world(parts: { apps?: AppSpec[]; datasets?: DatasetRecord[]; tasks?: TaskRecord[]; agents?: Offer[] } = {}): World {
  const w = new World(specOf);
  w.applyWrites([
    ...(parts.apps ?? []).map((s) => ({ kind: 'app' as const, record: appRecord(s) })),
    ...(parts.datasets ?? []).map((d) => ({ kind: 'dataset' as const, record: d })),
    ...(parts.tasks ?? []).map((t) => ({ kind: 'task' as const, record: t })),
  ]);
  for (const o of parts.agents ?? []) w.observeOffer(o, T0);
  return w;
}

/** Task ids that say which app instance they belong to, numbered in order of creation. */
export function taskIds(): (appId: string, instance: number) => string {
  let n = 0;
  return (appId, instance) => `${appId.slice(1).replace(/\//g, '_')}.${instance}.t${++n}`;
}

/** Unique ids numbered in order, for moves, node tasks and tokens. */
export function ids(): () => string {
  let n = 0;
  return () => `id-${String(++n).padStart(4, '0')}-0123456789abcdef`;
}
