// The cluster a move benchmark runs on: `ferry sim` and `ferry scheduler` as
// processes (production defaults: 1 s ticks, 1 s allocation interval, the
// default scheduler config), two agents of one zone, and what a backend needs
// on this machine — a loopback image store, or a fake EC2 endpoint whose
// volumes are real loop devices. Every process, mount, loop device and
// directory it makes is undone by the run's cleanup, also after a failure.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FakeEc2 } from '../../test/support/fakeEc2.js';
import type { BackendName } from '../../src/state/model.js';
import { onCleanup } from './cleanup.js';
import { startFerry, type FerryProcess } from './ferryProcess.js';
import { releaseBlockDevicesUnder } from './blockDevices.js';
import { startSim, type SimProcess } from './simProcess.js';
import { tempDir } from './tempDir.js';

export const EBS_ZONE = 'us-east-1a';
export const EBS_CREDENTIALS = { accessKeyId: 'AKIDBENCHFAKE', secretAccessKey: 'bench-fake-secret' };

export interface ClusterAgent {
  id: string;
  index: number;
  hostname: string;
  attributes: Record<string, string>;
  /** where local datasets live on it */
  datasetRoot: string;
  mountRoot: string;
  /** ebs: its instance, and where its attached devices appear */
  instanceId?: string;
  deviceRoot?: string;
}

export interface MoveCluster {
  backend: BackendName;
  dir: string;
  sim: SimProcess;
  ferry: FerryProcess;
  agents: ClusterAgent[];
  /** loopback: Ferry's image store */
  loopbackStore?: string;
  /** ebs: the fake endpoint, its URL and its transition delays */
  ec2?: { fake: FakeEc2; endpoint: string; delaysMs: { attach: number; detach: number; create: number } };
  stop(): Promise<void>;
}

export interface MoveClusterOptions {
  backend: BackendName;
  /** ebs: how long the fake EC2 takes from attaching to attached, and detaching to available */
  ebsDelaysMs?: { attach: number; detach: number; create: number };
}

const AGENTS = 2;

export async function startMoveCluster(options: MoveClusterOptions): Promise<MoveCluster> {
  const dir = tempDir(`moves-${options.backend}`);
  // newest first: Ferry stops, then the simulator (its tasks die), then mounts and loop devices go, then the directory
  const releaseDevices = onCleanup(`mounts and loop devices under ${dir}`, () => releaseBlockDevicesUnder(dir));
  const agents: ClusterAgent[] = Array.from({ length: AGENTS }, (_, k) => ({
    id: '',
    index: k,
    hostname: '127.0.0.1',
    attributes: {},
    datasetRoot: join(dir, `agent-${k}`, 'datasets'),
    mountRoot: join(dir, `agent-${k}`, 'mounts'),
  }));
  const ferryArgs: string[] = [];
  let ec2: MoveCluster['ec2'];
  let loopbackStore: string | undefined;
  let stopFake: (() => Promise<void>) | undefined;
  if (options.backend === 'loopback') {
    loopbackStore = join(dir, 'images');
    mkdirSync(loopbackStore, { recursive: true });
    ferryArgs.push('--loopback-store', loopbackStore);
  }
  if (options.backend === 'ebs') {
    const imageDir = join(dir, 'ec2-images');
    mkdirSync(imageDir, { recursive: true });
    agents.forEach((a, k) => {
      a.instanceId = `i-0bench${String(k).padStart(12, '0')}`;
      a.deviceRoot = join(dir, `agent-${k}`, 'devices');
    });
    const delaysMs = options.ebsDelaysMs ?? { create: 200, attach: 300, detach: 300 };
    const fake = new FakeEc2({
      zones: [EBS_ZONE],
      instances: agents.map((a, k) => ({ instanceId: a.instanceId!, zone: EBS_ZONE, privateDnsName: `ip-10-0-0-${k + 1}.ec2.internal`, privateIp: `10.0.0.${k + 1}`, devices: ['/dev/xvda'] })),
      delaysMs: { ...delaysMs, delete: 50 },
      backing: { imageDir, deviceRoot: (instanceId) => agents.find((a) => a.instanceId === instanceId)!.deviceRoot! },
    });
    const endpoint = await fake.start();
    // the scheduler process takes its EC2 credentials from the environment (the SDK's default chain)
    process.env['AWS_ACCESS_KEY_ID'] = EBS_CREDENTIALS.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = EBS_CREDENTIALS.secretAccessKey;
    stopFake = onCleanup('fake EC2', () => fake.stop());
    ec2 = { fake, endpoint, delaysMs };
    ferryArgs.push('--ebs-region', 'us-east-1', '--ebs-endpoint', endpoint, '--ebs-zone', EBS_ZONE);
  }
  for (const a of agents) {
    a.attributes = {
      ferry_root: a.datasetRoot,
      ferry_mount_root: a.mountRoot,
      ...(a.instanceId !== undefined ? { zone: EBS_ZONE, aws_instance_id: a.instanceId, ferry_device_root: a.deviceRoot! } : {}),
    };
  }
  const sim = await startSim({
    dir,
    agents: AGENTS,
    logLevel: 'info',
    extraArgs: agents.flatMap((a) => ['--agent-attributes', Object.entries(a.attributes).map(([k, v]) => `${k}:${v}`).join(';')]),
  });
  const state = await sim.state();
  for (const slave of state.slaves) {
    const agent = agents.find((a) => a.mountRoot === slave.attributes['ferry_mount_root']);
    if (agent !== undefined) {
      agent.id = slave.id;
      agent.hostname = slave.hostname;
    }
  }
  if (agents.some((a) => a.id === '')) throw new Error(`the simulator did not report every agent: ${JSON.stringify(state.slaves.map((s) => s.attributes))}`);
  const ferry = await startFerry({
    name: `ferry-${options.backend}`,
    dir,
    args: ['--master', sim.address, '--state', `file:${join(dir, 'state')}`, ...ferryArgs],
    logLevel: 'info',
  });
  return {
    backend: options.backend,
    dir,
    sim,
    ferry,
    agents,
    ...(loopbackStore !== undefined ? { loopbackStore } : {}),
    ...(ec2 !== undefined ? { ec2 } : {}),
    async stop() {
      await ferry.stop();
      await sim.stop();
      await releaseDevices();
      await stopFake?.();
    },
  };
}
