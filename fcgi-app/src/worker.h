/*
 * worker.h - the two kinds of child the master runs.
 *
 * A worker accepts FastCGI connections on the shared listening socket and
 * serves them one at a time until it has served conf->max_requests (then
 * it exits 0 to be replaced) or is told to stop with SIGTERM (it finishes
 * the request in flight first).  The job runner runs periodic work (jobs.c)
 * until SIGTERM.  Both own their DB connections and exit through exit().
 */
#ifndef JISHI_WORKER_H
#define JISHI_WORKER_H

struct conf;

#include <stdbool.h>

/* In a new child: default signal mask, SIGTERM sets the stop flag. */
void worker_signals(void);

/* True once SIGTERM or SIGINT arrived. */
bool worker_stop_requested(void);

_Noreturn void worker_main(const struct conf *conf, int listen_fd);
_Noreturn void jobs_main(const struct conf *conf);

#endif
