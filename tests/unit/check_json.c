/*
 * check_json.c - body parsing and getters: the depth limit at its edge,
 * trailing data, empty and truncated input, invalid UTF-8 and NUL bytes,
 * bare scalars, typed getters, and utf8_valid on boundary code points.
 *
 * Depth counts every value on the deepest path, a scalar leaf included
 * (json-c's measure): "[1]" is 2 deep, "[[1]]" 3, "[]" 1.
 */
#include "config.h"

#include <string.h>

#include "arena.h"
#include "json.h"
#include "suites.h"
#include "util.h"

static struct arena a;

static void
setup(void)
{
    arena_init(&a, 0);
}

static void
teardown(void)
{
    arena_release(&a);
}

static int
parse_n(const char *text, size_t len, unsigned depth, const char **why)
{
    json_object *o = (json_object *)1;
    int rc;

    *why = NULL;
    rc = json_parse(&a, text, len, depth, &o, why);
    if (rc == JS_OK) {
        ck_assert_ptr_null(*why);
    } else {
        ck_assert_ptr_null(o);
        ck_assert_ptr_nonnull(*why);
    }
    return rc;
}

static int
parse(const char *text, unsigned depth, const char **why)
{
    return parse_n(text, strlen(text), depth, why);
}

/* n levels: n-1 arrays around a scalar, alternating with objects. */
static char *
nested(unsigned n)
{
    char *s = arena_alloc(&a, 8 * n + 2);
    size_t o = 0;

    for (unsigned i = 1; i < n; i++) {
        if (i % 2) {
            s[o++] = '[';
        } else {
            memcpy(s + o, "{\"k\":", 5);
            o += 5;
        }
    }
    s[o++] = '7';
    for (unsigned i = n - 1; i >= 1; i--)
        s[o++] = i % 2 ? ']' : '}';
    s[o] = '\0';
    return s;
}

START_TEST(test_json_depth_limit_edge)
{
    const char *why;

    ck_assert_int_eq(parse("[[1]]", 3, &why), JS_OK);
    ck_assert_int_eq(parse("[[[1]]]", 3, &why), JS_INVALID);
    ck_assert_str_eq(why, "JSON nesting is too deep");
    ck_assert_int_eq(parse("{\"a\":{\"b\":true}}", 3, &why), JS_OK);
    ck_assert_int_eq(parse("{\"a\":{\"b\":{\"c\":1}}}", 3, &why),
                     JS_INVALID);
    for (unsigned max = 2; max <= 40; max++) {
        ck_assert_int_eq(parse(nested(max), max, &why), JS_OK);
        ck_assert_int_eq(parse(nested(max + 1), max, &why), JS_INVALID);
        ck_assert_str_eq(why, "JSON nesting is too deep");
    }
}
END_TEST

START_TEST(test_json_trailing_garbage)
{
    const char *why;

    ck_assert_int_eq(parse("{} \t\r\n", 4, &why), JS_OK);
    ck_assert_int_eq(parse("{} x", 4, &why), JS_INVALID);
    ck_assert_int_eq(parse("{}{}", 4, &why), JS_INVALID);
    ck_assert_int_eq(parse("[1]]", 4, &why), JS_INVALID);
    ck_assert_int_eq(parse("\"a\" \"b\"", 4, &why), JS_INVALID);
    ck_assert_int_eq(parse("1 2", 4, &why), JS_INVALID);
    /* Form feed is not JSON whitespace. */
    ck_assert_int_eq(parse("{}\f", 4, &why), JS_INVALID);
}
END_TEST

START_TEST(test_json_empty_and_truncated)
{
    const char *why;

    ck_assert_int_eq(parse("", 4, &why), JS_INVALID);
    ck_assert_str_eq(why, "request body is empty");
    ck_assert_int_eq(parse("   ", 4, &why), JS_INVALID);
    ck_assert_int_eq(parse("{\"a\":", 4, &why), JS_INVALID);
    ck_assert_str_eq(why, "JSON ends too early");
    ck_assert_int_eq(parse("[1,", 4, &why), JS_INVALID);
    ck_assert_int_eq(parse("\"abc", 4, &why), JS_INVALID);
    ck_assert_int_eq(parse("tru", 4, &why), JS_INVALID);
    ck_assert_int_eq(parse("{\"a\" 1}", 4, &why), JS_INVALID);
    ck_assert_str_eq(why, "malformed JSON");
}
END_TEST

START_TEST(test_json_strict)
{
    const char *why;

    ck_assert_int_eq(parse("[1,]", 4, &why), JS_INVALID);
    ck_assert_int_eq(parse("['a']", 4, &why), JS_INVALID);
    ck_assert_int_eq(parse("{\"a\":'b'}", 4, &why), JS_INVALID);
    ck_assert_int_eq(parse("{a:1}", 4, &why), JS_INVALID);
    ck_assert_int_eq(parse("[01]", 4, &why), JS_INVALID);
}
END_TEST

START_TEST(test_json_bare_scalars)
{
    json_object *o;
    const char *why;

    /* A number at the very end of the input is a complete value. */
    ck_assert_int_eq(json_parse(&a, "42", 2, 4, &o, &why), JS_OK);
    ck_assert_int_eq(json_object_get_int64(o), 42);
    ck_assert_int_eq(json_parse(&a, "-2.5", 4, 4, &o, &why), JS_OK);
    ck_assert(json_object_is_type(o, json_type_double));
    ck_assert_int_eq(json_parse(&a, "true", 4, 4, &o, &why), JS_OK);
    ck_assert(json_object_get_boolean(o));
    ck_assert_int_eq(json_parse(&a, "\"s\"", 3, 4, &o, &why), JS_OK);
    ck_assert_str_eq(json_object_get_string(o), "s");
    /* len bounds the input: what follows it is not read. */
    ck_assert_int_eq(json_parse(&a, "12345", 2, 4, &o, &why), JS_OK);
    ck_assert_int_eq(json_object_get_int64(o), 12);
    ck_assert_int_eq(parse("12e", 4, &why), JS_INVALID);
    ck_assert_int_eq(parse("-", 4, &why), JS_INVALID);
}
END_TEST

START_TEST(test_json_invalid_utf8)
{
    static const char *const bad[] = {
        "\"\xc0\xaf\"",                 /* overlong '/' */
        "\"\xe0\x80\xaf\"",             /* overlong, 3 bytes */
        "\"\xf0\x80\x80\xaf\"",         /* overlong, 4 bytes */
        "\"\xed\xa0\x80\"",             /* high surrogate */
        "\"\xed\xbf\xbf\"",             /* low surrogate */
        "\"\xf4\x90\x80\x80\"",         /* beyond U+10FFFF */
        "\"\xe4\xb8\"",                 /* truncated */
        "\"\x80\"",                     /* lone continuation */
        "\"\xff\"",
        "{\"k\xe9y\":1}",               /* Latin-1 in a key */
    };
    const char *why;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(parse(bad[i], 4, &why), JS_INVALID);
        ck_assert_str_eq(why, "request body is not valid UTF-8");
    }
    /* Truncated at the very end of the body. */
    ck_assert_int_eq(parse("\"\xe9\x9b\x86\"\xe9\x9b", 4, &why), JS_INVALID);
}
END_TEST

START_TEST(test_json_nul_bytes)
{
    const char *why;

    ck_assert_int_eq(parse_n("{\"a\":1}\0", 8, 4, &why), JS_INVALID);
    ck_assert_int_eq(parse_n("\"a\0b\"", 5, 4, &why), JS_INVALID);
    ck_assert_int_eq(parse_n("\0", 1, 4, &why), JS_INVALID);
    /* An escaped NUL is data, not a NUL byte in the text. */
    ck_assert_int_eq(parse("\"a\\u0000b\"", 4, &why), JS_OK);
}
END_TEST

START_TEST(test_json_utf8_roundtrip_and_arena)
{
    json_object *o;
    const char *why, *s, *out;
    size_t len;
    static const char doc[] = "{\"名\":\"集市 😀 a/b\"}";

    ck_assert_int_eq(json_parse(&a, doc, strlen(doc), 4, &o, &why), JS_OK);
    ck_assert_int_eq(json_get_string(o, "名", &s), JS_OK);
    ck_assert_str_eq(s, "集市 😀 a/b");
    out = json_to_string(&a, o, &len);
    ck_assert_str_eq(out, "{\"名\":\"集市 😀 a/b\"}");
    ck_assert_uint_eq(len, strlen(out));
    /* The arena releases the document (valgrind checks). */
    arena_reset(&a);
    ck_assert_ptr_null(a.cleanups);
}
END_TEST

START_TEST(test_json_getters)
{
    json_object *o;
    const char *why, *s = "unset";
    int64_t n = 99;
    bool b = false;
    static const char doc[] =
        "{\"s\":\"x\",\"i\":42,\"neg\":-3,\"d\":1.5,\"b\":true,\"n\":null,"
        "\"big\":9223372036854775807,\"huge\":99999999999999999999,"
        "\"small\":-9223372036854775808,\"si\":\"5\",\"arr\":[1]}";

    ck_assert_int_eq(json_parse(&a, doc, strlen(doc), 4, &o, &why), JS_OK);

    ck_assert_int_eq(json_get_string(o, "s", &s), JS_OK);
    ck_assert_str_eq(s, "x");
    ck_assert_int_eq(json_get_string(o, "missing", &s), JS_NOTFOUND);
    ck_assert_int_eq(json_get_string(o, "n", &s), JS_NOTFOUND);
    ck_assert_int_eq(json_get_string(o, "i", &s), JS_INVALID);
    ck_assert_int_eq(json_get_string(o, "arr", &s), JS_INVALID);
    ck_assert_str_eq(s, "x");           /* untouched on failure */

    ck_assert_int_eq(json_get_int64(o, "i", 0, 100, &n), JS_OK);
    ck_assert_int_eq(n, 42);
    ck_assert_int_eq(json_get_int64(o, "i", 42, 42, &n), JS_OK);
    ck_assert_int_eq(json_get_int64(o, "i", 43, 100, &n), JS_INVALID);
    ck_assert_int_eq(json_get_int64(o, "i", 0, 41, &n), JS_INVALID);
    ck_assert_int_eq(json_get_int64(o, "neg", -3, 0, &n), JS_OK);
    ck_assert_int_eq(n, -3);
    ck_assert_int_eq(json_get_int64(o, "neg", 0, 10, &n), JS_INVALID);
    ck_assert_int_eq(json_get_int64(o, "d", 0, 10, &n), JS_INVALID);
    ck_assert_int_eq(json_get_int64(o, "si", 0, 10, &n), JS_INVALID);
    ck_assert_int_eq(json_get_int64(o, "b", 0, 10, &n), JS_INVALID);
    ck_assert_int_eq(json_get_int64(o, "big", INT64_MIN, INT64_MAX, &n),
                     JS_INVALID);
    ck_assert_int_eq(json_get_int64(o, "huge", INT64_MIN, INT64_MAX, &n),
                     JS_INVALID);
    ck_assert_int_eq(json_get_int64(o, "small", INT64_MIN, INT64_MAX, &n),
                     JS_INVALID);
    ck_assert_int_eq(json_get_int64(o, "n", 0, 10, &n), JS_NOTFOUND);
    ck_assert_int_eq(json_get_int64(o, "zz", 0, 10, &n), JS_NOTFOUND);
    ck_assert_int_eq(n, -3);

    ck_assert_int_eq(json_get_bool(o, "b", &b), JS_OK);
    ck_assert(b);
    ck_assert_int_eq(json_get_bool(o, "i", &b), JS_INVALID);
    ck_assert_int_eq(json_get_bool(o, "s", &b), JS_INVALID);
    ck_assert_int_eq(json_get_bool(o, "n", &b), JS_NOTFOUND);

    /* Not an object at all. */
    ck_assert_int_eq(json_get_string(NULL, "s", &s), JS_NOTFOUND);
    ck_assert_int_eq(json_get_string(json_object_object_get(o, "arr"),
                                     "s", &s), JS_NOTFOUND);
}
END_TEST

START_TEST(test_json_constructors)
{
    json_object *o = json_str(NULL);

    ck_assert_str_eq(json_object_get_string(o), "");
    json_object_put(o);
    o = json_strn("ab\0cd", 5);
    ck_assert_int_eq(json_object_get_string_len(o), 5);
    json_object_put(o);
    o = json_int(INT64_MIN);
    ck_assert_int_eq(json_object_get_int64(o), INT64_MIN);
    json_object_put(o);
    ck_assert_ptr_null(json_arena_own(&a, NULL));
}
END_TEST

#define VALID(s) ck_assert_msg(utf8_valid(s, sizeof(s) - 1), "%s", #s)
#define INVALID(s) ck_assert_msg(!utf8_valid(s, sizeof(s) - 1), "%s", #s)

START_TEST(test_utf8_valid_boundaries)
{
    VALID("");
    VALID("plain ascii \x7f");
    VALID("\xc2\x80");                  /* U+0080 */
    VALID("\xdf\xbf");                  /* U+07FF */
    VALID("\xe0\xa0\x80");              /* U+0800 */
    VALID("\xed\x9f\xbf");              /* U+D7FF */
    VALID("\xee\x80\x80");              /* U+E000 */
    VALID("\xef\xbf\xbf");              /* U+FFFF */
    VALID("\xf0\x90\x80\x80");          /* U+10000 */
    VALID("\xf4\x8f\xbf\xbf");          /* U+10FFFF */
    VALID("集市");

    INVALID("\xc0\x80");                /* overlong NUL */
    INVALID("\xc1\xbf");
    INVALID("\xe0\x9f\xbf");
    INVALID("\xf0\x8f\xbf\xbf");
    INVALID("\xed\xa0\x80");            /* U+D800 */
    INVALID("\xed\xbf\xbf");            /* U+DFFF */
    INVALID("\xf4\x90\x80\x80");        /* U+110000 */
    INVALID("\xf5\x80\x80\x80");
    INVALID("\xe4\xb8");                /* truncated */
    INVALID("\xe4");
    INVALID("\xe4\x41\x8d");            /* bad continuation */
    INVALID("\x80");
    INVALID("\xfe");
    INVALID("a\0b");

    /* Only len bytes are looked at. */
    ck_assert(utf8_valid("ab\xff", 2));
    ck_assert(!utf8_valid("\xe9\x9b\x86", 2));
}
END_TEST

Suite *
json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_json_depth_limit_edge);
    tcase_add_test(tc, test_json_trailing_garbage);
    tcase_add_test(tc, test_json_empty_and_truncated);
    tcase_add_test(tc, test_json_strict);
    tcase_add_test(tc, test_json_bare_scalars);
    tcase_add_test(tc, test_json_invalid_utf8);
    tcase_add_test(tc, test_json_nul_bytes);
    tcase_add_test(tc, test_json_utf8_roundtrip_and_arena);
    tcase_add_test(tc, test_json_getters);
    tcase_add_test(tc, test_json_constructors);
    tcase_add_test(tc, test_utf8_valid_boundaries);
    suite_add_tcase(s, tc);
    return s;
}
