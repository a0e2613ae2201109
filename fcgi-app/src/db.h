/*
 * db.h - the MariaDB facade: connections, prepared statements, read/write
 * splitting with read-your-writes, transactions with retry.
 *
 * Each process (worker, job runner, CLI) calls db_init() once with the
 * config and db_release() before exit.  Connections to the primary and to
 * every replica are opened lazily and reopened after the server went away.
 * Every statement is prepared (cached per connection) and bound; MYSQL *
 * never leaves db.c.
 *
 * Routing:
 *   db_read()   a replica, unless this request wrote, is in a transaction,
 *               or the caller's last commit (GTID cookie) has not reached
 *               the replica within gtid_wait_ms; a replica that is down or
 *               lags beyond max_replica_lag_ms is skipped.  Falls back to
 *               the primary.
 *   db_read_primary(), db_write()   always the primary.
 *
 * After a commit the request carries the commit's GTID in r->db.gtid_out;
 * the dispatcher hands it to the client as a cookie so the next request's
 * reads see the write.
 *
 * Results are fetched whole into the request arena as text cells (NULL
 * for SQL NULL).  Errors: JS_UNAVAILABLE (server unreachable: 503),
 * JS_CONFLICT (duplicate key), JS_ERR (anything else, logged).
 */
#ifndef JISHI_DB_H
#define JISHI_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct req;

enum db_type { DBP_NULL, DBP_INT, DBP_STR, DBP_BLOB, DBP_DOUBLE };

struct db_param {
    enum db_type type;
    long long i;
    double d;
    const char *s;
    size_t len;
};

#define DBP_I(v) ((struct db_param){ .type = DBP_INT, .i = (v) })
#define DBP_D(v) ((struct db_param){ .type = DBP_DOUBLE, .d = (v) })
#define DBP_S(v) db_param_str(v)
#define DBP_SN(v, n) \
    ((struct db_param){ .type = DBP_STR, .s = (v), .len = (n) })
#define DBP_B(v, n) \
    ((struct db_param){ .type = DBP_BLOB, .s = (const char *)(v), \
                        .len = (n) })
#define DBP_NULLV ((struct db_param){ .type = DBP_NULL })

/* A string parameter; NULL binds SQL NULL. */
struct db_param db_param_str(const char *s);

/* Pass a parameter list: db_read(r, SQL, DB_ARGS(DBP_I(id)), &res). */
#define DB_ARGS(...) (const struct db_param[]){ __VA_ARGS__ }, \
    (unsigned)(sizeof((struct db_param[]){ __VA_ARGS__ }) / \
               sizeof(struct db_param))
#define DB_NOARGS NULL, 0

struct db_result {
    unsigned nrows;
    unsigned ncols;
    const char **names;         /* column names */
    char **cells;               /* nrows * ncols; NULL for SQL NULL */
    unsigned long *lens;
    unsigned long long affected;
    unsigned long long insert_id;
};

/* Cell text or NULL; BUG() when out of range. */
const char *db_get(const struct db_result *res, unsigned row, unsigned col);

/* Cell as integer; def when NULL or not a number. */
int64_t db_get_int(const struct db_result *res, unsigned row, unsigned col,
                   int64_t def);

int db_init(const struct conf *conf);
void db_release(void);

int db_read(struct req *r, const char *sql, const struct db_param *p,
            unsigned np, struct db_result *res);
/*
 * Counts the switches of the server db_read() reads from: a worker stays
 * with one replica while it is healthy; a fallback to the primary, or to
 * another replica, bumps it (not a read for a client's own write, which
 * may wait on the primary).  Caches that must not mix what two servers
 * said (changes.h) start over when it moves.
 */
uint64_t db_source_epoch(void);
int db_read_primary(struct req *r, const char *sql, const struct db_param *p,
                    unsigned np, struct db_result *res);
int db_write(struct req *r, const char *sql, const struct db_param *p,
             unsigned np, struct db_result *res);

/*
 * Run fn(r, arg) inside a transaction on the primary: commit when it
 * returns 0, roll back otherwise.  A deadlock or lock-wait timeout anywhere
 * inside restarts the whole function (up to 3 tries), so fn must not have
 * effects outside the database before it returns.  Returns fn's result or
 * a JS_* code.
 */
int db_txn(struct req *r, int (*fn)(struct req *r, void *arg), void *arg);

/*
 * Check that the client-supplied GTID text is a well-formed list of
 * domain-server-seqno triples ("0-1-42,1-2-7"); used before it reaches
 * MASTER_GTID_WAIT.
 */
bool db_gtid_valid(const char *gtid);

/* --- health ----------------------------------------------------------- */

struct db_health {
    bool primary_ok;
    unsigned nreplicas;
    struct {
        bool ok;
        int64_t lag_ms;          /* -1 when unknown */
    } replicas[8];
};

/*
 * Probe the servers for /health: one query per replica (its heartbeat
 * age); the primary's state is a ping, cached for a second per process.
 */
void db_health(struct req *r, struct db_health *h);

/* Update the replication heartbeat row on the primary (job runner). */
int db_heartbeat(struct req *r);

/*
 * Run a trusted multi-statement SQL script on the primary (migrations
 * only; never input).  Returns 0 or -1 with the server's message logged.
 */
int db_exec_script(const char *sql, size_t len);

/* Number of replicas configured. */
unsigned db_replica_count(void);

#endif
