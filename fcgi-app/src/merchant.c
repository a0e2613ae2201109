/*
 * merchant.c - merchants and their staff (see merchant.h).
 */
#include "config.h"
#include "merchant.h"

#include <string.h>

#include "audit.h"
#include "auth.h"
#include "db.h"
#include "json.h"
#include "outbox.h"
#include "reply.h"
#include "req.h"
#include "util.h"
#include "validate.h"

static const char SQL_INSERT[] = "INSERT INTO merchants (name) VALUES (?)";
static const char SQL_ADD_MEMBER[] =
    "INSERT INTO merchant_members (merchant_id, user_id, role) "
    "VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE role = VALUES(role)";
static const char SQL_GET[] =
    "SELECT " MERCHANT_COLS " FROM merchants WHERE id = ?";
static const char SQL_OWNERS[] =
    "SELECT u.email, m.name FROM merchant_members mm"
    " JOIN users u ON u.id = mm.user_id"
    " JOIN merchants m ON m.id = mm.merchant_id"
    " WHERE mm.merchant_id = ? AND mm.role = 'owner' AND u.status = 'active'";
static const char SQL_GET_FOR_UPDATE[] =
    "SELECT status FROM merchants WHERE id = ? FOR UPDATE";
static const char SQL_SET_STATUS[] =
    "UPDATE merchants SET status = ?, updated_at = UTC_TIMESTAMP(6) "
    "WHERE id = ?";
static const char SQL_MEMBERS[] =
    "SELECT mm.user_id, u.email, u.display_name, mm.role "
    "FROM merchant_members mm JOIN users u ON u.id = mm.user_id "
    "WHERE mm.merchant_id = ? ORDER BY mm.role, mm.user_id";
static const char SQL_USER_BY_EMAIL[] =
    "SELECT id FROM users WHERE email = ? AND status = 'active'";
static const char SQL_REMOVE_MEMBER[] =
    "DELETE FROM merchant_members WHERE merchant_id = ? AND user_id = ?";
static const char SQL_END_MEMBER_SESSIONS[] =
    "DELETE FROM sessions WHERE user_id = ? AND acting_merchant_id = ?";

json_object *
merchant_row_json(const struct db_result *res, unsigned i)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_int(db_get_int(res, i, 0, 0)));
    json_object_object_add(o, "name", json_str(db_get(res, i, 1)));
    json_object_object_add(o, "status", json_str(db_get(res, i, 2)));
    json_object_object_add(o, "commission_bp",
                           json_int(db_get_int(res, i, 3, 0)));
    json_object_object_add(o, "created_at", json_str(db_get(res, i, 4)));
    return o;
}

json_object *
merchant_json(struct req *r, int64_t id, int *rc)
{
    struct db_result res;

    *rc = db_read(r, SQL_GET, DB_ARGS(DBP_I(id)), &res);
    if (*rc)
        return NULL;
    if (!res.nrows) {
        *rc = JS_NOTFOUND;
        return NULL;
    }
    return merchant_row_json(&res, 0);
}

static int
reply_merchant(struct req *r, int64_t id, int status)
{
    int rc;
    json_object *o = merchant_json(r, id, &rc);

    if (!o)
        return rc == JS_NOTFOUND
                   ? reply_err(r, JS_NOTFOUND, NULL, "merchant not found")
                   : rc;
    return reply_json(r, status, o);
}

struct apply {
    const char *name;
    int64_t id;
};

static int
apply_txn(struct req *r, void *arg)
{
    struct apply *a = arg;
    struct db_result res;
    json_object *sum;
    int rc;

    rc = db_write(r, SQL_INSERT, DB_ARGS(DBP_S(a->name)), &res);
    if (rc == JS_CONFLICT)
        return reply_err(r, JS_CONFLICT, "name",
                         "a merchant with this name exists");
    if (rc)
        return rc;
    a->id = (int64_t)res.insert_id;
    rc = db_write(r, SQL_ADD_MEMBER,
                  DB_ARGS(DBP_I(a->id), DBP_I(r->session->user_id),
                          DBP_S("owner")), NULL);
    if (rc)
        return rc;
    sum = json_object_new_object();
    json_object_object_add(sum, "name", json_str(a->name));
    return audit_record(r, "merchant.apply", "merchant", a->id, sum);
}

int
merchant_apply(struct req *r)
{
    struct apply a;
    int rc;

    if (v_str(r, "name", 2, 100, true, &a.name))
        return JS_REPLIED;
    rc = db_txn(r, apply_txn, &a);
    if (rc)
        return rc;
    return reply_merchant(r, a.id, 201);
}

int
merchant_profile(struct req *r)
{
    return reply_merchant(r, r->session->acting_merchant_id, 200);
}

int
merchant_members(struct req *r)
{
    struct db_result res;
    json_object *items;
    int rc = db_read(r, SQL_MEMBERS,
                     DB_ARGS(DBP_I(r->session->acting_merchant_id)), &res);

    if (rc)
        return rc;
    items = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "user_id",
                               json_int(db_get_int(&res, i, 0, 0)));
        json_object_object_add(o, "email", json_str(db_get(&res, i, 1)));
        json_object_object_add(o, "display_name",
                               json_str(db_get(&res, i, 2)));
        json_object_object_add(o, "role", json_str(db_get(&res, i, 3)));
        json_object_array_add(items, o);
    }
    return reply_list(r, items, res.nrows, 1, res.nrows ? res.nrows : 1);
}

struct member {
    const char *email, *role;
    int64_t user_id;
};

static int
member_add_txn(struct req *r, void *arg)
{
    struct member *m = arg;
    int64_t mid = r->session->acting_merchant_id;
    struct db_result res;
    json_object *sum;
    int rc;

    rc = db_read_primary(r, SQL_USER_BY_EMAIL, DB_ARGS(DBP_S(m->email)),
                         &res);
    if (rc)
        return rc;
    if (!res.nrows)
        return reply_err(r, JS_NOTFOUND, "email",
                         "no active account has this email");
    m->user_id = db_get_int(&res, 0, 0, 0);
    /* An owner changing their own role could leave no owner behind. */
    if (m->user_id == r->session->user_id)
        return reply_err(r, JS_UNPROCESSABLE, "email",
                         "you cannot change your own role");
    rc = db_write(r, SQL_ADD_MEMBER,
                  DB_ARGS(DBP_I(mid), DBP_I(m->user_id), DBP_S(m->role)),
                  NULL);
    if (rc)
        return rc;
    sum = json_object_new_object();
    json_object_object_add(sum, "user_id", json_int(m->user_id));
    json_object_object_add(sum, "role", json_str(m->role));
    return audit_record(r, "merchant.member_add", "merchant", mid, sum);
}

int
merchant_member_add(struct req *r)
{
    struct member m;
    int rc;

    if (v_email(r, "email", &m.email) ||
        v_str(r, "role", 1, 16, true, &m.role))
        return JS_REPLIED;
    if (strcmp(m.role, "staff") != 0 && strcmp(m.role, "owner") != 0)
        return reply_err(r, JS_INVALID, "role",
                         "'role' must be \"staff\" or \"owner\"");
    rc = db_txn(r, member_add_txn, &m);
    if (!rc)
        rc = merchant_members(r);
    if (!rc)
        r->reply.status = 201;
    return rc;
}

static int
member_remove_txn(struct req *r, void *arg)
{
    int64_t uid = *(int64_t *)arg;
    int64_t mid = r->session->acting_merchant_id;
    struct db_result res;
    json_object *sum;
    int rc;

    rc = db_write(r, SQL_REMOVE_MEMBER, DB_ARGS(DBP_I(mid), DBP_I(uid)),
                  &res);
    if (rc)
        return rc;
    if (!res.affected)
        return reply_err(r, JS_NOTFOUND, NULL, "not a member");
    /* Their sessions acting for this merchant end with the membership. */
    rc = db_write(r, SQL_END_MEMBER_SESSIONS, DB_ARGS(DBP_I(uid), DBP_I(mid)),
                  NULL);
    if (rc)
        return rc;
    sum = json_object_new_object();
    json_object_object_add(sum, "user_id", json_int(uid));
    return audit_record(r, "merchant.member_remove", "merchant", mid, sum);
}

int
merchant_member_remove(struct req *r)
{
    int64_t uid;
    int rc;

    if (req_param_id_or_404(r, "user_id", &uid))
        return JS_REPLIED;
    if (uid == r->session->user_id)
        return reply_err(r, JS_UNPROCESSABLE, NULL,
                         "an owner cannot remove themself");
    rc = db_txn(r, member_remove_txn, &uid);
    if (rc)
        return rc;
    r->reply.status = 204;
    return JS_OK;
}

struct status_change {
    int64_t id;
    const char *status, *action;
    const char *from;       /* statuses it may change from, "|a|b|" */
    const char *reason;     /* for the audit log; NULL: none */
};

/* Mail the shop's owners what the platform decided (and why), in the
 * same transaction as the change: merchant_<status>. */
static int
tell_owners(struct req *r, const struct status_change *c)
{
    struct db_result res;
    int rc = db_read_primary(r, SQL_OWNERS, DB_ARGS(DBP_I(c->id)), &res);

    for (unsigned i = 0; !rc && i < res.nrows; i++)
        rc = outbox_enqueue(r, arena_printf(&r->arena, "merchant_%s",
                                            c->status),
                            db_get(&res, i, 0),
                            arena_printf(&r->arena, "Your Jishi shop is %s",
                                         strcmp(c->status, "active") == 0
                                             ? "approved" : c->status),
                            arena_printf(&r->arena,
                                "The platform has changed the status of your "
                                "shop \"%s\" to %s.%s%s\r\n",
                                db_get(&res, i, 1), c->status,
                                c->reason ? "\r\nReason: " : "",
                                c->reason ? c->reason : ""));
    return rc;
}

static int
status_txn(struct req *r, void *arg)
{
    struct status_change *c = arg;
    struct db_result res;
    json_object *sum;
    int rc;

    rc = db_read_primary(r, SQL_GET_FOR_UPDATE, DB_ARGS(DBP_I(c->id)), &res);
    if (rc)
        return rc;
    if (!res.nrows)
        return JS_NOTFOUND;
    if (!strstr(c->from, arena_printf(&r->arena, "|%s|",
                                      db_get(&res, 0, 0))))
        return reply_err(r, JS_UNPROCESSABLE, NULL,
                         "a %s merchant cannot be %s", db_get(&res, 0, 0),
                         c->status);
    rc = db_write(r, SQL_SET_STATUS, DB_ARGS(DBP_S(c->status), DBP_I(c->id)),
                  NULL);
    if (rc)
        return rc;
    rc = tell_owners(r, c);
    if (rc)
        return rc;
    sum = json_object_new_object();
    json_object_object_add(sum, "before", json_str(db_get(&res, 0, 0)));
    json_object_object_add(sum, "after", json_str(c->status));
    if (c->reason)
        json_object_object_add(sum, "reason", json_str(c->reason));
    return audit_record(r, c->action, "merchant", c->id, sum);
}

int
merchant_set_status(struct req *r, int64_t id, const char *status,
                    const char *action, const char *from, const char *reason)
{
    struct status_change c = { id, status, action, from, reason };
    int rc = db_txn(r, status_txn, &c);

    if (rc == JS_NOTFOUND)
        return reply_err(r, JS_NOTFOUND, NULL, "merchant not found");
    if (rc)
        return rc;
    return reply_merchant(r, id, 200);
}
