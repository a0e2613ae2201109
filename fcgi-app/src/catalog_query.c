/*
 * catalog_query.c - listing filters and SQL assembly (see catalog_query.h).
 */
#include "config.h"
#include "catalog_query.h"

#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "log.h"
#include "reply.h"
#include "req.h"
#include "util.h"

void
cq_sql_init(struct cq_sql *s)
{
    strbuf_init(&s->sql);
    s->np = 0;
}

void
cq_sql_release(struct cq_sql *s)
{
    strbuf_release(&s->sql);
    s->np = 0;
}

void
cq_sql_add(struct cq_sql *s, const char *frag)
{
    strbuf_adds(&s->sql, frag);
}

void
cq_sql_addp(struct cq_sql *s, const char *frag, struct db_param p)
{
    if (s->np == CQ_MAX_PARAMS)
        BUG("too many listing parameters");
    strbuf_adds(&s->sql, frag);
    s->p[s->np++] = p;
}

/* A slug: lower-case ASCII letters, digits and '-', 1..100 chars. */
static bool
slug_ok(const char *s)
{
    size_t n = 0;

    for (; *s; s++, n++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-'))
            return false;
    return n >= 1 && n <= 100;
}

static int
parse_brands(struct req *r, struct cq_filters *f, const char *v)
{
    char *copy = arena_strdup(&r->arena, v), *save = NULL, *tok;

    for (tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (!slug_ok(tok) || f->nbrands == CQ_MAX_BRANDS)
            return reply_err(r, JS_INVALID, "brand",
                             "'brand' takes up to %d brand slugs separated "
                             "by commas", CQ_MAX_BRANDS);
        f->brands[f->nbrands++] = tok;
    }
    return JS_OK;
}

/* "颜色:黑色;尺码:M" */
static int
parse_options(struct req *r, struct cq_filters *f, const char *v)
{
    char *copy = arena_strdup(&r->arena, v), *save = NULL, *tok;

    for (tok = strtok_r(copy, ";", &save); tok;
         tok = strtok_r(NULL, ";", &save)) {
        char *colon = strchr(tok, ':');

        if (!colon || colon == tok || !colon[1] || strlen(tok) > 101 ||
            f->nopts == CQ_MAX_OPTIONS)
            return reply_err(r, JS_INVALID, "options",
                             "'options' takes up to %d name:value pairs "
                             "separated by ';'", CQ_MAX_OPTIONS);
        *colon = '\0';
        f->opts[f->nopts].name = tok;
        f->opts[f->nopts].value = colon + 1;
        f->nopts++;
    }
    return JS_OK;
}

static const struct {
    const char *name;
    enum cq_sort sort;
} sorts[] = {
    { "relevance", CQ_SORT_RELEVANCE },
    { "best_selling", CQ_SORT_BEST_SELLING },
    { "price_asc", CQ_SORT_PRICE_ASC }, { "price_desc", CQ_SORT_PRICE_DESC },
    { "newest", CQ_SORT_NEWEST }, { "rating", CQ_SORT_RATING },
};

int
cq_parse(struct req *r, struct cq_filters *f)
{
    const char *v;
    bool in_stock = false;

    memset(f, 0, sizeof(*f));
    f->min_price = f->max_price = -1;
    v = req_query(r, "q");
    if (v) {
        while (*v == ' ')
            v++;
        if (strlen(v) > 200)
            return reply_err(r, JS_INVALID, "q",
                             "'q' must have at most 200 bytes");
        if (*v)
            f->q = v;
    }
    v = req_query(r, "category");
    if (v && *v) {
        if (!slug_ok(v))
            return reply_err(r, JS_INVALID, "category",
                             "'category' must be a category slug");
        f->category = v;
    }
    v = req_query(r, "brand");
    if (v && *v && parse_brands(r, f, v))
        return JS_REPLIED;
    v = req_query(r, "options");
    if (v && *v && parse_options(r, f, v))
        return JS_REPLIED;
    if (req_query_int_or_400(r, "merchant", 1, INT64_MAX / 2, 0,
                             &f->merchant_id) ||
        req_query_int_or_400(r, "min_price", 0, INT64_MAX / 4, -1,
                             &f->min_price) ||
        req_query_int_or_400(r, "max_price", 0, INT64_MAX / 4, -1,
                             &f->max_price) ||
        req_query_int_or_400(r, "rating", 1, 5, 0, &f->min_rating) ||
        req_paging_or_400(r, 24, CQ_MAX_PER_PAGE, &f->page, &f->per_page))
        return JS_REPLIED;
    if (f->page * f->per_page > CQ_MAX_OFFSET)
        return reply_err(r, JS_INVALID, "page",
                         "results beyond the first %d cannot be paged; "
                         "narrow the filters", CQ_MAX_OFFSET);
    v = req_query(r, "in_stock");
    if (v && *v) {
        if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
            in_stock = true;
        else if (strcmp(v, "0") != 0 && strcmp(v, "false") != 0)
            return reply_err(r, JS_INVALID, "in_stock",
                             "'in_stock' must be true or false");
    }
    f->in_stock = in_stock;
    f->sort = f->q ? CQ_SORT_RELEVANCE : CQ_SORT_BEST_SELLING;
    v = req_query(r, "sort");
    if (v && *v) {
        size_t i;

        for (i = 0; i < ARRAY_SIZE(sorts); i++)
            if (strcmp(v, sorts[i].name) == 0)
                break;
        if (i == ARRAY_SIZE(sorts))
            return reply_err(r, JS_INVALID, "sort",
                             "'sort' must be one of relevance, best_selling, "
                             "price_asc, price_desc, newest, rating");
        f->sort = sorts[i].sort;
        /* Relevance without a query is best selling. */
        if (f->sort == CQ_SORT_RELEVANCE && !f->q)
            f->sort = CQ_SORT_BEST_SELLING;
    }
    return JS_OK;
}

void
cq_from_where(const struct cq_filters *f, enum cq_facet skip,
              struct cq_sql *s)
{
    if (f->cands) {
        cq_sql_addp(s, " FROM JSON_TABLE(?, '$[*]' COLUMNS (product_id"
                       " BIGINT PATH '$', rnk FOR ORDINALITY)) s"
                       " JOIN products p ON p.id = s.product_id",
                    DBP_S(f->cands));
    } else if (f->mquery) {
        cq_sql_addp(s, " FROM products p JOIN (SELECT product_id,"
                       " MATCH(name, body) AGAINST(? IN BOOLEAN MODE)"
                       " AS score FROM product_search",
                    DBP_S(f->mquery));
        cq_sql_addp(s, " WHERE MATCH(name, body) AGAINST(? IN BOOLEAN MODE)"
                       " ORDER BY score DESC LIMIT 1000) s"
                       " ON s.product_id = p.id",
                    DBP_S(f->mquery));
    } else {
        cq_sql_add(s, " FROM products p");
    }
    cq_sql_add(s, " WHERE " SQL_SHOWN);
    if (f->category_path && skip != CQ_NO_CATEGORY)
        cq_sql_addp(s, " AND p.category_id IN (SELECT id FROM categories"
                       " WHERE path LIKE CONCAT(?, '%'))",
                    DBP_S(f->category_path));
    if (f->nbrands && skip != CQ_NO_BRAND) {
        cq_sql_add(s, " AND p.brand_id IN (SELECT id FROM brands WHERE"
                      " slug IN (");
        for (unsigned i = 0; i < f->nbrands; i++)
            cq_sql_addp(s, i ? ", ?" : "?", DBP_S(f->brands[i]));
        cq_sql_add(s, "))");
    }
    if (f->merchant_id)
        cq_sql_addp(s, " AND p.merchant_id = ?", DBP_I(f->merchant_id));
    if (skip != CQ_NO_PRICE) {
        if (f->min_price >= 0)
            cq_sql_addp(s, " AND p.min_price >= ?", DBP_I(f->min_price));
        if (f->max_price >= 0)
            cq_sql_addp(s, " AND p.min_price <= ?", DBP_I(f->max_price));
    }
    if (f->min_rating && skip != CQ_NO_RATING)
        cq_sql_addp(s, " AND p.rating_avg >= ?", DBP_I(f->min_rating * 100));
    if (f->in_stock && skip != CQ_NO_STOCK)
        cq_sql_add(s, " AND p.in_stock = 1");
    for (unsigned i = 0; i < f->nopts; i++) {
        if (skip == CQ_NO_OPTIONS &&
            (!f->skip_option || strcmp(f->skip_option, f->opts[i].name) == 0))
            continue;
        cq_sql_addp(s, " AND EXISTS (SELECT 1 FROM product_option_values v"
                       " WHERE v.product_id = p.id AND v.name = ?",
                    DBP_S(f->opts[i].name));
        cq_sql_addp(s, " AND v.value = ?)", DBP_S(f->opts[i].value));
    }
}

void
cq_order(const struct cq_filters *f, struct cq_sql *s)
{
    switch (f->sort) {
    case CQ_SORT_RELEVANCE:
        if (f->cands) {
            /* The candidates are in order already. */
            cq_sql_add(s, " ORDER BY s.rnk");
            return;
        }
        if (f->mquery) {
            /* An exact name match first, then Groonga's score. */
            cq_sql_addp(s, " ORDER BY (p.name = ?) DESC, s.score DESC,"
                           " p.id DESC", DBP_S(f->q));
            return;
        }
        /* fall through */
    case CQ_SORT_BEST_SELLING:
        cq_sql_add(s, " ORDER BY p.sales_count DESC, p.id DESC");
        return;
    case CQ_SORT_PRICE_ASC:
        cq_sql_add(s, " ORDER BY p.min_price ASC, p.id ASC");
        return;
    case CQ_SORT_PRICE_DESC:
        cq_sql_add(s, " ORDER BY p.min_price DESC, p.id DESC");
        return;
    case CQ_SORT_NEWEST:
        cq_sql_add(s, " ORDER BY p.published_at DESC, p.id DESC");
        return;
    case CQ_SORT_RATING:
        cq_sql_add(s, " ORDER BY p.rating_avg DESC, p.rating_count DESC,"
                      " p.id DESC");
        return;
    }
}

static void
key_str(struct strbuf *sb, char tag, const char *v)
{
    if (v)
        strbuf_addf(sb, "%c%zu:%s", tag, strlen(v), v);
}

char *
cq_key(struct arena *a, const struct cq_filters *f)
{
    struct strbuf sb;
    char *key;

    strbuf_init(&sb);
    key_str(&sb, 'q', f->q);
    key_str(&sb, 'c', f->category);
    for (unsigned i = 0; i < f->nbrands; i++)
        key_str(&sb, 'b', f->brands[i]);
    for (unsigned i = 0; i < f->nopts; i++) {
        key_str(&sb, 'o', f->opts[i].name);
        key_str(&sb, '=', f->opts[i].value);
    }
    strbuf_addf(&sb, "m%lld p%lld-%lld r%lld s%d",
                (long long)f->merchant_id, (long long)f->min_price,
                (long long)f->max_price, (long long)f->min_rating,
                f->in_stock ? 1 : 0);
    key = arena_strndup(a, sb.buf, sb.len);
    strbuf_release(&sb);
    return key;
}
