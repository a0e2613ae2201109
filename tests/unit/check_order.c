/*
 * check_order.c - the order state machine (order_can_transition): every
 * allowed transition, a selection of forbidden ones, and the cash-on-
 * delivery shortcut.
 */
#include "config.h"

#include "order.h"
#include "suites.h"

START_TEST(test_happy_path)
{
    ck_assert(order_can_transition("pending_payment", "paid", "sandbox"));
    ck_assert(order_can_transition("paid", "shipped", "sandbox"));
    ck_assert(order_can_transition("shipped", "delivered", "sandbox"));
    ck_assert(order_can_transition("delivered", "completed", "sandbox"));
}
END_TEST

START_TEST(test_cancel_only_before_shipping)
{
    ck_assert(order_can_transition("pending_payment", "cancelled", "cod"));
    ck_assert(order_can_transition("paid", "cancelled", "sandbox"));
    ck_assert(!order_can_transition("shipped", "cancelled", "sandbox"));
    ck_assert(!order_can_transition("delivered", "cancelled", "sandbox"));
    ck_assert(!order_can_transition("completed", "cancelled", "sandbox"));
    ck_assert(!order_can_transition("cancelled", "cancelled", "sandbox"));
}
END_TEST

START_TEST(test_cod_ships_unpaid)
{
    ck_assert(order_can_transition("pending_payment", "shipped", "cod"));
    ck_assert(!order_can_transition("pending_payment", "shipped", "sandbox"));
    ck_assert(!order_can_transition("pending_payment", "shipped", NULL));
}
END_TEST

START_TEST(test_refunds)
{
    static const char *const from[] = { "paid", "shipped", "delivered" };

    for (int i = 0; i < 3; i++) {
        ck_assert(order_can_transition(from[i], "refund_requested", "cod"));
        /* a rejected request goes back where it came from */
        ck_assert(order_can_transition("refund_requested", from[i], "cod"));
    }
    ck_assert(order_can_transition("refund_requested", "refunded", "cod"));
    ck_assert(!order_can_transition("pending_payment", "refund_requested",
                                    "cod"));
    ck_assert(!order_can_transition("completed", "refund_requested", "cod"));
    ck_assert(!order_can_transition("refunded", "paid", "cod"));
}
END_TEST

START_TEST(test_no_skipping_or_going_back)
{
    ck_assert(!order_can_transition("pending_payment", "delivered", "cod"));
    ck_assert(!order_can_transition("paid", "completed", "cod"));
    ck_assert(!order_can_transition("shipped", "paid", "cod"));
    ck_assert(!order_can_transition("completed", "delivered", "cod"));
    ck_assert(!order_can_transition("cancelled", "paid", "cod"));
    ck_assert(!order_can_transition("paid", "paid", "cod"));
    ck_assert(!order_can_transition("nonsense", "paid", "cod"));
    ck_assert(!order_can_transition("paid", "", "cod"));
}
END_TEST

Suite *
order_suite(void)
{
    Suite *s = suite_create("order");
    TCase *tc = tcase_create("state machine");

    tcase_add_test(tc, test_happy_path);
    tcase_add_test(tc, test_cancel_only_before_shipping);
    tcase_add_test(tc, test_cod_ships_unpaid);
    tcase_add_test(tc, test_refunds);
    tcase_add_test(tc, test_no_skipping_or_going_back);
    suite_add_tcase(s, tc);
    return s;
}
