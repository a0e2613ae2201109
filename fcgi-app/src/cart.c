/*
 * cart.c - the shopping cart (see cart.h).
 */
#include "config.h"
#include "cart.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "media.h"
#include "pricing.h"
#include "promo.h"
#include "reply.h"
#include "req.h"
#include "util.h"
#include "validate.h"

static const char SQL_CART_OF_USER[] = "SELECT id FROM carts WHERE user_id = ?";
static const char SQL_CART_OF_SESSION[] =
    "SELECT id FROM carts WHERE session_id = ?";
static const char SQL_NEW_FOR_USER[] =
    "INSERT INTO carts (user_id) VALUES (?) "
    "ON DUPLICATE KEY UPDATE updated_at = UTC_TIMESTAMP(6)";
static const char SQL_NEW_FOR_SESSION[] =
    "INSERT INTO carts (session_id) VALUES (?) "
    "ON DUPLICATE KEY UPDATE updated_at = UTC_TIMESTAMP(6)";
static const char SQL_LINES[] =
    "SELECT ci.id, ci.sku_id, ci.quantity, ci.price_seen, s.price, s.stock,"
    " CONCAT_WS(' / ', NULLIF(s.option1, ''), NULLIF(s.option2, ''),"
    "  NULLIF(s.option3, '')), s.weight_g, p.id, p.name, p.slug,"
    " IF(m.status = 'active', p.status, 'unavailable'),"
    " p.merchant_id, m.name, p.currency,"
    " (SELECT i.base FROM product_images i WHERE i.product_id = p.id"
    "  ORDER BY i.position LIMIT 1) "
    "FROM cart_items ci JOIN skus s ON s.id = ci.sku_id "
    "JOIN products p ON p.id = s.product_id "
    "JOIN merchants m ON m.id = p.merchant_id "
    "WHERE ci.cart_id = ? ORDER BY ci.id";
static const char SQL_SKU_LIVE[] =
    "SELECT s.price FROM skus s JOIN products p ON p.id = s.product_id "
    "JOIN merchants m ON m.id = p.merchant_id "
    "WHERE s.id = ? AND p.status = 'live' AND m.status = 'active'";
/* Lines of the cart other than the SKU's own (which the add merges). */
static const char SQL_COUNT_LINES[] =
    "SELECT COUNT(*) FROM cart_items WHERE cart_id = ? AND sku_id <> ?";
static const char SQL_ADD[] =
    "INSERT INTO cart_items (cart_id, sku_id, quantity, price_seen) "
    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
    " quantity = LEAST(quantity + VALUES(quantity), 99)";
/* The usual add in one statement: the SKU is for sale and the cart
 * exists.  When it changes nothing, add_txn() finds out why.  (Counting
 * the cart's lines in the same statement read them with shared locks,
 * and two adds to one cart deadlocked; a new line is counted after.) */
#define SQL_ADD_ONE(owner) \
    "INSERT INTO cart_items (cart_id, sku_id, quantity, price_seen) " \
    "SELECT c.id, s.id, ?, s.price FROM carts c JOIN skus s ON s.id = ? " \
    "JOIN products p ON p.id = s.product_id " \
    "JOIN merchants m ON m.id = p.merchant_id " \
    "WHERE c." owner " = ? AND p.status = 'live' AND m.status = 'active' " \
    "ON DUPLICATE KEY UPDATE" \
    " quantity = LEAST(cart_items.quantity + VALUES(quantity), 99)"
static const char SQL_ADD_USER[] = SQL_ADD_ONE("user_id");
static const char SQL_ADD_SESSION[] = SQL_ADD_ONE("session_id");
/* A new line past the limit is taken back. */
#define SQL_UNADD_OF(owner) \
    "DELETE ci FROM cart_items ci JOIN carts c ON c.id = ci.cart_id " \
    "WHERE c." owner " = ? AND ci.sku_id = ?"
static const char SQL_UNADD_USER[] = SQL_UNADD_OF("user_id");
static const char SQL_UNADD_SESSION[] = SQL_UNADD_OF("session_id");
/* The SKU's line and the cart's counts: the minimal answer, and the line
 * count a new line is checked against. */
#define SQL_SUMMARY_OF(owner) \
    "SELECT COUNT(*), COALESCE(SUM(ci.quantity), 0)," \
    " MAX(IF(ci.sku_id = ?, ci.id, NULL))," \
    " MAX(IF(ci.sku_id = ?, ci.quantity, NULL))," \
    " (SELECT s.stock FROM skus s WHERE s.id = ?) " \
    "FROM carts c JOIN cart_items ci ON ci.cart_id = c.id " \
    "WHERE c." owner " = ?"
static const char SQL_SUMMARY_USER[] = SQL_SUMMARY_OF("user_id");
static const char SQL_SUMMARY_SESSION[] = SQL_SUMMARY_OF("session_id");
static const char SQL_SET_QTY[] =
    "UPDATE cart_items SET quantity = ? WHERE id = ? AND cart_id = ?";
static const char SQL_REMOVE[] =
    "DELETE FROM cart_items WHERE id = ? AND cart_id = ?";
static const char SQL_LINE_IN_CART[] =
    "SELECT 1 FROM cart_items WHERE id = ? AND cart_id = ?";
static const char SQL_CLEAR[] = "DELETE FROM cart_items WHERE cart_id = ?";
static const char SQL_MERGE[] =
    "INSERT INTO cart_items (cart_id, sku_id, quantity, price_seen, added_at) "
    "SELECT ?, g.sku_id, g.qty, g.price_seen, g.added_at FROM"
    " (SELECT sku_id, quantity AS qty, price_seen, added_at FROM cart_items"
    "  WHERE cart_id = ?) g "
    "ON DUPLICATE KEY UPDATE"
    " cart_items.quantity = LEAST(cart_items.quantity + g.qty, 99)";
static const char SQL_DROP_CART[] = "DELETE FROM carts WHERE id = ?";

/* ------------------------------------------------------------------ */
/* which cart                                                           */

int
cart_id_of(struct req *r, bool create, int64_t *id)
{
    const struct session *s = r->session;
    struct db_result res;
    bool user = s->user_id != 0;
    int64_t key = user ? s->user_id : s->id;
    int rc;

    *id = 0;
    rc = db_read_primary(r, user ? SQL_CART_OF_USER : SQL_CART_OF_SESSION,
                         DB_ARGS(DBP_I(key)), &res);
    if (rc || res.nrows || !create) {
        if (!rc && res.nrows)
            *id = db_get_int(&res, 0, 0, 0);
        return rc;
    }
    rc = db_write(r, user ? SQL_NEW_FOR_USER : SQL_NEW_FOR_SESSION,
                  DB_ARGS(DBP_I(key)), &res);
    if (rc)
        return rc;
    if (res.insert_id) {
        *id = (int64_t)res.insert_id;
        return JS_OK;
    }
    return cart_id_of(r, false, id);
}

int
cart_clear(struct req *r, int64_t cart_id)
{
    return db_write(r, SQL_CLEAR, DB_ARGS(DBP_I(cart_id)), NULL);
}

int
cart_merge_guest(struct req *r, int64_t session_id, int64_t user_id)
{
    struct db_result g, u;
    int64_t guest, mine;
    int rc;

    rc = db_read_primary(r, SQL_CART_OF_SESSION, DB_ARGS(DBP_I(session_id)),
                         &g);
    if (rc || !g.nrows)
        return rc;
    guest = db_get_int(&g, 0, 0, 0);
    rc = db_write(r, SQL_NEW_FOR_USER, DB_ARGS(DBP_I(user_id)), NULL);
    if (!rc)
        rc = db_read_primary(r, SQL_CART_OF_USER, DB_ARGS(DBP_I(user_id)),
                             &u);
    if (rc)
        return rc;
    mine = db_get_int(&u, 0, 0, 0);
    rc = db_write(r, SQL_MERGE, DB_ARGS(DBP_I(mine), DBP_I(guest)), NULL);
    if (!rc)
        rc = db_write(r, SQL_DROP_CART, DB_ARGS(DBP_I(guest)), NULL);
    return rc;
}

/* ------------------------------------------------------------------ */
/* reading                                                              */

/* What a line may show of the stock: whether it covers the quantity, and
 * if not how much there is; never the exact stock. */
static int64_t
line_available(int64_t stock, int64_t qty)
{
    return stock >= qty ? qty : (stock > 0 ? stock : 0);
}

/* A line's discount and total from the priced quote (none for a line
 * that is not for sale), and the flash sale behind it. */
static void
line_discount(json_object *l, const struct pricing_quote *q,
              const struct promo_set *promos, bool live, const char *cur)
{
    json_object *sku;
    const struct promo_flash *f;
    int64_t id, discount = 0, total = 0;

    json_object_object_get_ex(l, "sku_id", &sku);
    id = json_object_get_int64(sku);
    for (unsigned k = 0; live && k < q->nlines; k++)
        if (q->lines[k].sku_id == id) {
            discount = q->lines[k].item_discount + q->lines[k].order_discount;
            total = q->lines[k].total;
        }
    json_object_object_add(l, "discount", json_money(discount, cur));
    json_object_object_add(l, "total", json_money(total, cur));
    f = live ? promo_find(promos, id) : NULL;
    if (f) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "id", json_int(f->id));
        json_object_object_add(o, "sale_price", json_money(f->sale_price,
                                                           cur));
        json_add_str(o, "ends_at", f->ends_at);
        json_object_object_add(l, "flash_sale", o);
    } else {
        json_object_object_add(l, "flash_sale", NULL);
    }
}

static int
reply_cart(struct req *r, int64_t cart_id, int status)
{
    struct pricing_quote *q = arena_calloc(&r->arena, 1, sizeof(*q));
    struct promo_set promos;
    struct pricing_adjuster adj;
    struct db_result res;
    json_object *root, *groups, **garr;
    const char *cur = "CNY";
    int rc;

    if (cart_id) {
        rc = db_read(r, SQL_LINES, DB_ARGS(DBP_I(cart_id)), &res);
        if (rc)
            return rc;
    } else {
        memset(&res, 0, sizeof(res));
    }
    /* Price what can still be bought. */
    for (unsigned i = 0; i < res.nrows && q->nlines < PRICING_MAX_LINES;
         i++) {
        struct pricing_line *l = &q->lines[q->nlines];

        if (strcmp(db_get(&res, i, 11), "live") != 0)
            continue;
        l->sku_id = db_get_int(&res, i, 1, 0);
        l->merchant_id = db_get_int(&res, i, 12, 0);
        l->unit_price = db_get_int(&res, i, 4, 0);
        l->quantity = db_get_int(&res, i, 2, 1);
        l->weight_g = db_get_int(&res, i, 7, 0);
        cur = db_get(&res, i, 14);
        q->nlines++;
    }
    snprintf(q->currency, sizeof(q->currency), "%s", cur);
    rc = promo_load(r, q, false, &promos);
    if (rc)
        return rc;
    adj = promo_adjuster(&promos);
    if (pricing_compute(q, NULL, NULL, NULL, 0, &adj, 1))
        return reply_err(r, JS_UNPROCESSABLE, NULL,
                         "this cart's amounts are too large to price");

    groups = json_object_new_array();
    garr = arena_calloc(&r->arena, q->ngroups + 1, sizeof(json_object *));
    for (unsigned gi = 0; gi < q->ngroups; gi++) {
        const struct pricing_group *g = &q->groups[gi];
        json_object *o = json_object_new_object(), *m;

        m = json_object_new_object();
        json_object_object_add(m, "id", json_int(g->merchant_id));
        json_object_object_add(o, "merchant", m);
        json_object_object_add(o, "lines", json_object_new_array());
        json_object_object_add(o, "subtotal", json_money(g->subtotal, cur));
        json_object_object_add(o, "discount",
                               json_money(g->item_discount + g->order_discount,
                                     cur));
        json_object_object_add(o, "total", json_money(g->total, cur));
        json_object_array_add(groups, o);
        garr[gi] = o;
    }
    root = json_object_new_object();
    {
        json_object *unavailable = json_object_new_array();
        int64_t count = 0;

        for (unsigned i = 0; i < res.nrows; i++) {
            json_object *l = json_object_new_object(), *p, *lines;
            int64_t qty = db_get_int(&res, i, 2, 1);
            int64_t price = db_get_int(&res, i, 4, 0);
            int64_t seen = db_get_int(&res, i, 3, 0);
            int64_t stock = db_get_int(&res, i, 5, 0);
            int64_t mid = db_get_int(&res, i, 12, 0);
            bool live = strcmp(db_get(&res, i, 11), "live") == 0;
            const char *img = db_get(&res, i, 15);
            const char *warn = NULL;

            if (!live)
                warn = "unavailable";
            else if (stock < qty)
                warn = "stock_short";
            else if (price != seen)
                warn = "price_changed";
            json_object_object_add(l, "id", json_int(db_get_int(&res, i, 0,
                                                                 0)));
            json_object_object_add(l, "sku_id",
                                   json_int(db_get_int(&res, i, 1, 0)));
            p = json_object_new_object();
            json_object_object_add(p, "id", json_int(db_get_int(&res, i, 8,
                                                                 0)));
            json_object_object_add(p, "name", json_str(db_get(&res, i, 9)));
            json_object_object_add(p, "slug", json_str(db_get(&res, i, 10)));
            json_object_object_add(p, "image", img
                ? json_str(media_url(r, img, "thumb", "webp")) : NULL);
            json_object_object_add(l, "product", p);
            json_object_object_add(l, "options",
                                   json_str(db_get(&res, i, 6)));
            json_object_object_add(l, "quantity", json_int(qty));
            json_object_object_add(l, "unit_price", json_money(price, cur));
            json_object_object_add(l, "price_when_added",
                                   json_money(seen, cur));
            json_object_object_add(l, "subtotal", json_money(price * qty, cur));
            line_discount(l, q, &promos, live, cur);
            /* Never the exact stock: only whether it covers the line. */
            json_object_object_add(l, "available", json_int(
                live ? line_available(stock, qty) : 0));
            json_object_object_add(l, "warning", warn ? json_str(warn)
                                                       : NULL);
            lines = NULL;
            for (unsigned gi = 0; live && gi < q->ngroups; gi++)
                if (q->groups[gi].merchant_id == mid) {
                    json_object *m;

                    json_object_object_get_ex(garr[gi], "lines", &lines);
                    if (json_object_object_get_ex(garr[gi], "merchant", &m) &&
                        !json_object_object_get_ex(m, "name", NULL))
                        json_object_object_add(m, "name",
                                               json_str(db_get(&res, i, 13)));
                }
            json_object_array_add(lines ? lines : unavailable, l);
            count += qty;
        }
        json_object_object_add(root, "groups", groups);
        json_object_object_add(root, "unavailable", unavailable);
        json_object_object_add(root, "item_count", json_int(count));
    }
    json_object_object_add(root, "subtotal", json_money(q->subtotal, cur));
    json_object_object_add(root, "discount", json_money(q->discount, cur));
    json_object_object_add(root, "total", json_money(q->total - q->shipping,
                                                cur));
    return reply_json(r, status, root);
}

int
cart_get(struct req *r)
{
    int64_t id;
    int rc = cart_id_of(r, false, &id);

    if (rc)
        return rc;
    return reply_cart(r, id, 200);
}

/* ------------------------------------------------------------------ */
/* changing                                                             */

struct add {
    int64_t sku_id, quantity, cart_id;
};

static int
add_txn(struct req *r, void *arg)
{
    struct add *a = arg;
    struct db_result res;
    int64_t price;
    int rc;

    rc = db_read_primary(r, SQL_SKU_LIVE, DB_ARGS(DBP_I(a->sku_id)), &res);
    if (rc)
        return rc;
    if (!res.nrows)
        return reply_err(r, JS_NOTFOUND, "sku_id",
                         "this item is not for sale");
    price = db_get_int(&res, 0, 0, 0);
    rc = cart_id_of(r, true, &a->cart_id);
    if (!rc)
        rc = db_read_primary(r, SQL_COUNT_LINES,
                             DB_ARGS(DBP_I(a->cart_id), DBP_I(a->sku_id)),
                             &res);
    if (rc)
        return rc;
    if (db_get_int(&res, 0, 0, 0) >= CART_MAX_LINES)
        return reply_err(r, JS_UNPROCESSABLE, NULL,
                         "a cart holds at most %d different items",
                         CART_MAX_LINES);
    return db_write(r, SQL_ADD,
                    DB_ARGS(DBP_I(a->cart_id), DBP_I(a->sku_id),
                            DBP_I(a->quantity), DBP_I(price)), NULL);
}

/* Prefer: return=minimal (RFC 7240) among the request's preferences. */
static bool
wants_minimal(const struct req *r)
{
    const char *p = req_env(r, "HTTP_PREFER");

    return p && strstr(p, "return=minimal") != NULL;
}

/* The SKU's line and the cart's counts (SQL_SUMMARY_OF), on the primary. */
static int
summary_of(struct req *r, int64_t sku_id, int64_t owner, struct db_result *res)
{
    return db_read_primary(r, r->session->user_id ? SQL_SUMMARY_USER
                                                  : SQL_SUMMARY_SESSION,
                           DB_ARGS(DBP_I(sku_id), DBP_I(sku_id),
                                   DBP_I(sku_id), DBP_I(owner)), res);
}

/* 201 {line: {id, sku_id, quantity, available, warning}, item_count,
 * line_count} from the summary: available and warning as in the cart's
 * lines. */
static int
reply_added(struct req *r, int64_t sku_id, const struct db_result *res)
{
    int64_t qty = db_get_int(res, 0, 3, 0), stock = db_get_int(res, 0, 4, 0);
    json_object *root = json_object_new_object();
    json_object *line = json_object_new_object();

    json_object_object_add(line, "id", json_int(db_get_int(res, 0, 2, 0)));
    json_object_object_add(line, "sku_id", json_int(sku_id));
    json_object_object_add(line, "quantity", json_int(qty));
    json_object_object_add(line, "available",
                           json_int(line_available(stock, qty)));
    json_add_str(line, "warning", stock < qty ? "stock_short" : NULL);
    json_object_object_add(root, "line", line);
    json_object_object_add(root, "item_count",
                           json_int(db_get_int(res, 0, 1, 0)));
    json_object_object_add(root, "line_count",
                           json_int(db_get_int(res, 0, 0, 0)));
    reply_header(r, "Preference-Applied", "return=minimal");
    return reply_json(r, 201, root);
}

int
cart_add(struct req *r)
{
    const struct session *s = r->session;
    int64_t owner = s->user_id ? s->user_id : s->id;
    struct add a = { 0, 0, 0 };
    struct db_result res, sum;
    bool minimal = wants_minimal(r), new_line;
    int rc;

    if (v_int(r, "sku_id", 1, INT64_MAX / 2, true, &a.sku_id, NULL) ||
        v_int(r, "quantity", 1, CART_MAX_QTY, true, &a.quantity, NULL))
        return JS_REPLIED;
    rc = db_write(r, s->user_id ? SQL_ADD_USER : SQL_ADD_SESSION,
                  DB_ARGS(DBP_I(a.quantity), DBP_I(a.sku_id),
                          DBP_I(owner)), &res);
    if (rc)
        return rc;
    /* Nothing added: no cart yet, not for sale, or already 99. */
    new_line = res.affected == 1;
    if (res.affected == 0 && (rc = db_txn(r, add_txn, &a)))
        return rc;
    if ((new_line || minimal) && (rc = summary_of(r, a.sku_id, owner, &sum)))
        return rc;
    /* A new line past CART_MAX_LINES is given back (422), so the refused
     * add leaves the cart as it was. */
    if (new_line && db_get_int(&sum, 0, 0, 0) > CART_MAX_LINES) {
        rc = db_write(r, s->user_id ? SQL_UNADD_USER : SQL_UNADD_SESSION,
                      DB_ARGS(DBP_I(owner), DBP_I(a.sku_id)), NULL);
        return rc ? rc : reply_err(r, JS_UNPROCESSABLE, NULL,
                                   "a cart holds at most %d different items",
                                   CART_MAX_LINES);
    }
    if (minimal)
        return reply_added(r, a.sku_id, &sum);
    if (!a.cart_id && (rc = cart_id_of(r, false, &a.cart_id)))
        return rc;
    return reply_cart(r, a.cart_id, 201);
}

static int
line_change(struct req *r, bool remove)
{
    struct db_result res;
    int64_t line, qty = 0, cart;
    int rc;

    if (req_param_id_or_404(r, "id", &line))
        return JS_REPLIED;
    if (!remove && v_int(r, "quantity", 1, CART_MAX_QTY, true, &qty, NULL))
        return JS_REPLIED;
    rc = cart_id_of(r, false, &cart);
    if (rc)
        return rc;
    if (!cart)
        return reply_err(r, JS_NOTFOUND, NULL, "cart item not found");
    rc = remove ? db_write(r, SQL_REMOVE, DB_ARGS(DBP_I(line), DBP_I(cart)),
                           &res)
                : db_write(r, SQL_SET_QTY,
                           DB_ARGS(DBP_I(qty), DBP_I(line), DBP_I(cart)),
                           &res);
    if (rc)
        return rc;
    if (!res.affected && remove)
        return reply_err(r, JS_NOTFOUND, NULL, "cart item not found");
    if (!res.affected) {
        /* Same quantity (no change) or not this cart's line. */
        rc = db_read_primary(r, SQL_LINE_IN_CART,
                             DB_ARGS(DBP_I(line), DBP_I(cart)), &res);
        if (rc)
            return rc;
        if (!res.nrows)
            return reply_err(r, JS_NOTFOUND, NULL, "cart item not found");
    }
    return reply_cart(r, cart, 200);
}

int
cart_update(struct req *r)
{
    return line_change(r, false);
}

int
cart_remove(struct req *r)
{
    return line_change(r, true);
}
