/*
 * media_image.h - the image work behind media.h, done with libvips in the
 * jishi-media helper (media_tool.c), never in a worker: the decoders of
 * untrusted files and libvips' ninety libraries stay out of the
 * long-lived processes.  The semantics are media_store_image()'s and
 * media_generate_demo_image()'s (media.h); the unit tests call these
 * directly to check the files.
 */
#ifndef JISHI_MEDIA_IMAGE_H
#define JISHI_MEDIA_IMAGE_H

#include <stddef.h>

struct req;

/* How jishi-media ends (media_tool.c): the JS_* code it stands for. */
enum {
    MEDIA_EXIT_OK = 0,          /* JS_OK; "<width> <height>\n" for store */
    MEDIA_EXIT_ERR = 1,         /* JS_ERR (logged on its stderr) */
    MEDIA_EXIT_USAGE = 2,
    MEDIA_EXIT_INVALID = 3,     /* JS_INVALID */
    MEDIA_EXIT_TOOLARGE = 4     /* JS_TOOLARGE */
};

/* jishi-media gives up (SIGALRM) after this long. */
#define MEDIA_TOOL_SECONDS 120

/*
 * Start libvips for this process: one worker thread per pipeline and no
 * operation cache.  Returns 0, or JS_ERR (logged).  Calling it again is a
 * no-op; after media_image_release() libvips cannot restart and it
 * returns JS_ERR.
 */
int media_image_init(void);

/* Shut libvips down (idempotent; a no-op when never started). */
void media_image_release(void);

/* media_store_image() (media.h), in this process. */
int media_image_store(struct req *r, const void *data, size_t len,
                      const char *base, unsigned *width, unsigned *height);

/* media_generate_demo_image() (media.h), in this process. */
int media_image_demo(struct req *r, const char *base, unsigned rgb,
                     const char *label);

#endif
