/*
 * worker.c - the FastCGI accept loop of one worker (see worker.h).
 */
#include "config.h"
#include "worker.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "app.h"
#include "arena.h"
#include "conf.h"
#include "db.h"
#include "listing_cache.h"
#include "log.h"
#include "page.h"
#include "req.h"
#include "router.h"

static volatile sig_atomic_t stop_requested;

static void
on_term(int sig)
{
    (void)sig;
    stop_requested = 1;
}

void
worker_signals(void)
{
    struct sigaction sa;
    sigset_t none;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_term;     /* no SA_RESTART: interrupt accept() */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &sa, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

bool
worker_stop_requested(void)
{
    return stop_requested != 0;
}

void
worker_main(const struct conf *conf, int listen_fd)
{
    FCGX_Request fr;
    unsigned long served = 0;

    worker_signals();
    if (db_init(conf) || router_init(routes) ||
        log_access_open(conf->access_log) || log_access_buffered())
        exit(3);
    if (FCGX_Init() != 0)
        exit(3);
    FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
    while (!stop_requested &&
           (conf->max_requests == 0 || served < conf->max_requests)) {
        struct req r;
        int rc = FCGX_Accept_r(&fr);

        if (rc < 0) {
            if (rc == -EINTR || stop_requested)
                continue;
            error("accept failed (%d)", rc);
            break;
        }
        if (req_from_fcgx(&r, conf, &fr) == 0)
            app_handle(&r);
        app_log_access(&r);
        req_finish(&r);
        FCGX_Finish_r(&fr);
        served++;
    }
    FCGX_Free(&fr, 1);
    db_release();
    router_release();
    log_access_close();
    lc_clear();
    page_release();
    arena_drop_spare();
    exit(0);
}
