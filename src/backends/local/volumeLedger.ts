// The local backend's bookkeeping: which datasets exist and which agent holds
// each. The scheduler owns where it is persisted (it cannot touch agent
// disks), so the control plane reads and changes it only through this small
// interface; every change is one atomic read-modify-write, never a partial one.

export interface LocalVolumeRecord {
  cluster: string;
  dataset: string;
  sizeMiB: number;
  profile?: string;
  /** the agent whose disk holds the data */
  agentId?: string;
  hostname?: string;
  /** the dataset directory on that agent */
  hostPath?: string;
  createdAt: string;
}

export type LedgerRecords = Map<string, LocalVolumeRecord>;

export interface VolumeLedger {
  read(): Promise<ReadonlyMap<string, LocalVolumeRecord>>;
  /**
   * Applies `change` to a private copy of the records and stores the copy,
   * with no other change in between; if `change` throws, nothing is stored.
   */
  update<T>(change: (records: LedgerRecords) => T): Promise<T>;
}

export function ledgerKey(cluster: string, dataset: string): string {
  return `${cluster}/${dataset}`;
}

export function cloneRecords(records: ReadonlyMap<string, LocalVolumeRecord>): LedgerRecords {
  return new Map([...records].map(([key, record]) => [key, { ...record }]));
}

/** A ledger held in memory: for tests, and for a caller that persists snapshots itself. */
export class MemoryVolumeLedger implements VolumeLedger {
  private records: LedgerRecords = new Map();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(initial: Iterable<LocalVolumeRecord> = []) {
    for (const record of initial) this.records.set(ledgerKey(record.cluster, record.dataset), { ...record });
  }

  async read(): Promise<ReadonlyMap<string, LocalVolumeRecord>> {
    await this.queue.catch(() => undefined);
    return cloneRecords(this.records);
  }

  update<T>(change: (records: LedgerRecords) => T): Promise<T> {
    const run = this.queue.catch(() => undefined).then(() => {
      const copy = cloneRecords(this.records);
      const result = change(copy);
      this.records = copy;
      return result;
    });
    this.queue = run;
    return run;
  }
}
