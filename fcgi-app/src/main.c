/*
 * main.c - command line: serve, migrate, check-config.  The only place
 * that may die().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "account.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "master.h"
#include "migrate.h"
#include "req.h"

/* Read a password from the terminal without echo, or a line of stdin. */
static char *
read_password(char *buf, size_t len)
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO);
    char *nl;

    if (tty) {
        fprintf(stderr, "password for the admin account: ");
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    if (!fgets(buf, (int)len, stdin))
        buf[0] = '\0';
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    return buf;
}

static int
create_admin(const struct conf *conf, const char *email)
{
    char buf[1100];
    const char *pw = getenv("JISHI_ADMIN_PASSWORD");
    struct req r;
    int rc;

    if (!email)
        die("create-admin needs --email");
    if (!pw)
        pw = read_password(buf, sizeof(buf));
    if (db_init(conf))
        die("cannot initialise the database layer");
    req_fake(&r, conf, "POST", "/cli/create-admin", NULL, NULL);
    rc = account_create_admin(&r, email, pw);
    req_finish(&r);
    db_release();
    sodium_memzero(buf, sizeof(buf));
    if (rc == 0)
        printf("admin account '%s' is ready\n", email);
    return rc ? 1 : 0;
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: jishi-fcgi COMMAND --config FILE [--email EMAIL]\n"
            "  serve         run the master and its workers (foreground)\n"
            "  migrate       apply pending schema migrations\n"
            "  check-config  validate the config file\n"
            "  create-admin  create a platform admin (or promote an\n"
            "                account) with --email; the password comes\n"
            "                from JISHI_ADMIN_PASSWORD or a prompt\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    const char *cmd = NULL, *path = getenv("JISHI_CONFIG"), *email = NULL;
    struct conf *conf;
    char err[512];
    int rc;

    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0)
            && i + 1 < argc)
            path = argv[++i];
        else if (strcmp(argv[i], "--email") == 0 && i + 1 < argc)
            email = argv[++i];
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
    } else if (strcmp(cmd, "create-admin") == 0) {
        rc = create_admin(conf, email);
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
