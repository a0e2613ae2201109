/*
 * master.c - pre-fork, respawn, reload, graceful stop (see master.h).
 */
#include "config.h"
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "conf.h"
#include "log.h"
#include "metrics.h"
#include "util.h"
#include "worker.h"

#define MAX_CHILDREN 600
#define BACKOFF_MIN_US 100000
#define BACKOFF_MAX_US 5000000
#define HEALTHY_AFTER_US 5000000
#define STOP_GRACE_US 30000000

enum kind { K_WORKER, K_JOBS };

struct child {
    pid_t pid;              /* 0: free slot */
    enum kind kind;
    unsigned gen;
    int64_t started_us;
};

static struct {
    struct conf *conf;
    int listen_fd;
    char *listen_path;      /* unix socket to unlink at exit, or NULL */
    unsigned gen;
    struct child kids[MAX_CHILDREN];
    int64_t backoff_us;
    unsigned pending_workers;   /* crashed workers waiting to respawn */
    bool pending_jobs;
    int64_t respawn_at_us;
} M;

static int
open_listen(const struct conf *conf)
{
    int fd;
    bool is_unix = conf->listen[0] == '/';

    if (is_unix)
        unlink(conf->listen);    /* a stale socket from a crash */
    fd = FCGX_OpenSocket(conf->listen, 1024);
    if (fd < 0)
        return error("cannot listen on '%s'", conf->listen);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (is_unix) {
        /* Owner and group (the web server's) may connect. */
        chmod(conf->listen, 0660);
        free(M.listen_path);
        M.listen_path = xstrdup(conf->listen);
    }
    return fd;
}

static pid_t
spawn(enum kind kind)
{
    pid_t pid;
    size_t slot;

    for (slot = 0; slot < MAX_CHILDREN; slot++)
        if (!M.kids[slot].pid)
            break;
    if (slot == MAX_CHILDREN) {
        error("too many children");
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        error("fork failed: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (kind == K_WORKER)
            worker_main(M.conf, M.listen_fd);
        jobs_main(M.conf);
    }
    M.kids[slot].pid = pid;
    M.kids[slot].kind = kind;
    M.kids[slot].gen = M.gen;
    M.kids[slot].started_us = now_us();
    return pid;
}

static void
spawn_generation(void)
{
    for (unsigned i = 0; i < M.conf->workers; i++)
        spawn(K_WORKER);
    spawn(K_JOBS);
}

static void
signal_gen(unsigned gen, bool all, int sig)
{
    for (size_t i = 0; i < MAX_CHILDREN; i++)
        if (M.kids[i].pid && (all || M.kids[i].gen == gen))
            kill(M.kids[i].pid, sig);
}

static unsigned
alive(void)
{
    unsigned n = 0;

    for (size_t i = 0; i < MAX_CHILDREN; i++)
        if (M.kids[i].pid)
            n++;
    return n;
}

static void
reap(bool stopping)
{
    int status;
    pid_t pid;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        struct child *k = NULL;
        bool clean;

        for (size_t i = 0; i < MAX_CHILDREN; i++)
            if (M.kids[i].pid == pid)
                k = &M.kids[i];
        if (!k)
            continue;
        k->pid = 0;
        if (stopping || k->gen != M.gen)
            continue;
        clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (clean) {
            /* Recycled after max_requests: replace at once. */
            spawn(k->kind);
            continue;
        }
        if (WIFSIGNALED(status))
            warning("%s %ld killed by signal %d",
                    k->kind == K_WORKER ? "worker" : "job runner", (long)pid,
                    WTERMSIG(status));
        else
            warning("%s %ld exited with status %d",
                    k->kind == K_WORKER ? "worker" : "job runner", (long)pid,
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        metrics_worker_restart();
        if (now_us() - k->started_us > HEALTHY_AFTER_US)
            M.backoff_us = 0;
        M.backoff_us = M.backoff_us ? M.backoff_us * 2 : BACKOFF_MIN_US;
        if (M.backoff_us > BACKOFF_MAX_US)
            M.backoff_us = BACKOFF_MAX_US;
        if (k->kind == K_WORKER)
            M.pending_workers++;
        else
            M.pending_jobs = true;
        M.respawn_at_us = now_us() + M.backoff_us;
    }
}

static void
reload(void)
{
    struct conf *fresh = xcalloc(1, sizeof(*fresh));
    char err[512];
    unsigned old = M.gen;

    if (conf_load(fresh, M.conf->path, err, sizeof(err))) {
        error("reload refused, keeping the running config: %s", err);
        free(fresh);
        return;
    }
    if (strcmp(fresh->listen, M.conf->listen) != 0) {
        int fd = open_listen(fresh);

        if (fd < 0) {
            conf_free(fresh);
            free(fresh);
            return;
        }
        close(M.listen_fd);
        M.listen_fd = fd;
    }
    conf_free(M.conf);
    free(M.conf);
    M.conf = fresh;
    M.gen++;
    M.pending_workers = 0;
    M.pending_jobs = false;
    info("reloading: starting generation %u", M.gen);
    spawn_generation();
    signal_gen(old, false, SIGTERM);
    for (unsigned g = 0; g < old; g++)
        signal_gen(g, false, SIGTERM);
}

static int
write_pidfile(const char *path)
{
    FILE *f;

    if (!path || !*path)
        return 0;
    f = fopen(path, "w");
    if (!f)
        return error("cannot write pidfile '%s': %s", path, strerror(errno));
    fprintf(f, "%ld\n", (long)getpid());
    fclose(f);
    return 0;
}

int
master_run(struct conf *conf)
{
    sigset_t set;
    int64_t stop_deadline = 0;
    bool stopping = false;

    M.conf = conf;
    if (metrics_init() || FCGX_Init() != 0)
        return 1;
    M.listen_fd = open_listen(conf);
    if (M.listen_fd < 0)
        return 1;
    if (write_pidfile(conf->pidfile))
        return 1;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    info("master %ld listening on '%s' with %u workers", (long)getpid(),
         conf->listen, conf->workers);
    spawn_generation();
    for (;;) {
        struct timespec tick = { 0, 100 * 1000 * 1000 };
        siginfo_t si;
        int sig = sigtimedwait(&set, &si, &tick);

        if (sig == SIGCHLD || sig < 0)
            reap(stopping);
        if ((sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) &&
            !stopping) {
            info("stopping %u children", alive());
            stopping = true;
            stop_deadline = now_us() + STOP_GRACE_US;
            signal_gen(0, true, SIGTERM);
        }
        if (sig == SIGHUP && !stopping)
            reload();
        if (stopping) {
            reap(true);
            if (!alive())
                break;
            if (now_us() > stop_deadline) {
                warning("children still running after grace; killing");
                signal_gen(0, true, SIGKILL);
                stop_deadline = now_us() + STOP_GRACE_US;
            }
            continue;
        }
        if ((M.pending_workers || M.pending_jobs) &&
            now_us() >= M.respawn_at_us) {
            for (; M.pending_workers; M.pending_workers--)
                spawn(K_WORKER);
            if (M.pending_jobs)
                spawn(K_JOBS);
            M.pending_jobs = false;
        }
    }
    close(M.listen_fd);
    if (M.listen_path)
        unlink(M.listen_path);
    free(M.listen_path);
    if (M.conf->pidfile && *M.conf->pidfile)
        unlink(M.conf->pidfile);
    conf_free(M.conf);
    free(M.conf);
    info("master stopped");
    return 0;
}
