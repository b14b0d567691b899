// Finds the leading Mesos master in ZooKeeper the way Mesos's own detector
// does: among the children of the path, the `json.info_` node with the lowest
// sequence number is the leader, and its data is the leader's MasterInfo as
// JSON. Watches the children and follows every change; reconnects with a new
// session if ZooKeeper expires this one. It never writes to ZooKeeper.

import { EventEmitter } from 'node:events';
import type { Logger } from '../common/log.js';
import { isZkError, parseZkUrl, ZkClient } from '../coordination/zkClient.js';
import { sameMaster, type MasterAddress } from './masterAddress.js';
import type { MasterDetector, MasterDetectorEvents } from './masterDetector.js';
import type { MasterInfo } from './types.js';

const LEADER_PREFIX = 'json.info_';
const RETRY_MS = 1000;

/** The leader's node among a master path's children: lowest json.info_ sequence. */
export function leaderNode(children: string[]): string | undefined {
  let best: { name: string; seq: number } | undefined;
  for (const name of children) {
    if (!name.startsWith(LEADER_PREFIX)) continue;
    const seq = Number(name.slice(LEADER_PREFIX.length));
    if (!Number.isInteger(seq)) continue;
    if (best === undefined || seq < best.seq) best = { name, seq };
  }
  return best?.name;
}

/** Where a MasterInfo (as JSON in ZooKeeper) says the master answers HTTP. */
export function addressFromMasterInfo(info: MasterInfo): MasterAddress {
  const host = info.address?.hostname ?? info.hostname ?? info.address?.ip ?? ipFromNetworkOrder(info.ip);
  const port = info.address?.port ?? info.port;
  if (host === undefined || host === '' || typeof port !== 'number') {
    throw new Error(`MasterInfo ${JSON.stringify(info)} names no reachable address`);
  }
  return { scheme: 'http', host, port };
}

function ipFromNetworkOrder(ip: number | undefined): string | undefined {
  if (typeof ip !== 'number') return undefined;
  return [ip & 0xff, (ip >>> 8) & 0xff, (ip >>> 16) & 0xff, (ip >>> 24) & 0xff].join('.');
}

export class ZkMasterDetector extends EventEmitter<MasterDetectorEvents> implements MasterDetector {
  private readonly servers: string;
  private readonly path: string;
  private readonly digestAuth: string | undefined;
  private zk: ZkClient | undefined;
  private leaderAddress: MasterAddress | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private waiters: ((m: MasterAddress) => void)[] = [];
  /** bumps on every refresh so a slow read cannot overwrite a newer one */
  private generation = 0;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
  ) {
    super();
    const parsed = parseZkUrl(url);
    this.servers = parsed.servers;
    this.path = parsed.path;
    this.digestAuth = parsed.digestAuth;
  }

  describe(): string {
    return this.url.replace(/\/\/[^@/]+@/, '//***@');
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.zk?.close();
    this.zk = undefined;
  }

  current(): MasterAddress | undefined {
    return this.leaderAddress;
  }

  leader(): Promise<MasterAddress> {
    if (this.leaderAddress) return Promise.resolve(this.leaderAddress);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** ZooKeeper decides who leads; a failed connection says nothing about that. */
  reportFailure(): void {}

  private async connect(): Promise<void> {
    try {
      const zk = await ZkClient.connect({
        servers: this.servers,
        sessionTimeoutMs: 10_000,
        ...(this.digestAuth === undefined ? {} : { digestAuth: this.digestAuth }),
      });
      if (this.stopped) {
        zk.close();
        return;
      }
      this.zk = zk;
      zk.on('state', (state) => {
        if (state === 'expired' && !this.stopped) {
          this.logger.warn({ zk: this.describe() }, 'ZooKeeper session of the master detector expired; reconnecting');
          this.zk = undefined;
          this.scheduleRetry();
        }
      });
      await this.refresh();
    } catch (err) {
      this.logger.warn({ zk: this.describe(), err: (err as Error).message }, 'cannot reach ZooKeeper to detect the master; retrying');
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.zk === undefined) void this.connect();
      else void this.refresh();
    }, RETRY_MS);
  }

  private async refresh(): Promise<void> {
    const zk = this.zk;
    if (zk === undefined || this.stopped) return;
    const generation = ++this.generation;
    try {
      const children = await zk.children(this.path, () => void this.refresh());
      const node = leaderNode(children);
      if (node === undefined) {
        if (generation === this.generation) this.setLeader(undefined);
        return;
      }
      // watch the leader's node too: its data or removal changes who leads
      const { data } = await zk.get(`${this.path}/${node}`, () => void this.refresh());
      const info = JSON.parse(data.toString('utf8')) as MasterInfo;
      if (generation === this.generation) this.setLeader(addressFromMasterInfo(info));
    } catch (err) {
      if (isZkError(err, 'NONODE')) {
        // the path does not exist yet, or the leader vanished between reads
        const exists = await zk.exists(this.path, () => void this.refresh()).catch(() => undefined);
        if (exists !== undefined) {
          this.scheduleRetry();
        } else if (generation === this.generation) {
          this.setLeader(undefined);
        }
        return;
      }
      this.logger.warn({ zk: this.describe(), err: (err as Error).message }, 'reading the leading master from ZooKeeper failed; retrying');
      this.scheduleRetry();
    }
  }

  private setLeader(address: MasterAddress | undefined): void {
    if (sameMaster(address, this.leaderAddress) || (address === undefined && this.leaderAddress === undefined)) return;
    this.leaderAddress = address;
    this.logger.info({ zk: this.describe(), leader: address }, address ? 'leading master detected' : 'no leading master');
    this.emit('change', address);
    if (address) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w(address);
    }
  }
}
