// Node-plane work for the ebs backend, run on the agent's instance once the
// control plane has attached the volume: find the device it appeared as,
// mount it (formatting only a device with no filesystem), and unmount it
// before the control plane detaches it. Never mounts a device twice.

import type { Logger } from '../../common/log.js';
import { mountDevice, unmountDevice, type DeviceMount } from './deviceMount.js';
import { resolveEbsDevice } from './ebsDevice.js';

export interface EbsVolumeRef {
  volumeId: string;
  /** the device name the control plane attached it under (BackendVolume.device) */
  device: string;
}

export async function mountEbsVolume(ref: EbsVolumeRef & { mountPoint: string }, log: Logger): Promise<DeviceMount> {
  const device = await resolveEbsDevice(ref.device, ref.volumeId);
  return mountDevice(device, ref.mountPoint, log.child({ volumeId: ref.volumeId }));
}

/** Unmounts every mount of the volume's device; BUSY if a process still uses it. An absent device is already released. */
export async function unmountEbsVolume(ref: EbsVolumeRef, log: Logger): Promise<{ device: string | undefined; unmounted: string[] }> {
  let device: string;
  try {
    device = await resolveEbsDevice(ref.device, ref.volumeId, 0);
  } catch {
    return { device: undefined, unmounted: [] };
  }
  return { device, unmounted: await unmountDevice(device, log.child({ volumeId: ref.volumeId })) };
}
