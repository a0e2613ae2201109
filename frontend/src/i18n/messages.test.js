// Focus: every locale file carries the same keys as the default one, and
// every error code the API client can produce has a translation.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';

const dir = new URL('./', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]);
}

const base = load('zh-CN.json');
const others = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'zh-CN.json');

describe('locale files', () => {
  it('include English', () => {
    expect(others).toContain('en.json');
  });

  for (const file of others) {
    it(`${file} has exactly the keys of zh-CN.json`, () => {
      expect(keys(load(file)).sort()).toEqual(keys(base).sort());
    });
  }

  it('translate every health status and client-side error code', () => {
    for (const s of ['ok', 'degraded', 'down', 'unknown']) {
      expect(base.health.status[s]).toBeTruthy();
    }
    for (const code of ['network_error', 'timeout', 'unavailable', 'server_error', 'bad_response', 'unknown']) {
      expect(base.errors[code]).toBeTruthy();
    }
  });
});

describe('keys used in the code', () => {
  // Every literal t('a.b') / te('a.b') key in src/ exists in zh-CN.json
  // (and so, by the test above, in every locale). Keys built at run time
  // (`orders.status.${s}`) are checked where they are built.
  const src = new URL('../', import.meta.url);
  const files = readdirSync(src, { recursive: true })
    .filter((f) => /\.(vue|js)$/.test(f) && !f.endsWith('.test.js'));
  const all = new Set(keys(base));
  const used = new Map();
  for (const f of files) {
    const text = readFileSync(new URL(f, src), 'utf8');
    for (const m of text.matchAll(/\bte?\(\s*'([a-zA-Z][\w.]*)'/g)) {
      if (!used.has(m[1])) used.set(m[1], f);
    }
  }

  it('finds the keys it checks', () => {
    expect(used.size).toBeGreaterThan(100);
  });

  it('are all translated', () => {
    const missing = [...used].filter(([k]) => !all.has(k)).map(([k, f]) => `${k} (${f})`);
    expect(missing).toEqual([]);
  });

  it('cover every dynamic family the pages build', () => {
    for (const s of ['pending_payment', 'paid', 'shipped', 'delivered', 'completed', 'cancelled', 'refund_requested', 'refunded']) {
      expect(base.orders.status[s]).toBeTruthy();
    }
    for (const m of ['standard', 'express']) expect(base.checkout.ship[m]).toBeTruthy();
    for (const m of ['cod', 'sandbox']) expect(base.checkout.methods[m]).toBeTruthy();
    for (const w of ['price_changed', 'stock_short', 'unavailable']) expect(base.cart.warnings[w]).toBeTruthy();
  });
});
