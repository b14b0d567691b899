// Turns zod's issues about a definition's shape into Ferry's field errors, in
// words an operator can act on (what the field must be, and what it was).
// Reads the input only to describe the offending value; never throws.

import type { z } from 'zod';
import { childPath, describeValue, jsonPath, type FieldError } from './fieldError.js';

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  record: 'an object',
};

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** "a Marathon app" or the place of a nested object, indexes dropped: "container.volumes[]". */
function placeName(path: string): string {
  return path === '' ? 'a Marathon app' : path.replace(/\[\d+\]/g, '[]');
}

function issueErrors(issue: z.core.$ZodIssue, input: unknown): FieldError[] {
  const field = jsonPath(issue.path);
  const actual = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      if (actual === undefined) return [{ field, message: 'is required' }];
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return [{ field, message: `must be ${expected}; got ${describeValue(actual)}` }];
    }
    case 'too_small': {
      const bound = Number(issue.minimum);
      if (issue.origin === 'string') return [{ field, message: 'must not be empty' }];
      if (issue.origin === 'array') return [{ field, message: `must have at least ${bound} item${bound === 1 ? '' : 's'}` }];
      return [{ field, message: `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${bound}; got ${describeValue(actual)}` }];
    }
    case 'too_big': {
      const bound = Number(issue.maximum);
      return [{ field, message: `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${bound}; got ${describeValue(actual)}` }];
    }
    case 'invalid_value':
      return [
        {
          field,
          message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}; got ${describeValue(actual)}`,
        },
      ];
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        field: childPath(field, key),
        message: `"${key}" is not a field of ${placeName(field)} that Ferry knows; check its spelling`,
      }));
    default:
      return [{ field, message: issue.message }];
  }
}

/** Every shape issue as field errors, in the order zod found them. */
export function shapeErrors(error: z.ZodError, input: unknown): FieldError[] {
  return error.issues.flatMap((issue) => issueErrors(issue, input));
}
