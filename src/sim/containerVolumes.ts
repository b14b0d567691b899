// What an agent's isolators make of a task's ContainerInfo: HOST_PATH volumes
// linked into the sandbox on linux isolation, any volume refused on posix-only
// agents. It never places anything outside the sandbox.

import { existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative } from 'node:path';
import type { ContainerInfo, Volume } from '../mesos/types.js';

export type Isolation = 'linux' | 'posix';

export interface VolumeLink {
  containerPath: string;
  hostPath: string;
}

export type VolumePlan = { ok: true; links: VolumeLink[] } | { ok: false; error: string };

/** Checks a task's container against the agent's isolation; nothing is touched on disk. */
export function planContainer(container: ContainerInfo | undefined, isolation: Isolation): VolumePlan {
  if (container === undefined) return { ok: true, links: [] };
  if (container.type === 'DOCKER') {
    return { ok: false, error: 'DOCKER containers are not supported by this agent (it runs the Mesos containerizer only)' };
  }
  if (container.mesos?.image !== undefined) {
    return {
      ok: false,
      error: isolation === 'posix' ? 'Container root filesystems not supported' : 'Container images are not supported by the Ferry simulator',
    };
  }
  const volumes = container.volumes ?? [];
  if (volumes.length === 0) return { ok: true, links: [] };
  if (isolation === 'posix') return { ok: false, error: 'Volumes in ContainerInfo is not supported' };
  const links: VolumeLink[] = [];
  for (const volume of volumes) {
    const link = planVolume(volume);
    if (typeof link === 'string') return { ok: false, error: link };
    links.push(link);
  }
  return { ok: true, links };
}

function planVolume(volume: Volume): VolumeLink | string {
  let hostPath: string;
  if (volume.source !== undefined) {
    if (volume.source.type !== 'HOST_PATH' || volume.source.host_path === undefined) {
      return `Volume source type ${volume.source.type ?? 'UNKNOWN'} is not supported by the Ferry simulator (HOST_PATH only)`;
    }
    hostPath = volume.source.host_path.path;
    if (!isAbsolute(hostPath)) return `Path '${hostPath}' in HOST_PATH volume is not absolute`;
  } else if (volume.host_path !== undefined) {
    hostPath = volume.host_path;
  } else {
    return 'Volume has neither a source nor a host_path';
  }
  if (!existsSync(hostPath)) return `Path '${hostPath}' in HOST_PATH volume does not exist`;
  const containerPath = volume.container_path;
  if (isAbsolute(containerPath)) {
    return `Mount point '${containerPath}' is an absolute path: the Ferry simulator shares the host filesystem and mounts volumes only at paths relative to the sandbox`;
  }
  const clean = normalize(containerPath);
  if (clean === '.' || clean.startsWith('..')) return `Container path '${containerPath}' does not name a place inside the sandbox`;
  return { containerPath: clean, hostPath };
}

/** Makes each planned volume visible in the sandbox; returns an error message on failure. */
export async function linkVolumes(links: readonly VolumeLink[], sandbox: string): Promise<string | undefined> {
  for (const link of links) {
    const at = join(sandbox, link.containerPath);
    if (relative(sandbox, at).startsWith('..')) return `Container path '${link.containerPath}' leaves the sandbox`;
    try {
      await mkdir(dirname(at), { recursive: true });
      await symlink(link.hostPath, at);
    } catch (err) {
      return `Failed to mount '${link.hostPath}' at '${at}': ${(err as Error).message}`;
    }
  }
  return undefined;
}
