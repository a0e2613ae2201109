/*
 * check_db_integration.c - the database layer against the real primary and
 * replica that scripts/test starts (JISHI_CONFIG names the app config).
 *
 * Focus: read-your-writes through the replica path (a commit's GTID carried
 * to the next request makes its replica read see the write), transactions
 * (commit, rollback, duplicate key), and routing (a request that wrote reads
 * the primary).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "req.h"
#include "util.h"

#define ROUNDS 300

static struct conf conf;

static const char SQL_CREATE[] =
    "CREATE TABLE IF NOT EXISTS it_rw_probe ("
    " id INT UNSIGNED NOT NULL PRIMARY KEY, v BIGINT NOT NULL"
    ") ENGINE=InnoDB";
static const char SQL_DROP[] = "DROP TABLE IF EXISTS it_rw_probe";
static const char SQL_UPSERT[] =
    "INSERT INTO it_rw_probe (id, v) VALUES (?, ?) "
    "ON DUPLICATE KEY UPDATE v = VALUES(v)";
static const char SQL_INSERT[] =
    "INSERT INTO it_rw_probe (id, v) VALUES (?, ?)";
static const char SQL_GET[] = "SELECT v FROM it_rw_probe WHERE id = ?";

static void
setup(void)
{
    struct req r;

    ck_assert_int_eq(db_init(&conf), 0);
    req_fake(&r, &conf, "POST", "/it", NULL, NULL);
    ck_assert_int_eq(db_write(&r, SQL_CREATE, DB_NOARGS, NULL), JS_OK);
    req_finish(&r);
}

static void
teardown(void)
{
    db_release();
}

struct upsert {
    int64_t id, v;
};

static int
do_upsert(struct req *r, void *arg)
{
    struct upsert *u = arg;

    return db_write(r, SQL_UPSERT, DB_ARGS(DBP_I(u->id), DBP_I(u->v)), NULL);
}

START_TEST(test_read_your_writes_through_replica)
{
    char gtid[sizeof(((struct req *)0)->db.gtid_out)];
    unsigned stale = 0, by_replica = 0;

    for (int i = 1; i <= ROUNDS; i++) {
        struct upsert u = { 1, i };
        struct db_result res;
        struct req w, rd;

        req_fake(&w, &conf, "POST", "/it", NULL, NULL);
        ck_assert_int_eq(db_txn(&w, do_upsert, &u), JS_OK);
        ck_assert_msg(w.db.gtid_out[0], "commit reported no GTID");
        ck_assert(db_gtid_valid(w.db.gtid_out));
        memcpy(gtid, w.db.gtid_out, sizeof(gtid));
        req_finish(&w);

        /* The next request carries the GTID, as the cookie would. */
        req_fake(&rd, &conf, "GET", "/it", NULL, NULL);
        rd.db.gtid_in = gtid;
        ck_assert_int_eq(db_read(&rd, SQL_GET, DB_ARGS(DBP_I(1)), &res),
                         JS_OK);
        ck_assert_uint_eq(res.nrows, 1);
        if (db_get_int(&res, 0, 0, -1) != i)
            stale++;
        if (rd.db.served == DB_SERVED_REPLICA)
            by_replica++;
        req_finish(&rd);
    }
    ck_assert_msg(stale == 0, "%u of %d reads were stale", stale, ROUNDS);
    /* The replica path must really be exercised (not all fallbacks). */
    ck_assert_msg(by_replica > 0, "no read was served by the replica");
    fprintf(stderr, "read-your-writes: %d rounds, 0 stale, %u served by "
                    "the replica\n", ROUNDS, by_replica);
}
END_TEST

START_TEST(test_request_that_wrote_reads_primary)
{
    struct db_result res;
    struct req r;

    req_fake(&r, &conf, "POST", "/it", NULL, NULL);
    ck_assert_int_eq(db_write(&r, SQL_UPSERT, DB_ARGS(DBP_I(2), DBP_I(77)),
                              NULL), JS_OK);
    r.db.served = 0;
    ck_assert_int_eq(db_read(&r, SQL_GET, DB_ARGS(DBP_I(2)), &res), JS_OK);
    ck_assert_int_eq(db_get_int(&res, 0, 0, -1), 77);
    ck_assert_uint_eq(r.db.served, DB_SERVED_PRIMARY);
    req_finish(&r);
}
END_TEST

static int
insert_then_fail(struct req *r, void *arg)
{
    (void)arg;
    if (db_write(r, SQL_INSERT, DB_ARGS(DBP_I(3), DBP_I(1)), NULL))
        return JS_ERR;
    return JS_UNPROCESSABLE;   /* a business rule says no: roll back */
}

START_TEST(test_txn_rollback_leaves_nothing)
{
    struct db_result res;
    struct req r;

    req_fake(&r, &conf, "POST", "/it", NULL, NULL);
    ck_assert_int_eq(db_txn(&r, insert_then_fail, NULL), JS_UNPROCESSABLE);
    ck_assert_str_eq(r.db.gtid_out, "");
    ck_assert_int_eq(db_read_primary(&r, SQL_GET, DB_ARGS(DBP_I(3)), &res),
                     JS_OK);
    ck_assert_uint_eq(res.nrows, 0);
    req_finish(&r);
}
END_TEST

START_TEST(test_duplicate_key_is_conflict)
{
    struct req r;

    req_fake(&r, &conf, "POST", "/it", NULL, NULL);
    ck_assert_int_eq(db_write(&r, SQL_UPSERT, DB_ARGS(DBP_I(4), DBP_I(1)),
                              NULL), JS_OK);
    ck_assert_int_eq(db_write(&r, SQL_INSERT, DB_ARGS(DBP_I(4), DBP_I(2)),
                              NULL), JS_CONFLICT);
    req_finish(&r);
}
END_TEST

START_TEST(test_long_values_and_nulls_round_trip)
{
    static const char SQL_ECHO[] = "SELECT ?, ?, CHAR_LENGTH(?)";
    struct db_result res;
    struct req r;
    char *big = malloc(5001);

    memset(big, 'x', 5000);
    big[5000] = '\0';
    req_fake(&r, &conf, "GET", "/it", NULL, NULL);
    ck_assert_int_eq(db_read(&r, SQL_ECHO,
                             DB_ARGS(DBP_S(big), DBP_S(NULL),
                                     DBP_S("蓝牙耳机")), &res), JS_OK);
    ck_assert_str_eq(db_get(&res, 0, 0), big);
    ck_assert_ptr_null(db_get(&res, 0, 1));
    ck_assert_int_eq(db_get_int(&res, 0, 2, -1), 4);
    req_finish(&r);
    free(big);
}
END_TEST

START_TEST(test_health_sees_both_servers)
{
    struct db_health h;
    struct req r;

    req_fake(&r, &conf, "GET", "/it", NULL, NULL);
    db_health(&r, &h);
    ck_assert(h.primary_ok);
    ck_assert_uint_ge(h.nreplicas, 1);
    ck_assert(h.replicas[0].ok);
    req_finish(&r);
}
END_TEST

int
main(void)
{
    const char *path = getenv("JISHI_CONFIG");
    char err[512];
    Suite *s;
    TCase *tc;
    SRunner *sr;
    int failed;

    if (!path) {
        fprintf(stderr, "JISHI_CONFIG must name the app config of a "
                        "running stack\n");
        return 2;
    }
    if (sodium_init() < 0 || conf_load(&conf, path, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    log_set_quiet(true);
    s = suite_create("db_integration");
    tc = tcase_create("real primary and replica");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_read_your_writes_through_replica);
    tcase_add_test(tc, test_request_that_wrote_reads_primary);
    tcase_add_test(tc, test_txn_rollback_leaves_nothing);
    tcase_add_test(tc, test_duplicate_key_is_conflict);
    tcase_add_test(tc, test_long_values_and_nulls_round_trip);
    tcase_add_test(tc, test_health_sees_both_servers);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    {
        struct req r;

        /* Leave no scratch table behind. */
        db_init(&conf);
        req_fake(&r, &conf, "POST", "/it", NULL, NULL);
        db_write(&r, SQL_DROP, DB_NOARGS, NULL);
        req_finish(&r);
        db_release();
    }
    conf_free(&conf);
    return failed ? 1 : 0;
}
