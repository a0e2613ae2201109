/*
 * media_tool.c - jishi-media, the helper that does the image work of
 * media.h in a process of its own (media_image.h says why):
 *
 *   jishi-media store MEDIA_DIR BASE MAX_BYTES   < image
 *       store the image on standard input as BASE's files; prints
 *       "<width> <height>" of the full size
 *   jishi-media demo MEDIA_DIR BASE RRGGBB [LABEL]
 *       store a demo gradient as BASE (nothing when its files exist)
 *
 * Exits with a MEDIA_EXIT_* status; reasons go to standard error.  Killed
 * by SIGALRM after MEDIA_TOOL_SECONDS.  Run by media.c, not by people.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "media_image.h"
#include "req.h"
#include "util.h"

/*
 * LeakSanitizer reads this from the program itself (sanitizer builds), so
 * no LSAN_OPTIONS is needed.  vips_text() loads fonts through pango's
 * process-wide font map, which vips_shutdown() keeps: a one-time
 * allocation, not a leak that grows.  Same list as tests/unit/lsan.supp.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

/* All of standard input, refusing more than max bytes: MEDIA_EXIT_*. */
static int
read_input(size_t max, char **data, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = xmalloc(cap);

    for (;;) {
        size_t got;

        if (n == cap) {
            if (cap > max) {
                free(buf);
                return MEDIA_EXIT_TOOLARGE;
            }
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n, stdin);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(stdin)) {
        free(buf);
        error("cannot read the image: standard input failed");
        return MEDIA_EXIT_ERR;
    }
    if (n > max) {
        free(buf);
        return MEDIA_EXIT_TOOLARGE;
    }
    *data = buf;
    *len = n;
    return MEDIA_EXIT_OK;
}

static int
exit_for(int rc)
{
    switch (rc) {
    case JS_OK:
        return MEDIA_EXIT_OK;
    case JS_INVALID:
        return MEDIA_EXIT_INVALID;
    case JS_TOOLARGE:
        return MEDIA_EXIT_TOOLARGE;
    default:
        return MEDIA_EXIT_ERR;
    }
}

int
main(int argc, char **argv)
{
    struct conf conf;
    struct req r;
    char *data = NULL;
    size_t len = 0;
    unsigned w = 0, h = 0;
    bool store;
    int64_t n;
    int rc;

    alarm(MEDIA_TOOL_SECONDS);
    if (argc < 5 || (strcmp(argv[1], "store") != 0 &&
                     strcmp(argv[1], "demo") != 0)) {
        fprintf(stderr, "usage: jishi-media store MEDIA_DIR BASE MAX_BYTES "
                        "< image\n"
                        "       jishi-media demo MEDIA_DIR BASE RRGGBB "
                        "[LABEL]\n");
        return MEDIA_EXIT_USAGE;
    }
    memset(&conf, 0, sizeof(conf));
    conf.media_dir = argv[2];
    conf.max_body_bytes = SIZE_MAX;
    store = strcmp(argv[1], "store") == 0;
    if (store) {
        if (parse_int64(argv[4], 1, INT64_MAX, &n))
            return MEDIA_EXIT_USAGE;
        rc = read_input((size_t)n, &data, &len);
        if (rc != MEDIA_EXIT_OK)
            return rc;
    } else if (strlen(argv[4]) != 6 ||
               strspn(argv[4], "0123456789abcdef") != 6) {
        return MEDIA_EXIT_USAGE;
    }
    if (media_image_init()) {
        free(data);
        return MEDIA_EXIT_ERR;
    }
    req_fake(&r, &conf, "POST", "/cli/media", NULL, NULL);
    if (store)
        rc = media_image_store(&r, data, len, argv[3], &w, &h);
    else
        rc = media_image_demo(&r, argv[3],
                              (unsigned)strtoul(argv[4], NULL, 16),
                              argc > 5 ? argv[5] : NULL);
    req_finish(&r);
    media_image_release();
    free(data);
    if (rc == JS_OK && store)
        printf("%u %u\n", w, h);
    return exit_for(rc);
}
