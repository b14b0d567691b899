// UNLIKE: the field's value does not fully match a regular expression. The
// only operator an agent without the attribute satisfies (as in Marathon).

import { fullyMatches } from './fullMatchPattern.js';
import { regexValueProblem } from './like.js';
import { refuse, SATISFIED, type ConstraintOperatorRule } from './operatorRule.js';

export const unlikeRule: ConstraintOperatorRule = {
  operator: 'UNLIKE',
  valueProblem: (value) => regexValueProblem('UNLIKE', value),
  check({ constraint, candidateValue }) {
    const matches = fullyMatches(constraint.value ?? '', candidateValue);
    if (matches === false) return SATISFIED;
    return refuse(constraint, matches === undefined ? 'the pattern does not compile' : `${candidateValue} matches`);
  },
};
