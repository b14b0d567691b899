// CLUSTER: every instance on the same value of the field. With a value, that
// value; without one, whatever value the lowest placed instance landed on.

import { instanceLabel, refuse, SATISFIED, type ConstraintOperatorRule, type PlacedValue } from './operatorRule.js';

/** The instance that fixes the cluster's value: the lowest index (the first launched); the first listed if unknown. */
function anchor(placed: readonly PlacedValue[]): PlacedValue | undefined {
  let best: PlacedValue | undefined;
  for (const p of placed) {
    if (best === undefined || (p.instance !== undefined && (best.instance === undefined || p.instance < best.instance))) best = p;
  }
  return best;
}

export const clusterRule: ConstraintOperatorRule = {
  operator: 'CLUSTER',
  // As in Marathon, the value is optional: without it the first instance chooses.
  valueProblem: (value) => (value === '' ? 'CLUSTER takes a non-empty value, or none at all' : undefined),
  check({ constraint, candidateValue, placed }) {
    if (constraint.value !== undefined) {
      return candidateValue === constraint.value ? SATISFIED : refuse(constraint, `${candidateValue} is not ${constraint.value}`);
    }
    const first = anchor(placed);
    if (first === undefined || first.value === candidateValue) return SATISFIED;
    const where = first.value === undefined ? `an agent without ${constraint.field}` : first.value;
    return refuse(constraint, `${instanceLabel(first)} runs on ${where}, not ${candidateValue}`);
  },
};
