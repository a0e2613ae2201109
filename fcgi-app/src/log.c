/*
 * log.c - diagnostics and the access log (see log.h).
 */
#include "config.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool quiet;
static int access_fd = STDERR_FILENO;

/*
 * Access lines are buffered per process and written in whole lines, at the
 * latest a second after they were logged, by a small flusher thread: one
 * write(2) per request was the largest cost a trivial route paid over the
 * bare FastCGI ceiling.  Lines written with O_APPEND in one write stay
 * whole when several workers share the file.
 */
#define ACCESS_BUF 65536
static char access_buf[ACCESS_BUF];
static size_t access_len;
static pthread_mutex_t access_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t access_cv = PTHREAD_COND_INITIALIZER;
static pthread_t flusher;
static bool flusher_running, flusher_stop;

void
log_set_quiet(bool q)
{
    quiet = q;
}

static void
vlog(const char *sev, const char *fmt, va_list ap)
{
    char line[2048];
    struct timespec ts;
    struct tm tm;
    int n, m;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = snprintf(line, sizeof(line),
                 "%04d-%02d-%02dT%02d:%02d:%02dZ [%ld] %s: ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, (long)getpid(), sev);
    if (n < 0 || (size_t)n >= sizeof(line))
        n = 0;
    m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    if (m < 0)
        m = 0;
    n += m;
    if ((size_t)n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    /* One write so lines from several processes do not interleave. */
    if (write(STDERR_FILENO, line, (size_t)n) < 0) {
        /* nothing sensible left to do */
    }
}

int
error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog("error", fmt, ap);
    va_end(ap);
    return -1;
}

void
warning(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog("warning", fmt, ap);
    va_end(ap);
}

void
info(const char *fmt, ...)
{
    va_list ap;

    if (quiet)
        return;
    va_start(ap, fmt);
    vlog("info", fmt, ap);
    va_end(ap);
}

void
die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog("fatal", fmt, ap);
    va_end(ap);
    exit(1);
}

void
die_oom(void)
{
    static const char msg[] = "fatal: out of memory\n";

    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
        /* ignore */
    }
    abort();
}

void
bug_at(const char *file, int line, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    error("BUG at %s:%d: %s", file, line, buf);
    abort();
}

int
log_access_open(const char *path)
{
    int fd;

    if (!path || !*path || strcmp(path, "-") == 0) {
        access_fd = STDERR_FILENO;
        return 0;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return error("cannot open access log '%s': %s", path,
                     strerror(errno));
    log_access_close();
    access_fd = fd;
    return 0;
}

/* Caller holds access_mu. */
static void
flush_locked(void)
{
    if (access_len && write(access_fd, access_buf, access_len) < 0) {
        /* a full disk must not take requests down */
    }
    access_len = 0;
}

void
log_access(const char *line, size_t len)
{
    if (!flusher_running) {
        if (write(access_fd, line, len) < 0) {
            /* as above */
        }
        return;
    }
    pthread_mutex_lock(&access_mu);
    if (access_len + len > sizeof(access_buf))
        flush_locked();
    if (len > sizeof(access_buf)) {
        if (write(access_fd, line, len) < 0) {
            /* as above */
        }
    } else {
        memcpy(access_buf + access_len, line, len);
        access_len += len;
    }
    pthread_mutex_unlock(&access_mu);
}

static void *
flusher_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&access_mu);
    while (!flusher_stop) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&access_cv, &access_mu, &ts);
        flush_locked();
    }
    pthread_mutex_unlock(&access_mu);
    return NULL;
}

int
log_access_buffered(void)
{
    sigset_t all, old;
    int rc;

    if (flusher_running)
        return 0;
    flusher_stop = false;
    /* The thread takes no signals: they belong to the worker loop. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rc = pthread_create(&flusher, NULL, flusher_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc)
        return error("cannot start the access-log flusher: %s", strerror(rc));
    flusher_running = true;
    return 0;
}

void
log_access_close(void)
{
    if (flusher_running) {
        pthread_mutex_lock(&access_mu);
        flusher_stop = true;
        pthread_cond_signal(&access_cv);
        pthread_mutex_unlock(&access_mu);
        pthread_join(flusher, NULL);
        flusher_running = false;
    }
    pthread_mutex_lock(&access_mu);
    flush_locked();
    pthread_mutex_unlock(&access_mu);
    if (access_fd > STDERR_FILENO)
        close(access_fd);
    access_fd = STDERR_FILENO;
}
