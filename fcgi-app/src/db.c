/*
 * db.c - MariaDB connections, statements and read/write routing (see db.h).
 *
 * One `struct conn` per server per process.  A connection that reports the
 * server gone is closed at once and reopened on next use, no sooner than
 * RECONNECT_BACKOFF_US later, so requests during an outage fail fast with
 * 503 instead of queueing behind connect timeouts.
 *
 * The only statements sent as text are constant session set-up and
 * transaction control (no input ever reaches them) and migration scripts.
 */
#include "config.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "conf.h"
#include "log.h"
#include "metrics.h"
#include "req.h"
#include "util.h"

#define STMT_CACHE_MAX 128
#define RECONNECT_BACKOFF_US 200000
#define LAG_CHECK_US 1000000
#define PRIMARY_PING_US 1000000
#define CELL_INLINE 256
#define TXN_TRIES 3

struct stmt_entry {
    uint64_t hash;
    char *sql;
    MYSQL_STMT *stmt;
    MYSQL_RES *meta;        /* result columns, NULL for no result set */
};

struct conn {
    const struct conf_db *cfg;
    enum metrics_db kind;
    MYSQL *my;
    int64_t retry_after_us;
    struct stmt_entry cache[STMT_CACHE_MAX];
    unsigned ncache;
    int64_t lag_ms;             /* replicas: -1 unknown */
    int64_t lag_checked_us;
};

static struct {
    const struct conf *conf;
    struct conn primary;
    struct conn replicas[CONF_MAX_REPLICAS];
    unsigned nreplicas;
    unsigned next_replica;
    unsigned last_source;       /* replica + 1 of the last db_read; 0 primary */
    uint64_t source_epoch;      /* bumped when last_source changes */
    int64_t primary_checked_us;
    int64_t primary_hb_ms;
    bool primary_ok;
} g;

static const char SQL_SESSION[] =
    "SET SESSION time_zone = '+00:00', "
    "session_track_system_variables = 'last_gtid', "
    "sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";
static const char SQL_GTID_WAIT[] = "SELECT MASTER_GTID_WAIT(?, ?)";
static const char SQL_LAG[] =
    "SELECT TIMESTAMPDIFF(MICROSECOND, ts, UTC_TIMESTAMP(6)) DIV 1000 "
    "FROM heartbeat WHERE id = 1";
/* Heartbeat time in ms since the epoch (written by the primary's clock,
 * so comparing a replica's copy with the primary's needs no clock sync). */
static const char SQL_HEARTBEAT_TS[] =
    "SELECT FLOOR(UNIX_TIMESTAMP(ts) * 1000) FROM heartbeat WHERE id = 1";
static const char SQL_HEARTBEAT[] =
    "INSERT INTO heartbeat (id, ts) VALUES (1, UTC_TIMESTAMP(6)) "
    "ON DUPLICATE KEY UPDATE ts = UTC_TIMESTAMP(6)";

struct db_param
db_param_str(const char *s)
{
    struct db_param p = { .type = DBP_NULL };

    if (s) {
        p.type = DBP_STR;
        p.s = s;
        p.len = strlen(s);
    }
    return p;
}

/* ------------------------------------------------------------------ */
/* connections                                                          */

static void stmt_cache_clear(struct conn *c);

static void
conn_close(struct conn *c)
{
    stmt_cache_clear(c);
    if (c->my)
        mysql_close(c->my);
    c->my = NULL;
}

static bool
is_gone(unsigned err)
{
    return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST ||
           err == CR_CONNECTION_ERROR || err == CR_CONN_HOST_ERROR ||
           err == ER_CONNECTION_KILLED || err == ER_SERVER_SHUTDOWN ||
           err == CR_COMMANDS_OUT_OF_SYNC;
}

static int
conn_open(struct conn *c)
{
    const struct conf_db *d = c->cfg;
    unsigned int timeout, rw_timeout = 30;
    my_bool off = 0;
    const char *sock;
    MYSQL *my;

    if (c->my)
        return JS_OK;
    if (now_us() < c->retry_after_us)
        return JS_UNAVAILABLE;
    my = mysql_init(NULL);
    if (!my)
        die_oom();
    timeout = (g.conf->connect_timeout_ms + 999) / 1000;
    mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
    mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
    mysql_options(my, MYSQL_OPT_RECONNECT, &off);
    mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    sock = d->unix_socket && *d->unix_socket ? d->unix_socket : NULL;
    if (!mysql_real_connect(my, sock ? NULL : d->host, d->user, d->password,
                            d->database, sock ? 0 : d->port, sock, 0) ||
        mysql_real_query(my, SQL_SESSION, sizeof(SQL_SESSION) - 1)) {
        warning("cannot connect to %s '%s': %s",
                c->kind == MDB_PRIMARY ? "primary" : "replica",
                sock ? sock : d->host, mysql_error(my));
        mysql_close(my);
        c->retry_after_us = now_us() + RECONNECT_BACKOFF_US;
        metrics_db_query(c->kind, true);
        return JS_UNAVAILABLE;
    }
    c->my = my;
    return JS_OK;
}

static uint64_t
fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void
stmt_cache_clear(struct conn *c)
{
    for (unsigned i = 0; i < c->ncache; i++) {
        if (c->cache[i].meta)
            mysql_free_result(c->cache[i].meta);
        mysql_stmt_close(c->cache[i].stmt);
        free(c->cache[i].sql);
    }
    c->ncache = 0;
}

/* A prepared statement for sql on c, from the cache or newly prepared;
 * on failure NULL with the server's error number and message. */
static struct stmt_entry *
stmt_get(struct conn *c, const char *sql, unsigned *err, char *msg,
         size_t msglen)
{
    uint64_t h = fnv1a(sql);
    MYSQL_STMT *st;
    struct stmt_entry *e;

    for (unsigned i = 0; i < c->ncache; i++)
        if (c->cache[i].hash == h && strcmp(c->cache[i].sql, sql) == 0)
            return &c->cache[i];
    if (c->ncache == STMT_CACHE_MAX)
        stmt_cache_clear(c);
    st = mysql_stmt_init(c->my);
    if (!st)
        die_oom();
    if (mysql_stmt_prepare(st, sql, strlen(sql))) {
        *err = mysql_stmt_errno(st);
        snprintf(msg, msglen, "%s", mysql_stmt_error(st));
        mysql_stmt_close(st);
        return NULL;
    }
    e = &c->cache[c->ncache++];
    e->hash = h;
    e->sql = xstrdup(sql);
    e->stmt = st;
    e->meta = mysql_stmt_result_metadata(st);
    return e;
}

/* ------------------------------------------------------------------ */
/* results                                                              */

const char *
db_get(const struct db_result *res, unsigned row, unsigned col)
{
    if (row >= res->nrows || col >= res->ncols)
        BUG("db_get(%u, %u) outside %u x %u", row, col, res->nrows,
            res->ncols);
    return res->cells[(size_t)row * res->ncols + col];
}

int64_t
db_get_int(const struct db_result *res, unsigned row, unsigned col,
           int64_t def)
{
    const char *s = db_get(res, row, col);
    int64_t v;

    if (!s || parse_int64(s, INT64_MIN, INT64_MAX, &v))
        return def;
    return v;
}

static int
fetch_all(MYSQL_STMT *st, MYSQL_RES *meta, struct arena *a,
          struct db_result *res)
{
    MYSQL_FIELD *fields;
    MYSQL_BIND *b;
    unsigned long *lens;
    my_bool *nulls, *errs;
    char *bufs;
    unsigned n, cap = 16;
    int rc = JS_OK;

    if (!meta)
        return JS_OK;
    n = mysql_num_fields(meta);
    fields = mysql_fetch_fields(meta);
    res->ncols = n;
    res->names = arena_alloc(a, n * sizeof(*res->names));
    for (unsigned i = 0; i < n; i++)
        res->names[i] = arena_strdup(a, fields[i].name);
    b = arena_calloc(a, n, sizeof(*b));
    lens = arena_calloc(a, n, sizeof(*lens));
    nulls = arena_calloc(a, n, sizeof(*nulls));
    errs = arena_calloc(a, n, sizeof(*errs));
    bufs = arena_alloc(a, (size_t)n * CELL_INLINE);
    for (unsigned i = 0; i < n; i++) {
        b[i].buffer_type = MYSQL_TYPE_STRING;
        b[i].buffer = bufs + (size_t)i * CELL_INLINE;
        b[i].buffer_length = CELL_INLINE;
        b[i].length = &lens[i];
        b[i].is_null = &nulls[i];
        b[i].error = &errs[i];
    }
    if (mysql_stmt_bind_result(st, b))
        BUG("cannot bind result: %s", mysql_stmt_error(st));
    res->cells = arena_alloc(a, (size_t)cap * n * sizeof(char *));
    res->lens = arena_alloc(a, (size_t)cap * n * sizeof(unsigned long));
    for (;;) {
        int f = mysql_stmt_fetch(st);

        if (f == MYSQL_NO_DATA)
            break;
        if (f == 1) {
            rc = JS_ERR;
            break;
        }
        if (res->nrows == cap) {
            char **cells = arena_alloc(a, (size_t)cap * 2 * n * sizeof(char *));
            unsigned long *l2 = arena_alloc(a, (size_t)cap * 2 * n *
                                                   sizeof(unsigned long));

            memcpy(cells, res->cells, (size_t)cap * n * sizeof(char *));
            memcpy(l2, res->lens, (size_t)cap * n * sizeof(unsigned long));
            res->cells = cells;
            res->lens = l2;
            cap *= 2;
        }
        for (unsigned i = 0; i < n; i++) {
            size_t k = (size_t)res->nrows * n + i;

            res->lens[k] = nulls[i] ? 0 : lens[i];
            if (nulls[i]) {
                res->cells[k] = NULL;
            } else if (lens[i] > CELL_INLINE) {
                /* Truncated: fetch the whole value into the arena. */
                MYSQL_BIND big;
                char *buf = arena_alloc(a, lens[i] + 1);

                memset(&big, 0, sizeof(big));
                big.buffer_type = MYSQL_TYPE_STRING;
                big.buffer = buf;
                big.buffer_length = lens[i];
                if (mysql_stmt_fetch_column(st, &big, i, 0)) {
                    rc = JS_ERR;
                    break;
                }
                buf[lens[i]] = '\0';
                res->cells[k] = buf;
            } else {
                res->cells[k] = arena_strndup(a, b[i].buffer, lens[i]);
            }
        }
        res->nrows++;
    }
    mysql_stmt_free_result(st);
    return rc;
}

/* ------------------------------------------------------------------ */
/* running a statement                                                  */

static void
capture_gtid(struct req *r, MYSQL *my)
{
    const char *d;
    size_t l;

    if (mysql_session_track_get_first(my, SESSION_TRACK_SYSTEM_VARIABLES,
                                      &d, &l))
        return;
    do {
        if (l == 9 && memcmp(d, "last_gtid", 9) == 0) {
            if (mysql_session_track_get_next(
                    my, SESSION_TRACK_SYSTEM_VARIABLES, &d, &l) == 0 &&
                l > 0 && l < sizeof(r->db.gtid_out)) {
                memcpy(r->db.gtid_out, d, l);
                r->db.gtid_out[l] = '\0';
            }
            return;
        }
    } while (mysql_session_track_get_next(my, SESSION_TRACK_SYSTEM_VARIABLES,
                                          &d, &l) == 0);
}

static int
map_error(struct req *r, struct conn *c, unsigned err, const char *msg,
          const char *sql)
{
    metrics_db_query(c->kind, true);
    if (is_gone(err)) {
        warning("%s connection lost: %s",
                c->kind == MDB_PRIMARY ? "primary" : "replica", msg);
        conn_close(c);
        c->retry_after_us = 0;
        return JS_UNAVAILABLE;
    }
    if (err == ER_LOCK_DEADLOCK || err == ER_LOCK_WAIT_TIMEOUT) {
        r->db.retryable = true;
        return JS_ERR;
    }
    if (err == ER_DUP_ENTRY)
        return JS_CONFLICT;
    return error("statement failed (%u): %s: '%s'", err, msg, sql);
}

static int
run(struct req *r, struct conn *c, const char *sql, const struct db_param *p,
    unsigned np, struct db_result *res)
{
    struct db_result local;
    struct stmt_entry *e;
    MYSQL_STMT *st;
    MYSQL_BIND *b = NULL;
    unsigned err = 0;
    char msg[512];
    int64_t t0 = now_us();
    int rc;

    if (!res)
        res = &local;
    memset(res, 0, sizeof(*res));
    rc = conn_open(c);
    if (rc)
        return rc;
    e = stmt_get(c, sql, &err, msg, sizeof(msg));
    if (!e) {
        rc = map_error(r, c, err, msg, sql);
        goto out;
    }
    st = e->stmt;
    if (np) {
        b = arena_calloc(&r->arena, np, sizeof(*b));
        for (unsigned i = 0; i < np; i++) {
            switch (p[i].type) {
            case DBP_NULL:
                b[i].buffer_type = MYSQL_TYPE_NULL;
                break;
            case DBP_INT:
                b[i].buffer_type = MYSQL_TYPE_LONGLONG;
                b[i].buffer = (void *)&p[i].i;
                break;
            case DBP_DOUBLE:
                b[i].buffer_type = MYSQL_TYPE_DOUBLE;
                b[i].buffer = (void *)&p[i].d;
                break;
            case DBP_STR:
            case DBP_BLOB:
                b[i].buffer_type = p[i].type == DBP_STR ? MYSQL_TYPE_STRING
                                                        : MYSQL_TYPE_BLOB;
                b[i].buffer = (void *)p[i].s;
                b[i].buffer_length = p[i].len;
                break;
            }
        }
    }
    if (mysql_stmt_param_count(st) != np)
        BUG("'%s' takes %lu parameters, given %u", sql,
            mysql_stmt_param_count(st), np);
    if ((np && mysql_stmt_bind_param(st, b)) || mysql_stmt_execute(st)) {
        rc = map_error(r, c, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
        goto out;
    }
    if (mysql_stmt_field_count(st) > 0) {
        rc = fetch_all(st, e->meta, r->db.results ? r->db.results
                                                  : &r->arena, res);
        if (rc) {
            rc = map_error(r, c, mysql_stmt_errno(st), mysql_stmt_error(st),
                           sql);
            goto out;
        }
    } else {
        res->affected = mysql_stmt_affected_rows(st);
        res->insert_id = mysql_stmt_insert_id(st);
    }
    metrics_db_query(c->kind, false);
    r->db.served |= c->kind == MDB_PRIMARY ? DB_SERVED_PRIMARY
                                           : DB_SERVED_REPLICA;
out:
    r->db.queries++;
    r->db.us += now_us() - t0;
    return rc;
}

/* Primary, with one transparent retry when an idle connection was stale
 * and the statement cannot have run (outside a transaction, reads only). */
static int
run_primary(struct req *r, const char *sql, const struct db_param *p,
            unsigned np, struct db_result *res, bool may_retry)
{
    bool had_conn = g.primary.my != NULL;
    int rc = run(r, &g.primary, sql, p, np, res);

    if (rc == JS_UNAVAILABLE && had_conn && may_retry && !r->db.in_txn)
        rc = run(r, &g.primary, sql, p, np, res);
    return rc;
}

/* ------------------------------------------------------------------ */
/* routing                                                              */

bool
db_gtid_valid(const char *s)
{
    unsigned triples = 0;

    if (!s || !*s || strlen(s) > 150)
        return false;
    while (*s) {
        for (int part = 0; part < 3; part++) {
            if (*s < '0' || *s > '9')
                return false;
            while (*s >= '0' && *s <= '9')
                s++;
            if (part < 2 && *s++ != '-')
                return false;
        }
        triples++;
        if (*s == ',' && s[1])      /* no trailing comma */
            s++;
        else if (*s)
            return false;
        else
            break;
    }
    return triples > 0 && triples <= 8;
}

/* Refresh the replica's lag estimate at most once a second. */
static int
replica_lag(struct req *r, struct conn *c, bool force)
{
    struct db_result res;
    int rc;

    if (!force && now_us() - c->lag_checked_us < LAG_CHECK_US)
        return JS_OK;
    rc = run(r, c, SQL_LAG, DB_NOARGS, &res);
    if (rc)
        return rc;
    c->lag_checked_us = now_us();
    c->lag_ms = res.nrows ? db_get_int(&res, 0, 0, -1) : -1;
    return JS_OK;
}

static struct conn *
pick_replica(struct req *r)
{
    if (r->db.replica)
        return g.replicas[r->db.replica - 1].my
                   ? &g.replicas[r->db.replica - 1] : NULL;
    for (unsigned k = 0; k < g.nreplicas; k++) {
        unsigned i = (g.next_replica + k) % g.nreplicas;
        struct conn *c = &g.replicas[i];

        if (conn_open(c) || replica_lag(r, c, false))
            continue;
        if (c->lag_ms > (int64_t)g.conf->max_replica_lag_ms)
            continue;
        /* Sticky: the next request starts from the same replica. */
        g.next_replica = i;
        r->db.replica = i + 1;
        return c;
    }
    return NULL;
}

/* Has the replica applied the caller's last commit?  Waits briefly. */
static bool
replica_has_gtid(struct req *r, struct conn *c)
{
    struct db_result res;

    if (!r->db.gtid_in || r->db.gtid_checked)
        return true;
    if (run(r, c, SQL_GTID_WAIT,
            DB_ARGS(DBP_S(r->db.gtid_in),
                    DBP_D(g.conf->gtid_wait_ms / 1000.0)), &res))
        return false;
    if (res.nrows != 1 || db_get_int(&res, 0, 0, -1) != 0)
        return false;
    r->db.gtid_checked = true;
    return true;
}

/* A read that could have gone to a replica was served by source. */
static void
note_source(unsigned source)
{
    if (source != g.last_source) {
        g.last_source = source;
        g.source_epoch++;
    }
}

uint64_t
db_source_epoch(void)
{
    return g.source_epoch;
}

int
db_read(struct req *r, const char *sql, const struct db_param *p,
        unsigned np, struct db_result *res)
{
    struct conn *c;
    int rc;

    if (!r->db.in_txn && !r->db.wrote && g.nreplicas) {
        c = pick_replica(r);
        if (c && replica_has_gtid(r, c)) {
            rc = run(r, c, sql, p, np, res);
            if (rc != JS_UNAVAILABLE) {
                if (rc == JS_OK) {
                    metrics_db_read(MDB_REPLICA);
                    if (!r->db.gtid_in)
                        note_source(r->db.replica);
                }
                return rc;
            }
            r->db.replica = 0;
        }
        metrics_replica_fallback();
        /* A read for a client's own write (which no cache uses) may go to
         * the primary without unsettling the caches. */
        if (!r->db.gtid_in)
            note_source(0);
    }
    rc = run_primary(r, sql, p, np, res, true);
    if (rc == JS_OK)
        metrics_db_read(MDB_PRIMARY);
    return rc;
}

int
db_read_primary(struct req *r, const char *sql, const struct db_param *p,
                unsigned np, struct db_result *res)
{
    int rc = run_primary(r, sql, p, np, res, true);

    if (rc == JS_OK)
        metrics_db_read(MDB_PRIMARY);
    return rc;
}

int
db_write(struct req *r, const char *sql, const struct db_param *p,
         unsigned np, struct db_result *res)
{
    int rc = JS_ERR;

    /* A statement of its own that lost a deadlock was rolled back whole:
     * run it again (in a transaction, db_txn() starts over instead). */
    for (int attempt = 1; attempt <= TXN_TRIES; attempt++) {
        r->db.retryable = false;
        rc = run_primary(r, sql, p, np, res, false);
        if (rc == JS_OK || r->db.in_txn || !r->db.retryable)
            break;
        info("statement retried after a deadlock (attempt %d)", attempt);
    }
    if (rc == JS_OK && !r->db.in_txn) {
        r->db.wrote = true;
        capture_gtid(r, g.primary.my);
    }
    return rc;
}

static int
txn_control(struct req *r, const char *sql)
{
    int64_t t0 = now_us();
    int rc = JS_OK;

    if (mysql_real_query(g.primary.my, sql, strlen(sql)))
        rc = map_error(r, &g.primary, mysql_errno(g.primary.my),
                       mysql_error(g.primary.my), sql);
    r->db.us += now_us() - t0;
    r->db.queries++;
    return rc;
}

int
db_txn(struct req *r, int (*fn)(struct req *r, void *arg), void *arg)
{
    int rc = JS_ERR;

    if (r->db.in_txn)
        BUG("nested db_txn");
    for (int attempt = 1; attempt <= TXN_TRIES; attempt++) {
        rc = conn_open(&g.primary);
        if (rc)
            return rc;
        rc = txn_control(r, "START TRANSACTION");
        if (rc == JS_UNAVAILABLE && attempt == 1) {
            /* A stale idle connection: one fresh try. */
            rc = conn_open(&g.primary);
            if (!rc)
                rc = txn_control(r, "START TRANSACTION");
        }
        if (rc)
            return rc;
        r->db.in_txn = true;
        r->db.retryable = false;
        rc = fn(r, arg);
        if (rc == JS_OK) {
            rc = txn_control(r, "COMMIT");
            if (rc == JS_OK) {
                capture_gtid(r, g.primary.my);
                r->db.wrote = true;
            }
        } else if (g.primary.my) {
            txn_control(r, "ROLLBACK");
        }
        r->db.in_txn = false;
        if (rc == JS_OK || !r->db.retryable)
            return rc;
        /* Deadlock or lock wait: start over with a clean reply. */
        strbuf_reset(&r->reply.body);
        r->reply.status = 0;
        r->reply.nheaders = 0;
        info("transaction retried after a deadlock (attempt %d)", attempt);
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* lifecycle, health, scripts                                           */

int
db_init(const struct conf *conf)
{
    memset(&g, 0, sizeof(g));
    g.conf = conf;
    g.primary.cfg = &conf->primary;
    g.primary.kind = MDB_PRIMARY;
    g.nreplicas = conf->nreplicas;
    /* Workers spread over the replicas, each staying with its own. */
    g.next_replica = g.nreplicas ? (unsigned)getpid() % g.nreplicas : 0;
    for (unsigned i = 0; i < g.nreplicas; i++) {
        g.replicas[i].cfg = &conf->replicas[i];
        g.replicas[i].kind = MDB_REPLICA;
        g.replicas[i].lag_ms = -1;
    }
    if (mysql_library_init(0, NULL, NULL))
        return error("cannot initialise the MariaDB client library");
    return 0;
}

void
db_release(void)
{
    conn_close(&g.primary);
    for (unsigned i = 0; i < g.nreplicas; i++)
        conn_close(&g.replicas[i]);
    mysql_library_end();
}

unsigned
db_replica_count(void)
{
    return g.nreplicas;
}

/* The heartbeat's timestamp on c in ms, -1 when absent. */
static int
heartbeat_ms(struct req *r, struct conn *c, int64_t *out)
{
    struct db_result res;
    int rc = run(r, c, SQL_HEARTBEAT_TS, DB_NOARGS, &res);

    if (rc)
        return rc;
    *out = res.nrows ? db_get_int(&res, 0, 0, -1) : -1;
    return JS_OK;
}

void
db_health(struct req *r, struct db_health *h)
{
    memset(h, 0, sizeof(*h));
    /* The primary's heartbeat doubles as its reachability check; cached
     * for a second per process so a health probe costs one replica query. */
    if (!g.primary.my || now_us() - g.primary_checked_us > PRIMARY_PING_US) {
        g.primary_ok = heartbeat_ms(r, &g.primary, &g.primary_hb_ms) == 0;
        g.primary_checked_us = now_us();
    }
    h->primary_ok = g.primary_ok;
    h->nreplicas = g.nreplicas;
    for (unsigned i = 0; i < g.nreplicas && i < ARRAY_SIZE(h->replicas);
         i++) {
        struct conn *c = &g.replicas[i];
        int64_t hb = -1;

        h->replicas[i].ok = heartbeat_ms(r, c, &hb) == JS_OK;
        h->replicas[i].lag_ms = -1;
        if (!h->replicas[i].ok)
            continue;
        /* Lag: how far the replica's heartbeat trails the primary's (as
         * of the last primary check), never negative.  The heartbeat is
         * written every second, so this is exact to about a second. */
        if (hb >= 0 && g.primary_ok && g.primary_hb_ms >= 0)
            h->replicas[i].lag_ms = g.primary_hb_ms > hb
                                        ? g.primary_hb_ms - hb : 0;
        if (h->replicas[i].lag_ms > (int64_t)g.conf->max_replica_lag_ms)
            h->replicas[i].ok = false;
    }
}

int
db_heartbeat(struct req *r)
{
    return db_write(r, SQL_HEARTBEAT, DB_NOARGS, NULL);
}

int
db_exec_script(const char *sql, size_t len)
{
    const struct conf_db *d = &g.conf->primary;
    const char *sock = d->unix_socket && *d->unix_socket ? d->unix_socket
                                                          : NULL;
    MYSQL *my = mysql_init(NULL);
    int rc = 0, status;

    if (!my)
        die_oom();
    mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(my, sock ? NULL : d->host, d->user, d->password,
                            d->database, sock ? 0 : d->port, sock,
                            CLIENT_MULTI_STATEMENTS)) {
        rc = error("cannot connect to the primary: %s", mysql_error(my));
        goto out;
    }
    status = mysql_real_query(my, sql, len);
    for (;;) {
        MYSQL_RES *res;

        if (status) {
            rc = error("migration statement failed: %s", mysql_error(my));
            break;
        }
        res = mysql_store_result(my);
        if (res)
            mysql_free_result(res);
        status = mysql_next_result(my);
        if (status == -1)
            break;
    }
out:
    mysql_close(my);
    return rc;
}
