// The floor of a block move's data phase, timed directly: the same node-plane
// functions (unmount, mount) and control-plane calls (detach, attach, with the
// backend's default retry and wait policies) that a move runs through Ferry's
// node executor and scheduler, called back to back in this process on a volume
// of its own, moving it between the cluster's two agents. No messages, no
// batches, no offers: what is left of a move's time above this is Ferry's.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { devicePathOn } from '../../src/backends/agentPaths.js';
import type { AgentRef, ControlPlane } from '../../src/backends/backend.js';
import { EbsControlPlane } from '../../src/backends/ebs/ebsControlPlane.js';
import { LoopbackControlPlane } from '../../src/backends/loopback/loopbackControlPlane.js';
import { silentLogger } from '../../src/common/log.js';
import { mountEbsVolume, unmountEbsVolume } from '../../src/node/block/ebsAttachment.js';
import { mountLoopbackVolume, unmountLoopbackVolume } from '../../src/node/block/loopbackAttachment.js';
import { runHostCommand } from '../../src/node/hostCommand.js';
import { EBS_CREDENTIALS, type ClusterAgent, type MoveCluster } from './moveCluster.js';

export interface BlockFloorSample {
  unmountMs: number;
  detachMs: number;
  attachMs: number;
  mountMs: number;
  totalMs: number;
}

interface NodePlane {
  mount(agent: ClusterAgent, mountPoint: string, device: string | undefined): Promise<unknown>;
  unmount(agent: ClusterAgent, device: string | undefined): Promise<unknown>;
}

function refOf(agent: ClusterAgent): AgentRef {
  return { agentId: agent.id, hostname: agent.hostname, attributes: agent.attributes };
}

/**
 * A volume of the benchmark's own, moved between the cluster's agents one
 * sample at a time (so that samples interleave with Ferry's moves and see the
 * same machine). Two unmeasured moves first: a fresh ext4 still initialises
 * in the background, which the app's older volume no longer does.
 */
export class BlockFloor {
  private at: ClusterAgent;

  private constructor(
    private readonly cluster: MoveCluster,
    private readonly plane: ControlPlane,
    private readonly node: NodePlane,
    private readonly volumeId: string,
    private readonly mountPoint: (agent: ClusterAgent) => string,
    private device: string | undefined,
    private readonly close: () => void,
  ) {
    this.at = cluster.agents[0]!;
  }

  static async start(cluster: MoveCluster): Promise<BlockFloor> {
    const log = silentLogger();
    const floorDir = join(cluster.dir, 'floor');
    await mkdir(floorDir, { recursive: true });
    let volumeId = '';
    let plane: ControlPlane;
    let node: NodePlane;
    let close = (): void => undefined;
    if (cluster.backend === 'loopback') {
      const store = join(floorDir, 'images');
      await mkdir(store, { recursive: true });
      plane = new LoopbackControlPlane({ cluster: 'bench-floor', store, fenceOnThisMachine: true });
      node = {
        mount: (agent, mountPoint) => mountLoopbackVolume({ store, volumeId, agentId: agent.id, mountPoint }, log),
        unmount: () => unmountLoopbackVolume({ store, volumeId }, log),
      };
    } else if (cluster.backend === 'ebs' && cluster.ec2 !== undefined) {
      // the scheduler's EBS control plane has the default retry and wait policies: so has this one
      const ebs = new EbsControlPlane({ cluster: 'bench-floor', region: 'us-east-1', endpoint: cluster.ec2.endpoint, credentials: EBS_CREDENTIALS });
      close = () => ebs.close();
      plane = ebs;
      node = {
        mount: (agent, mountPoint, device) => mountEbsVolume({ volumeId, device: devicePathOn(refOf(agent), device ?? ''), mountPoint }, log),
        unmount: (agent, device) => unmountEbsVolume({ volumeId, device: devicePathOn(refOf(agent), device ?? '') }, log),
      };
    } else {
      throw new Error(`no block floor for the ${cluster.backend} backend`);
    }
    try {
      volumeId = (await plane.create({ dataset: 'floor-probe', sizeMiB: 1024, ...(cluster.backend === 'ebs' ? { zone: 'us-east-1a' } : {}) })).id;
      const first = cluster.agents[0]!;
      const mountPoint = (agent: ClusterAgent): string => join(floorDir, `mnt-${agent.index}`);
      const device = (await plane.attach(volumeId, refOf(first))).device;
      await node.mount(first, mountPoint(first), device);
      // like the writer's dataset: cold data written long before, then small synced appends
      await runHostCommand('sh', ['-c', `head -c 67108864 /dev/urandom > '${join(mountPoint(first), 'cold')}' && sync`]);
      const floor = new BlockFloor(cluster, plane, node, volumeId, mountPoint, device, close);
      await floor.sample();
      await floor.sample();
      return floor;
    } catch (err) {
      close();
      throw err;
    }
  }

  /** One move of the volume to the other agent, timed part by part. */
  async sample(): Promise<BlockFloorSample> {
    const { plane, node, volumeId } = this;
    const at = this.at;
    for (let r = 0; r < 20; r++) await writeFile(join(this.mountPoint(at), 'records'), `${r}\n`, { flag: 'a', flush: true });
    const next = this.cluster.agents[(at.index + 1) % this.cluster.agents.length]!;
    const t0 = performance.now();
    await node.unmount(at, this.device);
    const t1 = performance.now();
    await plane.detach(volumeId, refOf(at));
    const t2 = performance.now();
    this.device = (await plane.attach(volumeId, refOf(next))).device;
    const t3 = performance.now();
    await node.mount(next, this.mountPoint(next), this.device);
    const t4 = performance.now();
    this.at = next;
    return { unmountMs: t1 - t0, detachMs: t2 - t1, attachMs: t3 - t2, mountMs: t4 - t3, totalMs: t4 - t0 };
  }

  /** Unmounts, detaches and destroys the volume. */
  async stop(): Promise<void> {
    try {
      await this.node.unmount(this.at, this.device);
      await this.plane.detach(this.volumeId, refOf(this.at));
      await this.plane.destroy(this.volumeId);
    } finally {
      this.close();
    }
  }
}
