/*
 * check_payment.c - the pure parts of payments: the Jishi-Signature
 * header (parsing: missing parts, duplicates, garbage, huge values),
 * the HMAC against a vector computed independently (Python's hmac),
 * verification, the freshness window at its edges, sandbox references,
 * and the webhook client's URL and status-line parsers (httpc).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "httpc.h"
#include "payment.h"
#include "suites.h"
#include "util.h"

#define SECRET "whsec_test_0123456789abcdef"
#define BODY "{\"id\":\"evt_1\"}"
/* python3: hmac.new(SECRET, b'1700000000.' + BODY, sha256).hexdigest() */
#define MAC_HEX \
    "950d8e5fabb3af089049297d5e94a2a84e25776792dfb61711758872d45f2336"
/* the same over an empty body */
#define MAC_EMPTY_HEX \
    "814e706027d44b6013448b27b12c76ad281f72d11fcf05d71e1ef85b69465064"
#define T0 1700000000
#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"

static int
parse(const char *h, struct payment_sig *sig)
{
    const char *why = NULL;
    int rc = payment_sig_parse(h, sig, &why);

    if (rc)
        ck_assert_ptr_nonnull(why);
    return rc;
}

START_TEST(test_parse_good)
{
    struct payment_sig sig;

    ck_assert_int_eq(parse("t=1700000000,v1=" MAC_HEX, &sig), JS_OK);
    ck_assert_int_eq(sig.t, T0);
    ck_assert_uint_eq(sig.nv1, 1);
    ck_assert_uint_eq(sig.v1[0][0], 0x95);
    ck_assert_uint_eq(sig.v1[0][31], 0x36);
    /* any order, blanks around parts, unknown keys ignored */
    ck_assert_int_eq(parse(" v0=abc , v1=" MAC_HEX " ,t=1700000000 ", &sig),
                     JS_OK);
    ck_assert_int_eq(sig.t, T0);
    ck_assert_uint_eq(sig.nv1, 1);
    /* several v1 (rotating secrets), upper-case hex */
    ck_assert_int_eq(parse("t=5,v1=" ZEROS ",v1=" MAC_HEX, &sig), JS_OK);
    ck_assert_uint_eq(sig.nv1, 2);
    ck_assert_int_eq(parse("t=5,v1=950D8E5FABB3AF089049297D5E94A2A84E2577"
                           "6792DFB61711758872D45F2336", &sig), JS_OK);
    ck_assert_uint_eq(sig.v1[0][0], 0x95);
}
END_TEST

START_TEST(test_parse_missing_parts)
{
    struct payment_sig sig;

    ck_assert_int_eq(parse(NULL, &sig), JS_INVALID);
    ck_assert_int_eq(parse("", &sig), JS_INVALID);
    ck_assert_int_eq(parse("t=1700000000", &sig), JS_INVALID);
    ck_assert_int_eq(parse("v1=" MAC_HEX, &sig), JS_INVALID);
    ck_assert_int_eq(parse("t=,v1=" MAC_HEX, &sig), JS_INVALID);
    ck_assert_int_eq(parse("t=1700000000,v1=", &sig), JS_INVALID);
    ck_assert_int_eq(parse("t=1700000000,,v1=" MAC_HEX, &sig), JS_INVALID);
    ck_assert_int_eq(parse("t=1700000000,v1=" MAC_HEX ",", &sig),
                     JS_INVALID);
    ck_assert_int_eq(parse(",", &sig), JS_INVALID);
}
END_TEST

START_TEST(test_parse_duplicates)
{
    struct payment_sig sig;

    ck_assert_int_eq(parse("t=1700000000,t=1700000000,v1=" MAC_HEX, &sig),
                     JS_INVALID);
    ck_assert_int_eq(parse("t=1,v1=" ZEROS ",v1=" ZEROS ",v1=" ZEROS
                           ",v1=" ZEROS, &sig), JS_OK);
    ck_assert_uint_eq(sig.nv1, PAYMENT_SIG_MAX_V1);
    ck_assert_int_eq(parse("t=1,v1=" ZEROS ",v1=" ZEROS ",v1=" ZEROS
                           ",v1=" ZEROS ",v1=" ZEROS, &sig), JS_INVALID);
}
END_TEST

START_TEST(test_parse_garbage)
{
    static const char *const bad[] = {
        "garbage",
        "t1700000000,v1=" MAC_HEX,
        "=1,t=1700000000,v1=" MAC_HEX,
        "t=-1700000000,v1=" MAC_HEX,
        "t=+1700000000,v1=" MAC_HEX,
        "t=01700000000,v1=" MAC_HEX,
        "t=17000x0000,v1=" MAC_HEX,
        "t=1700000000.5,v1=" MAC_HEX,
        "t=1700000000,v1=" MAC_HEX "00",
        "t=1700000000,v1=" "950d8e5f",
        "t=1700000000,v1=zz0d8e5fabb3af089049297d5e94a2a84e25776792dfb617117"
        "58872d45f2336",
        "t=1700000000;v1=" MAC_HEX,
        "t=1700000000,v1=" "950d8e5fabb3af089049297d5e94a2a8 4e25776792dfb61"
        "711758872d45f2336",
    };
    struct payment_sig sig;

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        ck_assert_msg(parse(bad[i], &sig) == JS_INVALID, "accepted '%s'",
                      bad[i]);
}
END_TEST

START_TEST(test_parse_huge)
{
    struct payment_sig sig;
    char big[4096];

    /* a timestamp of 13 digits, and one that would overflow int64 */
    ck_assert_int_eq(parse("t=1700000000000,v1=" MAC_HEX, &sig), JS_INVALID);
    ck_assert_int_eq(parse("t=99999999999999999999999,v1=" MAC_HEX, &sig),
                     JS_INVALID);
    ck_assert_int_eq(parse("t=999999999999,v1=" MAC_HEX, &sig), JS_OK);
    ck_assert_int_eq(sig.t, 999999999999LL);
    /* a header past the limit, even made of valid parts */
    memset(big, 0, sizeof(big));
    strcpy(big, "t=1700000000"); /* checksrc: allow strcpy */
    while (strlen(big) + 68 < sizeof(big) - 1)
        strncat(big, ",v0=" ZEROS, sizeof(big) - strlen(big) - 1);
    ck_assert_int_eq(parse(big, &sig), JS_INVALID);
}
END_TEST

START_TEST(test_mac_vector)
{
    unsigned char mac[32];
    char hex[65], header[PAYMENT_SIG_HEADER_MAX];

    payment_sig_mac(SECRET, T0, BODY, strlen(BODY), mac);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    ck_assert_str_eq(hex, MAC_HEX);
    payment_sig_mac(SECRET, T0, "", 0, mac);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    ck_assert_str_eq(hex, MAC_EMPTY_HEX);
    payment_sig_header(SECRET, T0, BODY, strlen(BODY), header);
    ck_assert_str_eq(header, "t=1700000000,v1=" MAC_HEX);
}
END_TEST

static int
verify(const char *secret, const char *h, const char *body, int64_t now)
{
    const char *why = NULL;
    int rc = payment_sig_verify(secret, h, body, strlen(body), now, &why);

    if (rc)
        ck_assert_ptr_nonnull(why);
    return rc;
}

START_TEST(test_verify)
{
    const char *good = "t=1700000000,v1=" MAC_HEX;

    ck_assert_int_eq(verify(SECRET, good, BODY, T0), JS_OK);
    /* another body, another secret, another time in the signed text */
    ck_assert_int_eq(verify(SECRET, good, "{\"id\":\"evt_2\"}", T0),
                     JS_INVALID);
    ck_assert_int_eq(verify(SECRET "x", good, BODY, T0), JS_INVALID);
    ck_assert_int_eq(verify(SECRET, "t=1700000001,v1=" MAC_HEX, BODY, T0),
                     JS_INVALID);
    /* no secret verifies nothing */
    ck_assert_int_eq(verify("", good, BODY, T0), JS_INVALID);
    ck_assert_int_eq(verify(NULL, good, BODY, T0), JS_INVALID);
    /* one of several v1 matching is enough */
    ck_assert_int_eq(verify(SECRET, "t=1700000000,v1=" ZEROS ",v1=" MAC_HEX,
                            BODY, T0), JS_OK);
    ck_assert_int_eq(verify(SECRET, "t=1700000000,v1=" ZEROS, BODY, T0),
                     JS_INVALID);
    /* a correct signature that is stale */
    ck_assert_int_eq(verify(SECRET, good, BODY, T0 + 3600), JS_INVALID);
}
END_TEST

START_TEST(test_fresh_edges)
{
    ck_assert(payment_sig_fresh(T0, T0, 300));
    ck_assert(payment_sig_fresh(T0 - 300, T0, 300));
    ck_assert(payment_sig_fresh(T0 + 300, T0, 300));
    ck_assert(!payment_sig_fresh(T0 - 301, T0, 300));
    ck_assert(!payment_sig_fresh(T0 + 301, T0, 300));
    ck_assert(!payment_sig_fresh(0, T0, 300));
    ck_assert(!payment_sig_fresh(999999999999LL, T0, 300));
    /* the same edges through verify */
    {
        char h[PAYMENT_SIG_HEADER_MAX];

        payment_sig_header(SECRET, T0, BODY, strlen(BODY), h);
        ck_assert_int_eq(verify(SECRET, h, BODY, T0 + PAYMENT_SIG_TOLERANCE),
                         JS_OK);
        ck_assert_int_eq(verify(SECRET, h, BODY,
                                T0 + PAYMENT_SIG_TOLERANCE + 1), JS_INVALID);
        ck_assert_int_eq(verify(SECRET, h, BODY, T0 - PAYMENT_SIG_TOLERANCE),
                         JS_OK);
        ck_assert_int_eq(verify(SECRET, h, BODY,
                                T0 - PAYMENT_SIG_TOLERANCE - 1), JS_INVALID);
    }
}
END_TEST

START_TEST(test_sandbox_ref)
{
    ck_assert(payment_sandbox_ref_valid("sbx_0123456789abcdef01234567"));
    ck_assert(!payment_sandbox_ref_valid("sbx_0123456789abcdef0123456"));
    ck_assert(!payment_sandbox_ref_valid("sbx_0123456789abcdef012345678"));
    ck_assert(!payment_sandbox_ref_valid("sbx_0123456789ABCDEF01234567"));
    ck_assert(!payment_sandbox_ref_valid("cod_0123456789abcdef01234567"));
    ck_assert(!payment_sandbox_ref_valid("sbx_0123456789abcdef0123456/"));
    ck_assert(!payment_sandbox_ref_valid(""));
    ck_assert(!payment_sandbox_ref_valid(NULL));
    ck_assert_ptr_nonnull(payment_provider_find("sandbox"));
    ck_assert_ptr_nonnull(payment_provider_find("cod"));
    ck_assert_ptr_null(payment_provider_find("paypal"));
    ck_assert_ptr_null(payment_provider_find(NULL));
    /* cash on delivery receives no webhooks */
    ck_assert_ptr_null(payment_provider_find("cod")->verify);
}
END_TEST

START_TEST(test_httpc_url)
{
    struct httpc_url u;

    ck_assert_int_eq(httpc_parse_url("http://127.0.0.1:18880", &u), 0);
    ck_assert_str_eq(u.host, "127.0.0.1");
    ck_assert_str_eq(u.port, "18880");
    ck_assert_str_eq(u.path, "/");
    ck_assert_int_eq(httpc_parse_url("http://shop.example/a/b?x=1", &u), 0);
    ck_assert_str_eq(u.host, "shop.example");
    ck_assert_str_eq(u.port, "80");
    ck_assert_str_eq(u.path, "/a/b?x=1");
    ck_assert_int_eq(httpc_parse_url("http://[::1]:8080/hook", &u), 0);
    ck_assert_str_eq(u.host, "::1");
    ck_assert_str_eq(u.port, "8080");
    ck_assert_str_eq(u.path, "/hook");
    ck_assert_int_eq(httpc_parse_url("https://127.0.0.1/", &u), -1);
    ck_assert_int_eq(httpc_parse_url("http://", &u), -1);
    ck_assert_int_eq(httpc_parse_url("http://:80/", &u), -1);
    ck_assert_int_eq(httpc_parse_url("http://h:0/", &u), -1);
    ck_assert_int_eq(httpc_parse_url("http://h:65536/", &u), -1);
    ck_assert_int_eq(httpc_parse_url("http://h:/", &u), -1);
    ck_assert_int_eq(httpc_parse_url("http://h:8x/", &u), -1);
    ck_assert_int_eq(httpc_parse_url("http://u:p@h/", &u), -1);
    ck_assert_int_eq(httpc_parse_url("http://h/a b", &u), -1);
    ck_assert_int_eq(httpc_parse_url("http://h/a\r\nX: y", &u), -1);
    ck_assert_int_eq(httpc_parse_url("http://[::1/", &u), -1);
    ck_assert_int_eq(httpc_parse_url(NULL, &u), -1);
}
END_TEST

START_TEST(test_httpc_status)
{
    const char *s;

    s = "HTTP/1.1 204 No Content\r\n";
    ck_assert_int_eq(httpc_parse_status(s, strlen(s)), 204);
    s = "HTTP/1.0 400\r\n";
    ck_assert_int_eq(httpc_parse_status(s, strlen(s)), 400);
    s = "HTTP/1.1 200";
    ck_assert_int_eq(httpc_parse_status(s, strlen(s)), 200);
    s = "HTTP/2 200 OK\r\n";
    ck_assert_int_eq(httpc_parse_status(s, strlen(s)), -1);
    s = "HTTP/1.1 2x0 OK\r\n";
    ck_assert_int_eq(httpc_parse_status(s, strlen(s)), -1);
    s = "HTTP/1.1 2000 OK\r\n";
    ck_assert_int_eq(httpc_parse_status(s, strlen(s)), -1);
    s = "HTTP/1.1 099 OK\r\n";
    ck_assert_int_eq(httpc_parse_status(s, strlen(s)), -1);
    s = "SSH-2.0-OpenSSH\r\n";
    ck_assert_int_eq(httpc_parse_status(s, strlen(s)), -1);
    ck_assert_int_eq(httpc_parse_status("", 0), -1);
}
END_TEST

Suite *
payment_suite(void)
{
    Suite *s = suite_create("payment");
    TCase *sig = tcase_create("signature");
    TCase *misc = tcase_create("refs and httpc");

    tcase_add_test(sig, test_parse_good);
    tcase_add_test(sig, test_parse_missing_parts);
    tcase_add_test(sig, test_parse_duplicates);
    tcase_add_test(sig, test_parse_garbage);
    tcase_add_test(sig, test_parse_huge);
    tcase_add_test(sig, test_mac_vector);
    tcase_add_test(sig, test_verify);
    tcase_add_test(sig, test_fresh_edges);
    suite_add_tcase(s, sig);
    tcase_add_test(misc, test_sandbox_ref);
    tcase_add_test(misc, test_httpc_url);
    tcase_add_test(misc, test_httpc_status);
    suite_add_tcase(s, misc);
    return s;
}
