// The receiver's state directory across crashes: a round opened with a
// journal of its paths, a commit staged but not installed, a destination
// whose first round has no manifest to journal against, and files a crash
// left behind or that cannot be trusted.

import t from 'tap';
import type { Test } from 'tap';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BLOCK_SIZE, HASH_ALGORITHM } from '../../src/node/copy/blockHashing.js';
import type { FileEntry } from '../../src/node/copy/copyManifest.js';
import { JOURNAL_FILE, readCompletion, ReceiverState } from '../../src/node/copy/receiverState.js';
import { encodeFrame } from '../../src/state/journalFrames.js';

async function stateDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-receiver-state-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** What a receiver process finds after a crash: only what is on disk. */
const reopen = (dir: string) => ReceiverState.open(dir, HASH_ALGORITHM, DEFAULT_BLOCK_SIZE);

function fileEntry(hash: string): FileEntry {
  return { type: 'file', mode: 0o644, uid: -1, gid: -1, mtimeNs: '1000', size: 5, hashes: [hash] };
}

const UNKNOWN = { type: 'unknown' } as const;

/** A state directory whose committed manifest (round 1) holds files a, b and c. */
async function committedState(t: Test): Promise<{ dir: string; state: ReceiverState }> {
  const dir = await stateDir(t);
  const state = await reopen(dir);
  await state.beginRound({ round: 1, paths: ['a', 'b', 'c'], done: [] });
  for (const path of ['a', 'b', 'c']) state.manifest.set(path, fileEntry(`${path}1`));
  await state.installCommit(await state.stageCommit(1));
  return { dir, state };
}

t.test('a crash after a round opened with its journal turns exactly its paths unknown', async (t) => {
  const { dir, state } = await committedState(t);
  await state.beginRound({ round: 2, paths: ['a'], done: [] });
  t.ok((await readdir(dir)).includes(JOURNAL_FILE), 'the round opened with a journal');
  // the round writes a, then the process dies before its commit
  state.manifest.set('a', fileEntry('a2'));
  const after = await reopen(dir);
  t.equal(after.round, 1);
  t.equal(after.recovered, 1);
  t.same(after.manifest.get('a'), UNKNOWN, 'the torn path is not trusted');
  t.same(after.manifest.get('b'), fileEntry('b1'), 'a path outside the round keeps its entry');
});

t.test('after a torn round, the next round records the whole manifest, so a second crash still knows the first', async (t) => {
  const { dir, state } = await committedState(t);
  await state.beginRound({ round: 2, paths: ['a'], done: [] });
  const recovered = await reopen(dir);
  // the retried round touches only b: a journal of b alone would replace the one that names a
  await recovered.beginRound({ round: 2, paths: ['b'], done: [] });
  const again = await reopen(dir);
  t.same(again.manifest.get('a'), UNKNOWN, 'the first torn round is remembered');
  t.same(again.manifest.get('b'), UNKNOWN, 'and so is the second');
  t.same(again.manifest.get('c'), fileEntry('c1'));
});

t.test('the journal of a committed round is ignored', async (t) => {
  const { dir, state } = await committedState(t);
  await state.beginRound({ round: 2, paths: ['a'], done: [] });
  state.manifest.set('a', fileEntry('a2'));
  await state.installCommit(await state.stageCommit(2));
  const after = await reopen(dir);
  t.equal(after.round, 2);
  t.equal(after.recovered, 0);
  t.same(after.manifest.get('a'), fileEntry('a2'));
});

t.test('a commit staged but not installed claims nothing: the old manifest stands, no marker, and the round is torn', async (t) => {
  const { dir, state } = await committedState(t);
  await state.beginRound({ round: 2, paths: ['a'], done: [] });
  state.manifest.set('a', fileEntry('a2'));
  await state.stageCommit(2, { round: 2, digest: state.digest(), completedAt: new Date(0).toISOString() });
  t.equal(await readCompletion(dir), undefined, 'no completion marker before the install');
  const after = await reopen(dir);
  t.equal(after.round, 1);
  t.same(after.manifest.get('a'), UNKNOWN);
  t.same((await readdir(dir)).filter((name) => name.endsWith('.tmp')), [], 'the staged files a crash left are removed');
});

t.test('an installed final commit leaves the manifest and the marker, and a new round removes the marker first', async (t) => {
  const { dir, state } = await committedState(t);
  await state.beginRound({ round: 2, paths: [], done: [] });
  const marker = { round: 2, digest: state.digest(), completedAt: new Date(0).toISOString() };
  await state.installCommit(await state.stageCommit(2, marker));
  t.same(await readCompletion(dir), marker);
  t.equal((await reopen(dir)).round, 2);
  await state.beginRound({ round: 3, paths: ['a'], done: [] });
  t.equal(await readCompletion(dir), undefined, 'the destination stops being complete before the round touches data');
});

t.test('a marker counts only beside the manifest it names: one a crash kept without its manifest says nothing', async (t) => {
  const { dir, state } = await committedState(t);
  // what a crash can leave when the marker's rename reached the disk and the manifest's did not: the round-1 manifest
  // beside the marker of round 2
  state.manifest.set('a', fileEntry('a2'));
  await writeFile(join(dir, 'complete.json'), JSON.stringify({ round: 2, digest: state.digest(), completedAt: new Date(0).toISOString() }) + '\n');
  t.equal(await readCompletion(dir), undefined, 'a marker of another round');
  const onDisk = await reopen(dir);
  await writeFile(join(dir, 'complete.json'), JSON.stringify({ round: 1, digest: state.digest(), completedAt: new Date(0).toISOString() }) + '\n');
  t.equal(await readCompletion(dir), undefined, 'a marker of the same round with another digest');
  const marker = { round: 1, digest: onDisk.digest(), completedAt: new Date(0).toISOString() };
  await writeFile(join(dir, 'complete.json'), JSON.stringify(marker) + '\n');
  t.same(await readCompletion(dir), marker, 'the marker of the manifest on disk');
  await rm(join(dir, 'manifest.json'));
  t.equal(await readCompletion(dir), undefined, 'no manifest at all');
});

t.test('a destination never committed records its first round in the manifest itself: a journal alone would be ignored', async (t) => {
  const dir = await stateDir(t);
  const state = await reopen(dir);
  await state.beginRound({ round: 1, paths: ['a', 'b'], done: [] });
  state.manifest.set('a', fileEntry('a1'));
  const after = await reopen(dir);
  t.equal(after.destinationId, state.destinationId, 'the same destination');
  t.same(after.manifest.get('a'), UNKNOWN);
  t.same(after.manifest.get('b'), UNKNOWN);
});

t.test('a torn round recorded by its receiver keeps the paths it finished, and its journal no longer counts', async (t) => {
  const { dir, state } = await committedState(t);
  await state.beginRound({ round: 2, paths: ['a', 'b'], done: [] });
  state.manifest.set('a', fileEntry('a2'));
  // what the receiver does when the connection breaks: the unfinished path becomes unknown, durably
  state.manifest.set('b', UNKNOWN);
  await state.persist();
  const after = await reopen(dir);
  t.same(after.manifest.get('a'), fileEntry('a2'), 'the finished path is trusted');
  t.same(after.manifest.get('b'), UNKNOWN);
  t.notOk((await readdir(dir)).includes(JOURNAL_FILE));
});

t.test('a round journals in place, in the blocks its journal file already has, and a larger round gets a larger file', async (t) => {
  const { dir, state } = await committedState(t);
  const journal = join(dir, JOURNAL_FILE);
  await state.beginRound({ round: 2, paths: ['a'], done: [] });
  const first = await stat(journal);
  await state.installCommit(await state.stageCommit(2));
  await state.beginRound({ round: 3, paths: ['b'], done: [] });
  const second = await stat(journal);
  t.same([second.ino, second.size], [first.ino, first.size], 'the same file, overwritten');
  t.same((await reopen(dir)).manifest.get('b'), UNKNOWN);
  await state.installCommit(await state.stageCommit(3));
  const many = Array.from({ length: 2000 }, (_, i) => `dir/file-${i}`);
  await state.beginRound({ round: 4, paths: many, done: [] });
  t.ok((await stat(journal)).size > first.size, 'a journal too small is replaced by a larger one');
  const after = await reopen(dir);
  t.equal(after.recovered, many.length);
  t.same(after.manifest.get('dir/file-1999'), UNKNOWN);
});

t.test('a journal entry a crash cut short or garbled is ignored: its round wrote nothing before the entry was durable', async (t) => {
  const { dir, state } = await committedState(t);
  const journal = join(dir, JOURNAL_FILE);
  await state.beginRound({ round: 2, paths: ['a'], done: [] });
  const bytes = await readFile(journal);
  bytes[12] = bytes[12] === 0x61 ? 0x62 : 0x61;
  await writeFile(journal, bytes);
  t.equal((await reopen(dir)).recovered, 0, 'a checksum that fails');
  await writeFile(journal, encodeFrame({ version: 1, destinationId: state.destinationId, round: 2, paths: ['a'] }).subarray(0, 30));
  t.equal((await reopen(dir)).recovered, 0, 'an entry without its end');
});

t.test('a journal of another destination, or an entry that is no journal, is refused with an error, never ignored', async (t) => {
  const { dir } = await committedState(t);
  await writeFile(join(dir, JOURNAL_FILE), encodeFrame({ version: 1, destinationId: 'someone-else', round: 2, paths: ['a'] }));
  await t.rejects(reopen(dir), { code: 'INVALID', message: /belongs to another destination/ });
  await writeFile(join(dir, JOURNAL_FILE), encodeFrame({ version: 1, round: 2 }));
  await t.rejects(reopen(dir), { code: 'INVALID', message: /round journal .* is damaged/ });
});
