/*
 * util.c - allocation that cannot fail, clocks, number parsing and
 * formatting, UTF-8 decoding.
 */
#include "config.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p)
        die_oom();
    return p;
}

void *
xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);

    if (!p)
        die_oom();
    return p;
}

void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (!q)
        die_oom();
    return q;
}

char *
xstrdup(const char *s)
{
    char *p = strdup(s);

    if (!p)
        die_oom();
    return p;
}

int64_t
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    /* Digits with an optional '-': no spaces, no '+', nothing after. */
    if (!s || !*s || isspace((unsigned char)*s) || *s == '+')
        return JS_INVALID;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return JS_INVALID;
    *out = v;
    return JS_OK;
}

size_t
utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
    size_t len, i;
    uint32_t c = p[0];

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        c &= 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        c &= 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        c &= 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
        (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
        return 0;
    *cp = c;
    return len;
}

char *
fmt_decimal(char *buf, size_t size, int64_t v, unsigned scale)
{
    /* The magnitude as unsigned, so INT64_MIN has one too. */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t unit = 1;

    if (scale > 6)
        BUG("scale %u out of range", scale);
    for (unsigned i = 0; i < scale; i++)
        unit *= 10;
    if (scale == 0)
        snprintf(buf, size, "%s%llu", v < 0 ? "-" : "",
                 (unsigned long long)mag);
    else
        snprintf(buf, size, "%s%llu.%0*llu", v < 0 ? "-" : "",
                 (unsigned long long)(mag / unit), (int)scale,
                 (unsigned long long)(mag % unit));
    return buf;
}

unsigned
money_exponent(const char *currency)
{
    /* ISO 4217 minor units other than 2 among currencies in use. */
    static const char *const zero[] = { "BIF", "CLP", "DJF", "GNF", "ISK",
                                        "JPY", "KMF", "KRW", "PYG", "RWF",
                                        "UGX", "UYI", "VND", "VUV", "XAF",
                                        "XOF", "XPF" };
    static const char *const three[] = { "BHD", "IQD", "JOD", "KWD", "LYD",
                                         "OMR", "TND" };

    for (size_t i = 0; currency && i < ARRAY_SIZE(zero); i++)
        if (strcmp(currency, zero[i]) == 0)
            return 0;
    for (size_t i = 0; currency && i < ARRAY_SIZE(three); i++)
        if (strcmp(currency, three[i]) == 0)
            return 3;
    return 2;
}

char *
money_format(char buf[MONEY_BUF], int64_t minor, const char *currency)
{
    return fmt_decimal(buf, MONEY_BUF, minor, money_exponent(currency));
}

char *
utc_now_iso(char buf[UTC_NOW_BUF])
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, UTC_NOW_BUF, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}
