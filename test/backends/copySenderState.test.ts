// The sender's state file as a resident sender (the node executor running a
// move's rounds) uses it: the state it wrote last comes from memory, and a
// file someone else wrote since is read, never answered from memory.

import t from 'tap';
import type { Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BLOCK_SIZE, HASH_ALGORITHM } from '../../src/node/copy/blockHashing.js';
import { loadSenderState, prepareSenderState, writeSenderState, type SenderState } from '../../src/node/copy/senderState.js';

/** A state that knows one file, whose single block hashes as `hash`. */
function stateKnowing(hash: string): SenderState {
  return { hashAlgorithm: HASH_ALGORITHM, blockSize: DEFAULT_BLOCK_SIZE, files: new Map([['a', { ino: '7', size: 5, mtimeNs: '1000', hashes: [hash] }]]) };
}

async function stateFile(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-sender-state-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'sender.json');
}

const load = (path: string, blockSize = DEFAULT_BLOCK_SIZE) => loadSenderState(path, HASH_ALGORITHM, blockSize);

t.test('a resident sender takes the state it wrote last from memory, without reading its file', async (t) => {
  const path = await stateFile(t);
  const written = stateKnowing('h1');
  await writeSenderState(path, prepareSenderState(written));
  t.equal(await load(path), written, 'the very state written');
  t.equal(await load(path), written, 'and again next round');
  t.same((await load(path, DEFAULT_BLOCK_SIZE / 2)).files.size, 0, 'a sender with another block size starts afresh');
});

t.test('a state file another writer replaced is read again, not answered from memory', async (t) => {
  const path = await stateFile(t);
  await writeSenderState(path, prepareSenderState(stateKnowing('h1')));
  await writeFile(path + '.other', prepareSenderState(stateKnowing('h2')).text);
  await rename(path + '.other', path);
  t.same((await load(path)).files.get('a')?.hashes, ['h2']);
});

t.test('a state file rewritten in place with the same size, inode and mtime is read again', async (t) => {
  const path = await stateFile(t);
  await writeSenderState(path, prepareSenderState(stateKnowing('h1')));
  const before = await stat(path, { bigint: true });
  // another sender's state of the same length, written into the same inode within the same timestamp tick
  const other = prepareSenderState(stateKnowing('h2')).text;
  t.equal(Buffer.byteLength(other), Number(before.size));
  const handle = await open(path, 'r+');
  await handle.write(other, 0);
  await handle.close();
  // back to the exact nanosecond (utimes takes no finer than microseconds; GNU touch does)
  const ns = before.mtimeNs % 1_000_000_000n;
  execFileSync('touch', ['-m', '-d', `@${before.mtimeNs / 1_000_000_000n}.${ns.toString().padStart(9, '0')}`, path]);
  const after = await stat(path, { bigint: true });
  t.same([after.ino, after.size, after.mtimeNs], [before.ino, before.size, before.mtimeNs], 'the file looks as written to stat');
  t.same((await load(path)).files.get('a')?.hashes, ['h2'], 'what the file says now wins');
});

t.test('a removed state file is not answered from memory', async (t) => {
  const path = await stateFile(t);
  await writeSenderState(path, prepareSenderState(stateKnowing('h1')));
  await rm(path);
  t.same((await load(path)).files.size, 0);
});
