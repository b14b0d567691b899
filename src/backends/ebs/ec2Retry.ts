// Calls to EC2 with the retries its API asks for: throttling
// (RequestLimitExceeded) and transient server or network failures are
// retried with exponential backoff and full jitter up to a limit; everything
// else comes back at once as the error EC2 gave. It never retries a refusal.

import type { Logger } from '../../common/log.js';
import { BackendError } from '../backend.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 10_000 };

const THROTTLING_CODES = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'RequestThrottled', 'TooManyRequestsException']);
const TRANSIENT_CODES = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'TimeoutError']);

/** The EC2 error code of a thrown SDK error ("InvalidVolume.NotFound"), or a network error code. */
export function ec2ErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { name?: unknown; Code?: unknown; code?: unknown };
  if (typeof e.Code === 'string') return e.Code;
  if (typeof e.code === 'string') return e.code;
  return typeof e.name === 'string' ? e.name : undefined;
}

export function ec2ErrorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface Ec2Caller {
  /** Runs `call`, retrying throttling and transient failures; `action` names it in logs and errors. */
  <T>(action: string, call: () => Promise<T>): Promise<T>;
}

export function ec2Caller(policy: RetryPolicy, log: Logger, sleep: (ms: number) => Promise<void>, random: () => number = Math.random): Ec2Caller {
  return async <T>(action: string, call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const code = ec2ErrorCode(err);
        const throttled = code !== undefined && THROTTLING_CODES.has(code);
        const transient = throttled || (code !== undefined && TRANSIENT_CODES.has(code));
        if (!transient) throw err;
        if (attempt >= policy.maxAttempts) {
          throw new BackendError(
            throttled ? 'THROTTLED' : 'UNAVAILABLE',
            `EC2 ${action} still failed after ${attempt} attempts (${code}: ${ec2ErrorMessage(err)}); retry later`,
          );
        }
        // full jitter: a random wait up to the exponential ceiling, so retrying clients spread out
        const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
        const delay = Math.round(random() * ceiling);
        log.warn({ action, code, attempt, delayMs: delay }, 'EC2 call refused for now: retrying after backoff');
        await sleep(delay);
      }
    }
  };
}
