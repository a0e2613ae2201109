/*
 * reply.c - response building and the single error path (see reply.h).
 */
#include "config.h"
#include "reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "req.h"
#include "strbuf.h"
#include "util.h"

static const struct {
    int err;
    int status;
    const char *code;
} err_map[] = {
    { JS_OK, 200, "ok" },
    { JS_INVALID, 400, "bad_request" },
    { JS_UNAUTHORIZED, 401, "unauthorized" },
    { JS_FORBIDDEN, 403, "forbidden" },
    { JS_NOTFOUND, 404, "not_found" },
    { JS_METHOD, 405, "method_not_allowed" },
    { JS_CONFLICT, 409, "conflict" },
    { JS_TOOLARGE, 413, "payload_too_large" },
    { JS_MEDIATYPE, 415, "unsupported_media_type" },
    { JS_UNPROCESSABLE, 422, "unprocessable" },
    { JS_RATELIMIT, 429, "rate_limited" },
    { JS_UNAVAILABLE, 503, "unavailable" },
    { JS_ERR, 500, "internal" },
};

int
reply_status_for(int err)
{
    for (size_t i = 0; i < ARRAY_SIZE(err_map); i++)
        if (err_map[i].err == err)
            return err_map[i].status;
    return 500;
}

const char *
reply_code_for(int err)
{
    for (size_t i = 0; i < ARRAY_SIZE(err_map); i++)
        if (err_map[i].err == err)
            return err_map[i].code;
    return "internal";
}

const char *
reply_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

void
reply_header(struct req *r, const char *name, const char *value)
{
    struct reply *rp = &r->reply;

    if (rp->nheaders >= ARRAY_SIZE(rp->headers))
        BUG("too many response headers");
    rp->headers[rp->nheaders].key = name;
    rp->headers[rp->nheaders].val = value;
    rp->nheaders++;
}

int
reply_raw(struct req *r, int status, const char *content_type,
          const char *body, size_t len)
{
    r->reply.status = status;
    r->reply.content_type = content_type;
    strbuf_reset(&r->reply.body);
    strbuf_add(&r->reply.body, body, len);
    return JS_OK;
}

int
reply_json(struct req *r, int status, json_object *obj)
{
    size_t n;
    const char *s = json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);

    if (!s)
        die_oom();
    reply_raw(r, status, "application/json; charset=utf-8", s, n);
    json_object_put(obj);
    return JS_OK;
}

int
reply_list(struct req *r, json_object *items, int64_t total, int64_t page,
           int64_t per_page)
{
    json_object *root = json_object_new_object();

    json_object_object_add(root, "items", items);
    json_object_object_add(root, "total", json_int(total));
    json_object_object_add(root, "page", json_int(page));
    json_object_object_add(root, "per_page", json_int(per_page));
    return reply_json(r, 200, root);
}

int
reply_err(struct req *r, int err, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    json_object *root, *e;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    e = json_object_new_object();
    root = json_object_new_object();
    if (!e || !root)
        die_oom();
    json_object_object_add(e, "code", json_str(reply_code_for(err)));
    /* Messages may quote user input: make sure it is valid text. */
    json_object_object_add(e, "message",
                           json_str(utf8_valid(msg, strlen(msg))
                                        ? msg : "invalid input"));
    if (field)
        json_object_object_add(e, "field", json_str(field));
    json_object_object_add(root, "error", e);
    r->reply.nheaders = 0;
    reply_json(r, reply_status_for(err), root);
    return JS_REPLIED;
}

void
reply_serialize_head(struct req *r, struct strbuf *out, bool with_length)
{
    struct reply *rp = &r->reply;
    int status = rp->status ? rp->status : 200;

    strbuf_addf(out, "Status: %d %s\r\n", status, reply_reason(status));
    if (rp->content_type)
        strbuf_addf(out, "Content-Type: %s\r\n", rp->content_type);
    for (unsigned i = 0; i < rp->nheaders; i++)
        strbuf_addf(out, "%s: %s\r\n", rp->headers[i].key,
                    rp->headers[i].val);
    if (with_length && status != 204 && status != 304)
        strbuf_addf(out, "Content-Length: %zu\r\n", rp->body.len);
    strbuf_add(out, "\r\n", 2);
}

void
reply_serialize(struct req *r, struct strbuf *out)
{
    struct reply *rp = &r->reply;
    int status = rp->status ? rp->status : 200;

    reply_serialize_head(r, out, true);
    if (!r->head && status != 204 && status != 304)
        strbuf_add(out, rp->body.buf, rp->body.len);
}
