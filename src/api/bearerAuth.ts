// Bearer-token access to the API, on only when tokens are configured: 401
// (with WWW-Authenticate) without a known token, 403 when a read-only token
// asks to change something. Health, metrics and the node artifact stay open
// for probes, scrapers and agents; the presented token is never logged.

import type { Context, Next } from 'koa';
import { ApiError } from './apiError.js';
import { ARTIFACT_PATH } from './artifactRoutes.js';
import type { TokenTable } from './apiTokens.js';

const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Requests answered without a token. */
export function isOpenRoute(method: string, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return path === '/v1/health' || path === '/metrics' || path === ARTIFACT_PATH;
}

export function bearerAuth(tokens: TokenTable | undefined) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (tokens === undefined || isOpenRoute(ctx.method, ctx.path)) return next();
    const header = ctx.get('Authorization');
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (match === null) {
      const why = header === '' ? 'this Ferry requires a token' : 'the Authorization header is not "Bearer <token>"';
      throw new ApiError(401, `${why}: send "Authorization: Bearer <token>"`, 'Authorization', { 'WWW-Authenticate': 'Bearer realm="ferry"' });
    }
    const role = tokens.roleOf(match[1]!);
    if (role === undefined) {
      throw new ApiError(401, 'the token is not known to this Ferry (see --auth-tokens)', 'Authorization', {
        'WWW-Authenticate': 'Bearer realm="ferry", error="invalid_token"',
      });
    }
    if (role === 'read-only' && !READ_METHODS.has(ctx.method)) {
      throw new ApiError(403, `a read-only token may not ${ctx.method} ${ctx.path}; use an admin token`, 'Authorization', {
        'WWW-Authenticate': 'Bearer realm="ferry", error="insufficient_scope"',
      });
    }
    return next();
  };
}
