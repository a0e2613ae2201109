/*
 * util.h - result codes and the few helpers every module uses.
 *
 * Internal functions return int: 0 (JS_OK) on success or a negative code
 * below.  "Not found" is a result, not a logged error.  reply.c maps each
 * code to one HTTP status; nothing else does.
 */
#ifndef JISHI_UTIL_H
#define JISHI_UTIL_H

#include <stddef.h>
#include <stdint.h>

enum js_err {
    JS_OK = 0,
    JS_ERR = -1,          /* internal failure, already logged -> 500 */
    JS_INVALID = -2,      /* input failed validation -> 400 */
    JS_UNAUTHORIZED = -3, /* no session -> 401 */
    JS_FORBIDDEN = -4,    /* -> 403 */
    JS_NOTFOUND = -5,     /* -> 404 */
    JS_METHOD = -6,       /* -> 405 */
    JS_CONFLICT = -7,     /* -> 409 */
    JS_TOOLARGE = -8,     /* -> 413 */
    JS_MEDIATYPE = -9,    /* -> 415 */
    JS_UNPROCESSABLE = -10, /* business rule -> 422 */
    JS_RATELIMIT = -11,   /* -> 429 */
    JS_UNAVAILABLE = -12, /* database down -> 503 */
    JS_REPLIED = -13,     /* a reply was already written: just return */
};

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* A macro's value as a string literal, for SQL: STRINGIFY(FEED_PAGE_ROWS). */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Monotonic clock in microseconds. */
int64_t now_us(void);

/*
 * Parse a whole decimal string into *out within [min, max].
 * Returns 0, or JS_INVALID for empty input, junk or out of range.
 */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/*
 * Length of the well-formed UTF-8 sequence at p (n >= 1 bytes available)
 * and its code point in *cp; 0 when malformed (a stray or truncated
 * byte, an overlong form, a surrogate, beyond U+10FFFF).
 */
size_t utf8_next(const unsigned char *p, size_t n, uint32_t *cp);

/*
 * v / 10^scale (scale <= 6) as a decimal string in buf, in integer
 * arithmetic: (-105, 2) gives "-1.05", (5, 0) "5".  Returns buf.
 */
char *fmt_decimal(char *buf, size_t size, int64_t v, unsigned scale);

/* The current time, UTC, as RFC 3339 ("2026-11-26T08:00:00Z"). */
#define UTC_NOW_BUF 24
char *utc_now_iso(char buf[UTC_NOW_BUF]);

/*
 * Digits of a currency's minor unit (ISO 4217): 0 for JPY, KRW and the
 * like, 3 for BHD, KWD and the like, 2 for everything else.
 */
unsigned money_exponent(const char *currency);

/* minor units of currency as a decimal amount: 19900 CNY is "199.00". */
#define MONEY_BUF 32
char *money_format(char buf[MONEY_BUF], int64_t minor, const char *currency);

#endif
