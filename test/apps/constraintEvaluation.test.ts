import t from 'tap';
import type { Constraint } from '../../src/apps/appSpec.js';
import { evaluateConstraint, evaluateConstraints } from '../../src/apps/constraints/constraintEvaluation.js';
import { agent, placedOn } from './builders.js';

const c = (field: string, operator: Constraint['operator'], value?: string): Constraint =>
  value === undefined ? { field, operator } : { field, operator, value };

t.test('UNIQUE accepts a new value and refuses one already used, naming the instance', async (t) => {
  const unique = c('hostname', 'UNIQUE');
  t.strictSame(evaluateConstraint(unique, agent('10.0.0.2'), [placedOn(0, '10.0.0.1')]), { ok: true });
  t.strictSame(evaluateConstraint(unique, agent('127.0.0.1'), [placedOn(0, '10.0.0.1'), placedOn(1, '127.0.0.1')]), {
    ok: false,
    reason: 'UNIQUE hostname: 127.0.0.1 already runs instance 1',
  });
  t.strictSame(evaluateConstraint(c('rack', 'UNIQUE'), agent('b', { rack: 'r1' }), [{ hostname: 'a', attributes: { rack: 'r1' } }]), {
    ok: false,
    reason: 'UNIQUE rack: r1 already runs an instance',
  });
  t.strictSame(evaluateConstraint(unique, agent('a'), []), { ok: true }, 'the first instance is always unique');
});

t.test('CLUSTER with a value accepts only that value', async (t) => {
  const cluster = c('rack', 'CLUSTER', 'r1');
  t.strictSame(evaluateConstraint(cluster, agent('a', { rack: 'r1' }), []), { ok: true });
  t.strictSame(evaluateConstraint(cluster, agent('a', { rack: 'r2' }), []), { ok: false, reason: 'CLUSTER rack r1: r2 is not r1' });
  t.strictSame(evaluateConstraint(c('hostname', 'CLUSTER', 'a.example'), agent('a.example'), []), { ok: true });
});

t.test('CLUSTER without a value follows the first instance', async (t) => {
  const cluster = c('rack', 'CLUSTER');
  t.strictSame(evaluateConstraint(cluster, agent('a', { rack: 'r2' }), []), { ok: true }, 'the first instance chooses');
  t.strictSame(evaluateConstraint(cluster, agent('a', { rack: 'r2' }), [placedOn(1, 'x', { rack: 'r2' })]), { ok: true });
  t.strictSame(evaluateConstraint(cluster, agent('a', { rack: 'r2' }), [placedOn(2, 'y', { rack: 'r2' }), placedOn(0, 'x', { rack: 'r1' })]), {
    ok: false,
    reason: 'CLUSTER rack: instance 0 runs on r1, not r2',
  });
  t.strictSame(evaluateConstraint(cluster, agent('a', { rack: 'r2' }), [placedOn(0, 'x')]), {
    ok: false,
    reason: 'CLUSTER rack: instance 0 runs on an agent without rack, not r2',
  });
  t.strictSame(evaluateConstraint(cluster, agent('a', { rack: 'r2' }), [{ hostname: 'x', attributes: { rack: 'r2' } }]), { ok: true });
});

t.test('LIKE accepts a full match only', async (t) => {
  const like = c('rack', 'LIKE', 'rack-[1-3]');
  t.strictSame(evaluateConstraint(like, agent('a', { rack: 'rack-2' }), []), { ok: true });
  t.strictSame(evaluateConstraint(like, agent('a', { rack: 'rack-22' }), []), { ok: false, reason: 'LIKE rack rack-[1-3]: rack-22 does not match' });
  t.strictSame(evaluateConstraint(like, agent('a', { rack: 'my-rack-2' }), []), { ok: false, reason: 'LIKE rack rack-[1-3]: my-rack-2 does not match' });
  t.strictSame(evaluateConstraint(c('hostname', 'LIKE', '.*\\.prod'), agent('db1.prod'), []), { ok: true });
  t.strictSame(evaluateConstraint(c('hostname', 'LIKE', 'a|b'), agent('ab'), []), { ok: false, reason: 'LIKE hostname a|b: ab does not match' }, 'alternation is inside the full match');
});

t.test('UNLIKE refuses a full match and accepts the rest', async (t) => {
  const unlike = c('rack', 'UNLIKE', 'rack-[7-9]');
  t.strictSame(evaluateConstraint(unlike, agent('a', { rack: 'rack-1' }), []), { ok: true });
  t.strictSame(evaluateConstraint(unlike, agent('a', { rack: 'rack-8' }), []), { ok: false, reason: 'UNLIKE rack rack-[7-9]: rack-8 matches' });
  t.strictSame(evaluateConstraint(unlike, agent('a', { rack: 'rack-88' }), []), { ok: true }, 'a partial match is no match');
});

t.test('a pattern that does not compile satisfies neither LIKE nor UNLIKE', async (t) => {
  t.match(evaluateConstraint(c('rack', 'LIKE', '(['), agent('a', { rack: 'x' }), []), { ok: false, reason: /does not compile/ });
  t.match(evaluateConstraint(c('rack', 'UNLIKE', '(['), agent('a', { rack: 'x' }), []), { ok: false, reason: /does not compile/ });
});

t.test('MAX_PER accepts up to N instances per value', async (t) => {
  const maxPer = c('rack', 'MAX_PER', '2');
  const placed = [placedOn(0, 'a', { rack: 'r1' }), placedOn(1, 'b', { rack: 'r1' }), placedOn(2, 'c', { rack: 'r2' })];
  t.strictSame(evaluateConstraint(maxPer, agent('d', { rack: 'r2' }), placed), { ok: true });
  t.strictSame(evaluateConstraint(maxPer, agent('d', { rack: 'r3' }), placed), { ok: true });
  t.strictSame(evaluateConstraint(maxPer, agent('d', { rack: 'r1' }), placed), { ok: false, reason: 'MAX_PER rack 2: r1 already runs instances 0, 1' });
  t.strictSame(evaluateConstraint(c('rack', 'MAX_PER', '1'), agent('d', { rack: 'r2' }), placed), { ok: false, reason: 'MAX_PER rack 1: r2 already runs instance 2' });
  t.strictSame(
    evaluateConstraint(c('rack', 'MAX_PER', '1'), agent('d', { rack: 'r2' }), [{ hostname: 'c', attributes: { rack: 'r2' } }]),
    { ok: false, reason: 'MAX_PER rack 1: r2 already runs 1 instance' },
  );
});

t.test('GROUP_BY spreads evenly over the values seen so far', async (t) => {
  const groupBy = c('zone', 'GROUP_BY');
  const placed = [placedOn(0, 'a', { zone: 'z1' }), placedOn(1, 'b', { zone: 'z1' }), placedOn(2, 'c', { zone: 'z2' })];
  t.strictSame(evaluateConstraint(groupBy, agent('d', { zone: 'z2' }), placed), { ok: true }, 'the least used value');
  t.strictSame(evaluateConstraint(groupBy, agent('d', { zone: 'z3' }), placed), { ok: true }, 'a value not yet used');
  t.strictSame(evaluateConstraint(groupBy, agent('d', { zone: 'z1' }), placed), { ok: false, reason: 'GROUP_BY zone: z1 already runs 2 while z2 runs 1' });
  t.strictSame(evaluateConstraint(groupBy, agent('d', { zone: 'z1' }), [placedOn(0, 'a', { zone: 'z1' })]), { ok: true }, 'with one value known, it is the least used');
});

t.test('GROUP_BY with a count keeps to new values until that many are in use', async (t) => {
  const groupBy = c('zone', 'GROUP_BY', '3');
  const two = [placedOn(0, 'a', { zone: 'z1' }), placedOn(1, 'b', { zone: 'z2' })];
  t.strictSame(evaluateConstraint(groupBy, agent('c', { zone: 'z1' }), two), { ok: false, reason: 'GROUP_BY zone 3: z1 already runs 1, and only 2 of 3 values are in use' });
  t.strictSame(evaluateConstraint(groupBy, agent('c', { zone: 'z3' }), two), { ok: true });
  const three = [...two, placedOn(2, 'c', { zone: 'z3' })];
  t.strictSame(evaluateConstraint(groupBy, agent('d', { zone: 'z1' }), three), { ok: true });
});

t.test('GROUP_BY counts instances on agents without the attribute as a group of their own', async (t) => {
  const placed = [placedOn(0, 'a', { zone: 'z1' }), placedOn(1, 'b')];
  t.strictSame(evaluateConstraint(c('zone', 'GROUP_BY'), agent('c', { zone: 'z1' }), placed), { ok: true });
  const more = [...placed, placedOn(2, 'c', { zone: 'z1' })];
  t.strictSame(evaluateConstraint(c('zone', 'GROUP_BY'), agent('d', { zone: 'z1' }), more), {
    ok: false,
    reason: 'GROUP_BY zone: z1 already runs 2 while agents without zone run 1',
  });
});

t.test('IS accepts only the equal value, comparing scalars as Mesos prints them', async (t) => {
  t.strictSame(evaluateConstraint(c('zone', 'IS', 'a'), agent('x', { zone: 'a' }), []), { ok: true });
  t.strictSame(evaluateConstraint(c('zone', 'IS', 'a'), agent('x', { zone: 'b' }), []), { ok: false, reason: 'IS zone a: b is not a' });
  t.strictSame(evaluateConstraint(c('cores', 'IS', '2.0'), agent('x', { cores: '2' }), []), { ok: true });
  t.strictSame(evaluateConstraint(c('cores', 'IS', '1.50'), agent('x', { cores: '1.5' }), []), { ok: true });
  t.strictSame(evaluateConstraint(c('hostname', 'IS', 'x'), agent('x'), []), { ok: true });
});

t.test('an agent without the attribute satisfies only UNLIKE, as in Marathon', async (t) => {
  const bare = agent('a');
  for (const constraint of [c('rack', 'UNIQUE'), c('rack', 'CLUSTER'), c('rack', 'LIKE', '.*'), c('rack', 'MAX_PER', '1'), c('rack', 'GROUP_BY'), c('rack', 'IS', 'x')]) {
    t.strictSame(evaluateConstraint(constraint, bare, []), { ok: false, reason: `${constraint.operator} rack: the agent has no rack attribute` }, constraint.operator);
  }
  t.strictSame(evaluateConstraint(c('rack', 'UNLIKE', '.*'), bare, []), { ok: true });
});

t.test('attributes are own properties only', async (t) => {
  t.match(evaluateConstraint(c('constructor', 'LIKE', '.*'), agent('a'), []), { ok: false, reason: /has no constructor attribute/ });
});

t.test('@hostname reads the hostname', async (t) => {
  t.match(evaluateConstraint(c('@hostname', 'UNIQUE'), agent('h1'), [placedOn(0, 'h1')]), { ok: false, reason: /h1 already runs instance 0/ });
});

t.test('all constraints are checked, with one reason per unmet constraint', async (t) => {
  const constraints = [c('hostname', 'UNIQUE'), c('zone', 'IS', 'a'), c('rack', 'LIKE', 'r.*')];
  t.strictSame(evaluateConstraints(constraints, agent('h2', { zone: 'a', rack: 'r1' }), [placedOn(0, 'h1')]), { ok: true });
  t.strictSame(evaluateConstraints(constraints, agent('h1', { zone: 'b', rack: 'r1' }), [placedOn(0, 'h1')]), {
    ok: false,
    reasons: ['UNIQUE hostname: h1 already runs instance 0', 'IS zone a: b is not a'],
  });
  t.strictSame(evaluateConstraints([], agent('h'), []), { ok: true });
});
