/*
 * metrics.h - process-shared counters rendered as Prometheus text.
 *
 * The master maps one anonymous shared region before forking, so every
 * worker adds to the same counters with relaxed atomics and any worker can
 * render the totals.  Without metrics_init() (unit tests, CLI commands)
 * a private region is used.
 */
#ifndef JISHI_METRICS_H
#define JISHI_METRICS_H

#include <stdbool.h>
#include <stdint.h>

struct strbuf;
struct route;

/* Map the shared region; call once in the master before forking. */
int metrics_init(void);

/* A request on route index idx (-1: no route matched). */
void metrics_request(int idx, int status, int64_t us);

enum metrics_db { MDB_PRIMARY = 0, MDB_REPLICA = 1 };
void metrics_db_query(enum metrics_db target, bool failed);
void metrics_db_read(enum metrics_db served_by);
void metrics_replica_fallback(void);
void metrics_worker_restart(void);

/* Append the Prometheus exposition of everything to sb. */
void metrics_render(struct strbuf *sb, const struct route *table);

#endif
