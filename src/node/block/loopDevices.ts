// Loop devices of an image file, through util-linux losetup: which devices
// back it now (`losetup -j`, the check that makes attach idempotent and a
// forced release provable), attaching one, and detaching one.

import { runHostCommand } from '../hostCommand.js';
import { NodeError } from '../nodeError.js';

/** The loop devices backed by `image` right now, e.g. ["/dev/loop3"]. */
export async function loopDevicesOf(image: string): Promise<string[]> {
  const { stdout } = await runHostCommand('losetup', ['--associated', image]);
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(0, line.indexOf(':')))
    .filter((device) => device.startsWith('/dev/'));
}

/** Backs a new loop device with `image` and returns its path. */
export async function attachLoopDevice(image: string): Promise<string> {
  const { stdout } = await runHostCommand('losetup', ['--find', '--show', image]);
  const device = stdout.trim();
  if (!device.startsWith('/dev/')) throw new NodeError('COMMAND_FAILED', `losetup --find --show ${image} printed "${device}", not a device path`);
  return device;
}

export async function detachLoopDevice(device: string): Promise<void> {
  await runHostCommand('losetup', ['--detach', device]);
}
