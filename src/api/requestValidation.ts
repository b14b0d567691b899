// Checks a request's body or query against its schema and turns the first
// problem into an ApiError naming the field: 422 for a body, 400 for a query.
// Unknown fields are refused by the schemas (strict objects), never ignored.

import type { Context } from 'koa';
import { z } from 'zod';
import { ApiError } from './apiError.js';

function fieldOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out;
}

function problem(error: z.ZodError, status: number, allowed: readonly string[], what: string): ApiError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const at = fieldOf([...issue.path, key]);
    return new ApiError(status, `unknown ${what} ${at}; ${allowed.length === 0 ? `this takes no ${what}s` : `use ${allowed.join(', ')}`}`, at);
  }
  const at = fieldOf(issue.path);
  // messages written for a field name it already; zod's own ("Invalid input: ...") get the field in front
  const named = issue.path.length === 0 || issue.message.includes(String(issue.path.at(-1)));
  return new ApiError(status, named ? issue.message : `${at}: ${issue.message}`, at === '' ? 'body' : at);
}

/** The body as the schema reads it, or a 422 naming the field at fault. */
export function parseBody<S extends z.ZodObject>(schema: S, body: unknown): z.output<S> {
  const allowed = Object.keys(schema.shape);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(422, `expected a JSON object with ${allowed.join(', ')}`, 'body');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw problem(parsed.error, 422, allowed, 'field');
  return parsed.data;
}

/** The query parameters as the schema reads them, or a 400 naming the parameter at fault. */
export function parseQuery<S extends z.ZodObject>(schema: S, ctx: Context): z.output<S> {
  const allowed = Object.keys(schema.shape);
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx.query)) {
    if (Array.isArray(value)) throw new ApiError(400, `query parameter ${key} is given ${value.length} times; give it once`, key);
    if (value !== undefined) query[key] = value;
  }
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw problem(parsed.error, 400, allowed, 'query parameter');
  return parsed.data;
}
