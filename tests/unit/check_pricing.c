/*
 * check_pricing.c - the pricing pipeline (pricing_compute) and its pure
 * helpers (pricing_percent, pricing_share, pricing_shipping_fee).
 *
 * Focus: grouping by merchant keeps cart order; every amount is exact
 * (half-up percentages, largest-remainder shares that add up to the
 * penny, checked as a property over many random inputs with a fixed
 * seed); adjusters that ask too much are clamped so nothing goes below
 * zero; the most specific shipping rate wins; overflow and bad input are
 * JS_INVALID; and every total is the sum of its parts.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pricing.h"
#include "suites.h"
#include "util.h"

static struct pricing_quote q;

static void
setup(void)
{
    memset(&q, 0, sizeof(q));
    memcpy(q.currency, "CNY", 4);
}

static void
add_line(int64_t sku, int64_t merchant, int64_t price, int64_t qty,
         int64_t weight_g)
{
    struct pricing_line *l = &q.lines[q.nlines++];

    memset(l, 0, sizeof(*l));
    l->sku_id = sku;
    l->merchant_id = merchant;
    l->unit_price = price;
    l->quantity = qty;
    l->weight_g = weight_g;
}

static struct pricing_rate
mkrate(int64_t merchant, const char *region, const char *method,
       int64_t first_w, int64_t first_fee, int64_t step_w, int64_t step_fee,
       int64_t free_over)
{
    struct pricing_rate r;

    memset(&r, 0, sizeof(r));
    r.merchant_id = merchant;
    snprintf(r.region, sizeof(r.region), "%s", region);
    snprintf(r.method, sizeof(r.method), "%s", method);
    r.first_weight_g = first_w;
    r.first_fee = first_fee;
    r.step_weight_g = step_w;
    r.step_fee = step_fee;
    r.free_over = free_over;
    return r;
}

/* Line, group and quote totals are each the sums of their parts. */
static void
check_sums(void)
{
    int64_t sub = 0, disc = 0, ship = 0, tot = 0, lines = 0;

    for (unsigned gi = 0; gi < q.ngroups; gi++) {
        const struct pricing_group *g = &q.groups[gi];
        int64_t gs = 0, gid = 0, god = 0, gt = 0;

        for (unsigned i = g->first_line; i < g->first_line + g->nlines; i++) {
            const struct pricing_line *l = &q.lines[i];

            ck_assert_int_eq(l->merchant_id, g->merchant_id);
            ck_assert_uint_eq(l->group, gi);
            ck_assert_int_eq(l->subtotal, l->unit_price * l->quantity);
            ck_assert_int_ge(l->item_discount, 0);
            ck_assert_int_ge(l->order_discount, 0);
            ck_assert_int_ge(l->total, 0);
            ck_assert_int_eq(l->total, l->subtotal - l->item_discount -
                                           l->order_discount);
            gs += l->subtotal;
            gid += l->item_discount;
            god += l->order_discount;
            gt += l->total;
        }
        if (gi + 1 < q.ngroups)
            ck_assert_uint_eq(g->first_line + g->nlines,
                              q.groups[gi + 1].first_line);
        ck_assert_int_eq(g->subtotal, gs);
        ck_assert_int_eq(g->item_discount, gid);
        ck_assert_int_eq(g->order_discount, god);
        ck_assert_int_ge(g->shipping, 0);
        ck_assert_int_eq(g->total, gt + g->shipping);
        sub += g->subtotal;
        disc += g->item_discount + g->order_discount;
        ship += g->shipping;
        tot += g->total;
        lines += gt;
    }
    ck_assert_int_eq(q.subtotal, sub);
    ck_assert_int_eq(q.discount, disc);
    ck_assert_int_eq(q.shipping, ship);
    ck_assert_int_eq(q.total, tot);
    ck_assert_int_eq(q.total, lines + ship);
    ck_assert_int_eq(q.total, q.subtotal - q.discount + q.shipping);
}

/* ------------------------------------------------------------------ */
/* adjusters used by the tests                                          */

/* ctx: basis points off every line. */
static int64_t
percent_off(const struct pricing_line *l, void *ctx)
{
    return pricing_percent(l->total, *(const int64_t *)ctx);
}

/* ctx: a fixed amount (maybe absurd or negative) off every line. */
static int64_t
amount_off(const struct pricing_line *l, void *ctx)
{
    (void)l;
    return *(const int64_t *)ctx;
}

/* ctx: {threshold, amount}: amount off a group whose goods reach it. */
static int64_t
spend_and_save(const struct pricing_quote *qq, const struct pricing_group *g,
               void *ctx)
{
    const int64_t *t = ctx;

    (void)qq;
    return g->total >= t[0] ? t[1] : 0;
}

/* ------------------------------------------------------------------ */
/* lines and groups                                                     */

START_TEST(test_single_line)
{
    add_line(11, 3, 1999, 3, 250);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0), 0);
    ck_assert_uint_eq(q.ngroups, 1);
    ck_assert_int_eq(q.lines[0].subtotal, 5997);
    ck_assert_int_eq(q.lines[0].total, 5997);
    ck_assert_int_eq(q.groups[0].merchant_id, 3);
    ck_assert_int_eq(q.groups[0].weight_g, 750);
    ck_assert_str_eq(q.groups[0].method, "standard");
    ck_assert(!q.groups[0].shipping_found);
    ck_assert_int_eq(q.groups[0].shipping, 0);
    ck_assert_int_eq(q.subtotal, 5997);
    ck_assert_int_eq(q.discount, 0);
    ck_assert_int_eq(q.total, 5997);
    ck_assert_str_eq(q.currency, "CNY");
    check_sums();
}
END_TEST

START_TEST(test_empty_quote)
{
    q.total = 123;
    ck_assert_int_eq(pricing_compute(&q, "CN", NULL, NULL, 0, NULL, 0), 0);
    ck_assert_uint_eq(q.ngroups, 0);
    ck_assert_int_eq(q.subtotal, 0);
    ck_assert_int_eq(q.total, 0);
}
END_TEST

START_TEST(test_groups_interleaved_stable)
{
    /* sku ids record the cart order within each merchant. */
    add_line(1, 9, 100, 1, 0);
    add_line(2, 4, 200, 2, 0);
    add_line(3, 9, 300, 1, 0);
    add_line(4, 7, 400, 1, 0);
    add_line(5, 4, 500, 1, 0);
    add_line(6, 9, 600, 3, 0);
    add_line(7, 4, 700, 1, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0), 0);
    ck_assert_uint_eq(q.ngroups, 3);
    ck_assert_int_eq(q.groups[0].merchant_id, 4);
    ck_assert_int_eq(q.groups[1].merchant_id, 7);
    ck_assert_int_eq(q.groups[2].merchant_id, 9);
    ck_assert_uint_eq(q.groups[0].first_line, 0);
    ck_assert_uint_eq(q.groups[0].nlines, 3);
    ck_assert_uint_eq(q.groups[1].first_line, 3);
    ck_assert_uint_eq(q.groups[1].nlines, 1);
    ck_assert_uint_eq(q.groups[2].first_line, 4);
    ck_assert_uint_eq(q.groups[2].nlines, 3);
    {
        static const int64_t order[] = { 2, 5, 7, 4, 1, 3, 6 };

        for (unsigned i = 0; i < 7; i++)
            ck_assert_int_eq(q.lines[i].sku_id, order[i]);
    }
    ck_assert_int_eq(q.groups[0].subtotal, 400 + 500 + 700);
    ck_assert_int_eq(q.groups[2].subtotal, 100 + 300 + 1800);
    ck_assert_int_eq(q.total, 100 + 400 + 300 + 400 + 500 + 1800 + 700);
    check_sums();
}
END_TEST

START_TEST(test_recompute_is_idempotent)
{
    int64_t bp = 1000, spend[2] = { 1000, 100 };
    struct pricing_adjuster adj[] = {
        { "ten", percent_off, NULL, &bp },
        { "spend", NULL, spend_and_save, spend },
    };
    struct pricing_rate rates[] = {
        mkrate(0, "*", "standard", 1000, 800, 500, 200, 0),
    };
    static struct pricing_quote first;

    add_line(1, 5, 999, 2, 300);
    add_line(2, 2, 1500, 1, 1200);
    add_line(3, 5, 10, 7, 10);
    ck_assert_int_eq(pricing_compute(&q, "CN-31", NULL, rates, 1, adj, 2), 0);
    check_sums();
    memcpy(&first, &q, sizeof(q));
    ck_assert_int_eq(pricing_compute(&q, "CN-31", NULL, rates, 1, adj, 2), 0);
    ck_assert_uint_eq(q.ngroups, first.ngroups);
    for (unsigned i = 0; i < q.nlines; i++) {
        ck_assert_int_eq(q.lines[i].sku_id, first.lines[i].sku_id);
        ck_assert_int_eq(q.lines[i].total, first.lines[i].total);
        ck_assert_int_eq(q.lines[i].item_discount,
                         first.lines[i].item_discount);
        ck_assert_int_eq(q.lines[i].order_discount,
                         first.lines[i].order_discount);
    }
    for (unsigned g = 0; g < q.ngroups; g++) {
        ck_assert_int_eq(q.groups[g].merchant_id, first.groups[g].merchant_id);
        ck_assert_int_eq(q.groups[g].shipping, first.groups[g].shipping);
        ck_assert_int_eq(q.groups[g].total, first.groups[g].total);
    }
    ck_assert_int_eq(q.total, first.total);
    ck_assert_int_eq(q.discount, first.discount);
}
END_TEST

START_TEST(test_overflow_is_invalid)
{
    add_line(1, 1, INT64_MAX / 2, 3, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0),
                     JS_INVALID);

    /* Each line fits; their sum does not. */
    setup();
    add_line(1, 1, INT64_MAX / 2 + 1, 1, 0);
    add_line(2, 1, INT64_MAX / 2 + 1, 1, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0),
                     JS_INVALID);

    /* Two groups that fit, a quote total that does not. */
    setup();
    add_line(1, 1, INT64_MAX / 2 + 1, 1, 0);
    add_line(2, 2, INT64_MAX / 2 + 1, 1, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0),
                     JS_INVALID);

    /* The weight overflows, not the price. */
    setup();
    add_line(1, 1, 1, INT64_MAX / 4, 8);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0),
                     JS_INVALID);

    /* Subtotals fit; shipping pushes the quote total over. */
    setup();
    {
        struct pricing_rate own = mkrate(2, "*", "standard", 0, 100, 0, 0, 0);

        add_line(1, 1, INT64_MAX - 100, 1, 0);
        add_line(2, 2, 50, 1, 0);
        ck_assert_int_eq(pricing_compute(&q, "CN", NULL, &own, 1, NULL, 0),
                         JS_INVALID);
    }

    /* The largest price that fits is fine. */
    setup();
    add_line(1, 1, INT64_MAX, 1, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0), 0);
    ck_assert_int_eq(q.total, INT64_MAX);
}
END_TEST

START_TEST(test_bad_input_is_invalid)
{
    add_line(1, 1, -1, 1, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0),
                     JS_INVALID);
    setup();
    add_line(1, 1, 100, 0, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0),
                     JS_INVALID);
    setup();
    add_line(1, 1, 100, -2, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0),
                     JS_INVALID);
    setup();
    add_line(1, 1, 100, 1, -5);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0),
                     JS_INVALID);

    /* A free line is fine. */
    setup();
    add_line(1, 1, 0, 1, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0), 0);
}
END_TEST

START_TEST(test_line_and_group_limits)
{
    for (unsigned i = 0; i < PRICING_MAX_LINES; i++)
        add_line(i, i % PRICING_MAX_GROUPS, 100, 1, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0), 0);
    ck_assert_uint_eq(q.ngroups, PRICING_MAX_GROUPS);
    ck_assert_int_eq(q.total, 100 * PRICING_MAX_LINES);
    check_sums();

    q.nlines = PRICING_MAX_LINES + 1;
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0),
                     JS_INVALID);

    /* Every line from its own merchant: as many groups as lines. */
    setup();
    for (unsigned i = 0; i < PRICING_MAX_LINES; i++)
        add_line(i, i + 1, 100, 1, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, NULL, 0), 0);
    ck_assert_uint_eq(q.ngroups, PRICING_MAX_LINES);
    check_sums();
}
END_TEST

/* ------------------------------------------------------------------ */
/* percentages and adjusters                                            */

START_TEST(test_percent_half_up)
{
    ck_assert_int_eq(pricing_percent(1995, 1000), 200); /* 199.5 */
    ck_assert_int_eq(pricing_percent(1994, 1000), 199); /* 199.4 */
    ck_assert_int_eq(pricing_percent(1996, 1000), 200); /* 199.6 */
    ck_assert_int_eq(pricing_percent(1000, 1250), 125);
    ck_assert_int_eq(pricing_percent(4, 1250), 1);  /* 0.5 */
    ck_assert_int_eq(pricing_percent(3, 1250), 0);  /* 0.375 */
    ck_assert_int_eq(pricing_percent(12, 1250), 2); /* 1.5 */
    ck_assert_int_eq(pricing_percent(20, 1250), 3); /* 2.5 */
    ck_assert_int_eq(pricing_percent(5000, 1), 1);  /* 0.5 */
    ck_assert_int_eq(pricing_percent(4999, 1), 0);  /* 0.4999 */
    ck_assert_int_eq(pricing_percent(15000, 1), 2); /* 1.5 */
    ck_assert_int_eq(pricing_percent(12345, 10000), 12345);
    ck_assert_int_eq(pricing_percent(12345, 0), 0);
    ck_assert_int_eq(pricing_percent(0, 5000), 0);
    ck_assert_int_eq(pricing_percent(-100, 5000), 0);
    ck_assert_int_eq(pricing_percent(100, -5000), 0);
    ck_assert_int_eq(pricing_percent(3, 5000), 2); /* 1.5 */
    /* Large amounts are exact, not rounded through a double. */
    ck_assert_int_eq(pricing_percent(INT64_MAX, 10000), INT64_MAX);
    ck_assert_int_eq(pricing_percent(INT64_MAX, 5000),
                     INT64_MAX / 2 + 1); /* .5 up */
    ck_assert_int_eq(pricing_percent(INT64_MAX, 20000), INT64_MAX);
    ck_assert_int_eq(pricing_percent(900719925474099313LL, 1000),
                     90071992547409931LL); /* .3 */
    ck_assert_int_eq(pricing_percent(900719925474099315LL, 1000),
                     90071992547409932LL); /* .5 */
}
END_TEST

START_TEST(test_item_percent_adjuster)
{
    int64_t bp = 1000;
    struct pricing_adjuster adj = { "ten", percent_off, NULL, &bp };

    add_line(1, 1, 1995, 1, 0);
    add_line(2, 1, 1994, 1, 0);
    add_line(3, 2, 1000, 3, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, &adj, 1), 0);
    ck_assert_int_eq(q.lines[0].item_discount, 200);
    ck_assert_int_eq(q.lines[0].total, 1795);
    ck_assert_int_eq(q.lines[1].item_discount, 199);
    ck_assert_int_eq(q.lines[2].item_discount, 300);
    ck_assert_int_eq(q.groups[0].item_discount, 399);
    ck_assert_int_eq(q.groups[1].item_discount, 300);
    ck_assert_int_eq(q.discount, 699);
    ck_assert_int_eq(q.total, 1995 + 1994 + 3000 - 699);
    check_sums();

    /* 12.5% per line, then 10% of what is left: adjusters stack. */
    setup();
    {
        int64_t bp2[2] = { 1250, 1000 };
        struct pricing_adjuster two[] = {
            { "a", percent_off, NULL, &bp2[0] },
            { "b", percent_off, NULL, &bp2[1] },
        };

        add_line(1, 1, 1000, 1, 0);
        ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, two, 2), 0);
        /* 125, then 10% of 875 = 87.5 -> 88 */
        ck_assert_int_eq(q.lines[0].item_discount, 125 + 88);
        ck_assert_int_eq(q.lines[0].total, 787);
        check_sums();
    }
}
END_TEST

START_TEST(test_item_adjuster_clamped)
{
    int64_t greedy = INT64_MAX, negative = -500, some = 300;
    struct pricing_adjuster adj[] = {
        { "neg", amount_off, NULL, &negative },
        { "some", amount_off, NULL, &some },
        { "greedy", amount_off, NULL, &greedy },
        { "more", amount_off, NULL, &some },
    };

    add_line(1, 1, 1000, 1, 0);
    add_line(2, 1, 200, 1, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, adj, 1), 0);
    ck_assert_int_eq(q.lines[0].item_discount, 0);
    ck_assert_int_eq(q.total, 1200);

    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, adj, 2), 0);
    ck_assert_int_eq(q.lines[0].item_discount, 300);
    ck_assert_int_eq(q.lines[1].item_discount, 200); /* only 200 */
    ck_assert_int_eq(q.lines[1].total, 0);
    check_sums();

    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, adj, 4), 0);
    ck_assert_int_eq(q.lines[0].item_discount, 1000);
    ck_assert_int_eq(q.lines[1].item_discount, 200);
    ck_assert_int_eq(q.lines[0].total, 0);
    ck_assert_int_eq(q.total, 0);
    ck_assert_int_eq(q.discount, 1200);
    check_sums();
}
END_TEST

START_TEST(test_order_adjuster_shared)
{
    int64_t spend[2] = { 1000, 100 };
    struct pricing_adjuster adj = { "100 off 1000", NULL, spend_and_save,
                                    spend };

    add_line(1, 1, 500, 1, 0);
    add_line(2, 1, 300, 1, 0);
    add_line(3, 1, 201, 1, 0);
    add_line(4, 2, 999, 1, 0); /* under the threshold */
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, &adj, 1), 0);
    /* 100 * (500, 300, 201) / 1001 = 49.95, 29.97, 20.08: floors sum to
     * 98; the two largest remainders (300, then 500) get one more. */
    ck_assert_int_eq(q.lines[0].order_discount, 50);
    ck_assert_int_eq(q.lines[1].order_discount, 30);
    ck_assert_int_eq(q.lines[2].order_discount, 20);
    ck_assert_int_eq(q.groups[0].order_discount, 100);
    ck_assert_int_eq(q.groups[0].total, 901);
    ck_assert_int_eq(q.groups[1].order_discount, 0);
    ck_assert_int_eq(q.lines[3].order_discount, 0);
    ck_assert_int_eq(q.discount, 100);
    check_sums();

    /* The threshold applies after item discounts. */
    {
        int64_t bp = 100; /* 1% off 1001 -> 10 */
        struct pricing_adjuster both[] = {
            { "1%", percent_off, NULL, &bp },
            { "100 off 1000", NULL, spend_and_save, spend },
        };

        ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, both, 2), 0);
        ck_assert_int_eq(q.groups[0].item_discount, 5 + 3 + 2);
        ck_assert_int_eq(q.groups[0].order_discount, 0);
        check_sums();
    }
}
END_TEST

START_TEST(test_order_adjuster_clamped)
{
    int64_t spend[2] = { 0, 5000 }, bp = 5000;
    struct pricing_adjuster adj[] = {
        { "half", percent_off, NULL, &bp },
        { "5000 off", NULL, spend_and_save, spend },
        { "again", NULL, spend_and_save, spend },
    };

    add_line(1, 1, 700, 1, 0);
    add_line(2, 1, 300, 1, 0);
    add_line(3, 1, 0, 4, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, adj + 1, 1), 0);
    ck_assert_int_eq(q.groups[0].order_discount, 1000);
    ck_assert_int_eq(q.lines[0].order_discount, 700);
    ck_assert_int_eq(q.lines[1].order_discount, 300);
    ck_assert_int_eq(q.lines[2].order_discount, 0);
    ck_assert_int_eq(q.total, 0);
    check_sums();

    /* Shared by what each line has left after item discounts: the line
     * an item discount emptied gets none of it. */
    setup();
    {
        int64_t off = 600, spend100[2] = { 0, 100 };
        struct pricing_adjuster seq[] = {
            { "600 off", amount_off, NULL, &off },
            { "100 off", NULL, spend_and_save, spend100 },
        };

        add_line(1, 1, 1000, 1, 0);
        add_line(2, 1, 600, 1, 0);
        ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, seq, 2), 0);
        ck_assert_int_eq(q.lines[0].order_discount, 100);
        ck_assert_int_eq(q.lines[0].total, 300);
        ck_assert_int_eq(q.lines[1].order_discount, 0);
        ck_assert_int_eq(q.lines[1].total, 0);
        check_sums();
    }

    /* Capped at what is left after item discounts, then nothing left. */
    setup();
    add_line(1, 1, 700, 1, 0);
    add_line(2, 1, 300, 1, 0);
    add_line(3, 1, 0, 4, 0);
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, adj, 3), 0);
    ck_assert_int_eq(q.groups[0].item_discount, 350 + 150);
    ck_assert_int_eq(q.groups[0].order_discount, 500);
    ck_assert_int_eq(q.lines[0].total, 0);
    ck_assert_int_eq(q.lines[1].total, 0);
    ck_assert_int_eq(q.total, 0);
    check_sums();
}
END_TEST

/* ------------------------------------------------------------------ */
/* sharing                                                              */

/* Deterministic xorshift64*, so a failure reproduces. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t
rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

START_TEST(test_share_exact)
{
    static const int64_t w[] = { 500, 300, 201 };
    static const int64_t eq[] = { 1, 1, 1 };
    int64_t out[3];

    pricing_share(100, w, 3, out);
    ck_assert_int_eq(out[0], 50);
    ck_assert_int_eq(out[1], 30);
    ck_assert_int_eq(out[2], 20);

    /* Equal remainders: the earlier line gets the unit. */
    pricing_share(2, eq, 3, out);
    ck_assert_int_eq(out[0], 1);
    ck_assert_int_eq(out[1], 1);
    ck_assert_int_eq(out[2], 0);

    /* All remainders tie (2 of 6): the larger weight gets the unit. */
    {
        static const int64_t w2[] = { 1, 4, 1 };

        pricing_share(2, w2, 3, out);
        ck_assert_int_eq(out[0], 0);
        ck_assert_int_eq(out[1], 2);
        ck_assert_int_eq(out[2], 0);
    }

    pricing_share(0, w, 3, out);
    ck_assert_int_eq(out[0] + out[1] + out[2], 0);
}
END_TEST

START_TEST(test_share_zero_weights)
{
    static const int64_t zero[] = { 0, 0, 0 };
    static const int64_t neg[] = { -5, 0, 10 };
    int64_t out[3] = { 7, 7, 7 };

    pricing_share(10, zero, 3, out);
    ck_assert_int_eq(out[0], 4);
    ck_assert_int_eq(out[1], 3);
    ck_assert_int_eq(out[2], 3);

    pricing_share(3, zero, 3, out);
    ck_assert_int_eq(out[0], 1);
    ck_assert_int_eq(out[1], 1);
    ck_assert_int_eq(out[2], 1);

    /* A negative weight counts as 0. */
    pricing_share(10, neg, 3, out);
    ck_assert_int_eq(out[0], 0);
    ck_assert_int_eq(out[1], 0);
    ck_assert_int_eq(out[2], 10);

    /* n 0 writes nothing. */
    out[0] = 7;
    pricing_share(10, zero, 0, out);
    ck_assert_int_eq(out[0], 7);
}
END_TEST

START_TEST(test_share_property)
{
    int64_t w[40], out[40];

    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 1 + rng() % 40;
        int64_t amount, sum = 0, got = 0;
        int scale = (int)(rng() % 4);

        for (size_t i = 0; i < n; i++) {
            /* Mostly small amounts, sometimes zeros, sometimes huge. */
            if (rng() % 8 == 0)
                w[i] = 0;
            else if (scale == 3)
                w[i] = (int64_t)(rng() % 100000000000000000ULL);
            else
                w[i] = (int64_t)(rng() % 100000);
            sum += w[i];
        }
        amount = sum ? (int64_t)(rng() % (uint64_t)sum + 1) : 0;
        if (rng() % 5 == 0)
            amount = (int64_t)(rng() % 1000000000); /* any amount */
        pricing_share(amount, w, n, out);
        for (size_t i = 0; i < n; i++) {
            __int128 exact = sum ? (__int128)amount * w[i] : 0;

            ck_assert_int_ge(out[i], 0);
            if (amount <= sum)
                ck_assert_int_le(out[i], w[i]);
            /* Within one unit of the exact proportion. */
            if (sum) {
                ck_assert((__int128)out[i] * sum > exact - sum);
                ck_assert((__int128)out[i] * sum < exact + sum);
            }
            got += out[i];
        }
        ck_assert_int_eq(got, amount);
        /* Largest remainder: whoever was rounded up had a remainder no
         * smaller than anyone rounded down. */
        if (sum) {
            __int128 min_up = -1, max_down = -1;

            for (size_t i = 0; i < n; i++) {
                __int128 ex = (__int128)amount * w[i];
                __int128 rem = ex % sum;

                if ((__int128)out[i] * sum > ex)
                    min_up = min_up < 0 || rem < min_up ? rem : min_up;
                else if (rem > max_down)
                    max_down = rem;
            }
            if (min_up >= 0)
                ck_assert(min_up >= max_down);
        }
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* shipping                                                             */

START_TEST(test_fee_weight_steps)
{
    struct pricing_rate r = mkrate(0, "*", "standard", 1000, 800, 500, 200, 0);

    ck_assert_int_eq(pricing_shipping_fee(&r, 0, 100), 800);
    ck_assert_int_eq(pricing_shipping_fee(&r, 1000, 100), 800);
    ck_assert_int_eq(pricing_shipping_fee(&r, 1001, 100), 1000);
    ck_assert_int_eq(pricing_shipping_fee(&r, 1500, 100), 1000);
    ck_assert_int_eq(pricing_shipping_fee(&r, 1501, 100), 1200);
    ck_assert_int_eq(pricing_shipping_fee(&r, 2000, 100), 1200);
    ck_assert_int_eq(pricing_shipping_fee(&r, 2001, 100), 1400);
    ck_assert_int_eq(pricing_shipping_fee(&r, 11000, 100), 800 + 20 * 200);

    r.step_weight_g = 0; /* no further steps */
    ck_assert_int_eq(pricing_shipping_fee(&r, 50000, 100), 800);

    r = mkrate(0, "*", "standard", 0, 0, 1, INT64_MAX / 2, 0);
    ck_assert_int_eq(pricing_shipping_fee(&r, 2, 0), INT64_MAX / 2 * 2);
    ck_assert_int_eq(pricing_shipping_fee(&r, 3, 0), -1); /* overflow */
    r = mkrate(0, "*", "standard", 1000, -1, 500, 200, 0);
    ck_assert_int_eq(pricing_shipping_fee(&r, 10, 0), -1);
    r = mkrate(0, "*", "standard", 1000, 800, 500, 200, 0);
    ck_assert_int_eq(pricing_shipping_fee(&r, -1, 0), -1);
}
END_TEST

START_TEST(test_fee_free_threshold)
{
    struct pricing_rate r =
        mkrate(0, "*", "standard", 1000, 800, 500, 200, 9900);

    ck_assert_int_eq(pricing_shipping_fee(&r, 3000, 9899), 1600);
    ck_assert_int_eq(pricing_shipping_fee(&r, 3000, 9900), 0);
    ck_assert_int_eq(pricing_shipping_fee(&r, 3000, 9901), 0);
    r.free_over = 0; /* never free */
    ck_assert_int_eq(pricing_shipping_fee(&r, 3000, INT64_MAX), 1600);
}
END_TEST

START_TEST(test_shipping_free_after_discounts)
{
    struct pricing_rate rates[] = {
        mkrate(0, "*", "standard", 1000, 800, 500, 200, 5000),
    };
    int64_t off = 1;
    struct pricing_adjuster adj = { "1 off", amount_off, NULL, &off };

    add_line(1, 1, 2500, 2, 600); /* exactly 5000: free */
    ck_assert_int_eq(pricing_compute(&q, "CN", NULL, rates, 1, NULL, 0), 0);
    ck_assert(q.groups[0].shipping_found);
    ck_assert_int_eq(q.groups[0].shipping, 0);
    ck_assert_int_eq(q.total, 5000);
    check_sums();

    /* 1 off: 4999 after discounts, 1200 g -> 800 + 200. */
    ck_assert_int_eq(pricing_compute(&q, "CN", NULL, rates, 1, &adj, 1), 0);
    ck_assert_int_eq(q.groups[0].shipping, 1000);
    ck_assert_int_eq(q.total, 4999 + 1000);
    ck_assert_int_eq(q.shipping, 1000);
    check_sums();
}
END_TEST

START_TEST(test_shipping_region_specificity)
{
    /* Deliberately least specific last, so order alone cannot pass. */
    struct pricing_rate rates[] = {
        mkrate(0, "CN", "standard", 1000, 800, 0, 0, 0),
        mkrate(0, "CN-31", "standard", 1000, 600, 0, 0, 0),
        mkrate(0, "US", "standard", 1000, 3000, 0, 0, 0),
        mkrate(0, "*", "standard", 1000, 1500, 0, 0, 0),
    };
    static const struct {
        const char *region;
        int64_t fee;
    } cases[] = {
        { "CN-31", 600 },  { "CN-44", 800 },  { "CN", 800 }, { "US-CA", 3000 },
        { "JP-13", 1500 }, { "CN-310", 800 }, { "C", 1500 }, { NULL, 1500 },
    };

    add_line(1, 1, 100, 1, 10);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        ck_assert_int_eq(pricing_compute(&q, cases[i].region, NULL, rates,
                                         ARRAY_SIZE(rates), NULL, 0),
                         0);
        ck_assert(q.groups[0].shipping_found);
        ck_assert_msg(q.groups[0].shipping == cases[i].fee,
                      "region '%s': fee %lld, want %lld",
                      cases[i].region ? cases[i].region : "(null)",
                      (long long)q.groups[0].shipping, (long long)cases[i].fee);
        check_sums();
    }

    /* Without "*", an uncovered region has no rate. */
    ck_assert_int_eq(pricing_compute(&q, "JP-13", NULL, rates, 3, NULL, 0), 0);
    ck_assert(!q.groups[0].shipping_found);
    ck_assert_int_eq(q.groups[0].shipping, 0);
    ck_assert_int_eq(q.total, 100);
}
END_TEST

START_TEST(test_shipping_merchant_override)
{
    struct pricing_rate rates[] = {
        mkrate(0, "CN-31", "standard", 1000, 600, 0, 0, 0),
        mkrate(7, "*", "standard", 1000, 300, 0, 0, 0),
        mkrate(9, "CN", "standard", 1000, 900, 0, 0, 0),
        mkrate(9, "CN-31", "standard", 1000, 950, 0, 0, 0),
        mkrate(9, "CN-31", "standard", 1000, 999, 0, 0, 0), /* later tie */
    };

    add_line(1, 8, 100, 1, 10);
    add_line(2, 7, 100, 1, 10);
    add_line(3, 9, 100, 1, 10);
    ck_assert_int_eq(
        pricing_compute(&q, "CN-31", NULL, rates, ARRAY_SIZE(rates), NULL, 0),
        0);
    ck_assert_int_eq(q.groups[0].merchant_id, 7);
    ck_assert_int_eq(q.groups[0].shipping, 300); /* own "*" wins */
    ck_assert_int_eq(q.groups[1].merchant_id, 8);
    ck_assert_int_eq(q.groups[1].shipping, 600); /* the platform's */
    ck_assert_int_eq(q.groups[2].merchant_id, 9);
    ck_assert_int_eq(q.groups[2].shipping, 950); /* own, exact, first */
    ck_assert_int_eq(q.shipping, 300 + 600 + 950);
    check_sums();

    ck_assert_int_eq(
        pricing_compute(&q, "CN-44", NULL, rates, ARRAY_SIZE(rates), NULL, 0),
        0);
    ck_assert_int_eq(q.groups[0].shipping, 300);
    ck_assert(!q.groups[1].shipping_found); /* only CN-31 */
    ck_assert_int_eq(q.groups[1].shipping, 0);
    ck_assert_int_eq(q.groups[2].shipping, 900);
    check_sums();
}
END_TEST

START_TEST(test_shipping_method)
{
    struct pricing_rate rates[] = {
        mkrate(0, "*", "express", 1000, 2000, 0, 0, 0),
        mkrate(0, "*", "standard", 1000, 800, 0, 0, 0),
        mkrate(5, "*", "express", 1000, 1800, 0, 0, 0),
    };
    const char *methods[] = { NULL, "express", "overnight" };

    add_line(1, 3, 100, 1, 10);
    add_line(2, 5, 100, 1, 10);
    add_line(3, 6, 100, 1, 10);
    ck_assert_int_eq(
        pricing_compute(&q, "CN", NULL, rates, ARRAY_SIZE(rates), NULL, 0), 0);
    for (unsigned g = 0; g < 3; g++) {
        ck_assert_str_eq(q.groups[g].method, "standard");
        ck_assert_int_eq(q.groups[g].shipping, 800);
    }

    ck_assert_int_eq(
        pricing_compute(&q, "CN", methods, rates, ARRAY_SIZE(rates), NULL, 0),
        0);
    ck_assert_str_eq(q.groups[0].method, "standard");
    ck_assert_int_eq(q.groups[0].shipping, 800);
    ck_assert_ptr_eq(q.groups[1].method, methods[1]);
    ck_assert_int_eq(q.groups[1].shipping, 1800);
    ck_assert_str_eq(q.groups[2].method, "overnight");
    ck_assert(!q.groups[2].shipping_found);
    ck_assert_int_eq(q.groups[2].shipping, 0);
    ck_assert_int_eq(q.shipping, 2600);
    check_sums();
}
END_TEST

/* The options of a group: each method once, priced by the rate
 * pricing_compute() would pick for it, other merchants' and regions'
 * rates left out, and each option's fee what choosing it costs. */
START_TEST(test_shipping_options)
{
    struct pricing_rate rates[] = {
        mkrate(0, "CN", "standard", 1000, 800, 0, 0, 9900),
        mkrate(0, "*", "express", 1000, 2500, 1000, 500, 0),
        mkrate(2, "CN", "express", 1000, 1500, 0, 0, 0),  /* not ours */
        mkrate(1, "CN-31", "standard", 1000, 600, 0, 0, 20000),
        mkrate(0, "US", "economy", 1000, 300, 0, 0, 0),   /* not here */
        mkrate(1, "CN", "same-day", 1000, 4000, 0, 0, 0),
    };
    struct pricing_option opt[8];
    const char *methods[2] = { NULL, NULL };   /* one per group */
    size_t n;

    add_line(1, 1, 3000, 1, 1500);
    add_line(2, 2, 3000, 1, 500);
    ck_assert_int_eq(pricing_compute(&q, "CN-31", NULL, rates,
                                     ARRAY_SIZE(rates), NULL, 0), 0);
    n = pricing_shipping_options(&q, 0, "CN-31", rates, ARRAY_SIZE(rates),
                                 opt, ARRAY_SIZE(opt));
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(opt[0].method, "standard");
    ck_assert_int_eq(opt[0].fee, 600);          /* merchant 1's CN-31 */
    ck_assert_int_eq(opt[0].free_over, 20000);
    ck_assert_str_eq(opt[1].method, "express");
    ck_assert_int_eq(opt[1].fee, 2500 + 500);   /* 1.5 kg */
    ck_assert_int_eq(opt[1].free_over, 0);
    ck_assert_str_eq(opt[2].method, "same-day");
    ck_assert_int_eq(opt[2].fee, 4000);
    /* Each fee is what the quote charges for that method. */
    for (size_t i = 0; i < n; i++) {
        methods[0] = opt[i].method;
        ck_assert_int_eq(pricing_compute(&q, "CN-31", methods, rates,
                                         ARRAY_SIZE(rates), NULL, 0), 0);
        ck_assert(q.groups[0].shipping_found);
        ck_assert_int_eq(q.groups[0].shipping, opt[i].fee);
    }
    /* Merchant 2 sees the platform's rates and its own express. */
    n = pricing_shipping_options(&q, 1, "CN-31", rates, ARRAY_SIZE(rates),
                                 opt, ARRAY_SIZE(opt));
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(opt[0].method, "standard");
    ck_assert_int_eq(opt[0].fee, 800);
    ck_assert_str_eq(opt[1].method, "express");
    ck_assert_int_eq(opt[1].fee, 1500);
    /* Bounds: max, and a group that is not there. */
    ck_assert_uint_eq(pricing_shipping_options(&q, 0, "CN-31", rates,
                                               ARRAY_SIZE(rates), opt, 1), 1);
    ck_assert_uint_eq(pricing_shipping_options(&q, 5, "CN-31", rates,
                                               ARRAY_SIZE(rates), opt, 8), 0);
}
END_TEST

START_TEST(test_shipping_bad_rate_is_invalid)
{
    struct pricing_rate rates[] = {
        mkrate(0, "*", "standard", 1000, 800, 1, INT64_MAX / 2, 0),
    };

    add_line(1, 1, 100, 1, 1003);
    ck_assert_int_eq(pricing_compute(&q, "CN", NULL, rates, 1, NULL, 0),
                     JS_INVALID);
    rates[0].step_fee = -1;
    ck_assert_int_eq(pricing_compute(&q, "CN", NULL, rates, 1, NULL, 0),
                     JS_INVALID);
}
END_TEST

START_TEST(test_grand_totals)
{
    int64_t bp = 850, spend[2] = { 3000, 250 };
    struct pricing_adjuster adj[] = {
        { "8.5%", percent_off, NULL, &bp },
        { "250 off 3000", NULL, spend_and_save, spend },
    };
    struct pricing_rate rates[] = {
        mkrate(0, "*", "standard", 1000, 800, 500, 200, 20000),
        mkrate(2, "CN", "standard", 500, 600, 500, 300, 0),
    };

    add_line(1, 1, 1299, 2, 400);
    add_line(2, 2, 4599, 1, 1700);
    add_line(3, 1, 89, 7, 50);
    add_line(4, 3, 25000, 1, 9000);
    add_line(5, 2, 333, 3, 0);
    ck_assert_int_eq(
        pricing_compute(&q, "CN-31", NULL, rates, ARRAY_SIZE(rates), adj, 2),
        0);
    check_sums();
    ck_assert_uint_eq(q.ngroups, 3);
    /* Merchant 1: 2598 + 623; 8.5%: 221 (220.83) + 53 (52.955) = 274;
     * 2947 left, under 3000; 1150 g -> 800 + 200. */
    ck_assert_int_eq(q.groups[0].item_discount, 274);
    ck_assert_int_eq(q.groups[0].order_discount, 0);
    ck_assert_int_eq(q.groups[0].weight_g, 1150);
    ck_assert_int_eq(q.groups[0].shipping, 1000);
    ck_assert_int_eq(q.groups[0].total, 2947 + 1000);
    /* Merchant 2: 4599 + 999; 391 (390.915) + 85 (84.915) = 476;
     * 5122 left, 250 off -> 4872; own CN rate, 1700 g: 600 + 3 * 300. */
    ck_assert_int_eq(q.groups[1].item_discount, 476);
    ck_assert_int_eq(q.groups[1].order_discount, 250);
    ck_assert_int_eq(q.groups[1].shipping, 1500);
    ck_assert_int_eq(q.groups[1].total, 4872 + 1500);
    /* Merchant 3: 25000 - 2125 = 22875, 250 off -> 22625, free. */
    ck_assert_int_eq(q.groups[2].shipping, 0);
    ck_assert_int_eq(q.groups[2].total, 22625);
    ck_assert_int_eq(q.subtotal, 2598 + 623 + 4599 + 999 + 25000);
    ck_assert_int_eq(q.shipping, 2500);
    ck_assert_int_eq(q.total, 3947 + 6372 + 22625);
}
END_TEST

Suite *
pricing_suite(void)
{
    Suite *s = suite_create("pricing");
    TCase *tc = tcase_create("lines");
    TCase *adj = tcase_create("adjusters");
    TCase *share = tcase_create("share");
    TCase *ship = tcase_create("shipping");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_single_line);
    tcase_add_test(tc, test_empty_quote);
    tcase_add_test(tc, test_groups_interleaved_stable);
    tcase_add_test(tc, test_recompute_is_idempotent);
    tcase_add_test(tc, test_overflow_is_invalid);
    tcase_add_test(tc, test_bad_input_is_invalid);
    tcase_add_test(tc, test_line_and_group_limits);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(adj, setup, NULL);
    tcase_add_test(adj, test_percent_half_up);
    tcase_add_test(adj, test_item_percent_adjuster);
    tcase_add_test(adj, test_item_adjuster_clamped);
    tcase_add_test(adj, test_order_adjuster_shared);
    tcase_add_test(adj, test_order_adjuster_clamped);
    suite_add_tcase(s, adj);

    tcase_add_test(share, test_share_exact);
    tcase_add_test(share, test_share_zero_weights);
    tcase_add_test(share, test_share_property);
    /* 20,000 random cases: seconds under ASan on a busy machine. */
    tcase_set_timeout(share, 60);
    suite_add_tcase(s, share);

    tcase_add_checked_fixture(ship, setup, NULL);
    tcase_add_test(ship, test_fee_weight_steps);
    tcase_add_test(ship, test_fee_free_threshold);
    tcase_add_test(ship, test_shipping_free_after_discounts);
    tcase_add_test(ship, test_shipping_region_specificity);
    tcase_add_test(ship, test_shipping_merchant_override);
    tcase_add_test(ship, test_shipping_method);
    tcase_add_test(ship, test_shipping_bad_rate_is_invalid);
    tcase_add_test(ship, test_shipping_options);
    tcase_add_test(ship, test_grand_totals);
    suite_add_tcase(s, ship);
    return s;
}
