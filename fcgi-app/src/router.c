/*
 * router.c - route table compilation and matching (see router.h).
 *
 * Patterns are split into segments once; a request is matched by a linear
 * scan, which at this table size costs less than hashing the path.
 */
#include "config.h"
#include "router.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "req.h"
#include "util.h"

#define MAX_SEGS 12

struct compiled {
    const char *segs[MAX_SEGS];  /* literal, or ":name" */
    unsigned nsegs;
};

static struct compiled *compiled;
static const struct route *compiled_for;

static int
compile(const struct route *rt, struct compiled *c)
{
    const char *p = rt->pattern;
    char *copy, *save = NULL, *tok;

    if (!p || p[0] != '/')
        return error("route '%s' must start with '/'", p ? p : "(null)");
    copy = xstrdup(p);
    c->nsegs = 0;
    for (tok = strtok_r(copy, "/", &save); tok;
         tok = strtok_r(NULL, "/", &save)) {
        if (c->nsegs == MAX_SEGS) {
            free(copy);
            return error("route '%s' has too many segments", p);
        }
        c->segs[c->nsegs++] = tok - copy + p;
    }
    free(copy);
    return 0;
}

/* Length of segment s (up to '/' or end). */
static size_t
seglen(const char *s)
{
    const char *e = strchr(s, '/');

    return e ? (size_t)(e - s) : strlen(s);
}

int
router_init(const struct route *table)
{
    size_t n = 0, i, j;

    router_release();
    while (table[n].method)
        n++;
    compiled = xcalloc(n + 1, sizeof(*compiled));
    for (i = 0; i < n; i++) {
        const struct route *rt = &table[i];

        if (rt->access == ACCESS_UNSET || !rt->handler)
            return error("route '%s %s' declares no access or handler",
                         rt->method, rt->pattern);
        if (compile(rt, &compiled[i]))
            return -1;
        for (j = 0; j < i; j++)
            if (strcmp(table[j].method, rt->method) == 0 &&
                strcmp(table[j].pattern, rt->pattern) == 0)
                return error("route '%s %s' is declared twice", rt->method,
                             rt->pattern);
    }
    compiled_for = table;
    return 0;
}

void
router_release(void)
{
    free(compiled);
    compiled = NULL;
    compiled_for = NULL;
}

static int
match_one(const struct compiled *c, struct req *r, bool bind)
{
    if (c->nsegs != r->nsegments)
        return 0;
    for (unsigned i = 0; i < c->nsegs; i++) {
        const char *s = c->segs[i];
        size_t len = seglen(s);

        if (s[0] == ':')
            continue;
        if (strlen(r->segments[i]) != len ||
            memcmp(r->segments[i], s, len) != 0)
            return 0;
    }
    if (bind) {
        r->nparams = 0;
        for (unsigned i = 0; i < c->nsegs; i++) {
            const char *s = c->segs[i];

            if (s[0] != ':' || r->nparams == REQ_MAX_PARAMS)
                continue;
            r->params[r->nparams].key =
                arena_strndup(&r->arena, s + 1, seglen(s) - 1);
            r->params[r->nparams].val = r->segments[i];
            r->nparams++;
        }
    }
    return 1;
}

static void
allow_add(char *allow, size_t len, const char *m)
{
    size_t used;

    if (!allow || strstr(allow, m))
        return;
    used = strlen(allow);
    snprintf(allow + used, len - used, "%s%s", used ? ", " : "", m);
}

int
router_match(const struct route *table, struct req *r, char *allow,
             size_t allow_len)
{
    const char *method = r->head ? "GET" : r->method;
    bool path_known = false;

    if (compiled_for != table)
        BUG("router_match on a table that router_init did not compile");
    if (allow && allow_len)
        allow[0] = '\0';
    for (size_t i = 0; table[i].method; i++) {
        if (!match_one(&compiled[i], r, false))
            continue;
        path_known = true;
        if (strcmp(table[i].method, method) == 0) {
            match_one(&compiled[i], r, true);
            r->route = &table[i];
            r->route_index = (int)i;
            return JS_OK;
        }
    }
    if (!path_known)
        return JS_NOTFOUND;
    for (size_t i = 0; table[i].method; i++) {
        if (!match_one(&compiled[i], r, false))
            continue;
        allow_add(allow, allow_len, table[i].method);
        if (strcmp(table[i].method, "GET") == 0)
            allow_add(allow, allow_len, "HEAD");
    }
    return JS_METHOD;
}
