import t from 'tap';
import { childPath, describeValue, jsonPath } from '../../src/apps/fieldError.js';

t.test('field paths read like JSON paths', async (t) => {
  t.equal(childPath('', 'id'), 'id');
  t.equal(childPath('container', 'volumes'), 'container.volumes');
  t.equal(childPath('container.volumes', 0), 'container.volumes[0]');
  t.equal(childPath('options', 'ferry/backend'), 'options["ferry/backend"]');
  t.equal(childPath('', 'a b'), '["a b"]');
  t.equal(jsonPath(['container', 'volumes', 0, 'external', 'size']), 'container.volumes[0].external.size');
  t.equal(jsonPath([]), '');
});

t.test('values are described the way a message needs them', async (t) => {
  t.equal(describeValue(null), 'null');
  t.equal(describeValue(undefined), 'nothing');
  t.equal(describeValue([1]), 'an array');
  t.equal(describeValue({}), 'an object');
  t.equal(describeValue('x'), 'the string "x"');
  t.equal(describeValue('x'.repeat(41)), 'a string of 41 characters');
  t.equal(describeValue(2.5), 'the number 2.5');
  t.equal(describeValue(false), 'false');
  t.equal(describeValue(10n), 'a bigint');
});
