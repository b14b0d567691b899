// GROUP_BY: spread instances evenly over the field's values, knowing (like
// Marathon) only the values placed instances use: a new value is always welcome,
// a used one only if least used and, given a count, that many values are in use.

import { isPositiveIntegerText, refuse, SATISFIED, type ConstraintOperatorRule } from './operatorRule.js';

export const groupByRule: ConstraintOperatorRule = {
  operator: 'GROUP_BY',
  valueProblem: (value) =>
    value === undefined || isPositiveIntegerText(value)
      ? undefined
      : `GROUP_BY takes no value or a positive integer (how many values to spread over), e.g. "3"; got ${JSON.stringify(value)}`,
  check({ constraint, candidateValue, placed }) {
    const counts = new Map<string | undefined, number>();
    for (const p of placed) counts.set(p.value, (counts.get(p.value) ?? 0) + 1);
    const inCandidateGroup = counts.get(candidateValue);
    if (inCandidateGroup === undefined) return SATISFIED;
    const wanted = constraint.value === undefined ? 0 : Number(constraint.value);
    if (counts.size < wanted) {
      return refuse(constraint, `${candidateValue} already runs ${inCandidateGroup}, and only ${counts.size} of ${wanted} values are in use`);
    }
    const least = Math.min(...counts.values());
    if (inCandidateGroup === least) return SATISFIED;
    const leastUsed = [...counts].find(([, n]) => n === least)?.[0];
    const other = leastUsed === undefined ? `agents without ${constraint.field} run` : `${leastUsed} runs`;
    return refuse(constraint, `${candidateValue} already runs ${inCandidateGroup} while ${other} ${least}`);
  },
};
