/*
 * httpc.c - a tiny blocking HTTP/1.1 client (see httpc.h).
 */
#include "config.h"
#include "httpc.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "strbuf.h"

#define STATUS_LINE_MAX 1024

static bool
has_ctl(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x21 || s[i] == 0x7f)
            return true;
    return false;
}

int
httpc_parse_url(const char *url, struct httpc_url *u)
{
    const char *p, *host, *host_end, *port = NULL, *path;
    size_t hlen, plen;

    memset(u, 0, sizeof(*u));
    if (!url || strncmp(url, "http://", 7) != 0)
        return -1;
    p = url + 7;
    path = p + strcspn(p, "/?#");
    if (memchr(p, '@', (size_t)(path - p)))
        return -1;                      /* no userinfo */
    if (*p == '[') {
        host = p + 1;
        host_end = memchr(host, ']', (size_t)(path - host));
        if (!host_end)
            return -1;
        if (host_end + 1 < path) {
            if (host_end[1] != ':')
                return -1;
            port = host_end + 2;
        }
    } else {
        host = p;
        host_end = memchr(host, ':', (size_t)(path - host));
        if (host_end)
            port = host_end + 1;
        else
            host_end = path;
    }
    hlen = (size_t)(host_end - host);
    if (hlen == 0 || hlen >= sizeof(u->host) || has_ctl(host, hlen))
        return -1;
    memcpy(u->host, host, hlen);
    if (port) {
        size_t n = (size_t)(path - port);
        unsigned long v = 0;

        if (n == 0 || n > 5)
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (port[i] < '0' || port[i] > '9')
                return -1;
            v = v * 10 + (unsigned long)(port[i] - '0');
        }
        if (v == 0 || v > 65535)
            return -1;
        snprintf(u->port, sizeof(u->port), "%lu", v);
    } else {
        memcpy(u->port, "80", 3);
    }
    if (*path == '?' || *path == '#')
        return -1;
    plen = strcspn(path, "#");
    if (plen == 0) {
        memcpy(u->path, "/", 2);
        return 0;
    }
    if (plen >= sizeof(u->path) || has_ctl(path, plen))
        return -1;
    memcpy(u->path, path, plen);
    return 0;
}

int
httpc_parse_status(const char *buf, size_t len)
{
    int code = 0;

    /* "HTTP/1.x SP DDD" then SP or CR */
    if (len < 12 || memcmp(buf, "HTTP/1.", 7) != 0 ||
        buf[7] < '0' || buf[7] > '9' || buf[8] != ' ')
        return -1;
    for (int i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return -1;
        code = code * 10 + (buf[i] - '0');
    }
    if (code < 100 || (len > 12 && buf[12] != ' ' && buf[12] != '\r'))
        return -1;
    return code;
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Connect to one address within timeout_ms; the socket or -1. */
static int
connect_one(const struct addrinfo *ai, unsigned timeout_ms, int *err_no)
{
    struct pollfd pfd;
    socklen_t sl = sizeof(*err_no);
    int fd, flags;

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                ai->ai_protocol);
    if (fd < 0) {
        *err_no = errno;
        return -1;
    }
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        goto fail;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS)
            goto fail;
        pfd.fd = fd;
        pfd.events = POLLOUT;
        pfd.revents = 0;
        if (poll(&pfd, 1, (int)timeout_ms) != 1) {
            errno = ETIMEDOUT;
            goto fail;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err_no, &sl) < 0)
            goto fail;
        if (*err_no) {
            errno = *err_no;
            goto fail;
        }
    }
    if (fcntl(fd, F_SETFL, flags) < 0)
        goto fail;
    return fd;
fail:
    *err_no = errno;
    close(fd);
    return -1;
}

static int
send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int
httpc_post(const char *url, const char *ctype, const char *const *headers,
           const char *body, size_t len, unsigned timeout_ms, int *status,
           char *err, size_t errlen)
{
    struct httpc_url u;
    struct addrinfo hints, *res = NULL, *ai;
    struct strbuf req = STRBUF_INIT;
    struct timeval tv;
    char line[STATUS_LINE_MAX];
    size_t got = 0;
    int fd = -1, rc = -1, gai, err_no = 0;

    *status = 0;
    if (httpc_parse_url(url, &u))
        return fail(err, errlen, "cannot use URL '%.200s' (http only)", url);
    for (const char *const *h = headers; h && *h; h++)
        if (strpbrk(*h, "\r\n"))
            return fail(err, errlen, "header with a line break");
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    gai = getaddrinfo(u.host, u.port, &hints, &res);
    if (gai)
        return fail(err, errlen, "cannot resolve '%s': %s", u.host,
                    gai_strerror(gai));
    for (ai = res; ai && fd < 0; ai = ai->ai_next)
        fd = connect_one(ai, timeout_ms, &err_no);
    freeaddrinfo(res);
    if (fd < 0)
        return fail(err, errlen, "cannot connect to '%s:%s': %s", u.host,
                    u.port, strerror(err_no));
    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
        fail(err, errlen, "cannot set socket timeouts: %s", strerror(errno));
        goto out;
    }
    strbuf_addf(&req, "POST %s HTTP/1.1\r\nHost: %s%s%s%s%s\r\n"
                      "User-Agent: jishi-httpc/1\r\nConnection: close\r\n"
                      "Content-Type: %s\r\nContent-Length: %zu\r\n",
                u.path, strchr(u.host, ':') ? "[" : "", u.host,
                strchr(u.host, ':') ? "]" : "",
                strcmp(u.port, "80") ? ":" : "",
                strcmp(u.port, "80") ? u.port : "", ctype, len);
    for (const char *const *h = headers; h && *h; h++)
        strbuf_addf(&req, "%s\r\n", *h);
    strbuf_add(&req, "\r\n", 2);
    strbuf_add(&req, body, len);
    if (send_all(fd, req.buf, req.len)) {
        fail(err, errlen, "cannot send to '%s:%s': %s", u.host, u.port,
             strerror(errno));
        goto out;
    }
    /* The status line is all we need. */
    while (got < sizeof(line) - 1 && !memchr(line, '\n', got)) {
        ssize_t n = recv(fd, line + got, sizeof(line) - 1 - got, 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fail(err, errlen, "no answer from '%s:%s': %s", u.host, u.port,
                 errno == EAGAIN || errno == EWOULDBLOCK ? "timed out"
                                                         : strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    *status = httpc_parse_status(line, got);
    if (*status < 0) {
        *status = 0;
        fail(err, errlen, "no HTTP status line from '%s:%s'", u.host,
             u.port);
        goto out;
    }
    rc = 0;
out:
    strbuf_release(&req);
    close(fd);
    return rc;
}
