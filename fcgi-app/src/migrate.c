/*
 * migrate.c - ordered, recorded, idempotent schema migrations.
 *
 * A named lock keeps two migrators from interleaving.  Each file runs as
 * one multi-statement script (DDL is not transactional in MariaDB, so a
 * migration should be written to be re-runnable: CREATE ... IF NOT EXISTS)
 * and is recorded only after it succeeded.
 */
#include "config.h"
#include "migrate.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "req.h"
#include "util.h"

static const char SQL_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT UNSIGNED NOT NULL PRIMARY KEY,"
    " name VARCHAR(200) NOT NULL,"
    " checksum CHAR(64) NOT NULL,"
    " applied_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";
static const char SQL_LOCK[] = "SELECT GET_LOCK('jishi_migrate', 60)";
static const char SQL_UNLOCK[] = "SELECT RELEASE_LOCK('jishi_migrate')";
static const char SQL_APPLIED[] =
    "SELECT checksum FROM schema_migrations WHERE version = ?";
static const char SQL_RECORD[] =
    "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)";

int
migrate_is_file(const char *n)
{
    size_t len = strlen(n);

    for (int i = 0; i < 4; i++)
        if (n[i] < '0' || n[i] > '9')
            return 0;
    return n[4] == '_' && len > 9 && strcmp(n + len - 4, ".sql") == 0;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        fclose(f);
        return NULL;
    }
    buf = xmalloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static void
sha256_hex(const char *data, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, (const unsigned char *)data, len);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

static int
apply_one(const struct conf *conf, struct req *r, const char *name)
{
    char path[4096], sum[65];
    struct db_result res;
    int64_t version;
    char num[5];
    size_t len;
    char *sql;
    int rc;

    memcpy(num, name, 4);
    num[4] = '\0';
    if (parse_int64(num, 0, 9999, &version))
        return error("bad migration name '%s'", name);
    snprintf(path, sizeof(path), "%s/%s", conf->schema_dir, name);
    sql = read_file(path, &len);
    if (!sql)
        return error("cannot read '%s': %s", path, strerror(errno));
    sha256_hex(sql, len, sum);
    rc = db_read_primary(r, SQL_APPLIED, DB_ARGS(DBP_I(version)), &res);
    if (rc)
        goto out;
    if (res.nrows) {
        if (strcmp(db_get(&res, 0, 0), sum) != 0)
            rc = error("migration '%s' changed after it was applied", name);
        goto out;
    }
    info("applying migration '%s'", name);
    rc = db_exec_script(sql, len);
    if (rc)
        goto out;
    rc = db_write(r, SQL_RECORD,
                  DB_ARGS(DBP_I(version), DBP_S(name), DBP_S(sum)), NULL);
out:
    free(sql);
    return rc ? -1 : 0;
}

int
migrate_run(const struct conf *conf)
{
    struct req r;
    struct db_result res;
    DIR *dir;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = -1;

    req_fake(&r, conf, "POST", "/migrate", NULL, NULL);
    dir = opendir(conf->schema_dir);
    if (!dir) {
        error("cannot open schema dir '%s': %s", conf->schema_dir,
              strerror(errno));
        goto out;
    }
    while ((de = readdir(dir))) {
        if (!migrate_is_file(de->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = xrealloc(names, cap * sizeof(*names));
        }
        names[n++] = xstrdup(de->d_name);
    }
    closedir(dir);
    if (n)                      /* qsort's base must not be NULL */
        qsort(names, n, sizeof(*names), cmp_names);

    if (db_write(&r, SQL_TABLE, DB_NOARGS, NULL) ||
        db_read_primary(&r, SQL_LOCK, DB_NOARGS, &res) ||
        db_get_int(&res, 0, 0, 0) != 1) {
        error("cannot prepare the migrations table or take the lock");
        goto out;
    }
    rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = apply_one(conf, &r, names[i]);
    db_read_primary(&r, SQL_UNLOCK, DB_NOARGS, &res);
    if (rc == 0)
        info("schema is up to date (%zu migrations)", n);
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    req_finish(&r);
    return rc;
}
