/*
 * payment.c - payments, providers and webhooks (see payment.h).
 */
#include "config.h"
#include "payment.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "auth.h"
#include "conf.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "order.h"
#include "outbox.h"
#include "reply.h"
#include "req.h"
#include "util.h"
#include "validate.h"

#define SANDBOX_PREFIX "sbx_"
#define WEBHOOK_MAX_BODY 16384

#define PAY_COLS \
    "SELECT p.id, p.checkout_id, p.provider, p.status, p.amount," \
    " p.currency, p.provider_ref," \
    " DATE_FORMAT(p.created_at, '%Y-%m-%dT%H:%i:%sZ')," \
    " DATE_FORMAT(p.updated_at, '%Y-%m-%dT%H:%i:%sZ') FROM payments p "

static const char SQL_LOCK_CHECKOUT[] =
    "SELECT user_id, payment_method FROM checkouts WHERE id = ? FOR UPDATE";
static const char SQL_DUE[] =
    "SELECT COUNT(*), COALESCE(SUM(total), 0), MIN(currency), MAX(currency)"
    " FROM orders WHERE checkout_id = ? AND status = 'pending_payment'";
static const char SQL_PENDING_OF_CHECKOUT[] =
    PAY_COLS "WHERE p.checkout_id = ? AND p.status = 'pending' FOR UPDATE";
static const char SQL_SUPERSEDE[] =
    "UPDATE payments SET status = 'failed', updated_at = UTC_TIMESTAMP(6) "
    "WHERE id = ? AND status = 'pending'";
static const char SQL_NEW[] =
    "INSERT INTO payments (checkout_id, provider, amount, currency,"
    " provider_ref) VALUES (?, ?, ?, ?, ?)";
static const char SQL_OF_USER[] =
    PAY_COLS "JOIN checkouts c ON c.id = p.checkout_id "
    "WHERE p.id = ? AND c.user_id = ?";
static const char SQL_BY_REF[] =
    PAY_COLS "WHERE p.provider_ref = ? AND p.provider = ?";
static const char SQL_LOCK_BY_REF[] =
    PAY_COLS "WHERE p.provider_ref = ? AND p.provider = ? FOR UPDATE";
static const char SQL_NEW_EVENT[] =
    "INSERT INTO payment_events (provider, event_id, payment_id, type, body)"
    " VALUES (?, ?, ?, ?, ?)";
static const char SQL_EVENT_DONE[] =
    "UPDATE payment_events SET applied = ?, note = ? WHERE id = ?";
static const char SQL_SET_STATUS[] =
    "UPDATE payments SET status = ?, updated_at = UTC_TIMESTAMP(6) "
    "WHERE id = ? AND status = 'pending'";
static const char SQL_CHECKOUT_ORDERS[] =
    "SELECT id, status, total FROM orders WHERE checkout_id = ? "
    "ORDER BY id FOR UPDATE";
static const char SQL_BUYER[] =
    "SELECT u.email FROM checkouts c JOIN users u ON u.id = c.user_id "
    "WHERE c.id = ? AND u.status = 'active'";

/* ------------------------------------------------------------------ */
/* webhook signatures                                                   */

static bool
all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

/* One key=value part of a signature header, trimmed of blanks. */
static int
sig_part(struct payment_sig *sig, bool *have_t, const char *p, size_t n,
         const char **why)
{
    const char *eq, *v;
    size_t klen, vlen;

    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (n == 0)
        return *why = "empty part in the signature header", JS_INVALID;
    eq = memchr(p, '=', n);
    if (!eq || eq == p)
        return *why = "malformed signature header", JS_INVALID;
    klen = (size_t)(eq - p);
    v = eq + 1;
    vlen = n - klen - 1;
    if (klen == 1 && p[0] == 't') {
        int64_t t = 0;

        if (*have_t)
            return *why = "duplicate timestamp in the signature header",
                   JS_INVALID;
        if (!all_digits(v, vlen) || vlen > 12 || v[0] == '0')
            return *why = "malformed timestamp in the signature header",
                   JS_INVALID;
        for (size_t i = 0; i < vlen; i++)
            t = t * 10 + (v[i] - '0');
        sig->t = t;
        *have_t = true;
    } else if (klen == 2 && p[0] == 'v' && p[1] == '1') {
        size_t bin_len = 0;

        if (sig->nv1 == PAYMENT_SIG_MAX_V1)
            return *why = "too many signatures in the header", JS_INVALID;
        if (vlen != 64 ||
            sodium_hex2bin(sig->v1[sig->nv1], 32, v, vlen, NULL, &bin_len,
                           NULL) != 0 || bin_len != 32)
            return *why = "malformed signature in the header", JS_INVALID;
        sig->nv1++;
    }
    /* other keys (future schemes) are ignored */
    return JS_OK;
}

int
payment_sig_parse(const char *header, struct payment_sig *sig,
                  const char **why)
{
    bool have_t = false;
    size_t len;
    int rc;

    memset(sig, 0, sizeof(*sig));
    if (!header || !*header)
        return *why = "missing Jishi-Signature header", JS_INVALID;
    len = strlen(header);
    if (len >= PAYMENT_SIG_HEADER_MAX)
        return *why = "signature header too long", JS_INVALID;
    for (const char *p = header;;) {
        const char *comma = memchr(p, ',', len - (size_t)(p - header));
        size_t n = comma ? (size_t)(comma - p) : len - (size_t)(p - header);

        rc = sig_part(sig, &have_t, p, n, why);
        if (rc)
            return rc;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (!have_t)
        return *why = "no timestamp in the signature header", JS_INVALID;
    if (!sig->nv1)
        return *why = "no v1 signature in the header", JS_INVALID;
    return JS_OK;
}

void
payment_sig_mac(const char *secret, int64_t t, const char *body, size_t len,
                unsigned char mac[32])
{
    crypto_auth_hmacsha256_state st;
    char ts[24];
    int n = snprintf(ts, sizeof(ts), "%lld.", (long long)t);

    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
                                strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (size_t)n);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof(st));
}

void
payment_sig_header(const char *secret, int64_t t, const char *body,
                   size_t len, char out[PAYMENT_SIG_HEADER_MAX])
{
    unsigned char mac[32];
    char hex[65];

    payment_sig_mac(secret, t, body, len, mac);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    snprintf(out, PAYMENT_SIG_HEADER_MAX, "t=%lld,v1=%s", (long long)t, hex);
}

bool
payment_sig_fresh(int64_t t, int64_t now, int64_t tolerance)
{
    return t >= now - tolerance && t <= now + tolerance;
}

int
payment_sig_verify(const char *secret, const char *header, const char *body,
                   size_t len, int64_t now, const char **why)
{
    struct payment_sig sig;
    unsigned char mac[32];
    int match = 0;
    int rc;

    if (!secret || !*secret)
        return *why = "no signing secret configured", JS_INVALID;
    rc = payment_sig_parse(header, &sig, why);
    if (rc)
        return rc;
    if (!payment_sig_fresh(sig.t, now, PAYMENT_SIG_TOLERANCE))
        return *why = "signature timestamp outside the allowed window",
               JS_INVALID;
    payment_sig_mac(secret, sig.t, body ? body : "", len, mac);
    /* Compare with every v1, without stopping at the first match. */
    for (unsigned i = 0; i < sig.nv1; i++)
        match |= sodium_memcmp(mac, sig.v1[i], sizeof(mac)) == 0;
    if (!match)
        return *why = "signature does not match", JS_INVALID;
    return JS_OK;
}

/* ------------------------------------------------------------------ */
/* providers                                                            */

bool
payment_sandbox_enabled(const struct req *r)
{
    return r->conf->sandbox_secret && *r->conf->sandbox_secret;
}

bool
payment_sandbox_ref_valid(const char *ref)
{
    size_t n = strlen(SANDBOX_PREFIX);

    if (!ref || strncmp(ref, SANDBOX_PREFIX, n) != 0 || strlen(ref) != n + 24)
        return false;
    for (ref += n; *ref; ref++)
        if (!((*ref >= '0' && *ref <= '9') || (*ref >= 'a' && *ref <= 'f')))
            return false;
    return true;
}

static int
cod_start(struct req *r, struct payment *p, const char **why)
{
    (void)r;
    (void)p;
    *why = "cash on delivery is paid to the courier";
    return JS_UNPROCESSABLE;
}

static int
sandbox_start(struct req *r, struct payment *p, const char **why)
{
    unsigned char raw[12];
    char hex[25];

    if (!payment_sandbox_enabled(r)) {
        *why = "sandbox payments are not enabled on this server "
               "(payments.sandbox_secret is empty)";
        return JS_UNAVAILABLE;
    }
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
    snprintf(p->ref, sizeof(p->ref), SANDBOX_PREFIX "%s", hex);
    return JS_OK;
}

static const char *
sandbox_page_url(struct req *r, const struct payment *p)
{
    return arena_printf(&r->arena, "/api/v1/sandbox/pay/%s", p->ref);
}

static int
sandbox_verify(struct req *r, const char **why)
{
    if (!payment_sandbox_enabled(r)) {
        *why = "sandbox payments are not enabled on this server "
               "(payments.sandbox_secret is empty)";
        return JS_UNAVAILABLE;
    }
    return payment_sig_verify(r->conf->sandbox_secret,
                              req_env(r, "HTTP_JISHI_SIGNATURE"), r->body,
                              r->body ? r->body_len : 0, (int64_t)time(NULL),
                              why);
}

static const char SQL_REFUND[] =
    "UPDATE payments SET refunded_amount = refunded_amount + ?,"
    " status = IF(refunded_amount >= amount, 'refunded', status),"
    " updated_at = UTC_TIMESTAMP(6) "
    "WHERE id = ? AND status = 'succeeded' AND refunded_amount + ? <= amount";

/* The sandbox settles refunds at once: the money is recorded as given
 * back on the payment. */
static int
sandbox_refund(struct req *r, const struct payment *p, int64_t amount)
{
    struct db_result res;
    int rc = db_write(r, SQL_REFUND,
                      DB_ARGS(DBP_I(amount), DBP_I(p->id), DBP_I(amount)),
                      &res);

    if (rc)
        return rc;
    return res.affected == 1 ? JS_OK : JS_UNPROCESSABLE;
}

static const struct payment_provider providers[] = {
    { "cod", cod_start, NULL, NULL, NULL },
    { "sandbox", sandbox_start, sandbox_page_url, sandbox_verify,
      sandbox_refund },
};

static const char SQL_PAID_FOR_ORDER[] =
    "SELECT p.id, p.provider, p.amount, p.currency FROM orders o "
    "JOIN payments p ON p.checkout_id = o.checkout_id"
    " AND p.status = 'succeeded' "
    "WHERE o.id = ? ORDER BY p.id DESC LIMIT 1 FOR UPDATE";

int
payment_refund_order(struct req *r, int64_t order_id, int64_t amount,
                     int64_t *returned)
{
    const struct payment_provider *prov;
    struct payment p;
    struct db_result res;
    int rc;

    *returned = 0;
    rc = db_read_primary(r, SQL_PAID_FOR_ORDER, DB_ARGS(DBP_I(order_id)),
                         &res);
    if (rc || !res.nrows)
        return rc;      /* nothing was paid through a provider */
    memset(&p, 0, sizeof(p));
    p.id = db_get_int(&res, 0, 0, 0);
    p.provider = db_get(&res, 0, 1);
    p.amount = db_get_int(&res, 0, 2, 0);
    snprintf(p.currency, sizeof(p.currency), "%s", db_get(&res, 0, 3));
    prov = payment_provider_find(p.provider);
    if (!prov || !prov->refund)
        return JS_OK;
    rc = prov->refund(r, &p, amount);
    if (!rc)
        *returned = amount;
    return rc;
}

const struct payment_provider *
payment_provider_find(const char *name)
{
    for (size_t i = 0; name && i < ARRAY_SIZE(providers); i++)
        if (strcmp(providers[i].name, name) == 0)
            return &providers[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* payments                                                             */

/* Row i of a PAY_COLS result into *p. */
static void
payment_load(const struct db_result *res, unsigned i, struct payment *p)
{
    memset(p, 0, sizeof(*p));
    p->id = db_get_int(res, i, 0, 0);
    p->checkout_id = db_get_int(res, i, 1, 0);
    p->provider = db_get(res, i, 2);
    p->status = db_get(res, i, 3);
    p->amount = db_get_int(res, i, 4, 0);
    snprintf(p->currency, sizeof(p->currency), "%s", db_get(res, i, 5));
    snprintf(p->ref, sizeof(p->ref), "%s", db_get(res, i, 6));
}

int
payment_find_by_ref(struct req *r, const char *ref, struct payment *p)
{
    struct db_result res;
    int rc = db_read_primary(r, SQL_BY_REF,
                             DB_ARGS(DBP_S(ref), DBP_S("sandbox")), &res);

    if (rc)
        return rc;
    if (!res.nrows)
        return JS_NOTFOUND;
    payment_load(&res, 0, p);
    return JS_OK;
}

static json_object *
payment_json(struct req *r, const struct payment *p, const char *created,
             const char *updated)
{
    const struct payment_provider *pv = payment_provider_find(p->provider);
    json_object *o = json_object_new_object();
    const char *url = NULL;

    if (pv && pv->page && strcmp(p->status, "pending") == 0)
        url = pv->page(r, p);
    json_object_object_add(o, "payment_id", json_int(p->id));
    json_object_object_add(o, "checkout_id", json_int(p->checkout_id));
    json_object_object_add(o, "provider", json_str(p->provider));
    json_object_object_add(o, "status", json_str(p->status));
    json_object_object_add(o, "amount", json_money(p->amount, p->currency));
    json_object_object_add(o, "pay_url", url ? json_str(url) : NULL);
    json_object_object_add(o, "created_at", created ? json_str(created)
                                                    : NULL);
    json_object_object_add(o, "updated_at", updated ? json_str(updated)
                                                    : NULL);
    return o;
}

struct start {
    int64_t checkout_id;
    int64_t user_id;
    /* results */
    struct payment p;
    const char *why;
    bool existing;
};

/*
 * Create the payment of a checkout, or find its pending one.  The
 * checkout row lock serialises concurrent starts; a pending payment for
 * a different amount (an order was cancelled since) is superseded.
 */
static int
start_txn(struct req *r, void *arg)
{
    struct start *s = arg;
    const struct payment_provider *pv;
    struct db_result co, due, pend, ins;
    int64_t amount;
    int rc;

    s->why = NULL;
    s->existing = false;
    memset(&s->p, 0, sizeof(s->p));
    rc = db_read_primary(r, SQL_LOCK_CHECKOUT,
                         DB_ARGS(DBP_I(s->checkout_id)), &co);
    if (rc)
        return rc;
    if (!co.nrows || db_get_int(&co, 0, 0, 0) != s->user_id)
        return JS_NOTFOUND;
    pv = payment_provider_find(db_get(&co, 0, 1));
    if (!pv) {
        s->why = "this checkout's payment method is not supported";
        return JS_UNPROCESSABLE;
    }
    s->p.checkout_id = s->checkout_id;
    s->p.provider = pv->name;
    s->p.status = "pending";
    rc = pv->start(r, &s->p, &s->why);
    if (rc)
        return rc;
    rc = db_read_primary(r, SQL_DUE, DB_ARGS(DBP_I(s->checkout_id)), &due);
    if (rc)
        return rc;
    if (db_get_int(&due, 0, 0, 0) == 0) {
        s->why = "nothing to pay: the orders of this checkout are paid or "
                 "cancelled";
        return JS_UNPROCESSABLE;
    }
    if (strcmp(db_get(&due, 0, 2), db_get(&due, 0, 3)) != 0) {
        s->why = "the orders of this checkout are in several currencies";
        return JS_UNPROCESSABLE;
    }
    amount = db_get_int(&due, 0, 1, 0);
    s->p.amount = amount;
    snprintf(s->p.currency, sizeof(s->p.currency), "%s", db_get(&due, 0, 2));
    rc = db_read_primary(r, SQL_PENDING_OF_CHECKOUT,
                         DB_ARGS(DBP_I(s->checkout_id)), &pend);
    if (rc)
        return rc;
    if (pend.nrows) {
        struct payment old;

        payment_load(&pend, 0, &old);
        if (old.amount == amount && strcmp(old.currency, s->p.currency) == 0 &&
            strcmp(old.provider, pv->name) == 0) {
            s->p = old;
            s->existing = true;
            return JS_OK;
        }
        rc = db_write(r, SQL_SUPERSEDE, DB_ARGS(DBP_I(old.id)), NULL);
        if (rc)
            return rc;
        info("payment %lld of checkout %lld superseded: due is now %lld",
             (long long)old.id, (long long)s->checkout_id, (long long)amount);
    }
    rc = db_write(r, SQL_NEW,
                  DB_ARGS(DBP_I(s->checkout_id), DBP_S(pv->name),
                          DBP_I(amount), DBP_S(s->p.currency),
                          DBP_S(s->p.ref)), &ins);
    if (rc)
        return rc;
    s->p.id = (int64_t)ins.insert_id;
    return JS_OK;
}

int
payment_start(struct req *r)
{
    struct start s;
    struct db_result res;
    bool present;
    int rc;

    memset(&s, 0, sizeof(s));
    if (v_int(r, "checkout_id", 1, INT64_MAX / 2, true, &s.checkout_id,
              &present))
        return JS_REPLIED;
    s.user_id = r->session->user_id;
    rc = db_txn(r, start_txn, &s);
    if (rc == JS_CONFLICT && !r->reply.status)
        rc = db_txn(r, start_txn, &s);     /* a concurrent start won */
    if (rc == JS_NOTFOUND)
        return reply_err(r, JS_NOTFOUND, "checkout_id", "checkout not found");
    if ((rc == JS_UNPROCESSABLE || rc == JS_UNAVAILABLE) && s.why)
        return reply_err(r, rc, "checkout_id", "%s", s.why);
    if (rc)
        return rc;
    rc = db_read_primary(r, SQL_OF_USER,
                         DB_ARGS(DBP_I(s.p.id), DBP_I(s.user_id)), &res);
    if (rc)
        return rc;
    if (!res.nrows)
        BUG("payment %lld vanished", (long long)s.p.id);
    payment_load(&res, 0, &s.p);
    return reply_json(r, s.existing ? 200 : 201,
                      payment_json(r, &s.p, db_get(&res, 0, 7),
                                   db_get(&res, 0, 8)));
}

int
payment_get(struct req *r)
{
    struct db_result res;
    struct payment p;
    int64_t id;
    int rc;

    if (req_param_id_or_404(r, "id", &id))
        return JS_REPLIED;
    /* Payment state is read from the primary (DESIGN 4). */
    rc = db_read_primary(r, SQL_OF_USER,
                         DB_ARGS(DBP_I(id), DBP_I(r->session->user_id)),
                         &res);
    if (rc)
        return rc;
    if (!res.nrows)
        return reply_err(r, JS_NOTFOUND, NULL, "payment not found");
    payment_load(&res, 0, &p);
    return reply_json(r, 200, payment_json(r, &p, db_get(&res, 0, 7),
                                           db_get(&res, 0, 8)));
}

/* ------------------------------------------------------------------ */
/* webhooks                                                             */

struct event {
    const char *id;
    const char *type;
    const char *ref;
    const char *currency;
    int64_t amount;
};

enum hook_outcome { HOOK_IGNORED, HOOK_APPLIED, HOOK_MISMATCH };

struct hook {
    const char *provider;
    struct event ev;
    const char *body;
    size_t len;
    /* results */
    bool duplicate;
    enum hook_outcome outcome;
    const char *note;
    int64_t payment_id;
    int64_t checkout_id;
    unsigned npaid;
    unsigned nlate;
    const char *late_ids;       /* "12, 13" */
};

static bool
event_id_ok(const char *s)
{
    size_t n = 0;

    for (; *s; s++, n++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return n >= 1 && n <= 64;
}

/* The fields of an event we act on; JS_INVALID with *why otherwise. */
static int
event_parse(json_object *root, struct event *ev, const char **why)
{
    json_object *data;

    memset(ev, 0, sizeof(*ev));
    if (!json_object_is_type(root, json_type_object) ||
        json_get_string(root, "id", &ev->id) || !event_id_ok(ev->id))
        return *why = "event 'id' must be 1 to 64 letters, digits, '_' "
                      "or '-'", JS_INVALID;
    if (json_get_string(root, "type", &ev->type) || strlen(ev->type) > 40 ||
        has_control_chars(ev->type, false))
        return *why = "event 'type' must be a short string", JS_INVALID;
    if (!json_object_object_get_ex(root, "data", &data) ||
        !json_object_is_type(data, json_type_object))
        return *why = "event 'data' must be an object", JS_INVALID;
    if (json_get_string(data, "payment_ref", &ev->ref) ||
        strlen(ev->ref) >= PAYMENT_REF_MAX ||
        has_control_chars(ev->ref, false))
        return *why = "'data.payment_ref' must be a short string",
               JS_INVALID;
    if (json_get_int64(data, "amount", 0, INT64_MAX / 2, &ev->amount))
        return *why = "'data.amount' must be a non-negative integer",
               JS_INVALID;
    if (json_get_string(data, "currency", &ev->currency) ||
        strlen(ev->currency) != 3 || has_control_chars(ev->currency, false))
        return *why = "'data.currency' must be a 3-letter code", JS_INVALID;
    return JS_OK;
}

/* Mark every order of the checkout still awaiting payment as paid. */
static int
hook_pay_orders(struct req *r, struct hook *h)
{
    struct db_result o;
    const char *note = arena_printf(&r->arena, "paid via %s", h->provider);
    const char *late = "";
    int rc;

    rc = db_read_primary(r, SQL_CHECKOUT_ORDERS,
                         DB_ARGS(DBP_I(h->checkout_id)), &o);
    for (unsigned i = 0; !rc && i < o.nrows; i++) {
        int64_t id = db_get_int(&o, i, 0, 0);
        const char *st = db_get(&o, i, 1);

        if (strcmp(st, "pending_payment") == 0 &&
            order_can_transition(st, "paid", h->provider)) {
            rc = order_move(r, id, 0, 0, "paid", note);
            if (rc == JS_OK)
                h->npaid++;
        } else if (strcmp(st, "cancelled") == 0) {
            late = arena_printf(&r->arena, "%s%s%lld", late,
                                h->nlate ? ", " : "", (long long)id);
            h->nlate++;
        }
    }
    if (rc)
        return rc;
    h->late_ids = late;
    if (h->nlate)
        h->note = arena_printf(&r->arena, "paid %u order(s); late payment, "
                               "refund due: order(s) %s cancelled before "
                               "the payment", h->npaid, late);
    else
        h->note = arena_printf(&r->arena, "paid %u order(s)", h->npaid);
    return JS_OK;
}

static int
hook_mail(struct req *r, struct hook *h, const struct payment *p)
{
    struct db_result u;
    char amount[MONEY_BUF];
    int rc = db_read_primary(r, SQL_BUYER, DB_ARGS(DBP_I(h->checkout_id)),
                             &u);

    if (rc || !u.nrows || !db_get(&u, 0, 0))
        return rc;
    return outbox_enqueue(r, "payment_received", db_get(&u, 0, 0),
        "Payment received",
        arena_printf(&r->arena,
            "We received your payment of %s %s for checkout "
            "%lld.\r\n%s",
            money_format(amount, p->amount, p->currency),
            p->currency, (long long)h->checkout_id,
            h->nlate ? arena_printf(&r->arena,
                           "Order(s) %s had been cancelled before the "
                           "payment arrived; that part will be "
                           "refunded.\r\n", h->late_ids)
                     : "Your order(s) are now being prepared.\r\n"));
}

/*
 * Record the event and apply it, in one transaction: the unique key on
 * (provider, event_id) makes a replay fail here (duplicate), and the
 * payment row lock orders concurrent events for the same payment.
 */
static int
hook_txn(struct req *r, void *arg)
{
    struct hook *h = arg;
    const struct event *ev = &h->ev;
    struct db_result pay, ins;
    struct payment p;
    bool found, success, failure;
    int64_t event_row;
    int rc;

    h->duplicate = false;
    h->outcome = HOOK_IGNORED;
    h->note = "";
    h->payment_id = h->checkout_id = 0;
    h->npaid = h->nlate = 0;
    h->late_ids = "";
    rc = db_read_primary(r, SQL_LOCK_BY_REF,
                         DB_ARGS(DBP_S(ev->ref), DBP_S(h->provider)), &pay);
    if (rc)
        return rc;
    found = pay.nrows > 0;
    if (found) {
        payment_load(&pay, 0, &p);
        h->payment_id = p.id;
        h->checkout_id = p.checkout_id;
    }
    rc = db_write(r, SQL_NEW_EVENT,
                  DB_ARGS(DBP_S(h->provider), DBP_S(ev->id),
                          found ? DBP_I(p.id) : DBP_NULLV, DBP_S(ev->type),
                          DBP_SN(h->body, h->len)), &ins);
    if (rc == JS_CONFLICT)
        h->duplicate = true;
    if (rc)
        return rc;
    event_row = (int64_t)ins.insert_id;
    success = strcmp(ev->type, "payment.succeeded") == 0;
    failure = strcmp(ev->type, "payment.failed") == 0;
    if (!found) {
        h->note = "unknown payment";
    } else if (!success && !failure) {
        h->note = "event type not handled";
    } else if (ev->amount != p.amount ||
               strcmp(ev->currency, p.currency) != 0) {
        h->outcome = HOOK_MISMATCH;
        h->note = arena_printf(&r->arena, "amount mismatch: event %lld %s, "
                               "payment %lld %s", (long long)ev->amount,
                               ev->currency, (long long)p.amount,
                               p.currency);
    } else if (strcmp(p.status, "pending") != 0) {
        /* Reordered or repeated: the payment has moved on. */
        h->note = arena_printf(&r->arena, "payment already %s%s", p.status,
                               success && strcmp(p.status, "succeeded") != 0
                                   ? "; late payment, refund due" : "");
    } else {
        rc = db_write(r, SQL_SET_STATUS,
                      DB_ARGS(DBP_S(success ? "succeeded" : "failed"),
                              DBP_I(p.id)), NULL);
        if (!rc && success)
            rc = hook_pay_orders(r, h);
        if (!rc && success)
            rc = hook_mail(r, h, &p);
        if (rc)
            return rc;
        if (failure)
            h->note = "payment declined";
        h->outcome = HOOK_APPLIED;
    }
    return db_write(r, SQL_EVENT_DONE,
                    DB_ARGS(DBP_I(h->outcome == HOOK_APPLIED),
                            DBP_S(h->note), DBP_I(event_row)), NULL);
}

int
payment_webhook(struct req *r)
{
    const char *name = req_param(r, "provider"), *why = NULL;
    const struct payment_provider *pv = payment_provider_find(name);
    struct hook h;
    json_object *root, *out;
    int rc;

    if (!pv || !pv->verify)
        return reply_err(r, JS_NOTFOUND, NULL, "no webhooks for provider "
                         "'%.32s'", name ? name : "");
    if (r->body_len > WEBHOOK_MAX_BODY)
        return reply_err(r, JS_TOOLARGE, NULL, "an event is at most %d "
                         "bytes", WEBHOOK_MAX_BODY);
    rc = pv->verify(r, &why);
    if (rc == JS_UNAVAILABLE)
        return reply_err(r, JS_UNAVAILABLE, NULL, "%s", why);
    if (rc) {
        warning("refused %s webhook from %s: %s", pv->name, r->remote_addr,
                why);
        return reply_err(r, JS_INVALID, "Jishi-Signature", "%s", why);
    }
    memset(&h, 0, sizeof(h));
    h.provider = pv->name;
    h.body = r->body ? r->body : "";
    h.len = r->body ? r->body_len : 0;
    if (json_parse(&r->arena, h.body, h.len, r->conf->max_json_depth, &root,
                   &why) ||
        event_parse(root, &h.ev, &why))
        return reply_err(r, JS_INVALID, NULL, "%s", why);
    rc = db_txn(r, hook_txn, &h);
    if (rc == JS_CONFLICT && h.duplicate) {
        out = json_object_new_object();
        json_object_object_add(out, "status", json_str("duplicate"));
        return reply_json(r, 200, out);
    }
    if (rc)
        return rc;
    if (h.outcome == HOOK_MISMATCH) {
        error("%s event '%s' for payment %lld: %s", pv->name, h.ev.id,
              (long long)h.payment_id, h.note);
        return reply_err(r, JS_UNPROCESSABLE, "amount", "amount or currency "
                         "does not match the payment");
    }
    if (h.nlate || strstr(h.note, "refund due"))
        warning("%s event '%s' for payment %lld: %s", pv->name, h.ev.id,
                (long long)h.payment_id, h.note);
    out = json_object_new_object();
    json_object_object_add(out, "status", json_str(h.outcome == HOOK_APPLIED
                                                   ? "applied" : "ignored"));
    json_object_object_add(out, "note", json_str(h.note));
    return reply_json(r, 200, out);
}
