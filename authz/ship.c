/* Audit shipping: see ship.h.
 *
 * Deciding threads only copy a line onto the ring under a mutex held for a few pointer moves; the
 * shipper thread takes batches off it and does all the network work outside the lock, so a dead,
 * slow or black-holed collector only ever delays the shipper. */
#include "authz/cleanup.h"
#include "authz/ship.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz/curl_lazy.h"
#include "authz/log.h"
#include "authz/metrics.h"

struct ship_line_ {
        char *s;
        size_t len;
};

struct ship {
        pthread_mutex_t lock;
        pthread_cond_t wake;               /* lines queued, or stop */
        pthread_t thread;

        char *url;                         /* with credentials: only ever given to libcurl */
        char *shown;                       /* without them: for messages */
        const struct curl_api *api;        /* libcurl (curl_lazy.h), loaded by ship_open() */
        CURL *curl;                        /* the shipper thread's */
        struct curl_slist *headers;

        struct ship_line_ *ring;           /* guarded by lock, as is everything below */
        size_t head, count, bytes;
        bool stopping;
        uint64_t dropped_unreported;
        struct ship_stats stats;
};

/* ---- helpers ---------------------------------------------------------------------------------- */

static void deadline_after_ms(struct timespec *ts, long ms)
{
        clock_gettime(CLOCK_REALTIME, ts);   /* pthread_cond_timedwait's default clock */
        ts->tv_sec += ms / 1000;
        ts->tv_nsec += (ms % 1000) * 1000000L;
        if (ts->tv_nsec >= 1000000000L) {
                ts->tv_sec++;
                ts->tv_nsec -= 1000000000L;
        }
}

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

/* Check the URL and make the form shown in messages (no user name, no password).  0 or -EINVAL. */
static int check_url(const struct curl_api *api, const char *url, char **ret_shown)
{
        CURLU *u = api->url();
        char *scheme = NULL, *shown = NULL;
        int r = -EINVAL;

        if (!u)
                return -ENOMEM;
        if (api->url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
            api->url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
                goto out;
        if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
                goto out;
        if (api->url_set(u, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
            api->url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
            api->url_get(u, CURLUPART_URL, &shown, 0) != CURLUE_OK)
                goto out;
        *ret_shown = strdup(shown);
        r = *ret_shown ? 0 : -ENOMEM;
out:
        api->free(scheme);
        api->free(shown);
        api->url_cleanup(u);
        return r;
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

/* Take up to a batch off the ring into one new buffer.  Called with the lock held. */
static char *take_batch(struct ship *s, size_t *ret_len, size_t *ret_lines)
{
        size_t n = 0, len = 0;

        while (n < s->count && n < SHIP_BATCH_LINES) {
                size_t l = s->ring[(s->head + n) % SHIP_QUEUE_LINES].len;
                if (n > 0 && l > SHIP_BATCH_BYTES - len)
                        break;
                len += l;
                n++;
        }
        char *buf = malloc(len > 0 ? len : 1);
        if (!buf)
                return NULL;   /* the lines stay queued; tried again later */
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
                struct ship_line_ *l = &s->ring[s->head];
                memcpy(buf + o, l->s, l->len);
                o += l->len;
                free(l->s);
                l->s = NULL;
                s->head = (s->head + 1) % SHIP_QUEUE_LINES;
                s->count--;
                s->bytes -= l->len;
        }
        *ret_len = len;
        *ret_lines = n;
        return buf;
}

static void *shipper_main(void *arg)
{
        struct ship *s = arg;
        long backoff = SHIP_BACKOFF_MIN_MS;
        bool failing = false;
        uint64_t failed_attempts = 0;
        time_t last_report = 0, deadline = 0;
        char why[256];

        pthread_mutex_lock(&s->lock);
        for (;;) {
                while (s->count == 0 && !s->stopping)
                        pthread_cond_wait(&s->wake, &s->lock);
                if (s->count == 0)
                        break;   /* stopping, nothing left */
                if (s->count < SHIP_BATCH_LINES && !s->stopping) {
                        /* A moment for more lines, so that a burst goes in one POST. */
                        struct timespec ts;
                        deadline_after_ms(&ts, SHIP_LINGER_MS);
                        (void) pthread_cond_timedwait(&s->wake, &s->lock, &ts);
                }
                if (s->stopping && deadline == 0)
                        deadline = now_s() + SHIP_SHUTDOWN_S;

                size_t len = 0, lines = 0;
                char *body = take_batch(s, &len, &lines);
                pthread_mutex_unlock(&s->lock);
                if (!body) {
                        struct timespec t = { .tv_nsec = 100 * 1000000L };
                        nanosleep(&t, NULL);
                        pthread_mutex_lock(&s->lock);
                        continue;
                }

                uint64_t sent = 0, dropped = 0, batch_failures = 0;
                for (;;) {
                        bool stopping = deadline != 0;
                        long timeout = SHIP_TIMEOUT_S;
                        if (stopping) {
                                time_t left = deadline - now_s();
                                if (left < 1) {
                                        dropped = lines;
                                        snprintf(why, sizeof(why), "shutting down");
                                        break;
                                }
                                timeout = (long) left;
                        }
                        enum post_result pr = post(s, body, len, timeout, why, sizeof(why));
                        if (pr == POST_OK) {
                                sent = lines;
                                if (failing)
                                        log_info("audit-url: %s accepts lines again (after %llu failed attempts)",
                                                 LOG_ESC(s->shown), (unsigned long long) failed_attempts);
                                failing = false;
                                failed_attempts = 0;
                                backoff = SHIP_BACKOFF_MIN_MS;
                                break;
                        }
                        if (pr == POST_REJECTED) {
                                dropped = lines;
                                log_error("audit-url: %s rejected a batch of %zu lines (%s); dropped",
                                          LOG_ESC(s->shown), lines, why);
                                break;
                        }
                        metrics_ship(0, 0, 1);
                        failed_attempts++;
                        batch_failures++;
                        if (!failing || now_s() - last_report >= SHIP_REPORT_INTERVAL_S) {
                                log_warning("audit-url: cannot send to %s (%s); retrying with backoff",
                                            LOG_ESC(s->shown), why);
                                last_report = now_s();
                        }
                        failing = true;
                        if (stopping) {
                                /* Another try while the deadline lasts, without spinning. */
                                struct timespec t = { .tv_nsec = 200 * 1000000L };
                                nanosleep(&t, NULL);
                                continue;
                        }

                        /* Back off, waking early only to stop. */
                        pthread_mutex_lock(&s->lock);
                        struct timespec ts;
                        deadline_after_ms(&ts, backoff);
                        while (!s->stopping &&
                               pthread_cond_timedwait(&s->wake, &s->lock, &ts) != ETIMEDOUT)
                                ;
                        if (s->stopping && deadline == 0)
                                deadline = now_s() + SHIP_SHUTDOWN_S;
                        pthread_mutex_unlock(&s->lock);
                        backoff = backoff > SHIP_BACKOFF_MAX_MS / 2 ? SHIP_BACKOFF_MAX_MS : backoff * 2;
                }
                free(body);
                metrics_ship(sent, dropped, 0);

                pthread_mutex_lock(&s->lock);
                s->stats.sent += sent;
                s->stats.dropped += dropped;
                s->stats.failures += batch_failures;
                uint64_t queue_drops = 0;
                if (s->dropped_unreported > 0 &&
                    (deadline != 0 || now_s() - last_report >= SHIP_REPORT_INTERVAL_S || !failing)) {
                        queue_drops = s->dropped_unreported;
                        s->dropped_unreported = 0;
                }
                pthread_mutex_unlock(&s->lock);
                if (queue_drops > 0) {
                        log_warning("audit-url: queue full: dropped %llu lines", (unsigned long long) queue_drops);
                        if (failing)
                                last_report = now_s();
                }
                if (dropped > 0 && deadline != 0)
                        log_warning("audit-url: %llu lines not sent at shutdown (%s)",
                                    (unsigned long long) dropped, why);
                pthread_mutex_lock(&s->lock);
        }
        uint64_t queue_drops = s->dropped_unreported;
        s->dropped_unreported = 0;
        pthread_mutex_unlock(&s->lock);
        if (queue_drops > 0)
                log_warning("audit-url: queue full: dropped %llu lines", (unsigned long long) queue_drops);
        return NULL;
}

/* ---- the queue -------------------------------------------------------------------------------- */

void ship_line(void *ctx, const char *line, size_t len)
{
        struct ship *s = ctx;

        if (!s || !line || len == 0)
                return;
        char *copy = malloc(len);
        if (copy)
                memcpy(copy, line, len);

        pthread_mutex_lock(&s->lock);
        if (!copy || s->stopping || s->count >= SHIP_QUEUE_LINES || len > SHIP_QUEUE_BYTES - s->bytes) {
                s->stats.dropped++;
                s->dropped_unreported++;
                pthread_mutex_unlock(&s->lock);
                free(copy);
                metrics_ship(0, 1, 0);
                return;
        }
        struct ship_line_ *l = &s->ring[(s->head + s->count) % SHIP_QUEUE_LINES];
        l->s = copy;
        l->len = len;
        s->count++;
        s->bytes += len;
        s->stats.queued++;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
}

void ship_get_stats(struct ship *s, struct ship_stats *ret)
{
        if (!s) {
                *ret = (struct ship_stats){ 0 };
                return;
        }
        pthread_mutex_lock(&s->lock);
        *ret = s->stats;
        pthread_mutex_unlock(&s->lock);
}

/* ---- lifetime --------------------------------------------------------------------------------- */

static void ship_free(struct ship *s)
{
        if (s->ring)
                for (size_t i = 0; i < SHIP_QUEUE_LINES; i++)
                        free(s->ring[i].s);
        free(s->ring);
        if (s->api) {
                s->api->slist_free_all(s->headers);
                if (s->curl)
                        s->api->easy_cleanup(s->curl);
        }
        free(s->url);
        free(s->shown);
        free(s);
}

int ship_open(const char *url, struct ship **ret)
{
        const struct curl_api *api;
        struct curl_lazy_error e;
        struct ship *s;
        sigset_t all, old;
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
        r = check_url(api, url, &s->shown);
        if (r < 0) {
                if (r == -EINVAL)
                        log_error("--audit-url: not an http:// or https:// URL");
                ship_free(s);
                return r;
        }
        s->url = strdup(url);
        s->ring = calloc(SHIP_QUEUE_LINES, sizeof(*s->ring));
        s->curl = api->easy_init();
        s->headers = api->slist_append(NULL, "Content-Type: application/x-ndjson");
        if (!s->url || !s->ring || !s->curl || !s->headers) {
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

        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->wake, NULL);

        /* Signals are the main thread's business (sigwait). */
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        r = -pthread_create(&s->thread, NULL, shipper_main, s);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
                pthread_cond_destroy(&s->wake);
                pthread_mutex_destroy(&s->lock);
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
        pthread_mutex_lock(&s->lock);
        s->stopping = true;
        pthread_cond_broadcast(&s->wake);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->thread, NULL);

        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        ship_free(s);
        return NULL;
}
