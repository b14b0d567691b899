// Marathon constraints (UNIQUE, CLUSTER, LIKE, UNLIKE, MAX_PER, GROUP_BY, IS)
// against where the app's other instances run, including placements made
// earlier in the same round.

import { evaluateConstraints } from '../../apps/constraints/constraintEvaluation.js';
import type { PlacementCheck } from './launchNeed.js';

export const constraintFit: PlacementCheck = {
  name: 'constraints',
  check(need, candidate, context) {
    const constraints = need.spec.constraints;
    if (constraints.length === 0) return undefined;
    const verdict = evaluateConstraints(constraints, candidate.agent, context.peersOf(need.appId, need.instance));
    return verdict.ok ? undefined : verdict.reasons.join('; ');
  },
};
