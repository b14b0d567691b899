// LIKE: the field's value fully matches a regular expression. The value (the
// expression) is required and must compile.

import { fullMatchPattern, fullyMatches } from './fullMatchPattern.js';
import { refuse, SATISFIED, type ConstraintOperatorRule } from './operatorRule.js';

/** The submission check LIKE and UNLIKE share. */
export function regexValueProblem(operator: 'LIKE' | 'UNLIKE', value: string | undefined): string | undefined {
  if (value === undefined || value === '') return `${operator} needs a regular expression as its value, e.g. "rack-[1-3]"`;
  const compiled = fullMatchPattern(value);
  return typeof compiled === 'string' ? `${JSON.stringify(value)} is not a valid regular expression: ${compiled}` : undefined;
}

export const likeRule: ConstraintOperatorRule = {
  operator: 'LIKE',
  valueProblem: (value) => regexValueProblem('LIKE', value),
  check({ constraint, candidateValue }) {
    const matches = fullyMatches(constraint.value ?? '', candidateValue);
    if (matches === true) return SATISFIED;
    return refuse(constraint, matches === undefined ? 'the pattern does not compile' : `${candidateValue} does not match`);
  },
};
