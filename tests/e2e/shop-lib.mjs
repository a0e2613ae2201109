// Helpers for the shop's browser tests (not a test file): the i18n
// messages the pages show, polling with a deadline, demo data on the stack
// under test, a signed-up shopper without going through the UI, and the
// 360 px side-scroll check.
//
// Env: JISHI_BASE_URL; JISHI_BIN + JISHI_VAR to seed an empty stack
// (scripts/test sets them; a scripts/run stack is seeded already);
// JISHI_CTL + JISHI_VAR for SQL (stock changes) and mail files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { url } from './browser.mjs';
import { seedDemo } from '../api/lib.mjs';

export const SEED_DEADLINE_MS = 120000;
export const TITLE = '[data-testid=page-title]';
export const PASSWORD = 'Bright-Lantern-2026';

export const messages = Object.fromEntries(['zh-CN', 'en'].map((code) => [
  code,
  JSON.parse(readFileSync(new URL(`../../frontend/src/i18n/${code}.json`, import.meta.url), 'utf8')),
]));

/** A message with {placeholders} filled in, as vue-i18n shows it. */
export function fill(text, vars = {}) {
  return text.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

export async function apiGet(path) {
  const res = await fetch(url(`/api/v1${path}`), { headers: { Accept: 'application/json' } });
  if (!res.ok) return { status: res.status, body: null };
  return { status: res.status, body: await res.json() };
}

/** Poll `fn` until it returns a truthy value or the deadline passes. */
export async function until(what, fn, deadlineMs = SEED_DEADLINE_MS, intervalMs = 500) {
  const end = Date.now() + deadlineMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs)); // polling interval, not a test sleep
  }
}

export async function seed() {
  const out = await seedDemo();
  if (out) process.stdout.write(`# ${out.split('\n').join('\n# ')}\n`);
}

/**
 * Seed (idempotent), wait for the replica, and pick live products whose
 * name has two CJK characters and an English word and that have at least
 * two SKUs in stock. `skip` leaves out products other test files use.
 */
export async function findProducts(count = 1, { skip = 0 } = {}) {
  await seed();
  const list = await until('products on the replica', async () => {
    const r = await apiGet('/products?in_stock=true&per_page=60&sort=best_selling');
    return r.body && r.body.items.length ? r.body.items : null;
  });
  const found = [];
  let skipped = 0;
  for (const card of list) {
    const r = await apiGet(`/products/${card.slug}`);
    const p = r.body;
    // No SKU on flash sale: these journeys check regular prices (the
    // flash-sale journey sets up its own).
    if (p && p.options.length && p.skus.filter((s) => s.stock_status !== 'out_of_stock').length >= 2
        && !p.skus.some((s) => s.flash_sale)
        && /[\u4e00-\u9fff]{2}/.test(p.name) && /[A-Za-z]{4,}/.test(p.name)) {
      if (skipped < skip) {
        skipped++;
        continue;
      }
      found.push(p);
      if (found.length === count) break;
    }
  }
  assert.equal(found.length, count, `fewer than ${count + skip} products with two SKUs in stock among the best sellers`);
  return found;
}

export function uniqueEmail(tag) {
  return `e2e-${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/**
 * Register a shopper through the browser context's request API, so the
 * page's cookies are that user's (the next page load picks the session
 * up). Returns { email, password, csrf }.
 */
export async function signUp(page, tag, { displayName = 'E2E' } = {}) {
  const email = uniqueEmail(tag);
  const r = await page.request.post(url('/api/v1/auth/register'), {
    data: { email, password: PASSWORD, display_name: displayName },
  });
  assert.equal(r.status(), 201, `register ${email}: ${await r.text()}`);
  const me = await r.json();
  return { email, password: PASSWORD, csrf: me.csrf_token, id: me.user.id };
}

/** An unsafe API call from the page's context with its CSRF token. */
export async function apiWrite(page, csrf, method, path, data) {
  const r = await page.request.fetch(url(`/api/v1${path}`), {
    method, data, headers: { 'X-CSRF-Token': csrf },
  });
  const text = await r.text();
  return { status: r.status(), body: text ? JSON.parse(text) : null, text };
}

export const SHANGHAI = {
  recipient: '张三', phone: '13800138000', country: 'CN', region: '上海', city: '上海市',
  district: '浦东新区', line1: '世纪大道 100 号', postal_code: '200120',
};

export async function noSideScroll(page, where) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth, `${where} at 360 px: content ${scrollWidth} px wider than ${clientWidth} px`);
}

/** Money as the page shows it, formatted by the browser's own Intl. */
export function yuan(page, amount, locale = 'zh-CN') {
  return page.evaluate(([a, l]) => new Intl.NumberFormat(l, {
    style: 'currency', currency: 'CNY', minimumFractionDigits: 2, maximumFractionDigits: 2,
  }).format(a / 100), [amount, locale]);
}

/** Form controls and buttons without an accessible name, as text. */
export function unlabelled(page) {
  return page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('main input, main select, main textarea, main button, header select, header button')) {
      if (el.type === 'hidden') continue;
      const named = (el.labels && el.labels.length && [...el.labels].some((l) => l.textContent.trim()))
        || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.getAttribute('title')
        || (el.tagName === 'BUTTON' && el.textContent.trim());
      if (!named) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  });
}
