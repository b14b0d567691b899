// The loopback backend's image store: a directory every agent of one machine
// reaches (like a SAN), holding per volume a sparse image file and a small
// metadata file (cluster, dataset, size, profile, attachment). Metadata is
// only ever replaced whole (temp + fsync + rename) under the store's flock,
// so two writers never both win and a crash never leaves half a record.

import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably, fsyncDirectory } from '../../state/durableFile.js';
import { BackendError, type VolumeState } from '../backend.js';
import { withFileLock } from '../fileLock.js';

export interface ImageAttachment {
  agentId: string;
  hostname: string;
  /** the mount point on that agent */
  hostPath: string;
}

export interface ImageRecord {
  version: 1;
  id: string;
  cluster: string;
  dataset: string;
  sizeMiB: number;
  profile: string;
  createdAt: string;
  attachedTo?: ImageAttachment;
  /** a forced detach from this agent awaits the node plane's proof that no loop device holds the image */
  pendingRelease?: { agentId: string; requestedAt: string };
}

export const IMAGE_SUFFIX = '.img';
export const METADATA_SUFFIX = '.json';
const LOCK_FILE = '.lock';
const LOCK_WAIT_MS = 15_000;

/** Image ids are `<cluster>.<dataset>`: cluster names have no dots, so the split is unambiguous. */
export function imageId(cluster: string, dataset: string): string {
  return `${cluster}.${dataset}`;
}

export function imageState(record: ImageRecord): VolumeState {
  if (record.pendingRelease !== undefined) return 'detaching';
  return record.attachedTo === undefined ? 'available' : 'attached';
}

export class ImageStore {
  constructor(readonly dir: string) {}

  imagePath(id: string): string {
    return join(this.dir, id + IMAGE_SUFFIX);
  }

  metadataPath(id: string): string {
    return join(this.dir, id + METADATA_SUFFIX);
  }

  /** Runs `work` holding the store's lock: the only way metadata is changed. */
  locked<T>(work: () => Promise<T>): Promise<T> {
    return withFileLock(join(this.dir, LOCK_FILE), LOCK_WAIT_MS, work);
  }

  async read(id: string): Promise<ImageRecord | undefined> {
    let text: string;
    try {
      text = await readFile(this.metadataPath(id), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return parseRecord(text, this.metadataPath(id));
  }

  async write(record: ImageRecord): Promise<void> {
    await writeFileDurably(this.metadataPath(record.id), JSON.stringify(record, null, 1) + '\n');
  }

  async removeMetadata(id: string): Promise<void> {
    await rm(this.metadataPath(id), { force: true });
    await fsyncDirectory(this.dir);
  }

  async list(): Promise<ImageRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const records: ImageRecord[] = [];
    for (const name of names.filter((n) => n.endsWith(METADATA_SUFFIX) && !n.startsWith('.')).sort()) {
      const record = await this.read(name.slice(0, -METADATA_SUFFIX.length));
      if (record !== undefined) records.push(record);
    }
    return records;
  }
}

function parseRecord(text: string, path: string): ImageRecord {
  let record: ImageRecord;
  try {
    record = JSON.parse(text) as ImageRecord;
  } catch (err) {
    throw new BackendError('FAILED', `image metadata ${path} is not valid JSON (${(err as Error).message}); it is only ever replaced whole, so the store was changed by hand`);
  }
  if (record.version !== 1) throw new BackendError('FAILED', `image metadata ${path} has version ${String(record.version)}; a newer Ferry may have written it`);
  return record;
}
