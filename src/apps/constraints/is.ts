// IS: the field's value equals the constraint's value. Like Marathon, the value
// is Mesos text or a scalar, and a scalar is compared the way Mesos prints it.

import { formatMesosScalar } from './marathonAttributeText.js';
import { refuse, SATISFIED, type ConstraintOperatorRule } from './operatorRule.js';

const TEXT_OR_SCALAR = /^[a-zA-Z0-9_/.-]+$/;
const SCALAR = /^[0-9]+(?:\.[0-9]+)?$/;

/** The value as an agent's attribute text would show it ("1.50" → "1.5"). */
export function comparableValue(value: string): string {
  return SCALAR.test(value) ? formatMesosScalar(Number(value)) : value;
}

export const isRule: ConstraintOperatorRule = {
  operator: 'IS',
  valueProblem: (value) => {
    if (value === undefined || value === '') return 'IS needs a value to compare with, e.g. ["zone", "IS", "a"]';
    return TEXT_OR_SCALAR.test(value)
      ? undefined
      : `IS compares with Mesos text or scalar values only (letters, digits, '_', '/', '.', '-'); got ${JSON.stringify(value)}`;
  },
  check({ constraint, candidateValue }) {
    const wanted = comparableValue(constraint.value ?? '');
    return candidateValue === wanted ? SATISFIED : refuse(constraint, `${candidateValue} is not ${wanted}`);
  },
};
