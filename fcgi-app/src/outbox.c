/*
 * outbox.c - the notifications outbox (see outbox.h).
 */
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

static const char SQL_INSERT[] =
    "INSERT INTO outbox (kind, recipient, subject, body) VALUES (?, ?, ?, ?)";
static const char SQL_PENDING[] =
    "SELECT id, kind, recipient, subject, body FROM outbox "
    "WHERE status = 'pending' ORDER BY id LIMIT 50";
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

/* Write one message atomically: a temp file renamed into place. */
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
    if (fd < 0 || write(fd, sb.buf, sb.len) != (ssize_t)sb.len ||
        fsync(fd) != 0)
        rc = error("cannot write mail '%s': %s", tmp, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (!rc && rename(tmp, path) != 0)
        rc = error("cannot rename mail to '%s': %s", path, strerror(errno));
    strbuf_release(&sb);
    return rc;
}

int
outbox_drain(struct req *r)
{
    struct db_result res;
    int rc = db_read_primary(r, SQL_PENDING, DB_NOARGS, &res);

    if (rc)
        return rc;
    for (unsigned i = 0; i < res.nrows; i++) {
        /* Delivery is at-least-once: a crash between the write and the
         * update rewrites the same file name, harmlessly. */
        if (write_mail(r->conf->mail_dir, db_get(&res, i, 0),
                       db_get(&res, i, 1), db_get(&res, i, 2),
                       db_get(&res, i, 3), db_get(&res, i, 4)))
            return JS_ERR;
        rc = db_write(r, SQL_SENT, DB_ARGS(DBP_I(db_get_int(&res, i, 0, 0))),
                      NULL);
        if (rc)
            return rc;
    }
    return JS_OK;
}
