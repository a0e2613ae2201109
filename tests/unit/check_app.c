/*
 * check_app.c - the request pipeline end to end on req_fake() requests
 * against the real route table: 200/404/405 with Allow, 415 and 400 for
 * JSON bodies (including the configured depth limit), loopback-only
 * routes, HEAD, and the GTID cookie.  Handlers that need a database are
 * not called.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "conf.h"
#include "reply.h"
#include "req.h"
#include "router.h"
#include "strbuf.h"
#include "suites.h"

static struct conf conf;
static struct req r;
static bool live;

static void
setup(void)
{
    char err[256];

    unsetenv("JISHI_WORKERS");
    unsetenv("JISHI_MAX_REQUESTS");
    ck_assert_int_eq(conf_parse(&conf, "{\"db\":{\"primary\":{}},"
                                       "\"limits\":{\"max_json_depth\":4}}",
                                "/tmp", err, sizeof(err)), 0);
    ck_assert_int_eq(router_init(routes), 0);
    live = false;
}

static void
teardown(void)
{
    if (live)
        req_finish(&r);
    router_release();
    conf_free(&conf);
}

/* Run one request; envp and body may be NULL. */
static void
run(const char *method, const char *uri, const char *body, char **envp)
{
    if (live)
        req_finish(&r);
    req_fake(&r, &conf, method, uri, body, envp);
    live = true;
    app_handle(&r);
}

static const char *
header(const char *name)
{
    for (unsigned i = 0; i < r.reply.nheaders; i++)
        if (strcmp(r.reply.headers[i].key, name) == 0)
            return r.reply.headers[i].val;
    return NULL;
}

/* The error code of a JSON error reply. */
static void
assert_error(int status, const char *code, const char *msg)
{
    json_object *root, *e, *v;

    ck_assert_int_eq(r.reply.status, status);
    ck_assert_str_eq(r.reply.content_type,
                     "application/json; charset=utf-8");
    root = json_tokener_parse(r.reply.body.buf);
    ck_assert_ptr_nonnull(root);
    ck_assert(json_object_object_get_ex(root, "error", &e));
    ck_assert(json_object_object_get_ex(e, "code", &v));
    ck_assert_str_eq(json_object_get_string(v), code);
    if (msg) {
        ck_assert(json_object_object_get_ex(e, "message", &v));
        ck_assert_str_eq(json_object_get_string(v), msg);
    }
    json_object_put(root);
}

START_TEST(test_app_ping)
{
    run("GET", "/api/v1/ping", NULL, NULL);
    ck_assert_int_eq(r.reply.status, 200);
    ck_assert_str_eq(r.reply.body.buf, "{\"pong\":true}");
    ck_assert_str_eq(r.reply.content_type,
                     "application/json; charset=utf-8");
    ck_assert_str_eq(header("Cache-Control"), "no-store");
    ck_assert_ptr_null(header("Set-Cookie"));
}
END_TEST

START_TEST(test_app_head_ping)
{
    struct strbuf out = STRBUF_INIT;

    run("HEAD", "/api/v1/ping", NULL, NULL);
    ck_assert_int_eq(r.reply.status, 200);
    reply_serialize(&r, &out);
    ck_assert_ptr_nonnull(strstr(out.buf, "Content-Length: 13\r\n"));
    ck_assert_ptr_null(strstr(out.buf, "pong"));
    strbuf_release(&out);
}
END_TEST

START_TEST(test_app_unknown_404)
{
    run("GET", "/api/v1/nothing-here", NULL, NULL);
    assert_error(404, "not_found", "no such endpoint");
    ck_assert_str_eq(header("Cache-Control"), "no-store");
    run("POST", "/", "{}", NULL);
    assert_error(404, "not_found", NULL);
}
END_TEST

START_TEST(test_app_bad_path_400)
{
    run("GET", "/api/v1/%00", NULL, NULL);
    assert_error(400, "bad_request", "malformed request path");
}
END_TEST

START_TEST(test_app_method_405)
{
    run("DELETE", "/api/v1/health", NULL, NULL);
    assert_error(405, "method_not_allowed",
                 "method DELETE is not allowed here");
    ck_assert_str_eq(header("Allow"), "GET, HEAD");
    run("GET", "/api/v1/_echo", NULL, NULL);
    assert_error(405, "method_not_allowed", NULL);
    ck_assert_str_eq(header("Allow"), "POST");
    /* A method name is not echoed back at any length. */
    run("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/api/v1/ping", NULL,
        NULL);
    assert_error(405, "method_not_allowed",
                 "method (long) is not allowed here");
}
END_TEST

START_TEST(test_app_echo)
{
    char *json[] = { "CONTENT_TYPE=application/json", NULL };
    char *json_cs[] = { "CONTENT_TYPE=Application/JSON; charset=utf-8",
                        NULL };

    run("POST", "/api/v1/_echo", "{\"a\":[1,\"集\"]}", json);
    ck_assert_int_eq(r.reply.status, 200);
    ck_assert_str_eq(r.reply.body.buf, "{\"echo\":{\"a\":[1,\"集\"]}}");
    run("POST", "/api/v1/_echo", "[true]", json_cs);
    ck_assert_int_eq(r.reply.status, 200);
    ck_assert_str_eq(r.reply.body.buf, "{\"echo\":[true]}");
}
END_TEST

START_TEST(test_app_415)
{
    char *text[] = { "CONTENT_TYPE=text/plain", NULL };
    char *jsonp[] = { "CONTENT_TYPE=application/jsonp", NULL };
    char *form[] = { "CONTENT_TYPE=application/x-www-form-urlencoded",
                     NULL };

    run("POST", "/api/v1/_echo", "{}", NULL);
    assert_error(415, "unsupported_media_type", NULL);
    run("POST", "/api/v1/_echo", "{}", text);
    assert_error(415, "unsupported_media_type", NULL);
    run("POST", "/api/v1/_echo", "{}", jsonp);
    assert_error(415, "unsupported_media_type", NULL);
    run("POST", "/api/v1/_echo", "a=1", form);
    assert_error(415, "unsupported_media_type", NULL);
}
END_TEST

START_TEST(test_app_400_bodies)
{
    char *json[] = { "CONTENT_TYPE=application/json", NULL };

    run("POST", "/api/v1/_echo", "{\"a\":", json);
    assert_error(400, "bad_request", "JSON ends too early");
    run("POST", "/api/v1/_echo", "{\"a\" 1}", json);
    assert_error(400, "bad_request", "malformed JSON");
    run("POST", "/api/v1/_echo", NULL, json);
    assert_error(400, "bad_request", "request body is empty");
    run("POST", "/api/v1/_echo", "{} {}", json);
    assert_error(400, "bad_request", NULL);
    run("POST", "/api/v1/_echo", "\"\xc0\xaf\"", json);
    assert_error(400, "bad_request", "request body is not valid UTF-8");
}
END_TEST

START_TEST(test_app_json_depth)
{
    char *json[] = { "CONTENT_TYPE=application/json", NULL };

    /* max_json_depth is 4 in the fixture: 4 levels pass, 5 do not. */
    run("POST", "/api/v1/_echo", "{\"a\":[{\"b\":1}]}", json);
    ck_assert_int_eq(r.reply.status, 200);
    run("POST", "/api/v1/_echo", "{\"a\":[{\"b\":[1]}]}", json);
    assert_error(400, "bad_request", "JSON nesting is too deep");
}
END_TEST

START_TEST(test_app_metrics_loopback_only)
{
    static const char *const far[] = { "10.0.0.1", "192.168.1.127", "",
                                       "::ffff:10.0.0.1", "fe80::1" };
    static const char *const near[] = { "127.0.0.1", "::1", "127.3.2.1" };

    for (size_t i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
        if (live)
            req_finish(&r);
        req_fake(&r, &conf, "GET", "/metrics", NULL, NULL);
        live = true;
        r.remote_addr = far[i];
        app_handle(&r);
        assert_error(404, "not_found", NULL);
    }
    for (size_t i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
        req_finish(&r);
        req_fake(&r, &conf, "GET", "/metrics", NULL, NULL);
        r.remote_addr = near[i];
        app_handle(&r);
        ck_assert_int_eq(r.reply.status, 200);
        ck_assert_str_eq(r.reply.content_type,
                         "text/plain; version=0.0.4; charset=utf-8");
        ck_assert_ptr_nonnull(strstr(r.reply.body.buf,
                                     "# TYPE jishi_http_requests_total "
                                     "counter\n"));
        /* Not under /api/: no Cache-Control added. */
        ck_assert_ptr_null(header("Cache-Control"));
    }
}
END_TEST

START_TEST(test_app_gtid_cookie_in)
{
    char *good[] = { "HTTP_COOKIE=a=1; jishi_gtid=0-1-42,0-2-7", NULL };
    char *bad[] = { "HTTP_COOKIE=jishi_gtid=0-1-42;DROP", NULL };
    char *worse[] = { "HTTP_COOKIE=jishi_gtid=0-1-42', 1)--", NULL };

    run("GET", "/api/v1/ping", NULL, good);
    ck_assert_int_eq(r.reply.status, 200);
    ck_assert_str_eq(r.db.gtid_in, "0-1-42,0-2-7");
    run("GET", "/api/v1/ping", NULL, bad);
    ck_assert_str_eq(r.db.gtid_in, "0-1-42");
    run("GET", "/api/v1/ping", NULL, worse);
    ck_assert_ptr_null(r.db.gtid_in);
    ck_assert_int_eq(r.reply.status, 200);
}
END_TEST

Suite *
app_suite(void)
{
    Suite *s = suite_create("app");
    TCase *tc = tcase_create("pipeline");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_app_ping);
    tcase_add_test(tc, test_app_head_ping);
    tcase_add_test(tc, test_app_unknown_404);
    tcase_add_test(tc, test_app_bad_path_400);
    tcase_add_test(tc, test_app_method_405);
    tcase_add_test(tc, test_app_echo);
    tcase_add_test(tc, test_app_415);
    tcase_add_test(tc, test_app_400_bodies);
    tcase_add_test(tc, test_app_json_depth);
    tcase_add_test(tc, test_app_metrics_loopback_only);
    tcase_add_test(tc, test_app_gtid_cookie_in);
    suite_add_tcase(s, tc);
    return s;
}
