// Errors the API answers with: a status, a message an operator can act on,
// and the field at fault. The middleware maps every error to JSON
// {"message", "field"}; bad input is always a 4xx, never a 5xx.

import type { Context, Next } from 'koa';
import type { Logger } from '../common/log.js';
import { NotLeaderError } from '../scheduler/schedulerService.js';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    /** response headers the answer must carry (e.g. WWW-Authenticate on a 401) */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorMiddleware(logger: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (err) {
      if (err instanceof ApiError) {
        for (const [name, value] of Object.entries(err.headers)) ctx.set(name, value);
        ctx.status = err.status;
        ctx.body = err.field === undefined ? { message: err.message } : { message: err.message, field: err.field };
      } else if (err instanceof NotLeaderError) {
        ctx.status = 503;
        ctx.body = { message: `${err.message}; retry, or ask the leader (GET /v1/leader)` };
      } else {
        logger.error({ err: (err as Error).stack, method: ctx.method, path: ctx.path }, 'API request failed');
        ctx.status = 500;
        ctx.body = { message: `internal error: ${(err as Error).message}` };
      }
    }
  };
}
