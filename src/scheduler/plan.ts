// What a decision asks for: durable writes first, then Mesos calls, plus
// in-memory notes. Decisions return plans; the scheduler service carries them
// out in that order, so nothing reaches Mesos before its record is durable.

import type { AgentRef, VolumeSpec } from '../backends/backend.js';
import type { MoveRecord } from '../moves/moveModel.js';
import type { NodeOp } from '../node/executor/nodeOps.js';
import type { TaskInfo, TaskStatus } from '../mesos/types.js';
import type { AppRecord, BackendName, DatasetRecord, FrameworkRecord, TaskRecord } from '../state/model.js';

export type RecordWrite =
  | { kind: 'framework'; record: FrameworkRecord }
  | { kind: 'app'; record: AppRecord }
  | { kind: 'dataset'; record: DatasetRecord }
  | { kind: 'task'; record: TaskRecord }
  | { kind: 'move'; record: MoveRecord }
  | { kind: 'deleteMove'; id: string }
  | { kind: 'deleteApp'; id: string }
  | { kind: 'deleteDataset'; name: string }
  | { kind: 'deleteTask'; taskId: string };

/** A call on a backend's control plane, made by the scheduler; its result comes back by opId. */
export type BackendCall =
  | { call: 'create'; backend: BackendName; spec: VolumeSpec }
  | { call: 'attach'; backend: BackendName; volumeId: string; agent: AgentRef }
  | { call: 'detach'; backend: BackendName; volumeId: string; agent: AgentRef; force: boolean }
  | { call: 'destroy'; backend: BackendName; volumeId: string };

/** Effects made after the writes are durable: Mesos calls, node operations (framework messages) and backend calls. */
export type MesosAction =
  | { type: 'NODE_OP'; agentId: string; opId: string; request: NodeOp }
  | { type: 'BACKEND_OP'; opId: string; request: BackendCall }
  | { type: 'LAUNCH'; offerId: string; agentId: string; tasks: TaskInfo[]; refuseSeconds: number }
  | { type: 'DECLINE'; offerIds: string[]; refuseSeconds: number }
  | { type: 'KILL'; taskId: string; agentId: string; gracePeriodSeconds?: number }
  | { type: 'ACKNOWLEDGE'; status: TaskStatus }
  | { type: 'RECONCILE'; tasks: { taskId: string; agentId: string }[] }
  | { type: 'REVIVE' }
  | { type: 'SUPPRESS' }
  | { type: 'ACCEPT_INVERSE_OFFERS'; inverseOfferIds: string[] };

/** Non-durable facts a decision learned: they change the leader's memory only. */
export type MemoryNote =
  | { kind: 'backoff'; instanceKey: string; failures: number; notBefore: number }
  | { kind: 'backoffReset'; instanceKey: string }
  | { kind: 'pending'; instanceKey: string; reason: string }
  | { kind: 'placed'; instanceKey: string }
  | { kind: 'agentDataVia'; agentId: string; dataVia: 'volume' | 'env'; why: string }
  | { kind: 'killSent'; taskId: string; at: number }
  | { kind: 'opResult'; result: import('./world.js').OpResult }
  | { kind: 'opConsumed'; opId: string };

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
