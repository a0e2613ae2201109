/*
 * check_media.c - image storage under a temporary media_dir: the seven
 * files and their sizes and formats, no upscaling, alpha, EXIF rotation
 * and metadata stripping, rejection of non-images, truncated files, bad
 * bases and oversized input, the demo generator and media_url.
 */
#include "config.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vips/vips.h>

#include "conf.h"
#include "media.h"
#include "media_image.h"
#include "req.h"
#include "suites.h"
#include "util.h"

#define MAX_BODY (16 * 1024 * 1024)

/* Loader class prefixes naming each format. */
#define WEBP "VipsForeignLoadWebp"
#define JPEG "VipsForeignLoadJpeg"
#define PNG "VipsForeignLoadPng"

static char dir[64];
static struct conf conf;
static struct req r;

static void
setup(void)
{
    char json[1024], err[256] = "";

    ck_assert_int_eq(media_image_init(), 0);
    snprintf(dir, sizeof(dir), "/tmp/jishi-media-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(json, sizeof(json),
             "{\"media_dir\":\"%s/m\",\"media_tool\":\"%s\","
             "\"db\":{\"primary\":{}},"
             "\"limits\":{\"max_body_bytes\":%d}}",
             dir, JISHI_MEDIA_TOOL, MAX_BODY);
    ck_assert_msg(conf_parse(&conf, json, "/", err, sizeof(err)) == 0,
                  "conf: %s", err);
    req_fake(&r, &conf, "POST", "/", NULL, NULL);
}

/* Regular files under path at any depth; removes everything when rm. */
static int
walk(const char *path, bool rm)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char sub[512];
    struct stat st;
    int n = 0;

    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        if (lstat(sub, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            n += walk(sub, rm);
            if (rm)
                rmdir(sub);
        } else {
            n++;
            if (rm)
                unlink(sub);
        }
    }
    closedir(d);
    return n;
}

static int
count_files(void)
{
    return walk(dir, false);
}

static void
teardown(void)
{
    const char *fork = getenv("CK_FORK");

    req_finish(&r);
    conf_free(&conf);
    walk(dir, true);
    rmdir(dir);
    /* libvips cannot restart: without fork, check_main.c shuts it down. */
    if (!fork || strcmp(fork, "no") != 0)
        media_image_release();
}

/* ------------------------------------------------------------ helpers */

/* A w x h image with bands 3 (RGB) or 4 (RGBA), a gradient, as PNG. */
static void *
make_png(int w, int h, int bands, size_t *len)
{
    VipsImage *xy, *img, *out;
    void *buf = NULL;
    double a[4] = { 1, 0.5, 0.25, 0 }, b[4] = { 0, 40, 200, 128 };

    ck_assert_int_eq(vips_xyz(&xy, w, h, NULL), 0);
    ck_assert_int_eq(vips_bandmean(xy, &img, NULL), 0);
    ck_assert_int_eq(vips_linear(img, &out, a, b, bands, "uchar", TRUE, NULL),
                     0);
    ck_assert_int_eq(
        vips_pngsave_buffer(out, &buf, len, "compression", 1, NULL), 0);
    g_object_unref(out);
    g_object_unref(img);
    g_object_unref(xy);
    return buf;
}

/* A w x h JPEG of noise, so every byte of it matters; orientation if > 0,
 * red in the top-left quarter. */
static void *
make_jpeg(int w, int h, int orientation, size_t *len)
{
    VipsImage *noise, *rgb, *red, *img;
    void *buf = NULL;
    double ink[3] = { 255, 0, 0 };

    ck_assert_int_eq(
        vips_gaussnoise(&noise, w, h, "mean", 100.0, "sigma", 20.0, NULL), 0);
    ck_assert_int_eq(vips_bandjoin_const1(noise, &rgb, 0, NULL), 0);
    g_object_unref(noise);
    ck_assert_int_eq(vips_bandjoin_const1(rgb, &noise, 0, NULL), 0);
    g_object_unref(rgb);
    ck_assert_int_eq(vips_cast(noise, &rgb, VIPS_FORMAT_UCHAR, NULL), 0);
    g_object_unref(noise);
    ck_assert_int_eq(
        vips_copy(rgb, &red, "interpretation", VIPS_INTERPRETATION_sRGB, NULL),
        0);
    g_object_unref(rgb);
    ck_assert_int_eq(
        vips_draw_rect(red, ink, 3, 0, 0, w / 2, h / 2, "fill", TRUE, NULL), 0);
    ck_assert_int_eq(vips_copy(red, &img, NULL), 0);
    g_object_unref(red);
    if (orientation > 0)
        vips_image_set_int(img, VIPS_META_ORIENTATION, orientation);
    ck_assert_int_eq(vips_jpegsave_buffer(img, &buf, len, "Q", 90, NULL), 0);
    g_object_unref(img);
    return buf;
}

/* Assert dir/m/<base>-<suffix> decodes with the loader class (a prefix
 * such as PNG) at w x h, without EXIF; return it (the
 * caller unrefs) when keep, else NULL. */
static VipsImage *
check_file(const char *base, const char *suffix, const char *loader, int w,
           int h, bool keep)
{
    char path[256];
    const char *found;
    VipsImage *img;

    snprintf(path, sizeof(path), "%s/m/%s-%s", dir, base, suffix);
    found = vips_foreign_find_load(path);
    ck_assert_msg(found && strncmp(found, loader, strlen(loader)) == 0,
                  "%s: loader %s", path, found ? found : "none");
    img = vips_image_new_from_file(path, NULL);
    ck_assert_ptr_nonnull(img);
    ck_assert_msg(vips_image_get_width(img) == w &&
                      vips_image_get_height(img) == h,
                  "%s is %dx%d, not %dx%d", path, vips_image_get_width(img),
                  vips_image_get_height(img), w, h);
    ck_assert(!vips_image_get_typeof(img, VIPS_META_EXIF_NAME));
    ck_assert(!vips_image_get_typeof(img, VIPS_META_ORIENTATION));
    if (keep)
        return img;
    g_object_unref(img);
    return NULL;
}

/* The six derived files at the given long-edge sizes. */
static void
check_derived(const char *base, const int wh[3][2])
{
    static const char *const names[] = { "full", "card", "thumb" };
    char suffix[32];

    for (int i = 0; i < 3; i++) {
        snprintf(suffix, sizeof(suffix), "%s.webp", names[i]);
        check_file(base, suffix, WEBP, wh[i][0], wh[i][1], false);
        snprintf(suffix, sizeof(suffix), "%s.jpg", names[i]);
        check_file(base, suffix, JPEG, wh[i][0], wh[i][1], false);
    }
}

/* -------------------------------------------------------------- tests */

START_TEST(test_media_store_png)
{
    static const int wh[3][2] = { { 1200, 900 }, { 480, 360 }, { 160, 120 } };
    size_t len;
    void *png = make_png(2000, 1500, 3, &len);
    unsigned w = 0, h = 0;
    VipsImage *img;
    int interlaced = 0;

    ck_assert_int_eq(media_store_image(&r, png, len, "p/12/345-1", &w, &h), 0);
    g_free(png);
    ck_assert_uint_eq(w, 1200);
    ck_assert_uint_eq(h, 900);
    check_file("p/12/345-1", "orig.png", PNG, 2000, 1500, false);
    check_derived("p/12/345-1", wh);
    ck_assert_int_eq(count_files(), 7);

    img = check_file("p/12/345-1", "card.jpg", JPEG, 480, 360, true);
    if (vips_image_get_typeof(img, "interlaced"))
        vips_image_get_int(img, "interlaced", &interlaced);
    ck_assert_int_eq(interlaced, 1);
    g_object_unref(img);
}
END_TEST

START_TEST(test_media_no_upscale)
{
    size_t len;
    void *png = make_png(300, 200, 3, &len);
    unsigned w = 0, h = 0;
    char path[256];
    VipsImage *img;

    ck_assert_int_eq(media_store_image(&r, png, len, "small", &w, &h), 0);
    g_free(png);
    ck_assert_uint_eq(w, 300);
    ck_assert_uint_eq(h, 200);
    check_file("small", "full.webp", WEBP, 300, 200, false);
    check_file("small", "card.jpg", JPEG, 300, 200, false);
    snprintf(path, sizeof(path), "%s/m/small-thumb.jpg", dir);
    img = vips_image_new_from_file(path, NULL);
    ck_assert_ptr_nonnull(img);
    ck_assert_int_eq(vips_image_get_width(img), 160);
    ck_assert_int_ge(vips_image_get_height(img), 106);
    ck_assert_int_le(vips_image_get_height(img), 107);
    g_object_unref(img);
}
END_TEST

START_TEST(test_media_alpha)
{
    size_t len;
    void *png = make_png(600, 600, 4, &len);
    VipsImage *img;

    ck_assert_int_eq(media_store_image(&r, png, len, "a", NULL, NULL), 0);
    g_free(png);
    img = check_file("a", "card.webp", WEBP, 480, 480, true);
    ck_assert_int_eq(vips_image_get_bands(img), 4);
    g_object_unref(img);
    img = check_file("a", "card.jpg", JPEG, 480, 480, true);
    ck_assert_int_eq(vips_image_get_bands(img), 3);
    g_object_unref(img);
    img = check_file("a", "orig.png", PNG, 600, 600, true);
    ck_assert_int_eq(vips_image_get_bands(img), 4);
    g_object_unref(img);
}
END_TEST

/* Orientation 6: the camera was turned; display rotates 90 clockwise, so
 * the red top-left quarter of the stored pixels ends up top-right. */
START_TEST(test_media_exif_rotation)
{
    size_t len;
    void *jpg = make_jpeg(300, 200, 6, &len);
    unsigned w = 0, h = 0;
    double *px;
    int n;
    VipsImage *img;

    ck_assert_int_eq(media_store_image(&r, jpg, len, "rot/1", &w, &h), 0);
    g_free(jpg);
    ck_assert_uint_eq(w, 200);
    ck_assert_uint_eq(h, 300);
    check_file("rot/1", "orig.jpg", JPEG, 200, 300, false);
    img = check_file("rot/1", "full.webp", WEBP, 200, 300, true);
    ck_assert_int_eq(vips_getpoint(img, &px, &n, 190, 10, NULL), 0);
    ck_assert_msg(px[0] > 200, "top-right is %g,%g,%g", px[0], px[1], px[2]);
    g_free(px);
    ck_assert_int_eq(vips_getpoint(img, &px, &n, 10, 10, NULL), 0);
    ck_assert_msg(px[0] < 180, "top-left is %g,%g,%g", px[0], px[1], px[2]);
    g_free(px);
    g_object_unref(img);
}
END_TEST

START_TEST(test_media_not_images)
{
    static const char text[] = "hello, this is not an image\n";
    static const unsigned char png_junk[] = {
        0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3, 4, 5, 6, 7, 8,
    };
    static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
    unsigned char junk[4096];
    size_t len;
    void *jpg = make_jpeg(800, 600, 0, &len);

    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (unsigned char)(i * 7919 >> 3);
    ck_assert_int_eq(media_store_image(&r, junk, sizeof(junk), "x", NULL, NULL),
                     JS_INVALID);
    ck_assert_int_eq(media_store_image(&r, text, strlen(text), "x", NULL, NULL),
                     JS_INVALID);
    ck_assert_int_eq(
        media_store_image(&r, png_junk, sizeof(png_junk), "x", NULL, NULL),
        JS_INVALID);
    ck_assert_int_eq(media_store_image(&r, gif, sizeof(gif), "x", NULL, NULL),
                     JS_INVALID);
    ck_assert_int_eq(media_store_image(&r, "", 0, "x", NULL, NULL), JS_INVALID);
    ck_assert_int_eq(media_store_image(&r, jpg, len / 2, "x", NULL, NULL),
                     JS_INVALID);
    g_free(jpg);
    ck_assert_int_eq(count_files(), 0);
}
END_TEST

START_TEST(test_media_bad_base)
{
    static const char *const bad[] = {
        "",   "../x", "A/B",    "x y", "/abs", "a//b",
        "a/", "a.b",  "p/../x", "x\n", "中文",
    };
    char longest[MEDIA_MAX_BASE + 2];
    size_t len;
    void *png = make_png(64, 64, 3, &len);

    memset(longest, 'a', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        ck_assert_msg(media_store_image(&r, png, len, bad[i], NULL, NULL) ==
                          JS_INVALID,
                      "base '%s' accepted", bad[i]);
    ck_assert_int_eq(media_store_image(&r, png, len, longest, NULL, NULL),
                     JS_INVALID);
    ck_assert_int_eq(media_generate_demo_image(&r, "../d", 0x336699, NULL),
                     JS_INVALID);
    g_free(png);
    ck_assert_int_eq(count_files(), 0);
}
END_TEST

START_TEST(test_media_too_large)
{
    VipsImage *black;
    void *png;
    size_t len;

    /* The size check comes before anything reads the bytes. */
    ck_assert_int_eq(
        media_store_image(&r, "", (size_t)MAX_BODY + 1, "x", NULL, NULL),
        JS_TOOLARGE);
    /* 8000 x 5001 is just over 40 megapixels, yet a tiny 1-bit PNG. */
    ck_assert_int_eq(vips_black(&black, 8000, 5001, NULL), 0);
    ck_assert_int_eq(vips_pngsave_buffer(black, &png, &len, "bitdepth", 1,
                                         "compression", 9, NULL),
                     0);
    g_object_unref(black);
    ck_assert_int_eq(media_store_image(&r, png, len, "x", NULL, NULL),
                     JS_TOOLARGE);
    g_free(png);
    ck_assert_int_eq(count_files(), 0);
}
END_TEST

START_TEST(test_media_demo)
{
    static const int wh[3][2] = {
        { 1200, 1200 },
        { 480, 480 },
        { 160, 160 },
    };
    char path[256];
    struct stat before, after;

    ck_assert_int_eq(
        media_generate_demo_image(&r, "demo/7", 0xc0392b, "Jishi 7"), 0);
    check_derived("demo/7", wh);
    check_file("demo/7", "orig.png", PNG, 1200, 1200, false);
    ck_assert_int_eq(media_generate_demo_image(&r, "demo/8", 0xf5e6c8, NULL),
                     0);
    ck_assert_int_eq(count_files(), 14);

    /* A second call finds the files and leaves them alone. */
    snprintf(path, sizeof(path), "%s/m/demo/7-full.jpg", dir);
    ck_assert_int_eq(stat(path, &before), 0);
    ck_assert_int_eq(media_generate_demo_image(&r, "demo/7", 0x000000, "other"),
                     0);
    ck_assert_int_eq(stat(path, &after), 0);
    ck_assert_int_eq(before.st_ino, after.st_ino);
}
END_TEST

/* Without its helper a store fails cleanly: JS_ERR, nothing written. */
START_TEST(test_media_no_helper)
{
    size_t len;
    void *png = make_png(300, 200, 3, &len);
    struct conf *c = (struct conf *)r.conf;
    char *tool = c->media_tool;

    c->media_tool = (char *)"/nonexistent/jishi-media";
    ck_assert_int_eq(media_store_image(&r, png, len, "nohelper", NULL, NULL),
                     JS_ERR);
    ck_assert_int_eq(media_generate_demo_image(&r, "demo/none", 0x336699,
                                               NULL), JS_ERR);
    c->media_tool = tool;
    g_free(png);
    ck_assert_int_eq(count_files(), 0);
}
END_TEST

START_TEST(test_media_url)
{
    ck_assert_str_eq(media_url(&r, "p/12/345-1", "card", "webp"),
                     "/media/p/12/345-1-card.webp");
    ck_assert_str_eq(media_url(&r, "x", "thumb", "jpg"), "/media/x-thumb.jpg");
}
END_TEST

Suite *
media_suite(void)
{
    Suite *s = suite_create("media");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60); /* libvips under ASan or valgrind */
    tcase_add_test(tc, test_media_store_png);
    tcase_add_test(tc, test_media_no_upscale);
    tcase_add_test(tc, test_media_alpha);
    tcase_add_test(tc, test_media_exif_rotation);
    tcase_add_test(tc, test_media_not_images);
    tcase_add_test(tc, test_media_bad_base);
    tcase_add_test(tc, test_media_too_large);
    tcase_add_test(tc, test_media_demo);
    tcase_add_test(tc, test_media_no_helper);
    tcase_add_test(tc, test_media_url);
    suite_add_tcase(s, tc);
    return s;
}
