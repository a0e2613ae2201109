/*
 * jobs.c - the master's job runner: periodic work in its own process.
 *
 * Each job runs at most every interval_ms with a request-like context (an
 * arena and DB routing state).  A failing job is logged and tried again at
 * its next turn; it never takes the runner down.
 */
#include "config.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "db.h"
#include "fulfil.h"
#include "log.h"
#include "order.h"
#include "outbox.h"
#include "req.h"
#include "sandbox.h"
#include "util.h"
#include "worker.h"

struct job {
    const char *name;
    int64_t interval_ms;
    int (*run)(struct req *r);
};

/* Replication heartbeat: replicas measure their lag against this row. */
static int
job_heartbeat(struct req *r)
{
    return db_heartbeat(r);
}

static const char SQL_EXPIRED_SESSIONS[] =
    "DELETE FROM sessions WHERE expires_at < UTC_TIMESTAMP(6) "
    " OR last_seen_at < UTC_TIMESTAMP(6) - INTERVAL 7 DAY LIMIT 1000";
static const char SQL_OLD_THROTTLE[] =
    "DELETE FROM login_throttle WHERE window_start < "
    " UTC_TIMESTAMP(6) - INTERVAL 1 DAY"
    " AND (locked_until IS NULL OR locked_until < UTC_TIMESTAMP(6)) "
    "LIMIT 1000";
static const char SQL_OLD_RESETS[] =
    "DELETE FROM password_resets WHERE expires_at < "
    " UTC_TIMESTAMP(6) - INTERVAL 1 DAY LIMIT 1000";

/* Forget what has expired: sessions, lockouts, reset tokens. */
static int
job_expire(struct req *r)
{
    int rc = db_write(r, SQL_EXPIRED_SESSIONS, DB_NOARGS, NULL);

    if (!rc)
        rc = db_write(r, SQL_OLD_THROTTLE, DB_NOARGS, NULL);
    if (!rc)
        rc = db_write(r, SQL_OLD_RESETS, DB_NOARGS, NULL);
    return rc;
}

/* The catalog change feed (changes.h): workers read it every few hundred
 * ms; an hour of rows is plenty.  In batches (short transactions), up to
 * a million rows a minute after a big import. */
#define PRUNE_BATCH 10000
#define PRUNE_BATCHES 100

static const char SQL_OLD_CHANGES[] =
    "DELETE FROM cache_changes WHERE at < UTC_TIMESTAMP(6) - INTERVAL 1 HOUR "
    "LIMIT 10000";

static int
job_prune_changes(struct req *r)
{
    struct db_result res;
    int rc = JS_OK;

    for (unsigned i = 0; i < PRUNE_BATCHES && !rc; i++) {
        rc = db_write(r, SQL_OLD_CHANGES, DB_NOARGS, &res);
        if (!rc && res.affected < PRUNE_BATCH)
            break;
    }
    return rc;
}

static const struct job jobs[] = {
    { "replication-heartbeat", 1000, job_heartbeat },
    { "outbox-delivery", 500, outbox_drain },
    { "expire-sessions", 60000, job_expire },
    { "prune-cache-changes", 60000, job_prune_changes },
    { "expire-unpaid-orders", 15000, order_expire_unpaid },
    { "sandbox-webhooks", 500, sandbox_deliver },
    { "complete-delivered-orders", 15000, fulfil_auto_complete },
};

void
jobs_main(const struct conf *conf)
{
    int64_t next[ARRAY_SIZE(jobs)] = { 0 };

    worker_signals();
    if (db_init(conf))
        exit(3);
    while (!worker_stop_requested()) {
        int64_t now = now_us(), wake = now + 1000000;
        struct timespec ts;

        for (size_t i = 0; i < ARRAY_SIZE(jobs); i++) {
            if (now >= next[i]) {
                struct req r;
                int rc;

                req_fake(&r, conf, "JOB", "/", NULL, NULL);
                rc = jobs[i].run(&r);
                req_finish(&r);
                if (rc && rc != JS_UNAVAILABLE)
                    warning("job '%s' failed (%d)", jobs[i].name, rc);
                next[i] = now + jobs[i].interval_ms * 1000;
            }
            if (next[i] < wake)
                wake = next[i];
        }
        now = now_us();
        if (wake > now) {
            ts.tv_sec = (wake - now) / 1000000;
            ts.tv_nsec = ((wake - now) % 1000000) * 1000;
            /* SIGTERM interrupts the sleep (EINTR) and ends the loop. */
            nanosleep(&ts, NULL);
        }
    }
    db_release();
    exit(0);
}
