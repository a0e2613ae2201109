/*
 * sandbox.h - the simulated payment gateway ("Jishi Sandbox Pay").
 *
 * Behaves like an outside gateway so the whole payment path runs for
 * real in development and tests: a hosted page per payment where the
 * payer decides (succeed or fail), and signed webhook calls to our
 * public URL, retried with backoff until one is answered 2xx.  It owns
 * the `sandbox_deliveries` table (its own outgoing queue: one row per
 * decided payment, so a second decision is refused) and knows payments
 * only through payment.h.
 *
 * Enabled only when payments.sandbox_secret is set; otherwise every
 * sandbox route answers 503.  Pages are self-contained HTML (inline CSS,
 * no scripts, no outside assets), every inserted value escaped.
 */
#ifndef JISHI_SANDBOX_H
#define JISHI_SANDBOX_H

struct req;

int sandbox_page(struct req *r);     /* GET /api/v1/sandbox/pay/:ref */
int sandbox_decide(struct req *r);   /* POST /api/v1/sandbox/pay/:ref */

/*
 * Job: POST due deliveries to conf->public_url +
 * "/api/v1/payments/webhook/sandbox", signed at the time of sending.
 * 2xx marks a delivery done; anything else retries after 1, 2, 4 ... s,
 * SANDBOX_MAX_ATTEMPTS tries in all.
 */
#define SANDBOX_MAX_ATTEMPTS 10
int sandbox_deliver(struct req *r);

#endif
