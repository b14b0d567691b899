// The only paths the copy protocol carries: relative, '/'-separated, with no
// empty, '.' or '..' segment and no NUL, or '.' for the dataset root. A
// receiver checks every path it is sent with this before touching its disk.

import { NodeError } from '../nodeError.js';
import { ROOT_PATH } from './copyManifest.js';

const MAX_PATH_BYTES = 4096;

/** Why `path` is not a dataset-relative path, or undefined when it is. */
export function relativePathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string') return 'a path must be a string';
  if (path === ROOT_PATH) return undefined;
  if (path === '' || Buffer.byteLength(path) > MAX_PATH_BYTES) return `path of ${Buffer.byteLength(path)} bytes`;
  if (path.includes('\0')) return 'a path must not contain NUL';
  if (path.startsWith('/')) return `"${path}" is absolute`;
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return `"${path}" has a "${segment}" segment`;
  }
  return undefined;
}

export function requireRelativePath(path: unknown): string {
  const problem = relativePathProblem(path);
  if (problem !== undefined) throw new NodeError('PROTOCOL', `refusing path from the sender: ${problem}`);
  return path as string;
}
