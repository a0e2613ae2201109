// nginx's limit_req on the auth routes answers 429 in the JSON error shape.
// Runs last (file name): it exhausts the zone for 127.0.0.1, then waits for
// it to refill.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertError, postJson, waitFor } from './lib.mjs';

test('a burst of logins is rate limited with a 429 JSON error', { timeout: 60000 }, async () => {
  const results = await Promise.all(Array.from({ length: 80 }, () =>
    postJson('/api/v1/auth/login', { email: 'nobody@example.com', password: 'x' })));
  const limited = results.filter((r) => r.status === 429);
  assert.ok(limited.length > 0, `some 429 among ${results.map((r) => r.status).join(',')}`);
  assertError(limited[0], 429, 'rate_limited');
  assert.ok(limited[0].headers.get('retry-after'), 'Retry-After');
  // Other routes are not limited.
  const other = await postJson('/api/v1/_echo', { a: 1 });
  assert.equal(other.status, 200);
  await waitFor('the limit to lift', async () =>
    (await postJson('/api/v1/auth/login', {})).status !== 429, { timeoutMs: 30000, intervalMs: 500 });
});
