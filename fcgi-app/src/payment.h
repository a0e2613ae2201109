/*
 * payment.h - paying for a checkout: providers, payments, webhooks.
 *
 * Owns the `payments` and `payment_events` tables.  A checkout is paid
 * by one payment through the provider the shopper chose at checkout:
 *
 *   cod      cash on delivery; nothing to start, the courier collects.
 *   sandbox  the built-in simulated gateway (sandbox.h): starting a
 *            payment gives a hosted page URL; the gateway then calls our
 *            webhook with an HMAC-SHA256 signature over the body.
 *
 * A payment moves only pending -> succeeded | failed (refunded comes
 * with refunds).  A checkout has at most one pending payment (a unique
 * key); a declined one may be followed by a new one.
 *
 * Webhooks: every authentic event is recorded in payment_events, keyed
 * by (provider, event id), in the same transaction that applies it, so
 * an event is applied at most once; a replay answers "duplicate", an
 * event that arrives when the payment has moved on ("failed" after
 * "succeeded") is recorded and changes nothing.  A forged, stale or
 * malformed request is refused with 400 and not recorded (a row per
 * unauthenticated request would let anyone fill the table, and could
 * squat an event id before the real event arrives); it is logged.
 * The amount and currency of an event must equal the payment's, else
 * the event is recorded with a note, nothing changes and the answer is
 * 422.  On success every order of the checkout still in pending_payment
 * becomes paid; one cancelled meanwhile (expired) stays cancelled and
 * the event notes "late payment, refund due".
 */
#ifndef JISHI_PAYMENT_H
#define JISHI_PAYMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct req;

/* ------------------------------------------------------------------ */
/* routes                                                               */

int payment_start(struct req *r);    /* POST /api/v1/payments */
int payment_get(struct req *r);      /* GET /api/v1/payments/:id */
/* POST /api/v1/payments/webhook/:provider */
int payment_webhook(struct req *r);

/* ------------------------------------------------------------------ */
/* payments and providers                                               */

#define PAYMENT_REF_MAX 40

struct payment {
    int64_t id;
    int64_t checkout_id;
    const char *provider;       /* "cod", "sandbox" */
    const char *status;         /* "pending", "succeeded", ... */
    int64_t amount;             /* minor units */
    char currency[4];
    char ref[PAYMENT_REF_MAX];  /* the provider's reference */
};

/*
 * A payment provider.
 *
 *   start()   called inside the transaction that creates payment p
 *             (amount and currency set): fills p->ref.  JS_OK;
 *             JS_UNPROCESSABLE when the provider takes no payment up
 *             front, JS_UNAVAILABLE when it is not configured, with a
 *             reason for the payer in *why.
 *   page()    the URL the payer pays p at (arena), or NULL.
 *   verify()  authenticate a webhook request (raw body in r->body):
 *             JS_OK, JS_INVALID with a reason in *why, or JS_UNAVAILABLE
 *             when not configured; NULL when the provider sends none.
 *   refund()  give amount of p back to the payer (inside the caller's
 *             transaction); NULL when the provider has nothing to give
 *             back (cash on delivery is returned by the merchant).
 */
struct payment_provider {
    const char *name;
    int (*start)(struct req *r, struct payment *p, const char **why);
    const char *(*page)(struct req *r, const struct payment *p);
    int (*verify)(struct req *r, const char **why);
    int (*refund)(struct req *r, const struct payment *p, int64_t amount);
};

/*
 * Give amount back for order_id through the provider of the checkout's
 * succeeded payment, inside the caller's transaction.  Sets *returned to
 * the amount returned through a provider (0 when nothing was paid up
 * front, as with cash on delivery before delivery).  JS_OK or an error.
 */
int payment_refund_order(struct req *r, int64_t order_id, int64_t amount,
                         int64_t *returned);

/* The provider called name, or NULL. */
const struct payment_provider *payment_provider_find(const char *name);

/*
 * Load the sandbox payment with reference ref into *p (strings in the
 * arena), from the primary.  JS_NOTFOUND when there is none.
 */
int payment_find_by_ref(struct req *r, const char *ref, struct payment *p);

/* True when ref looks like a sandbox reference: "sbx_" + 24 hex. */
bool payment_sandbox_ref_valid(const char *ref);

/* True when the sandbox gateway is configured (payments.sandbox_secret). */
bool payment_sandbox_enabled(const struct req *r);

/* ------------------------------------------------------------------ */
/* webhook signatures (pure)                                            */

/*
 * The header "Jishi-Signature: t=<unix>,v1=<hex>" carries the time of
 * signing and HMAC-SHA256(secret, "<t>.<body>") in lower-case hex.  The
 * header is comma-separated key=value parts: exactly one t (decimal, no
 * sign or leading zero, at most 12 digits), one to PAYMENT_SIG_MAX_V1 v1
 * (64 hex digits each; several allow rotating the secret), unknown keys
 * ignored; empty parts, parts without '=', or a header longer than
 * PAYMENT_SIG_HEADER_MAX are refused.
 */
#define PAYMENT_SIG_MAX_V1 4
#define PAYMENT_SIG_HEADER_MAX 512
#define PAYMENT_SIG_TOLERANCE 300       /* seconds either way */

struct payment_sig {
    int64_t t;
    unsigned char v1[PAYMENT_SIG_MAX_V1][32];
    unsigned nv1;
};

/* Parse a header; JS_OK or JS_INVALID with a reason in *why. */
int payment_sig_parse(const char *header, struct payment_sig *sig,
                      const char **why);

/* HMAC-SHA256(secret, "<t>.<body>"). */
void payment_sig_mac(const char *secret, int64_t t, const char *body,
                     size_t len, unsigned char mac[32]);

/* The header value for body signed at t (NUL-terminated). */
void payment_sig_header(const char *secret, int64_t t, const char *body,
                        size_t len, char out[PAYMENT_SIG_HEADER_MAX]);

/* True when |now - t| <= tolerance seconds. */
bool payment_sig_fresh(int64_t t, int64_t now, int64_t tolerance);

/*
 * Check header against body: parsed, fresh at now, and one v1 equal (in
 * constant time) to the MAC under secret.  JS_OK or JS_INVALID with a
 * reason in *why.  An empty secret verifies nothing.
 */
int payment_sig_verify(const char *secret, const char *header,
                       const char *body, size_t len, int64_t now,
                       const char **why);

#endif
