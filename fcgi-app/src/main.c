/*
 * main.c - command line: serve, migrate, check-config.  The only place
 * that may die().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "master.h"
#include "migrate.h"

static void
usage(void)
{
    fprintf(stderr,
            "usage: jishi-fcgi serve|migrate|check-config --config FILE\n"
            "  serve         run the master and its workers (foreground)\n"
            "  migrate       apply pending schema migrations\n"
            "  check-config  validate the config file\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    const char *cmd = NULL, *path = getenv("JISHI_CONFIG");
    struct conf *conf;
    char err[512];
    int rc;

    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0)
            && i + 1 < argc)
            path = argv[++i];
        else if (strcmp(argv[i], "--version") == 0) {
            printf("jishi-fcgi %s\n", PACKAGE_VERSION);
            return 0;
        } else if (!cmd && argv[i][0] != '-')
            cmd = argv[i];
        else
            usage();
    }
    if (!cmd || !path)
        usage();
    if (sodium_init() < 0)
        die("cannot initialise libsodium");
    conf = calloc(1, sizeof(*conf));
    if (!conf)
        die_oom();
    if (conf_load(conf, path, err, sizeof(err)))
        die("%s", err);

    if (strcmp(cmd, "check-config") == 0) {
        printf("config '%s' is valid\n", path);
        rc = 0;
    } else if (strcmp(cmd, "migrate") == 0) {
        if (db_init(conf))
            die("cannot initialise the database layer");
        rc = migrate_run(conf) ? 1 : 0;
        db_release();
    } else if (strcmp(cmd, "serve") == 0) {
        rc = master_run(conf);
        conf = NULL;    /* the master owns and frees it (it may reload) */
    } else {
        usage();
    }
    if (conf) {
        conf_free(conf);
        free(conf);
    }
    return rc;
}
