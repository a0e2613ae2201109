/*
 * check_catalog_query.c - the listing's parameter parser (cq_parse) and
 * SQL assembly (cq_from_where, cq_order), and the search query builders
 * (search_build_query, search_build_fuzzy with a fixed vocabulary,
 * search_edit_distance), all without a database.
 *
 * The SQL properties: no byte of a hostile input ever reaches the SQL
 * text (the text for hostile values equals the text for harmless values
 * of the same shape, and only '?' placeholders carry them), the bound
 * parameters match the placeholders in number, type and value, and each
 * CQ_NO_* facet mode leaves out exactly its own filter.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "catalog.h"
#include "catalog_query.h"
#include "conf.h"
#include "json.h"
#include "req.h"
#include "search.h"
#include "suites.h"
#include "util.h"

static struct conf conf;
static struct req r;
static bool live;

static void
setup(void)
{
    char err[256];

    unsetenv("JISHI_WORKERS");
    unsetenv("JISHI_MAX_REQUESTS");
    ck_assert_int_eq(conf_parse(&conf, "{\"db\":{\"primary\":{}}}", "/tmp",
                                err, sizeof(err)), 0);
    req_fake(&r, &conf, "GET", "/api/v1/products", NULL, NULL);
    live = true;
}

static void
teardown(void)
{
    if (live)
        req_finish(&r);
    live = false;
    conf_free(&conf);
}

/* dst = prefix, n times unit, suffix (truncated to size). */
static char *
repeat(char *dst, size_t size, const char *prefix, const char *unit, int n,
       const char *suffix)
{
    size_t o = (size_t)snprintf(dst, size, "%s", prefix);

    for (int i = 0; i < n && o < size; i++)
        o += (size_t)snprintf(dst + o, size - o, "%s", unit);
    if (o < size)
        snprintf(dst + o, size - o, "%s", suffix);
    return dst;
}

/* cq_parse on "/api/v1/products?<qs>". */
static int
parse(const char *qs, struct cq_filters *f)
{
    char uri[16384];

    snprintf(uri, sizeof(uri), "/api/v1/products%s%s", *qs ? "?" : "", qs);
    req_finish(&r);
    req_fake(&r, &conf, "GET", uri, NULL, NULL);
    return cq_parse(&r, f);
}

/* The last reply was a 400 naming `field`. */
static void
assert_400(const char *field)
{
    json_object *root, *e, *v;

    ck_assert_int_eq(r.reply.status, 400);
    root = json_tokener_parse(r.reply.body.buf);
    ck_assert_ptr_nonnull(root);
    ck_assert(json_object_object_get_ex(root, "error", &e));
    ck_assert(json_object_object_get_ex(e, "code", &v));
    ck_assert_str_eq(json_object_get_string(v), "bad_request");
    ck_assert(json_object_object_get_ex(e, "field", &v));
    ck_assert_str_eq(json_object_get_string(v), field);
    json_object_put(root);
}

static void
parse_ok(const char *qs, struct cq_filters *f)
{
    ck_assert_msg(parse(qs, f) == JS_OK, "'%s' should parse (reply %d: %s)",
                  qs, r.reply.status,
                  r.reply.body.buf ? r.reply.body.buf : "");
    ck_assert_int_eq(r.reply.status, 0);
}

static void
parse_bad(const char *qs, const char *field)
{
    struct cq_filters f;

    ck_assert_msg(parse(qs, &f) == JS_REPLIED, "'%s' should be refused", qs);
    assert_400(field);
}

/* ------------------------------------------------------------------ */
/* cq_parse                                                             */

START_TEST(test_parse_defaults)
{
    struct cq_filters f;

    parse_ok("", &f);
    ck_assert_ptr_null(f.q);
    ck_assert_ptr_null(f.mquery);
    ck_assert(!f.fuzzy);
    ck_assert_ptr_null(f.category);
    ck_assert_ptr_null(f.category_path);
    ck_assert_uint_eq(f.nbrands, 0);
    ck_assert_int_eq(f.merchant_id, 0);
    ck_assert_int_eq(f.min_price, -1);
    ck_assert_int_eq(f.max_price, -1);
    ck_assert_int_eq(f.min_rating, 0);
    ck_assert(!f.in_stock);
    ck_assert_uint_eq(f.nopts, 0);
    ck_assert_ptr_null(f.skip_option);
    ck_assert_int_eq(f.sort, CQ_SORT_BEST_SELLING);
    ck_assert_int_eq(f.page, 1);
    ck_assert_int_eq(f.per_page, 24);

    /* Empty values are absent values. */
    parse_ok("q=&category=&brand=&options=&merchant=&min_price=&max_price="
             "&rating=&in_stock=&sort=&page=&per_page=", &f);
    ck_assert_ptr_null(f.q);
    ck_assert_ptr_null(f.category);
    ck_assert_uint_eq(f.nbrands, 0);
    ck_assert_uint_eq(f.nopts, 0);
    ck_assert_int_eq(f.min_price, -1);
    ck_assert_int_eq(f.sort, CQ_SORT_BEST_SELLING);
    ck_assert_int_eq(f.page, 1);
    ck_assert_int_eq(f.per_page, 24);

    /* With a query the default order is relevance. */
    parse_ok("q=earbuds", &f);
    ck_assert_str_eq(f.q, "earbuds");
    ck_assert_int_eq(f.sort, CQ_SORT_RELEVANCE);
}
END_TEST

START_TEST(test_parse_q)
{
    struct cq_filters f;
    char qs[1024];

    parse_ok("q=%20%20+earbuds", &f);        /* leading blanks trimmed */
    ck_assert_str_eq(f.q, "earbuds");
    parse_ok("q=+++", &f);                    /* blanks only: no query */
    ck_assert_ptr_null(f.q);
    ck_assert_int_eq(f.sort, CQ_SORT_BEST_SELLING);
    parse_ok("q=%E8%93%9D%E7%89%99%E8%80%B3%E6%9C%BA", &f);
    ck_assert_str_eq(f.q, "蓝牙耳机");
    /* Kept as typed: operators are search.c's business, not SQL's. */
    parse_ok("q=%27+OR+1%3D1+--", &f);
    ck_assert_str_eq(f.q, "' OR 1=1 --");

    /* 200 bytes pass, 201 do not; blanks before it do not count. */
    parse_ok(repeat(qs, sizeof(qs), "q=", "a", 200, ""), &f);
    ck_assert_uint_eq(strlen(f.q), 200);
    parse_ok(repeat(qs, sizeof(qs), "q=+++", "a", 200, ""), &f);
    ck_assert_uint_eq(strlen(f.q), 200);
    parse_bad(repeat(qs, sizeof(qs), "q=", "a", 201, ""), "q");
    /* 66 CJK characters are 198 bytes; 67 are 201. */
    parse_bad(repeat(qs, sizeof(qs), "q=", "%E8%93%9D", 67, ""), "q");
    parse_ok(repeat(qs, sizeof(qs), "q=", "%E8%93%9D", 66, ""), &f);
    ck_assert_uint_eq(strlen(f.q), 198);
}
END_TEST

START_TEST(test_parse_category)
{
    struct cq_filters f;
    char qs[256];

    parse_ok("category=audio-2", &f);
    ck_assert_str_eq(f.category, "audio-2");
    ck_assert_ptr_null(f.category_path);    /* the caller resolves it */
    parse_ok("category=0-9", &f);
    static const char *const bad[] = {
        "Audio", "a_b", "a+b", "a%20b", "a.b", "a/b", "%E8%80%B3",
        "%27+OR+1%3D1+--", "a%25", "a%5C", "-%27",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        snprintf(qs, sizeof(qs), "category=%s", bad[i]);
        parse_bad(qs, "category");
    }
    parse_ok(repeat(qs, sizeof(qs), "category=", "c", 100, ""), &f);
    ck_assert_uint_eq(strlen(f.category), 100);
    parse_bad(repeat(qs, sizeof(qs), "category=", "c", 101, ""), "category");
}
END_TEST

START_TEST(test_parse_brand)
{
    struct cq_filters f;

    parse_ok("brand=sony", &f);
    ck_assert_uint_eq(f.nbrands, 1);
    ck_assert_str_eq(f.brands[0], "sony");
    parse_ok("brand=sony,anker-2,,b", &f);    /* empty entries skipped */
    ck_assert_uint_eq(f.nbrands, 3);
    ck_assert_str_eq(f.brands[1], "anker-2");
    ck_assert_str_eq(f.brands[2], "b");
    parse_ok("brand=,,,", &f);
    ck_assert_uint_eq(f.nbrands, 0);
    parse_ok("brand=a,b,c,d,e,f,g,h", &f);
    ck_assert_uint_eq(f.nbrands, CQ_MAX_BRANDS);
    ck_assert_str_eq(f.brands[7], "h");
    parse_bad("brand=a,b,c,d,e,f,g,h,i", "brand");
    parse_bad("brand=Sony", "brand");
    parse_bad("brand=sony;anker", "brand");
    parse_bad("brand=sony,%27+OR+1%3D1", "brand");
    parse_bad("brand=%E7%B4%A2%E5%B0%BC", "brand");
    parse_bad("brand=a%25", "brand");
}
END_TEST

START_TEST(test_parse_options)
{
    struct cq_filters f;
    char qs[512];
    char name[128];

    parse_ok("options=%E9%A2%9C%E8%89%B2:%E9%BB%91%E8%89%B2;"
             "%E5%B0%BA%E7%A0%81:M", &f);
    ck_assert_uint_eq(f.nopts, 2);
    ck_assert_str_eq(f.opts[0].name, "颜色");
    ck_assert_str_eq(f.opts[0].value, "黑色");
    ck_assert_str_eq(f.opts[1].name, "尺码");
    ck_assert_str_eq(f.opts[1].value, "M");
    parse_ok("options=a:b:c", &f);            /* the first ':' splits */
    ck_assert_uint_eq(f.nopts, 1);
    ck_assert_str_eq(f.opts[0].name, "a");
    ck_assert_str_eq(f.opts[0].value, "b:c");
    parse_ok("options=;;a:1;;", &f);
    ck_assert_uint_eq(f.nopts, 1);
    parse_ok("options=%27:%27+OR+1%3D1+--", &f);  /* values are data */
    ck_assert_str_eq(f.opts[0].name, "'");
    ck_assert_str_eq(f.opts[0].value, "' OR 1=1 --");
    parse_ok("options=a:1;b:2;c:3;d:4", &f);
    ck_assert_uint_eq(f.nopts, CQ_MAX_OPTIONS);
    parse_bad("options=a:1;b:2;c:3;d:4;e:5", "options");
    parse_bad("options=color", "options");
    parse_bad("options=:black", "options");
    parse_bad("options=color:", "options");
    parse_bad("options=a:1;nocolon", "options");
    /* A pair of at most 101 bytes (50 + ':' + 50). */
    repeat(name, sizeof(name), "options=", "n", 50, ":");
    parse_ok(repeat(qs, sizeof(qs), name, "v", 50, ""), &f);
    ck_assert_uint_eq(strlen(f.opts[0].name), 50);
    ck_assert_uint_eq(strlen(f.opts[0].value), 50);
    parse_bad(repeat(qs, sizeof(qs), "options=n:", "v", 100, ""), "options");
}
END_TEST

START_TEST(test_parse_numbers)
{
    struct cq_filters f;

    parse_ok("merchant=7&min_price=0&max_price=19999&rating=4", &f);
    ck_assert_int_eq(f.merchant_id, 7);
    ck_assert_int_eq(f.min_price, 0);
    ck_assert_int_eq(f.max_price, 19999);
    ck_assert_int_eq(f.min_rating, 4);
    parse_ok("rating=1", &f);
    ck_assert_int_eq(f.min_rating, 1);
    parse_ok("rating=5", &f);
    ck_assert_int_eq(f.min_rating, 5);
    /* min > max is not an error: it matches nothing. */
    parse_ok("min_price=500&max_price=100", &f);
    ck_assert_int_eq(f.min_price, 500);
    ck_assert_int_eq(f.max_price, 100);

    static const char *const junk[] = {
        "-1", "abc", "1.5", "1e3", "0x10", "%2B5", "+5", "5+", "5abc",
        "99999999999999999999999", "%27+OR+1%3D1",
    };
    static const char *const fields[] = {
        "merchant", "min_price", "max_price", "rating",
    };
    char qs[128];

    for (size_t k = 0; k < ARRAY_SIZE(fields); k++)
        for (size_t i = 0; i < ARRAY_SIZE(junk); i++) {
            snprintf(qs, sizeof(qs), "%s=%s", fields[k], junk[i]);
            parse_bad(qs, fields[k]);
        }
    parse_bad("merchant=0", "merchant");
    parse_bad("rating=0", "rating");
    parse_bad("rating=6", "rating");
}
END_TEST

START_TEST(test_parse_in_stock)
{
    struct cq_filters f;

    parse_ok("in_stock=true", &f);
    ck_assert(f.in_stock);
    parse_ok("in_stock=1", &f);
    ck_assert(f.in_stock);
    parse_ok("in_stock=false", &f);
    ck_assert(!f.in_stock);
    parse_ok("in_stock=0", &f);
    ck_assert(!f.in_stock);
    parse_bad("in_stock=yes", "in_stock");
    parse_bad("in_stock=TRUE", "in_stock");
    parse_bad("in_stock=2", "in_stock");
    parse_bad("in_stock=1%27", "in_stock");
}
END_TEST

START_TEST(test_parse_sort)
{
    static const struct {
        const char *name;
        enum cq_sort sort;
    } names[] = {
        { "best_selling", CQ_SORT_BEST_SELLING },
        { "price_asc", CQ_SORT_PRICE_ASC },
        { "price_desc", CQ_SORT_PRICE_DESC },
        { "newest", CQ_SORT_NEWEST },
        { "rating", CQ_SORT_RATING },
    };
    struct cq_filters f;
    char qs[128];

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        snprintf(qs, sizeof(qs), "sort=%s", names[i].name);
        parse_ok(qs, &f);
        ck_assert_int_eq(f.sort, names[i].sort);
        /* An explicit order wins over relevance with a query too. */
        snprintf(qs, sizeof(qs), "q=x&sort=%s", names[i].name);
        parse_ok(qs, &f);
        ck_assert_int_eq(f.sort, names[i].sort);
    }
    parse_ok("q=x&sort=relevance", &f);
    ck_assert_int_eq(f.sort, CQ_SORT_RELEVANCE);
    /* Relevance without a query means best selling. */
    parse_ok("sort=relevance", &f);
    ck_assert_int_eq(f.sort, CQ_SORT_BEST_SELLING);
    parse_bad("sort=price", "sort");
    parse_bad("sort=PRICE_ASC", "sort");
    parse_bad("sort=price_asc%3B", "sort");
    parse_bad("sort=price_asc+", "sort");
    parse_bad("sort=p.id", "sort");
    parse_bad("sort=%27+OR+1%3D1+--", "sort");
}
END_TEST

START_TEST(test_parse_paging)
{
    struct cq_filters f;

    parse_ok("page=3&per_page=60", &f);
    ck_assert_int_eq(f.page, 3);
    ck_assert_int_eq(f.per_page, 60);
    parse_ok("per_page=1", &f);
    ck_assert_int_eq(f.per_page, 1);
    parse_bad("per_page=0", "per_page");
    parse_bad("per_page=61", "per_page");
    parse_bad("per_page=abc", "per_page");
    parse_bad("per_page=-5", "per_page");
    parse_bad("per_page=24.0", "per_page");
    parse_bad("page=0", "page");
    parse_bad("page=-1", "page");
    parse_bad("page=abc", "page");
    parse_bad("page=1e2", "page");
    parse_bad("page=99999999999999999999", "page");
}
END_TEST

/* Paging stops at the first 10,000 results. */
START_TEST(test_parse_offset_cap)
{
    struct cq_filters f;

    parse_ok("page=166&per_page=60", &f);     /* results 9,901..9,960 */
    parse_ok("page=10000&per_page=1", &f);    /* result 10,000 */
    parse_ok("page=400&per_page=25", &f);     /* results 9,976..10,000 */
    parse_bad("page=168&per_page=60", "page");
    parse_bad("page=1000000&per_page=60", "page");
    parse_bad("page=418&per_page=24", "page");  /* default per_page */
    /* The first result past the cap (the notes: page*per_page beyond
     * 10,000 is a 400). */
    parse_bad("page=10001&per_page=1", "page");
    parse_bad("page=401&per_page=25", "page");
}
END_TEST

/* ------------------------------------------------------------------ */
/* cq_from_where / cq_order                                             */

static unsigned
count_char(const char *s, char c)
{
    unsigned n = 0;

    for (; *s; s++)
        n += *s == c;
    return n;
}

/* "SELECT p.id" and the FROM/WHERE (and ORDER BY) of f without skip's
 * filter, into s. */
static void
build(const struct cq_filters *f, enum cq_facet skip, bool order,
      struct cq_sql *s)
{
    cq_sql_init(s);
    cq_sql_add(s, "SELECT p.id");
    cq_from_where(f, skip, s);
    if (order)
        cq_order(f, s);
    /* Every placeholder has its parameter, and nothing else is one. */
    ck_assert_uint_eq(count_char(s->sql.buf, '?'), s->np);
}

/* The text with the two constant literals removed holds no quote, no
 * comment and no statement separator: nothing but our fragments. */
static void
assert_only_fragments(const char *sql)
{
    char *copy = strdup(sql), *p;

    ck_assert_ptr_nonnull(copy);
    while ((p = strstr(copy, "'live'")))
        memset(p, ' ', 6);
    while ((p = strstr(copy, "'active'")))
        memset(p, ' ', 8);
    while ((p = strstr(copy, "'%'")))
        memset(p, ' ', 3);
    /* JSON_TABLE's constant paths. */
    while ((p = strstr(copy, "'$[*]'")))
        memset(p, ' ', 6);
    while ((p = strstr(copy, "'$'")))
        memset(p, ' ', 3);
    ck_assert_msg(!strchr(copy, '\'') && !strchr(copy, '"') &&
                  !strchr(copy, ';') && !strchr(copy, '\\') &&
                  !strstr(copy, "--") && !strstr(copy, "/*") &&
                  !strchr(copy, '#'),
                  "unexpected text in SQL: %s", sql);
    for (p = copy; *p; p++)
        ck_assert_msg((unsigned char)*p < 0x80, "non-ASCII in SQL: %s", sql);
    free(copy);
}

static void
fill(struct cq_filters *f, const char *word)
{
    memset(f, 0, sizeof(*f));
    f->q = word;
    f->mquery = word;
    f->category_path = word;
    f->brands[0] = word;
    f->brands[1] = word;
    f->nbrands = 2;
    f->merchant_id = 42;
    f->min_price = 100;
    f->max_price = 9999;
    f->min_rating = 3;
    f->in_stock = true;
    f->opts[0].name = word;
    f->opts[0].value = word;
    f->opts[1].name = "尺码";
    f->opts[1].value = word;
    f->nopts = 2;
    f->sort = CQ_SORT_RELEVANCE;
    f->page = 1;
    f->per_page = 24;
}

START_TEST(test_sql_hostile_values_are_parameters)
{
    static const char *const hostile[] = {
        "' OR 1=1 --", "%", "_", "\\", "\\'", "\"; DROP TABLE products; --",
        "无线蓝牙耳机", "') UNION SELECT password_hash FROM users #",
        "?", "a?b", "/*", "*/", "\xe8\x93", "%' OR '%'='",
    };
    struct cq_filters f;
    struct cq_sql base, s;

    fill(&f, "harmless");
    build(&f, CQ_ALL, true, &base);
    assert_only_fragments(base.sql.buf);
    for (size_t i = 0; i < ARRAY_SIZE(hostile); i++) {
        fill(&f, hostile[i]);
        build(&f, CQ_ALL, true, &s);
        /* Same shape, same text: the value never reached it. */
        ck_assert_str_eq(s.sql.buf, base.sql.buf);
        ck_assert_uint_eq(s.np, base.np);
        if (strlen(hostile[i]) > 2)
            ck_assert_ptr_null(strstr(s.sql.buf, hostile[i]));
        for (unsigned k = 0; k < s.np; k++) {
            ck_assert_int_eq(s.p[k].type, base.p[k].type);
            if (s.p[k].type == DBP_STR &&
                strcmp(base.p[k].s, "harmless") == 0)
                ck_assert_str_eq(s.p[k].s, hostile[i]);
        }
        cq_sql_release(&s);
    }
    cq_sql_release(&base);
}
END_TEST

/* With the candidates computed, no statement runs MATCH again: they are
 * one bound JSON parameter, and relevance is their order. */
START_TEST(test_sql_candidates)
{
    struct cq_filters f;
    struct cq_sql s;

    fill(&f, "w");
    f.cands = "[3,1,2]";
    build(&f, CQ_ALL, true, &s);
    ck_assert_ptr_null(strstr(s.sql.buf, "MATCH"));
    ck_assert_ptr_nonnull(strstr(s.sql.buf, " FROM JSON_TABLE(?, "));
    ck_assert_int_eq(s.p[0].type, DBP_STR);
    ck_assert_str_eq(s.p[0].s, "[3,1,2]");
    ck_assert_ptr_nonnull(strstr(s.sql.buf, " ORDER BY s.rnk"));
    ck_assert_ptr_null(strstr(s.sql.buf, "p.name = ?"));
    assert_only_fragments(s.sql.buf);
    cq_sql_release(&s);
}
END_TEST

START_TEST(test_sql_parameters_in_order)
{
    struct cq_filters f;
    struct cq_sql s;
    unsigned k = 0;

    fill(&f, "w");
    f.q = "typed";
    f.mquery = "+typed";
    f.category_path = "/1/5/";
    f.brands[0] = "sony";
    f.brands[1] = "anker";
    f.opts[0].name = "颜色";
    f.opts[0].value = "黑色";
    f.opts[1].value = "M";
    build(&f, CQ_ALL, true, &s);
    ck_assert_uint_eq(s.np, 14);
#define STR(v) do { ck_assert_int_eq(s.p[k].type, DBP_STR); \
                    ck_assert_str_eq(s.p[k].s, (v)); k++; } while (0)
#define INT(v) do { ck_assert_int_eq(s.p[k].type, DBP_INT); \
                    ck_assert_int_eq(s.p[k].i, (v)); k++; } while (0)
    STR("+typed");
    STR("+typed");
    STR("/1/5/");
    STR("sony");
    STR("anker");
    INT(42);
    INT(100);
    INT(9999);
    INT(300);           /* stars x 100 */
    STR("颜色");
    STR("黑色");
    STR("尺码");
    STR("M");
    STR("typed");       /* exact name match first */
#undef STR
#undef INT
    /* The last is the exact-name parameter of the ORDER BY. */
    ck_assert_ptr_nonnull(strstr(s.sql.buf, "ORDER BY (p.name = ?) DESC"));
    ck_assert_uint_eq(k, s.np);
    ck_assert_ptr_nonnull(strstr(s.sql.buf, " AND p.in_stock = 1"));
    ck_assert_ptr_nonnull(strstr(s.sql.buf, " WHERE " SQL_SHOWN " AND "));
    cq_sql_release(&s);
}
END_TEST

START_TEST(test_sql_plain_listing)
{
    struct cq_filters f;
    struct cq_sql s;

    parse_ok("", &f);
    build(&f, CQ_ALL, true, &s);
    ck_assert_str_eq(s.sql.buf, "SELECT p.id FROM products p WHERE "
                     SQL_SHOWN " ORDER BY p.sales_count DESC, "
                     "p.id DESC");
    ck_assert_uint_eq(s.np, 0);
    cq_sql_release(&s);
}
END_TEST

/* Which filter fragments a statement holds. */
struct present {
    bool search, category, brand, merchant, min_price, max_price, rating,
        stock;
    unsigned options;
};

static struct present
present(const char *sql)
{
    struct present p = { 0 };
    const char *x = sql;

    p.search = strstr(sql, "product_search") != NULL;
    p.category = strstr(sql, "path LIKE CONCAT(?, '%')") != NULL;
    p.brand = strstr(sql, "p.brand_id IN") != NULL;
    p.merchant = strstr(sql, "p.merchant_id = ?") != NULL;
    p.min_price = strstr(sql, "p.min_price >= ?") != NULL;
    p.max_price = strstr(sql, "p.min_price <= ?") != NULL;
    p.rating = strstr(sql, "p.rating_avg >= ?") != NULL;
    p.stock = strstr(sql, "p.in_stock = 1") != NULL;
    while ((x = strstr(x, "product_option_values v"))) {
        p.options++;
        x++;
    }
    return p;
}

static void
assert_present_eq(struct present p, struct present a)
{
    ck_assert_int_eq(p.search, a.search);
    ck_assert_int_eq(p.category, a.category);
    ck_assert_int_eq(p.brand, a.brand);
    ck_assert_int_eq(p.merchant, a.merchant);
    ck_assert_int_eq(p.min_price, a.min_price);
    ck_assert_int_eq(p.max_price, a.max_price);
    ck_assert_int_eq(p.rating, a.rating);
    ck_assert_int_eq(p.stock, a.stock);
    ck_assert_uint_eq(p.options, a.options);
}

START_TEST(test_sql_each_facet_skips_its_own_filter)
{
    struct cq_filters f;
    struct cq_sql all, s;
    struct present a, p;

    fill(&f, "w");
    build(&f, CQ_ALL, false, &all);
    a = present(all.sql.buf);
    ck_assert(a.search && a.category && a.brand && a.merchant &&
              a.min_price && a.max_price && a.rating && a.stock);
    ck_assert_uint_eq(a.options, 2);
    ck_assert_uint_eq(all.np, 13);

    build(&f, CQ_NO_CATEGORY, false, &s);
    p = present(s.sql.buf);
    ck_assert(!p.category);
    a.category = false;
    assert_present_eq(p, a);
    a.category = true;
    ck_assert_uint_eq(s.np, all.np - 1);
    cq_sql_release(&s);

    build(&f, CQ_NO_BRAND, false, &s);
    p = present(s.sql.buf);
    a.brand = false;
    assert_present_eq(p, a);
    a.brand = true;
    ck_assert_uint_eq(s.np, all.np - 2);
    cq_sql_release(&s);

    build(&f, CQ_NO_PRICE, false, &s);
    p = present(s.sql.buf);
    a.min_price = a.max_price = false;
    assert_present_eq(p, a);
    a.min_price = a.max_price = true;
    ck_assert_uint_eq(s.np, all.np - 2);
    cq_sql_release(&s);

    build(&f, CQ_NO_RATING, false, &s);
    p = present(s.sql.buf);
    a.rating = false;
    assert_present_eq(p, a);
    a.rating = true;
    ck_assert_uint_eq(s.np, all.np - 1);
    cq_sql_release(&s);

    build(&f, CQ_NO_STOCK, false, &s);
    p = present(s.sql.buf);
    a.stock = false;
    assert_present_eq(p, a);
    a.stock = true;
    ck_assert_uint_eq(s.np, all.np);
    cq_sql_release(&s);

    /* Without skip_option, CQ_NO_OPTIONS leaves out every option. */
    build(&f, CQ_NO_OPTIONS, false, &s);
    p = present(s.sql.buf);
    a.options = 0;
    assert_present_eq(p, a);
    a.options = 2;
    ck_assert_uint_eq(s.np, all.np - 4);
    cq_sql_release(&s);

    /* The merchant filter and the search are never left out. */
    for (int k = CQ_ALL; k <= CQ_NO_OPTIONS; k++) {
        build(&f, (enum cq_facet)k, false, &s);
        p = present(s.sql.buf);
        ck_assert(p.merchant && p.search);
        cq_sql_release(&s);
    }
    cq_sql_release(&all);
}
END_TEST

START_TEST(test_sql_skip_option)
{
    struct cq_filters f;
    struct cq_sql s;

    memset(&f, 0, sizeof(f));
    f.min_price = f.max_price = -1;
    f.opts[0].name = "颜色";
    f.opts[0].value = "黑色";
    f.opts[1].name = "尺码";
    f.opts[1].value = "M";
    f.opts[2].name = "颜色";
    f.opts[2].value = "白色";
    f.nopts = 3;
    f.sort = CQ_SORT_BEST_SELLING;

    /* CQ_ALL ignores skip_option. */
    f.skip_option = "颜色";
    build(&f, CQ_ALL, false, &s);
    ck_assert_uint_eq(present(s.sql.buf).options, 3);
    ck_assert_uint_eq(s.np, 6);
    cq_sql_release(&s);

    /* Only the pairs of that name go, both of them. */
    build(&f, CQ_NO_OPTIONS, false, &s);
    ck_assert_uint_eq(present(s.sql.buf).options, 1);
    ck_assert_uint_eq(s.np, 2);
    ck_assert_str_eq(s.p[0].s, "尺码");
    ck_assert_str_eq(s.p[1].s, "M");
    cq_sql_release(&s);

    f.skip_option = "尺码";
    build(&f, CQ_NO_OPTIONS, false, &s);
    ck_assert_uint_eq(present(s.sql.buf).options, 2);
    ck_assert_uint_eq(s.np, 4);
    ck_assert_str_eq(s.p[0].s, "颜色");
    ck_assert_str_eq(s.p[1].s, "黑色");
    ck_assert_str_eq(s.p[2].s, "颜色");
    ck_assert_str_eq(s.p[3].s, "白色");
    cq_sql_release(&s);

    /* A name with no filter leaves every pair in place. */
    f.skip_option = "材质";
    build(&f, CQ_NO_OPTIONS, false, &s);
    ck_assert_uint_eq(present(s.sql.buf).options, 3);
    cq_sql_release(&s);

    /* Other facet modes keep every option pair. */
    f.skip_option = NULL;
    build(&f, CQ_NO_PRICE, false, &s);
    ck_assert_uint_eq(present(s.sql.buf).options, 3);
    cq_sql_release(&s);
}
END_TEST

START_TEST(test_sql_order)
{
    static const struct {
        enum cq_sort sort;
        const char *order;
    } orders[] = {
        { CQ_SORT_BEST_SELLING, " ORDER BY p.sales_count DESC, p.id DESC" },
        { CQ_SORT_PRICE_ASC, " ORDER BY p.min_price ASC, p.id ASC" },
        { CQ_SORT_PRICE_DESC, " ORDER BY p.min_price DESC, p.id DESC" },
        { CQ_SORT_NEWEST, " ORDER BY p.published_at DESC, p.id DESC" },
        { CQ_SORT_RATING, " ORDER BY p.rating_avg DESC, p.rating_count DESC,"
                          " p.id DESC" },
        /* relevance without a search: best selling */
        { CQ_SORT_RELEVANCE, " ORDER BY p.sales_count DESC, p.id DESC" },
    };
    struct cq_filters f;
    struct cq_sql s;

    for (size_t i = 0; i < ARRAY_SIZE(orders); i++) {
        memset(&f, 0, sizeof(f));
        f.min_price = f.max_price = -1;
        f.sort = orders[i].sort;
        cq_sql_init(&s);
        cq_order(&f, &s);
        ck_assert_str_eq(s.sql.buf, orders[i].order);
        ck_assert_uint_eq(s.np, 0);
        cq_sql_release(&s);
    }
    memset(&f, 0, sizeof(f));
    f.sort = CQ_SORT_RELEVANCE;
    f.q = "' OR 1=1 --";
    f.mquery = "+or +1 +1";
    cq_sql_init(&s);
    cq_order(&f, &s);
    ck_assert_str_eq(s.sql.buf, " ORDER BY (p.name = ?) DESC, s.score DESC,"
                                " p.id DESC");
    ck_assert_uint_eq(s.np, 1);
    ck_assert_int_eq(s.p[0].type, DBP_STR);
    ck_assert_str_eq(s.p[0].s, "' OR 1=1 --");
    cq_sql_release(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* search_build_query / search_build_fuzzy                              */

static void
assert_query(const char *q, const char *want)
{
    const char *got = search_build_query(&r, q);

    if (!want) {
        ck_assert_msg(got == NULL, "query for '%s' should be NULL, got '%s'",
                      q ? q : "(null)", got ? got : "");
        return;
    }
    ck_assert_msg(got != NULL, "no query for '%s'", q);
    ck_assert_str_eq(got, want);
    ck_assert(utf8_valid(got, strlen(got)));
}

/* A fixed vocabulary standing in for search_terms: the corrector is a
 * parameter of the pure builder, so its rules are tested without a DB. */
static const char *
fix_from_list(struct req *rq, const char *w, void *ctx)
{
    static const char *const vocab[] = { "bluetooth", "earbuds", "wireless",
                                         "charger", NULL };
    const char *best = NULL;
    unsigned bestd = 3;

    (void)rq;
    (void)ctx;
    for (const char *const *v = vocab; *v; v++) {
        unsigned d;

        if (strcmp(*v, w) == 0)
            return NULL;
        d = search_edit_distance(w, *v, 2);
        if (d < bestd) {
            bestd = d;
            best = *v;
        }
    }
    return best;
}

static void
assert_fuzzy(const char *q, const char *want)
{
    const char *shown;
    const char *got = search_build_fuzzy(&r, q, fix_from_list, NULL, &shown);

    if (!want) {
        ck_assert_msg(got == NULL, "fuzzy for '%s' should be NULL, got '%s'",
                      q ? q : "(null)", got ? got : "");
        return;
    }
    ck_assert_msg(got != NULL, "no fuzzy query for '%s'", q);
    ck_assert_str_eq(got, want);
    ck_assert(utf8_valid(got, strlen(got)));
    ck_assert_ptr_nonnull(shown);
}

START_TEST(test_search_query_words_required)
{
    assert_query("bluetooth", "+bluetooth");
    assert_query("Wireless Bluetooth Earbuds",
                 "+wireless +bluetooth +earbuds");
    assert_query("  bluetooth   earbuds  ", "+bluetooth +earbuds");
    assert_query("蓝牙耳机", "+蓝牙耳机");           /* CJK kept whole */
    assert_query("无线蓝牙耳机 黑色", "+无线蓝牙耳机 +黑色");
    assert_query("sony 降噪耳机 wh1000xm5", "+sony +降噪耳机 +wh1000xm5");
    assert_query("wi-fi", "+wi +fi");
    assert_query("a", "+a");
    assert_query("2024", "+2024");
    /* CJK punctuation separates words like ASCII punctuation */
    assert_query("蓝牙，耳机", "+蓝牙 +耳机");
    assert_query("蓝牙、耳机。（黑色）", "+蓝牙 +耳机 +黑色");
    /* Groonga's upper-case operators become plain words */
    assert_query("a OR b", "+a +or +b");
    assert_query("x AND NOT y", "+x +and +not +y");
}
END_TEST

START_TEST(test_search_query_operators_stripped)
{
    assert_query("+a -b", "+a +b");
    assert_query("<c >d", "+c +d");
    assert_query("(e) ~f", "+e +f");
    assert_query("g* \"h i\"", "+g +h +i");
    assert_query("@j 'k'", "+j +k");
    assert_query("' OR 1=1 --", "+or +1 +1");
    assert_query("\"; DROP TABLE products; --", "+drop +table +products");
    assert_query("name:@x", "+name +x");
    assert_query("*D+ earbuds", "+d +earbuds");       /* Mroonga pragma */
    assert_query("a\\b", "+a +b");
    assert_query("a%b_c", "+a +b +c");
    assert_query("x\ty\nz", "+x +y +z");
    /* Nothing searchable. */
    assert_query("+-><()~*\"@'", NULL);
    assert_query("   ", NULL);
    assert_query("", NULL);
    assert_query(NULL, NULL);
    assert_query("%_\\;:,.!?", NULL);
    /* No operator survives in any output. */
    {
        const char *q = search_build_query(&r,
            "+a -b <c >d (e) ~f g* \"h\" @i 'j' k");
        ck_assert_ptr_nonnull(q);
        for (const char *p = q; *p; p++)
            ck_assert_msg(strchr("-<>()~*\"@'", *p) == NULL,
                          "operator '%c' in '%s'", *p, q);
    }
}
END_TEST

START_TEST(test_search_query_limits)
{
    char buf[512];
    const char *q;

    /* At most 8 words. */
    assert_query("a b c d e f g h i j", "+a +b +c +d +e +f +g +h");
    assert_query("一 二 三 四 五 六 七 八 九", "+一 +二 +三 +四 +五 +六 +七 +八");
    /* An over-long word is cut at 64 bytes; the rest is dropped. */
    q = search_build_query(&r, repeat(buf, sizeof(buf), "", "x", 100,
                                      " tail"));
    ck_assert_ptr_nonnull(q);
    ck_assert_uint_eq(strlen(q), 1 + 64 + 2 + 4);
    ck_assert_str_eq(q + 65, " +tail");
    /* ...at a character boundary: 21 CJK characters are 63 bytes. */
    q = search_build_query(&r, repeat(buf, sizeof(buf), "", "蓝", 30, ""));
    ck_assert_ptr_nonnull(q);
    ck_assert_uint_eq(strlen(q), 1 + 63);
    ck_assert(utf8_valid(q, strlen(q)));
    /* A 10 KB query still gives a bounded one. */
    {
        char *big = malloc(10241);

        ck_assert_ptr_nonnull(big);
        for (int i = 0; i < 10240; i++)
            big[i] = (i % 7 == 6) ? ' ' : 'a' + i % 26;
        big[10240] = '\0';
        q = search_build_query(&r, big);
        ck_assert_ptr_nonnull(q);
        ck_assert_uint_le(strlen(q), 8 * (64 + 2));
        ck_assert_uint_eq(count_char(q, '+'), 8);
        free(big);
    }
}
END_TEST

START_TEST(test_search_query_bad_utf8)
{
    assert_query("\xff", NULL);
    assert_query("abc\xc3\x28", NULL);
    assert_query("\xc3\x28", NULL);
    assert_query("\xe8\x93", NULL);              /* truncated 蓝 */
    assert_query("\xc0\xaf", NULL);              /* overlong '/' */
    assert_query("\xed\xa0\x80", NULL);          /* surrogate */
    assert_query("ok \xf8\x88\x80\x80\x80", NULL);
    assert_fuzzy("\xff", NULL);
    assert_fuzzy("bluetoth \xc3\x28", NULL);
}
END_TEST

START_TEST(test_search_fuzzy)
{
    /* Misspelt ASCII words are corrected and required. */
    assert_fuzzy("bluetoth", "+bluetooth");
    assert_fuzzy("Blutooth Earbds", "+bluetooth +earbuds");
    /* Unknown words that nothing corrects become optional. */
    assert_fuzzy("bluetoth zzzzzz", "+bluetooth zzzzzz");
    /* CJK words are optional; a query of them alone still retries. */
    assert_fuzzy("蓝牙耳机", "蓝牙耳机");
    assert_fuzzy("bluetoth 耳机", "+bluetooth 耳机");
    /* Nothing corrected, nothing CJK: no retry. */
    assert_fuzzy("qqqqqq", NULL);
    assert_fuzzy("bluetooth", NULL);      /* known word: not misspelt */
    assert_fuzzy("abc", NULL);            /* too short to correct */
    /* Operators are gone here too. */
    assert_fuzzy("+bluetoth* -(x)", "+bluetooth x");
    assert_fuzzy("+-><()~*\"@'", NULL);
    assert_fuzzy("", NULL);
    assert_fuzzy(NULL, NULL);
}
END_TEST

START_TEST(test_search_edit_distance)
{
    ck_assert_uint_eq(search_edit_distance("bluetooth", "bluetooth", 2), 0);
    ck_assert_uint_eq(search_edit_distance("bluetoth", "bluetooth", 2), 1);
    ck_assert_uint_eq(search_edit_distance("blutooth", "bluetooth", 2), 1);
    /* a swap of neighbours is one edit */
    ck_assert_uint_eq(search_edit_distance("bleutooth", "bluetooth", 2), 1);
    ck_assert_uint_eq(search_edit_distance("knfie", "knife", 1), 1);
    ck_assert_uint_eq(search_edit_distance("ab", "ba", 2), 1);
    ck_assert_uint_eq(search_edit_distance("abc", "cba", 3), 2);
    ck_assert_uint_eq(search_edit_distance("kitten", "sitting", 3), 3);
    /* capped at max + 1 */
    ck_assert_uint_eq(search_edit_distance("abcdef", "uvwxyz", 2), 3);
    ck_assert_uint_eq(search_edit_distance("a", "abcdefgh", 2), 3);
    ck_assert_uint_eq(search_edit_distance("", "ab", 2), 2);
}
END_TEST

/* A word that starts in ASCII and goes on in Chinese ("iphone手机壳")
 * must come out whole and valid UTF-8. */
START_TEST(test_search_fuzzy_mixed_word_stays_utf8)
{
    static const char *const mixed[] = {
        "iphone手机壳", "ab蓝牙", "usb充电器 type-c", "x无线",
    };

    for (size_t i = 0; i < ARRAY_SIZE(mixed); i++) {
        const char *shown;
        const char *q = search_build_fuzzy(&r, mixed[i], fix_from_list, NULL,
                                           &shown);

        ck_assert_ptr_nonnull(q);
        ck_assert_msg(utf8_valid(q, strlen(q)),
                      "fuzzy query for '%s' is not UTF-8", mixed[i]);
    }
}
END_TEST


/* ------------------------------------------------------------------ */
/* cq_key                                                               */

static char *
key_of(const char *qs)
{
    struct cq_filters f;

    parse_ok(qs, &f);
    return strdup(cq_key(&r.arena, &f));
}

START_TEST(test_key_ignores_sort_and_page)
{
    char *a = key_of("category=phones&brand=sony");
    char *b = key_of("category=phones&brand=sony&sort=price_asc&page=3"
                     "&per_page=60");

    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

/* Every filter, and values that imitate another field, give other keys. */
START_TEST(test_key_distinct)
{
    static const char *const qs[] = {
        "", "q=a", "q=ab", "q=b", "category=a", "brand=a", "brand=a,b",
        "brand=ab", "brand=b,a", "options=a:b", "options=a:bc",
        "options=ab:c", "options=a:b;c:d", "merchant=1", "merchant=11",
        "min_price=1", "max_price=1", "min_price=1&max_price=1",
        "rating=1", "rating=2", "in_stock=1", "q=a&category=b",
        "q=a1:b", "q=ac1:b", "q=a%20c1:b", "category=a&brand=b",
        "category=ab", "q=m0", "q=m0%20p-1--1%20r0%20s0",
        "options=a:b=1:c",
    };
    char *keys[ARRAY_SIZE(qs)];

    for (size_t i = 0; i < ARRAY_SIZE(qs); i++)
        keys[i] = key_of(qs[i]);
    for (size_t i = 0; i < ARRAY_SIZE(qs); i++)
        for (size_t j = i + 1; j < ARRAY_SIZE(qs); j++)
            ck_assert_msg(strcmp(keys[i], keys[j]) != 0,
                          "'%s' and '%s' share the key %s", qs[i], qs[j],
                          keys[i]);
    for (size_t i = 0; i < ARRAY_SIZE(qs); i++)
        free(keys[i]);
}
END_TEST

Suite *
catalog_query_suite(void)
{
    Suite *s = suite_create("catalog_query");
    TCase *tc = tcase_create("parse");
    TCase *sql = tcase_create("sql");
    TCase *search = tcase_create("search");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_parse_defaults);
    tcase_add_test(tc, test_parse_q);
    tcase_add_test(tc, test_parse_category);
    tcase_add_test(tc, test_parse_brand);
    tcase_add_test(tc, test_parse_options);
    tcase_add_test(tc, test_parse_numbers);
    tcase_add_test(tc, test_parse_in_stock);
    tcase_add_test(tc, test_parse_sort);
    tcase_add_test(tc, test_parse_paging);
    tcase_add_test(tc, test_parse_offset_cap);
    tcase_add_test(tc, test_key_ignores_sort_and_page);
    tcase_add_test(tc, test_key_distinct);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(sql, setup, teardown);
    tcase_add_test(sql, test_sql_hostile_values_are_parameters);
    tcase_add_test(sql, test_sql_parameters_in_order);
    tcase_add_test(sql, test_sql_candidates);
    tcase_add_test(sql, test_sql_plain_listing);
    tcase_add_test(sql, test_sql_each_facet_skips_its_own_filter);
    tcase_add_test(sql, test_sql_skip_option);
    tcase_add_test(sql, test_sql_order);
    suite_add_tcase(s, sql);

    tcase_add_checked_fixture(search, setup, teardown);
    tcase_add_test(search, test_search_query_words_required);
    tcase_add_test(search, test_search_query_operators_stripped);
    tcase_add_test(search, test_search_query_limits);
    tcase_add_test(search, test_search_query_bad_utf8);
    tcase_add_test(search, test_search_fuzzy);
    tcase_add_test(search, test_search_edit_distance);
    tcase_add_test(search, test_search_fuzzy_mixed_word_stays_utf8);
    suite_add_tcase(s, search);
    return s;
}
