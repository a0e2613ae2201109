/*
 * routes.c - the route table: every URL the application answers, the
 * access each requires and its handler.  The one file that knows them all;
 * fcgi-app/openapi.yaml documents the same list (a test compares them).
 *
 * Access levels (router.h): PUBLIC, LOOPBACK, GUEST (any session; a safe
 * request creates a guest session), SHOPPER (signed in), MERCHANT (staff
 * of the session's acting merchant), OWNER (its owner), ADMIN.  Unsafe
 * methods on session routes need X-CSRF-Token unless ROUTE_NOCSRF.
 */
#include "config.h"
#include "router.h"

#include "account.h"
#include "address.h"
#include "admin.h"
#include "audit.h"
#include "cart.h"
#include "catalog.h"
#include "feed.h"
#include "fulfil.h"
#include "inventory.h"
#include "media.h"
#include "merchant.h"
#include "ops.h"
#include "order.h"
#include "page.h"
#include "refund.h"
#include "payment.h"
#include "promo.h"
#include "sandbox.h"
#include "search.h"
#include "util.h"

#define J ROUTE_JSON
#define NOCSRF ROUTE_NOCSRF

const struct route routes[] = {
    /* operations */
    { "GET",    "/api/v1/health", ops_health, ACCESS_PUBLIC, 0 },
    { "GET",    "/api/v1/ping", ops_ping, ACCESS_PUBLIC, 0 },
    { "POST",   "/api/v1/_echo", ops_echo, ACCESS_PUBLIC, J },
    { "GET",    "/metrics", ops_metrics, ACCESS_LOOPBACK, 0 },

    /* catalog */
    { "GET",    "/api/v1/categories", catalog_categories, ACCESS_PUBLIC, 0 },
    { "GET",    "/api/v1/brands", catalog_brands, ACCESS_PUBLIC, 0 },
    { "GET",    "/api/v1/products", catalog_products, ACCESS_PUBLIC, 0 },
    { "GET",    "/api/v1/products/:ref", catalog_product, ACCESS_PUBLIC, 0 },
    { "GET",    "/api/v1/search/suggest", search_suggest, ACCESS_PUBLIC, 0 },
    { "GET",    "/api/v1/flash-sales", promo_flash_list, ACCESS_PUBLIC, 0 },

    /* crawler and shopping-engine XML */
    { "GET",    "/sitemap.xml", feed_sitemap_index, ACCESS_PUBLIC, 0 },
    { "GET",    "/sitemaps/:name", feed_sitemap_page, ACCESS_PUBLIC, 0 },
    { "GET",    "/feeds/products.xml", feed_products, ACCESS_PUBLIC, 0 },

    /* shareable product pages: the SPA's index.html with the head filled */
    { "GET",    "/p/:slug", page_product, ACCESS_PUBLIC, 0 },

    /* cart, checkout, orders */
    { "GET",    "/api/v1/cart", cart_get, ACCESS_GUEST, 0 },
    { "POST",   "/api/v1/cart/items", cart_add, ACCESS_GUEST, J },
    { "PATCH",  "/api/v1/cart/items/:id", cart_update, ACCESS_GUEST, J },
    { "DELETE", "/api/v1/cart/items/:id", cart_remove, ACCESS_GUEST, 0 },
    { "POST",   "/api/v1/checkout/quote", order_quote, ACCESS_SHOPPER, J },
    { "POST",   "/api/v1/checkout", order_checkout, ACCESS_SHOPPER,
      J | ROUTE_IDEMPOTENT },
    { "GET",    "/api/v1/orders", order_list, ACCESS_SHOPPER, 0 },
    { "GET",    "/api/v1/orders/:id", order_get, ACCESS_SHOPPER, 0 },
    { "POST",   "/api/v1/orders/:id/cancel", order_cancel, ACCESS_SHOPPER,
      0 },
    { "POST",   "/api/v1/orders/:id/confirm", fulfil_confirm,
      ACCESS_SHOPPER, 0 },
    { "POST",   "/api/v1/orders/:id/refund", refund_request, ACCESS_SHOPPER,
      J },

    /* payments, and the simulated gateway's hosted page */
    { "POST",   "/api/v1/payments", payment_start, ACCESS_SHOPPER, J },
    { "GET",    "/api/v1/payments/:id", payment_get, ACCESS_SHOPPER, 0 },
    { "POST",   "/api/v1/payments/webhook/:provider", payment_webhook,
      ACCESS_PUBLIC, NOCSRF },
    { "GET",    "/api/v1/sandbox/pay/:ref", sandbox_page, ACCESS_PUBLIC, 0 },
    { "POST",   "/api/v1/sandbox/pay/:ref", sandbox_decide, ACCESS_PUBLIC,
      NOCSRF },

    /* accounts */
    { "POST",   "/api/v1/auth/register", account_register, ACCESS_PUBLIC,
      J | NOCSRF },
    { "POST",   "/api/v1/auth/login", account_login, ACCESS_PUBLIC,
      J | NOCSRF },
    { "POST",   "/api/v1/auth/logout", account_logout, ACCESS_GUEST, 0 },
    { "POST",   "/api/v1/auth/logout-all", account_logout_all,
      ACCESS_SHOPPER, 0 },
    { "POST",   "/api/v1/auth/password-reset", account_reset_request,
      ACCESS_PUBLIC, J | NOCSRF },
    { "POST",   "/api/v1/auth/password-reset/confirm", account_reset_confirm,
      ACCESS_PUBLIC, J | NOCSRF },
    { "GET",    "/api/v1/me", account_me, ACCESS_GUEST, 0 },
    { "PATCH",  "/api/v1/me", account_update_me, ACCESS_SHOPPER, J },
    { "DELETE", "/api/v1/me", account_delete, ACCESS_SHOPPER, J },
    { "POST",   "/api/v1/me/password", account_change_password,
      ACCESS_SHOPPER, J },
    { "PUT",    "/api/v1/me/acting-merchant", account_set_acting_merchant,
      ACCESS_SHOPPER, J },
    { "GET",    "/api/v1/me/export", account_export, ACCESS_SHOPPER, 0 },
    { "GET",    "/api/v1/me/addresses", address_list, ACCESS_SHOPPER, 0 },
    { "POST",   "/api/v1/me/addresses", address_create, ACCESS_SHOPPER, J },
    { "PATCH",  "/api/v1/me/addresses/:id", address_update, ACCESS_SHOPPER,
      J },
    { "DELETE", "/api/v1/me/addresses/:id", address_delete, ACCESS_SHOPPER,
      0 },

    /* merchants: applying, and the acting merchant's own staff */
    { "POST",   "/api/v1/merchants", merchant_apply, ACCESS_SHOPPER, J },
    { "GET",    "/api/v1/merchant", merchant_profile, ACCESS_MERCHANT, 0 },
    { "GET",    "/api/v1/merchant/members", merchant_members,
      ACCESS_MERCHANT, 0 },
    { "POST",   "/api/v1/merchant/members", merchant_member_add,
      ACCESS_OWNER, J },
    { "DELETE", "/api/v1/merchant/members/:user_id", merchant_member_remove,
      ACCESS_OWNER, 0 },
    { "POST",   "/api/v1/merchant/images", media_upload, ACCESS_MERCHANT,
      ROUTE_UPLOAD },
    { "GET",    "/api/v1/merchant/inventory/low-stock", inventory_low_stock,
      ACCESS_MERCHANT, 0 },
    { "GET",    "/api/v1/merchant/inventory/:sku_id/movements",
      inventory_movements, ACCESS_MERCHANT, 0 },
    { "GET",    "/api/v1/merchant/orders", fulfil_list, ACCESS_MERCHANT, 0 },
    { "GET",    "/api/v1/merchant/orders/:id", fulfil_get, ACCESS_MERCHANT,
      0 },
    { "POST",   "/api/v1/merchant/orders/:id/ship", fulfil_ship,
      ACCESS_MERCHANT, J },
    { "POST",   "/api/v1/merchant/orders/:id/deliver", fulfil_deliver,
      ACCESS_MERCHANT, 0 },
    { "POST",   "/api/v1/merchant/orders/:id/refund/approve", refund_approve,
      ACCESS_MERCHANT, J },
    { "POST",   "/api/v1/merchant/orders/:id/refund/reject", refund_reject,
      ACCESS_MERCHANT, J },
    { "GET",    "/api/v1/merchant/flash-sales", promo_merchant_list,
      ACCESS_MERCHANT, 0 },
    { "POST",   "/api/v1/merchant/flash-sales", promo_merchant_create,
      ACCESS_MERCHANT, J },
    { "POST",   "/api/v1/merchant/flash-sales/:id/end", promo_merchant_end,
      ACCESS_MERCHANT, 0 },

    /* platform administration */
    { "GET",    "/api/v1/admin/users", admin_users, ACCESS_ADMIN, 0 },
    { "POST",   "/api/v1/admin/users/:id/disable", admin_user_disable,
      ACCESS_ADMIN, 0 },
    { "POST",   "/api/v1/admin/users/:id/enable", admin_user_enable,
      ACCESS_ADMIN, 0 },
    { "GET",    "/api/v1/admin/merchants", admin_merchants, ACCESS_ADMIN, 0 },
    { "POST",   "/api/v1/admin/merchants/:id/approve", admin_merchant_approve,
      ACCESS_ADMIN, 0 },
    { "POST",   "/api/v1/admin/merchants/:id/reject", admin_merchant_reject,
      ACCESS_ADMIN, 0 },
    { "POST",   "/api/v1/admin/merchants/:id/suspend", admin_merchant_suspend,
      ACCESS_ADMIN, J },
    { "GET",    "/api/v1/admin/audit-log", audit_list, ACCESS_ADMIN, 0 },

    { NULL, NULL, NULL, ACCESS_UNSET, 0 }
};

size_t
routes_count(void)
{
    return ARRAY_SIZE(routes) - 1;
}
