import t from 'tap';
import type { Test } from 'tap';
import { lstat, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destroyDatasetDirectory, prepareDatasetDirectory } from '../../src/node/local/datasetDirectory.js';

async function root(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-local-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('prepare makes <root>/<dataset> readable by its owner only, and keeps an existing one', async (t) => {
  const dir = await root(t);
  const datasets = join(dir, 'datasets');
  const made = await prepareDatasetDirectory({ root: datasets, dataset: 'kv-data' });
  t.same(made, { path: join(datasets, 'kv-data'), created: true });
  t.equal((await stat(made.path)).mode & 0o777, 0o700);
  await writeFile(join(made.path, 'keep'), 'x');
  t.same(await prepareDatasetDirectory({ root: datasets, dataset: 'kv-data' }), { path: made.path, created: false });
  t.same(await readdir(made.path), ['keep'], 'an existing dataset is left as it is');
  await prepareDatasetDirectory({ root: datasets, dataset: 'owned' }, { uid: 1234, gid: 5678 });
  const owned = await stat(join(datasets, 'owned'));
  t.same([owned.uid, owned.gid], [1234, 5678]);
});

t.test('destroy removes the dataset and its copy state, and removing it again is fine', async (t) => {
  const dir = await root(t);
  const { path } = await prepareDatasetDirectory({ root: dir, dataset: 'kv-data' });
  await mkdir(join(path, 'sub'));
  await writeFile(join(path, 'sub', 'f'), 'x');
  await mkdir(join(dir, '.ferry-copy', 'kv-data'), { recursive: true });
  await writeFile(join(dir, '.ferry-copy', 'kv-data', 'manifest.json'), '{}');
  t.same(await destroyDatasetDirectory({ root: dir, dataset: 'kv-data' }), { path, removed: true });
  await t.rejects(lstat(path));
  await t.rejects(lstat(join(dir, '.ferry-copy', 'kv-data')));
  t.same(await destroyDatasetDirectory({ root: dir, dataset: 'kv-data' }), { path, removed: false });
});

t.test('destroy refuses names that escape the root and dataset paths that are symlinks, and never follows links inside', async (t) => {
  const dir = await root(t);
  const outside = join(dir, 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'precious'), 'do not delete');
  const datasets = join(dir, 'datasets');
  await mkdir(datasets);
  for (const dataset of ['../outside', 'a/b', '..', '']) {
    await t.rejects(destroyDatasetDirectory({ root: datasets, dataset }), { code: 'REFUSED' }, `"${dataset}" refused`);
  }
  await symlink(outside, join(datasets, 'linked'));
  await t.rejects(destroyDatasetDirectory({ root: datasets, dataset: 'linked' }), { code: 'REFUSED', message: /symlink/ });
  const { path } = await prepareDatasetDirectory({ root: datasets, dataset: 'kv-data' });
  await symlink(outside, join(path, 'escape-hatch'));
  await destroyDatasetDirectory({ root: datasets, dataset: 'kv-data' });
  t.equal((await stat(join(outside, 'precious'))).isFile(), true, 'a link inside the dataset is removed, not followed');
  await t.rejects(destroyDatasetDirectory({ root: 'relative/root', dataset: 'kv-data' }), { code: 'INVALID' });
});
