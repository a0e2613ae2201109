/*
 * check_promo.c - flash sales without a database: the discount a sale
 * takes off a line, the adjuster inside the pricing pipeline (totals,
 * other lines untouched, never below zero), and the time parser of the
 * merchant's input (RFC 3339 with Z or an offset, nothing else).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "pricing.h"
#include "promo.h"
#include "suites.h"
#include "util.h"

START_TEST(test_flash_discount)
{
    ck_assert_int_eq(promo_flash_discount(10000, 2, 7500), 5000);
    ck_assert_int_eq(promo_flash_discount(10000, 1, 0), 10000);
    ck_assert_int_eq(promo_flash_discount(10000, 3, 10000), 0);
    ck_assert_int_eq(promo_flash_discount(10000, 3, 12000), 0);
    ck_assert_int_eq(promo_flash_discount(10000, 3, -1), 0);
    ck_assert_int_eq(promo_flash_discount(10000, 0, 5000), 0);
    ck_assert_int_eq(promo_flash_discount(INT64_MAX, 99, 0), INT64_MAX);
}
END_TEST

START_TEST(test_flash_in_pipeline)
{
    static struct pricing_quote q;
    struct promo_flash f[] = { { 11, 1, 7500, "2026-11-27T00:00:00Z" } };
    struct promo_set set = { f, 1 };
    struct pricing_adjuster adj = promo_adjuster(&set);

    memset(&q, 0, sizeof(q));
    memcpy(q.currency, "CNY", 4);
    q.lines[0] = (struct pricing_line){ .sku_id = 11, .merchant_id = 1,
                                        .unit_price = 10000, .quantity = 2 };
    q.lines[1] = (struct pricing_line){ .sku_id = 12, .merchant_id = 1,
                                        .unit_price = 5000, .quantity = 1 };
    q.nlines = 2;
    ck_assert_int_eq(pricing_compute(&q, NULL, NULL, NULL, 0, &adj, 1), 0);
    ck_assert_int_eq(q.lines[0].item_discount, 5000);
    ck_assert_int_eq(q.lines[0].total, 15000);
    ck_assert_int_eq(q.lines[1].item_discount, 0);
    ck_assert_int_eq(q.lines[1].total, 5000);
    ck_assert_int_eq(q.discount, 5000);
    ck_assert_int_eq(q.total, 20000);
    ck_assert_ptr_eq(promo_find(&set, 11), &f[0]);
    ck_assert_ptr_null(promo_find(&set, 12));
    ck_assert_ptr_null(promo_find(NULL, 11));
}
END_TEST

START_TEST(test_parse_time)
{
    static const struct {
        const char *in, *utc;
        int64_t epoch;
    } good[] = {
        { "2026-11-26T08:00:00Z", "2026-11-26 08:00:00", 1795680000 },
        { "2026-11-26T16:00:00+08:00", "2026-11-26 08:00:00", 1795680000 },
        { "2026-11-26T03:30:00-04:30", "2026-11-26 08:00:00", 1795680000 },
        { "2026-11-26t08:00:00.123456z", "2026-11-26 08:00:00", 1795680000 },
        { "2028-02-29T00:00:00Z", "2028-02-29 00:00:00", 1835395200 },
        { "2026-01-01T00:30:00+01:00", "2025-12-31 23:30:00", 1767223800 },
    };
    static const char *const bad[] = {
        "", "2026-11-26", "2026-11-26 08:00:00", "2026-11-26T08:00:00",
        "2026-11-26T08:00Z", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T08:60:00Z",
        "2026-11-26T08:00:60Z", "2026-11-26T08:00:00+8:00",
        "2026-11-26T08:00:00+08:00x", "2026-11-26T08:00:00Z ",
        "2026-11-26T08:00:00.Z", "1969-12-31T23:59:59Z", "+026-11-26T08:00:00Z",
        "2026-11-26T08:00:00Z' OR 1=1 --", "2026-11-26T08:00:00+24:00",
        "２０２６-11-26T08:00:00Z",
    };
    char out[20];
    int64_t epoch;

    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        ck_assert_msg(promo_parse_time(good[i].in, out, &epoch), "%s",
                      good[i].in);
        ck_assert_str_eq(out, good[i].utc);
        ck_assert_int_eq(epoch, good[i].epoch);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        ck_assert_msg(!promo_parse_time(bad[i], out, &epoch), "'%s' parsed",
                      bad[i]);
    ck_assert(!promo_parse_time(NULL, out, &epoch));
}
END_TEST

Suite *
promo_suite(void)
{
    Suite *s = suite_create("promo");
    TCase *tc = tcase_create("flash");

    tcase_add_test(tc, test_flash_discount);
    tcase_add_test(tc, test_flash_in_pipeline);
    tcase_add_test(tc, test_parse_time);
    suite_add_tcase(s, tc);
    return s;
}
