import t from 'tap';
import { RecordIODecoder, RecordIOError, encodeRecord } from '../../src/mesos/recordio.js';

/** A deterministic generator, so a failing chunking can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomRecords(random: () => number, count: number): Buffer[] {
  const records: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const size = 1 + Math.floor(random() * (random() < 0.1 ? 70_000 : 300));
    const b = Buffer.alloc(size);
    for (let j = 0; j < size; j++) b[j] = Math.floor(random() * 256);
    records.push(b);
  }
  return records;
}

function chunk(stream: Buffer, random: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  while (at < stream.length) {
    const size = random() < 0.3 ? 1 : 1 + Math.floor(random() * 4096);
    chunks.push(stream.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

t.test('records split across chunks and several per chunk come out whole and in order', async (t) => {
  for (let seed = 1; seed <= 40; seed++) {
    const random = rng(seed);
    const records = randomRecords(random, 30);
    const stream = Buffer.concat(records.map(encodeRecord));
    const decoder = new RecordIODecoder();
    const out: Buffer[] = [];
    for (const c of chunk(stream, random)) out.push(...decoder.decode(c));
    t.equal(out.length, records.length, `seed ${seed}: record count`);
    t.ok(out.every((r, i) => r.equals(records[i]!)), `seed ${seed}: every record byte for byte`);
    t.ok(decoder.idle, `seed ${seed}: nothing left over`);
  }
});

t.test('a stream cut in the middle of a record is not idle and yields nothing partial', async (t) => {
  const decoder = new RecordIODecoder();
  const stream = encodeRecord(Buffer.from('{"type":"HEARTBEAT"}'));
  t.same(decoder.decode(stream.subarray(0, 10)), []);
  t.notOk(decoder.idle);
  t.same(decoder.decode(stream.subarray(10)).map(String), ['{"type":"HEARTBEAT"}']);
  t.ok(decoder.idle);
});

t.test('a length prefix that is not a number is rejected with a clear error', async (t) => {
  const decoder = new RecordIODecoder();
  t.throws(() => decoder.decode(Buffer.from('12x\nabc')), { name: 'RecordIOError', message: /malformed RecordIO length: byte 0x78 at offset 2/ });
});

t.test('after a malformed prefix the decoder stays failed', async (t) => {
  const decoder = new RecordIODecoder();
  t.throws(() => decoder.decode(Buffer.from('-5\n')), RecordIOError);
  t.throws(() => decoder.decode(encodeRecord(Buffer.from('ok'))), RecordIOError);
});

t.test('empty and zero lengths are rejected', async (t) => {
  t.throws(() => new RecordIODecoder().decode(Buffer.from('\nabc')), { message: /empty length prefix/ });
  t.throws(() => new RecordIODecoder().decode(Buffer.from('0\n')), { message: /0 bytes/ });
});

t.test('an oversized record is rejected before its bytes arrive', async (t) => {
  const decoder = new RecordIODecoder({ maxRecordBytes: 1024 });
  t.throws(() => decoder.decode(Buffer.from('1025\n')), { message: /1025 bytes exceeds the limit of 1024 bytes/ });
});

t.test('an endless length prefix is rejected without waiting for a newline', async (t) => {
  const decoder = new RecordIODecoder();
  t.throws(() => decoder.decode(Buffer.from('1'.repeat(21))), { message: /more than 20 digits/ });
});

t.test('random garbage either decodes or fails with RecordIOError, never anything else', async (t) => {
  const random = rng(99);
  for (let i = 0; i < 300; i++) {
    const garbage = Buffer.alloc(1 + Math.floor(random() * 64));
    for (let j = 0; j < garbage.length; j++) garbage[j] = random() < 0.5 ? 0x30 + Math.floor(random() * 10) : Math.floor(random() * 256);
    try {
      new RecordIODecoder({ maxRecordBytes: 1 << 20 }).decode(garbage);
    } catch (err) {
      if (!(err instanceof RecordIOError)) t.fail(`unexpected ${String(err)}`);
    }
  }
  t.pass('no other error type escaped');
});
