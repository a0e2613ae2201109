/*
 * check_changes.c - the position in the catalog change feed: rows taken
 * once, ids skipped kept as holes until they appear or expire, the read
 * position below the oldest hole, and overflow when holes do not fit.
 */
#include "config.h"

#include <string.h>

#include "changes.h"
#include "suites.h"

static struct chg_state s;

static void
setup(void)
{
    memset(&s, 0, sizeof(s));
}

START_TEST(test_in_order)
{
    s.hwm = 10;
    ck_assert_uint_eq(chg_from(&s), 10);
    ck_assert(chg_take(&s, 11, 0));
    ck_assert(chg_take(&s, 12, 0));
    ck_assert_uint_eq(s.hwm, 12);
    ck_assert_uint_eq(s.nholes, 0);
    ck_assert_uint_eq(chg_from(&s), 12);
    /* Read again (the next poll starts below a hole): not taken twice. */
    ck_assert(!chg_take(&s, 12, 0));
    ck_assert(!chg_take(&s, 5, 0));
}
END_TEST

START_TEST(test_hole_filled_later)
{
    s.hwm = 10;
    /* 11 and 12 were written first but commit after 13. */
    ck_assert(chg_take(&s, 13, 100));
    ck_assert_uint_eq(s.nholes, 2);
    ck_assert_uint_eq(chg_from(&s), 10);    /* read from below the hole */
    /* The next poll sees 12 and 13 again: 12 is new, 13 is not. */
    ck_assert(chg_take(&s, 12, 200));
    ck_assert(!chg_take(&s, 13, 200));
    ck_assert_uint_eq(s.nholes, 1);
    ck_assert_uint_eq(chg_from(&s), 10);
    ck_assert(chg_take(&s, 11, 300));
    ck_assert_uint_eq(s.nholes, 0);
    ck_assert_uint_eq(chg_from(&s), 13);
    ck_assert(!chg_take(&s, 11, 400));
}
END_TEST

START_TEST(test_hole_expires)
{
    s.hwm = 1;
    ck_assert(chg_take(&s, 3, 1000));       /* 2: rolled back, say */
    chg_expire(&s, 1000 + CHG_HOLE_US);
    ck_assert_uint_eq(s.nholes, 1);         /* not yet */
    chg_expire(&s, 1001 + CHG_HOLE_US);
    ck_assert_uint_eq(s.nholes, 0);
    ck_assert_uint_eq(chg_from(&s), 3);
    ck_assert(!chg_take(&s, 2, 2000 + CHG_HOLE_US));  /* too late */
}
END_TEST

START_TEST(test_overflow)
{
    s.hwm = 0;
    ck_assert(chg_take(&s, CHG_HOLES + 1, 0));  /* exactly fits */
    ck_assert(!s.overflow);
    ck_assert_uint_eq(s.nholes, CHG_HOLES);
    ck_assert(chg_take(&s, CHG_HOLES + 3, 0));  /* one more hole: no room */
    ck_assert(s.overflow);
    ck_assert_uint_eq(s.nholes, 0);
    ck_assert_uint_eq(s.hwm, CHG_HOLES + 3);
    ck_assert_uint_eq(chg_from(&s), CHG_HOLES + 3);
}
END_TEST

Suite *
changes_suite(void)
{
    Suite *su = suite_create("changes");
    TCase *tc = tcase_create("feed position");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_in_order);
    tcase_add_test(tc, test_hole_filled_later);
    tcase_add_test(tc, test_hole_expires);
    tcase_add_test(tc, test_overflow);
    suite_add_tcase(su, tc);
    return su;
}
