/*
 * auth.h - who is calling: sessions, CSRF, access levels, passwords.
 *
 * Owns the `sessions` and `login_throttle` tables.  A session token is 256
 * random bits sent in the HttpOnly, SameSite=Lax cookie `jishi_session`;
 * the database keeps only its SHA-256.  Sessions end after 7 days idle or
 * 30 days in all, at logout, and when the user is disabled, deleted or
 * changes password.  A new token is issued at login, at logout and when
 * privileges change (acting merchant), so a token planted before can never
 * gain rights.
 *
 * Sessions are read from the primary: a revoked session must be dead at
 * once, not after replication.
 */
#ifndef JISHI_AUTH_H
#define JISHI_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct req;

#define AUTH_TOKEN_LEN 43          /* base64url of 32 bytes, no padding */

struct session {
    int64_t id;
    int64_t user_id;               /* 0: a guest */
    int64_t acting_merchant_id;    /* 0: none */
    bool merchant_owner;           /* role in the acting merchant */
    bool merchant_member;          /* a member of an active merchant */
    bool is_admin;
    const char *email;
    const char *display_name;
    char csrf[AUTH_TOKEN_LEN + 1];
};

/*
 * Enforce r->route's access level and CSRF before the handler runs:
 * loads the session when the route needs one, creates a guest session for
 * a safe request to a guest route, checks the X-CSRF-Token header on
 * unsafe methods.  Returns JS_OK or JS_REPLIED (401/403/503 written).
 */
int auth_check(struct req *r);

/* Load the caller's session (once per request); r->session may stay NULL. */
int auth_load(struct req *r);

/* A session for r (a guest one if there is none); JS_OK or a db error. */
int auth_ensure_session(struct req *r);

/*
 * Start a new session for user_id (0: guest) with a fresh token, set the
 * cookie and r->session.  The previous session of this request, if any,
 * is ended: its guest data moves to the new one first.
 */
int auth_session_start(struct req *r, int64_t user_id,
                       int64_t acting_merchant_id);

/* End r's session and clear the cookie. */
int auth_session_end(struct req *r);

/* End every session of user_id except except_id (0: all). */
int auth_sessions_end_user(struct req *r, int64_t user_id, int64_t except_id);

/* 32 random bytes as base64url (AUTH_TOKEN_LEN chars + NUL). */
void auth_token_new(char out[AUTH_TOKEN_LEN + 1]);

/* SHA-256 of a token. */
void auth_token_hash(const char *token, unsigned char out[32]);

/* Argon2id hash of a password into out (crypto_pwhash_STRBYTES). */
int auth_password_hash(const char *pw, char *out, size_t outlen);

/*
 * Verify pw against an Argon2id hash in constant time with respect to
 * the password.  hash NULL verifies against a dummy (same cost), so an
 * unknown account takes as long as a wrong password.
 */
bool auth_password_verify(const char *pw, const char *hash);

/* True when a hash was made with weaker parameters than today's. */
bool auth_password_needs_rehash(const char *hash);

/* Audit role word for the caller: "admin", "merchant", "shopper", "system". */
const char *auth_role(const struct req *r);

#endif
