// Focus: the admin console's merchants page, in the browser.
// - A shopper who opens /admin/merchants is told it is not for them (403).
// - Platform staff (an admin made with `jishi-fcgi create-admin`) sign in,
//   find a new application under "pending", approve it; suspend it with a
//   reason (not without one), which the audit log keeps and which takes
//   its products out of the shop; approve it again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot, startBrowser, url } from './browser.mjs';
import { messages, noSideScroll, signUp, unlabelled } from './shop-lib.mjs';
import { applyMerchant, createAdmin, registerUser } from '../api/accounts-lib.mjs';

const zh = messages['zh-CN'];
let browser;
let admin;
let merchant;

before(async () => {
  browser = await startBrowser();
  admin = await createAdmin();
  const owner = await registerUser('e2e-admin-shop');
  merchant = await applyMerchant(owner.client, `E2E 审核店铺 ${Date.now()}`);
});

after(async () => {
  await browser?.close();
});

test('a shopper is told the merchants page is not for them', async () => {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  await signUp(page, 'not-admin');
  await page.goto(url('/admin/merchants'), { waitUntil: 'domcontentloaded' });
  const alert = page.locator('[role=alert]').first();
  await alert.waitFor();
  assert.ok((await alert.textContent()).includes(zh.errors.forbidden), await alert.textContent());
  assert.equal(await page.locator('[data-testid=admin-merchant]').count(), 0);
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

test('staff approve an application, suspend the shop with a reason, and approve it again', async () => {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  await page.goto(url('/login?next=%2Fadmin%2Fmerchants%3Fstatus%3Dpending'), { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid=email]').fill(admin.email);
  await page.locator('[data-testid=password]').fill(admin.password);
  await page.locator('[data-testid=auth-submit]').click();
  await page.waitForURL(/\/admin\/merchants\?status=pending$/);
  const row = page.locator(`[data-testid=admin-merchant][data-merchant="${merchant.id}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'pending');
  await screenshot(page, 'admin-01-pending');

  await row.locator('[data-testid=merchant-approve]').click();
  await page.locator(`[data-testid=admin-merchant][data-merchant="${merchant.id}"][data-status=active]`).waitFor();

  // Suspend: a reason is required.
  await row.locator('[data-testid=merchant-suspend]').click();
  await row.locator('[data-testid=suspend-form]').waitFor();
  assert.equal(await row.locator('[data-testid=suspend-confirm]').isDisabled(), true, 'not without a reason');
  const reason = `仿冒商品投诉 counterfeit report ${merchant.id}`;
  await row.locator('[data-testid=suspend-reason]').fill(reason);
  assert.deepEqual(await unlabelled(page), []);
  await row.locator('[data-testid=suspend-confirm]').click();
  await page.locator(`[data-testid=admin-merchant][data-merchant="${merchant.id}"][data-status=suspended]`).waitFor();
  assert.equal((await row.locator('[data-testid=merchant-status]').textContent()).trim(), zh.merchant.shopStatus.suspended);
  await screenshot(page, 'admin-02-suspended');

  // The audit log keeps who and why.
  const audit = await admin.client.get('/api/v1/admin/audit-log?action=merchant.suspend');
  const entry = audit.json.items.find((i) => Number(i.object_id) === merchant.id);
  assert.ok(entry, `a merchant.suspend audit row: ${audit.text}`);
  assert.equal(entry.summary.reason, reason);

  // Approved again.
  await row.locator('[data-testid=merchant-approve]').click();
  await page.locator(`[data-testid=admin-merchant][data-merchant="${merchant.id}"][data-status=active]`).waitFor();

  await page.setViewportSize({ width: 360, height: 740 });
  await noSideScroll(page, 'the merchants page');
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});
