import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import t from 'tap';
import { silentLogger } from '../../src/common/log.js';
import type { LeaderTermSource } from '../../src/coordination/leadership.js';
import { SoleLeadership } from '../../src/coordination/soleLeadership.js';
import { FileStateStore } from '../../src/state/fileStateStore.js';
import { encodeFrame } from '../../src/state/journalFrames.js';
import type { AppRecord } from '../../src/state/model.js';
import { CorruptStateError, FencedWriteError } from '../../src/state/stateStore.js';
import { candidate } from '../fixtures/candidates.js';
import { appRecord, datasetRecord } from './recordBuilders.js';
import { stateStoreSuite, type Teardown } from './stateStoreSuite.js';

async function stateDir(t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-state-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A process that leads from `dir`: its leadership and its store. */
async function leaderOf(t: Teardown, dir: string, id = 'leader', compactAfterBytes?: number): Promise<{ leadership: SoleLeadership; store: FileStateStore }> {
  const leadership = new SoleLeadership({ dir, candidate: candidate(id), logger: silentLogger(), retryMs: 60_000 });
  await leadership.start();
  if (!leadership.isLeader) throw new Error(`${id} could not take the lock on ${dir}`);
  const store = new FileStateStore({ dir, leadership, ...(compactAfterBytes === undefined ? {} : { compactAfterBytes }) });
  t.teardown(async () => {
    await store.close();
    await leadership.stop();
  });
  return { leadership, store };
}

/** Stops a leader the way a crash would leave its files: nothing flushed beyond what was acknowledged. */
async function stopLeader(leader: { leadership: SoleLeadership; store: FileStateStore }): Promise<void> {
  await leader.store.close();
  await leader.leadership.stop();
}

async function filesOf(dir: string, prefix: 'journal' | 'snapshot'): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith(`${prefix}-`) && n.endsWith('.ferry')).sort();
}

async function currentJournal(dir: string): Promise<string> {
  const journals = await filesOf(dir, 'journal');
  if (journals.length === 0) throw new Error(`no journal in ${dir} yet`);
  return join(dir, journals[journals.length - 1]!);
}

function lines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(10); i >= 0; start = i + 1, i = bytes.indexOf(10, start)) out.push(bytes.subarray(start, i + 1));
  return out;
}

stateStoreSuite('file store', async (t) => {
  const dir = await stateDir(t);
  const { store } = await leaderOf(t, dir);
  await store.load();
  return {
    store,
    async standby() {
      const other = new SoleLeadership({ dir, candidate: candidate('standby'), logger: silentLogger(), retryMs: 60_000 });
      await other.start();
      t.teardown(() => other.stop());
      return new FileStateStore({ dir, leadership: other });
    },
    async plant(_kind, id, text) {
      const journal = await currentJournal(dir);
      const json = Buffer.from(`{"epoch":1,"ops":[{"op":"put","id":${JSON.stringify(id)},"envelope":${text}}]}`);
      await appendFile(journal, Buffer.concat([Buffer.from(crc32(json).toString(16).padStart(8, '0') + ' '), json, Buffer.from('\n')]));
      return journal;
    },
  };
});

t.test('an incomplete final journal entry (a crash mid-write) is ignored, then left behind by the next leader', async (t) => {
  const dir = await stateDir(t);
  const first = await leaderOf(t, dir, 'first');
  await first.store.put('app', '/a', appRecord({ id: '/a' }));
  await first.store.put('app', '/b', appRecord({ id: '/b' }));
  await stopLeader(first);
  const journal = await currentJournal(dir);
  const torn = encodeFrame({ epoch: 1, ops: [{ op: 'put', id: '/c', envelope: { ferry: 1, kind: 'app', epoch: 1, record: appRecord({ id: '/c' }) } }] });
  await appendFile(journal, torn.subarray(0, Math.floor(torn.length / 2)));

  const second = await leaderOf(t, dir, 'second');
  t.same([...(await second.store.load()).apps.keys()].sort(), ['/a', '/b'], 'the unacknowledged write is not there, the rest is');
  await second.store.put('app', '/d', appRecord({ id: '/d' }));
  t.same([...(await second.store.load()).apps.keys()].sort(), ['/a', '/b', '/d']);
  t.notOk((await readdir(dir)).includes(journal.slice(dir.length + 1)), 'the journal with the torn entry was superseded');
  const clean = await readFile(await currentJournal(dir));
  t.equal(clean[clean.length - 1], 10, 'the new journal ends with a complete entry');
});

t.test('damage to an entry before the last one is refused, naming the file and entry', async (t) => {
  const dir = await stateDir(t);
  const leader = await leaderOf(t, dir);
  for (const id of ['/a', '/b', '/c']) await leader.store.put('app', id, appRecord({ id }));
  await stopLeader(leader);
  const journal = await currentJournal(dir);
  const bytes = await readFile(journal);
  const entries = lines(bytes);
  t.equal(entries.length, 4, 'a header and one entry per sequential put');
  const offset = entries[0]!.length + entries[1]!.length + 20; // inside entry 3, the put of /b
  bytes[offset] = bytes[offset]! ^ 0x01;
  await writeFile(journal, bytes);

  const reader = new FileStateStore({ dir, leadership: { currentTerm: () => undefined, stepDown: () => undefined } });
  const err = await reader.load().catch((e: unknown) => e);
  t.type(err, CorruptStateError);
  t.match((err as CorruptStateError).location, `${journal}, entry 3`);
  t.match((err as Error).message, /checksum mismatch/);
});

t.test('a complete final entry that fails its checksum is damage, not a torn write', async (t) => {
  const dir = await stateDir(t);
  const leader = await leaderOf(t, dir);
  await leader.store.put('app', '/a', appRecord({ id: '/a' }));
  await leader.store.put('app', '/b', appRecord({ id: '/b' }));
  await stopLeader(leader);
  const journal = await currentJournal(dir);
  const bytes = await readFile(journal);
  bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0x01;
  await writeFile(journal, bytes);
  const reader = new FileStateStore({ dir, leadership: { currentTerm: () => undefined, stepDown: () => undefined } });
  await t.rejects(reader.load(), CorruptStateError);
});

t.test('compaction into snapshots keeps every record, deletions included', async (t) => {
  const dir = await stateDir(t);
  const leader = await leaderOf(t, dir, 'leader', 16 * 1024);
  const expected = new Map<string, AppRecord>();
  for (let round = 0; round < 6; round++) {
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 400; i++) {
      const id = `/apps/a${(i * 7 + round) % 500}`;
      if ((i + round) % 5 === 0) {
        expected.delete(id);
        writes.push(leader.store.delete('app', id));
      } else {
        const record = appRecord({ id, version: `r${round}-${i}` });
        expected.set(id, record);
        writes.push(leader.store.put('app', id, record));
      }
    }
    await Promise.all(writes);
  }
  const snapshots = await filesOf(dir, 'snapshot');
  t.equal(snapshots.length, 1, 'superseded generations are removed');
  t.ok(Number(/\d+/.exec(snapshots[0]!)![0]) > 2, `compacted several times (now at ${snapshots[0]})`);
  t.same((await leader.store.load()).apps, expected);

  await stopLeader(leader);
  const next = await leaderOf(t, dir, 'next');
  t.same((await next.store.load()).apps, expected, 'a new leader reads the same state');
});

t.test('many concurrent puts share fsyncs (group commit) and each is durable once it resolves', async (t) => {
  const dir = await stateDir(t);
  const leader = await leaderOf(t, dir);
  await leader.store.put('app', '/first', appRecord({ id: '/first' }));
  await Promise.all(Array.from({ length: 300 }, (_, i) => leader.store.put('dataset', `d${i}`, datasetRecord({ name: `d${i}` }))));
  const entries = lines(await readFile(await currentJournal(dir))).length;
  t.ok(entries < 50, `300 puts took ${entries - 2} journal entries`);
  const reader = new FileStateStore({ dir, leadership: { currentTerm: () => undefined, stepDown: () => undefined } });
  t.equal((await reader.load()).datasets.size, 300, 'a reader of the files alone sees every acknowledged put');
});

t.test('a writer whose epoch is older than the directory holds is fenced and told to step down', async (t) => {
  const dir = await stateDir(t);
  const first = await leaderOf(t, dir, 'first');
  await first.store.put('app', '/a', appRecord({ id: '/a', version: 'epoch-1' }));
  await stopLeader(first);
  const second = await leaderOf(t, dir, 'second');
  t.equal(second.leadership.currentTerm()?.epoch, 2);
  await second.store.put('app', '/a', appRecord({ id: '/a', version: 'epoch-2' }));
  await stopLeader(second);

  // a writer still believing in epoch 1 (the lock was taken from it behind its back)
  const steppedDown: number[] = [];
  const stale: LeaderTermSource = { currentTerm: () => ({ epoch: 1 }), stepDown: (epoch) => void steppedDown.push(epoch) };
  const store = new FileStateStore({ dir, leadership: stale });
  await t.rejects(store.put('app', '/a', appRecord({ id: '/a', version: 'stale' })), FencedWriteError);
  t.same(steppedDown, [1]);
  const reader = new FileStateStore({ dir, leadership: { currentTerm: () => undefined, stepDown: () => undefined } });
  t.equal((await reader.load()).apps.get('/a')?.version, 'epoch-2');
});

t.test('state files from a newer Ferry are refused', async (t) => {
  const dir = await stateDir(t);
  const leader = await leaderOf(t, dir);
  await leader.store.put('app', '/a', appRecord({ id: '/a' }));
  await stopLeader(leader);
  const [snapshot] = await filesOf(dir, 'snapshot');
  const path = join(dir, snapshot!);
  const rows = lines(await readFile(path));
  rows[0] = encodeFrame({ ferry: 2, kind: 'snapshot', generation: 1, epoch: 1, records: rows.length - 1 });
  await writeFile(path, Buffer.concat(rows));
  const reader = new FileStateStore({ dir, leadership: { currentTerm: () => undefined, stepDown: () => undefined } });
  const err = await reader.load().catch((e: unknown) => e);
  t.type(err, CorruptStateError);
  t.match((err as Error).message, /format 2 was written by a newer Ferry/);
});
