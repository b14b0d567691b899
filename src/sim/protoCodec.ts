// Reads and writes any Mesos message by its full name in both media types, for
// the simulator's endpoints beyond the scheduler API (operator, executor,
// maintenance). Parse errors carry the wording a Mesos master or agent puts in
// its 400 answers; nothing here decides what a message means.

import { JSON_MEDIA, PROTOBUF, type MediaType } from '../mesos/codec.js';
import { JsonMessageError, readJsonMessage } from '../mesos/jsonMessage.js';
import { messageType, TO_OBJECT_OPTIONS } from '../mesos/protoSchema.js';

export class ProtoParseError extends Error {
  override name = 'ProtoParseError';
}

/** The media type of a Content-Type header as Mesos compares it: the whole value, exactly. */
export function requestMedia(contentType: string): MediaType | undefined {
  if (contentType === PROTOBUF) return PROTOBUF;
  if (contentType === JSON_MEDIA) return JSON_MEDIA;
  return undefined;
}

/**
 * Decodes a request body as the named message; the error says, as Mesos does,
 * "Failed to parse body into <Short> protobuf", "Failed to parse body into
 * JSON: ..." or "Failed to convert JSON into <Short> protobuf: ...".
 */
export function decodeMessage<T>(fullName: string, body: Uint8Array, media: MediaType): T {
  const type = messageType(fullName);
  if (media === PROTOBUF) {
    try {
      return type.toObject(type.decode(body), TO_OBJECT_OPTIONS) as T;
    } catch {
      throw new ProtoParseError(`Failed to parse body into ${type.name} protobuf`);
    }
  }
  const value = parseJsonText(Buffer.from(body).toString('utf8'), 'Failed to parse body into JSON: ');
  try {
    return readJsonMessage(type, value) as T;
  } catch (err) {
    if (err instanceof JsonMessageError) throw new ProtoParseError(`Failed to convert JSON into ${type.name} protobuf: ${err.message}`);
    throw err;
  }
}

/** Reads an already parsed JSON value as the named message (stout's protobuf::parse). */
export function readMessage<T>(fullName: string, value: unknown): T {
  try {
    return readJsonMessage(messageType(fullName), value) as T;
  } catch (err) {
    if (err instanceof JsonMessageError) throw new ProtoParseError(err.message);
    throw err;
  }
}

export function encodeMessage(fullName: string, value: object, media: MediaType): Buffer {
  if (media === JSON_MEDIA) return Buffer.from(JSON.stringify(value));
  const type = messageType(fullName);
  return Buffer.from(type.encode(type.fromObject(value as Record<string, unknown>)).finish());
}

/** JSON.parse with the error text of stout's JSON::parse ("syntax error at line L near: ..."). */
export function parseJsonText(text: string, prefix = ''): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const match = /at position (\d+)/.exec(String((err as Error).message));
    const position = match ? Number(match[1]) : text.length;
    const line = text.slice(0, position).split('\n').length;
    const rest = text.slice(position).split('\n')[0]!;
    throw new ProtoParseError(`${prefix}syntax error at line ${line} near: ${rest.slice(0, 80)}`);
  }
}
