/* Prometheus metrics: see metrics.h.
 *
 * Every count lives under one mutex: a decision takes it once, for a few comparisons and
 * increments, which is far below the cost of the decision itself and keeps the scrape a consistent
 * snapshot.  The server is a second libmicrohttpd daemon with a single thread on its own socket (a
 * third, as small, when both a unix socket and a TCP address are asked for: one listening socket
 * per daemon), so a slow scraper never takes a worker from dockerd's requests. */
#include "authz/cleanup.h"
#include "authz/metrics.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authz/log.h"
#include "authz/reload.h"
#include "authz/server.h"
#include "policy/buf.h"
#include "policy/escape.h"
#include "policy/units.h"

#define PREFIX "arandu_authz_"
#define LABEL_MAX 96                      /* struct request_info's route field */
#define CONTENT_TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"

enum result { RESULT_ALLOW, RESULT_DENY, RESULT_DRY_RUN_DENY, RESULT_N };
static const char *const result_names[RESULT_N] = { "allow", "deny", "dry_run_deny" };

/* Upper bounds in seconds: from a plain table lookup (tens of microseconds) to a decision that asked
 * dockerd about a container (milliseconds to seconds). */
static const double buckets[] = { 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                  0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 10 };
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct series {
        char name[LABEL_MAX];
        uint64_t n[RESULT_N];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
        uint64_t decisions[RESULT_N];
        uint64_t incomplete;
        uint64_t hist[N_BUCKETS + 1];     /* last: +Inf */
        double latency_sum;               /* seconds */
        uint64_t reloads_ok, reloads_failed;
        bool reloaded, last_reload_ok;
        uint64_t ship_sent, ship_dropped, ship_failures;
        bool bundles;                     /* --policy-url: the bundle series are shown */
        uint64_t bundle_fetches[METRICS_BUNDLE_N];
        double bundle_last_ok;            /* Unix time of the last poll the server answered well */
        size_t n_rules, n_routes;
        struct series rules[METRICS_MAX_SERIES + 1];    /* last: "other" */
        struct series routes[METRICS_MAX_SERIES + 1];
} m;

/* The series named `name` in `tab`, added if new; "other" once the table is full. */
static struct series *series_get(struct series *tab, size_t *n, const char *name)
{
        if (!name || !*name)
                name = "unknown";
        for (size_t i = 0; i < *n; i++)
                if (strncmp(tab[i].name, name, LABEL_MAX) == 0)
                        return &tab[i];
        if (*n >= METRICS_MAX_SERIES) {
                struct series *other = &tab[METRICS_MAX_SERIES];
                snprintf(other->name, sizeof(other->name), "other");
                return other;
        }
        struct series *s = &tab[(*n)++];
        snprintf(s->name, sizeof(s->name), "%s", name);
        return s;
}

void metrics_decision(const struct decision *d, const char *route, bool allowed, bool dry_run,
                      double latency_us)
{
        enum result res = allowed ? RESULT_ALLOW : dry_run ? RESULT_DRY_RUN_DENY : RESULT_DENY;
        double s = latency_us >= 0 ? latency_us / 1e6 : 0;   /* also NaN */
        size_t b = 0;

        while (b < N_BUCKETS && s > buckets[b])
                b++;

        pthread_mutex_lock(&lock);
        m.decisions[res]++;
        if (d && !d->complete)
                m.incomplete++;
        m.hist[b]++;
        m.latency_sum += s;
        series_get(m.routes, &m.n_routes, route)->n[res]++;
        if (d) {
                size_t n = d->n < DECISION_MAX_VIOLATIONS ? d->n : DECISION_MAX_VIOLATIONS;
                for (size_t i = 0; i < n; i++) {
                        if (!d->v[i].rule)
                                continue;
                        bool seen = false;   /* a rule broken twice counts once per decision */
                        for (size_t j = 0; j < i && !seen; j++)
                                seen = d->v[j].rule && strcmp(d->v[j].rule, d->v[i].rule) == 0;
                        if (!seen)
                                series_get(m.rules, &m.n_rules, d->v[i].rule)->n[res]++;
                }
        }
        pthread_mutex_unlock(&lock);
}

void metrics_policy_reload(bool success)
{
        pthread_mutex_lock(&lock);
        if (success)
                m.reloads_ok++;
        else
                m.reloads_failed++;
        m.reloaded = true;
        m.last_reload_ok = success;
        pthread_mutex_unlock(&lock);
}

void metrics_ship(uint64_t sent, uint64_t dropped, uint64_t failures)
{
        pthread_mutex_lock(&lock);
        m.ship_sent += sent;
        m.ship_dropped += dropped;
        m.ship_failures += failures;
        pthread_mutex_unlock(&lock);
}

void metrics_bundle_fetch(enum metrics_bundle_result result)
{
        struct timespec now;

        clock_gettime(CLOCK_REALTIME, &now);
        pthread_mutex_lock(&lock);
        m.bundles = true;
        if (result >= 0 && result < METRICS_BUNDLE_N)
                m.bundle_fetches[result]++;
        if (result == METRICS_BUNDLE_UPDATED || result == METRICS_BUNDLE_UNCHANGED)
                m.bundle_last_ok = (double) now.tv_sec + (double) now.tv_nsec / 1e9;
        pthread_mutex_unlock(&lock);
}

void metrics_reset(void)
{
        pthread_mutex_lock(&lock);
        memset(&m, 0, sizeof(m));
        pthread_mutex_unlock(&lock);
}

/* ---- the exposition text ---------------------------------------------------------------------- */

/* A failed put is sticky in the buffer: metrics_format checks once, at the end. */
__attribute__((format(printf, 2, 3)))
static void put(struct buf *o, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        (void) buf_vprintf(o, fmt, ap);
        va_end(ap);
}

/* A label value as the exposition format wants it: \ " and newline escaped.  Route patterns and
 * rule ids are ours, but "other"/"unknown" paths should never be able to break the format. */
static const char *label(const char *s, char *buf, size_t size)
{
        size_t o = 0;

        for (; *s && o + 3 < size; s++) {
                if (*s == '\\' || *s == '"') {
                        buf[o++] = '\\';
                        buf[o++] = *s;
                } else if (*s == '\n') {
                        buf[o++] = '\\';
                        buf[o++] = 'n';
                } else if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        buf[o++] = '?';
                else
                        buf[o++] = *s;
        }
        buf[o] = '\0';
        return buf;
}

static void put_header(struct buf *o, const char *name, const char *type, const char *help)
{
        put(o, "# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n", name, help, name, type);
}

int metrics_format(struct audit *audit, char **ret, size_t *ret_len)
{
        struct buf o;
        struct audit_stats as;
        char lb[2 * LABEL_MAX + 4];

        buf_init(&o, 16u << 10, METRICS_RESPONSE_MAX - 1);   /* the cap counts no NUL */
        if (audit)
                audit_get_stats(audit, &as);
        /* Before the lock: a reload takes the policy's lock and then this one. */
        char policy_sha[65] = "";
        uint64_t serial = 0;
        struct policy *current = policy_current();
        if (current) {
                snprintf(policy_sha, sizeof(policy_sha), "%s", current->sha256);
                serial = current->serial;
        }
        policy_unref(current);

        pthread_mutex_lock(&lock);

        put_header(&o, "decisions_total", "counter", "AuthZReq decisions by result.");
        for (int r = 0; r < RESULT_N; r++)
                put(&o, PREFIX "decisions_total{result=\"%s\"} %llu\n", result_names[r],
                    (unsigned long long) m.decisions[r]);

        put_header(&o, "rule_violations_total", "counter",
                   "Decisions that found a rule violated, by rule id and result.");
        for (size_t i = 0; i <= METRICS_MAX_SERIES; i++) {
                const struct series *s = &m.rules[i];
                if (i >= m.n_rules && (i < METRICS_MAX_SERIES || !s->name[0]))
                        continue;
                for (int r = 0; r < RESULT_N; r++)
                        if (s->n[r] > 0)
                                put(&o, PREFIX "rule_violations_total{rule=\"%s\",result=\"%s\"} %llu\n",
                                    label(s->name, lb, sizeof(lb)), result_names[r],
                                    (unsigned long long) s->n[r]);
        }

        put_header(&o, "route_decisions_total", "counter", "Decisions by endpoint pattern and result.");
        for (size_t i = 0; i <= METRICS_MAX_SERIES; i++) {
                const struct series *s = &m.routes[i];
                if (i >= m.n_routes && (i < METRICS_MAX_SERIES || !s->name[0]))
                        continue;
                for (int r = 0; r < RESULT_N; r++)
                        if (s->n[r] > 0)
                                put(&o, PREFIX "route_decisions_total{route=\"%s\",result=\"%s\"} %llu\n",
                                    label(s->name, lb, sizeof(lb)), result_names[r],
                                    (unsigned long long) s->n[r]);
        }

        put_header(&o, "decision_duration_seconds", "histogram", "Time to decide an AuthZReq.");
        uint64_t cum = 0;
        for (size_t b = 0; b < N_BUCKETS; b++) {
                cum += m.hist[b];
                put(&o, PREFIX "decision_duration_seconds_bucket{le=\"%g\"} %llu\n", buckets[b],
                    (unsigned long long) cum);
        }
        cum += m.hist[N_BUCKETS];
        put(&o, PREFIX "decision_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long) cum);
        put(&o, PREFIX "decision_duration_seconds_sum %.9f\n", m.latency_sum);
        put(&o, PREFIX "decision_duration_seconds_count %llu\n", (unsigned long long) cum);

        put_header(&o, "errors_total", "counter",
                   "Requests whose evaluation did not complete (malformed, oversized, out of memory); all denied.");
        put(&o, PREFIX "errors_total{kind=\"incomplete\"} %llu\n", (unsigned long long) m.incomplete);

        put_header(&o, "policy_reloads_total", "counter", "Policy reloads (SIGHUP) by result.");
        put(&o, PREFIX "policy_reloads_total{result=\"success\"} %llu\n", (unsigned long long) m.reloads_ok);
        put(&o, PREFIX "policy_reloads_total{result=\"failure\"} %llu\n", (unsigned long long) m.reloads_failed);
        put_header(&o, "policy_last_reload_success", "gauge",
                   "1 unless the last reload failed (the previous policy is then still in force).");
        put(&o, PREFIX "policy_last_reload_success %d\n", !m.reloaded || m.last_reload_ok ? 1 : 0);
        if (policy_sha[0]) {
                put_header(&o, "policy_info", "gauge", "The policy in force, by its SHA-256 (the audit lines' policy_sha256).");
                if (serial)
                        put(&o, PREFIX "policy_info{sha256=\"%s\",serial=\"%llu\"} 1\n", policy_sha,
                            (unsigned long long) serial);
                else
                        put(&o, PREFIX "policy_info{sha256=\"%s\"} 1\n", policy_sha);
        }
        if (m.bundles) {
                static const char *const names[METRICS_BUNDLE_N] = { "updated", "unchanged", "refused", "failed" };
                put_header(&o, "policy_serial", "gauge", "The serial of the signed policy bundle in force (0: none).");
                put(&o, PREFIX "policy_serial %llu\n", (unsigned long long) serial);
                put_header(&o, "bundle_polls_total", "counter",
                           "Polls of --policy-url by result: updated (a newer bundle in force), unchanged, "
                           "refused (signature, serial or policy), failed (unreachable, HTTP error).");
                for (int i = 0; i < METRICS_BUNDLE_N; i++)
                        put(&o, PREFIX "bundle_polls_total{result=\"%s\"} %llu\n", names[i],
                            (unsigned long long) m.bundle_fetches[i]);
                put_header(&o, "bundle_last_success_timestamp_seconds", "gauge",
                           "When the policy server last answered a poll with the bundle in force or a newer one.");
                put(&o, PREFIX "bundle_last_success_timestamp_seconds %.3f\n", m.bundle_last_ok);
        }

        if (audit) {
                put_header(&o, "audit_lines_total", "counter", "Audit log lines by outcome.");
                put(&o, PREFIX "audit_lines_total{state=\"written\"} %llu\n", (unsigned long long) as.written);
                put(&o, PREFIX "audit_lines_total{state=\"dropped\"} %llu\n", (unsigned long long) as.dropped);
                put(&o, PREFIX "audit_lines_total{state=\"failed\"} %llu\n", (unsigned long long) as.failed);
        }

        put_header(&o, "audit_ship_lines_total", "counter", "Audit lines sent to --audit-url, or dropped.");
        put(&o, PREFIX "audit_ship_lines_total{state=\"sent\"} %llu\n", (unsigned long long) m.ship_sent);
        put(&o, PREFIX "audit_ship_lines_total{state=\"dropped\"} %llu\n", (unsigned long long) m.ship_dropped);
        put_header(&o, "audit_ship_failures_total", "counter", "Failed POSTs to --audit-url (retried).");
        put(&o, PREFIX "audit_ship_failures_total %llu\n", (unsigned long long) m.ship_failures);

        pthread_mutex_unlock(&lock);

        return buf_steal(&o, ret, ret_len);
}

/* ---- the TCP address ---------------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static int listen_error(char *why, size_t why_size, const char *fmt, ...)
{
        va_list ap;

        if (why && why_size > 0) {
                va_start(ap, fmt);
                (void) vsnprintf(why, why_size, fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

#define LOOPBACK_ONLY "only a loopback address is accepted (127.0.0.0/8 or [::1]): the metrics name " \
                      "images and rules and are served without TLS or authentication"

int metrics_parse_listen(const char *s, struct metrics_listen *ret, char *why, size_t why_size)
{
        struct metrics_listen l;
        char host[INET6_ADDRSTRLEN], q[96];
        const char *host_start, *port_s;
        size_t host_len;
        int64_t port;
        bool v6;

        assert(ret);
        (void) escape_str(s ? s : "", 64, ESCAPE_QUOTE, q, sizeof(q));
        if (!s || !*s)
                return listen_error(why, why_size, "is empty: give ADDRESS:PORT, e.g. 127.0.0.1:9464");

        memset(&l, 0, sizeof(l));
        v6 = s[0] == '[';
        if (v6) {
                const char *close = strchr(s, ']');
                if (!close)
                        return listen_error(why, why_size, "%s: an IPv6 address is written [::1]:PORT", q);
                if (close[1] != ':')
                        return listen_error(why, why_size, "%s has no port: write [::1]:PORT", q);
                host_start = s + 1;
                host_len = (size_t) (close - host_start);
                port_s = close + 2;
        } else {
                const char *colon = strrchr(s, ':');
                if (!colon)
                        return listen_error(why, why_size, "%s has no port: write ADDRESS:PORT, e.g. 127.0.0.1:9464", q);
                if (memchr(s, ':', (size_t) (colon - s)))
                        return listen_error(why, why_size, "%s: an IPv6 address is written in brackets, [::1]:PORT", q);
                host_start = s;
                host_len = (size_t) (colon - s);
                port_s = colon + 1;
        }
        if (!*port_s)
                return listen_error(why, why_size, "%s has no port after the colon", q);
        if (parse_int64(port_s, 1, 65535, NULL, &port) < 0)
                return listen_error(why, why_size, "%s: the port must be a number in 1..65535", q);
        if (host_len == 0 || host_len >= sizeof(host))
                return listen_error(why, why_size, "%s: not an IP address; " LOOPBACK_ONLY, q);
        memcpy(host, host_start, host_len);
        host[host_len] = '\0';

        /* inet_pton, not getaddrinfo: no name is resolved (a name could resolve elsewhere tomorrow),
         * and only the strict dotted quad is read ("127.1" and "0x7f.1" are not addresses here). */
        if (v6) {
                struct sockaddr_in6 *sa = (struct sockaddr_in6 *) &l.addr;
                if (inet_pton(AF_INET6, host, &sa->sin6_addr) != 1)
                        return listen_error(why, why_size, "%s: not an IPv6 address; " LOOPBACK_ONLY, q);
                if (!IN6_IS_ADDR_LOOPBACK(&sa->sin6_addr))
                        return listen_error(why, why_size, "%s: " LOOPBACK_ONLY, q);
                sa->sin6_family = AF_INET6;
                sa->sin6_port = htons((uint16_t) port);
                l.len = sizeof(*sa);
        } else {
                struct sockaddr_in *sa = (struct sockaddr_in *) &l.addr;
                if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
                        return listen_error(why, why_size, "%s: not an IPv4 address (names are not resolved); "
                                            LOOPBACK_ONLY, q);
                if ((ntohl(sa->sin_addr.s_addr) >> 24) != 127)
                        return listen_error(why, why_size, "%s: " LOOPBACK_ONLY, q);
                sa->sin_family = AF_INET;
                sa->sin_port = htons((uint16_t) port);
                l.len = sizeof(*sa);
        }
        *ret = l;
        return 0;
}

/* "127.0.0.1:9464", "[::1]:9464" into buf. */
static const char *listen_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
        char host[INET6_ADDRSTRLEN] = "?";

        if (ss->ss_family == AF_INET6) {
                const struct sockaddr_in6 *sa = (const struct sockaddr_in6 *) ss;
                (void) inet_ntop(AF_INET6, &sa->sin6_addr, host, sizeof(host));
                (void) snprintf(buf, size, "[%s]:%u", host, (unsigned) ntohs(sa->sin6_port));
        } else {
                const struct sockaddr_in *sa = (const struct sockaddr_in *) ss;
                (void) inet_ntop(AF_INET, &sa->sin_addr, host, sizeof(host));
                (void) snprintf(buf, size, "%s:%u", host, (unsigned) ntohs(sa->sin_port));
        }
        return buf;
}

/* A listening TCP socket on `l`.  The fd (its port in *ret_port), or -errno (logged). */
static int listen_tcp(const struct metrics_listen *l, int *ret_port)
{
        struct sockaddr_storage bound;
        socklen_t len = sizeof(bound);
        char text[INET6_ADDRSTRLEN + 16];
        _cleanup_close_ int fd = -1;
        int one = 1, r;

        (void) listen_text(&l->addr, text, sizeof(text));
        fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(errno, "metrics: --metrics-listen %s: cannot create a TCP socket", text);
        /* A restarted plugin binds again at once instead of failing while the last scrape's
         * connection sits in TIME_WAIT.  (It does not let two listeners share the port.) */
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
                return log_error_errno(errno, "metrics: --metrics-listen %s: cannot set SO_REUSEADDR", text);
        if (l->addr.ss_family == AF_INET6 &&
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
                return log_error_errno(errno, "metrics: --metrics-listen %s: cannot set IPV6_V6ONLY", text);
        if (bind(fd, (const struct sockaddr *) &l->addr, l->len) < 0) {
                r = -errno;
                if (r == -EADDRINUSE)
                        log_error("metrics: --metrics-listen %s: the port is already in use", text);
                else
                        log_error_errno(r, "metrics: --metrics-listen %s: cannot bind", text);
                return r == -EINVAL ? -EADDRNOTAVAIL : r;   /* -EINVAL means a bad option to main.c */
        }
        if (listen(fd, 16) < 0)
                return log_error_errno(errno, "metrics: --metrics-listen %s: cannot listen", text);
        if (getsockname(fd, (struct sockaddr *) &bound, &len) < 0)
                return log_error_errno(errno, "metrics: --metrics-listen %s: cannot read the bound port", text);
        *ret_port = bound.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *) &bound)->sin6_port)
                                                : ntohs(((struct sockaddr_in *) &bound)->sin_port);
        return TAKE_FD(fd);
}

/* ---- the server ------------------------------------------------------------------------------- */

struct metrics_server {
        struct MHD_Daemon *mhd_unix, *mhd_tcp;
        struct audit *audit;
        char *path;
        struct stat st;
        int tcp_port;                     /* -ENOENT: no TCP socket */
};

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
        struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), (void *) (uintptr_t) text,
                                                                    MHD_RESPMEM_PERSISTENT);
        if (!resp)
                return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
        enum MHD_Result ret = MHD_queue_response(c, status, resp);
        MHD_destroy_response(resp);
        return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
        struct metrics_server *ms = cls;
        static int marker;
        (void) version;
        (void) upload_data;

        if (!*con_cls) {
                *con_cls = &marker;
                return MHD_YES;
        }
        if (*upload_data_size > 0) {     /* a body on a GET: ignored, never stored */
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
                return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET /metrics is served\n");
        if (strcmp(url, "/metrics") != 0)
                return reply_text(c, MHD_HTTP_NOT_FOUND, "only GET /metrics is served\n");

        char *body = NULL;
        size_t len = 0;
        if (metrics_format(ms->audit, &body, &len) < 0)
                return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot format the metrics\n");
        struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
                free(body);
                return MHD_NO;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE_METRICS);
        enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
        MHD_destroy_response(resp);
        return ret;
}

__attribute__((format(printf, 2, 0)))
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
        char text[512];
        (void) cls;

        (void) vsnprintf(text, sizeof(text), fmt, ap);
        text[strcspn(text, "\n")] = '\0';
        log_warning("metrics: libmicrohttpd: %s", text);
}

/* Serve the listening socket `fd` (taken over, closed on failure) from a new single-thread daemon
 * with `ms` as the handler's context.  NULL when it cannot start. */
static struct MHD_Daemon *serve_fd(struct metrics_server *ms, int fd)
{
        struct MHD_Daemon *d;
        /* libmicrohttpd may close the socket it was given on a failure path: it gets a copy. */
        int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);

        close(fd);
        if (copy < 0)
                return NULL;
        d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                             on_request, ms,
                             MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                             MHD_OPTION_LISTEN_SOCKET, (MHD_socket) copy,
                             /* A scraper that stalls is cut off; few are expected. */
                             MHD_OPTION_CONNECTION_TIMEOUT, 5u,
                             MHD_OPTION_CONNECTION_LIMIT, 16u,
                             MHD_OPTION_END);
        return d;   /* on failure the copy is not closed again: libmicrohttpd may have done it */
}

static void stop_daemon(struct MHD_Daemon *d)
{
        if (d)
                MHD_stop_daemon(d);
}

int metrics_serve(const char *path, const struct metrics_listen *tcp, struct audit *audit,
                  struct metrics_server **ret)
{
        _cleanup_free_ struct metrics_server *ms = calloc(1, sizeof(*ms));
        char text[INET6_ADDRSTRLEN + 16];
        int fd;

        if ((!path && !tcp) || !ret)
                return -EINVAL;
        if (!ms)
                return -ENOMEM;
        ms->audit = audit;
        ms->tcp_port = -ENOENT;

        /* TCP first: a port in use fails the start before the unix socket exists. */
        if (tcp) {
                int port = 0;
                fd = listen_tcp(tcp, &port);
                if (fd < 0)
                        return fd;
                ms->mhd_tcp = serve_fd(ms, fd);
                if (!ms->mhd_tcp) {
                        log_error("metrics: cannot serve on %s", listen_text(&tcp->addr, text, sizeof(text)));
                        return -EIO;
                }
                ms->tcp_port = port;
        }

        if (path) {
                ms->path = strdup(path);
                if (!ms->path) {
                        stop_daemon(ms->mhd_tcp);
                        return -ENOMEM;
                }
                fd = server_listen_unix(path, &ms->st);
                if (fd < 0) {
                        stop_daemon(ms->mhd_tcp);
                        free(ms->path);
                        return fd;
                }
                ms->mhd_unix = serve_fd(ms, fd);
                if (!ms->mhd_unix) {
                        log_error("metrics: cannot serve on %s", LOG_ESC(path));
                        server_unlink_socket(path, &ms->st);
                        stop_daemon(ms->mhd_tcp);
                        free(ms->path);
                        return -EIO;
                }
                log_info("metrics: serving GET /metrics on %s", LOG_ESC(path));
        }
        if (tcp) {
                struct metrics_listen bound = *tcp;
                if (bound.addr.ss_family == AF_INET6)
                        ((struct sockaddr_in6 *) &bound.addr)->sin6_port = htons((uint16_t) ms->tcp_port);
                else
                        ((struct sockaddr_in *) &bound.addr)->sin_port = htons((uint16_t) ms->tcp_port);
                log_info("metrics: serving GET /metrics on http://%s/metrics",
                         listen_text(&bound.addr, text, sizeof(text)));
        }
        *ret = TAKE_PTR(ms);
        return 0;
}

int metrics_tcp_port(const struct metrics_server *ms)
{
        return ms ? ms->tcp_port : -ENOENT;
}

struct metrics_server *metrics_stop(struct metrics_server *ms)
{
        if (!ms)
                return NULL;
        if (ms->mhd_unix) {
                MHD_stop_daemon(ms->mhd_unix);
                server_unlink_socket(ms->path, &ms->st);
        }
        stop_daemon(ms->mhd_tcp);
        free(ms->path);
        free(ms);
        return NULL;
}
