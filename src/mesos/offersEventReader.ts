// Reads a protobuf OFFERS event straight into the canonical JSON form of
// types.ts, in one pass: protobufjs's generic path builds a message object per
// sub-message and then converts each one again with toObject, which is most of
// the cost of a 1,000-offer round. The result must equal the generic decode
// field for field; whatever this reader does not read exactly as the generic
// decoder would (another event type, a repeated singular sub-message, a
// missing required field, malformed bytes) it hands back to that decoder.
// Field numbers are those of proto/mesos/v1/mesos.proto (Mesos's own); enum
// names come from the loaded schema.

import protobuf from 'protobufjs';
import type { SchedulerEvent } from './events.js';
import type { Attribute, Offer, Range, ReservationInfo, Resource, URL, ValueType } from './types.js';
import { messageType, TO_OBJECT_OPTIONS } from './protoSchema.js';
import { readWireString } from './wireStrings.js';

type Reader = protobuf.Reader;
type Json = Record<string, unknown>;

/** Thrown inside the reader: this event is for the generic decoder. */
class NotForThisReader extends Error {
  override name = 'NotForThisReader';
}
/** One instance, thrown again and again: no stack trace is captured per fallback. */
const NOT_FOR_THIS_READER = new NotForThisReader('left to the generic decoder');

const LENGTH_DELIMITED = 2;
const VARINT = 0;
const FIXED64 = 1;

interface Tables {
  eventTypes: Record<number, string>;
  /** the Event fields the schema declares, by number */
  eventFields: Record<number, protobuf.Field>;
  valueTypes: Record<number, string>;
  reservationTypes: Record<number, string>;
  /** sub-messages Offers rarely carry, read by protobufjs (first occurrence only, see once) */
  domain: protobuf.Type;
  disk: protobuf.Type;
  labels: protobuf.Type;
}

let tables: Tables | undefined;

function load(): Tables {
  if (tables !== undefined) return tables;
  const enumOf = (type: string, name: string): Record<number, string> => (messageType(type).get(name) as protobuf.Enum).valuesById;
  tables = {
    eventTypes: enumOf('mesos.v1.scheduler.Event', 'Type'),
    eventFields: messageType('mesos.v1.scheduler.Event').fieldsById,
    valueTypes: enumOf('mesos.v1.Value', 'Type'),
    reservationTypes: enumOf('mesos.v1.Resource.ReservationInfo', 'Type'),
    domain: messageType('mesos.v1.DomainInfo'),
    disk: messageType('mesos.v1.Resource.DiskInfo'),
    labels: messageType('mesos.v1.Labels'),
  };
  return tables;
}

/**
 * The event in canonical form if it is an OFFERS event this reader reads
 * exactly; undefined when the generic decoder must read it.
 */
export function readOffersEvent(body: Uint8Array): SchedulerEvent | undefined {
  const t = load();
  try {
    const r = protobuf.Reader.create(body);
    let type: string | undefined;
    let offers: Json | undefined;
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (field === 1 && wire === VARINT) {
        const name = t.eventTypes[r.int32()];
        // other events are few and small: the generic decoder reads them
        if (name !== undefined && name !== 'OFFERS') return undefined;
        // an enum number the schema does not know is dropped by the generic decoder, not kept
        if (name !== undefined) type = name;
      } else if (field === 3 && wire === LENGTH_DELIMITED) {
        if (offers !== undefined) throw NOT_FOR_THIS_READER;
        offers = readOffers(r, end(r));
      } else if (t.eventFields[field] !== undefined) {
        // a type or offers field of an odd wire type, or another event's field: not an event this reader takes
        return undefined;
      } else {
        r.skipType(wire, 0, field);
      }
    }
    if (type !== 'OFFERS') return undefined;
    return (offers === undefined ? { type } : { type, offers }) as unknown as SchedulerEvent;
  } catch {
    return undefined;
  }
}

/** Reads a length prefix; the end offset of the sub-message it announces. */
function end(r: Reader): number {
  const length = r.uint32();
  const e = r.pos + length;
  if (e > r.len) throw NOT_FOR_THIS_READER;
  return e;
}

/** After a sub-message's fields: it must end exactly where its length said. */
function closed(r: Reader, e: number): void {
  if (r.pos !== e) throw NOT_FOR_THIS_READER;
}

function present<T>(value: T | undefined): T {
  if (value === undefined) throw NOT_FOR_THIS_READER;
  return value;
}

/** A singular sub-message seen twice is merged by protobufjs; that rare case is left to it. */
function once(existing: unknown): void {
  if (existing !== undefined) throw NOT_FOR_THIS_READER;
}

function skip(r: Reader, wire: number, field: number): void {
  r.skipType(wire, 0, field);
}

/** int64/uint64 as protobufjs converts them with longs: Number. */
function longNumber(v: protobuf.Long | number, unsigned: boolean): number {
  return typeof v === 'number' ? v : new protobuf.util.LongBits(v.low >>> 0, v.high >>> 0).toNumber(unsigned);
}

/** A double as toObject writes it with json: true (NaN and infinities as strings). */
function jsonDouble(v: number): number {
  return (Number.isFinite(v) ? v : String(v)) as number;
}

/** A sub-message read by protobufjs and converted as the generic decoder converts it. */
function generic(r: Reader, type: protobuf.Type): Json {
  const length = r.uint32();
  return type.toObject(type.decode(r, length), TO_OBJECT_OPTIONS);
}

function readOffers(r: Reader, e: number): Json {
  const offers = readOnlyRepeated(r, e, (rr) => readOffer(rr, end(rr)));
  return offers === undefined ? {} : { offers };
}

function readOffer(r: Reader, e: number): Offer {
  const t = load();
  const o: Partial<Offer> = {};
  while (r.pos < e) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if ((tag & 7) !== LENGTH_DELIMITED) {
      skip(r, tag & 7, field);
      continue;
    }
    switch (field) {
      case 1:
        once(o.id);
        o.id = { value: readIdValue(r, end(r)) };
        break;
      case 2:
        once(o.framework_id);
        o.framework_id = { value: readIdValue(r, end(r)) };
        break;
      case 3:
        once(o.agent_id);
        o.agent_id = { value: readIdValue(r, end(r)) };
        break;
      case 4:
        o.hostname = readWireString(r);
        break;
      case 5:
        (o.resources ??= []).push(readResource(r, end(r)));
        break;
      case 6:
        (o.executor_ids ??= []).push({ value: readIdValue(r, end(r)) });
        break;
      case 7:
        (o.attributes ??= []).push(readAttribute(r, end(r)));
        break;
      case 8:
        once(o.url);
        o.url = readUrl(r, end(r));
        break;
      case 9:
        once(o.unavailability);
        o.unavailability = readUnavailability(r, end(r));
        break;
      case 10:
        once(o.allocation_info);
        o.allocation_info = readAllocationInfo(r, end(r));
        break;
      case 11:
        once(o.domain);
        o.domain = generic(r, t.domain);
        break;
      default:
        skip(r, LENGTH_DELIMITED, field);
    }
  }
  closed(r, e);
  present(o.id);
  present(o.framework_id);
  present(o.agent_id);
  present(o.hostname);
  return o as Offer;
}

/** Field 1 of a message that has (or that Ferry reads) no other: the last occurrence, as protobufjs keeps it. */
function readOnlyField<T>(r: Reader, e: number, wire: number, read: (r: Reader) => T): T | undefined {
  const wanted = (1 << 3) | wire;
  let value: T | undefined;
  while (r.pos < e) {
    const tag = r.uint32();
    if (tag === wanted) value = read(r);
    else skip(r, tag & 7, tag >>> 3);
  }
  closed(r, e);
  return value;
}

/** Repeated field 1 (strings or sub-messages) of a message that has no other; undefined when empty, as toObject leaves it out. */
function readOnlyRepeated<T>(r: Reader, e: number, read: (r: Reader) => T): T[] | undefined {
  const wanted = (1 << 3) | LENGTH_DELIMITED;
  let values: T[] | undefined;
  while (r.pos < e) {
    const tag = r.uint32();
    if (tag === wanted) (values ??= []).push(read(r));
    else skip(r, tag & 7, tag >>> 3);
  }
  closed(r, e);
  return values;
}

/** FrameworkID, AgentID, OfferID, ExecutorID, ResourceProviderID, Value.Text: one required string. */
function readIdValue(r: Reader, e: number): string {
  return present(readOnlyField(r, e, LENGTH_DELIMITED, readWireString));
}

/** What Resource and Attribute share: a name and a Value (Attribute numbers set and text differently). */
interface NamedValue {
  name?: string;
  type?: ValueType;
  scalar?: { value: number };
  ranges?: { range?: Range[] };
  set?: { item?: string[] };
  text?: { value: string };
}

/** Reads field `field` into `into` if it is part of the named value; false when it is not. */
function readNamedValueField(r: Reader, field: number, wire: number, into: NamedValue, setField: number, textField: number): boolean {
  if (field === 2 && wire === VARINT) {
    const name = load().valueTypes[r.int32()] as ValueType | undefined;
    // an enum number the schema does not know is dropped, as protobufjs drops it
    if (name !== undefined) into.type = name;
    return true;
  }
  if (wire !== LENGTH_DELIMITED) return false;
  if (field === 1) into.name = readWireString(r);
  else if (field === 3) {
    once(into.scalar);
    into.scalar = readScalar(r, end(r));
  } else if (field === 4) {
    once(into.ranges);
    into.ranges = readRanges(r, end(r));
  } else if (field === setField) {
    once(into.set);
    into.set = readSet(r, end(r));
  } else if (field === textField) {
    once(into.text);
    into.text = { value: readIdValue(r, end(r)) };
  } else return false;
  return true;
}

/** Resource has no text field. */
const NO_FIELD = -1;

function readResource(r: Reader, e: number): Resource {
  const t = load();
  const res: Partial<Resource> = {};
  while (r.pos < e) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (readNamedValueField(r, field, wire, res, 5, NO_FIELD)) continue;
    if (wire !== LENGTH_DELIMITED) {
      skip(r, wire, field);
      continue;
    }
    switch (field) {
      case 6:
        res.role = readWireString(r);
        break;
      case 7:
        once(res.disk);
        res.disk = generic(r, t.disk);
        break;
      case 8:
        once(res.reservation);
        res.reservation = readReservation(r, end(r));
        break;
      case 9:
        once(res.revocable);
        res.revocable = readEmpty(r, end(r));
        break;
      case 10:
        once(res.shared);
        res.shared = readEmpty(r, end(r));
        break;
      case 11:
        once(res.allocation_info);
        res.allocation_info = readAllocationInfo(r, end(r));
        break;
      case 12:
        once(res.provider_id);
        res.provider_id = { value: readIdValue(r, end(r)) };
        break;
      case 13:
        (res.reservations ??= []).push(readReservation(r, end(r)));
        break;
      default:
        skip(r, wire, field);
    }
  }
  closed(r, e);
  present(res.name);
  present(res.type);
  return res as Resource;
}

function readAttribute(r: Reader, e: number): Attribute {
  const a: NamedValue = {};
  while (r.pos < e) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (!readNamedValueField(r, field, wire, a, 6, 5)) skip(r, wire, field);
  }
  closed(r, e);
  present(a.name);
  present(a.type);
  return a as Attribute;
}

function readScalar(r: Reader, e: number): { value: number } {
  return { value: present(readOnlyField(r, e, FIXED64, readJsonDouble)) };
}

function readJsonDouble(r: Reader): number {
  return jsonDouble(r.double());
}

function readRanges(r: Reader, e: number): { range?: Range[] } {
  const range = readOnlyRepeated(r, e, (rr) => readRange(rr, end(rr)));
  return range === undefined ? {} : { range };
}

function readRange(r: Reader, e: number): Range {
  let begin: number | undefined;
  let stop: number | undefined;
  while (r.pos < e) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | VARINT)) begin = longNumber(r.uint64(), true);
    else if (tag === ((2 << 3) | VARINT)) stop = longNumber(r.uint64(), true);
    else skip(r, tag & 7, tag >>> 3);
  }
  closed(r, e);
  return { begin: present(begin), end: present(stop) };
}

function readSet(r: Reader, e: number): { item?: string[] } {
  const item = readOnlyRepeated(r, e, readWireString);
  return item === undefined ? {} : { item };
}

function readAllocationInfo(r: Reader, e: number): { role?: string } {
  const role = readOnlyField(r, e, LENGTH_DELIMITED, readWireString);
  return role === undefined ? {} : { role };
}

function readReservation(r: Reader, e: number): ReservationInfo {
  const t = load();
  const out: ReservationInfo = {};
  while (r.pos < e) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 4 && wire === VARINT) {
      const name = t.reservationTypes[r.int32()] as ReservationInfo['type'];
      if (name !== undefined) out.type = name;
    } else if (field === 3 && wire === LENGTH_DELIMITED) out.role = readWireString(r);
    else if (field === 1 && wire === LENGTH_DELIMITED) out.principal = readWireString(r);
    else if (field === 2 && wire === LENGTH_DELIMITED) {
      once(out.labels);
      out.labels = generic(r, t.labels);
    } else skip(r, wire, field);
  }
  closed(r, e);
  return out;
}

/** RevocableInfo and SharedInfo: no fields, present or not. */
function readEmpty(r: Reader, e: number): Record<string, never> {
  while (r.pos < e) {
    const tag = r.uint32();
    skip(r, tag & 7, tag >>> 3);
  }
  closed(r, e);
  return {};
}

function readUrl(r: Reader, e: number): URL {
  const url: Partial<URL> = {};
  while (r.pos < e) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire !== LENGTH_DELIMITED) {
      skip(r, wire, field);
      continue;
    }
    switch (field) {
      case 1:
        url.scheme = readWireString(r);
        break;
      case 2:
        once(url.address);
        url.address = readAddress(r, end(r));
        break;
      case 3:
        url.path = readWireString(r);
        break;
      case 4:
        (url.query ??= []).push(readParameter(r, end(r)));
        break;
      case 5:
        url.fragment = readWireString(r);
        break;
      default:
        skip(r, wire, field);
    }
  }
  closed(r, e);
  present(url.scheme);
  present(url.address);
  return url as URL;
}

function readAddress(r: Reader, e: number): URL['address'] {
  const out: Partial<URL['address']> = {};
  while (r.pos < e) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) out.hostname = readWireString(r);
    else if (tag === ((2 << 3) | LENGTH_DELIMITED)) out.ip = readWireString(r);
    else if (tag === ((3 << 3) | VARINT)) out.port = r.int32();
    else skip(r, tag & 7, tag >>> 3);
  }
  closed(r, e);
  present(out.port);
  return out as URL['address'];
}

function readParameter(r: Reader, e: number): { key: string; value: string } {
  let key: string | undefined;
  let value: string | undefined;
  while (r.pos < e) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) key = readWireString(r);
    else if (tag === ((2 << 3) | LENGTH_DELIMITED)) value = readWireString(r);
    else skip(r, tag & 7, tag >>> 3);
  }
  closed(r, e);
  return { key: present(key), value: present(value) };
}

function readUnavailability(r: Reader, e: number): Offer['unavailability'] & object {
  let start: { nanoseconds: number } | undefined;
  let duration: { nanoseconds: number } | undefined;
  while (r.pos < e) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) {
      once(start);
      start = readNanoseconds(r, end(r));
    } else if (tag === ((2 << 3) | LENGTH_DELIMITED)) {
      once(duration);
      duration = readNanoseconds(r, end(r));
    } else skip(r, tag & 7, tag >>> 3);
  }
  closed(r, e);
  return duration === undefined ? { start: present(start) } : { start: present(start), duration };
}

/** TimeInfo and DurationInfo: one required int64. */
function readNanoseconds(r: Reader, e: number): { nanoseconds: number } {
  return { nanoseconds: present(readOnlyField(r, e, VARINT, readInt64)) };
}

function readInt64(r: Reader): number {
  return longNumber(r.int64(), false);
}
