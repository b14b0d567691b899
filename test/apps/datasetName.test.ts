import t from 'tap';
import { containerPathForName, datasetNameProblem, derivedDatasetName } from '../../src/apps/datasetName.js';

t.test('valid dataset names have no problem', async (t) => {
  for (const name of ['kv-data', 'a', '0', 'db_1.v2', 'x'.repeat(63)]) t.equal(datasetNameProblem(name), undefined, name);
});

t.test('names that could escape a directory or break the rules are refused', async (t) => {
  t.match(datasetNameProblem(''), /must not be empty/);
  t.match(datasetNameProblem('.'), /would escape/);
  t.match(datasetNameProblem('..'), /would escape/);
  for (const name of ['a/b', '../x', '.hidden', 'Upper', 'a b', '-x', '_x', 'a\u0000']) t.match(datasetNameProblem(name), /not a valid dataset name/, JSON.stringify(name));
  t.match(datasetNameProblem('x'.repeat(64)), /64 characters long/);
});

t.test('a persistent volume name joins the app id segments and the safe container path', async (t) => {
  t.equal(derivedDatasetName('/prod/db', 'data'), 'prod-db-data');
  t.equal(derivedDatasetName('/counter', 'Data Dir'), 'counter-data-dir');
  t.equal(derivedDatasetName('/a.b/c', 'x_y.z'), 'a.b-c-x_y.z');
  t.equal(derivedDatasetName('/kv', '!!!'), 'kv', 'nothing usable in the path: the app id alone');
  t.equal(containerPathForName('--Data--'), 'data');
});
