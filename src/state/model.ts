// Ferry's durable model: what survives a restart or a leader failover. These
// are plain JSON-able records; the stores persist them (versioned envelopes)
// and the scheduler reads them. No behaviour lives here.

import type { TaskState, TaskStatusReason, TaskStatusSource } from '../mesos/types.js';
import type { MoveRecord } from '../moves/moveModel.js';

export const BACKENDS = ['local', 'loopback', 'ebs'] as const;
export type BackendName = (typeof BACKENDS)[number];

/**
 * NEW: created, never placed. PREPARING: placed on `agentId`, its storage is
 * being created there. READY: lives on `agentId` (or, for a block backend, in
 * its store). MOVING: a move owns it. UNAVAILABLE: its data cannot be reached
 * (e.g. a copy backend whose agent is gone, or its directory vanished); Ferry
 * never invents empty data in its place. DELETING: its data is being removed
 * from its agent or backend; the record goes once that is done.
 */
export type DatasetState = 'NEW' | 'PREPARING' | 'READY' | 'MOVING' | 'UNAVAILABLE' | 'DELETING';

export interface DatasetRecord {
  name: string;
  sizeMiB: number;
  backend: BackendName;
  profile?: string;
  state: DatasetState;
  /** the agent that holds the data (copy backend) or has it attached (block backend) */
  agentId?: string;
  /** the agent's hostname when it was placed, for operators */
  hostname?: string;
  /** the directory on that agent where the data lives (what the task's volume points at) */
  hostPath?: string;
  /** the backend's id of its volume (block backends: image name, vol-…) */
  volumeId?: string;
  /** the device name it is attached under on its agent (ebs) */
  device?: string;
  /** placement requirement from the backend, e.g. an availability zone */
  zone?: string;
  /** the agent an operator asked to place it on first (POST /v1/datasets); placement waits for that agent */
  preferredAgent?: string;
  /** the app instance that uses it, if any */
  owner?: { appId: string; instance: number };
  metadata?: Record<string, string>;
  /** why the dataset is UNAVAILABLE (or why it was last unplaced), in words an operator can act on */
  reason?: string;
  /** what made it UNAVAILABLE: its agent out of reach (it comes back when the agent does), or its data gone */
  unavailableCause?: 'agent-unreachable' | 'data-missing' | 'move-failed';
  createdAt: string;
  updatedAt: string;
}

export interface AppRecord {
  /** normalized Marathon id, e.g. "/prod/db" */
  id: string;
  /** the Marathon app definition as the operator gave it (id normalized) */
  definition: Record<string, unknown>;
  /** changes with every update, like Marathon's version */
  version: string;
  /** changes only when running tasks must be replaced (anything but a scale), or on restart */
  configVersion: string;
  createdAt: string;
}

/** How a task reaches its dataset: a HOST_PATH volume, or a path in its environment linked before the command starts. */
export type DataVia = 'volume' | 'env';

export interface TaskStatusRecord {
  state: TaskState;
  reason?: TaskStatusReason;
  message?: string;
  source?: TaskStatusSource;
  /** seconds since the epoch, as Mesos reports it */
  timestamp?: number;
  healthy?: boolean;
}

/**
 * app: an instance of an app. prepare: a short task that creates a dataset's
 * directory on its agent. node: Ferry's resident node executor on an agent,
 * which runs node-plane operations (copies, mounts) for moves.
 */
export type TaskKind = 'app' | 'prepare' | 'node';

export interface TaskRecord {
  taskId: string;
  /** absent on app tasks */
  kind?: TaskKind;
  appId: string;
  instance: number;
  agentId: string;
  hostname?: string;
  datasetName?: string;
  dataVia?: DataVia;
  /** the dataset directory on the agent the task was launched with */
  hostPath?: string;
  /** the latest state Mesos reported (TASK_STAGING until the first update) */
  state: TaskState;
  status?: TaskStatusRecord;
  /** Ferry asked Mesos to kill it (scale down, delete, move, restart) */
  killRequested?: boolean;
  /** the app's configVersion the task was launched with; an older one is replaced in a rolling restart */
  configVersion?: string;
  /** node tasks: the ports taken from the offer, for copy receivers */
  ports?: number[];
  /**
   * Its dataset was fenced off (a block volume force-detached from its agent):
   * whatever still runs there can no longer touch the data, so the task no
   * longer holds the dataset even before Mesos proves it dead.
   */
  fenced?: boolean;
  launchedAt: string;
  updatedAt: string;
}

export interface FrameworkRecord {
  frameworkId: string;
  /** the FrameworkInfo.name it was registered with */
  name: string;
  registeredAt: string;
}

export type RecordKind = 'framework' | 'app' | 'dataset' | 'task' | 'move';

/** Everything durable, as loaded at startup or on taking leadership. */
export interface StateSnapshot {
  framework: FrameworkRecord | undefined;
  apps: Map<string, AppRecord>;
  datasets: Map<string, DatasetRecord>;
  tasks: Map<string, TaskRecord>;
  moves: Map<string, MoveRecord>;
}

export function emptySnapshot(): StateSnapshot {
  return { framework: undefined, apps: new Map(), datasets: new Map(), tasks: new Map(), moves: new Map() };
}
