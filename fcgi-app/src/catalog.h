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

#include <stdint.h>

struct req;

int catalog_categories(struct req *r);   /* GET /api/v1/categories */
int catalog_brands(struct req *r);       /* GET /api/v1/brands */
int catalog_products(struct req *r);     /* GET /api/v1/products */
int catalog_product(struct req *r);      /* GET /api/v1/products/:ref */

/*
 * Recompute a product's min/max price and in_stock from its SKUs and its
 * option values (call after SKU changes, inside the write transaction).
 */
int catalog_refresh_product(struct req *r, int64_t product_id);


#endif
