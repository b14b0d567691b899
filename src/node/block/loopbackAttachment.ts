// Node-plane work for the loopback backend, run on an agent: back the
// volume's image with a loop device and mount it (formatting on first use
// only), unmount and release it, or force the release (fencing). Every step
// runs under the image store's lock and re-checks the control plane's
// assignment, so a retry reuses what is there and two agents never both mount.

import type { Logger } from '../../common/log.js';
import { ImageStore, type ImageRecord } from '../../backends/loopback/imageStore.js';
import { NodeError } from '../nodeError.js';
import { killHoldersAndUnmount, mountDevice, unmountDevice, type DeviceMount } from './deviceMount.js';
import { attachLoopDevice, detachLoopDevice, loopDevicesOf } from './loopDevices.js';

export interface LoopbackVolumeRef {
  /** the image store directory */
  store: string;
  volumeId: string;
}

export async function mountLoopbackVolume(ref: LoopbackVolumeRef & { agentId: string; mountPoint: string }, log: Logger): Promise<DeviceMount> {
  const store = new ImageStore(ref.store);
  return store.locked(async () => {
    const record = await requireRecord(store, ref.volumeId);
    if (record.pendingRelease !== undefined) {
      throw new NodeError('REFUSED', `volume ${ref.volumeId} awaits a forced release from agent ${record.pendingRelease.agentId}; run release first`);
    }
    if (record.attachedTo?.agentId !== ref.agentId) {
      const where = record.attachedTo === undefined ? 'no agent' : `agent ${record.attachedTo.agentId}`;
      throw new NodeError('REFUSED', `volume ${ref.volumeId} is assigned to ${where}, not to agent ${ref.agentId}; attach it here through the control plane first`);
    }
    const image = store.imagePath(ref.volumeId);
    const devices = await loopDevicesOf(image);
    if (devices.length > 1) {
      throw new NodeError('REFUSED', `image ${image} backs ${devices.length} loop devices (${devices.join(', ')}); release it with force before mounting`);
    }
    const device = devices[0] ?? (await attachLoopDevice(image));
    if (devices[0] === undefined) log.info({ volumeId: ref.volumeId, image, device }, 'loop device attached');
    return mountDevice(device, ref.mountPoint, log.child({ volumeId: ref.volumeId }));
  });
}

/** Unmounts the volume and detaches its loop devices; BUSY if a process still uses it. Releasing a released volume is a no-op. */
export async function unmountLoopbackVolume(ref: LoopbackVolumeRef, log: Logger): Promise<{ devices: string[]; unmounted: string[] }> {
  const store = new ImageStore(ref.store);
  return store.locked(async () => {
    const image = store.imagePath(ref.volumeId);
    const devices = await loopDevicesOf(image);
    const unmounted: string[] = [];
    for (const device of devices) {
      unmounted.push(...(await unmountDevice(device, log.child({ volumeId: ref.volumeId }))));
      await detachLoopDevice(device);
    }
    await requireNoLoopDevice(image);
    return { devices, unmounted };
  });
}

export interface ForcedRelease {
  devices: string[];
  unmounted: { mountPoint: string; holders: string }[];
  /** a forced detach recorded by the control plane was completed */
  detachCompleted: boolean;
}

/**
 * Fences the volume off: kills the processes that use its mounts, unmounts
 * them, detaches every loop device of the image and proves none is left;
 * then completes a forced detach the control plane recorded. Run it on any
 * live agent of the machine that holds the image store.
 */
export async function releaseLoopbackVolume(ref: LoopbackVolumeRef, log: Logger): Promise<ForcedRelease> {
  const store = new ImageStore(ref.store);
  return store.locked(async () => {
    const record = await requireRecord(store, ref.volumeId);
    const released = await releaseImage(store.imagePath(ref.volumeId), log.child({ volumeId: ref.volumeId }));
    const detachCompleted = record.pendingRelease !== undefined;
    if (detachCompleted) await store.write(withoutAttachment(record));
    log.warn({ volumeId: ref.volumeId, ...released, detachCompleted }, 'FORCED release of loopback volume done: no loop device backs its image');
    return { ...released, detachCompleted };
  });
}

/** The device work of a forced release, for a caller that already holds the store's lock. */
export async function releaseImage(image: string, log: Logger): Promise<Omit<ForcedRelease, 'detachCompleted'>> {
  const devices = await loopDevicesOf(image);
  const unmounted: { mountPoint: string; holders: string }[] = [];
  for (const device of devices) {
    unmounted.push(...(await killHoldersAndUnmount(device, log)));
    await detachLoopDevice(device);
    log.warn({ image, device }, 'FORCED release: loop device detached');
  }
  await requireNoLoopDevice(image);
  return { devices, unmounted };
}

export function withoutAttachment(record: ImageRecord): ImageRecord {
  const next: ImageRecord = { ...record };
  delete next.attachedTo;
  delete next.pendingRelease;
  return next;
}

async function requireRecord(store: ImageStore, volumeId: string): Promise<ImageRecord> {
  const record = await store.read(volumeId);
  if (record === undefined) throw new NodeError('INVALID', `no loopback volume ${volumeId} in image store ${store.dir}`);
  return record;
}

/** losetup -d can return before the kernel lets go; wait briefly, then insist. */
async function requireNoLoopDevice(image: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const left = await loopDevicesOf(image);
    if (left.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new NodeError('BUSY', `loop devices ${(await loopDevicesOf(image)).join(', ')} still back ${image} after detaching; something holds them open`);
}
