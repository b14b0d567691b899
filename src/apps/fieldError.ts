// The error value every app-definition check returns: which field (a JSON path
// such as "container.volumes[0].external.size") and what to do about it.
// Never throws; formatting a path or describing a value cannot fail.

export interface FieldError {
  /** a JSON path into the submitted definition, e.g. "healthChecks[1].portIndex"; "" for the document itself */
  field: string;
  message: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Appends a key or an index to a JSON path: ("env", "A") → "env.A", ("a", 0) → "a[0]", ("o", "ferry/x") → 'o["ferry/x"]'. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (IDENTIFIER.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** The JSON path of a path given as keys, as zod reports it. */
export function jsonPath(keys: readonly PropertyKey[]): string {
  let path = '';
  for (const key of keys) path = childPath(path, typeof key === 'number' ? key : String(key));
  return path;
}

/** A short description of a JSON value for messages: 'the string "x"', "the number 2", "null", "an array". */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `a string of ${value.length} characters` : `the string ${JSON.stringify(value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'undefined':
      return 'nothing';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}
