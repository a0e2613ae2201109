/*
 * strbuf.h - a growable byte buffer, always NUL-terminated.
 *
 *   struct strbuf sb = STRBUF_INIT;
 *   strbuf_addf(&sb, "%d", n);
 *   ... use sb.buf, sb.len ...
 *   strbuf_release(&sb);
 *
 * The buffer owns its heap memory until strbuf_release().
 */
#ifndef JISHI_STRBUF_H
#define JISHI_STRBUF_H

#include <stddef.h>

struct strbuf {
    char *buf;
    size_t len;
    size_t alloc;
};

extern char strbuf_empty[];
#define STRBUF_INIT { strbuf_empty, 0, 0 }

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);

/* Append v in decimal (no printf: hot paths write many numbers). */
void strbuf_add_int(struct strbuf *sb, long long v);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal, quotes included; NULL as null. */
void strbuf_add_json_str(struct strbuf *sb, const char *s);
/* Append s (NULL: nothing) with & < > " ' escaped, for HTML text and
 * quoted attribute values. */
void strbuf_add_html(struct strbuf *sb, const char *s);

#endif
