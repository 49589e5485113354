/* `serve --policy-url`: see bundlepoll.h. */
#include "authz/bundlepoll.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "authz/cleanup.h"
#include "authz/curl_lazy.h"
#include "authz/fileio.h"
#include "authz/log.h"
#include "authz/metrics.h"
#include "authz/reload.h"
#include "policy/buf.h"
#include "policy/bundle.h"
#include "policy/policy.h"

#define CONNECT_TIMEOUT_S 5L
#define FETCH_TIMEOUT_S 20L
#define ETAG_MAX 256
#define FULL_FETCH_EVERY 10

struct bundlepoll {
        const struct curl_api *api;
        CURL *curl;
        char *url, *shown, *cache_path;
        EVP_PKEY *key;
        unsigned interval_s;
        char etag[ETAG_MAX];           /* of the last bundle whose signature verified; "" none */
        enum metrics_bundle_result etag_result;   /* what that bundle came to: a 304 repeats it */
        unsigned long polls;
        uint64_t floor;                /* the highest signed serial whose policy was refused here */
        char *unkept;                  /* the bundle in force, when keeping it on disk failed */
        size_t unkept_len;
        char last_problem[256];        /* logged once until it changes; "" none */

        pthread_t thread;
        bool started;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool stopping;                 /* guarded by lock */
        bool poll_now;                 /* guarded by lock: poll without waiting (start, SIGHUP) */
        bool fresh;                    /* guarded by lock: the next poll asks without the ETag */
};

/* ---- judging a bundle --------------------------------------------------------------------------- */

/* Log a problem once while it lasts (a server that is down is not news every 30 s). */
static void problem(struct bundlepoll *bp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct bundlepoll *bp, const char *fmt, ...)
{
        char text[sizeof(bp->last_problem)];
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        if (strcmp(text, bp->last_problem) == 0)
                return;
        snprintf(bp->last_problem, sizeof(bp->last_problem), "%s", text);
        /* the text quotes what the server sent (a JSON parser's "near ..."): escaped */
        char shown[LOG_ESCAPE_SIZE];
        (void) log_escape(text, shown, sizeof(shown));
        uint64_t serial = policy_current_serial();
        if (serial)
                log_warning("policy bundle: %s; serial %llu stays in force", shown, (unsigned long long) serial);
        else {
                log_error("policy bundle: %s; no policy is in force, every request is denied", shown);
                policy_current_set_why_none(shown);
        }
}

/* A poll went well: say so once after a problem. */
static void recovered(struct bundlepoll *bp)
{
        if (!bp->last_problem[0])
                return;
        bp->last_problem[0] = '\0';
        log_info("policy bundle: %s answers with a good bundle again", bp->shown);
}

/* Keep `text` (the bundle in force) for the next start; on failure, remember it to try again. */
static void keep(struct bundlepoll *bp, const char *text, size_t len, uint64_t serial)
{
        int r = file_write_atomic(bp->cache_path, text, len, 0600);
        if (r == 0) {
                free(bp->unkept);
                bp->unkept = NULL;
                return;
        }
        if (bp->unkept != text)   /* once per bundle, not at each retry */
                log_warning_errno(r, "policy bundle: cannot keep serial %llu in %s for the next start (tried again at "
                                  "each poll)", (unsigned long long) serial, LOG_ESC(bp->cache_path));
        if (bp->unkept != text) {
                free(bp->unkept);
                bp->unkept = malloc(len);
                if (bp->unkept)
                        memcpy(bp->unkept, text, len);
                bp->unkept_len = len;
        }
}

/* Verify, validate and put in force the bundle `text` came as (from `where`: the server or the
 * kept copy).  The result for the metrics. */
static enum metrics_bundle_result judge(struct bundlepoll *bp, const char *text, size_t len, const char *where,
                                        bool from_server, bool *ret_verified)
{
        struct bundle b = { 0 };
        struct bundle_error err;
        struct policy *p = NULL;
        char name[32];
        int r;

        *ret_verified = false;
        r = bundle_open(text, len, bp->key, &b, &err);
        if (r < 0) {
                problem(bp, "%s: refused: %s", where, r == -ENOMEM ? "out of memory" : err.text);
                return r == -ENOMEM ? METRICS_BUNDLE_FAILED : METRICS_BUNDLE_REFUSED;
        }
        *ret_verified = true;
        uint64_t in_force = policy_current_serial();
        if (b.serial <= in_force || b.serial <= bp->floor) {
                enum metrics_bundle_result res = METRICS_BUNDLE_UNCHANGED;
                if (b.serial < in_force)
                        problem(bp, "%s: refused: serial %llu is older than serial %llu in force (a replay?)", where,
                                (unsigned long long) b.serial, (unsigned long long) in_force);
                else if (b.serial != in_force)
                        problem(bp, "%s: refused: serial %llu is not above serial %llu, seen before with a policy "
                                "this host refused", where, (unsigned long long) b.serial, (unsigned long long) bp->floor);
                if (b.serial != in_force)
                        res = METRICS_BUNDLE_REFUSED;
                else if (bp->unkept)
                        keep(bp, bp->unkept, bp->unkept_len, b.serial);
                bundle_clear(&b);
                return res;
        }
        struct policy_problems *pr = calloc(1, sizeof(*pr));
        if (!pr) {
                bundle_clear(&b);
                return METRICS_BUNDLE_FAILED;
        }
        snprintf(name, sizeof(name), "serial %llu", (unsigned long long) b.serial);
        r = policy_load_text(name, b.policy, b.policy_len, NULL, &p, pr);
        policy_problems_log("policy bundle", pr, r < 0);
        free(pr);
        if (r == -ENOMEM) {
                bundle_clear(&b);
                return METRICS_BUNDLE_FAILED;
        }
        if (r < 0) {
                /* Never below a serial signed by the key, even one whose policy this host refuses. */
                bp->floor = b.serial;
                problem(bp, "%s: refused: the policy of serial %llu is invalid", where, (unsigned long long) b.serial);
                bundle_clear(&b);
                return METRICS_BUNDLE_REFUSED;
        }
        r = policy_current_set_bundle(p, b.policy, b.policy_len, b.serial);
        policy_unref(p);
        if (r < 0) {
                /* -ESTALE: another bundle came first; -ENOMEM */
                bundle_clear(&b);
                return r == -ESTALE ? METRICS_BUNDLE_UNCHANGED : METRICS_BUNDLE_FAILED;
        }
        bp->last_problem[0] = '\0';
        log_info("policy bundle: serial %llu from %s in force", (unsigned long long) b.serial, where);
        if (from_server)
                keep(bp, text, len, b.serial);
        bundle_clear(&b);
        return METRICS_BUNDLE_UPDATED;
}

/* ---- fetching ------------------------------------------------------------------------------------ */

struct response {
        struct buf body;
        char etag[ETAG_MAX];
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        struct response *res = userdata;
        size_t n = size * nmemb;
        return buf_append(&res->body, ptr, n) < 0 ? 0 : n;   /* 0: libcurl stops, too large */
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        struct response *res = userdata;
        size_t n = size * nmemb, len = n;

        if (len > 5 && strncasecmp(ptr, "ETag:", 5) == 0) {
                const char *v = ptr + 5;
                len -= 5;
                while (len > 0 && (*v == ' ' || *v == '\t'))
                        v++, len--;
                while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
                        len--;
                /* only a value that is safe to send back in a header */
                bool ok = len > 0 && len < sizeof(res->etag);
                for (size_t i = 0; ok && i < len; i++)
                        ok = v[i] > 0x20 && v[i] < 0x7f;
                if (ok) {
                        memcpy(res->etag, v, len);
                        res->etag[len] = '\0';
                }
        }
        return n;
}

static enum metrics_bundle_result poll_once(struct bundlepoll *bp)
{
        const struct curl_api *api = bp->api;
        struct curl_slist *headers = NULL;
        struct response res = { .etag = "" };
        long status = 0;
        CURLcode rc;
        enum metrics_bundle_result result;

        buf_init(&res.body, 16u << 10, BUNDLE_MAX_BYTES + 1);
        /* Every FULL_FETCH_EVERY-th poll asks without the ETag: nginx's is the file's mtime in
         * seconds and its size, so a bundle replaced within the same second by one of the same
         * size would otherwise never be fetched. */
        bool conditional = bp->etag[0] && ++bp->polls % FULL_FETCH_EVERY != 0;
        if (conditional) {
                char h[ETAG_MAX + 32];
                snprintf(h, sizeof(h), "If-None-Match: %s", bp->etag);
                headers = api->slist_append(NULL, h);
                if (!headers) {
                        buf_free(&res.body);
                        metrics_bundle_fetch(METRICS_BUNDLE_FAILED);
                        return METRICS_BUNDLE_FAILED;
                }
        }
        api->easy_setopt(bp->curl, CURLOPT_HTTPHEADER, headers);
        api->easy_setopt(bp->curl, CURLOPT_WRITEDATA, &res);
        api->easy_setopt(bp->curl, CURLOPT_HEADERDATA, &res);
        rc = api->easy_perform(bp->curl);
        api->easy_setopt(bp->curl, CURLOPT_HTTPHEADER, NULL);
        api->slist_free_all(headers);
        if (rc == CURLE_OK)
                api->easy_getinfo(bp->curl, CURLINFO_RESPONSE_CODE, &status);

        pthread_mutex_lock(&bp->lock);
        bool stopping = bp->stopping;
        pthread_mutex_unlock(&bp->lock);
        if (stopping) {   /* the transfer was aborted for the stop: nothing to say */
                buf_free(&res.body);
                return METRICS_BUNDLE_FAILED;
        }

        if (rc != CURLE_OK) {
                problem(bp, "%s: cannot fetch: %s", bp->shown,
                        buf_error(&res.body) == -E2BIG ? "larger than a bundle can be" : api->easy_strerror(rc));
                result = METRICS_BUNDLE_FAILED;
        } else if (status == 304 && bp->etag[0]) {
                /* The bundle judged before: the same verdict (a refused one stays refused). */
                result = bp->etag_result;
                if (result == METRICS_BUNDLE_UNCHANGED) {
                        recovered(bp);
                        if (bp->unkept)
                                keep(bp, bp->unkept, bp->unkept_len, policy_current_serial());
                }
        } else if (status != 200) {
                problem(bp, "%s: HTTP status %ld", bp->shown, status);
                result = METRICS_BUNDLE_FAILED;
        } else {
                bool verified = false;
                result = judge(bp, buf_str(&res.body), buf_len(&res.body), bp->shown, true, &verified);
                if (result == METRICS_BUNDLE_UPDATED || result == METRICS_BUNDLE_UNCHANGED)
                        recovered(bp);
                /* A bundle signed by the key is not fetched again until it changes; anything else
                 * (a forgery, a cut transfer) is asked for again at the next poll. */
                if (verified && result != METRICS_BUNDLE_FAILED) {
                        snprintf(bp->etag, sizeof(bp->etag), "%s", res.etag);
                        bp->etag_result = result == METRICS_BUNDLE_REFUSED ? METRICS_BUNDLE_REFUSED
                                                                           : METRICS_BUNDLE_UNCHANGED;
                } else
                        bp->etag[0] = '\0';
        }
        buf_free(&res.body);
        metrics_bundle_fetch(result);
        return result;
}

/* ---- the thread ----------------------------------------------------------------------------------- */

/* The interval with up to ±20% jitter, in milliseconds. */
static long next_wait_ms(unsigned interval_s)
{
        unsigned char r[2] = { 0, 0 };
        (void) RAND_bytes(r, sizeof(r));
        long base = (long) interval_s * 1000;
        long spread = base / 5;
        long u = (long) ((r[0] << 8) | r[1]);          /* 0..65535 */
        return base - spread + (2 * spread * u) / 65535;
}

static void *poll_main(void *arg)
{
        struct bundlepoll *bp = arg;

        pthread_mutex_lock(&bp->lock);
        while (!bp->stopping) {
                struct timespec until;
                /* a start that had a kept bundle, or a SIGHUP, asks the server at once */
                long ms = bp->poll_now ? 0 : next_wait_ms(bp->interval_s);
                bp->poll_now = false;
                clock_gettime(CLOCK_MONOTONIC, &until);
                until.tv_sec += ms / 1000;
                until.tv_nsec += (ms % 1000) * 1000000L;
                if (until.tv_nsec >= 1000000000L) {
                        until.tv_sec++;
                        until.tv_nsec -= 1000000000L;
                }
                int r = 0;
                while (!bp->stopping && !bp->poll_now && r != ETIMEDOUT)
                        r = pthread_cond_timedwait(&bp->cond, &bp->lock, &until);
                if (bp->stopping)
                        break;
                bp->poll_now = false;
                if (bp->fresh) {
                        bp->fresh = false;
                        bp->etag[0] = '\0';
                }
                pthread_mutex_unlock(&bp->lock);
                (void) poll_once(bp);
                pthread_mutex_lock(&bp->lock);
        }
        pthread_mutex_unlock(&bp->lock);
        return NULL;
}

/* SIGHUP (reload.h): ask the server now, without the ETag. */
static void on_reload(void *arg)
{
        struct bundlepoll *bp = arg;

        pthread_mutex_lock(&bp->lock);
        bp->poll_now = true;
        bp->fresh = true;
        pthread_cond_signal(&bp->cond);
        pthread_mutex_unlock(&bp->lock);
}

static int progress(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
        struct bundlepoll *bp = p;
        (void) dt, (void) dn, (void) ut, (void) un;
        pthread_mutex_lock(&bp->lock);
        bool stop = bp->stopping;
        pthread_mutex_unlock(&bp->lock);
        return stop;   /* non-zero: libcurl aborts the transfer */
}

/* The key is the root of trust and the kept bundle what a start believes: whoever can write them
 * (or the directory) can choose the policy.  Warned, as a loose policy file is. */
static void warn_unsafe(const char *path, const char *option, bool key)
{
        struct stat st;
        char dir[4200];

        if (stat(path, &st) == 0) {
                if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
                        log_warning("%s %s: writable by a user or group other than this one's; whoever can "
                                    "write it can choose the policy", option, LOG_ESC(path));
                if (key && S_ISREG(st.st_mode)) {
                        _cleanup_free_ char *text = NULL;
                        size_t len = 0;
                        if (file_read_regular(path, 64u << 10, &text, &len, NULL) == 0 && strstr(text, "PRIVATE KEY"))
                                log_warning("%s %s: holds the private key; the hosts need only the public one "
                                            "(bundle keygen's .pub), the private one belongs on the signing machine",
                                            option, LOG_ESC(path));
                }
        }
        snprintf(dir, sizeof(dir), "%s", path);
        char *slash = strrchr(dir, '/');
        if (!key && slash) {
                *(slash == dir ? slash + 1 : slash) = '\0';
                if (stat(dir, &st) == 0 && (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))))
                        log_warning("%s: its directory %s is writable by a user or group other than this one's",
                                    option, LOG_ESC(dir));
        }
}

static void bundlepoll_free(struct bundlepoll *bp)
{
        if (!bp)
                return;
        if (bp->curl)
                bp->api->easy_cleanup(bp->curl);
        free(bp->shown);
        free(bp->unkept);
        free(bp->url);
        free(bp->cache_path);
        EVP_PKEY_free(bp->key);
        pthread_cond_destroy(&bp->cond);
        pthread_mutex_destroy(&bp->lock);
        free(bp);
}

int bundlepoll_start(const struct bundlepoll_config *cfg, struct bundlepoll **ret)
{
        struct bundle_error err;
        struct curl_lazy_error ce;
        pthread_condattr_t ca;
        struct bundlepoll *bp;
        int r;

        if (!cfg || !cfg->url || !cfg->key_path || !cfg->cache_path || cfg->interval_s < 1 ||
            cfg->interval_s > 86400)
                return -EINVAL;
        bp = calloc(1, sizeof(*bp));
        if (!bp)
                return -ENOMEM;
        pthread_mutex_init(&bp->lock, NULL);
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&bp->cond, &ca);
        pthread_condattr_destroy(&ca);
        bp->interval_s = cfg->interval_s;

        warn_unsafe(cfg->key_path, "--policy-key", true);
        r = bundle_key_load(cfg->key_path, false, &bp->key, &err);
        if (r < 0) {
                log_error("--policy-key: %s", err.text);
                bundlepoll_free(bp);
                return -EINVAL;
        }
        r = curl_lazy_get(&bp->api, &ce);
        if (r < 0) {
                log_error("--policy-url: cannot load %s (%s)", CURL_LAZY_SONAME, ce.text);
                bundlepoll_free(bp);
                return r;
        }
        r = curl_lazy_check_url(bp->api, cfg->url, &bp->shown);
        if (r < 0) {
                if (r == -EINVAL)
                        log_error("--policy-url: not an http:// or https:// URL");
                bundlepoll_free(bp);
                return r;
        }
        bp->url = strdup(cfg->url);
        bp->cache_path = strdup(cfg->cache_path);
        bp->curl = bp->api->easy_init();
        if (!bp->url || !bp->cache_path || !bp->curl) {
                bundlepoll_free(bp);
                return -ENOMEM;
        }
        const struct curl_api *api = bp->api;
        CURL *h = bp->curl;
        api->easy_setopt(h, CURLOPT_URL, bp->url);
        api->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        api->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
        api->easy_setopt(h, CURLOPT_TIMEOUT, FETCH_TIMEOUT_S);
        api->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        api->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        api->easy_setopt(h, CURLOPT_WRITEFUNCTION, (curl_write_callback) on_body);
        api->easy_setopt(h, CURLOPT_HEADERFUNCTION, (curl_write_callback) on_header);
        api->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, (curl_xferinfo_callback) progress);
        api->easy_setopt(h, CURLOPT_XFERINFODATA, bp);
        api->easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        api->easy_setopt(h, CURLOPT_USERAGENT, "arandu-authz");

        /* The kept bundle first: in force at once, whatever the server does. */
        _cleanup_free_ char *kept = NULL;
        size_t kept_len = 0;
        char where[300];
        snprintf(where, sizeof(where), "the kept bundle %s", cfg->cache_path);
        warn_unsafe(cfg->cache_path, "--policy-cache", false);
        r = file_read_regular(cfg->cache_path, BUNDLE_MAX_BYTES + 1, &kept, &kept_len, NULL);
        if (r == 0) {
                bool verified;
                (void) judge(bp, kept, kept_len, where, false, &verified);
        } else if (r != -ENOENT)
                log_warning("policy bundle: cannot read %s: %s", LOG_ESC(cfg->cache_path),
                            r == -EBADFD ? "not a regular file" : r == -E2BIG ? "larger than a bundle can be"
                                                                            : strerror(-r));
        if (!policy_current_serial() && !bp->last_problem[0])
                policy_current_set_why_none("no bundle has been received from the policy server, and none is kept");

        /* With nothing in force, the server is asked before serving (bounded by the timeouts);
         * with a kept bundle in force, the thread asks at once and the socket opens now. */
        if (!policy_current_serial()) {
                (void) poll_once(bp);
                if (!policy_current_serial())
                        log_error("policy bundle: no signed policy could be had; every request is denied until one "
                                  "arrives");
        } else
                bp->poll_now = true;

        r = pthread_create(&bp->thread, NULL, poll_main, bp);
        if (r != 0) {
                bundlepoll_free(bp);
                return -r;
        }
        bp->started = true;
        policy_current_set_reload_hook(on_reload, bp);
        *ret = bp;
        return 0;
}

struct bundlepoll *bundlepoll_stop(struct bundlepoll *bp)
{
        if (!bp)
                return NULL;
        if (bp->started) {
                policy_current_set_reload_hook(NULL, NULL);
                pthread_mutex_lock(&bp->lock);
                bp->stopping = true;
                pthread_cond_signal(&bp->cond);
                pthread_mutex_unlock(&bp->lock);
                pthread_join(bp->thread, NULL);
        }
        bundlepoll_free(bp);
        return NULL;
}
