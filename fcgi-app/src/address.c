/*
 * address.c - the address book (see address.h).
 */
#include "config.h"
#include "address.h"

#include <string.h>

#include "auth.h"
#include "db.h"
#include "json.h"
#include "reply.h"
#include "req.h"
#include "util.h"
#include "validate.h"

#define MAX_ADDRESSES 50

static const char SQL_LIST[] =
    "SELECT id, recipient, phone, country, region, city, district, line1,"
    " line2, postal_code, is_default FROM addresses WHERE user_id = ? "
    "ORDER BY is_default DESC, id LIMIT ? OFFSET ?";
static const char SQL_TOTAL[] =
    "SELECT COUNT(*) FROM addresses WHERE user_id = ?";
static const char SQL_GET[] =
    "SELECT id, recipient, phone, country, region, city, district, line1,"
    " line2, postal_code, is_default FROM addresses"
    " WHERE id = ? AND user_id = ?";
static const char SQL_COUNT[] =
    "SELECT COUNT(*) FROM addresses WHERE user_id = ? FOR UPDATE";
static const char SQL_INSERT[] =
    "INSERT INTO addresses (user_id, recipient, phone, country, region, city,"
    " district, line1, line2, postal_code, is_default) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/* COALESCE keeps a field the request did not send. */
static const char SQL_UPDATE[] =
    "UPDATE addresses SET recipient = COALESCE(?, recipient),"
    " phone = COALESCE(?, phone), country = COALESCE(?, country),"
    " region = COALESCE(?, region), city = COALESCE(?, city),"
    " district = COALESCE(?, district), line1 = COALESCE(?, line1),"
    " line2 = COALESCE(?, line2), postal_code = COALESCE(?, postal_code),"
    " is_default = COALESCE(?, is_default), updated_at = UTC_TIMESTAMP(6) "
    "WHERE id = ? AND user_id = ?";
static const char SQL_CLEAR_DEFAULT[] =
    "UPDATE addresses SET is_default = 0 WHERE user_id = ? AND id <> ?";
static const char SQL_DELETE[] =
    "DELETE FROM addresses WHERE id = ? AND user_id = ?";

static const char *const cols[] = {
    "id", "recipient", "phone", "country", "region", "city", "district",
    "line1", "line2", "postal_code", "is_default" };

static json_object *
row_json(const struct db_result *res, unsigned i)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_int(db_get_int(res, i, 0, 0)));
    for (unsigned c = 1; c < 10; c++)
        json_object_object_add(o, cols[c], json_str(db_get(res, i, c)));
    json_object_object_add(o, "is_default",
                           json_object_new_boolean(db_get_int(res, i, 10, 0)));
    return o;
}

struct addr {
    int64_t id, user_id;
    const char *f[9];         /* recipient .. postal_code */
    bool is_default, has_default;
    bool created;
};

static bool
phone_ok(const char *p)
{
    size_t digits = 0;

    for (; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (!strchr("+- ()", *p))
            return false;
    }
    return digits >= 5 && digits <= 20;
}

/* Read the fields; on create the required ones must be there. */
static int
parse(struct req *r, struct addr *a, bool create)
{
    static const struct {
        const char *key;
        size_t min, max;
        bool required;
    } spec[9] = {
        { "recipient", 1, 64, true }, { "phone", 5, 32, true },
        { "country", 2, 2, true }, { "region", 0, 64, false },
        { "city", 1, 64, true }, { "district", 0, 64, false },
        { "line1", 1, 200, true }, { "line2", 0, 200, false },
        { "postal_code", 0, 16, false },
    };

    for (int i = 0; i < 9; i++)
        if (v_str(r, spec[i].key, spec[i].min, spec[i].max,
                  create && spec[i].required, &a->f[i]))
            return JS_REPLIED;
    if (v_bool(r, "is_default", &a->is_default, &a->has_default))
        return JS_REPLIED;
    if (a->f[1] && !phone_ok(a->f[1]))
        return reply_err(r, JS_INVALID, "phone",
                         "'phone' must be 5 to 20 digits");
    if (a->f[2]) {
        char *cc = arena_strdup(&r->arena, a->f[2]);

        for (char *p = cc; *p; p++) {
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
            if (*p < 'A' || *p > 'Z')
                return reply_err(r, JS_INVALID, "country",
                                 "'country' must be a two-letter code");
        }
        a->f[2] = cc;
    }
    if (create) {
        /* Optional text fields default to empty. */
        for (int i = 0; i < 9; i++)
            if (!a->f[i])
                a->f[i] = "";
    }
    return JS_OK;
}

static int
create_txn(struct req *r, void *arg)
{
    struct addr *a = arg;
    struct db_result res;
    int64_t n;
    int rc;

    rc = db_read_primary(r, SQL_COUNT, DB_ARGS(DBP_I(a->user_id)), &res);
    if (rc)
        return rc;
    n = db_get_int(&res, 0, 0, 0);
    if (n >= MAX_ADDRESSES)
        return reply_err(r, JS_UNPROCESSABLE, NULL,
                         "an address book holds at most %d addresses",
                         MAX_ADDRESSES);
    /* The first address is the default. */
    if (n == 0)
        a->is_default = true;
    rc = db_write(r, SQL_INSERT,
                  DB_ARGS(DBP_I(a->user_id), DBP_S(a->f[0]), DBP_S(a->f[1]),
                          DBP_S(a->f[2]), DBP_S(a->f[3]), DBP_S(a->f[4]),
                          DBP_S(a->f[5]), DBP_S(a->f[6]), DBP_S(a->f[7]),
                          DBP_S(a->f[8]), DBP_I(a->is_default)), &res);
    if (rc)
        return rc;
    a->id = (int64_t)res.insert_id;
    if (a->is_default)
        rc = db_write(r, SQL_CLEAR_DEFAULT,
                      DB_ARGS(DBP_I(a->user_id), DBP_I(a->id)), NULL);
    return rc;
}

static int
update_txn(struct req *r, void *arg)
{
    struct addr *a = arg;
    struct db_result res;
    int rc;

    rc = db_read_primary(r, SQL_GET, DB_ARGS(DBP_I(a->id),
                                              DBP_I(a->user_id)), &res);
    if (rc)
        return rc;
    if (!res.nrows)
        return reply_err(r, JS_NOTFOUND, NULL, "address not found");
    rc = db_write(r, SQL_UPDATE,
                  DB_ARGS(DBP_S(a->f[0]), DBP_S(a->f[1]), DBP_S(a->f[2]),
                          DBP_S(a->f[3]), DBP_S(a->f[4]), DBP_S(a->f[5]),
                          DBP_S(a->f[6]), DBP_S(a->f[7]), DBP_S(a->f[8]),
                          a->has_default ? DBP_I(a->is_default) : DBP_NULLV,
                          DBP_I(a->id), DBP_I(a->user_id)), NULL);
    if (!rc && a->has_default && a->is_default)
        rc = db_write(r, SQL_CLEAR_DEFAULT,
                      DB_ARGS(DBP_I(a->user_id), DBP_I(a->id)), NULL);
    return rc;
}

static int
reply_one(struct req *r, int64_t id, int status)
{
    struct db_result res;
    int rc = db_read(r, SQL_GET,
                     DB_ARGS(DBP_I(id), DBP_I(r->session->user_id)), &res);

    if (rc)
        return rc;
    if (!res.nrows)
        return reply_err(r, JS_NOTFOUND, NULL, "address not found");
    return reply_json(r, status, row_json(&res, 0));
}

static int
list_page(struct req *r, int64_t user_id, int64_t limit, int64_t offset,
          json_object **out)
{
    struct db_result res;
    int rc = db_read(r, SQL_LIST,
                     DB_ARGS(DBP_I(user_id), DBP_I(limit), DBP_I(offset)),
                     &res);

    if (rc)
        return rc;
    *out = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++)
        json_object_array_add(*out, row_json(&res, i));
    return JS_OK;
}

int
address_list_json(struct req *r, int64_t user_id, json_object **out)
{
    return list_page(r, user_id, MAX_ADDRESSES, 0, out);
}

int
address_list(struct req *r)
{
    int64_t page, per_page;
    struct db_result cnt;
    json_object *items;
    int rc;

    if (req_paging_or_400(r, MAX_ADDRESSES, MAX_ADDRESSES, &page, &per_page))
        return JS_REPLIED;
    rc = db_read(r, SQL_TOTAL, DB_ARGS(DBP_I(r->session->user_id)), &cnt);
    if (!rc)
        rc = list_page(r, r->session->user_id, per_page,
                       (page - 1) * per_page, &items);
    if (rc)
        return rc;
    return reply_list(r, items, db_get_int(&cnt, 0, 0, 0), page, per_page);
}

int
address_create(struct req *r)
{
    struct addr a;
    int rc;

    memset(&a, 0, sizeof(a));
    a.user_id = r->session->user_id;
    if (parse(r, &a, true))
        return JS_REPLIED;
    rc = db_txn(r, create_txn, &a);
    if (rc)
        return rc;
    return reply_one(r, a.id, 201);
}

int
address_update(struct req *r)
{
    struct addr a;
    int rc;

    memset(&a, 0, sizeof(a));
    a.user_id = r->session->user_id;
    if (req_param_id_or_404(r, "id", &a.id) || parse(r, &a, false))
        return JS_REPLIED;
    rc = db_txn(r, update_txn, &a);
    if (rc)
        return rc;
    return reply_one(r, a.id, 200);
}

int
address_delete(struct req *r)
{
    struct db_result res;
    int64_t id;
    int rc;

    if (req_param_id_or_404(r, "id", &id))
        return JS_REPLIED;
    rc = db_write(r, SQL_DELETE, DB_ARGS(DBP_I(id),
                                         DBP_I(r->session->user_id)), &res);
    if (rc)
        return rc;
    if (!res.affected)
        return reply_err(r, JS_NOTFOUND, NULL, "address not found");
    r->reply.status = 204;
    return JS_OK;
}
