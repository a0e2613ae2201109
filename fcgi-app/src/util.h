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

#endif
