import t from 'tap';
import { parseTaskId, taskIdFor } from '../../src/apps/taskId.js';

const UUID = '0f8e6c1a-4b2d-4c3e-9f10-123456789abc';

t.test('a task id is readable and uses only Mesos-safe characters', async (t) => {
  t.equal(taskIdFor('/prod/db', 0, UUID), `prod_db.instance-0.${UUID}`);
  t.equal(taskIdFor('/counter', 12, 'abc'), 'counter.instance-12.abc');
  t.match(taskIdFor('/a.b-c/x', 3, UUID), /^[A-Za-z0-9._-]+$/);
});

t.test('a task id round-trips to its app id, instance and unique part', async (t) => {
  for (const [appId, instance] of [
    ['/prod/db', 0],
    ['/counter', 7],
    ['/a.b/instance-3', 2],
    ['/x/y/z', 1000],
  ] as const) {
    t.strictSame(parseTaskId(taskIdFor(appId, instance, UUID)), { appId, instance, unique: UUID }, appId);
  }
});

t.test('relative app ids are normalized before the id is built', async (t) => {
  t.equal(taskIdFor('prod/db', 1, 'u'), 'prod_db.instance-1.u');
});

t.test('ids not built by taskIdFor are not parsed', async (t) => {
  for (const id of [
    '',
    'prod_db',
    'prod_db.instance-0',
    'prod_db.instance-x.u',
    'prod_db.instance-01.u',
    'prod_db.instance-0.u.v',
    'Prod_db.instance-0.u',
    '_db.instance-0.u',
    'prod__db.instance-0.u',
    'prod_db.instance-99999999999999999999.u',
    `prod_db.${UUID}`,
  ]) {
    t.equal(parseTaskId(id), undefined, id);
  }
});

t.test('nonsense from Ferry itself is a bug and is thrown', async (t) => {
  t.throws(() => taskIdFor('/Bad', 0, 'u'), RangeError);
  t.throws(() => taskIdFor('/db', -1, 'u'), { message: /instance must be an integer >= 0/ });
  t.throws(() => taskIdFor('/db', 1.5, 'u'), { message: /instance must be an integer >= 0/ });
  t.throws(() => taskIdFor('/db', 0, 'a.b'), { message: /unique part must use only letters, digits and '-'/ });
  t.throws(() => taskIdFor('/db', 0, ''), { message: /unique part/ });
});
