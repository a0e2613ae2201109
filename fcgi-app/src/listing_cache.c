/*
 * listing_cache.c - per-worker listing snapshots and product pages (see
 * listing_cache.h).
 */
#include "config.h"
#include "listing_cache.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

static struct lc_entry slots[LC_SLOTS];
static struct pc_entry pages[PC_SLOTS];
static struct cc_entry cards[CC_SLOTS];
static uint64_t tick;

/* Which of n slots to (re)use for a key: the slot holding it (same >= 0),
 * else a free one, else the least recently used. */
static unsigned
pick(unsigned n, int same, bool (*taken)(unsigned), uint64_t (*used)(unsigned))
{
    unsigned victim = 0;

    if (same >= 0)
        return (unsigned)same;
    for (unsigned i = 0; i < n; i++) {
        if (!taken(i))
            return i;
        if (used(i) < used(victim))
            victim = i;
    }
    return victim;
}

static bool
lc_taken(unsigned i)
{
    return slots[i].key != NULL;
}

static uint64_t
lc_used(unsigned i)
{
    return slots[i].used;
}

static bool
pc_taken(unsigned i)
{
    return pages[i].id != 0;
}

static uint64_t
pc_used(unsigned i)
{
    return pages[i].used;
}

static void
entry_free(struct lc_entry *e)
{
    free(e->key);
    free(e->facets);
    free(e->category_path);
    free(e->mquery);
    free(e->cands);
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
    struct lc_entry *victim;
    int same = -1;

    for (unsigned i = 0; i < LC_SLOTS && same < 0; i++)
        if (slots[i].key && strcmp(slots[i].key, key) == 0)
            same = (int)i;
    victim = &slots[pick(LC_SLOTS, same, lc_taken, lc_used)];
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

static void
page_free(struct pc_entry *e)
{
    free(e->version);
    free(e->slug);
    free(e->body);
    if (e->doc)
        json_object_put(e->doc);
    memset(e, 0, sizeof(*e));
}

struct pc_entry *
pc_get(int64_t id, const char *version, int64_t now_us, int64_t ttl_us)
{
    for (unsigned i = 0; i < PC_SLOTS; i++) {
        struct pc_entry *e = &pages[i];

        if (e->id != id)
            continue;
        if (now_us - e->born_us >= ttl_us || !version ||
            strcmp(e->version, version) != 0)
            return NULL;
        e->used = ++tick;
        return e;
    }
    return NULL;
}

struct pc_entry *
pc_put(int64_t id, const char *version, json_object *doc, int64_t now_us)
{
    struct pc_entry *victim;
    int same = -1;

    for (unsigned i = 0; i < PC_SLOTS && same < 0; i++)
        if (pages[i].id == id)
            same = (int)i;
    victim = &pages[pick(PC_SLOTS, same, pc_taken, pc_used)];
    page_free(victim);
    victim->id = id;
    victim->version = xstrdup(version ? version : "");
    victim->doc = doc;
    victim->born_us = now_us;
    victim->used = ++tick;
    return victim;
}

const struct pc_entry *
pc_answer(int64_t id, const char *slug, int64_t now_us)
{
    for (int by_slug = 0; by_slug < 2; by_slug++)
        for (unsigned i = 0; i < PC_SLOTS; i++) {
            struct pc_entry *e = &pages[i];

            if (!e->body || now_us >= e->body_until_us)
                continue;
            if (by_slug ? slug && strcmp(e->slug, slug) == 0
                        : id && e->id == id) {
                e->used = ++tick;
                return e;
            }
        }
    return NULL;
}

void
pc_set_answer(struct pc_entry *e, const char *slug, const char *body,
              size_t len, int64_t until_us)
{
    free(e->slug);
    free(e->body);
    e->slug = xstrdup(slug ? slug : "");
    e->body = xmalloc(len + 1);
    memcpy(e->body, body, len);
    e->body[len] = '\0';
    e->body_len = len;
    e->body_until_us = until_us;
}

static void
card_free(struct cc_entry *e)
{
    free(e->version);
    free(e->slug);
    free(e->name);
    free(e->merchant);
    free(e->image);
    memset(e, 0, sizeof(*e));
}

const struct cc_entry *
cc_get(int64_t id, const char *version, int64_t now_us, int64_t ttl_us)
{
    const struct cc_entry *e = &cards[(uint64_t)id % CC_SLOTS];

    if (e->id != id || !version || strcmp(e->version, version) != 0 ||
        now_us - e->born_us >= ttl_us)
        return NULL;
    return e;
}

void
cc_put(const struct cc_in *from, int64_t now_us)
{
    struct cc_entry *e = &cards[(uint64_t)from->id % CC_SLOTS];

    card_free(e);
    e->id = from->id;
    e->born_us = now_us;
    lc_set_str(&e->version, from->version ? from->version : "");
    lc_set_str(&e->slug, from->slug);
    lc_set_str(&e->name, from->name);
    lc_set_str(&e->merchant, from->merchant);
    lc_set_str(&e->image, from->image);
}

const struct cc_entry *
cc_get_live(int64_t id, int64_t now_us)
{
    const struct cc_entry *e = &cards[(uint64_t)id % CC_SLOTS];

    return e->id == id && now_us < e->live_until_us ? e : NULL;
}

void
cc_set_live(int64_t id, const struct cc_live *live, int64_t until_us)
{
    struct cc_entry *e = &cards[(uint64_t)id % CC_SLOTS];

    if (e->id != id)
        return;
    e->live = *live;
    e->live_until_us = until_us;
}

void
lc_drop_product(int64_t id)
{
    struct cc_entry *c = &cards[(uint64_t)id % CC_SLOTS];

    for (unsigned i = 0; i < PC_SLOTS; i++)
        if (pages[i].id == id)
            page_free(&pages[i]);
    if (c->id == id)
        card_free(c);
}

void
lc_drop_products(void)
{
    for (unsigned i = 0; i < PC_SLOTS; i++)
        page_free(&pages[i]);
    for (unsigned i = 0; i < CC_SLOTS; i++)
        card_free(&cards[i]);
}

void
lc_clear(void)
{
    for (unsigned i = 0; i < LC_SLOTS; i++)
        entry_free(&slots[i]);
    lc_drop_products();
    tick = 0;
}
