// Focus: the account area on the real stack, as a shopper uses it —
// addresses added (by keyboard), edited, made default and deleted; the
// password changed; personal data downloaded as JSON; signing out; a
// forgotten password reset through the link the back end mails (read from
// the outbox's mail files); the account deleted with its password. Every
// control on these pages has a label; at 360 px none scrolls sideways;
// the language switch works there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { TIMEOUT_MS, screenshot, startBrowser, url, waitForText } from './browser.mjs';
import {
  PASSWORD, SHANGHAI, TITLE, fill, messages, noSideScroll, seed, signUp, unlabelled, until,
} from './shop-lib.mjs';
import { mailsTo } from '../api/accounts-lib.mjs';

const zh = messages['zh-CN'];
const en = messages.en;
const NEW_PASSWORD = 'Quiet-Harbour-Lights-77';
const RESET_PASSWORD = 'Amber-Window-Seasons-31';
let browser;

before(async () => {
  await seed();
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
});

async function fillAddress(page, values) {
  const form = page.locator('[data-testid=address-form]');
  for (const [f, v] of Object.entries(values)) {
    await form.getByLabel(zh.address[f]).fill(v);
  }
  return form;
}

test('addresses: add by keyboard, edit, make default, delete', async () => {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  await signUp(page, 'addr');
  await page.goto(url('/account/addresses'), { waitUntil: 'domcontentloaded' });
  await waitForText(page, TITLE, zh.account.addresses);
  await page.locator('[data-testid=addresses-empty]').waitFor();
  assert.deepEqual(await unlabelled(page), []);

  // Add the first address with the keyboard only.
  await page.locator('[data-testid=add-address]').focus();
  await page.keyboard.press('Enter');
  const form = page.locator('[data-testid=address-form]');
  await form.waitFor();
  assert.deepEqual(await unlabelled(page), []);
  await form.getByLabel(zh.address.recipient).focus();
  for (const f of ['recipient', 'phone']) {
    await page.keyboard.type(SHANGHAI[f]);
    await page.keyboard.press('Tab');
  }
  // country is pre-filled (CN): Tab on; then region, city, district, line1.
  await page.keyboard.press('Tab');
  for (const f of ['region', 'city', 'district', 'line1']) {
    await page.keyboard.type(SHANGHAI[f]);
    await page.keyboard.press('Tab');
  }
  await form.getByLabel(zh.address.postal_code).focus();
  await page.keyboard.type(SHANGHAI.postal_code);
  await screenshot(page, 'account-01-address-form');
  await page.keyboard.press('Enter'); // submits the form
  await page.locator('[data-testid=address-row]').first().waitFor();
  await waitForText(page, '[data-testid=address-notice]', zh.account.addressAdded);
  assert.equal(await page.locator('[data-testid=address-row]').count(), 1);
  assert.equal(await page.locator('[data-testid=address-row]').getAttribute('data-default'), 'true');

  // A second one, then edit its city.
  await page.locator('[data-testid=add-address]').click();
  await fillAddress(page, { recipient: '李四', phone: '13900000000', city: '北京市', line1: '长安街 1 号' });
  await page.locator('[data-testid=save-address]').click();
  await until('two addresses', async () => (await page.locator('[data-testid=address-row]').count()) === 2, TIMEOUT_MS, 100);
  const second = page.locator('[data-testid=address-row][data-default=false]');
  assert.ok((await second.textContent()).includes('北京市'));
  await second.locator('[data-testid=address-edit]').click();
  const edit = page.locator('[data-testid=address-row] [data-testid=address-form]');
  await edit.getByLabel(zh.address.city).fill('杭州市');
  await edit.getByLabel(zh.address.region).fill('浙江');
  await screenshot(page, 'account-02-address-edit');
  await edit.locator('[data-testid=save-address]').click();
  await waitForText(page, '[data-testid=address-notice]', zh.account.addressSaved);
  await page.locator('[data-testid=address-row][data-default=false]', { hasText: '杭州市' }).waitFor();

  // Make it the default: it moves first, the other loses the flag.
  await page.locator('[data-testid=address-row][data-default=false] [data-testid=address-make-default]').click();
  await page.locator('[data-testid=address-row][data-default=true]', { hasText: '杭州市' }).waitFor();
  assert.ok((await page.locator('[data-testid=address-row]').first().textContent()).includes('杭州市'));

  // Delete the Shanghai one (asked first).
  const shanghai = page.locator('[data-testid=address-row]', { hasText: '上海市' });
  await shanghai.locator('[data-testid=address-delete]').click();
  await shanghai.locator('[data-testid=address-delete-confirm]').waitFor();
  await screenshot(page, 'account-03-address-delete-question');
  await shanghai.locator('[data-testid=address-delete-confirm]').click();
  await waitForText(page, '[data-testid=address-notice]', zh.account.addressDeleted);
  await until('one address', async () => (await page.locator('[data-testid=address-row]').count()) === 1, TIMEOUT_MS, 100);
  const left = await (await page.request.get(url('/api/v1/me/addresses'))).json();
  assert.deepEqual(left.items.map((a) => [a.city, a.region, a.is_default]), [['杭州市', '浙江', true]]);
  await screenshot(page, 'account-04-addresses');

  // The language switch: the page's title and buttons follow.
  await page.locator('[data-testid=locale-select]').selectOption('en');
  await waitForText(page, TITLE, en.account.addresses);
  await waitForText(page, '[data-testid=add-address]', en.checkout.addAddress);
  await screenshot(page, 'account-05-addresses-en');
  await page.locator('[data-testid=locale-select]').selectOption('zh-CN');
  await waitForText(page, TITLE, zh.account.addresses);
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});

test('password change, data export, sign out, password reset by mail, account deletion', async () => {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  const who = await signUp(page, 'acct');

  // Overview.
  await page.goto(url('/account'), { waitUntil: 'domcontentloaded' });
  await waitForText(page, TITLE, zh.account.title);
  await page.getByText(fill(zh.account.signedInAs, { email: who.email })).waitFor();
  assert.deepEqual(await unlabelled(page), []);

  // Change the password: the wrong current one is refused, the right one works.
  await page.locator('[data-testid=account-nav-password]').click();
  await waitForText(page, TITLE, zh.account.password);
  assert.deepEqual(await unlabelled(page), []);
  await page.getByLabel(zh.account.currentPassword).fill('not-the-password-1');
  await page.getByLabel(zh.account.newPassword).fill(NEW_PASSWORD);
  await page.locator('[data-testid=password-submit]').click();
  await waitForText(page, '[data-testid=password-error]', zh.account.wrongPassword);
  await page.getByLabel(zh.account.currentPassword).fill(PASSWORD);
  await page.getByLabel(zh.account.newPassword).fill(NEW_PASSWORD);
  await page.locator('[data-testid=password-submit]').click();
  await waitForText(page, '[data-testid=password-changed]', zh.account.passwordChanged);
  await screenshot(page, 'account-06-password-changed');

  // Personal data: a JSON download of this account.
  await page.locator('[data-testid=account-nav-privacy]').click();
  await waitForText(page, TITLE, zh.account.privacy);
  assert.deepEqual(await unlabelled(page), []);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('[data-testid=export-data]').click(),
  ]);
  assert.match(download.suggestedFilename(), /^jishi-my-data-\d{4}-\d{2}-\d{2}\.json$/);
  const data = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(data.user.email, who.email);
  assert.ok(Array.isArray(data.addresses) && Array.isArray(data.sessions));
  await waitForText(page, '[data-testid=exported]', fill(zh.account.exported, { file: download.suggestedFilename() }));
  await screenshot(page, 'account-07-privacy');

  // 360 px: the account pages do not scroll sideways.
  await page.setViewportSize({ width: 360, height: 740 });
  for (const [path, ready] of [
    ['/account', '[data-testid=logout]'],
    ['/account/addresses', '[data-testid=add-address]'],
    ['/account/password', '[data-testid=password-submit]'],
    ['/account/privacy', '[data-testid=delete-account]'],
    ['/account/reset', '[data-testid=reset-submit]'],
    ['/account/reset?token=x', '[data-testid=reset-password]'],
  ]) {
    await page.goto(url(path), { waitUntil: 'domcontentloaded' });
    await page.locator(ready).waitFor();
    await noSideScroll(page, path);
    assert.deepEqual(await unlabelled(page), [], path);
  }
  await screenshot(page, 'account-08-reset-form-360');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Sign out; forget the password; the mailed link sets a new one.
  await page.goto(url('/account'), { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid=logout]').click();
  await page.waitForURL((u) => u.pathname === '/');
  await page.locator('[data-testid=nav-login]').click();
  await page.locator('[data-testid=forgot-password]').click();
  await page.waitForURL((u) => u.pathname === '/account/reset');
  await page.getByLabel(zh.auth.email).fill(who.email);
  await page.locator('[data-testid=reset-submit]').click();
  await waitForText(page, '[data-testid=reset-sent]', zh.account.resetSent);
  await screenshot(page, 'account-09-reset-sent');
  const mail = await until('the reset mail', () => mailsTo(who.email).find((m) => /X-Jishi-Kind: password_reset/.test(m.text)), 30000, 200);
  const link = mail.text.match(/https?:\/\/\S+(\/account\/reset\?token=[A-Za-z0-9_-]+)/);
  assert.ok(link, `no reset link in the mail:\n${mail.text}`);
  await page.goto(url(link[1]), { waitUntil: 'domcontentloaded' });
  await waitForText(page, TITLE, zh.account.resetSetTitle);
  await page.getByLabel(zh.account.newPassword).fill(RESET_PASSWORD);
  await page.locator('[data-testid=reset-submit]').click();
  await waitForText(page, '[data-testid=reset-done] p', zh.account.resetDone);
  await screenshot(page, 'account-10-reset-done');
  // The link is used up.
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.getByLabel(zh.account.newPassword).fill('Another-Password-2026');
  await page.locator('[data-testid=reset-submit]').click();
  await page.locator('[data-testid=reset-error]', { hasText: zh.account.resetBadLink }).waitFor();

  // Sign in with the new password.
  await page.goto(url('/login?next=/account/privacy'), { waitUntil: 'domcontentloaded' });
  await page.getByLabel(zh.auth.email).fill(who.email);
  await page.getByLabel(zh.auth.password).fill(RESET_PASSWORD);
  await page.locator('[data-testid=auth-submit]').click();
  await page.waitForURL((u) => u.pathname === '/account/privacy');

  // Delete the account: the password is asked for, and checked.
  await waitForText(page, TITLE, zh.account.privacy);
  assert.equal(await page.locator('[data-testid=delete-account]').isDisabled(), true);
  await page.getByLabel(zh.account.deleteUnderstood).check();
  await page.getByLabel(zh.account.deletePassword).fill('wrong-password-2026');
  await page.locator('[data-testid=delete-account]').click();
  await waitForText(page, '[data-testid=delete-error]', zh.account.wrongPassword);
  await page.getByLabel(zh.account.deletePassword).fill(RESET_PASSWORD);
  await screenshot(page, 'account-11-delete');
  await page.locator('[data-testid=delete-account]').click();
  await page.waitForURL((u) => u.pathname === '/' && u.searchParams.get('farewell') === '1');
  await waitForText(page, '[data-testid=farewell]', zh.account.deleted);
  await page.locator('[data-testid=nav-login]').waitFor();
  await screenshot(page, 'account-12-deleted');

  // The account is gone: its password no longer signs in.
  await page.locator('[data-testid=nav-login]').click();
  await page.getByLabel(zh.auth.email).fill(who.email);
  await page.getByLabel(zh.auth.password).fill(RESET_PASSWORD);
  await page.locator('[data-testid=auth-submit]').click();
  await waitForText(page, '[data-testid=auth-error]', zh.auth.wrong);
  assert.deepEqual(page.jishiErrors, []);
  await page.close();
});
