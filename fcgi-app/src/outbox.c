/*
 * outbox.c - the notifications outbox (see outbox.h).
 */
#define _GNU_SOURCE     /* syncfs */
#include "config.h"
#include "outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "req.h"
#include "strbuf.h"
#include "util.h"

#define OUTBOX_BATCH 50         /* messages per read and per commit */
#define OUTBOX_BUDGET_MS 300    /* of one run of the job (every 500 ms) */

static const char SQL_INSERT[] =
    "INSERT INTO outbox (kind, recipient, subject, body) VALUES (?, ?, ?, ?)";
static const char SQL_PENDING[] =
    "SELECT id, kind, recipient, subject, body FROM outbox "
    "WHERE status = 'pending' ORDER BY id LIMIT " STRINGIFY(OUTBOX_BATCH);
static const char SQL_SENT[] =
    "UPDATE outbox SET status = 'sent', sent_at = UTC_TIMESTAMP(6) "
    "WHERE id = ? AND status = 'pending'";

int
outbox_enqueue(struct req *r, const char *kind, const char *recipient,
               const char *subject, const char *body)
{
    return db_write(r, SQL_INSERT,
                    DB_ARGS(DBP_S(kind), DBP_S(recipient), DBP_S(subject),
                            DBP_S(body)), NULL);
}

/* Write one message: a temp file renamed into place.  Not synced here:
 * drain_batch() syncs the mail directory's filesystem once per batch,
 * before any of it is marked sent. */
static int
write_mail(const char *dir, const char *id, const char *kind, const char *to,
           const char *subject, const char *body)
{
    struct strbuf sb = STRBUF_INIT;
    char tmp[4096], path[4096], date[64];
    time_t now = time(NULL);
    struct tm tm;
    int fd, rc = 0;

    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, id);
    snprintf(path, sizeof(path), "%s/%s.eml", dir, id);
    strbuf_addf(&sb, "Date: %s\r\nFrom: Jishi <no-reply@jishi.invalid>\r\n"
                     "To: %s\r\nSubject: %s\r\nX-Jishi-Kind: %s\r\n"
                     "MIME-Version: 1.0\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n"
                     "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
                date, to, subject, kind, body);
    mkdir(dir, 0750);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0 || write(fd, sb.buf, sb.len) != (ssize_t)sb.len)
        rc = error("cannot write mail '%s': %s", tmp, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (!rc && rename(tmp, path) != 0)
        rc = error("cannot rename mail to '%s': %s", path, strerror(errno));
    strbuf_release(&sb);
    return rc;
}

/* Make the messages written so far durable: one syncfs() of the mail
 * directory's filesystem per batch instead of an fsync() per message (on
 * a VM each flush is a trip to the host). */
static int
sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

    if (fd < 0 || syncfs(fd) != 0)
        rc = error("cannot sync the mail directory '%s': %s", dir,
                   strerror(errno));
    if (fd >= 0)
        close(fd);
    return rc;
}

/* The first n rows of a pending batch, delivered. */
struct delivered {
    const struct db_result *res;
    unsigned n;
};

/* Mark them sent in one transaction: one commit (and one replicated
 * transaction) per batch rather than per message. */
static int
mark_sent_txn(struct req *r, void *arg)
{
    const struct delivered *d = arg;
    int rc = JS_OK;

    for (unsigned i = 0; i < d->n && !rc; i++)
        rc = db_write(r, SQL_SENT,
                      DB_ARGS(DBP_I(db_get_int(d->res, i, 0, 0))), NULL);
    return rc;
}

/* One batch of at most OUTBOX_BATCH; *full when there may be more. */
static int
drain_batch(struct req *r, bool *full)
{
    struct db_result res;
    struct delivered d = { &res, 0 };
    int rc = db_read_primary(r, SQL_PENDING, DB_NOARGS, &res), wrc = JS_OK;

    *full = false;
    if (rc)
        return rc;
    /* Delivery is at-least-once: a crash between the writes and the
     * update rewrites the same file names, harmlessly.  A message that
     * cannot be written stops the batch; those before it are marked. */
    for (; d.n < res.nrows; d.n++)
        if (write_mail(r->conf->mail_dir, db_get(&res, d.n, 0),
                       db_get(&res, d.n, 1), db_get(&res, d.n, 2),
                       db_get(&res, d.n, 3), db_get(&res, d.n, 4))) {
            wrc = JS_ERR;
            break;
        }
    if (d.n && sync_dir(r->conf->mail_dir))
        return JS_ERR;
    if (d.n && (rc = db_txn(r, mark_sent_txn, &d)))
        return rc;
    *full = !wrc && res.nrows == OUTBOX_BATCH;
    return wrc;
}

int
outbox_drain(struct req *r)
{
    int64_t until = now_us() + OUTBOX_BUDGET_MS * 1000;
    bool full = true;
    int rc = JS_OK;

    /* Batch after batch while they come full, within the budget: a busy
     * shop's mail keeps up with its orders instead of 50 per run. */
    while (full && !rc && now_us() < until)
        rc = drain_batch(r, &full);
    return rc;
}
