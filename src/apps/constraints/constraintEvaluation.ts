// Whether a candidate agent satisfies an app's Marathon constraints given where
// its other instances run: composes the operator rules (one file each). Pure
// and cheap: the scheduler calls it for every candidate of every offer round.

import type { Constraint, ConstraintOperator } from '../appSpec.js';
import { agentFieldValue, type AgentFacts, type PlacedInstance } from './agentField.js';
import { clusterRule } from './cluster.js';
import { groupByRule } from './groupBy.js';
import { isRule } from './is.js';
import { likeRule } from './like.js';
import { maxPerRule } from './maxPer.js';
import { SATISFIED, type ConstraintOperatorRule, type ConstraintVerdict } from './operatorRule.js';
import { uniqueRule } from './unique.js';
import { unlikeRule } from './unlike.js';

/** Every operator's rule; the Record type makes a new operator a compile error until it has one. */
export const OPERATOR_RULES: Readonly<Record<ConstraintOperator, ConstraintOperatorRule>> = {
  UNIQUE: uniqueRule,
  CLUSTER: clusterRule,
  LIKE: likeRule,
  UNLIKE: unlikeRule,
  MAX_PER: maxPerRule,
  GROUP_BY: groupByRule,
  IS: isRule,
};

export type ConstraintsVerdict = { ok: true } | { ok: false; reasons: string[] };

/**
 * Whether `candidate` satisfies `constraint`, given the agents of the app's
 * other instances (`placed`, not including the instance being placed).
 */
export function evaluateConstraint(constraint: Constraint, candidate: AgentFacts, placed: readonly PlacedInstance[]): ConstraintVerdict {
  const candidateValue = agentFieldValue(constraint.field, candidate);
  if (candidateValue === undefined) {
    // As in Marathon: an agent without the attribute satisfies only UNLIKE.
    if (constraint.operator === 'UNLIKE') return SATISFIED;
    return { ok: false, reason: `${constraint.operator} ${constraint.field}: the agent has no ${constraint.field} attribute` };
  }
  const values = placed.map((p) =>
    p.instance === undefined
      ? { value: agentFieldValue(constraint.field, p) }
      : { instance: p.instance, value: agentFieldValue(constraint.field, p) },
  );
  return OPERATOR_RULES[constraint.operator].check({ constraint, candidateValue, placed: values });
}

/** All of an app's constraints at once; on refusal, one reason per unmet constraint. */
export function evaluateConstraints(
  constraints: readonly Constraint[],
  candidate: AgentFacts,
  placed: readonly PlacedInstance[],
): ConstraintsVerdict {
  const reasons: string[] = [];
  for (const constraint of constraints) {
    const verdict = evaluateConstraint(constraint, candidate, placed);
    if (!verdict.ok) reasons.push(verdict.reason);
  }
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}
