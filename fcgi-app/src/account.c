/*
 * account.c - shopper accounts (see account.h).
 */
#include "config.h"
#include "account.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "address.h"
#include "audit.h"
#include "auth.h"
#include "conf.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "outbox.h"
#include "reply.h"
#include "req.h"
#include "util.h"
#include "validate.h"

#define LOCK_AFTER_FAILURES 5
#define RESET_TTL_S 3600
#define RESET_MAX_RECENT 3

static const char SQL_USER_INSERT[] =
    "INSERT INTO users (email, password_hash, display_name) VALUES (?, ?, ?)";
static const char SQL_USER_BY_EMAIL[] =
    "SELECT id, password_hash, status FROM users WHERE email = ?";
static const char SQL_USER_GET[] =
    "SELECT id, email, display_name, is_admin, status,"
    " DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), password_hash "
    "FROM users WHERE id = ?";
static const char SQL_USER_NAME[] =
    "UPDATE users SET display_name = ?, updated_at = UTC_TIMESTAMP(6) "
    "WHERE id = ?";
static const char SQL_USER_PASSWORD[] =
    "UPDATE users SET password_hash = ?, updated_at = UTC_TIMESTAMP(6) "
    "WHERE id = ?";
static const char SQL_USER_ANONYMISE[] =
    "UPDATE users SET email = NULL, display_name = '', password_hash = '',"
    " status = 'deleted', deleted_at = UTC_TIMESTAMP(6),"
    " updated_at = UTC_TIMESTAMP(6) WHERE id = ?";
static const char SQL_USER_ADMIN[] =
    "UPDATE users SET is_admin = 1, password_hash = ?, status = 'active',"
    " updated_at = UTC_TIMESTAMP(6) WHERE id = ?";
static const char SQL_USER_INSERT_ADMIN[] =
    "INSERT INTO users (email, password_hash, display_name, is_admin) "
    "VALUES (?, ?, 'Platform admin', 1)";

static const char SQL_THROTTLE_LOCKED[] =
    "SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), locked_until) + 1 "
    "FROM login_throttle WHERE email = ? AND locked_until > UTC_TIMESTAMP(6)";
/* Assignments run left to right: failures is the new count when
 * locked_until is computed; window_start still the old value. */
static const char SQL_THROTTLE_FAIL[] =
    "INSERT INTO login_throttle (email, failures, window_start) "
    "VALUES (?, 1, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE "
    " failures = IF(window_start < UTC_TIMESTAMP(6) - INTERVAL 15 MINUTE,"
    "  1, failures + 1),"
    " locked_until = IF(failures >= ?,"
    "  UTC_TIMESTAMP(6) + INTERVAL 15 MINUTE, locked_until),"
    " window_start = IF(window_start < UTC_TIMESTAMP(6) - INTERVAL 15 MINUTE,"
    "  UTC_TIMESTAMP(6), window_start)";
static const char SQL_THROTTLE_CLEAR[] =
    "DELETE FROM login_throttle WHERE email = ?";

static const char SQL_RESET_INSERT[] =
    "INSERT INTO password_resets (user_id, token_hash, expires_at) "
    "VALUES (?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND)";
static const char SQL_RESET_RECENT[] =
    "SELECT COUNT(*) FROM password_resets WHERE user_id = ?"
    " AND created_at > UTC_TIMESTAMP(6) - INTERVAL 15 MINUTE";
static const char SQL_RESET_FIND[] =
    "SELECT pr.id, pr.user_id FROM password_resets pr "
    "JOIN users u ON u.id = pr.user_id AND u.status = 'active' "
    "WHERE pr.token_hash = ? AND pr.used_at IS NULL"
    " AND pr.expires_at > UTC_TIMESTAMP(6) FOR UPDATE";
static const char SQL_RESET_USE[] =
    "UPDATE password_resets SET used_at = UTC_TIMESTAMP(6) "
    "WHERE user_id = ? AND used_at IS NULL";

static const char SQL_MEMBERSHIPS[] =
    "SELECT m.id, m.name, m.status, mm.role FROM merchant_members mm "
    "JOIN merchants m ON m.id = mm.merchant_id WHERE mm.user_id = ? "
    "ORDER BY m.id";
static const char SQL_MEMBERSHIP[] =
    "SELECT role FROM merchant_members WHERE user_id = ? AND merchant_id = ?";

static const char SQL_EXPORT_SESSIONS[] =
    "SELECT DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'),"
    " DATE_FORMAT(last_seen_at, '%Y-%m-%dT%H:%i:%sZ'), ip, user_agent "
    "FROM sessions WHERE user_id = ? ORDER BY id";
static const char SQL_EXPORT_AUDIT[] =
    "SELECT action, object_type, object_id,"
    " DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') "
    "FROM audit_log WHERE actor_user_id = ? ORDER BY id LIMIT 10000";
static const char SQL_DELETE_ADDR[] = "DELETE FROM addresses WHERE user_id = ?";
static const char SQL_DELETE_RESETS[] =
    "DELETE FROM password_resets WHERE user_id = ?";
static const char SQL_DELETE_MEMBERS[] =
    "DELETE FROM merchant_members WHERE user_id = ?";

/* ------------------------------------------------------------------ */
/* helpers                                                              */

/* The caller's profile, memberships and CSRF token. */
static int
me_json(struct req *r, json_object **out)
{
    struct session *s = r->session;
    json_object *root = json_object_new_object(), *user = NULL, *list;
    struct db_result u, m;
    int rc;

    list = json_object_new_array();
    if (s->user_id) {
        rc = db_read_primary(r, SQL_USER_GET, DB_ARGS(DBP_I(s->user_id)), &u);
        if (!rc)
            rc = db_read_primary(r, SQL_MEMBERSHIPS,
                                 DB_ARGS(DBP_I(s->user_id)), &m);
        if (rc) {
            json_object_put(root);
            json_object_put(list);
            return rc;
        }
        if (u.nrows) {
            user = json_object_new_object();
            json_object_object_add(user, "id", json_int(s->user_id));
            json_add_str(user, "email", db_get(&u, 0, 1));
            json_add_str(user, "display_name", db_get(&u, 0, 2));
            json_object_object_add(user, "is_admin",
                json_object_new_boolean(db_get_int(&u, 0, 3, 0) == 1));
            json_add_str(user, "created_at", db_get(&u, 0, 5));
        }
        for (unsigned i = 0; i < m.nrows; i++) {
            json_object *o = json_object_new_object();

            json_object_object_add(o, "id", json_int(db_get_int(&m, i, 0, 0)));
            json_add_str(o, "name", db_get(&m, i, 1));
            json_add_str(o, "status", db_get(&m, i, 2));
            json_add_str(o, "role", db_get(&m, i, 3));
            json_object_array_add(list, o);
        }
    }
    json_object_object_add(root, "user", user);
    json_object_object_add(root, "csrf_token", json_str(s->csrf));
    json_object_object_add(root, "acting_merchant_id",
                           s->acting_merchant_id
                               ? json_int(s->acting_merchant_id) : NULL);
    json_object_object_add(root, "merchants", list);
    *out = root;
    return JS_OK;
}

static int
reply_me(struct req *r, int status)
{
    json_object *root;
    int rc = me_json(r, &root);

    if (rc)
        return rc;
    return reply_json(r, status, root);
}

/* ------------------------------------------------------------------ */
/* register, login, logout                                              */

struct signup {
    const char *email, *password, *name;
    char hash[crypto_pwhash_STRBYTES];
};

static int
register_txn(struct req *r, void *arg)
{
    struct signup *su = arg;
    struct db_result res;
    int rc;

    rc = db_write(r, SQL_USER_INSERT,
                  DB_ARGS(DBP_S(su->email), DBP_S(su->hash),
                          DBP_S(su->name ? su->name : "")), &res);
    if (rc == JS_CONFLICT)
        return reply_err(r, JS_CONFLICT, "email",
                         "an account with this email already exists");
    if (rc)
        return rc;
    return auth_session_start(r, (int64_t)res.insert_id, 0);
}

int
account_register(struct req *r)
{
    struct signup su;
    int rc;

    if (v_email(r, "email", &su.email) ||
        v_new_password(r, "password", su.email, &su.password) ||
        v_str(r, "display_name", 0, 64, false, &su.name))
        return JS_REPLIED;
    rc = auth_load(r);
    if (rc)
        return rc;
    if (auth_password_hash(su.password, su.hash, sizeof(su.hash)))
        return JS_ERR;
    rc = db_txn(r, register_txn, &su);
    sodium_memzero(su.hash, sizeof(su.hash));
    if (rc)
        return rc;
    return reply_me(r, 201);
}

static int
throttle_locked(struct req *r, const char *email)
{
    struct db_result res;
    int rc = db_read_primary(r, SQL_THROTTLE_LOCKED,
                             DB_ARGS(DBP_S(email)), &res);

    if (rc)
        return rc;
    if (res.nrows) {
        int64_t secs = db_get_int(&res, 0, 0, 60);

        reply_err(r, JS_RATELIMIT, NULL,
                  "too many failed sign-ins; try again later");
        reply_header(r, "Retry-After",
                     arena_printf(&r->arena, "%lld",
                                  (long long)(secs > 0 ? secs : 1)));
        return JS_REPLIED;
    }
    return JS_OK;
}

int
account_login(struct req *r)
{
    const char *email, *password, *hash = NULL, *status = NULL;
    struct db_result res;
    int64_t uid = 0;
    int rc;

    if (v_email(r, "email", &email) || v_password(r, "password", &password))
        return JS_REPLIED;
    rc = throttle_locked(r, email);
    if (rc)
        return rc;
    rc = db_read_primary(r, SQL_USER_BY_EMAIL, DB_ARGS(DBP_S(email)), &res);
    if (rc)
        return rc;
    if (res.nrows) {
        uid = db_get_int(&res, 0, 0, 0);
        hash = db_get(&res, 0, 1);
        status = db_get(&res, 0, 2);
    }
    if (!auth_password_verify(password, hash)) {
        rc = db_write(r, SQL_THROTTLE_FAIL,
                      DB_ARGS(DBP_S(email), DBP_I(LOCK_AFTER_FAILURES)),
                      NULL);
        if (rc)
            return rc;
        return reply_err(r, JS_UNAUTHORIZED, NULL,
                         "wrong email or password");
    }
    if (!status || strcmp(status, "active") != 0)
        return reply_err(r, JS_FORBIDDEN, NULL, "this account is disabled");
    rc = db_write(r, SQL_THROTTLE_CLEAR, DB_ARGS(DBP_S(email)), NULL);
    if (!rc && auth_password_needs_rehash(hash)) {
        char fresh[crypto_pwhash_STRBYTES];

        if (auth_password_hash(password, fresh, sizeof(fresh)) == 0)
            rc = db_write(r, SQL_USER_PASSWORD,
                          DB_ARGS(DBP_S(fresh), DBP_I(uid)), NULL);
    }
    if (!rc)
        rc = auth_load(r);
    if (!rc)
        rc = auth_session_start(r, uid, 0);
    if (rc)
        return rc;
    return reply_me(r, 200);
}

int
account_logout(struct req *r)
{
    int rc = auth_session_end(r);

    if (rc)
        return rc;
    r->reply.status = 204;
    return JS_OK;
}

int
account_logout_all(struct req *r)
{
    int rc = auth_sessions_end_user(r, r->session->user_id, 0);

    if (rc)
        return rc;
    r->session = NULL;
    reply_header(r, "Set-Cookie",
                 "jishi_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    r->reply.status = 204;
    return JS_OK;
}

/* ------------------------------------------------------------------ */
/* profile and password                                                 */

int
account_me(struct req *r)
{
    return reply_me(r, 200);
}

int
account_update_me(struct req *r)
{
    const char *name;
    int rc;

    if (v_str(r, "display_name", 0, 64, true, &name))
        return JS_REPLIED;
    rc = db_write(r, SQL_USER_NAME,
                  DB_ARGS(DBP_S(name), DBP_I(r->session->user_id)), NULL);
    if (rc)
        return rc;
    return reply_me(r, 200);
}

struct pwchange {
    int64_t user_id;
    char hash[crypto_pwhash_STRBYTES];
};

static int
password_txn(struct req *r, void *arg)
{
    struct pwchange *pc = arg;
    int rc = db_write(r, SQL_USER_PASSWORD,
                      DB_ARGS(DBP_S(pc->hash), DBP_I(pc->user_id)), NULL);

    /* Outstanding reset links die with the old password. */
    if (!rc)
        rc = db_write(r, SQL_RESET_USE, DB_ARGS(DBP_I(pc->user_id)), NULL);
    /* Every other session ends; this one gets a new token. */
    if (!rc)
        rc = auth_sessions_end_user(r, pc->user_id,
                                    r->session ? r->session->id : 0);
    if (!rc && r->session)
        rc = auth_session_start(r, pc->user_id,
                                r->session->acting_merchant_id);
    return rc;
}

int
account_change_password(struct req *r)
{
    const char *cur, *next;
    struct pwchange pc;
    struct db_result u;
    int rc;

    if (v_password(r, "current_password", &cur) ||
        v_new_password(r, "new_password", r->session->email, &next))
        return JS_REPLIED;
    rc = db_read_primary(r, SQL_USER_GET,
                         DB_ARGS(DBP_I(r->session->user_id)), &u);
    if (rc)
        return rc;
    if (!u.nrows || !auth_password_verify(cur, db_get(&u, 0, 6)))
        return reply_err(r, JS_FORBIDDEN, "current_password",
                         "the current password is wrong");
    pc.user_id = r->session->user_id;
    if (auth_password_hash(next, pc.hash, sizeof(pc.hash)))
        return JS_ERR;
    rc = db_txn(r, password_txn, &pc);
    if (rc)
        return rc;
    return reply_me(r, 200);
}

/* ------------------------------------------------------------------ */
/* password reset                                                       */

struct reset_req {
    int64_t user_id;
    const char *email;
    char token[AUTH_TOKEN_LEN + 1];
};

static int
reset_request_txn(struct req *r, void *arg)
{
    struct reset_req *rr = arg;
    unsigned char hash[32];
    const char *body;
    int rc;

    auth_token_new(rr->token);
    auth_token_hash(rr->token, hash);
    rc = db_write(r, SQL_RESET_INSERT,
                  DB_ARGS(DBP_I(rr->user_id), DBP_B(hash, 32),
                          DBP_I(RESET_TTL_S)), NULL);
    if (rc)
        return rc;
    body = arena_printf(&r->arena,
        "Someone asked to reset the password of your Jishi account.\r\n"
        "If it was you, open this link within an hour:\r\n\r\n"
        "%s/account/reset?token=%s\r\n\r\n"
        "Reset token: %s\r\n\r\n"
        "If it was not you, ignore this message; your password stays as "
        "it is.\r\n",
        r->conf->public_url, rr->token, rr->token);
    return outbox_enqueue(r, "password_reset", rr->email,
                          "Reset your Jishi password", body);
}

int
account_reset_request(struct req *r)
{
    struct reset_req rr;
    struct db_result res;
    json_object *root;
    int rc;

    if (v_email(r, "email", &rr.email))
        return JS_REPLIED;
    rc = db_read_primary(r, SQL_USER_BY_EMAIL, DB_ARGS(DBP_S(rr.email)),
                         &res);
    if (rc)
        return rc;
    /* The same answer whether or not the account exists. */
    if (res.nrows && strcmp(db_get(&res, 0, 2), "active") == 0) {
        struct db_result recent;

        rr.user_id = db_get_int(&res, 0, 0, 0);
        /* At most a few mails per quarter hour, whoever asks. */
        rc = db_read_primary(r, SQL_RESET_RECENT, DB_ARGS(DBP_I(rr.user_id)),
                             &recent);
        if (rc)
            return rc;
        if (db_get_int(&recent, 0, 0, 0) >= RESET_MAX_RECENT)
            goto done;
        rc = db_txn(r, reset_request_txn, &rr);
        sodium_memzero(rr.token, sizeof(rr.token));
        if (rc)
            return rc;
    }
done:
    root = json_object_new_object();
    json_object_object_add(root, "status", json_str("sent_if_registered"));
    return reply_json(r, 202, root);
}

struct reset_confirm {
    const char *token;
    char hash[crypto_pwhash_STRBYTES];
};

static int
reset_confirm_txn(struct req *r, void *arg)
{
    struct reset_confirm *rc_ = arg;
    unsigned char th[32];
    struct db_result res;
    int64_t uid;
    int rc;

    auth_token_hash(rc_->token, th);
    rc = db_read_primary(r, SQL_RESET_FIND, DB_ARGS(DBP_B(th, 32)), &res);
    if (rc)
        return rc;
    if (!res.nrows)
        return reply_err(r, JS_UNPROCESSABLE, "token",
                         "this reset link is invalid, used or expired");
    uid = db_get_int(&res, 0, 1, 0);
    rc = db_write(r, SQL_USER_PASSWORD, DB_ARGS(DBP_S(rc_->hash), DBP_I(uid)),
                  NULL);
    if (!rc)
        rc = db_write(r, SQL_RESET_USE, DB_ARGS(DBP_I(uid)), NULL);
    if (!rc)
        rc = auth_sessions_end_user(r, uid, 0);
    return rc;
}

int
account_reset_confirm(struct req *r)
{
    struct reset_confirm rcf;
    const char *pw;
    int rc;

    if (v_str(r, "token", 1, 64, true, &rcf.token) ||
        v_new_password(r, "new_password", NULL, &pw))
        return JS_REPLIED;
    if (auth_password_hash(pw, rcf.hash, sizeof(rcf.hash)))
        return JS_ERR;
    rc = db_txn(r, reset_confirm_txn, &rcf);
    if (rc)
        return rc;
    r->reply.status = 204;
    return JS_OK;
}

/* ------------------------------------------------------------------ */
/* acting merchant                                                      */

int
account_set_acting_merchant(struct req *r)
{
    struct db_result res;
    int64_t mid = 0;
    bool present;
    int rc;

    if (v_int(r, "merchant_id", 1, INT64_MAX - 1, false, &mid, &present))
        return JS_REPLIED;
    if (present) {
        rc = db_read_primary(r, SQL_MEMBERSHIP,
                             DB_ARGS(DBP_I(r->session->user_id),
                                     DBP_I(mid)), &res);
        if (rc)
            return rc;
        if (!res.nrows)
            return reply_err(r, JS_FORBIDDEN, "merchant_id",
                             "you are not a member of this merchant");
    }
    /* A change of privilege: a new token. */
    rc = auth_session_start(r, r->session->user_id, present ? mid : 0);
    if (rc)
        return rc;
    return reply_me(r, 200);
}

/* ------------------------------------------------------------------ */
/* privacy                                                              */

static json_object *
rows_json(const struct db_result *res, const char *const *names)
{
    json_object *arr = json_object_new_array();

    for (unsigned i = 0; i < res->nrows; i++) {
        json_object *o = json_object_new_object();

        for (unsigned c = 0; c < res->ncols && names[c]; c++)
            json_add_str(o, names[c], db_get(res, i, c));
        json_object_array_add(arr, o);
    }
    return arr;
}

int
account_export(struct req *r)
{
    static const char *const sess_cols[] = {
        "created_at", "last_seen_at", "ip", "user_agent", NULL };
    static const char *const audit_cols[] = {
        "action", "object_type", "object_id", "created_at", NULL };
    int64_t uid = r->session->user_id;
    struct db_result s, l;
    json_object *root, *addrs = NULL;
    int rc;

    rc = me_json(r, &root);
    if (rc)
        return rc;
    rc = address_list_json(r, uid, &addrs);
    if (!rc)
        rc = db_read_primary(r, SQL_EXPORT_SESSIONS, DB_ARGS(DBP_I(uid)), &s);
    if (!rc)
        rc = db_read_primary(r, SQL_EXPORT_AUDIT, DB_ARGS(DBP_I(uid)), &l);
    if (rc) {
        json_object_put(root);
        json_object_put(addrs);
        return rc;
    }
    json_object_object_del(root, "csrf_token");
    json_object_object_add(root, "addresses", addrs);
    json_object_object_add(root, "sessions", rows_json(&s, sess_cols));
    json_object_object_add(root, "activity", rows_json(&l, audit_cols));
    {
        char when[UTC_NOW_BUF];

        json_object_object_add(root, "exported_at",
                               json_str(utc_now_iso(when)));
    }
    reply_json(r, 200, root);
    reply_header(r, "Content-Disposition",
                 "attachment; filename=\"jishi-my-data.json\"");
    return JS_OK;
}

static int
delete_txn(struct req *r, void *arg)
{
    int64_t uid = *(int64_t *)arg;
    int rc;

    rc = db_write(r, SQL_DELETE_ADDR, DB_ARGS(DBP_I(uid)), NULL);
    if (!rc)
        rc = db_write(r, SQL_DELETE_RESETS, DB_ARGS(DBP_I(uid)), NULL);
    if (!rc)
        rc = db_write(r, SQL_DELETE_MEMBERS, DB_ARGS(DBP_I(uid)), NULL);
    if (!rc)
        rc = db_write(r, SQL_USER_ANONYMISE, DB_ARGS(DBP_I(uid)), NULL);
    if (!rc)
        rc = audit_record(r, "user.delete", "user", uid, NULL);
    if (!rc)
        rc = auth_sessions_end_user(r, uid, 0);
    return rc;
}

int
account_delete(struct req *r)
{
    const char *pw;
    struct db_result u;
    int64_t uid = r->session->user_id;
    int rc;

    if (v_password(r, "password", &pw))
        return JS_REPLIED;
    rc = db_read_primary(r, SQL_USER_GET, DB_ARGS(DBP_I(uid)), &u);
    if (rc)
        return rc;
    if (!u.nrows || !auth_password_verify(pw, db_get(&u, 0, 6)))
        return reply_err(r, JS_FORBIDDEN, "password",
                         "the password is wrong");
    rc = db_txn(r, delete_txn, &uid);
    if (rc)
        return rc;
    r->session = NULL;
    reply_header(r, "Set-Cookie",
                 "jishi_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    r->reply.status = 204;
    return JS_OK;
}

/* ------------------------------------------------------------------ */
/* admin bootstrap                                                      */

int
account_create_admin(struct req *r, const char *email, const char *password)
{
    char hash[crypto_pwhash_STRBYTES];
    const char *norm = email_normalize(&r->arena, email);
    const char *why = password_policy(password, norm);
    struct db_result res, ins;
    int64_t uid;
    int rc;

    if (!norm)
        return error("'%s' is not a valid email address", email);
    if (why)
        return error("%s", why);
    if (auth_password_hash(password, hash, sizeof(hash)))
        return -1;
    rc = db_read_primary(r, SQL_USER_BY_EMAIL, DB_ARGS(DBP_S(norm)), &res);
    if (rc)
        return error("cannot reach the primary");
    if (res.nrows) {
        uid = db_get_int(&res, 0, 0, 0);
        rc = db_write(r, SQL_USER_ADMIN, DB_ARGS(DBP_S(hash), DBP_I(uid)),
                      NULL);
    } else {
        rc = db_write(r, SQL_USER_INSERT_ADMIN,
                      DB_ARGS(DBP_S(norm), DBP_S(hash)), &ins);
        uid = (int64_t)ins.insert_id;
    }
    if (!rc)
        rc = audit_record(r, "user.make_admin", "user", uid, NULL);
    return rc ? error("cannot create the admin account") : 0;
}
