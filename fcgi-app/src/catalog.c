/*
 * catalog.c - the public catalog (see catalog.h).
 *
 * A listing's counts are statements on a replica: the total, and one per
 * facet, each facet leaving out its own filter so that its counts say what
 * clicking it would return.  With a search query the candidates are the
 * best CQ_SEARCH_CAP matches from the Mroonga index, found once (one
 * MATCH) and then joined as a list of ids by every other statement; the
 * totals and facets count within those.  The
 * counts and the order of the matches are kept per filter set for a few
 * seconds (listing_cache.h); the page's cards are read by primary key for
 * every request (their names, images and merchants from the worker while
 * the product's version holds), so a request that finds its snapshot
 * runs one statement.
 */
#include "config.h"
#include "catalog.h"

#include <stdio.h>
#include <string.h>

#include "catalog_query.h"
#include "changes.h"
#include "conf.h"
#include "db.h"
#include "json.h"
#include "listing_cache.h"
#include "log.h"
#include "media.h"
#include "reply.h"
#include "req.h"
#include "search.h"
#include "util.h"

#define LOW_STOCK 5
#define PRODUCT_SLUG_MAX 160    /* products.slug VARCHAR(160) */

static const char SQL_CATEGORIES[] =
    "SELECT id, parent_id, slug, name_zh, name_en, depth FROM categories "
    "ORDER BY depth, parent_id, position, id";
static const char SQL_CATEGORY_BY_SLUG[] =
    "SELECT id, path FROM categories WHERE slug = ?";
static const char SQL_BRANDS[] = "SELECT slug, name FROM brands ORDER BY name";

/* A product page in one statement: the row plus its breadcrumb, option
 * names, SKUs, specifications and images as JSON arrays of positional
 * arrays (six round trips cost ~100 us of CPU each on this stack). */
static const char SQL_PRODUCT[] =
    "SELECT p.id, p.slug, p.name, p.description, p.currency, p.min_price,"
    " p.max_price, p.in_stock, p.rating_avg, p.rating_count, p.sales_count,"
    " p.merchant_id, m.name, c.path, b.slug, b.name,"
    " DATE_FORMAT(p.updated_at, '%Y-%m-%dT%H:%i:%sZ'), p.updated_at,"
    " (SELECT JSON_ARRAYAGG(JSON_ARRAY(a.id, a.slug, a.name_zh, a.name_en)"
    "   ORDER BY a.depth) FROM categories a"
    "  WHERE c.path LIKE CONCAT(a.path, '%')),"
    " (SELECT JSON_ARRAYAGG(o.name ORDER BY o.position)"
    "  FROM product_options o WHERE o.product_id = p.id),"
    " (SELECT JSON_ARRAYAGG(JSON_ARRAY(k.id, k.code, k.option1, k.option2,"
    "   k.option3, k.price, k.compare_at_price, k.stock, k.image_position,"
    "   k.barcode) ORDER BY k.position, k.id)"
    "  FROM skus k WHERE k.product_id = p.id),"
    " (SELECT JSON_ARRAYAGG(JSON_ARRAY(x.name, x.value) ORDER BY x.position)"
    "  FROM product_specs x WHERE x.product_id = p.id),"
    " (SELECT JSON_ARRAYAGG(JSON_ARRAY(i.base, i.alt, i.width, i.height)"
    "   ORDER BY i.position) FROM product_images i"
    "  WHERE i.product_id = p.id) "
    "FROM products p JOIN merchants m ON m.id = p.merchant_id "
    "JOIN categories c ON c.id = p.category_id "
    "LEFT JOIN brands b ON b.id = p.brand_id "
    "WHERE " SQL_SHOWN " AND p.id = ?";
/* What a product page reads when it has no current answer kept: the
 * version, the prices, stock and rating, one row per SKU (see struct
 * pc_entry), and per SKU the microseconds until its next flash sale
 * starts or its running one ends (NULL: none), which bounds how long the
 * answer may be kept. */
/* Microseconds from now to the next start or end among the flash sales f
 * of a query (those not yet ended), which bounds how long what it read
 * may be kept. */
#define FLASH_NEXT_US \
    "TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6)," \
    " MIN(IF(f.starts_at > UTC_TIMESTAMP(6), f.starts_at, f.ends_at)))"
#define SQL_LIVE_BY(key) \
    "SELECT p.id, p.updated_at, p.min_price, p.max_price, p.in_stock," \
    " p.rating_avg, p.rating_count, p.sales_count, k.id, k.price," \
    " k.compare_at_price, k.stock, p.currency," \
    " (SELECT CONCAT(f.id, ' ', f.sale_price, ' '," \
    "   DATE_FORMAT(f.ends_at, '%Y-%m-%dT%H:%i:%sZ')) FROM flash_sales f" \
    "  WHERE f.sku_id = k.id AND f.starts_at <= UTC_TIMESTAMP(6)" \
    "  AND f.ends_at > UTC_TIMESTAMP(6) ORDER BY f.sale_price, f.id" \
    "  LIMIT 1)," \
    " (SELECT " FLASH_NEXT_US \
    "  FROM flash_sales f WHERE f.sku_id = k.id" \
    "  AND f.ends_at > UTC_TIMESTAMP(6)) " \
    "FROM products p LEFT JOIN skus k ON k.product_id = p.id " \
    "WHERE " SQL_SHOWN " AND p." key " = ?"
/* By id or by slug: one index each (an OR of both was an index merge,
 * ~15% of the statement's time). */
static const char SQL_LIVE_BY_ID[] = SQL_LIVE_BY("id");
static const char SQL_LIVE_BY_SLUG[] = SQL_LIVE_BY("slug");

static const char SQL_REFRESH[] =
    "UPDATE products p JOIN (SELECT product_id, MIN(price) AS lo,"
    " MAX(price) AS hi, MAX(stock > 0) AS any FROM skus"
    " WHERE product_id = ? GROUP BY product_id) k ON k.product_id = p.id "
    "SET p.min_price = k.lo, p.max_price = k.hi, p.in_stock = k.any,"
    " p.updated_at = UTC_TIMESTAMP(6)";
static const char SQL_POV_CLEAR[] =
    "DELETE FROM product_option_values WHERE product_id = ?";
static const char SQL_POV_FILL[] =
    "INSERT IGNORE INTO product_option_values (product_id, name, value) "
    "SELECT s.product_id, o.name, CASE o.position WHEN 1 THEN s.option1"
    " WHEN 2 THEN s.option2 ELSE s.option3 END "
    "FROM skus s JOIN product_options o ON o.product_id = s.product_id "
    "WHERE s.product_id = ? AND o.position BETWEEN 1 AND 3"
    " AND CASE o.position WHEN 1 THEN s.option1 WHEN 2 THEN s.option2"
    " ELSE s.option3 END <> ''";

/* Price facet buckets in fen; the last is open-ended. */
static const int64_t price_edges[] = { 0, 5000, 10000, 20000, 50000, 100000,
                                       200000, 500000 };

/* ------------------------------------------------------------------ */
/* shared pieces                                                        */

json_object *
catalog_image_json(struct req *r, const char *base, const char *alt)
{
    static const char *const sizes[] = { "thumb", "card", "full" };
    json_object *o = json_object_new_object();

    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        json_object *s = json_object_new_object();

        json_object_object_add(s, "webp", json_str(
            media_url(r, base, sizes[i], "webp")));
        json_object_object_add(s, "jpg", json_str(
            media_url(r, base, sizes[i], "jpg")));
        json_object_object_add(o, sizes[i], s);
    }
    json_object_object_add(o, "alt", json_str(alt ? alt : ""));
    return o;
}

/* The average as JSON number text with two decimals: 457 -> "4.57". */
static const char *
rating_text(char *buf, size_t size, int64_t avg_x100)
{
    snprintf(buf, size, "%lld.%02lld", (long long)(avg_x100 / 100),
             (long long)(avg_x100 % 100));
    return buf;
}

static json_object *
rating_json(int64_t avg_x100, int64_t count)
{
    json_object *o = json_object_new_object();
    char text[32];

    json_object_object_add(o, "average", json_object_new_double_s(
                               (double)avg_x100 / 100.0,
                               rating_text(text, sizeof(text), avg_x100)));
    json_object_object_add(o, "count", json_int(count));
    return o;
}

static void
cacheable(struct req *r, int max_age)
{
    reply_header(r, "Cache-Control",
                 arena_printf(&r->arena, "public, max-age=%d", max_age));
}

/* ------------------------------------------------------------------ */
/* categories and brands                                                */

int
catalog_categories(struct req *r)
{
    struct db_result res;
    json_object *all, *roots, **nodes;
    int64_t *ids;
    int rc = db_read(r, SQL_CATEGORIES, DB_NOARGS, &res);

    if (rc)
        return rc;
    /* Rows come parents first, so each child finds its parent built. */
    nodes = arena_calloc(&r->arena, res.nrows + 1, sizeof(json_object *));
    ids = arena_calloc(&r->arena, res.nrows + 1, sizeof(*ids));
    roots = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++) {
        json_object *o = json_object_new_object(), *kids;
        int64_t parent = db_get_int(&res, i, 1, 0);
        bool placed = false;

        ids[i] = db_get_int(&res, i, 0, 0);
        json_object_object_add(o, "id", json_int(ids[i]));
        json_object_object_add(o, "slug", json_str(db_get(&res, i, 2)));
        json_object_object_add(o, "name_zh", json_str(db_get(&res, i, 3)));
        json_object_object_add(o, "name_en", json_str(db_get(&res, i, 4)));
        json_object_object_add(o, "children", json_object_new_array());
        nodes[i] = o;
        for (unsigned j = 0; parent && j < i; j++) {
            if (ids[j] == parent &&
                json_object_object_get_ex(nodes[j], "children", &kids)) {
                json_object_array_add(kids, o);
                placed = true;
                break;
            }
        }
        if (!placed)
            json_object_array_add(roots, o);
    }
    all = json_object_new_object();
    json_object_object_add(all, "items", roots);
    reply_json(r, 200, all);
    cacheable(r, 60);
    return JS_OK;
}

int
catalog_brands(struct req *r)
{
    struct db_result res;
    json_object *items;
    int rc = db_read(r, SQL_BRANDS, DB_NOARGS, &res);

    if (rc)
        return rc;
    items = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "slug", json_str(db_get(&res, i, 0)));
        json_object_object_add(o, "name", json_str(db_get(&res, i, 1)));
        json_object_array_add(items, o);
    }
    reply_list(r, items, res.nrows, 1, res.nrows ? res.nrows : 1);
    cacheable(r, 60);
    return JS_OK;
}

/* ------------------------------------------------------------------ */
/* listing                                                              */

/* The cards of a page, by primary key: one statement on the replica. */
/* The cards of a page by primary key: what changes with every sale (read
 * for every request) and, for products whose statics a worker does not
 * hold at this version (struct cc_entry), the rest.  (Subqueries and the
 * forced index: measured 40% less time in MariaDB than a join, whose plan
 * search weighs every index of products.  A column holding the first
 * image, kept by triggers on product_images, made any statement reading
 * products while writing images fail with error 1442: not used.) */
/* A card's live part: prices, stock, rating, its lowest running flash
 * sale as "<sale price> <ends_at>", and the microseconds until one of its
 * flash sales starts or ends (NULL: none), which bounds how long the card
 * may be kept. */
#define CARD_LIVE_SQL \
    "SELECT p.id, p.updated_at, p.currency, p.min_price, p.max_price," \
    " p.in_stock, p.rating_avg, p.rating_count, p.merchant_id," \
    " (SELECT CONCAT(f.sale_price, ' '," \
    "   DATE_FORMAT(f.ends_at, '%Y-%m-%dT%H:%i:%sZ')) FROM flash_sales f" \
    "  JOIN skus k ON k.id = f.sku_id WHERE k.product_id = p.id" \
    "  AND f.starts_at <= UTC_TIMESTAMP(6) AND f.ends_at > UTC_TIMESTAMP(6)" \
    "  ORDER BY f.sale_price, f.id LIMIT 1)," \
    " (SELECT " FLASH_NEXT_US \
    "  FROM flash_sales f JOIN skus k ON k.id = f.sku_id" \
    "  WHERE k.product_id = p.id AND f.ends_at > UTC_TIMESTAMP(6))" \
    " FROM products p FORCE INDEX (PRIMARY)" \
    " WHERE " SQL_SHOWN " AND p.id IN ("
#define CARD_STATIC_SQL \
    "SELECT p.id, p.updated_at, p.slug, p.name," \
    " (SELECT m.name FROM merchants m WHERE m.id = p.merchant_id)," \
    " (SELECT i.base FROM product_images i WHERE i.product_id = p.id" \
    " ORDER BY i.position LIMIT 1)" \
    " FROM products p FORCE INDEX (PRIMARY) WHERE p.id IN ("

static void
money_text(struct strbuf *sb, int64_t amount, const char *currency)
{
    strbuf_adds(sb, "{\"amount\":");
    strbuf_add_int(sb, amount);
    strbuf_adds(sb, ",\"currency\":");
    strbuf_add_json_str(sb, currency);
    strbuf_addch(sb, '}');
}

/* A media URL as a JSON string. */
static void
url_text(struct strbuf *sb, const char *base, const char *size,
         const char *fmt)
{
    struct strbuf url = STRBUF_INIT;

    if (strspn(base, "abcdefghijklmnopqrstuvwxyz0123456789-/") ==
        strlen(base)) {
        strbuf_addch(sb, '"');
        media_url_add(sb, base, size, fmt);
        strbuf_addch(sb, '"');
        return;
    }
    media_url_add(&url, base, size, fmt);
    strbuf_add_json_str(sb, url.buf);
    strbuf_release(&url);
}

/*
 * A product card from its live part (CARD_LIVE_SQL) and its statics,
 * written as JSON text without
 * printf: a page of cards as json-c objects was ~250 allocations, and
 * formatting was then a fifth of a listing's CPU in the worker.  The same
 * shape as the detail's pieces (catalog_image_json, rating_json).
 */
/* A card's statics, in the request's arena. */
struct card_static {
    const char *slug, *name, *merchant, *image;
};

/* The card's flash sale, unless it has ended since it was read. */
static void
card_flash(struct strbuf *sb, const char *flash, const char *cur,
           const char *now_iso)
{
    const char *ends = strchr(flash, ' ');
    int64_t price;
    char amount[24];
    size_t n = ends ? (size_t)(ends - flash) : 0;

    if (!ends || n >= sizeof(amount) || strcmp(ends + 1, now_iso) <= 0) {
        strbuf_adds(sb, "null");
        return;
    }
    memcpy(amount, flash, n);
    amount[n] = '\0';
    if (parse_int64(amount, 0, INT64_MAX, &price)) {
        strbuf_adds(sb, "null");
        return;
    }
    strbuf_adds(sb, "{\"sale_price\":");
    money_text(sb, price, cur);
    strbuf_adds(sb, ",\"ends_at\":");
    strbuf_add_json_str(sb, ends + 1);
    strbuf_addch(sb, '}');
}

static void
card_text(struct strbuf *sb, int64_t id, const struct cc_live *lv,
          const struct card_static *st, const char *now_iso)
{
    static const char *const sizes[] = { "thumb", "card", "full" };
    const char *cur = lv->currency, *img = st->image;
    char rating[32];

    strbuf_adds(sb, "{\"id\":");
    strbuf_add_int(sb, id);
    strbuf_adds(sb, ",\"slug\":");
    strbuf_add_json_str(sb, st->slug);
    strbuf_adds(sb, ",\"name\":");
    strbuf_add_json_str(sb, st->name);
    strbuf_adds(sb, ",\"price\":");
    money_text(sb, lv->price, cur);
    strbuf_adds(sb, ",\"price_max\":");
    money_text(sb, lv->price_max, cur);
    strbuf_adds(sb, lv->in_stock ? ",\"in_stock\":true"
                                 : ",\"in_stock\":false");
    strbuf_adds(sb, ",\"rating\":{\"average\":");
    strbuf_adds(sb, rating_text(rating, sizeof(rating), lv->rating_avg));
    strbuf_adds(sb, ",\"count\":");
    strbuf_add_int(sb, lv->rating_count);
    strbuf_adds(sb, "},\"merchant\":{\"id\":");
    strbuf_add_int(sb, lv->merchant_id);
    strbuf_adds(sb, ",\"name\":");
    strbuf_add_json_str(sb, st->merchant ? st->merchant : "");
    strbuf_adds(sb, "},\"flash_sale\":");
    card_flash(sb, lv->flash, cur, now_iso);
    strbuf_adds(sb, ",\"image\":");
    if (!img) {
        strbuf_adds(sb, "null}");
        return;
    }
    /* Uploaded bases are [a-z0-9-/] (media.h); a row an operator wrote
     * by hand is escaped. */
    strbuf_addch(sb, '{');
    for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
        strbuf_addch(sb, '"');
        strbuf_adds(sb, sizes[k]);
        strbuf_adds(sb, "\":{\"webp\":");
        url_text(sb, img, sizes[k], "webp");
        strbuf_adds(sb, ",\"jpg\":");
        url_text(sb, img, sizes[k], "jpg");
        strbuf_adds(sb, "},");
    }
    strbuf_adds(sb, "\"alt\":\"\"}}");
}

/* Run a statement built in s; res lives in the arena. */
static int
run(struct req *r, struct cq_sql *s, struct db_result *res)
{
    const char *sql = arena_strndup(&r->arena, s->sql.buf, s->sql.len);
    int rc = db_read(r, sql, s->np ? s->p : NULL, s->np, res);

    cq_sql_release(s);
    return rc;
}

/* Facet rows: columns named by keys (NULL-terminated), then the count. */
static json_object *
facet_rows(const struct db_result *res, const char *const *keys)
{
    json_object *arr = json_object_new_array();

    for (unsigned i = 0; i < res->nrows; i++) {
        json_object *o = json_object_new_object();
        unsigned k = 0;

        for (; keys[k]; k++)
            json_object_object_add(o, keys[k], json_str(db_get(res, i, k)));
        json_object_object_add(o, "count", json_int(db_get_int(res, i, k, 0)));
        json_object_array_add(arr, o);
    }
    return arr;
}

static int
facet_brands(struct req *r, const struct cq_filters *f, json_object *out)
{
    struct cq_sql s;
    struct db_result res;
    int rc;

    cq_sql_init(&s);
    cq_sql_add(&s, "SELECT b.slug, b.name, COUNT(*) FROM brands b JOIN"
                   " (SELECT p.brand_id");
    cq_from_where(f, CQ_NO_BRAND, &s);
    cq_sql_add(&s, ") x ON x.brand_id = b.id GROUP BY b.id"
                   " ORDER BY COUNT(*) DESC, b.name LIMIT 20");
    rc = run(r, &s, &res);
    if (rc)
        return rc;
    json_object_object_add(out, "brand",
                           facet_rows(&res, (const char *const[]){
                               "value", "label", NULL }));
    return JS_OK;
}

/* Children of the selected category (or the roots), with subtree counts. */
static int
facet_categories(struct req *r, const struct cq_filters *f,
                 int64_t category_id, json_object *out)
{
    struct cq_sql s;
    struct db_result res;
    int rc;

    cq_sql_init(&s);
    cq_sql_add(&s, "SELECT c.slug, c.name_zh, c.name_en, COUNT(*)"
                   " FROM categories c JOIN categories leaf"
                   " ON leaf.path LIKE CONCAT(c.path, '%') JOIN"
                   " (SELECT p.category_id");
    cq_from_where(f, CQ_ALL, &s);
    cq_sql_addp(&s, ") x ON x.category_id = leaf.id WHERE c.parent_id <=> ?"
                    " GROUP BY c.id ORDER BY c.position, c.id",
                category_id ? DBP_I(category_id) : DBP_NULLV);
    rc = run(r, &s, &res);
    if (rc)
        return rc;
    json_object_object_add(out, "category",
                           facet_rows(&res, (const char *const[]){
                               "value", "label_zh", "label_en", NULL }));
    return JS_OK;
}

/*
 * One row of aggregates over the products f selects, leaving out the
 * filter of `skip`: the count, the price buckets, the rating thresholds
 * and the number in stock.  With no price, rating or stock filter active
 * one such row answers the total and three facets at once.
 */
enum { AGG_COUNT = 0, AGG_PRICE = 1, AGG_RATING = 1 + 8, AGG_STOCK = 13,
       AGG_COLS = 14 };

static int
aggregates(struct req *r, const struct cq_filters *f, enum cq_facet skip,
           struct db_result *res)
{
    size_t nb = ARRAY_SIZE(price_edges);
    struct cq_sql s;

    cq_sql_init(&s);
    cq_sql_add(&s, "SELECT COUNT(*)");
    for (size_t b = 0; b < nb; b++) {
        cq_sql_addp(&s, ", SUM(p.min_price >= ?", DBP_I(price_edges[b]));
        if (b + 1 < nb)
            cq_sql_addp(&s, " AND p.min_price < ?)",
                        DBP_I(price_edges[b + 1]));
        else
            cq_sql_add(&s, ")");
    }
    cq_sql_add(&s, ", SUM(p.rating_avg >= 400), SUM(p.rating_avg >= 300),"
                   " SUM(p.rating_avg >= 200), SUM(p.rating_avg >= 100),"
                   " SUM(p.in_stock = 1)");
    cq_from_where(f, skip, &s);
    return run(r, &s, res);
}

static int64_t
agg(const struct db_result *res, unsigned col)
{
    return res->nrows ? db_get_int(res, 0, col, 0) : 0;
}

/* The price, rating and stock facets, each without its own filter. */
static int
facet_scalars(struct req *r, const struct cq_filters *f,
              const struct db_result *all, json_object *out)
{
    struct db_result own;
    const struct db_result *src;
    json_object *arr, *stock;
    size_t nb = ARRAY_SIZE(price_edges);
    int rc;

    src = all;
    if (f->min_price >= 0 || f->max_price >= 0) {
        rc = aggregates(r, f, CQ_NO_PRICE, &own);
        if (rc)
            return rc;
        src = &own;
    }
    arr = json_object_new_array();
    for (size_t b = 0; b < nb; b++) {
        int64_t n = agg(src, AGG_PRICE + (unsigned)b);
        json_object *o;

        if (!n)
            continue;
        o = json_object_new_object();
        json_object_object_add(o, "min_price", json_int(price_edges[b]));
        json_object_object_add(o, "max_price", b + 1 < nb
                               ? json_int(price_edges[b + 1] - 1) : NULL);
        json_object_object_add(o, "count", json_int(n));
        json_object_array_add(arr, o);
    }
    json_object_object_add(out, "price", arr);

    src = all;
    if (f->min_rating) {
        rc = aggregates(r, f, CQ_NO_RATING, &own);
        if (rc)
            return rc;
        src = &own;
    }
    arr = json_object_new_array();
    for (unsigned k = 0; k < 4; k++) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "min_rating", json_int(4 - k));
        json_object_object_add(o, "count", json_int(agg(src, AGG_RATING + k)));
        json_object_array_add(arr, o);
    }
    json_object_object_add(out, "rating", arr);

    src = all;
    if (f->in_stock) {
        rc = aggregates(r, f, CQ_NO_STOCK, &own);
        if (rc)
            return rc;
        src = &own;
    }
    stock = json_object_new_object();
    json_object_object_add(stock, "count", json_int(agg(src, AGG_STOCK)));
    json_object_object_add(out, "in_stock", stock);
    return JS_OK;
}

static bool
same_name(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Option values; a name with an active filter is counted without it. */
static int
facet_options(struct req *r, struct cq_filters *f, json_object *out)
{
    json_object *arr = json_object_new_array();
    int rc = JS_OK;

    for (unsigned pass = 0; pass <= f->nopts && rc == JS_OK; pass++) {
        const char *only = pass ? f->opts[pass - 1].name : NULL;
        struct cq_sql s;
        struct db_result res;
        bool dup = false;

        /* One pass per distinct filtered name. */
        for (unsigned k = 0; only && k + 1 < pass; k++)
            if (same_name(f->opts[k].name, only))
                dup = true;
        if (dup)
            continue;
        cq_sql_init(&s);
        cq_sql_add(&s, "SELECT v.name, v.value, COUNT(*) FROM"
                       " product_option_values v JOIN (SELECT p.id");
        f->skip_option = only;
        cq_from_where(f, only ? CQ_NO_OPTIONS : CQ_ALL, &s);
        f->skip_option = NULL;
        cq_sql_add(&s, ") x ON x.id = v.product_id");
        if (only)
            cq_sql_addp(&s, " WHERE v.name = ?", DBP_S(only));
        cq_sql_add(&s, " GROUP BY v.name, v.value"
                       " ORDER BY COUNT(*) DESC, v.name, v.value LIMIT 40");
        rc = run(r, &s, &res);
        for (unsigned i = 0; rc == JS_OK && i < res.nrows; i++) {
            const char *name = db_get(&res, i, 0);
            bool filtered = false;
            json_object *o;

            /* Pass 0 leaves filtered names to their own pass. */
            for (unsigned k = 0; !only && k < f->nopts; k++)
                if (same_name(f->opts[k].name, name))
                    filtered = true;
            if (filtered)
                continue;
            o = json_object_new_object();
            json_object_object_add(o, "name", json_str(name));
            json_object_object_add(o, "value", json_str(db_get(&res, i, 1)));
            json_object_object_add(o, "count",
                                   json_int(db_get_int(&res, i, 2, 0)));
            json_object_array_add(arr, o);
        }
    }
    if (rc) {
        json_object_put(arr);
        return rc;
    }
    json_object_object_add(out, "options", arr);
    return JS_OK;
}

/*
 * Cards for ids, in that order.  Products that left sale since the ids
 * were picked are skipped.
 */
/* Run "<head> ?, ?, ... )" over ids. */
static int
by_ids(struct req *r, const char *head, const int64_t *ids, unsigned n,
       struct db_result *res)
{
    struct cq_sql s;

    cq_sql_init(&s);
    cq_sql_add(&s, head);
    for (unsigned i = 0; i < n; i++)
        cq_sql_addp(&s, i ? ", ?" : "?", DBP_I(ids[i]));
    cq_sql_add(&s, ")");
    return run(r, &s, res);
}

/*
 * Until when what rows [from, to) of res say may be kept: the backstop
 * product_cache_ms from now, or sooner the next flash sale start or end
 * in column col (FLASH_NEXT_US; NULL: none).
 */
static int64_t
kept_until(struct req *r, const struct db_result *res, unsigned from,
           unsigned to, unsigned col, int64_t now)
{
    int64_t until = now + (int64_t)r->conf->product_cache_ms * 1000;

    for (unsigned k = from; k < to; k++) {
        int64_t next = db_get_int(res, k, col, -1);

        if (db_get(res, k, col) && next >= 0 && now + next < until)
            until = now + next;
    }
    return until;
}

/* The live part of a card from row i of CARD_LIVE_SQL, kept from now
 * until *until. */
static void
card_live(struct req *r, const struct db_result *res, unsigned i,
          int64_t now, struct cc_live *lv, int64_t *until)
{
    const char *cur = db_get(res, i, 2), *flash = db_get(res, i, 9);

    memset(lv, 0, sizeof(*lv));
    snprintf(lv->currency, sizeof(lv->currency), "%s", cur ? cur : "");
    lv->price = db_get_int(res, i, 3, 0);
    lv->price_max = db_get_int(res, i, 4, 0);
    lv->in_stock = db_get_int(res, i, 5, 0) == 1;
    lv->rating_avg = db_get_int(res, i, 6, 0);
    lv->rating_count = db_get_int(res, i, 7, 0);
    lv->merchant_id = db_get_int(res, i, 8, 0);
    if (flash && strlen(flash) < sizeof(lv->flash))
        memcpy(lv->flash, flash, strlen(flash) + 1);
    *until = kept_until(r, res, i, i + 1, 10, now);
}

/* Copy a card's statics into the request's arena. */
static void
card_static_of(struct req *r, const struct cc_entry *e, struct card_static *st)
{
    st->slug = arena_strdup(&r->arena, e->slug);
    st->name = arena_strdup(&r->arena, e->name);
    st->merchant = e->merchant ? arena_strdup(&r->arena, e->merchant) : NULL;
    st->image = e->image ? arena_strdup(&r->arena, e->image) : NULL;
}

/* Index of id among ids[0..n), or n. */
static unsigned
index_of(const int64_t *ids, unsigned n, int64_t id)
{
    unsigned k = 0;

    while (k < n && ids[k] != id)
        k++;
    return k;
}

/*
 * Cards of the products in missing (live ones only): their live parts,
 * and their statics from the cache at the product's version or else the
 * database; both kept for the next requests when keep.
 */
static int
cards_read(struct req *r, const int64_t *ids, unsigned n,
           const int64_t *missing, unsigned nmissing, bool keep,
           struct cc_live *lives, struct card_static *stat, bool *have)
{
    int64_t ttl = (int64_t)r->conf->listing_cache_ms * 1000, now = now_us();
    struct db_result live, st;
    int64_t *unknown, *until;
    unsigned nunknown = 0;
    int rc;

    rc = by_ids(r, CARD_LIVE_SQL, missing, nmissing, &live);
    if (rc)
        return rc;
    unknown = arena_calloc(&r->arena, live.nrows + 1, sizeof(*unknown));
    until = arena_calloc(&r->arena, n, sizeof(*until));   /* 0: not read */
    for (unsigned i = 0; i < live.nrows; i++) {
        int64_t id = db_get_int(&live, i, 0, 0);
        unsigned k = index_of(ids, n, id);
        const struct cc_entry *e = cc_get(id, db_get(&live, i, 1), now, ttl);

        if (k == n)
            continue;
        card_live(r, &live, i, now, &lives[k], &until[k]);
        have[k] = true;
        if (e)
            card_static_of(r, e, &stat[k]);
        else
            unknown[nunknown++] = id;
    }
    if (nunknown) {
        rc = by_ids(r, CARD_STATIC_SQL, unknown, nunknown, &st);
        if (rc)
            return rc;
        for (unsigned j = 0; j < st.nrows; j++) {
            int64_t id = db_get_int(&st, j, 0, 0);
            unsigned k = index_of(ids, n, id);
            const struct cc_in fresh = {
                .id = id, .version = db_get(&st, j, 1),
                .slug = db_get(&st, j, 2), .name = db_get(&st, j, 3),
                .merchant = db_get(&st, j, 4), .image = db_get(&st, j, 5),
            };

            cc_put(&fresh, now);
            if (k == n)
                continue;
            stat[k].slug = fresh.slug;
            stat[k].name = fresh.name;
            stat[k].merchant = fresh.merchant;
            stat[k].image = fresh.image;
        }
    }
    if (keep)
        for (unsigned k = 0; k < n; k++)
            if (until[k] && stat[k].slug)
                cc_set_live(ids[k], &lives[k], until[k]);
    return JS_OK;
}

/*
 * Cards for ids, in that order: from the cache where the change feed
 * says they are current, the rest read.  Products that left sale since
 * the ids were picked are skipped.
 */
static int
cards_by_ids(struct req *r, const int64_t *ids, unsigned n,
             json_object **items)
{
    char now_iso[UTC_NOW_BUF];
    struct cc_live *lives;
    struct card_static *stat;
    int64_t *missing, now = now_us();
    unsigned nmissing = 0;
    bool *have, first = true, keep = changes_cache_ok(r);
    struct strbuf sb;
    int rc;

    *items = NULL;
    if (!n) {
        *items = json_object_new_array();
        return JS_OK;
    }
    utc_now_iso(now_iso);
    lives = arena_calloc(&r->arena, n, sizeof(*lives));
    stat = arena_calloc(&r->arena, n, sizeof(*stat));
    have = arena_calloc(&r->arena, n, sizeof(*have));
    missing = arena_calloc(&r->arena, n, sizeof(*missing));
    for (unsigned k = 0; k < n; k++) {
        const struct cc_entry *e = keep ? cc_get_live(ids[k], now) : NULL;

        if (!e) {
            missing[nmissing++] = ids[k];
            continue;
        }
        lives[k] = e->live;
        card_static_of(r, e, &stat[k]);
        have[k] = true;
    }
    if (nmissing &&
        (rc = cards_read(r, ids, n, missing, nmissing, keep, lives, stat,
                         have)))
        return rc;
    strbuf_init(&sb);
    strbuf_addch(&sb, '[');
    for (unsigned k = 0; k < n; k++) {
        if (!have[k] || !stat[k].slug)
            continue;
        if (!first)
            strbuf_addch(&sb, ',');
        first = false;
        card_text(&sb, ids[k], &lives[k], &stat[k], now_iso);
    }
    strbuf_addch(&sb, ']');
    *items = json_raw(arena_strndup(&r->arena, sb.buf, sb.len));
    strbuf_release(&sb);
    return JS_OK;
}

/* Ids of the products f selects in f's order: limit from offset. */
static int
select_ids(struct req *r, const struct cq_filters *f, int64_t offset,
           int64_t limit, int64_t **ids, unsigned *n)
{
    struct cq_sql s;
    struct db_result res;
    int rc;

    cq_sql_init(&s);
    cq_sql_add(&s, "SELECT p.id");
    cq_from_where(f, CQ_ALL, &s);
    cq_order(f, &s);
    cq_sql_addp(&s, " LIMIT ?", DBP_I(limit));
    cq_sql_addp(&s, " OFFSET ?", DBP_I(offset));
    rc = run(r, &s, &res);
    if (rc)
        return rc;
    *ids = arena_calloc(&r->arena, res.nrows + 1, sizeof(**ids));
    for (unsigned i = 0; i < res.nrows; i++)
        (*ids)[i] = db_get_int(&res, i, 0, 0);
    *n = res.nrows;
    return JS_OK;
}

/*
 * The page: a slice of the entry's order for f->sort (fetched once per
 * entry, up to LC_MAX_IDS), or past that window straight from the
 * database.
 */
static int
page_items(struct req *r, const struct cq_filters *f, struct lc_entry *e,
           json_object **items)
{
    unsigned sort = (unsigned)f->sort;
    int64_t offset = (f->page - 1) * f->per_page, *ids;
    unsigned n;
    int rc;

    if (offset >= e->total) {
        *items = json_object_new_array();
        return JS_OK;
    }
    if (!e->have_ids[sort] && offset < LC_MAX_IDS) {
        rc = select_ids(r, f, 0, LC_MAX_IDS, &ids, &n);
        if (rc)
            return rc;
        lc_set_ids(e, sort, ids, n);
    }
    if (e->have_ids[sort] &&
        (offset + f->per_page <= e->nids[sort] || e->nids[sort] < LC_MAX_IDS)) {
        if (offset >= e->nids[sort]) {
            *items = json_object_new_array();
            return JS_OK;
        }
        n = (unsigned)(e->nids[sort] - offset < f->per_page
                       ? e->nids[sort] - offset : f->per_page);
        return cards_by_ids(r, e->ids[sort] + offset, n, items);
    }
    rc = select_ids(r, f, offset, f->per_page, &ids, &n);
    return rc ? rc : cards_by_ids(r, ids, n, items);
}

/*
 * f->cands: the best CQ_SEARCH_CAP live matches of f->mquery, an exact
 * name first, as a JSON array; *n their number.  The one Mroonga MATCH of
 * a listing.
 */
static int
search_candidates(struct req *r, struct cq_filters *f, unsigned *n)
{
    struct cq_filters only;
    struct strbuf sb;
    int64_t *ids;
    int rc;

    memset(&only, 0, sizeof(only));
    only.q = f->q;
    only.mquery = f->mquery;
    only.min_price = only.max_price = -1;
    only.sort = CQ_SORT_RELEVANCE;
    rc = select_ids(r, &only, 0, CQ_SEARCH_CAP, &ids, n);
    if (rc)
        return rc;
    strbuf_init(&sb);
    strbuf_addch(&sb, '[');
    for (unsigned i = 0; i < *n; i++)
        strbuf_addf(&sb, i ? ",%lld" : "%lld", (long long)ids[i]);
    strbuf_addch(&sb, ']');
    f->cands = arena_strndup(&r->arena, sb.buf, sb.len);
    strbuf_release(&sb);
    return JS_OK;
}

/*
 * Everything counted over the products f selects, into a new cache entry:
 * the category, the search query (corrected when the strict one finds
 * nothing), the total and the facets.
 */
static int
snapshot(struct req *r, struct cq_filters *f, const char *key,
         struct lc_entry **out)
{
    struct db_result cat, all;
    json_object *facets;
    const char *corrected = NULL;
    int64_t category_id = 0;
    struct lc_entry *e;
    int rc;

    if (f->category) {
        rc = db_read(r, SQL_CATEGORY_BY_SLUG, DB_ARGS(DBP_S(f->category)),
                     &cat);
        if (rc)
            return rc;
        if (!cat.nrows)
            return reply_err(r, JS_NOTFOUND, "category",
                             "category '%s' not found", f->category);
        category_id = db_get_int(&cat, 0, 0, 0);
        f->category_path = db_get(&cat, 0, 1);
    }
    if (f->q)
        f->mquery = search_build_query(r, f->q);
    if (f->mquery) {
        unsigned n;

        rc = search_candidates(r, f, &n);
        if (!rc && n == 0) {
            /* Nothing for every word: try the corrected, forgiving
             * query. */
            const char *fz = search_fuzzy(r, f->q, &corrected);

            if (fz) {
                f->mquery = fz;
                f->fuzzy = true;
                rc = search_candidates(r, f, &n);
            }
        }
        if (rc)
            return rc;
    }
    rc = aggregates(r, f, CQ_ALL, &all);
    if (rc)
        return rc;
    facets = json_object_new_object();
    rc = facet_categories(r, f, category_id, facets);
    if (!rc)
        rc = facet_brands(r, f, facets);
    if (!rc)
        rc = facet_scalars(r, f, &all, facets);
    if (!rc)
        rc = facet_options(r, f, facets);
    if (rc) {
        json_object_put(facets);
        return rc;
    }
    e = lc_put(key, now_us());
    e->total = agg(&all, AGG_COUNT);
    lc_set_str(&e->facets, json_object_to_json_string_ext(
                   facets, JSON_C_TO_STRING_PLAIN |
                   JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(facets);
    e->category_id = category_id;
    lc_set_str(&e->category_path, f->category_path);
    lc_set_str(&e->mquery, f->mquery);
    lc_set_str(&e->cands, f->cands);
    e->fuzzy = f->fuzzy;
    lc_set_str(&e->corrected, corrected);
    *out = e;
    return JS_OK;
}

int
catalog_products(struct req *r)
{
    struct cq_filters f;
    struct lc_entry *e = NULL;
    json_object *items = NULL, *root;
    const char *key;
    int rc;

    if (cq_parse(r, &f))
        return JS_REPLIED;
    changes_sync(r);
    key = cq_key(&r->arena, &f);
    e = lc_get(key, now_us(), (int64_t)r->conf->listing_cache_ms * 1000);
    if (e) {
        f.category_path = e->category_path;
        f.mquery = e->mquery;
        f.cands = e->cands;
        f.fuzzy = e->fuzzy;
    } else if ((rc = snapshot(r, &f, key, &e))) {
        return rc;
    }
    if (!e)
        BUG("no listing snapshot");
    if (!f.mquery)
        f.q = NULL;         /* only punctuation: a plain listing */
    else if (f.sort != CQ_SORT_RELEVANCE && !req_query(r, "sort"))
        f.sort = CQ_SORT_RELEVANCE;
    rc = page_items(r, &f, e, &items);
    if (rc)
        return rc;
    root = json_object_new_object();
    json_object_object_add(root, "items", items);
    json_object_object_add(root, "total", json_int(e->total));
    json_object_object_add(root, "page", json_int(f.page));
    json_object_object_add(root, "per_page", json_int(f.per_page));
    json_object_object_add(root, "facets", json_raw(e->facets));
    if (f.q) {
        json_object *sr = json_object_new_object();

        json_object_object_add(sr, "q", json_str(f.q));
        json_object_object_add(sr, "fuzzy", json_object_new_boolean(f.fuzzy));
        json_object_object_add(sr, "corrected", f.fuzzy && e->corrected
                                                    ? json_str(e->corrected)
                                                    : NULL);
        json_object_object_add(sr, "capped_at", json_int(CQ_SEARCH_CAP));
        json_object_object_add(root, "search", sr);
    }
    reply_json(r, 200, root);
    cacheable(r, 10);
    return JS_OK;
}

/* ------------------------------------------------------------------ */
/* detail                                                               */

static const char *
stock_status(int64_t stock)
{
    if (stock <= 0)
        return "out_of_stock";
    return stock <= LOW_STOCK ? "low_stock" : "in_stock";
}

/* Column col of row 0 parsed as a JSON array; an empty array for NULL. */
static json_object *
json_col(struct req *r, const struct db_result *res, unsigned col)
{
    const char *text = db_get(res, 0, col), *why;
    json_object *v = NULL;

    if (text && json_parse(&r->arena, text, strlen(text), 8, &v, &why) == 0 &&
        json_object_is_type(v, json_type_array))
        return v;
    return json_arena_own(&r->arena, json_object_new_array());
}

/* Element k of array a: text (NULL for JSON null) or integer. */
static const char *
el_str(json_object *a, size_t k)
{
    json_object *v = json_object_array_get_idx(a, k);

    return v && !json_object_is_type(v, json_type_null)
               ? json_object_get_string(v) : NULL;
}

static int64_t
el_int(json_object *a, size_t k)
{
    return json_object_get_int64(json_object_array_get_idx(a, k));
}

/* The product page document from a row of SQL_PRODUCT (its prices,
 * stock and rating are then set by apply_live()). */
static json_object *
product_doc(struct req *r, const struct db_result *p)
{
    json_object *o, *arr, *m, *b, *bc, *opts, *skus, *specs, *imgs;
    size_t nopts;

    bc = json_col(r, p, 18);
    opts = json_col(r, p, 19);
    skus = json_col(r, p, 20);
    specs = json_col(r, p, 21);
    imgs = json_col(r, p, 22);
    o = json_object_new_object();
    json_object_object_add(o, "id", json_int(db_get_int(p, 0, 0, 0)));
    json_object_object_add(o, "slug", json_str(db_get(p, 0, 1)));
    json_object_object_add(o, "name", json_str(db_get(p, 0, 2)));
    json_object_object_add(o, "description", json_str(db_get(p, 0, 3)));
    m = json_object_new_object();
    json_object_object_add(m, "id", json_int(db_get_int(p, 0, 11, 0)));
    json_object_object_add(m, "name", json_str(db_get(p, 0, 12)));
    json_object_object_add(o, "merchant", m);
    b = NULL;
    if (db_get(p, 0, 14)) {
        b = json_object_new_object();
        json_object_object_add(b, "slug", json_str(db_get(p, 0, 14)));
        json_object_object_add(b, "name", json_str(db_get(p, 0, 15)));
    }
    json_object_object_add(o, "brand", b);
    json_object_object_add(o, "updated_at", json_str(db_get(p, 0, 16)));

    arr = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(bc); i++) {
        json_object *e = json_object_array_get_idx(bc, i);
        json_object *c = json_object_new_object();

        json_object_object_add(c, "id", json_int(el_int(e, 0)));
        json_object_object_add(c, "slug", json_str(el_str(e, 1)));
        json_object_object_add(c, "name_zh", json_str(el_str(e, 2)));
        json_object_object_add(c, "name_en", json_str(el_str(e, 3)));
        json_object_array_add(arr, c);
    }
    json_object_object_add(o, "breadcrumb", arr);

    arr = json_object_new_array();
    nopts = json_object_array_length(opts);
    for (size_t i = 0; i < nopts; i++)
        json_object_array_add(arr, json_str(el_str(opts, i)));
    json_object_object_add(o, "options", arr);

    arr = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(skus); i++) {
        json_object *e = json_object_array_get_idx(skus, i);
        json_object *s = json_object_new_object(), *vals;

        json_object_object_add(s, "id", json_int(el_int(e, 0)));
        json_object_object_add(s, "code", json_str(el_str(e, 1)));
        vals = json_object_new_array();
        for (size_t k = 0; k < nopts && k < 3; k++)
            json_object_array_add(vals, json_str(el_str(e, 2 + k)));
        json_object_object_add(s, "options", vals);
        json_object_object_add(s, "image_index", el_str(e, 8)
                               ? json_int(el_int(e, 8)) : NULL);
        json_object_object_add(s, "barcode", json_str(el_str(e, 9)));
        json_object_array_add(arr, s);
    }
    json_object_object_add(o, "skus", arr);

    arr = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(specs); i++) {
        json_object *e = json_object_array_get_idx(specs, i);
        json_object *s = json_object_new_object();

        json_object_object_add(s, "name", json_str(el_str(e, 0)));
        json_object_object_add(s, "value", json_str(el_str(e, 1)));
        json_object_array_add(arr, s);
    }
    json_object_object_add(o, "specs", arr);

    arr = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(imgs); i++) {
        json_object *e = json_object_array_get_idx(imgs, i);
        json_object *im = catalog_image_json(r, el_str(e, 0), el_str(e, 1));

        json_object_object_add(im, "width", json_int(el_int(e, 2)));
        json_object_object_add(im, "height", json_int(el_int(e, 3)));
        json_object_array_add(arr, im);
    }
    json_object_object_add(o, "images", arr);
    return o;
}

/* A SKU's running flash sale from SQL_LIVE_BY's "id price ends_at", or
 * NULL. */
static json_object *
flash_json(const char *text, const char *cur)
{
    char buf[96], *price, *ends;
    int64_t id, amount;
    json_object *o;

    if (!text || strlen(text) >= sizeof(buf))
        return NULL;
    memcpy(buf, text, strlen(text) + 1);
    price = strchr(buf, ' ');
    ends = price ? strchr(price + 1, ' ') : NULL;
    if (!ends)
        return NULL;
    *price++ = '\0';
    *ends++ = '\0';
    if (parse_int64(buf, 1, INT64_MAX, &id) ||
        parse_int64(price, 0, INT64_MAX, &amount))
        return NULL;
    o = json_object_new_object();
    json_object_object_add(o, "id", json_int(id));
    json_object_object_add(o, "sale_price", json_money(amount, cur));
    json_object_object_add(o, "ends_at", json_str(ends));
    return o;
}

/*
 * Set the live fields of doc from the rows of SQL_LIVE_BY: prices, stock,
 * rating and sales, and each SKU's price, stock status and flash sale.
 * False when the SKUs are not the document's (added or removed since it
 * was built).
 */
static bool
apply_live(json_object *doc, const struct db_result *l)
{
    const char *c = db_get(l, 0, 12);
    json_object *skus;
    size_t n;

    if (!json_object_object_get_ex(doc, "skus", &skus))
        return false;
    n = json_object_array_length(skus);
    if (n != (db_get(l, 0, 8) ? l->nrows : 0))
        return false;
    for (size_t i = 0; i < n; i++) {
        json_object *s = json_object_array_get_idx(skus, i), *id;
        unsigned k = 0;

        json_object_object_get_ex(s, "id", &id);
        while (k < l->nrows && db_get_int(l, k, 8, 0) !=
                                   json_object_get_int64(id))
            k++;
        if (k == l->nrows)
            return false;
        json_object_object_add(s, "price", json_money(db_get_int(l, k, 9, 0),
                                                      c));
        json_object_object_add(s, "compare_at_price", db_get(l, k, 10)
                               ? json_money(db_get_int(l, k, 10, 0), c)
                               : NULL);
        json_object_object_add(s, "stock_status", json_str(
                                   stock_status(db_get_int(l, k, 11, 0))));
        json_object_object_add(s, "flash_sale",
                               flash_json(db_get(l, k, 13), c));
    }
    json_object_object_add(doc, "price", json_money(db_get_int(l, 0, 2, 0),
                                                    c));
    json_object_object_add(doc, "price_max",
                           json_money(db_get_int(l, 0, 3, 0), c));
    json_object_object_add(doc, "in_stock", json_object_new_boolean(
                               db_get_int(l, 0, 4, 0) == 1));
    json_object_object_add(doc, "rating", rating_json(db_get_int(l, 0, 5, 0),
                                                      db_get_int(l, 0, 6, 0)));
    json_object_object_add(doc, "sales_count",
                           json_int(db_get_int(l, 0, 7, 0)));
    return true;
}

/*
 * The page of product ref (an id, else a slug; only a slug when by_slug):
 * *doc a new reference to its document, *body and *len its JSON text,
 * valid while *doc is held.  The answer kept since the product last
 * changed when the change feed allows (changes.h); else read, and kept.
 * JS_NOTFOUND when there is no such live product.
 */
static int
product_page(struct req *r, const char *ref, bool by_slug, json_object **doc,
             const char **body, size_t *len)
{
    const struct pc_entry *a;
    const char *version;
    struct db_result l, p;
    struct pc_entry *e;
    int64_t id = 0, pid, now;
    int rc;

    if (!ref || strlen(ref) > PRODUCT_SLUG_MAX)
        return JS_NOTFOUND;
    if (by_slug || parse_int64(ref, 1, INT64_MAX, &id))
        id = 0;
    changes_sync(r);
    now = now_us();
    if (changes_cache_ok(r) && (a = pc_answer(id, id ? NULL : ref, now))) {
        *doc = json_object_get(a->doc);
        *body = a->body;
        *len = a->body_len;
        return JS_OK;
    }
    /* A number is first an id; a slug of digits is still found. */
    rc = id ? db_read(r, SQL_LIVE_BY_ID, DB_ARGS(DBP_I(id)), &l) : JS_OK;
    if (!rc && (!id || !l.nrows))
        rc = db_read(r, SQL_LIVE_BY_SLUG, DB_ARGS(DBP_S(ref)), &l);
    if (rc)
        return rc;
    if (!l.nrows)
        return JS_NOTFOUND;
    pid = db_get_int(&l, 0, 0, 0);
    version = db_get(&l, 0, 1);
    e = pc_get(pid, version, now, (int64_t)r->conf->listing_cache_ms * 1000);
    if (e && apply_live(e->doc, &l)) {
        *doc = json_object_get(e->doc);
    } else {
        /* Edited since, or not kept: read the whole page. */
        rc = db_read(r, SQL_PRODUCT, DB_ARGS(DBP_I(pid)), &p);
        if (rc)
            return rc;
        if (!p.nrows)
            return JS_NOTFOUND;
        *doc = product_doc(r, &p);
        /* Its SKUs changed between the two reads: read them again (and
         * if they change once more, answer 503: being edited). */
        if (!apply_live(*doc, &l) &&
            ((rc = db_read(r, SQL_LIVE_BY_ID, DB_ARGS(DBP_I(pid)), &l)) ||
             !l.nrows || !apply_live(*doc, &l))) {
            json_object_put(*doc);
            return rc ? rc : JS_UNAVAILABLE;
        }
        /* Kept under the whole page's own version. */
        e = pc_put(pid, db_get(&p, 0, 17), json_object_get(*doc), now);
    }
    *body = json_object_to_json_string_length(
        *doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
    if (!*body)
        die_oom();
    if (changes_cache_ok(r))
        pc_set_answer(e, json_object_get_string(
                             json_object_object_get(*doc, "slug")),
                      *body, *len, kept_until(r, &l, 0, l.nrows, 14, now));
    return JS_OK;
}

int
catalog_product(struct req *r)
{
    json_object *doc;
    const char *body;
    size_t len;
    int rc = product_page(r, req_param(r, "ref"), false, &doc, &body, &len);

    if (rc == JS_NOTFOUND)
        return reply_err(r, JS_NOTFOUND, NULL, "product not found");
    if (rc)
        return rc;
    reply_raw(r, 200, "application/json; charset=utf-8", body, len);
    json_object_put(doc);
    cacheable(r, 10);
    return JS_OK;
}

int
catalog_summary_find(struct req *r, const char *slug,
                     struct catalog_summary *out)
{
    json_object *doc, *skus, *imgs, *rating, *card;
    const char *body;
    size_t len;
    int rc = product_page(r, slug, true, &doc, &body, &len);

    if (rc)
        return rc;
    /* The strings below point into doc, which lives as long as r. */
    json_arena_own(&r->arena, doc);
    memset(out, 0, sizeof(*out));
    json_get_int64(doc, "id", 1, INT64_MAX - 1, &out->id);
    json_get_string(doc, "slug", &out->slug);
    json_get_string(doc, "name", &out->name);
    json_get_string(doc, "description", &out->description);
    json_get_string(json_object_object_get(doc, "price"), "currency",
                    &out->currency);
    json_get_int64(json_object_object_get(doc, "price"), "amount", 0,
                   INT64_MAX - 1, &out->min_price);
    json_get_int64(json_object_object_get(doc, "price_max"), "amount", 0,
                   INT64_MAX - 1, &out->max_price);
    json_get_bool(doc, "in_stock", &out->in_stock);
    rating = json_object_object_get(doc, "rating");
    out->rating_avg = (int64_t)(json_object_get_double(
                                    json_object_object_get(rating, "average")) *
                                    100 + 0.5);
    json_get_int64(rating, "count", 0, INT64_MAX - 1, &out->rating_count);
    json_get_string(json_object_object_get(doc, "brand"), "name",
                    &out->brand);
    skus = json_object_object_get(doc, "skus");
    imgs = json_object_object_get(doc, "images");
    if (json_object_is_type(skus, json_type_array)) {
        out->nskus = (unsigned)json_object_array_length(skus);
        json_get_string(json_object_array_get_idx(skus, 0), "code",
                        &out->sku);
    }
    if (json_object_is_type(imgs, json_type_array)) {
        card = json_object_object_get(json_object_array_get_idx(imgs, 0),
                                      "card");
        json_get_string(card, "jpg", &out->image);
    }
    return JS_OK;
}

int
catalog_refresh_product(struct req *r, int64_t product_id)
{
    int rc = db_write(r, SQL_REFRESH, DB_ARGS(DBP_I(product_id)), NULL);

    if (!rc)
        rc = db_write(r, SQL_POV_CLEAR, DB_ARGS(DBP_I(product_id)), NULL);
    if (!rc)
        rc = db_write(r, SQL_POV_FILL, DB_ARGS(DBP_I(product_id)), NULL);
    return rc;
}
