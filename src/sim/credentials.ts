// HTTP basic credentials for the scheduler endpoint: header checks as
// libprocess does them, and Mesos --credentials files (JSON or lines).
// Secrets are compared, never logged.

import { readFile } from 'node:fs/promises';

export interface Credential {
  principal: string;
  secret: string;
}

export type AuthResult = { ok: true; principal: string } | { ok: false };

/** The principal of a valid "Basic base64(principal:secret)" header, as libprocess checks it. */
export function authenticateBasic(header: string | undefined, credentials: readonly Credential[]): AuthResult {
  if (header === undefined) return { ok: false };
  const parts = header.split(' ');
  if (parts.length !== 2 || parts[0] !== 'Basic') return { ok: false };
  const decoded = Buffer.from(parts[1]!, 'base64').toString('utf8');
  const pair = decoded.split(':');
  if (pair.length !== 2) return { ok: false };
  const match = credentials.find((c) => c.principal === pair[0] && c.secret === pair[1]);
  return match === undefined ? { ok: false } : { ok: true, principal: match.principal };
}

/** Reads a credentials file; the error says what is wrong with which line. */
export async function readCredentialsFile(path: string): Promise<Credential[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read credentials file ${path}: ${(err as Error).message}`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new Error(`credentials file ${path} is not valid JSON: ${(err as Error).message}`);
    }
    const list = (parsed as { credentials?: unknown }).credentials;
    if (!Array.isArray(list)) throw new Error(`credentials file ${path} has no "credentials" array`);
    return list.map((c: unknown, i) => {
      const { principal, secret } = (c ?? {}) as { principal?: unknown; secret?: unknown };
      if (typeof principal !== 'string' || typeof secret !== 'string') {
        throw new Error(`credentials file ${path}: entry ${i} needs string "principal" and "secret"`);
      }
      return { principal, secret };
    });
  }
  return trimmed
    .split('\n')
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'))
    .map(({ line, number }) => {
      const fields = line.split(/\s+/);
      if (fields.length !== 2) throw new Error(`credentials file ${path}, line ${number}: expected "principal secret"`);
      return { principal: fields[0]!, secret: fields[1]! };
    });
}
