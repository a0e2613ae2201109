/*
 * check_reply.c - the one error path and the wire format: every JS_* code
 * to its status and code string, the error body's shape, and
 * reply_serialize's status line, headers, Content-Length and body rules.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "conf.h"
#include "reply.h"
#include "req.h"
#include "strbuf.h"
#include "suites.h"
#include "util.h"

static const struct conf conf;
static struct req r;

static void
setup(void)
{
    req_fake(&r, &conf, "GET", "/", NULL, NULL);
}

static void
teardown(void)
{
    req_finish(&r);
}

static void
refake(const char *method)
{
    req_finish(&r);
    req_fake(&r, &conf, method, "/", NULL, NULL);
}

/* Serialize r and compare with want. */
static void
assert_wire(const char *want)
{
    struct strbuf out = STRBUF_INIT;

    reply_serialize(&r, &out);
    ck_assert_str_eq(out.buf, want);
    strbuf_release(&out);
}

START_TEST(test_reply_codes)
{
    static const struct {
        int err, status;
        const char *code, *reason;
    } cases[] = {
        { JS_OK, 200, "ok", "OK" },
        { JS_ERR, 500, "internal", "Internal Server Error" },
        { JS_INVALID, 400, "bad_request", "Bad Request" },
        { JS_UNAUTHORIZED, 401, "unauthorized", "Unauthorized" },
        { JS_FORBIDDEN, 403, "forbidden", "Forbidden" },
        { JS_NOTFOUND, 404, "not_found", "Not Found" },
        { JS_METHOD, 405, "method_not_allowed", "Method Not Allowed" },
        { JS_CONFLICT, 409, "conflict", "Conflict" },
        { JS_TOOLARGE, 413, "payload_too_large", "Payload Too Large" },
        { JS_MEDIATYPE, 415, "unsupported_media_type",
          "Unsupported Media Type" },
        { JS_UNPROCESSABLE, 422, "unprocessable", "Unprocessable Content" },
        { JS_RATELIMIT, 429, "rate_limited", "Too Many Requests" },
        { JS_UNAVAILABLE, 503, "unavailable", "Service Unavailable" },
        /* Not an error to report: falls back to 500. */
        { JS_REPLIED, 500, "internal", "Internal Server Error" },
        { -99, 500, "internal", "Internal Server Error" },
        { 7, 500, "internal", "Internal Server Error" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_assert_int_eq(reply_status_for(cases[i].err), cases[i].status);
        ck_assert_str_eq(reply_code_for(cases[i].err), cases[i].code);
        ck_assert_str_eq(reply_reason(cases[i].status), cases[i].reason);
    }
    ck_assert_str_eq(reply_reason(201), "Created");
    ck_assert_str_eq(reply_reason(204), "No Content");
    ck_assert_str_eq(reply_reason(304), "Not Modified");
    ck_assert_str_eq(reply_reason(418), "Unknown");
}
END_TEST

/* Parse the body; check it is exactly {"error":{...}} and return error. */
static json_object *
error_object(json_object **root)
{
    json_object *e;

    *root = json_tokener_parse(r.reply.body.buf);
    ck_assert_ptr_nonnull(*root);
    ck_assert_int_eq(json_object_object_length(*root), 1);
    ck_assert(json_object_object_get_ex(*root, "error", &e));
    ck_assert(json_object_is_type(e, json_type_object));
    return e;
}

static const char *
member(json_object *o, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v))
        return NULL;
    ck_assert(json_object_is_type(v, json_type_string));
    return json_object_get_string(v);
}

START_TEST(test_reply_err_shape)
{
    json_object *root, *e;

    reply_header(&r, "X-Dropped", "1");
    ck_assert_int_eq(reply_err(&r, JS_INVALID, "qty",
                               "'%s' must be at most %d", "qty", 99),
                     JS_REPLIED);
    ck_assert_int_eq(r.reply.status, 400);
    ck_assert_str_eq(r.reply.content_type,
                     "application/json; charset=utf-8");
    ck_assert_uint_eq(r.reply.nheaders, 0);
    e = error_object(&root);
    ck_assert_int_eq(json_object_object_length(e), 3);
    ck_assert_str_eq(member(e, "code"), "bad_request");
    ck_assert_str_eq(member(e, "message"), "'qty' must be at most 99");
    ck_assert_str_eq(member(e, "field"), "qty");
    json_object_put(root);

    /* No field: the member is absent, not null. */
    reply_err(&r, JS_CONFLICT, NULL, "sku '%s' is taken", "A\"1\\\n");
    ck_assert_int_eq(r.reply.status, 409);
    e = error_object(&root);
    ck_assert_int_eq(json_object_object_length(e), 2);
    ck_assert_str_eq(member(e, "code"), "conflict");
    ck_assert_str_eq(member(e, "message"), "sku 'A\"1\\\n' is taken");
    ck_assert_ptr_null(member(e, "field"));
    json_object_put(root);
}
END_TEST

START_TEST(test_reply_err_invalid_utf8_message)
{
    json_object *root, *e;

    reply_err(&r, JS_NOTFOUND, NULL, "product '%s' not found", "\xff\xfe");
    e = error_object(&root);
    ck_assert_str_eq(member(e, "message"), "invalid input");
    json_object_put(root);
    reply_err(&r, JS_NOTFOUND, NULL, "店铺 '%s' not found", "集市");
    e = error_object(&root);
    ck_assert_str_eq(member(e, "message"), "店铺 '集市' not found");
    json_object_put(root);
}
END_TEST

START_TEST(test_reply_serialize_json)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "url", json_object_new_string("a/b"));
    reply_json(&r, 201, o);
    reply_header(&r, "Location", "/x/1");
    assert_wire("Status: 201 Created\r\n"
                "Content-Type: application/json; charset=utf-8\r\n"
                "Location: /x/1\r\n"
                "Content-Length: 13\r\n"
                "\r\n"
                "{\"url\":\"a/b\"}");
}
END_TEST

START_TEST(test_reply_serialize_default_status)
{
    assert_wire("Status: 200 OK\r\nContent-Length: 0\r\n\r\n");
}
END_TEST

START_TEST(test_reply_serialize_head)
{
    refake("HEAD");
    reply_raw(&r, 200, "text/plain", "hello", 5);
    assert_wire("Status: 200 OK\r\nContent-Type: text/plain\r\n"
                "Content-Length: 5\r\n\r\n");
}
END_TEST

START_TEST(test_reply_serialize_no_body_statuses)
{
    reply_raw(&r, 204, NULL, "ignored", 7);
    assert_wire("Status: 204 No Content\r\n\r\n");
    reply_raw(&r, 304, NULL, "ignored", 7);
    reply_header(&r, "ETag", "\"v1\"");
    assert_wire("Status: 304 Not Modified\r\nETag: \"v1\"\r\n\r\n");
}
END_TEST

START_TEST(test_reply_raw_copies)
{
    char body[] = "a\0b";

    reply_raw(&r, 404, "text/plain", body, 3);
    body[0] = 'X';
    ck_assert_uint_eq(r.reply.body.len, 3);
    ck_assert_int_eq(memcmp(r.reply.body.buf, "a\0b", 3), 0);
    /* A second reply replaces the body, it does not append. */
    reply_raw(&r, 200, "text/plain", "ok", 2);
    assert_wire("Status: 200 OK\r\nContent-Type: text/plain\r\n"
                "Content-Length: 2\r\n\r\nok");
}
END_TEST

Suite *
reply_suite(void)
{
    Suite *s = suite_create("reply");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_reply_codes);
    tcase_add_test(tc, test_reply_err_shape);
    tcase_add_test(tc, test_reply_err_invalid_utf8_message);
    tcase_add_test(tc, test_reply_serialize_json);
    tcase_add_test(tc, test_reply_serialize_default_status);
    tcase_add_test(tc, test_reply_serialize_head);
    tcase_add_test(tc, test_reply_serialize_no_body_statuses);
    tcase_add_test(tc, test_reply_raw_copies);
    suite_add_tcase(s, tc);
    return s;
}
