// Access matrix: every route of fcgi-app/src/routes.c (parsed, so a new
// route is covered the day it is added) against every kind of caller.
//
// Actors: anon (no cookie ever), guest (a guest session), shopper, staff of
// merchant A, staff of merchant B (each acting for their merchant), the
// owner of merchant A, and a platform admin.
//
// Forbidden cell (the actor's level is below the route's): 401/403/404, and
// a snapshot of the objects a caller could reach for (the shopper's profile
// and addresses, merchant A's members and status, a pending merchant, the
// shopper's account status) read back by their owners/admin is unchanged.
// The request carries the actor's valid CSRF token and a body that would do
// harm if accepted, so a 403 cannot come from the CSRF check alone.
// Allowed cell: neither 401 nor 403, and never a 5xx.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';

import {
  Client, actFor, activeMerchant, addMember, addressBody, applyMerchant, createAddress,
  createAdmin, expectStatus, listAddresses, loginClient, rand, registerUser, show,
} from './accounts-lib.mjs';

const ROUTES_C = new URL('../../fcgi-app/src/routes.c', import.meta.url);

export function parseRoutes(src) {
  const re = /\{\s*"(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)"\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*(ACCESS_\w+)\s*,\s*([^}]*?)\s*\}/g;
  const out = [];
  for (const m of src.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(re)) {
    const flags = m[5];
    out.push({
      method: m[1],
      path: m[2],
      handler: m[3],
      access: m[4],
      json: /\bJ\b|ROUTE_JSON/.test(flags),
      nocsrf: /\bNOCSRF\b|ROUTE_NOCSRF/.test(flags),
      key: `${m[1]} ${m[2]}`,
    });
  }
  return out;
}

const ROUTES = parseRoutes(readFileSync(ROUTES_C, 'utf8'));

// Which access levels each actor holds.
const HOLDS = {
  anon: ['ACCESS_PUBLIC', 'ACCESS_LOOPBACK'],
  guest: ['ACCESS_PUBLIC', 'ACCESS_LOOPBACK', 'ACCESS_GUEST'],
  shopper: ['ACCESS_PUBLIC', 'ACCESS_LOOPBACK', 'ACCESS_GUEST', 'ACCESS_SHOPPER'],
  staffA: ['ACCESS_PUBLIC', 'ACCESS_LOOPBACK', 'ACCESS_GUEST', 'ACCESS_SHOPPER', 'ACCESS_MERCHANT'],
  staffB: ['ACCESS_PUBLIC', 'ACCESS_LOOPBACK', 'ACCESS_GUEST', 'ACCESS_SHOPPER', 'ACCESS_MERCHANT'],
  ownerA: ['ACCESS_PUBLIC', 'ACCESS_LOOPBACK', 'ACCESS_GUEST', 'ACCESS_SHOPPER', 'ACCESS_MERCHANT',
    'ACCESS_OWNER'],
  admin: ['ACCESS_PUBLIC', 'ACCESS_LOOPBACK', 'ACCESS_GUEST', 'ACCESS_SHOPPER', 'ACCESS_ADMIN'],
};
const KNOWN_LEVELS = new Set(Object.values(HOLDS).flat());
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function allowed(actor, route) {
  // A safe request to a GUEST route creates the session it needs.
  if (actor.kind === 'anon' && route.access === 'ACCESS_GUEST' && SAFE.has(route.method)) return true;
  return HOLDS[actor.kind].includes(route.access);
}

describe('access matrix over every route in routes.c', () => {
  const fx = {};
  const actors = [];

  // A signed-in actor can sign in again when an allowed cell ended its
  // session (logout, logout-all).
  function actor(kind, u, merchantId = null) {
    const a = { kind, name: kind, client: u?.client ?? new Client(kind, { cookies: kind !== 'anon' }),
      email: u?.email, password: u?.password, id: u?.id, merchantId };
    a.ensure = async () => {
      if (kind === 'anon') return;
      const me = await a.client.me();
      if (kind === 'guest') return;
      if (me.user?.id === a.id && (me.acting_merchant_id ?? null) === a.merchantId) return;
      a.client = await loginClient(a.email, a.password, kind);
      if (a.merchantId) await actFor(a.client, a.merchantId);
    };
    actors.push(a);
    return a;
  }

  before(async () => {
    assert.ok(ROUTES.length >= 20, `parsed ${ROUTES.length} routes from ${ROUTES_C.pathname}`);
    const admin = await createAdmin();
    fx.admin = admin;
    fx.shopper = await registerUser('mx-shopper', { displayName: 'Shopper' });
    fx.shopperAddr = await createAddress(fx.shopper.client, { is_default: true });
    const a = await activeMerchant(admin.client, 'mx-ownerA');
    const b = await activeMerchant(admin.client, 'mx-ownerB');
    fx.merchantA = a.merchant;
    fx.merchantB = b.merchant;
    fx.ownerA = a.owner;
    fx.ownerB = b.owner;
    fx.staffA = await registerUser('mx-staffA');
    fx.staffB = await registerUser('mx-staffB');
    await addMember(a.owner.client, fx.staffA.email, 'staff');
    await addMember(b.owner.client, fx.staffB.email, 'staff');
    await actFor(fx.staffA.client, fx.merchantA.id);
    await actFor(fx.staffB.client, fx.merchantB.id);
    // Targets for admin routes: one left pending (forbidden cells), one
    // for the admin's own allowed calls, and a user the admin may disable.
    fx.pending = await applyMerchant((await registerUser('mx-pending')).client);
    fx.scratchMerchant = await applyMerchant((await registerUser('mx-scratch')).client);
    fx.victim = await registerUser('mx-victim');

    actor('anon');
    const guest = actor('guest');
    await guest.client.me();
    actor('shopper', fx.shopper);
    actor('staffA', fx.staffA, fx.merchantA.id);
    actor('staffB', fx.staffB, fx.merchantB.id);
    actor('ownerA', fx.ownerA, fx.merchantA.id);
    actor('admin', admin);
  });

  // Bodies that would do harm if a forbidden caller got through.
  function attackBody(route) {
    const bodies = {
      'PATCH /api/v1/me': { display_name: 'pwned' },
      'DELETE /api/v1/me': { password: fx.shopper.password },
      'POST /api/v1/me/password': { current_password: fx.shopper.password, new_password: 'Pwned-password-1' },
      'PUT /api/v1/me/acting-merchant': { merchant_id: fx.merchantA.id },
      'POST /api/v1/me/addresses': addressBody({ recipient: 'pwned', is_default: true }),
      'PATCH /api/v1/me/addresses/:id': { recipient: 'pwned', is_default: false },
      'POST /api/v1/merchants': { name: `pwned ${rand(4)}` },
      'POST /api/v1/merchant/members': { email: fx.shopper.email, role: 'owner' },
    };
    if (route.key in bodies) return bodies[route.key];
    return route.json ? {} : undefined;
  }

  // Path parameters: objects owned by someone else for forbidden cells.
  function attackPath(route) {
    return route.path.replace(/:(\w+)/g, (_, name) => {
      if (route.path.startsWith('/api/v1/me/addresses/')) return fx.shopperAddr.id;
      if (route.path.startsWith('/api/v1/merchant/members/')) return fx.staffA.id;
      if (route.path.startsWith('/api/v1/admin/users/')) return fx.shopper.id;
      if (route.path.startsWith('/api/v1/admin/merchants/')) return fx.pending.id;
      return name.includes('merchant') ? fx.merchantA.id : fx.shopper.id;
    });
  }

  // What a forbidden caller might have changed, read by owners and admin.
  // The current client of an actor (allowed cells may have signed it out
  // and in again: ensureAll() first).
  async function live(kind) {
    return actors.find((x) => x.kind === kind).client;
  }

  async function ensureAll() {
    for (const a of actors) await a.ensure();
  }

  async function snapshot() {
    const s = {};
    const shopper = await live('shopper');
    const me = await shopper.me();
    assert.ok(me.user, 'the shopper is still signed in');
    s.shopper = { user: me.user, merchants: me.merchants, acting: me.acting_merchant_id };
    s.addresses = await listAddresses(shopper);
    let r = await (await live('ownerA')).get('/api/v1/merchant/members');
    expectStatus(r, 200, 'owner A lists members');
    s.membersA = r.json.items.map((m) => `${m.user_id}:${m.role}`).sort();
    r = await (await live('staffA')).get('/api/v1/merchant');
    expectStatus(r, 200, 'staff A still acts for A');
    s.merchantA = { id: r.json.id, status: r.json.status, name: r.json.name };
    const admin = await live('admin');
    r = await admin.get(`/api/v1/admin/users?q=${encodeURIComponent(fx.shopper.email)}`);
    expectStatus(r, 200, 'admin lists users');
    s.shopperStatus = r.json.items.find((u) => u.id === fx.shopper.id)?.status;
    r = await admin.get('/api/v1/admin/merchants?status=pending&per_page=100');
    expectStatus(r, 200, 'admin lists pending merchants');
    s.pendingListed = r.json.items.some((m) => m.id === fx.pending.id);
    return s;
  }

  test('the route table parses and names only known access levels', () => {
    for (const r of ROUTES) {
      assert.ok(KNOWN_LEVELS.has(r.access), `${r.key}: unknown ${r.access}; teach this test about it`);
    }
    assert.ok(ROUTES.some((r) => r.access === 'ACCESS_ADMIN'));
    assert.ok(ROUTES.some((r) => r.access === 'ACCESS_OWNER'));
  });

  test('forbidden cells answer 401/403/404 and change nothing', { timeout: 600000 }, async (t) => {
    await ensureAll();
    const base = await snapshot();
    assert.equal(base.shopperStatus, 'active');
    assert.equal(base.pendingListed, true);
    const failures = [];
    let cells = 0;
    for (const route of ROUTES) {
      if (route.access === 'ACCESS_PUBLIC' || route.access === 'ACCESS_LOOPBACK') continue;
      for (const a of actors) {
        if (allowed(a, route)) continue;
        cells++;
        await a.ensure();
        const r = await a.client.call(route.method, attackPath(route), { body: attackBody(route) });
        const cell = `${a.name} × ${route.key}`;
        if (![401, 403, 404].includes(r.status)) failures.push(`${cell}: expected 401/403/404, got ${show(r)}`);
        const now = await snapshot();
        try {
          assert.deepEqual(now, base);
        } catch (e) {
          failures.push(`${cell}: state changed: ${e.message.slice(0, 600)}`);
          // Re-baseline so one breach is not reported for every later cell.
          Object.assign(base, now);
        }
      }
    }
    t.diagnostic(`${cells} forbidden cells over ${ROUTES.length} routes`);
    assert.ok(cells > 20, `checked ${cells} forbidden cells`);
    assert.deepEqual(failures, [], `${failures.length} of ${cells} forbidden cells failed`);
  });

  // One allowed call with a harmless body and the actor's own objects.
  async function allowedCall(a, route) {
    await a.ensure();
    let path = route.path;
    let body = route.json ? {} : undefined;
    if (route.path.startsWith('/api/v1/me/addresses/')) {
      const own = await createAddress(a.client);
      path = path.replace(':id', own.id);
      if (route.method === 'PATCH') body = { city: 'Ningbo' };
    } else if (route.path.startsWith('/api/v1/merchant/members/')) {
      path = path.replace(':user_id', a.id); // yourself: 422
    } else if (route.path.startsWith('/api/v1/admin/users/')) {
      path = path.replace(':id', fx.victim.id);
    } else if (route.path.startsWith('/api/v1/admin/merchants/')) {
      path = path.replace(':id', fx.scratchMerchant.id);
    } else {
      path = path.replace(/:(\w+)/g, () => String(a.id ?? fx.shopper.id));
    }
    if (route.key === 'PUT /api/v1/me/acting-merchant') {
      body = a.merchantId ? { merchant_id: a.merchantId } : {};
    }
    return a.client.call(route.method, path, { body });
  }

  test('allowed cells are neither 401 nor 403 nor 5xx', { timeout: 600000 }, async (t) => {
    const failures = [];
    let cells = 0;
    for (const route of ROUTES) {
      for (const a of actors) {
        if (!allowed(a, route)) continue;
        cells++;
        const cell = `${a.name} × ${route.key}`;
        try {
          const r = await allowedCall(a, route);
          if (r.status === 401 || r.status === 403 || r.status >= 500) {
            failures.push(`${cell}: got ${show(r)}`);
          }
        } catch (e) {
          failures.push(`${cell}: ${e.message.split('\n')[0]}`);
        }
      }
    }
    t.diagnostic(`${cells} allowed cells over ${ROUTES.length} routes`);
    assert.ok(cells > 40, `checked ${cells} allowed cells`);
    assert.deepEqual(failures, [], `${failures.length} of ${cells} allowed cells failed`);
  });

  test('every unsafe session route refuses a missing or wrong X-CSRF-Token with 403', { timeout: 600000 }, async (t) => {
    const failures = [];
    let cells = 0;
    for (const route of ROUTES) {
      if (SAFE.has(route.method) || route.nocsrf) continue;
      if (route.access === 'ACCESS_PUBLIC' || route.access === 'ACCESS_LOOPBACK') continue;
      for (const a of actors) {
        if (a.kind === 'anon' || !allowed(a, route)) continue;
        for (const csrf of [null, 'A'.repeat(43)]) {
          cells++;
          const cell = `${a.name} × ${route.key} with X-CSRF-Token ${csrf === null ? 'missing' : 'wrong'}`;
          try {
            await ensureAll();
            const before = await snapshot();
            const r = await a.client.call(route.method, attackPath(route),
              { body: attackBody(route), csrf });
            if (r.status !== 403) failures.push(`${cell}: expected 403, got ${show(r)}`);
            const now = await snapshot();
            try {
              assert.deepEqual(now, before);
            } catch (e) {
              failures.push(`${cell}: state changed: ${e.message.slice(0, 600)}`);
            }
            const me = await a.client.me();
            if (a.kind !== 'guest' && me.user?.id !== a.id) failures.push(`${cell}: the session ended`);
          } catch (e) {
            failures.push(`${cell}: ${e.message.split('\n')[0]}`);
          }
        }
      }
    }
    t.diagnostic(`${cells} CSRF cells`);
    assert.ok(cells > 20, `checked ${cells} CSRF cells`);
    assert.deepEqual(failures, [], `${failures.length} of ${cells} CSRF cells failed`);
  });

  test('staff of merchant B only ever see merchant B', { timeout: 120000 }, async () => {
    const staffB = actors.find((x) => x.kind === 'staffB');
    const ownerA = actors.find((x) => x.kind === 'ownerA');
    await staffB.ensure();
    await ownerA.ensure();
    for (const path of ['/api/v1/merchant', `/api/v1/merchant?merchant_id=${fx.merchantA.id}`,
      `/api/v1/merchant?id=${fx.merchantA.id}`]) {
      const r = await staffB.client.get(path);
      expectStatus(r, 200, path);
      assert.equal(r.json.id, fx.merchantB.id, `${path} as B's staff is B: ${show(r)}`);
      assert.notEqual(r.json.name, fx.merchantA.name);
    }
    let r = await staffB.client.get(`/api/v1/merchant/members?merchant_id=${fx.merchantA.id}`);
    expectStatus(r, 200);
    const ids = r.json.items.map((m) => m.user_id).sort();
    assert.deepEqual(ids, [fx.ownerB.id, fx.staffB.id].sort(), `B's members only: ${show(r)}`);
    assert.ok(!r.text.includes(fx.staffA.email) && !r.text.includes(fx.ownerA.email));
    // Acting for A is refused and B stays the acting merchant.
    r = await staffB.client.put('/api/v1/me/acting-merchant', { merchant_id: fx.merchantA.id });
    expectStatus(r, 403, 'acting for a merchant one is not staff of');
    assert.equal((await staffB.client.me()).acting_merchant_id, fx.merchantB.id);
    // B's owner cannot remove A's staff.
    const before = (await ownerA.client.get('/api/v1/merchant/members')).json.items
      .map((m) => m.user_id).sort();
    r = await fx.ownerB.client.del(`/api/v1/merchant/members/${fx.staffA.id}`);
    assert.ok([403, 404].includes(r.status), `B's owner removing A's staff: ${show(r)}`);
    const after = (await ownerA.client.get('/api/v1/merchant/members')).json.items
      .map((m) => m.user_id).sort();
    assert.deepEqual(after, before, 'A\'s members unchanged');
    assert.ok(after.includes(fx.staffA.id));
  });
});
