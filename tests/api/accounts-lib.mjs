// Helpers for the accounts and access-matrix API tests (not a test file).
//
// A Client is one simulated browser: its own cookie jar (Set-Cookie parsed,
// Max-Age=0 deletes), the CSRF token it last saw (sent as X-CSRF-Token on
// unsafe methods unless told otherwise) and JSON bodies.
//
// Env (besides lib.mjs's): JISHI_VAR (mail files in $JISHI_VAR/mail/*.eml),
// JISHI_BIN (the jishi-fcgi binary, for `create-admin`), JISHI_CONFIG
// (default $JISHI_VAR/jishi.json).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { url, waitFor } from './lib.mjs';

const run = promisify(execFile);

export const SESSION_COOKIE = 'jishi_session';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// nginx's limit_req answer (conf/nginx.conf.in @e429); the app's own lockout
// answers with a different message, and is never retried here.
const NGINX_429_MESSAGE = 'too many requests, retry later';

export function rand(n = 6) {
  return randomBytes(n).toString('hex');
}

// A unique address per call, so the suite can run again on the same DB.
export function uniqueEmail(tag = 'user') {
  return `${tag}-${Date.now().toString(36)}-${rand(4)}@example.test`;
}

export function strongPassword() {
  return `Pw-${rand(8)}-ok!`;
}

export function isNginx429(r) {
  return r.status === 429 && r.json?.error?.message === NGINX_429_MESSAGE;
}

export class Client {
  constructor(name = 'client', { cookies = true } = {}) {
    this.name = name;
    this.jar = new Map();
    this.keepCookies = cookies;
    this.csrf = null;
    this.lastMe = null;
  }

  get token() {
    return this.jar.get(SESSION_COOKIE);
  }

  set token(v) {
    if (v === undefined || v === null) this.jar.delete(SESSION_COOKIE);
    else this.jar.set(SESSION_COOKIE, v);
  }

  cookieHeader() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  storeCookies(headers) {
    if (!this.keepCookies) return;
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a)) ||
        attrs.some((a) => /^\s*expires\s*=/i.test(a) &&
          Date.parse(a.split('=').slice(1).join('=')) < Date.now());
      if (gone || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  // opts: body (object → JSON; string → sent as is), contentType,
  // headers, csrf (undefined: this.csrf on unsafe methods; null: none;
  // string: that value), retry429 (default true: wait out nginx limit_req).
  async call(method, path, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    const cookie = this.cookieHeader();
    if (cookie) headers.Cookie = cookie;
    let body;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['Content-Type'] = opts.contentType ?? 'application/json';
    }
    if (UNSAFE.has(method)) {
      const t = opts.csrf === undefined ? this.csrf : opts.csrf;
      if (t) headers['X-CSRF-Token'] = t;
    }
    const send = async () => {
      const res = await fetch(url(path), {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 20000),
      });
      const text = await res.text();
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json, method, path };
    };
    // nginx's limit_req refills at its own pace: poll until it lets the
    // request through (the app's own 429 is an answer, never retried).
    const r = opts.retry429 === false
      ? await send()
      : await waitFor(`nginx to let ${method} ${path} through`, async () => {
        const x = await send();
        return isNginx429(x) ? false : x;
      }, { timeoutMs: opts.retryMs ?? 60000, intervalMs: 200 });
    this.storeCookies(r.headers);
    if (r.json && typeof r.json === 'object' && typeof r.json.csrf_token === 'string') {
      this.csrf = r.json.csrf_token;
      this.lastMe = r.json;
    }
    return r;
  }

  get(path, opts) { return this.call('GET', path, opts); }
  post(path, body, opts = {}) { return this.call('POST', path, { ...opts, body }); }
  put(path, body, opts = {}) { return this.call('PUT', path, { ...opts, body }); }
  patch(path, body, opts = {}) { return this.call('PATCH', path, { ...opts, body }); }
  del(path, body, opts = {}) { return this.call('DELETE', path, { ...opts, body }); }

  async me() {
    const r = await this.get('/api/v1/me');
    assert.equal(r.status, 200, `${this.name} GET /api/v1/me: ${r.text}`);
    return r.json;
  }

  // A second browser with a copy of this one's cookies (a stolen cookie).
  steal(name = `${this.name}-thief`) {
    const c = new Client(name);
    for (const [k, v] of this.jar) c.jar.set(k, v);
    c.csrf = this.csrf;
    return c;
  }
}

// Short description of a response for assertion messages.
export function show(r) {
  return `${r.method} ${r.path} → ${r.status} ${r.text.slice(0, 300)}`;
}

export function expectStatus(r, status, what = '') {
  assert.equal(r.status, status, `${what ? what + ': ' : ''}${show(r)}`);
  return r;
}

// The one error shape, with a field when given.
export function expectError(r, status, code, field) {
  expectStatus(r, status);
  assert.ok(r.json && typeof r.json.error === 'object', `error object: ${show(r)}`);
  if (code) assert.equal(r.json.error.code, code, `error code: ${show(r)}`);
  assert.equal(typeof r.json.error.message, 'string', `error message: ${show(r)}`);
  if (field !== undefined) assert.equal(r.json.error.field, field, `error field: ${show(r)}`);
  return r;
}

// --- users ------------------------------------------------------------------

// Registers a new account in a fresh client; returns {client, email,
// password, user}.
export async function registerUser(tag = 'user', { displayName } = {}) {
  const email = uniqueEmail(tag);
  const password = strongPassword();
  const client = new Client(tag);
  const body = { email, password };
  if (displayName !== undefined) body.display_name = displayName;
  const r = await client.post('/api/v1/auth/register', body);
  expectStatus(r, 201, `register ${email}`);
  assert.ok(r.json.user && r.json.user.id, `user in ${show(r)}`);
  return { client, email, password, user: r.json.user, id: r.json.user.id };
}

export async function loginClient(email, password, name = 'login') {
  const client = new Client(name);
  const r = await client.post('/api/v1/auth/login', { email, password });
  expectStatus(r, 200, `login ${email}`);
  return client;
}

export function configPath() {
  return process.env.JISHI_CONFIG || join(process.env.JISHI_VAR || '', 'jishi.json');
}

// A platform admin made with `jishi-fcgi create-admin`, signed in.
export async function createAdmin() {
  const bin = process.env.JISHI_BIN;
  assert.ok(bin && process.env.JISHI_VAR, 'JISHI_BIN and JISHI_VAR must be set to create an admin');
  const email = uniqueEmail('admin');
  const password = strongPassword();
  await run(bin, ['create-admin', '--config', configPath(), '--email', email], {
    env: { ...process.env, JISHI_ADMIN_PASSWORD: password },
    timeout: 60000,
  });
  const client = await loginClient(email, password, 'admin');
  assert.equal(client.lastMe.user.is_admin, true, 'create-admin makes an admin');
  return { client, email, password, user: client.lastMe.user, id: client.lastMe.user.id };
}

// --- addresses ----------------------------------------------------------------

export function addressBody(over = {}) {
  const tag = rand(4);
  return {
    recipient: `Recipient ${tag}`,
    phone: '+86 138 0000 0000',
    country: 'CN',
    region: 'Zhejiang',
    city: 'Hangzhou',
    district: 'Xihu',
    line1: `${tag} Wensan Road`,
    postal_code: '310000',
    ...over,
  };
}

export async function createAddress(client, over = {}) {
  const body = addressBody(over);
  const r = await client.post('/api/v1/me/addresses', body);
  expectStatus(r, 201, 'create address');
  assert.ok(r.json.id, `address id in ${show(r)}`);
  return r.json;
}

export async function listAddresses(client) {
  const r = await client.get('/api/v1/me/addresses');
  expectStatus(r, 200, 'list addresses');
  assert.ok(Array.isArray(r.json.items), `items in ${show(r)}`);
  return r.json.items;
}

export function truthy(v) {
  return v === true || v === 1 || v === '1';
}

// --- merchants -----------------------------------------------------------------

export async function applyMerchant(owner, name = `Shop ${rand(5)}`) {
  const r = await owner.post('/api/v1/merchants', { name });
  expectStatus(r, 201, 'apply for a merchant');
  assert.equal(r.json.status, 'pending', show(r));
  return r.json;
}

export async function actFor(client, merchantId) {
  const r = await client.put('/api/v1/me/acting-merchant',
    merchantId ? { merchant_id: merchantId } : {});
  expectStatus(r, 200, `act for merchant ${merchantId}`);
  assert.equal(r.json.acting_merchant_id, merchantId || null, show(r));
  return r.json;
}

export async function approveMerchant(admin, merchantId) {
  const r = await admin.post(`/api/v1/admin/merchants/${merchantId}/approve`);
  expectStatus(r, 200, 'approve merchant');
  assert.equal(r.json.status, 'active', show(r));
  return r.json;
}

export async function addMember(owner, email, role = 'staff') {
  const r = await owner.post('/api/v1/merchant/members', { email, role });
  expectStatus(r, 201, `add member ${email}`);
  return r.json;
}

// An active merchant with an owner acting for it: {merchant, owner}.
export async function activeMerchant(admin, tag = 'owner') {
  const owner = await registerUser(tag);
  const merchant = await applyMerchant(owner.client);
  await approveMerchant(admin, merchant.id);
  await actFor(owner.client, merchant.id);
  return { merchant, owner };
}

// --- mail ----------------------------------------------------------------------

export function mailDir() {
  try {
    const conf = JSON.parse(readFileSync(configPath(), 'utf8'));
    if (conf.mail_dir) return conf.mail_dir;
  } catch {
    // fall through to the default
  }
  assert.ok(process.env.JISHI_VAR, 'JISHI_VAR must be set for mail tests');
  return join(process.env.JISHI_VAR, 'mail');
}

// All mails (file name and text) addressed to `to`.
export function mailsTo(to) {
  const dir = mailDir();
  if (!existsSync(dir)) return [];
  const out = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.eml')) continue;
    let text;
    try {
      text = readFileSync(join(dir, f), 'utf8');
    } catch {
      continue;
    }
    const m = text.match(/^To:\s*(.+?)\r?$/m);
    if (m && m[1].trim().toLowerCase() === to.toLowerCase()) out.push({ file: f, text });
  }
  return out;
}

// Waits for a mail to `to` not among `seen` (file names); returns it.
export async function waitForMail(to, { seen = [], timeoutMs = 30000 } = {}) {
  return waitFor(`a mail to ${to} in ${mailDir()}`, () =>
    mailsTo(to).find((m) => !seen.includes(m.file)), { timeoutMs, intervalMs: 100 });
}

export function resetTokenOf(mail) {
  const m = mail.text.match(/^Reset token: (\S+)\r?$/m);
  assert.ok(m, `a "Reset token:" line in ${mail.file}:\n${mail.text}`);
  return m[1];
}
