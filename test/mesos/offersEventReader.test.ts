import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { decodeEvent, encodeEvent, PROTOBUF } from '../../src/mesos/codec.js';
import type { SchedulerEvent } from '../../src/mesos/events.js';
import { readOffersEvent } from '../../src/mesos/offersEventReader.js';
import { messageType, TO_OBJECT_OPTIONS } from '../../src/mesos/protoSchema.js';
import type { Attribute, Offer, Resource } from '../../src/mesos/types.js';

const REFERENCE = new URL('../fixtures/mesos-reference', import.meta.url).pathname;
/** Event.Type OFFERS, as a number on the wire */
const OFFERS = (messageType('mesos.v1.scheduler.Event').get('Type') as protobuf.Enum).values['OFFERS']!;

/** What protobufjs's generic decode makes of the bytes: the reader must match it exactly. */
function genericDecode(bytes: Uint8Array): Record<string, unknown> {
  const type = messageType('mesos.v1.scheduler.Event');
  return type.toObject(type.decode(bytes), TO_OBJECT_OPTIONS);
}

/** Every event in the recordings of a real Mesos master. */
function recordedEvents(): SchedulerEvent[] {
  const events: SchedulerEvent[] = [];
  for (const file of readdirSync(REFERENCE).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const line of readFileSync(`${REFERENCE}/${file}`, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const parsed = JSON.parse(line) as { type?: string; event?: SchedulerEvent };
      const event = parsed.type !== undefined ? (parsed as SchedulerEvent) : parsed.event;
      if (event !== undefined) events.push(event);
    }
  }
  return events;
}

/** A small deterministic generator, so a failure names a reproducible offer. */
function generator(seed: number): { int: (n: number) => number; pick: <T>(xs: readonly T[]) => T; chance: (p: number) => boolean } {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return { int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)]!, chance: (p) => next() < p };
}

const labels = { labels: [{ key: 'owner', value: 'team-a' }, { key: 'flag' }] };

/** An offer carrying every field Ferry reads, in combinations that vary with i. */
function fullOffer(i: number, g: ReturnType<typeof generator>): Offer {
  const resources: Resource[] = [
    { name: 'cpus', type: 'SCALAR', scalar: { value: g.pick([0.1, 4, 31.999, 1e-3]) }, role: '*', allocation_info: { role: '*' } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 8192 + i }, allocation_info: { role: 'ferry' } },
    {
      name: 'ports',
      type: 'RANGES',
      ranges: { range: [{ begin: 31000, end: 31099 }, { begin: 32000 + i, end: 32000 + i }, { begin: 2 ** 40, end: 2 ** 40 + 7 }] },
      role: 'ferry',
      reservations: [
        { type: 'STATIC', role: 'ferry' },
        { type: 'DYNAMIC', role: 'ferry/sub', principal: 'ops', labels },
      ],
    },
    { name: 'disk', type: 'SCALAR', scalar: { value: 65536 }, reservation: { principal: 'ops', role: 'ferry', labels } },
    { name: 'zones', type: 'SET', set: { item: ['a', 'b', `c${i}`] } },
    { name: 'empty-set', type: 'SET', set: {} },
  ];
  if (g.chance(0.5)) resources.push({ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, revocable: {} });
  if (g.chance(0.5)) {
    resources.push({
      name: 'disk',
      type: 'SCALAR',
      scalar: { value: 100 },
      provider_id: { value: `rp-${i}` },
      shared: {},
      disk: {
        persistence: { id: `vol-${i}`, principal: 'ops' },
        volume: { mode: 'RW', container_path: 'data' },
        source: { type: 'MOUNT', mount: { root: '/mnt/d1' }, vendor: 'v', id: 'd1', metadata: labels, profile: 'fast' },
      },
    });
  }
  const attributes: Attribute[] = [
    { name: 'zone', type: 'TEXT', text: { value: g.pick(['us-east-1a', 'zone-ü', '']) } },
    { name: 'ferry_root', type: 'TEXT', text: { value: `/var/lib/ferry/agent-${i}/datasets` } },
    { name: 'rack', type: 'SCALAR', scalar: { value: i } },
    { name: 'slots', type: 'RANGES', ranges: { range: [{ begin: 1, end: 4 }] } },
    { name: 'disks', type: 'SET', set: { item: ['ssd', 'hdd'] } },
  ];
  const offer: Offer = {
    id: { value: `b5866151-63e5-484b-ae10-74d91aab593b-O${i}` },
    framework_id: { value: 'b5866151-63e5-484b-ae10-74d91aab593b-0000' },
    agent_id: { value: `b5866151-63e5-484b-ae10-74d91aab593b-S${g.int(50)}` },
    hostname: `agent-${i}.example.org`,
    resources,
    attributes,
    allocation_info: { role: 'ferry' },
  };
  if (g.chance(0.7)) {
    offer.url = {
      scheme: 'http',
      address: { hostname: offer.hostname, ip: '10.0.0.1', port: 5051 },
      path: '/slave(1)',
      ...(g.chance(0.5) ? { query: [{ key: 'a', value: 'b' }], fragment: 'f' } : {}),
    };
  }
  if (g.chance(0.5)) offer.domain = { fault_domain: { region: { name: 'r1' }, zone: { name: 'z1' } } };
  if (g.chance(0.5)) offer.executor_ids = [{ value: 'ferry-node' }, { value: `e${i}` }];
  if (g.chance(0.5)) {
    offer.unavailability = g.chance(0.5)
      ? { start: { nanoseconds: 1_764_000_000_000_000_000 + i } }
      : { start: { nanoseconds: -5_000_000_000 }, duration: { nanoseconds: 3_600_000_000_000 } };
  }
  return offer;
}

function offersEvent(offers: Offer[]): SchedulerEvent {
  return { type: 'OFFERS', offers: { offers } };
}

t.test('recorded events: OFFERS read exactly as the generic decoder reads them, every other type left to it', async (t) => {
  const events = recordedEvents();
  let offers = 0;
  for (const event of events) {
    const bytes = encodeEvent(event, PROTOBUF);
    const read = readOffersEvent(bytes);
    if (event.type === 'OFFERS') {
      offers++;
      t.strictSame(read, genericDecode(bytes), 'OFFERS event');
    } else {
      t.equal(read, undefined, `${event.type} is left to the generic decoder`);
    }
    t.strictSame(decodeEvent(bytes, PROTOBUF), genericDecode(bytes), `decodeEvent of ${event.type}`);
  }
  t.ok(offers >= 5, `the recordings hold OFFERS events (${offers})`);
});

t.test('generated offers with every field Ferry reads are read exactly as the generic decoder reads them', async (t) => {
  for (let seed = 1; seed <= 40; seed++) {
    const g = generator(seed);
    const offers = Array.from({ length: 1 + g.int(8) }, (_, i) => fullOffer(i, g));
    const bytes = encodeEvent(offersEvent(offers), PROTOBUF);
    const read = readOffersEvent(bytes);
    t.not(read, undefined, `seed ${seed} is read by the offers reader`);
    t.strictSame(read, genericDecode(bytes), `seed ${seed}`);
  }
});

t.test('the canonical form comes back: what was encoded is what is read', async (t) => {
  const g = generator(7);
  const offers = Array.from({ length: 5 }, (_, i) => fullOffer(i, g));
  const read = readOffersEvent(encodeEvent(offersEvent(offers), PROTOBUF));
  t.strictSame(read, offersEvent(offers));
});

t.test('scalars that are not finite come back as toObject writes them (strings)', async (t) => {
  const offer = fullOffer(0, generator(1));
  offer.resources![0]!.scalar = { value: Number.NaN };
  offer.resources![1]!.scalar = { value: Number.POSITIVE_INFINITY };
  const bytes = encodeEvent(offersEvent([offer]), PROTOBUF);
  const read = readOffersEvent(bytes) as { offers: { offers: Offer[] } };
  t.strictSame(read, genericDecode(bytes));
  t.equal(read.offers.offers[0]!.resources![0]!.scalar!.value as unknown, 'NaN');
});

t.test('an OFFERS event without offers, and one with none in it', async (t) => {
  const writer = protobuf.Writer.create();
  writer.uint32((1 << 3) | 0).int32(OFFERS);
  const bare = writer.finish();
  t.strictSame(readOffersEvent(bare), genericDecode(bare));
  const empty = encodeEvent({ type: 'OFFERS', offers: {} }, PROTOBUF);
  t.strictSame(readOffersEvent(empty), genericDecode(empty));
  t.strictSame(readOffersEvent(empty), { type: 'OFFERS', offers: {} });
});

/** An Offer's bytes with extra raw fields appended (a newer master's fields, or odd encodings). */
function offerBytesWith(offer: Offer, extra: (w: protobuf.Writer) => void): Uint8Array {
  const type = messageType('mesos.v1.Offer');
  const w = type.encode(type.fromObject(offer as unknown as Record<string, unknown>));
  extra(w);
  const offerBytes = w.finish();
  const event = protobuf.Writer.create();
  event.uint32((1 << 3) | 0).int32(OFFERS);
  const offers = protobuf.Writer.create();
  offers.uint32((1 << 3) | 2).bytes(offerBytes);
  event.uint32((3 << 3) | 2).bytes(offers.finish());
  return event.finish();
}

t.test('fields the schema does not know are skipped, as the generic decoder skips them', async (t) => {
  const offer = fullOffer(3, generator(3));
  const bytes = offerBytesWith(offer, (w) => {
    w.uint32((99 << 3) | 0).uint32(7);
    w.uint32((100 << 3) | 2).string('from a newer master');
    w.uint32((101 << 3) | 5).fixed32(1);
    w.uint32((102 << 3) | 1).fixed64(1);
    // a known field with the wrong wire type is skipped too
    w.uint32((4 << 3) | 0).uint32(OFFERS);
  });
  const read = readOffersEvent(bytes);
  t.not(read, undefined);
  t.strictSame(read, genericDecode(bytes));
});

t.test('a singular sub-message sent twice is merged: left to the generic decoder, and decodeEvent still merges it', async (t) => {
  const offer = fullOffer(4, generator(4));
  delete offer.url;
  const bytes = offerBytesWith(offer, (w) => {
    const address = protobuf.Writer.create();
    address.uint32((3 << 3) | 0).int32(5051);
    const url1 = protobuf.Writer.create();
    url1.uint32((1 << 3) | 2).string('http').uint32((2 << 3) | 2).bytes(address.finish());
    const url2 = protobuf.Writer.create();
    url2.uint32((3 << 3) | 2).string('/slave(9)');
    w.uint32((8 << 3) | 2).bytes(url1.finish());
    w.uint32((8 << 3) | 2).bytes(url2.finish());
  });
  t.equal(readOffersEvent(bytes), undefined);
  const decoded = decodeEvent(bytes, PROTOBUF) as { offers: { offers: Offer[] } };
  t.strictSame(decoded, genericDecode(bytes));
  t.strictSame(decoded.offers.offers[0]!.url, { scheme: 'http', address: { port: 5051 }, path: '/slave(9)' });
});

t.test('malformed offers are refused exactly as before', async (t) => {
  const good = encodeEvent(offersEvent([fullOffer(1, generator(1))]), PROTOBUF);
  // cut anywhere inside the offers: never a partial result, always the generic decoder's refusal
  for (const cut of [3, 10, 100, good.byteLength - 1]) {
    const bytes = good.subarray(0, cut);
    t.equal(readOffersEvent(bytes), undefined, `cut at ${cut}`);
    t.throws(() => decodeEvent(bytes, PROTOBUF), { name: 'CodecError', message: /malformed protobuf event/ });
  }
  // an offer without its required hostname (protobufjs's encoder always writes required fields: written by hand)
  const id = (value: string): Uint8Array => protobuf.Writer.create().uint32((1 << 3) | 2).string(value).finish();
  const offerBytes = protobuf.Writer.create()
    .uint32((1 << 3) | 2).bytes(id('O1'))
    .uint32((2 << 3) | 2).bytes(id('F1'))
    .uint32((3 << 3) | 2).bytes(id('S1'))
    .finish();
  const offers = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(offerBytes).finish();
  const bytes = protobuf.Writer.create().uint32((1 << 3) | 0).int32(OFFERS).uint32((3 << 3) | 2).bytes(offers).finish();
  t.equal(readOffersEvent(bytes), undefined);
  t.throws(() => decodeEvent(bytes, PROTOBUF), { message: /missing required 'hostname'/ });
});

t.test('a resource type the schema does not know drops the field, and the required type is then missing', async (t) => {
  const offer = fullOffer(5, generator(5));
  const bytes = offerBytesWith(offer, (w) => {
    const resource = protobuf.Writer.create();
    resource.uint32((1 << 3) | 2).string('gpus').uint32((2 << 3) | 0).int32(42);
    w.uint32((5 << 3) | 2).bytes(resource.finish());
  });
  t.equal(readOffersEvent(bytes), undefined);
  t.throws(() => decodeEvent(bytes, PROTOBUF), { message: /missing required 'type'/ });
});
