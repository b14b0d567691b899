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
  /** a task that ran this long before failing resets its instance's relaunch backoff */
  backoffResetSeconds: number;
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
  reviveMinIntervalSeconds: 1,
  backoffResetSeconds: 60,
};
