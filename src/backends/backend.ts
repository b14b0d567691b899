// The one contract every volume backend meets, in two halves (as Flocker's
// block device API): a control plane the scheduler calls (create, destroy,
// attach to an agent, detach, list, and what an agent must satisfy to hold a
// volume) and a node plane that runs on an agent (prepare/format, mount,
// unmount; send and receive for a copy backend). Shapes and errors only.

import type { BackendName } from '../state/model.js';

/** What Ferry asks a backend to create for a dataset. */
export interface VolumeSpec {
  dataset: string;
  sizeMiB: number;
  profile?: string;
  /** where the volume must live, when the caller already knows (e.g. a zone) */
  zone?: string;
}

/** 'creating': the provider is still making it (EBS); a created volume is handed out once it is 'available'. */
export type VolumeState = 'creating' | 'available' | 'attaching' | 'attached' | 'detaching';

/** A backend's volume as its control plane sees it. */
export interface BackendVolume {
  backend: BackendName;
  /** the backend's own id: a dataset name (local), an image name (loopback), vol-… (ebs) */
  id: string;
  dataset: string;
  /** the cluster it belongs to; list() never shows another cluster's */
  cluster: string;
  sizeMiB: number;
  profile?: string;
  /** a placement requirement, e.g. the availability zone of an EBS volume */
  zone?: string;
  state: VolumeState;
  /** the agent it is attached to (block) or lives on (copy) */
  agentId?: string;
  /** the device path on that agent, once known (block) */
  device?: string;
  /**
   * where a task on `agentId` reaches the data: the dataset directory (copy)
   * or the mount point (block), from the agent's `ferry_root` /
   * `ferry_mount_root` attribute or the backend's default
   */
  hostPath?: string;
}

/** What the control plane knows of an agent. */
export interface AgentRef {
  agentId: string;
  hostname: string;
  attributes: Record<string, string>;
}

export interface ControlPlane {
  readonly name: BackendName;
  /** copy: data moves by copying between agents; block: a device moves by detach/attach */
  readonly kind: 'copy' | 'block';
  /** the storage profiles it offers (gold/silver/bronze) and what each maps to here */
  profiles(): Record<string, string>;
  /** Creates the volume of a dataset; asking again for the same dataset returns the same volume. */
  create(spec: VolumeSpec): Promise<BackendVolume>;
  /** Destroys a volume; destroying one already gone is not an error; an attached one is refused (IN_USE). */
  destroy(volumeId: string): Promise<void>;
  /** Attaches to an agent; AttachedElsewhereError if attached to another; attaching again where it is attached is a no-op. */
  attach(volumeId: string, agent: AgentRef): Promise<BackendVolume>;
  /**
   * Detaches from the agent; detaching a volume attached nowhere is a no-op,
   * one attached to another agent is refused (ATTACHED_ELSEWHERE). Without
   * force the caller has already unmounted it on the agent (node plane).
   * With force, the agent is known gone (or must be fenced off): the release
   * is forced and logged; the volume is not attached anywhere else before it
   * completes. A forced detach may answer state 'detaching' while the release
   * is still pending (loopback: until the node-plane `release` has run on a
   * live agent of that machine); attach refuses the volume until it reads
   * 'available'.
   */
  detach(volumeId: string, agent: AgentRef, options?: { force?: boolean }): Promise<BackendVolume>;
  get(volumeId: string): Promise<BackendVolume | undefined>;
  /** This cluster's volumes only. */
  list(): Promise<BackendVolume[]>;
  /** Why the agent cannot hold the volume (e.g. another zone), or undefined when it can. */
  placementProblem(volume: BackendVolume, agent: AgentRef): string | undefined;
}

/**
 * NOT_FOUND: no such volume in this cluster. ATTACHED_ELSEWHERE: held by
 * another agent (or a forced release is pending). IN_USE: attached, so it
 * cannot be destroyed. INVALID: the request can never succeed as given (size,
 * profile, zone). UNAVAILABLE: the backend cannot be reached now; retry.
 * THROTTLED: the provider kept refusing for rate limits; retry later.
 * FAILED: anything else, with the provider's words.
 */
export type BackendErrorCode = 'NOT_FOUND' | 'ATTACHED_ELSEWHERE' | 'IN_USE' | 'INVALID' | 'UNAVAILABLE' | 'THROTTLED' | 'FAILED';

export class BackendError extends Error {
  override name = 'BackendError';
  constructor(
    readonly code: BackendErrorCode,
    message: string,
  ) {
    super(message);
  }
}
