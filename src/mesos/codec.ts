// Turns scheduler Calls and Events into bytes and back, in both media types a
// Mesos master speaks: application/x-protobuf and application/json. Decoding
// yields the canonical JSON form declared in types.ts whichever media type
// arrived. Errors carry the same wording a Mesos master uses, so the simulator
// can answer bad calls as Mesos does.

import type protobuf from 'protobufjs';
import type { WireCall } from './calls.js';
import type { SchedulerEvent } from './events.js';
import { readJsonMessage, JsonMessageError } from './jsonMessage.js';
import { messageType, TO_OBJECT_OPTIONS } from './protoSchema.js';
import { readOffersEvent } from './offersEventReader.js';

export const PROTOBUF = 'application/x-protobuf';
export const JSON_MEDIA = 'application/json';
export type MediaType = typeof PROTOBUF | typeof JSON_MEDIA;

export class CodecError extends Error {
  override name = 'CodecError';
}

let callType: protobuf.Type | undefined;
let eventType: protobuf.Type | undefined;

function callMessage(): protobuf.Type {
  return (callType ??= messageType('mesos.v1.scheduler.Call'));
}
function eventMessage(): protobuf.Type {
  return (eventType ??= messageType('mesos.v1.scheduler.Event'));
}

/** The media type named by a Content-Type or Accept value, if it is one Mesos speaks. */
export function parseMediaType(header: string | undefined): MediaType | undefined {
  if (header === undefined) return undefined;
  const base = header.split(';')[0]!.trim().toLowerCase();
  if (base === PROTOBUF) return PROTOBUF;
  if (base === JSON_MEDIA) return JSON_MEDIA;
  return undefined;
}

function encodeMessage(type: protobuf.Type, value: object, media: MediaType): Buffer {
  if (media === JSON_MEDIA) return Buffer.from(JSON.stringify(value));
  const message = type.fromObject(value as Record<string, unknown>);
  return Buffer.from(type.encode(message).finish());
}

export function encodeCall(call: WireCall, media: MediaType): Buffer {
  return encodeMessage(callMessage(), call, media);
}

export function encodeEvent(event: SchedulerEvent, media: MediaType): Buffer {
  return encodeMessage(eventMessage(), event, media);
}

/**
 * Reads a Call body as a master does; the error message is the text a Mesos
 * master puts in its 400 answer.
 */
export function decodeCall(body: Uint8Array, media: MediaType): WireCall {
  const type = callMessage();
  if (media === PROTOBUF) {
    try {
      return type.toObject(type.decode(body), TO_OBJECT_OPTIONS) as WireCall;
    } catch {
      throw new CodecError('Failed to parse body into Call protobuf');
    }
  }
  const text = Buffer.from(body).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CodecError('Failed to parse body into JSON: ' + describeJsonSyntaxError(text, err));
  }
  try {
    return readJsonMessage(type, value) as unknown as WireCall;
  } catch (err) {
    if (err instanceof JsonMessageError) throw new CodecError('Failed to convert JSON into Call protobuf: ' + err.message);
    throw err;
  }
}

/**
 * Reads an Event from a master. JSON events are taken as the master wrote
 * them (they already are the canonical form); protobuf events are decoded and
 * converted to it, OFFERS events by offersEventReader.ts in one pass.
 */
export function decodeEvent(body: Uint8Array, media: MediaType): SchedulerEvent {
  if (media === JSON_MEDIA) {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    } catch (err) {
      throw new CodecError('malformed JSON event from the master: ' + (err as Error).message);
    }
    if (value === null || typeof value !== 'object' || typeof (value as { type?: unknown }).type !== 'string') {
      throw new CodecError('event from the master has no type');
    }
    return value as SchedulerEvent;
  }
  // offer rounds are most of the bytes a master sends: they skip the generic decoder's two passes
  const offers = readOffersEvent(body);
  if (offers !== undefined) return offers;
  const type = eventMessage();
  let object: Record<string, unknown>;
  try {
    object = type.toObject(type.decode(body), TO_OBJECT_OPTIONS);
  } catch (err) {
    throw new CodecError('malformed protobuf event from the master: ' + (err as Error).message);
  }
  if (typeof object['type'] !== 'string') throw new CodecError('event from the master has no type');
  return object as unknown as SchedulerEvent;
}

/** Mesos reports JSON syntax errors as "syntax error at line L near: TEXT". */
function describeJsonSyntaxError(text: string, err: unknown): string {
  const match = /at position (\d+)/.exec(String((err as Error).message));
  const position = match ? Number(match[1]) : 0;
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const rest = text.slice(position).split('\n')[0]!;
  return `syntax error at line ${line} near: ${rest.slice(0, 80)}`;
}
