/*
 * feed.c - the sitemap index, sitemap pages and the Merchant Center product
 * feed, written with libxml2's xmlTextWriter (see feed.h).
 */
#include "config.h"
#include "feed.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include <libxml/xmlIO.h>
#include <libxml/xmlwriter.h>

#include "arena.h"
#include "catalog.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "reply.h"
#include "req.h"
#include "strbuf.h"
#include "util.h"

#define XML_TYPE "application/xml; charset=utf-8"
#define XML_CACHE "public, max-age=600"
#define NS_SITEMAP "http://www.sitemaps.org/schemas/sitemap/0.9"
#define NS_G "http://base.google.com/ns/1.0"

/* clang-format off */
/*
 * Sitemap page n holds the live products with ids in
 * ((n-1)*FEED_SITEMAP_MAX, n*FEED_SITEMAP_MAX]: the index lists the
 * non-empty ranges.  The secondary index (status, brand_id) carries the id,
 * so this reads no rows.
 */
static const char SQL_PRODUCT_PAGES[] =
    "SELECT DISTINCT (id - 1) DIV " STRINGIFY(FEED_SITEMAP_MAX) " + 1"
    " FROM products WHERE status = 'live' ORDER BY 1";
static const char SQL_SITEMAP_PRODUCTS[] =
    "SELECT p.id, p.slug, DATE_FORMAT(p.updated_at, '%Y-%m-%dT%H:%i:%sZ')"
    " FROM products p WHERE " SQL_SHOWN " AND p.id > ? AND p.id <= ?"
    " ORDER BY p.id LIMIT " STRINGIFY(FEED_PAGE_ROWS);
static const char SQL_SITEMAP_CATEGORIES[] =
    "SELECT id, slug FROM categories WHERE id > ?"
    " ORDER BY id LIMIT " STRINGIFY(FEED_PAGE_ROWS);
/* The description is cut in SQL so one page of rows stays small. */
static const char SQL_FEED_PRODUCTS[] =
    "SELECT p.id, p.slug, p.name, LEFT(p.description, "
    STRINGIFY(FEED_DESC_MAX) "), p.min_price, p.currency, p.in_stock, b.name,"
    " i.base,"
    " (SELECT s.barcode FROM skus s WHERE s.product_id = p.id"
    "  ORDER BY s.position, s.id LIMIT 1)"
    " FROM products p"
    " LEFT JOIN brands b ON b.id = p.brand_id"
    " LEFT JOIN product_images i ON i.product_id = p.id AND i.position = 0"
    " WHERE " SQL_SHOWN " AND p.id > ?"
    " ORDER BY p.id LIMIT " STRINGIFY(FEED_ITEM_ROWS);
/* clang-format on */

/* ------------------------------------------------------------------ */
/* text and URLs                                                        */

/* The Char production of XML 1.0 (fifth edition). */
static bool
xml_char(uint32_t c)
{
    return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
           (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

char *
feed_xml_clean(struct arena *a, const char *s, size_t max_chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n, chars = 0;
    char *out, *o;

    if (!s)
        return arena_strdup(a, "");
    n = strlen(s);
    out = o = arena_alloc(a, n + 1);
    while (n > 0 && (max_chars == 0 || chars < max_chars)) {
        uint32_t c;
        size_t len = utf8_next(p, n, &c);

        if (len == 0) { /* a stray byte: drop it alone */
            p++;
            n--;
            continue;
        }
        if (xml_char(c)) {
            memcpy(o, p, len);
            o += len;
            chars++;
        }
        p += len;
        n -= len;
    }
    *o = '\0';
    return out;
}

static char *
url_with(struct arena *a, const char *base, const char *prefix,
         const char *seg, const char *suffix, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    struct strbuf sb = STRBUF_INIT;
    size_t blen = strlen(base);
    char *url;

    while (blen > 0 && base[blen - 1] == '/')
        blen--;
    strbuf_add(&sb, base, blen);
    strbuf_adds(&sb, prefix);
    for (const unsigned char *p = (const unsigned char *)(seg ? seg : ""); *p;
         p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
            *p == '~' || (keep_slash && *p == '/')) {
            strbuf_addch(&sb, (char)*p);
        } else {
            strbuf_addch(&sb, '%');
            strbuf_addch(&sb, hex[*p >> 4]);
            strbuf_addch(&sb, hex[*p & 15]);
        }
    }
    strbuf_adds(&sb, suffix);
    url = arena_strndup(a, sb.buf, sb.len);
    strbuf_release(&sb);
    return url;
}

char *
feed_url(struct arena *a, const char *base, const char *prefix, const char *seg,
         const char *suffix)
{
    return url_with(a, base, prefix, seg, suffix, false);
}

char *
feed_path_url(struct arena *a, const char *base, const char *prefix,
              const char *path, const char *suffix)
{
    return url_with(a, base, prefix, path, suffix, true);
}

bool
feed_gtin_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    unsigned sum = 0;

    if (n != 8 && n != 12 && n != 13 && n != 14)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');

        if (s[i] < '0' || s[i] > '9')
            return false;
        /* Weights 3, 1, 3, ... from the digit left of the check digit. */
        if (i < n - 1)
            sum += (n - 1 - i) % 2 ? d * 3 : d;
    }
    return (10 - sum % 10) % 10 == (unsigned)(s[n - 1] - '0');
}

/* ------------------------------------------------------------------ */
/* the writer                                                           */

struct feed_writer {
    xmlTextWriterPtr w;
    struct strbuf *out;
    struct req *stream;   /* a streamed reply: flush out to it */
    bool failed;  /* a libxml2 call failed: write nothing more */
    bool discard; /* closing after a failure or at arena release */
};

static int
out_write(void *ctx, const char *buf, int len)
{
    struct feed_writer *fw = ctx;

    if (!fw->discard && len > 0) {
        strbuf_add(fw->out, buf, (size_t)len);
        /* Send every 64 KiB, so a worker holds one chunk, not the feed. */
        if (fw->stream && fw->out->len >= 65536)
            req_stream_flush(fw->stream);
    }
    return len;
}

static int
out_close(void *ctx)
{
    (void)ctx;
    return 0;
}

/* Arena cleanup: the request ended before feed_writer_finish(). */
static void
writer_drop(void *data)
{
    struct feed_writer *fw = data;

    if (fw->w) {
        fw->discard = true;
        xmlFreeTextWriter(fw->w);
        fw->w = NULL;
    }
}

struct feed_writer *
feed_writer_new(struct arena *a, struct strbuf *out)
{
    struct feed_writer *fw = arena_calloc(a, 1, sizeof(*fw));
    xmlOutputBufferPtr ob;

    fw->out = out;
    ob = xmlOutputBufferCreateIO(out_write, out_close, fw, NULL);
    if (!ob)
        die_oom();
    fw->w = xmlNewTextWriter(ob); /* owns ob from here, even on failure */
    if (!fw->w)
        die_oom();
    arena_on_release(a, writer_drop, fw);
    /* One element per line, no indentation: readable, barely bigger. */
    if (xmlTextWriterSetIndent(fw->w, 1) < 0 ||
        xmlTextWriterSetIndentString(fw->w, BAD_CAST "") < 0 ||
        xmlTextWriterStartDocument(fw->w, "1.0", "UTF-8", NULL) < 0)
        fw->failed = true;
    return fw;
}

static void
check(struct feed_writer *fw, int rc)
{
    if (rc < 0)
        fw->failed = true;
}

static void
start(struct feed_writer *fw, const char *name)
{
    if (!fw->failed)
        check(fw, xmlTextWriterStartElement(fw->w, BAD_CAST name));
}

static void
attr(struct feed_writer *fw, const char *name, const char *value)
{
    if (!fw->failed)
        check(fw, xmlTextWriterWriteAttribute(fw->w, BAD_CAST name,
                                              BAD_CAST value));
}

static void
end(struct feed_writer *fw)
{
    if (!fw->failed)
        check(fw, xmlTextWriterEndElement(fw->w));
}

/* <name>text</name>, text escaped by the writer. */
static void
leaf(struct feed_writer *fw, const char *name, const char *text)
{
    if (!fw->failed)
        check(fw, xmlTextWriterWriteElement(fw->w, BAD_CAST name,
                                            BAD_CAST(text ? text : "")));
}

static int
status(const struct feed_writer *fw)
{
    return fw->failed ? JS_ERR : JS_OK;
}

int
feed_urlset_begin(struct feed_writer *fw)
{
    start(fw, "urlset");
    attr(fw, "xmlns", NS_SITEMAP);
    return status(fw);
}

int
feed_index_begin(struct feed_writer *fw)
{
    start(fw, "sitemapindex");
    attr(fw, "xmlns", NS_SITEMAP);
    return status(fw);
}

int
feed_rss_begin(struct feed_writer *fw, const char *title, const char *link,
               const char *description)
{
    start(fw, "rss");
    attr(fw, "version", "2.0");
    attr(fw, "xmlns:g", NS_G);
    start(fw, "channel");
    leaf(fw, "title", title);
    leaf(fw, "link", link);
    leaf(fw, "description", description);
    return status(fw);
}

int
feed_urlset_url(struct feed_writer *fw, const char *loc, const char *lastmod)
{
    start(fw, "url");
    leaf(fw, "loc", loc);
    if (lastmod)
        leaf(fw, "lastmod", lastmod);
    end(fw);
    return status(fw);
}

int
feed_index_sitemap(struct feed_writer *fw, const char *loc)
{
    start(fw, "sitemap");
    leaf(fw, "loc", loc);
    end(fw);
    return status(fw);
}

int
feed_rss_item(struct feed_writer *fw, const struct feed_item *it)
{
    start(fw, "item");
    leaf(fw, "g:id", it->id);
    leaf(fw, "title", it->title);
    leaf(fw, "description", it->description);
    leaf(fw, "link", it->link);
    if (it->image_link)
        leaf(fw, "g:image_link", it->image_link);
    leaf(fw, "g:price", it->price);
    leaf(fw, "g:availability", it->in_stock ? "in_stock" : "out_of_stock");
    leaf(fw, "g:condition", "new");
    if (it->brand && *it->brand)
        leaf(fw, "g:brand", it->brand);
    if (it->gtin)
        leaf(fw, "g:gtin", it->gtin);
    else
        leaf(fw, "g:identifier_exists", "no");
    end(fw);
    return status(fw);
}

int
feed_writer_finish(struct feed_writer *fw)
{
    if (!fw->w)
        return JS_ERR;
    if (!fw->failed)
        check(fw, xmlTextWriterEndDocument(fw->w));
    if (!fw->failed)
        check(fw, xmlTextWriterFlush(fw->w));
    fw->discard = fw->failed;
    xmlFreeTextWriter(fw->w);
    fw->w = NULL;
    return status(fw);
}

/* ------------------------------------------------------------------ */
/* reading in pages                                                     */

/*
 * db_read() with its rows in the scratch arena page (r->db.results)
 * instead of the request's, after emptying it: a page's rows, and
 * whatever the caller derives from them in page, live only until the
 * next page.
 */
static int
page_read(struct req *r, struct arena *page, const char *sql,
          const struct db_param *p, unsigned np, struct db_result *res)
{
    int rc;

    arena_reset(page);
    r->db.results = page;
    rc = db_read(r, sql, p, np, res);
    r->db.results = NULL;
    return rc;
}

static void
page_free(void *data)
{
    arena_release(data);
}

/* A scratch arena released with the request. */
static struct arena *
page_new(struct req *r)
{
    struct arena *page = arena_alloc(&r->arena, sizeof(*page));

    arena_init(page, 0);
    arena_on_release(&r->arena, page_free, page);
    return page;
}

/*
 * Start an XML reply into the body.  The caching header is added only by
 * xml_done(), so an error reply is never cached.
 */
static struct feed_writer *
xml_begin(struct req *r)
{
    struct feed_writer *fw;

    reply_raw(r, 200, XML_TYPE, "", 0);
    /* Sent with the first chunk; an error before it drops it again. */
    reply_header(r, "Cache-Control", XML_CACHE);
    req_stream_begin(r);
    fw = feed_writer_new(&r->arena, &r->reply.body);
    fw->stream = r;
    return fw;
}

static int
xml_done(struct req *r, struct feed_writer *fw, int rc)
{
    if (rc == JS_OK)
        rc = feed_writer_finish(fw);
    else
        writer_drop(fw);
    if (rc != JS_OK) {
        strbuf_reset(&r->reply.body);
        if (r->reply.head_sent) {
            /* Too late for an error status: the document stays cut. */
            error("feed '%s' cut short (%d)", r->path, rc);
            return JS_REPLIED;
        }
        r->reply.streaming = false;
        r->reply.nheaders = 0;
        return rc == JS_ERR ? error("cannot write '%s'", r->path) : rc;
    }
    return JS_OK;
}

/* ------------------------------------------------------------------ */
/* handlers                                                             */

int
feed_sitemap_index(struct req *r)
{
    const char *base = r->conf->public_url;
    struct db_result res;
    struct feed_writer *fw;
    int rc;

    rc = db_read(r, SQL_PRODUCT_PAGES, DB_NOARGS, &res);
    if (rc)
        return rc;
    fw = xml_begin(r);
    rc = feed_index_begin(fw);
    if (!rc)
        rc = feed_index_sitemap(
            fw,
            feed_url(&r->arena, base, "/sitemaps/categories.xml", NULL, ""));
    for (unsigned i = 0; i < res.nrows && !rc; i++) {
        char *loc =
            arena_printf(&r->arena, "/sitemaps/products-%" PRId64 ".xml",
                         db_get_int(&res, i, 0, 0));

        rc = feed_index_sitemap(fw, feed_url(&r->arena, base, loc, NULL, ""));
    }
    return xml_done(r, fw, rc);
}

/* n from "products-<n>.xml" in canonical form; 0 when it is not one. */
static int64_t
product_page_number(struct req *r, const char *name)
{
    static const char pre[] = "products-", suf[] = ".xml";
    size_t n = strlen(name);
    int64_t num;

    if (n <= strlen(pre) + strlen(suf) ||
        strncmp(name, pre, strlen(pre)) != 0 ||
        strcmp(name + n - strlen(suf), suf) != 0)
        return 0;
    if (parse_int64(arena_strndup(&r->arena, name + strlen(pre),
                                  n - strlen(pre) - strlen(suf)),
                    1, INT64_MAX / FEED_SITEMAP_MAX, &num))
        return 0;
    if (strcmp(name, arena_printf(&r->arena, "products-%" PRId64 ".xml",
                                  num)) != 0)
        return 0; /* "products-01.xml" is not page 1 */
    return num;
}

static int
sitemap_categories(struct req *r)
{
    const char *base = r->conf->public_url;
    struct arena *page = page_new(r);
    struct feed_writer *fw = xml_begin(r);
    struct db_result res = { 0 };
    int64_t last = 0;
    int rc;

    /* The home page comes first, so the set is never empty. */
    rc = feed_urlset_begin(fw);
    if (!rc)
        rc =
            feed_urlset_url(fw, feed_url(&r->arena, base, "/", NULL, ""), NULL);
    do {
        if (rc)
            break;
        rc = page_read(r, page, SQL_SITEMAP_CATEGORIES, DB_ARGS(DBP_I(last)),
                       &res);
        for (unsigned i = 0; i < res.nrows && !rc; i++) {
            last = db_get_int(&res, i, 0, 0);
            rc = feed_urlset_url(
                fw, feed_url(page, base, "/c/", db_get(&res, i, 1), ""), NULL);
        }
    } while (!rc && res.nrows == FEED_PAGE_ROWS);
    return xml_done(r, fw, rc);
}

static int
sitemap_products(struct req *r, int64_t num)
{
    const char *base = r->conf->public_url;
    int64_t last = (num - 1) * FEED_SITEMAP_MAX, hi = num * FEED_SITEMAP_MAX;
    struct arena *page = page_new(r);
    struct feed_writer *fw = NULL;
    struct db_result res = { 0 };
    int rc;

    do {
        rc = page_read(r, page, SQL_SITEMAP_PRODUCTS,
                       DB_ARGS(DBP_I(last), DBP_I(hi)), &res);
        if (rc)
            break;
        if (!fw) {
            if (res.nrows == 0) /* an empty <urlset> is invalid */
                return reply_err(r, JS_NOTFOUND, NULL,
                                 "sitemap 'products-%" PRId64 ".xml' not found",
                                 num);
            fw = xml_begin(r);
            rc = feed_urlset_begin(fw);
        }
        for (unsigned i = 0; i < res.nrows && !rc; i++) {
            last = db_get_int(&res, i, 0, 0);
            rc = feed_urlset_url(
                fw, feed_url(page, base, "/p/", db_get(&res, i, 1), ""),
                db_get(&res, i, 2));
        }
    } while (!rc && res.nrows == FEED_PAGE_ROWS);
    if (!fw)
        return rc;
    return xml_done(r, fw, rc);
}

int
feed_sitemap_page(struct req *r)
{
    const char *name = req_param(r, "name");
    int64_t num;

    if (name && strcmp(name, "categories.xml") == 0)
        return sitemap_categories(r);
    num = name ? product_page_number(r, name) : 0;
    if (num == 0)
        return reply_err(r, JS_NOTFOUND, NULL, "sitemap not found");
    return sitemap_products(r, num);
}

/* Fill it from row i of a feed page; strings live in page. */
static void
item_from_row(struct req *r, struct arena *page, const struct db_result *res,
              unsigned i, struct feed_item *it)
{
    const char *base = r->conf->public_url;
    const char *image = db_get(res, i, 8), *gtin = db_get(res, i, 9);
    int64_t price = db_get_int(res, i, 4, 0);
    const char *currency;
    char amount[MONEY_BUF];

    it->id = db_get(res, i, 0);
    it->link = feed_url(page, base, "/p/", db_get(res, i, 1), "");
    it->title = feed_xml_clean(page, db_get(res, i, 2), FEED_TITLE_MAX);
    if (!*it->title) /* a name of nothing but control bytes */
        it->title = arena_printf(page, "#%s", it->id);
    it->description = feed_xml_clean(page, db_get(res, i, 3), FEED_DESC_MAX);
    if (!*it->description) /* required by Merchant Center */
        it->description = it->title;
    currency = feed_xml_clean(page, db_get(res, i, 5), 3);
    it->price = arena_printf(page, "%s %s", money_format(amount, price,
                                                         currency),
                             currency);
    it->in_stock = db_get_int(res, i, 6, 0) != 0;
    it->brand = feed_xml_clean(page, db_get(res, i, 7), FEED_BRAND_MAX);
    it->image_link = image && *image
                         ? feed_path_url(page, base, "/media/", image,
                                         "-full.jpg")
                         : NULL;
    it->gtin = feed_gtin_valid(gtin) ? gtin : NULL;
}

int
feed_products(struct req *r)
{
    struct arena *page = page_new(r);
    struct feed_writer *fw = xml_begin(r);
    struct db_result res = { 0 };
    int64_t last = 0;
    int rc;

    rc = feed_rss_begin(fw, "Jishi 集市",
                        feed_url(&r->arena, r->conf->public_url, "/", NULL, ""),
                        "Products on the Jishi marketplace");
    do {
        if (rc)
            break;
        rc = page_read(r, page, SQL_FEED_PRODUCTS, DB_ARGS(DBP_I(last)), &res);
        for (unsigned i = 0; i < res.nrows && !rc; i++) {
            struct feed_item it;

            last = db_get_int(&res, i, 0, 0);
            item_from_row(r, page, &res, i, &it);
            rc = feed_rss_item(fw, &it);
        }
    } while (!rc && res.nrows == FEED_ITEM_ROWS);
    return xml_done(r, fw, rc);
}
