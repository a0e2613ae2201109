/*
 * ops.c - health, ping, metrics and echo handlers (see ops.h).
 */
#include "config.h"
#include "ops.h"

#include "db.h"
#include "json.h"
#include "metrics.h"
#include "reply.h"
#include "req.h"
#include "router.h"
#include "strbuf.h"
#include "util.h"

int
ops_health(struct req *r)
{
    struct db_health h;
    json_object *root = json_object_new_object(), *reps, *prim;
    bool degraded = false;

    db_health(r, &h);
    prim = json_object_new_object();
    json_object_object_add(prim, "ok", json_object_new_boolean(h.primary_ok));
    reps = json_object_new_array();
    for (unsigned i = 0; i < h.nreplicas; i++) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "ok",
                               json_object_new_boolean(h.replicas[i].ok));
        json_object_object_add(o, "lag_ms",
                               h.replicas[i].lag_ms >= 0
                                   ? json_int(h.replicas[i].lag_ms) : NULL);
        json_object_array_add(reps, o);
        if (!h.replicas[i].ok)
            degraded = true;
    }
    json_object_object_add(root, "status",
                           json_str(!h.primary_ok ? "down"
                                    : degraded    ? "degraded" : "ok"));
    json_object_object_add(root, "primary", prim);
    json_object_object_add(root, "replicas", reps);
    json_object_object_add(root, "version", json_str(PACKAGE_VERSION));
    return reply_json(r, h.primary_ok ? 200 : 503, root);
}

int
ops_ping(struct req *r)
{
    json_object *root = json_object_new_object();

    json_object_object_add(root, "pong", json_object_new_boolean(1));
    return reply_json(r, 200, root);
}

int
ops_metrics(struct req *r)
{
    struct strbuf sb = STRBUF_INIT;

    metrics_render(&sb, routes);
    reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", sb.buf,
              sb.len);
    strbuf_release(&sb);
    return JS_OK;
}

int
ops_echo(struct req *r)
{
    json_object *root = json_object_new_object();

    /* The body belongs to the arena: hand the reply its own reference. */
    json_object_object_add(root, "echo", json_object_get(r->json));
    return reply_json(r, 200, root);
}
