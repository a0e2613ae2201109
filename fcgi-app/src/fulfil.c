/*
 * fulfil.c - shipping, delivery and completion (see fulfil.h).
 */
#include "config.h"
#include "fulfil.h"

#include <string.h>

#include "audit.h"
#include "auth.h"
#include "conf.h"
#include "db.h"
#include "json.h"
#include "order.h"
#include "outbox.h"
#include "reply.h"
#include "req.h"
#include "util.h"
#include "validate.h"

static const char SQL_SET_TRACKING[] =
    "UPDATE orders SET carrier = ?, tracking_no = ? WHERE id = ?";
static const char SQL_BUYER[] =
    "SELECT u.email FROM orders o JOIN users u ON u.id = o.user_id "
    "WHERE o.id = ?";
static const char SQL_DUE[] =
    "SELECT id FROM orders WHERE status = 'delivered'"
    " AND delivered_at < UTC_TIMESTAMP(6) - INTERVAL ? DAY "
    "ORDER BY delivered_at LIMIT 100";

int
fulfil_list(struct req *r)
{
    return order_list_reply(r, 0, r->session->acting_merchant_id);
}

int
fulfil_get(struct req *r)
{
    int64_t id;

    if (req_param_id_or_404(r, "id", &id))
        return JS_REPLIED;
    return order_reply(r, id, r->session->acting_merchant_id, 0);
}

struct ship {
    int64_t id;
    const char *carrier, *tracking;
};

static int
ship_txn(struct req *r, void *arg)
{
    struct ship *s = arg;
    struct db_result buyer;
    json_object *sum;
    int rc;

    rc = order_move(r, s->id, r->session->acting_merchant_id, 0, "shipped",
                    arena_printf(&r->arena, "%s %s", s->carrier,
                                 s->tracking));
    if (rc)
        return rc;
    rc = db_write(r, SQL_SET_TRACKING,
                  DB_ARGS(DBP_S(s->carrier), DBP_S(s->tracking),
                          DBP_I(s->id)), NULL);
    if (!rc)
        rc = db_read_primary(r, SQL_BUYER, DB_ARGS(DBP_I(s->id)), &buyer);
    if (!rc && buyer.nrows && db_get(&buyer, 0, 0))
        rc = outbox_enqueue(r, "order_shipped", db_get(&buyer, 0, 0),
                            "Your Jishi order is on its way",
                            arena_printf(&r->arena,
                                "Order %lld has been shipped with %s, "
                                "tracking number %s.\r\n",
                                (long long)s->id, s->carrier, s->tracking));
    if (rc)
        return rc;
    sum = json_object_new_object();
    json_object_object_add(sum, "carrier", json_str(s->carrier));
    json_object_object_add(sum, "tracking_no", json_str(s->tracking));
    return audit_record(r, "order.ship", "order", s->id, sum);
}

/* Map order_move's refusals to replies. */
static int
moved(struct req *r, int rc, const char *what)
{
    if (rc == JS_NOTFOUND)
        return reply_err(r, JS_NOTFOUND, NULL, "order not found");
    if (rc == JS_UNPROCESSABLE)
        return reply_err(r, JS_UNPROCESSABLE, NULL,
                         "this order cannot be %s now", what);
    return rc;
}

int
fulfil_ship(struct req *r)
{
    struct ship s;
    int rc;

    if (req_param_id_or_404(r, "id", &s.id) ||
        v_str(r, "carrier", 1, 32, true, &s.carrier) ||
        v_str(r, "tracking_no", 4, 64, true, &s.tracking))
        return JS_REPLIED;
    rc = moved(r, db_txn(r, ship_txn, &s), "shipped");
    if (rc)
        return rc;
    return order_reply(r, s.id, r->session->acting_merchant_id, 0);
}

static int
deliver_txn(struct req *r, void *arg)
{
    int64_t id = *(int64_t *)arg;
    int rc = order_move(r, id, r->session->acting_merchant_id, 0,
                        "delivered", "delivered by the carrier");

    if (rc)
        return rc;
    return audit_record(r, "order.deliver", "order", id, NULL);
}

int
fulfil_deliver(struct req *r)
{
    int64_t id;
    int rc;

    if (req_param_id_or_404(r, "id", &id))
        return JS_REPLIED;
    rc = moved(r, db_txn(r, deliver_txn, &id), "marked delivered");
    if (rc)
        return rc;
    return order_reply(r, id, r->session->acting_merchant_id, 0);
}

static int
confirm_txn(struct req *r, void *arg)
{
    int64_t id = *(int64_t *)arg, uid = r->session->user_id;
    int rc;

    /* Receipt confirmed before the carrier said so: delivered first. */
    rc = order_move(r, id, 0, uid, "delivered", "receipt confirmed");
    if (rc == JS_UNPROCESSABLE)
        rc = JS_OK;     /* already delivered: go on */
    if (!rc)
        rc = order_move(r, id, 0, uid, "completed", "receipt confirmed");
    return rc;
}

int
fulfil_confirm(struct req *r)
{
    int64_t id;
    int rc;

    if (req_param_id_or_404(r, "id", &id))
        return JS_REPLIED;
    rc = moved(r, db_txn(r, confirm_txn, &id), "confirmed as received");
    if (rc)
        return rc;
    return order_reply(r, id, 0, r->session->user_id);
}

static int
complete_txn(struct req *r, void *arg)
{
    return order_move(r, *(int64_t *)arg, 0, 0, "completed",
                      "completed automatically after delivery");
}

int
fulfil_auto_complete(struct req *r)
{
    struct db_result res;
    int rc = db_read_primary(r, SQL_DUE,
                             DB_ARGS(DBP_I(r->conf->auto_complete_days)),
                             &res);

    for (unsigned i = 0; !rc && i < res.nrows; i++) {
        int64_t id = db_get_int(&res, i, 0, 0);

        rc = db_txn(r, complete_txn, &id);
        if (rc == JS_UNPROCESSABLE || rc == JS_NOTFOUND)
            rc = JS_OK;     /* moved on meanwhile */
    }
    return rc;
}
