// Fault: the primary stops. Requests that need it get a 503 JSON error;
// after it restarts they succeed again, served by the same workers.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertReplicaCaughtUp, assertError, childrenOf, ctl, health, masterPid, req, waitFor } from './lib.mjs';

test('primary down: 503 JSON, then recovery without restarting workers', { timeout: 240000 }, async () => {
  const master = masterPid();
  const workers = childrenOf(master);
  assert.ok(workers.length > 0, 'workers running');
  const before = await health();
  assert.equal(before.status, 200, before.text);

  await ctl('stop', 'primary');
  try {
    const down = await waitFor('health to answer 503', async () => {
      const h = await health();
      return h.status === 503 ? h : false;
    }, { timeoutMs: 20000 });
    assert.match(down.headers.get('content-type'), /^application\/json/);
    assert.equal(down.json.status, 'down', down.text);
    assert.equal(down.json.primary.ok, false);
    // Each worker caches the primary's state for up to a second: wait
    // until every worker agrees, then it must stay that way.
    await waitFor('every worker to answer 503', async () => {
      for (let i = 0; i < 12; i++) if ((await health()).status !== 503) return false;
      return true;
    }, { timeoutMs: 20000 });
    for (let i = 0; i < 10; i++) {
      const h = await health();
      assert.equal(h.status, 503, 'stays unavailable while the primary is down');
      assert.match(h.headers.get('content-type'), /^application\/json/);
      assert.equal(h.json.status, 'down');
    }
    // Anything that needs the primary is a 503 in the error shape; an
    // unknown route still needs no database.
    assertError(await req('/api/v1/no-such-route'), 404, 'not_found');
  } finally {
    await ctl('start', 'primary');
    await waitFor('every worker to answer 200 again', async () => {
      for (let i = 0; i < 12; i++) if ((await health()).status !== 200) return false;
      return true;
    }, { timeoutMs: 60000 });
    // Replication resumes by itself: health returns to ok.
    await waitFor('health to say ok', async () => {
      const h = await health();
      return h.json?.status === 'ok' ? h : false;
    }, { timeoutMs: 60000 });
  }
  // The replica reconnects to the restarted primary by itself.
  await assertReplicaCaughtUp();
  for (let i = 0; i < 10; i++) assert.equal((await health()).status, 200);
  assert.equal(masterPid(), master, 'same master');
  assert.deepEqual(childrenOf(master), workers, 'same workers: none restarted');
});
