// Focus: the route table — the reset link the back end mails is served to
// anyone, the account pages are for signed-in shoppers and lazy. The
// router, i18n and API modules are stubbed: only the table is under test.
import { describe, expect, it, vi } from 'vitest';

vi.mock('vue-router', () => ({ createRouter: () => ({ beforeEach() {}, afterEach() {} }), createWebHistory: () => ({}) }));
vi.mock('./i18n/index.js', () => ({ i18n: { global: { t: (k) => k } } }));
vi.mock('./shared/api.js', () => ({ api: {} }));

const { routes } = await import('./router.js');

describe('routes', () => {
  const byPath = Object.fromEntries(routes.map((r) => [r.path, r]));

  it('serve the reset link the back end mails, to anyone', () => {
    expect(byPath['/account/reset']).toBeTruthy();
    expect(byPath['/account/reset'].meta.signedIn).toBeFalsy();
  });

  it('keep the account pages for signed-in shoppers, each a lazy chunk', () => {
    for (const p of ['/account', '/account/addresses', '/account/password', '/account/privacy', '/checkout', '/orders',
      '/merchant/orders', '/merchant/orders/:id(\\d+)', '/admin/merchants']) {
      expect(byPath[p].meta.signedIn, p).toBe(true);
      expect(typeof byPath[p].component, p).toBe('function');
    }
  });
});
