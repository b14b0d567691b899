import t from 'tap';
import type { Test } from 'tap';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BLOCK_SIZE } from '../../src/node/copy/blockHashing.js';
import { copyStateDirOf } from '../../src/node/copy/copyStatePaths.js';
import { FrameReader, FrameWriter } from '../../src/node/copy/frameCodec.js';
import { runPreCopy } from '../../src/node/copy/preCopy.js';
import { startReceiver, type Receiver, type ReceiverOptions } from '../../src/node/copy/receiver.js';
import { readCompletion } from '../../src/node/copy/receiverState.js';
import { runSender } from '../../src/node/copy/sender.js';
import { NodeError } from '../../src/node/nodeError.js';
import { age, bytes, overwrite, snapshotTree, treeDifferences, writeData } from '../support/datasetTrees.js';
import { TcpFaultProxy } from '../support/tcpFaultProxy.js';

const MiB = 1024 * 1024;

interface CopyPair {
  source: string;
  destination: string;
  receiver: Receiver;
  send: (final: boolean, port?: number) => ReturnType<typeof runSender>;
}

async function copyPair(t: Test, receiverOptions: Partial<ReceiverOptions> = {}): Promise<CopyPair> {
  const base = await mkdtemp(join(tmpdir(), 'ferry-copy-'));
  const source = join(base, 'agent-a', 'kv-data');
  const destination = join(base, 'agent-b', 'kv-data');
  await mkdir(source, { recursive: true });
  const receiver = await startReceiver({ dir: destination, port: 0, host: '127.0.0.1', idleTimeoutMs: 60_000, ...receiverOptions });
  t.teardown(async () => {
    await receiver.close();
    await rm(base, { recursive: true, force: true });
  });
  return {
    source,
    destination,
    receiver,
    send: (final, port = receiver.port) => runSender({ dir: source, host: '127.0.0.1', port, final }),
  };
}

async function same(t: Test, pair: CopyPair, message = 'the destination equals the source'): Promise<void> {
  const differences = treeDifferences(await snapshotTree(pair.source), await snapshotTree(pair.destination));
  t.same(differences, [], message);
}

/** A dataset of `files` files of `size` bytes each, with old mtimes (not racy). */
async function dataset(dir: string, files: number, size: number): Promise<void> {
  for (let i = 0; i < files; i++) {
    const path = join(dir, 'segments', `seg-${String(i).padStart(3, '0')}`);
    await writeData(path, bytes(size, i));
    await age(path);
  }
  await age(join(dir, 'segments'));
}

t.test('a first round copies directories, files, symlinks, modes, mtimes and holes exactly', async (t) => {
  const pair = await copyPair(t);
  const { source } = pair;
  await writeData(join(source, 'empty'), Buffer.alloc(0));
  await writeData(join(source, 'one-byte'), Buffer.from('x'), 0o600);
  await writeData(join(source, 'exact-block'), bytes(DEFAULT_BLOCK_SIZE, 1), 0o640);
  await writeData(join(source, 'deep', 'er', 'block-plus-one'), bytes(DEFAULT_BLOCK_SIZE + 1, 2), 0o755);
  await writeData(join(source, 'script.sh'), Buffer.from('#!/bin/sh\necho hi\n'), 0o4755);
  // 16 MiB with 64 KiB of data in the middle: mostly holes
  await writeData(join(source, 'sparse'), Buffer.alloc(0));
  await truncate(join(source, 'sparse'), 16 * MiB);
  await overwrite(join(source, 'sparse'), 8 * MiB, bytes(64 * 1024, 3));
  await symlink('one-byte', join(source, 'link'));
  await symlink('/nowhere/at/all', join(source, 'deep', 'dangling'));
  await chmod(join(source, 'deep'), 0o750);
  for (const path of ['empty', 'one-byte', 'exact-block', 'deep/er/block-plus-one', 'script.sh', 'sparse', 'deep/er', 'deep']) await age(join(source, path), 7200);
  await age(join(source, 'link'), 7200, true);
  await age(join(source, 'deep', 'dangling'), 7200, true);
  await age(source, 7200);

  const stats = await pair.send(true);
  t.equal(stats.complete, true, 'the final round verified and completed the destination');
  t.equal(stats.round, 1);
  await same(t, pair);
  const sparse = await stat(join(pair.destination, 'sparse'));
  t.ok(sparse.blocks * 512 < 2 * MiB, `the sparse file stays sparse (${sparse.blocks * 512} bytes allocated of ${sparse.size})`);
  t.equal(stats.bytesSent, DEFAULT_BLOCK_SIZE + (DEFAULT_BLOCK_SIZE + 1) + 1 + 18 + DEFAULT_BLOCK_SIZE, 'zero blocks cost no payload');
  t.ok(await readCompletion(copyStateDirOf(pair.destination)), 'the completion marker is written');
});

t.test('the final delta reads only the changed file and sends only its changed block', async (t) => {
  const pair = await copyPair(t);
  await dataset(pair.source, 24, 2 * MiB);
  const first = await pair.send(false);
  t.equal(first.bytesRead, 48 * MiB, 'round 1 reads everything');
  t.equal(first.bytesSent, 48 * MiB, 'round 1 sends everything');

  const quiet = await pair.send(false);
  t.equal(quiet.bytesRead, 0, 'an unchanged dataset is not read again');
  t.equal(quiet.blocksSent, 0);

  await overwrite(join(pair.source, 'segments', 'seg-007'), 1.5 * MiB, Buffer.from('a few changed bytes'));
  const final = await pair.send(true);
  t.equal(final.filesRead, 1, 'only the changed file is read');
  t.equal(final.bytesRead, 2 * MiB, 'and only its bytes');
  t.equal(final.blocksSent, 1, 'only the changed block is sent');
  t.equal(final.bytesSent, MiB);
  t.equal(final.complete, true);
  await same(t, pair);
});

t.test('pre-copy rounds shrink as the writes they chase shrink, and stop once the delta settles', async (t) => {
  const pair = await copyPair(t);
  await dataset(pair.source, 16, 2 * MiB);
  const log = join(pair.source, 'wal.log');
  const deltas: number[] = [];
  for (const written of [0, 4 * MiB, MiB, 256 * 1024]) {
    if (written > 0) await writeFile(log, bytes(written, written), { flag: 'a' });
    const round = await pair.send(false);
    deltas.push(round.bytesSent);
  }
  t.equal(deltas[0], 32 * MiB, 'round 1 sends the whole dataset');
  t.ok(deltas[1]! < deltas[0]!, `round 2 (${deltas[1]}) moves less than round 1 (${deltas[0]})`);
  t.ok(deltas[2]! <= deltas[1]! && deltas[3]! <= deltas[2]!, `later rounds shrink: ${deltas.join(' > ')}`);

  const settled = await runPreCopy({ dir: pair.source, host: '127.0.0.1', port: pair.receiver.port });
  t.equal(settled.stoppedBecause, 'settled', 'with no more writes, pre-copy stops after a small round');
  const final = await pair.send(true);
  t.equal(final.complete, true);
  await same(t, pair);
});

t.test('deletions, renames, type changes, mode changes and new symlink targets reach the destination', async (t) => {
  const pair = await copyPair(t);
  const { source } = pair;
  await dataset(source, 4, 3 * MiB);
  await writeData(join(source, 'old', 'a'), Buffer.from('a'));
  await writeData(join(source, 'old', 'sub', 'b'), Buffer.from('b'));
  await writeData(join(source, 'becomes-dir'), Buffer.from('file now'));
  await writeData(join(source, 'becomes-file', 'inner'), Buffer.from('dir now'));
  await writeData(join(source, 'chmod-me'), Buffer.from('mode'), 0o644);
  await symlink('segments/seg-000', join(source, 'pointer'));
  await age(join(source, 'segments', 'seg-002'));
  await pair.send(false);

  await rm(join(source, 'old'), { recursive: true });
  await unlink(join(source, 'segments', 'seg-001'));
  await rename(join(source, 'segments', 'seg-002'), join(source, 'seg-002-moved'));
  await unlink(join(source, 'becomes-dir'));
  await writeData(join(source, 'becomes-dir', 'child'), Buffer.from('child'));
  await rm(join(source, 'becomes-file'), { recursive: true });
  await writeData(join(source, 'becomes-file'), Buffer.from('plain file'));
  await chmod(join(source, 'chmod-me'), 0o600);
  await unlink(join(source, 'pointer'));
  await symlink('segments/seg-003', join(source, 'pointer'));

  const final = await pair.send(true);
  t.equal(final.renamed, 1, 'the moved 3 MiB file was renamed at the destination');
  t.ok(final.bytesSent < 1024, `not sent again (${final.bytesSent} bytes of data sent in all)`);
  t.ok(final.deleted >= 3, `deletions sent (${final.deleted})`);
  t.equal(final.complete, true);
  await same(t, pair);
});

t.test('a block corrupted in transit is caught on receipt, and the destination is not marked complete', async (t) => {
  const pair = await copyPair(t);
  await dataset(pair.source, 4, 4 * MiB);
  const proxy = new TcpFaultProxy({ targetPort: pair.receiver.port, corruptAt: 9 * MiB });
  await proxy.start();
  t.teardown(() => proxy.stop());
  const error = await pair.send(true, proxy.port).then(
    () => undefined,
    (err: unknown) => err,
  );
  t.type(error, NodeError);
  t.equal((error as NodeError).code, 'CORRUPT_BLOCK', (error as Error).message);
  t.equal(await readCompletion(copyStateDirOf(pair.destination)), undefined, 'no completion marker');

  const retry = await pair.send(true);
  t.equal(retry.complete, true, 'a clean retry completes');
  t.ok(retry.bytesSent < 16 * MiB, `and resumes rather than starting over (${retry.bytesSent} bytes sent)`);
  await same(t, pair);
});

t.test('a broken connection leaves the destination resumable and never complete', async (t) => {
  const pair = await copyPair(t, { checkpointBytes: 4 * MiB });
  await dataset(pair.source, 12, 2 * MiB);
  const proxy = new TcpFaultProxy({ targetPort: pair.receiver.port, cutAfter: 14 * MiB });
  await proxy.start();
  t.teardown(() => proxy.stop());
  await t.rejects(pair.send(true, proxy.port), { code: 'CONNECTION' });
  t.equal(await readCompletion(copyStateDirOf(pair.destination)), undefined, 'no completion marker after a torn round');

  const resumed = await pair.send(true);
  t.equal(resumed.complete, true);
  t.ok(resumed.bytesSent <= 24 * MiB - 8 * MiB, `what was checkpointed is not sent again (${resumed.bytesSent / MiB} MiB of 24 sent)`);
  await same(t, pair);
});

t.test('a destination changed behind the receiver is noticed and repaired, not trusted', async (t) => {
  const pair = await copyPair(t);
  await dataset(pair.source, 4, 2 * MiB);
  await pair.send(false);
  await overwrite(join(pair.destination, 'segments', 'seg-001'), 100, Buffer.from('tampered'));
  await writeData(join(pair.destination, 'segments', 'stray'), Buffer.from('not from the source'));
  const final = await pair.send(true);
  t.equal(final.complete, true);
  await same(t, pair);
  t.equal((await readFile(join(pair.destination, 'segments', 'seg-001'))).subarray(100, 108).toString('latin1') === 'tampered', false);
});

/** A raw protocol client, to say what a well-behaved sender never would. */
async function rawSession(port: number, messages: object[]): Promise<object[]> {
  const socket = connect({ port, host: '127.0.0.1' });
  await new Promise((resolve) => socket.once('connect', resolve));
  const reader = new FrameReader(socket);
  const writer = new FrameWriter(socket);
  const replies: object[] = [];
  for (const message of messages) {
    await writer.send(message);
    if ((message as { t: string }).t === 'hello' || (message as { t: string }).t === 'end') {
      const frame = await reader.next();
      if (frame === undefined) break;
      replies.push(frame.header as object);
    }
  }
  const last = await Promise.race([reader.next(), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 500))]).catch(() => undefined);
  if (last !== undefined) replies.push(last.header as object);
  socket.destroy();
  return replies;
}

const HELLO = { t: 'hello', protocol: 1, hashAlgorithm: 'sha1', blockSize: DEFAULT_BLOCK_SIZE };

t.test('the final verification refuses a manifest that differs, and leaves the destination unmarked', async (t) => {
  const pair = await copyPair(t);
  await writeData(join(pair.source, 'a'), Buffer.from('a'));
  await pair.send(false);
  const claimed = [['.', { type: 'dir', mode: 0o755, uid: 0, gid: 0, mtimeNs: '0' }], ['a', { type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeNs: '0', size: 1, hashes: ['0'.repeat(40)] }]];
  const replies = await rawSession(pair.receiver.port, [HELLO, { t: 'plan', round: 2, final: true, paths: [] }, { t: 'end', round: 2, final: true, manifest: claimed }]);
  t.match(replies.at(-1), { t: 'failed', code: 'VERIFY_FAILED', differences: [/\./] });
  t.equal(await readCompletion(copyStateDirOf(pair.destination)), undefined);
});

t.test('paths that would escape the destination are refused before anything is written', async (t) => {
  const pair = await copyPair(t);
  for (const path of ['../escape', '/etc/passwd', 'a/../../b', 'a//b']) {
    const replies = await rawSession(pair.receiver.port, [HELLO, { t: 'plan', round: 1, final: false, paths: [path] }]);
    t.match(replies.at(-1), { t: 'failed', code: 'PROTOCOL' }, `${path} refused`);
  }
  await t.rejects(stat(join(pair.destination, '..', 'escape')), 'nothing was created outside');
});

t.test('a sender without the transfer token is refused', async (t) => {
  const pair = await copyPair(t, { token: 'move-secret' });
  await writeData(join(pair.source, 'a'), Buffer.from('a'));
  await t.rejects(pair.send(true), { code: 'AUTH' });
  const ok = await runSender({ dir: pair.source, host: '127.0.0.1', port: pair.receiver.port, final: true, token: 'move-secret' });
  t.equal(ok.complete, true);
});
