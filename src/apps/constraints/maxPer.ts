// MAX_PER: at most N instances on each value of the field (N per rack, per
// zone). The value N is required and a positive integer.

import { instancesLabel, isPositiveIntegerText, refuse, SATISFIED, type ConstraintOperatorRule } from './operatorRule.js';

export const maxPerRule: ConstraintOperatorRule = {
  operator: 'MAX_PER',
  valueProblem: (value) =>
    value !== undefined && isPositiveIntegerText(value)
      ? undefined
      : `MAX_PER needs a positive integer as its value (the most instances per value), e.g. "2"; got ${
          value === undefined ? 'none' : JSON.stringify(value)
        }`,
  check({ constraint, candidateValue, placed }) {
    const max = Number(constraint.value);
    const group = placed.filter((p) => p.value === candidateValue);
    if (group.length < max) return SATISFIED;
    return refuse(constraint, `${candidateValue} already runs ${instancesLabel(group)}`);
  },
};
