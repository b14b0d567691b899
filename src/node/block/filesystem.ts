// The filesystem on a block device: what blkid finds there, and making an
// ext4 one. Formatting is only ever done on a device where blkid finds no
// filesystem at all, so a volume's data is never reformatted away.

import { runHostCommand } from '../hostCommand.js';
import { NodeError } from '../nodeError.js';

/** The filesystem type blkid probes on `device`, or undefined when it finds none. */
export async function filesystemOf(device: string): Promise<string | undefined> {
  // blkid exits 2 when it finds nothing to report
  const { code, stdout } = await runHostCommand('blkid', ['--probe', '--output', 'value', '--match-tag', 'TYPE', device], [0, 2]);
  const type = stdout.trim();
  return code === 2 || type === '' ? undefined : type;
}

/** Makes an ext4 filesystem on `device`; refuses when one of any kind is already there. */
export async function formatExt4(device: string): Promise<void> {
  const existing = await filesystemOf(device);
  if (existing !== undefined) throw new NodeError('REFUSED', `${device} already holds a ${existing} filesystem; Ferry never reformats a volume`);
  // no reserved blocks: the whole volume is the dataset's
  await runHostCommand('mkfs.ext4', ['-q', '-F', '-m', '0', '-L', 'ferry', device]);
}
