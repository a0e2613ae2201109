/*
 * check_db.c - the database facade's pure parts: GTID cookie validation
 * (it reaches MASTER_GTID_WAIT, so anything odd must be refused),
 * parameter constructors and result-cell accessors.  No server.
 */
#include "config.h"

#include <string.h>

#include "db.h"
#include "suites.h"

START_TEST(test_db_gtid_valid_accepts)
{
    static const char *const ok[] = {
        "0-1-42", "0-1-42,1-2-7",
        "4294967295-4294967295-18446744073709551615",
        "0-1-1,0-2-2,0-3-3,0-4-4,0-5-5,0-6-6,0-7-7,0-8-8",
    };

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        ck_assert_msg(db_gtid_valid(ok[i]), "rejected '%s'", ok[i]);
}
END_TEST

START_TEST(test_db_gtid_valid_rejects)
{
    static const char *const bad[] = {
        "", "0", "0-1", "0-1-", "-1-2", "0--2", "0-1-x", "0-1-2,",
        ",0-1-2", "0-1-2,,1-2-3", "0-1-2;", "1-2-3;DROP", "0-1-2 ",
        " 0-1-2", "0-1-2-3", "+0-1-2", "0-1-2,1-2", "0-1-2\n", "0x1-1-1",
        "0-1-1,0-2-2,0-3-3,0-4-4,0-5-5,0-6-6,0-7-7,0-8-8,0-9-9",
    };
    char longest[160];

    ck_assert(!db_gtid_valid(NULL));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!db_gtid_valid(bad[i]), "accepted '%s'", bad[i]);
    /* Over-long even with few triples. */
    memset(longest, '1', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    longest[1] = '-';
    longest[3] = '-';
    ck_assert(!db_gtid_valid(longest));
    longest[151] = '\0';
    ck_assert(!db_gtid_valid(longest));
    longest[150] = '\0';
    ck_assert(db_gtid_valid(longest));
}
END_TEST

START_TEST(test_db_params)
{
    struct db_param p = db_param_str(NULL);
    struct db_param q = DBP_S("集市");
    struct db_param i = DBP_I(-5);
    struct db_param b = DBP_B("a\0b", 3);
    struct db_param n = DBP_NULLV;

    ck_assert_int_eq(p.type, DBP_NULL);
    ck_assert_int_eq(q.type, DBP_STR);
    ck_assert_uint_eq(q.len, 6);
    ck_assert_str_eq(q.s, "集市");
    ck_assert_int_eq(DBP_S("").type, DBP_STR);
    ck_assert_uint_eq(DBP_S("").len, 0);
    ck_assert_int_eq(i.type, DBP_INT);
    ck_assert_int_eq(i.i, -5);
    ck_assert_int_eq(b.type, DBP_BLOB);
    ck_assert_uint_eq(b.len, 3);
    ck_assert_int_eq(n.type, DBP_NULL);
}
END_TEST

START_TEST(test_db_result_cells)
{
    char *cells[] = { "1", NULL, "abc", "-42", "12x", "" };
    unsigned long lens[] = { 1, 0, 3, 3, 3, 0 };
    const char *names[] = { "a", "b", "c" };
    struct db_result res = {
        .nrows = 2, .ncols = 3, .names = names, .cells = cells,
        .lens = lens,
    };

    ck_assert_str_eq(db_get(&res, 0, 0), "1");
    ck_assert_ptr_null(db_get(&res, 0, 1));
    ck_assert_str_eq(db_get(&res, 1, 0), "-42");
    ck_assert_int_eq(db_get_int(&res, 0, 0, 7), 1);
    ck_assert_int_eq(db_get_int(&res, 0, 1, 7), 7);
    ck_assert_int_eq(db_get_int(&res, 0, 2, 7), 7);
    ck_assert_int_eq(db_get_int(&res, 1, 0, 7), -42);
    ck_assert_int_eq(db_get_int(&res, 1, 1, 7), 7);
    ck_assert_int_eq(db_get_int(&res, 1, 2, 7), 7);
}
END_TEST

Suite *
db_suite(void)
{
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("pure");

    tcase_add_test(tc, test_db_gtid_valid_accepts);
    tcase_add_test(tc, test_db_gtid_valid_rejects);
    tcase_add_test(tc, test_db_params);
    tcase_add_test(tc, test_db_result_cells);
    suite_add_tcase(s, tc);
    return s;
}
