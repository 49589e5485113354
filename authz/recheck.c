/* The second look at starts (see recheck.h): libcurl (loaded at run time, curl_lazy.h) over
 * dockerd's unix socket. */
#include "authz/recheck.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authz/cleanup.h"
#include "authz/curl_lazy.h"
#include "authz/decide.h"
#include "policy/eval.h"
#include "policy/gojson.h"
#include "policy/identity.h"

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

/* GET `path` from dockerd into b (the caller frees b->data) with the status in *status; with `hs`,
 * HEAD instead, keeping the path-stat header there.  A failed transfer is recorded in d. */
static int fetch_raw(const struct curl_api *curl, const struct policy *p, const char *what, const char *path,
                     struct buffer *b, long *status, struct path_stat_header *hs, struct decision *d)
{
        const char *sock = p->docker_host;
        char url[1200];

        *status = 0;
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
        curl->easy_setopt(c, CURLOPT_WRITEDATA, b);
        curl->easy_setopt(c, CURLOPT_USERAGENT, "arandu-authz-recheck");
        if (hs) {
                hs->value[0] = '\0';
                curl->easy_setopt(c, CURLOPT_NOBODY, 1L);
                curl->easy_setopt(c, CURLOPT_HEADERFUNCTION, (curl_write_callback) on_header);
                curl->easy_setopt(c, CURLOPT_HEADERDATA, hs);
        }

        CURLcode cr = curl->easy_perform(c);
        curl->easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
        curl->easy_cleanup(c);

        if (cr != CURLE_OK) {
                decision_add(d, "recheck", "cannot ask dockerd about %s: %s%s", what,
                             b->over ? "the answer is too large" : curl->easy_strerror(cr),
                             " (the start is denied when the daemon's view cannot be checked)");
                return -EIO;
        }
        return 0;
}

/* GET `path` from dockerd; on success a new JSON reference in *ret.  Failures are recorded in d. */
static int fetch(const struct curl_api *curl, const struct policy *p, const char *what, const char *path,
                 json_t **ret, struct decision *d)
{
        struct buffer b = { 0 };
        long status = 0;
        int r = fetch_raw(curl, p, what, path, &b, &status, NULL, d);

        if (r == 0 && status != 200) {
                decision_add(d, "recheck", "dockerd answered %ld when asked about %s", status, what);
                r = -EIO;
        } else if (r == 0) {
                json_error_t err;
                json_t *v = gojson_loadb(b.data ? b.data : "", b.len, 0, &err);
                if (!v) {
                        decision_add(d, "recheck", "dockerd's view of %s is not JSON (%s)", what, err.text);
                        r = -EIO;
                } else {
                        *ret = v;
                }
        }
        free(b.data);
        return r;
}

/* libcurl, and "PREFIX<id, escaped>SUFFIX" in path, for asking dockerd about `what`.  Failures are
 * recorded in d. */
static int api_path(const char *what, const char *prefix, const char *id, const char *suffix, char *path, size_t size,
                    const struct curl_api **curl, struct decision *d)
{
        struct curl_lazy_error e;

        /* Usually loaded already (server.c starts the load when it starts serving); if not, this
         * waits for that one load.  Without libcurl the daemon's view cannot be had: deny. */
        int r = curl_lazy_get(curl, &e);
        if (r < 0) {
                decision_add(d, "recheck", "cannot load %s to ask dockerd about %s: %s%s", CURL_LAZY_SONAME, what, e.text,
                             " (the start is denied when the daemon's view cannot be checked)");
                return r;
        }
        CURL *c = (*curl)->easy_init();
        char *escaped = c ? (*curl)->easy_escape(c, id, 0) : NULL;
        if (c)
                (*curl)->easy_cleanup(c);
        if (!escaped || strlen(escaped) > 1000) {
                (*curl)->free(escaped);
                decision_add(d, "recheck", "cannot ask dockerd about this id");
                return -EINVAL;
        }
        snprintf(path, size, "%s%s%s", prefix, escaped, suffix);
        (*curl)->free(escaped);
        return 0;
}

/* Fetch dockerd's view of /KIND/ID/json (kind "containers" or "exec"); a new reference in *ret. */
static int fetch_view(const struct policy *p, const char *kind, const char *id, json_t **ret, struct decision *d)
{
        const struct curl_api *curl;
        char prefix[32], path[1100], what[300];

        snprintf(what, sizeof(what), "%s %.200s", strcmp(kind, "exec") == 0 ? "exec" : "container", id);
        snprintf(prefix, sizeof(prefix), "/%s/", kind);
        int r = api_path(what, prefix, id, "/json", path, sizeof(path), &curl, d);
        return r < 0 ? r : fetch(curl, p, what, path, ret, d);
}

/* GET (or, with `hs`, HEAD) /containers/{cid}/archive?path=FILE: what dockerd shows of one path of
 * the container.  1 when it exists (the tar in b, or the path stat in hs), 0 when dockerd says it
 * does not (404); -EIO otherwise, recorded in d.  `what` gets the path's description. */
static int fetch_archive(const struct policy *p, const char *cid, const char *file, struct buffer *b,
                         struct path_stat_header *hs, char *what, size_t whatsz, struct decision *d)
{
        const struct curl_api *curl;
        char path[1200], suffix[64];
        long status;

        snprintf(what, whatsz, "%s of container %.200s", file, cid);
        snprintf(suffix, sizeof(suffix), "/archive?path=%s", file);
        if (api_path(what, "/containers/", cid, suffix, path, sizeof(path), &curl, d) < 0 ||
            fetch_raw(curl, p, what, path, b, &status, hs, d) < 0)
                return -EIO;
        if (status == 404)
                return 0;
        if (status != 200) {
                decision_add(d, "recheck", "dockerd answered %ld when asked for %s", status, what);
                return -EIO;
        }
        return 1;
}

/* /etc/passwd or /etc/group of container `cid`, as dockerd reads them to set its user: the tar of
 * one file.  0 with *data NULL for a file that does not exist (dockerd then looks nothing up in
 * it); b holds the data, freed by the caller. */
static int fetch_etc_file(const struct policy *p, const char *cid, const char *file, struct buffer *b,
                          const char **data, size_t *len, struct decision *d)
{
        char what[300], why[160];

        *data = NULL;
        *len = 0;
        int r = fetch_archive(p, cid, file, b, NULL, what, sizeof(what), d);
        if (r <= 0)
                return r;
        if (identity_tar_file(b->data ? b->data : "", b->len, data, len, why, sizeof(why)) < 0) {
                decision_add(d, "user", "%s cannot be read as dockerd reads it: %s; the start is denied", what, why);
                return -EINVAL;
        }
        return 0;
}

#define GO_MODE_DIR     (1u << 31)   /* Go's os.ModeDir, as dockerd's path stat encodes it */
#define GO_MODE_SYMLINK (1u << 27)   /* os.ModeSymlink */

/* dockerd reads the user's files from the image's root filesystem, beneath the binds; the archive
 * API reads them through the binds.  The two agree only when /etc is the image's own directory, not
 * a symlink (into /artifacts, say).  0 when it is (or when there is no /etc).  `user` names the
 * user setting judged ("Config.User", "Exec.User"), for the fix. */
static int check_etc_dir(const struct policy *p, const char *user, const char *cid, struct decision *d)
{
        struct path_stat_header hs;
        struct buffer b = { 0 };
        char what[300];

        int r = fetch_archive(p, cid, "/etc", &b, &hs, what, sizeof(what), d);
        free(b.data);
        if (r <= 0)
                return r;

        _cleanup_free_ char *raw = NULL;
        size_t raw_len = 0;
        json_t *st = NULL;
        if (authz_base64_decode(hs.value, strlen(hs.value), &raw, &raw_len) == 0)
                st = json_loadb(raw, raw_len, 0, NULL);
        json_t *mode = json_object_get(st, "mode");
        if (!json_is_integer(mode) || json_integer_value(mode) < 0 || json_integer_value(mode) > UINT32_MAX) {
                json_decref(st);
                decision_add(d, "recheck", "dockerd did not say what %s is", what);
                return -EIO;
        }
        uint32_t m = (uint32_t) json_integer_value(mode);
        json_decref(st);
        if ((m & GO_MODE_SYMLINK) || !(m & GO_MODE_DIR)) {
                char fix[224];
                user_fix(p, user, fix, sizeof(fix));
                decision_add(d, "user", "%s is %s, so dockerd would read the user's files from somewhere else than the plugin can; %s",
                             what, m & GO_MODE_SYMLINK ? "a symlink" : "not a directory", fix);
                return -EINVAL;
        }
        return 0;
}

/* The identity `spec` will have in container `cid` (the view of it), when it depends on the
 * image's files: a bare UID, a name, a group name, GroupAdd. */
static void check_identity_in(const struct policy *p, const char *what, const char *spec, const char *cid,
                              json_t *container_view, struct decision *d)
{
        json_t *ga = json_object_get(json_object_get(container_view, "HostConfig"), "GroupAdd");
        const char *groups[IDENTITY_GROUPS_MAX];
        size_t n = 0, i;
        json_t *g;

        if (!spec || spec[0] == '\0')
                return;   /* the user rule has denied it already */
        json_array_foreach(ga, i, g) {
                if (!json_is_string(g) || n == IDENTITY_GROUPS_MAX) {
                        decision_add(d, "user", "HostConfig.GroupAdd cannot be checked (not strings, or more than %d)", IDENTITY_GROUPS_MAX);
                        return;
                }
                groups[n++] = json_string_value(g);
        }
        if (!identity_needs_lookup(spec, n))
                return;

        struct buffer pb = { 0 }, gb = { 0 };
        struct identity_files files = { 0 };
        if (check_etc_dir(p, what, cid, d) == 0 &&
            fetch_etc_file(p, cid, "/etc/passwd", &pb, &files.passwd, &files.passwd_len, d) == 0 &&
            fetch_etc_file(p, cid, "/etc/group", &gb, &files.group, &files.group_len, d) == 0)
                check_identity(p, what, spec, &files, groups, n, d);
        free(pb.data);
        free(gb.data);
}

static const char *view_string(json_t *v, const char *a, const char *b)
{
        return json_string_value(json_object_get(json_object_get(v, a), b));
}

static void note_id(char *dst, const char *id)
{
        if (id && strlen(id) < 65)
                memcpy(dst, id, strlen(id) + 1);
}

/* Did the violations from `from` on come from the container's own settings, rather than from a
 * look that failed?  Those no start, restart or rename can change: the message says, once, that the
 * container must be created again (decision_recreate), where each violation says what to create it
 * with.  A name that reads as an ID, or a lookup that failed, needs no new container. */
static bool settings_denied(const struct decision *d, size_t from)
{
        for (size_t i = from; i < d->n; i++)
                if (strcmp(d->v[i].rule, "recheck") != 0 && strcmp(d->v[i].rule, "error") != 0)
                        return true;
        return false;
}

void recheck_run(const struct policy *p, enum recheck_kind kind, const char *id, struct decision *d,
                 struct recheck_seen *seen)
{
        struct recheck_seen ignored;
        json_t *view = NULL;
        _cleanup_free_ char *container = NULL;
        char why[300];

        if (!seen)
                seen = &ignored;
        seen->container[0] = seen->exec[0] = '\0';

        switch (kind) {
        case RECHECK_CONTAINER:
                if (fetch_view(p, "containers", id, &view, d) == 0) {
                        const char *cid = json_string_value(json_object_get(view, "Id"));
                        note_id(seen->container, cid);
                        /* dockerd looks `id` up again after us: it must find this container. */
                        if (reference_matches(id, cid, json_string_value(json_object_get(view, "Name")), why, sizeof(why)) < 0)
                                decision_add(d, "names", "%s", why);
                        size_t before = d->n;
                        eval_container_view(p, view, d);
                        /* Not for a start already denied: serving the archive reads, dockerd
                         * mounts the container's binds (and creates missing sources). */
                        if (d->n == 0)
                                check_identity_in(p, "Config.User", view_string(view, "Config", "User"), cid ? cid : id, view, d);
                        if (settings_denied(d, before))
                                decision_recreate(d, cid);
                }
                break;
        case RECHECK_EXEC: {
                if (fetch_view(p, "exec", id, &view, d) < 0)
                        break;
                /* Exec IDs are looked up exactly, and an exec's container never changes. */
                note_id(seen->exec, json_string_value(json_object_get(view, "ID")));
                eval_exec_view(p, view, d);
                /* An exec without a user runs as its container's user: judge the container too,
                 * which may have been created before this plugin or policy. */
                json_t *cid = json_object_get(view, "ContainerID");
                if (!json_is_string(cid)) {
                        char q[80];
                        quote_value(id, 64, q, sizeof(q));
                        decision_add(d, "recheck", "dockerd's view of exec %s names no container", q);
                        break;
                }
                container = strdup(json_string_value(cid));
                note_id(seen->container, json_string_value(cid));
                const char *eu = view_string(view, "ProcessConfig", "user");
                _cleanup_free_ char *exec_user = eu ? strdup(eu) : NULL;
                json_decref(view);
                view = NULL;
                if (!container || (eu && !exec_user)) {
                        decision_add(d, "error", "out of memory");
                        break;
                }
                if (fetch_view(p, "containers", container, &view, d) == 0) {
                        eval_container_view(p, view, d);
                        /* no exec user: the container's; none for a start already denied */
                        bool own = exec_user && exec_user[0];
                        if (d->n == 0)
                                check_identity_in(p, own ? "Exec.User" : "Config.User",
                                                  own ? exec_user : view_string(view, "Config", "User"), container, view, d);
                }
                break;
        }
        case RECHECK_NONE:
                break;
        }
        json_decref(view);
}
