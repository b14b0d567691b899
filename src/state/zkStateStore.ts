// Ferry's durable state in ZooKeeper: one znode of versioned JSON per record
// under the framework's root, read with pipelined requests and written only
// by the current leader, through the very session that holds its election
// node, stamped with its epoch, and conditional on the znode version it last
// saw. It never overwrites a record another writer changed: that surfaces as
// FencedWriteError and the leader steps down.
//
// Why that fences a deposed leader without multi-op transactions:
//  (a) a successor is elected only after the old leader's ephemeral election
//      node is gone, i.e. after ZooKeeper expired or closed its session (or
//      the node was deleted on that same session, after every write it had
//      already sent). The session is never replaced, so every later write on
//      it fails, and ZooKeeper orders every earlier one before the successor's
//      election, hence before the successor's load().
//  (b) each term has its own epoch, taken with a conditional write on
//      <root>/epoch, stamped into every envelope: a leader that reads a record
//      from a later epoch knows it is stale and steps down.
//  (c) every write is conditional on the version this term last saw (create
//      for a record it has not seen), so the one gap (a), the node removed by
//      hand while the old session lives, still cannot overwrite silently: an
//      interleaving shows up as BADVERSION/NODEEXISTS/NONODE → FencedWriteError.

import type { Logger } from '../common/log.js';
import { silentLogger } from '../common/log.js';
import type { ZkLeaderTerm, ZkTermSource } from '../coordination/leadership.js';
import { untilConnected } from '../coordination/untilConnected.js';
import { isZkError, type ZkClient } from '../coordination/zkClient.js';
import type { ZkLocation } from '../coordination/zkLocation.js';
import { mapConcurrently } from './mapConcurrently.js';
import { emptySnapshot, type RecordKind, type StateSnapshot } from './model.js';
import { addToSnapshot } from './recordTable.js';
import { checkRecordForWrite, checkRecordId, encodeEnvelope, openRecord, parseStoredJson } from './recordEnvelope.js';
import { CorruptStateError, FencedWriteError, InvalidRecordError, type RecordTypes, type StateStore } from './stateStore.js';
import { COLLECTION_KINDS, collectionPath, decodeZnodeName, frameworkPath, recordPath } from './zkRecordPaths.js';

/** ZooKeeper refuses packets over jute.maxbuffer (1 MiB by default), request overhead included. */
export const MAX_RECORD_BYTES = 1_000_000;
/** how many times one operation may lose its reply to a link drop before the store gives up */
const MAX_LOST_REPLIES = 5;

export interface ZkStateStoreOptions {
  location: Pick<ZkLocation, 'servers' | 'root' | 'display'>;
  /** who leads, on which session: LeadershipLifecycle, LeaderElection, or readOnlyZkAccess() */
  terms: ZkTermSource;
  logger?: Logger;
  /** reads in flight during load(); default 512 */
  loadConcurrency?: number;
}

interface LoadItem {
  kind: RecordKind;
  id: string | undefined;
  path: string;
}

type LostWriteOutcome = 'applied' | 'not-applied';

export class ZkStateStore implements StateStore {
  /** znode versions this term has seen (read or written); a path absent here is created, never set */
  private versions = new Map<string, number>();
  private versionsEpoch: number | undefined;
  /** per path, the sequence number of the last write issued, so a concurrent load() does not roll versions back */
  private lastIssued = new Map<string, number>();
  private issued = 0;
  private readonly queues = new Map<string, Promise<void>>();
  private closed = false;
  private readonly root: string;
  private readonly logger: Logger;

  constructor(private readonly options: ZkStateStoreOptions) {
    this.root = options.location.root;
    this.logger = (options.logger ?? silentLogger()).child({ state: options.location.display });
  }

  describe(): string {
    return this.options.location.display;
  }

  /** Reads are idempotent: a load cut short by a link drop is read again once the same session is back. */
  async load(): Promise<StateSnapshot> {
    this.assertOpen();
    for (let attempt = 1; ; attempt++) {
      const term = this.options.terms.currentTerm();
      const zk = term?.zk ?? this.options.terms.readSession();
      if (zk === undefined) throw new Error(`not connected to ZooKeeper at ${this.describe()}; cannot read Ferry state until a session is open`);
      try {
        return await this.loadOnce(zk, term);
      } catch (err) {
        if (!isZkError(err, 'CONNECTIONLOSS') && !isZkError(err, 'OPERATIONTIMEOUT')) throw err;
        const link = await untilConnected(zk, zk.sessionTimeoutMs);
        if (link !== 'connected' || attempt >= MAX_LOST_REPLIES) {
          throw new Error(`reading Ferry state from ${this.describe()} failed: the ZooKeeper link dropped ${attempt} time(s) and ${link === 'connected' ? 'kept dropping' : 'did not come back'}`);
        }
      }
    }
  }

  private async loadOnce(zk: ZkClient, term: ZkLeaderTerm | undefined): Promise<StateSnapshot> {
    const loadStart = this.issued;
    const started = Date.now();
    await zk.sync(this.root).catch((err: unknown) => {
      if (!isZkError(err, 'NONODE')) throw err;
    });

    const items: LoadItem[] = [{ kind: 'framework', id: undefined, path: frameworkPath(this.root) }];
    const listings = await Promise.all(COLLECTION_KINDS.map((kind) => this.list(zk, collectionPath(this.root, kind))));
    COLLECTION_KINDS.forEach((kind, i) => {
      const dir = collectionPath(this.root, kind);
      for (const name of listings[i]!) {
        const id = decodeZnodeName(name);
        if (id === undefined) {
          throw new CorruptStateError(this.where(`${dir}/${name}`), `"${name}" is not a record name Ferry writes (percent-encoded ${kind} id)`);
        }
        items.push({ kind, id, path: `${dir}/${name}` });
      }
    });

    const fetched = await mapConcurrently(items, this.options.loadConcurrency ?? 512, async (item) => {
      try {
        const { data, stat } = await zk.get(item.path);
        return { item, data, version: stat.version };
      } catch (err) {
        if (isZkError(err, 'NONODE')) return undefined; // deleted after it was listed
        throw err;
      }
    });

    const snapshot = emptySnapshot();
    const seen = new Map<string, number>();
    let newest = { epoch: 0, path: '' };
    for (const entry of fetched) {
      if (entry === undefined) continue;
      const { item } = entry;
      const location = this.where(item.path);
      const { epoch, record } = openRecord(location, parseStoredJson(location, entry.data), item.kind, item.id);
      seen.set(item.path, entry.version);
      if (epoch > newest.epoch) newest = { epoch, path: item.path };
      addToSnapshot(snapshot, item.kind, item.id, record);
    }

    if (term !== undefined && this.isCurrent(term)) {
      if (newest.epoch > term.epoch) {
        const detail = `${newest.path} was written in leader epoch ${newest.epoch}, after this leader's epoch ${term.epoch}: a newer leader exists`;
        this.options.terms.stepDown(term.epoch, detail);
        throw new FencedWriteError(this.where(newest.path), `${detail}; this Ferry steps down`);
      }
      this.adoptVersions(term.epoch, seen, loadStart);
    }
    this.logger.debug({ records: seen.size, ms: Date.now() - started, epoch: term?.epoch }, 'state loaded');
    return snapshot;
  }

  async put<K extends RecordKind>(kind: K, id: string, record: RecordTypes[K]): Promise<void> {
    this.assertOpen();
    checkRecordForWrite(kind, id, record);
    const path = recordPath(this.root, kind, id);
    const term = this.requireTerm(path);
    const data = Buffer.from(JSON.stringify(encodeEnvelope(kind, term.epoch, record)));
    if (data.length > MAX_RECORD_BYTES) {
      throw new InvalidRecordError(kind, id, `its JSON is ${data.length} bytes and a ZooKeeper node holds at most ${MAX_RECORD_BYTES}`);
    }
    await this.serialize(path, () => this.write(term, path, data));
  }

  async delete(kind: RecordKind, id: string): Promise<void> {
    this.assertOpen();
    checkRecordId(kind, id);
    const path = recordPath(this.root, kind, id);
    const term = this.requireTerm(path);
    await this.serialize(path, () => this.write(term, path, undefined));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.queues.values()]);
  }

  private async list(zk: ZkClient, dir: string): Promise<string[]> {
    try {
      return await zk.children(dir);
    } catch (err) {
      if (isZkError(err, 'NONODE')) return [];
      throw err;
    }
  }

  /** One write (data) or delete (undefined), retried only when its outcome was lost with the link. */
  private async write(term: ZkLeaderTerm, path: string, data: Buffer | undefined): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.checkStillCurrent(term, path);
      this.useEpoch(term.epoch);
      const known = this.versions.get(path);
      this.lastIssued.set(path, ++this.issued);
      try {
        if (data === undefined) {
          await this.deleteOnce(term, path, known);
        } else if (known === undefined) {
          await this.createOnce(term.zk, path, data);
          this.versions.set(path, 0);
        } else {
          const stat = await term.zk.set(path, data, known);
          this.versions.set(path, stat.version);
        }
        return;
      } catch (err) {
        if (!isZkError(err)) throw err;
        switch (err.code) {
          case 'BADVERSION':
            return this.fence(term, path, `another writer changed it after this leader saw version ${known}`);
          case 'NODEEXISTS':
            return this.fence(term, path, 'another writer created it, or this leader did not load() the state after taking office');
          case 'NONODE':
            return this.fence(term, path, `another writer deleted it after this leader saw version ${known}`);
          case 'SESSIONEXPIRED':
          case 'CLOSING':
          case 'INVALIDSTATE':
            return this.fence(term, path, `this leader's ZooKeeper session ended (${err.code}), so another Ferry may lead`);
          case 'CONNECTIONLOSS':
          case 'OPERATIONTIMEOUT': {
            const outcome = await this.settleLostWrite(term, path, known, data);
            this.logger.info({ path, attempt, outcome }, 'the reply to a write was lost with the ZooKeeper link; settled on the same session');
            if (outcome === 'applied') return;
            if (attempt >= MAX_LOST_REPLIES) {
              throw new Error(`writing ${this.where(path)} lost its reply ${attempt} times in a row; ZooKeeper's link is unstable, try again`);
            }
            continue;
          }
          case 'NOAUTH':
            throw new Error(`ZooKeeper refused to write ${this.where(path)}: the --zk credentials lack write permission (NOAUTH)`);
          default:
            throw new Error(`ZooKeeper refused to write ${this.where(path)}: ${err.code}`);
        }
      }
    }
  }

  private async deleteOnce(term: ZkLeaderTerm, path: string, known: number | undefined): Promise<void> {
    if (known === undefined) {
      if ((await term.zk.exists(path)) === undefined) return; // nothing to delete
      this.fence(term, path, 'it exists but this leader has not read it since taking office (another writer created it, or load() was skipped)');
    }
    await term.zk.delete(path, known);
    this.versions.delete(path);
  }

  private async createOnce(zk: ZkClient, path: string, data: Buffer): Promise<void> {
    try {
      await zk.create(path, data, 'persistent');
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
      // the collection's directory does not exist yet
      await zk.mkdirp(path.slice(0, path.lastIndexOf('/')));
      await zk.create(path, data, 'persistent');
    }
  }

  /**
   * A write whose reply was lost may or may not have been applied. On the
   * same session (never another) look at the node: our exact bytes at the
   * next version mean applied, the version we started from means not applied,
   * anything else means another writer, i.e. fenced.
   */
  private async settleLostWrite(term: ZkLeaderTerm, path: string, known: number | undefined, data: Buffer | undefined): Promise<LostWriteOutcome> {
    const link = await untilConnected(term.zk, term.zk.sessionTimeoutMs);
    if (link !== 'connected') {
      const why = link === 'ended' ? 'ended' : 'stayed disconnected for its whole timeout';
      return this.fence(term, path, `this leader's ZooKeeper session ${why} while a write's outcome was unknown`);
    }
    this.checkStillCurrent(term, path);
    let current: { data: Buffer; version: number } | undefined;
    try {
      const got = await term.zk.get(path);
      current = { data: got.data, version: got.stat.version };
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
    }
    if (data === undefined) {
      if (current === undefined) {
        this.versions.delete(path);
        return 'applied';
      }
      if (current.version === known) return 'not-applied';
      return this.fence(term, path, `another writer changed it while this leader's delete was in flight`);
    }
    if (current === undefined) {
      if (known === undefined) return 'not-applied';
      return this.fence(term, path, 'another writer deleted it while this leader wrote it');
    }
    const next = known === undefined ? 0 : known + 1;
    if (current.version === next && current.data.equals(data)) {
      this.versions.set(path, next);
      return 'applied';
    }
    if (known !== undefined && current.version === known) return 'not-applied';
    return this.fence(term, path, `another writer changed it while this leader's write was in flight (version ${current.version})`);
  }

  private fence(term: ZkLeaderTerm, path: string, detail: string): never {
    this.options.terms.stepDown(term.epoch, `write to ${path} fenced: ${detail}`);
    this.logger.warn({ path, epoch: term.epoch, detail }, 'write fenced; stepping down');
    throw new FencedWriteError(this.where(path), `${detail}; this Ferry (leader epoch ${term.epoch}) steps down`);
  }

  private requireTerm(path: string): ZkLeaderTerm {
    const term = this.options.terms.currentTerm();
    if (term === undefined) {
      throw new FencedWriteError(this.where(path), 'this Ferry does not lead (a standby, or its term has ended); only the leader changes state');
    }
    return term;
  }

  private isCurrent(term: ZkLeaderTerm): boolean {
    const now = this.options.terms.currentTerm();
    return now !== undefined && now.epoch === term.epoch && now.zk === term.zk;
  }

  private checkStillCurrent(term: ZkLeaderTerm, path: string): void {
    if (!this.isCurrent(term)) {
      throw new FencedWriteError(this.where(path), `the term (leader epoch ${term.epoch}) that issued this write ended before it reached ZooKeeper`);
    }
  }

  /** Versions belong to one term: a new term starts from what it loads, never from an old term's view. */
  private useEpoch(epoch: number): void {
    if (this.versionsEpoch === epoch) return;
    this.versionsEpoch = epoch;
    this.versions = new Map();
    this.lastIssued = new Map();
  }

  private adoptVersions(epoch: number, seen: Map<string, number>, loadStart: number): void {
    this.useEpoch(epoch);
    const next = new Map(seen);
    for (const [path, seq] of this.lastIssued) {
      if (seq <= loadStart) continue;
      // written while the load ran: what that write left is newer than what the load read
      const version = this.versions.get(path);
      if (version === undefined) next.delete(path);
      else next.set(path, version);
    }
    this.versions = next;
  }

  private serialize(path: string, fn: () => Promise<void>): Promise<void> {
    const run = (this.queues.get(path) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    this.queues.set(path, tail);
    void tail.then(() => {
      if (this.queues.get(path) === tail) this.queues.delete(path);
    });
    return run;
  }

  private where(path: string): string {
    return `zk://${this.options.location.servers}${path}`;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the state store for ${this.describe()} is closed`);
  }
}

/** A term source for processes that only read (tools, tests): it never leads. */
export function readOnlyZkAccess(zk: ZkClient): ZkTermSource {
  return {
    currentTerm: () => undefined,
    readSession: () => (zk.state === 'expired' || zk.state === 'closed' ? undefined : zk),
    stepDown: () => undefined,
  };
}
