// This machine's mounts as the kernel reports them (/proc/self/mountinfo),
// matched by device number so that a device mounted under another name or
// path is still found. Read-only: it never mounts or unmounts.

import { readFile, stat } from 'node:fs/promises';

export interface MountEntry {
  /** "major:minor" of the mounted device */
  deviceNumber: string;
  mountPoint: string;
  fsType: string;
  source: string;
}

export async function readMounts(): Promise<MountEntry[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined) continue;
    const fields = left.split(' ');
    const tail = right.split(' ');
    entries.push({ deviceNumber: fields[2] ?? '', mountPoint: unescapeMountPath(fields[4] ?? ''), fsType: tail[0] ?? '', source: unescapeMountPath(tail[1] ?? '') });
  }
  return entries;
}

/** "major:minor" of a block device node. */
export async function deviceNumberOf(device: string): Promise<string> {
  const { rdev } = await stat(device, { bigint: true });
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

/** Every mount of `device` (by device number). */
export async function mountsOfDevice(device: string): Promise<MountEntry[]> {
  const number = await deviceNumberOf(device);
  return (await readMounts()).filter((m) => m.deviceNumber === number);
}

/** The mount whose mount point is exactly `path`, the last one if several are stacked. */
export async function mountAt(path: string): Promise<MountEntry | undefined> {
  return (await readMounts()).filter((m) => m.mountPoint === path).at(-1);
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
