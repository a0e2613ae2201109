// HTTP surface through nginx: health, the error shape, method and body
// limits, metrics, security headers and the SPA fallback.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MAX_BODY, assertError, health, metricValue, postJson, req } from './lib.mjs';

test('GET /api/v1/health answers 200 with the documented shape', async () => {
  const r = await health();
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(r.json.status, 'ok', r.text);
  assert.deepEqual(r.json.primary, { ok: true });
  assert.ok(Array.isArray(r.json.replicas) && r.json.replicas.length === 1, r.text);
  assert.equal(r.json.replicas[0].ok, true);
  assert.equal(typeof r.json.replicas[0].lag_ms, 'number');
  assert.equal(typeof r.json.version, 'string');
  assert.ok(r.headers.get('x-content-type-options'), 'nginx headers on API replies too');
});

test('an unknown API route is a 404 JSON error', async () => {
  assertError(await req('/api/v1/no-such-thing'), 404, 'not_found');
  assertError(await req('/api/v2/health'), 404, 'not_found');
});

test('a wrong method on an existing route is 405 with Allow', async () => {
  const r = await req('/api/v1/health', { method: 'DELETE' });
  assertError(r, 405, 'method_not_allowed');
  const allow = r.headers.get('allow') || '';
  assert.match(allow, /\bGET\b/, `Allow: ${allow}`);
  assert.doesNotMatch(allow, /\bDELETE\b/);
});

test('POST /api/v1/_echo echoes a JSON body', async () => {
  const body = { a: [1, 'x', null, true], b: { c: '集市' } };
  const r = await postJson('/api/v1/_echo', body);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { echo: body });
});

test('malformed JSON is a 400', async () => {
  assertError(await postJson('/api/v1/_echo', '{"a": [1, 2'), 400, 'bad_request');
  assertError(await postJson('/api/v1/_echo', '{"a": 1} trailing'), 400, 'bad_request');
});

test('JSON nested deeper than max_json_depth is a 400', async () => {
  const deep = '['.repeat(200) + ']'.repeat(200);
  assertError(await postJson('/api/v1/_echo', deep), 400, 'bad_request');
});

test('a body that is not JSON is a 415', async () => {
  const r = await req('/api/v1/_echo', {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain' },
    body: '{"a": 1}',
  });
  assertError(r, 415, 'unsupported_media_type');
});

test('a body over max_body_bytes is a 413 from the app', async () => {
  // nginx lets bodies up to twice the limit through to /api/v1/_echo, so
  // this one is the app's own answer.
  const body = JSON.stringify({ pad: 'x'.repeat(MAX_BODY) });
  assert.ok(body.length > MAX_BODY && body.length < 2 * MAX_BODY);
  assertError(await postJson('/api/v1/_echo', body), 413, 'payload_too_large');
});

test("nginx's own 413 is JSON too", async () => {
  const body = JSON.stringify({ pad: 'x'.repeat(2 * MAX_BODY + 10) });
  assertError(await postJson('/api/v1/_echo', body), 413, 'payload_too_large');
});

test('GET /metrics from loopback is Prometheus text', async () => {
  await req('/api/v1/health');
  const r = await req('/metrics');
  assert.equal(r.status, 200, r.text.slice(0, 200));
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  assert.match(r.text, /^# TYPE jishi_http_requests_total counter$/m);
  assert.match(r.text, /^jishi_http_requests_total\{[^}]*\} \d+/m);
  assert.match(r.text, /^# TYPE jishi_http_request_duration_seconds histogram$/m);
  assert.notEqual(metricValue(r.text, 'jishi_worker_restarts_total'), undefined);
});

test('security headers on /', async () => {
  const r = await req('/');
  assert.equal(r.status, 200);
  const csp = r.headers.get('content-security-policy') || '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/, 'no inline or eval scripts');
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(r.headers.get('referrer-policy'), 'Referrer-Policy');
  assert.match(r.headers.get('cache-control') || '', /no-cache/, 'index.html is revalidated');
});

test('SPA history fallback: a deep link returns index.html', async () => {
  const index = await req('/index.html');
  assert.equal(index.status, 200);
  assert.match(index.text, /<div id="app"|<html/i);
  const deep = await req('/some/deep/link?x=1');
  assert.equal(deep.status, 200);
  assert.match(deep.headers.get('content-type'), /^text\/html/);
  assert.equal(deep.text, index.text);
});

test('hashed assets are cached immutable; a missing one is a 404', async () => {
  const index = await req('/index.html');
  const m = index.text.match(/(?:src|href)="(\/assets\/[^"]+)"/);
  assert.ok(m, 'index.html references /assets/');
  const asset = await req(m[1], { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('cache-control') || '', /immutable/);
  const missing = await req('/assets/does-not-exist-0000.js');
  assert.equal(missing.status, 404);
  assert.doesNotMatch(missing.headers.get('cache-control') || '', /immutable/);
});
