// Focus: the SPA shell served by the real stack — the shop home shows the
// platform health from /api/v1/health, the language switch changes the UI,
// /merchant and /admin deep links load through the history fallback, and a
// 360 px phone screen needs no horizontal scrolling.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { screenshot, startBrowser, url, waitForText } from './browser.mjs';

const HEALTH = '[data-testid=health-status]';
const TITLE = '[data-testid=page-title]';

const messages = Object.fromEntries(['zh-CN', 'en'].map((code) => [
  code,
  JSON.parse(readFileSync(new URL(`../../frontend/src/i18n/${code}.json`, import.meta.url), 'utf8')),
]));

let browser;

before(async () => {
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
});

/** Open `path` in a new page and check the server answered 200 with HTML. */
async function open(path) {
  const page = await browser.newPage();
  const res = await page.goto(url(path), { waitUntil: 'domcontentloaded' });
  assert.ok(res, `no response for ${path}`);
  assert.equal(res.status(), 200, `${path} answered ${res.status()}`);
  assert.match(res.headers()['content-type'] || '', /text\/html/, `${path} is not HTML`);
  return page;
}

/** The UI language the page is showing, from <html lang>. */
const pageLocale = (page) => page.evaluate(() => document.documentElement.lang);

async function titleText(page) {
  await page.locator(TITLE).waitFor();
  return (await page.locator(TITLE).textContent()).trim();
}

test('shop home shows the platform health as ok', async () => {
  const page = await open('/');
  await waitForText(page, HEALTH, 'ok');
  const locale = await pageLocale(page);
  assert.equal(locale, 'zh-CN', 'default language is zh-CN');
  assert.equal(await titleText(page), messages['zh-CN'].shop.title);
  // The translated label sits beside the raw status word.
  const line = await page.locator(HEALTH).locator('..').textContent();
  assert.ok(line.includes(messages['zh-CN'].health.status.ok), `status line: ${line}`);
  await screenshot(page, 'shell-home');
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

test('language switch changes the visible text and is remembered', async () => {
  const page = await open('/');
  await waitForText(page, HEALTH, 'ok');
  const before = await titleText(page);

  await page.locator('[data-testid=locale-select]').selectOption('en');
  await waitForText(page, TITLE, messages.en.shop.title);
  assert.notEqual(before, messages.en.shop.title);
  assert.equal(await pageLocale(page), 'en');
  assert.ok((await page.title()).includes(messages.en.app.name), 'document title follows the language');
  await screenshot(page, 'shell-home-en');

  await page.reload({ waitUntil: 'domcontentloaded' });
  await waitForText(page, TITLE, messages.en.shop.title);

  // Back to the default so later tests start from it.
  await page.locator('[data-testid=locale-select]').selectOption('zh-CN');
  await waitForText(page, TITLE, messages['zh-CN'].shop.title);
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

for (const area of ['merchant', 'admin']) {
  test(`/${area} deep link renders its area`, async () => {
    const page = await open(`/${area}`);
    const locale = await pageLocale(page);
    assert.ok(messages[locale], `unexpected page language '${locale}'`);
    await waitForText(page, TITLE, messages[locale][area].title);
    await waitForText(page, HEALTH, 'ok');
    await screenshot(page, `shell-${area}`);
    assert.deepEqual(page.jishiErrors, []);
    await page.close();
  });
}

test('no horizontal scrolling on a 360 px wide screen', async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 360, height: 740 });
  for (const path of ['/', '/merchant', '/admin']) {
    const res = await page.goto(url(path), { waitUntil: 'domcontentloaded' });
    assert.equal(res.status(), 200, `${path} answered ${res.status()}`);
    await waitForText(page, HEALTH, 'ok');
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    assert.ok(scrollWidth <= clientWidth,
      `${path} at 360 px: content ${scrollWidth} px wider than viewport ${clientWidth} px`);
  }
  await page.goto(url('/'), { waitUntil: 'domcontentloaded' });
  await waitForText(page, HEALTH, 'ok');
  await screenshot(page, 'shell-home-360');
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});
