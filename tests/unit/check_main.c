/*
 * check_main.c - the one unit-test runner: every suite, one summary.
 */
#include "config.h"

#include <stdlib.h>

#include "arena.h"
#include "log.h"
#include "media_image.h"
#include "suites.h"

int
main(void)
{
    SRunner *sr = srunner_create(arena_suite());
    int failed;

    log_set_quiet(true);
    srunner_add_suite(sr, strbuf_suite());
    srunner_add_suite(sr, conf_suite());
    srunner_add_suite(sr, json_suite());
    srunner_add_suite(sr, req_suite());
    srunner_add_suite(sr, router_suite());
    srunner_add_suite(sr, reply_suite());
    srunner_add_suite(sr, db_suite());
    srunner_add_suite(sr, app_suite());
    srunner_add_suite(sr, order_suite());
    srunner_add_suite(sr, payment_suite());
    srunner_add_suite(sr, pricing_suite());
    srunner_add_suite(sr, metrics_suite());
    srunner_add_suite(sr, media_suite());
    srunner_add_suite(sr, feed_suite());
    srunner_add_suite(sr, catalog_query_suite());
    srunner_add_suite(sr, listing_cache_suite());
    srunner_add_suite(sr, changes_suite());
    srunner_add_suite(sr, promo_suite());
    srunner_add_suite(sr, page_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    media_image_release();      /* libvips, when CK_FORK=no ran it here */
    arena_drop_spare();         /* so valgrind sees every block freed */
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
