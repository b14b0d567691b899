// What a decision asks for: durable writes first, then Mesos calls, plus
// in-memory notes. Decisions return plans; the scheduler service carries them
// out in that order, so nothing reaches Mesos before its record is durable.

import type { TaskInfo, TaskStatus } from '../mesos/types.js';
import type { AppRecord, DatasetRecord, FrameworkRecord, TaskRecord } from '../state/model.js';

export type RecordWrite =
  | { kind: 'framework'; record: FrameworkRecord }
  | { kind: 'app'; record: AppRecord }
  | { kind: 'dataset'; record: DatasetRecord }
  | { kind: 'task'; record: TaskRecord }
  | { kind: 'deleteApp'; id: string }
  | { kind: 'deleteDataset'; name: string }
  | { kind: 'deleteTask'; taskId: string };

export type MesosAction =
  | { type: 'LAUNCH'; offerId: string; agentId: string; tasks: TaskInfo[]; refuseSeconds: number }
  | { type: 'DECLINE'; offerIds: string[]; refuseSeconds: number }
  | { type: 'KILL'; taskId: string; agentId: string; gracePeriodSeconds?: number }
  | { type: 'ACKNOWLEDGE'; status: TaskStatus }
  | { type: 'RECONCILE'; tasks: { taskId: string; agentId: string }[] }
  | { type: 'REVIVE' }
  | { type: 'SUPPRESS' };

/** Non-durable facts a decision learned: they change the leader's memory only. */
export type MemoryNote =
  | { kind: 'backoff'; instanceKey: string; failures: number; notBefore: number }
  | { kind: 'backoffReset'; instanceKey: string }
  | { kind: 'pending'; instanceKey: string; reason: string }
  | { kind: 'placed'; instanceKey: string }
  | { kind: 'agentDataVia'; agentId: string; dataVia: 'volume' | 'env'; why: string }
  | { kind: 'killSent'; taskId: string; at: number };

export interface Plan {
  writes: RecordWrite[];
  mesos: MesosAction[];
  notes: MemoryNote[];
}

export function emptyPlan(): Plan {
  return { writes: [], mesos: [], notes: [] };
}

export function mergePlans(...plans: Plan[]): Plan {
  return {
    writes: plans.flatMap((p) => p.writes),
    mesos: plans.flatMap((p) => p.mesos),
    notes: plans.flatMap((p) => p.notes),
  };
}
