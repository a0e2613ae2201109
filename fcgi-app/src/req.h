/*
 * req.h - one HTTP request and its response, as a handler sees them.
 *
 * struct req wraps a FastCGI request (or, in unit tests, an in-memory one
 * made by req_fake()).  It owns the request arena: everything reachable
 * from it lives until req_finish().  Parsing applies the limits from the
 * config: body size, JSON depth, path and query length.
 *
 * Parse-or-reply helpers (req_..._or_400) write the 4xx themselves and
 * return JS_REPLIED, so handlers read top to bottom.
 */
#ifndef JISHI_REQ_H
#define JISHI_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "arena.h"
#include "strbuf.h"

struct conf;
struct route;
struct session;

#define REQ_MAX_PARAMS 8
#define REQ_MAX_HEADERS 12
#define REQ_MAX_PATH 2048
#define REQ_MAX_QUERY 8192
#define REQ_MAX_QUERY_PARAMS 64

struct kv {
    const char *key;
    const char *val;
};

/* Which databases served a request (bit set). */
enum { DB_SERVED_PRIMARY = 1, DB_SERVED_REPLICA = 2 };

/* Per-request database state, used only by db.c. */
struct req_db {
    const char *gtid_in;      /* validated GTID from the client's cookie */
    char gtid_out[160];       /* GTID of this request's last commit */
    unsigned replica;         /* replica chosen for this request + 1; 0 none */
    bool gtid_checked;        /* replica confirmed to have gtid_in */
    bool wrote;               /* committed a write: read the primary after */
    bool in_txn;
    bool retryable;           /* last error was a deadlock or lock wait */
    int64_t us;               /* time spent in the database */
    unsigned queries;
    unsigned served;          /* DB_SERVED_* bits */
    struct arena *results;    /* where result rows go; NULL: the request's
                               * arena (a streamed feed reuses a scratch
                               * arena per page) */
};

struct reply {
    int status;
    const char *content_type;
    struct kv headers[REQ_MAX_HEADERS];
    unsigned nheaders;
    struct strbuf body;
    bool sent;
    bool streaming;         /* req_stream_begin() was called */
    bool head_sent;         /* status and headers are on the wire */
};

struct req {
    struct arena arena;
    const struct conf *conf;
    void *fcgx;                 /* FCGX_Request *, NULL when fake */
    char **envp;                /* CGI-style params */

    const char *method;
    const char *path;           /* raw path, no query */
    const char *query;          /* raw query string, "" when none */
    const char *request_id;
    const char *remote_addr;
    bool head;                  /* HEAD: reply without a body */

    char **segments;            /* decoded path segments */
    unsigned nsegments;
    struct kv params[REQ_MAX_PARAMS];   /* from the route pattern */
    unsigned nparams;
    struct kv *qs;              /* decoded query parameters, lazily */
    int nqs;                    /* -1 until parsed */

    const char *body;
    size_t body_len;
    int64_t content_length;     /* announced by the client; body unread */
    json_object *json;          /* parsed body when the route takes JSON */

    const struct route *route;
    struct session *session;    /* the caller's session (auth.c), or NULL */
    bool session_loaded;
    int route_index;            /* metrics slot; -1 unmatched */
    int64_t start_us;

    struct req_db db;
    struct reply reply;
};

/*
 * Read method, URI and headers from FastCGI request fcgx (the body waits
 * for req_read_body(), which knows the route's limit).  Returns 0, or a
 * JS_* code with an error reply already written (400 bad path or
 * Content-Length).  The caller must still call req_finish().
 */
int req_from_fcgx(struct req *r, const struct conf *conf, void *fcgx);

/*
 * Read the body once the route is known, refusing one larger than limit
 * with 413 (JS_REPLIED).  In-memory requests already hold their body and
 * are only checked against the limit.
 */
int req_read_body(struct req *r, size_t limit);

/*
 * Build an in-memory request for tests and jobs.  envp may be NULL; extra
 * CGI params such as "HTTP_COOKIE=a=b" go there.  body may be NULL.
 */
void req_fake(struct req *r, const struct conf *conf, const char *method,
              const char *uri, const char *body, char **envp);

/*
 * Streaming a large body (feeds): after req_stream_begin() the status and
 * headers set so far go out with the first req_stream_flush(), without a
 * Content-Length, and each flush sends what the body holds and empties it.
 * Once anything was flushed the status can no longer change: an error
 * after that can only cut the body short.  A body that never reached a
 * flush is sent normally by req_finish().  In-memory requests keep
 * everything in the body.
 */
void req_stream_begin(struct req *r);
void req_stream_flush(struct req *r);

/* Write the reply (FastCGI) and release everything the request holds. */
void req_finish(struct req *r);

/* A CGI param such as "HTTP_X_CSRF_TOKEN", or NULL. */
const char *req_env(const struct req *r, const char *name);

/* A path parameter by name (from ":name" in the route), or NULL. */
const char *req_param(const struct req *r, const char *name);

/* A decoded query parameter (first occurrence), or NULL. */
const char *req_query(struct req *r, const char *name);

/* A cookie value, or NULL. */
const char *req_cookie(struct req *r, const char *name);

/*
 * Query parameter as an integer in [min, max]; def when absent.  Writes a
 * 400 naming the field and returns JS_REPLIED when malformed.
 */
int req_query_int_or_400(struct req *r, const char *name, int64_t min,
                         int64_t max, int64_t def, int64_t *out);

/*
 * Paging from ?page= (>= 1, default 1) and ?per_page= (1..max, default
 * def); writes a 400 and returns JS_REPLIED when malformed.
 */
int req_paging_or_400(struct req *r, int64_t def, int64_t max,
                      int64_t *page, int64_t *per_page);

/* Path parameter as an id >= 1; writes 404 when malformed. */
int req_param_id_or_404(struct req *r, const char *name, int64_t *out);

/*
 * Percent-decode s[0..len) into the arena ('+' as space when plus).
 * Returns NULL on a malformed escape, an encoded NUL or invalid UTF-8.
 */
char *req_decode(struct arena *a, const char *s, size_t len, bool plus);

/* Split a raw path into decoded segments; JS_INVALID when malformed. */
int req_split_path(struct req *r, const char *path);

#endif
