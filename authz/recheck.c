/* The second look's fetching (see recheck.h): libcurl (loaded at run time, curl_lazy.h) over
 * dockerd's unix socket; policy/view.c says what to fetch and judges it. */
#include "authz/recheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authz/curl_lazy.h"
#include "policy/buf.h"

#define FAILURE_MAX 1024   /* more than a violation holds: the decision cuts it */

/* Into the answer's buffer; past RECHECK_RESPONSE_MAX, or out of memory, the transfer is aborted. */
static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        size_t n = size * nmemb;   /* curl guarantees no overflow: at most CURL_MAX_WRITE_SIZE */

        return buf_append(userdata, ptr, n) < 0 ? 0 : n;
}

/* The value of dockerd's X-Docker-Container-Path-Stat header (base64 of a JSON stat). */
struct path_stat_header {
        char value[1024];
};

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        static const char key[] = "X-Docker-Container-Path-Stat:";
        struct path_stat_header *h = userdata;
        size_t n = size * nmemb, k = sizeof(key) - 1;

        if (n > k && strncasecmp(ptr, key, k) == 0) {
                const char *v = ptr + k;
                size_t len = n - k;
                while (len && (*v == ' ' || *v == '\t'))
                        v++, len--;
                while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
                        len--;
                if (len < sizeof(h->value)) {
                        memcpy(h->value, v, len);
                        h->value[len] = '\0';
                }
        }
        return n;
}

/* Ask dockerd for f (GET, or HEAD keeping the path-stat header) into b and *status.  0, or -EIO
 * with the sentence saying why no answer came in `failure`. */
static int fetch(const struct policy *p, const struct view_fetch *f, struct buf *b,
                 struct path_stat_header *hs, long *status, char *failure)
{
        const char *sock = p->docker_host;
        const struct curl_api *curl;
        struct curl_lazy_error e;
        char url[1300];

        *status = 0;
        if (strncmp(sock, "unix://", 7) != 0) {
                snprintf(failure, FAILURE_MAX, "DOCKER_HOST %.300s is not a unix socket, so the plugin cannot ask dockerd about %s",
                         sock, f->what);
                return -EIO;
        }
        sock += 7;
        /* Usually loaded already (server.c starts the load when it starts serving); if not, this
         * waits for that one load.  Without libcurl the daemon's view cannot be had: deny. */
        if (curl_lazy_get(&curl, &e) < 0) {
                snprintf(failure, FAILURE_MAX, "cannot load %s to ask dockerd about %s: %s%s", CURL_LAZY_SONAME, f->what,
                         e.text, " (the start is denied when the daemon's view cannot be checked)");
                return -EIO;
        }
        snprintf(url, sizeof(url), "http://docker%s", f->path);

        CURL *c = curl->easy_init();
        if (!c) {
                snprintf(failure, FAILURE_MAX, "cannot ask dockerd about %s (libcurl failed to start)", f->what);
                return -EIO;
        }
        /* Through pointers: no typecheck-gcc.h here, so every long is spelled long (curl_lazy.h). */
        curl->easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
        curl->easy_setopt(c, CURLOPT_URL, url);
        curl->easy_setopt(c, CURLOPT_TIMEOUT_MS, (long) RECHECK_TIMEOUT_MS);
        curl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
        curl->easy_setopt(c, CURLOPT_WRITEFUNCTION, (curl_write_callback) on_data);
        curl->easy_setopt(c, CURLOPT_WRITEDATA, b);
        curl->easy_setopt(c, CURLOPT_USERAGENT, "arandu-authz-recheck");
        if (f->head) {
                hs->value[0] = '\0';
                curl->easy_setopt(c, CURLOPT_NOBODY, 1L);
                curl->easy_setopt(c, CURLOPT_HEADERFUNCTION, (curl_write_callback) on_header);
                curl->easy_setopt(c, CURLOPT_HEADERDATA, hs);
        }

        CURLcode cr = curl->easy_perform(c);
        curl->easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
        curl->easy_cleanup(c);

        if (cr != CURLE_OK) {
                snprintf(failure, FAILURE_MAX, "cannot ask dockerd about %s: %s%s", f->what,
                         buf_error(b) == -E2BIG ? "the answer is too large" : curl->easy_strerror(cr),
                         " (the start is denied when the daemon's view cannot be checked)");
                return -EIO;
        }
        return 0;
}

void recheck_run(const struct policy *p, enum recheck_kind kind, const char *id, struct decision *d,
                 struct recheck_seen *seen)
{
        struct view v;
        struct view_fetch f;

        view_begin(&v, kind, id, d);
        while (view_next(&v, &f)) {
                struct path_stat_header hs = { "" };
                struct buf b;
                char failure[FAILURE_MAX];
                struct view_answer a = { 0 };

                buf_init(&b, 16384, RECHECK_RESPONSE_MAX);

                if (fetch(p, &f, &b, &hs, &a.status, failure) < 0)
                        a.failure = failure;
                a.body = buf_str(&b);
                a.len = buf_len(&b);
                a.path_stat = hs.value;
                view_take(p, &v, &a, d);
                buf_free(&b);
        }
        if (seen) {
                memcpy(seen->container, v.container, sizeof(seen->container));
                memcpy(seen->exec, v.exec, sizeof(seen->exec));
        }
        view_end(&v);
}
