/*
 * httpc.h - a tiny blocking HTTP/1.1 client for webhook delivery.
 *
 * Plain http only (no TLS, no redirects, no chunked bodies): one POST,
 * the status line read back, the connection closed.  The host is
 * resolved with getaddrinfo (IPv4 or IPv6 literals, names).  Every
 * step (connect, send, receive) is bounded by the timeout.  Used by the
 * job runner only, never on the request path.
 */
#ifndef JISHI_HTTPC_H
#define JISHI_HTTPC_H

#include <stddef.h>

#define HTTPC_HOST_MAX 256
#define HTTPC_PATH_MAX 1024

struct httpc_url {
    char host[HTTPC_HOST_MAX];   /* without brackets for IPv6 */
    char port[6];                /* "80" by default */
    char path[HTTPC_PATH_MAX];   /* "/" when the URL has none */
};

/*
 * Split "http://host[:port][/path]" (an IPv6 host in brackets).
 * Returns 0, or -1 for another scheme, userinfo, a bad port, control
 * characters or parts too long.  Pure.
 */
int httpc_parse_url(const char *url, struct httpc_url *u);

/*
 * The status code of an HTTP/1.x status line at the start of buf
 * ("HTTP/1.1 204 No Content\r\n"), or -1 when it is not one.  Pure.
 */
int httpc_parse_status(const char *buf, size_t len);

/*
 * POST body to url with Content-Type ctype and the extra header lines
 * in headers (NULL-terminated "Name: value" strings without CR/LF).
 * Stores the response status in *status and returns 0, or returns -1
 * with a one-line reason in err (no status).
 */
int httpc_post(const char *url, const char *ctype,
               const char *const *headers, const char *body, size_t len,
               unsigned timeout_ms, int *status, char *err, size_t errlen);

#endif
