/*
 * audit.c - the audit log (see audit.h).
 */
#include "config.h"
#include "audit.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "json.h"
#include "reply.h"
#include "req.h"
#include "util.h"

static const char SQL_INSERT[] =
    "INSERT INTO audit_log (actor_user_id, actor_role, merchant_id, action,"
    " object_type, object_id, summary, request_id, ip) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* Every filter is optional: NULL matches all. */
static const char SQL_LIST[] =
    "SELECT id, actor_user_id, actor_role, merchant_id, action, object_type,"
    " object_id, summary, request_id,"
    " DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ') "
    "FROM audit_log "
    "WHERE (? IS NULL OR actor_user_id = ?) AND (? IS NULL OR action = ?)"
    " AND (? IS NULL OR object_type = ?) AND (? IS NULL OR object_id = ?)"
    " AND (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at < ?) "
    "ORDER BY id DESC LIMIT ? OFFSET ?";
static const char SQL_COUNT[] =
    "SELECT COUNT(*) FROM audit_log "
    "WHERE (? IS NULL OR actor_user_id = ?) AND (? IS NULL OR action = ?)"
    " AND (? IS NULL OR object_type = ?) AND (? IS NULL OR object_id = ?)"
    " AND (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at < ?)";

int
audit_record(struct req *r, const char *action, const char *object_type,
             int64_t object_id, json_object *summary)
{
    const struct session *s = r->session;
    const char *text;
    char id[24];
    int rc;

    snprintf(id, sizeof(id), "%lld", (long long)object_id);
    if (!summary)
        summary = json_object_new_object();
    text = json_to_string(&r->arena, summary, NULL);
    json_object_put(summary);
    rc = db_write(r, SQL_INSERT,
                  DB_ARGS(s && s->user_id ? DBP_I(s->user_id) : DBP_NULLV,
                          DBP_S(auth_role(r)),
                          s && s->acting_merchant_id &&
                                  strcmp(auth_role(r), "merchant") == 0
                              ? DBP_I(s->acting_merchant_id) : DBP_NULLV,
                          DBP_S(action), DBP_S(object_type), DBP_S(id),
                          DBP_S(text), DBP_S(r->request_id),
                          DBP_S(r->remote_addr)),
                  NULL);
    return rc;
}

/* A date filter "YYYY-MM-DD" or a full timestamp; NULL when absent. */
static int
date_param(struct req *r, const char *name, const char **out)
{
    const char *s = req_query(r, name);
    size_t n;

    *out = NULL;
    if (!s || !*s)
        return JS_OK;
    n = strlen(s);
    if (n < 10 || n > 26 || s[4] != '-' || s[7] != '-')
        return reply_err(r, JS_INVALID, name,
                         "'%s' must be a date like 2026-01-31", name);
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789-:T. Z", s[i]))
            return reply_err(r, JS_INVALID, name,
                             "'%s' must be a date like 2026-01-31", name);
    *out = s;
    return JS_OK;
}

static struct db_param
opt_str(struct req *r, const char *name)
{
    const char *s = req_query(r, name);

    return s && *s && strlen(s) <= 64 ? DBP_S(s) : DBP_NULLV;
}

int
audit_list(struct req *r)
{
    int64_t page, per_page, actor;
    const char *from, *to;
    struct db_param a, act, ot, oi, f, t;
    struct db_result res, cnt;
    json_object *items;
    int rc;

    if (req_paging_or_400(r, 50, 100, &page, &per_page) ||
        req_query_int_or_400(r, "actor", 1, INT64_MAX - 1, 0, &actor) ||
        date_param(r, "from", &from) || date_param(r, "to", &to))
        return JS_REPLIED;
    a = actor ? DBP_I(actor) : DBP_NULLV;
    act = opt_str(r, "action");
    ot = opt_str(r, "object_type");
    oi = opt_str(r, "object_id");
    f = DBP_S(from);
    t = DBP_S(to);
    rc = db_read(r, SQL_LIST,
                 DB_ARGS(a, a, act, act, ot, ot, oi, oi, f, f, t, t,
                         DBP_I(per_page), DBP_I((page - 1) * per_page)),
                 &res);
    if (!rc)
        rc = db_read(r, SQL_COUNT,
                     DB_ARGS(a, a, act, act, ot, ot, oi, oi, f, f, t, t),
                     &cnt);
    if (rc)
        return rc;
    items = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++) {
        json_object *o = json_object_new_object(), *sum = NULL;
        const char *txt = db_get(&res, i, 7);

        json_object_object_add(o, "id", json_int(db_get_int(&res, i, 0, 0)));
        json_object_object_add(o, "actor_user_id",
                               db_get(&res, i, 1)
                                   ? json_int(db_get_int(&res, i, 1, 0))
                                   : NULL);
        json_object_object_add(o, "actor_role", json_str(db_get(&res, i, 2)));
        json_object_object_add(o, "merchant_id",
                               db_get(&res, i, 3)
                                   ? json_int(db_get_int(&res, i, 3, 0))
                                   : NULL);
        json_object_object_add(o, "action", json_str(db_get(&res, i, 4)));
        json_object_object_add(o, "object_type",
                               json_str(db_get(&res, i, 5)));
        json_object_object_add(o, "object_id", json_str(db_get(&res, i, 6)));
        if (txt)
            sum = json_tokener_parse(txt);
        json_object_object_add(o, "summary",
                               sum ? sum : json_object_new_object());
        json_object_object_add(o, "request_id",
                               json_str(db_get(&res, i, 8)));
        json_object_object_add(o, "created_at",
                               json_str(db_get(&res, i, 9)));
        json_object_array_add(items, o);
    }
    return reply_list(r, items, db_get_int(&cnt, 0, 0, 0), page, per_page);
}
