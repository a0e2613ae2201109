/*
 * listing_cache.c - per-worker listing snapshots (see listing_cache.h).
 */
#include "config.h"
#include "listing_cache.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

static struct lc_entry slots[LC_SLOTS];
static uint64_t tick;

static void
entry_free(struct lc_entry *e)
{
    free(e->key);
    free(e->facets);
    free(e->category_path);
    free(e->mquery);
    free(e->corrected);
    for (unsigned s = 0; s < LC_SORTS; s++)
        free(e->ids[s]);
    memset(e, 0, sizeof(*e));
}

struct lc_entry *
lc_get(const char *key, int64_t now_us, int64_t ttl_us)
{
    for (unsigned i = 0; i < LC_SLOTS; i++) {
        struct lc_entry *e = &slots[i];

        if (!e->key || strcmp(e->key, key) != 0)
            continue;
        if (now_us - e->born_us >= ttl_us)
            return NULL;
        e->used = ++tick;
        return e;
    }
    return NULL;
}

struct lc_entry *
lc_put(const char *key, int64_t now_us)
{
    struct lc_entry *victim = &slots[0];

    for (unsigned i = 0; i < LC_SLOTS; i++) {
        struct lc_entry *e = &slots[i];

        if (e->key && strcmp(e->key, key) == 0) {
            victim = e;
            break;
        }
        if (!e->key) {
            if (victim->key)
                victim = e;
        } else if (victim->key && e->used < victim->used) {
            victim = e;
        }
    }
    entry_free(victim);
    victim->key = xstrdup(key);
    victim->born_us = now_us;
    victim->used = ++tick;
    return victim;
}

void
lc_set_ids(struct lc_entry *e, unsigned sort, const int64_t *ids,
           unsigned n)
{
    if (sort >= LC_SORTS || n > LC_MAX_IDS) {
        BUG("listing cache: sort %u, %u ids", sort, n);
        return;
    }
    free(e->ids[sort]);
    e->ids[sort] = n ? xmalloc(n * sizeof(*ids)) : NULL;
    if (n)
        memcpy(e->ids[sort], ids, n * sizeof(*ids));
    e->nids[sort] = n;
    e->have_ids[sort] = true;
}

void
lc_set_str(char **dst, const char *s)
{
    free(*dst);
    *dst = s ? xstrdup(s) : NULL;
}

void
lc_clear(void)
{
    for (unsigned i = 0; i < LC_SLOTS; i++)
        entry_free(&slots[i]);
    tick = 0;
}
