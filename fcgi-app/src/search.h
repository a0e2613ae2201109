/*
 * search.h - full-text product search in Chinese and English.
 *
 * Owns the `product_search` table: a Mroonga (Groonga) index whose default
 * bigram tokenizer matches Chinese without word segmentation (蓝牙耳机
 * finds 无线蓝牙耳机) and English words alike.  Mroonga storage tables
 * ignore ROLLBACK, so the index is derived data: catalog writes call
 * search_index_product() after their transaction commits, and
 * search_reindex_all() (CLI `jishi-fcgi reindex`) rebuilds it from the
 * catalog tables.
 */
#ifndef JISHI_SEARCH_H
#define JISHI_SEARCH_H

#include <stdint.h>

struct req;

/* (Re)index one product: live products are indexed, others removed. */
int search_index_product(struct req *r, int64_t product_id);

/* Rebuild the whole index from the catalog; returns rows indexed or < 0. */
int64_t search_reindex_all(struct req *r);

/*
 * Turn a user's query into a safe Mroonga boolean-mode query: operators
 * and quotes are dropped, each remaining word is required.  Returns NULL
 * when nothing searchable remains.  Pure; unit-tested.
 */
char *search_build_query(struct req *r, const char *q);

/* Edit distance of a and b counting a swap of two neighbours as one edit
 * (optimal string alignment), or max + 1 when it exceeds max. */
unsigned search_edit_distance(const char *a, const char *b, unsigned max);

/* Returns the corrected spelling of an ASCII word, or NULL. */
typedef const char *(*search_corrector)(struct req *r, const char *word,
                                        void *ctx);

/*
 * The forgiving query for when the strict one found nothing: ASCII words
 * of four or more letters that `fix` corrects become required in their
 * corrected form, other words optional.  NULL when no word was corrected
 * and none is CJK.  *shown gets the corrected query text for the user
 * ("did you mean").  Pure given fix; unit-tested.
 */
char *search_build_fuzzy(struct req *r, const char *q, search_corrector fix,
                         void *ctx, const char **shown);

/* search_build_fuzzy() with the vocabulary in search_terms. */
char *search_fuzzy(struct req *r, const char *q, const char **shown);

/* GET /api/v1/search/suggest?q= : up to 8 product names for type-ahead. */
int search_suggest(struct req *r);

#endif
