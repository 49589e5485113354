/* The audit log: see audit.h.
 *
 * Decision threads (libmicrohttpd's pool) only format a line and push it onto a bounded queue
 * (authz/lineq.h) under a mutex held for a few pointer moves; the queue's worker is the writer, which
 * takes lines off in batches and writes them with writev(2) outside the lock.  So a write that
 * blocks on a slow disk, a full pipe or NFS delays the writer only, and once the queue is full new
 * lines are dropped (and counted), never waited for. */
#include "authz/cleanup.h"
#include "authz/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "authz/jsonout.h"
#include "authz/lineq.h"
#include "authz/log.h"
#include "authz/version.h"
#include "policy/jsontext.h"

/* Lines written per writev(2). */
#define AUDIT_BATCH 64
/* How long the writer waits, once woken, for more lines before it writes: under load one wake-up
 * and one writev(2) per batch instead of per decision (waking it for each line cost as much CPU as
 * the decision itself).  An idle log still gets each line within this time. */
#define AUDIT_LINGER_NS 2000000
/* At most one write-error report per this many seconds: a full disk must not flood stderr. */
#define AUDIT_ERROR_INTERVAL_S 10

struct audit {
        struct lineq *q;                /* the lines, and the writer thread */

        char *path;                     /* NULL: not reopenable (stdout, audit_open_fd) */
        int fd;                         /* owned by the writer thread once started */
        atomic_int new_fd;              /* from audit_reopen(), -1 if none; the writer swaps it in */

        /* The writer's own; read by audit_close() once it stopped. */
        bool need_newline;              /* the last failed write cut a line: end it first */
        bool reported_error;
        uint64_t failed_unreported;
        struct timespec last_report;

        atomic_uint_fast64_t written, failed;   /* struct audit_stats's; the rest is the queue's */
        atomic_bool healthy;
        audit_sink_fn sink;             /* set before decisions start, then only read */
        void *sink_ctx;
};

/* ---- UTF-8 ------------------------------------------------------------------------------------ */

json_t *audit_json_string(const char *s)
{
        static const char replacement[] = "\xef\xbf\xbd";   /* U+FFFD */
        json_t *j;

        if (!s)
                s = "";
        j = json_string(s);
        if (j)
                return j;

        /* json_string() refuses invalid UTF-8 (and fails on ENOMEM): rebuild with replacements. */
        size_t len = strlen(s), out = 0;
        if (len > (SIZE_MAX - 1) / 3)
                return NULL;
        _cleanup_free_ char *buf = malloc(len * 3 + 1);
        if (!buf)
                return NULL;
        for (size_t i = 0; i < len;) {
                size_t n = json_utf8_len((const unsigned char *) s + i, len - i);
                if (n == 0) {
                        memcpy(buf + out, replacement, 3);   // NOLINT(bugprone-not-null-terminated-result): counted, json_stringn()
                        out += 3;
                        i++;
                } else {
                        memcpy(buf + out, s + i, n);
                        out += n;
                        i += n;
                }
        }
        return json_stringn(buf, out);
}

/* ---- the line --------------------------------------------------------------------------------- */

/* The line is written straight into one buffer (authz/jsonout.h), not built as jansson values and
 * dumped: that cost about 130k instructions per decision, a fifth of the decision path, on the
 * deciding thread.  The bytes are exactly those json_dumpb(JSON_COMPACT) printed for the object the
 * formatter used to build (tests/fuzz/audit_diff.h keeps that formatter; the tests compare). */

/* A string of the line and its length. */
struct str {
        const char *s;
        size_t n;
};

/* What one line is made of, gathered before it is written (and sized). */
struct line {
        struct str time, method, route, uri, version;
        struct str user, authn, container_name, image, container_id, exec_id, body_sha256, policy_sha256;   /* n 0: left out */
        const char *decision, *mode;
        bool truncated;
        size_t n;                                       /* violations listed */
        struct str rules[DECISION_MAX_VIOLATIONS];      /* s NULL: not listed (no id, or seen before) */
        struct str reasons[DECISION_MAX_VIOLATIONS];
        char latency[24];                               /* decimal digits, not NUL-terminated */
        size_t latency_len;
        char serial[24];                                /* the policy's bundle serial; "" none */
        size_t serial_len;
};

/* ,"key":"value", left out when the value is empty. */
static void out_optional(struct jsonout *o, const char *key, size_t key_len, struct str v)
{
        if (v.n == 0)
                return;
        jsonout_mem(o, key, key_len);
        jsonout_string(o, v.s, v.n);
}

#define OUT_OPTIONAL(o, key, v) out_optional((o), "" key, sizeof(key) - 1, (v))

/* Keys in the order README "Audit log" documents (time first). */
static void out_line(struct jsonout *o, const struct line *l)
{
        bool first = true;

        jsonout_lit(o, "{\"time\":");
        jsonout_string(o, l->time.s, l->time.n);
        jsonout_lit(o, ",\"decision\":\"");
        jsonout_plain(o, l->decision);
        jsonout_lit(o, "\",\"mode\":\"");
        jsonout_plain(o, l->mode);
        jsonout_lit(o, "\",\"rules\":[");
        for (size_t i = 0; i < l->n; i++) {
                if (!l->rules[i].s)
                        continue;
                if (!first)
                        jsonout_lit(o, ",");
                jsonout_string(o, l->rules[i].s, l->rules[i].n);
                first = false;
        }
        jsonout_lit(o, "],\"method\":");
        jsonout_string(o, l->method.s, l->method.n);
        jsonout_lit(o, ",\"route\":");
        jsonout_string(o, l->route.s, l->route.n);
        jsonout_lit(o, ",\"uri\":");
        jsonout_string(o, l->uri.s, l->uri.n);
        OUT_OPTIONAL(o, ",\"user\":", l->user);
        OUT_OPTIONAL(o, ",\"authn\":", l->authn);
        OUT_OPTIONAL(o, ",\"container_name\":", l->container_name);
        OUT_OPTIONAL(o, ",\"image\":", l->image);
        OUT_OPTIONAL(o, ",\"container_id\":", l->container_id);
        OUT_OPTIONAL(o, ",\"exec_id\":", l->exec_id);
        OUT_OPTIONAL(o, ",\"body_sha256\":", l->body_sha256);
        jsonout_lit(o, ",\"latency_us\":");
        jsonout_mem(o, l->latency, l->latency_len);
        jsonout_lit(o, ",\"version\":");
        jsonout_string(o, l->version.s, l->version.n);
        OUT_OPTIONAL(o, ",\"policy_sha256\":", l->policy_sha256);
        if (l->serial_len) {
                jsonout_lit(o, ",\"policy_serial\":");
                jsonout_mem(o, l->serial, l->serial_len);
        }
        jsonout_lit(o, ",\"reasons\":[");
        for (size_t i = 0; i < l->n; i++) {
                if (i > 0)
                        jsonout_lit(o, ",");
                jsonout_string(o, l->reasons[i].s, l->reasons[i].n);
        }
        jsonout_lit(o, "]");
        if (l->truncated)
                jsonout_lit(o, ",\"truncated\":true");
        jsonout_lit(o, "}\n");
}

/* One of struct request_info's fixed-size strings (NUL-terminated by the decoder; bounded anyway). */
#define FIELD(f) ((struct str){ .s = (f), .n = strnlen((f), sizeof(f)) })

/* Is v[i].rule also the rule of an earlier violation?  (Rule ids are static strings: usually the
 * same pointer.) */
static bool rule_listed(const struct decision *d, size_t i)
{
        const char *rule = d->v[i].rule;
        for (size_t j = 0; j < i; j++)
                if (d->v[j].rule && (d->v[j].rule == rule || strcmp(d->v[j].rule, rule) == 0))
                        return true;
        return false;
}

/* v as decimal digits into buf (at least 20 bytes); their count. */
static size_t format_uint(char *buf, unsigned long long v)
{
        char tmp[20];
        size_t n = 0;
        do {
                tmp[sizeof(tmp) - 1 - n++] = (char) ('0' + v % 10);
                v /= 10;
        } while (v > 0);
        memcpy(buf, tmp + sizeof(tmp) - n, n);
        return n;
}

static void put_digits(char *p, unsigned v, size_t width)
{
        while (width-- > 0) {
                p[width] = (char) ('0' + v % 10);
                v /= 10;
        }
}

/* RFC 3339, UTC, microseconds: "2024-05-01T12:00:00.123456Z". */
static int format_time(char *buf, size_t size)
{
        struct timespec ts;
        struct tm tm;
        size_t n;

        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return -errno;
        if (!gmtime_r(&ts.tv_sec, &tm))
                return -EOVERFLOW;
        if (tm.tm_year >= 1000 - 1900 && tm.tm_year <= 9999 - 1900 && size >= 28) {
                /* What strftime("%Y-%m-%dT%H:%M:%S") and ".%06ldZ" below give, for a tenth of the cost. */
                memcpy(buf, "0000-00-00T00:00:00.000000Z", 28);
                put_digits(buf, (unsigned) tm.tm_year + 1900, 4);
                put_digits(buf + 5, (unsigned) tm.tm_mon + 1, 2);
                put_digits(buf + 8, (unsigned) tm.tm_mday, 2);
                put_digits(buf + 11, (unsigned) tm.tm_hour, 2);
                put_digits(buf + 14, (unsigned) tm.tm_min, 2);
                put_digits(buf + 17, (unsigned) tm.tm_sec, 2);
                put_digits(buf + 20, (unsigned) (ts.tv_nsec / 1000), 6);
                return 0;
        }
        n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
        if (n == 0)
                return -ENOBUFS;
        int r = snprintf(buf + n, size - n, ".%06ldZ", ts.tv_nsec / 1000);
        if (r < 0 || (size_t) r >= size - n)
                return -ENOBUFS;
        return 0;
}

int audit_format_line(const struct request_info *info, const struct decision *d, bool dry_run,
                      double latency_us, const char *time, char **ret, size_t *ret_len)
{
        static const struct request_info empty;
        char now[64];
        struct line l;

        if (!d || !ret || !ret_len)
                return -EINVAL;
        if (!info)
                info = &empty;

        if (time) {
                /* As many bytes as a char[64] held before; jansson refused invalid UTF-8 here. */
                l.time = (struct str){ .s = time, .n = strnlen(time, sizeof(now) - 1) };
                if (!json_utf8_valid(time, l.time.n))
                        return -EINVAL;
        } else {
                if (format_time(now, sizeof(now)) < 0)
                        now[0] = '\0';
                l.time = (struct str){ .s = now, .n = strlen(now) };
        }

        l.method = FIELD(info->method);
        l.route = FIELD(info->route);
        l.uri = FIELD(info->uri);
        l.user = FIELD(info->user);
        l.authn = FIELD(info->authn);
        l.container_name = FIELD(info->container_name);
        l.image = FIELD(info->image);
        l.container_id = FIELD(info->judged_container);
        l.exec_id = FIELD(info->judged_exec);
        l.body_sha256 = FIELD(info->body_sha256);
        l.policy_sha256 = FIELD(info->policy_sha256);
        l.serial_len = 0;
        if (info->policy_serial) {
                int n = snprintf(l.serial, sizeof(l.serial), "%llu", (unsigned long long) info->policy_serial);
                l.serial_len = n > 0 ? (size_t) n : 0;
        }
        l.version = (struct str){ .s = VERSION, .n = sizeof(VERSION) - 1 };

        l.n = d->n < DECISION_MAX_VIOLATIONS ? d->n : DECISION_MAX_VIOLATIONS;
        for (size_t i = 0; i < l.n; i++) {
                /* A rule may be broken several times; list each id once, in first-seen order. */
                const char *rule = d->v[i].rule;
                l.rules[i] = rule && !rule_listed(d, i) ? (struct str){ .s = rule, .n = strlen(rule) }
                                                        : (struct str){ .s = NULL, .n = 0 };
                l.reasons[i] = FIELD(d->v[i].text);
        }
        l.truncated = d->truncated;

        if (!(latency_us >= 0))   /* also NaN */
                latency_us = 0;
        if (latency_us > 1e15)
                latency_us = 1e15;
        l.latency_len = format_uint(l.latency, (unsigned long long) (json_int_t) (latency_us + 0.5));

        bool allow = d->allow && d->complete;
        l.decision = allow ? "allow" : "deny";
        /* dry-run: the server answered allow whatever the decision; warn: the decision allowed
         * although rules were broken (all of them set to warn); enforce: the decision was the answer. */
        l.mode = dry_run ? "dry-run" : allow && d->warned ? "warn" : "enforce";

        struct jsonout o;
        jsonout_init(&o);
        out_line(&o, &l);
        return jsonout_finish(&o, ret, ret_len);
}

/* ---- the queue -------------------------------------------------------------------------------- */

int audit_record(struct audit *a, const struct request_info *info, const struct decision *d,
                 bool dry_run, double latency_us)
{
        char *s = NULL;   /* handed to the queue, which frees it if it drops it */
        size_t n = 0;
        int r;

        if (!a)
                return 0;
        r = audit_format_line(info, d, dry_run, latency_us, NULL, &s, &n);
        if (r < 0)
                return r;
        if (a->sink)
                a->sink(a->sink_ctx, s, n);

        /* Full, or stopping: dropped and counted by the queue, reported by the writer. */
        return lineq_push(a->q, s, n) < 0 ? -ENOBUFS : 0;
}

/* ---- the writer ------------------------------------------------------------------------------- */

/* Write all of iov[0..n), resuming after short writes.  Returns how many whole lines were written;
 * on failure sets *ret_error (positive errno) and *ret_partial when a line was cut. */
static size_t write_lines(int fd, struct iovec *iov, size_t n, int *ret_error, bool *ret_partial)
{
        size_t done = 0;
        bool partial = false;

        while (done < n) {
                ssize_t w = writev(fd, iov + done, (int) (n - done));
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                /* Someone made the descriptor non-blocking (a shared stdout). */
                                struct pollfd p = { .fd = fd, .events = POLLOUT };
                                if (poll(&p, 1, 1000) >= 0)
                                        continue;
                        }
                        *ret_error = errno;
                        *ret_partial = partial;
                        return done;
                }
                size_t left = (size_t) w;
                while (done < n && left >= iov[done].iov_len) {
                        left -= iov[done].iov_len;
                        done++;
                }
                partial = left > 0 && done < n;   /* writev() never reports more than it was given */
                if (partial) {
                        iov[done].iov_base = (char *) iov[done].iov_base + left;
                        iov[done].iov_len -= left;
                }
        }
        return done;
}

/* The queue's callback, on the writer thread: one batch (k <= AUDIT_BATCH lines), or none when
 * audit_reopen() woke it for a new fd. */
static void write_batch(struct lineq *q, void *ctx, struct lineq_line *batch, size_t k)
{
        struct audit *a = ctx;
        static char newline[] = "\n";
        struct iovec iov[AUDIT_BATCH + 1];

        int new_fd = atomic_exchange(&a->new_fd, -1);
        if (new_fd >= 0) {
                close(a->fd);
                a->fd = new_fd;
                a->need_newline = false;
        }

        size_t first = 0;
        if (a->need_newline) {
                iov[0] = (struct iovec){ .iov_base = newline, .iov_len = 1 };
                first = 1;
        }
        for (size_t i = 0; i < k; i++)
                iov[first + i] = (struct iovec){ .iov_base = batch[i].s, .iov_len = batch[i].len };

        int error = 0;
        bool partial = false;
        size_t done = k > 0 ? write_lines(a->fd, iov, first + k, &error, &partial) : first;
        size_t written = done > first ? done - first : 0;
        size_t failed = k - written;
        if (k > 0)
                a->need_newline = error ? (partial || (a->need_newline && done == 0)) : false;

        uint64_t lost = 0;
        bool report_error = false, report_recovered = false;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);

        atomic_fetch_add(&a->written, written);
        atomic_fetch_add(&a->failed, failed);
        if (error) {
                a->failed_unreported += failed;
                atomic_store(&a->healthy, false);
                if (!a->reported_error || now.tv_sec - a->last_report.tv_sec >= AUDIT_ERROR_INTERVAL_S) {
                        report_error = true;
                        lost = a->failed_unreported;
                        a->failed_unreported = 0;
                        a->last_report = now;
                        a->reported_error = true;
                }
        } else if (k > 0 && !atomic_load(&a->healthy)) {
                atomic_store(&a->healthy, true);
                report_recovered = true;
                lost = a->failed_unreported;
                a->failed_unreported = 0;
                a->reported_error = false;
        }
        /* Drops are reported once the writer has caught up, not per line. */
        uint64_t dropped = lineq_take_drops(q, true);
        const char *path = a->path ? a->path : "-";

        if (report_error)
                (void) log_error_errno(error, "audit: lost %llu lines, cannot write to %s",
                                       (unsigned long long) lost, LOG_ESC(path));
        if (report_recovered)
                log_warning("audit: writing to %s again (%llu more lines lost)", LOG_ESC(path),
                            (unsigned long long) lost);
        if (dropped > 0)
                log_warning("audit: queue was full: dropped %llu lines", (unsigned long long) dropped);
}

/* ---- lifetime --------------------------------------------------------------------------------- */

static int open_path(const char *path)
{
        /* O_APPEND: several writers (or a rotating tool) never overwrite each other's lines. */
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        return fd < 0 ? -errno : fd;
}

static int audit_start(int fd, const char *path, size_t queue_lines, struct audit **ret)
{
        struct audit *a;
        int r;

        a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        a->path = path ? strdup(path) : NULL;
        if (path && !a->path) {
                free(a);
                return -ENOMEM;
        }
        a->fd = fd;
        atomic_init(&a->new_fd, -1);
        atomic_init(&a->written, 0);
        atomic_init(&a->failed, 0);
        atomic_init(&a->healthy, true);

        const struct lineq_config c = {
                .max_lines = queue_lines > 0 ? queue_lines : AUDIT_QUEUE_LINES,
                .max_bytes = AUDIT_QUEUE_BYTES,
                .batch_lines = AUDIT_BATCH,
                .batch_bytes = SIZE_MAX,   /* a batch is bounded by its count only */
                .linger_ns = AUDIT_LINGER_NS,
                .batch = write_batch,
                .ctx = a,
        };
        r = lineq_start(&c, &a->q);
        if (r < 0) {
                free(a->path);
                free(a);
                return r;
        }
        *ret = a;
        return 0;
}

int audit_open(const char *path, struct audit **ret)
{
        _cleanup_close_ int fd = -1;
        int r;

        if (!path || !*path || !ret)
                return -EINVAL;

        if (strcmp(path, "-") == 0) {
                /* Our own copy of stdout, so closing the log never closes fd 1. */
                fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return -errno;
                path = NULL;
        } else {
                fd = open_path(path);
                if (fd < 0)
                        return fd;
        }

        r = audit_start(fd, path, 0, ret);
        if (r < 0)
                return r;
        fd = -1;   /* the writer owns it now */   // NOLINT(clang-analyzer-deadcode.DeadStores): read by _cleanup_close_
        return 0;
}

int audit_open_fd(int fd, size_t queue_lines, struct audit **ret)
{
        if (fd < 0 || !ret)
                return -EINVAL;
        return audit_start(fd, NULL, queue_lines, ret);
}

int audit_reopen(struct audit *a)
{
        int fd;

        if (!a || !a->path)
                return 0;
        fd = open_path(a->path);
        if (fd < 0)
                return fd;

        int stale = atomic_exchange(&a->new_fd, fd);   /* two reopens before the writer woke: the newer wins */
        lineq_kick(a->q);
        if (stale >= 0)
                close(stale);
        return 0;
}

void audit_set_sink(struct audit *a, audit_sink_fn fn, void *ctx)
{
        if (!a)
                return;
        a->sink = fn;
        a->sink_ctx = ctx;
}

bool audit_healthy(struct audit *a)
{
        return !a || atomic_load(&a->healthy);
}

void audit_get_stats(struct audit *a, struct audit_stats *ret)
{
        struct lineq_stats qs;

        if (!a) {
                *ret = (struct audit_stats){ 0 };
                return;
        }
        /* The writer's counts first: a line counted written is then already counted recorded. */
        uint64_t written = atomic_load(&a->written), failed = atomic_load(&a->failed);
        lineq_get_stats(a->q, &qs);
        *ret = (struct audit_stats){
                .recorded = qs.pushed, .written = written, .dropped = qs.dropped, .failed = failed,
        };
}

struct audit *audit_close(struct audit *a)
{
        if (!a)
                return NULL;

        lineq_stop(a->q);   /* the writer writes out everything queued first */
        if (a->failed_unreported > 0)
                log_error("audit: %llu lines lost to write errors at shutdown",
                          (unsigned long long) a->failed_unreported);

        int new_fd = atomic_exchange(&a->new_fd, -1);
        if (new_fd >= 0)
                close(new_fd);
        if (a->fd >= 0)
                close(a->fd);
        lineq_free(a->q);
        free(a->path);
        free(a);
        return NULL;
}
