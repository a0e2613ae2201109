/*
 * merchant.h - merchants and their staff.  Owns the `merchants` and
 * `merchant_members` tables.
 *
 * A shopper applies (a pending merchant they own); platform staff approve
 * or reject it (admin.c).  Merchant routes act for the session's acting
 * merchant: its id always comes from the session, never from the request.
 */
#ifndef JISHI_MERCHANT_H
#define JISHI_MERCHANT_H

#include <stdint.h>

#include <json-c/json.h>

struct req;

int merchant_apply(struct req *r);
int merchant_profile(struct req *r);
int merchant_members(struct req *r);
int merchant_member_add(struct req *r);
int merchant_member_remove(struct req *r);

struct db_result;

/* Columns every merchant query selects, in this order, for row_json. */
#define MERCHANT_COLS "id, name, status, commission_bp," \
    " DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ')"

/* Row i of a result selected with MERCHANT_COLS as JSON. */
json_object *merchant_row_json(const struct db_result *res, unsigned i);

/* A merchant as JSON, or NULL with *rc set (JS_NOTFOUND or a db error). */
json_object *merchant_json(struct req *r, int64_t id, int *rc);

/*
 * Change a merchant's status (admin), audited with `reason` (NULL: none),
 * and reply with it: 404 when there is none, 422 unless its current
 * status is one of `from` (written "|pending|rejected|").
 */
int merchant_set_status(struct req *r, int64_t id, const char *status,
                        const char *action, const char *from,
                        const char *reason);

#endif
