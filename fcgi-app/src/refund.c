/*
 * refund.c - refunds and returns (see refund.h).
 */
#include "config.h"
#include "refund.h"

#include <string.h>

#include "audit.h"
#include "auth.h"
#include "db.h"
#include "json.h"
#include "order.h"
#include "outbox.h"
#include "payment.h"
#include "reply.h"
#include "req.h"
#include "util.h"
#include "validate.h"

static const char SQL_ORDER[] =
    "SELECT status, total, user_id, merchant_id, currency FROM orders"
    " WHERE id = ? FOR UPDATE";
static const char SQL_NEW[] =
    "INSERT INTO refunds (order_id, amount, reason, from_status) "
    "VALUES (?, ?, ?, ?)";
static const char SQL_OPEN[] =
    "SELECT id, amount, from_status FROM refunds WHERE order_id = ?"
    " AND status = 'requested' ORDER BY id DESC LIMIT 1 FOR UPDATE";
static const char SQL_DECIDE[] =
    "UPDATE refunds SET status = ?, note = ?, decided_by = ?,"
    " decided_at = UTC_TIMESTAMP(6) WHERE id = ?";
static const char SQL_ITEMS[] =
    "SELECT sku_id, quantity FROM order_items WHERE order_id = ? "
    "ORDER BY sku_id";
static const char SQL_RESTOCK[] =
    "UPDATE skus SET stock = stock + ? WHERE id = ?";
static const char SQL_MOVE[] =
    "INSERT INTO inventory_movements (sku_id, delta, reason, order_id,"
    " actor_user_id) VALUES (?, ?, 'restock', ?, ?)";
static const char SQL_BUYER[] =
    "SELECT u.email FROM orders o JOIN users u ON u.id = o.user_id "
    "WHERE o.id = ?";

struct refund {
    int64_t order_id;
    const char *text;       /* reason (request) or note (decision) */
};

static int
mail_buyer(struct req *r, int64_t order_id, const char *subject,
           const char *body)
{
    struct db_result res;
    int rc = db_read_primary(r, SQL_BUYER, DB_ARGS(DBP_I(order_id)), &res);

    if (rc || !res.nrows || !db_get(&res, 0, 0))
        return rc;
    return outbox_enqueue(r, "refund", db_get(&res, 0, 0), subject, body);
}

static int
request_txn(struct req *r, void *arg)
{
    struct refund *f = arg;
    struct db_result o;
    int rc;

    rc = db_read_primary(r, SQL_ORDER, DB_ARGS(DBP_I(f->order_id)), &o);
    if (rc)
        return rc;
    if (!o.nrows || db_get_int(&o, 0, 2, 0) != r->session->user_id)
        return JS_NOTFOUND;
    rc = db_write(r, SQL_NEW,
                  DB_ARGS(DBP_I(f->order_id), DBP_I(db_get_int(&o, 0, 1, 0)),
                          DBP_S(f->text), DBP_S(db_get(&o, 0, 0))), NULL);
    if (!rc)
        rc = order_move(r, f->order_id, 0, r->session->user_id,
                        "refund_requested", f->text);
    return rc;
}

static int
refused(struct req *r, int rc, const char *what)
{
    if (rc == JS_NOTFOUND)
        return reply_err(r, JS_NOTFOUND, NULL, "order not found");
    if (rc == JS_UNPROCESSABLE)
        return reply_err(r, JS_UNPROCESSABLE, NULL, "%s", what);
    return rc;
}

int
refund_request(struct req *r)
{
    struct refund f;
    int rc;

    if (req_param_id_or_404(r, "id", &f.order_id) ||
        v_text(r, "reason", 500, true, &f.text))
        return JS_REPLIED;
    rc = refused(r, db_txn(r, request_txn, &f),
                 "a refund can be asked for a paid, shipped or delivered "
                 "order with no open request");
    if (rc)
        return rc;
    return order_reply(r, f.order_id, 0, r->session->user_id);
}

static int
approve_txn(struct req *r, void *arg)
{
    struct refund *f = arg;
    int64_t mid = r->session->acting_merchant_id, amount, returned = 0;
    struct db_result o, open, items;
    char money[MONEY_BUF];
    json_object *sum;
    int rc;

    rc = db_read_primary(r, SQL_ORDER, DB_ARGS(DBP_I(f->order_id)), &o);
    if (rc)
        return rc;
    if (!o.nrows || db_get_int(&o, 0, 3, 0) != mid)
        return JS_NOTFOUND;
    rc = db_read_primary(r, SQL_OPEN, DB_ARGS(DBP_I(f->order_id)), &open);
    if (rc)
        return rc;
    if (!open.nrows)
        return JS_UNPROCESSABLE;
    amount = db_get_int(&open, 0, 1, 0);
    rc = order_move(r, f->order_id, mid, 0, "refunded", f->text);
    if (!rc)
        rc = payment_refund_order(r, f->order_id, amount, &returned);
    if (!rc)
        rc = db_write(r, SQL_DECIDE,
                      DB_ARGS(DBP_S("refunded"), DBP_S(f->text),
                              DBP_I(r->session->user_id),
                              DBP_I(db_get_int(&open, 0, 0, 0))), NULL);
    if (!rc)
        rc = db_read_primary(r, SQL_ITEMS, DB_ARGS(DBP_I(f->order_id)),
                             &items);
    for (unsigned i = 0; !rc && i < items.nrows; i++) {
        int64_t sku = db_get_int(&items, i, 0, 0);
        int64_t qty = db_get_int(&items, i, 1, 0);

        rc = db_write(r, SQL_RESTOCK, DB_ARGS(DBP_I(qty), DBP_I(sku)), NULL);
        if (!rc)
            rc = db_write(r, SQL_MOVE,
                          DB_ARGS(DBP_I(sku), DBP_I(qty), DBP_I(f->order_id),
                                  DBP_I(r->session->user_id)), NULL);
    }
    if (!rc)
        rc = mail_buyer(r, f->order_id, "Your Jishi refund",
                        arena_printf(&r->arena,
                            "Order %lld has been refunded: %s %s "
                            "returned to you.\r\n", (long long)f->order_id,
                            money_format(money, amount, db_get(&o, 0, 4)),
                            db_get(&o, 0, 4)));
    if (rc)
        return rc;
    sum = json_object_new_object();
    json_object_object_add(sum, "amount", json_int(amount));
    json_object_object_add(sum, "returned_by_provider", json_int(returned));
    return audit_record(r, "order.refund_approve", "order", f->order_id, sum);
}

static int
reject_txn(struct req *r, void *arg)
{
    struct refund *f = arg;
    int64_t mid = r->session->acting_merchant_id;
    struct db_result o, open;
    json_object *sum;
    int rc;

    rc = db_read_primary(r, SQL_ORDER, DB_ARGS(DBP_I(f->order_id)), &o);
    if (rc)
        return rc;
    if (!o.nrows || db_get_int(&o, 0, 3, 0) != mid)
        return JS_NOTFOUND;
    rc = db_read_primary(r, SQL_OPEN, DB_ARGS(DBP_I(f->order_id)), &open);
    if (rc)
        return rc;
    if (!open.nrows)
        return JS_UNPROCESSABLE;
    /* Back to where the order was before the request. */
    rc = order_move(r, f->order_id, mid, 0, db_get(&open, 0, 2), f->text);
    if (!rc)
        rc = db_write(r, SQL_DECIDE,
                      DB_ARGS(DBP_S("rejected"), DBP_S(f->text),
                              DBP_I(r->session->user_id),
                              DBP_I(db_get_int(&open, 0, 0, 0))), NULL);
    if (!rc)
        rc = mail_buyer(r, f->order_id, "Your Jishi refund request",
                        arena_printf(&r->arena,
                            "The merchant declined the refund of order "
                            "%lld: %s\r\n", (long long)f->order_id,
                            f->text));
    if (rc)
        return rc;
    sum = json_object_new_object();
    json_object_object_add(sum, "note", json_str(f->text));
    return audit_record(r, "order.refund_reject", "order", f->order_id, sum);
}

static int
decide(struct req *r, int (*txn)(struct req *, void *), bool need_note)
{
    struct refund f;
    int rc;

    if (req_param_id_or_404(r, "id", &f.order_id))
        return JS_REPLIED;
    if (v_text(r, "note", 255, need_note, &f.text))
        return JS_REPLIED;
    if (!f.text)
        f.text = "";
    rc = refused(r, db_txn(r, txn, &f),
                 "this order has no open refund request");
    if (rc)
        return rc;
    return order_reply(r, f.order_id, r->session->acting_merchant_id, 0);
}

int
refund_approve(struct req *r)
{
    return decide(r, approve_txn, false);
}

int
refund_reject(struct req *r)
{
    return decide(r, reject_txn, true);
}
