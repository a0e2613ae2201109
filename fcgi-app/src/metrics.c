/*
 * metrics.c - shared counters and their Prometheus rendering.
 */
#include "config.h"
#include "metrics.h"

#include <string.h>
#include <sys/mman.h>

#include "log.h"
#include "router.h"
#include "strbuf.h"
#include "util.h"

#define MAX_ROUTES 256          /* slot MAX_ROUTES-1 is "no route" */

static const int statuses[] = { 200, 201, 204, 304, 400, 401, 403, 404, 405,
                                409, 413, 415, 422, 429, 500, 503 };
#define NSTATUS (ARRAY_SIZE(statuses) + 1)   /* last: any other */

/* Upper bounds in microseconds. */
static const int64_t buckets_us[] = { 500, 1000, 2500, 5000, 10000, 25000,
                                      50000, 100000, 250000, 500000,
                                      1000000, 2500000 };
#define NBUCKETS (ARRAY_SIZE(buckets_us) + 1)   /* last: +Inf */

struct shm {
    uint64_t requests[MAX_ROUTES][NSTATUS];
    uint64_t latency[MAX_ROUTES][NBUCKETS];
    uint64_t latency_sum_us[MAX_ROUTES];
    uint64_t db_queries[2];
    uint64_t db_errors[2];
    uint64_t db_reads[2];
    uint64_t replica_fallbacks;
    uint64_t worker_restarts;
};

static struct shm private_shm;
static struct shm *m = &private_shm;

int
metrics_init(void)
{
    void *p = mmap(NULL, sizeof(struct shm), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED)
        return error("cannot map metrics region");
    memset(p, 0, sizeof(struct shm));
    m = p;
    return 0;
}

static void
add(uint64_t *c, uint64_t n)
{
    __atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

static uint64_t
get(const uint64_t *c)
{
    return __atomic_load_n(c, __ATOMIC_RELAXED);
}

void
metrics_request(int idx, int status, int64_t us)
{
    size_t s, b;

    if (idx < 0 || idx >= MAX_ROUTES - 1)
        idx = MAX_ROUTES - 1;
    for (s = 0; s < ARRAY_SIZE(statuses); s++)
        if (statuses[s] == status)
            break;
    for (b = 0; b < ARRAY_SIZE(buckets_us); b++)
        if (us <= buckets_us[b])
            break;
    add(&m->requests[idx][s], 1);
    add(&m->latency[idx][b], 1);
    add(&m->latency_sum_us[idx], us > 0 ? (uint64_t)us : 0);
}

void
metrics_db_query(enum metrics_db target, bool failed)
{
    add(&m->db_queries[target], 1);
    if (failed)
        add(&m->db_errors[target], 1);
}

void
metrics_db_read(enum metrics_db served_by)
{
    add(&m->db_reads[served_by], 1);
}

void
metrics_replica_fallback(void)
{
    add(&m->replica_fallbacks, 1);
}

void
metrics_worker_restart(void)
{
    add(&m->worker_restarts, 1);
}

static void
route_label(struct strbuf *sb, const struct route *table, size_t n, int idx)
{
    if (idx == MAX_ROUTES - 1 || (size_t)idx >= n)
        strbuf_adds(sb, "route=\"(none)\"");
    else
        strbuf_addf(sb, "route=\"%s %s\"", table[idx].method,
                    table[idx].pattern);
}

void
metrics_render(struct strbuf *sb, const struct route *table)
{
    static const char *tgt[2] = { "primary", "replica" };
    size_t n = 0;

    while (table[n].method)
        n++;
    strbuf_adds(sb, "# HELP jishi_http_requests_total Requests by route and "
                    "status.\n# TYPE jishi_http_requests_total counter\n");
    for (int i = 0; i < MAX_ROUTES; i++) {
        if ((size_t)i >= n && i != MAX_ROUTES - 1)
            continue;
        for (size_t s = 0; s < NSTATUS; s++) {
            uint64_t v = get(&m->requests[i][s]);

            if (!v)
                continue;
            strbuf_adds(sb, "jishi_http_requests_total{");
            route_label(sb, table, n, i);
            if (s < ARRAY_SIZE(statuses))
                strbuf_addf(sb, ",status=\"%d\"}", statuses[s]);
            else
                strbuf_adds(sb, ",status=\"other\"}");
            strbuf_addf(sb, " %llu\n", (unsigned long long)v);
        }
    }
    strbuf_adds(sb, "# HELP jishi_http_request_duration_seconds Time from "
                    "accept to reply.\n# TYPE "
                    "jishi_http_request_duration_seconds histogram\n");
    for (int i = 0; i < MAX_ROUTES; i++) {
        uint64_t cum = 0;

        if ((size_t)i >= n && i != MAX_ROUTES - 1)
            continue;
        for (size_t b = 0; b < NBUCKETS; b++)
            cum += get(&m->latency[i][b]);
        if (!cum)
            continue;
        cum = 0;
        for (size_t b = 0; b < NBUCKETS; b++) {
            cum += get(&m->latency[i][b]);
            strbuf_adds(sb, "jishi_http_request_duration_seconds_bucket{");
            route_label(sb, table, n, i);
            if (b < ARRAY_SIZE(buckets_us))
                strbuf_addf(sb, ",le=\"%g\"}", buckets_us[b] / 1e6);
            else
                strbuf_adds(sb, ",le=\"+Inf\"}");
            strbuf_addf(sb, " %llu\n", (unsigned long long)cum);
        }
        strbuf_adds(sb, "jishi_http_request_duration_seconds_sum{");
        route_label(sb, table, n, i);
        strbuf_addf(sb, "} %.6f\n", get(&m->latency_sum_us[i]) / 1e6);
        strbuf_adds(sb, "jishi_http_request_duration_seconds_count{");
        route_label(sb, table, n, i);
        strbuf_addf(sb, "} %llu\n", (unsigned long long)cum);
    }
    strbuf_adds(sb, "# HELP jishi_db_queries_total Statements run.\n"
                    "# TYPE jishi_db_queries_total counter\n");
    for (int t = 0; t < 2; t++)
        strbuf_addf(sb, "jishi_db_queries_total{target=\"%s\"} %llu\n",
                    tgt[t], (unsigned long long)get(&m->db_queries[t]));
    strbuf_adds(sb, "# HELP jishi_db_errors_total Statements or connections "
                    "that failed.\n# TYPE jishi_db_errors_total counter\n");
    for (int t = 0; t < 2; t++)
        strbuf_addf(sb, "jishi_db_errors_total{target=\"%s\"} %llu\n",
                    tgt[t], (unsigned long long)get(&m->db_errors[t]));
    strbuf_adds(sb, "# HELP jishi_db_reads_total Read statements by the "
                    "server that answered.\n"
                    "# TYPE jishi_db_reads_total counter\n");
    for (int t = 0; t < 2; t++)
        strbuf_addf(sb, "jishi_db_reads_total{served_by=\"%s\"} %llu\n",
                    tgt[t], (unsigned long long)get(&m->db_reads[t]));
    strbuf_addf(sb, "# HELP jishi_replica_fallbacks_total Reads meant for a "
                    "replica that went to the primary.\n"
                    "# TYPE jishi_replica_fallbacks_total counter\n"
                    "jishi_replica_fallbacks_total %llu\n",
                (unsigned long long)get(&m->replica_fallbacks));
    strbuf_addf(sb, "# HELP jishi_worker_restarts_total Workers respawned "
                    "after dying.\n"
                    "# TYPE jishi_worker_restarts_total counter\n"
                    "jishi_worker_restarts_total %llu\n",
                (unsigned long long)get(&m->worker_restarts));
}
