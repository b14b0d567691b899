// Master election in ZooKeeper as Mesos masters do it: ephemeral sequential
// "json.info_" nodes holding MasterInfo JSON, the lowest leads. It reports
// leadership changes and never acts on them itself.

import type { Logger } from '../common/log.js';
import { parseZkUrl, ZkClient, isZkError } from '../coordination/zkClient.js';
import type { MasterInfo } from '../mesos/types.js';

export interface Leadership {
  /** The leading master's info, undefined when no master is known. */
  leader: MasterInfo | undefined;
  /** This contender leads. */
  elected: boolean;
}

const LABEL = 'json.info_';

export class ZkMasterContender {
  private node: string | undefined;
  private stopped = false;
  private detecting = false;
  private detectAgain = false;

  private constructor(
    private readonly client: ZkClient,
    private readonly path: string,
    private readonly logger: Logger,
    private readonly onChange: (leadership: Leadership) => void,
  ) {}

  /** Connects, announces `info` and resolves once the first leader is known. */
  static async start(url: string, info: MasterInfo, logger: Logger, onChange: (leadership: Leadership) => void): Promise<ZkMasterContender> {
    const { servers, path, digestAuth } = parseZkUrl(url);
    const client = await ZkClient.connect({ servers, sessionTimeoutMs: 10_000, ...(digestAuth !== undefined ? { digestAuth } : {}) });
    const contender = new ZkMasterContender(client, path === '/' ? '' : path, logger.child({ component: 'zk-contender', zk: url }), onChange);
    client.on('state', (state) => {
      if (state === 'expired' && !contender.stopped) {
        contender.logger.error('ZooKeeper session expired: this master no longer takes part in the election');
        onChange({ leader: undefined, elected: false });
      }
    });
    try {
      if (contender.path !== '') await client.mkdirp(contender.path);
      await contender.announce(info);
    } catch (err) {
      client.close();
      throw err;
    }
    return contender;
  }

  /** Replaces this master's node (a restarted master announces itself anew). */
  async announce(info: MasterInfo): Promise<void> {
    if (this.node !== undefined) await this.removeNode();
    this.node = await this.client.create(`${this.path}/${LABEL}`, JSON.stringify(info), 'ephemeral_sequential');
    this.logger.info({ node: this.node }, 'announced master in ZooKeeper');
    await this.detect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    try {
      await this.removeNode();
    } finally {
      this.client.close();
    }
  }

  private async removeNode(): Promise<void> {
    const node = this.node;
    this.node = undefined;
    if (node === undefined) return;
    try {
      await this.client.delete(node);
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
    }
  }

  private async detect(): Promise<void> {
    if (this.detecting) {
      this.detectAgain = true;
      return;
    }
    this.detecting = true;
    try {
      do {
        this.detectAgain = false;
        await this.detectOnce();
      } while (this.detectAgain && !this.stopped);
    } catch (err) {
      if (!this.stopped) this.logger.error({ err }, 'cannot read the master election nodes');
    } finally {
      this.detecting = false;
    }
  }

  private async detectOnce(): Promise<void> {
    if (this.stopped) return;
    const children = await this.client.children(this.path === '' ? '/' : this.path, (event) => {
      if (event === 'child' && !this.stopped) void this.detect();
    });
    const contenders = children.filter((c) => c.startsWith(LABEL)).sort((a, b) => sequence(a) - sequence(b));
    const lowest = contenders[0];
    if (lowest === undefined) {
      this.onChange({ leader: undefined, elected: false });
      return;
    }
    const leaderPath = `${this.path}/${lowest}`;
    let leader: MasterInfo | undefined;
    try {
      const { data } = await this.client.get(leaderPath);
      leader = JSON.parse(data.toString('utf8')) as MasterInfo;
    } catch (err) {
      if (isZkError(err, 'NONODE')) {
        this.detectAgain = true;
        return;
      }
      throw err;
    }
    this.onChange({ leader, elected: leaderPath === this.node });
  }
}

function sequence(name: string): number {
  return Number(name.slice(LABEL.length));
}
