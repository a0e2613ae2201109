/*
 * listing_cache.h - a worker's short-lived snapshots of listing results.
 *
 * What makes a listing expensive is not its page of products but what is
 * counted over everything the filters select: the total, the facets and
 * the order of the matches (for a search, the Mroonga query itself).
 * Those are computed once per filter set and kept in the worker for a few
 * seconds (catalog.listing_cache_ms); every request still reads its page
 * of products by primary key on the replica, so names, prices and stock on
 * the cards are current and a product taken off sale vanishes at once.
 * The counts and the order may be up to the TTL old; the API promises
 * that a change shows in listings within 10 s.
 *
 * Each worker is single-threaded and owns its cache: no locks.  Bounded by
 * LC_SLOTS entries of at most LC_MAX_IDS ids per sort (~50 KB each);
 * the least recently used entry is replaced.
 */
#ifndef JISHI_LISTING_CACHE_H
#define JISHI_LISTING_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#define LC_SLOTS 64
#define LC_MAX_IDS 1000        /* ids kept per sort: ~40 pages of 24 */
#define LC_SORTS 6             /* enum cq_sort */

struct lc_entry {
    char *key;
    int64_t born_us;
    uint64_t used;             /* tick of the last lookup, for LRU */
    int64_t total;
    char *facets;              /* the facets as JSON text */
    int64_t category_id;
    char *category_path;
    char *mquery;              /* the Mroonga query the counts used */
    char *corrected;
    int64_t *ids[LC_SORTS];    /* the first LC_MAX_IDS matches per sort */
    unsigned nids[LC_SORTS];
    bool fuzzy;
    bool have_ids[LC_SORTS];
};

/* The live entry for key, or NULL when absent or older than ttl_us. */
struct lc_entry *lc_get(const char *key, int64_t now_us, int64_t ttl_us);

/*
 * A fresh, zeroed entry for key (replacing an older one for the same key,
 * or else the least recently used), owned by the cache.
 */
struct lc_entry *lc_put(const char *key, int64_t now_us);

/* Copy n ids (n <= LC_MAX_IDS) as e's order for sort. */
void lc_set_ids(struct lc_entry *e, unsigned sort, const int64_t *ids,
                unsigned n);

/* Set *dst to a heap copy of s (NULL stays NULL), freeing the old one. */
void lc_set_str(char **dst, const char *s);

/* Drop every entry (worker exit; tests). */
void lc_clear(void);

#endif
