/*
 * catalog.h - the public catalog: categories, brands, product listing with
 * filters, sort and facet counts, full-text search, product detail.
 *
 * Owns `categories`, `brands`, `products`, `product_options`, `skus`,
 * `product_option_values`, `product_specs`, `product_images`.  Shoppers
 * only ever see products whose status is 'live'.  Reads go to replicas.
 */
#ifndef JISHI_CATALOG_H
#define JISHI_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

struct req;

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
