/*
 * ops.h - operational endpoints: health, liveness, metrics, echo.
 */
#ifndef JISHI_OPS_H
#define JISHI_OPS_H

struct req;

/* GET /api/v1/health: primary and replica reachability, replication lag. */
int ops_health(struct req *r);

/* GET /api/v1/ping: liveness without touching the database. */
int ops_ping(struct req *r);

/* GET /metrics: Prometheus text (loopback only). */
int ops_metrics(struct req *r);

/* POST /api/v1/_echo: returns the validated JSON body (client diagnostics). */
int ops_echo(struct req *r);

#endif
