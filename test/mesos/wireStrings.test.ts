import t from 'tap';
import protobuf from 'protobufjs';
import { readWireString } from '../../src/mesos/wireStrings.js';

/** The strings, each length-prefixed as a protobuf string field's payload, in one buffer. */
function wire(strings: string[]): protobuf.Reader {
  const w = protobuf.Writer.create();
  for (const s of strings) w.string(s);
  return protobuf.Reader.create(w.finish());
}

t.test('thousands of distinct short strings, more than the cache has slots, each come back as written', async (t) => {
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const strings: string[] = [];
  for (const a of letters) for (const b of letters) for (const c of 'xyz*') strings.push(`${a}${b}${c}`);
  // every string twice: the second read may come from the cache, and must still be its own
  const all = [...strings, ...strings.slice().reverse()];
  const r = wire(all);
  const read = all.map(() => readWireString(r));
  t.strictSame(read, all);
  t.equal(r.pos, r.len);
});

t.test('long, non-ASCII and empty strings read exactly as protobufjs reads them', async (t) => {
  const strings = ['', '*', 'zone-ü', '日本', 'x'.repeat(24), 'y'.repeat(25), 'b5866151-63e5-484b-ae10-74d91aab593b-O17', '\u0000\u007f'];
  const ours = wire([...strings, ...strings]);
  const theirs = wire([...strings, ...strings]);
  for (let i = 0; i < 2 * strings.length; i++) t.equal(readWireString(ours), theirs.string());
  t.equal(ours.pos, ours.len);
});

t.test('invalid UTF-8 reads as protobufjs reads it (replacement characters)', async (t) => {
  const bytes = Uint8Array.from([3, 0x61, 0xff, 0x62]);
  t.equal(readWireString(protobuf.Reader.create(Buffer.from(bytes))), protobuf.Reader.create(Buffer.from(bytes)).string());
});

t.test('a length past the end is refused as protobufjs refuses it', async (t) => {
  const bytes = Buffer.from([5, 0x61, 0x62]);
  t.throws(() => readWireString(protobuf.Reader.create(bytes)), { name: 'RangeError' });
});
