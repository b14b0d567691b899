// What a receiver knows of its destination, kept beside it (never inside the
// dataset): the manifest of what it wrote and verified, the round it last
// committed, the paths of a round in progress (so that after a crash exactly
// those become 'unknown' and are sent again), and the completion marker,
// which exists only after a verified final round and is removed before any
// new round touches the data.

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory } from '../../state/durableFile.js';
import { replaceFile } from '../atomicFile.js';
import { NodeError } from '../nodeError.js';
import { checkManifestList } from './copyMessages.js';
import { manifestDigest, manifestFromList, manifestToList, ROOT_PATH, type Manifest, type ManifestList } from './copyManifest.js';
import type { DestinationTree, DiskStamp } from './destinationTree.js';

export const MANIFEST_FILE = 'manifest.json';
export const COMPLETE_FILE = 'complete.json';

export interface PendingRound {
  round: number;
  paths: string[];
  done: string[];
}

interface ReceiverStateFile {
  version: 1;
  destinationId: string;
  hashAlgorithm: string;
  blockSize: number;
  round: number;
  entries: ManifestList;
  stamps: [string, DiskStamp][];
  pending?: PendingRound;
}

/** The state file as written by this module; anything else is reported as damaged. */
function checkStateFile(value: unknown): ReceiverStateFile {
  const file = value as ReceiverStateFile;
  const strings = (list: unknown): boolean => Array.isArray(list) && list.every((p) => typeof p === 'string');
  if (
    typeof file !== 'object' ||
    file === null ||
    file.version !== 1 ||
    typeof file.destinationId !== 'string' ||
    typeof file.hashAlgorithm !== 'string' ||
    !Number.isSafeInteger(file.blockSize) ||
    !Number.isSafeInteger(file.round) ||
    !Array.isArray(file.stamps) ||
    (file.pending !== undefined && (!Number.isSafeInteger(file.pending.round) || !strings(file.pending.paths) || !strings(file.pending.done)))
  ) {
    throw new Error('unexpected layout');
  }
  checkManifestList(file.entries);
  return file;
}

export interface CompletionMarker {
  round: number;
  digest: string;
  completedAt: string;
}

export class ReceiverState {
  private cachedDigest: string | undefined;

  private constructor(
    readonly dir: string,
    readonly destinationId: string,
    readonly hashAlgorithm: string,
    readonly blockSize: number,
    public round: number,
    readonly manifest: Manifest,
    /** what each entry looked like on disk when the receiver last changed it */
    readonly stamps: Map<string, DiskStamp>,
    /** how many paths were marked unknown because a round was torn */
    readonly recovered: number,
  ) {}

  /** Loads the state in `dir` (creating it); a round left in progress turns its paths 'unknown'. */
  static async open(dir: string, hashAlgorithm: string, blockSize: number): Promise<ReceiverState> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    let text: string | undefined;
    try {
      text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text === undefined) return new ReceiverState(dir, randomUUID(), hashAlgorithm, blockSize, 0, new Map(), new Map(), 0);
    let parsed: ReceiverStateFile;
    try {
      parsed = checkStateFile(JSON.parse(text));
    } catch (err) {
      throw new NodeError('INVALID', `the receiver state ${join(dir, MANIFEST_FILE)} is damaged (${(err as Error).message}); remove the destination and its state directory to start over`);
    }
    if (parsed.hashAlgorithm !== hashAlgorithm || parsed.blockSize !== blockSize) {
      throw new NodeError(
        'INVALID',
        `the destination was filled with ${parsed.hashAlgorithm} over ${parsed.blockSize}-byte blocks, not ${hashAlgorithm} over ${blockSize}; use the same block size or start over`,
      );
    }
    const manifest = manifestFromList(parsed.entries);
    let recovered = 0;
    if (parsed.pending !== undefined) {
      const done = new Set(parsed.pending.done);
      // what an unfinished removal took from below these paths, reconcile finds missing on disk
      for (const path of parsed.pending.paths) {
        if (done.has(path)) continue;
        manifest.set(path, { type: 'unknown' });
        recovered++;
      }
    }
    return new ReceiverState(dir, parsed.destinationId, hashAlgorithm, blockSize, parsed.round, manifest, new Map(parsed.stamps), recovered);
  }

  /**
   * Turns 'unknown' every entry that is no longer as the receiver left it
   * (changed, replaced or removed by someone else, e.g. the task that ran on
   * this copy), and adds as 'unknown' any name that appeared in a directory
   * that changed. Reads metadata only (lstat, readdir), never file data.
   * Returns how many entries it marked.
   */
  async reconcile(tree: DestinationTree): Promise<number> {
    const known = [...this.manifest].filter(([, e]) => e.type !== 'unknown').map(([p]) => p);
    let marked = 0;
    for (const path of known) {
      const was = this.stamps.get(path);
      const now = tree.stampNow(path);
      if (was !== undefined && now !== undefined && was.ino === now.ino && was.ctimeNs === now.ctimeNs && was.size === now.size) continue;
      const entry = this.manifest.get(path)!;
      this.manifest.set(path, { type: 'unknown' });
      this.stamps.delete(path);
      marked++;
      if (entry.type === 'dir' && now !== undefined) {
        for (const name of await tree.list(path).catch(() => [])) {
          const child = path === ROOT_PATH ? name : `${path}/${name}`;
          if (!this.manifest.has(child)) {
            this.manifest.set(child, { type: 'unknown' });
            marked++;
          }
        }
      }
    }
    if (marked > 0) this.changed();
    return marked;
  }

  digest(): string {
    this.cachedDigest ??= manifestDigest(this.manifest);
    return this.cachedDigest;
  }

  /** Call after changing the manifest in place. */
  changed(): void {
    this.cachedDigest = undefined;
  }

  /**
   * Writes the manifest (and a round in progress, if any) durably. Data it
   * describes must be synced first. With `clearComplete` the completion
   * marker goes in the same directory sync: a round about to touch data.
   */
  async persist(pending?: PendingRound, options: { clearComplete?: boolean } = {}): Promise<void> {
    const file: ReceiverStateFile = {
      version: 1,
      destinationId: this.destinationId,
      hashAlgorithm: this.hashAlgorithm,
      blockSize: this.blockSize,
      round: this.round,
      entries: manifestToList(this.manifest),
      stamps: [...this.stamps].filter(([path]) => this.manifest.has(path)),
    };
    if (pending !== undefined) file.pending = pending;
    if (options.clearComplete === true) await rm(join(this.dir, COMPLETE_FILE), { force: true });
    await replaceFile(join(this.dir, MANIFEST_FILE), JSON.stringify(file), { syncData: true });
    await fsyncDirectory(this.dir);
  }

  /** Marks the destination complete; call only after the manifest of the verified round is persisted. */
  async markComplete(marker: CompletionMarker): Promise<void> {
    await replaceFile(join(this.dir, COMPLETE_FILE), JSON.stringify(marker) + '\n', { syncData: true });
    await fsyncDirectory(this.dir);
  }
}

/** The completion marker of a destination's state directory, or undefined when its copy is not (or no longer) complete. */
export async function readCompletion(stateDir: string): Promise<CompletionMarker | undefined> {
  try {
    const text = await readFile(join(stateDir, COMPLETE_FILE), 'utf8');
    return JSON.parse(text) as CompletionMarker;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function stateDirExists(stateDir: string): Promise<boolean> {
  try {
    return (await stat(stateDir)).isDirectory();
  } catch {
    return false;
  }
}
