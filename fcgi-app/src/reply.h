/*
 * reply.h - the response: status, headers, JSON body, and the one error
 * path.
 *
 * Every error leaves through reply_err(), which maps a JS_* code to its
 * HTTP status and writes {"error":{"code","message","field"?}}.
 */
#ifndef JISHI_REPLY_H
#define JISHI_REPLY_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "log.h"

struct req;

/* HTTP status for a JS_* code (JS_OK -> 200, unknown -> 500). */
int reply_status_for(int err);

/* The machine-readable error code for a JS_* code ("not_found", ...). */
const char *reply_code_for(int err);

/* Reason phrase for a status ("Not Found"). */
const char *reply_reason(int status);

/* Add a response header; name and value must outlive the request. */
void reply_header(struct req *r, const char *name, const char *value);

/* Serialise obj as the body with this status; takes ownership of obj. */
int reply_json(struct req *r, int status, json_object *obj);

/* A body that is not JSON (metrics, XML); copied. */
int reply_raw(struct req *r, int status, const char *content_type,
              const char *body, size_t len);

/* The list envelope {"items", "total", "page", "per_page"}; takes items. */
int reply_list(struct req *r, json_object *items, int64_t total,
               int64_t page, int64_t per_page);

/*
 * Write an error reply for err with a formatted message; field names the
 * offending input or is NULL.  Returns JS_REPLIED.
 */
int reply_err(struct req *r, int err, const char *field, const char *fmt, ...)
    JS_PRINTF(4, 5);

/*
 * Produce the FastCGI byte stream (CGI headers + body) for the reply into
 * out.  Used by req_finish() and by unit tests.
 */
struct strbuf;
void reply_serialize(struct req *r, struct strbuf *out);

/* Only the status line and headers (with Content-Length when
 * with_length), ending with the blank line. */
void reply_serialize_head(struct req *r, struct strbuf *out,
                          bool with_length);

#endif
