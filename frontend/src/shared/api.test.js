// Focus: the API client's contract — error-shape parsing, CSRF on unsafe
// methods only, one retry for idempotent reads, health's 503 "down" result.
import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient, errorFromResponse, fetchHealth } from './api.js';

function jsonResponse(status, body, type = 'application/json') {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': type },
  });
}

/** A fetch stub that replays `steps` in order and records each call. */
function fakeFetch(steps) {
  const calls = [];
  const fn = async (url, init) => {
    calls.push({ url, init });
    const step = steps[Math.min(calls.length - 1, steps.length - 1)];
    if (step instanceof Error) throw step;
    return typeof step === 'function' ? step() : step;
  };
  fn.calls = calls;
  return fn;
}

const client = (fetch) => createApiClient({ fetch, retryDelayMs: 0 });

describe('errorFromResponse', () => {
  it('reads code, message and field from the API error shape', () => {
    const e = errorFromResponse(422, {
      error: { code: 'unprocessable', message: 'quantity must be positive', field: 'quantity' },
    });
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({
      status: 422, code: 'unprocessable', message: 'quantity must be positive', field: 'quantity',
    });
  });

  it('leaves field null when the API names none', () => {
    const e = errorFromResponse(404, { error: { code: 'not_found', message: "product '42' not found" } });
    expect(e.code).toBe('not_found');
    expect(e.field).toBeNull();
  });

  it('falls back to a code from the status for bodies without the shape', () => {
    expect(errorFromResponse(429, null).code).toBe('rate_limited');
    expect(errorFromResponse(503, { status: 'down' }).code).toBe('unavailable');
    expect(errorFromResponse(502, null).code).toBe('server_error');
    expect(errorFromResponse(418, { error: 'teapot' }).code).toBe('http_error');
    expect(errorFromResponse(400, { error: { code: '' } }).code).toBe('bad_request');
  });
});

describe('createApiClient', () => {
  it('returns the parsed body of a 2xx response', async () => {
    const fetch = fakeFetch([jsonResponse(200, { items: [], total: 0 })]);
    await expect(client(fetch).get('/products', { query: { q: '蓝牙', page: 2, brand: '' } }))
      .resolves.toEqual({ items: [], total: 0 });
    expect(fetch.calls[0].url).toBe('/api/v1/products?q=%E8%93%9D%E7%89%99&page=2');
    expect(fetch.calls[0].init.method).toBe('GET');
  });

  it('throws ApiError with the server code on 4xx', async () => {
    const fetch = fakeFetch([jsonResponse(409, { error: { code: 'conflict', message: 'out of stock' } })]);
    const err = await client(fetch).post('/cart/items', { sku_id: 1, quantity: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'conflict', message: 'out of stock' });
    expect(fetch.calls).toHaveLength(1);
  });

  it('maps a non-JSON error page to a status code', async () => {
    const html = new Response('<html>502</html>', { status: 502, headers: { 'content-type': 'text/html' } });
    const err = await client(fakeFetch([html])).get('/me').catch((e) => e);
    expect(err).toMatchObject({ status: 502, code: 'server_error', body: null });
  });

  it('sends X-CSRF-Token on unsafe methods only, once it has one', async () => {
    const fetch = fakeFetch([jsonResponse(200, {})]);
    const api = client(fetch);
    await api.post('/auth/logout', {});
    expect(fetch.calls[0].init.headers['X-CSRF-Token']).toBeUndefined();

    api.setCsrfToken('tok123');
    await api.get('/me');
    await api.post('/cart/items', { sku_id: 1, quantity: 1 });
    await api.patch('/cart/items/3', { quantity: 2 });
    await api.del('/cart/items/3');
    const sent = fetch.calls.slice(1).map((c) => [c.init.method, c.init.headers['X-CSRF-Token']]);
    expect(sent).toEqual([
      ['GET', undefined],
      ['POST', 'tok123'],
      ['PATCH', 'tok123'],
      ['DELETE', 'tok123'],
    ]);
    expect(fetch.calls[2].init.headers['Content-Type']).toBe('application/json');
    expect(fetch.calls[2].init.body).toBe('{"sku_id":1,"quantity":1}');
  });

  it('retries a GET once after a network error', async () => {
    const fetch = fakeFetch([new TypeError('Failed to fetch'), jsonResponse(200, { ok: 1 })]);
    await expect(client(fetch).get('/categories')).resolves.toEqual({ ok: 1 });
    expect(fetch.calls).toHaveLength(2);
  });

  it('retries a GET once after a 503, then reports unavailable', async () => {
    const down = () => jsonResponse(503, { error: { code: 'unavailable', message: 'database unavailable' } });
    const fetch = fakeFetch([down, down, down]);
    const err = await client(fetch).get('/products').catch((e) => e);
    expect(err).toMatchObject({ status: 503, code: 'unavailable' });
    expect(fetch.calls).toHaveLength(2);
  });

  it('gives up after the retry with a network_error', async () => {
    const fetch = fakeFetch([new TypeError('Failed to fetch')]);
    const err = await client(fetch).get('/me').catch((e) => e);
    expect(err).toMatchObject({ status: 0, code: 'network_error' });
    expect(fetch.calls).toHaveLength(2);
  });

  it('never retries a write', async () => {
    const fetch = fakeFetch([new TypeError('Failed to fetch'), jsonResponse(200, {})]);
    const err = await client(fetch).post('/checkout', {}, { headers: { 'Idempotency-Key': 'k1' } })
      .catch((e) => e);
    expect(err.code).toBe('network_error');
    expect(fetch.calls).toHaveLength(1);
    expect(fetch.calls[0].init.headers['Idempotency-Key']).toBe('k1');
  });

  it('reports a timeout as its own code', async () => {
    const hang = (url, init) => new Promise((resolve, reject) => {
      init.signal.addEventListener('abort', () => {
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      });
    });
    const api = createApiClient({ fetch: hang, retryDelayMs: 0, timeoutMs: 5 });
    await expect(api.get('/me')).rejects.toMatchObject({ code: 'timeout' });
  });
});

describe('fetchHealth', () => {
  const body = { status: 'ok', primary: { ok: true }, replicas: [{ ok: true, lag_ms: 3 }], version: 'dev' };

  it('returns the health document on 200', async () => {
    await expect(fetchHealth(client(fakeFetch([jsonResponse(200, body)])))).resolves.toEqual(body);
  });

  it('treats 503 with a status body as a "down" result, not an error', async () => {
    const down = { status: 'down', primary: { ok: false }, replicas: [], version: 'dev' };
    const fetch = fakeFetch([jsonResponse(503, down)]);
    await expect(fetchHealth(client(fetch))).resolves.toEqual(down);
    expect(fetch.calls).toHaveLength(2); // the one retry of an idempotent read
  });

  it('fails on a 503 error page with no health document', async () => {
    const page = () => new Response('Service Unavailable', { status: 503 });
    await expect(fetchHealth(client(fakeFetch([page])))).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('fails on a 200 without a status', async () => {
    await expect(fetchHealth(client(fakeFetch([jsonResponse(200, {})]))))
      .rejects.toMatchObject({ code: 'bad_response' });
  });
});

describe('session and CSRF bootstrap', () => {
  it('fetches /me once before the first unsafe request and sends its token', async () => {
    const fetch = fakeFetch([
      jsonResponse(200, { user: null, csrf_token: 'tok1' }),
      jsonResponse(201, { ok: true }),
      jsonResponse(201, { ok: true }),
    ]);
    const api = createApiClient({ fetch, retryDelayMs: 0, autoSession: true });
    await api.post('/cart/items', { sku_id: 1, quantity: 1 });
    await api.post('/cart/items', { sku_id: 2, quantity: 1 });
    expect(fetch.calls.map((c) => c.url)).toEqual(['/api/v1/me', '/api/v1/cart/items', '/api/v1/cart/items']);
    expect(fetch.calls[1].init.headers['X-CSRF-Token']).toBe('tok1');
  });

  it('shares one /me request between concurrent callers', async () => {
    const fetch = fakeFetch([jsonResponse(200, { user: null, csrf_token: 't' })]);
    const api = client(fetch);
    await Promise.all([api.session(), api.session()]);
    expect(fetch.calls).toHaveLength(1);
  });

  it('adopts the token from a login response and tells listeners', () => {
    const api = client(fakeFetch([]));
    const seen = [];
    api.onSession((me) => seen.push(me.user.email));
    api.applySession({ user: { email: 'a@b.c' }, csrf_token: 'new' });
    expect(api.csrfToken).toBe('new');
    expect(seen).toEqual(['a@b.c']);
  });
});

describe('newIdempotencyKey', () => {
  it('makes distinct keys in the allowed alphabet', async () => {
    const { newIdempotencyKey } = await import('./api.js');
    const a = newIdempotencyKey();
    expect(a).toMatch(/^[A-Za-z0-9_-]{8,128}$/);
    expect(newIdempotencyKey()).not.toBe(a);
  });
});

describe('serverOffset', () => {
  it('is 0 before any answer and follows the Date header after one', async () => {
    const ahead = new Date(Date.now() + 3600e3).toUTCString(); // server clock an hour ahead
    const fetch = fakeFetch([new Response('{}', { status: 200, headers: { 'content-type': 'application/json', date: ahead } })]);
    const c = client(fetch);
    expect(c.serverOffset()).toBe(0);
    await c.get('/products/x');
    // Whole seconds in the header: within a second of the hour.
    expect(Math.abs(c.serverOffset() - 3600e3)).toBeLessThanOrEqual(1000);
  });

  it('is not lowered by an older Date (an answer from the browser cache)', async () => {
    const now = Date.now();
    const fetch = fakeFetch([
      new Response('{}', { status: 200, headers: { 'content-type': 'application/json', date: new Date(now).toUTCString() } }),
      new Response('{}', { status: 200, headers: { 'content-type': 'application/json', date: new Date(now - 9000).toUTCString() } }),
    ]);
    const c = client(fetch);
    await c.get('/a');
    const fresh = c.serverOffset();
    await c.get('/a');
    expect(c.serverOffset()).toBe(fresh);
    expect(Math.abs(fresh)).toBeLessThanOrEqual(1000);
  });

  it('passes a cache mode to fetch', async () => {
    const fetch = fakeFetch([jsonResponse(200, {})]);
    await client(fetch).get('/products/x', { cache: 'no-cache' });
    expect(fetch.calls[0].init.cache).toBe('no-cache');
  });

  it('keeps the last good value when an answer has no Date', async () => {
    const when = new Date(Date.now() - 60e3).toUTCString();
    const fetch = fakeFetch([
      new Response('{}', { status: 200, headers: { 'content-type': 'application/json', date: when } }),
      jsonResponse(200, {}),
    ]);
    const c = client(fetch);
    await c.get('/a');
    const first = c.serverOffset();
    await c.get('/b');
    expect(c.serverOffset()).toBe(first);
    expect(Math.abs(first + 60e3)).toBeLessThanOrEqual(1000);
  });
});
