/*
 * pricing.h - the pricing pipeline, in one place, pure (no database, no
 * request): lines -> item discounts -> order discounts -> shipping ->
 * totals, all in integer minor units (fen) of one currency.
 *
 * The cart page, the checkout quote and checkout itself call the same
 * pricing_compute(), so the total a shopper saw is the total they pay.
 *
 * Rounding: every amount is an integer number of minor units.  A
 * percentage is applied per line and rounded half up.  An amount taken off
 * a whole merchant group (order discount) is shared among its lines in
 * proportion to their totals, the remainder going to the largest lines
 * first (largest remainder method), so the lines of an order always add up
 * exactly to its total and a partial refund can return a line's own share.
 *
 * Promotions and points plug in as adjusters (struct pricing_adjuster):
 * functions run at the item stage or the order stage that lower amounts.
 * The pipeline owns the arithmetic and the invariants (nothing below
 * zero, discounts never exceed what they discount); adjusters only say
 * how much.
 */
#ifndef JISHI_PRICING_H
#define JISHI_PRICING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRICING_MAX_LINES 200
#define PRICING_MAX_GROUPS PRICING_MAX_LINES
#define PRICING_MAX_RATES 64

struct pricing_line {
    /* in */
    int64_t sku_id;
    int64_t merchant_id;
    int64_t unit_price;         /* >= 0 */
    int64_t quantity;           /* >= 1 */
    int64_t weight_g;           /* per unit, >= 0 */
    /* out */
    int64_t subtotal;           /* unit_price * quantity */
    int64_t item_discount;      /* from item-stage adjusters */
    int64_t order_discount;     /* this line's share of its group's */
    int64_t total;              /* subtotal - both discounts, >= 0 */
    unsigned group;             /* index into quote->groups */
};

/* A shipping rate: for one merchant and region ("*" = anywhere), a first
 * weight step and a fee per further step, free at or above a subtotal. */
struct pricing_rate {
    int64_t merchant_id;        /* 0: the platform default */
    char region[16];            /* e.g. "CN-31", "CN", "*" */
    char method[24];            /* "standard", "express" */
    int64_t first_weight_g;     /* covered by first_fee */
    int64_t first_fee;
    int64_t step_weight_g;      /* each further (part) step costs step_fee */
    int64_t step_fee;
    int64_t free_over;          /* group subtotal after discounts; 0: never */
};

struct pricing_group {
    int64_t merchant_id;
    const char *method;         /* chosen method: the caller's string or a
                                 * static "standard", never copied */
    unsigned first_line, nlines;    /* lines are sorted by merchant */
    int64_t weight_g;
    int64_t subtotal;           /* sum of line subtotals */
    int64_t item_discount;
    int64_t order_discount;
    int64_t shipping;
    int64_t total;              /* lines' totals + shipping */
    bool shipping_found;        /* false: no rate covers the address */
};

struct pricing_quote;

/* An adjuster returns the discount it grants (>= 0) for one line (item
 * stage) or one group (order stage); the pipeline clamps it to [0, what
 * is left] and ignores a NULL hook.  Adjusters run in array order, each
 * over every line (or group), and each sees the discounts of those before
 * it: l->total and, during the order stage, g->total are what is left of
 * the goods (shipping is not known yet).  An order discount is shared
 * over the group's lines with pricing_share(), weighted by what each line
 * has left, so no line goes below zero. */
struct pricing_adjuster {
    const char *name;
    int64_t (*item)(const struct pricing_line *l, void *ctx);
    int64_t (*order)(const struct pricing_quote *q,
                     const struct pricing_group *g, void *ctx);
    void *ctx;
};

struct pricing_quote {
    char currency[4];
    struct pricing_line lines[PRICING_MAX_LINES];
    unsigned nlines;
    struct pricing_group groups[PRICING_MAX_GROUPS];
    unsigned ngroups;
    int64_t subtotal, discount, shipping, total;
};

/*
 * Compute q from q->lines[0..nlines) (inputs filled in, any order): sorts
 * lines by merchant (stable), forms one group per merchant, applies the
 * adjusters, picks shipping for `region` and each group's method (methods
 * may be NULL: "standard" for all) from rates, and fills every output.
 * The most specific rate wins: the merchant's own before the platform's,
 * an exact region before its country ("CN-31" before "CN") before "*".
 * Within a merchant and region rank, the earlier rate wins.  A NULL
 * region (no address yet) is covered only by "*" rates; no rate at all
 * leaves the group's shipping 0 and shipping_found false.
 *
 * Every output is recomputed, so calling it again on the same quote (say
 * with methods chosen per group) is safe and gives the same groups.
 * Returns 0, or JS_INVALID for out-of-range input (negative price or
 * weight, zero quantity, too many lines, more than PRICING_MAX_GROUPS
 * merchants, a rate with a negative field) or an overflow; then the
 * outputs are meaningless but the inputs are intact (maybe reordered).
 */
int pricing_compute(struct pricing_quote *q, const char *region,
                    const char *const *methods_by_group,
                    const struct pricing_rate *rates, size_t nrates,
                    const struct pricing_adjuster *adj, size_t nadj);

/* Shipping fee of one rate for a total weight and the goods total after
 * discounts: 0 when free_over > 0 and subtotal >= free_over, else
 * first_fee up to first_weight_g, plus step_fee per further started
 * step_weight_g (0: no further steps).  Returns the fee (>= 0), or -1 for
 * a negative weight or rate field, or an overflow.  Pure. */
int64_t pricing_shipping_fee(const struct pricing_rate *rate,
                             int64_t weight_g, int64_t subtotal);

/* A shipping method a group could have, with what it would cost. */
struct pricing_option {
    const char *method;         /* points into the rates' method field */
    int64_t fee;                /* for the group's weight and goods */
    int64_t free_over;          /* the rate's threshold; 0: never free */
};

/*
 * The shipping options of group g of a quote pricing_compute() filled
 * for region and rates: every method some rate offers for the group's
 * merchant and region, in the order of its first such rate, each priced
 * by its most specific rate (as pricing_compute() would pick it) for the
 * group's weight and goods total after discounts.  Writes up to max;
 * returns the number written.  Pure.
 */
size_t pricing_shipping_options(const struct pricing_quote *q, unsigned g,
                                const char *region,
                                const struct pricing_rate *rates,
                                size_t nrates, struct pricing_option *out,
                                size_t max);

/* Share `amount` among n weights in proportion, rounding down, then one
 * unit each to the largest remainders (ties: larger weight, then earlier
 * index); out[i] sums to amount exactly, and out[i] <= weights[i] when
 * amount <= the sum of the weights.  Weights all 0: equal shares, the
 * remainder to the first.  A negative amount or weight counts as 0; n 0
 * does nothing.  Exact for any int64 inputs. */
void pricing_share(int64_t amount, const int64_t *weights, size_t n,
                   int64_t *out);

/* percent_bp (basis points, 1/100 of a percent) of amount, half up:
 * 1000 of 1995 is 200 (199.5).  A negative amount or percent gives 0; a
 * result past INT64_MAX saturates (the pipeline clamps it anyway). */
int64_t pricing_percent(int64_t amount, int64_t percent_bp);

#endif
