/*
 * page.h - shareable product pages: GET /p/:slug answers with the SPA's
 * own index.html, its <head> filled in for the product, so links unfurl
 * and crawlers index the page while the SPA takes over in the browser.
 *
 * Owns no table: the product comes from catalog_summary_find() (a live
 * product by slug, on a replica).  The template is conf->frontend_dist's
 * index.html, read once per worker and read again when its mtime, size or
 * inode change, so a rebuilt SPA needs no restart.
 *
 * The head says: <title> (the template's is replaced, never doubled),
 * description, canonical link, OpenGraph (og:type product, title,
 * description, url, image, site_name) with product:price:*, and a
 * schema.org Product in JSON-LD with its offers and rating.  Every piece
 * of merchant text is HTML-escaped; the JSON-LD has <, >, &, U+2028 and
 * U+2029 as \u escapes, so nothing in it can end the <script>.
 */
#ifndef JISHI_PAGE_H
#define JISHI_PAGE_H

#include <stddef.h>

struct arena;
struct catalog_summary;
struct req;
struct strbuf;

#define PAGE_SITE_NAME "Jishi 集市"
#define PAGE_TITLE_SUFFIX " · Jishi"
#define PAGE_DESC_MAX 160       /* meta description, in characters */
#define PAGE_LD_DESC_MAX 5000   /* JSON-LD description, in characters */
#define PAGE_TEMPLATE_MAX (1024 * 1024)

/*
 * GET /p/:slug (public): 200 with the filled-in page for a live product,
 * cacheable publicly for 10 s with a weak ETag like the product API.  An
 * unknown or non-live product gets 404 with the template and a robots
 * noindex (the SPA shows its not-found page); a database outage 503 with
 * the same.  JS_ERR (500) only when the template cannot be read at all.
 */
int page_product(struct req *r);

/* Free the cached template (worker exit). */
void page_release(void);

/* --- pure (unit-tested) --------------------------------------------- */

/*
 * Append tmpl[0..len) to out with the head for p (NULL: not found, only a
 * robots noindex added, the template's title kept).  The template's first
 * <title> in its head is replaced; without one the head goes before
 * </head>; without </head> after <head>, else after the doctype, else at
 * the start.  The head's own <meta> and <link> tags that ours stand in
 * for (name="description", "robots", "twitter:...", property="og:...",
 * "product:...", rel="canonical"; written with double quotes) are left
 * out, both for a product and for not found.  site_url (public_url) makes
 * the canonical and image URLs absolute.  Scratch strings come from a.
 */
void page_render(struct arena *a, struct strbuf *out, const char *tmpl,
                 size_t len, const char *site_url,
                 const struct catalog_summary *p);

/*
 * s as one line of plain text, in a: malformed UTF-8 and control
 * characters dropped, runs of white space (also U+2028, U+2029, U+3000)
 * made one space, trimmed.  At most max characters (0: no limit); cut
 * text ends in "…" within that limit, never inside a character.
 */
char *page_plain_text(struct arena *a, const char *s, size_t max);

/*
 * Append the JSON text json[0..len) to out with <, >, &, U+2028 and
 * U+2029 written as \u escapes: the same JSON value, safe inside
 * <script>.  (They can only occur inside strings, where the escape
 * means the same character.)
 */
void page_add_script_json(struct strbuf *out, const char *json, size_t len);

#endif
