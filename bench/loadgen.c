/* Load and fault generator for AuthZ plugins over a unix socket: the one client that bench/bench.sh
 * (throughput, latency, start-up) and tests/load/run.sh (load and fault tests) drive.
 *
 *   loadgen MODE --socket PATH [OPTION...] [OPERAND...]
 *
 *   rate   [--conns N] [--threads T] [--duration S] [--warmup S] [--pid PID] [--label TEXT] FILE...
 *          Closed-loop load, HTTP/1.1 keep-alive: N connections spread over T epoll threads, each
 *          sending its next envelope (round robin over the FILEs, from its own offset) as soon as the
 *          previous answer is complete, for S seconds after a warm-up.  Every request is built once,
 *          up front; the hot loop writes prepared bytes and parses only the status line and
 *          Content-Length (no allocation).  Answers other than HTTP 200 and dropped connections are
 *          errors (a dropped connection is reopened).  With --pid, the server's CPU time per decision
 *          over the measured window and its peak RSS from /proc/PID.
 *   first  [--runs N] [--label TEXT] FILE -- SERVER-COMMAND [ARG...]
 *          Starts SERVER-COMMAND, connects as soon as the socket accepts, sends FILE and times fork()
 *          to the complete answer, then stops the server with SIGTERM; N times, the median printed.
 *   conc   [--conns N]
 *          N connections open at once, then a request on each, every answer checked (half must be
 *          allowed, half denied).
 *   slow   [--stalled N] [--requests M] [--bound-ms MS]
 *          N clients send half a request and stall; meanwhile M ordinary requests must each be
 *          answered within MS; then how long the server keeps a staller.
 *   bad    Oversized and malformed envelopes: each must end in a deny or an HTTP error (never an
 *          allow), and a good request must be answered after each.
 *   steady [--conns N] [--duration S]
 *          Closed-loop load from N client threads, a new connection per request, alternating allow
 *          and deny envelopes, for S seconds; counts failures, wrong answers and the longest time
 *          without any answer (what a kill -9 of the server costs).
 *   audit  [--requests N]
 *          N allow-envelope requests one after another: how many were allowed and how many denied by
 *          rule "audit".
 *
 * Defaults: --conns 1, --threads 1, --duration 3, --warmup 0.5, --runs 1, --label load, --requests
 * 100, --stalled 100, --bound-ms 1000.  A FILE is an AuthZ envelope as dockerd posts it: `*.res.json`
 * goes to /AuthZPlugin.AuthZRes, anything else to /AuthZPlugin.AuthZReq; the fault modes use built-in
 * envelopes that the default policy allows (GET /containers/json) or denies (a privileged create).
 *
 * Each mode prints one line of `key=value` fields (rate and first: `label=...`; the others
 * `loadgen MODE: ...`), which the scripts pick apart, so keys are not renamed lightly.  Exit status:
 * 0 when the mode's own checks passed (rate and first have none), 1 when not, 2 on a usage or setup
 * error.  A wrong allow (a deny envelope answered allow) always fails. */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
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

/* GET /containers/json: allowed by the default policy. */
static const char env_allow[] =
        "{\"User\":\"\",\"UserAuthNMethod\":\"\",\"RequestMethod\":\"GET\","
        "\"RequestUri\":\"/v1.41/containers/json\",\"RequestHeaders\":{}}";
/* docker run --privileged --user 1000 bb: denied (privileged, cpu, memory, ...). */
static const char env_deny[] =
        "{\"User\":\"\",\"UserAuthNMethod\":\"\",\"RequestMethod\":\"POST\","
        "\"RequestUri\":\"/v1.41/containers/create\","
        "\"RequestHeaders\":{\"Content-Type\":\"application/json\"},"
        "\"RequestBody\":\"eyJJbWFnZSI6ImJiIiwiVXNlciI6IjEwMDAiLCJIb3N0Q29uZmlnIjp7IlByaXZpbGVnZWQiOnRydWV9fQ==\"}";

struct args {
        long conns, threads, runs, requests, stalled, bound_ms;
        double duration, warmup;
        pid_t pid;
        const char *label;
        char **operands;
        int noperands;
};

static const char *sock_path;

/* ---- common ------------------------------------------------------------------------------------ */

static uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static double now_ms(void)
{
        return (double) now_ns() / 1e6;
}

static void die(const char *what)
{
        fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
        exit(2);
}

static int parse_long(const char *s, long min, long max, long *ret)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* Seconds: a finite decimal in [0, max]. */
static int parse_secs(const char *s, double max, double *ret)
{
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (errno || end == s || *end || !isfinite(v) || v < 0 || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* One descriptor per connection.  Root may raise the hard limit; anyone else gets what it allows. */
static void raise_nofile(size_t conns)
{
        rlim_t want = (rlim_t) conns + 64;
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
                return;
        if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want) {
                rl.rlim_cur = want;
        } else {
                struct rlimit up = { .rlim_cur = want, .rlim_max = want };
                if (setrlimit(RLIMIT_NOFILE, &up) == 0)
                        return;
                rl.rlim_cur = rl.rlim_max;
        }
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
                fprintf(stderr, "loadgen: open files limited to %lu, %lu wanted\n", (unsigned long) rl.rlim_cur,
                        (unsigned long) want);
}

static int connect_sock(bool nonblock)
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
        /* Non-blocking only once connected: a blocking connect waits out a full backlog. */
        if (nonblock && fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
                die("fcntl");
        return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
        while (n > 0) {
                ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += w;
                n -= (size_t) w;
        }
        return 0;
}

/* The HTTP request dockerd sends for `body` to `endpoint`, with "Connection: close" when `close_after`
 * (the fault modes read each answer to EOF).  New, NUL-terminated; NULL when out of memory. */
static char *http_request(const char *endpoint, const char *body, size_t blen, bool close_after,
                          size_t *ret_len)
{
        char head[512];
        int h = snprintf(head, sizeof(head),
                         "POST %s HTTP/1.1\r\nHost: plugin\r\nUser-Agent: Go-http-client/1.1\r\n"
                         "Content-Length: %zu\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n"
                         "Content-Type: application/json\r\nAccept-Encoding: gzip\r\n%s\r\n",
                         endpoint, blen, close_after ? "Connection: close\r\n" : "");
        if (h < 0 || (size_t) h >= sizeof(head))
                return NULL;
        char *r = malloc((size_t) h + blen + 1);
        if (!r)
                return NULL;
        memcpy(r, head, (size_t) h);
        memcpy(r + h, body, blen);
        r[(size_t) h + blen] = '\0';
        *ret_len = (size_t) h + blen;
        return r;
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

/* The p-quantile of n sorted values (nearest rank). */
static size_t rank(size_t n, double p)
{
        return (size_t) (p * (double) (n - 1) + 0.5);
}

static double pct_ns_us(const uint64_t *v, size_t n, double p)
{
        return n ? (double) v[rank(n, p)] / 1e3 : 0;
}

static double pct_ms(const double *v, size_t n, double p)
{
        return n ? v[rank(n, p)] : 0;
}

/* ---- rate: keep-alive closed loop over prepared requests --------------------------------------- */

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
        uint64_t errors;
};

static struct req *reqs;
static size_t nreqs;
static volatile uint64_t t_warm, t_end;   /* ns, CLOCK_MONOTONIC */

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

static bool ends_with(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void build_file_request(const char *path, struct req *r)
{
        size_t blen;
        char *body = read_file(path, &blen);
        const char *ep = ends_with(path, ".res.json") ? "/AuthZPlugin.AuthZRes" : "/AuthZPlugin.AuthZReq";

        r->bytes = http_request(ep, body, blen, false, &r->len);
        if (!r->bytes)
                die("malloc");
        free(body);
}

/* Parse the header of an answer in c->rbuf: sets c->need and returns 1 on HTTP 200, -1 on a
 * malformed answer or another status, 0 when more bytes are needed. */
static int parse_head(struct conn *c)
{
        char *end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
        if (!end)
                return c->rlen == sizeof(c->rbuf) ? -1 : 0;
        size_t hlen = (size_t) (end - c->rbuf) + 4;
        if (c->rlen < 12 || memcmp(c->rbuf, "HTTP/1.1 ", 9) != 0)
                return -1;
        bool ok = memcmp(c->rbuf + 9, "200", 3) == 0 && (c->rbuf[12] == ' ' || c->rbuf[12] == '\r');
        long clen = 0;
        for (char *p = c->rbuf; p < end;) {
                char *eol = memmem(p, (size_t) (end - p) + 2, "\r\n", 2);
                if (!eol)
                        break;
                if ((size_t) (eol - p) > 15 && strncasecmp(p, "Content-Length:", 15) == 0) {
                        char num[24];
                        const char *v = p + 15;
                        while (*v == ' ' || *v == '\t')
                                v++;
                        size_t vl = (size_t) (eol - v);
                        if (vl == 0 || vl >= sizeof(num))
                                return -1;
                        memcpy(num, v, vl);
                        num[vl] = '\0';
                        if (parse_long(num, 0, RESP_MAX, &clen) < 0)
                                return -1;
                }
                p = eol + 2;
        }
        c->need = hlen + (size_t) clen;
        return ok ? 1 : -1;
}

static void conn_open(int ep, struct conn *c)
{
        for (int tries = 0;; tries++) {
                c->fd = connect_sock(true);
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
        conn_open(ep, c);
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
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n <= 0) {
                        conn_reset(w, ep, c);
                        return;
                }
                c->rlen += (size_t) n;
                if (!c->need && parse_head(c) < 0) {
                        conn_reset(w, ep, c);
                        return;
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

static void *rate_worker(void *arg)
{
        struct worker *w = arg;
        int ep = epoll_create1(EPOLL_CLOEXEC);
        struct epoll_event evs[256];

        if (ep < 0)
                die("epoll_create1");
        for (size_t i = 0; i < w->nconns; i++)
                conn_open(ep, &w->conns[i]);
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
                        if ((evs[i].events & EPOLLOUT) && conn_send(ep, c) < 0) {
                                conn_reset(w, ep, c);
                                continue;
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

static int mode_rate(const struct args *a)
{
        size_t nconns = (size_t) a->conns, nthreads = (size_t) a->threads;

        if (a->noperands < 1)
                return -EINVAL;
        nreqs = (size_t) a->noperands;
        reqs = calloc(nreqs, sizeof(*reqs));
        if (!reqs)
                die("calloc");
        for (size_t k = 0; k < nreqs; k++)
                build_file_request(a->operands[k], &reqs[k]);
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

        uint64_t start = now_ns();
        t_warm = start + (uint64_t) (a->warmup * 1e9);
        t_end = t_warm + (uint64_t) (a->duration * 1e9);
        for (size_t k = 0; k < nthreads; k++)
                if (pthread_create(&ws[k].tid, NULL, rate_worker, &ws[k]) != 0)
                        die("pthread_create");
        /* The server's CPU time over the measured window only. */
        struct timespec ts = { .tv_sec = (time_t) a->warmup,
                               .tv_nsec = (long) ((a->warmup - (double) (time_t) a->warmup) * 1e9) };
        nanosleep(&ts, NULL);
        long long cpu0 = a->pid ? proc_cpu_ticks(a->pid) : -1;
        for (size_t k = 0; k < nthreads; k++)
                pthread_join(ws[k].tid, NULL);
        long long cpu1 = a->pid ? proc_cpu_ticks(a->pid) : -1;

        size_t n = 0;
        uint64_t errors = 0;
        for (size_t k = 0; k < nthreads; k++) {
                n += ws[k].nlat;
                errors += ws[k].errors;
        }
        uint64_t *all = malloc((n ? n : 1) * sizeof(*all));
        if (!all)
                die("malloc");
        size_t o = 0;
        for (size_t k = 0; k < nthreads; k++) {
                if (ws[k].nlat)
                        memcpy(all + o, ws[k].lat, ws[k].nlat * sizeof(*all));
                o += ws[k].nlat;
        }
        qsort(all, n, sizeof(*all), cmp_u64);
        double rps = a->duration > 0 ? (double) n / a->duration : 0;
        double cpu_us = -1;
        if (a->pid && cpu0 >= 0 && cpu1 >= 0 && n > 0)
                cpu_us = (double) (cpu1 - cpu0) / (double) sysconf(_SC_CLK_TCK) * 1e6 / (double) n;
        printf("label=%s conns=%zu n=%zu rps=%.0f p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f "
               "cpu_us=%.2f hwm_kb=%ld rss_kb=%ld errors=%" PRIu64 "\n",
               a->label, nconns, n, rps, pct_ns_us(all, n, 0.50), pct_ns_us(all, n, 0.99),
               pct_ns_us(all, n, 0.999), n ? (double) all[n - 1] / 1e3 : 0.0, cpu_us,
               a->pid ? proc_status_kb(a->pid, "VmHWM") : -1L, a->pid ? proc_status_kb(a->pid, "VmRSS") : -1L,
               errors);
        return 0;
}

/* ---- first: start to first decision ------------------------------------------------------------ */

static double first_decision_once(char **argv)
{
        const struct req *r = &reqs[0];
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
                fd = connect_sock(false);
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
        if (write_all(fd, r->bytes, r->len) < 0)
                die("send");
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
        close(fd);
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        return ms;
}

/* FILE -- SERVER-COMMAND [ARG...] */
static int mode_first(const struct args *a)
{
        if (a->noperands < 3 || strcmp(a->operands[1], "--") != 0)
                return -EINVAL;
        size_t runs = (size_t) a->runs;
        reqs = calloc(1, sizeof(*reqs));
        double *t = calloc(runs, sizeof(*t));
        if (!reqs || !t)
                die("calloc");
        nreqs = 1;
        build_file_request(a->operands[0], &reqs[0]);
        for (size_t k = 0; k < runs; k++)
                t[k] = first_decision_once(a->operands + 2);
        qsort(t, runs, sizeof(*t), cmp_double);
        printf("label=%s first_decision_ms=%.2f min_ms=%.2f max_ms=%.2f runs=%zu\n", a->label, t[runs / 2],
               t[0], t[runs - 1], runs);
        return 0;
}

/* ---- fault modes: one request per connection, answers read to EOF and checked ------------------ */

enum answer { ANS_NONE = 0, ANS_ALLOW, ANS_DENY, ANS_HTTP_ERROR, ANS_GARBLED };

static enum answer classify(const char *resp, size_t n)
{
        if (strncmp(resp, "HTTP/1.", 7) != 0)
                return n == 0 ? ANS_NONE : ANS_GARBLED;
        if (strncmp(resp + 8, " 200", 4) != 0)
                return ANS_HTTP_ERROR;
        const char *body = strstr(resp, "\r\n\r\n");
        if (!body)
                return ANS_GARBLED;
        if (strstr(body, "\"Allow\":true"))
                return ANS_ALLOW;
        if (strstr(body, "\"Allow\":false"))
                return ANS_DENY;
        return ANS_GARBLED;
}

/* Read until EOF or `timeout_ms`; the answer in buf (NUL-terminated). */
static size_t read_answer(int fd, char *buf, size_t size, int timeout_ms)
{
        size_t got = 0;
        double end = now_ms() + timeout_ms;

        while (got < size - 1) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int left = (int) (end - now_ms());
                if (left <= 0 || poll(&p, 1, left) <= 0)
                        break;
                ssize_t r = read(fd, buf + got, size - 1 - got);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                got += (size_t) r;
        }
        buf[got] = '\0';
        return got;
}

static char *envelope_request(const char *env, size_t *ret_len)
{
        return http_request("/AuthZPlugin.AuthZReq", env, strlen(env), true, ret_len);
}

/* One request on a new connection: the answer, with its latency in *ret_ms and the deny's "Msg"
 * onwards in msg. */
static enum answer one_request(const char *env, int timeout_ms, double *ret_ms, char *msg, size_t msgsize)
{
        size_t len;
        char buf[8192];
        double t0 = now_ms();
        char *req = envelope_request(env, &len);
        enum answer a = ANS_NONE;
        int fd;

        if (!req)
                return ANS_NONE;
        fd = connect_sock(false);
        if (fd >= 0) {
                if (write_all(fd, req, len) == 0) {
                        size_t n = read_answer(fd, buf, sizeof(buf), timeout_ms);
                        a = classify(buf, n);
                        if (msg) {
                                const char *m = strstr(buf, "\"Msg\":");
                                snprintf(msg, msgsize, "%s", m ? m : "");
                        }
                }
                close(fd);
        }
        free(req);
        if (ret_ms)
                *ret_ms = now_ms() - t0;
        return a;
}

static int mode_conc(const struct args *args)
{
        long n = args->conns;
        int *fds = calloc((size_t) n, sizeof(int));
        double *lat = calloc((size_t) n, sizeof(double));
        char **bufs = calloc((size_t) n, sizeof(char *));
        size_t *got = calloc((size_t) n, sizeof(size_t));
        struct pollfd *pfd = calloc((size_t) n, sizeof(struct pollfd));
        size_t la, ld;
        char *ra = envelope_request(env_allow, &la);
        char *rd = envelope_request(env_deny, &ld);
        long connected = 0, sent = 0, allow_ok = 0, deny_ok = 0, wrong_allow = 0, wrong = 0, none = 0;
        const size_t bufsize = 2048;

        if (!fds || !lat || !bufs || !got || !pfd || !ra || !rd)
                die("calloc");
        raise_nofile((size_t) n);

        /* Every connection first, so that all n are open together. */
        double t0 = now_ms();
        for (long i = 0; i < n; i++) {
                fds[i] = connect_sock(false);
                if (fds[i] < 0) {
                        fprintf(stderr, "loadgen conc: connection %ld: %s\n", i, strerror(-fds[i]));
                        continue;
                }
                connected++;
        }
        double t_conn = now_ms() - t0;
        for (long i = 0; i < n; i++) {
                bufs[i] = malloc(bufsize);
                if (!bufs[i])
                        die("malloc");
                bufs[i][0] = '\0';
                if (fds[i] < 0)
                        continue;
                if (write_all(fds[i], i % 2 ? rd : ra, i % 2 ? ld : la) == 0)
                        sent++;
        }
        double t_sent = now_ms();

        /* Read every answer (until EOF on each), 60 s at most overall. */
        long open_fds = connected;
        while (open_fds > 0 && now_ms() - t_sent < 60000) {
                for (long i = 0; i < n; i++)
                        pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
                if (poll(pfd, (nfds_t) n, 1000) < 0 && errno != EINTR)
                        break;
                for (long i = 0; i < n; i++) {
                        if (fds[i] < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        ssize_t r = read(fds[i], bufs[i] + got[i], bufsize - 1 - got[i]);
                        if (r > 0) {
                                got[i] += (size_t) r;
                                bufs[i][got[i]] = '\0';
                                if (got[i] < bufsize - 1)
                                        continue;
                        }
                        lat[i] = now_ms() - t_sent;
                        close(fds[i]);
                        fds[i] = -1;
                        open_fds--;
                }
        }
        double t_all = now_ms() - t_sent;

        size_t nl = 0;
        for (long i = 0; i < n; i++) {
                if (fds[i] >= 0) {
                        close(fds[i]);
                        lat[i] = -1;
                }
                enum answer a = classify(bufs[i], got[i]);
                bool want_allow = i % 2 == 0;
                if (a == ANS_ALLOW && want_allow)
                        allow_ok++;
                else if (a == ANS_DENY && !want_allow)
                        deny_ok++;
                else if (a == ANS_ALLOW)
                        wrong_allow++;
                else if (a == ANS_NONE)
                        none++;
                else
                        wrong++;
                if (lat[i] >= 0 && a != ANS_NONE)
                        lat[nl++] = lat[i];
        }
        qsort(lat, nl, sizeof(double), cmp_double);
        long correct = allow_ok + deny_ok;
        printf("loadgen conc: connections=%ld open_at_once=%ld connect_ms=%.0f sent=%ld answered_correctly=%ld "
               "(allow=%ld deny=%ld) wrong_allow=%ld wrong_other=%ld unanswered=%ld all_answered_ms=%.0f "
               "latency_ms p50=%.1f p99=%.1f max=%.1f\n",
               n, connected, t_conn, sent, correct, allow_ok, deny_ok, wrong_allow, wrong, none, t_all,
               pct_ms(lat, nl, 0.5), pct_ms(lat, nl, 0.99), nl ? lat[nl - 1] : 0.0);
        return correct == n ? 0 : 1;
}

static int mode_slow(const struct args *args)
{
        long nslow = args->stalled, nfast = args->requests, bound_ms = args->bound_ms;
        int *fds = calloc((size_t) nslow + 1, sizeof(int));
        double *lat = calloc((size_t) nfast, sizeof(double));
        size_t len;
        char *req = envelope_request(env_deny, &len);
        long stalled = 0, ok = 0, wrong_allow = 0;

        if (!fds || !lat || !req)
                die("calloc");
        raise_nofile((size_t) nslow);

        /* Headers and half the body, then nothing. */
        size_t half = len - strlen(env_deny) / 2;
        for (long i = 0; i < nslow; i++) {
                fds[i] = connect_sock(false);
                if (fds[i] >= 0 && write_all(fds[i], req, half) == 0)
                        stalled++;
        }
        double t_stall = now_ms();
        usleep(200 * 1000);   /* let the server take them all in */

        for (long i = 0; i < nfast; i++) {
                bool want_allow = i % 2 == 0;
                enum answer a = one_request(want_allow ? env_allow : env_deny, 30000, &lat[i], NULL, 0);
                if ((a == ANS_ALLOW) == want_allow && (a == ANS_ALLOW || a == ANS_DENY))
                        ok++;
                if (a == ANS_ALLOW && !want_allow)
                        wrong_allow++;
        }
        qsort(lat, (size_t) nfast, sizeof(double), cmp_double);
        double maxlat = lat[nfast - 1];

        /* How long does the server keep a client that stalls?  (Its connection timeout.) */
        long closed = 0, stalled_allowed = 0;
        double last_close = 0;
        for (long i = 0; i < nslow; i++) {
                if (fds[i] < 0)
                        continue;
                char buf[2048];
                int left = (int) (t_stall + 30000 - now_ms());
                size_t n = read_answer(fds[i], buf, sizeof(buf), left > 0 ? left : 0);
                double t = now_ms() - t_stall;
                struct pollfd p = { .fd = fds[i], .events = POLLIN };
                if (n > 0 || (poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP)))) {
                        closed++;
                        if (t > last_close)
                                last_close = t;
                }
                if (classify(buf, n) == ANS_ALLOW)
                        stalled_allowed++;
                close(fds[i]);
        }

        bool pass = ok == nfast && wrong_allow == 0 && stalled_allowed == 0 && maxlat <= (double) bound_ms;
        printf("loadgen slow: stalled_clients=%ld fast_requests=%ld answered_correctly=%ld "
               "latency_ms p50=%.1f p99=%.1f max=%.1f (bound %ld) stalled_closed_by_server=%ld after_ms=%.0f "
               "stalled_allowed=%ld\n",
               stalled, nfast, ok, pct_ms(lat, (size_t) nfast, 0.5), pct_ms(lat, (size_t) nfast, 0.99),
               maxlat, bound_ms, closed, last_close, stalled_allowed);
        return pass ? 0 : 1;
}

struct bad_case {
        const char *name;
        char *raw;          /* the bytes to send (new) */
        size_t len;
        bool shut_wr;       /* half-close after sending */
};

static void add_body(struct bad_case *c, const char *name, const char *body, size_t blen)
{
        c->name = name;
        c->raw = http_request("/AuthZPlugin.AuthZReq", body, blen, true, &c->len);
        c->shut_wr = false;
}

/* Raw bytes, not HTTP as dockerd would send it: the server has to cope. */
static void add_raw(struct bad_case *c, const char *name, const char *raw, size_t len)
{
        c->name = name;
        c->raw = malloc(len + 1);
        if (c->raw) {
                memcpy(c->raw, raw, len);
                c->raw[len] = '\0';
        }
        c->len = len;
        c->shut_wr = true;
}

static int mode_bad(const struct args *args)
{
        struct bad_case c[16];
        int nc = 0;
        size_t big = (8u << 20) + 4096;   /* over SERVER_AUTHZREQ_MAX */
        char *blob = malloc(big + 1);
        char *deep = malloc(200001);
        size_t hl = 200 << 10;
        char *bighead = malloc(hl + 256);
        long failures = 0;

        (void) args;
        if (!blob || !deep || !bighead)
                die("malloc");
        /* A valid-looking envelope whose RequestBody string runs past the cap. */
        memset(blob, 'A', big);
        static const char blob_head[] = "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/v1.41/containers/json\",\"RequestBody\":\"";
        memcpy(blob, blob_head, sizeof(blob_head) - 1);
        memcpy(blob + big - 2, "\"}", 2);
        blob[big] = '\0';
        memset(deep, '[', 100000);
        memset(deep + 100000, ']', 100000);
        deep[200000] = '\0';
        /* 200 KiB of header. */
        int k = snprintf(bighead, 256, "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nX-Big: ");
        memset(bighead + k, 'x', hl);
        static const char bighead_tail[] = "\r\nContent-Length: 2\r\n\r\n{}";
        memcpy(bighead + k + hl, bighead_tail, sizeof(bighead_tail));

        static const char nul[] = "{\"RequestMethod\":\"GET\",\0\"RequestUri\":\"/v1.41/containers/json\"}";
        static const char utf8[] = "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/v1.41/\xff\xfe/json\"}";
        static const char b64[] = "{\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/create\","
                "\"RequestHeaders\":{\"Content-Type\":\"application/json\"},\"RequestBody\":\"!!!notbase64\"}";
        static const char lies[] =
                "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: p\r\nContent-Length: 1000\r\n\r\n{\"Request";
        static const char huge[] =
                "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: p\r\nContent-Length: 99999999999999999999\r\n\r\n{}";
        static const char chunked[] =
                "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\n\r\n"
                "FFFFFFFF\r\n{}\r\n";
        static const char tls[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n";
        static const char dup_clen[] = "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: p\r\nContent-Length: 2\r\n"
                                       "Content-Length: 400\r\n\r\n{}";

        add_body(&c[nc++], "envelope-over-8MiB", blob, big);
        add_body(&c[nc++], "not-json", "hello, plugin", 13);
        add_body(&c[nc++], "empty-body", "", 0);
        add_body(&c[nc++], "truncated-json", env_allow, strlen(env_allow) / 2);
        add_body(&c[nc++], "json-array", "[1,2,3]", 7);
        add_body(&c[nc++], "nested-100000-deep", deep, 200000);
        add_body(&c[nc++], "nul-bytes", nul, sizeof(nul) - 1);
        add_body(&c[nc++], "invalid-utf8", utf8, sizeof(utf8) - 1);
        add_body(&c[nc++], "bad-base64-body", b64, sizeof(b64) - 1);
        add_raw(&c[nc++], "content-length-lies-then-half-close", lies, sizeof(lies) - 1);
        add_raw(&c[nc++], "content-length-huge", huge, sizeof(huge) - 1);
        add_raw(&c[nc++], "chunked-over-cap", chunked, sizeof(chunked) - 1);
        add_raw(&c[nc++], "not-http", tls, sizeof(tls) - 1);
        add_raw(&c[nc++], "header-200KiB", bighead, strlen(bighead));
        add_raw(&c[nc++], "duplicate-content-length", dup_clen, sizeof(dup_clen) - 1);
        free(blob);
        free(deep);
        free(bighead);

        printf("loadgen bad: %d cases\n", nc);
        for (int i = 0; i < nc; i++) {
                char buf[4096];
                double t0 = now_ms();
                int fd = connect_sock(false);
                if (!c[i].raw || fd < 0) {
                        printf("  %-36s setup failed\n", c[i].name);
                        failures++;
                        if (fd >= 0)
                                close(fd);
                        continue;
                }
                int w = write_all(fd, c[i].raw, c[i].len);
                if (c[i].shut_wr)
                        shutdown(fd, SHUT_WR);
                size_t n = read_answer(fd, buf, sizeof(buf), 15000);
                enum answer a = classify(buf, n);
                close(fd);
                double ms = now_ms() - t0;

                /* Then the server must still answer a real request, correctly. */
                enum answer after = one_request(env_deny, 15000, NULL, NULL, 0);
                enum answer after2 = one_request(env_allow, 15000, NULL, NULL, 0);
                const char *what = a == ANS_ALLOW ? "ALLOW" : a == ANS_DENY ? "deny" :
                                   a == ANS_HTTP_ERROR ? "http-error" : a == ANS_NONE ? "closed" : "garbled";
                char status[16] = "";
                if (a == ANS_HTTP_ERROR)
                        snprintf(status, sizeof(status), " %.3s", buf + 9);
                bool ok = a != ANS_ALLOW && a != ANS_GARBLED && after == ANS_DENY && after2 == ANS_ALLOW;
                printf("  %-4s %-36s %-10s%s in %.0f ms%s; server still answers: %s\n", ok ? "ok" : "FAIL",
                       c[i].name, what, status, ms, w < 0 ? " (send cut short by the server)" : "",
                       after == ANS_DENY && after2 == ANS_ALLOW ? "yes" : "NO");
                if (!ok)
                        failures++;
                free(c[i].raw);
        }
        printf("loadgen bad: cases=%d failed=%ld\n", nc, failures);
        return failures == 0 ? 0 : 1;
}

/* What the steady clients share, under st.lock. */
static struct {
        pthread_mutex_t lock;
        double end, t0, last_ok, max_gap, gap_at;
        long ok, fail, wrong_allow, wrong_deny;
        double *lat;
        size_t nlat, caplat;
} st = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void *steady_client(void *arg)
{
        long id = (long) (intptr_t) arg;

        for (long i = id; now_ms() < st.end; i++) {
                bool want_allow = i % 2 == 0;
                double ms;
                enum answer a = one_request(want_allow ? env_allow : env_deny, 20000, &ms, NULL, 0);
                double t = now_ms();

                pthread_mutex_lock(&st.lock);
                if (a == ANS_ALLOW && !want_allow)
                        st.wrong_allow++;
                else if (a == ANS_DENY && want_allow)
                        st.wrong_deny++;
                else if (a == ANS_ALLOW || a == ANS_DENY) {
                        st.ok++;
                        if (t - st.last_ok > st.max_gap) {
                                st.max_gap = t - st.last_ok;
                                st.gap_at = st.last_ok - st.t0;
                        }
                        st.last_ok = t;
                        if (st.nlat < st.caplat)
                                st.lat[st.nlat++] = ms;
                } else
                        st.fail++;
                pthread_mutex_unlock(&st.lock);
                if (a != ANS_ALLOW && a != ANS_DENY)
                        usleep(10 * 1000);   /* a failed connect: do not spin */
        }
        return NULL;
}

static int mode_steady(const struct args *args)
{
        long clients = args->conns;

        if (clients > 256) {
                fprintf(stderr, "loadgen steady: at most 256 clients (one thread each)\n");
                return 2;
        }
        pthread_t *th = calloc((size_t) clients, sizeof(*th));
        st.caplat = 4u << 20;
        st.lat = malloc(st.caplat * sizeof(double));
        if (!th || !st.lat)
                die("malloc");
        st.t0 = st.last_ok = now_ms();
        st.end = st.t0 + args->duration * 1000;
        for (long i = 0; i < clients; i++)
                if (pthread_create(&th[i], NULL, steady_client, (void *) (intptr_t) i) != 0)
                        die("pthread_create");
        for (long i = 0; i < clients; i++)
                pthread_join(th[i], NULL);
        double total = now_ms() - st.t0;
        qsort(st.lat, st.nlat, sizeof(double), cmp_double);
        printf("loadgen steady: seconds=%g threads=%ld answered=%ld (%.0f/s) failed=%ld wrong_allow=%ld "
               "wrong_deny=%ld latency_ms p50=%.2f p99=%.2f max=%.1f longest_without_answer_ms=%.0f (at +%.1f s)\n",
               args->duration, clients, st.ok, (double) st.ok * 1000 / total, st.fail, st.wrong_allow,
               st.wrong_deny, pct_ms(st.lat, st.nlat, 0.5), pct_ms(st.lat, st.nlat, 0.99),
               st.nlat ? st.lat[st.nlat - 1] : 0.0, st.max_gap, st.gap_at / 1000);
        /* The caller decides what failures mean (a kill -9 makes some); a wrong allow never passes. */
        return st.wrong_allow == 0 && st.wrong_deny == 0 && st.ok > 0 ? 0 : 1;
}

static int mode_audit(const struct args *args)
{
        long n = args->requests;
        long allowed = 0, denied_audit = 0, denied_other = 0, failed = 0, first_audit_deny = -1;
        long allowed_after = 0;
        char msg[1024];

        for (long i = 0; i < n; i++) {
                enum answer a = one_request(env_allow, 15000, NULL, msg, sizeof(msg));
                if (a == ANS_ALLOW) {
                        allowed++;
                        if (first_audit_deny >= 0)
                                allowed_after++;
                } else if (a == ANS_DENY && strstr(msg, "audit")) {
                        denied_audit++;
                        if (first_audit_deny < 0)
                                first_audit_deny = i;
                } else if (a == ANS_DENY)
                        denied_other++;
                else
                        failed++;
        }
        printf("loadgen audit: requests=%ld allowed=%ld denied_audit=%ld first_audit_deny_at=%ld "
               "allowed_after_first_audit_deny=%ld denied_other=%ld failed=%ld\n",
               n, allowed, denied_audit, first_audit_deny, allowed_after, denied_other, failed);
        return failed == 0 && denied_other == 0 ? 0 : 1;
}

/* ---- main -------------------------------------------------------------------------------------- */

enum {
        O_CONNS = 1 << 0, O_THREADS = 1 << 1, O_DURATION = 1 << 2, O_WARMUP = 1 << 3, O_PID = 1 << 4,
        O_LABEL = 1 << 5, O_RUNS = 1 << 6, O_REQUESTS = 1 << 7, O_STALLED = 1 << 8, O_BOUND = 1 << 9,
};

static const struct mode {
        const char *name;
        unsigned opts;      /* the options it takes; any other is a usage error */
        bool operands;      /* whether it takes operands */
        int (*run)(const struct args *);
        const char *usage;
} modes[] = {
        { "rate", O_CONNS | O_THREADS | O_DURATION | O_WARMUP | O_PID | O_LABEL, true, mode_rate,
          "[--conns N] [--threads T] [--duration S] [--warmup S] [--pid PID] [--label TEXT] FILE..." },
        { "first", O_RUNS | O_LABEL, true, mode_first, "[--runs N] [--label TEXT] FILE -- SERVER-COMMAND [ARG...]" },
        { "conc", O_CONNS, false, mode_conc, "[--conns N]" },
        { "slow", O_STALLED | O_REQUESTS | O_BOUND, false, mode_slow, "[--stalled N] [--requests M] [--bound-ms MS]" },
        { "bad", 0, false, mode_bad, "" },
        { "steady", O_CONNS | O_DURATION, false, mode_steady, "[--conns N] [--duration S]" },
        { "audit", O_REQUESTS, false, mode_audit, "[--requests N]" },
};

static int usage(void)
{
        for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
                fprintf(stderr, "%s loadgen %-6s --socket PATH%s%s\n", i ? "      " : "usage:", modes[i].name,
                        *modes[i].usage ? " " : "", modes[i].usage);
        return 2;
}

static const struct opt_def {
        const char *name;
        unsigned bit;
} options[] = {
        { "--socket", 0 }, { "--conns", O_CONNS }, { "--threads", O_THREADS }, { "--duration", O_DURATION },
        { "--warmup", O_WARMUP }, { "--pid", O_PID }, { "--label", O_LABEL }, { "--runs", O_RUNS },
        { "--requests", O_REQUESTS }, { "--stalled", O_STALLED }, { "--bound-ms", O_BOUND },
};

/* Parse the value of the option `o` into a; -EINVAL when it is out of its range. */
static int parse_option(const struct opt_def *o, const char *v, struct args *a)
{
        long pid;

        switch (o->bit) {
        case 0:
                sock_path = v;
                return 0;
        case O_CONNS:
                return parse_long(v, 1, 100000, &a->conns);
        case O_THREADS:
                return parse_long(v, 1, 256, &a->threads);
        case O_DURATION:
                return parse_secs(v, 3600, &a->duration);
        case O_WARMUP:
                return parse_secs(v, 3600, &a->warmup);
        case O_PID:
                if (parse_long(v, 1, INT_MAX, &pid) < 0)
                        return -EINVAL;
                a->pid = (pid_t) pid;
                return 0;
        case O_LABEL:
                a->label = v;
                return 0;
        case O_RUNS:
                return parse_long(v, 1, 1000, &a->runs);
        case O_REQUESTS:
                return parse_long(v, 1, 1000000, &a->requests);
        case O_STALLED:
                return parse_long(v, 0, 100000, &a->stalled);
        case O_BOUND:
                return parse_long(v, 1, 1000000, &a->bound_ms);
        default:
                assert(!"option without a parser");
                return -EINVAL;
        }
}

int main(int argc, char **argv)
{
        struct args a = { .conns = 1, .threads = 1, .duration = 3, .warmup = 0.5, .runs = 1,
                          .label = "load", .requests = 100, .stalled = 100, .bound_ms = 1000 };
        const struct mode *m = NULL;
        int i;

        if (argc < 2)
                return usage();
        for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++)
                if (strcmp(argv[1], modes[k].name) == 0)
                        m = &modes[k];
        if (!m)
                return usage();
        for (i = 2; i < argc && strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i], "--") != 0; i += 2) {
                const struct opt_def *o = NULL;
                for (size_t k = 0; k < sizeof(options) / sizeof(options[0]); k++)
                        if (strcmp(argv[i], options[k].name) == 0)
                                o = &options[k];
                if (!o || (o->bit & ~m->opts)) {
                        fprintf(stderr, "loadgen %s: unknown option %s\n", m->name, argv[i]);
                        return usage();
                }
                if (i + 1 >= argc || parse_option(o, argv[i + 1], &a) < 0) {
                        fprintf(stderr, "loadgen %s: bad value for %s\n", m->name, argv[i]);
                        return usage();
                }
        }
        if (i < argc && strcmp(argv[i], "--") == 0)
                i++;
        a.operands = argv + i;
        a.noperands = argc - i;
        if (!sock_path || (!m->operands && a.noperands > 0))
                return usage();
        signal(SIGPIPE, SIG_IGN);
        int r = m->run(&a);
        return r == -EINVAL ? usage() : r;
}
