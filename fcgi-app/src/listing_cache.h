/*
 * listing_cache.h - a worker's short-lived snapshots of listing results,
 * product pages and listing cards.
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

#include <json-c/json.h>

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
    char *cands;               /* its candidates (cq_filters.cands) */
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

/*
 * Product pages: what a product page shows that changes only when the
 * product is edited (breadcrumb, options, SKU codes, specifications,
 * images, texts), kept per product with the version (products.updated_at)
 * it was read at, and the whole answer, live parts included, while the
 * change feed (changes.h) names no change of the product, no flash sale of
 * it starts or ends, and the TTL has not passed.  Without an answer, a
 * request reads the product's version, prices, stock and rating (one light
 * statement) and rebuilds the document only when the version moved, the
 * SKUs differ or the entry is older than the TTL.
 */
#define PC_SLOTS 128

struct pc_entry {
    int64_t id;                /* product id; 0: free */
    int64_t born_us;
    uint64_t used;
    char *version;
    json_object *doc;          /* a reference owned by the entry */
    char *slug;                /* of the answer */
    char *body;                /* the answer (JSON text), or NULL */
    size_t body_len;
    int64_t body_until_us;
};

/* The entry of product id at version, if younger than ttl_us. */
struct pc_entry *pc_get(int64_t id, const char *version, int64_t now_us,
                        int64_t ttl_us);

/* Keep doc (the entry takes the caller's reference) for id at version. */
struct pc_entry *pc_put(int64_t id, const char *version, json_object *doc,
                        int64_t now_us);

/* The entry holding a current answer for product id (0: none) or, failing
 * that, slug (NULL: none). */
const struct pc_entry *pc_answer(int64_t id, const char *slug,
                                 int64_t now_us);

/* Keep the answer body (copied) for e's product, under slug, until
 * until_us. */
void pc_set_answer(struct pc_entry *e, const char *slug, const char *body,
                   size_t len, int64_t until_us);

/*
 * Listing cards: what a card shows that changes only with an edit (slug,
 * name, merchant name, first image), per product, valid at the product's
 * version and for the TTL; and its live part (prices, stock, rating,
 * running flash sale), valid while the change feed names no change of the
 * product, until its next flash sale starts or ends, and for the TTL.
 * Direct-mapped by product id.
 */
#define CC_SLOTS 2048

/* A card's live part: the product row's prices, stock and rating, and
 * its lowest running flash sale as "<sale price> <ends_at>" ("": none). */
struct cc_live {
    char currency[4];
    int64_t price, price_max, rating_avg, rating_count, merchant_id;
    bool in_stock;
    char flash[48];
};

struct cc_entry {
    int64_t id;                /* 0: free */
    int64_t born_us;
    char *version, *slug, *name, *merchant, *image;
    int64_t live_until_us;     /* 0: live not held */
    struct cc_live live;
};

/* Product id's card statics at version, if younger than ttl_us. */
const struct cc_entry *cc_get(int64_t id, const char *version,
                              int64_t now_us, int64_t ttl_us);

/* Product id's card with its live part, if that is current. */
const struct cc_entry *cc_get_live(int64_t id, int64_t now_us);

/* What cc_put() keeps (it copies the strings). */
struct cc_in {
    int64_t id;
    const char *version, *slug, *name, *merchant, *image;
};

/* Keep in's for in->id (born now_us), replacing whatever held the slot. */
void cc_put(const struct cc_in *in, int64_t now_us);

/* Keep live as product id's live part until until_us, if its slot holds
 * the product. */
void cc_set_live(int64_t id, const struct cc_live *live, int64_t until_us);

/* Forget product id's page and card (the change feed named it). */
void lc_drop_product(int64_t id);

/* Forget every product page and card (listing snapshots stay). */
void lc_drop_products(void);

/* Drop every entry of the caches (worker exit; tests). */
void lc_clear(void);

#endif
