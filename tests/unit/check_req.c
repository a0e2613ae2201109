/*
 * check_req.c - request parsing on req_fake(): percent-decoding, path
 * segments, the query string, cookies and CGI params, and the
 * parse-or-reply helpers' 400/404 bodies.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "conf.h"
#include "req.h"
#include "suites.h"
#include "util.h"

static const struct conf conf;  /* req_fake reads no setting */
static struct req r;
static struct arena a;

static void
setup(void)
{
    arena_init(&a, 0);
    req_fake(&r, &conf, "GET", "/", NULL, NULL);
}

static void
teardown(void)
{
    req_finish(&r);
    arena_release(&a);
}

static void
refake(const char *method, const char *uri, char **envp)
{
    req_finish(&r);
    req_fake(&r, &conf, method, uri, NULL, envp);
}

static const char *
dec(const char *s, bool plus)
{
    return req_decode(&a, s, strlen(s), plus);
}

/* Parse the reply body and return error.<key> (NULL when absent). */
static const char *
err_member(const char *key)
{
    json_object *root = json_tokener_parse(r.reply.body.buf), *e, *v;
    const char *s = NULL;

    ck_assert_ptr_nonnull(root);
    ck_assert(json_object_object_get_ex(root, "error", &e));
    if (json_object_object_get_ex(e, key, &v))
        s = arena_strdup(&a, json_object_get_string(v));
    json_object_put(root);
    return s;
}

START_TEST(test_req_decode)
{
    ck_assert_str_eq(dec("plain", false), "plain");
    ck_assert_str_eq(dec("", false), "");
    ck_assert_str_eq(dec("a%20b", false), "a b");
    ck_assert_str_eq(dec("%41%4a%4A", false), "AJJ");
    ck_assert_str_eq(dec("%e9%9b%86%E5%B8%82", false), "集市");
    ck_assert_str_eq(dec("a+b", true), "a b");
    ck_assert_str_eq(dec("a+b", false), "a+b");
    ck_assert_str_eq(dec("%2B+", true), "+ ");
    ck_assert_str_eq(dec("%25zz", false), "%zz");
    ck_assert_ptr_null(dec("%00", false));
    ck_assert_ptr_null(dec("a%00b", true));
    ck_assert_ptr_null(dec("%", false));
    ck_assert_ptr_null(dec("%4", false));
    ck_assert_ptr_null(dec("ab%4", false));
    ck_assert_ptr_null(dec("%zz", false));
    ck_assert_ptr_null(dec("%4g", false));
    ck_assert_ptr_null(dec("%g4", false));
    ck_assert_ptr_null(dec("%ff", false));          /* not UTF-8 */
    ck_assert_ptr_null(dec("%c0%af", false));       /* overlong '/' */
    ck_assert_ptr_null(dec("%ed%a0%80", false));    /* surrogate */
    /* Only len bytes are decoded. */
    ck_assert_str_eq(req_decode(&a, "abc%41", 3, false), "abc");
    ck_assert_ptr_null(req_decode(&a, "ab%41", 4, false));
}
END_TEST

START_TEST(test_req_split_path)
{
    ck_assert_int_eq(req_split_path(&r, "/"), JS_OK);
    ck_assert_uint_eq(r.nsegments, 0);
    ck_assert_int_eq(req_split_path(&r, "//api//v1///x/"), JS_OK);
    ck_assert_uint_eq(r.nsegments, 3);
    ck_assert_str_eq(r.segments[0], "api");
    ck_assert_str_eq(r.segments[1], "v1");
    ck_assert_str_eq(r.segments[2], "x");
    /* An encoded slash is data inside one segment; '+' is literal. */
    ck_assert_int_eq(req_split_path(&r, "/a%2Fb/c+d/%E9%9B%86"), JS_OK);
    ck_assert_uint_eq(r.nsegments, 3);
    ck_assert_str_eq(r.segments[0], "a/b");
    ck_assert_str_eq(r.segments[1], "c+d");
    ck_assert_str_eq(r.segments[2], "集");
    ck_assert_int_eq(req_split_path(&r, "api/v1"), JS_INVALID);
    ck_assert_int_eq(req_split_path(&r, ""), JS_INVALID);
    ck_assert_int_eq(req_split_path(&r, "/a%00"), JS_INVALID);
    ck_assert_int_eq(req_split_path(&r, "/a/%zz"), JS_INVALID);
    ck_assert_int_eq(req_split_path(&r, "/%ff"), JS_INVALID);
}
END_TEST

START_TEST(test_req_split_path_many_segments)
{
    char path[256];
    size_t o = 0;

    for (int i = 0; i < 40; i++)
        o += (size_t)snprintf(path + o, sizeof(path) - o, "/s%d", i);
    ck_assert_int_eq(req_split_path(&r, path), JS_OK);
    ck_assert_uint_eq(r.nsegments, 40);
    ck_assert_str_eq(r.segments[0], "s0");
    ck_assert_str_eq(r.segments[16], "s16");
    ck_assert_str_eq(r.segments[39], "s39");
}
END_TEST

START_TEST(test_req_path_length_limit)
{
    char *path = arena_alloc(&a, REQ_MAX_PATH + 2);

    memset(path, 'p', REQ_MAX_PATH + 1);
    path[0] = '/';
    path[REQ_MAX_PATH] = '\0';
    ck_assert_int_eq(req_split_path(&r, path), JS_OK);
    ck_assert_uint_eq(r.nsegments, 1);
    path[REQ_MAX_PATH] = 'p';
    path[REQ_MAX_PATH + 1] = '\0';
    ck_assert_int_eq(req_split_path(&r, path), JS_INVALID);
    /* Through req_fake a bad path becomes a 400 reply. */
    refake("GET", path, NULL);
    ck_assert_int_eq(r.reply.status, 400);
    ck_assert_str_eq(err_member("code"), "bad_request");
    refake("GET", "/a%zz?x=1", NULL);
    ck_assert_int_eq(r.reply.status, 400);
}
END_TEST

START_TEST(test_req_fake_uri)
{
    refake("HEAD", "/api/v1/items?x=1&y=2", NULL);
    ck_assert(r.head);
    ck_assert_str_eq(r.method, "HEAD");
    ck_assert_str_eq(r.path, "/api/v1/items");
    ck_assert_str_eq(r.query, "x=1&y=2");
    ck_assert_uint_eq(r.nsegments, 3);
    ck_assert_int_eq(r.reply.status, 0);
    ck_assert_str_eq(r.remote_addr, "127.0.0.1");
    refake("GET", "/x", NULL);
    ck_assert(!r.head);
    ck_assert_str_eq(r.query, "");
    ck_assert_ptr_null(r.body);
}
END_TEST

START_TEST(test_req_query_too_long)
{
    char *uri = arena_alloc(&a, REQ_MAX_QUERY + 8);

    memcpy(uri, "/q?", 3);
    memset(uri + 3, 'a', REQ_MAX_QUERY);
    uri[REQ_MAX_QUERY + 3] = '\0';
    refake("GET", uri, NULL);
    ck_assert_int_eq(r.reply.status, 0);
    uri[REQ_MAX_QUERY + 3] = 'a';
    uri[REQ_MAX_QUERY + 4] = '\0';
    refake("GET", uri, NULL);
    ck_assert_int_eq(r.reply.status, 400);
}
END_TEST

START_TEST(test_req_query)
{
    refake("GET", "/s?q=a+b%2Bc&q=second&flag&bad=%zz&%zz=1&&"
                  "k+1=v&empty=&=anon&nul=%00&last=x", NULL);
    ck_assert_int_eq(r.nqs, -1);        /* parsed lazily */
    ck_assert_str_eq(req_query(&r, "q"), "a b+c");      /* first wins */
    ck_assert_int_ge(r.nqs, 0);
    ck_assert_str_eq(req_query(&r, "flag"), "");
    ck_assert_ptr_null(req_query(&r, "bad"));
    ck_assert_ptr_null(req_query(&r, "%zz"));
    ck_assert_ptr_null(req_query(&r, "nul"));
    ck_assert_str_eq(req_query(&r, "k 1"), "v");
    ck_assert_str_eq(req_query(&r, "empty"), "");
    ck_assert_str_eq(req_query(&r, ""), "anon");
    ck_assert_str_eq(req_query(&r, "last"), "x");
    ck_assert_ptr_null(req_query(&r, "missing"));
    ck_assert_ptr_null(req_query(&r, "Q"));
    refake("GET", "/s", NULL);
    ck_assert_ptr_null(req_query(&r, "q"));
    refake("GET", "/s?", NULL);
    ck_assert_ptr_null(req_query(&r, "q"));
}
END_TEST

START_TEST(test_req_query_param_cap)
{
    char uri[2048], name[16];
    size_t o;

    o = (size_t)snprintf(uri, sizeof(uri), "/s?");
    for (int i = 0; i < REQ_MAX_QUERY_PARAMS + 10; i++)
        o += (size_t)snprintf(uri + o, sizeof(uri) - o, "p%d=%d&", i, i);
    refake("GET", uri, NULL);
    ck_assert_str_eq(req_query(&r, "p0"), "0");
    snprintf(name, sizeof(name), "p%d", REQ_MAX_QUERY_PARAMS - 1);
    ck_assert_ptr_nonnull(req_query(&r, name));
    snprintf(name, sizeof(name), "p%d", REQ_MAX_QUERY_PARAMS);
    ck_assert_ptr_null(req_query(&r, name));
    ck_assert_int_eq(r.nqs, REQ_MAX_QUERY_PARAMS);
}
END_TEST

START_TEST(test_req_cookies_and_env)
{
    char *env[] = {
        "HTTP_COOKIE=ab=5; a=6;b=7;  c=; d=x=y; 集=市",
        "HTTP_X=1", "HTTP_XY=2", NULL,
    };

    refake("GET", "/", env);
    ck_assert_str_eq(req_cookie(&r, "a"), "6");
    ck_assert_str_eq(req_cookie(&r, "ab"), "5");
    ck_assert_str_eq(req_cookie(&r, "b"), "7");
    ck_assert_str_eq(req_cookie(&r, "c"), "");
    ck_assert_str_eq(req_cookie(&r, "d"), "x=y");
    ck_assert_str_eq(req_cookie(&r, "集"), "市");
    ck_assert_ptr_null(req_cookie(&r, "x"));
    ck_assert_ptr_null(req_cookie(&r, "y"));
    ck_assert_str_eq(req_env(&r, "HTTP_X"), "1");
    ck_assert_str_eq(req_env(&r, "HTTP_XY"), "2");
    ck_assert_ptr_null(req_env(&r, "HTTP"));
    refake("GET", "/", NULL);
    ck_assert_ptr_null(req_cookie(&r, "a"));
    ck_assert_ptr_null(req_env(&r, "HTTP_X"));
}
END_TEST

START_TEST(test_req_query_int_or_400)
{
    int64_t v = -1;

    refake("GET", "/s?limit=25&neg=-3&bad=12x&big=101&blank=", NULL);
    ck_assert_int_eq(req_query_int_or_400(&r, "limit", 1, 100, 10, &v),
                     JS_OK);
    ck_assert_int_eq(v, 25);
    ck_assert_int_eq(req_query_int_or_400(&r, "neg", -5, 5, 0, &v), JS_OK);
    ck_assert_int_eq(v, -3);
    ck_assert_int_eq(req_query_int_or_400(&r, "absent", 1, 100, 10, &v),
                     JS_OK);
    ck_assert_int_eq(v, 10);
    ck_assert_int_eq(req_query_int_or_400(&r, "blank", 1, 100, 11, &v),
                     JS_OK);
    ck_assert_int_eq(v, 11);
    ck_assert_int_eq(r.reply.status, 0);

    ck_assert_int_eq(req_query_int_or_400(&r, "bad", 1, 100, 10, &v),
                     JS_REPLIED);
    ck_assert_int_eq(r.reply.status, 400);
    ck_assert_str_eq(err_member("field"), "bad");
    ck_assert_str_eq(err_member("code"), "bad_request");
    ck_assert_str_eq(err_member("message"),
                     "'bad' must be a whole number from 1 to 100");

    ck_assert_int_eq(req_query_int_or_400(&r, "big", 1, 100, 10, &v),
                     JS_REPLIED);
    ck_assert_str_eq(err_member("field"), "big");
}
END_TEST

START_TEST(test_req_param_id_or_404)
{
    static const char *const bad[] = {
        "0", "-1", "abc", "12abc", "", " 1",
        "9223372036854775808",
    };
    int64_t id = 0;

    r.nparams = 1;
    r.params[0].key = "id";
    r.params[0].val = "42";
    ck_assert_int_eq(req_param_id_or_404(&r, "id", &id), JS_OK);
    ck_assert_int_eq(id, 42);
    ck_assert_str_eq(req_param(&r, "id"), "42");
    ck_assert_ptr_null(req_param(&r, "other"));
    r.params[0].val = "9223372036854775807";
    ck_assert_int_eq(req_param_id_or_404(&r, "id", &id), JS_OK);
    ck_assert_int_eq(id, INT64_MAX);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        refake("GET", "/", NULL);
        r.nparams = 1;
        r.params[0].key = "id";
        r.params[0].val = bad[i];
        ck_assert_int_eq(req_param_id_or_404(&r, "id", &id), JS_REPLIED);
        ck_assert_int_eq(r.reply.status, 404);
        ck_assert_str_eq(err_member("code"), "not_found");
        ck_assert_ptr_null(err_member("field"));
    }
    refake("GET", "/", NULL);
    ck_assert_int_eq(req_param_id_or_404(&r, "id", &id), JS_REPLIED);
    ck_assert_int_eq(r.reply.status, 404);
}
END_TEST

Suite *
req_suite(void)
{
    Suite *s = suite_create("req");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_req_decode);
    tcase_add_test(tc, test_req_split_path);
    tcase_add_test(tc, test_req_split_path_many_segments);
    tcase_add_test(tc, test_req_path_length_limit);
    tcase_add_test(tc, test_req_fake_uri);
    tcase_add_test(tc, test_req_query_too_long);
    tcase_add_test(tc, test_req_query);
    tcase_add_test(tc, test_req_query_param_cap);
    tcase_add_test(tc, test_req_cookies_and_env);
    tcase_add_test(tc, test_req_query_int_or_400);
    tcase_add_test(tc, test_req_param_id_or_404);
    suite_add_tcase(s, tc);
    return s;
}
