/*
 * req.c - request parsing with limits (see req.h).
 */
#include "config.h"
#include "req.h"

#include <string.h>
#include <strings.h>

#include <fcgiapp.h>

#include "conf.h"
#include "json.h"
#include "log.h"
#include "reply.h"
#include "util.h"

static void
req_init(struct req *r, const struct conf *conf)
{
    memset(r, 0, sizeof(*r));
    arena_init(&r->arena, 0);
    r->conf = conf;
    r->nqs = -1;
    r->route_index = -1;
    r->start_us = now_us();
    r->query = "";
    r->path = "/";
    r->method = "GET";
    r->request_id = "-";
    r->remote_addr = "";
    strbuf_init(&r->reply.body);
}

const char *
req_env(const struct req *r, const char *name)
{
    size_t n = strlen(name);

    if (!r->envp)
        return NULL;
    for (char **e = r->envp; *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *
req_decode(struct arena *a, const char *s, size_t len, bool plus)
{
    char *out = arena_alloc(a, len + 1);
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        if (s[i] == '%') {
            int hi, lo;

            if (i + 2 >= len)
                return NULL;
            hi = hexval((unsigned char)s[i + 1]);
            lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return NULL;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (plus && s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '\0') {
            return NULL;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    if (!utf8_valid(out, o))
        return NULL;
    return out;
}

int
req_split_path(struct req *r, const char *path)
{
    const char *p = path, *slash;
    unsigned n = 0, cap = 16;
    char **segs;

    if (path[0] != '/' || strlen(path) > REQ_MAX_PATH)
        return JS_INVALID;
    segs = arena_alloc(&r->arena, cap * sizeof(*segs));
    p++;
    while (*p) {
        size_t len;
        char *seg;

        slash = strchr(p, '/');
        len = slash ? (size_t)(slash - p) : strlen(p);
        if (len) {
            seg = req_decode(&r->arena, p, len, false);
            if (!seg)
                return JS_INVALID;
            if (n == cap) {
                char **bigger = arena_alloc(&r->arena,
                                            2 * cap * sizeof(*segs));

                memcpy(bigger, segs, cap * sizeof(*segs));
                segs = bigger;
                cap *= 2;
            }
            segs[n++] = seg;
        }
        if (!slash)
            break;
        p = slash + 1;
    }
    r->segments = segs;
    r->nsegments = n;
    return JS_OK;
}

static int
parse_uri(struct req *r, const char *uri)
{
    const char *q = strchr(uri, '?');

    if (q) {
        r->path = arena_strndup(&r->arena, uri, (size_t)(q - uri));
        r->query = arena_strdup(&r->arena, q + 1);
    } else {
        r->path = arena_strdup(&r->arena, uri);
    }
    if (strlen(r->query) > REQ_MAX_QUERY)
        return reply_err(r, JS_INVALID, NULL, "query string is too long");
    if (req_split_path(r, r->path))
        return reply_err(r, JS_INVALID, NULL, "malformed request path");
    return JS_OK;
}

int
req_from_fcgx(struct req *r, const struct conf *conf, void *fcgx)
{
    FCGX_Request *fr = fcgx;
    const char *s, *uri, *clen;
    int64_t len = 0;

    req_init(r, conf);
    r->fcgx = fcgx;
    r->envp = fr->envp;
    if ((s = req_env(r, "REQUEST_METHOD")))
        r->method = s;
    if ((s = req_env(r, "REQUEST_ID")) && *s)
        r->request_id = s;
    if ((s = req_env(r, "REMOTE_ADDR")))
        r->remote_addr = s;
    r->head = strcmp(r->method, "HEAD") == 0;
    uri = req_env(r, "REQUEST_URI");
    if (!uri || !*uri)
        uri = "/";
    if (parse_uri(r, uri))
        return JS_REPLIED;

    clen = req_env(r, "CONTENT_LENGTH");
    if (clen && *clen &&
        parse_int64(clen, 0, INT64_MAX / 2, &len) != JS_OK)
        return reply_err(r, JS_INVALID, NULL, "bad Content-Length");
    r->content_length = len;
    return JS_OK;
}

int
req_read_body(struct req *r, size_t limit)
{
    FCGX_Request *fr = r->fcgx;
    int64_t len = fr ? r->content_length : (int64_t)r->body_len;
    char *buf;
    int got;

    if ((uint64_t)len > limit)
        return reply_err(r, JS_TOOLARGE, NULL,
                         "request body is larger than %zu bytes", limit);
    if (!fr || len <= 0 || r->body)
        return JS_OK;
    buf = arena_alloc(&r->arena, (size_t)len + 1);
    got = FCGX_GetStr(buf, (int)len, fr->in);
    if (got != (int)len)
        return reply_err(r, JS_INVALID, NULL, "request body is truncated");
    buf[len] = '\0';
    r->body = buf;
    r->body_len = (size_t)len;
    return JS_OK;
}

void
req_fake(struct req *r, const struct conf *conf, const char *method,
         const char *uri, const char *body, char **envp)
{
    req_init(r, conf);
    r->method = method;
    r->head = strcmp(method, "HEAD") == 0;
    r->envp = envp;
    r->remote_addr = "127.0.0.1";
    if (body) {
        r->body = body;
        r->body_len = strlen(body);
    }
    parse_uri(r, uri);
}

void
req_stream_begin(struct req *r)
{
    r->reply.streaming = true;
}

void
req_stream_flush(struct req *r)
{
    FCGX_Request *fr = r->fcgx;

    if (!fr || !r->reply.streaming)
        return;
    if (!r->reply.head_sent) {
        struct strbuf head = STRBUF_INIT;

        reply_serialize_head(r, &head, false);
        FCGX_PutStr(head.buf, (int)head.len, fr->out);
        strbuf_release(&head);
        r->reply.head_sent = true;
    }
    if (!r->head && r->reply.body.len)
        FCGX_PutStr(r->reply.body.buf, (int)r->reply.body.len, fr->out);
    strbuf_reset(&r->reply.body);
}

void
req_finish(struct req *r)
{
    if (r->fcgx && r->reply.head_sent && !r->reply.sent) {
        req_stream_flush(r);
        r->reply.sent = true;
    }
    if (r->fcgx && !r->reply.sent) {
        FCGX_Request *fr = r->fcgx;
        struct strbuf out = STRBUF_INIT;

        reply_serialize(r, &out);
        FCGX_PutStr(out.buf, (int)out.len, fr->out);
        strbuf_release(&out);
        r->reply.sent = true;
    }
    strbuf_release(&r->reply.body);
    arena_release(&r->arena);
}

const char *
req_param(const struct req *r, const char *name)
{
    for (unsigned i = 0; i < r->nparams; i++)
        if (strcmp(r->params[i].key, name) == 0)
            return r->params[i].val;
    return NULL;
}

static void
parse_query(struct req *r)
{
    const char *p = r->query;
    unsigned cap = 8;

    r->qs = arena_alloc(&r->arena, cap * sizeof(*r->qs));
    r->nqs = 0;
    while (*p && r->nqs < REQ_MAX_QUERY_PARAMS) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        char *k, *v;

        if (len) {
            if (eq) {
                k = req_decode(&r->arena, p, (size_t)(eq - p), true);
                v = req_decode(&r->arena, eq + 1, len - (size_t)(eq - p) - 1,
                               true);
            } else {
                k = req_decode(&r->arena, p, len, true);
                v = arena_strdup(&r->arena, "");
            }
            /* A malformed pair is dropped: it cannot match a name. */
            if (k && v) {
                if ((unsigned)r->nqs == cap) {
                    struct kv *bigger = arena_alloc(&r->arena,
                                                    2 * cap * sizeof(*bigger));

                    memcpy(bigger, r->qs, cap * sizeof(*bigger));
                    r->qs = bigger;
                    cap *= 2;
                }
                r->qs[r->nqs].key = k;
                r->qs[r->nqs].val = v;
                r->nqs++;
            }
        }
        if (!amp)
            break;
        p = amp + 1;
    }
}

const char *
req_query(struct req *r, const char *name)
{
    if (r->nqs < 0)
        parse_query(r);
    for (int i = 0; i < r->nqs; i++)
        if (strcmp(r->qs[i].key, name) == 0)
            return r->qs[i].val;
    return NULL;
}

const char *
req_cookie(struct req *r, const char *name)
{
    const char *h = req_env(r, "HTTP_COOKIE");
    size_t n = strlen(name);

    while (h && *h) {
        const char *end;

        while (*h == ' ' || *h == ';')
            h++;
        end = strchr(h, ';');
        if (strncmp(h, name, n) == 0 && h[n] == '=') {
            size_t len = end ? (size_t)(end - h - n - 1) : strlen(h + n + 1);

            return arena_strndup(&r->arena, h + n + 1, len);
        }
        h = end;
    }
    return NULL;
}

int
req_query_int_or_400(struct req *r, const char *name, int64_t min,
                     int64_t max, int64_t def, int64_t *out)
{
    const char *s = req_query(r, name);

    if (!s || !*s) {
        *out = def;
        return JS_OK;
    }
    if (parse_int64(s, min, max, out))
        return reply_err(r, JS_INVALID, name,
                         "'%s' must be a whole number from %lld to %lld",
                         name, (long long)min, (long long)max);
    return JS_OK;
}

int
req_param_id_or_404(struct req *r, const char *name, int64_t *out)
{
    const char *s = req_param(r, name);

    if (!s || parse_int64(s, 1, INT64_MAX, out))
        return reply_err(r, JS_NOTFOUND, NULL, "%s not found", name);
    return JS_OK;
}

int
req_paging_or_400(struct req *r, int64_t def, int64_t max, int64_t *page,
                  int64_t *per_page)
{
    if (req_query_int_or_400(r, "page", 1, 1000000, 1, page) ||
        req_query_int_or_400(r, "per_page", 1, max, def, per_page))
        return JS_REPLIED;
    return JS_OK;
}
