/*
 * order.c - orders after checkout: the state machine, reading, moving,
 * cancelling and expiring them (see order.h; checkout.c creates them).
 */
#include "config.h"
#include "order.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "media.h"
#include "reply.h"
#include "req.h"
#include "util.h"

#define EXPIRE_BATCH 100

static const char SQL_RELEASE[] =
    "UPDATE skus SET stock = stock + ? WHERE id = ?";
static const char SQL_MOVE[] =
    "INSERT INTO inventory_movements (sku_id, delta, reason, order_id,"
    " actor_user_id) VALUES (?, ?, ?, ?, ?)";
static const char SQL_EVENT[] =
    "INSERT INTO order_events (order_id, from_status, to_status, actor_role,"
    " actor_user_id, note) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_ORDER_OF_USER[] =
    ORDER_COLS "WHERE o.id = ? AND o.user_id = ?";
static const char SQL_ORDERS_OF_USER[] =
    ORDER_COLS "WHERE o.user_id = ? AND (? IS NULL OR o.status = ?) "
    "ORDER BY o.id DESC LIMIT ? OFFSET ?";
static const char SQL_COUNT_OF_USER[] =
    "SELECT COUNT(*) FROM orders WHERE user_id = ?"
    " AND (? IS NULL OR status = ?)";
/* The lines as bought, and the product's page and first image now (a
 * product deleted since has neither). */
static const char SQL_ITEMS[] =
    "SELECT i.sku_id, i.product_id, i.name, i.options, i.unit_price,"
    " i.quantity, i.subtotal, i.discount, i.total, p.slug,"
    " (SELECT im.base FROM product_images im WHERE im.product_id = p.id"
    "  ORDER BY im.position LIMIT 1) "
    "FROM order_items i LEFT JOIN products p ON p.id = i.product_id "
    "WHERE i.order_id = ? ORDER BY i.id";
static const char SQL_EVENTS[] =
    "SELECT from_status, to_status, actor_role, note,"
    " DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ') "
    "FROM order_events WHERE order_id = ? ORDER BY id";
static const char SQL_LOCK_ORDER[] =
    "SELECT status, payment_method, user_id FROM orders WHERE id = ?"
    " FOR UPDATE";
static const char SQL_SET_CANCELLED[] =
    "UPDATE orders SET status = 'cancelled', cancelled_at = UTC_TIMESTAMP(6),"
    " updated_at = UTC_TIMESTAMP(6) WHERE id = ?";
static const char SQL_ORDER_SKUS[] =
    "SELECT sku_id, quantity FROM order_items WHERE order_id = ? "
    "ORDER BY sku_id";
static const char SQL_EXPIRED[] =
    "SELECT id FROM orders WHERE status = 'pending_payment'"
    " AND pay_before < UTC_TIMESTAMP(6) ORDER BY pay_before LIMIT 100";

/* ------------------------------------------------------------------ */
/* the state machine                                                    */

static const struct {
    const char *from, *to;
    bool cod_only;
} transitions[] = {
    { "pending_payment", "paid", false },
    { "pending_payment", "cancelled", false },
    { "pending_payment", "shipped", true },
    { "paid", "shipped", false },
    { "paid", "cancelled", false },
    { "shipped", "delivered", false },
    { "delivered", "completed", false },
    { "paid", "refund_requested", false },
    { "shipped", "refund_requested", false },
    { "delivered", "refund_requested", false },
    { "refund_requested", "refunded", false },
    { "refund_requested", "paid", false },
    { "refund_requested", "shipped", false },
    { "refund_requested", "delivered", false },
};

bool
order_can_transition(const char *from, const char *to,
                     const char *payment_method)
{
    for (size_t i = 0; i < ARRAY_SIZE(transitions); i++)
        if (strcmp(transitions[i].from, from) == 0 &&
            strcmp(transitions[i].to, to) == 0)
            return !transitions[i].cod_only ||
                   (payment_method && strcmp(payment_method, "cod") == 0);
    return false;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                 */

int
order_row_json(struct req *r, const struct db_result *res, unsigned i,
           bool with_detail, json_object **out)
{
    const char *cur = db_get(res, i, 5);
    int64_t id = db_get_int(res, i, 0, 0);
    json_object *o = json_object_new_object(), *m, *a, *t;
    struct db_result items, events;
    int rc;

    json_object_object_add(o, "id", json_int(id));
    json_object_object_add(o, "checkout_id",
                           json_int(db_get_int(res, i, 1, 0)));
    json_add_str(o, "status", db_get(res, i, 2));
    m = json_object_new_object();
    json_object_object_add(m, "id", json_int(db_get_int(res, i, 3, 0)));
    json_add_str(m, "name", db_get(res, i, 4));
    json_object_object_add(o, "merchant", m);
    json_object_object_add(o, "subtotal", json_money(db_get_int(res, i, 6, 0),
                                                cur));
    json_object_object_add(o, "discount", json_money(db_get_int(res, i, 7, 0),
                                                cur));
    json_object_object_add(o, "shipping", json_money(db_get_int(res, i, 8, 0),
                                                cur));
    json_object_object_add(o, "total",
                           json_money(db_get_int(res, i, 9, 0), cur));
    json_add_str(o, "shipping_method", db_get(res, i, 10));
    json_add_str(o, "payment_method", db_get(res, i, 11));
    a = json_object_new_object();
    json_add_str(a, "recipient", db_get(res, i, 12));
    json_add_str(a, "phone", db_get(res, i, 13));
    json_add_str(a, "country", db_get(res, i, 14));
    json_add_str(a, "region", db_get(res, i, 15));
    json_add_str(a, "city", db_get(res, i, 16));
    json_add_str(a, "district", db_get(res, i, 17));
    json_add_str(a, "line1", db_get(res, i, 18));
    json_add_str(a, "line2", db_get(res, i, 19));
    json_add_str(a, "postal_code", db_get(res, i, 20));
    json_object_object_add(o, "address", a);
    t = NULL;
    if (db_get(res, i, 21)) {
        t = json_object_new_object();
        json_add_str(t, "carrier", db_get(res, i, 21));
        json_add_str(t, "tracking_no", db_get(res, i, 22));
    }
    json_object_object_add(o, "tracking", t);
    json_add_str(o, "pay_before", db_get(res, i, 23));
    json_add_str(o, "created_at", db_get(res, i, 24));
    rc = db_read(r, SQL_ITEMS, DB_ARGS(DBP_I(id)), &items);
    if (!rc && with_detail)
        rc = db_read(r, SQL_EVENTS, DB_ARGS(DBP_I(id)), &events);
    if (rc) {
        json_object_put(o);
        return rc;
    }
    {
        json_object *arr = json_object_new_array();

        for (unsigned k = 0; k < items.nrows; k++) {
            json_object *it = json_object_new_object();

            json_object_object_add(it, "sku_id",
                                   json_int(db_get_int(&items, k, 0, 0)));
            json_object_object_add(it, "product_id",
                                   json_int(db_get_int(&items, k, 1, 0)));
            json_add_str(it, "name", db_get(&items, k, 2));
            json_add_str(it, "options", db_get(&items, k, 3));
            json_object_object_add(it, "unit_price",
                json_money(db_get_int(&items, k, 4, 0), cur));
            json_object_object_add(it, "quantity",
                                   json_int(db_get_int(&items, k, 5, 0)));
            json_object_object_add(it, "total",
                json_money(db_get_int(&items, k, 8, 0), cur));
            json_add_str(it, "slug", db_get(&items, k, 9));
            json_object_object_add(it, "image", db_get(&items, k, 10)
                ? json_str(media_url(r, db_get(&items, k, 10), "thumb",
                                     "webp"))
                : NULL);
            json_object_array_add(arr, it);
        }
        json_object_object_add(o, "items", arr);
    }
    if (with_detail) {
        json_object *arr = json_object_new_array();

        for (unsigned k = 0; k < events.nrows; k++) {
            json_object *ev = json_object_new_object();

            json_add_str(ev, "from", db_get(&events, k, 0));
            json_add_str(ev, "to", db_get(&events, k, 1));
            json_add_str(ev, "by", db_get(&events, k, 2));
            json_add_str(ev, "note", db_get(&events, k, 3));
            json_add_str(ev, "at", db_get(&events, k, 4));
            json_object_array_add(arr, ev);
        }
        json_object_object_add(o, "timeline", arr);
    }
    *out = o;
    return JS_OK;
}

/* ------------------------------------------------------------------ */
/* events                                                               */

static const char *
actor(const struct req *r)
{
    return r->session ? auth_role(r) : "system";
}

int
order_event(struct req *r, int64_t order_id, const char *from,
            const char *to, const char *note)
{
    return db_write(r, SQL_EVENT,
                    DB_ARGS(DBP_I(order_id), DBP_S(from), DBP_S(to),
                            DBP_S(actor(r)),
                            r->session && r->session->user_id
                                ? DBP_I(r->session->user_id) : DBP_NULLV,
                            DBP_S(note ? note : "")), NULL);
}

/* ------------------------------------------------------------------ */
/* reading orders                                                       */

static const char SQL_ORDERS_OF_MERCHANT[] =
    ORDER_COLS "WHERE o.merchant_id = ? AND (? IS NULL OR o.status = ?) "
    "ORDER BY o.id DESC LIMIT ? OFFSET ?";
static const char SQL_COUNT_OF_MERCHANT[] =
    "SELECT COUNT(*) FROM orders WHERE merchant_id = ?"
    " AND (? IS NULL OR status = ?)";

int
order_list_reply(struct req *r, int64_t user_id, int64_t merchant_id)
{
    static const char *const st[] = { "pending_payment", "paid", "shipped",
        "delivered", "completed", "cancelled", "refund_requested",
        "refunded", NULL };
    const char *status = req_query(r, "status");
    int64_t who = merchant_id ? merchant_id : user_id;
    struct db_param sp = DBP_NULLV;
    struct db_result res, cnt;
    int64_t page, per_page;
    json_object *items;
    int rc;

    if (req_paging_or_400(r, 20, 100, &page, &per_page))
        return JS_REPLIED;
    if (status && *status) {
        bool ok = false;

        for (const char *const *s = st; *s; s++)
            if (strcmp(*s, status) == 0)
                ok = true;
        if (!ok)
            return reply_err(r, JS_INVALID, "status", "unknown status");
        sp = DBP_S(status);
    }
    /* Two statements, so each uses its own index. */
    rc = db_read(r, merchant_id ? SQL_ORDERS_OF_MERCHANT : SQL_ORDERS_OF_USER,
                 DB_ARGS(DBP_I(who), sp, sp, DBP_I(per_page),
                         DBP_I((page - 1) * per_page)), &res);
    if (!rc)
        rc = db_read(r, merchant_id ? SQL_COUNT_OF_MERCHANT
                                    : SQL_COUNT_OF_USER,
                     DB_ARGS(DBP_I(who), sp, sp), &cnt);
    if (rc)
        return rc;
    items = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++) {
        json_object *o;

        rc = order_row_json(r, &res, i, false, &o);
        if (rc) {
            json_object_put(items);
            return rc;
        }
        json_object_array_add(items, o);
    }
    return reply_list(r, items, db_get_int(&cnt, 0, 0, 0), page, per_page);
}

int
order_list(struct req *r)
{
    return order_list_reply(r, r->session->user_id, 0);
}

int
order_get(struct req *r)
{
    struct db_result res;
    json_object *o;
    int64_t id;
    int rc;

    if (req_param_id_or_404(r, "id", &id))
        return JS_REPLIED;
    rc = db_read(r, SQL_ORDER_OF_USER,
                 DB_ARGS(DBP_I(id), DBP_I(r->session->user_id)), &res);
    if (rc)
        return rc;
    if (!res.nrows)
        return reply_err(r, JS_NOTFOUND, NULL, "order not found");
    rc = order_row_json(r, &res, 0, true, &o);
    if (rc)
        return rc;
    return reply_json(r, 200, o);
}

/* ------------------------------------------------------------------ */
/* moving through the state machine                                     */

static const char SQL_LOCK_SCOPED[] =
    "SELECT status, payment_method, user_id, merchant_id FROM orders "
    "WHERE id = ? FOR UPDATE";
static const char SQL_SET_STATUS[] =
    "UPDATE orders SET status = ?, updated_at = UTC_TIMESTAMP(6),"
    " paid_at = IF(? = 'paid', UTC_TIMESTAMP(6), paid_at),"
    " shipped_at = IF(? = 'shipped', UTC_TIMESTAMP(6), shipped_at),"
    " delivered_at = IF(? = 'delivered', UTC_TIMESTAMP(6), delivered_at),"
    " completed_at = IF(? = 'completed', UTC_TIMESTAMP(6), completed_at),"
    " cancelled_at = IF(? = 'cancelled', UTC_TIMESTAMP(6), cancelled_at) "
    "WHERE id = ?";
static const char SQL_ORDER_SCOPED[] =
    ORDER_COLS "WHERE o.id = ? AND (? = 0 OR o.merchant_id = ?)"
    " AND (? = 0 OR o.user_id = ?)";

int
order_move(struct req *r, int64_t id, int64_t merchant_id, int64_t user_id,
           const char *to, const char *note)
{
    struct db_result o;
    const char *from;
    int rc;

    rc = db_read_primary(r, SQL_LOCK_SCOPED, DB_ARGS(DBP_I(id)), &o);
    if (rc)
        return rc;
    if (!o.nrows ||
        (merchant_id && db_get_int(&o, 0, 3, 0) != merchant_id) ||
        (user_id && db_get_int(&o, 0, 2, 0) != user_id))
        return JS_NOTFOUND;
    from = db_get(&o, 0, 0);
    if (!order_can_transition(from, to, db_get(&o, 0, 1)))
        return JS_UNPROCESSABLE;
    rc = db_write(r, SQL_SET_STATUS,
                  DB_ARGS(DBP_S(to), DBP_S(to), DBP_S(to), DBP_S(to),
                          DBP_S(to), DBP_S(to), DBP_I(id)), NULL);
    if (!rc)
        rc = order_event(r, id, from, to, note);
    return rc;
}

int
order_reply(struct req *r, int64_t id, int64_t merchant_id, int64_t user_id)
{
    struct db_result res;
    json_object *o;
    int rc = db_read(r, SQL_ORDER_SCOPED,
                     DB_ARGS(DBP_I(id), DBP_I(merchant_id),
                             DBP_I(merchant_id), DBP_I(user_id),
                             DBP_I(user_id)), &res);

    if (rc)
        return rc;
    if (!res.nrows)
        return reply_err(r, JS_NOTFOUND, NULL, "order not found");
    rc = order_row_json(r, &res, 0, true, &o);
    if (rc)
        return rc;
    return reply_json(r, 200, o);
}

/* ------------------------------------------------------------------ */
/* cancelling                                                           */

struct cancel {
    int64_t order_id;
    int64_t user_id;        /* 0: the system (expiry) */
    const char *note;
};

/* Cancel an order that may be cancelled, giving its stock back. */
static int
cancel_txn(struct req *r, void *arg)
{
    struct cancel *c = arg;
    struct db_result o, items;
    const char *status;
    int rc;

    rc = db_read_primary(r, SQL_LOCK_ORDER, DB_ARGS(DBP_I(c->order_id)), &o);
    if (rc)
        return rc;
    if (!o.nrows || (c->user_id && db_get_int(&o, 0, 2, 0) != c->user_id))
        return JS_NOTFOUND;
    status = db_get(&o, 0, 0);
    /* Paid orders are cancelled through a refund (payments). */
    if (strcmp(status, "pending_payment") != 0 ||
        !order_can_transition(status, "cancelled", db_get(&o, 0, 1)))
        return JS_UNPROCESSABLE;
    rc = db_write(r, SQL_SET_CANCELLED, DB_ARGS(DBP_I(c->order_id)), NULL);
    if (!rc)
        rc = db_read_primary(r, SQL_ORDER_SKUS, DB_ARGS(DBP_I(c->order_id)),
                             &items);
    for (unsigned i = 0; !rc && i < items.nrows; i++) {
        int64_t sku = db_get_int(&items, i, 0, 0);
        int64_t qty = db_get_int(&items, i, 1, 0);

        rc = db_write(r, SQL_RELEASE, DB_ARGS(DBP_I(qty), DBP_I(sku)), NULL);
        if (!rc)
            rc = db_write(r, SQL_MOVE,
                          DB_ARGS(DBP_I(sku), DBP_I(qty), DBP_S("release"),
                                  DBP_I(c->order_id),
                                  c->user_id ? DBP_I(c->user_id)
                                             : DBP_NULLV), NULL);
    }
    if (!rc)
        rc = order_event(r, c->order_id, status, "cancelled", c->note);
    return rc;
}

int
order_cancel(struct req *r)
{
    struct cancel c = { 0, r->session->user_id, "cancelled by the shopper" };
    struct db_result res;
    json_object *o;
    int rc;

    if (req_param_id_or_404(r, "id", &c.order_id))
        return JS_REPLIED;
    rc = db_txn(r, cancel_txn, &c);
    if (rc == JS_NOTFOUND)
        return reply_err(r, JS_NOTFOUND, NULL, "order not found");
    if (rc == JS_UNPROCESSABLE)
        return reply_err(r, JS_UNPROCESSABLE, NULL,
                         "only an unpaid order can be cancelled here; ask "
                         "for a refund instead");
    if (rc)
        return rc;
    rc = db_read(r, SQL_ORDER_OF_USER,
                 DB_ARGS(DBP_I(c.order_id), DBP_I(c.user_id)), &res);
    if (rc)
        return rc;
    rc = order_row_json(r, &res, 0, true, &o);
    if (rc)
        return rc;
    return reply_json(r, 200, o);
}

int
order_expire_unpaid(struct req *r)
{
    struct db_result res;
    int rc = db_read_primary(r, SQL_EXPIRED, DB_NOARGS, &res);

    for (unsigned i = 0; !rc && i < res.nrows && i < EXPIRE_BATCH; i++) {
        struct cancel c = { db_get_int(&res, i, 0, 0), 0,
                            "payment deadline passed" };

        rc = db_txn(r, cancel_txn, &c);
        /* Paid or cancelled meanwhile: nothing to do. */
        if (rc == JS_UNPROCESSABLE || rc == JS_NOTFOUND)
            rc = JS_OK;
    }
    return rc;
}
