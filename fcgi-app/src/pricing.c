/*
 * pricing.c - the pricing pipeline (see pricing.h): lines, item and order
 * discounts, shipping and totals, in integer minor units.
 *
 * Pure: no allocation, no I/O, no globals; everything it computes lives
 * in the caller's struct pricing_quote, so the cart, the checkout quote
 * and checkout itself get the same answer for the same input.  Every sum
 * and product is overflow-checked and an overflow is JS_INVALID, never a
 * wrapped total.
 */
#include "config.h"
#include "pricing.h"

#include <string.h>

#include "util.h"

/* pricing_share needs amount * weight exactly, which takes 128 bits:
 * __int128 (GCC and Clang on every 64-bit target we build for). */

/* ------------------------------------------------------------------ */
/* arithmetic helpers                                                   */

int64_t
pricing_percent(int64_t amount, int64_t percent_bp)
{
    int64_t whole, part, res;

    if (amount <= 0 || percent_bp <= 0)
        return 0;
    /* amount = whole * 10000 + part, so amount * bp / 10000 is
     * whole * bp + part * bp / 10000 and only the last term rounds;
     * part < 10000 keeps part * bp small for any sane bp. */
    whole = amount / 10000;
    part = amount % 10000;
    if (__builtin_mul_overflow(part, percent_bp, &part) ||
        __builtin_add_overflow(part, 5000, &part))
        return INT64_MAX;
    if (__builtin_mul_overflow(whole, percent_bp, &res) ||
        __builtin_add_overflow(res, part / 10000, &res))
        return INT64_MAX;
    return res;
}

/* Does the key (remainder, weight, index) of a rank before the key of b?
 * Larger remainders first, then larger weights, then earlier indexes, so
 * every index has a distinct key. */
static bool
share_before(__int128 ra, int64_t wa, size_t ia, __int128 rb, int64_t wb,
             size_t ib)
{
    if (ra != rb)
        return ra > rb;
    if (wa != wb)
        return wa > wb;
    return ia < ib;
}

void
pricing_share(int64_t amount, const int64_t *weights, size_t n, int64_t *out)
{
    __int128 total = 0, prev_r = 0;
    int64_t left, prev_w = 0;
    size_t prev_i = 0;
    bool have_prev = false;

    if (n == 0)
        return;
    if (amount < 0)
        amount = 0;
    for (size_t i = 0; i < n; i++)
        if (weights[i] > 0)
            total += weights[i];
    if (total == 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = amount / (int64_t)n +
                     ((size_t)(amount % (int64_t)n) > i ? 1 : 0);
        return;
    }
    left = amount;
    for (size_t i = 0; i < n; i++) {
        int64_t w = weights[i] > 0 ? weights[i] : 0;

        /* amount * w / total <= amount: the quotient fits. */
        out[i] = (int64_t)((__int128)amount * w / total);
        left -= out[i];
    }
    /* left < n: hand one unit each to the lines with the largest
     * remainders.  Pick them by descending key, each below the last one
     * picked: O(left * n) with no scratch memory, and n <= 200 in the
     * pipeline.  Only non-zero remainders are ever picked (their
     * fractions sum to left), so no line gets more than its weight when
     * amount <= the sum of the weights. */
    while (left > 0) {
        __int128 best_r = -1;
        int64_t best_w = 0;
        size_t best_i = n;

        for (size_t i = 0; i < n; i++) {
            int64_t w = weights[i] > 0 ? weights[i] : 0;
            __int128 r = (__int128)amount * w % total;

            if (have_prev && !share_before(prev_r, prev_w, prev_i, r, w, i))
                continue;
            if (best_i == n || share_before(r, w, i, best_r, best_w, best_i)) {
                best_r = r;
                best_w = w;
                best_i = i;
            }
        }
        if (best_i == n)
            break; /* cannot happen: see above */
        out[best_i]++;
        left--;
        prev_r = best_r;
        prev_w = best_w;
        prev_i = best_i;
        have_prev = true;
    }
}

int64_t
pricing_shipping_fee(const struct pricing_rate *rate, int64_t weight_g,
                     int64_t subtotal)
{
    int64_t excess, steps, fee;

    if (weight_g < 0 || rate->first_weight_g < 0 || rate->first_fee < 0 ||
        rate->step_weight_g < 0 || rate->step_fee < 0)
        return -1;
    if (rate->free_over > 0 && subtotal >= rate->free_over)
        return 0;
    if (weight_g <= rate->first_weight_g || rate->step_weight_g == 0)
        return rate->first_fee;
    excess = weight_g - rate->first_weight_g;
    steps =
        excess / rate->step_weight_g + (excess % rate->step_weight_g ? 1 : 0);
    if (__builtin_mul_overflow(steps, rate->step_fee, &fee) ||
        __builtin_add_overflow(fee, rate->first_fee, &fee))
        return -1;
    return fee;
}

/* ------------------------------------------------------------------ */
/* shipping rate choice                                                 */

/* Is the fixed-size, maybe unterminated field exactly s[0..n)? */
static bool
field_is(const char *field, size_t size, const char *s, size_t n)
{
    return strnlen(field, size) == n && memcmp(field, s, n) == 0;
}

/* How specifically the rate's region covers `region`: 2 exact, 1 its
 * country (the part before '-'), 0 "*", -1 not at all.  A NULL region
 * (no address yet) is covered by "*" only. */
static int
region_rank(const struct pricing_rate *rate, const char *region)
{
    size_t size = sizeof(rate->region);

    if (region) {
        if (field_is(rate->region, size, region, strlen(region)))
            return 2;
        if (field_is(rate->region, size, region, strcspn(region, "-")))
            return 1;
    }
    if (field_is(rate->region, size, "*", 1))
        return 0;
    return -1;
}

/* The most specific rate for one merchant, region and method, or NULL:
 * the merchant's own rates outrank all of the platform's, then region
 * rank decides, then the earlier rate in the array. */
static const struct pricing_rate *
rate_find(const struct pricing_rate *rates, size_t nrates, int64_t merchant_id,
          const char *region, const char *method)
{
    const struct pricing_rate *best = NULL;
    size_t mlen = strlen(method);
    int best_rank = -1;

    for (size_t i = 0; i < nrates; i++) {
        const struct pricing_rate *rt = &rates[i];
        int rank;

        if (rt->merchant_id != merchant_id && rt->merchant_id != 0)
            continue;
        if (!field_is(rt->method, sizeof(rt->method), method, mlen))
            continue;
        rank = region_rank(rt, region);
        if (rank < 0)
            continue;
        if (rt->merchant_id == merchant_id && merchant_id != 0)
            rank += 3;
        if (rank > best_rank) {
            best = rt;
            best_rank = rank;
        }
    }
    return best;
}

size_t
pricing_shipping_options(const struct pricing_quote *q, unsigned g,
                         const char *region, const struct pricing_rate *rates,
                         size_t nrates, struct pricing_option *out,
                         size_t max)
{
    const struct pricing_group *grp;
    size_t n = 0;

    if (g >= q->ngroups)
        return 0;
    grp = &q->groups[g];
    for (size_t i = 0; i < nrates && n < max; i++) {
        const struct pricing_rate *rt = &rates[i], *best;
        size_t mlen = strnlen(rt->method, sizeof(rt->method));
        bool seen = false;
        int64_t fee;

        /* (A method filling its whole field has no terminator: skipped.) */
        if ((rt->merchant_id != grp->merchant_id && rt->merchant_id != 0) ||
            region_rank(rt, region) < 0 || mlen == sizeof(rt->method))
            continue;
        for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp(out[k].method, rt->method) == 0;
        if (seen)
            continue;
        best = rate_find(rates, nrates, grp->merchant_id, region, rt->method);
        if (!best)
            continue;
        fee = pricing_shipping_fee(best, grp->weight_g,
                                   grp->total - grp->shipping);
        if (fee < 0)
            continue;
        out[n].method = best->method;
        out[n].fee = fee;
        out[n].free_over = best->free_over;
        n++;
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* the pipeline                                                         */

/* Stable insertion sort by merchant: equal merchants keep cart order. */
static void
sort_lines(struct pricing_line *lines, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        struct pricing_line tmp = lines[i];
        unsigned j = i;

        while (j > 0 && lines[j - 1].merchant_id > tmp.merchant_id) {
            lines[j] = lines[j - 1];
            j--;
        }
        lines[j] = tmp;
    }
}

/* Line subtotals and one group per run of equal merchants. */
static int
form_groups(struct pricing_quote *q)
{
    q->ngroups = 0;
    for (unsigned i = 0; i < q->nlines; i++) {
        struct pricing_line *l = &q->lines[i];
        struct pricing_group *g;
        int64_t w;

        if (i == 0 || l->merchant_id != q->lines[i - 1].merchant_id) {
            if (q->ngroups == PRICING_MAX_GROUPS)
                return JS_INVALID;
            g = &q->groups[q->ngroups++];
            memset(g, 0, sizeof(*g));
            g->merchant_id = l->merchant_id;
            g->first_line = i;
        }
        g = &q->groups[q->ngroups - 1];
        if (__builtin_mul_overflow(l->unit_price, l->quantity, &l->subtotal) ||
            __builtin_mul_overflow(l->weight_g, l->quantity, &w) ||
            __builtin_add_overflow(g->weight_g, w, &g->weight_g) ||
            __builtin_add_overflow(g->subtotal, l->subtotal, &g->subtotal))
            return JS_INVALID;
        l->item_discount = 0;
        l->order_discount = 0;
        l->total = l->subtotal;
        l->group = q->ngroups - 1;
        g->nlines++;
        /* Until shipping is known, a group's total is its goods. */
        g->total = g->subtotal;
    }
    return JS_OK;
}

/* Item stage: each adjuster over every line, in order; each sees the
 * line with the discounts of the adjusters before it (l->total is what is
 * left) and may take at most that. */
static void
apply_item(struct pricing_quote *q, const struct pricing_adjuster *adj,
           size_t nadj)
{
    for (size_t a = 0; a < nadj; a++) {
        if (!adj[a].item)
            continue;
        for (unsigned i = 0; i < q->nlines; i++) {
            struct pricing_line *l = &q->lines[i];
            struct pricing_group *g = &q->groups[l->group];
            int64_t d = adj[a].item(l, adj[a].ctx);

            if (d < 0)
                d = 0;
            if (d > l->total)
                d = l->total;
            l->item_discount += d;
            l->total -= d;
            g->item_discount += d;
            g->total -= d;
        }
    }
}

/* Order stage: each adjuster over every group, in order; the discount is
 * capped at what the group's lines have left and shared over them in
 * proportion to those amounts, so no line goes below zero. */
static void
apply_order(struct pricing_quote *q, const struct pricing_adjuster *adj,
            size_t nadj)
{
    int64_t weights[PRICING_MAX_LINES], share[PRICING_MAX_LINES];

    for (size_t a = 0; a < nadj; a++) {
        if (!adj[a].order)
            continue;
        for (unsigned gi = 0; gi < q->ngroups; gi++) {
            struct pricing_group *g = &q->groups[gi];
            struct pricing_line *l = &q->lines[g->first_line];
            int64_t d = adj[a].order(q, g, adj[a].ctx);

            if (d < 0)
                d = 0;
            if (d > g->total)
                d = g->total;
            if (d == 0)
                continue;
            for (unsigned i = 0; i < g->nlines; i++)
                weights[i] = l[i].total;
            pricing_share(d, weights, g->nlines, share);
            for (unsigned i = 0; i < g->nlines; i++) {
                l[i].order_discount += share[i];
                l[i].total -= share[i];
            }
            g->order_discount += d;
            g->total -= d;
        }
    }
}

/* Shipping per group, then the group and quote totals. */
static int
apply_shipping(struct pricing_quote *q, const char *region,
               const char *const *methods, const struct pricing_rate *rates,
               size_t nrates)
{
    int64_t discount;

    q->subtotal = q->discount = q->shipping = q->total = 0;
    for (unsigned gi = 0; gi < q->ngroups; gi++) {
        struct pricing_group *g = &q->groups[gi];
        const struct pricing_rate *rt;

        g->method = methods && methods[gi] ? methods[gi] : "standard";
        rt = rate_find(rates, nrates, g->merchant_id, region, g->method);
        g->shipping_found = rt != NULL;
        g->shipping = rt ? pricing_shipping_fee(rt, g->weight_g, g->total) : 0;
        if (g->shipping < 0 ||
            __builtin_add_overflow(g->total, g->shipping, &g->total) ||
            __builtin_add_overflow(g->item_discount, g->order_discount,
                                   &discount) ||
            __builtin_add_overflow(q->subtotal, g->subtotal, &q->subtotal) ||
            __builtin_add_overflow(q->discount, discount, &q->discount) ||
            __builtin_add_overflow(q->shipping, g->shipping, &q->shipping) ||
            __builtin_add_overflow(q->total, g->total, &q->total))
            return JS_INVALID;
    }
    return JS_OK;
}

int
pricing_compute(struct pricing_quote *q, const char *region,
                const char *const *methods_by_group,
                const struct pricing_rate *rates, size_t nrates,
                const struct pricing_adjuster *adj, size_t nadj)
{
    int rc;

    q->ngroups = 0;
    q->subtotal = q->discount = q->shipping = q->total = 0;
    if (q->nlines > PRICING_MAX_LINES)
        return JS_INVALID;
    for (unsigned i = 0; i < q->nlines; i++) {
        const struct pricing_line *l = &q->lines[i];

        if (l->unit_price < 0 || l->quantity < 1 || l->weight_g < 0)
            return JS_INVALID;
    }
    sort_lines(q->lines, q->nlines);
    rc = form_groups(q);
    if (rc)
        return rc;
    apply_item(q, adj, nadj);
    apply_order(q, adj, nadj);
    return apply_shipping(q, region, methods_by_group, rates, nrates);
}
