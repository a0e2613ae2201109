/*
 * promo.h - promotions: flash sales, a SKU at a lower price for a window
 * its merchant sets.
 *
 * Pricing: promo_load() reads the running sales of a quote's SKUs and
 * promo_adjuster() turns them into an item-stage adjuster of the pricing
 * pipeline (pricing.h), so the cart, the quote and checkout charge the
 * same sale price, and the order line records the discount.  Checkout
 * reads the sales on the primary with the rest of what decides money.
 */
#ifndef JISHI_PROMO_H
#define JISHI_PROMO_H

#include <stdbool.h>
#include <stdint.h>

#include "pricing.h"

struct req;

struct promo_flash {
    int64_t sku_id, id, sale_price;
    const char *ends_at;        /* RFC 3339 UTC */
};

struct promo_set {
    struct promo_flash *flash;
    unsigned n;
};

/* The running sales of q's SKUs (the lowest per SKU), in the arena. */
int promo_load(struct req *r, const struct pricing_quote *q, bool primary,
               struct promo_set *out);

/* The item adjuster applying s (s must outlive the pricing call). */
struct pricing_adjuster promo_adjuster(struct promo_set *s);

/* s's sale of sku_id, or NULL. */
const struct promo_flash *promo_find(const struct promo_set *s,
                                     int64_t sku_id);

/* What a sale takes off a line: (unit price - sale price) per unit, 0
 * when the sale price is not lower.  Pure. */
int64_t promo_flash_discount(int64_t unit_price, int64_t quantity,
                             int64_t sale_price);

/*
 * "2026-11-26T08:00:00Z" or with a "+08:00" offset (seconds, optional
 * fraction ignored) to UTC "2026-11-26 08:00:00" in out.  Returns false
 * for anything else or an impossible date.  Pure.
 */
bool promo_parse_time(const char *s, char out[20], int64_t *epoch);

int promo_flash_list(struct req *r);      /* GET /api/v1/flash-sales */
int promo_merchant_list(struct req *r);   /* GET /api/v1/merchant/flash-sales */
int promo_merchant_create(struct req *r); /* POST ... */
int promo_merchant_end(struct req *r);    /* POST .../:id/end */

#endif
