/* Unit tests for authz/route.c: every endpoint of the Engine API (written out here independently of
 * the table in route.c, from moby's daemon/server/router), tried bare, with version prefixes, in
 * absolute form and as HEAD for GET routes; then target normalisation, gorilla/mux precedence for
 * names that contain '/', methods, queries and api_version_compare. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy/route.h"
#include "tests/unit/cutest.h"

/* One request and what routing must make of it.  `pattern` NULL means ROUTE_UNKNOWN. */
struct rcase {
        const char *method;
        const char *uri;
        enum route_action action;
        const char *pattern;
        const char *param;
        const char *rule;      /* ROUTE_DENY only */
        bool body;
};

#define A(m, u, pat, prm)          { m, u, ROUTE_ALLOW, pat, prm, NULL, false }
#define X(m, u, act, pat, prm, b)  { m, u, act, pat, prm, NULL, b }
#define D(m, u, pat, prm, rl)      { m, u, ROUTE_DENY, pat, prm, rl, false }
#define U(m, u)                    { m, u, ROUTE_UNKNOWN, NULL, "", NULL, false }

/* Every route of moby's routers (v1.41 .. current), one example request each. */
static const struct rcase ROWS[] = {
        /* checkpoint */
        A("GET",     "/containers/c1/checkpoints", "GET /containers/{name:.*}/checkpoints", "c1"),
        D("POST",    "/containers/c1/checkpoints", "POST /containers/{name:.*}/checkpoints", "c1", "checkpoint"),
        D("DELETE",  "/containers/c1/checkpoints/cp1", "DELETE /containers/{name}/checkpoints/{checkpoint}", "c1", "checkpoint"),
        /* container */
        A("HEAD",    "/containers/c1/archive", "HEAD /containers/{name:.*}/archive", "c1"),
        A("GET",     "/containers/json", "GET /containers/json", ""),
        A("GET",     "/containers/c1/export", "GET /containers/{name:.*}/export", "c1"),
        A("GET",     "/containers/c1/changes", "GET /containers/{name:.*}/changes", "c1"),
        A("GET",     "/containers/c1/json", "GET /containers/{name:.*}/json", "c1"),
        A("GET",     "/containers/c1/top", "GET /containers/{name:.*}/top", "c1"),
        A("GET",     "/containers/c1/logs", "GET /containers/{name:.*}/logs", "c1"),
        A("GET",     "/containers/c1/stats", "GET /containers/{name:.*}/stats", "c1"),
        A("GET",     "/containers/c1/attach/ws", "GET /containers/{name:.*}/attach/ws", "c1"),
        A("GET",     "/exec/e1/json", "GET /exec/{id:.*}/json", "e1"),
        A("GET",     "/containers/c1/archive", "GET /containers/{name:.*}/archive", "c1"),
        X("POST",    "/containers/create", ROUTE_CONTAINER_CREATE, "POST /containers/create", "", true),
        A("POST",    "/containers/c1/kill", "POST /containers/{name:.*}/kill", "c1"),
        A("POST",    "/containers/c1/pause", "POST /containers/{name:.*}/pause", "c1"),
        A("POST",    "/containers/c1/unpause", "POST /containers/{name:.*}/unpause", "c1"),
        X("POST",    "/containers/c1/restart", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/restart", "c1", false),
        X("POST",    "/containers/c1/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "c1", false),
        A("POST",    "/containers/c1/stop", "POST /containers/{name:.*}/stop", "c1"),
        A("POST",    "/containers/c1/wait", "POST /containers/{name:.*}/wait", "c1"),
        A("POST",    "/containers/c1/resize", "POST /containers/{name:.*}/resize", "c1"),
        A("POST",    "/containers/c1/attach", "POST /containers/{name:.*}/attach", "c1"),
        X("POST",    "/containers/c1/exec", ROUTE_EXEC_CREATE, "POST /containers/{name:.*}/exec", "c1", true),
        X("POST",    "/exec/e1/start", ROUTE_EXEC_START, "POST /exec/{name:.*}/start", "e1", false),
        A("POST",    "/exec/e1/resize", "POST /exec/{name:.*}/resize", "e1"),
        X("POST",    "/containers/c1/rename", ROUTE_CONTAINER_RENAME, "POST /containers/{name:.*}/rename", "c1", false),
        X("POST",    "/containers/c1/update", ROUTE_CONTAINER_UPDATE, "POST /containers/{name:.*}/update", "c1", true),
        A("POST",    "/containers/prune", "POST /containers/prune", ""),
        A("POST",    "/commit", "POST /commit", ""),
        X("PUT",     "/containers/c1/archive", ROUTE_ARCHIVE_PUT, "PUT /containers/{name:.*}/archive", "c1", false),
        A("DELETE",  "/containers/c1", "DELETE /containers/{name:.*}", "c1"),
        /* image */
        A("GET",     "/images/json", "GET /images/json", ""),
        A("GET",     "/images/search", "GET /images/search", ""),
        A("GET",     "/images/get", "GET /images/get", ""),
        A("GET",     "/images/bb/get", "GET /images/{name:.*}/get", "bb"),
        A("GET",     "/images/bb/history", "GET /images/{name:.*}/history", "bb"),
        A("GET",     "/images/bb/json", "GET /images/{name:.*}/json", "bb"),
        A("GET",     "/images/bb/attestations", "GET /images/{name:.*}/attestations", "bb"),
        A("POST",    "/images/load", "POST /images/load", ""),
        A("POST",    "/images/create", "POST /images/create", ""),
        A("POST",    "/images/bb/push", "POST /images/{name:.*}/push", "bb"),
        A("POST",    "/images/bb/tag", "POST /images/{name:.*}/tag", "bb"),
        A("POST",    "/images/prune", "POST /images/prune", ""),
        A("DELETE",  "/images/bb", "DELETE /images/{name:.*}", "bb"),
        /* system */
        A("OPTIONS", "/containers/create", "OPTIONS /{anyroute:.*}", "containers/create"),
        A("GET",     "/_ping", "GET /_ping", ""),
        A("HEAD",    "/_ping", "HEAD /_ping", ""),
        A("GET",     "/events", "GET /events", ""),
        A("GET",     "/info", "GET /info", ""),
        A("GET",     "/version", "GET /version", ""),
        A("GET",     "/system/df", "GET /system/df", ""),
        A("POST",    "/auth", "POST /auth", ""),
        /* volume */
        A("GET",     "/volumes", "GET /volumes", ""),
        A("GET",     "/volumes/v1", "GET /volumes/{name:.*}", "v1"),
        X("POST",    "/volumes/create", ROUTE_VOLUME_CREATE, "POST /volumes/create", "", true),
        A("POST",    "/volumes/prune", "POST /volumes/prune", ""),
        D("PUT",     "/volumes/v1", "PUT /volumes/{name:.*}", "v1", "swarm"),
        A("DELETE",  "/volumes/v1", "DELETE /volumes/{name:.*}", "v1"),
        /* build, session */
        X("POST",    "/build", ROUTE_BUILD, "POST /build", "", false),
        A("POST",    "/build/prune", "POST /build/prune", ""),
        A("POST",    "/build/cancel", "POST /build/cancel", ""),
        D("POST",    "/session", "POST /session", "", "buildkit"),
        /* swarm */
        D("POST",    "/swarm/init", "POST /swarm/init", "", "swarm"),
        D("POST",    "/swarm/join", "POST /swarm/join", "", "swarm"),
        D("POST",    "/swarm/leave", "POST /swarm/leave", "", "swarm"),
        A("GET",     "/swarm", "GET /swarm", ""),
        A("GET",     "/swarm/unlockkey", "GET /swarm/unlockkey", ""),
        D("POST",    "/swarm/update", "POST /swarm/update", "", "swarm"),
        D("POST",    "/swarm/unlock", "POST /swarm/unlock", "", "swarm"),
        A("GET",     "/services", "GET /services", ""),
        A("GET",     "/services/s1", "GET /services/{id}", "s1"),
        D("POST",    "/services/create", "POST /services/create", "", "swarm"),
        D("POST",    "/services/s1/update", "POST /services/{id}/update", "s1", "swarm"),
        D("DELETE",  "/services/s1", "DELETE /services/{id}", "s1", "swarm"),
        A("GET",     "/services/s1/logs", "GET /services/{id}/logs", "s1"),
        A("GET",     "/nodes", "GET /nodes", ""),
        A("GET",     "/nodes/n1", "GET /nodes/{id}", "n1"),
        D("DELETE",  "/nodes/n1", "DELETE /nodes/{id}", "n1", "swarm"),
        D("POST",    "/nodes/n1/update", "POST /nodes/{id}/update", "n1", "swarm"),
        A("GET",     "/tasks", "GET /tasks", ""),
        A("GET",     "/tasks/t1", "GET /tasks/{id}", "t1"),
        A("GET",     "/tasks/t1/logs", "GET /tasks/{id}/logs", "t1"),
        A("GET",     "/secrets", "GET /secrets", ""),
        D("POST",    "/secrets/create", "POST /secrets/create", "", "swarm"),
        D("DELETE",  "/secrets/s1", "DELETE /secrets/{id}", "s1", "swarm"),
        A("GET",     "/secrets/s1", "GET /secrets/{id}", "s1"),
        D("POST",    "/secrets/s1/update", "POST /secrets/{id}/update", "s1", "swarm"),
        A("GET",     "/configs", "GET /configs", ""),
        D("POST",    "/configs/create", "POST /configs/create", "", "swarm"),
        D("DELETE",  "/configs/c1", "DELETE /configs/{id}", "c1", "swarm"),
        A("GET",     "/configs/c1", "GET /configs/{id}", "c1"),
        D("POST",    "/configs/c1/update", "POST /configs/{id}/update", "c1", "swarm"),
        /* plugin */
        A("GET",     "/plugins", "GET /plugins", ""),
        A("GET",     "/plugins/p1/json", "GET /plugins/{name:.*}/json", "p1"),
        A("GET",     "/plugins/privileges", "GET /plugins/privileges", ""),
        D("DELETE",  "/plugins/p1", "DELETE /plugins/{name:.*}", "p1", "plugin"),
        D("POST",    "/plugins/p1/enable", "POST /plugins/{name:.*}/enable", "p1", "plugin"),
        D("POST",    "/plugins/p1/disable", "POST /plugins/{name:.*}/disable", "p1", "plugin"),
        D("POST",    "/plugins/pull", "POST /plugins/pull", "", "plugin"),
        D("POST",    "/plugins/p1/push", "POST /plugins/{name:.*}/push", "p1", "plugin"),
        D("POST",    "/plugins/p1/upgrade", "POST /plugins/{name:.*}/upgrade", "p1", "plugin"),
        D("POST",    "/plugins/p1/set", "POST /plugins/{name:.*}/set", "p1", "plugin"),
        D("POST",    "/plugins/create", "POST /plugins/create", "", "plugin"),
        /* distribution */
        A("GET",     "/distribution/bb/json", "GET /distribution/{name:.*}/json", "bb"),
        /* network */
        A("GET",     "/networks", "GET /networks", ""),
        A("GET",     "/networks/", "GET /networks/", ""),
        A("GET",     "/networks/n1", "GET /networks/{id:.+}", "n1"),
        X("POST",    "/networks/create", ROUTE_NETWORK_CREATE, "POST /networks/create", "", true),
        X("POST",    "/networks/n1/connect", ROUTE_NETWORK_CONNECT, "POST /networks/{id:.*}/connect", "n1", true),
        A("POST",    "/networks/n1/disconnect", "POST /networks/{id:.*}/disconnect", "n1"),
        A("POST",    "/networks/prune", "POST /networks/prune", ""),
        A("DELETE",  "/networks/n1", "DELETE /networks/{id:.*}", "n1"),
        /* grpc */
        D("POST",    "/grpc", "POST /grpc", "", "buildkit"),
};

/* Odd targets, precedence between routes, methods, and what dockerd would not dispatch. */
static const struct rcase ODD[] = {
        /* percent-encoding is decoded before routing, as Go's r.URL.Path is */
        X("POST",    "/v1.41/containers%2Fcreate", ROUTE_CONTAINER_CREATE, "POST /containers/create", "", true),
        X("POST",    "/%63ontainers/create", ROUTE_CONTAINER_CREATE, "POST /containers/create", "", true),
        X("POST",    "/containers/a%2Fb/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "a/b", false),
        X("POST",    "/containers/a+b/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "a+b", false),
        X("POST",    "/containers/a%2Bb/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "a+b", false),
        X("POST",    "/containers/a%20b/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "a b", false),
        X("POST",    "/containers/a#b/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "a#b", false),
        X("POST",    "/containers/%C3%A9/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "\xc3\xa9", false),
        /* Go's '.' does not match '\n', gorilla's default [^/]+ does */
        U("POST",    "/containers/a%0Ab/start"),
        U("OPTIONS", "/a%0Ab"),
        A("GET",     "/services/a%0Ab", "GET /services/{id}", "a\nb"),
        /* absolute form */
        X("POST",    "http://localhost/v1.41/containers/create", ROUTE_CONTAINER_CREATE, "POST /containers/create", "", true),
        X("POST",    "https://docker:2376/containers/c/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "c", false),
        X("POST",    "HTTP://h/containers/c/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "c", false),
        X("POST",    "unix://docker/containers/c/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "c", false),
        X("POST",    "git+ssh.x-y://u@h:1/containers/c/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "c", false),
        X("POST",    "http:/containers/c/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "c", false),
        X("POST",    "http:///containers/c/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "c", false),
        X("POST",    "c:/containers/c/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "c", false),
        /* trailing '/': gorilla's cleanPath keeps it, so it is routed, not redirected */
        A("GET",     "/v1.41/networks/", "GET /networks/", ""),
        A("DELETE",  "/containers/c1/", "DELETE /containers/{name:.*}", "c1/"),
        A("DELETE",  "/networks/", "DELETE /networks/{id:.*}", ""),
        A("GET",     "/volumes/", "GET /volumes/{name:.*}", ""),
        U("GET",     "/containers/json/"),
        U("GET",     "/"),
        U("GET",     "/v1.41/"),
        A("OPTIONS", "/", "OPTIONS /{anyroute:.*}", ""),
        A("OPTIONS", "/v1.41/", "OPTIONS /{anyroute:.*}", ""),
        A("OPTIONS", "/v1.41/containers/c/start", "OPTIONS /{anyroute:.*}", "containers/c/start"),
        A("OPTIONS", "/no/such/route", "OPTIONS /{anyroute:.*}", "no/such/route"),
        /* version prefixes: "/v{version:[0-9.]+}" and nothing else */
        A("GET",     "/v1..2/containers/json", "GET /containers/json", ""),
        A("GET",     "/v./containers/json", "GET /containers/json", ""),
        A("GET",     "/v1/containers/json", "GET /containers/json", ""),
        U("GET",     "/v/containers/json"),
        U("GET",     "/v1.41a/containers/json"),
        U("GET",     "/va1.41/containers/json"),
        U("GET",     "/V1.41/containers/json"),
        U("GET",     "/v1.41/v1.41/containers/json"),
        U("GET",     "/v1.41"),
        U("GET",     "/v1.41?x=1"),
        U("GET",     "/v1,41/containers/json"),
        /* names with '/': the mux's ".*" takes them, literal routes registered first win */
        A("GET",     "/images/library/busybox/json", "GET /images/{name:.*}/json", "library/busybox"),
        A("GET",     "/images/registry.local:5000/org/img:1.0/history", "GET /images/{name:.*}/history", "registry.local:5000/org/img:1.0"),
        A("DELETE",  "/images/registry.local:5000/org/img@sha256:abc", "DELETE /images/{name:.*}", "registry.local:5000/org/img@sha256:abc"),
        A("POST",    "/images/a/b/tag?repo=x&tag=y", "POST /images/{name:.*}/tag", "a/b"),
        A("POST",    "/images/a/b/push", "POST /images/{name:.*}/push", "a/b"),
        A("GET",     "/images/a/b/get", "GET /images/{name:.*}/get", "a/b"),
        A("GET",     "/distribution/docker.io/library/busybox/json", "GET /distribution/{name:.*}/json", "docker.io/library/busybox"),
        A("GET",     "/images/json/json", "GET /images/{name:.*}/json", "json"),
        A("GET",     "/images/search/json", "GET /images/{name:.*}/json", "search"),
        A("GET",     "/images/a/history/json", "GET /images/{name:.*}/json", "a/history"),
        A("GET",     "/images/a/json/history", "GET /images/{name:.*}/history", "a/json"),
        A("POST",    "/images/create/tag", "POST /images/{name:.*}/tag", "create"),
        A("POST",    "/images/prune/push", "POST /images/{name:.*}/push", "prune"),
        A("DELETE",  "/images/json", "DELETE /images/{name:.*}", "json"),
        U("GET",     "/images/a/search"),
        U("GET",     "/images/"),
        X("POST",    "/containers/a/start/update", ROUTE_CONTAINER_UPDATE, "POST /containers/{name:.*}/update", "a/start", true),
        X("POST",    "/containers/a/update/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "a/update", false),
        X("POST",    "/containers/a/update/exec", ROUTE_EXEC_CREATE, "POST /containers/{name:.*}/exec", "a/update", true),
        X("POST",    "/containers/a/exec/update", ROUTE_CONTAINER_UPDATE, "POST /containers/{name:.*}/update", "a/exec", true),
        X("POST",    "/containers/create/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "create", false),
        X("POST",    "/containers/create/update", ROUTE_CONTAINER_UPDATE, "POST /containers/{name:.*}/update", "create", true),
        X("POST",    "/containers/a/kill/start", ROUTE_CONTAINER_START, "POST /containers/{name:.*}/start", "a/kill", false),
        A("POST",    "/containers/a/start/kill", "POST /containers/{name:.*}/kill", "a/start"),
        A("POST",    "/containers/prune/kill", "POST /containers/{name:.*}/kill", "prune"),
        X("POST",    "/exec/a/resize/start", ROUTE_EXEC_START, "POST /exec/{name:.*}/start", "a/resize", false),
        U("POST",    "/containers/kill"),
        U("POST",    "/containers/c1/copy"),
        U("POST",    "/containers/c1"),
        D("DELETE",  "/containers/a/checkpoints/b", "DELETE /containers/{name}/checkpoints/{checkpoint}", "a", "checkpoint"),
        A("DELETE",  "/containers/a/b/checkpoints/c", "DELETE /containers/{name:.*}", "a/b/checkpoints/c"),
        A("DELETE",  "/containers/a/checkpoints/b/c", "DELETE /containers/{name:.*}", "a/checkpoints/b/c"),
        A("DELETE",  "/containers/a/checkpoints/", "DELETE /containers/{name:.*}", "a/checkpoints/"),
        D("POST",    "/containers/a/b/checkpoints", "POST /containers/{name:.*}/checkpoints", "a/b", "checkpoint"),
        X("POST",    "/networks/create/connect", ROUTE_NETWORK_CONNECT, "POST /networks/{id:.*}/connect", "create", true),
        X("POST",    "/networks/a/b/connect", ROUTE_NETWORK_CONNECT, "POST /networks/{id:.*}/connect", "a/b", true),
        A("GET",     "/networks/a/b", "GET /networks/{id:.+}", "a/b"),
        A("GET",     "/networks/create", "GET /networks/{id:.+}", "create"),
        D("PUT",     "/volumes/create", "PUT /volumes/{name:.*}", "create", "swarm"),
        A("DELETE",  "/volumes/create", "DELETE /volumes/{name:.*}", "create"),
        A("GET",     "/volumes/a/b", "GET /volumes/{name:.*}", "a/b"),
        D("POST",    "/plugins/pull/enable", "POST /plugins/{name:.*}/enable", "pull", "plugin"),
        D("POST",    "/plugins/vieux/sshfs:latest/set", "POST /plugins/{name:.*}/set", "vieux/sshfs:latest", "plugin"),
        A("GET",     "/plugins/vieux/sshfs/json", "GET /plugins/{name:.*}/json", "vieux/sshfs"),
        D("DELETE",  "/plugins/privileges", "DELETE /plugins/{name:.*}", "privileges", "plugin"),
        /* swarm's {id} is [^/]+ */
        U("GET",     "/services/a/b"),
        U("POST",    "/services/a/b/update"),
        U("DELETE",  "/nodes/a/b"),
        U("DELETE",  "/secrets/"),
        A("DELETE",  "/containers/a/checkpoints/b/", "DELETE /containers/{name:.*}", "a/checkpoints/b/"),
        /* methods: exact, upper-case, as Go's mux matches them */
        U("post",    "/containers/create"),
        U("Get",     "/_ping"),
        U("options", "/_ping"),
        U("PATCH",   "/containers/c1/update"),
        U("PUT",     "/containers/c1/start"),
        U("M-SEARCH", "/"),
        A("HEAD",    "/v1.41/containers/c1/json", "HEAD /containers/{name:.*}/json", "c1"),
        A("HEAD",    "/networks/", "HEAD /networks/", ""),
        U("HEAD",    "/containers/create"),
        U("HEAD",    "/containers/c1/start"),
        U("GET",     "/containers/create"),
        U("GET",     "/build"),
        /* not part of the Engine API table */
        U("GET",     "/debug/pprof/"),
        U("GET",     "/debug/vars"),
        U("POST",    "/debug/pprof/profile"),
        U("GET",     "/v1.41/pprof/"),
};

static char *fmt(char *buf, size_t cap, const char *a, const char *b, const char *c)
{
        int n = snprintf(buf, cap, "%s%s%s", a, b, c);

        CU_ASSERT_FATAL(n > 0 && (size_t) n < cap);
        return buf;
}

/* Route one request and compare with the expectation; `version` NULL means no prefix expected. */
static void check(const struct rcase *c, const char *method, const char *uri, const char *pattern,
                  const char *version)
{
        static struct route r;
        struct route_error err = { "" };
        int rc = route_parse(method, uri, &r, &err);
        bool ok;

        CU_ASSERT_EQUAL(rc, 0);
        if (rc < 0) {
                fprintf(stderr, "%s %s: rc %d (%s)\n", method, uri, rc, err.text);
                return;
        }
        ok = r.action == c->action && r.body_required == c->body && strcmp(r.param, c->param) == 0 &&
             ((!pattern && !r.pattern) || (pattern && r.pattern && strcmp(pattern, r.pattern) == 0)) &&
             ((!c->rule && !r.rule) || (c->rule && r.rule && strcmp(c->rule, r.rule) == 0)) &&
             (c->action != ROUTE_DENY || (r.reason && strlen(r.reason) > 20)) &&
             (c->action == ROUTE_DENY || !r.reason) &&
             r.has_version == (version != NULL) && (!version || strcmp(r.version, version) == 0) &&
             strcmp(r.method, method) == 0;
        CU_ASSERT(ok);
        if (!ok)
                fprintf(stderr, "%s %s: got %s pattern=%s param=%s rule=%s body=%d version=%s\n", method,
                        uri, route_action_name(r.action), r.pattern ? r.pattern : "NULL", r.param,
                        r.rule ? r.rule : "NULL", r.body_required, r.has_version ? r.version : "-");
}

static void test_every_route(void)
{
        static const char *const prefixes[] = { "", "/v1.41", "/v1.44", "/v1.51", "/v1.24", "/v1.55",
                                                "http://localhost", "http://docker/v1.47" };
        char uri[512], pat[256];

        for (size_t i = 0; i < sizeof(ROWS) / sizeof(ROWS[0]); i++) {
                const struct rcase *c = &ROWS[i];

                for (size_t j = 0; j < sizeof(prefixes) / sizeof(prefixes[0]); j++) {
                        const char *p = prefixes[j];
                        const char *v = strstr(p, "/v");

                        check(c, c->method, fmt(uri, sizeof(uri), p, c->uri, ""), c->pattern, v ? v + 2 : NULL);
                        /* HEAD is served by every GET row */
                        if (strcmp(c->method, "GET") == 0)
                                check(c, "HEAD", uri, fmt(pat, sizeof(pat), "HEAD", c->pattern + 3, ""),
                                      v ? v + 2 : NULL);
                }
                /* with a query, which must not change the route */
                check(c, c->method, fmt(uri, sizeof(uri), "/v1.43", c->uri, "?a=1&b"), c->pattern, "1.43");
        }
}

static void test_odd(void)
{
        for (size_t i = 0; i < sizeof(ODD) / sizeof(ODD[0]); i++) {
                const struct rcase *c = &ODD[i];
                const char *v = NULL;
                char ver[32];

                /* the expected version is whatever "/vDIGITS.DOTS/" the test target starts with */
                const char *path = strstr(c->uri, "://") ? strchr(strstr(c->uri, "://") + 3, '/') : c->uri;
                if (path && path[0] == '/' && path[1] == 'v') {
                        size_t n = strspn(path + 2, "0123456789.");
                        if (n > 0 && n < sizeof(ver) && path[2 + n] == '/') {
                                memcpy(ver, path + 2, n);
                                ver[n] = '\0';
                                v = ver;
                        }
                }
                check(c, c->method, c->uri, c->pattern, v);
        }
}

struct bad_case {
        const char *method;
        const char *uri;
        int rc;
};

static const struct bad_case BAD[] = {
        /* targets Go would refuse, or that are not a path */
        { "GET",  "",                                   -EINVAL },
        { "GET",  "*",                                  -EINVAL },
        { "GET",  "containers/json",                    -EINVAL },
        { "GET",  "?a=1",                               -EINVAL },
        { "POST", "http://h",                           -EINVAL },
        { "POST", "http://h?x/containers/create",       -EINVAL },
        { "POST", "http:containers/create",             -EINVAL },
        { "POST", "http:",                              -EINVAL },
        { "GET",  "/containers/a\x01/json",             -EINVAL },
        { "GET",  "/containers/json\t",                 -EINVAL },
        { "GET",  "/containers/json?x=\x7f",            -EINVAL },
        /* bad escapes and NUL */
        { "GET",  "/containers/c%zz/json",              -EINVAL },
        { "GET",  "/containers/c%2/json",               -EINVAL },
        { "GET",  "/containers/c%",                     -EINVAL },
        { "GET",  "/containers/c%4",                    -EINVAL },
        { "GET",  "/%g0",                               -EINVAL },
        { "GET",  "/containers/a%00b/json",             -EINVAL },
        { "POST", "/v1.41/containers%2Fcreate%00",      -EINVAL },
        /* paths gorilla/mux would redirect instead of dispatching */
        { "GET",  "//containers/json",                  -EINVAL },
        { "GET",  "/containers//json",                  -EINVAL },
        { "GET",  "/containers/json//",                 -EINVAL },
        { "GET",  "/v1.41//containers/json",            -EINVAL },
        { "GET",  "/containers/./json",                 -EINVAL },
        { "GET",  "/containers/../json",                -EINVAL },
        { "GET",  "/containers/json/.",                 -EINVAL },
        { "GET",  "/containers/json/..",                -EINVAL },
        { "GET",  "/containers/json/./",                -EINVAL },
        { "GET",  "/.",                                 -EINVAL },
        { "GET",  "/..",                                -EINVAL },
        { "GET",  "/./",                                -EINVAL },
        { "POST", "/containers//kill",                  -EINVAL },
        { "POST", "/containers%2F%2Fcreate",            -EINVAL },
        { "POST", "/containers/%2e%2e/create",          -EINVAL },
        { "POST", "/containers/x/%2E/start",            -EINVAL },
        { "POST", "/v1.41/../containers/create",        -EINVAL },
        { "POST", "http://h//containers/create",        -EINVAL },
        { "OPTIONS", "/a/../b",                         -EINVAL },
        /* queries Go refuses */
        { "POST", "/containers/create?name=a;b",        -EINVAL },
        { "POST", "/containers/create?name=a&x;y",      -EINVAL },
        { "POST", "/containers/create?name=%zz",        -EINVAL },
        { "POST", "/containers/create?name=%",          -EINVAL },
        { "POST", "/build?networkmode=none%00host",     -EINVAL },
        { "GET",  "/no/such/route?a;b",                 -EINVAL },
        /* methods */
        { "",     "/_ping",                             -EINVAL },
        { "GE T", "/_ping",                             -EINVAL },
        { "GET\n", "/_ping",                            -EINVAL },
        { "GET/", "/_ping",                             -EINVAL },
        { "VERYLONGMETHOD16", "/_ping",                 -E2BIG },
};

static void test_bad(void)
{
        static struct route r;

        for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
                struct route_error err = { "" };
                int rc;

                memset(&r, 0xa5, sizeof(r));
                rc = route_parse(BAD[i].method, BAD[i].uri, &r, &err);
                CU_ASSERT_EQUAL(rc, BAD[i].rc);
                if (rc != BAD[i].rc)
                        fprintf(stderr, "%s %s: rc %d, want %d\n", BAD[i].method, BAD[i].uri, rc, BAD[i].rc);
                CU_ASSERT(err.text[0] != '\0');                          /* says why */
                /* no route left behind to act on */
                CU_ASSERT(r.action == ROUTE_UNKNOWN && r.pattern == NULL && r.rule == NULL && r.reason == NULL);
                CU_ASSERT(!r.body_required && !r.has_version && r.query.n == 0);
                CU_ASSERT(r.path[0] == '\0' && r.param[0] == '\0' && r.method[0] == '\0' && r.version[0] == '\0');
                /* the error detail is optional */
                CU_ASSERT_EQUAL(route_parse(BAD[i].method, BAD[i].uri, &r, NULL), BAD[i].rc);
        }

        CU_ASSERT_EQUAL(route_parse(NULL, "/_ping", &r, NULL), -EINVAL);
        CU_ASSERT_EQUAL(route_parse("GET", NULL, &r, NULL), -EINVAL);
}

static void test_error_text(void)
{
        static struct route r;
        struct route_error err = { "" };

        CU_ASSERT_EQUAL(route_parse("POST", "/containers/create?name=a;b", &r, &err), -EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "';'"));
        CU_ASSERT_EQUAL(route_parse("GET", "/containers//json", &r, &err), -EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "//"));
        CU_ASSERT_EQUAL(route_parse("GET", "/containers/../json", &r, &err), -EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.text, ".."));
        CU_ASSERT_EQUAL(route_parse("GET", "/a/b%zz", &r, &err), -EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "escape"));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "byte 4"));
}

static void test_query(void)
{
        static struct route r;
        struct route_error err = { "" };

        CU_ASSERT_EQUAL(route_parse("POST", "/v1.41/containers/create?name=my+box&platform=", &r, &err), 0);
        CU_ASSERT_EQUAL(r.action, ROUTE_CONTAINER_CREATE);
        CU_ASSERT_STRING_EQUAL(query_get(&r.query, "name"), "my box");
        CU_ASSERT_STRING_EQUAL(query_get(&r.query, "platform"), "");
        CU_ASSERT_STRING_EQUAL(r.path, "/containers/create");
        /* struct query points into its own storage: the values must live in r.query.buf */
        for (size_t i = 0; i < r.query.n; i++) {
                CU_ASSERT(r.query.pairs[i].key >= r.query.buf &&
                          r.query.pairs[i].key < r.query.buf + sizeof(r.query.buf));
                CU_ASSERT(r.query.pairs[i].value >= r.query.buf &&
                          r.query.pairs[i].value < r.query.buf + sizeof(r.query.buf));
        }

        CU_ASSERT_EQUAL(route_parse("POST", "/build?networkmode=none&networkmode=host&&", &r, &err), 0);
        CU_ASSERT_EQUAL(r.action, ROUTE_BUILD);
        CU_ASSERT_EQUAL(query_count(&r.query, "networkmode"), 2);
        CU_ASSERT_STRING_EQUAL(query_get(&r.query, "networkmode"), "none");

        CU_ASSERT_EQUAL(route_parse("POST", "/containers/c/start?checkpoint=%63p1", &r, &err), 0);
        CU_ASSERT_EQUAL(r.action, ROUTE_CONTAINER_START);
        CU_ASSERT_STRING_EQUAL(query_get(&r.query, "checkpoint"), "cp1");

        /* the query starts at the first '?'; later ones, '/' and '#' are data */
        CU_ASSERT_EQUAL(route_parse("GET", "/containers/json?a=1?b=/x#y", &r, &err), 0);
        CU_ASSERT_EQUAL(r.action, ROUTE_ALLOW);
        CU_ASSERT_STRING_EQUAL(query_get(&r.query, "a"), "1?b=/x#y");

        /* a '?' written as %3F is part of the path, not a query */
        CU_ASSERT_EQUAL(route_parse("POST", "/containers/create%3Fname=x", &r, &err), 0);
        CU_ASSERT_EQUAL(r.action, ROUTE_UNKNOWN);
        CU_ASSERT_STRING_EQUAL(r.path, "/containers/create?name=x");
        CU_ASSERT_EQUAL(r.query.n, 0);

        CU_ASSERT_EQUAL(route_parse("GET", "/containers/json?", &r, &err), 0);
        CU_ASSERT_EQUAL(r.query.n, 0);
        CU_ASSERT_EQUAL(route_parse("GET", "/containers/json", &r, &err), 0);
        CU_ASSERT_EQUAL(r.query.n, 0);

        /* in absolute form the query is still the part after the first '?' */
        CU_ASSERT_EQUAL(route_parse("POST", "http://h/v1.45/containers/create?name=a%2Fb", &r, &err), 0);
        CU_ASSERT_STRING_EQUAL(query_get(&r.query, "name"), "a/b");
        CU_ASSERT_STRING_EQUAL(r.version, "1.45");

        /* the version prefix is found after decoding, as the mux matches the decoded path */
        CU_ASSERT_EQUAL(route_parse("POST", "/%76%31%2e%34%31/containers/create", &r, &err), 0);
        CU_ASSERT_EQUAL(r.action, ROUTE_CONTAINER_CREATE);
        CU_ASSERT_TRUE(r.has_version);
        CU_ASSERT_STRING_EQUAL(r.version, "1.41");

        /* unknown routes still carry their decoded path and query */
        CU_ASSERT_EQUAL(route_parse("POST", "/v1.99/brand/new%20route?x=1", &r, &err), 0);
        CU_ASSERT_EQUAL(r.action, ROUTE_UNKNOWN);
        CU_ASSERT_PTR_NULL(r.pattern);
        CU_ASSERT_PTR_NULL(r.rule);
        CU_ASSERT_STRING_EQUAL(r.path, "/brand/new route");
        CU_ASSERT_STRING_EQUAL(r.version, "1.99");
        CU_ASSERT_STRING_EQUAL(query_get(&r.query, "x"), "1");
}

static void test_caps(void)
{
        static char uri[2 * ROUTE_PATH_MAX + 64];
        static struct route r;
        struct route_error err = { "" };
        size_t n;

        /* a path of exactly ROUTE_PATH_MAX - 1 bytes fits, one more does not */
        memcpy(uri, "/containers/", 12);
        n = ROUTE_PATH_MAX - 1 - 12;
        memset(uri + 12, 'a', n);
        uri[12 + n] = '\0';
        CU_ASSERT_EQUAL(route_parse("DELETE", uri, &r, &err), -E2BIG);   /* param is over its cap */
        CU_ASSERT_EQUAL(route_parse("GET", uri, &r, &err), 0);           /* unknown: no param */
        CU_ASSERT_EQUAL(strlen(r.path), ROUTE_PATH_MAX - 1);
        uri[12 + n] = 'a';
        uri[13 + n] = '\0';
        CU_ASSERT_EQUAL(route_parse("GET", uri, &r, &err), -E2BIG);

        /* escapes count decoded: 3 raw bytes per path byte */
        memcpy(uri, "/containers/", 12);
        for (size_t i = 0; i < 1000; i++)
                memcpy(uri + 12 + 3 * i, "%61", 3);
        memcpy(uri + 12 + 3000, "/start", 7);
        CU_ASSERT_EQUAL(route_parse("POST", uri, &r, &err), 0);
        CU_ASSERT_EQUAL(r.action, ROUTE_CONTAINER_START);
        CU_ASSERT_EQUAL(strlen(r.param), 1000);

        /* param: ROUTE_PARAM_MAX - 1 fits */
        memcpy(uri, "/containers/", 12);
        memset(uri + 12, 'b', ROUTE_PARAM_MAX - 1);
        memcpy(uri + 12 + ROUTE_PARAM_MAX - 1, "/start", 7);
        CU_ASSERT_EQUAL(route_parse("POST", uri, &r, &err), 0);
        CU_ASSERT_EQUAL(strlen(r.param), ROUTE_PARAM_MAX - 1);
        memset(uri + 12, 'b', ROUTE_PARAM_MAX);
        memcpy(uri + 12 + ROUTE_PARAM_MAX, "/start", 7);
        CU_ASSERT_EQUAL(route_parse("POST", uri, &r, &err), -E2BIG);

        /* version: 31 characters fit in route.version, 32 do not */
        n = (size_t) snprintf(uri, sizeof(uri), "/v%s/_ping", "1.234567890123456789012345678901");
        CU_ASSERT_EQUAL(n, 2 + 32 + 6);
        CU_ASSERT_EQUAL(route_parse("GET", uri, &r, &err), -E2BIG);
        snprintf(uri, sizeof(uri), "/v%s/_ping", "1.23456789012345678901234567890");
        CU_ASSERT_EQUAL(route_parse("GET", uri, &r, &err), 0);
        CU_ASSERT_EQUAL(strlen(r.version), 31);

        /* query over its pair cap */
        n = (size_t) snprintf(uri, sizeof(uri), "/containers/json?");
        for (size_t i = 0; i <= QUERY_MAX_PAIRS; i++)
                n += (size_t) snprintf(uri + n, sizeof(uri) - n, "k%zu=1&", i);
        CU_ASSERT_EQUAL(route_parse("GET", uri, &r, &err), -E2BIG);

        /* method: 15 bytes fit */
        CU_ASSERT_EQUAL(route_parse("VERYLONGMETHOD1", "/_ping", &r, &err), 0);
        CU_ASSERT_EQUAL(r.action, ROUTE_UNKNOWN);
        CU_ASSERT_STRING_EQUAL(r.method, "VERYLONGMETHOD1");
}

static void test_fields_reset(void)
{
        static struct route r;
        struct route_error err = { "" };

        /* a successful parse overwrites every field, even over a previous result */
        CU_ASSERT_EQUAL(route_parse("POST", "/v1.41/plugins/p/disable?force=1", &r, &err), 0);
        CU_ASSERT_EQUAL(route_parse("GET", "/nothing", &r, &err), 0);
        CU_ASSERT_EQUAL(r.action, ROUTE_UNKNOWN);
        CU_ASSERT_PTR_NULL(r.pattern);
        CU_ASSERT_PTR_NULL(r.rule);
        CU_ASSERT_PTR_NULL(r.reason);
        CU_ASSERT_FALSE(r.has_version);
        CU_ASSERT_STRING_EQUAL(r.version, "");
        CU_ASSERT_STRING_EQUAL(r.param, "");
        CU_ASSERT_FALSE(r.body_required);
        CU_ASSERT_EQUAL(r.query.n, 0);
        CU_ASSERT_STRING_EQUAL(r.path, "/nothing");
}

struct vcase {
        const char *a, *b;
        int sign;
};

static const struct vcase VERSIONS[] = {
        { "1.41", "1.41", 0 },   { "1.24", "1.41", -1 },  { "1.41", "1.24", 1 },
        { "1.9", "1.10", -1 },   { "1.41", "1.5", 1 },    { "1", "1.0", 0 },
        { "1.", "1", 0 },        { "", "0", 0 },          { "", "", 0 },
        { "1..2", "1.0.2", 0 },  { "1.41.1", "1.41", 1 }, { "1.41", "1.41.0.0", 0 },
        { "2", "1.99", 1 },      { "a.1", "0.1", 0 },     { "1.x", "1.0", 0 },
        { "01.041", "1.41", 0 }, { NULL, "", 0 },         { "1.0", NULL, 1 },
        { "+1", "1", 0 },        { "1.-1", "1.0", -1 },   { ".", "", 0 },
        { "1.23", "1.24", -1 },  { "1.51", "1.52", -1 },  { "1.100", "1.99", 1 },
        { "99999999999999999999", "9223372036854775807", 0 },   /* Atoi saturates */
        { "99999999999999999999", "1", 1 },
        { "-99999999999999999999", "-9223372036854775808", 0 },
        { "1.2.3", "1.2.4", -1 },
};

static void test_version_compare(void)
{
        for (size_t i = 0; i < sizeof(VERSIONS) / sizeof(VERSIONS[0]); i++) {
                const struct vcase *c = &VERSIONS[i];
                int r = api_version_compare(c->a, c->b);
                int back = api_version_compare(c->b, c->a);
                int sign = (r > 0) - (r < 0);

                CU_ASSERT_EQUAL(sign, c->sign);
                CU_ASSERT_EQUAL((back > 0) - (back < 0), -c->sign);
                if (sign != c->sign)
                        fprintf(stderr, "compare(%s, %s) = %d\n", c->a ? c->a : "NULL", c->b ? c->b : "NULL", r);
        }
}

static void test_action_names(void)
{
        static const enum route_action all[] = {
                ROUTE_UNKNOWN, ROUTE_ALLOW, ROUTE_DENY, ROUTE_CONTAINER_CREATE, ROUTE_CONTAINER_START,
                ROUTE_CONTAINER_UPDATE, ROUTE_EXEC_CREATE, ROUTE_EXEC_START, ROUTE_NETWORK_CONNECT,
                ROUTE_VOLUME_CREATE, ROUTE_BUILD,
        };
        const size_t n = sizeof(all) / sizeof(all[0]);

        CU_ASSERT_STRING_EQUAL(route_action_name(ROUTE_UNKNOWN), "unknown");
        CU_ASSERT_STRING_EQUAL(route_action_name(ROUTE_ALLOW), "allow");
        CU_ASSERT_STRING_EQUAL(route_action_name(ROUTE_DENY), "deny");
        CU_ASSERT_STRING_EQUAL(route_action_name(ROUTE_CONTAINER_CREATE), "container_create");
        for (size_t i = 0; i < n; i++) {
                CU_ASSERT_PTR_NOT_NULL_FATAL(route_action_name(all[i]));
                CU_ASSERT_STRING_NOT_EQUAL(route_action_name(all[i]), "invalid");
                for (size_t j = 0; j < i; j++)
                        CU_ASSERT_STRING_NOT_EQUAL(route_action_name(all[i]), route_action_name(all[j]));
        }
        CU_ASSERT_STRING_EQUAL(route_action_name((enum route_action) 99), "invalid");
}

static const struct cu_test ROUTE_TESTS[] = {
        { "every endpoint, every prefix", test_every_route },
        { "odd targets and precedence", test_odd },
        { "malformed targets", test_bad },
        { "error text", test_error_text },
        { "query", test_query },
        { "size caps", test_caps },
        { "fields reset", test_fields_reset },
        { NULL, NULL },
};

static const struct cu_test MISC_TESTS[] = {
        { "api_version_compare", test_version_compare },
        { "route_action_name", test_action_names },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "route", ROUTE_TESTS },
        { "misc", MISC_TESTS },
};

CU_MAIN(SUITES)
