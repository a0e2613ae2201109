/*
 * media.h - product images on disk: validating uploads, resizing them with
 * libvips, and naming the files nginx serves.
 *
 * An image is known by its base, a relative path such as "p/12/345-1"
 * (product_images.base).  Under conf->media_dir it owns seven files:
 *
 *   <base>-orig.<jpg|png|webp>    the upload, upright, metadata stripped,
 *                                 re-encoded in its own format (not served)
 *   <base>-thumb.<webp|jpg>       long edge 160 px
 *   <base>-card.<webp|jpg>        long edge 480 px
 *   <base>-full.<webp|jpg>        long edge 1200 px
 *
 * Sizes never upscale: a 300 px original gives a 300 px card and full.
 * Every file is written under a temporary name and renamed into place
 * only when all seven have been encoded, so readers never see a partial
 * file and a failed store leaves no new files behind.  The files are
 * immutable once written: a new upload gets a new base, which is what
 * lets nginx serve /media/ with a year-long cache lifetime.
 *
 * The image work runs in a helper process, jishi-media (media_image.h),
 * started for each store: image decoders never run in a worker, and the
 * workers do not map libvips and the ninety libraries it needs.
 */
#ifndef JISHI_MEDIA_H
#define JISHI_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

struct req;

/* Largest image accepted, in pixels (width * height). */
#define MEDIA_MAX_PIXELS 40000000ULL

/* Longest accepted base, in bytes. */
#define MEDIA_MAX_BASE 120

/* Non-empty [a-z0-9-] segments joined by single '/': no "..", no root. */
bool media_base_ok(const char *base);

/*
 * Store the uploaded image data[0..len) as base's seven files (above),
 * creating directories (0755) as needed.
 *
 * Accepts JPEG, PNG and WebP only, recognised by content, not by name;
 * the first frame of an animation is used.  EXIF orientation is applied,
 * colour is converted to sRGB and all metadata (EXIF, GPS, ICC, XMP) is
 * dropped.  JPEG outputs are quality 82 progressive with transparency
 * flattened onto white; WebP outputs are quality 80 and keep alpha.
 *
 * Returns 0 and the full size's dimensions in *width and *height (either
 * may be NULL), or
 *   JS_INVALID   base is not [a-z0-9-] segments joined by '/', or the
 *                data is not a complete JPEG, PNG or WebP image
 *   JS_TOOLARGE  len exceeds conf->max_body_bytes or the image has more
 *                than MEDIA_MAX_PIXELS pixels
 *   JS_ERR       a file could not be written, or jishi-media could not
 *                be run or failed (logged)
 * Nothing is written unless it returns 0.  The work is done by
 * jishi-media (conf->media_tool, else the one beside this program), which
 * gets the data on its standard input and is killed after
 * MEDIA_TOOL_SECONDS.
 */
int media_store_image(struct req *r, const void *data, size_t len,
                      const char *base, unsigned *width, unsigned *height);

/*
 * Demo data: store a 1200x1200 diagonal gradient in colour rgb (0xRRGGBB)
 * as base, with label (may be NULL or "") drawn in the middle when fonts
 * are available.  The image is encoded as PNG and passed through
 * media_store_image(), so the demo exercises the upload path.  Does
 * nothing and returns 0 when the six derived files already exist.
 * Labels are drawn with the installed fonts: without a CJK font, Chinese
 * text comes out as boxes, so pass Latin text.  Returns as
 * media_store_image().
 */
int media_generate_demo_image(struct req *r, const char *base, unsigned rgb,
                              const char *label);

/*
 * The public URL path "/media/<base>-<size>.<fmt>", in the request arena.
 * size is "thumb", "card" or "full"; fmt is "webp" or "jpg".  base is not
 * checked: pass only a base that media_store_image() accepted.
 */
const char *media_url(struct req *r, const char *base, const char *size,
                      const char *fmt);

/* The same URL appended to sb (no formatting: listing cards write 144). */
struct strbuf;
void media_url_add(struct strbuf *sb, const char *base, const char *size,
                   const char *fmt);

/*
 * POST /api/v1/merchant/images (merchant staff): the body is the image
 * (Content-Type image/jpeg, image/png or image/webp, up to
 * limits.max_upload_bytes).  Stores it under a new base
 * "m/<merchant id>/<random>" and answers 201 {base, width, height,
 * thumb, card, full}; the base is what a product's images refer to.
 */
int media_upload(struct req *r);

#endif
