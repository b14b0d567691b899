// The small HTTP client the `ferry` commands talk to Ferry's API with: JSON in
// and out, the bearer token, and errors that tell "Ferry refused" (its message
// and field) from "Ferry could not be reached". It never retries on its own.

import { EXIT } from './exitCodes.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';
const REQUEST_TIMEOUT_MS = 30_000;

/** Ferry answered, but not with success: its status, message and the field at fault. */
export class ApiRefusedError extends Error {
  override name = 'ApiRefusedError';
  readonly exitCode = EXIT.refused;
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** No answer from Ferry at all: connection refused, unknown host, a broken connection, or a timeout. */
export class ApiUnreachableError extends Error {
  override name = 'ApiUnreachableError';
  readonly exitCode = EXIT.unreachable;
}

export interface ApiClientOptions {
  /** the API's base URL, e.g. http://127.0.0.1:8080 (see parseApiUrl) */
  url: string;
  token?: string;
  timeoutMs?: number;
}

/**
 * The base URL an operator typed, normalized: "host:port" gains http://, a
 * trailing slash goes. Returns a problem in words when it is not one.
 */
export function parseApiUrl(text: string): { ok: true; url: string } | { ok: false; problem: string } {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, problem: `"${text}" is not a URL such as ${DEFAULT_API_URL}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, problem: `"${text}" is not an http:// or https:// URL` };
  }
  if (url.search !== '' || url.hash !== '') return { ok: false, problem: `"${text}" must not have a query or fragment` };
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

export class FerryApiClient {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.url = options.url;
    this.token = options.token === '' ? undefined : options.token;
    this.timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** The parsed JSON body of a 2xx answer; any other answer is an ApiRefusedError, no answer an ApiUnreachableError. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const target = `${this.url}${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(target, {
        method,
        headers,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      text = await res.text();
    } catch (err) {
      throw new ApiUnreachableError(`cannot reach Ferry at ${this.url}: ${networkProblem(err, this.timeoutMs)}`);
    }
    const parsed = parseJson(text);
    if (res.ok) {
      if (parsed.ok) return parsed.value as T;
      throw new ApiRefusedError(res.status, `${method} ${target} answered ${res.status} with a body that is not JSON; is ${this.url} Ferry's API?`);
    }
    throw this.refusal(res, parsed.ok ? parsed.value : undefined, text);
  }

  private refusal(res: Response, body: unknown, text: string): ApiRefusedError {
    const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    let message =
      typeof b['message'] === 'string' && b['message'] !== ''
        ? b['message']
        : `HTTP ${res.status} ${res.statusText}${text.trim() === '' ? '' : `: ${text.trim().slice(0, 200)}`}`;
    if (res.status === 401) {
      message += this.token === undefined ? '; this Ferry wants a token: give --token or set FERRY_TOKEN' : '; the token given was not accepted';
    }
    return new ApiRefusedError(res.status, message, typeof b['field'] === 'string' && b['field'] !== '' ? b['field'] : undefined);
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is Ferry running there?)',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'the host name could not be resolved right now',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection broke',
  EPROTO: 'TLS or protocol error (an http:// URL for an https API, or the reverse?)',
  DEPTH_ZERO_SELF_SIGNED_CERT: "the API's TLS certificate is self-signed and not trusted; trust it with NODE_EXTRA_CA_CERTS=<ca.pem>",
  SELF_SIGNED_CERT_IN_CHAIN: "the API's TLS certificate chain is not trusted; trust its CA with NODE_EXTRA_CA_CERTS=<ca.pem>",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the API's TLS certificate cannot be verified; trust its CA with NODE_EXTRA_CA_CERTS=<ca.pem>",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the API's TLS certificate cannot be verified; trust its CA with NODE_EXTRA_CA_CERTS=<ca.pem>",
  CERT_HAS_EXPIRED: "the API's TLS certificate has expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "the API's TLS certificate does not name this host; use the host name it was issued for in --url",
};

/** Why fetch failed, in words, from undici's error and its cause. */
function networkProblem(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  const cause = err instanceof Error ? (err.cause as (Error & { code?: string }) | undefined) : undefined;
  const code = cause?.code;
  if (code !== undefined && NETWORK_CODES[code] !== undefined) return NETWORK_CODES[code]!;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
