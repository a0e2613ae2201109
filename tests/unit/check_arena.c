/*
 * check_arena.c - the request arena: alignment, block chaining, large
 * allocations, cleanup order, reuse after reset, string helpers.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "suites.h"

#define ALIGN _Alignof(max_align_t)

static char order[16];
static size_t norder;

static void
note(void *p)
{
    if (norder < sizeof(order) - 1)
        order[norder++] = *(const char *)p;
    order[norder] = '\0';
}

START_TEST(test_arena_alloc_aligned)
{
    struct arena a;

    arena_init(&a, 256);
    for (size_t n = 0; n < 200; n++) {
        unsigned char *p = arena_alloc(&a, n % 37);

        ck_assert_uint_eq((uintptr_t)p % ALIGN, 0);
        memset(p, 0xa5, n % 37);
    }
    arena_release(&a);
}
END_TEST

START_TEST(test_arena_small_allocs_cross_blocks)
{
    enum { N = 2000, SZ = 24 };
    struct arena a;
    unsigned char *p[N];
    size_t first_block;

    arena_init(&a, 1024);
    p[0] = arena_alloc(&a, SZ);
    first_block = a.allocated;
    memset(p[0], 0, SZ);
    for (size_t i = 1; i < N; i++) {
        p[i] = arena_alloc(&a, SZ);
        memset(p[i], (int)(i & 0xff), SZ);
    }
    /* Many blocks were chained, and no allocation overlaps another. */
    ck_assert_uint_gt(a.allocated, 40 * first_block);
    for (size_t i = 1; i < N; i++)
        for (size_t j = 0; j < SZ; j++)
            ck_assert_uint_eq(p[i][j], i & 0xff);
    arena_release(&a);
    ck_assert_ptr_null(a.head);
    ck_assert_uint_eq(a.allocated, 0);
}
END_TEST

START_TEST(test_arena_big_allocation)
{
    struct arena a;
    char *small1, *big, *small2, *huge;

    arena_init(&a, 1024);
    small1 = arena_alloc(&a, 16);
    big = arena_alloc(&a, 5000);
    memset(big, 'x', 5000);
    /* The head block keeps serving small requests after a big one. */
    small2 = arena_alloc(&a, 16);
    ck_assert_ptr_eq(small2, small1 + 16);
    ck_assert_uint_eq((uintptr_t)big % ALIGN, 0);
    huge = arena_alloc(&a, 1 << 20);
    memset(huge, 'y', 1 << 20);
    ck_assert_uint_ge(a.allocated, (1u << 20) + 5000 + 1024);
    ck_assert_int_eq(big[4999], 'x');
    arena_release(&a);
}
END_TEST

START_TEST(test_arena_big_allocation_first)
{
    struct arena a;
    char *big, *s;

    arena_init(&a, 1024);
    big = arena_alloc(&a, 4096);
    memset(big, 1, 4096);
    s = arena_alloc(&a, 8);
    memset(s, 2, 8);
    ck_assert_int_eq(big[4095], 1);
    arena_reset(&a);
    s = arena_alloc(&a, 8);
    memset(s, 3, 8);
    arena_release(&a);
}
END_TEST

START_TEST(test_arena_cleanups_reverse_on_reset)
{
    static char one = '1', two = '2', three = '3';
    struct arena a;

    norder = 0;
    order[0] = '\0';
    arena_init(&a, 0);
    arena_on_release(&a, note, &one);
    arena_on_release(&a, note, &two);
    arena_on_release(&a, note, &three);
    arena_reset(&a);
    ck_assert_str_eq(order, "321");
    /* Each cleanup runs once: a second reset runs nothing. */
    arena_reset(&a);
    ck_assert_str_eq(order, "321");
    arena_release(&a);
}
END_TEST

START_TEST(test_arena_cleanups_reverse_on_release)
{
    static char a1 = 'a', b1 = 'b';
    struct arena a;

    norder = 0;
    order[0] = '\0';
    arena_init(&a, 0);
    arena_on_release(&a, note, &a1);
    (void)arena_alloc(&a, 100000);      /* cleanups survive big blocks */
    arena_on_release(&a, note, &b1);
    arena_release(&a);
    ck_assert_str_eq(order, "ba");
    arena_release(&a);
    ck_assert_str_eq(order, "ba");
}
END_TEST

START_TEST(test_arena_reset_reuses_first_block)
{
    struct arena a;
    void *p, *q;
    size_t one_block;

    arena_init(&a, 2048);
    p = arena_alloc(&a, 100);
    one_block = a.allocated;
    for (int i = 0; i < 100; i++)
        (void)arena_alloc(&a, 100);
    (void)arena_alloc(&a, 10000);
    ck_assert_uint_gt(a.allocated, one_block);
    arena_reset(&a);
    ck_assert_uint_eq(a.allocated, one_block);
    q = arena_alloc(&a, 100);
    ck_assert_ptr_eq(p, q);
    ck_assert_uint_eq(a.allocated, one_block);
    arena_release(&a);
}
END_TEST

START_TEST(test_arena_calloc_zeroes_reused_memory)
{
    struct arena a;
    unsigned char *p;

    arena_init(&a, 1024);
    memset(arena_alloc(&a, 512), 0xff, 512);
    arena_reset(&a);
    p = arena_calloc(&a, 64, 8);
    for (size_t i = 0; i < 512; i++)
        ck_assert_uint_eq(p[i], 0);
    ck_assert_ptr_nonnull(arena_calloc(&a, 0, 8));
    arena_release(&a);
}
END_TEST

START_TEST(test_arena_strdup_printf)
{
    struct arena a;
    char src[] = "集市 market";
    char *d, *n, *f, *longf;
    char want[3001];

    arena_init(&a, 512);
    d = arena_strdup(&a, src);
    src[0] = 'X';
    ck_assert_str_eq(d, "集市 market");
    n = arena_strndup(&a, "abcdef", 3);
    ck_assert_str_eq(n, "abc");
    ck_assert_str_eq(arena_strdup(&a, ""), "");
    f = arena_printf(&a, "%s-%d-%05.1f", "x", -42, 3.14159);
    ck_assert_str_eq(f, "x--42-003.1");
    /* Longer than a block: lands in its own block, intact. */
    memset(want, 'z', 3000);
    want[3000] = '\0';
    longf = arena_printf(&a, "%s", want);
    ck_assert_uint_eq(strlen(longf), 3000);
    ck_assert_str_eq(longf, want);
    ck_assert_str_eq(d, "集市 market");
    arena_release(&a);
}
END_TEST

START_TEST(test_arena_spare_block_handed_once)
{
    struct arena a, b, c;
    char *pa, *pb, *pc;

    arena_init(&a, 0);
    pa = arena_alloc(&a, 32);
    arena_release(&a);
    /* The released block serves the next arena, and only that one. */
    arena_init(&b, 0);
    arena_init(&c, 0);
    pb = arena_alloc(&b, 32);
    pc = arena_alloc(&c, 32);
    ck_assert_ptr_eq(pb, pa);
    ck_assert_ptr_ne(pc, pb);
    memset(pb, 'b', 32);
    memset(pc, 'c', 32);
    ck_assert_int_eq(pb[31], 'b');
    ck_assert_uint_eq(b.allocated, c.allocated);
    arena_release(&b);
    arena_release(&c);
    arena_drop_spare();
    arena_drop_spare();
}
END_TEST

Suite *
arena_suite(void)
{
    Suite *s = suite_create("arena");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_arena_alloc_aligned);
    tcase_add_test(tc, test_arena_small_allocs_cross_blocks);
    tcase_add_test(tc, test_arena_big_allocation);
    tcase_add_test(tc, test_arena_big_allocation_first);
    tcase_add_test(tc, test_arena_cleanups_reverse_on_reset);
    tcase_add_test(tc, test_arena_cleanups_reverse_on_release);
    tcase_add_test(tc, test_arena_reset_reuses_first_block);
    tcase_add_test(tc, test_arena_calloc_zeroes_reused_memory);
    tcase_add_test(tc, test_arena_strdup_printf);
    tcase_add_test(tc, test_arena_spare_block_handed_once);
    suite_add_tcase(s, tc);
    return s;
}
