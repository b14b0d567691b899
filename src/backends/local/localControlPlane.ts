// The control plane of the `local` (copy) backend: pure bookkeeping of which
// agent's disk holds each dataset, kept in a ledger the caller persists. It
// never touches a disk (the node plane prepares, copies and removes
// directories on agents) and never pretends a forced detach recovers data.

import type { Logger } from '../../common/log.js';
import { silentLogger } from '../../common/log.js';
import { datasetPath, datasetRootOf, DEFAULT_DATASET_ROOT } from '../agentPaths.js';
import { BackendError, type AgentRef, type BackendVolume, type ControlPlane, type VolumeSpec } from '../backend.js';
import { DEFAULT_PROFILE, profileProblem, profilesOf } from '../profiles.js';
import { sizeProblem, type SizeLimits } from '../volumeSize.js';
import { requireClusterName, requireDatasetName } from '../volumeNames.js';
import { ledgerKey, type LocalVolumeRecord, type VolumeLedger } from './volumeLedger.js';

/** A local dataset's size is nominal (recorded, not enforced: the directory shares its agent's disk). */
export const LOCAL_SIZE_LIMITS: SizeLimits = { minMiB: 1, maxMiB: 64 * 1024 * 1024 };

export interface LocalControlPlaneOptions {
  cluster: string;
  ledger: VolumeLedger;
  /** dataset root on agents without a `ferry_root` attribute */
  defaultRoot?: string;
  sizeLimits?: SizeLimits;
  logger?: Logger;
  now?: () => Date;
}

export class LocalControlPlane implements ControlPlane {
  readonly name = 'local' as const;
  readonly kind = 'copy' as const;
  private readonly cluster: string;
  private readonly defaultRoot: string;
  private readonly limits: SizeLimits;
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(private readonly options: LocalControlPlaneOptions) {
    this.cluster = requireClusterName(options.cluster);
    this.defaultRoot = options.defaultRoot ?? DEFAULT_DATASET_ROOT;
    this.limits = options.sizeLimits ?? LOCAL_SIZE_LIMITS;
    this.log = (options.logger ?? silentLogger()).child({ backend: 'local', cluster: this.cluster });
    this.now = options.now ?? (() => new Date());
  }

  profiles(): Record<string, string> {
    return profilesOf('local');
  }

  async create(spec: VolumeSpec): Promise<BackendVolume> {
    const dataset = requireDatasetName(spec.dataset);
    const problem = sizeProblem(spec.sizeMiB, this.limits, `local dataset ${dataset}`) ?? profileProblem('local', spec.profile);
    if (problem !== undefined) throw new BackendError('INVALID', problem);
    const profile = spec.profile ?? DEFAULT_PROFILE;
    const record = await this.options.ledger.update((records) => {
      const key = ledgerKey(this.cluster, dataset);
      const existing = records.get(key);
      if (existing !== undefined) {
        if (existing.sizeMiB !== spec.sizeMiB) {
          throw new BackendError('INVALID', `dataset ${dataset} already has a local volume of ${existing.sizeMiB} MiB; resizing is not supported`);
        }
        return existing;
      }
      const created: LocalVolumeRecord = { cluster: this.cluster, dataset, sizeMiB: spec.sizeMiB, profile, createdAt: this.now().toISOString() };
      records.set(key, created);
      return created;
    });
    this.log.info({ dataset, sizeMiB: record.sizeMiB }, 'local volume recorded');
    return this.view(record);
  }

  async destroy(volumeId: string): Promise<void> {
    const removed = await this.options.ledger.update((records) => {
      const key = ledgerKey(this.cluster, volumeId);
      const record = records.get(key);
      if (record === undefined) return false;
      if (record.agentId !== undefined) {
        throw new BackendError('IN_USE', `dataset ${volumeId} still lives on agent ${record.agentId}; detach it (and remove its directory there) before destroying it`);
      }
      records.delete(key);
      return true;
    });
    if (removed) this.log.info({ dataset: volumeId }, 'local volume forgotten');
  }

  async attach(volumeId: string, agent: AgentRef): Promise<BackendVolume> {
    const record = await this.options.ledger.update((records) => {
      const record = this.require(records, volumeId);
      if (record.agentId === agent.agentId) return record;
      if (record.agentId !== undefined) {
        throw new BackendError(
          'ATTACHED_ELSEWHERE',
          `dataset ${volumeId} lives on agent ${record.agentId}; detach it there (after copying it) before placing it on agent ${agent.agentId}`,
        );
      }
      record.agentId = agent.agentId;
      record.hostname = agent.hostname;
      record.hostPath = datasetPath(datasetRootOf(agent, this.defaultRoot), record.dataset);
      return record;
    });
    this.log.info({ dataset: volumeId, agentId: agent.agentId, hostPath: record.hostPath }, 'local volume placed on agent');
    return this.view(record);
  }

  async detach(volumeId: string, agent: AgentRef, options: { force?: boolean } = {}): Promise<BackendVolume> {
    const { record, released } = await this.options.ledger.update((records) => {
      const record = this.require(records, volumeId);
      if (record.agentId === undefined) return { record, released: undefined };
      if (record.agentId !== agent.agentId) {
        throw new BackendError('ATTACHED_ELSEWHERE', `dataset ${volumeId} lives on agent ${record.agentId}, not on agent ${agent.agentId}; nothing to detach there`);
      }
      const released = { agentId: record.agentId, hostPath: record.hostPath };
      delete record.agentId;
      delete record.hostname;
      delete record.hostPath;
      return { record, released };
    });
    if (released !== undefined && options.force === true) {
      this.log.error(
        { dataset: volumeId, agentId: released.agentId, hostPath: released.hostPath },
        'FORCED detach of a local dataset: its data stays on the lost agent and is abandoned; a copy backend cannot fence or recover it',
      );
    } else if (released !== undefined) {
      this.log.info({ dataset: volumeId, agentId: released.agentId }, 'local volume released from agent');
    }
    return this.view(record);
  }

  async get(volumeId: string): Promise<BackendVolume | undefined> {
    const record = (await this.options.ledger.read()).get(ledgerKey(this.cluster, volumeId));
    return record === undefined ? undefined : this.view(record);
  }

  async list(): Promise<BackendVolume[]> {
    const records = await this.options.ledger.read();
    return [...records.values()].filter((r) => r.cluster === this.cluster).map((r) => this.view(r));
  }

  /** Any agent can hold a local dataset once a copy has reached it. */
  placementProblem(): string | undefined {
    return undefined;
  }

  private require(records: Map<string, LocalVolumeRecord>, volumeId: string): LocalVolumeRecord {
    const record = records.get(ledgerKey(this.cluster, volumeId));
    if (record === undefined) throw new BackendError('NOT_FOUND', `no local volume ${volumeId} in cluster ${this.cluster}`);
    return record;
  }

  private view(record: LocalVolumeRecord): BackendVolume {
    const volume: BackendVolume = {
      backend: 'local',
      id: record.dataset,
      dataset: record.dataset,
      cluster: record.cluster,
      sizeMiB: record.sizeMiB,
      state: record.agentId === undefined ? 'available' : 'attached',
    };
    if (record.profile !== undefined) volume.profile = record.profile;
    if (record.agentId !== undefined) volume.agentId = record.agentId;
    if (record.hostPath !== undefined) volume.hostPath = record.hostPath;
    return volume;
  }
}
