/*
 * inventory.h - what a merchant needs to know about its stock.
 *
 * Stock itself changes only inside order and refund transactions (order.c,
 * refund.c), each change a row in `inventory_movements`.  Here: the SKUs
 * at or below their low-stock threshold, and a SKU's ledger.
 */
#ifndef JISHI_INVENTORY_H
#define JISHI_INVENTORY_H

struct req;

/* GET /api/v1/merchant/inventory/low-stock: the acting merchant's SKUs
 * with stock <= their threshold, emptiest first. */
int inventory_low_stock(struct req *r);

/* GET /api/v1/merchant/inventory/:sku_id/movements: the ledger of one of
 * the acting merchant's SKUs, newest first. */
int inventory_movements(struct req *r);

#endif
