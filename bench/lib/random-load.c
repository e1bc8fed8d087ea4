/*
 * redis-benchmark's closed loop for a command whose random argument its
 * __rand_int__ placeholder cannot give: that placeholder is always twelve
 * zero-padded digits, which an integer argument such as SETBIT's offset
 * refuses. Here every argument spelled __rand__ becomes a random integer
 * in [0, max) written plainly.
 *
 *   random-load <port> <clients> <requests> <pipeline> <max> <arg>...
 *
 * Each of <clients> connections to 127.0.0.1:<port> keeps <pipeline>
 * requests in flight until <requests> have been answered; prints the
 * requests per second. Every reply must be one line (integer or status):
 * an error reply, a closed connection or a failed call exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int fd;
    char *out;
    size_t outLen, outSent;
    int inFlight;
    int atLineStart;
} Client;

static int nargs;
static char **args;
static unsigned long long maxRand;
static long long requests, issued, answered;
static int pipelineDepth;
static unsigned long long rng = 88172645463325252ULL;

static unsigned long long next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

/* Appends one encoded request to c->out, its __rand__ arguments drawn afresh. */
static void appendRequest(Client *c) {
    char num[32];
    size_t at = c->outLen;
    at += sprintf(c->out + at, "*%d\r\n", nargs);
    for (int i = 0; i < nargs; i++) {
        const char *a = args[i];
        if (strcmp(a, "__rand__") == 0) {
            sprintf(num, "%llu", next() % maxRand);
            a = num;
        }
        at += sprintf(c->out + at, "$%zu\r\n%s\r\n", strlen(a), a);
    }
    c->outLen = at;
}

static void flush(Client *c) {
    while (c->outSent < c->outLen) {
        ssize_t n = write(c->fd, c->out + c->outSent, c->outLen - c->outSent);
        if (n < 0) {
            if (errno == EAGAIN) return;
            die("write");
        }
        c->outSent += (size_t)n;
    }
}

static void sendBatch(Client *c) {
    long long n = requests - issued;
    if (n > pipelineDepth) n = pipelineDepth;
    if (n <= 0) return;
    c->outLen = c->outSent = 0;
    for (long long i = 0; i < n; i++) appendRequest(c);
    issued += n;
    c->inFlight = (int)n;
    flush(c);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: random-load <port> <clients> <requests> <pipeline> <max> <arg>...\n");
        return 2;
    }
    int port = atoi(argv[1]);
    int clients = atoi(argv[2]);
    requests = atoll(argv[3]);
    pipelineDepth = atoi(argv[4]);
    maxRand = strtoull(argv[5], NULL, 10);
    nargs = argc - 6;
    args = argv + 6;
    if (clients <= 0 || requests <= 0 || pipelineDepth <= 0 || maxRand == 0) {
        fprintf(stderr, "clients, requests, pipeline and max must be positive\n");
        return 2;
    }
    size_t perRequest = 32;
    for (int i = 0; i < nargs; i++) perRequest += strlen(args[i]) + 48;
    rng ^= (unsigned long long)getpid() << 20;

    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    Client *cs = calloc((size_t)clients, sizeof(Client));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < clients; i++) {
        Client *c = &cs[i];
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        if (c->fd < 0) die("socket");
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
        if (fcntl(c->fd, F_SETFL, O_NONBLOCK) < 0) die("fcntl");
        c->out = malloc(perRequest * (size_t)pipelineDepth);
        c->atLineStart = 1;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl");
    }

    double start = now();
    for (int i = 0; i < clients; i++) sendBatch(&cs[i]);
    static char in[1 << 16];
    struct epoll_event evs[64];
    while (answered < requests) {
        int n = epoll_wait(ep, evs, 64, 10000);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        if (n == 0) {
            fprintf(stderr, "no reply for 10 s (%lld of %lld answered)\n", answered, requests);
            return 1;
        }
        for (int e = 0; e < n; e++) {
            Client *c = evs[e].data.ptr;
            if (evs[e].events & (EPOLLERR | EPOLLHUP)) {
                fprintf(stderr, "connection lost (%lld of %lld answered)\n", answered, requests);
                return 1;
            }
            if (evs[e].events & EPOLLOUT) flush(c);
            if (!(evs[e].events & EPOLLIN)) continue;
            for (;;) {
                ssize_t r = read(c->fd, in, sizeof in);
                if (r < 0) {
                    if (errno == EAGAIN) break;
                    die("read");
                }
                if (r == 0) {
                    fprintf(stderr, "connection closed (%lld of %lld answered)\n", answered, requests);
                    return 1;
                }
                for (ssize_t k = 0; k < r; k++) {
                    if (c->atLineStart && in[k] == '-') {
                        fprintf(stderr, "error reply: %.*s\n", (int)(r - k > 200 ? 200 : r - k), in + k);
                        return 1;
                    }
                    c->atLineStart = in[k] == '\n';
                    if (c->atLineStart) {
                        c->inFlight--;
                        answered++;
                    }
                }
            }
            if (c->inFlight == 0) sendBatch(c);
        }
    }
    printf("%.1f\n", (double)requests / (now() - start));
    return 0;
}
