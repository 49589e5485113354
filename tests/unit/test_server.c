/* The plugin server over a real unix socket, with raw HTTP/1.1.  server_run() serves in a thread;
 * the test stops it the way the system does, with SIGTERM (sent to that thread). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "authz/audit.h"
#include "authz/server.h"
#include "policy/policy.h"
#include "tests/unit/cutest.h"

static char tmpdir[64];

static void make_tmpdir(void)
{
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/arandu-server-XXXXXX");
        CU_ASSERT_FATAL(mkdtemp(tmpdir) != NULL);
}

static void remove_tmpdir(void)
{
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        CU_ASSERT(system(cmd) == 0);
}

/* ---- a server in a thread --------------------------------------------------------------------- */

struct running {
        struct server_config cfg;
        char path[128];
        pthread_t thread;
        int result;
};

static void *serve_main(void *arg)
{
        struct running *s = arg;
        s->result = server_run(&s->cfg);
        return NULL;
}

static int connect_to(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct timeval tv = { .tv_sec = 20 };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -errno;
        if (strlen(path) >= sizeof(sa.sun_path)) {
                close(fd);
                return -ENAMETOOLONG;
        }
        memcpy(sa.sun_path, path, strlen(path) + 1);
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

static void start_server(struct running *s, struct policy *p, struct audit *a, bool dry_run)
{
        memset(s, 0, sizeof(*s));
        snprintf(s->path, sizeof(s->path), "%s/plugins/authz.sock", tmpdir);
        s->cfg = (struct server_config){ .socket_path = s->path, .policy = p, .audit = a,
                                         .dry_run = dry_run, .listen_fd = -1 };
        /* Before any thread: every thread then has the server's signals blocked, and a SIGTERM
         * can only be taken by server_run()'s sigwait. */
        CU_ASSERT_FATAL(server_block_signals() == 0);
        s->result = 1;
        CU_ASSERT_FATAL(pthread_create(&s->thread, NULL, serve_main, s) == 0);

        for (int i = 0; i < 500; i++) {
                int fd = connect_to(s->path);
                if (fd >= 0) {
                        close(fd);
                        return;
                }
                usleep(10000);
        }
        CU_FAIL_FATAL("the server did not start listening in 5 s");
}

static void stop_server(struct running *s)
{
        CU_ASSERT(pthread_kill(s->thread, SIGTERM) == 0);
        pthread_join(s->thread, NULL);
        CU_ASSERT(s->result == 0);
}

/* ---- raw HTTP --------------------------------------------------------------------------------- */

struct reply {
        int status;
        char headers[2048];
        char *body;   /* NUL-terminated */
};

static int write_all(int fd, const char *p, size_t n)
{
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += w;
                n -= (size_t) w;
        }
        return 0;
}

/* One request on its own connection (Connection: close), the whole answer read back. */
static int http(const char *path, const char *method, const char *target, const char *body, size_t len,
                struct reply *ret)
{
        char head[512];
        int fd = connect_to(path);

        memset(ret, 0, sizeof(*ret));
        if (fd < 0)
                return fd;
        int n = snprintf(head, sizeof(head),
                         "%s %s HTTP/1.1\r\nHost: plugin\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                         method, target, len);
        if (write_all(fd, head, (size_t) n) < 0 || (len > 0 && write_all(fd, body, len) < 0)) {
                close(fd);
                return -EIO;
        }

        size_t cap = 1 << 20, got = 0;
        char *buf = malloc(cap + 1);
        ssize_t r;
        while (got < cap && (r = read(fd, buf + got, cap - got)) > 0)
                got += (size_t) r;
        close(fd);
        buf[got] = '\0';

        char *sep = strstr(buf, "\r\n\r\n");
        if (!sep || sscanf(buf, "HTTP/1.1 %d", &ret->status) != 1) {
                free(buf);
                return -EPROTO;
        }
        size_t hl = (size_t) (sep - buf);
        if (hl >= sizeof(ret->headers))
                hl = sizeof(ret->headers) - 1;
        memcpy(ret->headers, buf, hl);
        ret->body = strdup(sep + 4);
        free(buf);
        return 0;
}

static char *base64(const char *s)
{
        static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        size_t len = strlen(s), o = 0;
        char *out = malloc(len / 3 * 4 + 5);
        const unsigned char *p = (const unsigned char *) s;

        for (size_t i = 0; i < len; i += 3) {
                unsigned v = (unsigned) p[i] << 16;
                if (i + 1 < len)
                        v |= (unsigned) p[i + 1] << 8;
                if (i + 2 < len)
                        v |= p[i + 2];
                out[o++] = tab[(v >> 18) & 63];
                out[o++] = tab[(v >> 12) & 63];
                out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
                out[o++] = i + 2 < len ? tab[v & 63] : '=';
        }
        out[o] = '\0';
        return out;
}

/* An AuthZReq envelope as dockerd sends it. */
static char *envelope(const char *method, const char *uri, const char *body)
{
        json_t *o = json_pack("{s:s,s:s,s:s}", "User", "", "RequestMethod", method, "RequestUri", uri);
        if (body) {
                char *b64 = base64(body);
                json_object_set_new(o, "RequestBody", json_string(b64));
                json_object_set_new(o, "RequestHeaders", json_pack("{s:s}", "Content-Type", "application/json"));
                free(b64);
        }
        char *s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        return s;
}

/* The answer's "Allow", or -1 when the body is not a JSON object with a boolean Allow. */
static int answer_allow(const struct reply *r, char *msg, size_t msg_size)
{
        json_t *o = r->body ? json_loads(r->body, 0, NULL) : NULL;
        json_t *allow = json_object_get(o, "Allow");
        int ret = json_is_boolean(allow) ? json_is_true(allow) : -1;
        if (msg && msg_size) {
                const char *m = json_string_value(json_object_get(o, "Msg"));
                snprintf(msg, msg_size, "%s", m ? m : "");
        }
        json_decref(o);
        return ret;
}

static char *post_authz_req(const char *path, const char *method, const char *uri, const char *body,
                            struct reply *r)
{
        char *env = envelope(method, uri, body);
        CU_ASSERT(http(path, "POST", "/AuthZPlugin.AuthZReq", env, strlen(env), r) == 0);
        free(env);
        return r->body;
}

/* ---- tests ------------------------------------------------------------------------------------ */

static void test_socket_created_private_and_removed(void)
{
        struct running s;
        struct policy *p = policy_new_default();
        struct stat st;

        make_tmpdir();
        start_server(&s, p, NULL, false);

        CU_ASSERT(lstat(s.path, &st) == 0);
        CU_ASSERT(S_ISSOCK(st.st_mode));
        CU_ASSERT((st.st_mode & 07777) == 0600);
        char dir[128];
        snprintf(dir, sizeof(dir), "%s/plugins", tmpdir);
        CU_ASSERT(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755);

        /* A second server on the same path must not steal a live socket. */
        struct server_config again = { .socket_path = s.path, .policy = p, .listen_fd = -1 };
        CU_ASSERT(server_run(&again) == -EADDRINUSE);
        CU_ASSERT(lstat(s.path, &st) == 0);

        stop_server(&s);
        CU_ASSERT(lstat(s.path, &st) < 0 && errno == ENOENT);

        policy_unref(p);
        remove_tmpdir();
}

static void test_refuses_a_regular_file(void)
{
        struct policy *p = policy_new_default();
        char path[128];
        struct stat st;

        make_tmpdir();
        snprintf(path, sizeof(path), "%s/not-a-socket", tmpdir);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT(write(fd, "data\n", 5) == 5);
        close(fd);

        CU_ASSERT_FATAL(server_block_signals() == 0);
        struct server_config cfg = { .socket_path = path, .policy = p, .listen_fd = -1 };
        CU_ASSERT(server_run(&cfg) == -EEXIST);
        /* Untouched. */
        CU_ASSERT(stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5);

        /* And a path too long for sun_path. */
        char longpath[200];
        memset(longpath, 'a', sizeof(longpath) - 1);
        longpath[0] = '/';
        longpath[sizeof(longpath) - 1] = '\0';
        cfg.socket_path = longpath;
        CU_ASSERT(server_run(&cfg) == -ENAMETOOLONG);

        policy_unref(p);
        remove_tmpdir();
}

static void test_replaces_a_stale_socket(void)
{
        struct running s;
        struct policy *p = policy_new_default();
        char dir[128];
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        make_tmpdir();
        snprintf(dir, sizeof(dir), "%s/plugins", tmpdir);
        CU_ASSERT_FATAL(mkdir(dir, 0755) == 0);
        /* What a killed server leaves behind: a socket file nobody listens on (at the path
         * start_server() uses). */
        CU_ASSERT_FATAL(strlen(dir) + strlen("/authz.sock") < sizeof(sa.sun_path));
        memcpy(sa.sun_path, dir, strlen(dir));
        memcpy(sa.sun_path + strlen(dir), "/authz.sock", strlen("/authz.sock") + 1);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CU_ASSERT_FATAL(bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0);
        close(fd);

        start_server(&s, p, NULL, false);
        struct reply r;
        CU_ASSERT(http(s.path, "POST", "/Plugin.Activate", "", 0, &r) == 0);
        CU_ASSERT(r.status == 200);
        free(r.body);
        stop_server(&s);

        policy_unref(p);
        remove_tmpdir();
}

static void test_activate(void)
{
        struct running s;
        struct policy *p = policy_new_default();
        struct reply r;

        make_tmpdir();
        start_server(&s, p, NULL, false);

        CU_ASSERT(http(s.path, "POST", "/Plugin.Activate", "", 0, &r) == 0);
        CU_ASSERT(r.status == 200);
        CU_ASSERT(strstr(r.headers, "application/vnd.docker.plugins.v1.2+json") != NULL);
        json_t *o = json_loads(r.body ? r.body : "", 0, NULL);
        json_t *impl = json_object_get(o, "Implements");
        CU_ASSERT(json_array_size(impl) == 1);
        CU_ASSERT(json_is_string(json_array_get(impl, 0)) &&
                  strcmp(json_string_value(json_array_get(impl, 0)), "authz") == 0);
        json_decref(o);
        free(r.body);

        stop_server(&s);
        policy_unref(p);
        remove_tmpdir();
}

static void test_authz_req_decisions_and_audit(void)
{
        struct running s;
        struct policy *p = policy_new_default();
        struct audit *a = NULL;
        struct reply r;
        char msg[4096], audit_path[128];

        make_tmpdir();
        snprintf(audit_path, sizeof(audit_path), "%s/audit.log", tmpdir);
        CU_ASSERT_FATAL(server_block_signals() == 0);   /* before the audit writer thread */
        CU_ASSERT_FATAL(audit_open(audit_path, &a) == 0);
        start_server(&s, p, a, false);

        post_authz_req(s.path, "GET", "/v1.41/version", NULL, &r);
        CU_ASSERT(r.status == 200);
        CU_ASSERT(strstr(r.headers, "application/vnd.docker.plugins.v1.2+json") != NULL);
        CU_ASSERT(answer_allow(&r, NULL, 0) == 1);
        free(r.body);

        post_authz_req(s.path, "POST", "/v1.41/containers/create", "{\"HostConfig\":{\"Privileged\":true}}", &r);
        CU_ASSERT(r.status == 200);
        CU_ASSERT(answer_allow(&r, msg, sizeof(msg)) == 0);
        CU_ASSERT(strstr(msg, "privileged") != NULL);
        free(r.body);

        /* Not an envelope at all: still a JSON deny, never an error page. */
        CU_ASSERT(http(s.path, "POST", "/AuthZPlugin.AuthZReq", "not json", 8, &r) == 0);
        CU_ASSERT(r.status == 200);
        CU_ASSERT(answer_allow(&r, msg, sizeof(msg)) == 0);
        CU_ASSERT(msg[0] != '\0');
        free(r.body);

        stop_server(&s);
        a = audit_close(a);

        /* One line per decision, in order. */
        FILE *f = fopen(audit_path, "re");
        CU_ASSERT_FATAL(f != NULL);
        char line[65536];
        const char *expect[] = { "allow", "deny", "deny" };
        size_t n = 0;
        while (fgets(line, sizeof(line), f)) {
                json_t *o = json_loads(line, 0, NULL);
                CU_ASSERT(json_is_object(o));
                if (n < 3)
                        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "decision")), expect[n]);
                CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "mode")), "enforce");
                CU_ASSERT(json_is_integer(json_object_get(o, "latency_us")));
                if (n == 1)
                        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "method")), "POST");
                json_decref(o);
                n++;
        }
        fclose(f);
        CU_ASSERT(n == 3);

        policy_unref(p);
        remove_tmpdir();
}

static void test_dry_run_allows_but_audits_deny(void)
{
        struct running s;
        struct policy *p = policy_new_default();
        struct audit *a = NULL;
        struct reply r;
        char audit_path[128];

        make_tmpdir();
        snprintf(audit_path, sizeof(audit_path), "%s/audit.log", tmpdir);
        CU_ASSERT_FATAL(server_block_signals() == 0);
        CU_ASSERT_FATAL(audit_open(audit_path, &a) == 0);
        start_server(&s, p, a, true);

        post_authz_req(s.path, "POST", "/v1.41/containers/create", "{\"HostConfig\":{\"Privileged\":true}}", &r);
        CU_ASSERT(answer_allow(&r, NULL, 0) == 1);
        free(r.body);
        /* A HostConfig at start is applied by dockerd after every look: denied in every mode. */
        post_authz_req(s.path, "POST", "/v1.23/containers/c/start", "{\"Privileged\":true}", &r);
        CU_ASSERT(answer_allow(&r, NULL, 0) == 0);
        free(r.body);

        stop_server(&s);
        a = audit_close(a);

        FILE *f = fopen(audit_path, "re");
        CU_ASSERT_FATAL(f != NULL);
        char line[65536];
        CU_ASSERT_FATAL(fgets(line, sizeof(line), f) != NULL);
        json_t *o = json_loads(line, 0, NULL);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "decision")), "deny");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "mode")), "dry-run");
        CU_ASSERT(json_array_size(json_object_get(o, "reasons")) > 0);
        json_decref(o);
        CU_ASSERT_FATAL(fgets(line, sizeof(line), f) != NULL);
        fclose(f);
        o = json_loads(line, 0, NULL);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "decision")), "deny");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "mode")), "enforce");
        json_decref(o);

        policy_unref(p);
        remove_tmpdir();
}

/* deny_on_audit_failure: once a write to the audit log has failed (here: /dev/full, as a full disk),
 * every request is denied naming the audit rule; without the option requests still pass. */
static void test_deny_on_audit_failure(void)
{
        if (access("/dev/full", W_OK) != 0) {
                CU_PASS("no /dev/full");
                return;
        }
        for (int deny = 1; deny >= 0; deny--) {
                struct running s;
                struct policy *p = policy_new_default();
                struct audit *a = NULL;
                struct audit_stats st;
                struct reply r;
                char msg[4096];

                CU_ASSERT_FATAL(p != NULL);
                p->deny_on_audit_failure = deny;
                make_tmpdir();
                CU_ASSERT_FATAL(server_block_signals() == 0);
                int saved = dup(STDERR_FILENO), devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
                dup2(devnull, STDERR_FILENO);   /* the writer reports the full disk there */
                close(devnull);
                CU_ASSERT_FATAL(audit_open("/dev/full", &a) == 0);
                start_server(&s, p, a, false);

                /* healthy until the first write fails */
                post_authz_req(s.path, "GET", "/v1.41/version", NULL, &r);
                CU_ASSERT(answer_allow(&r, NULL, 0) == 1);
                free(r.body);
                for (int i = 0; i < 500; i++) {
                        audit_get_stats(a, &st);
                        if (st.failed >= 1)
                                break;
                        usleep(10000);
                }
                CU_ASSERT_FATAL(st.failed >= 1);
                CU_ASSERT(!audit_healthy(a));

                post_authz_req(s.path, "GET", "/v1.41/version", NULL, &r);
                CU_ASSERT(answer_allow(&r, msg, sizeof(msg)) == !deny);
                if (deny)
                        CU_ASSERT(strncmp(msg, "audit:", 6) == 0 && strstr(msg, "deny_on_audit_failure") != NULL);
                free(r.body);

                stop_server(&s);
                a = audit_close(a);
                dup2(saved, STDERR_FILENO);
                close(saved);
                policy_unref(p);
                remove_tmpdir();
        }
}

static void test_over_cap_envelope_is_denied(void)
{
        struct running s;
        struct policy *p = policy_new_default();
        struct reply r;
        char msg[4096];

        make_tmpdir();
        start_server(&s, p, NULL, false);

        size_t len = SERVER_AUTHZREQ_MAX + 1;
        char *big = malloc(len);
        CU_ASSERT_FATAL(big != NULL);
        memset(big, 'a', len);
        CU_ASSERT(http(s.path, "POST", "/AuthZPlugin.AuthZReq", big, len, &r) == 0);
        CU_ASSERT(r.status == 200);
        CU_ASSERT(answer_allow(&r, msg, sizeof(msg)) == 0);
        CU_ASSERT(strstr(msg, "envelope") != NULL);
        free(r.body);

        /* A response envelope over its cap is read, discarded, and still answered. */
        len = SERVER_AUTHZRES_MAX + 1;
        char *bigger = realloc(big, len);
        CU_ASSERT_FATAL(bigger != NULL);
        memset(bigger, 'a', len);
        CU_ASSERT(http(s.path, "POST", "/AuthZPlugin.AuthZRes", bigger, len, &r) == 0);
        CU_ASSERT(answer_allow(&r, NULL, 0) == 1);
        free(r.body);
        free(bigger);

        stop_server(&s);
        policy_unref(p);
        remove_tmpdir();
}

static void test_authz_res_allows(void)
{
        struct running s;
        struct policy *p = policy_new_default();
        struct reply r;
        const char *res = "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/v1.41/version\","
                          "\"ResponseStatusCode\":200,\"ResponseBody\":\"e30=\"}";

        make_tmpdir();
        start_server(&s, p, NULL, false);

        CU_ASSERT(http(s.path, "POST", "/AuthZPlugin.AuthZRes", res, strlen(res), &r) == 0);
        CU_ASSERT(r.status == 200);
        CU_ASSERT(answer_allow(&r, NULL, 0) == 1);
        free(r.body);
        CU_ASSERT(http(s.path, "POST", "/AuthZPlugin.AuthZRes", "garbage", 7, &r) == 0);
        CU_ASSERT(answer_allow(&r, NULL, 0) == 1);
        free(r.body);

        stop_server(&s);
        policy_unref(p);
        remove_tmpdir();
}

static void test_unknown_path_and_method(void)
{
        struct running s;
        struct policy *p = policy_new_default();
        struct reply r;

        make_tmpdir();
        start_server(&s, p, NULL, false);

        CU_ASSERT(http(s.path, "POST", "/VolumeDriver.Create", "{}", 2, &r) == 0);
        CU_ASSERT(r.status == 404);
        json_t *o = json_loads(r.body ? r.body : "", 0, NULL);
        CU_ASSERT(json_is_string(json_object_get(o, "Err")));
        json_decref(o);
        free(r.body);

        CU_ASSERT(http(s.path, "GET", "/AuthZPlugin.AuthZReq", "", 0, &r) == 0);
        CU_ASSERT(r.status == 405);
        o = json_loads(r.body ? r.body : "", 0, NULL);
        CU_ASSERT(json_is_string(json_object_get(o, "Err")));
        CU_ASSERT(json_object_get(o, "Allow") == NULL || json_is_false(json_object_get(o, "Allow")));
        json_decref(o);
        free(r.body);

        stop_server(&s);
        policy_unref(p);
        remove_tmpdir();
}

/* dockerd keeps its plugin connection open: several requests on one connection. */
static void test_keep_alive(void)
{
        struct running s;
        struct policy *p = policy_new_default();
        char *env = envelope("GET", "/v1.41/_ping", NULL);
        char head[256], buf[8192];

        make_tmpdir();
        start_server(&s, p, NULL, false);

        int fd = connect_to(s.path);
        CU_ASSERT_FATAL(fd >= 0);
        for (int i = 0; i < 3; i++) {
                int n = snprintf(head, sizeof(head),
                                 "POST /AuthZPlugin.AuthZReq HTTP/1.1\r\nHost: plugin\r\nContent-Length: %zu\r\n\r\n",
                                 strlen(env));
                CU_ASSERT(write_all(fd, head, (size_t) n) == 0);
                CU_ASSERT(write_all(fd, env, strlen(env)) == 0);
                /* Read one answer: headers, then Content-Length bytes. */
                size_t got = 0;
                char *sep = NULL;
                while (!sep && got < sizeof(buf) - 1) {
                        ssize_t r = read(fd, buf + got, sizeof(buf) - 1 - got);
                        if (r <= 0)
                                break;
                        got += (size_t) r;
                        buf[got] = '\0';
                        sep = strstr(buf, "\r\n\r\n");
                }
                CU_ASSERT_FATAL(sep != NULL);
                const char *cl = strstr(buf, "Content-Length: ");
                CU_ASSERT_FATAL(cl != NULL);
                /* cppcheck-suppress nullPointerArithmeticRedundantCheck ; CU_ASSERT_FATAL(sep != NULL) does not return */
                size_t want = strtoul(cl + 16, NULL, 10), have = got - (size_t) (sep + 4 - buf);
                while (have < want) {
                        ssize_t r = read(fd, buf + got, sizeof(buf) - 1 - got);
                        if (r <= 0)
                                break;
                        got += (size_t) r;
                        have += (size_t) r;
                }
                buf[got] = '\0';
                struct reply rep = { .body = sep + 4 };
                CU_ASSERT(answer_allow(&rep, NULL, 0) == 1);
        }
        close(fd);
        free(env);

        stop_server(&s);
        policy_unref(p);
        remove_tmpdir();
}

/* Socket activation: the server serves a socket it was handed and leaves its file alone. */
static void test_inherited_listen_fd(void)
{
        struct running s;
        struct policy *p = policy_new_default();
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct reply r;
        struct stat st;

        make_tmpdir();
        memset(&s, 0, sizeof(s));
        snprintf(s.path, sizeof(s.path), "%s/activated.sock", tmpdir);
        CU_ASSERT_FATAL(strlen(s.path) < sizeof(sa.sun_path));
        memcpy(sa.sun_path, s.path, strlen(s.path) + 1);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CU_ASSERT_FATAL(bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0);
        CU_ASSERT_FATAL(listen(fd, 16) == 0);

        s.cfg = (struct server_config){ .socket_path = NULL, .policy = p, .listen_fd = fd };
        CU_ASSERT_FATAL(server_block_signals() == 0);
        CU_ASSERT_FATAL(pthread_create(&s.thread, NULL, serve_main, &s) == 0);

        /* The backlog accepts before the server runs: this also checks it picks those up. */
        CU_ASSERT(http(s.path, "POST", "/Plugin.Activate", "", 0, &r) == 0);
        CU_ASSERT(r.status == 200);
        free(r.body);
        post_authz_req(s.path, "GET", "/v1.41/version", NULL, &r);
        CU_ASSERT(answer_allow(&r, NULL, 0) == 1);
        free(r.body);

        stop_server(&s);
        CU_ASSERT(lstat(s.path, &st) == 0 && S_ISSOCK(st.st_mode));
        policy_unref(p);
        remove_tmpdir();
}

static const struct cu_test server_tests[] = {
        { "socket created 0600 and removed", test_socket_created_private_and_removed },
        { "a regular file at the path is refused", test_refuses_a_regular_file },
        { "a stale socket is replaced", test_replaces_a_stale_socket },
        { "Plugin.Activate", test_activate },
        { "AuthZReq decisions and audit", test_authz_req_decisions_and_audit },
        { "dry run allows, audits deny", test_dry_run_allows_but_audits_deny },
        { "deny_on_audit_failure denies while the log fails", test_deny_on_audit_failure },
        { "over-cap envelope denied", test_over_cap_envelope_is_denied },
        { "AuthZRes allows", test_authz_res_allows },
        { "unknown path 404, GET 405", test_unknown_path_and_method },
        { "keep-alive", test_keep_alive },
        { "inherited listening socket", test_inherited_listen_fd },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "server", server_tests },
};

CU_MAIN(SUITES)
