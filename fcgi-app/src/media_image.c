/*
 * media_image.c - decoding, resizing and encoding product images with
 * libvips, and placing the files under media_dir (see media_image.h).
 * Runs in jishi-media, never in a worker (media.c spawns it).
 *
 * One store decodes the upload twice: once through vips_thumbnail_buffer(),
 * which shrinks on load, to a 1200 px image held in memory (at most
 * 1200x1200x4 bytes) from which the card and thumbnail are cut; once at
 * full size, streamed into the re-encoded original.  So memory does not
 * grow with the upload's resolution, except when EXIF orientation means
 * the original must be rotated: that needs the whole decoded image (libvips
 * spills it to a temporary file above 100 MB).
 *
 * Every VipsImage made here hangs off a per-call scope object
 * (vips_object_local_array), so one g_object_unref() releases them all.
 */
#include "config.h"
#include "media_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vips/vips.h>

#include "arena.h"
#include "conf.h"
#include "log.h"
#include "media.h"
#include "req.h"
#include "util.h"

/* Load options for every decode: a truncated file is an invalid one. */
#define LOAD_OPTIONS "fail_on=truncated"

static const struct {
    const char *name;
    int edge; /* long edge in pixels */
} sizes[] = {
    { "full", 1200 }, /* first: the others are cut from it */
    { "card", 480 },
    { "thumb", 160 },
};

/*
 * Accepted formats: magic bytes, the loader class libvips must pick (a
 * prefix: "VipsForeignLoadPngBuffer"), the original's extension.
 */
static const struct {
    const char *magic;
    size_t magic_len;
    size_t offset;
    const char *loader;
    const char *ext;
} formats[] = {
    { "\xff\xd8\xff", 3, 0, "VipsForeignLoadJpeg", "jpg" },
    { "\x89PNG\r\n\x1a\n", 8, 0, "VipsForeignLoadPng", "png" },
    { "WEBP", 4, 8, "VipsForeignLoadWebp", "webp" }, /* after "RIFF" + size */
};

enum {
    VIPS_OFF,
    VIPS_UP,
    VIPS_DOWN
};
static int vips_state = VIPS_OFF;

/*
 * Log what failed with libvips' reason, clear it, return JS_ERR.  With no
 * reason the failure was ours and is already logged.
 */
static int
vips_fail(const char *what, const char *subject)
{
    char reason[512];
    size_t n;

    if (!*vips_error_buffer())
        return JS_ERR;
    snprintf(reason, sizeof(reason), "%s", vips_error_buffer());
    vips_error_clear();
    n = strlen(reason);
    while (n && (reason[n - 1] == '\n' || reason[n - 1] == ' '))
        reason[--n] = '\0';
    for (char *p = reason; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return error("cannot %s '%s': %s", what, subject, reason);
}

/* libvips warns about damaged uploads: that is request data, not news. */
static void
log_vips(const char *domain, GLogLevelFlags level, const char *msg, void *data)
{
    (void)domain, (void)level, (void)data;
    info("libvips: %s", msg);
}

int
media_image_init(void)
{
    if (vips_state == VIPS_UP)
        return JS_OK;
    if (vips_state == VIPS_DOWN)
        return error("cannot restart libvips after media_image_release");
    if (VIPS_INIT("jishi"))
        return vips_fail("start", "libvips");
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, log_vips, NULL);
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
#if VIPS_MAJOR_VERSION > 8 || \
    (VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION >= 13)
    vips_block_untrusted_set(TRUE); /* no ImageMagick, PDF, … loaders */
#endif
    vips_state = VIPS_UP;
    return JS_OK;
}

void
media_image_release(void)
{
    if (vips_state != VIPS_UP)
        return;
    vips_shutdown();
    vips_state = VIPS_DOWN;
}

/* The format of data by content, or -1.  libvips must agree. */
static int
sniff(const void *data, size_t len)
{
    const char *p = data;

    for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
        const char *loader;

        if (len < formats[i].offset + formats[i].magic_len ||
            memcmp(p + formats[i].offset, formats[i].magic,
                   formats[i].magic_len) != 0)
            continue;
        if (formats[i].offset && memcmp(p, "RIFF", 4) != 0)
            continue;
        loader = vips_foreign_find_load_buffer(data, len);
        vips_error_clear();
        return loader && strncmp(loader, formats[i].loader,
                                 strlen(formats[i].loader)) == 0
                   ? (int)i
                   : -1;
    }
    return -1;
}

/* ------------------------------------------------------------ pipeline */

/*
 * in, upright, as 8-bit sRGB keeping any alpha, into *out (owned by
 * scope: the caller takes no reference).  Returns 0 or -1 with a libvips
 * error set.
 */
static int
to_srgb(VipsObject *scope, VipsImage *in, VipsImage **out)
{
    static const char *const private[] = {
        "exif-",          "xmp-",        "iptc-",       "icc-",
        "jpeg-thumbnail", "png-comment", "gif-comment", "orientation",
    };
    VipsImage **t = (VipsImage **)vips_object_local_array(scope, 5);
    VipsImage *x;
    char **fields;

    if (vips_autorot(in, &t[0], NULL))
        return -1;
    x = t[0];
    if (vips_image_get_typeof(x, VIPS_META_ICC_NAME)) {
        /* A broken profile is ignored rather than failing the upload. */
        if (vips_icc_transform(x, &t[1], "srgb", "embedded", TRUE, "intent",
                               VIPS_INTENT_PERCEPTUAL, NULL) == 0)
            x = t[1];
        else
            vips_error_clear();
    }
    if (vips_colourspace(x, &t[2], VIPS_INTERPRETATION_sRGB, NULL))
        return -1;
    x = t[2];
    if (vips_image_get_format(x) != VIPS_FORMAT_UCHAR) {
        if (vips_cast(x, &t[3], VIPS_FORMAT_UCHAR, NULL))
            return -1;
        x = t[3];
    }
    /* No metadata of the upload's may reach a file, whatever a saver
     * does with "strip": drop it from a private copy. */
    if (vips_copy(x, &t[4], NULL))
        return -1;
    fields = vips_image_get_fields(t[4]);
    for (char **f = fields; *f; f++)
        for (size_t i = 0; i < ARRAY_SIZE(private); i++)
            if (strncmp(*f, private[i], strlen(private[i])) == 0) {
                vips_image_remove(t[4], *f);
                break;
            }
    g_strfreev(fields);
    *out = t[4];
    return 0;
}

/* JPEG cannot hold alpha: flatten onto white. */
static int
save_jpg(VipsObject *scope, VipsImage *in, const char *path, int q,
         bool progressive)
{
    VipsImage **t = (VipsImage **)vips_object_local_array(scope, 1);

    if (vips_image_hasalpha(in)) {
        VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
        int rc = vips_flatten(in, &t[0], "background", white, NULL);

        vips_area_unref(VIPS_AREA(white));
        if (rc)
            return -1;
        in = t[0];
    }
    /* Progressive and optimised Huffman tables make libjpeg buffer the
     * whole image's coefficients: fine at 1200 px, not for an original. */
    return vips_jpegsave(in, path, "Q", q, "interlace", progressive,
                         "optimize_coding", progressive, "strip", TRUE, NULL);
}

/* A little-endian 32-bit field of a RIFF file. */
static uint32_t
le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void
put_le32(unsigned char *p, uint32_t v)
{
    p[0] = v & 0xff;
    p[1] = (v >> 8) & 0xff;
    p[2] = (v >> 16) & 0xff;
    p[3] = (v >> 24) & 0xff;
}

/*
 * Drop EXIF and XMP chunks from a WebP file in place.  libvips 8.14.1's
 * webpsave ignores "strip" and writes whatever EXIF the image carries (an
 * upload's GPS position included, were to_srgb() not to drop it first);
 * this makes the promise hold on every version.  A file it cannot parse
 * is left as it is.
 */
static void
webp_strip(unsigned char *buf, size_t *len)
{
    size_t in = 12, out = 12;

    if (*len < 12 || memcmp(buf, "RIFF", 4) != 0 ||
        memcmp(buf + 8, "WEBP", 4) != 0)
        return;
    while (in + 8 <= *len) {
        size_t n = 8 + (size_t)le32(buf + in + 4);

        n += n & 1; /* chunks are padded to even */
        if (n > *len - in)
            return;
        if (memcmp(buf + in, "EXIF", 4) == 0 ||
            memcmp(buf + in, "XMP ", 4) == 0) {
            in += n;
            continue;
        }
        if (memcmp(buf + in, "VP8X", 4) == 0 && n > 8)
            buf[in + 8] &= (unsigned char)~0x0c; /* EXIF, XMP flags */
        memmove(buf + out, buf + in, n);
        in += n;
        out += n;
    }
    *len = out;
    put_le32(buf + 4, (uint32_t)(out - 8));
}

/* Write data[0..len) to path, created 0644. */
static int
write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const char *p = data;

    if (fd < 0)
        return error("cannot create '%s': %s", path, strerror(errno));
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            error("cannot write '%s': %s", path, strerror(errno));
            close(fd);
            return JS_ERR;
        }
        p += n;
        len -= (size_t)n;
    }
    if (close(fd) != 0)
        return error("cannot write '%s': %s", path, strerror(errno));
    return JS_OK;
}

/* Returns 0, -1 with a libvips error set, or JS_ERR already logged. */
static int
save_webp(VipsImage *in, const char *path, int q)
{
    void *buf = NULL;
    size_t len = 0;
    int rc;

    if (vips_webpsave_buffer(in, &buf, &len, "Q", q, "strip", TRUE, NULL))
        return -1;
    webp_strip(buf, &len);
    rc = write_file(path, buf, len);
    g_free(buf);
    return rc;
}

/* The original in its own format, a little higher quality. */
static int
save_orig(VipsObject *scope, VipsImage *in, const char *ext, const char *path)
{
    if (strcmp(ext, "jpg") == 0)
        return save_jpg(scope, in, path, 92, false);
    if (strcmp(ext, "webp") == 0)
        return save_webp(in, path, 90);
    return vips_pngsave(in, path, "compression", 6, "strip", TRUE, NULL);
}

/* mkdir -p for the directory part of path. */
static int
make_parents(struct req *r, const char *path)
{
    char *dir = arena_strdup(&r->arena, path);

    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return error("cannot create directory '%s': %s", dir,
                         strerror(errno));
        *p = '/';
    }
    return JS_OK;
}

/* ------------------------------------------------------------- storing */

/* The seven outputs of one store: final and temporary paths. */
#define NOUT (1 + 2 * ARRAY_SIZE(sizes))

struct outputs {
    const char *path[NOUT];
    const char *tmp[NOUT];
    bool written[NOUT];
};

static void
outputs_init(struct req *r, struct outputs *o, const char *base,
             const char *orig_ext)
{
    const char *stem =
        arena_printf(&r->arena, "%s/%s", r->conf->media_dir, base);
    unsigned k = 0;

    memset(o, 0, sizeof(*o));
    o->path[k++] = arena_printf(&r->arena, "%s-orig.%s", stem, orig_ext);
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        o->path[k++] =
            arena_printf(&r->arena, "%s-%s.webp", stem, sizes[i].name);
        o->path[k++] =
            arena_printf(&r->arena, "%s-%s.jpg", stem, sizes[i].name);
    }
    for (k = 0; k < NOUT; k++)
        o->tmp[k] =
            arena_printf(&r->arena, "%s.%ld.tmp", o->path[k], (long)getpid());
}

/* Encode every output to its temporary name. */
static int
encode_all(VipsObject *scope, const void *data, size_t len,
           const char *orig_ext, bool oriented, struct outputs *o,
           unsigned *width, unsigned *height)
{
    VipsImage **t = (VipsImage **)vips_object_local_array(scope, 6);
    VipsImage *full, *orig;
    unsigned k = 1;

    /* 1200 px, shrunk on load, held in memory: card and thumb come from
     * it, and it proves the whole file decodes before anything is written.
     * thumbnail_buffer takes a non-const pointer but does not write. */
    if (vips_thumbnail_buffer((void *)data, len, &t[0], sizes[0].edge, "size",
                              VIPS_SIZE_DOWN, "option_string", LOAD_OPTIONS,
                              NULL) ||
        to_srgb(scope, t[0], &full))
        return JS_INVALID;
    t[2] = vips_image_copy_memory(full); /* decodes: may find damage */
    if (!t[2])
        return JS_INVALID;
    full = t[2];
    *width = (unsigned)vips_image_get_width(full);
    *height = (unsigned)vips_image_get_height(full);

    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++, k += 2) {
        VipsImage *img = full;

        if (i > 0) {
            if (vips_thumbnail_image(full, &t[2 + i], sizes[i].edge, "size",
                                     VIPS_SIZE_DOWN, NULL))
                return vips_fail("resize", o->path[k]);
            img = t[2 + i];
        }
        o->written[k] = true;
        if (save_webp(img, o->tmp[k], 80))
            return vips_fail("write", o->tmp[k]);
        o->written[k + 1] = true;
        if (save_jpg(scope, img, o->tmp[k + 1], 82, true))
            return vips_fail("write", o->tmp[k + 1]);
    }

    /* The original at full size from a second decode, streamed unless it
     * must be flipped or rotated, which needs random access. */
    t[5] = vips_image_new_from_buffer(
        data, len, LOAD_OPTIONS, "access",
        oriented ? VIPS_ACCESS_RANDOM : VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!t[5])
        return vips_fail("decode", o->path[0]);
    o->written[0] = true;
    if (to_srgb(scope, t[5], &orig) ||
        save_orig(scope, orig, orig_ext, o->tmp[0]))
        return vips_fail("write", o->tmp[0]);
    return JS_OK;
}

int
media_image_store(struct req *r, const void *data, size_t len, const char *base,
                  unsigned *width, unsigned *height)
{
    const struct conf *c = r->conf;
    VipsObject *scope = NULL;
    VipsImage *head = NULL;
    struct outputs o;
    unsigned w = 0, h = 0, renamed = 0;
    uint64_t pixels;
    bool oriented;
    int fmt, rc, orientation = 1;

    if (!media_base_ok(base))
        return JS_INVALID;
    if (len > c->max_body_bytes)
        return JS_TOOLARGE;
    fmt = sniff(data, len);
    if (fmt < 0)
        return JS_INVALID;

    /* Header only: refuse decompression bombs before decoding. */
    head = vips_image_new_from_buffer(data, len, LOAD_OPTIONS, "access",
                                      VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!head) {
        vips_error_clear();
        return JS_INVALID;
    }
    pixels = (uint64_t)vips_image_get_width(head) *
             (uint64_t)vips_image_get_height(head);
    if (vips_image_get_typeof(head, VIPS_META_ORIENTATION) &&
        vips_image_get_int(head, VIPS_META_ORIENTATION, &orientation))
        vips_error_clear();
    oriented = orientation > 1 && orientation <= 8;
    g_object_unref(head);
    if (pixels > MEDIA_MAX_PIXELS)
        return JS_TOOLARGE;

    outputs_init(r, &o, base, formats[fmt].ext);
    rc = make_parents(r, o.path[0]);
    if (rc)
        return rc;
    scope = VIPS_OBJECT(vips_image_new());
    rc = encode_all(scope, data, len, formats[fmt].ext, oriented, &o, &w, &h);
    g_object_unref(scope);
    vips_error_clear();
    if (rc)
        goto unlink_tmp;

    for (renamed = 0; renamed < NOUT; renamed++) {
        if (rename(o.tmp[renamed], o.path[renamed]) != 0) {
            rc = error("cannot rename '%s' into place: %s", o.path[renamed],
                       strerror(errno));
            goto unlink_new;
        }
    }
    if (width)
        *width = w;
    if (height)
        *height = h;
    return JS_OK;

unlink_new:
    for (unsigned k = 0; k < renamed; k++)
        unlink(o.path[k]);
unlink_tmp:
    for (unsigned k = renamed; k < NOUT; k++)
        if (o.written[k])
            unlink(o.tmp[k]);
    return rc;
}

/* ---------------------------------------------------------------- demo */

static bool
demo_exists(struct req *r, const char *base)
{
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        static const char *const fmts[] = { "webp", "jpg" };

        for (size_t j = 0; j < ARRAY_SIZE(fmts); j++) {
            const char *p =
                arena_printf(&r->arena, "%s/%s-%s.%s", r->conf->media_dir, base,
                             sizes[i].name, fmts[j]);

            if (access(p, F_OK) != 0)
                return false;
        }
    }
    return true;
}

/* Draw label centred on *img in a colour that reads against it. */
static void
demo_label(VipsObject *scope, VipsImage **img, const double base[3],
           const char *label)
{
    VipsImage **t = (VipsImage **)vips_object_local_array(scope, 4);
    double luma = 0.299 * base[0] + 0.587 * base[1] + 0.114 * base[2];
    double ink[3];

    for (int i = 0; i < 3; i++)
        ink[i] = luma > 150 ? base[i] * 0.3 : 255.0;
    /* Text is decoration: without fonts the image simply has none. */
    if (vips_text(&t[0], label, "font", "sans bold 84", "width", 1000, "align",
                  VIPS_ALIGN_CENTRE, "dpi", 72, NULL) ||
        vips_gravity(t[0], &t[1], VIPS_COMPASS_DIRECTION_CENTRE, 1200, 1200,
                     NULL)) {
        vips_error_clear();
        return;
    }
    t[2] = vips_image_new_from_image(*img, ink, 3);
    if (vips_ifthenelse(t[1], t[2], *img, &t[3], "blend", TRUE, NULL)) {
        vips_error_clear();
        return;
    }
    *img = t[3];
}

/* A 1200x1200 gradient, light top-left to deep bottom-right, as PNG. */
static int
demo_png(unsigned rgb, const char *label, void **buf, size_t *len)
{
    VipsObject *scope = VIPS_OBJECT(vips_image_new());
    VipsImage **t = (VipsImage **)vips_object_local_array(scope, 5);
    double c[3], a[3], b[3];
    VipsImage *img;
    int rc = -1;

    c[0] = (rgb >> 16) & 0xff;
    c[1] = (rgb >> 8) & 0xff;
    c[2] = rgb & 0xff;
    for (int i = 0; i < 3; i++) {
        double light = c[i] + (255.0 - c[i]) * 0.45, deep = c[i] * 0.75;

        b[i] = light;
        a[i] = (deep - light) / 1199.0;
    }
    /* xyz gives (x, y); their mean runs 0..1199 along the diagonal. */
    if (vips_xyz(&t[0], 1200, 1200, NULL) || vips_bandmean(t[0], &t[1], NULL) ||
        vips_linear(t[1], &t[2], a, b, 3, "uchar", TRUE, NULL) ||
        vips_copy(t[2], &t[3], "interpretation", VIPS_INTERPRETATION_sRGB,
                  NULL))
        goto out;
    img = t[3];
    if (label && *label)
        demo_label(scope, &img, c, label);
    if (vips_pngsave_buffer(img, buf, len, "compression", 6, NULL))
        goto out;
    rc = 0;
out:
    if (rc)
        vips_fail("draw", "demo image");
    g_object_unref(scope);
    return rc;
}

int
media_image_demo(struct req *r, const char *base, unsigned rgb,
                 const char *label)
{
    void *png = NULL;
    size_t len = 0;
    int rc;

    if (!media_base_ok(base))
        return JS_INVALID;
    if (demo_exists(r, base))
        return JS_OK;
    if (demo_png(rgb, label, &png, &len))
        return JS_ERR;
    rc = media_image_store(r, png, len, base, NULL, NULL);
    g_free(png);
    return rc;
}
