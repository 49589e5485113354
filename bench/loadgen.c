/* Closed-loop load generator for AuthZ plugins: raw HTTP/1.1 keep-alive over a unix socket.
 *
 * Usage:
 *   loadgen --socket PATH [--conns N] [--threads T] [--duration S] [--warmup S] [--pid PID]
 *           [--label TEXT] FILE...
 *   loadgen --socket PATH --first-decision FILE [--runs N] -- SERVER-COMMAND [ARG...]
 *
 * Each FILE is an AuthZ envelope as dockerd posts it: `*.res.json` goes to /AuthZPlugin.AuthZRes,
 * anything else to /AuthZPlugin.AuthZReq.  Every request is built once, up front; the hot loop only
 * writes prepared bytes and parses the status line and Content-Length of each answer (no libcurl,
 * no allocation).  N connections are spread over T threads, each an epoll loop; each connection sends
 * its next envelope (round robin over the mix, starting at its own offset) as soon as the previous
 * answer is complete: a closed loop, so the figure is what the server sustains at that concurrency.
 *
 * Load mode prints one line of `key=value` fields (decisions/s, latency percentiles in µs, server CPU
 * time per decision and peak RSS from /proc/PID when --pid is given, errors).  Answers other than
 * HTTP 200 and dropped connections count as errors (a dropped connection is reopened).
 *
 * First-decision mode starts SERVER-COMMAND, connects as soon as the socket accepts, sends FILE, and
 * prints the time from fork() to the complete answer; then stops the server with SIGTERM.  With
 * --runs N it does that N times and prints the median. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RESP_MAX (64u << 10)

struct req {
        char *bytes;
        size_t len;
};

struct conn {
        int fd;
        size_t next;        /* index of the request being / to be sent */
        size_t sent;        /* bytes of it written */
        bool want_out;
        uint64_t t0;        /* when its first byte was written */
        size_t rlen;
        char rbuf[4096];    /* answers are small; larger ones are counted, not kept */
        size_t need;        /* bytes of the whole answer once the header is parsed, else 0 */
};

struct worker {
        pthread_t tid;
        size_t nconns;
        struct conn *conns;
        uint64_t *lat;      /* ns, after warm-up */
        size_t nlat, alat;
        uint64_t done_total, errors;
};

static const char *sock_path;
static struct req *reqs;
static size_t nreqs;
static volatile uint64_t t_warm, t_end;   /* ns, CLOCK_MONOTONIC */

static uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void die(const char *what)
{
        fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
        exit(2);
}

static char *read_file(const char *path, size_t *ret_len)
{
        FILE *f = fopen(path, "rbe");
        if (!f)
                die(path);
        if (fseek(f, 0, SEEK_END) < 0)
                die(path);
        long n = ftell(f);
        if (n < 0)
                die(path);
        rewind(f);
        char *buf = malloc((size_t) n + 1);
        if (!buf || fread(buf, 1, (size_t) n, f) != (size_t) n)
                die(path);
        fclose(f);
        buf[n] = '\0';
        *ret_len = (size_t) n;
        return buf;
}

static size_t ends_with(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void build_request(const char *path, struct req *r)
{
        size_t blen;
        char *body = read_file(path, &blen);
        const char *ep = ends_with(path, ".res.json") ? "/AuthZPlugin.AuthZRes" : "/AuthZPlugin.AuthZReq";
        char head[512];
        int h = snprintf(head, sizeof(head),
                         "POST %s HTTP/1.1\r\nHost: plugin\r\nUser-Agent: Go-http-client/1.1\r\n"
                         "Content-Length: %zu\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n"
                         "Content-Type: application/json\r\nAccept-Encoding: gzip\r\n\r\n",
                         ep, blen);
        r->len = (size_t) h + blen;
        r->bytes = malloc(r->len);
        if (!r->bytes)
                die("malloc");
        memcpy(r->bytes, head, (size_t) h);
        memcpy(r->bytes + h, body, blen);
        free(body);
}

static int connect_socket(bool nonblock)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -errno;
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        if (nonblock && fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
                die("fcntl");
        return fd;
}

/* Parse the header of an answer in c->rbuf: sets c->need, or returns -1 on a malformed answer or a
 * status other than 200.  0: need more bytes. */
static int parse_head(struct conn *c)
{
        char *end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
        if (!end)
                return c->rlen == sizeof(c->rbuf) ? -1 : 0;
        size_t hlen = (size_t) (end - c->rbuf) + 4;
        if (c->rlen < 12 || memcmp(c->rbuf, "HTTP/1.1 ", 9) != 0)
                return -1;
        int status = atoi(c->rbuf + 9);   /* bench tool, bounded buffer */
        size_t clen = 0;
        for (char *p = c->rbuf; p < end;) {
                char *eol = memmem(p, (size_t) (end - p) + 2, "\r\n", 2);
                if (!eol)
                        break;
                if ((size_t) (eol - p) > 15 && strncasecmp(p, "Content-Length:", 15) == 0)
                        clen = strtoul(p + 15, NULL, 10);
                p = eol + 2;
        }
        if (clen > RESP_MAX)
                return -1;
        c->need = hlen + clen;
        return status == 200 ? 1 : -1;
}

static void conn_open(struct worker *w, int ep, struct conn *c)
{
        (void) w;
        for (int tries = 0;; tries++) {
                c->fd = connect_socket(true);
                if (c->fd >= 0)
                        break;
                if (tries > 2000) {
                        errno = -c->fd;
                        die("connect");
                }
                usleep(1000);   /* backlog full during a burst of connects */
        }
        c->sent = c->rlen = c->need = 0;
        c->want_out = false;
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
                die("epoll_ctl");
}

static void conn_set_out(int ep, struct conn *c, bool out)
{
        if (c->want_out == out)
                return;
        struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0u), .data.ptr = c };
        if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
                die("epoll_ctl");
        c->want_out = out;
}

/* Write what is left of the current request. */
static int conn_send(int ep, struct conn *c)
{
        const struct req *r = &reqs[c->next];
        if (c->sent == 0)
                c->t0 = now_ns();
        while (c->sent < r->len) {
                ssize_t n = send(c->fd, r->bytes + c->sent, r->len - c->sent, MSG_NOSIGNAL);
                if (n < 0) {
                        if (errno == EAGAIN) {
                                conn_set_out(ep, c, true);
                                return 0;
                        }
                        return -1;
                }
                c->sent += (size_t) n;
        }
        conn_set_out(ep, c, false);
        return 0;
}

static void record(struct worker *w, uint64_t t1, uint64_t ns)
{
        w->done_total++;
        if (t1 < t_warm || t1 > t_end)
                return;
        if (w->nlat == w->alat) {
                w->alat = w->alat ? w->alat * 2 : 1u << 16;
                w->lat = realloc(w->lat, w->alat * sizeof(*w->lat));
                if (!w->lat)
                        die("realloc");
        }
        w->lat[w->nlat++] = ns;
}

static void conn_reset(struct worker *w, int ep, struct conn *c)
{
        w->errors++;
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        conn_open(w, ep, c);
        c->next = (c->next + 1) % nreqs;
        if (conn_send(ep, c) < 0)
                die("send after reconnect");
}

/* Read what has arrived; on a complete answer, record it and send the next request. */
static void conn_recv(struct worker *w, int ep, struct conn *c)
{
        for (;;) {
                char *dst = c->rbuf + (c->need ? 0 : c->rlen);
                size_t room = c->need ? sizeof(c->rbuf) : sizeof(c->rbuf) - c->rlen;
                if (!c->need && room == 0) {
                        conn_reset(w, ep, c);
                        return;
                }
                ssize_t n = recv(c->fd, dst, room, 0);
                if (n < 0) {
                        if (errno == EAGAIN)
                                return;
                        conn_reset(w, ep, c);
                        return;
                }
                if (n == 0) {
                        conn_reset(w, ep, c);
                        return;
                }
                if (c->need) {
                        c->rlen += (size_t) n;
                } else {
                        c->rlen += (size_t) n;
                        int r = parse_head(c);
                        if (r < 0) {
                                conn_reset(w, ep, c);
                                return;
                        }
                }
                if (c->need && c->rlen >= c->need) {
                        if (c->rlen > c->need) {   /* we never pipeline: extra bytes are a bug */
                                conn_reset(w, ep, c);
                                return;
                        }
                        uint64_t t1 = now_ns();
                        record(w, t1, t1 - c->t0);
                        c->rlen = c->need = 0;
                        c->sent = 0;
                        c->next = (c->next + 1) % nreqs;
                        if (t1 > t_end)
                                return;
                        if (conn_send(ep, c) < 0) {
                                conn_reset(w, ep, c);
                                return;
                        }
                }
        }
}

static void *worker_main(void *arg)
{
        struct worker *w = arg;
        int ep = epoll_create1(EPOLL_CLOEXEC);
        struct epoll_event evs[256];

        if (ep < 0)
                die("epoll_create1");
        for (size_t i = 0; i < w->nconns; i++)
                conn_open(w, ep, &w->conns[i]);
        for (size_t i = 0; i < w->nconns; i++)
                if (conn_send(ep, &w->conns[i]) < 0)
                        die("send");
        /* Run until the end, then let the answers in flight arrive (a server should not see its
         * clients vanish mid-request: that is not what is being measured). */
        for (;;) {
                uint64_t t = now_ns();
                if (t >= t_end) {
                        size_t busy = 0;
                        for (size_t i = 0; i < w->nconns; i++)
                                busy += w->conns[i].sent > 0;
                        if (busy == 0 || t > t_end + 5000000000ull)
                                break;
                }
                int n = epoll_wait(ep, evs, 256, 100);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        die("epoll_wait");
                }
                for (int i = 0; i < n; i++) {
                        struct conn *c = evs[i].data.ptr;
                        if (evs[i].events & EPOLLOUT) {
                                if (conn_send(ep, c) < 0) {
                                        conn_reset(w, ep, c);
                                        continue;
                                }
                        }
                        if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                                conn_recv(w, ep, c);
                }
        }
        for (size_t i = 0; i < w->nconns; i++)
                close(w->conns[i].fd);
        close(ep);
        return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static double pct(const uint64_t *v, size_t n, double p)
{
        if (n == 0)
                return 0;
        size_t i = (size_t) (p * (double) (n - 1) + 0.5);
        return (double) v[i] / 1e3;
}

/* utime+stime of PID in clock ticks, or -1. */
static long long proc_cpu_ticks(pid_t pid)
{
        char path[64], buf[2048];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        if (!p)
                return -1;
        unsigned long long ut = 0, st = 0;
        /* fields after the comm: state(3) ... utime(14) stime(15) */
        if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
                return -1;
        return (long long) (ut + st);
}

static long proc_status_kb(pid_t pid, const char *key)
{
        char path[64], line[256];
        size_t klen = strlen(key);
        long v = -1;
        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
                        v = strtol(line + klen + 1, NULL, 10);
                        break;
                }
        fclose(f);
        return v;
}

static void raise_nofile(size_t want)
{
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return;
        if (rl.rlim_cur >= want + 64)
                return;
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want + 64 ? want + 64 : rl.rlim_max;
        (void) setrlimit(RLIMIT_NOFILE, &rl);
}

/* ---- first decision --------------------------------------------------------------------------- */

static double first_decision_once(char **argv)
{
        const struct req *r = &reqs[0];
        char buf[4096];
        uint64_t t0 = now_ns();
        pid_t pid = fork();

        if (pid < 0)
                die("fork");
        if (pid == 0) {
                int dn = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (dn >= 0) {
                        dup2(dn, 0);
                        dup2(dn, 1);
                        dup2(dn, 2);
                }
                execvp(argv[0], argv);
                _exit(127);
        }
        int fd;
        for (;;) {
                fd = connect_socket(false);
                if (fd >= 0)
                        break;
                if (now_ns() - t0 > 10000000000ull) {
                        kill(pid, SIGKILL);
                        fprintf(stderr, "loadgen: the server did not accept within 10 s\n");
                        exit(2);
                }
                int st;
                if (waitpid(pid, &st, WNOHANG) == pid) {
                        fprintf(stderr, "loadgen: the server exited before accepting\n");
                        exit(2);
                }
                usleep(50);
        }
        size_t off = 0;
        while (off < r->len) {
                ssize_t n = send(fd, r->bytes + off, r->len - off, MSG_NOSIGNAL);
                if (n <= 0)
                        die("send");
                off += (size_t) n;
        }
        struct conn c = { .fd = fd };
        for (;;) {
                ssize_t n = recv(fd, c.rbuf + c.rlen, sizeof(c.rbuf) - c.rlen, 0);
                if (n <= 0)
                        die("recv");
                c.rlen += (size_t) n;
                if (!c.need && parse_head(&c) < 0) {
                        fprintf(stderr, "loadgen: bad first answer\n");
                        exit(2);
                }
                if (c.need && c.rlen >= c.need)
                        break;
        }
        double ms = (double) (now_ns() - t0) / 1e6;
        (void) buf;
        close(fd);
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        return ms;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

/* ---- main ------------------------------------------------------------------------------------- */

static void usage(void)
{
        fprintf(stderr, "usage: loadgen --socket PATH [--conns N] [--threads T] [--duration S] [--warmup S]\n"
                        "               [--pid PID] [--label TEXT] FILE...\n"
                        "       loadgen --socket PATH --first-decision FILE [--runs N] -- CMD [ARG...]\n");
        exit(2);
}

int main(int argc, char **argv)
{
        size_t nconns = 1, nthreads = 1;
        double duration = 3, warmup = 0.5;
        pid_t pid = 0;
        const char *label = "load", *first = NULL;
        int runs = 1, i;

        for (i = 1; i < argc; i++) {
                const char *a = argv[i];
                const char *v = i + 1 < argc ? argv[i + 1] : NULL;
                if (strcmp(a, "--") == 0) {
                        i++;
                        break;
                }
                if (strncmp(a, "--", 2) != 0)
                        break;
                if (!v)
                        usage();
                if (strcmp(a, "--socket") == 0)
                        sock_path = v;
                else if (strcmp(a, "--conns") == 0)
                        nconns = strtoul(v, NULL, 10);
                else if (strcmp(a, "--threads") == 0)
                        nthreads = strtoul(v, NULL, 10);
                else if (strcmp(a, "--duration") == 0)
                        duration = strtod(v, NULL);
                else if (strcmp(a, "--warmup") == 0)
                        warmup = strtod(v, NULL);
                else if (strcmp(a, "--pid") == 0)
                        pid = (pid_t) strtol(v, NULL, 10);
                else if (strcmp(a, "--label") == 0)
                        label = v;
                else if (strcmp(a, "--first-decision") == 0)
                        first = v;
                else if (strcmp(a, "--runs") == 0)
                        runs = (int) strtol(v, NULL, 10);
                else
                        usage();
                i++;
        }
        if (!sock_path || nconns < 1 || nthreads < 1 || runs < 1)
                usage();
        signal(SIGPIPE, SIG_IGN);

        if (first) {
                if (i >= argc)
                        usage();
                reqs = calloc(1, sizeof(*reqs));
                nreqs = 1;
                build_request(first, &reqs[0]);
                double *t = calloc((size_t) runs, sizeof(*t));
                for (int k = 0; k < runs; k++)
                        t[k] = first_decision_once(argv + i);
                qsort(t, (size_t) runs, sizeof(*t), cmp_double);
                printf("label=%s first_decision_ms=%.2f min_ms=%.2f max_ms=%.2f runs=%d\n", label,
                       t[runs / 2], t[0], t[runs - 1], runs);
                return 0;
        }

        if (i >= argc)
                usage();
        nreqs = (size_t) (argc - i);
        reqs = calloc(nreqs, sizeof(*reqs));
        for (size_t k = 0; k < nreqs; k++)
                build_request(argv[i + (int) k], &reqs[k]);
        if (nthreads > nconns)
                nthreads = nconns;
        raise_nofile(nconns);

        struct worker *ws = calloc(nthreads, sizeof(*ws));
        struct conn *conns = calloc(nconns, sizeof(*conns));
        if (!ws || !conns)
                die("calloc");
        for (size_t k = 0; k < nconns; k++)
                conns[k].next = k % nreqs;
        size_t at = 0;
        for (size_t k = 0; k < nthreads; k++) {
                ws[k].nconns = nconns / nthreads + (k < nconns % nthreads);
                ws[k].conns = conns + at;
                at += ws[k].nconns;
        }

        long long cpu0 = pid ? proc_cpu_ticks(pid) : -1;
        uint64_t start = now_ns();
        t_warm = start + (uint64_t) (warmup * 1e9);
        t_end = t_warm + (uint64_t) (duration * 1e9);
        for (size_t k = 0; k < nthreads; k++)
                if (pthread_create(&ws[k].tid, NULL, worker_main, &ws[k]) != 0)
                        die("pthread_create");
        /* CPU time over the measured window only. */
        struct timespec ts = { .tv_sec = (time_t) warmup, .tv_nsec = (long) ((warmup - (double) (time_t) warmup) * 1e9) };
        nanosleep(&ts, NULL);
        long long cpu_w0 = pid ? proc_cpu_ticks(pid) : -1;
        uint64_t done_w0 = 0;
        for (size_t k = 0; k < nthreads; k++)
                done_w0 += __atomic_load_n(&ws[k].done_total, __ATOMIC_RELAXED);
        for (size_t k = 0; k < nthreads; k++)
                pthread_join(ws[k].tid, NULL);
        long long cpu1 = pid ? proc_cpu_ticks(pid) : -1;
        (void) cpu0;
        (void) done_w0;

        size_t n = 0;
        uint64_t errors = 0;
        for (size_t k = 0; k < nthreads; k++) {
                n += ws[k].nlat;
                errors += ws[k].errors;
        }
        uint64_t *all = malloc((n ? n : 1) * sizeof(*all));
        size_t o = 0;
        for (size_t k = 0; k < nthreads; k++) {
                memcpy(all + o, ws[k].lat, ws[k].nlat * sizeof(*all));
                o += ws[k].nlat;
        }
        qsort(all, n, sizeof(*all), cmp_u64);
        double rps = (double) n / duration;
        double cpu_us = -1;
        if (pid && cpu_w0 >= 0 && cpu1 >= 0 && n > 0)
                cpu_us = (double) (cpu1 - cpu_w0) / (double) sysconf(_SC_CLK_TCK) * 1e6 / (double) n;
        printf("label=%s conns=%zu n=%zu rps=%.0f p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f "
               "cpu_us=%.2f hwm_kb=%ld rss_kb=%ld errors=%" PRIu64 "\n",
               label, nconns, n, rps, pct(all, n, 0.50), pct(all, n, 0.99), pct(all, n, 0.999),
               n ? (double) all[n - 1] / 1e3 : 0.0, cpu_us, pid ? proc_status_kb(pid, "VmHWM") : -1L,
               pid ? proc_status_kb(pid, "VmRSS") : -1L, errors);
        return 0;
}
