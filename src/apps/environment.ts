// An app's environment: string values only. Marathon secret references
// ({"secret": ...}) are refused, since Ferry has no secret store; a name that
// no process environment can hold is refused too.

import { childPath, describeValue, type FieldError } from './fieldError.js';

export function normalizeEnv(env: Readonly<Record<string, unknown>> | null | undefined, errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env ?? {})) {
    const at = childPath('env', name);
    if (name === '' || /[=\u0000]/.test(name)) {
      errors.push({ field: at, message: `${JSON.stringify(name)} cannot name an environment variable (empty, or contains '=' or NUL)` });
      continue;
    }
    if (typeof value === 'string') {
      out[name] = value;
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'secret' in value) {
      errors.push({ field: at, message: 'Ferry does not support Marathon secrets: give the value as a string' });
    } else {
      errors.push({ field: at, message: `environment values must be strings; got ${describeValue(value)}` });
    }
  }
  return out;
}
