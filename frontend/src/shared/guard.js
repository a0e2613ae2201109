// The signed-in guard's decision, apart from the router so it is tested
// as a pure function.

/**
 * Where a navigation to `to` goes, given the session read: `me` (the
 * me-object) or `error` (why it could not be read). Guests go to sign in
 * and come back (`next`); an outage (network error, 503) lets the page
 * open, and the page shows the error with a retry.
 */
export function guardRoute(to, { me = null, error = null } = {}) {
  if (!to.meta || !to.meta.signedIn) return true;
  const toLogin = { path: '/login', query: { next: to.fullPath } };
  if (error) return error.status === 401 ? toLogin : true;
  return me && me.user ? true : toLogin;
}
