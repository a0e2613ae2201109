/*
 * outbox.h - outgoing notifications.
 *
 * Owns the `outbox` table.  Business code enqueues a message inside its own
 * transaction; the job runner drains pending rows.  The embedded default
 * delivers by writing each message as an RFC 5322 file into mail_dir
 * (<id>.eml), so a person (or a test) can read it; a real mail relay takes
 * the same rows.
 */
#ifndef JISHI_OUTBOX_H
#define JISHI_OUTBOX_H

struct req;

int outbox_enqueue(struct req *r, const char *kind, const char *recipient,
                   const char *subject, const char *body);

/* Deliver pending messages (job runner): batches of 50, each written,
 * synced once and marked sent in one transaction, for up to 300 ms. */
int outbox_drain(struct req *r);

#endif
