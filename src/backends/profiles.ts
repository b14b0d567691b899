// Ferry's storage profiles (gold, silver, bronze, as Flocker's) and what each
// means on each backend. The API checks a dataset's profile here at
// submission so that an unknown profile, or one a backend cannot give a
// dataset of that size, is refused before anything is created.

import type { BackendName } from '../state/model.js';
import { EBS_TYPE_FOR_PROFILE, ebsSizeProblem } from './ebs/ebsVolumeTypes.js';
import { gibRoundedUp } from './volumeSize.js';

export const PROFILE_NAMES = ['gold', 'silver', 'bronze'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** The profile of a dataset that names none. */
export const DEFAULT_PROFILE: ProfileName = 'silver';

export function isProfileName(value: string): value is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(value);
}

/** What each profile maps to on this backend, for operators (`ControlPlane.profiles()`). */
export function profilesOf(backend: BackendName): Record<ProfileName, string> {
  switch (backend) {
    case 'local':
      return sameEverywhere('a directory on the agent\'s disk; local profiles are equal (the agent\'s disk decides)');
    case 'loopback':
      return sameEverywhere('a sparse ext4 image in the image store; loopback profiles are equal (the store\'s disk decides)');
    case 'ebs':
      return { gold: EBS_TYPE_FOR_PROFILE.gold.description, silver: EBS_TYPE_FOR_PROFILE.silver.description, bronze: EBS_TYPE_FOR_PROFILE.bronze.description };
    default: {
      const never: never = backend;
      throw new Error(`unknown backend ${String(never)}`);
    }
  }
}

/**
 * Why `profile` cannot be used for a dataset of `sizeMiB` on `backend`, or
 * undefined when it can. An absent profile means DEFAULT_PROFILE.
 */
export function profileProblem(backend: BackendName, profile: string | undefined, sizeMiB?: number): string | undefined {
  const name = profile ?? DEFAULT_PROFILE;
  if (!isProfileName(name)) return `unknown profile "${name}": use one of ${PROFILE_NAMES.join(', ')}`;
  if (backend === 'ebs' && sizeMiB !== undefined && Number.isInteger(sizeMiB) && sizeMiB > 0) {
    return ebsSizeProblem(name, gibRoundedUp(sizeMiB));
  }
  return undefined;
}

function sameEverywhere(text: string): Record<ProfileName, string> {
  return { gold: text, silver: text, bronze: text };
}
