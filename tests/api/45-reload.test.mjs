// SIGHUP under load: the master starts a new generation of workers, the
// old ones finish what they hold and exit, and no request is dropped.
// Recycling: a worker exits after max_requests and is replaced at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { alive, childrenOf, masterPid, req, waitFor } from './lib.mjs';

async function underLoad(fn) {
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
    await fn(statuses);
  } finally {
    stop = true;
    await Promise.all(load);
  }
  return statuses;
}

test('SIGHUP rolls every worker without dropping a request', { timeout: 120000 }, async () => {
  const master = masterPid();
  const before = childrenOf(master);
  assert.ok(before.length >= 2, `workers before: ${before}`);
  const statuses = await underLoad(async (st) => {
    process.kill(master, 'SIGHUP');
    await waitFor('every old child to exit', () => before.every((p) => !alive(p)),
      { timeoutMs: 30000 });
    const served = st.get(200) || 0;
    await waitFor('load to go on with the new generation',
      () => (st.get(200) || 0) >= served + 50, { timeoutMs: 20000 });
  });
  const after = childrenOf(master);
  assert.equal(after.length, before.length, `same number of children: ${after}`);
  assert.ok(after.every((p) => !before.includes(p)), `all new: ${before} -> ${after}`);
  const bad = [...statuses].filter(([s]) => s !== 200);
  assert.deepEqual(bad, [], `no request failed: ${JSON.stringify([...statuses])}`);
  assert.equal(masterPid(), master, 'the master itself kept running');
});
