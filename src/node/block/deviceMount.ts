// Mounting a volume's block device at its mount point and unmounting it,
// shared by every block backend. A device is mounted in one place only: a
// device mounted elsewhere, or a mount point holding another device, is
// refused, and a device is formatted only when it holds no filesystem at all.

import { mkdir, rmdir } from 'node:fs/promises';
import type { Logger } from '../../common/log.js';
import { runHostCommand } from '../hostCommand.js';
import { isErrno, NodeError } from '../nodeError.js';
import { filesystemOf, formatExt4 } from './filesystem.js';
import { mountAt, mountsOfDevice } from './mountTable.js';

export interface DeviceMount {
  device: string;
  mountPoint: string;
  /** a filesystem was made because the device held none */
  formatted: boolean;
  /** it was already mounted there (a retry) */
  alreadyMounted: boolean;
}

export async function mountDevice(device: string, mountPoint: string, log: Logger): Promise<DeviceMount> {
  const mounts = await mountsOfDevice(device);
  if (mounts.some((m) => m.mountPoint === mountPoint)) return { device, mountPoint, formatted: false, alreadyMounted: true };
  if (mounts.length > 0) {
    throw new NodeError('REFUSED', `${device} is already mounted at ${mounts.map((m) => m.mountPoint).join(', ')}; a volume is never mounted twice`);
  }
  const occupant = await mountAt(mountPoint);
  if (occupant !== undefined) {
    throw new NodeError('REFUSED', `${mountPoint} already has ${occupant.source} mounted on it; unmount it or choose another mount root`);
  }
  let formatted = false;
  let fsType = await filesystemOf(device);
  if (fsType === undefined) {
    log.info({ device }, 'device holds no filesystem: formatting ext4 (first use)');
    await formatExt4(device);
    formatted = true;
    fsType = 'ext4';
  }
  await mkdir(mountPoint, { recursive: true, mode: 0o755 });
  await runHostCommand('mount', ['-t', fsType, device, mountPoint]);
  log.info({ device, mountPoint, fsType, formatted }, 'volume mounted');
  return { device, mountPoint, formatted, alreadyMounted: false };
}

/** Unmounts every mount of `device`; BUSY (and nothing forced) when a process still uses one. */
export async function unmountDevice(device: string, log: Logger): Promise<string[]> {
  const unmounted: string[] = [];
  for (const mount of await mountsOfDevice(device)) {
    const result = await runHostCommand('umount', [mount.mountPoint], [0, 32]);
    if (result.code !== 0) {
      const holders = await holdersOf(mount.mountPoint);
      throw new NodeError(
        'BUSY',
        `${mount.mountPoint} is still in use${holders === '' ? '' : ` by pid ${holders}`} (${result.stderr.trim()}); stop the task first, or release the volume with force`,
      );
    }
    unmounted.push(mount.mountPoint);
    await removeEmptyDirectory(mount.mountPoint);
    log.info({ device, mountPoint: mount.mountPoint }, 'volume unmounted');
  }
  return unmounted;
}

/**
 * Kills every process using a mount of `device` (fuser -km), then unmounts
 * it, retrying while the killed processes let go. For fencing only.
 */
export async function killHoldersAndUnmount(device: string, log: Logger, attempts = 40): Promise<{ mountPoint: string; holders: string }[]> {
  const done: { mountPoint: string; holders: string }[] = [];
  for (const mount of await mountsOfDevice(device)) {
    let holders = '';
    for (let attempt = 1; ; attempt++) {
      const seen = await holdersOf(mount.mountPoint);
      if (seen !== '') {
        holders = [holders, seen].filter((h) => h !== '').join(' ');
        log.warn({ device, mountPoint: mount.mountPoint, pids: seen }, 'FORCED release: killing processes that use the volume');
        await runHostCommand('fuser', ['-k', '-KILL', '-m', mount.mountPoint], [0, 1]);
      }
      const result = await runHostCommand('umount', [mount.mountPoint], [0, 32]);
      if (result.code === 0) break;
      if (attempt >= attempts) throw new NodeError('BUSY', `${mount.mountPoint} stayed busy after killing its users ${attempt} times: ${result.stderr.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await removeEmptyDirectory(mount.mountPoint);
    done.push({ mountPoint: mount.mountPoint, holders });
  }
  return done;
}

/** The pids fuser sees using the filesystem mounted at `mountPoint`, space-separated ('' for none). */
async function holdersOf(mountPoint: string): Promise<string> {
  const { stdout } = await runHostCommand('fuser', ['-m', mountPoint], [0, 1]);
  return stdout.trim().split(/\s+/).filter((p) => p !== '').join(' ');
}

async function removeEmptyDirectory(path: string): Promise<void> {
  try {
    await rmdir(path);
  } catch (err) {
    if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ENOTEMPTY') && !isErrno(err, 'EBUSY')) throw err;
  }
}
