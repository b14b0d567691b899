// Talks to Ferry's REST API on the same origin: JSON in and out, the bearer
// token from sessionStorage when one is set, and errors as ApiError with the
// server's message and field. It never stores the token anywhere but the
// tab's sessionStorage.

const TOKEN_KEY = 'ferry.token';
/** A request still unanswered by then is given up, so that one stuck call cannot stall every later refresh. */
const REQUEST_TIMEOUT_MS = 20_000;

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.field = field;
  }
}

const authListeners = new Set();

/** Called with (status, message) whenever the server answers 401 or 403. */
export function onAuthProblem(listener) {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

export function reportAuthProblem(status, message) {
  for (const listener of authListeners) listener(status, message);
}

export function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function storeToken(token) {
  if (token === '') sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

export function authHeaders() {
  const token = storedToken();
  return token === '' ? {} : { Authorization: `Bearer ${token}` };
}

/** "/prod/db" → "/v1/apps/prod/db", each segment escaped. */
export function appPath(appId, action) {
  const segments = appId.split('/').filter((s) => s !== '').map(encodeURIComponent);
  return `/v1/apps/${segments.join('/')}${action ? `/${action}` : ''}`;
}

export async function request(method, path, body) {
  const headers = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  let res;
  let text;
  try {
    res = await fetch(path, { method, headers, cache: 'no-store', signal, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    text = await res.text();
  } catch (err) {
    const why = err?.name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : err.message;
    throw new ApiError(0, `${method} ${path}: the Ferry API could not be reached (${why})`);
  }
  let parsed;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (res.status === 401 || res.status === 403) {
    reportAuthProblem(res.status, parsed?.message ?? res.statusText);
  }
  if (!res.ok) {
    const message = typeof parsed?.message === 'string' ? parsed.message : `${res.status} ${res.statusText}`.trim();
    throw new ApiError(res.status, message, typeof parsed?.field === 'string' ? parsed.field : undefined);
  }
  return { status: res.status, body: parsed };
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body) => request('POST', path, body),
  put: (path, body) => request('PUT', path, body),
  delete: (path) => request('DELETE', path),
};

/** "field: message", or the message alone. */
export function describeError(err) {
  if (err instanceof ApiError) return err.field ? `${err.field}: ${err.message}` : err.message;
  return err instanceof Error ? err.message : String(err);
}
