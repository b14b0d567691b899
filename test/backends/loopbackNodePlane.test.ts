import t from 'tap';
import type { Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoopbackControlPlane } from '../../src/backends/loopback/loopbackControlPlane.js';
import { IMAGE_SUFFIX } from '../../src/backends/loopback/imageStore.js';
import { silentLogger } from '../../src/common/log.js';
import { mountLoopbackVolume, releaseImage, releaseLoopbackVolume, unmountLoopbackVolume } from '../../src/node/block/loopbackAttachment.js';
import { loopDevicesOf } from '../../src/node/block/loopDevices.js';
import { mountsOfDevice } from '../../src/node/block/mountTable.js';
import { agentRef } from '../support/backendFixtures.js';

const log = silentLogger();

interface Machine {
  root: string;
  store: string;
  plane: LoopbackControlPlane;
  agentA: ReturnType<typeof agentRef>;
  agentB: ReturnType<typeof agentRef>;
}

/** A store and two agents with their own mount roots; teardown releases every loop device and mount the test made. */
async function machine(t: Test, options: { fenceOnThisMachine?: boolean } = {}): Promise<Machine> {
  const root = await mkdtemp(join(tmpdir(), 'ferry-loop-'));
  const store = join(root, 'images');
  t.teardown(async () => {
    for (const name of await readdir(store).catch(() => [] as string[])) {
      if (name.endsWith(IMAGE_SUFFIX)) await releaseImage(join(store, name), log).catch((err: Error) => t.comment(`cleanup: ${err.message}`));
    }
    await rm(root, { recursive: true, force: true });
  });
  return {
    root,
    store,
    plane: new LoopbackControlPlane({ cluster: 'c1', store, ...options }),
    agentA: agentRef('agent-a', { ferry_mount_root: join(root, 'a', 'mounts') }),
    agentB: agentRef('agent-b', { ferry_mount_root: join(root, 'b', 'mounts') }),
  };
}

t.test('a volume is formatted on first mount only; its data survives unmount, remount and a move to another agent', async (t) => {
  const m = await machine(t);
  const volume = await m.plane.create({ dataset: 'kv-data', sizeMiB: 64 });
  const onA = await m.plane.attach(volume.id, m.agentA);
  const first = await mountLoopbackVolume({ store: m.store, volumeId: volume.id, agentId: 'agent-a', mountPoint: onA.hostPath! }, log);
  t.equal(first.formatted, true, 'formatted on first use');
  await writeFile(join(onA.hostPath!, 'acknowledged.txt'), 'write 1');

  await unmountLoopbackVolume({ store: m.store, volumeId: volume.id }, log);
  t.same(await loopDevicesOf(join(m.store, volume.id + IMAGE_SUFFIX)), [], 'unmount detaches the loop device');
  const again = await mountLoopbackVolume({ store: m.store, volumeId: volume.id, agentId: 'agent-a', mountPoint: onA.hostPath! }, log);
  t.equal(again.formatted, false, 'never reformatted');
  t.equal(await readFile(join(onA.hostPath!, 'acknowledged.txt'), 'utf8'), 'write 1');

  await unmountLoopbackVolume({ store: m.store, volumeId: volume.id }, log);
  await m.plane.detach(volume.id, m.agentA);
  const onB = await m.plane.attach(volume.id, m.agentB);
  t.not(onB.hostPath, onA.hostPath, 'another mount root');
  const moved = await mountLoopbackVolume({ store: m.store, volumeId: volume.id, agentId: 'agent-b', mountPoint: onB.hostPath! }, log);
  t.equal(moved.formatted, false);
  t.equal(await readFile(join(onB.hostPath!, 'acknowledged.txt'), 'utf8'), 'write 1', 'the write followed the volume');
});

t.test('mounting again reuses the loop device and the mount; a second mount point is refused', async (t) => {
  const m = await machine(t);
  const volume = await m.plane.create({ dataset: 'kv-data', sizeMiB: 32 });
  const attached = await m.plane.attach(volume.id, m.agentA);
  const ref = { store: m.store, volumeId: volume.id, agentId: 'agent-a', mountPoint: attached.hostPath! };
  const first = await mountLoopbackVolume(ref, log);
  const retry = await mountLoopbackVolume(ref, log);
  t.equal(retry.alreadyMounted, true);
  t.equal(retry.device, first.device, 'the same loop device');
  t.same(await loopDevicesOf(join(m.store, volume.id + IMAGE_SUFFIX)), [first.device], 'one loop device backs the image');
  await t.rejects(mountLoopbackVolume({ ...ref, mountPoint: join(m.root, 'elsewhere') }, log), { code: 'REFUSED', message: /already mounted/ });
  t.equal((await mountsOfDevice(first.device)).length, 1, 'still mounted once');
});

t.test('the node plane refuses a volume the control plane assigned to another agent', async (t) => {
  const m = await machine(t);
  const volume = await m.plane.create({ dataset: 'kv-data', sizeMiB: 32 });
  await t.rejects(mountLoopbackVolume({ store: m.store, volumeId: volume.id, agentId: 'agent-a', mountPoint: join(m.root, 'x') }, log), { code: 'REFUSED', message: /assigned to no agent/ });
  await m.plane.attach(volume.id, m.agentB);
  await t.rejects(mountLoopbackVolume({ store: m.store, volumeId: volume.id, agentId: 'agent-a', mountPoint: join(m.root, 'x') }, log), { code: 'REFUSED', message: /agent agent-b/ });
  t.same(await loopDevicesOf(join(m.store, volume.id + IMAGE_SUFFIX)), [], 'no loop device was made');
});

t.test('a forced detach kills the process holding the mount, releases every loop device, and lets another agent attach', async (t) => {
  const m = await machine(t);
  const volume = await m.plane.create({ dataset: 'kv-data', sizeMiB: 32 });
  const onA = await m.plane.attach(volume.id, m.agentA);
  const mounted = await mountLoopbackVolume({ store: m.store, volumeId: volume.id, agentId: 'agent-a', mountPoint: onA.hostPath! }, log);
  await writeFile(join(onA.hostPath!, 'data'), 'before the fence');
  const holder = spawn('tail', ['-f', join(onA.hostPath!, 'data')], { stdio: 'ignore' });
  t.teardown(() => holder.kill('SIGKILL'));
  const holderExit = new Promise<NodeJS.Signals | null>((resolve) => holder.on('exit', (_code, signal) => resolve(signal)));
  await new Promise((resolve) => setTimeout(resolve, 200));

  await t.rejects(unmountLoopbackVolume({ store: m.store, volumeId: volume.id }, log), { code: 'BUSY' }, 'a normal unmount never kills anyone');
  const fencing = await m.plane.detach(volume.id, m.agentA, { force: true });
  t.equal(fencing.state, 'detaching', 'the control plane waits for proof of release');
  await t.rejects(m.plane.attach(volume.id, m.agentB), { code: 'ATTACHED_ELSEWHERE' });

  const released = await releaseLoopbackVolume({ store: m.store, volumeId: volume.id }, log);
  t.equal(await holderExit, 'SIGKILL', 'the holder was killed');
  t.same(released.devices, [mounted.device]);
  t.equal(released.detachCompleted, true);
  t.same(await loopDevicesOf(join(m.store, volume.id + IMAGE_SUFFIX)), [], 'no loop device backs the image');
  t.equal((await m.plane.get(volume.id))?.state, 'available');

  const onB = await m.plane.attach(volume.id, m.agentB);
  await mountLoopbackVolume({ store: m.store, volumeId: volume.id, agentId: 'agent-b', mountPoint: onB.hostPath! }, log);
  t.equal(await readFile(join(onB.hostPath!, 'data'), 'utf8'), 'before the fence');
});

t.test('on the machine that holds the images, a forced detach releases in one call and a normal one checks the unmount', async (t) => {
  const m = await machine(t, { fenceOnThisMachine: true });
  const volume = await m.plane.create({ dataset: 'kv-data', sizeMiB: 32 });
  const onA = await m.plane.attach(volume.id, m.agentA);
  await mountLoopbackVolume({ store: m.store, volumeId: volume.id, agentId: 'agent-a', mountPoint: onA.hostPath! }, log);
  await t.rejects(m.plane.detach(volume.id, m.agentA), { code: 'IN_USE', message: /still mounted/ });
  await t.rejects(m.plane.destroy(volume.id), { code: 'IN_USE' });
  const released = await m.plane.detach(volume.id, m.agentA, { force: true });
  t.equal(released.state, 'available');
  t.same(await loopDevicesOf(join(m.store, volume.id + IMAGE_SUFFIX)), []);
  await m.plane.destroy(volume.id);
  t.equal(await m.plane.get(volume.id), undefined);
});
