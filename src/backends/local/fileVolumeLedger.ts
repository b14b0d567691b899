// A volume ledger kept in one JSON file, for local mode and tools: each
// change runs under an flock on a lock file beside it and replaces the file
// atomically (temp + fsync + rename), so concurrent processes never lose or
// interleave a change and a crash leaves the old or the new ledger, never a mix.

import { readFile } from 'node:fs/promises';
import { writeFileDurably } from '../../state/durableFile.js';
import { BackendError } from '../backend.js';
import { withFileLock } from '../fileLock.js';
import { cloneRecords, ledgerKey, type LedgerRecords, type LocalVolumeRecord, type VolumeLedger } from './volumeLedger.js';

interface LedgerFile {
  version: 1;
  volumes: LocalVolumeRecord[];
}

const LOCK_WAIT_MS = 10_000;

export class FileVolumeLedger implements VolumeLedger {
  constructor(readonly path: string) {}

  async read(): Promise<ReadonlyMap<string, LocalVolumeRecord>> {
    return this.load();
  }

  update<T>(change: (records: LedgerRecords) => T): Promise<T> {
    return withFileLock(`${this.path}.lock`, LOCK_WAIT_MS, async () => {
      const records = cloneRecords(await this.load());
      const result = change(records);
      const file: LedgerFile = { version: 1, volumes: [...records.values()] };
      await writeFileDurably(this.path, JSON.stringify(file, null, 1) + '\n');
      return result;
    });
  }

  private async load(): Promise<LedgerRecords> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw err;
    }
    let file: LedgerFile;
    try {
      file = JSON.parse(text) as LedgerFile;
    } catch (err) {
      throw new BackendError('FAILED', `the volume ledger ${this.path} is not valid JSON (${(err as Error).message}); restore it from a backup`);
    }
    if (file.version !== 1 || !Array.isArray(file.volumes)) {
      throw new BackendError('FAILED', `the volume ledger ${this.path} has an unknown layout (version ${String(file.version)}); a newer Ferry may have written it`);
    }
    return new Map(file.volumes.map((v) => [ledgerKey(v.cluster, v.dataset), v]));
  }
}
