// How an EC2 volume reads as a Ferry backend volume: its tags say which
// cluster and dataset it belongs to and which agent it was attached for; its
// attachment says where it is now. A volume without Ferry's cluster tag is
// not Ferry's and never shown.

import type { Volume } from '@aws-sdk/client-ec2';
import type { BackendVolume, VolumeState } from '../backend.js';
import { MIB_PER_GIB } from '../volumeSize.js';

export const EBS_TAGS = {
  cluster: 'ferry-cluster',
  dataset: 'ferry-dataset',
  profile: 'ferry-profile',
  /** the agent the volume was last attached for, and that agent's instance */
  agent: 'ferry-agent',
  agentInstance: 'ferry-agent-instance',
  /** where the agent mounts it */
  mountPoint: 'ferry-mount-point',
} as const;

export function tagsOf(volume: Volume): Map<string, string> {
  return new Map((volume.Tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? ''] as [string, string]])));
}

/** EC2 keeps reporting deleted volumes for a while; Ferry treats them as gone. */
export function isGone(volume: Volume): boolean {
  return volume.State === 'deleting' || volume.State === 'deleted' || volume.State === 'error';
}

export function attachmentOf(volume: Volume): { instanceId: string; device?: string; state: string } | undefined {
  const attachment = (volume.Attachments ?? []).find((a) => a.InstanceId !== undefined);
  if (attachment?.InstanceId === undefined) return undefined;
  const found: { instanceId: string; device?: string; state: string } = { instanceId: attachment.InstanceId, state: attachment.State ?? 'attached' };
  if (attachment.Device !== undefined) found.device = attachment.Device;
  return found;
}

function stateOf(volume: Volume): VolumeState {
  if (volume.State === 'creating') return 'creating';
  const attachment = attachmentOf(volume);
  if (attachment === undefined) return 'available';
  if (attachment.state === 'attaching') return 'attaching';
  if (attachment.state === 'detaching') return 'detaching';
  return 'attached';
}

/** The Ferry view of an EC2 volume of `cluster`, or undefined when it is not one (or is gone). */
export function backendVolumeOf(volume: Volume, cluster: string): BackendVolume | undefined {
  const tags = tagsOf(volume);
  const dataset = tags.get(EBS_TAGS.dataset);
  if (volume.VolumeId === undefined || tags.get(EBS_TAGS.cluster) !== cluster || dataset === undefined || isGone(volume)) return undefined;
  const view: BackendVolume = {
    backend: 'ebs',
    id: volume.VolumeId,
    dataset,
    cluster,
    sizeMiB: (volume.Size ?? 0) * MIB_PER_GIB,
    state: stateOf(volume),
  };
  const profile = tags.get(EBS_TAGS.profile);
  if (profile !== undefined) view.profile = profile;
  if (volume.AvailabilityZone !== undefined) view.zone = volume.AvailabilityZone;
  const attachment = attachmentOf(volume);
  if (attachment !== undefined) {
    if (attachment.device !== undefined) view.device = attachment.device;
    // the agent tag counts only for the instance it was written for
    if (tags.get(EBS_TAGS.agentInstance) === attachment.instanceId) {
      const agentId = tags.get(EBS_TAGS.agent);
      const mountPoint = tags.get(EBS_TAGS.mountPoint);
      if (agentId !== undefined) view.agentId = agentId;
      if (mountPoint !== undefined) view.hostPath = mountPoint;
    }
  }
  return view;
}
