// The shop's front-end performance report, printed (never asserted):
//
// 1. Sizes, gzipped (level 9), from dist/ and its Vite manifest
//    (dist/.vite/manifest.json): the JS and CSS index.html loads up front
//    (entry + its static imports; budget 80 kB gzip for the JS), then per
//    area what its lazy routes add on top (shop routes, the account area,
//    the merchant dashboard, the admin console, the English messages);
//    shared chunks are counted once per area.
// 2. Timings from headless Chromium on loopback, for the home page, a
//    category listing and a product page, each loaded RUNS times in a
//    fresh browser context (cold HTTP cache, no service worker), median
//    reported. No CPU or network throttling: this is the stack's own
//    speed on this machine, for comparing runs, not a field metric.
//      FCP    performance.getEntriesByType('paint') first-contentful-paint.
//      DCL    navigation timing domContentLoadedEventEnd.
//      load   navigation timing loadEventEnd.
//      ready  when the page's own content is in the DOM (the SPA renders
//             after its API calls): a MutationObserver installed before any
//             script runs notes performance.now() when the page's marker
//             element first appears (products on home/listing, the
//             add-to-cart button on a product).
//      TTI~   a time-to-interactive proxy: the end of the last long task
//             (>= 50 ms, PerformanceObserver 'longtask', observed from
//             before the first script) that ends before a quiet window of
//             QUIET_MS with no long task, and never earlier than DCL or
//             ready. Lighthouse's TTI also waits for network quiet; with
//             the API on loopback, "ready" stands in for that.
//      LT     number of long tasks and their total time over 50 ms (TBT-like).
//
// Usage: node tools/perf-report.mjs [--base URL] [--runs N]
// Env:   JISHI_BASE_URL (when --base is absent; without either, sizes
//        only), JISHI_CHROMIUM (/usr/bin/chromium), PERF_RUNS (3),
//        PERF_BUDGET_KB (80). playwright-core is taken from tests/.
// Exit status: 0 unless the report could not be made (no dist/).
/* global window, document, MutationObserver -- instrument() and the evaluate callbacks run in the page */
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';

const argv = process.argv.slice(2);
const arg = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const BASE = (arg('base') || process.env.JISHI_BASE_URL || '').replace(/\/+$/, '');
const RUNS = Number(arg('runs') || process.env.PERF_RUNS) || 3;
const BUDGET_KB = Number(process.env.PERF_BUDGET_KB) || 80;
const QUIET_MS = 1000;
const dist = new URL('../dist/', import.meta.url);

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
const gz = (file) => gzipSync(readFileSync(new URL(file, dist)), { level: 9 }).length;

// ------------------------------------------------------------ sizes

function sizes() {
  const mf = new URL('.vite/manifest.json', dist);
  if (!existsSync(mf)) {
    console.error(`perf-report: ${mf.pathname} is missing (run npm run build)`);
    process.exit(1);
  }
  const manifest = JSON.parse(readFileSync(mf, 'utf8'));
  const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
  /** The chunk keys a chunk loads statically, itself included. */
  const closure = (key, seen = new Set()) => {
    if (seen.has(key) || !manifest[key]) return seen;
    seen.add(key);
    for (const k of manifest[key].imports || []) closure(k, seen);
    return seen;
  };
  const initial = closure(entryKey);
  const jsOf = (keys) => [...keys].map((k) => manifest[k].file).filter((f) => f.endsWith('.js'));
  const cssOf = (keys) => [...new Set([...keys].flatMap((k) => manifest[k].css || []))];
  const sum = (files) => files.reduce((n, f) => n + gz(f), 0);

  const initialJs = sum(jsOf(initial));
  const initialCss = sum(cssOf(initial));
  console.log('front-end sizes (gzip -9), from dist/.vite/manifest.json:');
  console.log(`  initial JS   ${kb(initialJs).padStart(9)}  (${jsOf(initial).join(', ')})  budget ${BUDGET_KB} kB: ${initialJs / 1024 <= BUDGET_KB ? 'PASS' : 'OVER'}`);
  console.log(`  initial CSS  ${kb(initialCss).padStart(9)}  (${cssOf(initial).join(', ') || 'none'})`);

  const areaOf = (src) => {
    if (src.startsWith('src/merchant/')) return 'merchant dashboard';
    if (src.startsWith('src/admin/')) return 'admin console';
    if (src.startsWith('src/shop/account/')) return 'shop: account area';
    if (src.startsWith('src/i18n/')) return 'messages (en)';
    return 'shop: pages';
  };
  const areas = new Map();
  const routes = [];
  for (const [key, c] of Object.entries(manifest)) {
    if (!c.isDynamicEntry) continue;
    const own = [...closure(key)].filter((k) => !initial.has(k));
    const area = areaOf(c.src || key);
    if (!areas.has(area)) areas.set(area, new Set());
    for (const k of own) areas.get(area).add(k);
    routes.push({ name: c.name, area, js: sum(jsOf(own)), css: sum(cssOf(own)) });
  }
  console.log('  lazy, on top of the initial load (shared chunks once per area):');
  for (const [area, keys] of [...areas].sort()) {
    console.log(`    ${area.padEnd(22)} ${kb(sum(jsOf(keys))).padStart(9)} JS ${kb(sum(cssOf(keys))).padStart(8)} CSS  (${keys.size} chunks)`);
  }
  console.log('  per route (its chunk and the chunks it imports, not in the initial load):');
  for (const r of routes.sort((a, b) => b.js - a.js)) {
    console.log(`    ${r.name.padEnd(22)} ${kb(r.js).padStart(9)} JS  [${r.area}]`);
  }
  const home = routes.find((r) => r.name === 'ShopHome');
  if (home) console.log(`  home page total JS: ${kb(initialJs + home.js)} (initial + ShopHome route)`);
}

// ------------------------------------------------------------ timings

async function api(p) {
  const res = await fetch(`${BASE}/api/v1${p}`, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${p}: ${res.status}`);
  return res.json();
}

/** The pages to time: home, the biggest top category's listing, a product. */
async function targets() {
  const out = [{ name: 'home', path: '/', marker: '[data-testid=home-newest] [data-testid=product-card]' }];
  try {
    const cats = await api('/categories');
    const top = (cats.items || [])[0];
    if (top) out.push({ name: 'listing', path: `/search?category=${encodeURIComponent(top.slug)}`, marker: '[data-testid=results] [data-testid=product-card]' });
    const list = await api('/products?per_page=1&sort=best_selling');
    if (list.items && list.items[0]) out.push({ name: 'product', path: `/p/${list.items[0].slug}`, marker: '[data-testid=add-to-cart]' });
  } catch (err) {
    console.log(`  (catalog unavailable, home only: ${err.message})`);
  }
  return out;
}

// Runs in the page before any of its scripts: long tasks and the moment
// the page's marker element first appears.
function instrument(marker) {
  window.__perf = { longtasks: [], ready: null };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__perf.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no long-task support: TTI~ falls back to DCL/ready
  }
  const check = () => {
    if (window.__perf.ready === null && document.querySelector(marker)) {
      window.__perf.ready = performance.now();
      return true;
    }
    return false;
  };
  new MutationObserver((_, obs) => { if (check()) obs.disconnect(); })
    .observe(document, { childList: true, subtree: true });
}

async function measure(browser, t) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  try {
    const page = await context.newPage();
    await page.addInitScript(instrument, t.marker);
    await page.goto(BASE + t.path, { waitUntil: 'load', timeout: 30000 });
    await page.waitForFunction(() => window.__perf.ready !== null, null, { timeout: 30000 });
    // Wait for a quiet window after ready: no long task for QUIET_MS.
    await page.waitForFunction((quiet) => {
      const lt = window.__perf.longtasks;
      const lastEnd = lt.length ? Math.max(...lt.map(([s, d]) => s + d)) : 0;
      return performance.now() - Math.max(lastEnd, window.__perf.ready) >= quiet;
    }, QUIET_MS, { timeout: 30000, polling: 100 });
    return await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
      const lt = window.__perf.longtasks;
      const lastEnd = lt.length ? Math.max(...lt.map(([s, d]) => s + d)) : 0;
      const dcl = nav ? nav.domContentLoadedEventEnd : 0;
      return {
        fcp: fcp ? fcp.startTime : NaN,
        dcl,
        load: nav ? nav.loadEventEnd : NaN,
        ready: window.__perf.ready,
        tti: Math.max(dcl, window.__perf.ready, lastEnd),
        ltCount: lt.length,
        ltBlocking: lt.reduce((n, [, d]) => n + Math.max(0, d - 50), 0),
        transferred: performance.getEntriesByType('resource').concat(nav ? [nav] : [])
          .reduce((n, e) => n + (e.transferSize || 0), 0),
      };
    });
  } finally {
    await context.close();
  }
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const ms = (x) => (Number.isFinite(x) ? `${Math.round(x)}` : '-');

async function timings() {
  const require = createRequire(new URL('../../tests/package.json', import.meta.url));
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    console.log('timings skipped: playwright-core is not installed in tests/ (npm ci there)');
    return;
  }
  const executablePath = process.env.JISHI_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    console.log(`timings skipped: no browser at ${executablePath}`);
    return;
  }
  // launch() runs in a temporary profile of its own, removed on close.
  const browser = await chromium.launch({
    executablePath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const pages = await targets();
    console.log('');
    console.log(`front-end timings, headless Chromium on loopback (${BASE}), median of ${RUNS} cold loads, ms:`);
    console.log(`  ${'page'.padEnd(8)} ${'FCP'.padStart(6)} ${'DCL'.padStart(6)} ${'load'.padStart(6)} ${'ready'.padStart(6)} ${'TTI~'.padStart(6)} ${'LT'.padStart(4)} ${'LT>50'.padStart(6)} ${'kB'.padStart(7)}  path`);
    for (const t of pages) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, t));
      const m = (k) => median(runs.map((r) => r[k]));
      console.log(`  ${t.name.padEnd(8)} ${ms(m('fcp')).padStart(6)} ${ms(m('dcl')).padStart(6)} ${ms(m('load')).padStart(6)} ${ms(m('ready')).padStart(6)} ${ms(m('tti')).padStart(6)} ${String(m('ltCount')).padStart(4)} ${ms(m('ltBlocking')).padStart(6)} ${(m('transferred') / 1024).toFixed(1).padStart(7)}  ${t.path}`);
    }
    console.log(`  FCP first contentful paint; DCL/load navigation timing; ready = page content in the DOM; TTI~ = max(DCL, ready, end of the last long task before ${QUIET_MS} ms without one); LT long tasks (count, ms over 50); kB transferred.`);
  } finally {
    await browser.close();
  }
}

sizes();
if (BASE) {
  await timings();
} else {
  console.log('timings skipped: no --base URL or JISHI_BASE_URL');
}
