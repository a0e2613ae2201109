/*
 * check_metrics.c - counters and their Prometheus text: a request lands in
 * its route/status counter and in cumulative latency buckets; unknown
 * routes and statuses have their own labels; db counters render.
 *
 * The counters are process-wide, so every check compares before and after.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "router.h"
#include "strbuf.h"
#include "suites.h"
#include "util.h"

static int
h(struct req *r)
{
    (void)r;
    return JS_OK;
}

static const struct route table[] = {
    { "GET", "/a", h, ACCESS_PUBLIC, 0 },
    { "POST", "/b/:id", h, ACCESS_PUBLIC, 0 },
    { NULL, NULL, NULL, ACCESS_UNSET, 0 }
};

/* The value on the line that starts with series + ' ', or -1. */
static long long
value(const char *series)
{
    struct strbuf sb = STRBUF_INIT;
    size_t n = strlen(series);
    const char *p;
    long long v = -1;

    metrics_render(&sb, table);
    for (p = sb.buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, series, n) == 0 && p[n] == ' ') {
            v = strtoll(p + n + 1, NULL, 10);
            break;
        }
    }
    strbuf_release(&sb);
    return v;
}

static long long
zero_if_absent(long long v)
{
    return v < 0 ? 0 : v;
}

#define REQS(route, status) \
    "jishi_http_requests_total{route=\"" route "\",status=\"" status "\"}"
#define BUCKET(route, le) \
    "jishi_http_request_duration_seconds_bucket{route=\"" route \
    "\",le=\"" le "\"}"

START_TEST(test_metrics_request_counter)
{
    long long before = zero_if_absent(value(REQS("POST /b/:id", "201")));
    long long other = zero_if_absent(value(REQS("POST /b/:id", "other")));

    metrics_request(1, 201, 700);
    metrics_request(1, 201, 700);
    metrics_request(1, 418, 700);
    ck_assert_int_eq(value(REQS("POST /b/:id", "201")), before + 2);
    ck_assert_int_eq(value(REQS("POST /b/:id", "other")), other + 1);
}
END_TEST

START_TEST(test_metrics_unmatched_route)
{
    long long before = zero_if_absent(value(REQS("(none)", "404")));

    metrics_request(-1, 404, 10);
    metrics_request(100000, 404, 10);   /* out of range: no route */
    ck_assert_int_eq(value(REQS("(none)", "404")), before + 2);
}
END_TEST

START_TEST(test_metrics_histogram)
{
    long long b1 = zero_if_absent(value(BUCKET("GET /a", "0.001")));
    long long b2 = zero_if_absent(value(BUCKET("GET /a", "0.0025")));
    long long b3 = zero_if_absent(value(BUCKET("GET /a", "2.5")));
    long long inf = zero_if_absent(value(BUCKET("GET /a", "+Inf")));
    long long cnt = zero_if_absent(value(
        "jishi_http_request_duration_seconds_count{route=\"GET /a\"}"));
    struct strbuf sb = STRBUF_INIT;

    metrics_request(0, 200, 1000);      /* exactly on a bound: le=0.001 */
    metrics_request(0, 200, 2000);
    metrics_request(0, 200, 9000000);   /* beyond every bound */
    ck_assert_int_eq(value(BUCKET("GET /a", "0.0005")), 0);
    ck_assert_int_eq(value(BUCKET("GET /a", "0.001")), b1 + 1);
    ck_assert_int_eq(value(BUCKET("GET /a", "0.0025")), b2 + 2);
    ck_assert_int_eq(value(BUCKET("GET /a", "2.5")), b3 + 2);
    ck_assert_int_eq(value(BUCKET("GET /a", "+Inf")), inf + 3);
    ck_assert_int_eq(value("jishi_http_request_duration_seconds_count"
                           "{route=\"GET /a\"}"), cnt + 3);
    metrics_render(&sb, table);
    ck_assert_ptr_nonnull(strstr(sb.buf,
        "# TYPE jishi_http_request_duration_seconds histogram\n"));
    ck_assert_ptr_nonnull(strstr(sb.buf,
        "jishi_http_request_duration_seconds_sum{route=\"GET /a\"} "));
    strbuf_release(&sb);
}
END_TEST

START_TEST(test_metrics_db_counters)
{
    long long q = value("jishi_db_queries_total{target=\"replica\"}");
    long long e = value("jishi_db_errors_total{target=\"replica\"}");
    long long rd = value("jishi_db_reads_total{served_by=\"primary\"}");
    long long fb = value("jishi_replica_fallbacks_total");
    long long wr = value("jishi_worker_restarts_total");

    ck_assert_int_ge(q, 0);
    metrics_db_query(MDB_REPLICA, false);
    metrics_db_query(MDB_REPLICA, true);
    metrics_db_read(MDB_PRIMARY);
    metrics_replica_fallback();
    metrics_worker_restart();
    ck_assert_int_eq(value("jishi_db_queries_total{target=\"replica\"}"),
                     q + 2);
    ck_assert_int_eq(value("jishi_db_errors_total{target=\"replica\"}"),
                     e + 1);
    ck_assert_int_eq(value("jishi_db_reads_total{served_by=\"primary\"}"),
                     rd + 1);
    ck_assert_int_eq(value("jishi_replica_fallbacks_total"), fb + 1);
    ck_assert_int_eq(value("jishi_worker_restarts_total"), wr + 1);
}
END_TEST

Suite *
metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_metrics_request_counter);
    tcase_add_test(tc, test_metrics_unmatched_route);
    tcase_add_test(tc, test_metrics_histogram);
    tcase_add_test(tc, test_metrics_db_counters);
    suite_add_tcase(s, tc);
    return s;
}
