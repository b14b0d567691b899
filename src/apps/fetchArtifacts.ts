// What the Mesos fetcher downloads into a task's sandbox: Marathon's fetch
// entries with their defaults, or the legacy uris (extracted when the name
// says archive, as Marathon decides). Never both.

import type { FetchSpec } from './appSpec.js';
import type { FetchShape } from './appDefinitionShape.js';
import { childPath, type FieldError } from './fieldError.js';

/** Archive names the Mesos fetcher extracts (Marathon's list). */
export const EXTRACTABLE_SUFFIXES = ['.tar', '.tar.gz', '.tar.bz2', '.tar.xz', '.gz', '.tgz', '.tbz2', '.txz', '.zip'] as const;

const MAX_URI_LENGTH = 1024;

/** Whether a legacy uri is extracted: its path ends in an archive suffix (query and fragment ignored). */
export function isExtractableUri(uri: string): boolean {
  const path = uri.replace(/[?#].*$/, '');
  return EXTRACTABLE_SUFFIXES.some((suffix) => path.endsWith(suffix));
}

function uriProblem(uri: string): string | undefined {
  if (uri === '') return 'must not be empty';
  if (uri.length > MAX_URI_LENGTH) return `is ${uri.length} characters long; at most ${MAX_URI_LENGTH}`;
  // Mesos and Marathon parse it as a URI: whitespace and control characters are never valid.
  if (/[\s\u0000-\u001f\u007f]/.test(uri)) return `${JSON.stringify(uri)} is not a valid URI: it contains whitespace or control characters`;
  return undefined;
}

export function normalizeFetch(
  fetch: readonly FetchShape[] | null | undefined,
  uris: readonly string[] | null | undefined,
  errors: FieldError[],
): FetchSpec[] {
  if (fetch && fetch.length > 0 && uris && uris.length > 0) {
    errors.push({ field: 'uris', message: 'give fetch or the legacy uris, not both' });
    return [];
  }
  if (uris && uris.length > 0) {
    return uris.map((uri, i) => {
      const problem = uriProblem(uri);
      if (problem !== undefined) errors.push({ field: childPath('uris', i), message: problem });
      return { uri, executable: false, extract: isExtractableUri(uri), cache: false };
    });
  }
  return (fetch ?? []).map((entry, i) => {
    const at = childPath('fetch', i);
    const problem = uriProblem(entry.uri);
    if (problem !== undefined) errors.push({ field: childPath(at, 'uri'), message: problem });
    const spec: FetchSpec = {
      uri: entry.uri,
      executable: entry.executable ?? false,
      extract: entry.extract ?? true,
      cache: entry.cache ?? false,
    };
    if (entry.destPath !== null && entry.destPath !== undefined) {
      if (entry.destPath === '') errors.push({ field: childPath(at, 'destPath'), message: 'must not be empty; omit it to keep the file name' });
      spec.destPath = entry.destPath;
    }
    return spec;
  });
}
