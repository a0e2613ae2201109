/*
 * catalog_query.h - listing filters and the SQL they select with.
 *
 * The listing's SQL is assembled from constant fragments chosen by which
 * filters are present; every value travels as a bound parameter.  No byte
 * of the request ever becomes SQL text.  Pure (no database): unit-tested
 * in tests/unit/check_catalog_query.c.
 */
#ifndef JISHI_CATALOG_QUERY_H
#define JISHI_CATALOG_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "strbuf.h"

struct arena;
struct req;

#define CQ_MAX_BRANDS 8
#define CQ_MAX_OPTIONS 4
#define CQ_MAX_PARAMS 96   /* a page of ids (<= 60) plus filters */
#define CQ_MAX_PER_PAGE 60
#define CQ_MAX_OFFSET 10000
#define CQ_SEARCH_CAP 1000     /* matches considered for results and facets */

enum cq_sort {
    CQ_SORT_RELEVANCE, CQ_SORT_BEST_SELLING, CQ_SORT_PRICE_ASC,
    CQ_SORT_PRICE_DESC, CQ_SORT_NEWEST, CQ_SORT_RATING,
};

/* The filter a facet leaves out, so its counts are "given the others". */
enum cq_facet {
    CQ_ALL = 0, CQ_NO_CATEGORY, CQ_NO_BRAND, CQ_NO_PRICE, CQ_NO_RATING,
    CQ_NO_STOCK, CQ_NO_OPTIONS,
};

struct cq_filters {
    const char *q;               /* as typed, trimmed; NULL when absent */
    const char *mquery;          /* Mroonga query built from q */
    bool fuzzy;                  /* mquery is the forgiving variant */
    /* The candidates of a search: a JSON array of the ids of the best
     * CQ_SEARCH_CAP matches of mquery, best first, computed once by the
     * caller (a Mroonga MATCH costs ~8 ms at 100,000 products; joining
     * this list ~1 ms).  When set, the listing reads from it instead. */
    const char *cands;
    const char *category;        /* slug */
    const char *category_path;   /* resolved "/1/5/", set by the caller */
    const char *brands[CQ_MAX_BRANDS];
    unsigned nbrands;
    int64_t merchant_id;         /* 0: any */
    int64_t min_price, max_price;   /* fen; -1: unbounded */
    int64_t min_rating;          /* stars 1..5; 0: any */
    bool in_stock;
    struct { const char *name, *value; } opts[CQ_MAX_OPTIONS];
    unsigned nopts;
    const char *skip_option;     /* with CQ_NO_OPTIONS: only this name */
    enum cq_sort sort;
    int64_t page, per_page;
};

/* A statement under construction: text plus its parameters. */
struct cq_sql {
    struct strbuf sql;
    struct db_param p[CQ_MAX_PARAMS];
    unsigned np;
};

void cq_sql_init(struct cq_sql *s);
void cq_sql_release(struct cq_sql *s);
void cq_sql_add(struct cq_sql *s, const char *frag);
void cq_sql_addp(struct cq_sql *s, const char *frag, struct db_param p);

/*
 * Read the listing's query parameters into f.  Writes a 400 naming the
 * parameter and returns JS_REPLIED when one is malformed.
 */
int cq_parse(struct req *r, struct cq_filters *f);

/* Append " FROM products p [JOIN matches s] WHERE ..." leaving out the
 * filter of `skip`.  The matches are f->cands when set, else the MATCH of
 * f->mquery when set. */
void cq_from_where(const struct cq_filters *f, enum cq_facet skip,
                   struct cq_sql *s);

/* Append the ORDER BY for f->sort (relevance needs f->cands or
 * f->mquery). */
void cq_order(const struct cq_filters *f, struct cq_sql *s);

/*
 * The set of products f selects as a string: two filters give the same
 * key exactly when they select the same products (sort and page left
 * out).  Fields are length-prefixed, so no value can imitate another
 * field.  Allocated in a.
 */
char *cq_key(struct arena *a, const struct cq_filters *f);

#endif
