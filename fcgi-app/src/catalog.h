/*
 * catalog.h - the public catalog: categories, brands, product listing with
 * filters, sort and facet counts, full-text search, product detail.
 *
 * Owns `categories`, `brands`, `products`, `product_options`, `skus`,
 * `product_option_values`, `product_specs`, `product_images`.  Shoppers
 * only ever see products whose status is 'live' and whose merchant may
 * sell (SQL_SHOWN).  Reads go to replicas.
 */
#ifndef JISHI_CATALOG_H
#define JISHI_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

struct req;

/* The condition on a product `p` that a shopper may see it: live, and its
 * merchant active (not pending, rejected or suspended: a suspended shop's
 * products leave the listings, search, pages, sitemaps and feed at once,
 * and come back as they were when it is approved again).  Merchants that
 * are not active are few, so MariaDB reads the subquery once per
 * statement. */
#define SQL_SHOWN \
    "p.status = 'live' AND p.merchant_id NOT IN" \
    " (SELECT sm.id FROM merchants sm WHERE sm.status <> 'active')"

int catalog_categories(struct req *r);   /* GET /api/v1/categories */
int catalog_brands(struct req *r);       /* GET /api/v1/brands */
int catalog_products(struct req *r);     /* GET /api/v1/products */
int catalog_product(struct req *r);      /* GET /api/v1/products/:ref */

/* An image in every size and format: {thumb, card, full: {webp, jpg},
 * alt} (the listing cards' and product pages' shape). */
json_object *catalog_image_json(struct req *r, const char *base,
                                const char *alt);

/* What a product's page head says about it (page.h), in the arena. */
struct catalog_summary {
    int64_t id;
    const char *slug, *name, *description;
    const char *currency;
    int64_t min_price, max_price;   /* over its SKUs, minor units */
    bool in_stock;                  /* some SKU has stock */
    int64_t rating_avg;             /* stars x 100 (0..500) */
    int64_t rating_count;           /* 0: never rated */
    const char *brand;              /* brand name; NULL: none */
    const char *sku;                /* the first SKU's code; NULL: none */
    unsigned nskus;
    const char *image;              /* "/media/<base>-card.jpg" of the
                                     * first image; NULL: none */
};

/*
 * The live product with this slug (not id), from the same page as its API
 * detail (kept by the worker, or read on a replica).  Returns 0,
 * JS_NOTFOUND (unknown, not live, or a slug longer than any can be) or a
 * database error.
 */
int catalog_summary_find(struct req *r, const char *slug,
                         struct catalog_summary *out);

/*
 * Recompute a product's min/max price and in_stock from its SKUs and its
 * option values (call after SKU changes, inside the write transaction).
 */
int catalog_refresh_product(struct req *r, int64_t product_id);


#endif
