/*
 * catalog.c - the public catalog (see catalog.h).
 *
 * A listing runs a handful of statements, all on a replica: the page of
 * products, the total, and one per facet, each facet leaving out its own
 * filter so that its counts say what clicking it would return.  With a
 * search query the candidates are the best CQ_SEARCH_CAP matches from the
 * Mroonga index (two steps: top ids, then the join), and the totals and
 * facets count within those.
 */
#include "config.h"
#include "catalog.h"

#include <string.h>

#include "catalog_query.h"
#include "db.h"
#include "json.h"
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
    " DATE_FORMAT(p.updated_at, '%Y-%m-%dT%H:%i:%sZ'),"
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
    "   ORDER BY i.position) FROM product_images i WHERE i.product_id = p.id) "
    "FROM products p JOIN merchants m ON m.id = p.merchant_id "
    "JOIN categories c ON c.id = p.category_id "
    "LEFT JOIN brands b ON b.id = p.brand_id "
    "WHERE p.status = 'live' AND (p.id = ? OR p.slug = ?)";

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

static json_object *
image_json(struct req *r, const char *base, const char *alt)
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

static json_object *
rating_json(int64_t avg_x100, int64_t count)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "average",
                           json_object_new_double((double)avg_x100 / 100.0));
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

/* The page's rows carry no per-row subqueries: MariaDB would run them for
 * every candidate before sorting.  Merchant names and first images of the
 * page come in one more statement (card_extras). */
#define CARD_COLS \
    "SELECT p.id, p.slug, p.name, p.currency, p.min_price, p.max_price," \
    " p.in_stock, p.rating_avg, p.rating_count, p.merchant_id"

/* Merchant name and first image base of the products on a page. */
struct card_extra {
    int64_t id;
    const char *merchant, *image;
};

static json_object *
card_json(struct req *r, const struct db_result *res, unsigned i,
          const struct card_extra *extra, unsigned nextra)
{
    json_object *o = json_object_new_object(), *m;
    const char *cur = db_get(res, i, 3), *img = NULL, *mname = "";
    int64_t id = db_get_int(res, i, 0, 0);

    for (unsigned k = 0; k < nextra; k++)
        if (extra[k].id == id) {
            img = extra[k].image;
            mname = extra[k].merchant ? extra[k].merchant : "";
        }
    json_object_object_add(o, "id", json_int(id));
    json_object_object_add(o, "slug", json_str(db_get(res, i, 1)));
    json_object_object_add(o, "name", json_str(db_get(res, i, 2)));
    json_object_object_add(o, "price",
                           json_money(db_get_int(res, i, 4, 0), cur));
    json_object_object_add(o, "price_max",
                           json_money(db_get_int(res, i, 5, 0), cur));
    json_object_object_add(o, "in_stock", json_object_new_boolean(
                               db_get_int(res, i, 6, 0) == 1));
    json_object_object_add(o, "rating",
                           rating_json(db_get_int(res, i, 7, 0),
                                       db_get_int(res, i, 8, 0)));
    m = json_object_new_object();
    json_object_object_add(m, "id", json_int(db_get_int(res, i, 9, 0)));
    json_object_object_add(m, "name", json_str(mname));
    json_object_object_add(o, "merchant", m);
    json_object_object_add(o, "image", img ? image_json(r, img, NULL)
                                           : NULL);
    return o;
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

/* The page of product cards for f. */
static int
list_items(struct req *r, const struct cq_filters *f, json_object **items)
{
    struct cq_sql s;
    struct db_result res, ext;
    struct card_extra *extra = NULL;
    unsigned nextra = 0;
    int rc;

    cq_sql_init(&s);
    cq_sql_add(&s, CARD_COLS);
    cq_from_where(f, CQ_ALL, &s);
    cq_order(f, &s);
    cq_sql_addp(&s, " LIMIT ?", DBP_I(f->per_page));
    cq_sql_addp(&s, " OFFSET ?", DBP_I((f->page - 1) * f->per_page));
    rc = run(r, &s, &res);
    if (rc)
        return rc;
    if (res.nrows) {
        cq_sql_init(&s);
        cq_sql_add(&s, "SELECT p.id, m.name, (SELECT i.base FROM"
                       " product_images i WHERE i.product_id = p.id"
                       " ORDER BY i.position LIMIT 1) FROM products p"
                       " JOIN merchants m ON m.id = p.merchant_id"
                       " WHERE p.id IN (");
        for (unsigned i = 0; i < res.nrows; i++)
            cq_sql_addp(&s, i ? ", ?" : "?",
                        DBP_I(db_get_int(&res, i, 0, 0)));
        cq_sql_add(&s, ")");
        rc = run(r, &s, &ext);
        if (rc)
            return rc;
        extra = arena_calloc(&r->arena, ext.nrows + 1, sizeof(*extra));
        for (unsigned i = 0; i < ext.nrows; i++) {
            extra[i].id = db_get_int(&ext, i, 0, 0);
            extra[i].merchant = db_get(&ext, i, 1);
            extra[i].image = db_get(&ext, i, 2);
        }
        nextra = ext.nrows;
    }
    *items = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++)
        json_object_array_add(*items, card_json(r, &res, i, extra, nextra));
    return JS_OK;
}

int
catalog_products(struct req *r)
{
    struct cq_filters f;
    struct db_result cat, all;
    json_object *items = NULL, *facets, *root;
    int64_t total = 0, category_id = 0;
    const char *corrected = NULL;
    int rc;

    if (cq_parse(r, &f))
        return JS_REPLIED;
    if (f.category) {
        rc = db_read(r, SQL_CATEGORY_BY_SLUG, DB_ARGS(DBP_S(f.category)),
                     &cat);
        if (rc)
            return rc;
        if (!cat.nrows)
            return reply_err(r, JS_NOTFOUND, "category",
                             "category '%s' not found", f.category);
        category_id = db_get_int(&cat, 0, 0, 0);
        f.category_path = db_get(&cat, 0, 1);
    }
    if (f.q) {
        f.mquery = search_build_query(r, f.q);
        if (!f.mquery)
            f.q = NULL;     /* only punctuation: a plain listing */
        else if (f.sort != CQ_SORT_RELEVANCE && !req_query(r, "sort"))
            f.sort = CQ_SORT_RELEVANCE;
    }
    rc = aggregates(r, &f, CQ_ALL, &all);
    if (!rc && agg(&all, AGG_COUNT) == 0 && f.mquery) {
        /* Nothing for every word: try the corrected, forgiving query. */
        const char *fz = search_fuzzy(r, f.q, &corrected);

        if (fz) {
            f.mquery = fz;
            f.fuzzy = true;
            rc = aggregates(r, &f, CQ_ALL, &all);
        }
    }
    if (rc)
        return rc;
    total = agg(&all, AGG_COUNT);
    /* Past the last page there is nothing to fetch. */
    if ((f.page - 1) * f.per_page < total)
        rc = list_items(r, &f, &items);
    else
        items = json_object_new_array();
    if (rc)
        return rc;
    facets = json_object_new_object();
    rc = facet_categories(r, &f, category_id, facets);
    if (!rc)
        rc = facet_brands(r, &f, facets);
    if (!rc)
        rc = facet_scalars(r, &f, &all, facets);
    if (!rc)
        rc = facet_options(r, &f, facets);
    if (rc) {
        json_object_put(items);
        json_object_put(facets);
        return rc;
    }
    root = json_object_new_object();
    json_object_object_add(root, "items", items);
    json_object_object_add(root, "total", json_int(total));
    json_object_object_add(root, "page", json_int(f.page));
    json_object_object_add(root, "per_page", json_int(f.per_page));
    json_object_object_add(root, "facets", facets);
    if (f.q) {
        json_object *sr = json_object_new_object();

        json_object_object_add(sr, "q", json_str(f.q));
        json_object_object_add(sr, "fuzzy", json_object_new_boolean(f.fuzzy));
        json_object_object_add(sr, "corrected", f.fuzzy && corrected
                                                    ? json_str(corrected)
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

/* The live product row (SQL_PRODUCT) by id (0: none) or slug. */
static int
product_row(struct req *r, int64_t id, const char *slug,
            struct db_result *res)
{
    int rc;

    if (!slug || strlen(slug) > PRODUCT_SLUG_MAX)
        return JS_NOTFOUND;
    rc = db_read(r, SQL_PRODUCT, DB_ARGS(DBP_I(id), DBP_S(slug)), res);
    if (rc)
        return rc;
    return res->nrows ? JS_OK : JS_NOTFOUND;
}

int
catalog_product(struct req *r)
{
    const char *ref = req_param(r, "ref");
    struct db_result p;
    json_object *o, *arr, *m, *b, *bc, *opts, *skus, *specs, *imgs;
    size_t nopts;
    int64_t id = 0, pid;
    const char *cur;
    int rc;

    if (!ref || parse_int64(ref, 1, INT64_MAX, &id))
        id = 0;
    rc = product_row(r, id, ref, &p);
    if (rc == JS_NOTFOUND)
        return reply_err(r, JS_NOTFOUND, NULL, "product not found");
    if (rc)
        return rc;
    pid = db_get_int(&p, 0, 0, 0);
    bc = json_col(r, &p, 17);
    opts = json_col(r, &p, 18);
    skus = json_col(r, &p, 19);
    specs = json_col(r, &p, 20);
    imgs = json_col(r, &p, 21);
    cur = db_get(&p, 0, 4);
    o = json_object_new_object();
    json_object_object_add(o, "id", json_int(pid));
    json_object_object_add(o, "slug", json_str(db_get(&p, 0, 1)));
    json_object_object_add(o, "name", json_str(db_get(&p, 0, 2)));
    json_object_object_add(o, "description", json_str(db_get(&p, 0, 3)));
    json_object_object_add(o, "price",
                           json_money(db_get_int(&p, 0, 5, 0), cur));
    json_object_object_add(o, "price_max",
                           json_money(db_get_int(&p, 0, 6, 0), cur));
    json_object_object_add(o, "in_stock", json_object_new_boolean(
                               db_get_int(&p, 0, 7, 0) == 1));
    json_object_object_add(o, "rating", rating_json(db_get_int(&p, 0, 8, 0),
                                                    db_get_int(&p, 0, 9, 0)));
    json_object_object_add(o, "sales_count",
                           json_int(db_get_int(&p, 0, 10, 0)));
    m = json_object_new_object();
    json_object_object_add(m, "id", json_int(db_get_int(&p, 0, 11, 0)));
    json_object_object_add(m, "name", json_str(db_get(&p, 0, 12)));
    json_object_object_add(o, "merchant", m);
    b = NULL;
    if (db_get(&p, 0, 14)) {
        b = json_object_new_object();
        json_object_object_add(b, "slug", json_str(db_get(&p, 0, 14)));
        json_object_object_add(b, "name", json_str(db_get(&p, 0, 15)));
    }
    json_object_object_add(o, "brand", b);
    json_object_object_add(o, "updated_at", json_str(db_get(&p, 0, 16)));

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
        json_object_object_add(s, "price", json_money(el_int(e, 5), cur));
        json_object_object_add(s, "compare_at_price", el_str(e, 6)
                               ? json_money(el_int(e, 6), cur) : NULL);
        json_object_object_add(s, "stock_status",
                               json_str(stock_status(el_int(e, 7))));
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
        json_object *im = image_json(r, el_str(e, 0), el_str(e, 1));

        json_object_object_add(im, "width", json_int(el_int(e, 2)));
        json_object_object_add(im, "height", json_int(el_int(e, 3)));
        json_object_array_add(arr, im);
    }
    json_object_object_add(o, "images", arr);
    reply_json(r, 200, o);
    cacheable(r, 10);
    return JS_OK;
}

int
catalog_summary_find(struct req *r, const char *slug,
                     struct catalog_summary *out)
{
    struct db_result p;
    json_object *skus, *imgs, *e;
    int rc = product_row(r, 0, slug, &p);

    if (rc)
        return rc;
    skus = json_col(r, &p, 19);
    imgs = json_col(r, &p, 21);
    memset(out, 0, sizeof(*out));
    out->id = db_get_int(&p, 0, 0, 0);
    out->slug = db_get(&p, 0, 1);
    out->name = db_get(&p, 0, 2);
    out->description = db_get(&p, 0, 3);
    out->currency = db_get(&p, 0, 4);
    out->min_price = db_get_int(&p, 0, 5, 0);
    out->max_price = db_get_int(&p, 0, 6, 0);
    out->in_stock = db_get_int(&p, 0, 7, 0) == 1;
    out->rating_avg = db_get_int(&p, 0, 8, 0);
    out->rating_count = db_get_int(&p, 0, 9, 0);
    out->brand = db_get(&p, 0, 15);
    out->nskus = (unsigned)json_object_array_length(skus);
    e = json_object_array_get_idx(skus, 0);
    out->sku = e ? el_str(e, 1) : NULL;
    e = json_object_array_get_idx(imgs, 0);
    out->image = e && el_str(e, 0)
                     ? media_url(r, el_str(e, 0), "card", "jpg") : NULL;
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
