// Marathon's constraint arrays ([field, operator] or [field, operator, value])
// read into Constraints, with each operator's own value rules. Refuses what
// Marathon refuses, plus the fault-domain fields Ferry cannot see.

import type { Constraint, ConstraintOperator } from '../appSpec.js';
import { childPath, describeValue, type FieldError } from '../fieldError.js';
import { OPERATOR_RULES } from './constraintEvaluation.js';

const OPERATORS = Object.keys(OPERATOR_RULES) as ConstraintOperator[];

function isOperator(text: string): text is ConstraintOperator {
  return (OPERATORS as string[]).includes(text);
}

export type ConstraintResult = { ok: true; constraint: Constraint } | { ok: false; errors: FieldError[] };

/** Reads one constraint; `field` is its JSON path, e.g. "constraints[0]". */
export function parseConstraint(entry: unknown, field: string): ConstraintResult {
  const fail = (at: string, message: string): ConstraintResult => ({ ok: false, errors: [{ field: at, message }] });
  if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3) {
    const got = `${describeValue(entry)}${Array.isArray(entry) ? ` of ${entry.length}` : ''}`;
    return fail(field, `a constraint is an array of 2 or 3 strings, [field, operator] or [field, operator, value]; got ${got}`);
  }
  const errors: FieldError[] = [];
  entry.forEach((item: unknown, i) => {
    if (typeof item !== 'string') errors.push({ field: childPath(field, i), message: `must be a string; got ${describeValue(item)}` });
  });
  if (errors.length > 0) return { ok: false, errors };
  const [name, operatorText, value] = entry as string[];
  if (name === undefined || name === '') {
    return fail(childPath(field, 0), 'the constraint names no field: use "hostname" or an agent attribute name');
  }
  if (name.startsWith('@') && name !== '@hostname') {
    return fail(
      childPath(field, 0),
      `Ferry does not read Mesos fault domains (${name}); give the region or zone as an agent attribute, e.g. ["zone", "GROUP_BY"]`,
    );
  }
  // Marathon accepts operators in any case.
  const operator = (operatorText ?? '').toUpperCase();
  if (!isOperator(operator)) {
    return fail(childPath(field, 1), `unknown constraint operator ${JSON.stringify(operatorText)}: use one of ${OPERATORS.join(', ')}`);
  }
  const problem = OPERATOR_RULES[operator].valueProblem(value);
  if (problem !== undefined) return fail(value === undefined ? field : childPath(field, 2), problem);
  return { ok: true, constraint: value === undefined ? { field: name, operator } : { field: name, operator, value } };
}

/** Reads a constraints array; duplicates are refused (Marathon keeps them as a set). */
export function parseConstraints(entries: readonly unknown[], field: string): { constraints: Constraint[]; errors: FieldError[] } {
  const constraints: Constraint[] = [];
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    const at = childPath(field, i);
    const result = parseConstraint(entry, at);
    if (!result.ok) {
      errors.push(...result.errors);
      return;
    }
    const key = JSON.stringify([result.constraint.field, result.constraint.operator, result.constraint.value]);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      errors.push({ field: at, message: `repeats ${childPath(field, earlier)}; give each constraint once` });
      return;
    }
    seen.set(key, i);
    constraints.push(result.constraint);
  });
  return { constraints, errors };
}
