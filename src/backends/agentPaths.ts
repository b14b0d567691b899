// Where a dataset's data appears on an agent: a directory under the agent's
// dataset root (copy backend) or a mount point under its mount root (block
// backends), each from an agent attribute or a configured default. The
// control plane and the node plane compute the same path from the same
// inputs; nothing here touches a disk.

import { posix } from 'node:path';
import type { AgentRef } from './backend.js';

export const DATASET_ROOT_ATTRIBUTE = 'ferry_root';
export const MOUNT_ROOT_ATTRIBUTE = 'ferry_mount_root';

export const DEFAULT_DATASET_ROOT = '/var/lib/ferry/datasets';
export const DEFAULT_MOUNT_ROOT = '/var/lib/ferry/mounts';

/** The directory under which the local backend keeps datasets on this agent. */
export function datasetRootOf(agent: AgentRef, defaultRoot: string): string {
  return trimSlashes(agent.attributes[DATASET_ROOT_ATTRIBUTE] ?? defaultRoot);
}

/** The directory under which block volumes are mounted on this agent. */
export function mountRootOf(agent: AgentRef, defaultRoot: string): string {
  return trimSlashes(agent.attributes[MOUNT_ROOT_ATTRIBUTE] ?? defaultRoot);
}

/** `<root>/<dataset>`: the same join the scheduler uses for a task's HOST_PATH volume. */
export function datasetPath(root: string, dataset: string): string {
  return posix.join(trimSlashes(root), dataset);
}

function trimSlashes(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** An agent attribute naming where block devices appear on it (default /dev; tests point it at a directory of links). */
export const DEVICE_ROOT_ATTRIBUTE = 'ferry_device_root';

/** Where a device attached under `device` (e.g. /dev/xvdf) is found on this agent. */
export function devicePathOn(agent: AgentRef, device: string): string {
  const root = agent.attributes[DEVICE_ROOT_ATTRIBUTE];
  return root === undefined ? device : posix.join(trimSlashes(root), posix.basename(device));
}
