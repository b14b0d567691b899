// Offer evaluation composed from small checks, cheapest and most selective
// first: pinning, zone, resources, ports, Marathon constraints. The first
// check that refuses gives the reason an operator sees for a waiting instance.

import { constraintFit } from './constraintFit.js';
import { datasetPinning } from './datasetPinning.js';
import type { Candidate, LaunchNeed, PlacementCheck, PlacementContext } from './launchNeed.js';
import { portFit } from './portFit.js';
import { resourceFit } from './resourceFit.js';
import { zoneFit } from './zoneFit.js';

export const PLACEMENT_CHECKS: readonly PlacementCheck[] = [datasetPinning, zoneFit, resourceFit, portFit, constraintFit];

/** Why the candidate cannot host the need, or undefined when every check passes. */
export function evaluate(need: LaunchNeed, candidate: Candidate, context: PlacementContext, checks: readonly PlacementCheck[]): string | undefined {
  for (const check of checks) {
    const why = check.check(need, candidate, context);
    if (why !== undefined) return why;
  }
  return undefined;
}
