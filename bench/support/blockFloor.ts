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

/** Moves a volume of its own between the cluster's agents `samples` times, timing each part. */
export async function measureBlockFloor(cluster: MoveCluster, samples: number): Promise<BlockFloorSample[]> {
  const log = silentLogger();
  const floorDir = join(cluster.dir, 'floor');
  await mkdir(floorDir, { recursive: true });
  let plane: ControlPlane;
  let node: NodePlane;
  let close = (): void => undefined;
  if (cluster.backend === 'loopback') {
    const store = join(floorDir, 'images');
    await mkdir(store, { recursive: true });
    plane = new LoopbackControlPlane({ cluster: 'bench-floor', store, fenceOnThisMachine: true });
    node = {
      mount: (agent, mountPoint) => mountLoopbackVolume({ store, volumeId: volumeId!, agentId: agent.id, mountPoint }, log),
      unmount: () => unmountLoopbackVolume({ store, volumeId: volumeId! }, log),
    };
  } else if (cluster.backend === 'ebs' && cluster.ec2 !== undefined) {
    const ebs = new EbsControlPlane({ cluster: 'bench-floor', region: 'us-east-1', endpoint: cluster.ec2.endpoint, credentials: EBS_CREDENTIALS });
    close = () => ebs.close();
    plane = ebs;
    node = {
      mount: (agent, mountPoint, device) => mountEbsVolume({ volumeId: volumeId!, device: devicePathOn(refOf(agent), device ?? ''), mountPoint }, log),
      unmount: (agent, device) => unmountEbsVolume({ volumeId: volumeId!, device: devicePathOn(refOf(agent), device ?? '') }, log),
    };
  } else {
    throw new Error(`no block floor for the ${cluster.backend} backend`);
  }
  let volumeId: string | undefined;
  try {
    const volume = await plane.create({ dataset: 'floor-probe', sizeMiB: 1024, ...(cluster.backend === 'ebs' ? { zone: 'us-east-1a' } : {}) });
    volumeId = volume.id;
    const mountPoint = (agent: ClusterAgent): string => join(floorDir, `mnt-${agent.index}`);
    let at = cluster.agents[0]!;
    let device = (await plane.attach(volumeId, refOf(at))).device;
    await node.mount(at, mountPoint(at), device);
    // like the writer: some cold data, then small synced appends just before each move
    await runHostCommand('sh', ['-c', `head -c 67108864 /dev/urandom > '${join(mountPoint(at), 'cold')}' && sync`]);
    const out: BlockFloorSample[] = [];
    for (let i = 0; i < samples; i++) {
      for (let r = 0; r < 20; r++) await writeFile(join(mountPoint(at), 'records'), `${i} ${r}\n`, { flag: 'a', flush: true });
      const next = cluster.agents[(at.index + 1) % cluster.agents.length]!;
      const t0 = performance.now();
      await node.unmount(at, device);
      const t1 = performance.now();
      await plane.detach(volumeId, refOf(at));
      const t2 = performance.now();
      device = (await plane.attach(volumeId, refOf(next))).device;
      const t3 = performance.now();
      await node.mount(next, mountPoint(next), device);
      const t4 = performance.now();
      out.push({ unmountMs: t1 - t0, detachMs: t2 - t1, attachMs: t3 - t2, mountMs: t4 - t3, totalMs: t4 - t0 });
      at = next;
    }
    await node.unmount(at, device);
    await plane.detach(volumeId, refOf(at));
    await plane.destroy(volumeId);
    return out;
  } finally {
    close();
  }
}
