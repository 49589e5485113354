/* Audit shipping: see ship.h.
 *
 * Deciding threads only copy a line and push it onto a bounded queue (authz/lineq.h) under a mutex
 * held for a few pointer moves; the queue's worker is the shipper, which takes batches off it and
 * does all the network work outside the lock, so a dead, slow or black-holed collector only ever
 * delays the shipper. */
#include "authz/cleanup.h"
#include "authz/ship.h"

#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz/curl_lazy.h"
#include "authz/lineq.h"
#include "authz/log.h"
#include "authz/metrics.h"

struct ship {
        struct lineq *q;                   /* the lines, and the shipper thread */

        char *url;                         /* with credentials: only ever given to libcurl */
        char *shown;                       /* without them: for messages */
        const struct curl_api *api;        /* libcurl (curl_lazy.h), loaded by ship_open() */
        CURL *curl;                        /* the shipper thread's */
        struct curl_slist *headers;
        char *body;                        /* SHIP_BATCH_BYTES: the shipper's, a batch joined */

        /* The shipper's own, from one batch to the next. */
        long backoff;
        bool failing;
        uint64_t failed_attempts;
        time_t last_report, deadline;      /* deadline: of the last try at shutdown, 0 before */

        /* struct ship_stats's, with the queue's own counts (queued, and its drops). */
        atomic_uint_fast64_t sent, dropped, failures;
};

/* ---- helpers ---------------------------------------------------------------------------------- */

static time_t now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec;
}

static size_t discard_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        (void) ptr;
        (void) userdata;
        return size * nmemb;
}

/* ---- posting ---------------------------------------------------------------------------------- */

enum post_result { POST_OK, POST_RETRY, POST_REJECTED };

static enum post_result post(struct ship *s, const char *body, size_t len, long timeout_s,
                             char *why, size_t why_size)
{
        long status = 0;
        CURLcode rc;

        s->api->easy_setopt(s->curl, CURLOPT_POSTFIELDS, body);
        s->api->easy_setopt(s->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
        s->api->easy_setopt(s->curl, CURLOPT_TIMEOUT, timeout_s);
        rc = s->api->easy_perform(s->curl);
        if (rc != CURLE_OK) {
                snprintf(why, why_size, "%s", s->api->easy_strerror(rc));
                return POST_RETRY;
        }
        s->api->easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200 && status < 300)
                return POST_OK;
        snprintf(why, why_size, "HTTP status %ld", status);
        /* Overloaded or briefly broken: try again.  Any other 4xx will not change by retrying. */
        if (status >= 500 || status == 408 || status == 429 || status < 200)
                return POST_RETRY;
        return POST_REJECTED;
}

/* The queue's callback, on the shipper thread: post lines[0..n) as one body, retrying with backoff
 * (or, once stopping, until the deadline), then count and report. */
static void post_batch(struct lineq *q, void *ctx, struct lineq_line *lines, size_t n)
{
        struct ship *s = ctx;
        char why[256] = "";

        if (n == 0)
                return;
        if (lineq_stopping(q) && s->deadline == 0)
                s->deadline = now_s() + SHIP_SHUTDOWN_S;

        /* One line is posted as it is (it may be larger than a batch); several fit in s->body. */
        const char *body = lines[0].s;
        size_t len = lines[0].len;
        if (n > 1) {
                len = 0;
                for (size_t i = 0; i < n; i++) {
                        assert(lines[i].len <= SHIP_BATCH_BYTES - len);   /* lineq's batch_bytes */
                        memcpy(s->body + len, lines[i].s, lines[i].len);
                        len += lines[i].len;
                }
                body = s->body;
        }

        uint64_t sent = 0, dropped = 0, batch_failures = 0;
        for (;;) {
                bool stopping = s->deadline != 0;
                long timeout = SHIP_TIMEOUT_S;
                if (stopping) {
                        time_t left = s->deadline - now_s();
                        if (left < 1) {
                                dropped = n;
                                snprintf(why, sizeof(why), "shutting down");
                                break;
                        }
                        timeout = (long) left;
                }
                enum post_result pr = post(s, body, len, timeout, why, sizeof(why));
                if (pr == POST_OK) {
                        sent = n;
                        if (s->failing)
                                log_info("audit-url: %s accepts lines again (after %llu failed attempts)",
                                         LOG_ESC(s->shown), (unsigned long long) s->failed_attempts);
                        s->failing = false;
                        s->failed_attempts = 0;
                        s->backoff = SHIP_BACKOFF_MIN_MS;
                        break;
                }
                if (pr == POST_REJECTED) {
                        dropped = n;
                        log_error("audit-url: %s rejected a batch of %zu lines (%s); dropped",
                                  LOG_ESC(s->shown), n, why);
                        break;
                }
                metrics_ship(0, 0, 1);
                s->failed_attempts++;
                batch_failures++;
                if (!s->failing || now_s() - s->last_report >= SHIP_REPORT_INTERVAL_S) {
                        log_warning("audit-url: cannot send to %s (%s); retrying with backoff",
                                    LOG_ESC(s->shown), why);
                        s->last_report = now_s();
                }
                s->failing = true;
                if (stopping) {
                        /* Another try while the deadline lasts, without spinning. */
                        struct timespec t = { .tv_nsec = 200 * 1000000L };
                        nanosleep(&t, NULL);
                        continue;
                }

                /* Back off, waking early only to stop. */
                if (lineq_wait(q, (long long) s->backoff * 1000000LL) && s->deadline == 0)
                        s->deadline = now_s() + SHIP_SHUTDOWN_S;
                s->backoff = s->backoff > SHIP_BACKOFF_MAX_MS / 2 ? SHIP_BACKOFF_MAX_MS : s->backoff * 2;
        }
        metrics_ship(sent, dropped, 0);

        atomic_fetch_add(&s->sent, sent);
        atomic_fetch_add(&s->dropped, dropped);
        atomic_fetch_add(&s->failures, batch_failures);
        uint64_t queue_drops = 0;
        if (s->deadline != 0 || now_s() - s->last_report >= SHIP_REPORT_INTERVAL_S || !s->failing)
                queue_drops = lineq_take_drops(q, false);
        if (queue_drops > 0) {
                log_warning("audit-url: queue full: dropped %llu lines", (unsigned long long) queue_drops);
                if (s->failing)
                        s->last_report = now_s();
        }
        if (dropped > 0 && s->deadline != 0)
                log_warning("audit-url: %llu lines not sent at shutdown (%s)",
                            (unsigned long long) dropped, why);
}

/* ---- the queue -------------------------------------------------------------------------------- */

void ship_line(void *ctx, const char *line, size_t len)
{
        struct ship *s = ctx;

        if (!s || !line || len == 0)
                return;
        char *copy = malloc(len);
        if (!copy) {
                lineq_count_drop(s->q);
                metrics_ship(0, 1, 0);
                return;
        }
        memcpy(copy, line, len);
        if (lineq_push(s->q, copy, len) < 0)   /* full or stopping: dropped and counted there */
                metrics_ship(0, 1, 0);
}

void ship_get_stats(struct ship *s, struct ship_stats *ret)
{
        struct lineq_stats qs;

        if (!s) {
                *ret = (struct ship_stats){ 0 };
                return;
        }
        uint64_t sent = atomic_load(&s->sent), dropped = atomic_load(&s->dropped);
        uint64_t failures = atomic_load(&s->failures);
        lineq_get_stats(s->q, &qs);
        *ret = (struct ship_stats){
                .queued = qs.pushed, .sent = sent, .dropped = qs.dropped + dropped, .failures = failures,
        };
}

/* ---- lifetime --------------------------------------------------------------------------------- */

static void ship_free(struct ship *s)
{
        lineq_free(s->q);
        if (s->api) {
                s->api->slist_free_all(s->headers);
                if (s->curl)
                        s->api->easy_cleanup(s->curl);
        }
        free(s->body);
        free(s->url);
        free(s->shown);
        free(s);
}

int ship_open(const char *url, struct ship **ret)
{
        const struct curl_api *api;
        struct curl_lazy_error e;
        struct ship *s;
        int r;

        if (!url || !ret)
                return -EINVAL;
        /* Now, not in the background: every line goes through libcurl from the start. */
        r = curl_lazy_get(&api, &e);
        if (r < 0)
                return log_error_errno(r, "audit-url: cannot load %s (%s)", CURL_LAZY_SONAME, e.text);

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->api = api;
        s->backoff = SHIP_BACKOFF_MIN_MS;
        atomic_init(&s->sent, 0);
        atomic_init(&s->dropped, 0);
        atomic_init(&s->failures, 0);
        r = curl_lazy_check_url(api, url, &s->shown);
        if (r < 0) {
                if (r == -EINVAL)
                        log_error("--audit-url: not an http:// or https:// URL");
                ship_free(s);
                return r;
        }
        s->url = strdup(url);
        /* Once, not per batch: joining a batch then never fails. */
        s->body = malloc(SHIP_BATCH_BYTES);
        s->curl = api->easy_init();
        s->headers = api->slist_append(NULL, "Content-Type: application/x-ndjson");
        if (!s->url || !s->body || !s->curl || !s->headers) {
                ship_free(s);
                return -ENOMEM;
        }

        CURL *h = s->curl;
        api->easy_setopt(h, CURLOPT_URL, s->url);
        api->easy_setopt(h, CURLOPT_HTTPHEADER, s->headers);
        api->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);          /* threads: no SIGALRM for timeouts */
        api->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long) SHIP_CONNECT_TIMEOUT_S);
        api->easy_setopt(h, CURLOPT_WRITEFUNCTION, (curl_write_callback) discard_body);
        api->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);    /* a redirect must not move audit data */
#if LIBCURL_VERSION_NUM >= 0x075500
        api->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
        /* Let a keep-alive connection be reused, but notice a dead one quickly. */
        api->easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);

        const struct lineq_config c = {
                .max_lines = SHIP_QUEUE_LINES,
                .max_bytes = SHIP_QUEUE_BYTES,
                .batch_lines = SHIP_BATCH_LINES,
                .batch_bytes = SHIP_BATCH_BYTES,
                .linger_ns = SHIP_LINGER_MS * 1000000LL,   /* a moment for more lines: a burst in one POST */
                .batch = post_batch,
                .ctx = s,
        };
        r = lineq_start(&c, &s->q);
        if (r < 0) {
                ship_free(s);
                return r;
        }
        log_info("audit-url: shipping audit lines to %s", LOG_ESC(s->shown));
        *ret = s;
        return 0;
}

struct ship *ship_close(struct ship *s)
{
        if (!s)
                return NULL;
        lineq_stop(s->q);   /* what is queued gets its last try, up to SHIP_SHUTDOWN_S */
        uint64_t queue_drops = lineq_take_drops(s->q, false);
        if (queue_drops > 0)
                log_warning("audit-url: queue full: dropped %llu lines", (unsigned long long) queue_drops);
        ship_free(s);
        return NULL;
}
