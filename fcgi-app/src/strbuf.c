/*
 * strbuf.c - growable buffer (see strbuf.h).
 */
#include "config.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

char strbuf_empty[1];

void
strbuf_init(struct strbuf *sb)
{
    sb->buf = strbuf_empty;
    sb->len = 0;
    sb->alloc = 0;
}

void
strbuf_release(struct strbuf *sb)
{
    if (sb->alloc)
        free(sb->buf);
    strbuf_init(sb);
}

void
strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    if (sb->alloc)
        sb->buf[0] = '\0';
}

void
strbuf_grow(struct strbuf *sb, size_t extra)
{
    size_t want;

    if (extra > SIZE_MAX - sb->len - 1)
        BUG("strbuf overflow");
    want = sb->len + extra + 1;
    if (want <= sb->alloc)
        return;
    if (want < sb->alloc * 2)
        want = sb->alloc * 2;
    if (want < 64)
        want = 64;
    if (!sb->alloc) {
        sb->buf = xmalloc(want);
        sb->buf[0] = '\0';
    } else {
        sb->buf = xrealloc(sb->buf, want);
    }
    sb->alloc = want;
}

void
strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
    strbuf_grow(sb, len);
    memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

void
strbuf_adds(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void
strbuf_addch(struct strbuf *sb, char c)
{
    strbuf_add(sb, &c, 1);
}

void
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        BUG("bad format '%s'", fmt);
    strbuf_grow(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void
strbuf_add_json_str(struct strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const char *run;

    if (!s) {
        strbuf_adds(sb, "null");
        return;
    }
    strbuf_addch(sb, '"');
    /* Runs of plain bytes in one copy: listing pages write many strings. */
    for (run = s; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        strbuf_add(sb, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"': strbuf_add(sb, "\\\"", 2); break;
        case '\\': strbuf_add(sb, "\\\\", 2); break;
        case '\n': strbuf_add(sb, "\\n", 2); break;
        case '\r': strbuf_add(sb, "\\r", 2); break;
        case '\t': strbuf_add(sb, "\\t", 2); break;
        default: strbuf_add(sb, esc, sizeof(esc)); break;
        }
    }
    strbuf_add(sb, run, (size_t)(s - run));
    strbuf_addch(sb, '"');
}

void
strbuf_add_html(struct strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': strbuf_add(sb, "&amp;", 5); break;
        case '<': strbuf_add(sb, "&lt;", 4); break;
        case '>': strbuf_add(sb, "&gt;", 4); break;
        case '"': strbuf_add(sb, "&quot;", 6); break;
        case '\'': strbuf_add(sb, "&#39;", 5); break;
        default: strbuf_addch(sb, *s); break;
        }
    }
}

void
strbuf_add_int(struct strbuf *sb, long long v)
{
    char buf[24], *p = buf + sizeof(buf);
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
                                 : (unsigned long long)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    strbuf_add(sb, p, (size_t)(buf + sizeof(buf) - p));
}
