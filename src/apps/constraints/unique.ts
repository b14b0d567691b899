// UNIQUE: no two instances share the field's value (one per host, one per rack).
// Takes no value.

import { instanceLabel, refuse, SATISFIED, type ConstraintOperatorRule } from './operatorRule.js';

export const uniqueRule: ConstraintOperatorRule = {
  operator: 'UNIQUE',
  valueProblem: (value) => (value === undefined ? undefined : 'UNIQUE does not take a value: write [field, "UNIQUE"]'),
  check({ constraint, candidateValue, placed }) {
    const holder = placed.find((p) => p.value === candidateValue);
    return holder === undefined ? SATISFIED : refuse(constraint, `${candidateValue} already runs ${instanceLabel(holder)}`);
  },
};
