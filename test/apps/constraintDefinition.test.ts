import t from 'tap';
import { parseConstraint } from '../../src/apps/constraints/constraintDefinition.js';
import { accepted, appDefinition, onlyError, refused } from './builders.js';

const withConstraints = (constraints: unknown[]) => appDefinition({ constraints });

t.test('constraints of every operator are read into field, operator and value', async (t) => {
  const { spec } = accepted(
    withConstraints([
      ['hostname', 'UNIQUE'],
      ['rack', 'CLUSTER', 'rack-1'],
      ['rack', 'CLUSTER'],
      ['rack', 'LIKE', 'rack-[1-3]'],
      ['rack', 'UNLIKE', 'rack-[7-9]'],
      ['zone', 'MAX_PER', '2'],
      ['zone', 'GROUP_BY'],
      ['zone', 'GROUP_BY', '3'],
      ['zone', 'IS', 'a'],
    ]),
  );
  t.strictSame(spec.constraints, [
    { field: 'hostname', operator: 'UNIQUE' },
    { field: 'rack', operator: 'CLUSTER', value: 'rack-1' },
    { field: 'rack', operator: 'CLUSTER' },
    { field: 'rack', operator: 'LIKE', value: 'rack-[1-3]' },
    { field: 'rack', operator: 'UNLIKE', value: 'rack-[7-9]' },
    { field: 'zone', operator: 'MAX_PER', value: '2' },
    { field: 'zone', operator: 'GROUP_BY' },
    { field: 'zone', operator: 'GROUP_BY', value: '3' },
    { field: 'zone', operator: 'IS', value: 'a' },
  ]);
});

t.test('operators are read in any case, as Marathon does', async (t) => {
  t.strictSame(accepted(withConstraints([['hostname', 'unique']])).spec.constraints, [{ field: 'hostname', operator: 'UNIQUE' }]);
});

t.test('a constraint must be 2 or 3 strings', async (t) => {
  t.match(onlyError(withConstraints([['hostname']])), { field: 'constraints[0]', message: /array of 2 or 3 strings.*got an array of 1/ });
  t.match(onlyError(withConstraints([['a', 'IS', 'b', 'c']])), { field: 'constraints[0]', message: /got an array of 4/ });
  t.match(onlyError(withConstraints(['hostname:UNIQUE'])), { field: 'constraints[0]', message: /got the string "hostname:UNIQUE"$/ });
  t.match(onlyError(withConstraints([['zone', 'MAX_PER', 2]])), { field: 'constraints[0][2]', message: 'must be a string; got the number 2' });
});

t.test('a constraint needs a field and a known operator', async (t) => {
  t.match(onlyError(withConstraints([['', 'UNIQUE']])), { field: 'constraints[0][0]', message: /names no field/ });
  t.strictSame(onlyError(withConstraints([['hostname', 'DISTINCT']])), {
    field: 'constraints[0][1]',
    message: 'unknown constraint operator "DISTINCT": use one of UNIQUE, CLUSTER, LIKE, UNLIKE, MAX_PER, GROUP_BY, IS',
  });
});

t.test('fault-domain fields are refused; @hostname is the hostname', async (t) => {
  t.match(onlyError(withConstraints([['@zone', 'GROUP_BY']])), { field: 'constraints[0][0]', message: /Ferry does not read Mesos fault domains \(@zone\)/ });
  t.ok(accepted(withConstraints([['@hostname', 'UNIQUE']])));
});

t.test('UNIQUE takes no value', async (t) => {
  t.strictSame(onlyError(withConstraints([['hostname', 'UNIQUE', 'x']])), {
    field: 'constraints[0][2]',
    message: 'UNIQUE does not take a value: write [field, "UNIQUE"]',
  });
  t.match(onlyError(withConstraints([['hostname', 'UNIQUE', '']])), { field: 'constraints[0][2]' });
});

t.test('CLUSTER takes a value or none, never an empty one', async (t) => {
  t.match(onlyError(withConstraints([['rack', 'CLUSTER', '']])), { field: 'constraints[0][2]', message: /non-empty value, or none/ });
});

t.test('LIKE and UNLIKE need a regular expression that compiles', async (t) => {
  for (const operator of ['LIKE', 'UNLIKE']) {
    t.match(onlyError(withConstraints([['rack', operator]])), { field: 'constraints[0]', message: new RegExp(`${operator} needs a regular expression`) });
    t.match(onlyError(withConstraints([['rack', operator, '']])), { field: 'constraints[0][2]' });
    t.match(onlyError(withConstraints([['rack', operator, 'rack-[1-']])), {
      field: 'constraints[0][2]',
      message: /"rack-\[1-" is not a valid regular expression/,
    });
    t.match(onlyError(withConstraints([['rack', operator, 'a)|(b']])), { field: 'constraints[0][2]' }, 'unbalanced even if wrapping would balance it');
  }
});

t.test('MAX_PER needs a positive integer', async (t) => {
  for (const value of [undefined, '0', '-1', '1.5', 'two', '02', '']) {
    const constraint = value === undefined ? ['zone', 'MAX_PER'] : ['zone', 'MAX_PER', value];
    t.match(refused(withConstraints([constraint])), [{ message: /MAX_PER needs a positive integer/ }], String(value));
  }
});

t.test('GROUP_BY takes no value or a positive integer', async (t) => {
  for (const value of ['0', 'x', '-3', '']) {
    t.match(onlyError(withConstraints([['zone', 'GROUP_BY', value]])), { field: 'constraints[0][2]', message: /GROUP_BY takes no value or a positive integer/ }, value);
  }
});

t.test('IS needs Mesos text or a scalar', async (t) => {
  t.match(onlyError(withConstraints([['zone', 'IS']])), { field: 'constraints[0]', message: /IS needs a value/ });
  t.match(onlyError(withConstraints([['zone', 'IS', '{a,b}']])), { field: 'constraints[0][2]', message: /Mesos text or scalar values only/ });
  t.ok(accepted(withConstraints([['cores', 'IS', '1.5']])));
});

t.test('a repeated constraint is refused, naming the first', async (t) => {
  t.strictSame(onlyError(withConstraints([['hostname', 'UNIQUE'], ['hostname', 'unique']])), {
    field: 'constraints[1]',
    message: 'repeats constraints[0]; give each constraint once',
  });
});

t.test('parseConstraint reports the path it is given', async (t) => {
  t.match(parseConstraint(['x', 'NOPE'], 'spec.constraints[3]'), { ok: false, errors: [{ field: 'spec.constraints[3][1]' }] });
});
