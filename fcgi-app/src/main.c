/*
 * main.c - command line: serve, migrate, check-config, create-admin, seed,
 * reindex.  The only place that may die().
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
#include "search.h"
#include "seed.h"
#include "util.h"

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

/* seed: demo accounts and a catalog of n products (seed.h). */
static int
seed(const struct conf *conf, int64_t n, bool force)
{
    struct seed_opts o = { .products = n, .force = force };
    struct seed_result res;
    int64_t t0 = now_us();
    struct req r;
    int rc;

    if (db_init(conf))
        die("cannot initialise the database layer");
    req_fake(&r, conf, "POST", "/cli/seed", NULL, NULL);
    rc = seed_run(&r, &o, &res);
    req_finish(&r);
    db_release();
    if (rc)
        return 1;
    if (res.already_seeded)
        printf("the catalog is already seeded (use --force to replace the "
               "demo products)\n");
    else
        printf("seeded in %.1f s: %lld products, %lld SKUs, %lld "
               "categories, %lld brands, %lld images; %lld products "
               "indexed for search\n",
               (double)(now_us() - t0) / 1e6, (long long)res.products,
               (long long)res.skus, (long long)res.categories,
               (long long)res.brands, (long long)res.images,
               (long long)res.indexed);
    printf("demo accounts:\n");
    for (unsigned i = 0; i < SEED_NACCOUNTS; i++)
        printf("  %-9s %-22s %s\n", seed_accounts[i].role,
               seed_accounts[i].email, seed_accounts[i].password);
    return 0;
}

/* reindex: rebuild the search index from the catalog. */
static int
reindex(const struct conf *conf)
{
    struct req r;
    int64_t n;

    if (db_init(conf))
        die("cannot initialise the database layer");
    req_fake(&r, conf, "POST", "/cli/reindex", NULL, NULL);
    n = search_reindex_all(&r);
    req_finish(&r);
    db_release();
    if (n < 0)
        return 1;
    printf("indexed %lld products\n", (long long)n);
    return 0;
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: jishi-fcgi COMMAND --config FILE [--email EMAIL]\n"
            "                  [--products N] [--force]\n"
            "  serve         run the master and its workers (foreground)\n"
            "  migrate       apply pending schema migrations\n"
            "  check-config  validate the config file\n"
            "  create-admin  create a platform admin (or promote an\n"
            "                account) with --email; the password comes\n"
            "                from JISHI_ADMIN_PASSWORD or a prompt\n"
            "  seed          demo accounts and a catalog of --products N\n"
            "                products (default 3000); does nothing when\n"
            "                products exist, unless --force\n"
            "  reindex       rebuild the search index\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    const char *cmd = NULL, *path = getenv("JISHI_CONFIG"), *email = NULL;
    int64_t products = SEED_DEFAULT_PRODUCTS;
    bool force = false;
    struct conf *conf;
    char err[512];
    int rc;

    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0)
            && i + 1 < argc)
            path = argv[++i];
        else if (strcmp(argv[i], "--email") == 0 && i + 1 < argc)
            email = argv[++i];
        else if (strcmp(argv[i], "--products") == 0 && i + 1 < argc) {
            if (parse_int64(argv[++i], 1, SEED_MAX_PRODUCTS, &products))
                die("--products must be 1-%d", SEED_MAX_PRODUCTS);
        } else if (strcmp(argv[i], "--force") == 0)
            force = true;
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
    } else if (strcmp(cmd, "seed") == 0) {
        rc = seed(conf, products, force);
    } else if (strcmp(cmd, "reindex") == 0) {
        rc = reindex(conf);
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
