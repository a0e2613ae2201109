/*
 * admin.c - platform staff endpoints for users and merchants (see admin.h).
 */
#include "config.h"
#include "admin.h"

#include <string.h>

#include "audit.h"
#include "auth.h"
#include "db.h"
#include "json.h"
#include "merchant.h"
#include "reply.h"
#include "req.h"
#include "util.h"
#include "validate.h"

/* q matches the start of the email or display name (index-friendly). */
static const char SQL_USERS[] =
    "SELECT id, email, display_name, status, is_admin,"
    " DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') FROM users "
    "WHERE (? IS NULL OR email LIKE CONCAT(?, '%') OR"
    "       display_name LIKE CONCAT(?, '%'))"
    " AND (? IS NULL OR status = ?) "
    "ORDER BY id DESC LIMIT ? OFFSET ?";
static const char SQL_USERS_COUNT[] =
    "SELECT COUNT(*) FROM users "
    "WHERE (? IS NULL OR email LIKE CONCAT(?, '%') OR"
    "       display_name LIKE CONCAT(?, '%'))"
    " AND (? IS NULL OR status = ?)";
static const char SQL_USER[] =
    "SELECT id, email, display_name, status, is_admin,"
    " DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') FROM users WHERE id = ?";
static const char SQL_USER_LOCK[] =
    "SELECT status, is_admin FROM users WHERE id = ? FOR UPDATE";
static const char SQL_USER_STATUS[] =
    "UPDATE users SET status = ?, updated_at = UTC_TIMESTAMP(6) WHERE id = ?";
static const char SQL_END_SESSIONS[] = "DELETE FROM sessions WHERE user_id = ?";
static const char SQL_MERCHANTS[] =
    "SELECT " MERCHANT_COLS " FROM merchants WHERE (? IS NULL OR status = ?) "
    "ORDER BY id DESC LIMIT ? OFFSET ?";
static const char SQL_MERCHANTS_COUNT[] =
    "SELECT COUNT(*) FROM merchants WHERE (? IS NULL OR status = ?)";

static json_object *
user_json(const struct db_result *res, unsigned i)
{
    json_object *o = json_object_new_object();
    const char *email = db_get(res, i, 1);

    json_object_object_add(o, "id", json_int(db_get_int(res, i, 0, 0)));
    json_object_object_add(o, "email", email ? json_str(email) : NULL);
    json_object_object_add(o, "display_name", json_str(db_get(res, i, 2)));
    json_object_object_add(o, "status", json_str(db_get(res, i, 3)));
    json_object_object_add(o, "is_admin",
                           json_object_new_boolean(db_get_int(res, i, 4, 0)));
    json_object_object_add(o, "created_at", json_str(db_get(res, i, 5)));
    return o;
}

/* A LIKE prefix with its wildcards escaped; NULL when absent. */
static struct db_param
like_prefix(struct req *r, const char *name)
{
    const char *s = req_query(r, name);
    char *out, *o;

    if (!s || !*s || strlen(s) > 100)
        return DBP_NULLV;
    out = o = arena_alloc(&r->arena, strlen(s) * 2 + 1);
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            *o++ = '\\';
        *o++ = *s;
    }
    *o = '\0';
    return DBP_S(out);
}

static int
status_filter(struct req *r, const char *const *allowed, struct db_param *out)
{
    const char *s = req_query(r, "status");

    *out = DBP_NULLV;
    if (!s || !*s)
        return JS_OK;
    for (; *allowed; allowed++)
        if (strcmp(s, *allowed) == 0) {
            *out = DBP_S(s);
            return JS_OK;
        }
    return reply_err(r, JS_INVALID, "status", "unknown status '%s'",
                     strlen(s) < 32 ? s : "(long)");
}

int
admin_users(struct req *r)
{
    static const char *const st[] = { "active", "disabled", "deleted", NULL };
    struct db_param q, status;
    struct db_result res, cnt;
    int64_t page, per_page;
    json_object *items;
    int rc;

    if (req_paging_or_400(r, 50, 200, &page, &per_page) ||
        status_filter(r, st, &status))
        return JS_REPLIED;
    q = like_prefix(r, "q");
    rc = db_read(r, SQL_USERS,
                 DB_ARGS(q, q, q, status, status, DBP_I(per_page),
                         DBP_I((page - 1) * per_page)), &res);
    if (!rc)
        rc = db_read(r, SQL_USERS_COUNT, DB_ARGS(q, q, q, status, status),
                     &cnt);
    if (rc)
        return rc;
    items = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++)
        json_object_array_add(items, user_json(&res, i));
    return reply_list(r, items, db_get_int(&cnt, 0, 0, 0), page, per_page);
}

struct user_status {
    int64_t id;
    const char *status, *action;
};

static int
user_status_txn(struct req *r, void *arg)
{
    struct user_status *u = arg;
    struct db_result res;
    json_object *sum;
    const char *before;
    int rc;

    rc = db_read_primary(r, SQL_USER_LOCK, DB_ARGS(DBP_I(u->id)), &res);
    if (rc)
        return rc;
    if (!res.nrows)
        return reply_err(r, JS_NOTFOUND, NULL, "user not found");
    before = db_get(&res, 0, 0);
    if (strcmp(before, "deleted") == 0)
        return reply_err(r, JS_UNPROCESSABLE, NULL,
                         "a deleted account cannot change status");
    if (u->id == r->session->user_id)
        return reply_err(r, JS_UNPROCESSABLE, NULL,
                         "you cannot change your own account's status");
    rc = db_write(r, SQL_USER_STATUS, DB_ARGS(DBP_S(u->status),
                                              DBP_I(u->id)), NULL);
    /* Disabling ends every session of the account at once. */
    if (!rc && strcmp(u->status, "disabled") == 0)
        rc = db_write(r, SQL_END_SESSIONS, DB_ARGS(DBP_I(u->id)), NULL);
    if (rc)
        return rc;
    sum = json_object_new_object();
    json_object_object_add(sum, "before", json_str(before));
    json_object_object_add(sum, "after", json_str(u->status));
    return audit_record(r, u->action, "user", u->id, sum);
}

static int
set_user_status(struct req *r, const char *status, const char *action)
{
    struct user_status u = { 0, status, action };
    struct db_result res;
    int rc;

    if (req_param_id_or_404(r, "id", &u.id))
        return JS_REPLIED;
    rc = db_txn(r, user_status_txn, &u);
    if (rc)
        return rc;
    rc = db_read(r, SQL_USER, DB_ARGS(DBP_I(u.id)), &res);
    if (rc)
        return rc;
    return reply_json(r, 200, user_json(&res, 0));
}

int
admin_user_disable(struct req *r)
{
    return set_user_status(r, "disabled", "user.disable");
}

int
admin_user_enable(struct req *r)
{
    return set_user_status(r, "active", "user.enable");
}

int
admin_merchants(struct req *r)
{
    static const char *const st[] = { "pending", "active", "rejected",
                                      "suspended", NULL };
    struct db_param status;
    struct db_result res, cnt;
    int64_t page, per_page;
    json_object *items;
    int rc;

    if (req_paging_or_400(r, 50, 200, &page, &per_page) ||
        status_filter(r, st, &status))
        return JS_REPLIED;
    rc = db_read(r, SQL_MERCHANTS,
                 DB_ARGS(status, status, DBP_I(per_page),
                         DBP_I((page - 1) * per_page)), &res);
    if (!rc)
        rc = db_read(r, SQL_MERCHANTS_COUNT, DB_ARGS(status, status), &cnt);
    if (rc)
        return rc;
    items = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++)
        json_object_array_add(items, merchant_row_json(&res, i));
    return reply_list(r, items, db_get_int(&cnt, 0, 0, 0), page, per_page);
}

int
admin_merchant_approve(struct req *r)
{
    int64_t id;

    if (req_param_id_or_404(r, "id", &id))
        return JS_REPLIED;
    return merchant_set_status(r, id, "active", "merchant.approve",
                               "|pending|rejected|suspended|", NULL);
}

int
admin_merchant_reject(struct req *r)
{
    int64_t id;

    if (req_param_id_or_404(r, "id", &id))
        return JS_REPLIED;
    return merchant_set_status(r, id, "rejected", "merchant.reject",
                               "|pending|", NULL);
}

/* Suspension takes an active shop off sale at once: its products leave
 * the shop (catalog.h, SQL_SHOWN), carts show its lines as unavailable,
 * checkout refuses them and its staff lose the merchant routes; orders
 * already placed keep their lifecycle.  Approval undoes it. */
int
admin_merchant_suspend(struct req *r)
{
    const char *reason;
    int64_t id;

    if (req_param_id_or_404(r, "id", &id) ||
        v_text(r, "reason", 500, true, &reason))
        return JS_REPLIED;
    return merchant_set_status(r, id, "suspended", "merchant.suspend",
                               "|active|", reason);
}
