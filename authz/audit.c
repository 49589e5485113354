/* The audit log: see audit.h.
 *
 * Decision threads (libmicrohttpd's pool) only format a line and append it to a ring under a mutex
 * held for a few pointer moves; the writer thread takes lines off in batches and writes them with
 * writev(2) outside the lock.  So a write that blocks on a slow disk, a full pipe or NFS delays the
 * writer only, and once the ring is full new lines are dropped (and counted), never waited for. */
#include "authz/cleanup.h"
#include "authz/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "authz/log.h"
#include "authz/version.h"

/* Lines written per writev(2). */
#define AUDIT_BATCH 64
/* How long the writer waits, once woken, for more lines before it writes: under load one wake-up
 * and one writev(2) per batch instead of per decision (waking it for each line cost as much CPU as
 * the decision itself).  An idle log still gets each line within this time. */
#define AUDIT_LINGER_NS 2000000
/* At most one write-error report per this many seconds: a full disk must not flood stderr. */
#define AUDIT_ERROR_INTERVAL_S 10

struct audit_line {
        char *s;        /* ends with '\n' */
        size_t len;
};

struct audit {
        pthread_mutex_t lock;
        pthread_cond_t wake;            /* the writer: lines queued, a new fd, or stop */
        pthread_t thread;

        char *path;                     /* NULL: not reopenable (stdout, audit_open_fd) */
        int fd;                         /* owned by the writer thread once started */
        int new_fd;                     /* from audit_reopen(), -1 if none; the writer swaps it in */

        struct audit_line *ring;
        size_t cap, head, count, bytes;
        bool stopping;
        bool writer_idle;               /* waiting on `wake`: the next line must signal it */

        uint64_t dropped_unreported;    /* dropped since the writer last reported */
        struct audit_stats stats;
        atomic_bool healthy;
        audit_sink_fn sink;             /* set before decisions start, then only read */
        void *sink_ctx;
};

static void line_free_all(struct audit_line *l, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(l[i].s);
}

/* ---- UTF-8 ------------------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF), or 0 if it is not one. */
static size_t utf8_valid_len(const unsigned char *s, size_t left)
{
        unsigned char c = s[0], lo = 0x80, hi = 0xbf;
        size_t n;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                n = 2;
        else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                if (c == 0xe0)
                        lo = 0xa0;
                else if (c == 0xed)
                        hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                if (c == 0xf0)
                        lo = 0x90;
                else if (c == 0xf4)
                        hi = 0x8f;
        } else
                return 0;

        if (n > left)
                return 0;
        if (s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 2; i < n; i++)
                if (s[i] < 0x80 || s[i] > 0xbf)
                        return 0;
        return n;
}

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
                size_t n = utf8_valid_len((const unsigned char *) s + i, len - i);
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
        n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
        if (n == 0)
                return -ENOBUFS;
        int r = snprintf(buf + n, size - n, ".%06ldZ", ts.tv_nsec / 1000);
        if (r < 0 || (size_t) r >= size - n)
                return -ENOBUFS;
        return 0;
}

/* Set o[key] = v (v a new reference, consumed even on failure).  -ENOMEM when v is NULL. */
static int set_new(json_t *o, const char *key, json_t *v)
{
        if (!v)
                return -ENOMEM;
        return json_object_set_new(o, key, v) < 0 ? -ENOMEM : 0;
}

static int set_string_nonempty(json_t *o, const char *key, const char *s)
{
        if (!s || !*s)
                return 0;
        return set_new(o, key, audit_json_string(s));
}

static bool rule_listed(const struct decision *d, size_t upto, const char *rule)
{
        for (size_t i = 0; i < upto; i++)
                if (d->v[i].rule && strcmp(d->v[i].rule, rule) == 0)
                        return true;
        return false;
}

/* The JSON object for one decision (new reference), or NULL on ENOMEM. */
static json_t *decision_line(const struct request_info *info, const struct decision *d, bool dry_run,
                             double latency_us, const char *now)
{
        _cleanup_json_ json_t *o = json_object(), *rules = json_array(), *reasons = json_array();
        static const struct request_info empty;
        char time[64];
        int r = 0;

        if (!o || !rules || !reasons)
                return NULL;
        if (!info)
                info = &empty;

        size_t n = d->n < DECISION_MAX_VIOLATIONS ? d->n : DECISION_MAX_VIOLATIONS;
        for (size_t i = 0; i < n && r >= 0; i++) {
                /* A rule may be broken several times; list each id once, in first-seen order. */
                if (d->v[i].rule && !rule_listed(d, i, d->v[i].rule) &&
                    json_array_append_new(rules, audit_json_string(d->v[i].rule)) < 0)
                        r = -ENOMEM;
                if (r >= 0 && json_array_append_new(reasons, audit_json_string(d->v[i].text)) < 0)
                        r = -ENOMEM;
        }
        if (r < 0)
                return NULL;

        if (now)
                snprintf(time, sizeof(time), "%s", now);
        else if (format_time(time, sizeof(time)) < 0)
                time[0] = '\0';
        if (!(latency_us >= 0))   /* also NaN */
                latency_us = 0;
        if (latency_us > 1e15)
                latency_us = 1e15;

        bool allow = d->allow && d->complete;
        /* dry-run: the server answered allow whatever the decision; warn: the decision allowed
         * although rules were broken (all of them set to warn); enforce: the decision was the answer. */
        const char *mode = dry_run ? "dry-run" : allow && d->warned ? "warn" : "enforce";
        if (set_new(o, "time", json_string(time)) < 0 ||
            set_new(o, "decision", json_string(allow ? "allow" : "deny")) < 0 ||
            set_new(o, "mode", json_string(mode)) < 0 ||
            json_object_set(o, "rules", rules) < 0 ||
            set_new(o, "method", audit_json_string(info->method)) < 0 ||
            set_new(o, "route", audit_json_string(info->route)) < 0 ||
            set_new(o, "uri", audit_json_string(info->uri)) < 0 ||
            set_string_nonempty(o, "user", info->user) < 0 ||
            set_string_nonempty(o, "authn", info->authn) < 0 ||
            set_string_nonempty(o, "container_name", info->container_name) < 0 ||
            set_string_nonempty(o, "image", info->image) < 0 ||
            set_string_nonempty(o, "body_sha256", info->body_sha256) < 0 ||
            set_new(o, "latency_us", json_integer((json_int_t) (latency_us + 0.5))) < 0 ||
            set_new(o, "version", json_string(VERSION)) < 0 ||
            set_string_nonempty(o, "policy_sha256", info->policy_sha256) < 0 ||
            json_object_set(o, "reasons", reasons) < 0)
                return NULL;
        if (d->truncated && set_new(o, "truncated", json_true()) < 0)
                return NULL;

        json_t *ret = o;
        o = NULL;
        return ret;
}

/* ---- the queue -------------------------------------------------------------------------------- */

int audit_format_line(const struct request_info *info, const struct decision *d, bool dry_run,
                      double latency_us, const char *time, char **ret, size_t *ret_len)
{
        if (!d || !ret || !ret_len)
                return -EINVAL;

        _cleanup_json_ json_t *o = decision_line(info, d, dry_run, latency_us, time);
        if (!o)
                return -ENOMEM;

        /* Our own buffer (not json_dumps()'s), so the '\n' fits without a realloc through
         * whatever allocator jansson was given. */
        size_t n = json_dumpb(o, NULL, 0, JSON_COMPACT);
        if (n == 0 || n == SIZE_MAX)
                return -ENOMEM;
        char *s = malloc(n + 2);
        if (!s)
                return -ENOMEM;
        if (json_dumpb(o, s, n, JSON_COMPACT) != n) {
                free(s);
                return -ENOMEM;
        }
        s[n++] = '\n';
        s[n] = '\0';
        *ret = s;
        *ret_len = n;
        return 0;
}

int audit_record(struct audit *a, const struct request_info *info, const struct decision *d,
                 bool dry_run, double latency_us)
{
        char *s = NULL;   /* freed here or handed to the ring */
        size_t n = 0;
        int r;

        if (!a)
                return 0;
        r = audit_format_line(info, d, dry_run, latency_us, NULL, &s, &n);
        if (r < 0)
                return r;
        if (a->sink)
                a->sink(a->sink_ctx, s, n);

        pthread_mutex_lock(&a->lock);
        if (a->stopping || a->count >= a->cap || n > AUDIT_QUEUE_BYTES - a->bytes) {
                a->stats.dropped++;
                a->dropped_unreported++;
                pthread_mutex_unlock(&a->lock);
                free(s);
                return -ENOBUFS;
        }
        size_t tail = (a->head + a->count) % a->cap;
        a->ring[tail].s = s;
        a->ring[tail].len = n;
        a->count++;
        a->bytes += n;
        a->stats.recorded++;
        if (a->writer_idle) {
                a->writer_idle = false;   /* one signal per wake-up: the writer takes the rest */
                pthread_cond_signal(&a->wake);
        }
        pthread_mutex_unlock(&a->lock);
        return 0;
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

static void *writer_main(void *arg)
{
        struct audit *a = arg;
        static char newline[] = "\n";
        struct audit_line batch[AUDIT_BATCH];
        struct iovec iov[AUDIT_BATCH + 1];
        bool need_newline = false;     /* the last failed write cut a line: end it first */
        uint64_t failed_unreported = 0;
        struct timespec last_report = { 0 };
        bool reported_error = false;

        pthread_mutex_lock(&a->lock);
        for (;;) {
                bool woke = false;
                while (a->count == 0 && a->new_fd < 0 && !a->stopping) {
                        a->writer_idle = true;
                        pthread_cond_wait(&a->wake, &a->lock);
                        woke = true;
                }
                a->writer_idle = false;
                if (woke && a->count < AUDIT_BATCH && a->new_fd < 0 && !a->stopping) {
                        /* Let a batch gather (see AUDIT_LINGER_NS); producers do not signal meanwhile. */
                        pthread_mutex_unlock(&a->lock);
                        nanosleep(&(struct timespec){ .tv_nsec = AUDIT_LINGER_NS }, NULL);
                        pthread_mutex_lock(&a->lock);
                }

                int old_fd = -1;
                if (a->new_fd >= 0) {
                        old_fd = a->fd;
                        a->fd = a->new_fd;
                        a->new_fd = -1;
                        need_newline = false;
                }
                if (a->count == 0 && a->stopping) {
                        pthread_mutex_unlock(&a->lock);
                        if (old_fd >= 0)
                                close(old_fd);
                        break;
                }

                size_t k = 0;
                while (k < AUDIT_BATCH && a->count > 0) {
                        batch[k] = a->ring[a->head];
                        a->ring[a->head].s = NULL;
                        a->head = (a->head + 1) % a->cap;
                        a->count--;
                        a->bytes -= batch[k].len;
                        k++;
                }
                int fd = a->fd;
                pthread_mutex_unlock(&a->lock);

                if (old_fd >= 0)
                        close(old_fd);

                size_t first = 0;
                if (need_newline) {
                        iov[0] = (struct iovec){ .iov_base = newline, .iov_len = 1 };
                        first = 1;
                }
                for (size_t i = 0; i < k; i++)
                        iov[first + i] = (struct iovec){ .iov_base = batch[i].s, .iov_len = batch[i].len };

                int error = 0;
                bool partial = false;
                size_t done = k > 0 ? write_lines(fd, iov, first + k, &error, &partial) : first;
                size_t written = done > first ? done - first : 0;
                size_t failed = k - written;
                line_free_all(batch, k);
                if (k > 0)
                        need_newline = error ? (partial || (need_newline && done == 0)) : false;

                /* What to report, decided under the lock, logged outside it: stderr may block too. */
                uint64_t dropped = 0, lost = 0;
                bool report_error = false, report_recovered = false;
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);

                pthread_mutex_lock(&a->lock);
                a->stats.written += written;
                a->stats.failed += failed;
                if (error) {
                        failed_unreported += failed;
                        atomic_store(&a->healthy, false);
                        if (!reported_error || now.tv_sec - last_report.tv_sec >= AUDIT_ERROR_INTERVAL_S) {
                                report_error = true;
                                lost = failed_unreported;
                                failed_unreported = 0;
                                last_report = now;
                                reported_error = true;
                        }
                } else if (k > 0 && !atomic_load(&a->healthy)) {
                        atomic_store(&a->healthy, true);
                        report_recovered = true;
                        lost = failed_unreported;
                        failed_unreported = 0;
                        reported_error = false;
                }
                if (a->count == 0 && a->dropped_unreported > 0) {
                        dropped = a->dropped_unreported;
                        a->dropped_unreported = 0;
                }
                const char *path = a->path ? a->path : "-";
                pthread_mutex_unlock(&a->lock);

                if (report_error)
                        (void) log_error_errno(error, "audit: lost %llu lines, cannot write to %s",
                                               (unsigned long long) lost, LOG_ESC(path));
                if (report_recovered)
                        log_warning("audit: writing to %s again (%llu more lines lost)", LOG_ESC(path),
                                    (unsigned long long) lost);
                if (dropped > 0)
                        log_warning("audit: queue was full: dropped %llu lines", (unsigned long long) dropped);

                pthread_mutex_lock(&a->lock);
        }

        if (failed_unreported > 0)
                log_error("audit: %llu lines lost to write errors at shutdown",
                          (unsigned long long) failed_unreported);
        return NULL;
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
        sigset_t all, old;
        int r;

        a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        a->cap = queue_lines > 0 ? queue_lines : AUDIT_QUEUE_LINES;
        a->ring = calloc(a->cap, sizeof(*a->ring));
        a->path = path ? strdup(path) : NULL;
        if (!a->ring || (path && !a->path)) {
                free(a->ring);
                free(a->path);
                free(a);
                return -ENOMEM;
        }
        a->fd = fd;
        a->new_fd = -1;
        atomic_init(&a->healthy, true);
        pthread_mutex_init(&a->lock, NULL);
        pthread_cond_init(&a->wake, NULL);

        /* Signals are the main thread's business (sigwait); the writer never takes one. */
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        r = -pthread_create(&a->thread, NULL, writer_main, a);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
                pthread_cond_destroy(&a->wake);
                pthread_mutex_destroy(&a->lock);
                free(a->ring);
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

        pthread_mutex_lock(&a->lock);
        int stale = a->new_fd;   /* two reopens before the writer woke: the newer wins */
        a->new_fd = fd;
        pthread_cond_signal(&a->wake);
        pthread_mutex_unlock(&a->lock);
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
        if (!a) {
                *ret = (struct audit_stats){ 0 };
                return;
        }
        pthread_mutex_lock(&a->lock);
        *ret = a->stats;
        pthread_mutex_unlock(&a->lock);
}

struct audit *audit_close(struct audit *a)
{
        if (!a)
                return NULL;

        pthread_mutex_lock(&a->lock);
        a->stopping = true;
        pthread_cond_signal(&a->wake);
        pthread_mutex_unlock(&a->lock);
        pthread_join(a->thread, NULL);

        /* The writer drained the ring before it stopped. */
        if (a->new_fd >= 0)
                close(a->new_fd);
        if (a->fd >= 0)
                close(a->fd);
        pthread_cond_destroy(&a->wake);
        pthread_mutex_destroy(&a->lock);
        free(a->ring);
        free(a->path);
        free(a);
        return NULL;
}
