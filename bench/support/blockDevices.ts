// Leaves nothing of a block benchmark on the machine: every mount under a
// directory is unmounted (its users killed first; they are the benchmark's
// own tasks) and every loop device backed by a file under it is detached.
// Errors are reported, never thrown: it runs in cleanup.

import { resolve } from 'node:path';
import { silentLogger } from '../../src/common/log.js';
import { killHoldersAndUnmount } from '../../src/node/block/deviceMount.js';
import { detachLoopDevice } from '../../src/node/block/loopDevices.js';
import { readMounts } from '../../src/node/block/mountTable.js';
import { runHostCommand } from '../../src/node/hostCommand.js';

export async function releaseBlockDevicesUnder(dir: string): Promise<void> {
  const root = `${resolve(dir)}/`;
  const mounts = (await readMounts()).filter((m) => m.mountPoint.startsWith(root)).sort((a, b) => b.mountPoint.length - a.mountPoint.length);
  for (const mount of mounts) {
    try {
      await runHostCommand('fuser', ['-k', '-KILL', '-m', mount.mountPoint], [0, 1]);
      const done = await runHostCommand('umount', [mount.mountPoint], [0, 32]);
      if (done.code !== 0) await runHostCommand('umount', ['-l', mount.mountPoint]);
    } catch (err) {
      process.stderr.write(`cleanup: unmounting ${mount.mountPoint} failed: ${(err as Error).message}\n`);
    }
  }
  const { stdout } = await runHostCommand('losetup', ['--list', '--json', '--output', 'NAME,BACK-FILE']);
  const devices = (JSON.parse(stdout || '{"loopdevices":[]}') as { loopdevices: { name: string; 'back-file': string | null }[] }).loopdevices;
  for (const device of devices) {
    if (device['back-file'] === null || !device['back-file'].startsWith(root)) continue;
    try {
      await killHoldersAndUnmount(device.name, silentLogger()).catch(() => undefined);
      await detachLoopDevice(device.name);
    } catch (err) {
      process.stderr.write(`cleanup: detaching ${device.name} (${device['back-file']}) failed: ${(err as Error).message}\n`);
    }
  }
}
