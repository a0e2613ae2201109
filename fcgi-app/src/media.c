/*
 * media.c - product images: upload validation, the URLs nginx serves, and
 * the jishi-media helper that does the image work (see media.h).
 */
#define _GNU_SOURCE     /* pipe2, posix_spawn_file_actions_addclosefrom_np */
#include "config.h"
#include "media.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "arena.h"
#include "audit.h"
#include "auth.h"
#include "conf.h"
#include "json.h"
#include "log.h"
#include "media_image.h"
#include "reply.h"
#include "req.h"
#include "strbuf.h"
#include "util.h"

extern char **environ;

void
media_url_add(struct strbuf *sb, const char *base, const char *size,
              const char *fmt)
{
    strbuf_adds(sb, "/media/");
    strbuf_adds(sb, base);
    strbuf_addch(sb, '-');
    strbuf_adds(sb, size);
    strbuf_addch(sb, '.');
    strbuf_adds(sb, fmt);
}

const char *
media_url(struct req *r, const char *base, const char *size, const char *fmt)
{
    struct strbuf sb = STRBUF_INIT;
    char *url;

    media_url_add(&sb, base, size, fmt);
    url = arena_strndup(&r->arena, sb.buf, sb.len);
    strbuf_release(&sb);
    return url;
}

/* ---------------------------------------------------------------- checks */

bool
media_base_ok(const char *base)
{
    size_t n = strlen(base);

    if (n == 0 || n > MEDIA_MAX_BASE)
        return false;
    for (const char *p = base; *p; p++) {
        if (*p == '/') {
            if (p == base || p[1] == '/' || p[1] == '\0')
                return false;
        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                     *p == '-')) {
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------ the helper */

/* The jishi-media program: conf's media_tool, else beside this one. */
static char *
tool_path(struct req *r)
{
    char self[PATH_MAX];
    ssize_t n;
    const char *slash;

    if (r->conf->media_tool && *r->conf->media_tool)
        return arena_strdup(&r->arena, r->conf->media_tool);
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return NULL;
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (!slash)
        return NULL;
    return arena_printf(&r->arena, "%.*s/jishi-media", (int)(slash - self),
                        self);
}

/* The JS_* code for how jishi-media ended. */
static int
tool_status(const char *tool, int status)
{
    if (WIFEXITED(status)) {
        switch (WEXITSTATUS(status)) {
        case MEDIA_EXIT_OK:
            return JS_OK;
        case MEDIA_EXIT_INVALID:
            return JS_INVALID;
        case MEDIA_EXIT_TOOLARGE:
            return JS_TOOLARGE;
        default:
            return error("%s failed (exit status %d)", tool,
                         WEXITSTATUS(status));
        }
    }
    return error("%s was killed by signal %d", tool,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/*
 * Run argv (argv[0] the helper) with in[0..inlen) as its standard input
 * and its standard output (up to outsz - 1 bytes) in out; its standard
 * error is ours (the log).  It reads all its input before it writes.
 * SIGPIPE is ignored from then on (as workers do anyway): a helper that
 * stops reading makes the write fail, not this process die.
 */
static int
run_tool(char *const argv[], const void *in, size_t inlen, char *out,
         size_t outsz)
{
    posix_spawn_file_actions_t fa;
    int to[2] = { -1, -1 }, from[2] = { -1, -1 }, status = 0, e, rc;
    const char *p = in;
    size_t got = 0;
    pid_t pid;

    signal(SIGPIPE, SIG_IGN);
    if (pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC)) {
        rc = error("cannot make a pipe: %s", strerror(errno));
        goto out;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, to[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, from[1], STDOUT_FILENO);
    /* Not the worker's sockets (FastCGI, clients, MariaDB). */
    posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
    e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(to[0]);
    close(from[1]);
    to[0] = from[1] = -1;
    if (e) {
        rc = error("cannot run %s: %s", argv[0], strerror(e));
        goto out;
    }
    /* A write that fails (EPIPE: it stopped reading) is explained by its
     * exit status. */
    while (inlen) {
        ssize_t w = write(to[1], p, inlen);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        p += w;
        inlen -= (size_t)w;
    }
    close(to[1]);
    to[1] = -1;
    for (;;) {
        char sink[256];
        ssize_t n = got + 1 < outsz ? read(from[0], out + got,
                                           outsz - 1 - got)
                                    : read(from[0], sink, sizeof(sink));

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (got + 1 < outsz)
            got += (size_t)n;
    }
    out[got] = '\0';
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            rc = error("cannot wait for %s: %s", argv[0], strerror(errno));
            goto out;
        }
    rc = tool_status(argv[0], status);
out:
    for (int i = 0; i < 2; i++) {
        if (to[i] >= 0)
            close(to[i]);
        if (from[i] >= 0)
            close(from[i]);
    }
    return rc;
}

/* argv[0..3] of a jishi-media command: the tool, cmd, media_dir, base. */
static int
tool_argv(struct req *r, const char *cmd, const char *base, char **argv)
{
    argv[0] = tool_path(r);
    if (!argv[0])
        return error("cannot find jishi-media beside this program");
    argv[1] = arena_strdup(&r->arena, cmd);
    argv[2] = arena_strdup(&r->arena, r->conf->media_dir);
    argv[3] = arena_strdup(&r->arena, base);
    return JS_OK;
}

int
media_store_image(struct req *r, const void *data, size_t len, const char *base,
                  unsigned *width, unsigned *height)
{
    char out[64], *end;
    char *argv[6];
    unsigned long w, h;
    int rc;

    if (!media_base_ok(base))
        return JS_INVALID;
    if (len > r->conf->max_body_bytes)
        return JS_TOOLARGE;
    if (tool_argv(r, "store", base, argv))
        return JS_ERR;
    argv[4] = arena_printf(&r->arena, "%zu", r->conf->max_body_bytes);
    argv[5] = NULL;
    rc = run_tool(argv, data, len, out, sizeof(out));
    if (rc)
        return rc;
    /* "<width> <height>\n" */
    w = strtoul(out, &end, 10);
    h = *end == ' ' ? strtoul(end + 1, &end, 10) : 0;
    if (!w || !h || *end != '\n')
        return error("%s answered '%s'", argv[0], out);
    if (width)
        *width = (unsigned)w;
    if (height)
        *height = (unsigned)h;
    return JS_OK;
}

int
media_generate_demo_image(struct req *r, const char *base, unsigned rgb,
                          const char *label)
{
    char out[16], *argv[7];

    if (!media_base_ok(base))
        return JS_INVALID;
    if (tool_argv(r, "demo", base, argv))
        return JS_ERR;
    argv[4] = arena_printf(&r->arena, "%06x", rgb & 0xffffffu);
    argv[5] = arena_strdup(&r->arena, label ? label : "");
    argv[6] = NULL;
    return run_tool(argv, "", 0, out, sizeof(out));
}

/* ------------------------------------------------------------------ */
/* the upload endpoint                                                  */

static json_object *
sizes_json(struct req *r, const char *base, const char *size)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "webp", json_str(media_url(r, base, size,
                                                         "webp")));
    json_object_object_add(o, "jpg", json_str(media_url(r, base, size,
                                                        "jpg")));
    return o;
}

int
media_upload(struct req *r)
{
    static const char *const types[] = { "image/jpeg", "image/png",
                                         "image/webp" };
    const char *ct = req_env(r, "CONTENT_TYPE");
    unsigned char raw[8];
    char hex[sizeof(raw) * 2 + 1];
    const char *base;
    unsigned w = 0, h = 0;
    json_object *o, *sum;
    bool known = false;
    int rc;

    for (size_t i = 0; ct && i < ARRAY_SIZE(types); i++)
        if (strncmp(ct, types[i], strlen(types[i])) == 0)
            known = true;
    if (!known)
        return reply_err(r, JS_MEDIATYPE, NULL,
                         "send the image itself as image/jpeg, image/png "
                         "or image/webp");
    if (!r->body_len)
        return reply_err(r, JS_INVALID, NULL, "the image is empty");
    randombytes_buf(raw, sizeof(raw));
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    base = arena_printf(&r->arena, "m/%lld/%s",
                        (long long)r->session->acting_merchant_id, hex);
    rc = media_store_image(r, r->body, r->body_len, base, &w, &h);
    if (rc == JS_INVALID)
        return reply_err(r, JS_INVALID, NULL,
                         "not a JPEG, PNG or WebP image, or a damaged one");
    if (rc == JS_TOOLARGE)
        return reply_err(r, JS_TOOLARGE, NULL,
                         "the image has more than %llu pixels",
                         (unsigned long long)MEDIA_MAX_PIXELS);
    if (rc)
        return rc;
    sum = json_object_new_object();
    json_object_object_add(sum, "base", json_str(base));
    rc = audit_record(r, "image.upload", "image", 0, sum);
    if (rc)
        return rc;
    o = json_object_new_object();
    json_object_object_add(o, "base", json_str(base));
    json_object_object_add(o, "width", json_int(w));
    json_object_object_add(o, "height", json_int(h));
    json_object_object_add(o, "thumb", sizes_json(r, base, "thumb"));
    json_object_object_add(o, "card", sizes_json(r, base, "card"));
    json_object_object_add(o, "full", sizes_json(r, base, "full"));
    return reply_json(r, 201, o);
}
