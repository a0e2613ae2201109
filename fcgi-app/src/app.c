/*
 * app.c - the request pipeline every route goes through (see app.h).
 *
 *   route -> access -> body (415/400) -> handler -> cookie -> log/metrics
 *
 * Handlers return JS_OK after filling the reply, JS_REPLIED after writing
 * an error themselves, or a JS_* code that becomes the generic error for
 * that status here.
 */
#include "config.h"
#include "app.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth.h"
#include "conf.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "metrics.h"
#include "reply.h"
#include "req.h"
#include "router.h"
#include "strbuf.h"
#include "util.h"

#define GTID_COOKIE "jishi_gtid"
/* Long enough for any replica inside max_replica_lag_ms to catch up. */
#define GTID_COOKIE_MAX_AGE 30

static bool
is_loopback(const char *addr)
{
    return strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0 ||
           strncmp(addr, "127.", 4) == 0;
}

static int
check_access(struct req *r)
{
    switch (r->route->access) {
    case ACCESS_PUBLIC:
        return JS_OK;
    case ACCESS_LOOPBACK:
        /* nginx restricts these too; hide them from anyone else. */
        if (!is_loopback(r->remote_addr))
            return reply_err(r, JS_NOTFOUND, NULL, "not found");
        return JS_OK;
    default:
        return auth_check(r);
    }
}

static int
check_body(struct req *r)
{
    const char *ct = req_env(r, "CONTENT_TYPE");
    const char *why;

    if (!(r->route->flags & ROUTE_JSON))
        return JS_OK;
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' '))
        return reply_err(r, JS_MEDIATYPE, NULL,
                         "request body must be application/json");
    if (json_parse(&r->arena, r->body ? r->body : "", r->body_len,
                   r->conf->max_json_depth, &r->json, &why))
        return reply_err(r, JS_INVALID, NULL, "%s", why);
    return JS_OK;
}

static void
take_gtid_cookie(struct req *r)
{
    const char *g = req_cookie(r, GTID_COOKIE);

    /* A malformed value is ignored: it only ever steers reads. */
    if (g && db_gtid_valid(g))
        r->db.gtid_in = g;
}

static void
give_gtid_cookie(struct req *r)
{
    if (!r->db.gtid_out[0])
        return;
    reply_header(r, "Set-Cookie",
                 arena_printf(&r->arena,
                              GTID_COOKIE "=%s; Path=/; Max-Age=%d; "
                              "HttpOnly; SameSite=Lax",
                              r->db.gtid_out, GTID_COOKIE_MAX_AGE));
}

static bool
has_header(const struct req *r, const char *name)
{
    for (unsigned i = 0; i < r->reply.nheaders; i++)
        if (strcasecmp(r->reply.headers[i].key, name) == 0)
            return true;
    return false;
}

/*
 * A cacheable reply gets a weak ETag from a hash of its body; a request
 * that already holds it gets 304 without the body.
 */
static void
etag(struct req *r)
{
    const char *inm = req_env(r, "HTTP_IF_NONE_MATCH");
    const unsigned char *b = (const unsigned char *)r->reply.body.buf;
    size_t n = r->reply.body.len, i = 0;
    uint64_t h = 1469598103934665603ULL ^ n, w;
    const char *tag;

    /* FNV-style over 8-byte words (a byte at a time cost ~20 us on a
     * 16 KB listing); only needs to change when the body does. */
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 1099511628211ULL;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    tag = arena_printf(&r->arena, "W/\"%016llx\"", (unsigned long long)h);
    reply_header(r, "ETag", tag);
    if (inm && (strstr(inm, tag + 2) || strcmp(inm, "*") == 0)) {
        r->reply.status = 304;
        strbuf_reset(&r->reply.body);
    }
}

void
app_handle(struct req *r)
{
    char allow[64];
    int rc;

    if (r->reply.status)        /* parsing already replied */
        goto done;
    rc = router_match(routes, r, allow, sizeof(allow));
    if (rc == JS_NOTFOUND) {
        reply_err(r, JS_NOTFOUND, NULL, "no such endpoint");
        goto done;
    }
    if (rc == JS_METHOD) {
        reply_err(r, JS_METHOD, NULL, "method %s is not allowed here",
                  strlen(r->method) <= 16 ? r->method : "(long)");
        reply_header(r, "Allow", arena_strdup(&r->arena, allow));
        goto done;
    }
    if (check_access(r) ||
        req_read_body(r, (r->route->flags & ROUTE_UPLOAD)
                             ? r->conf->max_upload_bytes
                             : r->conf->max_body_bytes) ||
        check_body(r))
        goto done;
    take_gtid_cookie(r);
    rc = r->route->handler(r);
    if (rc != JS_OK && rc != JS_REPLIED) {
        reply_err(r, rc, NULL, "%s",
                  rc == JS_UNAVAILABLE ? "database unavailable, retry shortly"
                  : rc == JS_ERR       ? "internal error"
                                       : reply_code_for(rc));
        if (rc == JS_UNAVAILABLE)
            reply_header(r, "Retry-After", "1");
    }
    if (!r->reply.head_sent)
        give_gtid_cookie(r);
done:
    if (!r->reply.status)
        r->reply.status = 200;
    if (!has_header(r, "Cache-Control")) {
        /* Not said otherwise: nothing from the API may be cached. */
        if (!r->route || strncmp(r->route->pattern, "/api/", 5) == 0)
            reply_header(r, "Cache-Control", "no-store");
    } else if (r->reply.status == 200 && !r->reply.head_sent &&
               !has_header(r, "Set-Cookie")) {
        etag(r);
    }
}

void
app_log_access(struct req *r)
{
    static pid_t pid;   /* a worker's pid never changes; getpid is a syscall */

    struct strbuf sb = STRBUF_INIT;
    int64_t us = now_us() - r->start_us;
    static const char *served[] = { "none", "primary", "replica", "both" };

    if (!pid)
        pid = getpid();
    metrics_request(r->route_index, r->reply.status, us);
    strbuf_adds(&sb, "{\"request_id\":");
    strbuf_add_json_str(&sb, r->request_id);
    strbuf_adds(&sb, ",\"method\":");
    strbuf_add_json_str(&sb, strlen(r->method) <= 16 ? r->method : "?");
    strbuf_adds(&sb, ",\"route\":");
    strbuf_add_json_str(&sb, r->route ? r->route->pattern : "(none)");
    /* Integer arithmetic: float formatting showed up in profiles. */
    strbuf_addf(&sb, ",\"status\":%d,\"ms\":%lld.%03lld,"
                     "\"db_ms\":%lld.%03lld,"
                     "\"db_queries\":%u,\"db\":\"%s\",\"pid\":%ld}\n",
                r->reply.status, (long long)(us / 1000),
                (long long)(us % 1000), (long long)(r->db.us / 1000),
                (long long)(r->db.us % 1000), r->db.queries,
                served[r->db.served & 3], (long)pid);
    log_access(sb.buf, sb.len);
    strbuf_release(&sb);
}
