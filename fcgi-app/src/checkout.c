/*
 * checkout.c - from a cart (or a buy-now list) to orders: the quote and
 * the idempotent checkout (see order.h for the model and state machine).
 */
#include "config.h"
#include "order.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "cart.h"
#include "conf.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "outbox.h"
#include "pricing.h"
#include "promo.h"
#include "reply.h"
#include "req.h"
#include "util.h"
#include "validate.h"

#define MAX_ITEMS 50

static const char SQL_ADDRESS[] =
    "SELECT recipient, phone, country, region, city, district, line1, line2,"
    " postal_code FROM addresses WHERE id = ? AND user_id = ?";
static const char SQL_RATES[] =
    "SELECT merchant_id, region, method, first_weight_g, first_fee,"
    " step_weight_g, step_fee, free_over FROM shipping_rates";
/* The facts a checkout line needs, from the primary: price and stock
 * decide money. */
static const char SQL_SKU[] =
    "SELECT s.id, s.price, s.weight_g, p.id, p.name, p.merchant_id,"
    " CONCAT_WS(' / ', NULLIF(s.option1, ''), NULLIF(s.option2, ''),"
    "  NULLIF(s.option3, '')), p.currency "
    "FROM skus s JOIN products p ON p.id = s.product_id "
    "JOIN merchants m ON m.id = p.merchant_id "
    "WHERE s.id = ? AND p.status = 'live' AND m.status = 'active'";
static const char SQL_CART_LINES[] =
    "SELECT sku_id, quantity FROM cart_items WHERE cart_id = ? ORDER BY id";
static const char SQL_FIND_CHECKOUT[] =
    "SELECT id, request_hash FROM checkouts WHERE user_id = ? AND idem_key = ?";
static const char SQL_NEW_CHECKOUT[] =
    "INSERT INTO checkouts (user_id, idem_key, request_hash, currency, total,"
    " payment_method) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_NEW_ORDER[] =
    "INSERT INTO orders (checkout_id, user_id, merchant_id, currency,"
    " subtotal, discount, shipping, total, shipping_method, payment_method,"
    " ship_recipient, ship_phone, ship_country, ship_region, ship_city,"
    " ship_district, ship_line1, ship_line2, ship_postal_code, pay_before) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " IF(? = 'cod', NULL, UTC_TIMESTAMP(6) + INTERVAL ? MINUTE))";
static const char SQL_NEW_ITEM[] =
    "INSERT INTO order_items (order_id, sku_id, product_id, name, options,"
    " unit_price, quantity, subtotal, discount, total) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_RESERVE[] =
    "UPDATE skus SET stock = stock - ? WHERE id = ? AND stock >= ?";
static const char SQL_DROP_CART_SKU[] =
    "DELETE FROM cart_items WHERE cart_id = ? AND sku_id = ?";

static const char SQL_ORDERS_OF_CHECKOUT[] =
    ORDER_COLS "WHERE o.checkout_id = ? ORDER BY o.id";
static const char SQL_MOVE[] =
    "INSERT INTO inventory_movements (sku_id, delta, reason, order_id,"
    " actor_user_id) VALUES (?, ?, ?, ?, ?)";

/* ------------------------------------------------------------------ */
/* building a checkout                                                  */

struct co_line {
    int64_t sku_id, product_id, quantity;
    const char *name, *options;
};

struct checkout {
    /* input */
    int64_t address_id;
    const char *payment_method;
    json_object *methods;       /* {"<merchant id>": "express"} or NULL */
    json_object *items;         /* buy-now lines, or NULL: the cart */
    const char *idem_key;
    unsigned char hash[32];
    /* state */
    int64_t cart_id, checkout_id;
    const char *addr[9];
    struct co_line lines[PRICING_MAX_LINES];
    struct pricing_quote *q;
    const char *region;         /* "CN-31": what the rates were matched to */
    const struct pricing_rate *rates;
    size_t nrates;
    struct promo_set promos;    /* running flash sales of the lines */
    struct pricing_adjuster adj;
    bool replay;
};

static int
parse_checkout(struct req *r, struct checkout *c)
{
    json_object *v;
    bool present;

    if (v_int(r, "address_id", 1, INT64_MAX / 2, true, &c->address_id,
              &present) ||
        v_str(r, "payment_method", 1, 16, true, &c->payment_method))
        return JS_REPLIED;
    if (strcmp(c->payment_method, "cod") != 0 &&
        strcmp(c->payment_method, "sandbox") != 0)
        return reply_err(r, JS_INVALID, "payment_method",
                         "'payment_method' must be \"cod\" or "
                         "\"sandbox\"");
    if (json_object_object_get_ex(r->json, "shipping_methods", &v) && v) {
        if (!json_object_is_type(v, json_type_object))
            return reply_err(r, JS_INVALID, "shipping_methods",
                             "'shipping_methods' maps merchant ids to "
                             "methods");
        c->methods = v;
    }
    if (json_object_object_get_ex(r->json, "items", &v) && v) {
        size_t n;

        if (!json_object_is_type(v, json_type_array) ||
            (n = json_object_array_length(v)) == 0 || n > MAX_ITEMS)
            return reply_err(r, JS_INVALID, "items",
                             "'items' is a list of 1 to %d "
                             "{sku_id, quantity}", MAX_ITEMS);
        for (size_t i = 0; i < n; i++) {
            json_object *it = json_object_array_get_idx(v, i);
            int64_t sku, qty;

            if (json_get_int64(it, "sku_id", 1, INT64_MAX / 2, &sku) ||
                json_get_int64(it, "quantity", 1, CART_MAX_QTY, &qty))
                return reply_err(r, JS_INVALID, "items",
                                 "each item needs a sku_id and a quantity "
                                 "from 1 to %d", CART_MAX_QTY);
        }
        c->items = v;
    }
    return JS_OK;
}

/* The SKUs to buy: the buy-now items or the cart, priced from the
 * primary.  A line that is no longer for sale stops the checkout. */
static int
load_lines(struct req *r, struct checkout *c)
{
    struct pricing_quote *q = c->q;
    struct db_result cart, sku;
    unsigned n;
    int rc;

    if (c->items) {
        n = (unsigned)json_object_array_length(c->items);
    } else {
        rc = cart_id_of(r, false, &c->cart_id);
        if (rc)
            return rc;
        memset(&cart, 0, sizeof(cart));
        if (c->cart_id) {
            rc = db_read_primary(r, SQL_CART_LINES,
                                 DB_ARGS(DBP_I(c->cart_id)), &cart);
            if (rc)
                return rc;
        }
        n = cart.nrows;
    }
    if (n == 0)
        return reply_err(r, JS_UNPROCESSABLE, NULL, "the cart is empty");
    if (n > PRICING_MAX_LINES)
        return reply_err(r, JS_UNPROCESSABLE, NULL, "too many items");
    for (unsigned i = 0; i < n; i++) {
        struct pricing_line *l = &q->lines[i];
        int64_t id, qty;

        if (c->items) {
            json_object *it = json_object_array_get_idx(c->items, i);

            json_get_int64(it, "sku_id", 1, INT64_MAX / 2, &id);
            json_get_int64(it, "quantity", 1, CART_MAX_QTY, &qty);
        } else {
            id = db_get_int(&cart, i, 0, 0);
            qty = db_get_int(&cart, i, 1, 1);
        }
        rc = db_read_primary(r, SQL_SKU, DB_ARGS(DBP_I(id)), &sku);
        if (rc)
            return rc;
        if (!sku.nrows)
            return reply_err(r, JS_CONFLICT, "sku_id",
                             "item %lld is no longer for sale",
                             (long long)id);
        l->sku_id = id;
        l->unit_price = db_get_int(&sku, 0, 1, 0);
        l->weight_g = db_get_int(&sku, 0, 2, 0);
        l->merchant_id = db_get_int(&sku, 0, 5, 0);
        l->quantity = qty;
        snprintf(q->currency, sizeof(q->currency), "%s", db_get(&sku, 0, 7));
        c->lines[i].sku_id = id;
        c->lines[i].product_id = db_get_int(&sku, 0, 3, 0);
        c->lines[i].quantity = qty;
        c->lines[i].name = db_get(&sku, 0, 4);
        c->lines[i].options = db_get(&sku, 0, 6);
    }
    q->nlines = n;
    return JS_OK;
}

static const struct co_line *
line_of(const struct checkout *c, int64_t sku_id)
{
    for (unsigned i = 0; i < c->q->nlines; i++)
        if (c->lines[i].sku_id == sku_id)
            return &c->lines[i];
    return NULL;
}

/* Price the lines for the address: shipping per merchant and method. */
static int
price(struct req *r, struct checkout *c)
{
    struct db_result a, rates;
    struct pricing_rate *pr;
    const char **methods;
    char *region;
    int rc;

    rc = db_read_primary(r, SQL_ADDRESS,
                         DB_ARGS(DBP_I(c->address_id),
                                 DBP_I(r->session->user_id)), &a);
    if (rc)
        return rc;
    if (!a.nrows)
        return reply_err(r, JS_NOTFOUND, "address_id", "address not found");
    for (unsigned k = 0; k < 9; k++)
        c->addr[k] = db_get(&a, 0, k);
    rc = load_lines(r, c);
    if (!rc)
        rc = promo_load(r, c->q, true, &c->promos);
    if (rc)
        return rc;
    c->adj = promo_adjuster(&c->promos);
    rc = db_read(r, SQL_RATES, DB_NOARGS, &rates);
    if (rc)
        return rc;
    pr = arena_calloc(&r->arena, rates.nrows + 1, sizeof(*pr));
    for (unsigned i = 0; i < rates.nrows; i++) {
        pr[i].merchant_id = db_get_int(&rates, i, 0, 0);
        snprintf(pr[i].region, sizeof(pr[i].region), "%s",
                 db_get(&rates, i, 1));
        snprintf(pr[i].method, sizeof(pr[i].method), "%s",
                 db_get(&rates, i, 2));
        pr[i].first_weight_g = db_get_int(&rates, i, 3, 0);
        pr[i].first_fee = db_get_int(&rates, i, 4, 0);
        pr[i].step_weight_g = db_get_int(&rates, i, 5, 0);
        pr[i].step_fee = db_get_int(&rates, i, 6, 0);
        pr[i].free_over = db_get_int(&rates, i, 7, 0);
    }
    /* "CN-<region>" so rates can be set per province, else "CN". */
    if (c->addr[3] && *c->addr[3])
        region = arena_printf(&r->arena, "%s-%s", c->addr[2], c->addr[3]);
    else
        region = arena_strdup(&r->arena, c->addr[2]);
    c->region = region;
    c->rates = pr;
    c->nrates = rates.nrows;
    methods = arena_calloc(&r->arena, PRICING_MAX_GROUPS, sizeof(char *));
    /* Groups are formed inside pricing_compute; compute once to learn
     * them, then again with the chosen methods. */
    rc = pricing_compute(c->q, region, NULL, pr, rates.nrows, &c->adj, 1);
    if (rc)
        return reply_err(r, JS_UNPROCESSABLE, NULL,
                         "these amounts cannot be priced");
    if (c->methods) {
        for (unsigned g = 0; g < c->q->ngroups; g++) {
            char key[24];
            json_object *m;

            snprintf(key, sizeof(key), "%lld",
                     (long long)c->q->groups[g].merchant_id);
            methods[g] = "standard";
            if (json_object_object_get_ex(c->methods, key, &m) && m &&
                json_object_is_type(m, json_type_string))
                methods[g] = arena_strdup(&r->arena,
                                          json_object_get_string(m));
        }
        rc = pricing_compute(c->q, region, methods, pr, rates.nrows,
                             &c->adj, 1);
        if (rc)
            return reply_err(r, JS_UNPROCESSABLE, NULL,
                             "these amounts cannot be priced");
    }
    for (unsigned g = 0; g < c->q->ngroups; g++)
        if (!c->q->groups[g].shipping_found)
            return reply_err(r, JS_UNPROCESSABLE, "shipping_methods",
                             "no '%s' shipping from merchant %lld to "
                             "this address", c->q->groups[g].method,
                             (long long)c->q->groups[g].merchant_id);
    return JS_OK;
}

static int
reserve(struct req *r, int64_t order_id, int64_t sku_id, int64_t qty)
{
    struct db_result res;
    int rc = db_write(r, SQL_RESERVE,
                      DB_ARGS(DBP_I(qty), DBP_I(sku_id), DBP_I(qty)), &res);

    if (rc)
        return rc;
    if (!res.affected)
        return reply_err(r, JS_CONFLICT, "sku_id",
                         "out of stock: item %lld has fewer than %lld left",
                         (long long)sku_id, (long long)qty);
    return db_write(r, SQL_MOVE,
                    DB_ARGS(DBP_I(sku_id), DBP_I(-qty), DBP_S("reserve"),
                            DBP_I(order_id),
                            DBP_I(r->session->user_id)), NULL);
}

static int
checkout_txn(struct req *r, void *arg)
{
    struct checkout *c = arg;
    struct pricing_quote *q;
    struct db_result res;
    int64_t pay_minutes = r->conf->order_pay_minutes;
    int rc;

    c->replay = false;
    rc = db_read_primary(r, SQL_FIND_CHECKOUT,
                         DB_ARGS(DBP_I(r->session->user_id),
                                 DBP_S(c->idem_key)), &res);
    if (rc)
        return rc;
    if (res.nrows) {
        c->checkout_id = db_get_int(&res, 0, 0, 0);
        c->replay = true;
        if (res.lens[1] != 32 || memcmp(db_get(&res, 0, 1), c->hash, 32) != 0)
            return reply_err(r, JS_UNPROCESSABLE, "Idempotency-Key",
                             "this Idempotency-Key was used for a "
                             "different checkout");
        return JS_OK;
    }
    memset(c->q, 0, sizeof(*c->q));
    rc = price(r, c);
    if (rc)
        return rc;
    q = c->q;
    rc = db_write(r, SQL_NEW_CHECKOUT,
                  DB_ARGS(DBP_I(r->session->user_id), DBP_S(c->idem_key),
                          DBP_B(c->hash, 32), DBP_S(q->currency),
                          DBP_I(q->total), DBP_S(c->payment_method)), &res);
    if (rc)
        return rc;     /* a duplicate key: a concurrent twin; replayed */
    c->checkout_id = (int64_t)res.insert_id;
    for (unsigned g = 0; g < q->ngroups; g++) {
        const struct pricing_group *grp = &q->groups[g];
        int64_t oid;

        rc = db_write(r, SQL_NEW_ORDER,
            DB_ARGS(DBP_I(c->checkout_id), DBP_I(r->session->user_id),
                    DBP_I(grp->merchant_id), DBP_S(q->currency),
                    DBP_I(grp->subtotal),
                    DBP_I(grp->item_discount + grp->order_discount),
                    DBP_I(grp->shipping), DBP_I(grp->total),
                    DBP_S(grp->method), DBP_S(c->payment_method),
                    DBP_S(c->addr[0]), DBP_S(c->addr[1]), DBP_S(c->addr[2]),
                    DBP_S(c->addr[3]), DBP_S(c->addr[4]), DBP_S(c->addr[5]),
                    DBP_S(c->addr[6]), DBP_S(c->addr[7]), DBP_S(c->addr[8]),
                    DBP_S(c->payment_method), DBP_I(pay_minutes)), &res);
        if (rc)
            return rc;
        oid = (int64_t)res.insert_id;
        for (unsigned k = grp->first_line; k < grp->first_line + grp->nlines;
             k++) {
            const struct pricing_line *l = &q->lines[k];
            const struct co_line *cl = line_of(c, l->sku_id);

            rc = db_write(r, SQL_NEW_ITEM,
                DB_ARGS(DBP_I(oid), DBP_I(l->sku_id), DBP_I(cl->product_id),
                        DBP_S(cl->name), DBP_S(cl->options),
                        DBP_I(l->unit_price), DBP_I(l->quantity),
                        DBP_I(l->subtotal),
                        DBP_I(l->item_discount + l->order_discount),
                        DBP_I(l->total)), NULL);
            if (!rc)
                rc = reserve(r, oid, l->sku_id, l->quantity);
            if (!rc && c->cart_id)
                rc = db_write(r, SQL_DROP_CART_SKU,
                              DB_ARGS(DBP_I(c->cart_id), DBP_I(l->sku_id)),
                              NULL);
            if (rc)
                return rc;
        }
        rc = order_event(r, oid, NULL, "pending_payment", "order placed");
        if (rc)
            return rc;
    }
    if (r->session->email) {
        char total[MONEY_BUF];

        rc = outbox_enqueue(r, "order_placed", r->session->email,
                            "Your Jishi order",
                            arena_printf(&r->arena,
                                "Thank you for your order (checkout %lld, "
                                "%u order(s), total %s %s).\r\n",
                                (long long)c->checkout_id, q->ngroups,
                                money_format(total, q->total, q->currency),
                                q->currency));
    }
    return rc;
}

static int
reply_checkout(struct req *r, int64_t checkout_id, int status)
{
    struct db_result res;
    json_object *root, *orders;
    int64_t total = 0;
    const char *cur = "CNY", *pm = "";
    int rc = db_read_primary(r, SQL_ORDERS_OF_CHECKOUT,
                             DB_ARGS(DBP_I(checkout_id)), &res);

    if (rc)
        return rc;
    orders = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++) {
        json_object *o;

        rc = order_row_json(r, &res, i, false, &o);
        if (rc) {
            json_object_put(orders);
            return rc;
        }
        json_object_array_add(orders, o);
        total += db_get_int(&res, i, 9, 0);
        cur = db_get(&res, i, 5);
        pm = db_get(&res, i, 11);
    }
    root = json_object_new_object();
    json_object_object_add(root, "checkout_id", json_int(checkout_id));
    json_object_object_add(root, "payment_method", json_str(pm));
    json_object_object_add(root, "total", json_money(total, cur));
    json_object_object_add(root, "orders", orders);
    return reply_json(r, status, root);
}

static bool
idem_key_ok(const char *k)
{
    size_t n = 0;

    for (; k && *k; k++, n++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
              (*k >= '0' && *k <= '9') || *k == '-' || *k == '_'))
            return false;
    return n >= 8 && n <= 128;
}

int
order_checkout(struct req *r)
{
    struct checkout *c = arena_calloc(&r->arena, 1, sizeof(*c));
    const char *canon;
    int rc;

    c->idem_key = req_env(r, "HTTP_IDEMPOTENCY_KEY");
    if (!idem_key_ok(c->idem_key))
        return reply_err(r, JS_INVALID, "Idempotency-Key",
                         "an Idempotency-Key header of 8 to 128 letters, "
                         "digits, '-' or '_' is required");
    if (parse_checkout(r, c))
        return JS_REPLIED;
    /* The same key must come with the same request. */
    canon = json_to_string(&r->arena, r->json, NULL);
    crypto_hash_sha256(c->hash, (const unsigned char *)canon, strlen(canon));
    c->q = arena_calloc(&r->arena, 1, sizeof(*c->q));
    rc = db_txn(r, checkout_txn, c);
    if (rc == JS_CONFLICT && !r->reply.status) {
        /* A concurrent request with the same key committed first. */
        rc = db_txn(r, checkout_txn, c);
    }
    if (rc)
        return rc;
    return reply_checkout(r, c->checkout_id, c->replay ? 200 : 201);
}

/* Every method that could ship group g to the address, with its fee for
 * this group and its free-shipping threshold. */
static json_object *
shipping_options(const struct checkout *c, unsigned g)
{
    struct pricing_option opt[8];
    size_t n = pricing_shipping_options(c->q, g, c->region, c->rates,
                                        c->nrates, opt, ARRAY_SIZE(opt));
    json_object *arr = json_object_new_array();

    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "method", json_str(opt[i].method));
        json_object_object_add(o, "shipping", json_money(opt[i].fee,
                                                         c->q->currency));
        json_object_object_add(o, "free_over", opt[i].free_over
                               ? json_money(opt[i].free_over, c->q->currency)
                               : NULL);
        json_object_array_add(arr, o);
    }
    return arr;
}

int
order_quote(struct req *r)
{
    struct checkout *c = arena_calloc(&r->arena, 1, sizeof(*c));
    json_object *root, *groups;
    struct pricing_quote *q;
    int rc;

    if (parse_checkout(r, c))
        return JS_REPLIED;
    c->q = q = arena_calloc(&r->arena, 1, sizeof(*c->q));
    rc = price(r, c);
    if (rc)
        return rc;
    groups = json_object_new_array();
    for (unsigned g = 0; g < q->ngroups; g++) {
        const struct pricing_group *grp = &q->groups[g];
        json_object *o = json_object_new_object(), *lines;

        json_object_object_add(o, "merchant_id", json_int(grp->merchant_id));
        json_object_object_add(o, "shipping_method", json_str(grp->method));
        json_object_object_add(o, "subtotal", json_money(grp->subtotal,
                                                    q->currency));
        json_object_object_add(o, "discount",
                               json_money(grp->item_discount +
                                     grp->order_discount, q->currency));
        json_object_object_add(o, "shipping", json_money(grp->shipping,
                                                    q->currency));
        json_object_object_add(o, "total", json_money(grp->total, q->currency));
        json_object_object_add(o, "shipping_options",
                               shipping_options(c, g));
        lines = json_object_new_array();
        for (unsigned k = grp->first_line; k < grp->first_line + grp->nlines;
             k++) {
            const struct pricing_line *l = &q->lines[k];
            json_object *lo = json_object_new_object();

            json_object_object_add(lo, "sku_id", json_int(l->sku_id));
            json_object_object_add(lo, "quantity", json_int(l->quantity));
            json_object_object_add(lo, "unit_price",
                                   json_money(l->unit_price, q->currency));
            json_object_object_add(lo, "total", json_money(l->total,
                                                      q->currency));
            json_object_array_add(lines, lo);
        }
        json_object_object_add(o, "lines", lines);
        json_object_array_add(groups, o);
    }
    root = json_object_new_object();
    json_object_object_add(root, "groups", groups);
    json_object_object_add(root, "subtotal",
                           json_money(q->subtotal, q->currency));
    json_object_object_add(root, "discount",
                           json_money(q->discount, q->currency));
    json_object_object_add(root, "shipping",
                           json_money(q->shipping, q->currency));
    json_object_object_add(root, "total", json_money(q->total, q->currency));
    return reply_json(r, 200, root);
}

