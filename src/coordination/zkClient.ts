// A small promise API over the native `zookeeper` client: one session, typed
// errors with ZooKeeper's own code names, watches as callbacks, and the
// session's state as events. It never reconnects with a new session by
// itself: an expired session ends this client, so whoever held a lease on it
// (a leader, an ephemeral registration) learns that it is gone. With digest
// credentials, every node it creates is closed to all but that identity.

import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import ZooKeeper from 'zookeeper';
import { untilConnected } from './untilConnected.js';

const Z = ZooKeeper.constants as unknown as Record<string, number>;

export type ZkErrorCode =
  | 'NONODE'
  | 'NODEEXISTS'
  | 'BADVERSION'
  | 'NOTEMPTY'
  | 'NOAUTH'
  | 'SESSIONEXPIRED'
  | 'CONNECTIONLOSS'
  | 'OPERATIONTIMEOUT'
  | 'CLOSING'
  | 'NOCHILDRENFOREPHEMERALS'
  | 'INVALIDACL'
  | 'AUTHFAILED'
  | 'BADARGUMENTS'
  | 'INVALIDSTATE'
  | 'SYSTEMERROR';

const CODE_NAMES = new Map<number, ZkErrorCode>();
for (const name of [
  'NONODE',
  'NODEEXISTS',
  'BADVERSION',
  'NOTEMPTY',
  'NOAUTH',
  'SESSIONEXPIRED',
  'CONNECTIONLOSS',
  'OPERATIONTIMEOUT',
  'CLOSING',
  'NOCHILDRENFOREPHEMERALS',
  'INVALIDACL',
  'AUTHFAILED',
  'BADARGUMENTS',
  'INVALIDSTATE',
  'SYSTEMERROR',
] as const) {
  const code = Z['Z' + name];
  if (code !== undefined) CODE_NAMES.set(code, name);
}

export class ZkError extends Error {
  override name = 'ZkError';
  constructor(
    readonly code: ZkErrorCode,
    readonly op: string,
    readonly path: string,
  ) {
    super(`ZooKeeper ${op} ${path}: ${code}`);
  }
}

export function isZkError(err: unknown, code?: ZkErrorCode): err is ZkError {
  return err instanceof ZkError && (code === undefined || err.code === code);
}

export interface ZkStat {
  version: number;
  cversion: number;
  czxid: number;
  mzxid: number;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
  ctime: number;
  mtime: number;
}

export type CreateMode = 'persistent' | 'ephemeral' | 'persistent_sequential' | 'ephemeral_sequential';

/** One ACL entry as ZooKeeper keeps it: permission bits for an identity (scheme and id). */
export interface ZkAcl {
  perms: number;
  scheme: string;
  id: string;
}

/** ZooKeeper's permission bits: READ 1, WRITE 2, CREATE 4, DELETE 8, ADMIN 16. */
export const ZK_PERM_ALL = 31;

/** The id ZooKeeper's digest scheme stores for "user:password": user:base64(sha1("user:password")). */
export function digestAclId(credentials: string): string {
  const colon = credentials.indexOf(':');
  if (colon <= 0) throw new Error('ZooKeeper digest credentials must be "user:password"');
  return `${credentials.slice(0, colon)}:${createHash('sha1').update(credentials, 'utf8').digest('base64')}`;
}

const CREATE_FLAGS: Record<CreateMode, number> = {
  persistent: Z['ZOO_PERSISTENT']!,
  ephemeral: Z['ZOO_EPHEMERAL']!,
  persistent_sequential: Z['ZOO_PERSISTENT_SEQUENTIAL']!,
  ephemeral_sequential: Z['ZOO_EPHEMERAL_SEQUENTIAL']!,
};

export type WatchEvent = 'created' | 'deleted' | 'changed' | 'child' | 'session' | 'notwatching';
export type Watcher = (event: WatchEvent, path: string) => void;

/** connected: requests flow. connecting: the link dropped and the session may still live. expired and closed: the end. */
export type ZkSessionState = 'connecting' | 'connected' | 'expired' | 'closed';

export interface ZkClientOptions {
  /** host:port[,host:port...] with an optional chroot suffix, e.g. "127.0.0.1:2181/ferry" */
  servers: string;
  sessionTimeoutMs?: number;
  /** digest credentials ("user:password") added to the session before it is used */
  digestAuth?: string;
  /** how long connect() waits for the first connection */
  connectTimeoutMs?: number;
}

interface NativeZk extends EventEmitter {
  init(config: object): void;
  close(): void;
  a_create(path: string, data: Buffer | string | null, flags: number, cb: (rc: number, error: string, path: string) => void): void;
  a_get(path: string, watch: boolean, cb: (rc: number, error: string, stat: NativeStat, data: Buffer | null) => void): void;
  aw_get(path: string, watchCb: NativeWatch, cb: (rc: number, error: string, stat: NativeStat, data: Buffer | null) => void): void;
  a_exists(path: string, watch: boolean, cb: (rc: number, error: string, stat: NativeStat) => void): void;
  aw_exists(path: string, watchCb: NativeWatch, cb: (rc: number, error: string, stat: NativeStat) => void): void;
  a_get_children(path: string, watch: boolean, cb: (rc: number, error: string, children: string[]) => void): void;
  aw_get_children(path: string, watchCb: NativeWatch, cb: (rc: number, error: string, children: string[]) => void): void;
  a_set(path: string, data: Buffer | string, version: number, cb: (rc: number, error: string, stat: NativeStat) => void): void;
  a_delete_(path: string, version: number, cb: (rc: number, error: string) => void): void;
  add_auth(scheme: string, auth: string, cb: (rc: number, error: string) => void): void;
  /** the binding reads each entry's permissions from `perm` (its getter answers with `perms`) */
  a_set_acl(path: string, version: number, acl: { perm: number; scheme: string; auth: string }[], cb: (rc: number, error: string) => void): void;
  a_get_acl(path: string, cb: (rc: number, error: string, acl: { perms: number; scheme: string; auth: string }[] | null, stat: NativeStat | null) => void): void;
  a_sync(path: string, cb: (rc: number, error: string, path: string) => void): void;
  client_id: string;
  state: number;
}
type NativeWatch = (type: number, state: number, path: string) => void;
interface NativeStat {
  version: number;
  cversion: number;
  czxid: number;
  mzxid: number;
  ephemeralOwner: string | number;
  dataLength: number;
  numChildren: number;
  ctime: number;
  mtime: number;
  aversion?: number;
}

function toStat(s: NativeStat): ZkStat {
  return {
    version: s.version,
    cversion: s.cversion,
    czxid: s.czxid,
    mzxid: s.mzxid,
    ephemeralOwner: String(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
    ctime: s.ctime,
    mtime: s.mtime,
  };
}

function watchEventName(type: number): WatchEvent {
  if (type === Z['ZOO_CREATED_EVENT']) return 'created';
  if (type === Z['ZOO_DELETED_EVENT']) return 'deleted';
  if (type === Z['ZOO_CHANGED_EVENT']) return 'changed';
  if (type === Z['ZOO_CHILD_EVENT']) return 'child';
  if (type === Z['ZOO_SESSION_EVENT']) return 'session';
  return 'notwatching';
}

export interface ZkClientEvents {
  state: [ZkSessionState];
}

export class ZkClient extends EventEmitter<ZkClientEvents> {
  private readonly zk: NativeZk;
  /**
   * The binding under the package's JavaScript wrapper: the wrapper formats a
   * debug line with util.inspect of every argument (data included) on every
   * call, even with no logger, which costs more than the call on hot paths.
   */
  private readonly native: NativeZk;
  private stateValue: ZkSessionState = 'connecting';
  readonly sessionTimeoutMs: number;
  /** what every created node is restricted to: the session's digest identity, or undefined (nodes stay open) */
  readonly ownerAcl: readonly ZkAcl[] | undefined;

  private constructor(options: ZkClientOptions) {
    super();
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
    this.ownerAcl = options.digestAuth === undefined ? undefined : [{ perms: ZK_PERM_ALL, scheme: 'digest', id: digestAclId(options.digestAuth) }];
    this.zk = new (ZooKeeper as unknown as new (config: object) => NativeZk)({
      connect: options.servers,
      timeout: this.sessionTimeoutMs,
      debug_level: Z['ZOO_LOG_LEVEL_ERROR'],
      host_order_deterministic: false,
      data_as_buffer: true,
    });
    this.native = (this.zk as unknown as { native: NativeZk }).native;
    this.zk.on('connect', () => this.setState('connected'));
    this.zk.on('connecting', () => this.setState('connecting'));
    this.zk.on('close', (_self: unknown, code?: number) => {
      this.setState(code === Z['ZOO_EXPIRED_SESSION_STATE'] ? 'expired' : 'closed');
    });
  }

  /** Opens a session and resolves once it is connected (and authenticated, if asked). */
  static async connect(options: ZkClientOptions): Promise<ZkClient> {
    const client = new ZkClient(options);
    const timeoutMs = options.connectTimeoutMs ?? Math.max(client.sessionTimeoutMs, 5_000);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.off('state', onState);
        client.close();
        reject(new Error(`ZooKeeper at ${options.servers} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const onState = (state: ZkSessionState): void => {
        if (state === 'connected') {
          clearTimeout(timer);
          client.off('state', onState);
          resolve();
        } else if (state === 'expired' || state === 'closed') {
          clearTimeout(timer);
          client.off('state', onState);
          reject(new Error(`ZooKeeper session to ${options.servers} ended while connecting (${state})`));
        }
      };
      client.on('state', onState);
      client.zk.init({});
    });
    if (options.digestAuth !== undefined) {
      await client.call('add_auth', '/', () => undefined, (cb) => client.zk.add_auth('digest', options.digestAuth!, cb));
    }
    return client;
  }

  get state(): ZkSessionState {
    return this.stateValue;
  }

  /** The session id as ZooKeeper reports it (hex), stable for the life of this client. */
  get sessionId(): string {
    return String(this.zk.client_id).split(':')[0] ?? '';
  }

  private setState(state: ZkSessionState): void {
    if (this.stateValue === state) return;
    if (this.stateValue === 'expired' || this.stateValue === 'closed') return;
    this.stateValue = state;
    this.emit('state', state);
  }

  close(): void {
    if (this.stateValue === 'closed' || this.stateValue === 'expired') {
      this.stateValue = 'closed';
      return;
    }
    this.setState('closed');
    try {
      this.zk.close();
    } catch {
      // a native handle already torn down has nothing left to close
    }
  }

  private call<A extends unknown[], T>(
    op: string,
    path: string,
    pick: (...rest: A) => T,
    start: (cb: (rc: number, error: string, ...rest: A) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.stateValue === 'closed' || this.stateValue === 'expired') {
        reject(new ZkError(this.stateValue === 'expired' ? 'SESSIONEXPIRED' : 'CLOSING', op, path));
        return;
      }
      start((rc, _error, ...rest) => {
        if (rc === Z['ZOK']) resolve(pick(...rest));
        else reject(new ZkError(CODE_NAMES.get(rc) ?? 'SYSTEMERROR', op, path));
      });
    });
  }

  /**
   * Creates a node and resolves with its path. With digest credentials the
   * node is then restricted to them (see restrict()); the native client can
   * only create nodes open to everyone, so that takes a second request.
   */
  async create(path: string, data: Buffer | string = '', mode: CreateMode = 'persistent'): Promise<string> {
    if (this.ownerAcl === undefined) return this.createOpen(path, data, mode);
    let created: string;
    try {
      created = await this.createOpen(path, data, mode);
    } catch (err) {
      if (!isZkError(err, 'CONNECTIONLOSS') && !isZkError(err, 'OPERATIONTIMEOUT')) throw err;
      // the node may exist without its ACL: find it and restrict it, or let the caller settle the lost create
      const found = await this.findLostCreate(path, data, mode);
      if (found === undefined) throw err;
      created = found;
    }
    await this.restrict(created);
    return created;
  }

  private createOpen(path: string, data: Buffer | string, mode: CreateMode): Promise<string> {
    return this.call('create', path, (created: string) => created, (cb) => this.native.a_create(path, data, CREATE_FLAGS[mode], cb));
  }

  /** A node this session created whose reply was lost: same bytes, never changed since (version 0). */
  private async findLostCreate(path: string, data: Buffer | string, mode: CreateMode): Promise<string | undefined> {
    if ((await untilConnected(this, this.sessionTimeoutMs)) !== 'connected') return undefined;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const sequential = mode === 'persistent_sequential' || mode === 'ephemeral_sequential';
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    const base = path.slice(path.lastIndexOf('/') + 1);
    const candidates = sequential
      ? (await this.children(parent)).filter((n) => n.startsWith(base) && /^\d{10}$/.test(n.slice(base.length))).map((n) => `${parent === '/' ? '' : parent}/${n}`)
      : [path];
    for (const candidate of candidates) {
      try {
        const got = await this.get(candidate);
        if (got.stat.version === 0 && got.data.equals(bytes)) return candidate;
      } catch (err) {
        if (!isZkError(err, 'NONODE')) throw err;
      }
    }
    return undefined;
  }

  /**
   * Closes a node just created to all but this session's digest identity.
   * Between the create and this, the node is open: anyone who names its exact
   * path may read it or change it. A change is caught here (the ACL version
   * or the data version is no longer 0) and the create fails with BADVERSION
   * (the node is removed when the change left it ours), so nothing Ferry
   * wrote is silently replaced; what was read in that window stays read.
   */
  private async restrict(path: string): Promise<void> {
    const acl = this.ownerAcl!;
    const entries = acl.map((a) => ({ perm: a.perms, scheme: a.scheme, auth: a.id }));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.call('setAcl', path, () => undefined, (cb) => this.native.a_set_acl(path, 0, entries, cb));
        break;
      } catch (err) {
        if (isZkError(err, 'CONNECTIONLOSS') || isZkError(err, 'OPERATIONTIMEOUT')) {
          if (attempt >= 5 || (await untilConnected(this, this.sessionTimeoutMs)) !== 'connected') throw err;
          continue; // if the lost request was applied, the retry sees BADVERSION and the check below finds our ACL
        }
        if (!isZkError(err, 'BADVERSION')) throw new ZkError(isZkError(err) ? err.code : 'SYSTEMERROR', 'create', path);
        const current = await this.getAcl(path);
        if (current.aversion === 1 && sameAcl(current.acl, acl)) break;
        throw new ZkError('BADVERSION', 'create', path);
      }
    }
    // from here on only this identity can change the node: look whether anyone did before
    const stat = await this.exists(path);
    if (stat === undefined) throw new ZkError('NONODE', 'create', path);
    if (stat.version !== 0) {
      await this.delete(path).catch(() => undefined);
      throw new ZkError('BADVERSION', 'create', path);
    }
  }

  /** A node's ACL and its ACL version. */
  getAcl(path: string): Promise<{ acl: ZkAcl[]; aversion: number }> {
    return this.call(
      'getAcl',
      path,
      (acl: { perms: number; scheme: string; auth: string }[] | null, stat: NativeStat | null) => ({
        acl: (acl ?? []).map((a) => ({ perms: a.perms, scheme: a.scheme, id: a.auth })),
        aversion: stat?.aversion ?? -1,
      }),
      (cb) => this.native.a_get_acl(path, cb),
    );
  }

  /** Creates every missing node on the way to path (persistent, empty). */
  async mkdirp(path: string): Promise<void> {
    const parts = path.split('/').filter((p) => p !== '');
    let current = '';
    for (const part of parts) {
      current += '/' + part;
      try {
        await this.create(current, '', 'persistent');
      } catch (err) {
        if (!isZkError(err, 'NODEEXISTS')) throw err;
      }
    }
  }

  get(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: ZkStat }> {
    const pick = (stat: NativeStat, data: Buffer | null) => ({ data: data ?? Buffer.alloc(0), stat: toStat(stat) });
    if (watcher) return this.call('get', path, pick, (cb) => this.native.aw_get(path, nativeWatch(watcher), cb));
    return this.call('get', path, pick, (cb) => this.native.a_get(path, false, cb));
  }

  /** The node's stat, or undefined when it does not exist (a watcher then fires on creation). */
  async exists(path: string, watcher?: Watcher): Promise<ZkStat | undefined> {
    try {
      if (watcher) return await this.call('exists', path, toStat, (cb) => this.native.aw_exists(path, nativeWatch(watcher), cb));
      return await this.call('exists', path, toStat, (cb) => this.native.a_exists(path, false, cb));
    } catch (err) {
      if (isZkError(err, 'NONODE')) return undefined;
      throw err;
    }
  }

  children(path: string, watcher?: Watcher): Promise<string[]> {
    const pick = (children: string[]) => children ?? [];
    if (watcher) return this.call('children', path, pick, (cb) => this.native.aw_get_children(path, nativeWatch(watcher), cb));
    return this.call('children', path, pick, (cb) => this.native.a_get_children(path, false, cb));
  }

  /** Writes data; with a version it succeeds only if the node is still at that version (else BADVERSION). */
  set(path: string, data: Buffer | string, version = -1): Promise<ZkStat> {
    return this.call('set', path, toStat, (cb) => this.native.a_set(path, data, version, cb));
  }

  delete(path: string, version = -1): Promise<void> {
    return this.call('delete', path, () => undefined, (cb) => this.native.a_delete_(path, version, cb));
  }

  /** Brings this session's view up to date with the leader before a read. */
  sync(path: string): Promise<void> {
    return this.call('sync', path, () => undefined, (cb) => this.native.a_sync(path, cb));
  }
}

function sameAcl(a: readonly ZkAcl[], b: readonly ZkAcl[]): boolean {
  const key = (x: ZkAcl): string => `${x.perms}|${x.scheme}|${x.id}`;
  return a.length === b.length && a.map(key).sort().join('\n') === b.map(key).sort().join('\n');
}

function nativeWatch(watcher: Watcher): NativeWatch {
  return (type, _state, path) => watcher(watchEventName(type), path);
}

/**
 * Splits a zk:// URL as Mesos and Ferry accept them:
 * zk://[user:password@]host:port[,host:port...]/path
 */
export function parseZkUrl(url: string): { servers: string; path: string; digestAuth?: string } {
  const m = /^zk:\/\/(?:([^@/]+)@)?([^/]+)(\/.*)?$/.exec(url.trim());
  if (!m) throw new Error(`not a ZooKeeper URL: "${url}" (expected zk://host:port[,host:port...]/path)`);
  const [, auth, servers, rawPath] = m;
  for (const server of servers!.split(',')) {
    if (!/^[^:,\s]+:\d{1,5}$/.test(server)) {
      throw new Error(`ZooKeeper URL "${url}": "${server}" is not host:port`);
    }
  }
  const path = rawPath === undefined || rawPath === '/' ? '/' : rawPath.replace(/\/+$/, '');
  if (path.includes('//')) throw new Error(`ZooKeeper URL "${url}": empty path segment`);
  return auth === undefined ? { servers: servers!, path } : { servers: servers!, path, digestAuth: auth };
}
