/*
 * log.h - diagnostics: three severities and the access log.
 *
 *   BUG(...)    a broken invariant: logs and aborts (never for request data)
 *   die(...)    start-up failure: logs and exits 1 (only from main/start-up)
 *   error(...)  logs and returns -1, so `return error("cannot x '%s'", y);`
 *   warning(...), info(...)  log only
 *
 * Diagnostics go to stderr, one line each, prefixed with time, pid and
 * severity.  The access log is separate: one JSON object per request,
 * buffered per worker and written with one write(2) per line.
 */
#ifndef JISHI_LOG_H
#define JISHI_LOG_H

#include <stdbool.h>
#include <stddef.h>

#define JS_PRINTF(f, a) __attribute__((format(printf, f, a)))

int error(const char *fmt, ...) JS_PRINTF(1, 2);
void warning(const char *fmt, ...) JS_PRINTF(1, 2);
void info(const char *fmt, ...) JS_PRINTF(1, 2);
_Noreturn void die(const char *fmt, ...) JS_PRINTF(1, 2);
_Noreturn void die_oom(void);
_Noreturn void bug_at(const char *file, int line, const char *fmt, ...)
    JS_PRINTF(3, 4);
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)

/* Silence info() (unit tests). */
void log_set_quiet(bool quiet);

/*
 * Open the access log ("-" or NULL: stderr).  Returns 0 or -1.  Each line
 * written by log_access() is one complete JSON object plus '\n'.
 */
int log_access_open(const char *path);
void log_access(const char *line, size_t len);

/* Buffer access lines and flush them at least every second from a helper
 * thread (workers).  log_access_close() flushes and stops it. */
int log_access_buffered(void);
void log_access_close(void);

#endif
