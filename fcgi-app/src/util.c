/*
 * util.c - allocation that cannot fail, clocks, number parsing.
 */
#include "config.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
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
