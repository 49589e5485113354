/* The second look at starts (see recheck.h): libcurl (loaded at run time, curl_lazy.h) over
 * dockerd's unix socket. */
#include "authz/recheck.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz/cleanup.h"
#include "authz/curl_lazy.h"
#include "policy/eval.h"
#include "policy/gojson.h"

struct buffer {
        char *data;
        size_t len, alloc;
        bool over;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        struct buffer *b = userdata;
        size_t n = size * nmemb;   /* curl guarantees no overflow: at most CURL_MAX_WRITE_SIZE */

        if (n > RECHECK_RESPONSE_MAX - b->len) {
                b->over = true;
                return 0;               /* aborts the transfer */
        }
        if (n >= b->alloc - b->len) {
                size_t want = b->alloc ? b->alloc : 16384;
                while (n >= want - b->len)
                        want *= 2;
                char *p = realloc(b->data, want);
                if (!p)
                        return 0;
                b->data = p;
                b->alloc = want;
        }
        memcpy(b->data + b->len, ptr, n);
        b->len += n;
        b->data[b->len] = '\0';
        return n;
}

/* GET `path` from dockerd; on success a new JSON reference in *ret.  Failures are recorded in d. */
static int fetch(const struct curl_api *curl, const struct policy *p, const char *what, const char *path,
                 json_t **ret, struct decision *d)
{
        const char *sock = p->docker_host;
        struct buffer b = { 0 };
        long status = 0;
        char url[1200];
        int r = -EIO;

        if (strncmp(sock, "unix://", 7) != 0) {
                decision_add(d, "recheck", "DOCKER_HOST %s is not a unix socket, so the plugin cannot ask dockerd about %s",
                             sock, what);
                return -EINVAL;
        }
        sock += 7;
        snprintf(url, sizeof(url), "http://docker%s", path);

        CURL *c = curl->easy_init();
        if (!c) {
                decision_add(d, "recheck", "cannot ask dockerd about %s (libcurl failed to start)", what);
                return -ENOMEM;
        }
        /* Through pointers: no typecheck-gcc.h here, so every long is spelled long (curl_lazy.h). */
        curl->easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
        curl->easy_setopt(c, CURLOPT_URL, url);
        curl->easy_setopt(c, CURLOPT_TIMEOUT_MS, (long) RECHECK_TIMEOUT_MS);
        curl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
        curl->easy_setopt(c, CURLOPT_WRITEFUNCTION, (curl_write_callback) on_data);
        curl->easy_setopt(c, CURLOPT_WRITEDATA, &b);
        curl->easy_setopt(c, CURLOPT_USERAGENT, "arandu-authz-recheck");

        CURLcode cr = curl->easy_perform(c);
        curl->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl->easy_cleanup(c);

        if (cr != CURLE_OK) {
                decision_add(d, "recheck", "cannot ask dockerd about %s: %s%s", what,
                             b.over ? "the answer is too large" : curl->easy_strerror(cr),
                             " (the start is denied when the daemon's view cannot be checked)");
        } else if (status != 200) {
                decision_add(d, "recheck", "dockerd answered %ld when asked about %s", status, what);
        } else {
                json_error_t err;
                json_t *v = gojson_loadb(b.data ? b.data : "", b.len, 0, &err);
                if (!v) {
                        decision_add(d, "recheck", "dockerd's view of %s is not JSON (%s)", what, err.text);
                } else {
                        *ret = v;
                        r = 0;
                }
        }
        free(b.data);
        return r;
}

/* Fetch dockerd's view of /KIND/ID/json (kind "containers" or "exec"); a new reference in *ret. */
static int fetch_view(const struct policy *p, const char *kind, const char *id, json_t **ret, struct decision *d)
{
        const struct curl_api *curl;
        struct curl_lazy_error e;
        char path[1100], what[300];

        snprintf(what, sizeof(what), "%s %.200s", strcmp(kind, "exec") == 0 ? "exec" : "container", id);
        /* Usually loaded already (server.c starts the load when it starts serving); if not, this
         * waits for that one load.  Without libcurl the daemon's view cannot be had: deny. */
        int r = curl_lazy_get(&curl, &e);
        if (r < 0) {
                decision_add(d, "recheck", "cannot load %s to ask dockerd about %s: %s%s", CURL_LAZY_SONAME, what, e.text,
                             " (the start is denied when the daemon's view cannot be checked)");
                return r;
        }

        CURL *c = curl->easy_init();
        char *escaped = c ? curl->easy_escape(c, id, 0) : NULL;
        if (c)
                curl->easy_cleanup(c);
        if (!escaped || strlen(escaped) > 1000) {
                curl->free(escaped);
                decision_add(d, "recheck", "cannot ask dockerd about this id");
                return -EINVAL;
        }
        snprintf(path, sizeof(path), "/%s/%s/json", kind, escaped);
        curl->free(escaped);
        return fetch(curl, p, what, path, ret, d);
}

void recheck_run(const struct policy *p, enum recheck_kind kind, const char *id, struct decision *d)
{
        json_t *view = NULL;
        _cleanup_free_ char *container = NULL;

        switch (kind) {
        case RECHECK_CONTAINER:
                if (fetch_view(p, "containers", id, &view, d) == 0)
                        eval_container_view(p, view, d);
                break;
        case RECHECK_EXEC: {
                if (fetch_view(p, "exec", id, &view, d) < 0)
                        break;
                eval_exec_view(p, view, d);
                /* An exec without a user runs as its container's user: judge the container too,
                 * which may have been created before this plugin or policy. */
                json_t *cid = json_object_get(view, "ContainerID");
                if (!json_is_string(cid)) {
                        decision_add(d, "recheck", "dockerd's view of exec %.200s names no container", id);
                        break;
                }
                container = strdup(json_string_value(cid));
                json_decref(view);
                view = NULL;
                if (!container) {
                        decision_add(d, "error", "out of memory");
                        break;
                }
                if (fetch_view(p, "containers", container, &view, d) == 0)
                        eval_container_view(p, view, d);
                break;
        }
        case RECHECK_NONE:
                break;
        }
        json_decref(view);
}
