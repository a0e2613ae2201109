/*
 * inventory.c - low-stock flags and the ledger, for merchants
 * (see inventory.h).
 */
#include "config.h"
#include "inventory.h"

#include "auth.h"
#include "db.h"
#include "json.h"
#include "reply.h"
#include "req.h"
#include "util.h"

static const char SQL_LOW[] =
    "SELECT s.id, s.code, p.id, p.name, s.stock, s.low_stock_threshold "
    "FROM skus s JOIN products p ON p.id = s.product_id "
    "WHERE p.merchant_id = ? AND p.status IN ('live', 'pending', 'draft')"
    " AND s.stock <= s.low_stock_threshold "
    "ORDER BY s.stock, s.id LIMIT ? OFFSET ?";
static const char SQL_LOW_COUNT[] =
    "SELECT COUNT(*) FROM skus s JOIN products p ON p.id = s.product_id "
    "WHERE p.merchant_id = ? AND p.status IN ('live', 'pending', 'draft')"
    " AND s.stock <= s.low_stock_threshold";
static const char SQL_OWN_SKU[] =
    "SELECT s.stock FROM skus s JOIN products p ON p.id = s.product_id "
    "WHERE s.id = ? AND p.merchant_id = ?";
static const char SQL_MOVES[] =
    "SELECT delta, reason, order_id,"
    " DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ') "
    "FROM inventory_movements WHERE sku_id = ? ORDER BY id DESC "
    "LIMIT ? OFFSET ?";
static const char SQL_MOVES_COUNT[] =
    "SELECT COUNT(*) FROM inventory_movements WHERE sku_id = ?";

int
inventory_low_stock(struct req *r)
{
    int64_t mid = r->session->acting_merchant_id, page, per_page;
    struct db_result res, cnt;
    json_object *items;
    int rc;

    if (req_paging_or_400(r, 50, 200, &page, &per_page))
        return JS_REPLIED;
    /* Stock decides what a merchant reorders: read the primary. */
    rc = db_read_primary(r, SQL_LOW,
                         DB_ARGS(DBP_I(mid), DBP_I(per_page),
                                 DBP_I((page - 1) * per_page)), &res);
    if (!rc)
        rc = db_read_primary(r, SQL_LOW_COUNT, DB_ARGS(DBP_I(mid)), &cnt);
    if (rc)
        return rc;
    items = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "sku_id",
                               json_int(db_get_int(&res, i, 0, 0)));
        json_object_object_add(o, "code", json_str(db_get(&res, i, 1)));
        json_object_object_add(o, "product_id",
                               json_int(db_get_int(&res, i, 2, 0)));
        json_object_object_add(o, "name", json_str(db_get(&res, i, 3)));
        json_object_object_add(o, "stock",
                               json_int(db_get_int(&res, i, 4, 0)));
        json_object_object_add(o, "threshold",
                               json_int(db_get_int(&res, i, 5, 0)));
        json_object_array_add(items, o);
    }
    return reply_list(r, items, db_get_int(&cnt, 0, 0, 0), page, per_page);
}

int
inventory_movements(struct req *r)
{
    int64_t mid = r->session->acting_merchant_id, sku, page, per_page;
    struct db_result own, res, cnt;
    json_object *items;
    int rc;

    if (req_param_id_or_404(r, "sku_id", &sku) ||
        req_paging_or_400(r, 50, 200, &page, &per_page))
        return JS_REPLIED;
    rc = db_read_primary(r, SQL_OWN_SKU, DB_ARGS(DBP_I(sku), DBP_I(mid)),
                         &own);
    if (rc)
        return rc;
    if (!own.nrows)
        return reply_err(r, JS_NOTFOUND, NULL, "SKU not found");
    rc = db_read_primary(r, SQL_MOVES,
                         DB_ARGS(DBP_I(sku), DBP_I(per_page),
                                 DBP_I((page - 1) * per_page)), &res);
    if (!rc)
        rc = db_read_primary(r, SQL_MOVES_COUNT, DB_ARGS(DBP_I(sku)), &cnt);
    if (rc)
        return rc;
    items = json_object_new_array();
    for (unsigned i = 0; i < res.nrows; i++) {
        json_object *o = json_object_new_object();
        const char *order = db_get(&res, i, 2);

        json_object_object_add(o, "delta",
                               json_int(db_get_int(&res, i, 0, 0)));
        json_object_object_add(o, "reason", json_str(db_get(&res, i, 1)));
        json_object_object_add(o, "order_id", order
                               ? json_int(db_get_int(&res, i, 2, 0)) : NULL);
        json_object_object_add(o, "at", json_str(db_get(&res, i, 3)));
        json_object_array_add(items, o);
    }
    return reply_list(r, items, db_get_int(&cnt, 0, 0, 0), page, per_page);
}
