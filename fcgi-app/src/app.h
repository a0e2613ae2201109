/*
 * app.h - one request from parsed input to reply: route lookup, access
 * check, body validation, handler, GTID cookie, access-log line, metrics.
 */
#ifndef JISHI_APP_H
#define JISHI_APP_H

struct req;

/*
 * Handle r (already filled by req_from_fcgx or req_fake).  Always leaves a
 * reply in r->reply; never exits.  Call req_finish() afterwards.
 */
void app_handle(struct req *r);

/* Write the access-log line for a finished request. */
void app_log_access(struct req *r);

#endif
