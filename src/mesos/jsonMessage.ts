// Reads a JSON value as a given protobuf message the way a Mesos master does
// (stout's JSON-to-protobuf parse): fields by their proto names, enums by name,
// bytes as base64, unknown keys ignored, missing required fields an error.
// The result is a fresh object in canonical form; the input is never trusted.

import protobuf from 'protobufjs';

export class JsonMessageError extends Error {
  override name = 'JsonMessageError';
}

const INTEGER_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function readJsonMessage(type: protobuf.Type, value: unknown): Record<string, unknown> {
  const missing: string[] = [];
  const result = readMessage(type, value, '', missing);
  if (missing.length > 0) {
    throw new JsonMessageError('Missing required fields: ' + missing.join(', '));
  }
  return result;
}

function readMessage(type: protobuf.Type, value: unknown, path: string, missing: string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JsonMessageError(`Expecting a JSON object for ${path === '' ? type.name : `field '${path}'`}`);
  }
  const input = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
    const raw = input[field.name];
    if (raw === undefined || raw === null) {
      if (field.required) missing.push(fieldPath);
      continue;
    }
    if (field.repeated) {
      if (!Array.isArray(raw)) throw new JsonMessageError(`Not expecting a JSON ${jsonKind(raw)} for repeated field '${fieldPath}'`);
      out[field.name] = raw.map((item, i) => readValue(field, item, `${fieldPath}[${i}]`, missing));
    } else {
      out[field.name] = readValue(field, raw, fieldPath, missing);
    }
  }
  return out;
}

function readValue(field: protobuf.Field, raw: unknown, path: string, missing: string[]): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return readMessage(resolved, raw, path, missing);
  if (resolved instanceof protobuf.Enum) {
    if (typeof raw !== 'string') throw new JsonMessageError(`Not expecting a JSON ${jsonKind(raw)} for enum field '${path}'`);
    if (!(raw in resolved.values)) throw new JsonMessageError(`Failed to find enum for '${raw}'`);
    return raw;
  }
  switch (field.type) {
    case 'string':
      if (typeof raw !== 'string') throw new JsonMessageError(`Not expecting a JSON ${jsonKind(raw)} for field '${path}'`);
      return raw;
    case 'bytes':
      if (typeof raw !== 'string' || !BASE64.test(raw)) throw new JsonMessageError(`Failed to base64 decode field '${path}'`);
      return raw;
    case 'bool':
      if (typeof raw !== 'boolean') throw new JsonMessageError(`Not expecting a JSON ${jsonKind(raw)} for field '${path}'`);
      return raw;
    case 'double':
    case 'float':
      if (typeof raw !== 'number') throw new JsonMessageError(`Not expecting a JSON ${jsonKind(raw)} for field '${path}'`);
      return raw;
    default:
      if (INTEGER_TYPES.has(field.type)) return readInteger(field.type, raw, path);
      throw new JsonMessageError(`Unsupported field type '${field.type}' for field '${path}'`);
  }
}

function readInteger(type: string, raw: unknown, path: string): number {
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number') throw new JsonMessageError(`Not expecting a JSON ${jsonKind(raw)} for integer field '${path}'`);
  if (!Number.isInteger(n)) throw new JsonMessageError(`Expecting an integer for field '${path}', got ${n}`);
  if (type.startsWith('u') || type.startsWith('fixed')) {
    if (n < 0) throw new JsonMessageError(`Negative value for unsigned field '${path}'`);
  }
  return n;
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}
