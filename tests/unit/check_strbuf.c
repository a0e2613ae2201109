/*
 * check_strbuf.c - the growable buffer: growth through add/addf, reset
 * and release, and JSON string escaping checked against json-c.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "strbuf.h"
#include "suites.h"
#include "util.h"

START_TEST(test_strbuf_init_is_empty_string)
{
    struct strbuf sb = STRBUF_INIT;

    ck_assert_ptr_nonnull(sb.buf);
    ck_assert_str_eq(sb.buf, "");
    ck_assert_uint_eq(sb.len, 0);
    strbuf_reset(&sb);          /* must not write to the shared empty */
    strbuf_release(&sb);
    ck_assert_str_eq(sb.buf, "");
}
END_TEST

START_TEST(test_strbuf_add_grows)
{
    struct strbuf sb = STRBUF_INIT;
    size_t i;

    for (i = 0; i < 10000; i++) {
        strbuf_addch(&sb, (char)('a' + i % 26));
        ck_assert_uint_ge(sb.alloc, sb.len + 1);
    }
    ck_assert_uint_eq(sb.len, 10000);
    ck_assert_uint_eq(strlen(sb.buf), 10000);
    for (i = 0; i < 10000; i++)
        ck_assert_int_eq(sb.buf[i], 'a' + i % 26);
    strbuf_add(&sb, "x\0y", 3);
    ck_assert_uint_eq(sb.len, 10003);
    ck_assert_int_eq(sb.buf[10001], '\0');
    ck_assert_int_eq(sb.buf[10002], 'y');
    ck_assert_int_eq(sb.buf[10003], '\0');
    strbuf_release(&sb);
    ck_assert_uint_eq(sb.len, 0);
    ck_assert_uint_eq(sb.alloc, 0);
}
END_TEST

START_TEST(test_strbuf_addf_grows)
{
    struct strbuf sb = STRBUF_INIT;
    char big[5001];

    memset(big, 'q', 5000);
    big[5000] = '\0';
    strbuf_addf(&sb, "%d:", 7);
    strbuf_addf(&sb, "%s", "");
    ck_assert_str_eq(sb.buf, "7:");
    strbuf_addf(&sb, "[%s]", big);
    ck_assert_uint_eq(sb.len, 5004);
    ck_assert_uint_eq(strlen(sb.buf), 5004);
    ck_assert_int_eq(sb.buf[2], '[');
    ck_assert_int_eq(sb.buf[5003], ']');
    strbuf_adds(&sb, "!");
    ck_assert_int_eq(sb.buf[5004], '!');
    strbuf_reset(&sb);
    ck_assert_str_eq(sb.buf, "");
    ck_assert_uint_gt(sb.alloc, 5000);   /* reset keeps the memory */
    strbuf_addf(&sb, "%s-%u", "z", 9u);
    ck_assert_str_eq(sb.buf, "z-9");
    strbuf_release(&sb);
}
END_TEST

static void
assert_json_str(const char *in, const char *want)
{
    struct strbuf sb = STRBUF_INIT;

    strbuf_add_json_str(&sb, in);
    ck_assert_str_eq(sb.buf, want);
    strbuf_release(&sb);
}

START_TEST(test_strbuf_json_escapes)
{
    assert_json_str("", "\"\"");
    assert_json_str("plain", "\"plain\"");
    assert_json_str("say \"hi\"", "\"say \\\"hi\\\"\"");
    assert_json_str("a\\b", "\"a\\\\b\"");
    assert_json_str("l1\nl2\r\t", "\"l1\\nl2\\r\\t\"");
    assert_json_str("\x01\x1f\b\f", "\"\\u0001\\u001f\\u0008\\u000c\"");
    assert_json_str("</script>", "\"</script>\"");
    assert_json_str("\x7f", "\"\x7f\"");
    assert_json_str("集市 😀", "\"集市 😀\"");
}
END_TEST

START_TEST(test_strbuf_json_roundtrip)
{
    struct strbuf sb = STRBUF_INIT;
    char in[160];
    size_t n = 0;
    json_object *o;

    /* Every ASCII byte but NUL, then multi-byte UTF-8. */
    for (int c = 1; c < 128; c++)
        in[n++] = (char)c;
    memcpy(in + n, "集市é😀", sizeof("集市é😀"));
    strbuf_add_json_str(&sb, in);
    o = json_tokener_parse(sb.buf);
    ck_assert_ptr_nonnull(o);
    ck_assert(json_object_is_type(o, json_type_string));
    ck_assert_str_eq(json_object_get_string(o), in);
    json_object_put(o);
    strbuf_release(&sb);
}
END_TEST

/* strbuf_add_json_str: whatever the text, a JSON parser reads it back as is. */
START_TEST(test_strbuf_json_hostile_and_null)
{
    static const char *const texts[] = {
        "", "plain", "a\"b", "\\", "\\\"", "</script>", "line\nbreak\r\t",
        "\x01\x02\x1f\x7f", "\xe8\x93\x9d\xe7\x89\x99 \xf0\x9f\x98\x80",
        "\xe2\x80\xa8", "\"; DROP TABLE x; --", "{\"k\":1}",
    };

    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        struct strbuf sb;
        json_object *back;

        strbuf_init(&sb);
        strbuf_addch(&sb, '[');
        strbuf_add_json_str(&sb, texts[i]);
        strbuf_adds(&sb, ",");
        strbuf_add_json_str(&sb, NULL);
        strbuf_addch(&sb, ']');
        back = json_tokener_parse(sb.buf);
        ck_assert_msg(back != NULL, "text %zu: %s", i, sb.buf);
        ck_assert_str_eq(json_object_get_string(
                             json_object_array_get_idx(back, 0)), texts[i]);
        ck_assert_ptr_null(json_object_array_get_idx(back, 1));
        for (size_t k = 0; k < sb.len; k++)
            ck_assert_msg((unsigned char)sb.buf[k] >= 0x20,
                          "a raw control byte in %s", sb.buf);
        json_object_put(back);
        strbuf_release(&sb);
    }
}
END_TEST

START_TEST(test_strbuf_add_int)
{
    struct strbuf sb = STRBUF_INIT;

    strbuf_add_int(&sb, 0);
    strbuf_addch(&sb, ' ');
    strbuf_add_int(&sb, -42);
    strbuf_addch(&sb, ' ');
    strbuf_add_int(&sb, 9223372036854775807LL);
    strbuf_addch(&sb, ' ');
    strbuf_add_int(&sb, -9223372036854775807LL - 1);
    ck_assert_str_eq(sb.buf, "0 -42 9223372036854775807 "
                             "-9223372036854775808");
    strbuf_release(&sb);
}
END_TEST

Suite *
strbuf_suite(void)
{
    Suite *s = suite_create("strbuf");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_strbuf_init_is_empty_string);
    tcase_add_test(tc, test_strbuf_add_grows);
    tcase_add_test(tc, test_strbuf_addf_grows);
    tcase_add_test(tc, test_strbuf_json_escapes);
    tcase_add_test(tc, test_strbuf_json_roundtrip);
    tcase_add_test(tc, test_strbuf_json_hostile_and_null);
    tcase_add_test(tc, test_strbuf_add_int);
    suite_add_tcase(s, tc);
    return s;
}
