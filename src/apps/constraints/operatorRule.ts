// What every constraint operator provides: the check of its value when an app
// is submitted, and the check of a candidate agent against the instances
// already placed. Operators only see field values, never agents or offers.

import type { Constraint, ConstraintOperator } from '../appSpec.js';

export type ConstraintVerdict = { ok: true } | { ok: false; reason: string };

/** One of the app's other instances, seen through the constraint's field. */
export interface PlacedValue {
  /** the instance index, when the caller knows it (it makes reasons precise) */
  instance?: number;
  /** the field's value on that instance's agent; undefined when the agent lacks the attribute */
  value: string | undefined;
}

export interface OperatorInput {
  constraint: Constraint;
  /** the field's value on the candidate agent (a candidate without it never reaches an operator but UNLIKE) */
  candidateValue: string;
  placed: readonly PlacedValue[];
}

export interface ConstraintOperatorRule {
  readonly operator: ConstraintOperator;
  /** Why `value` is not acceptable for this operator in a submitted app, or undefined. */
  valueProblem(value: string | undefined): string | undefined;
  check(input: OperatorInput): ConstraintVerdict;
}

export const SATISFIED: ConstraintVerdict = Object.freeze({ ok: true });

/** The "OPERATOR field[ value]: " prefix of a reason. */
export function refuse(constraint: Constraint, why: string): ConstraintVerdict {
  const value = constraint.value === undefined ? '' : ` ${constraint.value}`;
  return { ok: false, reason: `${constraint.operator} ${constraint.field}${value}: ${why}` };
}

/** "instance 1" or "an instance" when the index is unknown. */
export function instanceLabel(placed: PlacedValue): string {
  return placed.instance === undefined ? 'an instance' : `instance ${placed.instance}`;
}

/** "instances 0, 2" / "2 instances" for a group of placed instances. */
export function instancesLabel(group: readonly PlacedValue[]): string {
  const known = group.map((p) => p.instance).filter((i): i is number => i !== undefined);
  if (known.length === group.length && group.length > 0) {
    return group.length === 1 ? `instance ${known[0]}` : `instances ${known.join(', ')}`;
  }
  return group.length === 1 ? '1 instance' : `${group.length} instances`;
}

/** Whether `text` is a positive integer written plainly ("2", not "02", "2.0" or "+2"). */
export function isPositiveIntegerText(text: string): boolean {
  return /^[1-9][0-9]{0,8}$/.test(text);
}
