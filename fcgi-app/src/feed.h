/*
 * feed.h - machine-readable views of the live catalog for crawlers and
 * shopping engines: the sitemap index and its pages (sitemaps.org 0.9) and
 * the Google Merchant Center product feed (RSS 2.0 with the g: namespace).
 *
 * Owns no table: it reads `products`, `product_images`, `brands`, `skus`
 * and `categories` (owned by catalog.c) on a replica, only products whose
 * status is 'live'.
 *
 * Documents are written with libxml2's xmlTextWriter straight into the
 * reply body as they are produced; no tree is ever built.  Rows are read
 * in keyset pages (WHERE id > last ORDER BY id LIMIT n) into a scratch
 * arena that is emptied before each page, so besides the document's own
 * bytes a request holds one page of rows and their cleaned copies:
 *   sitemaps  FEED_PAGE_ROWS x ~300 bytes                    ~0.3 MiB
 *   feed      FEED_ITEM_ROWS x 2 x (description cut to FEED_DESC_MAX
 *             characters in SQL, <= 20 KiB) + small cells    <= ~10 MiB,
 *             ~0.5 MiB for descriptions of 1 KiB
 * independent of the catalog's size.  The reply body itself is still
 * buffered whole (reply.h has no streaming send yet): ~1 KiB per feed item
 * with a short description, ~150 bytes per sitemap URL, so a sitemap page
 * stays under ~8 MiB but the feed grows with the catalog.
 *
 * Every piece of text that came from a merchant goes through
 * feed_xml_clean() (drops what XML 1.0 cannot carry) and then through the
 * writer's own escaping; URLs are built with feed_url() (percent-encoded).
 */
#ifndef JISHI_FEED_H
#define JISHI_FEED_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct req;
struct strbuf;

#define FEED_SITEMAP_MAX 50000 /* URLs per sitemap page (sitemaps.org) */
#define FEED_PAGE_ROWS 1000    /* sitemap rows per round trip */
#define FEED_ITEM_ROWS 250     /* feed rows per round trip (big cells) */
#define FEED_TITLE_MAX 150     /* Merchant Center limits, in characters */
#define FEED_DESC_MAX 5000
#define FEED_BRAND_MAX 70

/* --- handlers ------------------------------------------------------- */

/*
 * GET /sitemap.xml: a <sitemapindex> naming /sitemaps/categories.xml and
 * /sitemaps/products-<n>.xml for every n whose id range holds a live
 * product.  Page n covers product ids ((n-1)*50000, n*50000], so a
 * product's page never changes and no page can exceed 50,000 URLs.
 */
int feed_sitemap_index(struct req *r);

/*
 * GET /sitemaps/:name: "categories.xml" (the home page and every category,
 * <public_url>/c/<slug>) or "products-<n>.xml" (<public_url>/p/<slug> with
 * <lastmod> from updated_at).  404 for any other name and for a product
 * page without live products (an empty <urlset> is not valid).
 */
int feed_sitemap_page(struct req *r);

/*
 * GET /feeds/products.xml: RSS 2.0, one <item> per live product with
 * g:id, title, description, link, g:image_link, g:price, g:availability,
 * g:brand, g:gtin (or g:identifier_exists no) and g:condition.
 */
int feed_products(struct req *r);

/* --- pure helpers (unit-tested) -------------------------------------- */

/*
 * A copy of s in a for an XML 1.0 text node or attribute: keeps tab, LF,
 * CR and every character in [U+20, U+D7FF], [U+E000, U+FFFD] and
 * [U+10000, U+10FFFF]; drops other C0 controls, U+FFFE, U+FFFF and any
 * byte that is not part of well-formed UTF-8.  Keeps at most max_chars
 * characters (0: no limit), cutting only between characters.  Markup
 * characters are left alone: the writer escapes them.  NULL gives "".
 */
char *feed_xml_clean(struct arena *a, const char *s, size_t max_chars);

/*
 * base (trailing slashes dropped) + prefix + seg percent-encoded (every
 * byte but A-Z a-z 0-9 - . _ ~) + suffix, in a.  seg may be NULL.
 */
char *feed_url(struct arena *a, const char *base, const char *prefix,
               const char *seg, const char *suffix);

/* feed_url() for a path of segments: '/' is kept, everything else of path
 * encoded as there ("demo/c1-4" stays "demo/c1-4": a media base). */
char *feed_path_url(struct arena *a, const char *base, const char *prefix,
                    const char *path, const char *suffix);

/* True when s is a GTIN-8, -12, -13 or -14 with a correct check digit. */
bool feed_gtin_valid(const char *s);

/* --- writers (unit-tested) -------------------------------------------- */

/*
 * An XML writer appending to out.  Its libxml2 state is released with the
 * arena a (or earlier by feed_writer_finish()); after an error nothing
 * more is written.  Callers pass already cleaned text.
 */
struct feed_writer;

struct feed_item {
    const char *id;
    const char *title;
    const char *description;
    const char *link;
    const char *image_link; /* NULL: omitted */
    const char *price;      /* "199.00 CNY" */
    bool in_stock;
    const char *brand; /* NULL or "": omitted */
    const char *gtin;  /* NULL: g:identifier_exists no */
};

struct feed_writer *feed_writer_new(struct arena *a, struct strbuf *out);

/* <urlset> / <sitemapindex> / <rss><channel> openers. */
int feed_urlset_begin(struct feed_writer *fw);
int feed_index_begin(struct feed_writer *fw);
int feed_rss_begin(struct feed_writer *fw, const char *title, const char *link,
                   const char *description);

/* One <url> (lastmod may be NULL), <sitemap> or <item>. */
int feed_urlset_url(struct feed_writer *fw, const char *loc,
                    const char *lastmod);
int feed_index_sitemap(struct feed_writer *fw, const char *loc);
int feed_rss_item(struct feed_writer *fw, const struct feed_item *it);

/*
 * Close every open element, flush everything into out and release the
 * writer.  Returns 0, or JS_ERR when any write failed.
 */
int feed_writer_finish(struct feed_writer *fw);

#endif
