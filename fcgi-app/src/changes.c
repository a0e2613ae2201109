/*
 * changes.c - the change feed of the catalog caches (see changes.h).
 */
#include "config.h"
#include "changes.h"

#include <string.h>

#include "app.h"
#include "conf.h"
#include "db.h"
#include "listing_cache.h"
#include "log.h"
#include "req.h"
#include "util.h"

#define POLL_ROWS 1000
#define POLL_PAGES 4            /* pages per sync before giving up */

static const char SQL_LAST[] =
    "SELECT COALESCE(MAX(id), 0) FROM cache_changes";
static const char SQL_AFTER[] =
    "SELECT id, kind, ref FROM cache_changes WHERE id > ? ORDER BY id "
    "LIMIT 1000";

static struct {
    struct chg_state feed;
    bool primed;
    uint64_t epoch;             /* db_source_epoch() the feed was read at */
    int64_t polled_us;
} w;

uint64_t
chg_from(const struct chg_state *s)
{
    uint64_t from = s->hwm;

    for (unsigned i = 0; i < s->nholes; i++)
        if (s->holes[i].id - 1 < from)
            from = s->holes[i].id - 1;
    return from;
}

bool
chg_take(struct chg_state *s, uint64_t id, int64_t now_us)
{
    if (id <= s->hwm) {
        for (unsigned i = 0; i < s->nholes; i++)
            if (s->holes[i].id == id) {
                s->holes[i] = s->holes[--s->nholes];
                return true;
            }
        return false;
    }
    if (id - s->hwm - 1 > CHG_HOLES - s->nholes) {
        s->overflow = true;
        s->nholes = 0;
    } else {
        for (uint64_t h = s->hwm + 1; h < id; h++) {
            s->holes[s->nholes].id = h;
            s->holes[s->nholes++].since_us = now_us;
        }
    }
    s->hwm = id;
    return true;
}

void
chg_expire(struct chg_state *s, int64_t now_us)
{
    for (unsigned i = 0; i < s->nholes;)
        if (now_us - s->holes[i].since_us > CHG_HOLE_US)
            s->holes[i] = s->holes[--s->nholes];
        else
            i++;
}

/*
 * Start over near the feed's end with nothing cached.  The last
 * RESTART_BACK ids are read again by the next poll, so that those not yet
 * committed become holes instead of being skipped.
 */
#define RESTART_BACK 128

static bool
restart(struct req *r)
{
    struct db_result res;
    uint64_t last;

    lc_drop_products();
    memset(&w.feed, 0, sizeof(w.feed));
    w.primed = false;
    if (db_read(r, SQL_LAST, DB_NOARGS, &res) || res.nrows != 1)
        return false;
    last = (uint64_t)db_get_int(&res, 0, 0, 0);
    w.feed.hwm = last > RESTART_BACK ? last - RESTART_BACK : 0;
    w.primed = true;
    return true;
}

/* Read and apply the rows after *after (one page); *after moves to the
 * last row read. */
static int
poll_page(struct req *r, int64_t now, uint64_t *after, bool *more)
{
    struct db_result res;
    int rc;

    *more = false;
    rc = db_read(r, SQL_AFTER, DB_ARGS(DBP_I((int64_t)*after)), &res);
    if (rc)
        return rc;
    for (unsigned i = 0; i < res.nrows; i++) {
        const char *kind = db_get(&res, i, 1);
        uint64_t id = (uint64_t)db_get_int(&res, i, 0, 0);

        *after = id;
        if (!chg_take(&w.feed, id, now))
            continue;
        if (kind && kind[0] == 'p')
            lc_drop_product(db_get_int(&res, i, 2, 0));
        else
            lc_drop_products();
    }
    if (w.feed.overflow) {
        w.feed.overflow = false;
        lc_drop_products();
    }
    *more = res.nrows == POLL_ROWS;
    return JS_OK;
}

int
changes_sync(struct req *r)
{
    int64_t now = now_us();
    uint64_t after, epoch;
    bool more = false;

    /* A client reading its own write is answered from the database. */
    if (r->db.gtid_in || (w.primed && w.epoch == db_source_epoch() &&
                          now - w.polled_us <
                              (int64_t)r->conf->change_poll_ms * 1000))
        return JS_OK;
    w.polled_us = now;
    epoch = db_source_epoch();
    if ((!w.primed || w.epoch != epoch) && !restart(r))
        return JS_OK;
    after = chg_from(&w.feed);
    for (unsigned page = 0; page < POLL_PAGES; page++) {
        if (poll_page(r, now, &after, &more)) {
            /* Not kept up: nothing cached is trusted until it is. */
            lc_drop_products();
            w.primed = false;
            return JS_OK;
        }
        if (!more)
            break;
    }
    if (more) {
        info("the catalog change feed is %d+ rows ahead: cache dropped",
             POLL_PAGES * POLL_ROWS);
        restart(r);
    }
    chg_expire(&w.feed, now);
    /* The position holds for the server read from when this began: if a
     * read here moved the worker to another, the next request starts
     * over. */
    w.epoch = epoch;
    return JS_OK;
}

bool
changes_cache_ok(const struct req *r)
{
    return w.primed && !r->db.gtid_in && r->conf->product_cache_ms > 0;
}

void
changes_reset(void)
{
    memset(&w, 0, sizeof(w));
}
