/* The metrics server's TCP side: --metrics-listen's parser (loopback only, a port in 1..65535) and a
 * real server bound to 127.0.0.1 on an ephemeral port, scraped with a plain socket client. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "authz/metrics.h"
#include "tests/unit/cutest.h"

/* ---- parsing ------------------------------------------------------------------------------------ */

static int parse(const char *s, struct metrics_listen *l, char *why, size_t size)
{
        why[0] = '\0';
        return metrics_parse_listen(s, l, why, size);
}

static void test_accepts_loopback_v4(void)
{
        static const struct { const char *s; const char *addr; unsigned port; } cases[] = {
                { "127.0.0.1:9464", "127.0.0.1", 9464 },
                { "127.0.0.1:1", "127.0.0.1", 1 },
                { "127.0.0.1:65535", "127.0.0.1", 65535 },
                { "127.1.2.3:80", "127.1.2.3", 80 },
                { "127.255.255.254:09464", "127.255.255.254", 9464 },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct metrics_listen l;
                char why[METRICS_LISTEN_ERROR_MAX], text[INET_ADDRSTRLEN];
                CU_ASSERT_EQUAL_FATAL(parse(cases[i].s, &l, why, sizeof(why)), 0);
                const struct sockaddr_in *sa = (const struct sockaddr_in *) &l.addr;
                CU_ASSERT_EQUAL(sa->sin_family, AF_INET);
                CU_ASSERT_EQUAL(l.len, sizeof(*sa));
                CU_ASSERT_EQUAL(ntohs(sa->sin_port), cases[i].port);
                CU_ASSERT_PTR_NOT_NULL(inet_ntop(AF_INET, &sa->sin_addr, text, sizeof(text)));
                CU_ASSERT_STRING_EQUAL(text, cases[i].addr);
        }
}

static void test_accepts_loopback_v6(void)
{
        struct metrics_listen l;
        char why[METRICS_LISTEN_ERROR_MAX];

        CU_ASSERT_EQUAL_FATAL(parse("[::1]:9464", &l, why, sizeof(why)), 0);
        const struct sockaddr_in6 *sa = (const struct sockaddr_in6 *) &l.addr;
        CU_ASSERT_EQUAL(sa->sin6_family, AF_INET6);
        CU_ASSERT_EQUAL(l.len, sizeof(*sa));
        CU_ASSERT_EQUAL(ntohs(sa->sin6_port), 9464);
        CU_ASSERT(IN6_IS_ADDR_LOOPBACK(&sa->sin6_addr));
        CU_ASSERT_EQUAL(parse("[0:0:0:0:0:0:0:1]:1", &l, why, sizeof(why)), 0);
}

static void test_refuses(void)
{
        static const struct { const char *s; const char *why; } cases[] = {
                /* not loopback */
                { "0.0.0.0:9464", "only a loopback address" },
                { "192.168.1.10:9464", "only a loopback address" },
                { "10.0.0.1:9464", "only a loopback address" },
                { "128.0.0.1:9464", "only a loopback address" },
                { "[::]:9464", "only a loopback address" },
                { "[::ffff:127.0.0.1]:9464", "only a loopback address" },
                { "[fe80::1]:9464", "only a loopback address" },
                /* names are not resolved, short forms are not addresses */
                { "localhost:9464", "names are not resolved" },
                { "metrics.example.com:9464", "names are not resolved" },
                { "127.1:9464", "not an IPv4 address" },
                { "0x7f.0.0.1:9464", "not an IPv4 address" },
                { "127.0.0.1 :9464", "not an IPv4 address" },
                { "[localhost]:9464", "not an IPv6 address" },
                /* the port: missing, out of range, not a number */
                { "127.0.0.1", "has no port" },
                { "127.0.0.1:", "has no port" },
                { "[::1]", "has no port" },
                { "[::1]:", "has no port" },
                { "127.0.0.1:0", "1..65535" },
                { "127.0.0.1:65536", "1..65535" },
                { "127.0.0.1:99999999999999999999", "1..65535" },
                { "127.0.0.1:-1", "1..65535" },
                { "127.0.0.1:+80", "1..65535" },
                { "127.0.0.1:80x", "1..65535" },
                { "127.0.0.1:0x50", "1..65535" },
                { "127.0.0.1: 80", "1..65535" },
                /* garbage */
                { "", "is empty" },
                { ":9464", "not an IP address" },
                { "::1:9464", "in brackets" },
                { "[::1", "[::1]:PORT" },
                { "garbage", "has no port" },
                { "\x1b[2J:1", "not an IPv4 address" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct metrics_listen l, before;
                char why[METRICS_LISTEN_ERROR_MAX];
                memset(&l, 0xa5, sizeof(l));
                before = l;
                int r = parse(cases[i].s, &l, why, sizeof(why));
                CU_ASSERT_EQUAL(r, -EINVAL);
                if (!strstr(why, cases[i].why))
                        fprintf(stderr, "\n%s: %s\n", cases[i].s, why);
                CU_ASSERT_PTR_NOT_NULL(strstr(why, cases[i].why));
                CU_ASSERT(memcmp(&l, &before, sizeof(l)) == 0);   /* untouched on failure */
                /* The value is quoted and escaped: no control byte reaches the message. */
                for (const char *p = why; *p; p++)
                        CU_ASSERT((unsigned char) *p >= 0x20 && *p != 0x7f);
        }
}

static void test_refusal_names_why(void)
{
        struct metrics_listen l;
        char why[METRICS_LISTEN_ERROR_MAX];

        CU_ASSERT_EQUAL(parse("0.0.0.0:9464", &l, why, sizeof(why)), -EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(why, "\"0.0.0.0:9464\""));
        CU_ASSERT_PTR_NOT_NULL(strstr(why, "without TLS or authentication"));
        /* A small buffer is cut, never overrun. */
        char tiny[8];
        memset(tiny, 'x', sizeof(tiny));
        CU_ASSERT_EQUAL(metrics_parse_listen("0.0.0.0:1", &l, tiny, sizeof(tiny)), -EINVAL);
        CU_ASSERT_EQUAL(strlen(tiny), sizeof(tiny) - 1);
}

/* ---- a real server on 127.0.0.1 ---------------------------------------------------------------- */

static void loopback_any_port(struct metrics_listen *l)
{
        struct sockaddr_in *sa = (struct sockaddr_in *) &l->addr;

        memset(l, 0, sizeof(*l));
        sa->sin_family = AF_INET;
        sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sa->sin_port = 0;   /* ephemeral: the parser refuses 0, the server takes it */
        l->len = sizeof(*sa);
}

static int connect_tcp(int port)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        struct timeval tv = { .tv_sec = 10 };
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -errno;
        /* A hung server fails the test instead of hanging it. */
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* Send `request` to 127.0.0.1:port, read the whole answer (the server closes) into buf. */
static void http_exchange(int port, const char *request, char *buf, size_t size)
{
        int fd = connect_tcp(port);
        size_t len = 0;

        buf[0] = '\0';
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_FATAL(write(fd, request, strlen(request)) == (ssize_t) strlen(request));
        for (;;) {
                ssize_t n = read(fd, buf + len, size - 1 - len);
                if (n <= 0)
                        break;
                len += (size_t) n;
                if (len == size - 1)
                        break;
        }
        buf[len] = '\0';
        close(fd);
}

static void test_serves_over_tcp(void)
{
        struct metrics_listen l;
        struct metrics_server *ms = NULL;
        static char answer[64 << 10];

        metrics_reset();
        metrics_decision(NULL, "POST /containers/create", true, false, 100);
        metrics_decision(NULL, "POST /containers/create", false, false, 100);
        metrics_decision(NULL, "POST /containers/create", false, false, 100);

        loopback_any_port(&l);
        CU_ASSERT_EQUAL_FATAL(metrics_serve(NULL, &l, NULL, &ms), 0);
        int port = metrics_tcp_port(ms);
        CU_ASSERT_FATAL(port > 0 && port <= 65535);

        http_exchange(port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                      answer, sizeof(answer));
        CU_ASSERT_EQUAL(strncmp(answer, "HTTP/1.1 200", 12), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(answer, "text/plain; version=0.0.4"));
        CU_ASSERT_PTR_NOT_NULL(strstr(answer, "\narandu_authz_decisions_total{result=\"allow\"} 1\n"));
        CU_ASSERT_PTR_NOT_NULL(strstr(answer, "\narandu_authz_decisions_total{result=\"deny\"} 2\n"));
        CU_ASSERT_PTR_NOT_NULL(strstr(answer, "\narandu_authz_policy_last_reload_success 1\n"));

        /* Only GET /metrics. */
        http_exchange(port, "GET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", answer, sizeof(answer));
        CU_ASSERT_EQUAL(strncmp(answer, "HTTP/1.1 404", 12), 0);
        http_exchange(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                      answer, sizeof(answer));
        CU_ASSERT_EQUAL(strncmp(answer, "HTTP/1.1 405", 12), 0);

        ms = metrics_stop(ms);
        CU_ASSERT_PTR_NULL(ms);
        /* Stopped: nothing listens there any more. */
        int fd = connect_tcp(port);
        CU_ASSERT_EQUAL(fd, -ECONNREFUSED);
        if (fd >= 0)
                close(fd);
        metrics_reset();
}

static void test_port_in_use(void)
{
        struct metrics_listen l;
        struct metrics_server *ms = NULL, *second = NULL;

        loopback_any_port(&l);
        CU_ASSERT_EQUAL_FATAL(metrics_serve(NULL, &l, NULL, &ms), 0);
        ((struct sockaddr_in *) &l.addr)->sin_port = htons((uint16_t) metrics_tcp_port(ms));
        /* SO_REUSEADDR does not let a second listener share the port. */
        CU_ASSERT_EQUAL(metrics_serve(NULL, &l, NULL, &second), -EADDRINUSE);
        CU_ASSERT_PTR_NULL(second);
        metrics_stop(ms);
        /* Once the first is gone, the port is free again at once. */
        CU_ASSERT_EQUAL(metrics_serve(NULL, &l, NULL, &second), 0);
        metrics_stop(second);
}

static void test_unix_and_tcp(void)
{
        char dir[] = "/tmp/arandu-metrics-XXXXXX", path[64];
        struct metrics_listen l;
        struct metrics_server *ms = NULL;
        struct stat st;

        CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
        snprintf(path, sizeof(path), "%s/metrics.sock", dir);
        loopback_any_port(&l);
        CU_ASSERT_EQUAL(metrics_serve(NULL, NULL, NULL, &ms), -EINVAL);   /* neither */
        CU_ASSERT_EQUAL_FATAL(metrics_serve(path, &l, NULL, &ms), 0);
        CU_ASSERT(stat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600);
        CU_ASSERT(metrics_tcp_port(ms) > 0);
        metrics_stop(ms);
        CU_ASSERT(stat(path, &st) < 0 && errno == ENOENT);
        CU_ASSERT_EQUAL(metrics_tcp_port(NULL), -ENOENT);

        /* A unix socket alone has no port. */
        CU_ASSERT_EQUAL_FATAL(metrics_serve(path, NULL, NULL, &ms), 0);
        CU_ASSERT_EQUAL(metrics_tcp_port(ms), -ENOENT);
        metrics_stop(ms);
        rmdir(dir);
}

static const struct cu_test parse_tests[] = {
        { "loopback IPv4 accepted", test_accepts_loopback_v4 },
        { "loopback IPv6 accepted", test_accepts_loopback_v6 },
        { "others refused", test_refuses },
        { "refusal says why", test_refusal_names_why },
        { NULL, NULL },
};

static const struct cu_test server_tests[] = {
        { "GET /metrics over TCP", test_serves_over_tcp },
        { "port in use", test_port_in_use },
        { "unix socket and TCP", test_unix_and_tcp },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "metrics_parse_listen", parse_tests },
        { "metrics_serve", server_tests },
};

CU_MAIN(SUITES)
