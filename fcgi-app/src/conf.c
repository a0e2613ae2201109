/*
 * conf.c - JSON configuration with environment overrides (see conf.h).
 */
#include "config.h"
#include "conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util.h"

struct ctx {
    char *err;
    size_t errlen;
    const char *base_dir;
};

static int
fail(struct ctx *x, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(x->err, x->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static char *
resolve_path(struct ctx *x, const char *p)
{
    size_t n;
    char *out;

    if (p[0] == '/' || !x->base_dir || !*x->base_dir)
        return xstrdup(p);
    n = strlen(x->base_dir) + strlen(p) + 2;
    out = xmalloc(n);
    snprintf(out, n, "%s/%s", x->base_dir, p);
    return out;
}

/* String member; def when absent.  is_path resolves relative paths. */
static int
get_str(struct ctx *x, json_object *o, const char *key, const char *def,
        bool is_path, char **out)
{
    json_object *v;
    const char *s = def;

    if (o && json_object_object_get_ex(o, key, &v)) {
        if (!json_object_is_type(v, json_type_string))
            return fail(x, "'%s' must be a string", key);
        s = json_object_get_string(v);
    }
    if (!s) {
        *out = NULL;
        return 0;
    }
    *out = (is_path && *s) ? resolve_path(x, s) : xstrdup(s);
    return 0;
}

static int
get_uint(struct ctx *x, json_object *o, const char *key, unsigned long def,
         unsigned long min, unsigned long max, unsigned long *out)
{
    json_object *v;
    int64_t n;

    *out = def;
    if (!o || !json_object_object_get_ex(o, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_int))
        return fail(x, "'%s' must be an integer", key);
    n = json_object_get_int64(v);
    if (n < (int64_t)min || (uint64_t)n > max)
        return fail(x, "'%s' must be between %lu and %lu", key, min, max);
    *out = (unsigned long)n;
    return 0;
}

static int
parse_db(struct ctx *x, json_object *o, struct conf_db *d)
{
    unsigned long port;

    if (!json_object_is_type(o, json_type_object))
        return fail(x, "database entries must be objects");
    if (get_str(x, o, "host", "127.0.0.1", false, &d->host) ||
        get_str(x, o, "unix_socket", "", true, &d->unix_socket) ||
        get_str(x, o, "user", "jishi", false, &d->user) ||
        get_str(x, o, "password", "", false, &d->password) ||
        get_str(x, o, "database", "jishi", false, &d->database) ||
        get_uint(x, o, "port", 3306, 1, 65535, &port))
        return -1;
    d->port = (unsigned)port;
    return 0;
}

static int
env_uint(struct ctx *x, const char *name, unsigned long min,
         unsigned long max, unsigned long *out)
{
    const char *s = getenv(name);
    int64_t v;

    if (!s)
        return 0;
    if (parse_int64(s, (int64_t)min, (int64_t)max, &v))
        return fail(x, "%s must be between %lu and %lu", name, min, max);
    *out = (unsigned long)v;
    return 0;
}

static void
replace(char **dst, const char *s)
{
    free(*dst);
    *dst = xstrdup(s);
}

static int
apply_env(struct ctx *x, struct conf *c)
{
    const char *s;
    unsigned long v;
    unsigned i;

    if ((s = getenv("JISHI_PUBLIC_URL")) && *s)
        replace(&c->public_url, s);
    if ((s = getenv("JISHI_FRONTEND_DIST")) && *s)
        replace(&c->frontend_dist, s);
    if ((s = getenv("JISHI_SANDBOX_SECRET")))
        replace(&c->sandbox_secret, s);
    if ((s = getenv("JISHI_LISTEN")) && *s)
        replace(&c->listen, s);
    v = c->workers;
    if (env_uint(x, "JISHI_WORKERS", 1, 256, &v))
        return -1;
    c->workers = (unsigned)v;
    v = c->max_requests;
    if (env_uint(x, "JISHI_MAX_REQUESTS", 0, 1000000000UL, &v))
        return -1;
    c->max_requests = v;
    if ((s = getenv("JISHI_DB_PASSWORD"))) {
        replace(&c->primary.password, s);
        for (i = 0; i < c->nreplicas; i++)
            replace(&c->replicas[i].password, s);
    }
    return 0;
}

int
conf_parse(struct conf *c, const char *json, const char *base_dir,
           char *err, size_t errlen)
{
    struct ctx x = { err, errlen, base_dir };
    json_object *root, *db = NULL, *limits = NULL, *pay = NULL, *v, *reps;
    unsigned long n;
    int rc = -1;

    memset(c, 0, sizeof(*c));
    root = json_tokener_parse(json);
    if (!root || !json_object_is_type(root, json_type_object)) {
        fail(&x, "config is not a JSON object");
        goto out;
    }
    json_object_object_get_ex(root, "db", &db);
    json_object_object_get_ex(root, "limits", &limits);
    json_object_object_get_ex(root, "payments", &pay);
    if (get_str(&x, root, "listen", "127.0.0.1:9000", false, &c->listen) ||
        get_str(&x, root, "pidfile", "", true, &c->pidfile) ||
        get_str(&x, root, "access_log", "-", false, &c->access_log) ||
        get_str(&x, root, "schema_dir", "schema", true, &c->schema_dir) ||
        get_str(&x, root, "media_dir", "media", true, &c->media_dir) ||
        get_str(&x, root, "mail_dir", "mail", true, &c->mail_dir) ||
        get_str(&x, root, "media_tool", "", false, &c->media_tool) ||
        get_str(&x, root, "frontend_dist", "frontend/dist", true,
                &c->frontend_dist) ||
        get_str(&x, root, "public_url", "http://127.0.0.1:8080", false,
                &c->public_url))
        goto out;
    /* "host:port" is TCP; anything else is a unix socket path. */
    if (c->listen[0] != '/' && !strchr(c->listen, ':')) {
        char *p = resolve_path(&x, c->listen);

        free(c->listen);
        c->listen = p;
    }
    if (strcmp(c->access_log, "-") != 0 && c->access_log[0] != '/') {
        char *p = resolve_path(&x, c->access_log);

        free(c->access_log);
        c->access_log = p;
    }
    if (get_uint(&x, root, "workers", 4, 1, 256, &n))
        goto out;
    c->workers = (unsigned)n;
    if (get_uint(&x, root, "max_requests", 10000, 0, 1000000000UL, &n))
        goto out;
    c->max_requests = n;

    if (!db) {
        fail(&x, "'db' section is missing");
        goto out;
    }
    if (!json_object_object_get_ex(db, "primary", &v)) {
        fail(&x, "'db.primary' is missing");
        goto out;
    }
    if (parse_db(&x, v, &c->primary))
        goto out;
    if (json_object_object_get_ex(db, "replicas", &reps)) {
        size_t i, len;

        if (!json_object_is_type(reps, json_type_array)) {
            fail(&x, "'db.replicas' must be an array");
            goto out;
        }
        len = json_object_array_length(reps);
        if (len > CONF_MAX_REPLICAS) {
            fail(&x, "at most %d replicas", CONF_MAX_REPLICAS);
            goto out;
        }
        for (i = 0; i < len; i++) {
            c->nreplicas++;
            if (parse_db(&x, json_object_array_get_idx(reps, i),
                         &c->replicas[i]))
                goto out;
        }
    }
    if (get_uint(&x, db, "connect_timeout_ms", 1000, 10, 60000, &n))
        goto out;
    c->connect_timeout_ms = (unsigned)n;
    if (get_uint(&x, db, "gtid_wait_ms", 50, 0, 10000, &n))
        goto out;
    c->gtid_wait_ms = (unsigned)n;
    if (get_uint(&x, db, "max_replica_lag_ms", 5000, 1, 3600000, &n))
        goto out;
    c->max_replica_lag_ms = (unsigned)n;

    if (get_uint(&x, root, "order_pay_minutes", 30, 1, 10080, &n))
        goto out;
    c->order_pay_minutes = (unsigned)n;
    if (get_uint(&x, root, "auto_complete_days", 10, 1, 365, &n))
        goto out;
    c->auto_complete_days = (unsigned)n;
    if (get_uint(&x, root, "listing_cache_ms", 5000, 0, 60000, &n))
        goto out;
    c->listing_cache_ms = (unsigned)n;
    if (get_uint(&x, root, "change_poll_ms", 250, 10, 10000, &n))
        goto out;
    c->change_poll_ms = (unsigned)n;
    if (get_uint(&x, root, "product_cache_ms", 5000, 0, 3600000, &n))
        goto out;
    c->product_cache_ms = (unsigned)n;
    if (get_uint(&x, limits, "max_body_bytes", 1048576, 1024,
                 256UL * 1024 * 1024, &n))
        goto out;
    c->max_body_bytes = n;
    if (get_uint(&x, limits, "max_upload_bytes", 10485760, 1024,
                 256UL * 1024 * 1024, &n))
        goto out;
    c->max_upload_bytes = n;
    if (get_uint(&x, limits, "max_json_depth", 32, 2, 1000, &n))
        goto out;
    c->max_json_depth = (unsigned)n;

    if (pay && !json_object_is_type(pay, json_type_object)) {
        fail(&x, "'payments' must be an object");
        goto out;
    }
    if (get_str(&x, pay, "sandbox_secret", "", false, &c->sandbox_secret))
        goto out;

    if (apply_env(&x, c))
        goto out;
    if (*c->sandbox_secret && strlen(c->sandbox_secret) < 16) {
        fail(&x, "'payments.sandbox_secret' must be empty or at least 16 "
                 "characters");
        goto out;
    }
    rc = 0;
out:
    if (root)
        json_object_put(root);
    if (rc)
        conf_free(c);
    return rc;
}

int
conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
    FILE *f;
    char *buf = NULL, *dir, *slash;
    size_t len = 0, cap = 0, r;
    int rc;

    memset(c, 0, sizeof(*c));
    f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open config '%s': %s", path,
                 strerror(errno));
        return -1;
    }
    do {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            buf = xrealloc(buf, cap);
        }
        r = fread(buf + len, 1, cap - len - 1, f);
        len += r;
    } while (r > 0 && len < 1024 * 1024);
    fclose(f);
    buf[len] = '\0';
    dir = xstrdup(path);
    slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        dir[0] = '\0';
    rc = conf_parse(c, buf, dir, err, errlen);
    free(buf);
    free(dir);
    if (rc == 0)
        c->path = xstrdup(path);
    return rc;
}

static void
free_db(struct conf_db *d)
{
    free(d->host);
    free(d->unix_socket);
    free(d->user);
    free(d->password);
    free(d->database);
}

void
conf_free(struct conf *c)
{
    unsigned i;

    free(c->path);
    free(c->listen);
    free(c->pidfile);
    free(c->access_log);
    free(c->schema_dir);
    free(c->media_dir);
    free(c->media_tool);
    free(c->mail_dir);
    free(c->public_url);
    free(c->frontend_dist);
    free(c->sandbox_secret);
    free_db(&c->primary);
    for (i = 0; i < c->nreplicas; i++)
        free_db(&c->replicas[i]);
    memset(c, 0, sizeof(*c));
}
