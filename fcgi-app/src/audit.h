/*
 * audit.h - the audit log: one row for every admin and merchant change.
 *
 * Owns the `audit_log` table.  Call audit_record() inside the same
 * transaction as the change, so a change and its record commit together.
 */
#ifndef JISHI_AUDIT_H
#define JISHI_AUDIT_H

#include <stdint.h>

#include <json-c/json.h>

struct req;

/*
 * Record that the caller did action ("user.disable") to object_type
 * object_id.  summary (may be NULL) is a JSON object of before/after
 * values; it is consumed.  Actor, role, merchant, request id and address
 * come from the request.
 */
int audit_record(struct req *r, const char *action, const char *object_type,
                 int64_t object_id, json_object *summary);

/* GET /api/v1/admin/audit-log: filters actor, action, object_type,
 * object_id, from, to; paged, newest first. */
int audit_list(struct req *r);

#endif
