/*
 * check_page.c - the product page head: the template's title replaced,
 * never doubled; hostile merchant text (quotes, markup, "</script>", "&",
 * U+2028) escaped in the HTML and unable to leave the JSON-LD, which
 * still parses back to the same text; descriptions made one line and cut
 * on a character boundary; prices formatted in integer arithmetic (Offer
 * or AggregateOffer); templates without a title, </head> or <head>.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "catalog.h"
#include "json.h"
#include "page.h"
#include "strbuf.h"
#include "suites.h"
#include "util.h"

#define SITE "https://jishi.example/"
#define LD_OPEN "<script type=\"application/ld+json\">"

static const char TEMPLATE[] =
    "<!doctype html>\n<html lang=\"zh-CN\">\n  <head>\n"
    "    <meta charset=\"utf-8\">\n    <title>集市 Jishi</title>\n"
    "    <script type=\"module\" crossorigin src=\"/assets/index-x.js\">"
    "</script>\n  </head>\n  <body>\n    <div id=\"app\"></div>\n"
    "  </body>\n</html>\n";

static struct arena a;
static struct strbuf out;

static void
setup(void)
{
    arena_init(&a, 0);
    strbuf_init(&out);
}

static void
teardown(void)
{
    strbuf_release(&out);
    arena_release(&a);
}

static struct catalog_summary
product(void)
{
    return (struct catalog_summary){
        .id = 42, .slug = "tea-cup", .name = "Celadon tea cup",
        .description = "Hand-thrown, 200 ml.", .currency = "CNY",
        .min_price = 19900, .max_price = 19900, .in_stock = true,
        .rating_avg = 450, .rating_count = 12, .brand = "Longquan",
        .sku = "TC-1", .nskus = 1, .image = "/media/p/42/1-card.jpg",
    };
}

static const char *
render(const char *tmpl, const struct catalog_summary *p)
{
    strbuf_reset(&out);
    page_render(&a, &out, tmpl, strlen(tmpl), SITE, p);
    return out.buf;
}

static unsigned
count(const char *s, const char *needle)
{
    unsigned n = 0;

    for (const char *p = strstr(s, needle); p;
         p = strstr(p + strlen(needle), needle))
        n++;
    return n;
}

/* The page's JSON-LD, parsed (owned by the arena). */
static json_object *
ld(const char *html)
{
    const char *start = strstr(html, LD_OPEN), *end;
    json_object *o;
    const char *why = "";

    ck_assert_ptr_nonnull(start);
    start += strlen(LD_OPEN);
    end = strstr(start, "</script>");
    ck_assert_ptr_nonnull(end);
    ck_assert_int_eq(json_parse(&a, start, (size_t)(end - start), 16, &o,
                                &why), 0);
    return o;
}

static const char *
get(json_object *o, const char *path)
{
    char key[64];
    const char *dot = strchr(path, '.');
    json_object *v;

    if (dot) {
        ck_assert_uint_lt((size_t)(dot - path), sizeof(key));
        memcpy(key, path, (size_t)(dot - path));
        key[dot - path] = '\0';
        ck_assert_msg(json_object_object_get_ex(o, key, &v), "no %s", key);
        return get(v, dot + 1);
    }
    if (!json_object_object_get_ex(o, path, &v))
        return NULL;
    return json_object_get_string(v);
}

/* Each key path of kv (pairs, NULL-terminated) has its value in o. */
static void
expect(json_object *o, const char *const *kv)
{
    for (; kv[0]; kv += 2) {
        const char *v = get(o, kv[0]);

        ck_assert_msg(v && strcmp(v, kv[1]) == 0, "%s is '%s', not '%s'",
                      kv[0], v ? v : "(none)", kv[1]);
    }
}

/* ------------------------------------------------------------------ */

START_TEST(test_product_head)
{
    struct catalog_summary p = product();
    const char *h = render(TEMPLATE, &p);

    ck_assert_uint_eq(count(h, "<title"), 1);
    ck_assert_ptr_nonnull(strstr(h, "\n    <title>Celadon tea cup · Jishi"
                                    "</title>\n    <meta name="));
    ck_assert_ptr_null(strstr(h, "集市 Jishi</title>"));
    ck_assert_ptr_nonnull(strstr(h, "<meta name=\"description\" "
                                    "content=\"Hand-thrown, 200 ml.\">"));
    ck_assert_ptr_nonnull(strstr(h, "<link rel=\"canonical\" "
                                    "href=\"https://jishi.example/p/tea-cup"
                                    "\">"));
    ck_assert_ptr_nonnull(strstr(h, "<meta property=\"og:type\" "
                                    "content=\"product\">"));
    ck_assert_ptr_nonnull(strstr(h, "<meta property=\"og:url\" content=\""
                                    "https://jishi.example/p/tea-cup\">"));
    ck_assert_ptr_nonnull(strstr(h, "<meta property=\"og:image\" content=\""
                                    "https://jishi.example/media/p/42/"
                                    "1-card.jpg\">"));
    ck_assert_ptr_nonnull(strstr(h, "<meta property=\"og:site_name\" "
                                    "content=\"" PAGE_SITE_NAME "\">"));
    ck_assert_ptr_nonnull(strstr(h, "<meta property=\"product:price:amount\""
                                    " content=\"199.00\">"));
    ck_assert_ptr_nonnull(strstr(h, "<meta property=\"product:price:"
                                    "currency\" content=\"CNY\">"));
    /* The rest of the template is untouched: the SPA still boots. */
    ck_assert_ptr_nonnull(strstr(h, "src=\"/assets/index-x.js\"></script>"
                                    "\n  </head>\n  <body>\n    <div "
                                    "id=\"app\"></div>"));
    ck_assert_ptr_eq(strstr(h, "<!doctype html>\n<html"), h);

    expect(ld(h), (const char *const[]){
        "@context", "https://schema.org",
        "@type", "Product",
        "name", "Celadon tea cup",
        "description", "Hand-thrown, 200 ml.",
        "sku", "TC-1",
        "image", "https://jishi.example/media/p/42/1-card.jpg",
        "brand.@type", "Brand",
        "brand.name", "Longquan",
        "offers.@type", "Offer",
        "offers.price", "199.00",
        "offers.priceCurrency", "CNY",
        "offers.availability", "https://schema.org/InStock",
        "offers.url", "https://jishi.example/p/tea-cup",
        "aggregateRating.@type", "AggregateRating",
        "aggregateRating.ratingValue", "4.50",
        "aggregateRating.ratingCount", "12",
        NULL });
}
END_TEST

START_TEST(test_variants_stock_rating_image)
{
    struct catalog_summary p = product();
    json_object *o;
    const char *h;

    p.min_price = 5;
    p.max_price = 123456;
    p.nskus = 3;
    p.in_stock = false;
    p.rating_count = 0;
    p.image = NULL;
    p.brand = NULL;
    p.sku = NULL;
    h = render(TEMPLATE, &p);
    o = ld(h);
    expect(o, (const char *const[]){
        "offers.@type", "AggregateOffer",
        "offers.lowPrice", "0.05",
        "offers.highPrice", "1234.56",
        "offers.offerCount", "3",
        "offers.availability", "https://schema.org/OutOfStock",
        NULL });
    ck_assert_ptr_null(get(o, "offers.price"));
    ck_assert_ptr_null(get(o, "aggregateRating"));
    ck_assert_ptr_null(get(o, "image"));
    ck_assert_ptr_null(get(o, "brand"));
    ck_assert_ptr_null(get(o, "sku"));
    ck_assert_ptr_null(strstr(h, "og:image"));
    ck_assert_ptr_nonnull(strstr(h, "content=\"0.05\""));

    /* A currency without minor units. */
    p.currency = "JPY";
    p.min_price = p.max_price = 1500;
    o = ld(render(TEMPLATE, &p));
    ck_assert_str_eq(get(o, "offers.price"), "1500");
    ck_assert_str_eq(get(o, "offers.priceCurrency"), "JPY");
}
END_TEST

START_TEST(test_hostile_text)
{
    /* What a merchant might type: quotes, markup, a script end, an
     * entity, U+2028 and U+2029, a control character. */
    static const char name[] =
        "Evil \"cup\" 'x' <script>alert(1)</script> &amp; </SCRIPT><!--"
        " \xe2\x80\xa8line\xe2\x80\xa9 \x01" "end";
    struct catalog_summary p = product();
    const char *h, *ldtext, *close;
    json_object *o;

    p.name = name;
    p.description = "</script><script>alert(2)</script> & \"q\"";
    p.brand = "B&O \"<Play>\"";
    p.sku = "</script>";
    p.slug = "a\"b<c>";
    h = render(TEMPLATE, &p);
    /* The template's one </script> and the JSON-LD's own: no more. */
    ck_assert_uint_eq(count(h, "</script>"), 2);
    ck_assert_uint_eq(count(h, "</SCRIPT>"), 0);
    ck_assert_uint_eq(count(h, "<script"), 2);
    ck_assert_uint_eq(count(h, "<!--"), 0);
    ck_assert_ptr_null(strstr(h, "\xe2\x80\xa8"));
    ck_assert_ptr_null(strstr(h, "\xe2\x80\xa9"));
    ck_assert_ptr_null(strstr(h, "\x01"));
    ck_assert_ptr_nonnull(strstr(h,
        "<title>Evil &quot;cup&quot; &#39;x&#39; &lt;script&gt;alert(1)"
        "&lt;/script&gt; &amp;amp; &lt;/SCRIPT&gt;&lt;!-- line end"
        " · Jishi</title>"));
    ck_assert_ptr_nonnull(strstr(h,
        "<meta name=\"description\" content=\"&lt;/script&gt;&lt;script"
        "&gt;alert(2)&lt;/script&gt; &amp; &quot;q&quot;\">"));
    /* The slug is percent-encoded in URLs. */
    ck_assert_ptr_nonnull(strstr(h, "href=\"https://jishi.example/p/"
                                    "a%22b%3Cc%3E\""));
    /* Inside the JSON-LD only escapes, and it parses back to the text. */
    ldtext = strstr(h, LD_OPEN) + strlen(LD_OPEN);
    close = strstr(ldtext, "</script>");
    for (const char *c = ldtext; c < close; c++)
        ck_assert_msg(*c != '<' && *c != '>' && *c != '&',
                      "raw '%c' in JSON-LD", *c);
    ck_assert_ptr_nonnull(strstr(ldtext, "\\u003c/script\\u003e"));
    ck_assert_ptr_nonnull(strstr(ldtext, "\\u2028line\\u2029"));
    o = ld(h);
    ck_assert_str_eq(get(o, "name"),
                     "Evil \"cup\" 'x' <script>alert(1)</script> &amp; "
                     "</SCRIPT><!-- \xe2\x80\xa8line\xe2\x80\xa9 end");
    ck_assert_str_eq(get(o, "description"), p.description);
    ck_assert_str_eq(get(o, "brand.name"), p.brand);
    ck_assert_str_eq(get(o, "sku"), "</script>");
}
END_TEST

START_TEST(test_script_json_escapes)
{
    static const char json[] = "{\"a\":\"<b>&\xe2\x80\xa8\xe2\x80\xa9"
                               "\xe2\x80\xaa\"}";

    strbuf_reset(&out);
    page_add_script_json(&out, json, strlen(json));
    ck_assert_str_eq(out.buf, "{\"a\":\"\\u003cb\\u003e\\u0026\\u2028"
                              "\\u2029\xe2\x80\xaa\"}");
    /* A truncated sequence at the end is copied as it is. */
    strbuf_reset(&out);
    page_add_script_json(&out, "\xe2\x80", 2);
    ck_assert_str_eq(out.buf, "\xe2\x80");
}
END_TEST

START_TEST(test_plain_text)
{
    ck_assert_str_eq(page_plain_text(&a, "  a\r\n\tb \xe3\x80\x80 c  ", 0),
                     "a b c");
    ck_assert_str_eq(page_plain_text(&a, "a\x01\x7f\xc2\x85z", 0), "a z");
    ck_assert_str_eq(page_plain_text(&a, "a\xff\xc3(b\xe8\x93", 0), "a(b");
    ck_assert_str_eq(page_plain_text(&a, NULL, 10), "");
    ck_assert_str_eq(page_plain_text(&a, "short", 160), "short");
    ck_assert_str_eq(page_plain_text(&a, "abcdef", 6), "abcdef");
    ck_assert_str_eq(page_plain_text(&a, "abcdefg", 6), "abcde…");
}
END_TEST

START_TEST(test_description_cut_on_characters)
{
    struct strbuf s = STRBUF_INIT;
    const char *d;
    size_t chars = 0;

    /* 200 three-byte characters: 159 of them and the ellipsis. */
    for (int i = 0; i < 200; i++)
        strbuf_adds(&s, "测");
    d = page_plain_text(&a, s.buf, PAGE_DESC_MAX);
    ck_assert(utf8_valid(d, strlen(d)));
    for (const char *c = d; *c; c++)
        chars += ((unsigned char)*c & 0xc0) != 0x80;
    ck_assert_uint_eq(chars, PAGE_DESC_MAX);
    ck_assert_uint_eq(strlen(d), 159 * 3 + 3);
    ck_assert_str_eq(d + strlen(d) - 3, "…");
    /* Four-byte characters too. */
    strbuf_reset(&s);
    for (int i = 0; i < 170; i++)
        strbuf_adds(&s, "🎉");
    d = page_plain_text(&a, s.buf, PAGE_DESC_MAX);
    ck_assert(utf8_valid(d, strlen(d)));
    ck_assert_uint_eq(strlen(d), 159 * 4 + 3);
    /* Words: cut at the last space when it is near the limit. */
    strbuf_reset(&s);
    for (int i = 0; i < 40; i++)
        strbuf_adds(&s, "word ");
    d = page_plain_text(&a, s.buf, PAGE_DESC_MAX);
    ck_assert_uint_eq(strlen(d), 31 * 5 - 1 + 3);
    ck_assert_str_eq(d + strlen(d) - 8, " word…");
    strbuf_release(&s);

    /* Through the page: the meta description is the cut one. */
    {
        struct catalog_summary p = product();
        struct strbuf want = STRBUF_INIT;

        strbuf_reset(&s);
        for (int i = 0; i < 200; i++)
            strbuf_adds(&s, "测");
        p.description = s.buf;
        strbuf_adds(&want, "<meta name=\"description\" content=\"");
        for (int i = 0; i < 159; i++)
            strbuf_adds(&want, "测");
        strbuf_adds(&want, "…\">");
        ck_assert_ptr_nonnull(strstr(render(TEMPLATE, &p), want.buf));
        strbuf_release(&want);
        strbuf_release(&s);
    }
}
END_TEST

START_TEST(test_money_format)
{
    char b[MONEY_BUF];

    ck_assert_str_eq(money_format(b, 19900, "CNY"), "199.00");
    ck_assert_str_eq(money_format(b, 5, "CNY"), "0.05");
    ck_assert_str_eq(money_format(b, 0, "CNY"), "0.00");
    ck_assert_str_eq(money_format(b, -105, "CNY"), "-1.05");
    ck_assert_str_eq(money_format(b, -5, "USD"), "-0.05");
    ck_assert_str_eq(money_format(b, 1500, "JPY"), "1500");
    ck_assert_str_eq(money_format(b, 1234, "KWD"), "1.234");
    ck_assert_str_eq(money_format(b, INT64_MAX, "CNY"),
                     "92233720368547758.07");
    ck_assert_str_eq(money_format(b, INT64_MIN, "CNY"),
                     "-92233720368547758.08");
    ck_assert_str_eq(fmt_decimal(b, sizeof(b), 450, 2), "4.50");
    ck_assert_str_eq(fmt_decimal(b, sizeof(b), 7, 0), "7");
}
END_TEST

START_TEST(test_not_found)
{
    const char *h = render(TEMPLATE, NULL);

    ck_assert_uint_eq(count(h, "<title"), 1);
    ck_assert_ptr_nonnull(strstr(h, "\n    <title>集市 Jishi</title>\n    "
                                    "<meta name=\"robots\" "
                                    "content=\"noindex\">\n    <script"));
    ck_assert_ptr_null(strstr(h, "og:"));
    ck_assert_ptr_null(strstr(h, LD_OPEN));
    ck_assert_ptr_nonnull(strstr(h, "<div id=\"app\"></div>"));
}
END_TEST

START_TEST(test_template_tags_replaced)
{
    /* A template with a home page's own description, OpenGraph, robots
     * and canonical: ours stand in for them, nothing else goes. */
    static const char t[] =
        "<html>\n  <head>\n    <meta charset=\"utf-8\">\n"
        "    <META NAME=\"Description\" content=\"Home\">\n"
        "    <meta property=\"og:title\" content=\"Home\" />\n"
        "    <title>Home</title>\n"
        "    <link rel=\"icon\" href=\"/favicon.svg\">\n"
        "    <link rel=\"canonical\" href=\"https://x/\">\n"
        "    <meta name=\"robots\" content=\"index\">"
        "<meta name=\"twitter:card\" content=\"summary\">\n"
        "    <meta name=\"viewport\" content=\"width=device-width\">\n"
        "  </head>\n  <body><meta name=\"description\" content=\"b\">"
        "</body>\n</html>\n";
    struct catalog_summary p = product();
    const char *h = render(t, &p);

    ck_assert_ptr_eq(strstr(h, "<html>\n  <head>\n    <meta charset=\"utf-8"
                                "\">\n    <title>Celadon"), h);
    ck_assert_uint_eq(count(h, "name=\"description\""), 2);  /* +body */
    ck_assert_uint_eq(count(h, "og:title"), 1);
    ck_assert_uint_eq(count(h, "rel=\"canonical\""), 1);
    ck_assert_uint_eq(count(h, "twitter:card"), 1);
    ck_assert_ptr_null(strstr(h, "Home"));
    ck_assert_ptr_null(strstr(h, "name=\"robots\""));
    ck_assert_ptr_nonnull(strstr(h, "</script>\n    <link rel=\"icon\" "
                                    "href=\"/favicon.svg\">\n    <meta "
                                    "name=\"viewport\" content=\"width="
                                    "device-width\">\n  </head>\n  <body>"
                                    "<meta name=\"description\" "
                                    "content=\"b\"></body>"));
    /* Not found: only the noindex, without the template's robots. */
    h = render(t, NULL);
    ck_assert_uint_eq(count(h, "name=\"robots\""), 1);
    ck_assert_ptr_nonnull(strstr(h, "<title>Home</title>\n    <meta "
                                    "name=\"robots\" content=\"noindex\">"
                                    "\n    <link rel=\"icon\""));
}
END_TEST

START_TEST(test_template_shapes)
{
    struct catalog_summary p = product();
    const char *h;

    /* No title: before </head>. */
    h = render("<html><HEAD><meta charset=utf-8></Head><body></body></html>",
               &p);
    ck_assert_uint_eq(count(h, "<title"), 1);
    ck_assert_ptr_eq(strstr(h, "<html><HEAD><meta charset=utf-8><title>"),
                     h);
    ck_assert_ptr_nonnull(strstr(h, "</script>\n</Head><body>"));
    /* Each tag on its own line, indented like the line it went in. */
    h = render("<head>\n\t<meta charset=utf-8>\n\t</head>", NULL);
    ck_assert_str_eq(h, "<head>\n\t<meta charset=utf-8>\n\t<meta "
                        "name=\"robots\" content=\"noindex\">\n\t</head>");
    h = render("<head>\n  </head>", &p);
    ck_assert_ptr_nonnull(strstr(h, "<head>\n  <title>Celadon tea cup"
                                    " · Jishi</title>\n  <meta name="));
    ck_assert_ptr_nonnull(strstr(h, "</script>\n  </head>"));
    /* No </head>: after <head ...>. */
    h = render("<!doctype html><html><head lang=x><title>t</title>"
               "<body><svg><title>keep</title></svg>", &p);
    ck_assert_uint_eq(count(h, "<title"), 2);
    ck_assert_ptr_nonnull(strstr(h, "<svg><title>keep</title></svg>"));
    ck_assert_ptr_nonnull(strstr(h, "<head lang=x><title>Celadon"));
    h = render("<!doctype html><html><head><body><p>x", &p);
    ck_assert_ptr_eq(strstr(h, "<!doctype html><html><head><title>Celadon"),
                     h);
    /* <header> is not <head>. */
    h = render("<!DOCTYPE html><header>x</header>", &p);
    ck_assert_ptr_eq(strstr(h, "<!DOCTYPE html><title>Celadon"), h);
    /* Neither: after the doctype, else at the start. */
    h = render("<!doctype html>\n<p>x", NULL);
    ck_assert_str_eq(h, "<!doctype html><meta name=\"robots\" "
                        "content=\"noindex\">\n\n<p>x");
    h = render("<p>x", NULL);
    ck_assert_str_eq(h, "<meta name=\"robots\" content=\"noindex\">\n<p>x");
    h = render("", NULL);
    ck_assert_str_eq(h, "<meta name=\"robots\" content=\"noindex\">\n");
    /* An unclosed title is left alone. */
    h = render("<head><title>broken", NULL);
    ck_assert_str_eq(h, "<head><meta name=\"robots\" content=\"noindex\">\n"
                        "<title>broken");
}
END_TEST

Suite *
page_suite(void)
{
    Suite *s = suite_create("page");
    TCase *tc = tcase_create("page");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_product_head);
    tcase_add_test(tc, test_variants_stock_rating_image);
    tcase_add_test(tc, test_hostile_text);
    tcase_add_test(tc, test_script_json_escapes);
    tcase_add_test(tc, test_plain_text);
    tcase_add_test(tc, test_description_cut_on_characters);
    tcase_add_test(tc, test_money_format);
    tcase_add_test(tc, test_not_found);
    tcase_add_test(tc, test_template_shapes);
    tcase_add_test(tc, test_template_tags_replaced);
    suite_add_tcase(s, tc);
    return s;
}
