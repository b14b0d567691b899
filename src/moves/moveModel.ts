// A move as it is persisted: one record per relocation of a dataset (and its
// app instance), with the step it is at and the timeline of steps taken. The
// orchestrator resumes a move from this record after any crash; nothing about
// a move lives only in memory.

import type { BackendName } from '../state/model.js';

export type MoveState = 'RUNNING' | 'SUCCEEDED' | 'ROLLED_BACK' | 'CANCELLED' | 'FAILED';

/**
 * Who asked: an operator, Mesos maintenance, a draining agent, an agent lost
 * past its timeout, a first placement (block backends), or the removal of a
 * dataset's data (destroy: the same machinery, ending with the data gone).
 */
export type MoveTrigger = 'api' | 'maintenance' | 'drain' | 'agent-lost' | 'placement' | 'destroy';

/**
 * The steps, in order, for each kind of backend.
 * copy:  RECEIVER → PRECOPY → STOP_TASK → FINAL_COPY → SWITCH → LAUNCH → CLEANUP → DONE
 * block: STOP_TASK → UNMOUNT → DETACH (FENCE instead of both when the source is gone) → ATTACH → MOUNT → SWITCH → LAUNCH → DONE
 * block placement (a new volume): CREATE → ATTACH → MOUNT → SWITCH → DONE
 * destroy: (block: UNMOUNT → DETACH →) DESTROY → DONE, and the dataset record is removed
 * Rolling back: ROLLBACK (copy: dataset back, partial copy removed; block: volume attached
 * to the source again) → REMOUNT (block) → DONE, in state ROLLED_BACK (or CANCELLED).
 */
export type MoveStep =
  | 'CREATE'
  | 'RECEIVER'
  | 'PRECOPY'
  | 'STOP_TASK'
  | 'FENCE'
  | 'FINAL_COPY'
  | 'UNMOUNT'
  | 'DETACH'
  | 'ATTACH'
  | 'MOUNT'
  | 'SWITCH'
  | 'REMOUNT'
  | 'DESTROY'
  | 'LAUNCH'
  | 'CLEANUP'
  | 'ROLLBACK'
  | 'DONE';

export interface MoveStepEntry {
  step: MoveStep;
  startedAt: string;
  endedAt?: string;
  /** what happened, for the timeline: "copied 12 MiB in 210 ms", "task killed", ... */
  detail?: string;
  outcome?: 'ok' | 'failed' | 'skipped';
}

export interface CopyRound {
  round: number;
  final: boolean;
  bytesSent: number;
  filesChanged: number;
  ms: number;
}

/** An operation the move waits for: on an agent's node executor, or on the backend's control plane. */
export interface PendingOp {
  opId: string;
  target: 'node' | 'backend';
  /** node operations: the agent that runs it */
  agentId?: string;
  /** what was asked (node: a NodeOp; backend: a BackendCall), kept to ask again */
  request: Record<string, unknown>;
  /** epoch ms */
  sentAt: number;
  /** epoch ms of the last sign of life (progress) */
  heardAt: number;
  attempts: number;
}

export interface MoveRecord {
  id: string;
  dataset: string;
  backend: BackendName;
  kind: 'copy' | 'block';
  /** the app instance that uses the dataset, if any */
  appId?: string;
  instance?: number;
  trigger: MoveTrigger;
  /** where the data is now (until SWITCH) */
  from: string;
  fromHostPath: string;
  /** where it goes */
  to: string;
  toHostPath: string;
  state: MoveState;
  step: MoveStep;
  /** a copy of the step while it runs, with the timeline of every step so far */
  steps: MoveStepEntry[];
  /** the task killed for the move (proof of its death is awaited in STOP_TASK) */
  stoppedTaskId?: string;
  /** the task launched on the destination */
  launchedTaskId?: string;
  /** the receiver's port on the destination (copy) */
  port?: number;
  /** the secret the copy's sender must present to its receiver */
  token?: string;
  /** the destination's hostname, where the sender connects */
  toHostname?: string;
  /** the backend volume (block) */
  volumeId?: string;
  /** the device the volume was attached under on the destination (ebs) */
  device?: string;
  /** the device it was attached under on the source (ebs), for unmounting there */
  fromDevice?: string;
  /** the operation this step waits for */
  op?: PendingOp;
  /** the long-running receive operation of a copy (it ends after the final round) */
  receiveOpId?: string;
  /** bumps on every retry of a step, so a retried operation gets a fresh id */
  attempt: number;
  /** operations of the current step already done (a step with several runs them in order) */
  completedOps?: string[];
  /** epoch ms by which the current step must be done */
  deadline?: number;
  rounds: CopyRound[];
  /** the source agent was gone: its release was forced (block) and logged */
  forced?: boolean;
  cancelRequested?: boolean;
  /** why it failed or rolled back, in words an operator can act on */
  error?: string;
  createdAt: string;
  updatedAt: string;
  endedAt?: string;
}

export function isMoveActive(move: MoveRecord): boolean {
  return move.state === 'RUNNING';
}
