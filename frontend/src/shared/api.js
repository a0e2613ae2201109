// The one module that talks HTTP to the Jishi API. Components and
// composables call it; none of them calls fetch() directly.
//
// Contract:
// - Every failure is thrown as an ApiError with { status, code, message,
//   field, body }. The server's error shape is
//   {"error":{"code","message","field"?}}; anything else (an HTML 502 from
//   nginx, an empty body, a network failure) is mapped to a code from the
//   status, so callers switch on `code` only.
// - Unsafe methods (POST, PUT, PATCH, DELETE) carry X-CSRF-Token once the
//   client has one (from login or GET /me, via setCsrfToken).
// - Idempotent reads (GET, HEAD) are retried once after a network error or a
//   503; writes never are (they carry an Idempotency-Key where it matters).

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const RETRYABLE_METHODS = new Set(['GET', 'HEAD']);

/** Error codes the API documents, by HTTP status, for bodies without one. */
const CODE_BY_STATUS = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'unavailable',
};

export class ApiError extends Error {
  constructor({ status, code, message, field = null, body = null }) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;   // HTTP status, 0 when no response arrived
    this.code = code;       // stable machine code; UI text is keyed on it
    this.field = field;     // offending input field, when the API names one
    this.body = body;       // parsed JSON body, if any (e.g. health "down")
  }
}

/**
 * Build an ApiError from a non-2xx response's status and parsed body (or
 * null when the body was not JSON). Pure, so it is unit-tested directly.
 */
export function errorFromResponse(status, body) {
  const e = body && typeof body === 'object' ? body.error : null;
  if (e && typeof e === 'object' && typeof e.code === 'string' && e.code) {
    return new ApiError({
      status,
      code: e.code,
      message: typeof e.message === 'string' ? e.message : e.code,
      field: typeof e.field === 'string' ? e.field : null,
      body,
    });
  }
  const code = CODE_BY_STATUS[status] || (status >= 500 ? 'server_error' : 'http_error');
  return new ApiError({ status, code, message: `HTTP ${status}`, body });
}

async function readJson(res) {
  const type = res.headers.get('content-type') || '';
  if (!type.includes('json')) return null;
  try {
    return await res.json();
  } catch {
    return null;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * createApiClient({ baseUrl, fetch, retryDelayMs, timeoutMs })
 * The defaults suit the browser; tests inject fetch and a zero delay.
 */
export function createApiClient(options = {}) {
  const baseUrl = options.baseUrl ?? '/api/v1';
  const doFetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
  const retryDelayMs = options.retryDelayMs ?? 300;
  const timeoutMs = options.timeoutMs ?? 15000;
  const sessionPath = options.sessionPath ?? '/me';
  // With autoSession, the first unsafe request waits for GET /me to get a
  // session and its CSRF token (the app-wide client does this).
  const autoSession = options.autoSession ?? false;
  let csrfToken = null;
  let sessionPromise = null;
  // Server minus client clock (ms) from the last answer's Date header.
  let clockOffset = null;
  const sessionListeners = new Set();

  function applySession(me) {
    if (me && typeof me.csrf_token === 'string') csrfToken = me.csrf_token || null;
    for (const fn of sessionListeners) fn(me);
    return me;
  }

  /**
   * GET /me once (it creates a guest session when there is none) and keep
   * its csrf_token. Later calls share the same promise; a failure is not
   * cached, so the next call tries again.
   */
  function session({ refresh = false } = {}) {
    if (!sessionPromise || refresh) {
      sessionPromise = request('GET', sessionPath).then(applySession, (err) => {
        sessionPromise = null;
        throw err;
      });
    }
    return sessionPromise;
  }

  /**
   * The Date header is whole seconds: the server's clock was somewhere in
   * [date, date + 1 s) when it answered, taken as date + 0.5 s against the
   * middle of the request on the client's clock. An answer from the
   * browser's cache carries the Date of when it was first sent, which can
   * only make the server look behind: the largest offset seen is kept.
   */
  function noteDate(res, sent, received) {
    const raw = res && res.headers && typeof res.headers.get === 'function' ? res.headers.get('date') : null;
    const server = raw ? Date.parse(raw) : NaN;
    if (!Number.isFinite(server)) return;
    const offset = server + 500 - (sent + received) / 2;
    if (clockOffset === null || offset > clockOffset) clockOffset = offset;
  }

  async function attempt(method, url, init) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), timeoutMs);
    try {
      const sent = Date.now();
      const res = await doFetch(url, { ...init, method, signal: ctrl.signal });
      noteDate(res, sent, Date.now());
      return res;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * request(method, path, { body, headers, query, okStatuses, cache })
   * Resolves with the parsed JSON body (null when none). okStatuses lists
   * non-2xx statuses whose body is still a result (health's 503 "down").
   */
  async function request(method, path, opts = {}) {
    method = method.toUpperCase();
    let url = baseUrl + path;
    if (opts.query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.query)) {
        if (v !== undefined && v !== null && v !== '') qs.append(k, String(v));
      }
      const s = qs.toString();
      if (s) url += (url.includes('?') ? '&' : '?') + s;
    }
    const headers = { Accept: 'application/json', ...(opts.headers || {}) };
    const init = { headers, credentials: 'same-origin' };
    // 'no-cache': revalidate an answer the browser keeps (max-age) first.
    if (opts.cache) init.cache = opts.cache;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(opts.body);
    }
    if (autoSession && UNSAFE_METHODS.has(method) && !csrfToken && !opts.noSession) {
      // Unsafe requests need the session cookie and its CSRF token.
      await session().catch(() => null);
    }
    if (UNSAFE_METHODS.has(method) && csrfToken) {
      headers['X-CSRF-Token'] = csrfToken;
    }

    const tries = RETRYABLE_METHODS.has(method) ? 2 : 1;
    let res = null;
    for (let i = 0; i < tries; i++) {
      if (i > 0 && retryDelayMs > 0) await sleep(retryDelayMs);
      try {
        res = await attempt(method, url, init);
      } catch (err) {
        res = null;
        if (i + 1 < tries) continue;
        const timedOut = err && err.name === 'AbortError';
        throw new ApiError({
          status: 0,
          code: timedOut ? 'timeout' : 'network_error',
          message: err && err.message ? err.message : 'network error',
        });
      }
      if (res.status === 503 && i + 1 < tries) continue;
      break;
    }

    const body = res.status === 204 ? null : await readJson(res);
    const okStatuses = opts.okStatuses || [];
    if (res.ok) return body;
    if (okStatuses.includes(res.status) && body && !body.error) return body;
    throw errorFromResponse(res.status, body);
  }

  return {
    request,
    get: (path, opts) => request('GET', path, opts),
    post: (path, body, opts = {}) => request('POST', path, { ...opts, body }),
    put: (path, body, opts = {}) => request('PUT', path, { ...opts, body }),
    patch: (path, body, opts = {}) => request('PATCH', path, { ...opts, body }),
    del: (path, opts) => request('DELETE', path, opts),
    setCsrfToken(token) {
      csrfToken = token || null;
    },
    session,
    /** Adopt a me-object from login/register/logout: new CSRF token, listeners told. */
    applySession(me) {
      sessionPromise = Promise.resolve(me);
      return applySession(me);
    },
    /** Call `fn(me)` whenever the session (me-object) changes. */
    onSession(fn) {
      sessionListeners.add(fn);
      return () => sessionListeners.delete(fn);
    },
    get csrfToken() {
      return csrfToken;
    },
    /** Server minus client clock in ms from the last Date header (±0.5 s); 0 before any. */
    serverOffset() {
      return clockOffset ?? 0;
    },
  };
}

/**
 * A fresh Idempotency-Key (URL-safe, 8..128 chars) for one checkout attempt:
 * generate it once, reuse it for every retry of the same attempt.
 */
export function newIdempotencyKey() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return `co-${c.randomUUID()}`;
  const bytes = new Uint8Array(16);
  if (c && c.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return `co-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The app-wide client. */
export const api = createApiClient({ autoSession: true });

/**
 * GET /health. 200 carries "ok" or "degraded"; 503 carries "down" in the
 * same shape, so it is a result here, not an error.
 */
export async function fetchHealth(client = api) {
  const body = await client.get('/health', { okStatuses: [503] });
  if (!body || typeof body.status !== 'string') {
    throw new ApiError({ status: 200, code: 'bad_response', message: 'health: no status' });
  }
  return body;
}
