// How Ferry's storage profiles map to EBS volume types, with the limits EC2
// enforces for each (AWS EBS volume types: io2 4 GiB-16 TiB at up to 500
// IOPS/GiB, gp3 1 GiB-16 TiB, st1 125 GiB-16 TiB). Pure data and arithmetic;
// a size outside a type's range is refused here, before EC2 is asked.

import type { ProfileName } from '../profiles.js';

export type EbsVolumeType = 'io2' | 'gp3' | 'st1';

export interface EbsTypeRule {
  type: EbsVolumeType;
  minGiB: number;
  maxGiB: number;
  /** provisioned IOPS for a volume of this size, for types that take them */
  iops?: (sizeGiB: number) => number;
  description: string;
}

/** gold asks 50 IOPS per GiB, within io2's 100-64,000 range. */
export const GOLD_IOPS_PER_GIB = 50;
const IO2_MIN_IOPS = 100;
const IO2_MAX_IOPS = 64_000;

export const EBS_TYPE_FOR_PROFILE: Record<ProfileName, EbsTypeRule> = {
  gold: {
    type: 'io2',
    minGiB: 4,
    maxGiB: 16_384,
    iops: (sizeGiB) => Math.min(IO2_MAX_IOPS, Math.max(IO2_MIN_IOPS, sizeGiB * GOLD_IOPS_PER_GIB)),
    description: `io2 (provisioned IOPS SSD, ${GOLD_IOPS_PER_GIB} IOPS/GiB, ${IO2_MIN_IOPS}-${IO2_MAX_IOPS}), 4 GiB to 16 TiB`,
  },
  silver: { type: 'gp3', minGiB: 1, maxGiB: 16_384, description: 'gp3 (general purpose SSD, 3,000 IOPS baseline), 1 GiB to 16 TiB' },
  bronze: { type: 'st1', minGiB: 125, maxGiB: 16_384, description: 'st1 (throughput-optimized HDD), 125 GiB to 16 TiB' },
};

/** Why a volume of `sizeGiB` cannot have this profile's type, or undefined when it can. */
export function ebsSizeProblem(profile: ProfileName, sizeGiB: number): string | undefined {
  const rule = EBS_TYPE_FOR_PROFILE[profile];
  if (sizeGiB < rule.minGiB) {
    return (
      `profile ${profile} maps to EBS ${rule.type}, whose volumes are at least ${rule.minGiB} GiB; ` +
      `this dataset would be ${sizeGiB} GiB: ask for at least ${rule.minGiB * 1024} MiB or choose another profile`
    );
  }
  if (sizeGiB > rule.maxGiB) return `profile ${profile} maps to EBS ${rule.type}, whose volumes are at most ${rule.maxGiB} GiB; this dataset would be ${sizeGiB} GiB`;
  return undefined;
}
