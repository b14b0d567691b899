// The API's bearer tokens and their roles, read from a file (`TOKEN ROLE` per
// line, # comments) or from FERRY_AUTH_TOKENS ("tok1:admin,tok2:read-only").
// Only SHA-256 digests are kept, a lookup compares against every entry in
// constant time, and no token ever appears in an error message or a log.

import { createHash, timingSafeEqual } from 'node:crypto';

export const API_ROLES = ['admin', 'read-only'] as const;
export type ApiRole = (typeof API_ROLES)[number];

function isRole(value: string): value is ApiRole {
  return (API_ROLES as readonly string[]).includes(value);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export class TokenTable {
  private constructor(private readonly entries: readonly { digest: Buffer; role: ApiRole }[]) {}

  get size(): number {
    return this.entries.length;
  }

  /** The role of a presented token, or undefined. Every entry is compared, so timing says nothing about which. */
  roleOf(token: string): ApiRole | undefined {
    const presented = digest(token);
    let found: ApiRole | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry.role;
    }
    return found;
  }

  /** Reads a token file's text; `source` names it in error messages. */
  static fromFile(text: string, source: string): TokenTable {
    const pairs: { token: string; role: string; where: string }[] = [];
    text.split('\n').forEach((raw, i) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (line === '') return;
      const parts = line.split(/\s+/);
      const where = `${source} line ${i + 1}`;
      if (parts.length !== 2) throw new Error(`${where}: expected "TOKEN ROLE" (role admin or read-only), found ${parts.length} word(s)`);
      pairs.push({ token: parts[0]!, role: parts[1]!, where });
    });
    return TokenTable.fromPairs(pairs, source);
  }

  /** Reads FERRY_AUTH_TOKENS: "token:role,token:role". */
  static fromEnvironment(text: string, source = 'FERRY_AUTH_TOKENS'): TokenTable {
    const pairs = text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
      .map((item, i) => {
        const at = item.lastIndexOf(':');
        const where = `${source} entry ${i + 1}`;
        if (at <= 0) throw new Error(`${where}: expected "TOKEN:ROLE" (role admin or read-only)`);
        return { token: item.slice(0, at), role: item.slice(at + 1), where };
      });
    return TokenTable.fromPairs(pairs, source);
  }

  private static fromPairs(pairs: { token: string; role: string; where: string }[], source: string): TokenTable {
    const entries: { digest: Buffer; role: ApiRole }[] = [];
    const seen = new Map<string, string>();
    for (const { token, role, where } of pairs) {
      if (!isRole(role)) throw new Error(`${where}: unknown role "${role}"; use admin or read-only`);
      if (/\s/.test(token)) throw new Error(`${where}: a token must not contain whitespace`);
      const key = digest(token).toString('hex');
      const earlier = seen.get(key);
      if (earlier !== undefined) throw new Error(`${where}: the same token is already given at ${earlier}; give each token once`);
      seen.set(key, where);
      entries.push({ digest: digest(token), role });
    }
    if (entries.length === 0) throw new Error(`${source} holds no tokens; authentication would lock everyone out (give at least one "TOKEN admin")`);
    return new TokenTable(entries);
  }
}
