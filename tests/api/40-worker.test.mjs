// Fault: a worker is killed with SIGKILL while requests are in flight.
// The master notices, forks a replacement, and later requests succeed.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { alive, childrenOf, masterPid, metricValue, req, waitFor } from './lib.mjs';

test('kill -9 of a worker under load: respawned, requests succeed', { timeout: 120000 }, async () => {
  const master = masterPid();
  const before = childrenOf(master);
  assert.ok(before.length >= 2, `at least two workers (got ${before})`);
  const restartsBefore = metricValue((await req('/metrics')).text, 'jishi_worker_restarts_total');
  assert.notEqual(restartsBefore, undefined, 'jishi_worker_restarts_total exported');

  // Load: 8 concurrent clients until told to stop (bounded by count too).
  let stop = false;
  const statuses = new Map();
  const client = async () => {
    for (let i = 0; i < 5000 && !stop; i++) {
      let s;
      try {
        s = (await req('/api/v1/ping', { timeoutMs: 10000 })).status;
      } catch {
        s = 'error';
      }
      statuses.set(s, (statuses.get(s) || 0) + 1);
    }
  };
  const load = Array.from({ length: 8 }, client);
  try {
    await waitFor('load to run', () => (statuses.get(200) || 0) >= 50, { timeoutMs: 20000 });
    const victim = before[0];
    process.kill(victim, 'SIGKILL');
    await waitFor(`worker ${victim} to die`, () => !alive(victim), { timeoutMs: 10000 });
    const after = await waitFor('a new worker to appear', () => {
      const now = childrenOf(master);
      return now.length === before.length && now.some((p) => !before.includes(p)) ? now : false;
    }, { timeoutMs: 15000 });
    assert.ok(!after.includes(victim));
    const served = statuses.get(200) || 0;
    await waitFor('load to continue after the respawn',
      () => (statuses.get(200) || 0) >= served + 50, { timeoutMs: 20000 });
  } finally {
    stop = true;
    await Promise.all(load);
  }
  assert.equal(masterPid(), master, 'the master survived');
  const ok = statuses.get(200) || 0;
  const bad = [...statuses].filter(([s]) => s !== 200).reduce((n, [, c]) => n + c, 0);
  assert.ok(bad <= 8, `at most the requests in flight failed: ${JSON.stringify([...statuses])}`);
  assert.ok(ok > 100, `requests served under load: ${ok}`);
  for (let i = 0; i < 20; i++) {
    const h = await req('/api/v1/health');
    assert.equal(h.status, 200, h.text);
  }
  const restartsAfter = metricValue((await req('/metrics')).text, 'jishi_worker_restarts_total');
  assert.ok(restartsAfter >= restartsBefore + 1, `restarts ${restartsBefore} -> ${restartsAfter}`);
});
