/*
 * promo.c - flash sales (see promo.h).
 */
#include "config.h"
#include "promo.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "audit.h"
#include "auth.h"
#include "catalog.h"
#include "db.h"
#include "json.h"
#include "reply.h"
#include "req.h"
#include "strbuf.h"
#include "util.h"
#include "validate.h"

#define FLASH_MAX_SECONDS (7 * 24 * 3600)   /* one sale lasts a week at most */
#define FLASH_AHEAD_SECONDS (90 * 24 * 3600) /* and starts within 90 days */
#define ISO(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"

/* Running sales first (ending soonest first), then those starting within
 * a week (starting soonest first). */
static const char SQL_PUBLIC[] =
    "SELECT f.id, f.starts_at <= UTC_TIMESTAMP(6), " ISO("f.starts_at") ","
    " " ISO("f.ends_at") ", f.sale_price, k.price, k.id,"
    " CONCAT_WS(' / ', NULLIF(k.option1, ''), NULLIF(k.option2, ''),"
    "  NULLIF(k.option3, '')), p.id, p.slug, p.name, p.currency,"
    " (SELECT i.base FROM product_images i WHERE i.product_id = p.id"
    "  ORDER BY i.position LIMIT 1) "
    "FROM flash_sales f JOIN skus k ON k.id = f.sku_id "
    "JOIN products p ON p.id = k.product_id "
    "JOIN merchants m ON m.id = p.merchant_id "
    "WHERE f.ends_at > UTC_TIMESTAMP(6)"
    " AND f.starts_at < UTC_TIMESTAMP(6) + INTERVAL 7 DAY"
    " AND p.status = 'live' AND m.status = 'active' "
    "ORDER BY f.starts_at > UTC_TIMESTAMP(6),"
    " IF(f.starts_at <= UTC_TIMESTAMP(6), f.ends_at, f.starts_at), f.id "
    "LIMIT 20";                 /* FLASH_LIST_MAX */

#define SQL_MINE_COLS \
    "SELECT f.id, f.sku_id, k.product_id, p.name, f.sale_price, k.price," \
    " p.currency, " ISO("f.starts_at") ", " ISO("f.ends_at") "," \
    " CASE WHEN f.ends_at <= UTC_TIMESTAMP(6) THEN 'ended'" \
    "  WHEN f.starts_at > UTC_TIMESTAMP(6) THEN 'upcoming'" \
    "  ELSE 'running' END " \
    "FROM flash_sales f JOIN skus k ON k.id = f.sku_id " \
    "JOIN products p ON p.id = k.product_id WHERE f.merchant_id = ?"
static const char SQL_MINE[] =
    SQL_MINE_COLS " ORDER BY f.id DESC LIMIT 100";
static const char SQL_MINE_ONE[] = SQL_MINE_COLS " AND f.id = ?";

/* The SKU, locked: windows of one SKU are checked and written under it. */
static const char SQL_SKU_OF[] =
    "SELECT s.price, p.currency FROM skus s "
    "JOIN products p ON p.id = s.product_id "
    "WHERE s.id = ? AND p.merchant_id = ? AND p.status <> 'archived' "
    "FOR UPDATE";
static const char SQL_OVERLAP[] =
    "SELECT id FROM flash_sales WHERE sku_id = ? AND starts_at < ?"
    " AND ends_at > ? LIMIT 1";
static const char SQL_NEW[] =
    "INSERT INTO flash_sales (merchant_id, sku_id, sale_price, starts_at,"
    " ends_at, created_by) VALUES (?, ?, ?, ?, ?, ?)";
/* Ending a sale: now, or before it starts (then it never runs). */
static const char SQL_END[] =
    "UPDATE flash_sales SET ends_at = UTC_TIMESTAMP(6),"
    " starts_at = LEAST(starts_at, UTC_TIMESTAMP(6) - INTERVAL 1 MICROSECOND) "
    "WHERE id = ? AND merchant_id = ? AND ends_at > UTC_TIMESTAMP(6)";
static const char SQL_EXISTS[] =
    "SELECT 1 FROM flash_sales WHERE id = ? AND merchant_id = ?";

/* ------------------------------------------------------------------ */
/* pricing                                                              */

int64_t
promo_flash_discount(int64_t unit_price, int64_t quantity, int64_t sale_price)
{
    int64_t off;

    if (sale_price < 0 || sale_price >= unit_price || quantity <= 0)
        return 0;
    if (__builtin_mul_overflow(unit_price - sale_price, quantity, &off))
        return INT64_MAX;       /* the pipeline clamps to the line */
    return off;
}

const struct promo_flash *
promo_find(const struct promo_set *s, int64_t sku_id)
{
    for (unsigned i = 0; s && i < s->n; i++)
        if (s->flash[i].sku_id == sku_id)
            return &s->flash[i];
    return NULL;
}

static int64_t
flash_item(const struct pricing_line *l, void *ctx)
{
    const struct promo_flash *f = promo_find(ctx, l->sku_id);

    return f ? promo_flash_discount(l->unit_price, l->quantity,
                                    f->sale_price) : 0;
}

struct pricing_adjuster
promo_adjuster(struct promo_set *s)
{
    struct pricing_adjuster a = { "flash sale", flash_item, NULL, s };

    return a;
}

int
promo_load(struct req *r, const struct pricing_quote *q, bool primary,
           struct promo_set *out)
{
    struct db_param *p;
    struct db_result res;
    struct strbuf sb;
    const char *sql;
    unsigned np = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!q->nlines)
        return JS_OK;
    p = arena_calloc(&r->arena, q->nlines, sizeof(*p));
    strbuf_init(&sb);
    strbuf_adds(&sb, "SELECT f.sku_id, f.id, f.sale_price, " ISO("f.ends_at")
                " FROM flash_sales f WHERE f.sku_id IN (");
    for (unsigned i = 0; i < q->nlines; i++) {
        bool seen = false;

        for (unsigned k = 0; k < np && !seen; k++)
            seen = p[k].i == q->lines[i].sku_id;
        if (seen)
            continue;
        strbuf_adds(&sb, np ? ", ?" : "?");
        p[np++] = DBP_I(q->lines[i].sku_id);
    }
    strbuf_adds(&sb, ") AND f.starts_at <= UTC_TIMESTAMP(6)"
                " AND f.ends_at > UTC_TIMESTAMP(6)"
                " ORDER BY f.sku_id, f.sale_price, f.id");
    sql = arena_strndup(&r->arena, sb.buf, sb.len);
    strbuf_release(&sb);
    rc = primary ? db_read_primary(r, sql, p, np, &res)
                 : db_read(r, sql, p, np, &res);
    if (rc)
        return rc;
    out->flash = arena_calloc(&r->arena, res.nrows + 1, sizeof(*out->flash));
    for (unsigned i = 0; i < res.nrows; i++) {
        int64_t sku = db_get_int(&res, i, 0, 0);

        /* The lowest sale of a SKU comes first. */
        if (promo_find(out, sku))
            continue;
        out->flash[out->n].sku_id = sku;
        out->flash[out->n].id = db_get_int(&res, i, 1, 0);
        out->flash[out->n].sale_price = db_get_int(&res, i, 2, 0);
        out->flash[out->n].ends_at = db_get(&res, i, 3);
        out->n++;
    }
    return JS_OK;
}

/* ------------------------------------------------------------------ */
/* time                                                                 */

static bool
digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool
promo_parse_time(const char *s, char out[20], int64_t *epoch)
{
    struct tm tm, back;
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
    const char *p;
    time_t t;

    if (!s || strlen(s) < 20 || strlen(s) > 40 ||
        !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) ||
        (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) ||
        s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return false;
    p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if ((*p == 'Z' || *p == 'z') && !p[1]) {
        sign = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 &&
               digits(p + 1, 2, &oh) && p[3] == ':' &&
               digits(p + 4, 2, &om) && oh <= 23 && om <= 59) {
        sign = *p == '+' ? 1 : -1;
    } else {
        return false;
    }
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
        h > 23 || mi > 59 || sec > 59)
        return false;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = timegm(&tm);
    /* 31 February comes back as 3 March: not a date. */
    if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
        return false;
    t -= (time_t)sign * (oh * 3600 + om * 60);
    if (!gmtime_r(&t, &back))
        return false;
    strftime(out, 20, "%Y-%m-%d %H:%M:%S", &back);
    *epoch = (int64_t)t;
    return true;
}

/* ------------------------------------------------------------------ */
/* the public list                                                      */

static int64_t
percent_off(int64_t regular, int64_t sale)
{
    return regular > 0 && sale < regular ? (regular - sale) * 100 / regular
                                         : 0;
}

int
promo_flash_list(struct req *r)
{
    struct db_result res;
    json_object *root, *items;
    char now[UTC_NOW_BUF];
    int rc = db_read(r, SQL_PUBLIC, DB_NOARGS, &res);

    if (rc)
        return rc;
    items = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++) {
        json_object *o = json_object_new_object(), *sku, *p;
        const char *cur = db_get(&res, i, 11), *img = db_get(&res, i, 12);
        int64_t sale = db_get_int(&res, i, 4, 0);
        int64_t regular = db_get_int(&res, i, 5, 0);

        json_object_object_add(o, "id", json_int(db_get_int(&res, i, 0, 0)));
        json_add_str(o, "status", db_get_int(&res, i, 1, 0) == 1
                                      ? "running" : "upcoming");
        json_add_str(o, "starts_at", db_get(&res, i, 2));
        json_add_str(o, "ends_at", db_get(&res, i, 3));
        json_object_object_add(o, "sale_price", json_money(sale, cur));
        json_object_object_add(o, "regular_price", json_money(regular, cur));
        json_object_object_add(o, "discount_percent",
                               json_int(percent_off(regular, sale)));
        sku = json_object_new_object();
        json_object_object_add(sku, "id", json_int(db_get_int(&res, i, 6,
                                                              0)));
        json_add_str(sku, "options", db_get(&res, i, 7));
        json_object_object_add(o, "sku", sku);
        p = json_object_new_object();
        json_object_object_add(p, "id", json_int(db_get_int(&res, i, 8, 0)));
        json_add_str(p, "slug", db_get(&res, i, 9));
        json_add_str(p, "name", db_get(&res, i, 10));
        json_object_object_add(p, "image", img
                               ? catalog_image_json(r, img, NULL) : NULL);
        json_object_object_add(o, "product", p);
        json_object_array_add(items, o);
    }
    root = json_object_new_object();
    json_add_str(root, "now", utc_now_iso(now));
    json_object_object_add(root, "items", items);
    /* "now" lets a countdown correct the viewer's clock: never stale. */
    reply_header(r, "Cache-Control", "no-cache");
    return reply_json(r, 200, root);
}

/* ------------------------------------------------------------------ */
/* the merchant's                                                       */

static json_object *
mine_json(const struct db_result *res, unsigned i)
{
    json_object *o = json_object_new_object();
    const char *cur = db_get(res, i, 6);

    json_object_object_add(o, "id", json_int(db_get_int(res, i, 0, 0)));
    json_object_object_add(o, "sku_id", json_int(db_get_int(res, i, 1, 0)));
    json_object_object_add(o, "product_id",
                           json_int(db_get_int(res, i, 2, 0)));
    json_add_str(o, "product_name", db_get(res, i, 3));
    json_object_object_add(o, "sale_price",
                           json_money(db_get_int(res, i, 4, 0), cur));
    json_object_object_add(o, "regular_price",
                           json_money(db_get_int(res, i, 5, 0), cur));
    json_add_str(o, "starts_at", db_get(res, i, 7));
    json_add_str(o, "ends_at", db_get(res, i, 8));
    json_add_str(o, "status", db_get(res, i, 9));
    return o;
}

int
promo_merchant_list(struct req *r)
{
    struct db_result res;
    json_object *items;
    int rc = db_read(r, SQL_MINE,
                     DB_ARGS(DBP_I(r->session->acting_merchant_id)), &res);

    if (rc)
        return rc;
    items = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++)
        json_object_array_add(items, mine_json(&res, i));
    return reply_list(r, items, res.nrows, 1, res.nrows ? res.nrows : 1);
}

/* 200/201 with the merchant's view of sale id, read on the primary. */
static int
reply_mine(struct req *r, int64_t id, int status)
{
    struct db_result res;
    int rc = db_read_primary(r, SQL_MINE_ONE,
                             DB_ARGS(DBP_I(r->session->acting_merchant_id),
                                     DBP_I(id)), &res);

    if (rc)
        return rc;
    if (!res.nrows)
        return reply_err(r, JS_NOTFOUND, NULL, "flash sale not found");
    return reply_json(r, status, mine_json(&res, 0));
}

struct create {
    int64_t sku_id, price, id;
    char starts[20], ends[20];
    const char *starts_in, *ends_in;
};

static int
create_txn(struct req *r, void *arg)
{
    struct create *c = arg;
    int64_t mid = r->session->acting_merchant_id;
    struct db_result res;
    json_object *sum;
    char regular[MONEY_BUF];
    int rc;

    rc = db_read_primary(r, SQL_SKU_OF, DB_ARGS(DBP_I(c->sku_id),
                                                DBP_I(mid)), &res);
    if (rc)
        return rc;
    if (!res.nrows)
        return reply_err(r, JS_NOTFOUND, "sku_id",
                         "no SKU %lld among this merchant's products",
                         (long long)c->sku_id);
    if (c->price >= db_get_int(&res, 0, 0, 0))
        return reply_err(r, JS_UNPROCESSABLE, "sale_price",
                         "the sale price must be lower than the SKU's "
                         "price (%s)",
                         money_format(regular, db_get_int(&res, 0, 0, 0),
                                      db_get(&res, 0, 1)));
    rc = db_read_primary(r, SQL_OVERLAP,
                         DB_ARGS(DBP_I(c->sku_id), DBP_S(c->ends),
                                 DBP_S(c->starts)), &res);
    if (rc)
        return rc;
    if (res.nrows)
        return reply_err(r, JS_CONFLICT, "starts_at",
                         "this SKU already has flash sale %lld in that time",
                         (long long)db_get_int(&res, 0, 0, 0));
    rc = db_write(r, SQL_NEW,
                  DB_ARGS(DBP_I(mid), DBP_I(c->sku_id), DBP_I(c->price),
                          DBP_S(c->starts), DBP_S(c->ends),
                          DBP_I(r->session->user_id)), &res);
    if (rc)
        return rc;
    c->id = (int64_t)res.insert_id;
    sum = json_object_new_object();
    json_object_object_add(sum, "sku_id", json_int(c->sku_id));
    json_object_object_add(sum, "sale_price", json_int(c->price));
    json_add_str(sum, "starts_at", c->starts_in);
    json_add_str(sum, "ends_at", c->ends_in);
    return audit_record(r, "flash_sale.create", "flash_sale", c->id, sum);
}

int
promo_merchant_create(struct req *r)
{
    struct create c;
    int64_t start, end, now = (int64_t)time(NULL);
    int rc;

    memset(&c, 0, sizeof(c));
    if (v_int(r, "sku_id", 1, INT64_MAX / 2, true, &c.sku_id, NULL) ||
        v_int(r, "sale_price", 1, INT64_MAX / 4, true, &c.price, NULL) ||
        v_str(r, "starts_at", 1, 40, true, &c.starts_in) ||
        v_str(r, "ends_at", 1, 40, true, &c.ends_in))
        return JS_REPLIED;
    if (!promo_parse_time(c.starts_in, c.starts, &start))
        return reply_err(r, JS_INVALID, "starts_at",
                         "'starts_at' must be a time like "
                         "2026-11-26T20:00:00+08:00 or ...Z");
    if (!promo_parse_time(c.ends_in, c.ends, &end))
        return reply_err(r, JS_INVALID, "ends_at",
                         "'ends_at' must be a time like "
                         "2026-11-26T22:00:00+08:00 or ...Z");
    if (end <= start)
        return reply_err(r, JS_UNPROCESSABLE, "ends_at",
                         "a flash sale ends after it starts");
    if (end <= now)
        return reply_err(r, JS_UNPROCESSABLE, "ends_at",
                         "this flash sale would be over already");
    if (end - start > FLASH_MAX_SECONDS)
        return reply_err(r, JS_UNPROCESSABLE, "ends_at",
                         "a flash sale lasts at most 7 days");
    if (start - now > FLASH_AHEAD_SECONDS)
        return reply_err(r, JS_UNPROCESSABLE, "starts_at",
                         "a flash sale starts within 90 days");
    rc = db_txn(r, create_txn, &c);
    if (rc)
        return rc;
    return reply_mine(r, c.id, 201);
}

static int
end_txn(struct req *r, void *arg)
{
    int64_t id = *(int64_t *)arg, mid = r->session->acting_merchant_id;
    struct db_result res;
    int rc;

    rc = db_write(r, SQL_END, DB_ARGS(DBP_I(id), DBP_I(mid)), &res);
    if (rc)
        return rc;
    if (res.affected == 0) {
        rc = db_read_primary(r, SQL_EXISTS, DB_ARGS(DBP_I(id), DBP_I(mid)),
                             &res);
        if (rc)
            return rc;
        return res.nrows
            ? reply_err(r, JS_CONFLICT, NULL, "this flash sale is over")
            : reply_err(r, JS_NOTFOUND, NULL, "flash sale not found");
    }
    return audit_record(r, "flash_sale.end", "flash_sale", id, NULL);
}

int
promo_merchant_end(struct req *r)
{
    int64_t id;
    int rc;

    if (req_param_id_or_404(r, "id", &id))
        return JS_REPLIED;
    rc = db_txn(r, end_txn, &id);
    if (rc)
        return rc;
    return reply_mine(r, id, 200);
}
