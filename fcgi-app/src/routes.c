/*
 * routes.c - the route table: every URL the application answers, the
 * access each requires and its handler.  The one file that knows them all;
 * fcgi-app/openapi.yaml documents the same list (a test compares them).
 */
#include "config.h"
#include "router.h"

#include "ops.h"
#include "util.h"

const struct route routes[] = {
    /* operations */
    { "GET",  "/api/v1/health", ops_health, ACCESS_PUBLIC, 0 },
    { "GET",  "/api/v1/ping", ops_ping, ACCESS_PUBLIC, 0 },
    { "POST", "/api/v1/_echo", ops_echo, ACCESS_PUBLIC, ROUTE_JSON },
    { "GET",  "/metrics", ops_metrics, ACCESS_LOOPBACK, 0 },

    { NULL, NULL, NULL, ACCESS_UNSET, 0 }
};

size_t
routes_count(void)
{
    return ARRAY_SIZE(routes) - 1;
}
