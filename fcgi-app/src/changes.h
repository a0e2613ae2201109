/*
 * changes.h - the feed that keeps a worker's catalog caches current.
 *
 * Triggers write a row to cache_changes for every change a shopper could
 * see on a product page or card (schema/0011_cache_changes.sql), in the
 * transaction of the change.  Before a request uses the caches, the worker
 * reads the rows after the last one it saw, at most every
 * catalog.change_poll_ms, from the replica it reads the catalog from, and
 * drops what it holds of the products named.  A product page or card is
 * then served from memory until its product changes, its flash sale starts
 * or ends, or listing_cache_ms (the backstop) passes.
 *
 * Ids are taken when a row is written, not when it commits, so a
 * transaction can make its row visible after a later id was seen.  Such
 * missing ids are kept as holes for CHG_HOLE_US and taken when they
 * appear; one that never does (a rollback) is forgotten.  When the holes
 * cannot be tracked, or the feed falls too far behind, or the worker reads
 * from another server than before, every cached product is dropped.
 */
#ifndef JISHI_CHANGES_H
#define JISHI_CHANGES_H

#include <stdbool.h>
#include <stdint.h>

struct req;

#define CHG_HOLES 256
#define CHG_HOLE_US 3000000     /* how long a missing id is waited for */

/* Where a worker is in the feed (pure; see chg_take()). */
struct chg_state {
    uint64_t hwm;               /* the highest id taken */
    unsigned nholes;
    bool overflow;              /* holes were lost: drop everything */
    struct {
        uint64_t id;
        int64_t since_us;
    } holes[CHG_HOLES];
};

/* The id to read rows after: below the oldest hole, else the hwm. */
uint64_t chg_from(const struct chg_state *s);

/*
 * Take the row with this id (rows come in id order): true when it was not
 * taken before, so its change must be applied.  Ids skipped between the
 * hwm and id become holes; when they do not fit, s->overflow is set.
 */
bool chg_take(struct chg_state *s, uint64_t id, int64_t now_us);

/* Forget holes waited for longer than CHG_HOLE_US. */
void chg_expire(struct chg_state *s, int64_t now_us);

/*
 * Bring this worker's caches up to the feed when change_poll_ms has
 * passed since the last read (and at once after a switch of server).
 * Always JS_OK: when the feed cannot be read, the caches are emptied and
 * the request reads the database as it would without them.
 */
int changes_sync(struct req *r);

/* May this request be answered from the caches?  Not when the client asks
 * to read its own write (its jishi_gtid cookie). */
bool changes_cache_ok(const struct req *r);

/* Forget the position (worker exit; tests). */
void changes_reset(void);

#endif
