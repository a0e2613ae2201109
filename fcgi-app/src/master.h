/*
 * master.h - the process supervisor.
 *
 * Opens the listening socket, pre-forks conf->workers workers and one job
 * runner, and then only supervises:
 *   - a worker that exits 0 (recycled after max_requests) is replaced at
 *     once; one that crashes is replaced after a backoff that doubles up
 *     to 5 s while crashes keep coming, so a crash loop does not spin;
 *   - SIGHUP re-reads the config and rolls the workers: the new generation
 *     starts first, then the old one is told to stop after its in-flight
 *     request, so no request is dropped;
 *   - SIGTERM/SIGINT stops every child gracefully (SIGKILL after 30 s),
 *     removes the socket and pidfile, and returns.
 */
#ifndef JISHI_MASTER_H
#define JISHI_MASTER_H

struct conf;

/* Run until stopped; conf is replaced on reload.  Returns an exit code. */
int master_run(struct conf *conf);

#endif
