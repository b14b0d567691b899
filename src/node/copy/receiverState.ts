// What a receiver knows of its destination, kept beside it (never inside the
// dataset): the manifest of what it wrote and verified, the round it last
// committed, the paths of a round in progress (so that after a crash exactly
// those become 'unknown' and are sent again), and the completion marker,
// which exists only after a verified final round and is removed before any
// new round touches the data. A round opens with a small journal of its
// paths rather than a rewrite of the whole manifest, which is written once,
// at the round's commit, after the data it describes is durable.

import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { discardFile, fsyncDirectory, installFile, stageFile, tempPrefixOf, TEMP_SUFFIX, type StagedFile } from '../../state/durableFile.js';
import { NodeError } from '../nodeError.js';
import { checkManifestList } from './copyMessages.js';
import { manifestDigest, manifestFromList, manifestToList, ROOT_PATH, type Manifest, type ManifestList } from './copyManifest.js';
import type { DestinationTree, DiskStamp } from './destinationTree.js';
import { readRoundJournal, writeRoundJournal } from './roundJournal.js';

export const MANIFEST_FILE = 'manifest.json';
export const COMPLETE_FILE = 'complete.json';
/** the paths of the round in progress, when the manifest on disk does not name them itself */
export const JOURNAL_FILE = 'round.journal';
/** the receiver's state files are readable by their owner only (the directory is too) */
const STATE_FILE_MODE = 0o600;

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

interface RoundJournalFile {
  version: 1;
  destinationId: string;
  round: number;
  paths: string[];
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

/** A round's commit, written and synced beside the current files while the round's data is flushed; nothing of it counts until installed. */
export interface StagedCommit {
  round: number;
  manifest: StagedFile;
  complete: StagedFile | undefined;
}

export class ReceiverState {
  private cachedDigest: string | undefined;
  /**
   * The manifest file alone records everything the memory knows: no round
   * in progress, no path marked unknown only here. Only then may a round
   * open with a journal of its own paths: a journal replaces the one before
   * it, and would otherwise forget paths that an earlier torn round left
   * unknown.
   */
  private onDisk: boolean;
  /** the round whose journal is on disk, if any */
  private journaled: number | undefined;

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
    /** a manifest file exists (a destination never written has none) */
    manifestFileExists: boolean,
    journaled?: number,
  ) {
    this.onDisk = manifestFileExists && recovered === 0;
    this.journaled = journaled;
  }

  /** Loads the state in `dir` (creating it); a round left in progress turns its paths 'unknown'. */
  static async open(dir: string, hashAlgorithm: string, blockSize: number): Promise<ReceiverState> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await removeLeftovers(dir);
    const parsed = await readStateFile(dir);
    if (parsed === undefined) return new ReceiverState(dir, randomUUID(), hashAlgorithm, blockSize, 0, new Map(), new Map(), 0, false);
    if (parsed.hashAlgorithm !== hashAlgorithm || parsed.blockSize !== blockSize) {
      throw new NodeError(
        'INVALID',
        `the destination was filled with ${parsed.hashAlgorithm} over ${parsed.blockSize}-byte blocks, not ${hashAlgorithm} over ${blockSize}; use the same block size or start over`,
      );
    }
    const manifest = manifestFromList(parsed.entries);
    // a checkpoint's record of the round names the paths already done; the journal only the round's paths
    const journal = parsed.pending === undefined ? await readJournal(dir, parsed) : undefined;
    const pending = parsed.pending ?? journal;
    let recovered = 0;
    if (pending !== undefined) {
      const done = new Set(pending.done);
      // what an unfinished removal took from below these paths, reconcile finds missing on disk
      for (const path of pending.paths) {
        if (done.has(path)) continue;
        manifest.set(path, { type: 'unknown' });
        recovered++;
      }
    }
    return new ReceiverState(dir, parsed.destinationId, hashAlgorithm, blockSize, parsed.round, manifest, new Map(parsed.stamps), recovered, true, journal?.round);
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
   * Makes the destination stop being complete and records, durably, every
   * path round `pending` may touch, before it touches any: a journal of the
   * round's paths when the manifest file already records all else, or the
   * whole manifest with the round in it when it does not.
   */
  async beginRound(pending: PendingRound): Promise<void> {
    if (!this.onDisk) return this.persist(pending, { clearComplete: true });
    this.onDisk = false;
    const journal: RoundJournalFile = { version: 1, destinationId: this.destinationId, round: pending.round, paths: pending.paths };
    // a round after a pre-copy round finds no marker, and then needs no directory sync at all
    if (await removeIfPresent(join(this.dir, COMPLETE_FILE))) await fsyncDirectory(this.dir);
    await writeRoundJournal(join(this.dir, JOURNAL_FILE), journal, STATE_FILE_MODE);
    this.journaled = pending.round;
  }

  /**
   * Writes the manifest (and a round in progress, if any) durably. Data it
   * describes must be synced first. With `clearComplete` the completion
   * marker goes in the same directory sync: a round about to touch data.
   */
  async persist(pending?: PendingRound, options: { clearComplete?: boolean } = {}): Promise<void> {
    this.onDisk = false;
    const staged = await stageFile(join(this.dir, MANIFEST_FILE), this.stateText(this.round, pending), STATE_FILE_MODE);
    if (options.clearComplete === true) await rm(join(this.dir, COMPLETE_FILE), { force: true });
    await installFile(staged);
    await fsyncDirectory(this.dir);
    if (pending !== undefined) return;
    this.onDisk = true;
    if (this.journaled === this.round + 1) {
      // this manifest records what became of the journal's round; should the removal be lost,
      // the journal would only turn paths unknown again: more sent, never less
      await rm(join(this.dir, JOURNAL_FILE), { force: true });
      this.journaled = undefined;
    }
  }

  /**
   * Writes and syncs, beside the current files, the manifest of committed
   * round `round` and, for a verified final round, the completion marker:
   * done while the round's data is still being flushed, so that committing
   * after the flush costs only renames and directory syncs.
   */
  async stageCommit(round: number, marker?: CompletionMarker): Promise<StagedCommit> {
    const writes = [
      stageFile(join(this.dir, MANIFEST_FILE), this.stateText(round, undefined), STATE_FILE_MODE),
      ...(marker === undefined ? [] : [stageFile(join(this.dir, COMPLETE_FILE), JSON.stringify(marker) + '\n', STATE_FILE_MODE)]),
    ];
    const settled = await Promise.allSettled(writes);
    const failed = settled.find((s) => s.status === 'rejected');
    const staged = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (failed !== undefined) {
      await Promise.all(staged.map((file) => discardFile(file)));
      throw failed.reason;
    }
    return { round, manifest: staged[0]!, complete: staged[1] };
  }

  /**
   * Makes a staged commit current: the manifest and the completion marker,
   * renamed into place and made durable by one sync of their directory.
   * Call only once the data it describes is durable, so that a manifest
   * never claims what a power loss could take back. The two need no order
   * between them: a marker counts only beside the manifest it names (its
   * round and digest; readCompletion checks), so a crash that keeps the new
   * marker but not the new manifest leaves a marker that counts for nothing.
   */
  async installCommit(staged: StagedCommit): Promise<void> {
    await installFile(staged.manifest);
    if (staged.complete !== undefined) await installFile(staged.complete);
    await fsyncDirectory(this.dir);
    this.round = staged.round;
    this.onDisk = true;
  }

  /** A staged commit whose data could not be made durable: its files go, never installed. */
  async discardCommit(staged: StagedCommit): Promise<void> {
    await discardFile(staged.manifest);
    if (staged.complete !== undefined) await discardFile(staged.complete);
  }

  private stateText(round: number, pending: PendingRound | undefined): string {
    const file: ReceiverStateFile = {
      version: 1,
      destinationId: this.destinationId,
      hashAlgorithm: this.hashAlgorithm,
      blockSize: this.blockSize,
      round,
      entries: manifestToList(this.manifest),
      stamps: [...this.stamps].filter(([path]) => this.manifest.has(path)),
    };
    if (pending !== undefined) file.pending = pending;
    return JSON.stringify(file);
  }
}

/** The journal's round, when it is the round after the manifest's (an older one was committed or recorded as torn since). */
async function readJournal(dir: string, manifest: ReceiverStateFile): Promise<PendingRound | undefined> {
  const path = join(dir, JOURNAL_FILE);
  const entry = await readRoundJournal(path);
  if (entry === undefined) return undefined;
  // an entry that checks out but is not a journal's was not written by a receiver: its round may have touched data
  let journal: RoundJournalFile;
  try {
    journal = checkJournalFile(entry);
  } catch (err) {
    throw new NodeError('INVALID', `the receiver's round journal ${path} is damaged (${(err as Error).message}); remove the destination and its state directory to start over`);
  }
  if (journal.destinationId !== manifest.destinationId) {
    throw new NodeError('INVALID', `the receiver's round journal ${path} belongs to another destination; remove the destination and its state directory to start over`);
  }
  if (journal.round !== manifest.round + 1) return undefined;
  return { round: journal.round, paths: journal.paths, done: [] };
}

function checkJournalFile(value: unknown): RoundJournalFile {
  const file = value as RoundJournalFile;
  if (
    typeof file !== 'object' ||
    file === null ||
    file.version !== 1 ||
    typeof file.destinationId !== 'string' ||
    !Number.isSafeInteger(file.round) ||
    !Array.isArray(file.paths) ||
    !file.paths.every((p) => typeof p === 'string')
  ) {
    throw new Error('unexpected layout');
  }
  return file;
}

/** Temporary files of the receiver's own state files that a crash left behind (never installed, so never trusted). */
async function removeLeftovers(dir: string): Promise<void> {
  const prefixes = [MANIFEST_FILE, COMPLETE_FILE, JOURNAL_FILE].map((name) => tempPrefixOf(join(dir, name)));
  for (const name of await readdir(dir)) {
    if (name.endsWith(TEMP_SUFFIX) && prefixes.some((prefix) => name.startsWith(prefix))) await rm(join(dir, name), { force: true });
  }
}

/** The completion marker of a destination's state directory, or undefined when its copy is not (or no longer) complete. */
export async function readCompletion(stateDir: string): Promise<CompletionMarker | undefined> {
  const text = await readIfPresent(join(stateDir, COMPLETE_FILE));
  if (text === undefined) return undefined;
  const marker = JSON.parse(text) as CompletionMarker;
  // the marker vouches for one manifest: without it (a crash kept the marker's rename, not the manifest's) it says nothing
  // (a damaged manifest vouches for nothing either: the receiver reports it when it next starts)
  const manifest = await readStateFile(stateDir).catch(() => undefined);
  if (manifest === undefined) return undefined;
  if (manifest.round !== marker.round || manifestDigest(manifestFromList(manifest.entries)) !== marker.digest) return undefined;
  return marker;
}

/** The manifest file of state directory `dir`, checked; undefined when there is none yet. */
async function readStateFile(dir: string): Promise<ReceiverStateFile | undefined> {
  const text = await readIfPresent(join(dir, MANIFEST_FILE));
  if (text === undefined) return undefined;
  try {
    return checkStateFile(JSON.parse(text));
  } catch (err) {
    throw new NodeError('INVALID', `the receiver state ${join(dir, MANIFEST_FILE)} is damaged (${(err as Error).message}); remove the destination and its state directory to start over`);
  }
}

/** Removes `path`; false when there was nothing to remove. */
async function removeIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** A state file's text, or undefined when there is no such file (a state not written yet). */
async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
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
