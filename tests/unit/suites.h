/*
 * suites.h - every unit-test suite, one per module (tests/unit/check_<m>.c).
 */
#ifndef JISHI_SUITES_H
#define JISHI_SUITES_H

#include <check.h>

Suite *arena_suite(void);
Suite *strbuf_suite(void);
Suite *conf_suite(void);
Suite *json_suite(void);
Suite *req_suite(void);
Suite *router_suite(void);
Suite *reply_suite(void);
Suite *db_suite(void);
Suite *app_suite(void);
Suite *order_suite(void);
Suite *payment_suite(void);
Suite *pricing_suite(void);
Suite *metrics_suite(void);
Suite *media_suite(void);
Suite *feed_suite(void);
Suite *catalog_query_suite(void);
Suite *listing_cache_suite(void);
Suite *changes_suite(void);
Suite *promo_suite(void);
Suite *page_suite(void);

#endif
