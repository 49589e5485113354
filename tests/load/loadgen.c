/* Load and fault generator for the plugin's socket (tests/load/run.sh drives it).
 *
 *   loadgen conc   SOCK N                 N connections open at once, then N requests, every answer
 *                                         checked (half must be allowed, half denied)
 *   loadgen slow   SOCK NSLOW NFAST BOUND_MS
 *                                         NSLOW clients send half a request and stall; meanwhile
 *                                         NFAST ordinary requests must each be answered within
 *                                         BOUND_MS; then how long the server keeps a staller
 *   loadgen bad    SOCK                   oversized and malformed envelopes: each must end in a deny
 *                                         or an HTTP error (never an allow), and a good request must
 *                                         be answered after each
 *   loadgen steady SOCK SECONDS THREADS   closed-loop load (alternating allow and deny envelopes)
 *                                         for SECONDS; counts failures and wrong answers, and the
 *                                         longest time without any answer
 *   loadgen audit  SOCK N                 N allow-envelope requests one after another; prints how
 *                                         many were allowed and how many denied by rule "audit"
 *
 * Each mode prints one "loadgen MODE: key=value ..." line with what it measured and exits 0 when its
 * own checks passed, 1 when not, 2 on a usage or setup error.  A wrong allow (a deny envelope
 * answered allow) is always a failure. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

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

enum answer { ANS_NONE = 0, ANS_ALLOW, ANS_DENY, ANS_HTTP_ERROR, ANS_GARBLED };

static const char *sock_path;

static double now_ms(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec * 1e3 + (double) t.tv_nsec / 1e6;
}

static int parse_num(const char *s, long min, long max, long *ret)
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

static void raise_nofile(rlim_t want)
{
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
                rl.rlim_cur = want;
                if (rl.rlim_max < want)
                        rl.rlim_max = want;   /* root may raise the hard limit */
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        fprintf(stderr, "loadgen: cannot raise RLIMIT_NOFILE to %lu: %s\n",
                                (unsigned long) want, strerror(errno));
        }
}

static int connect_sock(void)
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

/* The HTTP request dockerd would send for `body` (malloc'd, NUL-terminated). */
static char *http_request(const char *path, const char *body, size_t len, size_t *ret_len)
{
        char head[256];
        int h = snprintf(head, sizeof(head),
                         "POST %s HTTP/1.1\r\nHost: plugin\r\n"
                         "Content-Type: application/vnd.docker.plugins.v1.2+json\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n", path, len);
        char *r = malloc((size_t) h + len + 1);

        if (!r)
                return NULL;
        memcpy(r, head, (size_t) h);
        memcpy(r + h, body, len);
        r[(size_t) h + len] = '\0';
        *ret_len = (size_t) h + len;
        return r;
}

static enum answer classify(const char *resp, size_t n)
{
        (void) n;
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

/* One request on a new connection: the answer, with its latency in *ret_ms. */
static enum answer one_request(const char *env, int timeout_ms, double *ret_ms, char *msg, size_t msgsize)
{
        size_t len;
        char buf[8192];
        double t0 = now_ms();
        char *req = http_request("/AuthZPlugin.AuthZReq", env, strlen(env), &len);
        enum answer a = ANS_NONE;
        int fd;

        if (!req)
                return ANS_NONE;
        fd = connect_sock();
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

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
        if (n == 0)
                return 0;
        size_t i = (size_t) (p * (double) (n - 1) + 0.5);
        return v[i];
}

/* ---- conc --------------------------------------------------------------------------------------- */

static int mode_conc(long n)
{
        int *fds = calloc((size_t) n, sizeof(int));
        double *lat = calloc((size_t) n, sizeof(double));
        char **bufs = calloc((size_t) n, sizeof(char *));
        size_t *got = calloc((size_t) n, sizeof(size_t));
        struct pollfd *pfd = calloc((size_t) n, sizeof(struct pollfd));
        size_t la, ld;
        char *ra = http_request("/AuthZPlugin.AuthZReq", env_allow, strlen(env_allow), &la);
        char *rd = http_request("/AuthZPlugin.AuthZReq", env_deny, strlen(env_deny), &ld);
        long connected = 0, sent = 0, allow_ok = 0, deny_ok = 0, wrong_allow = 0, wrong = 0, none = 0;
        const size_t bufsize = 2048;

        if (!fds || !lat || !bufs || !got || !pfd || !ra || !rd)
                return 2;
        raise_nofile((rlim_t) n + 64);

        /* Every connection first, so that all n are open together. */
        double t0 = now_ms();
        for (long i = 0; i < n; i++) {
                fds[i] = connect_sock();
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
                        return 2;
                bufs[i][0] = '\0';
                if (fds[i] < 0)
                        continue;
                if (write_all(fds[i], i % 2 ? rd : ra, i % 2 ? ld : la) == 0)
                        sent++;
        }
        double t_sent = now_ms();

        /* Read every answer (until EOF on each), 60 s at most overall. */
        long open_fds = 0;
        for (long i = 0; i < n; i++)
                if (fds[i] >= 0)
                        open_fds++;
        while (open_fds > 0 && now_ms() - t_sent < 60000) {
                nfds_t k = 0;
                for (long i = 0; i < n; i++)
                        pfd[k++] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
                if (poll(pfd, k, 1000) < 0 && errno != EINTR)
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
               pct(lat, nl, 0.5), pct(lat, nl, 0.99), nl ? lat[nl - 1] : 0.0);
        return correct == n ? 0 : 1;
}

/* ---- slow --------------------------------------------------------------------------------------- */

static int mode_slow(long nslow, long nfast, long bound_ms)
{
        int *fds = calloc((size_t) nslow, sizeof(int));
        double *lat = calloc((size_t) nfast, sizeof(double));
        size_t len;
        char *req = http_request("/AuthZPlugin.AuthZReq", env_deny, strlen(env_deny), &len);
        long stalled = 0, ok = 0, wrong_allow = 0;

        if (!fds || !lat || !req)
                return 2;
        raise_nofile((rlim_t) nslow + 64);

        /* Headers and half the body, then nothing. */
        size_t half = len - strlen(env_deny) / 2;
        for (long i = 0; i < nslow; i++) {
                fds[i] = connect_sock();
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
        double *sorted = malloc((size_t) nfast * sizeof(double));
        if (!sorted)
                return 2;
        memcpy(sorted, lat, (size_t) nfast * sizeof(double));
        qsort(sorted, (size_t) nfast, sizeof(double), cmp_double);
        double maxlat = nfast ? sorted[nfast - 1] : 0;

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
               stalled, nfast, ok, pct(sorted, (size_t) nfast, 0.5), pct(sorted, (size_t) nfast, 0.99),
               maxlat, bound_ms, closed, last_close, stalled_allowed);
        return pass ? 0 : 1;
}

/* ---- bad ---------------------------------------------------------------------------------------- */

struct bad_case {
        const char *name;
        char *raw;          /* the bytes to send (malloc'd) */
        size_t len;
        bool shut_wr;       /* half-close after sending */
};

static char *cat_request(const char *head, const char *body, size_t blen, size_t *ret_len)
{
        size_t hl = strlen(head);
        char *r = malloc(hl + blen + 1);
        if (!r)
                return NULL;
        memcpy(r, head, hl);
        memcpy(r + hl, body, blen);
        r[hl + blen] = '\0';
        *ret_len = hl + blen;
        return r;
}

static int mode_bad(void)
{
        struct bad_case c[16];
        int nc = 0;
        size_t big = (8u << 20) + 4096;   /* over SERVER_AUTHZREQ_MAX */
        char *blob = malloc(big + 1);
        char *deep = malloc(200001);
        long failures = 0;

        if (!blob || !deep)
                return 2;
        /* A valid-looking envelope whose RequestBody string runs past the cap. */
        memset(blob, 'A', big);
        static const char blob_head[] = "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/v1.41/containers/json\",\"RequestBody\":\"";
        memcpy(blob, blob_head, sizeof(blob_head) - 1);
        memcpy(blob + big - 2, "\"}", 2);
        blob[big] = '\0';
        for (int i = 0; i < 100000; i++)
                deep[i] = '[';
        for (int i = 100000; i < 200000; i++)
                deep[i] = ']';
        deep[200000] = '\0';

#define ADD_BODY(n, body, blen) do { \
        c[nc].name = (n); c[nc].raw = http_request("/AuthZPlugin.AuthZReq", (body), (blen), &c[nc].len); \
        c[nc].shut_wr = false; nc++; } while (0)
#define ADD_RAW(n, s, sw) do { \
        c[nc].name = (n); c[nc].raw = strdup(s); c[nc].len = strlen(s); c[nc].shut_wr = (sw); nc++; } while (0)

        ADD_BODY("envelope-over-8MiB", blob, big);
        ADD_BODY("not-json", "hello, plugin", 13);
        ADD_BODY("empty-body", "", 0);
        ADD_BODY("truncated-json", env_allow, strlen(env_allow) / 2);
        ADD_BODY("json-array", "[1,2,3]", 7);
        ADD_BODY("nested-100000-deep", deep, 200000);
        static const char nul[] = "{\"RequestMethod\":\"GET\",\0\"RequestUri\":\"/v1.41/containers/json\"}";
        static const char utf8[] = "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/v1.41/\xff\xfe/json\"}";
        static const char b64[] = "{\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/create\","
                "\"RequestHeaders\":{\"Content-Type\":\"application/json\"},\"RequestBody\":\"!!!notbase64\"}";
        ADD_BODY("nul-bytes", nul, sizeof(nul) - 1);
        ADD_BODY("invalid-utf8", utf8, sizeof(utf8) - 1);
        ADD_BODY("bad-base64-body", b64, sizeof(b64) - 1);
        ADD_RAW("content-length-lies-then-half-close",
                "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: p\r\nContent-Length: 1000\r\n\r\n{\"Request", true);
        ADD_RAW("content-length-huge",
                "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: p\r\nContent-Length: 99999999999999999999\r\n\r\n{}", true);
        ADD_RAW("chunked-over-cap",
                "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\n\r\n"
                "FFFFFFFF\r\n{}\r\n", true);
        ADD_RAW("not-http", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n", true);
        {
                /* 200 KiB of header. */
                size_t hl = 200 << 10;
                char *h = malloc(hl + 256);
                if (!h)
                        return 2;
                int k = snprintf(h, 256, "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nX-Big: ");
                memset(h + k, 'x', hl);
                static const char tail[] = "\r\nContent-Length: 2\r\n\r\n{}";
                memcpy(h + k + hl, tail, sizeof(tail));
                c[nc].name = "header-200KiB";
                c[nc].raw = h;
                c[nc].len = strlen(h);
                c[nc].shut_wr = true;
                nc++;
        }
        {
                size_t l;
                char *r = cat_request("POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: p\r\nContent-Length: 2\r\n"
                                      "Content-Length: 400\r\n\r\n", "{}", 2, &l);
                c[nc].name = "duplicate-content-length";
                c[nc].raw = r;
                c[nc].len = l;
                c[nc].shut_wr = true;
                nc++;
        }

        printf("loadgen bad: %d cases\n", nc);
        for (int i = 0; i < nc; i++) {
                char buf[4096];
                enum answer a = ANS_NONE;
                double t0 = now_ms();
                int fd = connect_sock();
                if (!c[i].raw || fd < 0) {
                        printf("  %-36s setup failed\n", c[i].name);
                        failures++;
                        continue;
                }
                int w = write_all(fd, c[i].raw, c[i].len);
                if (c[i].shut_wr)
                        shutdown(fd, SHUT_WR);
                size_t n = read_answer(fd, buf, sizeof(buf), 15000);
                a = classify(buf, n);
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

/* ---- steady ------------------------------------------------------------------------------------- */

static double steady_end;
static pthread_mutex_t steady_lock = PTHREAD_MUTEX_INITIALIZER;
static long st_ok, st_fail, st_wrong_allow, st_wrong_deny;
static double st_last_ok, st_max_gap, st_gap_at, st_t0;
static double *st_lat;
static size_t st_nlat, st_caplat;

static void *steady_thread(void *arg)
{
        long id = (long) (intptr_t) arg;

        for (long i = id; now_ms() < steady_end; i++) {
                bool want_allow = i % 2 == 0;
                double ms;
                enum answer a = one_request(want_allow ? env_allow : env_deny, 20000, &ms, NULL, 0);
                double t = now_ms();

                pthread_mutex_lock(&steady_lock);
                if (a == ANS_ALLOW && !want_allow)
                        st_wrong_allow++;
                else if (a == ANS_DENY && want_allow)
                        st_wrong_deny++;
                else if (a == ANS_ALLOW || a == ANS_DENY) {
                        st_ok++;
                        if (t - st_last_ok > st_max_gap) {
                                st_max_gap = t - st_last_ok;
                                st_gap_at = st_last_ok - st_t0;
                        }
                        st_last_ok = t;
                        if (st_nlat < st_caplat)
                                st_lat[st_nlat++] = ms;
                } else
                        st_fail++;
                pthread_mutex_unlock(&steady_lock);
                if (a != ANS_ALLOW && a != ANS_DENY)
                        usleep(10 * 1000);   /* a failed connect: do not spin */
        }
        return NULL;
}

static int mode_steady(long seconds, long threads)
{
        pthread_t th[256];

        st_caplat = 4u << 20;
        st_lat = malloc(st_caplat * sizeof(double));
        if (!st_lat)
                return 2;
        st_t0 = st_last_ok = now_ms();
        steady_end = st_t0 + (double) seconds * 1000;
        for (long i = 0; i < threads; i++)
                if (pthread_create(&th[i], NULL, steady_thread, (void *) (intptr_t) i) != 0)
                        return 2;
        for (long i = 0; i < threads; i++)
                pthread_join(th[i], NULL);
        double total = now_ms() - st_t0;
        qsort(st_lat, st_nlat, sizeof(double), cmp_double);
        printf("loadgen steady: seconds=%ld threads=%ld answered=%ld (%.0f/s) failed=%ld wrong_allow=%ld "
               "wrong_deny=%ld latency_ms p50=%.2f p99=%.2f max=%.1f longest_without_answer_ms=%.0f (at +%.1f s)\n",
               seconds, threads, st_ok, (double) st_ok * 1000 / total, st_fail, st_wrong_allow, st_wrong_deny,
               pct(st_lat, st_nlat, 0.5), pct(st_lat, st_nlat, 0.99), st_nlat ? st_lat[st_nlat - 1] : 0.0,
               st_max_gap, st_gap_at / 1000);
        /* The caller decides what failures mean (a kill -9 makes some); a wrong allow never passes. */
        return st_wrong_allow == 0 && st_wrong_deny == 0 && st_ok > 0 ? 0 : 1;
}

/* ---- audit -------------------------------------------------------------------------------------- */

static int mode_audit(long n)
{
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

int main(int argc, char **argv)
{
        long a = 0, b = 0, c = 0;

        signal(SIGPIPE, SIG_IGN);
        if (argc < 3)
                goto usage;
        sock_path = argv[2];
        if (strcmp(argv[1], "conc") == 0 && argc == 4 && parse_num(argv[3], 1, 100000, &a) == 0)
                return mode_conc(a);
        if (strcmp(argv[1], "slow") == 0 && argc == 6 && parse_num(argv[3], 0, 100000, &a) == 0 &&
            parse_num(argv[4], 1, 100000, &b) == 0 && parse_num(argv[5], 1, 1000000, &c) == 0)
                return mode_slow(a, b, c);
        if (strcmp(argv[1], "bad") == 0 && argc == 3)
                return mode_bad();
        if (strcmp(argv[1], "steady") == 0 && argc == 5 && parse_num(argv[3], 1, 3600, &a) == 0 &&
            parse_num(argv[4], 1, 256, &b) == 0)
                return mode_steady(a, b);
        if (strcmp(argv[1], "audit") == 0 && argc == 4 && parse_num(argv[3], 1, 1000000, &a) == 0)
                return mode_audit(a);
usage:
        fprintf(stderr, "usage: loadgen conc|slow|bad|steady|audit SOCK ARGS... (see the source)\n");
        return 2;
}
