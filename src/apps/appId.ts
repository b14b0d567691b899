// App ids the way Marathon writes them: absolute paths of lowercase segments
// ("/prod/db"), their form in Ferry's URLs, and the names reserved for actions.
// Pure: it resolves no "." or ".." (it refuses them) and never throws.

import type { FieldError } from './fieldError.js';

/** Actions addressed as the last URL segment after an app id: /v1/apps/prod/db/scale. */
export const APP_ACTIONS = ['move', 'restart', 'scale'] as const;
export type AppAction = (typeof APP_ACTIONS)[number];

/**
 * Last segments an app id may not have: Ferry's actions (an app "/db/scale"
 * would make /v1/apps/db/scale ambiguous) and those Marathon itself reserves
 * ("restart", "tasks", "versions"), so that ids stay portable both ways.
 */
export const RESERVED_LAST_SEGMENTS: readonly string[] = [...APP_ACTIONS, 'tasks', 'versions'];

/** One '.'-separated label: starts and ends with a lowercase letter or digit, '-' inside. As Marathon's PathId. */
const LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const SEGMENT = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

export type AppIdResult = { ok: true; id: string } | { ok: false; error: FieldError };
export type AppUrlResult = { ok: true; appId: string; action?: AppAction } | { ok: false; error: FieldError };

/** Why one path segment is not a valid app id segment, or undefined. */
export function appIdSegmentProblem(segment: string): string | undefined {
  if (segment === '.' || segment === '..') {
    return `"${segment}" segments are not allowed: give the full path of the app, e.g. "/prod/db"`;
  }
  if (SEGMENT.test(segment)) return undefined;
  const hint = /[A-Z]/.test(segment) ? ' (use lowercase)' : '';
  return (
    `segment "${segment}" is not valid${hint}: segments may contain only lowercase letters, digits, '-' and '.', ` +
    `and each '.'-separated part must start and end with a letter or digit`
  );
}

/**
 * Normalizes an app id to its absolute form: "counter" → "/counter",
 * "prod/db" and "/prod/db/" → "/prod/db". Empty segments, "." and "..", and
 * segments outside Marathon's character rules are refused.
 */
export function normalizeAppId(text: string, field = 'id'): AppIdResult {
  const fail = (message: string): AppIdResult => ({ ok: false, error: { field, message } });
  let body = text.startsWith('/') ? text.slice(1) : text;
  if (body.endsWith('/')) body = body.slice(0, -1);
  if (body === '') return fail(`"${text}" names no app: an id needs at least one segment, e.g. "/counter"`);
  const segments = body.split('/');
  for (const segment of segments) {
    if (segment === '') return fail(`"${text}" has an empty segment ("//"); write the id as "/a/b"`);
    const problem = appIdSegmentProblem(segment);
    if (problem !== undefined) return fail(`"${text}": ${problem}`);
  }
  return { ok: true, id: `/${segments.join('/')}` };
}

/** The segments of a normalized app id: "/prod/db" → ["prod", "db"]. */
export function appIdSegments(appId: string): string[] {
  return appId.split('/').filter((s) => s !== '');
}

/** Why an app id may not be created (its last segment is reserved), or undefined. */
export function reservedAppIdProblem(appId: string): string | undefined {
  const last = appIdSegments(appId).at(-1);
  if (last === undefined || !RESERVED_LAST_SEGMENTS.includes(last)) return undefined;
  return (
    `"${appId}" ends in "${last}", which is reserved: URLs such as /v1/apps${appId} would be ambiguous ` +
    `(${RESERVED_LAST_SEGMENTS.join(', ')} are reserved as last segments); choose another last segment`
  );
}

/**
 * Reads the app id (and an action) from the URL segments after /v1/apps/:
 * ["prod", "db"] → "/prod/db"; ["prod", "db", "scale"] → "/prod/db" with the
 * action "scale". Segments are expected already percent-decoded.
 */
export function appIdFromUrlPath(segments: readonly string[]): AppUrlResult {
  const parts = segments.at(-1) === '' ? segments.slice(0, -1) : [...segments];
  const last = parts.at(-1);
  const action = APP_ACTIONS.find((a) => a === last);
  const idParts = action === undefined ? parts : parts.slice(0, -1);
  if (idParts.length === 0) {
    const message =
      action === undefined
        ? 'the URL names no app: use /v1/apps/<app id>, e.g. /v1/apps/prod/db'
        : `the URL names no app before "${action}": use /v1/apps/<app id>/${action}`;
    return { ok: false, error: { field: 'id', message } };
  }
  const normalized = normalizeAppId(`/${idParts.join('/')}`);
  if (!normalized.ok) return normalized;
  return action === undefined ? { ok: true, appId: normalized.id } : { ok: true, appId: normalized.id, action };
}
