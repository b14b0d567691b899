// Where an attached EBS volume shows up on its instance: under the name it
// was attached with (/dev/xvdf on Xen instances) or, on Nitro instances, as an
// NVMe device whose by-id link carries the volume id. Waits briefly for the
// kernel to create it; never guesses a device that does not name the volume.

import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeError } from '../nodeError.js';

const BY_ID = '/dev/disk/by-id';

export async function resolveEbsDevice(device: string, volumeId: string, waitMs = 30_000): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const found = (await nvmeDeviceOf(volumeId)) ?? (await existingBlockDevice(device));
    if (found !== undefined) return found;
    if (Date.now() >= deadline) {
      throw new NodeError('COMMAND_FAILED', `EBS volume ${volumeId} (attached as ${device}) has not appeared on this instance after ${Math.round(waitMs / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function nvmeDeviceOf(volumeId: string): Promise<string | undefined> {
  const serial = volumeId.replace('-', '');
  let names: string[];
  try {
    names = await readdir(BY_ID);
  } catch {
    return undefined;
  }
  const link = names.find((n) => n.startsWith('nvme-Amazon_Elastic_Block_Store_') && n.endsWith(serial));
  return link === undefined ? undefined : realpath(join(BY_ID, link));
}

async function existingBlockDevice(device: string): Promise<string | undefined> {
  try {
    return (await stat(device)).isBlockDevice() ? device : undefined;
  } catch {
    return undefined;
  }
}
