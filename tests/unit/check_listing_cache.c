/*
 * check_listing_cache.c - the per-worker listing snapshots: lookup by key
 * within the TTL, replacement of the same key, least-recently-used
 * eviction when full, the id lists; the product pages, valid only at
 * their version; and json_raw, which sends a cached JSON text in place of
 * an object.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "listing_cache.h"
#include "suites.h"

static void
teardown(void)
{
    lc_clear();
}

START_TEST(test_get_within_ttl)
{
    struct lc_entry *e = lc_put("k1", 1000);

    e->total = 42;
    lc_set_str(&e->facets, "{\"a\":1}");
    ck_assert_ptr_null(lc_get("k2", 1000, 5000));
    ck_assert_ptr_eq(lc_get("k1", 1000, 5000), e);
    ck_assert_ptr_eq(lc_get("k1", 5999, 5000), e);
    ck_assert_int_eq(lc_get("k1", 5999, 5000)->total, 42);
    ck_assert_ptr_null(lc_get("k1", 6000, 5000));   /* expired */
    ck_assert_ptr_null(lc_get("k1", 1000, 0));      /* disabled */
}
END_TEST

START_TEST(test_put_same_key_replaces)
{
    struct lc_entry *a = lc_put("k", 0), *b;
    int64_t ids[] = { 3, 1, 2 };

    a->total = 1;
    lc_set_ids(a, 2, ids, 3);
    b = lc_put("k", 10);
    ck_assert_ptr_eq(a, b);                 /* the same slot, fresh */
    ck_assert_int_eq(b->total, 0);
    ck_assert(!b->have_ids[2]);
    ck_assert_ptr_null(b->ids[2]);
    ck_assert_ptr_eq(lc_get("k", 10, 1), b);
}
END_TEST

START_TEST(test_lru_eviction)
{
    char key[32];

    for (int i = 0; i < LC_SLOTS; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        lc_put(key, 0)->total = i;
    }
    /* Touch all but k5: k5 is the least recently used. */
    for (int i = 0; i < LC_SLOTS; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        if (i != 5)
            ck_assert_ptr_nonnull(lc_get(key, 1, 100));
    }
    lc_put("new", 2);
    ck_assert_ptr_null(lc_get("k5", 2, 100));
    ck_assert_ptr_nonnull(lc_get("new", 2, 100));
    for (int i = 0; i < LC_SLOTS; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        if (i != 5)
            ck_assert_msg(lc_get(key, 2, 100) != NULL, "%s kept", key);
    }
}
END_TEST

START_TEST(test_ids)
{
    struct lc_entry *e = lc_put("k", 0);
    static int64_t many[LC_MAX_IDS];

    for (unsigned i = 0; i < LC_MAX_IDS; i++)
        many[i] = LC_MAX_IDS - i;
    lc_set_ids(e, 0, many, LC_MAX_IDS);
    lc_set_ids(e, 5, NULL, 0);
    ck_assert(e->have_ids[0]);
    ck_assert_uint_eq(e->nids[0], LC_MAX_IDS);
    ck_assert_int_eq(e->ids[0][0], LC_MAX_IDS);
    ck_assert_int_eq(e->ids[0][LC_MAX_IDS - 1], 1);
    ck_assert(e->have_ids[5]);              /* known to be empty */
    ck_assert_uint_eq(e->nids[5], 0);
    ck_assert(!e->have_ids[1]);
}
END_TEST

START_TEST(test_pages_by_version)
{
    json_object *doc = json_object_new_object();
    struct pc_entry *e;

    e = pc_put(7, "2026-11-26 01:00:00.000001", doc, 1000);
    ck_assert_ptr_eq(e->doc, doc);
    ck_assert_ptr_eq(pc_get(7, "2026-11-26 01:00:00.000001", 2000, 5000), e);
    ck_assert_ptr_null(pc_get(7, "2026-11-26 01:00:00.000002", 2000, 5000));
    ck_assert_ptr_null(pc_get(7, NULL, 2000, 5000));
    ck_assert_ptr_null(pc_get(8, "2026-11-26 01:00:00.000001", 2000, 5000));
    ck_assert_ptr_null(pc_get(7, "2026-11-26 01:00:00.000001", 6000, 5000));
    /* A newer version replaces the entry (and releases the old doc). */
    e = pc_put(7, "v2", json_object_new_array(), 3000);
    ck_assert(json_object_is_type(e->doc, json_type_array));
    ck_assert_ptr_eq(pc_get(7, "v2", 3000, 5000), e);
    ck_assert_ptr_null(pc_get(7, "2026-11-26 01:00:00.000001", 3000, 5000));
}
END_TEST

START_TEST(test_pages_lru)
{
    for (int64_t id = 1; id <= PC_SLOTS; id++)
        pc_put(id, "v", json_object_new_object(), 0);
    for (int64_t id = 2; id <= PC_SLOTS; id++)
        ck_assert_ptr_nonnull(pc_get(id, "v", 1, 100));
    pc_put(PC_SLOTS + 1, "v", json_object_new_object(), 2);
    ck_assert_ptr_null(pc_get(1, "v", 2, 100));
    ck_assert_ptr_nonnull(pc_get(PC_SLOTS + 1, "v", 2, 100));
    ck_assert_ptr_nonnull(pc_get(2, "v", 2, 100));
}
END_TEST

START_TEST(test_card_statics)
{
    const struct cc_entry *e;

    cc_put(&(struct cc_in){ 42, "v1", "slug-42", "名字 Name", "店 Shop",
                            "demo/c1-1" }, 1000);
    e = cc_get(42, "v1", 2000, 5000);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->slug, "slug-42");
    ck_assert_str_eq(e->name, "名字 Name");
    ck_assert_str_eq(e->merchant, "店 Shop");
    ck_assert_str_eq(e->image, "demo/c1-1");
    ck_assert_ptr_null(cc_get(42, "v2", 2000, 5000));    /* edited */
    ck_assert_ptr_null(cc_get(42, "v1", 6000, 5000));    /* too old */
    ck_assert_ptr_null(cc_get(42, NULL, 2000, 5000));
    ck_assert_ptr_null(cc_get(43, "v1", 2000, 5000));
    /* A product without image or merchant name. */
    cc_put(&(struct cc_in){ 43, "v1", "s43", "n", NULL, NULL }, 1000);
    ck_assert_ptr_null(cc_get(43, "v1", 1000, 5000)->image);
    /* The same slot for another id: the newer replaces the older. */
    cc_put(&(struct cc_in){ 42 + CC_SLOTS, "v1", "other", "o", "m", NULL },
           1000);
    ck_assert_ptr_null(cc_get(42, "v1", 2000, 5000));
    ck_assert_str_eq(cc_get(42 + CC_SLOTS, "v1", 2000, 5000)->slug, "other");
}
END_TEST

START_TEST(test_answers_until_dropped)
{
    struct pc_entry *e = pc_put(7, "v1", json_object_new_object(), 1000);
    const struct cc_live lv = { "CNY", 1990, 2990, 45, 12, 3, true,
                                "1500 2026-11-27T00:00:00Z" };

    ck_assert_ptr_null(pc_answer(7, NULL, 1000));       /* no answer yet */
    pc_set_answer(e, "blue-cup", "{\"id\":7}", 8, 5000);
    ck_assert_ptr_eq(pc_answer(7, NULL, 4999), e);
    ck_assert_ptr_eq(pc_answer(0, "blue-cup", 4999), e);
    ck_assert_str_eq(pc_answer(7, NULL, 4999)->body, "{\"id\":7}");
    ck_assert_uint_eq(pc_answer(7, NULL, 4999)->body_len, 8);
    ck_assert_ptr_null(pc_answer(0, "blue", 4999));
    ck_assert_ptr_null(pc_answer(8, NULL, 4999));
    ck_assert_ptr_null(pc_answer(7, NULL, 5000));       /* until passed */

    cc_put(&(struct cc_in){ 7, "v1", "blue-cup", "杯 Cup", "店", NULL }, 1000);
    ck_assert_ptr_null(cc_get_live(7, 1000));           /* no live part */
    cc_set_live(7, &lv, 6000);
    ck_assert_int_eq(cc_get_live(7, 5999)->live.price, 1990);
    ck_assert_str_eq(cc_get_live(7, 5999)->live.currency, "CNY");
    ck_assert_str_eq(cc_get_live(7, 5999)->live.flash,
                     "1500 2026-11-27T00:00:00Z");
    ck_assert_ptr_null(cc_get_live(7, 6000));
    cc_set_live(7 + CC_SLOTS, &lv, 6000);   /* not the slot's product */
    ck_assert_ptr_null(cc_get_live(7 + CC_SLOTS, 2000));

    /* The feed names product 7: its page and card are gone. */
    lc_drop_product(8);
    ck_assert_ptr_nonnull(pc_answer(7, NULL, 2000));
    lc_drop_product(7);
    ck_assert_ptr_null(pc_answer(7, NULL, 2000));
    ck_assert_ptr_null(pc_get(7, "v1", 2000, 5000));
    ck_assert_ptr_null(cc_get_live(7, 2000));
    ck_assert_ptr_null(cc_get(7, "v1", 2000, 5000));

    e = pc_put(9, "v1", json_object_new_object(), 1000);
    pc_set_answer(e, "s9", "{}", 2, 5000);
    cc_put(&(struct cc_in){ 9, "v1", "s9", "n", NULL, NULL }, 1000);
    lc_drop_products();
    ck_assert_ptr_null(pc_answer(9, NULL, 2000));
    ck_assert_ptr_null(cc_get(9, "v1", 2000, 5000));
}
END_TEST

START_TEST(test_json_raw)
{
    static char facets[] = "{\"brand\":[{\"value\":\"a\",\"count\":2}]}";
    json_object *root = json_object_new_object(), *back, *v;

    json_object_object_add(root, "items", json_object_new_array());
    json_object_object_add(root, "facets", json_raw(facets));
    back = json_tokener_parse(json_object_to_json_string_ext(
        root, JSON_C_TO_STRING_PLAIN));
    ck_assert_ptr_nonnull(back);
    ck_assert(json_object_object_get_ex(back, "facets", &v));
    ck_assert_str_eq(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
                     facets);
    json_object_put(back);
    json_object_put(root);
}
END_TEST

Suite *
listing_cache_suite(void)
{
    Suite *s = suite_create("listing_cache");
    TCase *tc = tcase_create("cache");

    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, test_get_within_ttl);
    tcase_add_test(tc, test_put_same_key_replaces);
    tcase_add_test(tc, test_lru_eviction);
    tcase_add_test(tc, test_ids);
    tcase_add_test(tc, test_pages_by_version);
    tcase_add_test(tc, test_pages_lru);
    tcase_add_test(tc, test_card_statics);
    tcase_add_test(tc, test_answers_until_dropped);
    tcase_add_test(tc, test_json_raw);
    suite_add_tcase(s, tc);
    return s;
}
