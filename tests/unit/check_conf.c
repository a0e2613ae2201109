/*
 * check_conf.c - configuration: a full file, defaults, relative paths,
 * listen address forms, type and range errors, environment overrides,
 * conf_load from a file and conf_free.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "suites.h"

#define MINIMAL "{\"db\":{\"primary\":{}}}"

static const char *const env_names[] = {
    "JISHI_LISTEN", "JISHI_WORKERS", "JISHI_MAX_REQUESTS",
    "JISHI_DB_PASSWORD", "JISHI_PUBLIC_URL", "JISHI_FRONTEND_DIST",
};

static void
clear_env(void)
{
    for (size_t i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
        unsetenv(env_names[i]);
}

/* Parse text, expecting failure with msg somewhere in the error. */
static void
assert_fails(const char *text, const char *msg)
{
    struct conf c;
    char err[256] = "";

    ck_assert_int_eq(conf_parse(&c, text, "/etc/jishi", err, sizeof(err)),
                     -1);
    ck_assert_msg(strstr(err, msg), "error '%s' lacks '%s'", err, msg);
    /* Nothing is left to free. */
    ck_assert_ptr_null(c.listen);
    ck_assert_ptr_null(c.primary.host);
}

START_TEST(test_conf_full)
{
    static const char text[] =
        "{\"listen\":\"0.0.0.0:9100\",\"workers\":8,\"max_requests\":500,"
        "\"pidfile\":\"/run/jishi.pid\",\"access_log\":\"log/access.log\","
        "\"schema_dir\":\"/srv/schema\",\"media_dir\":\"m\","
        "\"mail_dir\":\"spool/mail\",\"frontend_dist\":\"www\","
        "\"db\":{\"primary\":{\"host\":\"db1\",\"port\":3307,"
        "\"user\":\"u\",\"password\":\"p\",\"database\":\"d\"},"
        "\"replicas\":[{\"host\":\"r1\",\"port\":3308},"
        "{\"unix_socket\":\"run/r2.sock\"}],"
        "\"connect_timeout_ms\":250,\"gtid_wait_ms\":0,"
        "\"max_replica_lag_ms\":900},"
        "\"limits\":{\"max_body_bytes\":2048,\"max_json_depth\":5}}";
    struct conf c;
    char err[256] = "";

    ck_assert_int_eq(conf_parse(&c, text, "/etc/jishi", err, sizeof(err)),
                     0);
    ck_assert_str_eq(c.listen, "0.0.0.0:9100");
    ck_assert_uint_eq(c.workers, 8);
    ck_assert_uint_eq(c.max_requests, 500);
    ck_assert_str_eq(c.pidfile, "/run/jishi.pid");
    ck_assert_str_eq(c.access_log, "/etc/jishi/log/access.log");
    ck_assert_str_eq(c.schema_dir, "/srv/schema");
    ck_assert_str_eq(c.media_dir, "/etc/jishi/m");
    ck_assert_str_eq(c.mail_dir, "/etc/jishi/spool/mail");
    ck_assert_str_eq(c.frontend_dist, "/etc/jishi/www");
    ck_assert_str_eq(c.primary.host, "db1");
    ck_assert_uint_eq(c.primary.port, 3307);
    ck_assert_str_eq(c.primary.user, "u");
    ck_assert_str_eq(c.primary.password, "p");
    ck_assert_str_eq(c.primary.database, "d");
    ck_assert_str_eq(c.primary.unix_socket, "");
    ck_assert_uint_eq(c.nreplicas, 2);
    ck_assert_str_eq(c.replicas[0].host, "r1");
    ck_assert_uint_eq(c.replicas[0].port, 3308);
    ck_assert_str_eq(c.replicas[0].user, "jishi");
    ck_assert_str_eq(c.replicas[1].unix_socket, "/etc/jishi/run/r2.sock");
    ck_assert_uint_eq(c.connect_timeout_ms, 250);
    ck_assert_uint_eq(c.gtid_wait_ms, 0);
    ck_assert_uint_eq(c.max_replica_lag_ms, 900);
    ck_assert_uint_eq(c.max_body_bytes, 2048);
    ck_assert_uint_eq(c.max_json_depth, 5);
    ck_assert_ptr_null(c.path);
    conf_free(&c);
}
END_TEST

START_TEST(test_conf_defaults)
{
    struct conf c;
    char err[256] = "";

    ck_assert_int_eq(conf_parse(&c, MINIMAL, "/opt/j", err, sizeof(err)), 0);
    ck_assert_str_eq(c.listen, "127.0.0.1:9000");
    ck_assert_uint_eq(c.workers, 4);
    ck_assert_uint_eq(c.max_requests, 10000);
    ck_assert_str_eq(c.pidfile, "");
    ck_assert_str_eq(c.access_log, "-");
    ck_assert_str_eq(c.schema_dir, "/opt/j/schema");
    ck_assert_str_eq(c.media_dir, "/opt/j/media");
    ck_assert_str_eq(c.mail_dir, "/opt/j/mail");
    ck_assert_str_eq(c.frontend_dist, "/opt/j/frontend/dist");
    ck_assert_str_eq(c.primary.host, "127.0.0.1");
    ck_assert_uint_eq(c.primary.port, 3306);
    ck_assert_str_eq(c.primary.user, "jishi");
    ck_assert_str_eq(c.primary.password, "");
    ck_assert_str_eq(c.primary.database, "jishi");
    ck_assert_str_eq(c.primary.unix_socket, "");
    ck_assert_uint_eq(c.nreplicas, 0);
    ck_assert_uint_eq(c.connect_timeout_ms, 1000);
    ck_assert_uint_eq(c.gtid_wait_ms, 50);
    ck_assert_uint_eq(c.max_replica_lag_ms, 5000);
    ck_assert_uint_eq(c.max_body_bytes, 1048576);
    ck_assert_uint_eq(c.max_json_depth, 32);
    ck_assert_str_eq(c.public_url, "http://127.0.0.1:8080");
    conf_free(&c);
}
END_TEST

START_TEST(test_conf_relative_paths)
{
    struct conf c;
    char err[256] = "";

    /* Without a base directory relative paths stay as written. */
    ck_assert_int_eq(conf_parse(&c, "{\"schema_dir\":\"s\",\"db\":"
                                    "{\"primary\":{}}}",
                                NULL, err, sizeof(err)), 0);
    ck_assert_str_eq(c.schema_dir, "s");
    conf_free(&c);
    ck_assert_int_eq(conf_parse(&c, "{\"schema_dir\":\"s\",\"db\":"
                                    "{\"primary\":{}}}",
                                "", err, sizeof(err)), 0);
    ck_assert_str_eq(c.schema_dir, "s");
    conf_free(&c);
    ck_assert_int_eq(conf_parse(&c, "{\"schema_dir\":\"../s\",\"db\":"
                                    "{\"primary\":{}}}",
                                "/a/b", err, sizeof(err)), 0);
    ck_assert_str_eq(c.schema_dir, "/a/b/../s");
    conf_free(&c);
}
END_TEST

START_TEST(test_conf_listen_forms)
{
    static const struct {
        const char *listen, *want;
    } cases[] = {
        { "127.0.0.1:9001", "127.0.0.1:9001" },
        { "[::1]:9001", "[::1]:9001" },
        { "/run/jishi.sock", "/run/jishi.sock" },
        { "run/jishi.sock", "/etc/jishi/run/jishi.sock" },
    };
    char text[256], err[256];
    struct conf c;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(text, sizeof(text),
                 "{\"listen\":\"%s\",\"db\":{\"primary\":{}}}",
                 cases[i].listen);
        ck_assert_int_eq(conf_parse(&c, text, "/etc/jishi", err,
                                    sizeof(err)), 0);
        ck_assert_str_eq(c.listen, cases[i].want);
        conf_free(&c);
    }
}
END_TEST

START_TEST(test_conf_type_errors)
{
    assert_fails("[1]", "not a JSON object");
    assert_fails("{\"db\":", "not a JSON object");
    assert_fails("", "not a JSON object");
    assert_fails("{}", "'db' section is missing");
    assert_fails("{\"db\":{}}", "'db.primary' is missing");
    assert_fails("{\"listen\":9000,\"db\":{\"primary\":{}}}",
                 "'listen' must be a string");
    assert_fails("{\"workers\":\"4\",\"db\":{\"primary\":{}}}",
                 "'workers' must be an integer");
    assert_fails("{\"workers\":2.5,\"db\":{\"primary\":{}}}",
                 "'workers' must be an integer");
    assert_fails("{\"db\":{\"primary\":{\"port\":\"3306\"}}}",
                 "'port' must be an integer");
    assert_fails("{\"db\":{\"primary\":{\"host\":null}}}",
                 "'host' must be a string");
    assert_fails("{\"db\":{\"primary\":[]}}", "must be objects");
    assert_fails("{\"db\":{\"primary\":{},\"replicas\":{}}}",
                 "'db.replicas' must be an array");
    /* A bad replica after a good one: the good one is freed too. */
    assert_fails("{\"db\":{\"primary\":{},\"replicas\":[{\"host\":\"a\"},"
                 "{\"user\":1}]}}", "'user' must be a string");
}
END_TEST

START_TEST(test_conf_range_errors)
{
    char text[512];

    assert_fails("{\"workers\":0,\"db\":{\"primary\":{}}}",
                 "'workers' must be between 1 and 256");
    assert_fails("{\"workers\":257,\"db\":{\"primary\":{}}}",
                 "'workers' must be between 1 and 256");
    assert_fails("{\"max_requests\":-1,\"db\":{\"primary\":{}}}",
                 "'max_requests' must be between");
    assert_fails("{\"db\":{\"primary\":{\"port\":0}}}",
                 "'port' must be between 1 and 65535");
    assert_fails("{\"db\":{\"primary\":{\"port\":65536}}}",
                 "'port' must be between 1 and 65535");
    assert_fails("{\"db\":{\"primary\":{},\"connect_timeout_ms\":9}}",
                 "'connect_timeout_ms' must be between 10 and 60000");
    assert_fails("{\"db\":{\"primary\":{}},\"limits\":"
                 "{\"max_json_depth\":1}}",
                 "'max_json_depth' must be between 2 and 1000");
    assert_fails("{\"db\":{\"primary\":{}},\"limits\":"
                 "{\"max_body_bytes\":1023}}",
                 "'max_body_bytes' must be between 1024");
    snprintf(text, sizeof(text), "{\"db\":{\"primary\":{},\"replicas\":["
             "{},{},{},{},{},{},{},{},{}]}}");
    assert_fails(text, "at most 8 replicas");
}
END_TEST

START_TEST(test_conf_error_truncated)
{
    struct conf c;
    char err[8];

    ck_assert_int_eq(conf_parse(&c, "{}", NULL, err, sizeof(err)), -1);
    ck_assert_uint_eq(strlen(err), sizeof(err) - 1);
}
END_TEST

START_TEST(test_conf_env_overrides)
{
    static const char text[] =
        "{\"listen\":\"127.0.0.1:1\",\"workers\":2,\"db\":"
        "{\"primary\":{\"password\":\"file\"},\"replicas\":[{},{}]}}";
    struct conf c;
    char err[256] = "";

    setenv("JISHI_LISTEN", "/tmp/j.sock", 1);
    setenv("JISHI_WORKERS", "7", 1);
    setenv("JISHI_MAX_REQUESTS", "0", 1);
    setenv("JISHI_DB_PASSWORD", "secret", 1);
    setenv("JISHI_PUBLIC_URL", "https://jishi.example", 1);
    setenv("JISHI_FRONTEND_DIST", "/srv/www", 1);
    ck_assert_int_eq(conf_parse(&c, text, "/etc/jishi", err, sizeof(err)),
                     0);
    ck_assert_str_eq(c.listen, "/tmp/j.sock");
    ck_assert_uint_eq(c.workers, 7);
    ck_assert_uint_eq(c.max_requests, 0);
    ck_assert_str_eq(c.primary.password, "secret");
    ck_assert_str_eq(c.replicas[0].password, "secret");
    ck_assert_str_eq(c.replicas[1].password, "secret");
    ck_assert_str_eq(c.public_url, "https://jishi.example");
    ck_assert_str_eq(c.frontend_dist, "/srv/www");
    conf_free(&c);

    /* An empty JISHI_LISTEN is ignored. */
    setenv("JISHI_LISTEN", "", 1);
    ck_assert_int_eq(conf_parse(&c, text, NULL, err, sizeof(err)), 0);
    ck_assert_str_eq(c.listen, "127.0.0.1:1");
    conf_free(&c);
}
END_TEST

START_TEST(test_conf_env_errors)
{
    setenv("JISHI_WORKERS", "0", 1);
    assert_fails(MINIMAL, "JISHI_WORKERS must be between 1 and 256");
    setenv("JISHI_WORKERS", "12abc", 1);
    assert_fails(MINIMAL, "JISHI_WORKERS");
    setenv("JISHI_WORKERS", "", 1);
    assert_fails(MINIMAL, "JISHI_WORKERS");
    unsetenv("JISHI_WORKERS");
    setenv("JISHI_MAX_REQUESTS", "-5", 1);
    assert_fails(MINIMAL, "JISHI_MAX_REQUESTS must be between 0");
}
END_TEST

START_TEST(test_conf_load_file)
{
    char dir[] = "/tmp/jishi-conf-XXXXXX";
    char path[64], err[256] = "";
    struct conf c;
    FILE *f;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/jishi.json", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"listen\":\"j.sock\",\"db\":{\"primary\":{}}}\n", f);
    fclose(f);
    ck_assert_int_eq(conf_load(&c, path, err, sizeof(err)), 0);
    ck_assert_str_eq(c.path, path);
    ck_assert_str_eq(c.listen + strlen(dir), "/j.sock");
    ck_assert_int_eq(strncmp(c.listen, dir, strlen(dir)), 0);
    conf_free(&c);
    unlink(path);
    rmdir(dir);
    ck_assert_int_eq(conf_load(&c, path, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot open config"));
    ck_assert_ptr_null(c.path);
}
END_TEST

START_TEST(test_conf_free_clears)
{
    struct conf c;
    char err[256];

    ck_assert_int_eq(conf_parse(&c, MINIMAL, "/x", err, sizeof(err)), 0);
    conf_free(&c);
    ck_assert_ptr_null(c.listen);
    ck_assert_ptr_null(c.primary.host);
    ck_assert_uint_eq(c.workers, 0);
    conf_free(&c);              /* a freed conf may be freed again */
}
END_TEST

Suite *
conf_suite(void)
{
    Suite *s = suite_create("conf");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, clear_env, clear_env);
    tcase_add_test(tc, test_conf_full);
    tcase_add_test(tc, test_conf_defaults);
    tcase_add_test(tc, test_conf_relative_paths);
    tcase_add_test(tc, test_conf_listen_forms);
    tcase_add_test(tc, test_conf_type_errors);
    tcase_add_test(tc, test_conf_range_errors);
    tcase_add_test(tc, test_conf_error_truncated);
    tcase_add_test(tc, test_conf_env_overrides);
    tcase_add_test(tc, test_conf_env_errors);
    tcase_add_test(tc, test_conf_load_file);
    tcase_add_test(tc, test_conf_free_clears);
    suite_add_tcase(s, tc);
    return s;
}
