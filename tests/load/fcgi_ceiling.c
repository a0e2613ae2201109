/*
 * fcgi_ceiling.c - the stack's ceiling for scripts/bench: the cheapest
 * FastCGI responder libfcgi allows, pre-forked like jishi-fcgi.
 *
 *   fcgi_ceiling SOCKET WORKERS [PIDFILE]
 *
 * The parent opens SOCKET (a unix socket path, or :PORT / HOST:PORT),
 * forks WORKERS children that each accept on it and answer every request
 * with the same small JSON body, and waits.  SIGTERM or SIGINT to the
 * parent stops the children and removes the socket.  A child that dies is
 * replaced.  No request is parsed, no database is touched: whatever
 * jishi-fcgi costs on top of this, through the same nginx, is the app.
 *
 * Headers are formatted with snprintf and written with FCGX_PutStr
 * (libfcgi's own FCGX_FPrintF does not know %zu).
 */
#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 256

static const char body[] = "{\"ceiling\":true}\n";

static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
    (void)sig;
    stopping = 1;
}

static void
serve(int fd)
{
    FCGX_Request rq;
    char head[256];
    int n;

    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    if (FCGX_InitRequest(&rq, fd, 0) != 0)
        _exit(1);
    n = snprintf(head, sizeof(head),
                 "Status: 200 OK\r\n"
                 "Content-Type: application/json\r\n"
                 "Content-Length: %zu\r\n\r\n",
                 sizeof(body) - 1);
    if (n < 0 || (size_t)n >= sizeof(head))
        _exit(1);
    while (FCGX_Accept_r(&rq) >= 0) {
        FCGX_PutStr(head, n, rq.out);
        FCGX_PutStr(body, (int)sizeof(body) - 1, rq.out);
        FCGX_Finish_r(&rq);
    }
    _exit(0);
}

static pid_t
spawn(int fd)
{
    pid_t pid = fork();

    if (pid == 0)
        serve(fd);
    if (pid < 0)
        perror("fcgi_ceiling: fork");
    return pid;
}

int
main(int argc, char **argv)
{
    pid_t kids[MAX_WORKERS];
    struct sigaction sa;
    const char *sock;
    int fd, nworkers, i;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s SOCKET WORKERS [PIDFILE]\n", argv[0]);
        return 2;
    }
    sock = argv[1];
    {
        char *end;
        long n = strtol(argv[2], &end, 10);

        nworkers = *end == '\0' ? (int)n : 0;
        if (n < 1 || n > MAX_WORKERS)
            nworkers = 0;
    }
    if (nworkers < 1) {
        fprintf(stderr, "fcgi_ceiling: WORKERS must be 1..%d\n", MAX_WORKERS);
        return 2;
    }
    if (sock[0] == '/')
        unlink(sock);
    if (FCGX_Init() != 0) {
        fprintf(stderr, "fcgi_ceiling: FCGX_Init failed\n");
        return 1;
    }
    fd = FCGX_OpenSocket(sock, 1024);
    if (fd < 0) {
        fprintf(stderr, "fcgi_ceiling: cannot listen on %s\n", sock);
        return 1;
    }
    if (argc == 4) {
        FILE *f = fopen(argv[3], "w");

        if (!f) {
            perror(argv[3]);
            return 1;
        }
        fprintf(f, "%ld\n", (long)getpid());
        fclose(f);
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    for (i = 0; i < nworkers; i++)
        kids[i] = spawn(fd);

    while (!stopping) {
        int status;
        pid_t pid = wait(&status);

        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (i = 0; i < nworkers && !stopping; i++)
            if (kids[i] == pid)
                kids[i] = spawn(fd);
    }

    for (i = 0; i < nworkers; i++)
        if (kids[i] > 0)
            kill(kids[i], SIGTERM);
    for (i = 0; i < nworkers; i++)
        if (kids[i] > 0)
            waitpid(kids[i], NULL, 0);
    if (sock[0] == '/')
        unlink(sock);
    if (argc == 4)
        unlink(argv[3]);
    return 0;
}
