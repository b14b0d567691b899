import t from 'tap';
import { decodeZnodeName, encodeZnodeName, recordPath } from '../../src/state/zkRecordPaths.js';

t.test('every id maps to one znode name without a slash and back to itself', async (t) => {
  const ids = ['/prod/db', 'prod/db', '/a%2Fb', '%', '.', '..', '...', 'a.b', ' lead', '/team/ü-db', 'emoji-🚀', "it's(1)*!~", 'tab\there'];
  const names = new Set<string>();
  for (const id of ids) {
    const name = encodeZnodeName(id);
    t.notOk(name.includes('/'), `${JSON.stringify(id)} → ${name} has no slash`);
    t.not(name, '.');
    t.not(name, '..');
    t.notOk(/[\u0000-\u001f\u007f-\u009f]/.test(name), 'no control characters reach ZooKeeper');
    t.equal(decodeZnodeName(name), id);
    names.add(name);
  }
  t.equal(names.size, ids.length, 'distinct ids get distinct names');
});

t.test('a znode name this encoding would not produce is not taken for a record id', async (t) => {
  t.equal(decodeZnodeName('%2f'), undefined, 'lower-case escape: another spelling of "/"');
  t.equal(decodeZnodeName('%E0%A4%A'), undefined, 'broken escape');
  t.equal(decodeZnodeName('a%20b'), 'a b');
  t.equal(decodeZnodeName('.'), undefined);
  t.equal(decodeZnodeName(''), undefined);
});

t.test('records live under their kind, the framework record at a fixed path', async (t) => {
  t.equal(recordPath('/ferry', 'app', '/prod/db'), '/ferry/apps/%2Fprod%2Fdb');
  t.equal(recordPath('/ferry', 'task', 'db.1'), '/ferry/tasks/db.1');
  t.equal(recordPath('/ferry', 'dataset', 'x'), '/ferry/datasets/x');
  t.equal(recordPath('/ferry', 'move', 'm-1'), '/ferry/moves/m-1');
  t.equal(recordPath('/ferry', 'framework', 'whatever'), '/ferry/framework');
});
