/*
 * sandbox.c - the simulated payment gateway (see sandbox.h).
 */
#include "config.h"
#include "sandbox.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "conf.h"
#include "db.h"
#include "httpc.h"
#include "json.h"
#include "log.h"
#include "payment.h"
#include "reply.h"
#include "req.h"
#include "strbuf.h"
#include "util.h"

#define WEBHOOK_PATH "/api/v1/payments/webhook/sandbox"
#define DELIVERY_TIMEOUT_MS 5000
#define DELIVERY_BATCH 5

static const char SQL_DECIDED[] =
    "SELECT 1 FROM sandbox_deliveries WHERE payment_ref = ?";
static const char SQL_NEW_DELIVERY[] =
    "INSERT INTO sandbox_deliveries (payment_ref, event_id, body)"
    " VALUES (?, ?, ?)";
static const char SQL_DUE[] =
    "SELECT id, body, attempts FROM sandbox_deliveries "
    "WHERE delivered_at IS NULL AND attempts < ?"
    " AND next_attempt_at <= UTC_TIMESTAMP(6) "
    "ORDER BY next_attempt_at, id LIMIT ?";
static const char SQL_DELIVERED[] =
    "UPDATE sandbox_deliveries SET delivered_at = UTC_TIMESTAMP(6),"
    " attempts = attempts + 1, last_status = ?, last_error = '' "
    "WHERE id = ?";
static const char SQL_RETRY[] =
    "UPDATE sandbox_deliveries SET attempts = attempts + 1, last_status = ?,"
    " last_error = ?,"
    " next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL ? SECOND WHERE id = ?";

/* ------------------------------------------------------------------ */
/* pages                                                                */

static const char PAGE_HEAD[] =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    "<meta name=\"robots\" content=\"noindex\">"
    "<title>%s - Jishi Sandbox Pay</title><style>"
    "body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f3f4f6;"
    "color:#111827}"
    "main{max-width:26rem;margin:4rem auto;padding:2rem;background:#fff;"
    "border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.12)}"
    "h1{font-size:1.1rem;margin:0 0 1.5rem;color:#4b5563}"
    ".amount{font-size:2.2rem;font-weight:600;margin:0}"
    ".ref{color:#6b7280;font-size:.85rem;margin:.25rem 0 2rem;"
    "word-break:break-all}"
    "form{display:inline}"
    "button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:8px;"
    "cursor:pointer;margin-right:.5rem}"
    ".pay{background:#047857;color:#fff}.fail{background:#e5e7eb}"
    ".note{color:#6b7280;font-size:.85rem;margin-top:2rem}"
    "</style></head><body><main><h1>Jishi Sandbox Pay</h1>\n";
static const char PAGE_TAIL[] =
    "<p class=\"note\">A simulated payment gateway for testing: no money "
    "moves.</p></main></body></html>\n";

/* s with the five HTML specials escaped, in the arena. */
static const char *
html(struct req *r, const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    const char *out;

    strbuf_add_html(&sb, s);
    out = arena_strndup(&r->arena, sb.buf, sb.len);
    strbuf_release(&sb);
    return out;
}

/* A page with title and body_html (already escaped). */
static int
page(struct req *r, int status, const char *title, const char *body_html)
{
    struct strbuf sb = STRBUF_INIT;

    strbuf_addf(&sb, PAGE_HEAD, html(r, title));
    strbuf_adds(&sb, body_html);
    strbuf_adds(&sb, PAGE_TAIL);
    r->reply.nheaders = 0;
    reply_raw(r, status, "text/html; charset=utf-8", sb.buf, sb.len);
    strbuf_release(&sb);
    return JS_REPLIED;
}

static const char *
amount_html(struct req *r, const struct payment *p)
{
    char amount[MONEY_BUF];

    return arena_printf(&r->arena, "<p class=\"amount\">%s %s</p>"
                        "<p class=\"ref\">Payment %s</p>",
                        html(r, p->currency),
                        money_format(amount, p->amount, p->currency),
                        html(r, p->ref));
}

/* The payment named by :ref, or an error page (JS_REPLIED). */
static int
load(struct req *r, struct payment *p)
{
    const char *ref = req_param(r, "ref");
    int rc;

    if (!payment_sandbox_enabled(r))
        return page(r, 503, "Unavailable",
                    "<p>Sandbox payments are not enabled on this server "
                    "(<code>payments.sandbox_secret</code> is empty).</p>");
    if (!payment_sandbox_ref_valid(ref))
        return page(r, 404, "Not found", "<p>There is no such payment.</p>");
    rc = payment_find_by_ref(r, ref, p);
    if (rc == JS_NOTFOUND)
        return page(r, 404, "Not found", "<p>There is no such payment.</p>");
    return rc;
}

/* Whether the payer has decided on ref already: 1 yes, 0 no, or < 0. */
static int
decided(struct req *r, const char *ref)
{
    struct db_result res;
    int rc = db_read_primary(r, SQL_DECIDED, DB_ARGS(DBP_S(ref)), &res);

    return rc ? rc : res.nrows > 0;
}

int
sandbox_page(struct req *r)
{
    struct payment p;
    int rc = load(r, &p), done;

    if (rc)
        return rc;
    done = decided(r, p.ref);
    if (done < 0)
        return done;
    if (done || strcmp(p.status, "pending") != 0)
        return page(r, 200, "Payment",
                    arena_printf(&r->arena, "%s<p>This payment was already "
                                 "submitted (status: %s).</p>",
                                 amount_html(r, &p), html(r, p.status)));
    return page(r, 200, "Pay",
        arena_printf(&r->arena,
            "%s<form method=\"post\" action=\"/api/v1/sandbox/pay/%s\">"
            "<input type=\"hidden\" name=\"outcome\" value=\"succeed\">"
            "<button class=\"pay\" type=\"submit\">Pay</button></form>"
            "<form method=\"post\" action=\"/api/v1/sandbox/pay/%s\">"
            "<input type=\"hidden\" name=\"outcome\" value=\"fail\">"
            "<button class=\"fail\" type=\"submit\">Decline</button>"
            "</form>", amount_html(r, &p), html(r, p.ref),
            html(r, p.ref)));
}

/* The value of key in an application/x-www-form-urlencoded body. */
static const char *
form_value(struct req *r, const char *key)
{
    const char *p = r->body, *end = r->body + r->body_len;

    while (p && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));

        if (eq) {
            const char *k = req_decode(&r->arena, p, (size_t)(eq - p), true);

            if (k && strcmp(k, key) == 0)
                return req_decode(&r->arena, eq + 1,
                                  (size_t)(stop - eq - 1), true);
        }
        p = amp ? amp + 1 : end;
    }
    return NULL;
}

int
sandbox_decide(struct req *r)
{
    struct payment p;
    const char *outcome, *body;
    unsigned char raw[12];
    char hex[25], id[29];
    json_object *ev, *data;
    bool ok;
    int rc = load(r, &p);

    if (rc)
        return rc;
    outcome = r->body ? form_value(r, "outcome") : NULL;
    if (!outcome ||
        (strcmp(outcome, "succeed") != 0 && strcmp(outcome, "fail") != 0))
        return page(r, 400, "Bad request", "<p>Choose to pay or to "
                    "decline (form field <code>outcome</code>: "
                    "<code>succeed</code> or <code>fail</code>).</p>");
    ok = strcmp(outcome, "succeed") == 0;
    if (strcmp(p.status, "pending") != 0)
        return page(r, 409, "Already decided",
                    arena_printf(&r->arena, "%s<p>This payment is already "
                                 "%s; nothing was changed.</p>",
                                 amount_html(r, &p), html(r, p.status)));
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
    snprintf(id, sizeof(id), "evt_%s", hex);
    ev = json_object_new_object();
    data = json_object_new_object();
    json_object_object_add(ev, "id", json_str(id));
    json_object_object_add(ev, "type", json_str(ok ? "payment.succeeded"
                                                   : "payment.failed"));
    json_object_object_add(data, "payment_ref", json_str(p.ref));
    json_object_object_add(data, "amount", json_int(p.amount));
    json_object_object_add(data, "currency", json_str(p.currency));
    json_object_object_add(ev, "data", data);
    json_object_object_add(ev, "created", json_int((int64_t)time(NULL)));
    body = json_to_string(&r->arena, ev, NULL);
    json_object_put(ev);
    /* One decision per payment: the unique key refuses a second. */
    rc = db_write(r, SQL_NEW_DELIVERY,
                  DB_ARGS(DBP_S(p.ref), DBP_S(id), DBP_S(body)), NULL);
    if (rc == JS_CONFLICT)
        return page(r, 409, "Already decided",
                    arena_printf(&r->arena, "%s<p>This payment was already "
                                 "submitted; this second decision was "
                                 "ignored.</p>", amount_html(r, &p)));
    if (rc)
        return rc;
    return page(r, 200, ok ? "Payment submitted" : "Payment declined",
        arena_printf(&r->arena,
            "%s<p>%s</p><p><a href=\"/orders?checkout=%lld\">Back to your "
            "orders</a></p>", amount_html(r, &p),
            ok ? "Payment submitted. Your order will show as paid in a "
                 "moment."
               : "You declined this payment; your order is still waiting "
                 "for payment.",
            (long long)p.checkout_id));
}

/* ------------------------------------------------------------------ */
/* delivery                                                             */

/* Send one delivery; 0 when answered 2xx, else -1 with *status/err. */
static int
deliver_one(struct req *r, const char *url, const char *body, int *status,
            char *err, size_t errlen)
{
    char sig[PAYMENT_SIG_HEADER_MAX];
    const char *headers[2];

    payment_sig_header(r->conf->sandbox_secret, (int64_t)time(NULL), body,
                       strlen(body), sig);
    headers[0] = arena_printf(&r->arena, "Jishi-Signature: %s", sig);
    headers[1] = NULL;
    if (httpc_post(url, "application/json", headers, body, strlen(body),
                   DELIVERY_TIMEOUT_MS, status, err, errlen))
        return -1;
    if (*status < 200 || *status > 299) {
        snprintf(err, errlen, "answered %d", *status);
        return -1;
    }
    return 0;
}

int
sandbox_deliver(struct req *r)
{
    struct db_result due;
    const char *base = r->conf->public_url, *url;
    size_t n;
    int rc;

    if (!payment_sandbox_enabled(r))
        return JS_OK;
    rc = db_read_primary(r, SQL_DUE,
                         DB_ARGS(DBP_I(SANDBOX_MAX_ATTEMPTS),
                                 DBP_I(DELIVERY_BATCH)), &due);
    if (rc || !due.nrows)
        return rc;
    n = strlen(base);
    while (n && base[n - 1] == '/')
        n--;
    url = arena_printf(&r->arena, "%.*s" WEBHOOK_PATH, (int)n, base);
    for (unsigned i = 0; !rc && i < due.nrows; i++) {
        int64_t id = db_get_int(&due, i, 0, 0);
        int64_t attempts = db_get_int(&due, i, 2, 0);
        int status = 0;
        char err[256];

        if (deliver_one(r, url, db_get(&due, i, 1), &status, err,
                        sizeof(err)) == 0) {
            rc = db_write(r, SQL_DELIVERED,
                          DB_ARGS(DBP_I(status), DBP_I(id)), NULL);
            continue;
        }
        if (attempts + 1 >= SANDBOX_MAX_ATTEMPTS)
            warning("sandbox webhook %lld to '%s' given up after %d "
                    "attempts: %s", (long long)id, url, SANDBOX_MAX_ATTEMPTS,
                    err);
        else
            info("sandbox webhook %lld to '%s' failed (%s); retrying",
                 (long long)id, url, err);
        /* 1, 2, 4 ... seconds after the first, second, third try */
        rc = db_write(r, SQL_RETRY,
                      DB_ARGS(status ? DBP_I(status) : DBP_NULLV,
                              DBP_S(err), DBP_I(1LL << attempts),
                              DBP_I(id)), NULL);
        /* Nobody answering: the rest would wait for the timeout too. */
        if (!status)
            break;
    }
    return rc;
}
