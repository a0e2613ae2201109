// Focus: the signed-in guard sends guests to sign in and back, and lets an
// outage through to the page (which shows the error and a retry).
import { describe, expect, it } from 'vitest';
import { guardRoute } from './guard.js';

const checkout = { fullPath: '/checkout?x=1', meta: { signedIn: true } };

describe('guardRoute', () => {
  it('lets anyone through to public pages', () => {
    expect(guardRoute({ fullPath: '/', meta: {} }, {})).toBe(true);
  });

  it('lets a signed-in shopper through', () => {
    expect(guardRoute(checkout, { me: { user: { id: 1 } } })).toBe(true);
  });

  it('sends a guest to sign in and back', () => {
    expect(guardRoute(checkout, { me: { user: null } })).toEqual({ path: '/login', query: { next: '/checkout?x=1' } });
    expect(guardRoute(checkout, { error: { status: 401 } })).toEqual({ path: '/login', query: { next: '/checkout?x=1' } });
  });

  it('lets an outage through to the page', () => {
    expect(guardRoute(checkout, { error: { status: 503, code: 'unavailable' } })).toBe(true);
    expect(guardRoute(checkout, { error: { status: 0, code: 'network_error' } })).toBe(true);
  });
});
