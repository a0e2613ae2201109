/*
 * auth.c - sessions, CSRF, access levels and password hashing (see auth.h).
 */
#include "config.h"
#include "auth.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cart.h"
#include "db.h"
#include "log.h"
#include "reply.h"
#include "req.h"
#include "router.h"
#include "util.h"

#define SESSION_COOKIE "jishi_session"
#define SESSION_IDLE_S (7 * 24 * 3600)
#define SESSION_MAX_S (30 * 24 * 3600)
#define TOUCH_AFTER_S 300

static const char SQL_FIND[] =
    "SELECT s.id, s.user_id, s.acting_merchant_id, s.csrf_token,"
    " TIMESTAMPDIFF(SECOND, s.last_seen_at, UTC_TIMESTAMP(6)),"
    " s.expires_at > UTC_TIMESTAMP(6),"
    " u.status, u.is_admin, u.email, u.display_name,"
    " m.role, mer.status "
    "FROM sessions s "
    "LEFT JOIN users u ON u.id = s.user_id "
    "LEFT JOIN merchant_members m"
    " ON m.merchant_id = s.acting_merchant_id AND m.user_id = s.user_id "
    "LEFT JOIN merchants mer ON mer.id = s.acting_merchant_id "
    "WHERE s.token_hash = ?";
static const char SQL_TOUCH[] =
    "UPDATE sessions SET last_seen_at = UTC_TIMESTAMP(6) WHERE id = ?";
static const char SQL_INSERT[] =
    "INSERT INTO sessions (token_hash, csrf_token, user_id,"
    " acting_merchant_id, expires_at, ip, user_agent) "
    "VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND, ?, ?)";
static const char SQL_DELETE[] = "DELETE FROM sessions WHERE id = ?";
static const char SQL_DELETE_USER[] =
    "DELETE FROM sessions WHERE user_id = ? AND id <> ?";

/* ------------------------------------------------------------------ */
/* tokens and passwords                                                 */

void
auth_token_new(char out[AUTH_TOKEN_LEN + 1])
{
    unsigned char raw[32];

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, AUTH_TOKEN_LEN + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

void
auth_token_hash(const char *token, unsigned char out[32])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

static bool
token_shape_ok(const char *t)
{
    if (!t || strlen(t) != AUTH_TOKEN_LEN)
        return false;
    for (; *t; t++) {
        char c = *t;

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

int
auth_password_hash(const char *pw, char *out, size_t outlen)
{
    if (outlen < crypto_pwhash_STRBYTES)
        BUG("password hash buffer too small");
    if (crypto_pwhash_str(out, pw, strlen(pw),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return error("cannot hash a password (out of memory)");
    return 0;
}

bool
auth_password_verify(const char *pw, const char *hash)
{
    static char dummy[crypto_pwhash_STRBYTES];

    if (!hash || !*hash) {
        if (!dummy[0] && auth_password_hash("jishi-dummy-password", dummy,
                                            sizeof(dummy)))
            return false;
        /* Spend the same time as a real check; the answer is no anyway. */
        if (crypto_pwhash_str_verify(dummy, pw, strlen(pw)) == 0)
            return false;
        return false;
    }
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

bool
auth_password_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash,
                                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                          crypto_pwhash_MEMLIMIT_INTERACTIVE)
           != 0;
}

/* ------------------------------------------------------------------ */
/* sessions                                                             */

static void
set_cookie(struct req *r, const char *token, int max_age)
{
    const char *https = req_env(r, "HTTPS");
    bool secure = https && (strcmp(https, "on") == 0);

    reply_header(r, "Set-Cookie",
                 arena_printf(&r->arena,
                              SESSION_COOKIE "=%s; Path=/; Max-Age=%d; "
                              "HttpOnly; SameSite=Lax%s",
                              token, max_age, secure ? "; Secure" : ""));
}

int
auth_load(struct req *r)
{
    const char *tok;
    unsigned char hash[32];
    struct db_result res;
    struct session *s;
    const char *status, *role, *mstatus;
    int rc;

    if (r->session_loaded)
        return JS_OK;
    r->session_loaded = true;
    tok = req_cookie(r, SESSION_COOKIE);
    if (!token_shape_ok(tok))
        return JS_OK;
    auth_token_hash(tok, hash);
    rc = db_read_primary(r, SQL_FIND, DB_ARGS(DBP_B(hash, 32)), &res);
    if (rc)
        return rc;
    if (res.nrows != 1)
        return JS_OK;
    status = db_get(&res, 0, 6);
    if (db_get_int(&res, 0, 5, 0) != 1 ||
        db_get_int(&res, 0, 4, 0) > SESSION_IDLE_S ||
        (db_get(&res, 0, 1) && (!status || strcmp(status, "active") != 0))) {
        /* Expired, or its user can no longer sign in: end it. */
        db_write(r, SQL_DELETE, DB_ARGS(DBP_I(db_get_int(&res, 0, 0, 0))),
                 NULL);
        set_cookie(r, "", 0);
        return JS_OK;
    }
    s = arena_calloc(&r->arena, 1, sizeof(*s));
    s->id = db_get_int(&res, 0, 0, 0);
    s->user_id = db_get_int(&res, 0, 1, 0);
    s->acting_merchant_id = db_get_int(&res, 0, 2, 0);
    snprintf(s->csrf, sizeof(s->csrf), "%s", db_get(&res, 0, 3));
    s->is_admin = db_get_int(&res, 0, 7, 0) == 1;
    s->email = db_get(&res, 0, 8);
    s->display_name = db_get(&res, 0, 9);
    role = db_get(&res, 0, 10);
    mstatus = db_get(&res, 0, 11);
    s->merchant_member = role && mstatus && strcmp(mstatus, "active") == 0;
    s->merchant_owner = s->merchant_member && strcmp(role, "owner") == 0;
    r->session = s;
    if (db_get_int(&res, 0, 4, 0) > TOUCH_AFTER_S)
        db_write(r, SQL_TOUCH, DB_ARGS(DBP_I(s->id)), NULL);
    return JS_OK;
}

int
auth_session_start(struct req *r, int64_t user_id, int64_t acting_merchant_id)
{
    char token[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1];
    unsigned char hash[32];
    const char *ua = req_env(r, "HTTP_USER_AGENT");
    struct db_result res;
    struct session *s;
    int64_t old = r->session ? r->session->id : 0;
    int rc;

    auth_token_new(token);
    auth_token_new(csrf);
    auth_token_hash(token, hash);
    rc = db_write(r, SQL_INSERT,
                  DB_ARGS(DBP_B(hash, 32), DBP_S(csrf),
                          user_id ? DBP_I(user_id) : DBP_NULLV,
                          acting_merchant_id ? DBP_I(acting_merchant_id)
                                             : DBP_NULLV,
                          DBP_I(SESSION_MAX_S), DBP_S(r->remote_addr),
                          DBP_SN(ua ? ua : "", ua ? strnlen(ua, 255) : 0)),
                  &res);
    if (rc)
        return rc;
    if (old) {
        /* A guest signing in keeps what they picked. */
        if (user_id && !r->session->user_id)
            rc = cart_merge_guest(r, old, user_id);
        if (!rc)
            rc = db_write(r, SQL_DELETE, DB_ARGS(DBP_I(old)), NULL);
        if (rc)
            return rc;
    }
    s = arena_calloc(&r->arena, 1, sizeof(*s));
    s->id = (int64_t)res.insert_id;
    s->user_id = user_id;
    s->acting_merchant_id = acting_merchant_id;
    memcpy(s->csrf, csrf, sizeof(s->csrf));
    r->session = s;
    r->session_loaded = true;
    set_cookie(r, token, SESSION_MAX_S);
    return JS_OK;
}

int
auth_ensure_session(struct req *r)
{
    int rc = auth_load(r);

    if (rc || r->session)
        return rc;
    return auth_session_start(r, 0, 0);
}

int
auth_session_end(struct req *r)
{
    int rc;

    if (!r->session)
        return JS_OK;
    rc = db_write(r, SQL_DELETE, DB_ARGS(DBP_I(r->session->id)), NULL);
    if (rc)
        return rc;
    r->session = NULL;
    set_cookie(r, "", 0);
    return JS_OK;
}

int
auth_sessions_end_user(struct req *r, int64_t user_id, int64_t except_id)
{
    return db_write(r, SQL_DELETE_USER,
                    DB_ARGS(DBP_I(user_id), DBP_I(except_id)), NULL);
}

const char *
auth_role(const struct req *r)
{
    const struct session *s = r->session;

    if (!s)
        return "system";
    if (s->is_admin && r->route && r->route->access == ACCESS_ADMIN)
        return "admin";
    if (s->merchant_member && r->route &&
        (r->route->access == ACCESS_MERCHANT ||
         r->route->access == ACCESS_OWNER))
        return "merchant";
    return s->user_id ? "shopper" : "guest";
}

/* ------------------------------------------------------------------ */
/* access                                                               */

static bool
is_safe_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 ||
           strcmp(m, "OPTIONS") == 0;
}

static int
check_csrf(struct req *r)
{
    const char *h = req_env(r, "HTTP_X_CSRF_TOKEN");

    if (is_safe_method(r->method) || (r->route->flags & ROUTE_NOCSRF))
        return JS_OK;
    if (!h || strlen(h) != AUTH_TOKEN_LEN ||
        sodium_memcmp(h, r->session->csrf, AUTH_TOKEN_LEN) != 0)
        return reply_err(r, JS_FORBIDDEN, NULL,
                         "missing or wrong X-CSRF-Token header");
    return JS_OK;
}

int
auth_check(struct req *r)
{
    enum access need = r->route->access;
    struct session *s;
    int rc;

    if (need == ACCESS_GUEST && is_safe_method(r->method))
        rc = auth_ensure_session(r);
    else
        rc = auth_load(r);
    if (rc)
        return reply_err(r, rc, NULL, "database unavailable, retry shortly");
    s = r->session;
    if (!s || (need >= ACCESS_SHOPPER && !s->user_id))
        return reply_err(r, JS_UNAUTHORIZED, NULL, "sign in required");
    switch (need) {
    case ACCESS_MERCHANT:
        if (!s->merchant_member)
            return reply_err(r, JS_FORBIDDEN, NULL,
                             "acting for an active merchant is required");
        break;
    case ACCESS_OWNER:
        if (!s->merchant_owner)
            return reply_err(r, JS_FORBIDDEN, NULL,
                             "only the merchant's owner may do this");
        break;
    case ACCESS_ADMIN:
        if (!s->is_admin)
            return reply_err(r, JS_FORBIDDEN, NULL,
                             "platform staff only");
        break;
    default:
        break;
    }
    return check_csrf(r);
}
