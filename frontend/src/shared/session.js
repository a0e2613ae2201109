// Who is signed in and how many items are in the cart, shared by the header
// and the shop pages. Filled from GET /me (once, via the API client) and
// updated from login/register responses and cart responses.
import { reactive } from 'vue';
import { api } from './api.js';

export const session = reactive({
  me: null,        // me-object from the API, null until loaded
  cartCount: null, // item_count of the last cart seen, null when unknown
  unreachable: false, // the last try to read the session failed (outage)
});

api.onSession((me) => {
  session.me = me;
  session.unreachable = false;
});

/**
 * Start the session (guest or signed in) without blocking the first
 * paint. When GET /me fails (network, 503) `unreachable` is set, and the
 * shell tries again on the next navigation or retry.
 */
export function startSession() {
  return api.session().then(
    () => api.get('/cart').then(noteCart, () => null),
    () => {
      session.unreachable = true;
      return null;
    },
  );
}

export const isSignedIn = () => !!(session.me && session.me.user);

/** Remember the item count from any cart response. */
export function noteCart(cart) {
  if (cart && typeof cart.item_count === 'number') session.cartCount = cart.item_count;
  return cart;
}
