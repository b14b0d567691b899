// The control plane of the `loopback` (block) backend: creates and destroys
// sparse images in the shared image store and assigns each to at most one
// agent in its metadata, under the store's lock. It never mounts anything;
// the node plane does, and refuses images not assigned to its agent.

import { mkdir, open, rm } from 'node:fs/promises';
import type { Logger } from '../../common/log.js';
import { silentLogger } from '../../common/log.js';
import { releaseImage, withoutAttachment } from '../../node/block/loopbackAttachment.js';
import { loopDevicesOf } from '../../node/block/loopDevices.js';
import { datasetPath, DEFAULT_MOUNT_ROOT, mountRootOf } from '../agentPaths.js';
import { BackendError, type AgentRef, type BackendVolume, type ControlPlane, type VolumeSpec } from '../backend.js';
import { DEFAULT_PROFILE, profileProblem, profilesOf } from '../profiles.js';
import type { StepHook } from '../stepHook.js';
import { sizeProblem, type SizeLimits } from '../volumeSize.js';
import { requireClusterName, requireDatasetName } from '../volumeNames.js';
import { ImageStore, imageId, imageState, type ImageRecord } from './imageStore.js';

/** Images are sparse, so only the store's free space bounds them; 16 TiB keeps ext4 defaults sane. */
export const LOOPBACK_SIZE_LIMITS: SizeLimits = { minMiB: 1, maxMiB: 16 * 1024 * 1024 };

/** An agent that names the image store it reaches; agents without it are assumed to reach this one. */
export const IMAGE_STORE_ATTRIBUTE = 'ferry_image_store';

export interface LoopbackControlPlaneOptions {
  cluster: string;
  /** the image store directory, reachable by every agent of this machine */
  store: string;
  /** mount root on agents without a `ferry_mount_root` attribute */
  defaultMountRoot?: string;
  sizeLimits?: SizeLimits;
  /**
   * This process runs on the machine whose agents mount the images (local
   * mode), so a forced detach releases the loop devices itself and a normal
   * detach checks none is left; otherwise a forced detach stays 'detaching'
   * until the node plane's `release` has run on a live agent of that machine.
   */
  fenceOnThisMachine?: boolean;
  logger?: Logger;
  now?: () => Date;
  afterStep?: StepHook;
}

export class LoopbackControlPlane implements ControlPlane {
  readonly name = 'loopback' as const;
  readonly kind = 'block' as const;
  private readonly cluster: string;
  private readonly store: ImageStore;
  private readonly defaultMountRoot: string;
  private readonly limits: SizeLimits;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly step: StepHook;

  constructor(private readonly options: LoopbackControlPlaneOptions) {
    this.cluster = requireClusterName(options.cluster);
    this.store = new ImageStore(options.store);
    this.defaultMountRoot = options.defaultMountRoot ?? DEFAULT_MOUNT_ROOT;
    this.limits = options.sizeLimits ?? LOOPBACK_SIZE_LIMITS;
    this.log = (options.logger ?? silentLogger()).child({ backend: 'loopback', cluster: this.cluster });
    this.now = options.now ?? (() => new Date());
    this.step = options.afterStep ?? (() => undefined);
  }

  profiles(): Record<string, string> {
    return profilesOf('loopback');
  }

  async create(spec: VolumeSpec): Promise<BackendVolume> {
    const dataset = requireDatasetName(spec.dataset);
    const problem = sizeProblem(spec.sizeMiB, this.limits, `loopback volume ${dataset}`) ?? profileProblem('loopback', spec.profile);
    if (problem !== undefined) throw new BackendError('INVALID', problem);
    await mkdir(this.store.dir, { recursive: true });
    const id = imageId(this.cluster, dataset);
    const record = await this.store.locked(async () => {
      const existing = await this.store.read(id);
      if (existing !== undefined && existing.sizeMiB !== spec.sizeMiB) {
        throw new BackendError('INVALID', `dataset ${dataset} already has a loopback volume of ${existing.sizeMiB} MiB; resizing is not supported`);
      }
      // an image left by a create that died before its metadata was written is empty: reuse it
      await this.ensureImage(id, (existing ?? spec).sizeMiB);
      if (existing !== undefined) return existing;
      this.step('image-created');
      const created: ImageRecord = {
        version: 1,
        id,
        cluster: this.cluster,
        dataset,
        sizeMiB: spec.sizeMiB,
        profile: spec.profile ?? DEFAULT_PROFILE,
        createdAt: this.now().toISOString(),
      };
      await this.store.write(created);
      this.log.info({ volumeId: id, dataset, sizeMiB: spec.sizeMiB }, 'loopback volume created');
      return created;
    });
    return this.view(record);
  }

  async destroy(volumeId: string): Promise<void> {
    await mkdir(this.store.dir, { recursive: true });
    await this.store.locked(async () => {
      const record = await this.store.read(volumeId);
      if (record !== undefined && record.cluster !== this.cluster) return;
      if (record?.attachedTo !== undefined || record?.pendingRelease !== undefined) {
        const agent = record.attachedTo?.agentId ?? record.pendingRelease?.agentId;
        throw new BackendError('IN_USE', `loopback volume ${volumeId} is attached to agent ${agent}; detach it before destroying it`);
      }
      const image = this.store.imagePath(volumeId);
      if (this.options.fenceOnThisMachine === true && (await loopDevicesOf(image)).length > 0) {
        throw new BackendError('IN_USE', `image ${image} still backs a loop device; unmount it on its agent before destroying it`);
      }
      // image first: metadata without an image is visibly half-destroyed and destroying again finishes it
      await rm(image, { force: true });
      if (record === undefined) return;
      this.step('image-removed');
      await this.store.removeMetadata(volumeId);
      this.log.info({ volumeId, dataset: record.dataset }, 'loopback volume destroyed');
    });
  }

  async attach(volumeId: string, agent: AgentRef): Promise<BackendVolume> {
    const record = await this.changeRecord(volumeId, async (record) => {
      if (record.pendingRelease !== undefined) {
        throw new BackendError(
          'ATTACHED_ELSEWHERE',
          `loopback volume ${volumeId} was force-detached from agent ${record.pendingRelease.agentId} and its release is not yet proven; run the node-plane release on a live agent of this machine first`,
        );
      }
      if (record.attachedTo?.agentId === agent.agentId) return record;
      if (record.attachedTo !== undefined) {
        throw new BackendError('ATTACHED_ELSEWHERE', `loopback volume ${volumeId} is attached to agent ${record.attachedTo.agentId}; detach it there before attaching it to agent ${agent.agentId}`);
      }
      const attached: ImageRecord = {
        ...record,
        attachedTo: { agentId: agent.agentId, hostname: agent.hostname, hostPath: datasetPath(mountRootOf(agent, this.defaultMountRoot), record.dataset) },
      };
      await this.store.write(attached);
      this.log.info({ volumeId, agentId: agent.agentId }, 'loopback volume attached');
      return attached;
    });
    return this.view(record);
  }

  async detach(volumeId: string, agent: AgentRef, options: { force?: boolean } = {}): Promise<BackendVolume> {
    const force = options.force === true;
    const record = await this.changeRecord(volumeId, async (record) => {
      const holder = record.pendingRelease?.agentId ?? record.attachedTo?.agentId;
      if (holder === undefined) return record;
      if (holder !== agent.agentId) {
        throw new BackendError('ATTACHED_ELSEWHERE', `loopback volume ${volumeId} is attached to agent ${holder}, not to agent ${agent.agentId}`);
      }
      const image = this.store.imagePath(volumeId);
      if (!force) {
        if (record.pendingRelease !== undefined) return record;
        if (this.options.fenceOnThisMachine === true && (await loopDevicesOf(image)).length > 0) {
          throw new BackendError('IN_USE', `loopback volume ${volumeId} is still mounted on agent ${holder}; unmount it there first (node plane), or detach with force`);
        }
        const detached = withoutAttachment(record);
        await this.store.write(detached);
        this.log.info({ volumeId, agentId: holder }, 'loopback volume detached');
        return detached;
      }
      const fencing: ImageRecord = { ...record, pendingRelease: record.pendingRelease ?? { agentId: holder, requestedAt: this.now().toISOString() } };
      await this.store.write(fencing);
      this.log.error({ volumeId, agentId: holder }, 'FORCED detach of loopback volume: the agent is fenced off; the volume stays unattachable until no loop device backs its image');
      this.step('release-recorded');
      if (this.options.fenceOnThisMachine !== true) return fencing;
      await releaseImage(image, this.log.child({ volumeId }));
      const released = withoutAttachment(fencing);
      await this.store.write(released);
      this.log.warn({ volumeId, agentId: holder }, 'FORCED detach of loopback volume done: no loop device backs its image');
      return released;
    });
    return this.view(record);
  }

  async get(volumeId: string): Promise<BackendVolume | undefined> {
    const record = await this.store.read(volumeId);
    return record === undefined || record.cluster !== this.cluster ? undefined : this.view(record);
  }

  async list(): Promise<BackendVolume[]> {
    return (await this.store.list()).filter((r) => r.cluster === this.cluster).map((r) => this.view(r));
  }

  placementProblem(volume: BackendVolume, agent: AgentRef): string | undefined {
    const reaches = agent.attributes[IMAGE_STORE_ATTRIBUTE];
    if (reaches === undefined || reaches === this.store.dir) return undefined;
    return `loopback volume ${volume.id} lives in image store ${this.store.dir}; agent ${agent.agentId} reaches ${reaches}`;
  }

  private async changeRecord(volumeId: string, change: (record: ImageRecord) => Promise<ImageRecord>): Promise<ImageRecord> {
    await mkdir(this.store.dir, { recursive: true });
    return this.store.locked(async () => {
      const record = await this.store.read(volumeId);
      if (record === undefined || record.cluster !== this.cluster) {
        throw new BackendError('NOT_FOUND', `no loopback volume ${volumeId} in cluster ${this.cluster} (image store ${this.store.dir})`);
      }
      return change(record);
    });
  }

  /** A sparse image of exactly `sizeMiB`: created, or an existing one kept (never shrunk, never truncated). */
  private async ensureImage(id: string, sizeMiB: number): Promise<void> {
    const handle = await open(this.store.imagePath(id), 'a', 0o600);
    try {
      const bytes = sizeMiB * 1024 * 1024;
      if ((await handle.stat()).size < bytes) await handle.truncate(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private view(record: ImageRecord): BackendVolume {
    const volume: BackendVolume = {
      backend: 'loopback',
      id: record.id,
      dataset: record.dataset,
      cluster: record.cluster,
      sizeMiB: record.sizeMiB,
      profile: record.profile,
      state: imageState(record),
    };
    const agentId = record.pendingRelease?.agentId ?? record.attachedTo?.agentId;
    if (agentId !== undefined) volume.agentId = agentId;
    if (record.attachedTo !== undefined && record.pendingRelease === undefined) volume.hostPath = record.attachedTo.hostPath;
    return volume;
  }
}
