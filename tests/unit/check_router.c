/*
 * check_router.c - the matcher on small tables of its own: what
 * router_init rejects, literal and :param matching, first match wins,
 * 404 versus 405 with the Allow list, HEAD served by GET routes.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "req.h"
#include "router.h"
#include "suites.h"
#include "util.h"

static int
h(struct req *r)
{
    (void)r;
    return JS_OK;
}

static const struct route table[] = {
    { "GET", "/", h, ACCESS_PUBLIC, 0 },
    { "GET", "/api/v1/products", h, ACCESS_PUBLIC, 0 },
    { "POST", "/api/v1/products", h, ACCESS_MERCHANT, ROUTE_JSON },
    { "GET", "/api/v1/products/new", h, ACCESS_PUBLIC, 0 },
    { "GET", "/api/v1/products/:id", h, ACCESS_PUBLIC, 0 },
    { "PUT", "/api/v1/products/:id", h, ACCESS_MERCHANT, ROUTE_JSON },
    { "DELETE", "/api/v1/products/:id", h, ACCESS_MERCHANT, 0 },
    { "GET", "/api/v1/shops/:shop/products/:id", h, ACCESS_PUBLIC, 0 },
    { "POST", "/api/v1/cart/items", h, ACCESS_GUEST, ROUTE_JSON },
    { NULL, NULL, NULL, ACCESS_UNSET, 0 }
};

static const struct conf conf;
static struct req r;
static char allow[64];

static void
setup(void)
{
    ck_assert_int_eq(router_init(table), 0);
    req_fake(&r, &conf, "GET", "/", NULL, NULL);
}

static void
teardown(void)
{
    req_finish(&r);
    router_release();
}

static int
match(const char *method, const char *uri)
{
    req_finish(&r);
    req_fake(&r, &conf, method, uri, NULL, NULL);
    ck_assert_int_eq(r.reply.status, 0);
    snprintf(allow, sizeof(allow), "junk");     /* must be overwritten */
    return router_match(table, &r, allow, sizeof(allow));
}

static int
init_bad(const struct route *t)
{
    int rc = router_init(t);

    router_release();
    return rc;
}

START_TEST(test_router_init_rejects)
{
    static const struct route no_access[] = {
        { "GET", "/a", h, ACCESS_PUBLIC, 0 },
        { "GET", "/b", h, ACCESS_UNSET, 0 },
        { NULL, NULL, NULL, ACCESS_UNSET, 0 }
    };
    static const struct route no_handler[] = {
        { "GET", "/a", NULL, ACCESS_PUBLIC, 0 },
        { NULL, NULL, NULL, ACCESS_UNSET, 0 }
    };
    static const struct route dup[] = {
        { "GET", "/a/:id", h, ACCESS_PUBLIC, 0 },
        { "POST", "/a/:id", h, ACCESS_PUBLIC, 0 },
        { "GET", "/a/:id", h, ACCESS_ADMIN, 0 },
        { NULL, NULL, NULL, ACCESS_UNSET, 0 }
    };
    static const struct route relative[] = {
        { "GET", "a/b", h, ACCESS_PUBLIC, 0 },
        { NULL, NULL, NULL, ACCESS_UNSET, 0 }
    };
    static const struct route too_long[] = {
        { "GET", "/1/2/3/4/5/6/7/8/9/10/11/12/13", h, ACCESS_PUBLIC, 0 },
        { NULL, NULL, NULL, ACCESS_UNSET, 0 }
    };
    static const struct route ok[] = {
        { "GET", "/1/2/3/4/5/6/7/8/9/10/11/12", h, ACCESS_PUBLIC, 0 },
        { "GET", "/a/:id", h, ACCESS_PUBLIC, 0 },
        { "POST", "/a/:id", h, ACCESS_PUBLIC, 0 },
        { NULL, NULL, NULL, ACCESS_UNSET, 0 }
    };
    static const struct route empty[] = {
        { NULL, NULL, NULL, ACCESS_UNSET, 0 }
    };

    ck_assert_int_eq(init_bad(no_access), -1);
    ck_assert_int_eq(init_bad(no_handler), -1);
    ck_assert_int_eq(init_bad(dup), -1);
    ck_assert_int_eq(init_bad(relative), -1);
    ck_assert_int_eq(init_bad(too_long), -1);
    ck_assert_int_eq(init_bad(ok), 0);
    ck_assert_int_eq(init_bad(empty), 0);
    /* The real table compiles. */
    ck_assert_int_eq(init_bad(routes), 0);
    ck_assert_uint_gt(routes_count(), 0);
    ck_assert_ptr_null(routes[routes_count()].method);
    /* Leave the fixture's table compiled for the teardown. */
    ck_assert_int_eq(router_init(table), 0);
}
END_TEST

START_TEST(test_router_literals_and_params)
{
    ck_assert_int_eq(match("GET", "/"), JS_OK);
    ck_assert_int_eq(r.route_index, 0);
    ck_assert_int_eq(match("GET", "/api/v1/products"), JS_OK);
    ck_assert_int_eq(r.route_index, 1);
    ck_assert_uint_eq(r.nparams, 0);
    ck_assert_int_eq(match("POST", "/api/v1/products/"), JS_OK);
    ck_assert_int_eq(r.route_index, 2);
    ck_assert_ptr_eq(r.route, &table[2]);

    ck_assert_int_eq(match("GET", "/api/v1/products/42"), JS_OK);
    ck_assert_int_eq(r.route_index, 4);
    ck_assert_uint_eq(r.nparams, 1);
    ck_assert_str_eq(req_param(&r, "id"), "42");
    ck_assert_int_eq(match("DELETE", "/api/v1/products/42"), JS_OK);
    ck_assert_int_eq(r.route_index, 6);
    ck_assert_str_eq(req_param(&r, "id"), "42");

    /* The earlier literal wins over a later :param. */
    ck_assert_int_eq(match("GET", "/api/v1/products/new"), JS_OK);
    ck_assert_int_eq(r.route_index, 3);
    ck_assert_uint_eq(r.nparams, 0);

    ck_assert_int_eq(match("GET", "/api/v1/shops/7/products/9"), JS_OK);
    ck_assert_int_eq(r.route_index, 7);
    ck_assert_uint_eq(r.nparams, 2);
    ck_assert_str_eq(req_param(&r, "shop"), "7");
    ck_assert_str_eq(req_param(&r, "id"), "9");

    /* Params are decoded; an encoded slash stays in one segment. */
    ck_assert_int_eq(match("GET", "/api/v1/products/a%2Fb?x=1"), JS_OK);
    ck_assert_str_eq(req_param(&r, "id"), "a/b");
    ck_assert_int_eq(match("GET", "/api//v1/products//5"), JS_OK);
    ck_assert_str_eq(req_param(&r, "id"), "5");
}
END_TEST

START_TEST(test_router_not_found)
{
    ck_assert_int_eq(match("GET", "/api"), JS_NOTFOUND);
    ck_assert_ptr_null(r.route);
    ck_assert_int_eq(r.route_index, -1);
    ck_assert_str_eq(allow, "");
    ck_assert_int_eq(match("GET", "/api/v1/product"), JS_NOTFOUND);
    ck_assert_int_eq(match("GET", "/api/v1/products/1/extra"),
                     JS_NOTFOUND);
    ck_assert_int_eq(match("GET", "/API/v1/products"), JS_NOTFOUND);
    ck_assert_int_eq(match("GET", "/api/v1/products%2F1"), JS_NOTFOUND);
    ck_assert_int_eq(match("PUT", "/nowhere"), JS_NOTFOUND);
}
END_TEST

START_TEST(test_router_method_not_allowed)
{
    ck_assert_int_eq(match("PATCH", "/api/v1/products/42"), JS_METHOD);
    ck_assert_str_eq(allow, "GET, HEAD, PUT, DELETE");
    ck_assert_ptr_null(r.route);
    ck_assert_int_eq(match("POST", "/api/v1/products/42"), JS_METHOD);
    ck_assert_str_eq(allow, "GET, HEAD, PUT, DELETE");
    ck_assert_int_eq(match("DELETE", "/api/v1/products"), JS_METHOD);
    ck_assert_str_eq(allow, "GET, HEAD, POST");
    /* No GET route: HEAD is not allowed either. */
    ck_assert_int_eq(match("GET", "/api/v1/cart/items"), JS_METHOD);
    ck_assert_str_eq(allow, "POST");
    ck_assert_int_eq(match("HEAD", "/api/v1/cart/items"), JS_METHOD);
    ck_assert_str_eq(allow, "POST");
    /* Method names are case-sensitive. */
    ck_assert_int_eq(match("get", "/"), JS_METHOD);
    ck_assert_str_eq(allow, "GET, HEAD");
    /* allow may be NULL. */
    ck_assert_int_eq(router_match(table, &r, NULL, 0), JS_METHOD);
}
END_TEST

START_TEST(test_router_head_uses_get)
{
    ck_assert_int_eq(match("HEAD", "/api/v1/products/5"), JS_OK);
    ck_assert_int_eq(r.route_index, 4);
    ck_assert_str_eq(r.route->method, "GET");
    ck_assert_str_eq(req_param(&r, "id"), "5");
    ck_assert_int_eq(match("HEAD", "/"), JS_OK);
    ck_assert_int_eq(r.route_index, 0);
}
END_TEST

Suite *
router_suite(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_router_init_rejects);
    tcase_add_test(tc, test_router_literals_and_params);
    tcase_add_test(tc, test_router_not_found);
    tcase_add_test(tc, test_router_method_not_allowed);
    tcase_add_test(tc, test_router_head_uses_get);
    suite_add_tcase(s, tc);
    return s;
}
