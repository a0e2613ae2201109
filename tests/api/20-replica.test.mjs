// Fault: the replica stops. Reads go to the primary, health says
// "degraded" (still 200); after the replica restarts health is "ok" again.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertReplicaCaughtUp, ctl, health, req, waitFor } from './lib.mjs';

test('replica down: reads still succeed, health degraded, then ok again', { timeout: 240000 }, async () => {
  const before = await health();
  assert.equal(before.json?.status, 'ok', before.text);
  await assertReplicaCaughtUp();
  await ctl('stop', 'replica');
  try {
    const r = await waitFor('health to say degraded', async () => {
      const h = await health();
      return h.status === 200 && h.json?.status === 'degraded' ? h : false;
    }, { timeoutMs: 20000 });
    assert.equal(r.json.primary.ok, true);
    assert.equal(r.json.replicas[0].ok, false);
    // Reads keep working while the replica is away.
    for (let i = 0; i < 20; i++) {
      const h = await health();
      assert.equal(h.status, 200, h.text);
      assert.equal(h.json.status, 'degraded');
    }
    const cat = await req('/api/v1/categories');
    if (cat.status !== 404) assert.equal(cat.status, 200, cat.text.slice(0, 200));
  } finally {
    await ctl('start', 'replica');
    await waitFor('health to say ok', async () => {
      const h = await health();
      return h.status === 200 && h.json?.status === 'ok' && h.json.replicas[0].ok ? h : false;
    }, { timeoutMs: 60000 });
  }
  await assertReplicaCaughtUp();
});
