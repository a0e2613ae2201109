/*
 * log.c - diagnostics and the access log (see log.h).
 */
#include "config.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool quiet;
static int access_fd = STDERR_FILENO;

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

void
log_access(const char *line, size_t len)
{
    /* O_APPEND + one write per line keeps lines whole across workers. */
    if (write(access_fd, line, len) < 0) {
        /* a full disk must not take the request down */
    }
}

void
log_access_close(void)
{
    if (access_fd > STDERR_FILENO)
        close(access_fd);
    access_fd = STDERR_FILENO;
}
