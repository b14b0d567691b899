import type { MoveRecord } from '../../src/moves/moveModel.js';
// Builders for the durable records the state store tests write: one of each
// kind, with ids that need encoding, and overrides for what a test cares about.

import type { AppRecord, DatasetRecord, FrameworkRecord, TaskRecord } from '../../src/state/model.js';

const AT = '2026-11-24T12:00:00.000Z';

export function frameworkRecord(overrides: Partial<FrameworkRecord> = {}): FrameworkRecord {
  return { frameworkId: 'fw-0001', name: 'ferry', registeredAt: AT, ...overrides };
}

export function appRecord(overrides: Partial<AppRecord> = {}): AppRecord {
  const id = overrides.id ?? '/prod/db';
  return { id, definition: { id, cmd: 'run-db', instances: 1 }, version: AT, configVersion: AT, createdAt: AT, ...overrides };
}

export function datasetRecord(overrides: Partial<DatasetRecord> = {}): DatasetRecord {
  return {
    name: 'db-data',
    sizeMiB: 1024,
    backend: 'local',
    state: 'READY',
    agentId: 'agent-1',
    hostPath: '/var/lib/ferry/db-data',
    owner: { appId: '/prod/db', instance: 0 },
    createdAt: AT,
    updatedAt: AT,
    ...overrides,
  };
}

export function taskRecord(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskId: 'prod_db.instance-0.3f2a',
    appId: '/prod/db',
    instance: 0,
    agentId: 'agent-1',
    datasetName: 'db-data',
    state: 'TASK_RUNNING',
    status: { state: 'TASK_RUNNING', timestamp: 1_790_000_000.5, healthy: true },
    launchedAt: AT,
    updatedAt: AT,
    ...overrides,
  };
}

export function moveRecord(id = 'move-1', overrides: Partial<MoveRecord> = {}): MoveRecord {
  return {
    id,
    dataset: 'db-data',
    backend: 'local',
    kind: 'copy',
    trigger: 'api',
    from: 'agent-1',
    fromHostPath: '/srv/a/db-data',
    to: 'agent-2',
    toHostPath: '/srv/b/db-data',
    state: 'RUNNING',
    step: 'PRECOPY',
    steps: [{ step: 'RECEIVER', startedAt: '2026-11-24T10:00:00.000Z', endedAt: '2026-11-24T10:00:01.000Z', outcome: 'ok' }],
    rounds: [],
    attempt: 0,
    createdAt: '2026-11-24T10:00:00.000Z',
    updatedAt: '2026-11-24T10:00:01.000Z',
    ...overrides,
  };
}
