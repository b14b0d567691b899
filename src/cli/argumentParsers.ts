// Parsers for the CLI's own arguments (sizes, counts, k=v pairs, app ids):
// wrong input is a usage error that says what was expected, before anything
// is sent. Ferry's API still validates everything it receives.

import { InvalidArgumentError } from 'commander';

const MIB_PER_GIB = 1024;

/** A dataset size in GiB as the API takes it: whole GiB as "size", a fraction as whole "sizeMiB". */
export function parseSizeGiB(value: string): { size: number } | { sizeMiB: number } {
  const gib = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(gib) || gib <= 0) {
    throw new InvalidArgumentError(`--size takes a size in GiB such as 1 or 0.5, not "${value}"`);
  }
  if (Number.isInteger(gib)) return { size: gib };
  const mib = gib * MIB_PER_GIB;
  if (!Number.isInteger(Math.round(mib * 1e6) / 1e6)) {
    throw new InvalidArgumentError(`--size ${value} GiB is not a whole number of MiB; use e.g. 0.5 (512 MiB)`);
  }
  return { sizeMiB: Math.round(mib) };
}

export function wholeNumber(name: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${name} takes a whole number (0, 1, 2, ...), not "${value}"`);
    return Number(value);
  };
}

/** Repeated k=v pairs gathered into one object; a later key wins. */
export function keyValue(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`--metadata takes key=value, not "${value}"`);
  return { ...(previous ?? {}), [value.slice(0, at)]: value.slice(at + 1) };
}

/** An app id as Marathon writes it: absolute, "kv" and "/kv" alike become "/kv". */
export function normalizeAppId(value: string): string {
  const trimmed = value.trim().replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '/') throw new InvalidArgumentError(`"${value}" is not an app id such as /kv or /prod/db`);
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** The API path of an app: /v1/apps/prod/db for "/prod/db", each segment URL-encoded. */
export function appPath(appId: string, action?: 'scale' | 'restart' | 'move'): string {
  const segments = normalizeAppId(appId).split('/').slice(1).map(encodeURIComponent);
  return `/v1/apps/${segments.join('/')}${action !== undefined ? `/${action}` : ''}`;
}

/** A path segment for a dataset name or move id. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
