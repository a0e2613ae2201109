/*
 * conf.h - the application configuration: a JSON file plus environment
 * overrides (JISHI_LISTEN, JISHI_WORKERS, JISHI_MAX_REQUESTS,
 * JISHI_DB_PASSWORD, JISHI_PUBLIC_URL, JISHI_SANDBOX_SECRET,
 * JISHI_FRONTEND_DIST).  Relative paths are resolved against the
 * directory of the config file.  The master loads it at start and on
 * SIGHUP; workers inherit it.
 * conf_free() releases everything conf_load() allocated.
 */
#ifndef JISHI_CONF_H
#define JISHI_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define CONF_MAX_REPLICAS 8

struct conf_db {
    char *host;
    unsigned port;
    char *unix_socket;  /* used instead of host/port when non-empty */
    char *user;
    char *password;
    char *database;
};

struct conf {
    char *path;          /* the file it came from */
    char *listen;        /* unix socket path or host:port */
    unsigned workers;
    unsigned long max_requests;   /* recycle a worker after this many */
    char *pidfile;
    char *access_log;
    char *schema_dir;
    char *media_dir;
    /* the jishi-media helper ("": the one beside this program) */
    char *media_tool;
    char *mail_dir;
    char *public_url;    /* base URL in links we send (reset mail) */
    char *frontend_dist; /* the built SPA nginx serves (its index.html
                          * is the template of product pages) */

    struct conf_db primary;
    struct conf_db replicas[CONF_MAX_REPLICAS];
    unsigned nreplicas;
    unsigned connect_timeout_ms;
    unsigned gtid_wait_ms;
    unsigned max_replica_lag_ms;

    unsigned order_pay_minutes;  /* unpaid orders expire after this */
    /* "payments": {"sandbox_secret"}: the simulated gateway's webhook
     * signing key; "" (the default) disables sandbox payments (503).
     * When set, at least 16 characters. */
    char *sandbox_secret;
    unsigned auto_complete_days; /* delivered orders complete after this */
    /* how long a worker reuses a listing's counts and order (0: never);
     * see listing_cache.h */
    unsigned listing_cache_ms;
    /* how often a worker reads the catalog change feed; see changes.h */
    unsigned change_poll_ms;
    /* the longest a worker keeps a product page or card's live part
     * between changes the feed names (0: never) */
    unsigned product_cache_ms;
    size_t max_body_bytes;
    size_t max_upload_bytes;     /* image uploads (ROUTE_UPLOAD) */
    unsigned max_json_depth;
};

/*
 * Load path into *c (zeroed first).  On failure returns -1 and writes a
 * one-line reason into err; *c holds nothing to free.
 */
int conf_load(struct conf *c, const char *path, char *err, size_t errlen);

/* Parse a config from a JSON text; base_dir resolves relative paths. */
int conf_parse(struct conf *c, const char *json, const char *base_dir,
               char *err, size_t errlen);

void conf_free(struct conf *c);

#endif
