// Accounts (issue 3): registration, sessions, CSRF, lockout, password
// reset through the outbox, privacy (export, delete), addresses, platform
// admin and merchant staff. Every user has a unique random email, so the
// suite runs again and again against the same database.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import {
  Client, SESSION_COOKIE, actFor, addMember, addressBody, applyMerchant, approveMerchant,
  createAddress, createAdmin, expectError, expectStatus, isNginx429, listAddresses,
  loginClient, mailsTo, rand, registerUser, resetTokenOf, show, strongPassword, truthy,
  uniqueEmail, waitForMail,
} from './accounts-lib.mjs';
import { waitFor } from './lib.mjs';

const T = { timeout: 120000 };

// --- register / login / logout / me ------------------------------------------

describe('register, login, logout, me', () => {
  test('register answers 201 with the me-object and a fresh HttpOnly session cookie', T, async () => {
    const email = uniqueEmail('Reg');
    const password = strongPassword();
    const c = new Client('reg');
    const r = await c.post('/api/v1/auth/register',
      { email: `  ${email.toUpperCase()} `, password, display_name: 'Zhang San' });
    expectStatus(r, 201);
    assert.equal(r.json.user.email, email.toLowerCase(), 'email normalised (trimmed, lower-case)');
    assert.equal(r.json.user.display_name, 'Zhang San');
    assert.equal(r.json.user.is_admin, false);
    assert.equal(typeof r.json.user.id, 'number');
    assert.match(r.json.user.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(r.json.csrf_token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(r.json.acting_merchant_id, null);
    assert.deepEqual(r.json.merchants, []);
    assert.ok(!('password' in r.json.user) && !/argon2/i.test(r.text), 'no password material');
    const cookie = r.headers.getSetCookie().find((l) => l.startsWith(`${SESSION_COOKIE}=`));
    assert.ok(cookie, `Set-Cookie ${SESSION_COOKIE}`);
    assert.match(cookie, /;\s*HttpOnly/i);
    assert.match(cookie, /;\s*SameSite=(Lax|Strict)/i);
    assert.match(c.token, /^[A-Za-z0-9_-]{43}$/);

    const me = await c.me();
    assert.equal(me.user.id, r.json.user.id);
    assert.equal(me.csrf_token, r.json.csrf_token, 'the same session keeps its CSRF token');
  });

  test('login, me, logout, me again', T, async () => {
    const u = await registerUser('login');
    const c = new Client('browser');
    let r = await c.post('/api/v1/auth/login', { email: u.email.toUpperCase(), password: u.password });
    expectStatus(r, 200);
    assert.equal(r.json.user.id, u.id);
    assert.match(r.json.csrf_token, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(c.token, u.client.token, 'each login is its own session');
    assert.equal((await c.me()).user.email, u.email);

    r = await c.post('/api/v1/auth/logout');
    expectStatus(r, 204);
    assert.equal(c.token, undefined, 'logout clears the session cookie');
    const after = await c.me();
    assert.equal(after.user, null, 'signed out');
    // The registering browser is a different session and stays signed in.
    assert.equal((await u.client.me()).user.id, u.id);
  });

  test('a wrong password or an unknown email is 401, and neither signs in', T, async () => {
    const u = await registerUser('wrongpw');
    const c = new Client('guesser');
    expectError(await c.post('/api/v1/auth/login', { email: u.email, password: 'Not-the-password-1' }),
      401, 'unauthorized');
    expectError(await c.post('/api/v1/auth/login',
      { email: uniqueEmail('nobody'), password: u.password }), 401, 'unauthorized');
    assert.equal((await c.me()).user, null);
  });

  test('a duplicate email is 409 with field "email" (also in another case)', T, async () => {
    const u = await registerUser('dup');
    const c = new Client('dup2');
    expectError(await c.post('/api/v1/auth/register',
      { email: u.email, password: strongPassword() }), 409, 'conflict', 'email');
    expectError(await c.post('/api/v1/auth/register',
      { email: u.email.toUpperCase(), password: strongPassword() }), 409, 'conflict', 'email');
    // The first account's password still works.
    await loginClient(u.email, u.password);
  });

  test('field-level 400s on register and login', T, async () => {
    const email = uniqueEmail('fields');
    const good = strongPassword();
    const cases = [
      ['register', { email: 'not-an-email', password: good }, 'email'],
      ['register', { email: 'a@', password: good }, 'email'],
      ['register', { email: '', password: good }, 'email'],
      ['register', { email: 42, password: good }, 'email'],
      ['register', { email: [email], password: good }, 'email'],
      ['register', { email: null, password: good }, 'email'],
      ['register', { password: good }, 'email'],
      ['register', { email }, 'password'],
      ['register', { email, password: 'short1!' }, 'password'],
      ['register', { email, password: 'password123' }, 'password'],
      ['register', { email, password: 'QWERTYUIOP' }, 'password'],
      ['register', { email, password: email }, 'password'],
      ['register', { email, password: 12345678901234 }, 'password'],
      ['register', { email, password: { a: good } }, 'password'],
      ['register', { email, password: 'x'.repeat(129) }, 'password'],
      ['register', { email, password: good, display_name: 7 }, 'display_name'],
      ['register', { email, password: good, display_name: 'n'.repeat(65) }, 'display_name'],
      ['register', { email, password: good, display_name: 'a\u0001b' }, 'display_name'],
      ['login', { password: good }, 'email'],
      ['login', { email }, 'password'],
      ['login', { email: 'nope', password: good }, 'email'],
      ['login', { email, password: 5 }, 'password'],
      ['login', { email: true, password: good }, 'email'],
    ];
    const c = new Client('fields');
    for (const [what, body, field] of cases) {
      const r = await c.post(`/api/v1/auth/${what}`, body);
      assert.equal(r.status, 400, `${what} ${JSON.stringify(body).slice(0, 80)}: ${show(r)}`);
      expectError(r, 400, 'bad_request', field);
    }
    // Bodies that are not objects.
    for (const body of ['[]', '"x"', '42', 'null']) {
      const r = await c.post('/api/v1/auth/register', body);
      assert.equal(r.status, 400, `register with body ${body}: ${show(r)}`);
    }
    // None of them created the account: the address is still free.
    const r = await c.post('/api/v1/auth/register', { email, password: good });
    expectStatus(r, 201, 'the address was never taken by a rejected request');
  });

  test('a NUL byte inside a JSON string is refused, not cut off', T, async () => {
    const email = uniqueEmail('nul');
    const password = strongPassword();
    const c = new Client('nul');
    let r = await c.post('/api/v1/auth/register', { email: `${email}\u0000evil`, password });
    expectError(r, 400, 'bad_request', 'email');
    r = await c.post('/api/v1/auth/register', { email, password, display_name: 'a\u0000b' });
    expectError(r, 400, 'bad_request', 'display_name');
    const u = await registerUser('nul2');
    // The password is every character of it, not the part before a NUL.
    r = await new Client('nul3').post('/api/v1/auth/login',
      { email: u.email, password: `${u.password}\u0000anything` });
    assert.ok([400, 401].includes(r.status), `login with the password plus "\\0…": ${show(r)}`);
    r = await u.client.patch('/api/v1/me', { display_name: 'x\u0000y' });
    expectError(r, 400, 'bad_request', 'display_name');
  });

  test('a body without a JSON content type is 415 and changes nothing', T, async () => {
    const email = uniqueEmail('ctype');
    const password = strongPassword();
    const c = new Client('ctype');
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded']) {
      const r = await c.post('/api/v1/auth/register', JSON.stringify({ email, password }),
        { contentType: ct });
      expectError(r, 415, 'unsupported_media_type');
    }
    const noType = await c.call('POST', '/api/v1/auth/login',
      { body: undefined, headers: {}, csrf: null });
    assert.ok([400, 415].includes(noType.status), `login without a body: ${show(noType)}`);
    const u = await registerUser('ctype2', { displayName: 'before' });
    const r = await u.client.patch('/api/v1/me', JSON.stringify({ display_name: 'after' }),
      { contentType: 'text/plain' });
    expectError(r, 415, 'unsupported_media_type');
    assert.equal((await u.client.me()).user.display_name, 'before');
    expectStatus(await c.post('/api/v1/auth/register', { email, password }), 201,
      'the 415s created nothing');
  });

  test('PATCH /api/v1/me changes the display name; logout-all ends every session', T, async () => {
    const u = await registerUser('profile', { displayName: 'old' });
    let r = await u.client.patch('/api/v1/me', { display_name: '  新名字  ' });
    expectStatus(r, 200);
    assert.equal(r.json.user.display_name, '新名字');
    expectError(await u.client.patch('/api/v1/me', { display_name: 3 }), 400, 'bad_request', 'display_name');
    const other = await loginClient(u.email, u.password, 'other-device');
    r = await u.client.post('/api/v1/auth/logout-all');
    expectStatus(r, 204);
    assert.equal(u.client.token, undefined, 'this session cookie cleared');
    expectError(await other.get('/api/v1/me/export'), 401, 'unauthorized');
    assert.equal((await other.me()).user, null);
  });
});

// --- guest sessions ------------------------------------------------------------

describe('guest sessions', () => {
  test('GET /api/v1/me without a cookie creates a guest session with a CSRF token', T, async () => {
    const g = new Client('guest');
    const r = await g.get('/api/v1/me');
    expectStatus(r, 200);
    assert.equal(r.json.user, null);
    assert.match(r.json.csrf_token, /^[A-Za-z0-9_-]{43}$/);
    assert.match(g.token || '', /^[A-Za-z0-9_-]{43}$/, 'a guest session cookie');
    const again = await g.get('/api/v1/me');
    expectStatus(again, 200);
    assert.equal(again.headers.getSetCookie().filter((l) => l.startsWith(SESSION_COOKIE)).length, 0,
      'a known guest session is not replaced');
    assert.equal(again.json.csrf_token, r.json.csrf_token);
    // A guest is not signed in.
    expectError(await g.get('/api/v1/me/export'), 401, 'unauthorized');
    expectError(await g.post('/api/v1/me/addresses', addressBody()), 401, 'unauthorized');
  });

  test('login from a guest session issues a new token; the guest token is not signed in', T, async () => {
    const u = await registerUser('fixation');
    const g = new Client('guest');
    await g.me();
    const guestToken = g.token;
    assert.ok(guestToken);
    const r = await g.post('/api/v1/auth/login', { email: u.email, password: u.password });
    expectStatus(r, 200);
    assert.ok(g.token && g.token !== guestToken, 'a new session token on login');
    assert.equal((await g.me()).user.id, u.id);
    const fixed = new Client('attacker');
    fixed.token = guestToken;
    expectError(await fixed.get('/api/v1/me/export'), 401, 'unauthorized');
    assert.equal((await fixed.me()).user, null, 'the planted guest token did not become signed in');
  });

  test('register from a guest session also issues a new token', T, async () => {
    const g = new Client('guest');
    await g.me();
    const guestToken = g.token;
    const r = await g.post('/api/v1/auth/register', { email: uniqueEmail('fix2'), password: strongPassword() });
    expectStatus(r, 201);
    assert.ok(g.token && g.token !== guestToken);
    const fixed = new Client('attacker');
    fixed.token = guestToken;
    expectError(await fixed.get('/api/v1/me/export'), 401, 'unauthorized');
  });
});

// --- stolen session tokens --------------------------------------------------------

describe('a stolen session token', () => {
  test('is useless after logout', T, async () => {
    const u = await registerUser('steal1');
    const thief = u.client.steal();
    expectStatus(await thief.get('/api/v1/me/export'), 200, 'the stolen cookie works before logout');
    expectStatus(await u.client.post('/api/v1/auth/logout'), 204);
    expectError(await thief.get('/api/v1/me/export'), 401, 'unauthorized');
    assert.equal((await thief.me()).user, null);
  });

  test('is useless after a password change, which gives the changer a new token', T, async () => {
    const u = await registerUser('steal2');
    const other = await loginClient(u.email, u.password, 'other-device');
    const thief = u.client.steal();
    const oldToken = u.client.token;
    const next = strongPassword();
    expectError(await u.client.post('/api/v1/me/password',
      { current_password: 'Wrong-password-9', new_password: next }), 403, 'forbidden');
    expectStatus(await thief.get('/api/v1/me/export'), 200, 'a refused change ends nothing');
    expectError(await u.client.post('/api/v1/me/password',
      { current_password: u.password, new_password: 'short' }), 400, 'bad_request', 'new_password');
    const r = await u.client.post('/api/v1/me/password', { current_password: u.password, new_password: next });
    expectStatus(r, 200);
    assert.ok(u.client.token && u.client.token !== oldToken, 'a new token for this session');
    expectStatus(await u.client.get('/api/v1/me/export'), 200, 'the changer stays signed in');
    expectError(await thief.get('/api/v1/me/export'), 401, 'unauthorized');
    assert.equal((await thief.me()).user, null);
    expectError(await other.get('/api/v1/me/export'), 401, 'unauthorized');
    expectError(await new Client('x').post('/api/v1/auth/login', { email: u.email, password: u.password }),
      401, 'unauthorized');
    await loginClient(u.email, next);
  });
});

// --- CSRF ----------------------------------------------------------------------

describe('CSRF', () => {
  test('unsafe requests with a session but a missing or wrong X-CSRF-Token are 403 and change nothing', T, async () => {
    const u = await registerUser('csrf', { displayName: 'original' });
    const other = await registerUser('csrf-other');
    const wrongs = [null, '', 'x'.repeat(43), other.client.csrf, u.client.csrf.slice(1)];
    for (const csrf of wrongs) {
      const what = `X-CSRF-Token ${JSON.stringify(csrf)}`;
      expectError(await u.client.patch('/api/v1/me', { display_name: 'changed' }, { csrf }),
        403, 'forbidden');
      expectError(await u.client.post('/api/v1/me/addresses', addressBody(), { csrf }), 403, 'forbidden');
      expectError(await u.client.post('/api/v1/merchants', { name: `Shop ${rand(5)}` }, { csrf }),
        403, 'forbidden');
      expectError(await u.client.del('/api/v1/me', { password: u.password }, { csrf }), 403, 'forbidden');
      expectError(await u.client.post('/api/v1/auth/logout', undefined, { csrf }), 403, 'forbidden');
      const me = await u.client.me();
      assert.ok(me.user, `${what}: still signed in, account not deleted`);
      assert.equal(me.user.display_name, 'original', `${what}: display_name unchanged`);
      assert.deepEqual(me.merchants, [], `${what}: no merchant applied for`);
      assert.equal((await listAddresses(u.client)).length, 0, `${what}: no address created`);
    }
    // The right token works, so the 403s above were about the token.
    const r = await u.client.patch('/api/v1/me', { display_name: 'changed' });
    expectStatus(r, 200);
    assert.equal(r.json.user.display_name, 'changed');
  });
});

// --- brute force ---------------------------------------------------------------

describe('login lockout', () => {
  test('repeated wrong passwords end in 429 with Retry-After; the right password is refused while locked', T, async () => {
    const u = await registerUser('brute');
    const bystander = await registerUser('bystander');
    const c = new Client('attacker');
    let locked = null;
    const seen = [];
    for (let i = 0; i < 12 && !locked; i++) {
      // nginx's limit_req may also answer 429; that is accepted too.
      // nginx's own 429s are checked for shape, then polled past: only
      // the app's answer counts towards the lockout.
      const r = await waitFor('a login answered by the app', async () => {
        const x = await c.post('/api/v1/auth/login',
          { email: u.email, password: `Wrong-${i}-password` }, { retry429: false });
        seen.push(x.status);
        if (!isNginx429(x)) return x;
        assert.ok(Number(x.headers.get('retry-after')) > 0, `Retry-After on ${show(x)}`);
        expectError(x, 429, 'rate_limited');
        return false;
      }, { timeoutMs: 30000, intervalMs: 200 });
      if (r.status === 429) {
        assert.ok(Number(r.headers.get('retry-after')) > 0, `Retry-After on ${show(r)}`);
        expectError(r, 429, 'rate_limited');
        locked = r;
      } else {
        expectError(r, 401, 'unauthorized');
      }
    }
    assert.ok(locked, `the app locked the email after repeated failures; statuses ${seen.join(',')}`);
    assert.ok(seen.filter((s) => s === 401).length <= 5,
      `at most 5 wrong passwords are answered before the lock; statuses ${seen.join(',')}`);
    const retry = Number(locked.headers.get('retry-after'));
    assert.ok(retry > 1 && retry <= 3600, `app Retry-After ${retry}`);

    // The correct password is refused while locked (this is the app's
    // lockout: nginx's limit is waited out by the client).
    const right = await c.post('/api/v1/auth/login', { email: u.email, password: u.password });
    expectError(right, 429, 'rate_limited');
    assert.ok(!isNginx429(right), `the app itself refuses: ${show(right)}`);
    assert.ok(Number(right.headers.get('retry-after')) > 0, 'Retry-After');
    assert.equal(c.token, undefined, 'no session issued while locked');
    // Per email: another account signs in fine from the same client.
    await loginClient(bystander.email, bystander.password);
    // The victim's existing session is not ended by the lockout.
    expectStatus(await u.client.get('/api/v1/me/export'), 200);
  });
});

// --- password reset --------------------------------------------------------------

describe('password reset', () => {
  test('request → mail with a token → confirm → old password fails, new works → token reuse is 422', T, async () => {
    const u = await registerUser('reset');
    const thief = u.client.steal();
    const c = new Client('forgetful');
    const before = mailsTo(u.email).map((m) => m.file);
    let r = await c.post('/api/v1/auth/password-reset', { email: u.email.toUpperCase() });
    expectStatus(r, 202);
    assert.deepEqual(r.json, { status: 'sent_if_registered' });
    const mail = await waitForMail(u.email, { seen: before });
    assert.match(mail.text, /^Subject: .+/m);
    const token = resetTokenOf(mail);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);

    const next = strongPassword();
    expectError(await c.post('/api/v1/auth/password-reset/confirm', { token, new_password: 'short' }),
      400, 'bad_request', 'new_password');
    expectError(await c.post('/api/v1/auth/password-reset/confirm',
      { token: 'A'.repeat(43), new_password: next }), 422, 'unprocessable');
    expectError(await c.post('/api/v1/auth/password-reset/confirm', { new_password: next }),
      400, 'bad_request', 'token');
    r = await c.post('/api/v1/auth/password-reset/confirm', { token, new_password: next });
    expectStatus(r, 204);

    expectError(await new Client('old').post('/api/v1/auth/login', { email: u.email, password: u.password }),
      401, 'unauthorized');
    await loginClient(u.email, next, 'new');
    // All sessions of the user ended.
    expectError(await thief.get('/api/v1/me/export'), 401, 'unauthorized');
    // Single use.
    expectError(await c.post('/api/v1/auth/password-reset/confirm',
      { token, new_password: strongPassword() }), 422, 'unprocessable');
    await loginClient(u.email, next, 'still-new');
  });

  test('an unknown email gets the same 202 and no mail', T, async () => {
    const known = await registerUser('reset-known');
    const unknown = uniqueEmail('reset-unknown');
    const c = new Client('prober');
    const a = await c.post('/api/v1/auth/password-reset', { email: unknown });
    const b = await c.post('/api/v1/auth/password-reset', { email: known.email });
    expectStatus(a, 202);
    expectStatus(b, 202);
    assert.deepEqual(a.json, b.json, 'the same answer either way');
    // Once the known address's mail is out, the unknown one's would be too
    // (the outbox drains in order).
    await waitForMail(known.email);
    assert.deepEqual(mailsTo(unknown), [], 'no mail to an unregistered address');
    expectError(await c.post('/api/v1/auth/password-reset', { email: 'bogus' }), 400, 'bad_request', 'email');
  });
});

// --- privacy: export and delete ---------------------------------------------------

describe('privacy', () => {
  test('export holds the user\'s own data and nothing of another user\'s', T, async () => {
    const a = await registerUser('export-a', { displayName: 'Alice' });
    const b = await registerUser('export-b', { displayName: 'Bob' });
    const aAddr = await createAddress(a.client, { recipient: `Alice ${rand(4)}`, line1: `A-line ${rand(4)}` });
    const bAddr = await createAddress(b.client, { recipient: `Bob ${rand(4)}`, line1: `B-line ${rand(4)}` });
    const r = await a.client.get('/api/v1/me/export');
    expectStatus(r, 200);
    assert.match(r.headers.get('content-type') || '', /^application\/json/);
    const x = r.json;
    assert.equal(x.user.id, a.id);
    assert.equal(x.user.email, a.email);
    assert.ok(Array.isArray(x.addresses) && Array.isArray(x.sessions) && Array.isArray(x.merchants) &&
      Array.isArray(x.activity), `export sections: ${show(r)}`);
    assert.equal(typeof x.exported_at, 'string');
    assert.equal(x.addresses.length, 1);
    assert.equal(String(x.addresses[0].id), String(aAddr.id));
    assert.equal(x.addresses[0].recipient, aAddr.recipient);
    assert.equal(x.addresses[0].line1, aAddr.line1);
    assert.ok(x.sessions.length >= 1, 'sessions listed');
    for (const leak of [b.email, bAddr.recipient, bAddr.line1, 'Bob']) {
      assert.ok(!r.text.includes(leak), `A's export must not contain ${leak}`);
    }
    assert.ok(!/argon2|password_hash|token_hash/i.test(r.text), 'no secrets in the export');
    assert.ok(!r.text.includes(a.client.token), 'no session token in the export');
  });

  test('delete account needs the password; afterwards login fails and the email can register again', T, async () => {
    const u = await registerUser('delete');
    await createAddress(u.client);
    const other = await loginClient(u.email, u.password, 'other-device');
    expectError(await u.client.del('/api/v1/me', { password: 'Wrong-password-1' }), 403, 'forbidden');
    expectError(await u.client.del('/api/v1/me', {}), 400, 'bad_request', 'password');
    assert.equal((await u.client.me()).user.id, u.id, 'nothing deleted');
    assert.equal((await listAddresses(u.client)).length, 1, 'addresses kept');
    await loginClient(u.email, u.password, 'still-there');

    const r = await u.client.del('/api/v1/me', { password: u.password });
    expectStatus(r, 204);
    assert.equal(u.client.token, undefined, 'cookie cleared');
    expectError(await other.get('/api/v1/me/export'), 401, 'unauthorized');
    expectError(await new Client('x').post('/api/v1/auth/login', { email: u.email, password: u.password }),
      401, 'unauthorized');
    const again = await new Client('again').post('/api/v1/auth/register',
      { email: u.email, password: strongPassword() });
    expectStatus(again, 201, 'the email is free again');
    assert.notEqual(again.json.user.id, u.id, 'a new account, not the old one');
  });
});

// --- addresses -------------------------------------------------------------------

describe('addresses', () => {
  test('create, list, update, delete; one default at most', T, async () => {
    const u = await registerUser('addr');
    assert.deepEqual((await listAddresses(u.client)), []);
    const first = await createAddress(u.client, { is_default: true, line2: 'Room 101' });
    assert.equal(first.recipient.startsWith('Recipient'), true);
    assert.equal(first.country, 'CN');
    assert.equal(first.line2, 'Room 101');
    assert.ok(truthy(first.is_default), 'first is default');
    const second = await createAddress(u.client);
    assert.ok(!truthy(second.is_default), 'second is not default');

    let r = await u.client.get('/api/v1/me/addresses');
    expectStatus(r, 200);
    assert.equal(r.json.total, 2);
    assert.equal(typeof r.json.page, 'number');
    assert.equal(typeof r.json.per_page, 'number');
    assert.deepEqual(r.json.items.map((a) => a.id).sort(), [first.id, second.id].sort());

    r = await u.client.patch(`/api/v1/me/addresses/${second.id}`, { city: 'Shanghai', is_default: true });
    expectStatus(r, 200);
    assert.equal(r.json.city, 'Shanghai');
    assert.equal(r.json.recipient, second.recipient, 'fields not sent are kept');
    assert.ok(truthy(r.json.is_default));
    let items = await listAddresses(u.client);
    assert.deepEqual(items.filter((a) => truthy(a.is_default)).map((a) => a.id), [second.id],
      'setting a second default clears the first');

    // A new default on create also clears the old one.
    const third = await createAddress(u.client, { is_default: true });
    items = await listAddresses(u.client);
    assert.deepEqual(items.filter((a) => truthy(a.is_default)).map((a) => a.id), [third.id]);

    // Validation.
    expectError(await u.client.post('/api/v1/me/addresses', addressBody({ country: 'China' })),
      400, 'bad_request', 'country');
    expectError(await u.client.post('/api/v1/me/addresses', addressBody({ recipient: '' })),
      400, 'bad_request', 'recipient');
    const noCity = addressBody();
    delete noCity.city;
    expectError(await u.client.post('/api/v1/me/addresses', noCity), 400, 'bad_request', 'city');
    expectError(await u.client.post('/api/v1/me/addresses', addressBody({ line1: 5 })),
      400, 'bad_request', 'line1');
    expectError(await u.client.patch(`/api/v1/me/addresses/${first.id}`, { is_default: 'yes' }),
      400, 'bad_request', 'is_default');
    assert.equal((await listAddresses(u.client)).length, 3, 'invalid creates added nothing');

    expectStatus(await u.client.del(`/api/v1/me/addresses/${first.id}`), 204);
    expectError(await u.client.del(`/api/v1/me/addresses/${first.id}`), 404, 'not_found');
    expectError(await u.client.patch(`/api/v1/me/addresses/${first.id}`, { city: 'X' }), 404, 'not_found');
    expectError(await u.client.patch('/api/v1/me/addresses/99999999999', { city: 'X' }), 404, 'not_found');
    for (const bad of ['abc', '-1', '0', '1e3']) {
      const rr = await u.client.patch(`/api/v1/me/addresses/${bad}`, { city: 'X' });
      assert.ok([400, 404].includes(rr.status), `bad id ${bad}: ${show(rr)}`);
    }
    items = await listAddresses(u.client);
    assert.deepEqual(items.map((a) => a.id).sort(), [second.id, third.id].sort());
  });

  test('the address list honours page and per_page', T, async () => {
    const u = await registerUser('addr-page');
    const a1 = await createAddress(u.client);
    const a2 = await createAddress(u.client);
    const r = await u.client.get('/api/v1/me/addresses?per_page=1&page=2');
    expectStatus(r, 200);
    assert.equal(r.json.total, 2, show(r));
    assert.equal(r.json.page, 2, `page honoured: ${show(r)}`);
    assert.equal(r.json.per_page, 1, `per_page honoured: ${show(r)}`);
    assert.equal(r.json.items.length, 1, show(r));
    assert.ok([a1.id, a2.id].includes(r.json.items[0].id));
    expectError(await u.client.get('/api/v1/me/addresses?per_page=0'), 400, 'bad_request', 'per_page');
  });

  test('user B cannot read, update or delete user A\'s address', T, async () => {
    const a = await registerUser('addr-a');
    const b = await registerUser('addr-b');
    const addr = await createAddress(a.client, { is_default: true });
    const snapshot = JSON.stringify(await listAddresses(a.client));
    assert.ok(!(await listAddresses(b.client)).some((x) => x.id === addr.id), 'not in B\'s list');
    expectError(await b.client.patch(`/api/v1/me/addresses/${addr.id}`, { recipient: 'Mallory' }),
      404, 'not_found');
    expectError(await b.client.patch(`/api/v1/me/addresses/${addr.id}`, { is_default: false }),
      404, 'not_found');
    expectError(await b.client.del(`/api/v1/me/addresses/${addr.id}`), 404, 'not_found');
    // B setting its own default must not touch A's default.
    await createAddress(b.client, { is_default: true });
    assert.equal(JSON.stringify(await listAddresses(a.client)), snapshot, 'A\'s address unchanged');
  });
});

// --- platform admin ---------------------------------------------------------------

describe('admin', () => {
  let admin;
  before(async () => {
    admin = await createAdmin();
  });

  test('list users; disable ends sessions at once and blocks login; enable restores; audited', T, async () => {
    const u = await registerUser('victim');
    const second = await loginClient(u.email, u.password, 'second');
    let r = await admin.client.get(`/api/v1/admin/users?q=${encodeURIComponent(u.email)}`);
    expectStatus(r, 200);
    assert.ok(Array.isArray(r.json.items) && typeof r.json.total === 'number', show(r));
    const row = r.json.items.find((x) => x.id === u.id);
    assert.ok(row, `user ${u.id} listed: ${show(r)}`);
    assert.equal(row.email, u.email);
    assert.equal(row.status, 'active');
    assert.ok(!/argon2|password/i.test(r.text), 'no password material in the list');

    r = await admin.client.post(`/api/v1/admin/users/${u.id}/disable`);
    expectStatus(r, 200);
    assert.equal(r.json.status, 'disabled', show(r));
    expectError(await u.client.get('/api/v1/me/export'), 401, 'unauthorized');
    expectError(await second.get('/api/v1/me/export'), 401, 'unauthorized');
    expectError(await new Client('x').post('/api/v1/auth/login', { email: u.email, password: u.password }),
      403, 'forbidden');
    r = await admin.client.get(`/api/v1/admin/users?status=disabled&q=${encodeURIComponent(u.email)}`);
    expectStatus(r, 200);
    assert.ok(r.json.items.some((x) => x.id === u.id), `status filter: ${show(r)}`);
    assert.ok(r.json.items.every((x) => x.status === 'disabled'), show(r));
    // A disabled user cannot reset the password into a working account.
    expectStatus(await new Client('y').post('/api/v1/auth/password-reset', { email: u.email }), 202);

    r = await admin.client.post(`/api/v1/admin/users/${u.id}/enable`);
    expectStatus(r, 200);
    assert.equal(r.json.status, 'active', show(r));
    await loginClient(u.email, u.password, 'back');
    expectError(await admin.client.post('/api/v1/admin/users/99999999999/disable'), 404, 'not_found');

    r = await admin.client.get('/api/v1/admin/audit-log?action=user.disable');
    expectStatus(r, 200);
    assert.ok(r.json.items.length > 0, show(r));
    assert.ok(r.json.items.every((x) => x.action === 'user.disable'), 'filtered by action');
    const entry = r.json.items.find((x) => String(x.object_id) === String(u.id));
    assert.ok(entry, `audit row for disabling ${u.id}: ${show(r)}`);
    assert.equal(entry.actor_user_id, admin.id);
    assert.equal(entry.actor_role, 'admin');
    assert.equal(entry.object_type, 'user');
    assert.match(entry.created_at, /^\d{4}-\d\d-\d\d/);
    // Newest first.
    const ids = r.json.items.map((x) => x.id);
    assert.deepEqual(ids, [...ids].sort((p, q) => q - p), 'newest first');
    r = await admin.client.get(`/api/v1/admin/audit-log?action=user.enable&object_type=user&object_id=${u.id}`);
    expectStatus(r, 200);
    assert.equal(r.json.items.length, 1, show(r));
    assert.equal(r.json.items[0].actor_user_id, admin.id);
    r = await admin.client.get(`/api/v1/admin/audit-log?actor=${admin.id}&per_page=1`);
    expectStatus(r, 200);
    assert.equal(r.json.items.length, 1, show(r));
    assert.ok(r.json.total >= 2, show(r));
  });

  test('a non-admin gets 403 on admin routes, a guest 401', T, async () => {
    const u = await registerUser('notadmin');
    const g = new Client('guest');
    await g.me();
    for (const path of ['/api/v1/admin/users', '/api/v1/admin/merchants', '/api/v1/admin/audit-log']) {
      expectError(await u.client.get(path), 403, 'forbidden');
      expectError(await g.get(path), 401, 'unauthorized');
    }
    expectError(await u.client.post(`/api/v1/admin/users/${u.id}/disable`), 403, 'forbidden');
    expectStatus(await u.client.get('/api/v1/me/export'), 200, 'not disabled');
  });
});

// --- merchants and their staff ---------------------------------------------------------

describe('merchants', () => {
  let admin;
  before(async () => {
    admin = await createAdmin();
  });

  test('apply → pending refuses staff routes → approve → owner adds staff → staff rights', T, async () => {
    const owner = await registerUser('m-owner');
    const staff = await registerUser('m-staff');
    const name = `Shop ${rand(5)}`;
    let r = await owner.client.post('/api/v1/merchants', { name });
    expectStatus(r, 201);
    assert.equal(r.json.name, name);
    assert.equal(r.json.status, 'pending');
    const mid = r.json.id;
    expectError(await staff.client.post('/api/v1/merchants', { name }), 409, 'conflict');
    expectError(await staff.client.post('/api/v1/merchants', {}), 400, 'bad_request', 'name');
    let me = await owner.client.me();
    assert.deepEqual(me.merchants, [{ id: mid, name, status: 'pending', role: 'owner' }]);

    // Pending: acting is allowed, staff routes are not.
    await actFor(owner.client, mid);
    expectError(await owner.client.get('/api/v1/merchant'), 403, 'forbidden');
    expectError(await owner.client.get('/api/v1/merchant/members'), 403, 'forbidden');
    expectError(await owner.client.post('/api/v1/merchant/members', { email: staff.email, role: 'staff' }),
      403, 'forbidden');

    r = await admin.client.get('/api/v1/admin/merchants?status=pending');
    expectStatus(r, 200);
    assert.ok(r.json.items.some((m) => m.id === mid), `pending list has ${mid}: ${show(r)}`);
    assert.ok(r.json.items.every((m) => m.status === 'pending'), show(r));
    await approveMerchant(admin.client, mid);
    await actFor(owner.client, mid);
    r = await owner.client.get('/api/v1/merchant');
    expectStatus(r, 200);
    assert.equal(r.json.id, mid);
    assert.equal(r.json.status, 'active');

    // Members.
    expectError(await owner.client.post('/api/v1/merchant/members',
      { email: uniqueEmail('ghost'), role: 'staff' }), 404, 'not_found');
    expectError(await owner.client.post('/api/v1/merchant/members',
      { email: staff.email, role: 'boss' }), 400, 'bad_request', 'role');
    await addMember(owner.client, staff.email.toUpperCase(), 'staff');
    me = await staff.client.me();
    assert.deepEqual(me.merchants, [{ id: mid, name, status: 'active', role: 'staff' }]);
    await actFor(staff.client, mid);
    r = await staff.client.get('/api/v1/merchant');
    expectStatus(r, 200);
    assert.equal(r.json.id, mid);
    r = await staff.client.get('/api/v1/merchant/members');
    expectStatus(r, 200);
    const members = Object.fromEntries(r.json.items.map((m) => [m.user_id, m]));
    assert.equal(members[owner.id]?.role, 'owner', show(r));
    assert.equal(members[staff.id]?.role, 'staff', show(r));
    assert.equal(members[staff.id].email, staff.email);
    assert.equal(r.json.items.length, 2);

    // Staff cannot manage members.
    const third = await registerUser('m-third');
    expectError(await staff.client.post('/api/v1/merchant/members', { email: third.email, role: 'staff' }),
      403, 'forbidden');
    expectError(await staff.client.del(`/api/v1/merchant/members/${owner.id}`), 403, 'forbidden');
    assert.equal((await third.client.me()).merchants.length, 0, 'nobody was added');

    // The owner cannot remove themself; removing staff works and ends their access.
    expectError(await owner.client.del(`/api/v1/merchant/members/${owner.id}`), 422, 'unprocessable');
    expectStatus(await owner.client.get('/api/v1/merchant'), 200, 'still the owner');
    expectError(await owner.client.del(`/api/v1/merchant/members/${third.id}`), 404, 'not_found');
    expectStatus(await owner.client.del(`/api/v1/merchant/members/${staff.id}`), 204);
    // The removed staff loses access at once (their sessions acting for the
    // merchant may be ended outright: 401, or kept without rights: 403).
    r = await staff.client.get('/api/v1/merchant');
    assert.ok([401, 403].includes(r.status), `removed staff: ${show(r)}`);
    r = await staff.client.put('/api/v1/me/acting-merchant', { merchant_id: mid });
    assert.ok([401, 403].includes(r.status), `removed staff acting again: ${show(r)}`);
    r = await owner.client.get('/api/v1/merchant/members');
    assert.deepEqual(r.json.items.map((m) => m.user_id), [owner.id]);

    // Audited with the merchant.
    r = await admin.client.get(`/api/v1/admin/audit-log?action=merchant.member_add&object_type=merchant&object_id=${mid}`);
    expectStatus(r, 200);
    assert.equal(r.json.items.length, 1, show(r));
    const add = r.json.items[0];
    assert.equal(add.merchant_id, mid, show(r));
    assert.equal(add.actor_user_id, owner.id);
    assert.equal(add.actor_role, 'merchant');
    assert.match(JSON.stringify(add.summary), new RegExp(`\\b${staff.id}\\b`), 'the summary names the new member');
    r = await admin.client.get(`/api/v1/admin/audit-log?action=merchant.member_remove&object_id=${mid}`);
    expectStatus(r, 200);
    assert.equal(r.json.items.length, 1, show(r));
    assert.match(JSON.stringify(r.json.items[0].summary), new RegExp(`\\b${staff.id}\\b`));
    r = await admin.client.get('/api/v1/admin/audit-log?action=merchant.approve');
    assert.ok(r.json.items.some((x) => String(x.object_id) === String(mid) && x.actor_user_id === admin.id),
      `merchant.approve row: ${show(r)}`);
  });

  test('the sole owner cannot demote themself to staff (as they cannot remove themself)', T, async () => {
    const { owner, merchant } = await (async () => {
      const o = await registerUser('m-solo');
      const m = await applyMerchant(o.client);
      await approveMerchant(admin.client, m.id);
      await actFor(o.client, m.id);
      return { owner: o, merchant: m };
    })();
    let r = await owner.client.post('/api/v1/merchant/members', { email: owner.email, role: 'staff' });
    assert.equal(r.status, 422, `sole owner demoting themself: ${show(r)}`);
    r = await owner.client.get('/api/v1/merchant/members');
    expectStatus(r, 200, 'still the owner of the merchant');
    assert.deepEqual(r.json.items.map((m) => [m.user_id, m.role]), [[owner.id, 'owner']], show(r));
    expectStatus(await owner.client.get('/api/v1/merchant'), 200);
    assert.equal((await owner.client.me()).merchants.find((m) => m.id === merchant.id)?.role, 'owner');
  });

  test('acting for a merchant one does not belong to is 403; a rejected merchant stays closed', T, async () => {
    const a = await registerUser('m-a');
    const outsider = await registerUser('m-outsider');
    const m = await applyMerchant(a.client);
    expectError(await outsider.client.put('/api/v1/me/acting-merchant', { merchant_id: m.id }), 403, 'forbidden');
    assert.equal((await outsider.client.me()).acting_merchant_id, null);
    const r = await admin.client.post(`/api/v1/admin/merchants/${m.id}/reject`);
    expectStatus(r, 200);
    assert.equal(r.json.status, 'rejected');
    await actFor(a.client, m.id);
    expectError(await a.client.get('/api/v1/merchant'), 403, 'forbidden');
    // Setting the acting merchant rotates the session token.
    const before = a.client.token;
    await actFor(a.client, null);
    assert.notEqual(a.client.token, before, 'a new token on privilege change');
  });
});
