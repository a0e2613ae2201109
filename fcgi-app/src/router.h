/*
 * router.h - the route table's types and the matcher.
 *
 * A route is a method, a pattern with ":name" parameters, a handler, the
 * access level it requires and flags.  routes.c holds the one table; a row
 * with a NULL method ends it.  Access has no default: a route without one
 * fails router_init(), so nothing is reachable by accident.
 */
#ifndef JISHI_ROUTER_H
#define JISHI_ROUTER_H

#include <stddef.h>

struct req;

enum access {
    ACCESS_UNSET = 0,   /* invalid: every route must declare */
    ACCESS_PUBLIC,      /* anyone */
    ACCESS_LOOPBACK,    /* only from 127.0.0.1 / ::1 (ops endpoints) */
    ACCESS_GUEST,       /* any session, guest or signed in */
    ACCESS_SHOPPER,     /* a signed-in user */
    ACCESS_MERCHANT,    /* staff of the session's acting merchant */
    ACCESS_OWNER,       /* owner of the session's acting merchant */
    ACCESS_ADMIN,       /* platform staff */
};

enum route_flag {
    ROUTE_JSON = 1,        /* takes a JSON body: 415 otherwise, parsed */
    ROUTE_IDEMPOTENT = 2,  /* honours Idempotency-Key */
    ROUTE_NOCSRF = 4,      /* unsafe method that needs no CSRF token */
    ROUTE_UPLOAD = 8,      /* a raw body up to limits.max_upload_bytes */
};

typedef int (*route_handler)(struct req *r);

struct route {
    const char *method;
    const char *pattern;
    route_handler handler;
    enum access access;
    unsigned flags;
};

/* The table in routes.c and its length (without the sentinel). */
extern const struct route routes[];
size_t routes_count(void);

/*
 * Check and compile a table.  Returns 0, or -1 after logging what is wrong
 * (missing access, malformed pattern, duplicate method+pattern).
 */
int router_init(const struct route *table);
void router_release(void);

/*
 * Find the route for r->method and r->segments.  On success sets r->route,
 * r->route_index and the path params and returns 0.  Returns JS_NOTFOUND
 * when no pattern matches, or JS_METHOD when patterns match but none for
 * this method; then allow (if non-NULL) receives e.g. "GET, HEAD, POST".
 */
int router_match(const struct route *table, struct req *r, char *allow,
                 size_t allow_len);

#endif
