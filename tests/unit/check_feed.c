/*
 * check_feed.c - the XML writers of the sitemaps and the product feed and
 * the text they are fed: feed_xml_clean() drops what XML 1.0 cannot carry
 * and cuts at character boundaries; hostile merchant text written through
 * the writer parses back (libxml2) to exactly the cleaned text; URLs are
 * percent-encoded; GTIN check digits; a writer abandoned mid-document is
 * released with its arena and writes nothing more.
 */
#include "config.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "arena.h"
#include "feed.h"
#include "strbuf.h"
#include "suites.h"
#include "util.h"

#define NS_G "http://base.google.com/ns/1.0"
#define NS_SITEMAP "http://www.sitemaps.org/schemas/sitemap/0.9"

/* Typed by a merchant: markup, entity, quotes, CDATA end, controls. */
static const char HOSTILE[] =
    "Evil <b>&\"'</b> ]]> \x01 &amp; <script>alert(1)</script>\x0b\x1f"
    " 测试 🎉";
static const char HOSTILE_CLEAN[] =
    "Evil <b>&\"'</b> ]]>  &amp; <script>alert(1)</script> 测试 🎉";

static struct arena a;

static void
setup(void)
{
    arena_init(&a, 0);
}

static void
teardown(void)
{
    arena_release(&a);
}

/* ------------------------------------------------------------------ */
/* feed_xml_clean                                                       */

START_TEST(test_clean_keeps_markup_for_the_writer)
{
    ck_assert_str_eq(feed_xml_clean(&a, HOSTILE, 0), HOSTILE_CLEAN);
    ck_assert_str_eq(feed_xml_clean(&a, "a]]>b", 0), "a]]>b");
}
END_TEST

START_TEST(test_clean_controls)
{
    /* tab, LF, CR stay; every other C0 control goes; DEL and C1 are
     * XML 1.0 characters and stay. */
    ck_assert_str_eq(feed_xml_clean(&a, "a\tb\nc\rd", 0), "a\tb\nc\rd");
    ck_assert_str_eq(feed_xml_clean(&a, "\x01\x02\x08\x0b\x0c\x0e\x1f", 0), "");
    ck_assert_str_eq(feed_xml_clean(&a, "x\x7fy\xc2\x85z", 0),
                     "x\x7fy\xc2\x85z");
}
END_TEST

START_TEST(test_clean_noncharacters_and_bad_utf8)
{
    /* U+FFFE and U+FFFF go, U+FFFD stays. */
    ck_assert_str_eq(feed_xml_clean(&a,
                                    "a\xef\xbf\xbe\xef\xbf\xbf"
                                    "b\xef\xbf\xbd",
                                    0),
                     "ab\xef\xbf\xbd");
    /* Stray bytes, an overlong '/', an encoded surrogate, a truncated
     * sequence at the end: dropped byte by byte, neighbours kept. */
    ck_assert_str_eq(feed_xml_clean(&a,
                                    "a\xff\x80"
                                    "b",
                                    0),
                     "ab");
    ck_assert_str_eq(feed_xml_clean(&a,
                                    "a\xc0\xaf"
                                    "b",
                                    0),
                     "ab");
    ck_assert_str_eq(feed_xml_clean(&a,
                                    "a\xed\xa0\x80"
                                    "b",
                                    0),
                     "ab");
    ck_assert_str_eq(feed_xml_clean(&a, "测\xe8\xaf", 0), "测");
    ck_assert_str_eq(feed_xml_clean(&a, NULL, 5), "");
    ck_assert_str_eq(feed_xml_clean(&a, "", 5), "");
}
END_TEST

START_TEST(test_clean_truncates_at_characters)
{
    ck_assert_str_eq(feed_xml_clean(&a, "测试abc", 2), "测试");
    ck_assert_str_eq(feed_xml_clean(&a, "测试abc", 3), "测试a");
    ck_assert_str_eq(feed_xml_clean(&a, "🎉🎉🎉", 2), "🎉🎉");
    ck_assert_str_eq(feed_xml_clean(&a, "abc", 10), "abc");
    /* Dropped characters do not count. */
    ck_assert_str_eq(feed_xml_clean(&a,
                                    "\x01\x02"
                                    "ab",
                                    2),
                     "ab");
}
END_TEST

START_TEST(test_clean_long_text)
{
    struct strbuf sb = STRBUF_INIT;
    char *out;

    for (int i = 0; i < 3000; i++)
        strbuf_adds(&sb, "说明");
    out = feed_xml_clean(&a, sb.buf, FEED_DESC_MAX);
    ck_assert_uint_eq(strlen(out), FEED_DESC_MAX * 3); /* 3 bytes each */
    ck_assert_int_eq(memcmp(out, sb.buf, strlen(out)), 0);
    strbuf_release(&sb);
}
END_TEST

/* ------------------------------------------------------------------ */
/* URLs and GTINs                                                       */

START_TEST(test_url)
{
    ck_assert_str_eq(
        feed_url(&a, "https://jishi.cn/", "/p/", "tea-cup_1.0~", ""),
        "https://jishi.cn/p/tea-cup_1.0~");
    ck_assert_str_eq(
        feed_url(&a, "https://jishi.cn//", "/p/", "a b/c?d&e#f", ""),
        "https://jishi.cn/p/a%20b%2Fc%3Fd%26e%23f");
    ck_assert_str_eq(feed_url(&a, "http://x.cn", "/c/", "茶", ""),
                     "http://x.cn/c/%E8%8C%B6");
    ck_assert_str_eq(
        feed_url(&a, "http://x.cn", "/media/", "ab/12", "-full.jpg"),
        "http://x.cn/media/ab%2F12-full.jpg");
    /* A media path keeps its slashes (Merchant Center fetches it as is). */
    ck_assert_str_eq(
        feed_path_url(&a, "http://x.cn", "/media/", "demo/c1-4", "-full.jpg"),
        "http://x.cn/media/demo/c1-4-full.jpg");
    ck_assert_str_eq(
        feed_path_url(&a, "http://x.cn/", "/media/", "a b/c?d", ""),
        "http://x.cn/media/a%20b/c%3Fd");
    ck_assert_str_eq(feed_url(&a, "http://x.cn", "/", NULL, ""),
                     "http://x.cn/");
}
END_TEST

START_TEST(test_gtin)
{
    ck_assert(feed_gtin_valid("96385074"));       /* GTIN-8 */
    ck_assert(feed_gtin_valid("036000291452"));   /* UPC-A */
    ck_assert(feed_gtin_valid("4006381333931"));  /* EAN-13 */
    ck_assert(feed_gtin_valid("10012345600019")); /* GTIN-14 */
    ck_assert(!feed_gtin_valid("4006381333932")); /* check digit */
    ck_assert(!feed_gtin_valid("400638133393"));  /* 12, bad check */
    ck_assert(!feed_gtin_valid("123456789"));     /* 9 digits */
    ck_assert(!feed_gtin_valid("40063813339a1"));
    ck_assert(!feed_gtin_valid("4006381333931 "));
    ck_assert(!feed_gtin_valid(""));
    ck_assert(!feed_gtin_valid(NULL));
}
END_TEST

/* ------------------------------------------------------------------ */
/* writers                                                              */

/* First element child of n named name in namespace ns, or NULL. */
static xmlNodePtr
child(xmlNodePtr n, const char *ns, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && c->ns &&
            strcmp((const char *)c->ns->href, ns) == 0 &&
            strcmp((const char *)c->name, name) == 0)
            return c;
    }
    return NULL;
}

/* Text of n as a string in the arena. */
static const char *
text(xmlNodePtr n)
{
    xmlChar *s;
    char *out;

    ck_assert_ptr_nonnull(n);
    s = xmlNodeGetContent(n);
    out = arena_strdup(&a, (const char *)s);
    xmlFree(s);
    return out;
}

static xmlDocPtr
parse(const struct strbuf *sb)
{
    xmlDocPtr doc = xmlReadMemory(sb->buf, (int)sb->len, "feed.xml", "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
                                      XML_PARSE_NOWARNING);

    ck_assert_msg(doc != NULL, "not well-formed: %s", sb->buf);
    return doc;
}

START_TEST(test_rss_item_escapes_hostile_text)
{
    struct strbuf sb = STRBUF_INIT;
    struct feed_writer *fw = feed_writer_new(&a, &sb);
    const char *clean = feed_xml_clean(&a, HOSTILE, FEED_TITLE_MAX);
    struct feed_item it = {
        .id = "42",
        .title = clean,
        .description =
            feed_xml_clean(&a, "line 1\r\nline 2\t& <p>", FEED_DESC_MAX),
        .link = feed_url(&a, "https://jishi.cn", "/p/", "evil&<", ""),
        .image_link = "https://jishi.cn/media/ab12-full.jpg",
        .price = "199.00 CNY",
        .in_stock = true,
        .brand = feed_xml_clean(&a, "B&O \"<Play>\"", FEED_BRAND_MAX),
        .gtin = "4006381333931",
    };
    xmlDocPtr doc;
    xmlNodePtr root, channel, item;

    ck_assert_int_eq(
        feed_rss_begin(fw, "Jishi <集市>", "https://jishi.cn/", "A & B"), 0);
    ck_assert_int_eq(feed_rss_item(fw, &it), 0);
    it.in_stock = false;
    it.gtin = NULL;
    it.brand = "";
    it.image_link = NULL;
    ck_assert_int_eq(feed_rss_item(fw, &it), 0);
    ck_assert_int_eq(feed_writer_finish(fw), 0);

    /* On the wire: no raw markup from the merchant, no CDATA end. */
    ck_assert_ptr_null(strstr(sb.buf, "<b>"));
    ck_assert_ptr_null(strstr(sb.buf, "<script>"));
    ck_assert_ptr_null(strstr(sb.buf, "]]>"));
    ck_assert_ptr_null(strstr(sb.buf, "\x01"));
    ck_assert_ptr_nonnull(strstr(sb.buf, "&lt;b&gt;&amp;"));
    ck_assert_ptr_nonnull(strstr(sb.buf, "&amp;amp;"));
    ck_assert_ptr_nonnull(strstr(sb.buf, "&#13;")); /* CR survives */

    doc = parse(&sb);
    root = xmlDocGetRootElement(doc);
    ck_assert_str_eq((const char *)root->name, "rss");
    ck_assert_ptr_null(root->ns);
    channel = root->children;
    while (channel && channel->type != XML_ELEMENT_NODE)
        channel = channel->next;
    ck_assert_str_eq((const char *)channel->name, "channel");
    item = channel->children;
    while (item && !(item->type == XML_ELEMENT_NODE &&
                     strcmp((const char *)item->name, "item") == 0))
        item = item->next;
    ck_assert_ptr_nonnull(item);

    /* Parsed back, every field is exactly what was written. */
    for (xmlNodePtr c = item->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE &&
            strcmp((const char *)c->name, "title") == 0)
            ck_assert_str_eq(text(c), clean);
        if (c->type == XML_ELEMENT_NODE &&
            strcmp((const char *)c->name, "description") == 0)
            ck_assert_str_eq(text(c), "line 1\r\nline 2\t& <p>");
        if (c->type == XML_ELEMENT_NODE &&
            strcmp((const char *)c->name, "link") == 0)
            ck_assert_str_eq(text(c), "https://jishi.cn/p/evil%26%3C");
    }
    ck_assert_str_eq(text(child(item, NS_G, "id")), "42");
    ck_assert_str_eq(text(child(item, NS_G, "brand")), "B&O \"<Play>\"");
    ck_assert_str_eq(text(child(item, NS_G, "price")), "199.00 CNY");
    ck_assert_str_eq(text(child(item, NS_G, "availability")), "in_stock");
    ck_assert_str_eq(text(child(item, NS_G, "gtin")), "4006381333931");
    ck_assert_str_eq(text(child(item, NS_G, "condition")), "new");
    ck_assert_ptr_null(child(item, NS_G, "identifier_exists"));

    /* The second item: no brand, image or GTIN. */
    do
        item = item->next;
    while (item && item->type != XML_ELEMENT_NODE);
    ck_assert_ptr_nonnull(item);
    ck_assert_str_eq(text(child(item, NS_G, "availability")), "out_of_stock");
    ck_assert_ptr_null(child(item, NS_G, "brand"));
    ck_assert_ptr_null(child(item, NS_G, "image_link"));
    ck_assert_ptr_null(child(item, NS_G, "gtin"));
    ck_assert_str_eq(text(child(item, NS_G, "identifier_exists")), "no");
    xmlFreeDoc(doc);
    strbuf_release(&sb);
}
END_TEST

START_TEST(test_urlset_and_index)
{
    struct strbuf sb = STRBUF_INIT, si = STRBUF_INIT;
    struct feed_writer *fw = feed_writer_new(&a, &sb);
    xmlDocPtr doc;
    xmlNodePtr root, url;

    ck_assert_int_eq(feed_urlset_begin(fw), 0);
    ck_assert_int_eq(
        feed_urlset_url(fw, "https://x.cn/p/a?b=1&c=2", "2024-05-06T07:08:09Z"),
        0);
    ck_assert_int_eq(feed_urlset_url(fw, "https://x.cn/", NULL), 0);
    ck_assert_int_eq(feed_writer_finish(fw), 0);
    ck_assert_ptr_nonnull(strstr(sb.buf, "a?b=1&amp;c=2"));
    doc = parse(&sb);
    root = xmlDocGetRootElement(doc);
    ck_assert_str_eq((const char *)root->name, "urlset");
    ck_assert_str_eq((const char *)root->ns->href, NS_SITEMAP);
    url = child(root, NS_SITEMAP, "url");
    ck_assert_str_eq(text(child(url, NS_SITEMAP, "loc")),
                     "https://x.cn/p/a?b=1&c=2");
    ck_assert_str_eq(text(child(url, NS_SITEMAP, "lastmod")),
                     "2024-05-06T07:08:09Z");
    xmlFreeDoc(doc);

    fw = feed_writer_new(&a, &si);
    ck_assert_int_eq(feed_index_begin(fw), 0);
    ck_assert_int_eq(feed_index_sitemap(fw, "https://x.cn/sitemaps/c.xml"), 0);
    ck_assert_int_eq(feed_writer_finish(fw), 0);
    doc = parse(&si);
    root = xmlDocGetRootElement(doc);
    ck_assert_str_eq((const char *)root->name, "sitemapindex");
    ck_assert_str_eq(
        text(child(child(root, NS_SITEMAP, "sitemap"), NS_SITEMAP, "loc")),
        "https://x.cn/sitemaps/c.xml");
    xmlFreeDoc(doc);
    strbuf_release(&sb);
    strbuf_release(&si);
}
END_TEST

START_TEST(test_writer_abandoned)
{
    struct strbuf sb = STRBUF_INIT;
    struct feed_writer *fw = feed_writer_new(&a, &sb);
    size_t len;

    ck_assert_int_eq(feed_urlset_begin(fw), 0);
    ck_assert_int_eq(feed_urlset_url(fw, "https://x.cn/", NULL), 0);
    len = sb.len;
    /* An error path: the arena releases the writer, which must neither
     * leak nor flush its buffered tail into the body. */
    arena_release(&a);
    ck_assert_uint_eq(sb.len, len);
    strbuf_release(&sb);
}
END_TEST

Suite *
feed_suite(void)
{
    Suite *s = suite_create("feed");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_clean_keeps_markup_for_the_writer);
    tcase_add_test(tc, test_clean_controls);
    tcase_add_test(tc, test_clean_noncharacters_and_bad_utf8);
    tcase_add_test(tc, test_clean_truncates_at_characters);
    tcase_add_test(tc, test_clean_long_text);
    tcase_add_test(tc, test_url);
    tcase_add_test(tc, test_gtin);
    tcase_add_test(tc, test_rss_item_escapes_hostile_text);
    tcase_add_test(tc, test_urlset_and_index);
    tcase_add_test(tc, test_writer_abandoned);
    suite_add_tcase(s, tc);
    return s;
}
