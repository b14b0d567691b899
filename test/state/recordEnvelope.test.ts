import t from 'tap';
import { checkRecordForWrite, encodeEnvelope, openEnvelope, openRecord, parseStoredJson, STATE_SCHEMA_VERSION } from '../../src/state/recordEnvelope.js';
import { CorruptStateError, InvalidRecordError } from '../../src/state/stateStore.js';
import { appRecord } from './recordBuilders.js';

const HERE = '/ferry/apps/%2Fa';

function refusal(fn: () => unknown): CorruptStateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CorruptStateError) return err;
    throw err;
  }
  throw new Error('expected a CorruptStateError');
}

t.test('a record written now reads back with the epoch that wrote it', async (t) => {
  const envelope = encodeEnvelope('app', 4, appRecord({ id: '/a' }));
  t.equal(envelope.ferry, STATE_SCHEMA_VERSION);
  t.same(openRecord(HERE, JSON.parse(JSON.stringify(envelope)), 'app', '/a'), { epoch: 4, record: appRecord({ id: '/a' }) });
});

t.test('anything but a current-or-older Ferry envelope of the right kind is refused with its location', async (t) => {
  const record = appRecord({ id: '/a' });
  const cases: [string, unknown, RegExp][] = [
    ['newer schema', { ferry: STATE_SCHEMA_VERSION + 1, kind: 'app', epoch: 1, record }, /by a newer Ferry/],
    ['schema zero', { ferry: 0, kind: 'app', epoch: 1, record }, /expected a positive integer/],
    ['schema as text', { ferry: '1', kind: 'app', epoch: 1, record }, /expected a positive integer/],
    ['no envelope at all', record, /expected a positive integer/],
    ['an array', [1, 2], /not a Ferry record envelope/],
    ['wrong kind', { ferry: 1, kind: 'task', epoch: 1, record }, /"task" record where a "app" record belongs/],
    ['negative epoch', { ferry: 1, kind: 'app', epoch: -1, record }, /non-negative integer/],
    ['no record', { ferry: 1, kind: 'app', epoch: 1 }, /no "record"/],
    ['record under another id', { ferry: 1, kind: 'app', epoch: 1, record: appRecord({ id: '/b' }) }, /stored as "\/a"/],
    ['record not an object', { ferry: 1, kind: 'app', epoch: 1, record: 'text' }, /expected an object/],
  ];
  for (const [name, value, message] of cases) {
    const err = refusal(() => openRecord(HERE, value, 'app', '/a'));
    t.equal(err.location, HERE, `${name}: names the location`);
    t.match(err.message, message, name);
    t.match(err.message, /Ferry stops instead of resetting it/, `${name}: says nothing was reset`);
  }
});

t.test('stored bytes that are not JSON are refused, quoting the start of them', async (t) => {
  const err = refusal(() => parseStoredJson(HERE, Buffer.from('{"ferry":1,"kind":"ap')));
  t.match(err.message, /not valid JSON/);
  t.match(err.message, /\{\\"ferry\\":1/);
});

t.test('the epoch counter shares the envelope rules', async (t) => {
  t.same(openEnvelope('/ferry/epoch', encodeEnvelope('epoch', 3, { leaderId: 'x', takenAt: 'now' }), 'epoch'), { epoch: 3, record: { leaderId: 'x', takenAt: 'now' } });
  t.throws(() => openEnvelope('/ferry/epoch', { ferry: 99, kind: 'epoch', epoch: 3, record: {} }, 'epoch'), CorruptStateError);
});

t.test('a record that could not be read back under its id is refused before writing', async (t) => {
  t.throws(() => checkRecordForWrite('app', '/a', appRecord({ id: '/b' })), InvalidRecordError);
  t.throws(() => checkRecordForWrite('app', '', appRecord({ id: '' })), InvalidRecordError);
  t.throws(() => checkRecordForWrite('move', 'bad\ud800', {}), InvalidRecordError);
  t.doesNotThrow(() => checkRecordForWrite('framework', 'anything', { frameworkId: 'fw-1', name: 'ferry', registeredAt: 'now' }));
  t.doesNotThrow(() => checkRecordForWrite('move', 'm-1', { step: 'KILL' }));
});
