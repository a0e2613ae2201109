// Browser harness for the e2e tests: Debian's /usr/bin/chromium driven by
// playwright-core (no downloaded browser), headless, in a fresh temporary
// profile that is removed on close.
//
// Environment:
//   JISHI_BASE_URL   required; the stack under test, e.g. http://127.0.0.1:18080
//   JISHI_TEST_OUT   where artefacts go (default ./var-test-out); screenshots
//                    are written to $JISHI_TEST_OUT/e2e/<name>.png
//   JISHI_CHROMIUM   browser binary (default /usr/bin/chromium)
//   JISHI_E2E_TIMEOUT_MS  how long a wait may take (default 15000)
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const TIMEOUT_MS = Number(process.env.JISHI_E2E_TIMEOUT_MS) || 15000;

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The base URL of the stack under test, without a trailing slash. */
export function baseUrl() {
  const raw = process.env.JISHI_BASE_URL;
  if (!raw) {
    throw new Error('JISHI_BASE_URL is not set: the e2e tests need the URL of a '
      + 'running stack (scripts/test sets it), e.g. JISHI_BASE_URL=http://127.0.0.1:18080');
  }
  let u;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`JISHI_BASE_URL '${raw}' is not a URL`);
  }
  return u.href.replace(/\/+$/, '');
}

/** Absolute URL for a path on the stack under test. */
export function url(p = '/') {
  return baseUrl() + (p.startsWith('/') ? p : `/${p}`);
}

export function outDir() {
  return path.resolve(process.env.JISHI_TEST_OUT || './var-test-out', 'e2e');
}

/**
 * Launch chromium with a fresh profile. Returns { context, newPage, close }.
 * Every page opened through newPage() records uncaught page errors and
 * console errors (other than HTTP error statuses) in page.jishiErrors, for
 * tests to assert on.
 */
export async function startBrowser({ viewport = { width: 1280, height: 800 } } = {}) {
  baseUrl(); // fail before launching anything when the stack is unknown
  const executablePath = process.env.JISHI_CHROMIUM || '/usr/bin/chromium';
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'jishi-e2e-profile-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
      locale: 'zh-CN',
      timeout: 60000,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new Error(`cannot launch '${executablePath}': ${err.message}`);
  }
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);

  async function newPage() {
    const page = await context.newPage();
    page.jishiErrors = [];
    page.on('pageerror', (err) => page.jishiErrors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      // An HTTP error status is logged by chromium as "Failed to load
      // resource"; tests check statuses themselves, so that is not an error.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
        page.jishiErrors.push(`console: ${msg.text()}`);
      }
    });
    return page;
  }

  async function close() {
    try {
      await context.close();
    } finally {
      await rm(userDataDir, { recursive: true, force: true });
    }
  }

  return { context, newPage, close };
}

/** Save a full-page screenshot as $JISHI_TEST_OUT/e2e/<name>.png. */
export async function screenshot(page, name) {
  const dir = outDir();
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Wait until the trimmed text of the first element matching `selector`
 * equals `expected`; on timeout, fail with what the element showed instead.
 */
export async function waitForText(page, selector, expected, timeout = TIMEOUT_MS) {
  try {
    await page.waitForFunction(
      ([sel, want]) => {
        const el = document.querySelector(sel);
        return !!el && el.textContent.trim() === want;
      },
      [selector, expected],
      { timeout },
    );
  } catch (err) {
    const actual = await page.evaluate((sel) => {
      const el = document.querySelector(sel);
      return el ? JSON.stringify(el.textContent.trim()) : 'no such element';
    }, selector).catch(() => 'page gone');
    throw new Error(`waiting for ${selector} to read ${JSON.stringify(expected)}: `
      + `got ${actual} after ${timeout} ms (${err.message.split('\n')[0]})`);
  }
}
