// The knobs of the scheduler's decisions, with the defaults an operator gets
// when giving none. Values only; parsing flags lives in the CLI.

export type DataViaSetting = 'auto' | 'volume' | 'env';

export interface SchedulerConfig {
  /** where the local backend keeps datasets on agents without a `ferry_root` attribute */
  defaultFerryRoot: string;
  /** how tasks reach datasets: auto (volume, learning env per agent from failures), or forced */
  dataVia: DataViaSetting;
  /** refuse filter for offers Ferry has no use for */
  declineRefuseSeconds: number;
  /** refuse filter for offers declined while some instance still waits and might fit later */
  shortRefuseSeconds: number;
  /** refuse filter on the unused remainder of an accepted offer */
  acceptRefuseSeconds: number;
  /** a kill not yet answered by a terminal update is sent again after this long */
  killRetrySeconds: number;
  /** explicit reconciliation is repeated with backoff from this interval ... */
  reconcileInitialSeconds: number;
  /** ... up to this one, until every task was answered */
  reconcileMaxSeconds: number;
  /** implicit reconciliation runs this often */
  implicitReconcileSeconds: number;
  /** REVIVE at most this often */
  reviveMinIntervalSeconds: number;
  /** while an instance waits for an offer, REVIVE again this often */
  reviveRepeatSeconds: number;
  /** a task that ran this long before failing resets its instance's relaunch backoff */
  backoffResetSeconds: number;
  /** where block volumes are mounted on agents without a `ferry_mount_root` attribute */
  defaultMountRoot: string;
  /** a move gives up stopping its task (and rolls back) after this long */
  moveStopTimeoutSeconds: number;
  /** a move whose relaunched task is not running after this long fails (the data stays where it went) */
  moveLaunchTimeoutSeconds: number;
  /** an operation with no sign of life for this long is asked for again (same id, so it runs once) */
  moveOpRetrySeconds: number;
  /** a move waits this long for node executors before it rolls back */
  nodeExecutorTimeoutSeconds: number;
  /** a task unreachable this long on a block backend is fenced and moved; a copy backend marks its dataset unavailable */
  agentLostTimeoutSeconds: number;
  /** the loopback backend's image store (shared by the agents of one machine) */
  loopbackStore?: string;
  /** how agents start Node for the node executor */
  nodeCommand: string;
  /** the URL agents fetch the node artifact from (the leader's API), set by the service */
  artifactUrl?: string;
}

export const DEFAULT_SCHEDULER_CONFIG: SchedulerConfig = {
  defaultFerryRoot: '/var/lib/ferry/datasets',
  dataVia: 'auto',
  declineRefuseSeconds: 120,
  shortRefuseSeconds: 5,
  acceptRefuseSeconds: 5,
  killRetrySeconds: 30,
  reconcileInitialSeconds: 5,
  reconcileMaxSeconds: 120,
  implicitReconcileSeconds: 600,
  reviveMinIntervalSeconds: 0.2,
  reviveRepeatSeconds: 10,
  backoffResetSeconds: 60,
  defaultMountRoot: '/var/lib/ferry/mounts',
  moveStopTimeoutSeconds: 300,
  moveLaunchTimeoutSeconds: 300,
  moveOpRetrySeconds: 15,
  nodeExecutorTimeoutSeconds: 120,
  agentLostTimeoutSeconds: 60,
  nodeCommand: 'node',
};
