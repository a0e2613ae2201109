/*
 * page.c - shareable product pages (see page.h): the template cache, the
 * head's text, and the handler.
 */
#include "config.h"
#include "page.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "arena.h"
#include "catalog.h"
#include "conf.h"
#include "feed.h"
#include "json.h"
#include "log.h"
#include "reply.h"
#include "req.h"
#include "strbuf.h"
#include "util.h"

#define HTML_TYPE "text/html; charset=utf-8"
#define ELLIPSIS "\xe2\x80\xa6"    /* U+2026 */
/* A cut text ends at a space when one is this close to the limit. */
#define WORD_SLACK 20

/* ------------------------------------------------------------------ */
/* text                                                                 */

static bool
is_space(uint32_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 ||
           c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
           c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
           c == 0x3000;
}

static bool
is_control(uint32_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/* Cut s (clean, one line) to max - 1 characters plus the ellipsis. */
static void
cut(char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), at = 0, chars = 0, space_at = 0, space_chars = 0;
    uint32_t c;

    while (at < n && chars < max - 1) {
        size_t len = utf8_next(p + at, n - at, &c);

        if (len == 0)
            BUG("cut() of unclean text");
        if (c == ' ') {
            space_at = at;
            space_chars = chars;
        }
        at += len;
        chars++;
    }
    if (space_at > 0 && chars - space_chars <= WORD_SLACK)
        at = space_at;
    while (at > 0 && s[at - 1] == ' ')
        at--;
    memcpy(s + at, ELLIPSIS, sizeof(ELLIPSIS));
}

char *
page_plain_text(struct arena *a, const char *s, size_t max)
{
    /* Well-formed UTF-8 without C0 controls but white space from here. */
    const char *clean = feed_xml_clean(a, s, 0);
    const unsigned char *p = (const unsigned char *)clean;
    size_t n = strlen(clean), chars = 0;
    char *out = arena_alloc(a, n + sizeof(ELLIPSIS)), *o = out;
    bool space = false;

    while (n > 0) {
        uint32_t c;
        size_t len = utf8_next(p, n, &c);

        if (len == 0)
            BUG("feed_xml_clean() left malformed UTF-8");
        if (is_space(c)) {
            space = o > out;    /* none before the first word */
        } else if (!is_control(c)) {
            if (space) {
                *o++ = ' ';
                chars++;
                space = false;
            }
            memcpy(o, p, len);
            o += len;
            chars++;
        }
        p += len;
        n -= len;
    }
    *o = '\0';
    if (max > 0 && chars > max)
        cut(out, max);
    return out;
}

void
page_add_script_json(struct strbuf *out, const char *json, size_t len)
{
    const unsigned char *p = (const unsigned char *)json;

    for (size_t i = 0; i < len; i++) {
        if (p[i] == '<') {
            strbuf_add(out, "\\u003c", 6);
        } else if (p[i] == '>') {
            strbuf_add(out, "\\u003e", 6);
        } else if (p[i] == '&') {
            strbuf_add(out, "\\u0026", 6);
        } else if (p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x80 &&
                   (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
            strbuf_adds(out, p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
            i += 2;
        } else {
            strbuf_addch(out, (char)p[i]);
        }
    }
}

/* ------------------------------------------------------------------ */
/* the head                                                             */

/* Offset of s in t[from..n), ignoring ASCII case; n when absent. */
static size_t
find_ci(const char *t, size_t from, size_t n, const char *s)
{
    size_t k = strlen(s);

    for (size_t i = from; i + k <= n; i++)
        if (strncasecmp(t + i, s, k) == 0)
            return i;
    return n;
}

/*
 * Offset of the tag `tag` ("<title", "</head") in t[from..n), ignoring
 * ASCII case and followed by '>', '/' or white space; n when absent.
 */
static size_t
find_tag(const char *t, size_t from, size_t n, const char *tag)
{
    size_t k = strlen(tag);

    for (size_t i = find_ci(t, from, n, tag); i < n;
         i = find_ci(t, i + 1, n, tag)) {
        if (i + k == n || t[i + k] == '>' || t[i + k] == '/' ||
            isspace((unsigned char)t[i + k]))
            return i;
    }
    return n;
}

/* Offset just past the '>' that closes the tag at t[at]; n when none. */
static size_t
past_tag(const char *t, size_t at, size_t n)
{
    const char *gt = memchr(t + at, '>', n - at);

    return gt ? (size_t)(gt - t) + 1 : n;
}

/*
 * Where the head goes: t[from..to) is replaced (the title) or to == from;
 * the template's own head ends at head_end.
 */
struct spot {
    size_t from, to, head_end;
};

static struct spot
head_spot(const char *t, size_t n)
{
    size_t end = find_tag(t, 0, n, "</head");
    size_t lim = end < n ? end : find_tag(t, 0, n, "<body");
    size_t at = find_tag(t, 0, lim, "<title");

    if (at < lim) {
        size_t close = find_tag(t, at, n, "</title");

        if (close < n) {
            size_t to = past_tag(t, close, n);

            return (struct spot){ at, to, lim > to ? lim : to };
        }
    }
    if (end < n)
        return (struct spot){ end, end, end };
    at = find_tag(t, 0, lim, "<head");
    if (at == lim)
        at = find_tag(t, 0, lim, "<!doctype");
    at = at < lim ? past_tag(t, at, n) : 0;
    return (struct spot){ at, at, lim > at ? lim : at };
}

/* Tags of a template's head that ours stand in for (double quotes). */
static bool
replaced_tag(const char *t, size_t at, size_t end)
{
    static const char *const ours[] = {
        "name=\"description\"", "name=\"robots\"", "name=\"twitter:",
        "property=\"og:", "property=\"product:", "rel=\"canonical\"",
    };

    for (size_t k = 0; k < ARRAY_SIZE(ours); k++)
        if (find_ci(t, at, end, ours[k]) < end)
            return true;
    return false;
}

/*
 * Append t[from..to) without the <meta> and <link> tags ours stand in
 * for, each with the white space that leads up to it on its line.
 */
static void
add_head_part(struct strbuf *out, const char *t, size_t from, size_t to)
{
    size_t done = from, at = from;

    for (;;) {
        size_t m = find_tag(t, at, to, "<meta");
        size_t l = find_tag(t, at, to, "<link");
        size_t end, lead;

        at = m < l ? m : l;
        if (at == to)
            break;
        end = past_tag(t, at, to);
        if (replaced_tag(t, at, end)) {
            lead = at;
            while (lead > done && (t[lead - 1] == ' ' || t[lead - 1] == '\t'))
                lead--;
            if (lead > done && t[lead - 1] == '\n')
                lead--;
            strbuf_add(out, t + done, lead - done);
            done = end;
        }
        at = end;
    }
    strbuf_add(out, t + done, to - done);
}

/*
 * What follows each tag of ours: a new line indented like the line the
 * head goes in, when only white space precedes it there.
 */
static const char *
line_break(struct arena *a, const char *t, size_t at)
{
    size_t i = at;

    while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t'))
        i--;
    if (i > 0 && t[i - 1] != '\n')
        i = at;
    return arena_printf(a, "\n%.*s", (int)(at - i), t + i);
}

static void
meta(struct strbuf *o, const char *br, const char *attr, const char *key,
     const char *value)
{
    strbuf_addf(o, "<meta %s=\"", attr);
    strbuf_add_html(o, key);
    strbuf_adds(o, "\" content=\"");
    strbuf_add_html(o, value);
    strbuf_adds(o, "\">");
    strbuf_adds(o, br);
}

static json_object *
offers_json(const struct catalog_summary *p, const char *url)
{
    json_object *o = json_object_new_object();
    char lo[MONEY_BUF], hi[MONEY_BUF];

    money_format(lo, p->min_price, p->currency);
    money_format(hi, p->max_price, p->currency);
    if (p->min_price == p->max_price) {
        json_add_str(o, "@type", "Offer");
        json_add_str(o, "price", lo);
    } else {
        json_add_str(o, "@type", "AggregateOffer");
        json_add_str(o, "lowPrice", lo);
        json_add_str(o, "highPrice", hi);
        json_object_object_add(o, "offerCount", json_int(p->nskus));
    }
    json_add_str(o, "priceCurrency", p->currency);
    json_add_str(o, "availability", p->in_stock
                                        ? "https://schema.org/InStock"
                                        : "https://schema.org/OutOfStock");
    json_add_str(o, "url", url);
    return o;
}

/* The schema.org Product, as JSON text in a. */
static const char *
product_ld(struct arena *a, const struct catalog_summary *p, const char *url,
           const char *image, size_t *len)
{
    json_object *o = json_arena_own(a, json_object_new_object());
    char rating[MONEY_BUF];

    json_add_str(o, "@context", "https://schema.org");
    json_add_str(o, "@type", "Product");
    json_add_str(o, "name", feed_xml_clean(a, p->name, 0));
    json_add_str(o, "description",
                 feed_xml_clean(a, p->description, PAGE_LD_DESC_MAX));
    json_add_str(o, "url", url);
    if (image)
        json_add_str(o, "image", image);
    if (p->sku)
        json_add_str(o, "sku", feed_xml_clean(a, p->sku, 0));
    if (p->brand) {
        json_object *b = json_object_new_object();

        json_add_str(b, "@type", "Brand");
        json_add_str(b, "name", feed_xml_clean(a, p->brand, 0));
        json_object_object_add(o, "brand", b);
    }
    json_object_object_add(o, "offers", offers_json(p, url));
    if (p->rating_count > 0) {
        json_object *r = json_object_new_object();

        json_add_str(r, "@type", "AggregateRating");
        json_add_str(r, "ratingValue",
                     fmt_decimal(rating, sizeof(rating), p->rating_avg, 2));
        json_object_object_add(r, "ratingCount", json_int(p->rating_count));
        json_add_str(r, "bestRating", "5");
        json_add_str(r, "worstRating", "1");
        json_object_object_add(o, "aggregateRating", r);
    }
    return json_to_string(a, o, len);
}

/* The tags for product p, each but the last followed by br. */
static void
product_head(struct arena *a, struct strbuf *o, const char *br,
             const char *site_url, const struct catalog_summary *p)
{
    const char *name = page_plain_text(a, p->name, 0);
    const char *desc = page_plain_text(a, p->description, PAGE_DESC_MAX);
    const char *url = feed_url(a, site_url, "/p/", p->slug, "");
    const char *image =
        p->image ? feed_url(a, site_url, p->image, NULL, "") : NULL;
    const char *ld;
    char price[MONEY_BUF];
    size_t ldlen;

    if (!*desc)
        desc = name;
    strbuf_adds(o, "<title>");
    strbuf_add_html(o, name);
    strbuf_adds(o, PAGE_TITLE_SUFFIX "</title>");
    strbuf_adds(o, br);
    meta(o, br, "name", "description", desc);
    strbuf_adds(o, "<link rel=\"canonical\" href=\"");
    strbuf_add_html(o, url);
    strbuf_adds(o, "\">");
    strbuf_adds(o, br);
    meta(o, br, "property", "og:type", "product");
    meta(o, br, "property", "og:site_name", PAGE_SITE_NAME);
    meta(o, br, "property", "og:title", name);
    meta(o, br, "property", "og:description", desc);
    meta(o, br, "property", "og:url", url);
    if (image) {
        meta(o, br, "property", "og:image", image);
        meta(o, br, "name", "twitter:card", "summary_large_image");
    }
    meta(o, br, "property", "product:price:amount",
         money_format(price, p->min_price, p->currency));
    meta(o, br, "property", "product:price:currency", p->currency);
    ld = product_ld(a, p, url, image, &ldlen);
    strbuf_adds(o, "<script type=\"application/ld+json\">");
    page_add_script_json(o, ld, ldlen);
    strbuf_adds(o, "</script>");
}

void
page_render(struct arena *a, struct strbuf *out, const char *tmpl,
            size_t len, const char *site_url,
            const struct catalog_summary *p)
{
    struct spot s = head_spot(tmpl, len);
    const char *br = line_break(a, tmpl, s.from);

    add_head_part(out, tmpl, 0, s.from);
    if (p) {
        product_head(a, out, br, site_url, p);
    } else if (s.from < s.to) {
        strbuf_add(out, tmpl + s.from, s.to - s.from);   /* the title */
        strbuf_adds(out, br);
    }
    if (!p)
        strbuf_adds(out, "<meta name=\"robots\" content=\"noindex\">");
    if (s.from == s.to)
        strbuf_adds(out, br);
    add_head_part(out, tmpl, s.to, s.head_end);
    strbuf_add(out, tmpl + s.head_end, len - s.head_end);
}

/* ------------------------------------------------------------------ */
/* the template                                                         */

static struct {
    char *path;         /* what text was read from */
    char *text;
    size_t len;
    struct stat st;     /* of the file when read */
} tpl;

static bool
same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
           a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* path's whole text into *text (heap); 0 or JS_ERR (logged). */
static int
read_file(const char *path, struct stat *st, char **text, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t got = 0;
    char *buf;

    if (fd < 0)
        return error("cannot open '%s': %s", path, strerror(errno));
    if (fstat(fd, st) || !S_ISREG(st->st_mode) || st->st_size < 0 ||
        st->st_size > PAGE_TEMPLATE_MAX) {
        close(fd);
        return error("'%s' is not a file of at most %d bytes", path,
                     PAGE_TEMPLATE_MAX);
    }
    buf = xmalloc((size_t)st->st_size + 1);
    while (got < (size_t)st->st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st->st_size - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;              /* shrunk meanwhile: its mtime moved too */
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *text = buf;
    *len = got;
    return JS_OK;
}

/*
 * The template, read again when the file changed.  While it cannot be
 * read (a build replacing it) the copy in hand is used.
 */
static int
template_get(struct req *r, const char **text, size_t *len)
{
    const char *path =
        arena_printf(&r->arena, "%s/index.html", r->conf->frontend_dist);
    bool have = tpl.text && strcmp(tpl.path, path) == 0;
    struct stat st;
    char *fresh = NULL;
    size_t n = 0;

    /* A file that cannot be looked at is being replaced: keep the copy. */
    if (!have || (stat(path, &st) == 0 && !same_file(&st, &tpl.st))) {
        if (read_file(path, &st, &fresh, &n) == JS_OK) {
            page_release();
            tpl.path = xstrdup(path);
            tpl.text = fresh;
            tpl.len = n;
            tpl.st = st;
        } else if (!have) {
            return JS_ERR;
        }
    }
    *text = tpl.text;
    *len = tpl.len;
    return JS_OK;
}

void
page_release(void)
{
    free(tpl.path);
    free(tpl.text);
    memset(&tpl, 0, sizeof(tpl));
}

/* ------------------------------------------------------------------ */
/* handler                                                              */

int
page_product(struct req *r)
{
    struct catalog_summary s;
    const char *text;
    size_t len;
    int rc;

    if (template_get(r, &text, &len))
        return JS_ERR;
    rc = catalog_summary_find(r, req_param(r, "slug"), &s);
    /* Not found or no database: the SPA still boots, and says so. */
    reply_raw(r, reply_status_for(rc), HTML_TYPE, "", 0);
    page_render(&r->arena, &r->reply.body, text, len, r->conf->public_url,
                rc ? NULL : &s);
    reply_header(r, "Cache-Control", rc ? "no-cache" : "public, max-age=10");
    if (rc == JS_UNAVAILABLE)
        reply_header(r, "Retry-After", "1");
    return JS_OK;
}
