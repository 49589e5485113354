/* Routing: which Docker Engine API endpoint a request targets, found the way dockerd finds it.
 *
 * dockerd (moby's daemon/server, formerly api/server) registers every route twice with gorilla/mux,
 * as "/v{version:[0-9.]+}" + path and as path, router by router, and dispatches to the first route
 * whose method and path regexp match r.URL.Path (decoded).  Before matching, the mux answers any
 * path that its cleanPath would change with a redirect, so such paths never reach a handler.
 * This file repeats those steps on the RequestUri that dockerd gives the AuthZ plugin:
 *
 *   1. split the target as Go's url.ParseRequestURI does (optional scheme://authority, query at
 *      the first '?'), percent-decode the path;
 *   2. refuse what the mux would redirect ("//", "." and ".." segments; a trailing '/' is kept by
 *      cleanPath, so it is not refused) and what Go would refuse (control bytes, bad escapes);
 *   3. take off the version segment;
 *   4. walk the endpoint table below, in moby's registration order, first match wins.
 *
 * The order matters because "{name:.*}" variables match '/' too: dockerd serves
 * "POST /containers/a/start/update" as an update of container "a/start", and so do we. */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/route.h"
#include "policy/query.h"

/* ---- The endpoint table ------------------------------------------------------------------------ */

struct route_row {
        const char *method;
        const char *tpl;            /* the path template exactly as moby registers it */
        const char *pattern;        /* "METHOD tpl", reported in route->pattern */
        const char *head_pattern;   /* "HEAD tpl", reported when a GET row serves a HEAD request */
        enum rule rule;             /* ROUTE_DENY only */
        const char *reason;         /* ROUTE_DENY only */
        enum route_action action;
        bool body_required;
};

#define ROW(m, t, act, body, rl, rs) { m, t, m " " t, "HEAD " t, rl, rs, act, body }
#define ALLOW(m, t)                  ROW(m, t, ROUTE_ALLOW, false, RULE_ROUTE, NULL)
#define ACTION(m, t, act)            ROW(m, t, act, false, RULE_ROUTE, NULL)
#define BODY(m, t, act)              ROW(m, t, act, true, RULE_ROUTE, NULL)
#define DENY(m, t, rl, rs)           ROW(m, t, ROUTE_DENY, false, rl, rs)

#define PLUGIN_REASON \
        "managing Engine plugins is not allowed: disabling an authorization plugin takes it out of " \
        "the chain, and installing or upgrading one runs its code on the host; ask the host admin"
#define SWARM_REASON \
        "swarm mutations are not allowed: services and their tasks are started by the swarm " \
        "orchestrator and never pass through authorization; use docker create/run instead"
#define BUILDKIT_REASON \
        "BuildKit sessions are not allowed: what BuildKit does through them is not mediated by " \
        "authorization; build with the classic builder (DOCKER_BUILDKIT=0)"
#define CHECKPOINT_REASON \
        "container checkpoints are not allowed: CRIU dumps and restores processes outside the " \
        "checked create path"

/* Every route of moby's routers, in the order dockerd registers them (daemon/command/daemon.go
 * buildRouters: checkpoint, container, image, system, volume, build, session, swarm, plugin,
 * distribution, network, grpc; grpc came before network in 20.10, their paths do not overlap).
 * Templates: "{x}" is [^/]+, "{x:.*}" is Go's ".*" (anything but '\n', may contain '/'),
 * "{x:.+}" the same but not empty.  GET rows also serve HEAD (dockerd would answer 404 to a HEAD on
 * a GET-only route, so allowing it costs nothing).  The debug router (/debug/vars, /debug/pprof)
 * is left out on purpose: it is not part of the Engine API and stays ROUTE_UNKNOWN. */
static const struct route_row ROUTES[] = {
        /* checkpoint router: before the container router, or its DELETE would be masked */
        ALLOW("GET",     "/containers/{name:.*}/checkpoints"),
        DENY("POST",     "/containers/{name:.*}/checkpoints", RULE_CHECKPOINT, CHECKPOINT_REASON),
        DENY("DELETE",   "/containers/{name}/checkpoints/{checkpoint}", RULE_CHECKPOINT, CHECKPOINT_REASON),

        /* container router */
        ALLOW("HEAD",    "/containers/{name:.*}/archive"),
        ALLOW("GET",     "/containers/json"),
        ALLOW("GET",     "/containers/{name:.*}/export"),
        ALLOW("GET",     "/containers/{name:.*}/changes"),
        ALLOW("GET",     "/containers/{name:.*}/json"),
        ALLOW("GET",     "/containers/{name:.*}/top"),
        ALLOW("GET",     "/containers/{name:.*}/logs"),
        ALLOW("GET",     "/containers/{name:.*}/stats"),
        ALLOW("GET",     "/containers/{name:.*}/attach/ws"),
        ALLOW("GET",     "/exec/{id:.*}/json"),
        ALLOW("GET",     "/containers/{name:.*}/archive"),
        BODY("POST",     "/containers/create", ROUTE_CONTAINER_CREATE),
        ALLOW("POST",    "/containers/{name:.*}/kill"),
        ALLOW("POST",    "/containers/{name:.*}/pause"),
        ALLOW("POST",    "/containers/{name:.*}/unpause"),
        /* A restart starts a stopped container: it gets the same second look as start. */
        ACTION("POST",   "/containers/{name:.*}/restart", ROUTE_CONTAINER_START),
        ACTION("POST",   "/containers/{name:.*}/start", ROUTE_CONTAINER_START),
        ALLOW("POST",    "/containers/{name:.*}/stop"),
        ALLOW("POST",    "/containers/{name:.*}/wait"),
        ALLOW("POST",    "/containers/{name:.*}/resize"),
        ALLOW("POST",    "/containers/{name:.*}/attach"),
        BODY("POST",     "/containers/{name:.*}/exec", ROUTE_EXEC_CREATE),
        ACTION("POST",   "/exec/{name:.*}/start", ROUTE_EXEC_START),
        ALLOW("POST",    "/exec/{name:.*}/resize"),
        ACTION("POST",   "/containers/{name:.*}/rename", ROUTE_CONTAINER_RENAME),
        BODY("POST",     "/containers/{name:.*}/update", ROUTE_CONTAINER_UPDATE),
        ALLOW("POST",    "/containers/prune"),
        ALLOW("POST",    "/commit"),
        /* an upload is extracted by dockerd as root, owners and modes kept: judged by where it lands */
        ACTION("PUT",    "/containers/{name:.*}/archive", ROUTE_ARCHIVE_PUT),
        ALLOW("DELETE",  "/containers/{name:.*}"),

        /* image router */
        ALLOW("GET",     "/images/json"),
        ALLOW("GET",     "/images/search"),
        ALLOW("GET",     "/images/get"),
        ALLOW("GET",     "/images/{name:.*}/get"),
        ALLOW("GET",     "/images/{name:.*}/history"),
        ALLOW("GET",     "/images/{name:.*}/json"),
        ALLOW("GET",     "/images/{name:.*}/attestations"),
        ALLOW("POST",    "/images/load"),
        ALLOW("POST",    "/images/create"),
        ALLOW("POST",    "/images/{name:.*}/push"),
        ALLOW("POST",    "/images/{name:.*}/tag"),
        ALLOW("POST",    "/images/prune"),
        ALLOW("DELETE",  "/images/{name:.*}"),

        /* system router; OPTIONS is dockerd's CORS preflight, a no-op on any path */
        ALLOW("OPTIONS", "/{anyroute:.*}"),
        ALLOW("GET",     "/_ping"),
        ALLOW("HEAD",    "/_ping"),
        ALLOW("GET",     "/events"),
        ALLOW("GET",     "/info"),
        ALLOW("GET",     "/version"),
        ALLOW("GET",     "/system/df"),
        ALLOW("POST",    "/auth"),

        /* volume router; PUT updates a cluster (swarm) volume */
        ALLOW("GET",     "/volumes"),
        ALLOW("GET",     "/volumes/{name:.*}"),
        BODY("POST",     "/volumes/create", ROUTE_VOLUME_CREATE),
        ALLOW("POST",    "/volumes/prune"),
        DENY("PUT",      "/volumes/{name:.*}", RULE_SWARM, SWARM_REASON),
        ALLOW("DELETE",  "/volumes/{name:.*}"),

        /* build router: dockerd never forwards the build context (a tar) to AuthZ, so the
         * decision reads the query only */
        ACTION("POST",   "/build", ROUTE_BUILD),
        ALLOW("POST",    "/build/prune"),
        ALLOW("POST",    "/build/cancel"),

        /* session router */
        DENY("POST",     "/session", RULE_BUILDKIT, BUILDKIT_REASON),

        /* swarm router */
        DENY("POST",     "/swarm/init", RULE_SWARM, SWARM_REASON),
        DENY("POST",     "/swarm/join", RULE_SWARM, SWARM_REASON),
        DENY("POST",     "/swarm/leave", RULE_SWARM, SWARM_REASON),
        ALLOW("GET",     "/swarm"),
        ALLOW("GET",     "/swarm/unlockkey"),
        DENY("POST",     "/swarm/update", RULE_SWARM, SWARM_REASON),
        DENY("POST",     "/swarm/unlock", RULE_SWARM, SWARM_REASON),
        ALLOW("GET",     "/services"),
        ALLOW("GET",     "/services/{id}"),
        DENY("POST",     "/services/create", RULE_SWARM, SWARM_REASON),
        DENY("POST",     "/services/{id}/update", RULE_SWARM, SWARM_REASON),
        DENY("DELETE",   "/services/{id}", RULE_SWARM, SWARM_REASON),
        ALLOW("GET",     "/services/{id}/logs"),
        ALLOW("GET",     "/nodes"),
        ALLOW("GET",     "/nodes/{id}"),
        DENY("DELETE",   "/nodes/{id}", RULE_SWARM, SWARM_REASON),
        DENY("POST",     "/nodes/{id}/update", RULE_SWARM, SWARM_REASON),
        ALLOW("GET",     "/tasks"),
        ALLOW("GET",     "/tasks/{id}"),
        ALLOW("GET",     "/tasks/{id}/logs"),
        ALLOW("GET",     "/secrets"),
        DENY("POST",     "/secrets/create", RULE_SWARM, SWARM_REASON),
        DENY("DELETE",   "/secrets/{id}", RULE_SWARM, SWARM_REASON),
        ALLOW("GET",     "/secrets/{id}"),
        DENY("POST",     "/secrets/{id}/update", RULE_SWARM, SWARM_REASON),
        ALLOW("GET",     "/configs"),
        DENY("POST",     "/configs/create", RULE_SWARM, SWARM_REASON),
        DENY("DELETE",   "/configs/{id}", RULE_SWARM, SWARM_REASON),
        ALLOW("GET",     "/configs/{id}"),
        DENY("POST",     "/configs/{id}/update", RULE_SWARM, SWARM_REASON),

        /* plugin router */
        ALLOW("GET",     "/plugins"),
        ALLOW("GET",     "/plugins/{name:.*}/json"),
        ALLOW("GET",     "/plugins/privileges"),
        DENY("DELETE",   "/plugins/{name:.*}", RULE_PLUGIN, PLUGIN_REASON),
        DENY("POST",     "/plugins/{name:.*}/enable", RULE_PLUGIN, PLUGIN_REASON),
        DENY("POST",     "/plugins/{name:.*}/disable", RULE_PLUGIN, PLUGIN_REASON),
        DENY("POST",     "/plugins/pull", RULE_PLUGIN, PLUGIN_REASON),
        DENY("POST",     "/plugins/{name:.*}/push", RULE_PLUGIN, PLUGIN_REASON),
        DENY("POST",     "/plugins/{name:.*}/upgrade", RULE_PLUGIN, PLUGIN_REASON),
        DENY("POST",     "/plugins/{name:.*}/set", RULE_PLUGIN, PLUGIN_REASON),
        DENY("POST",     "/plugins/create", RULE_PLUGIN, PLUGIN_REASON),

        /* distribution router */
        ALLOW("GET",     "/distribution/{name:.*}/json"),

        /* network router */
        ALLOW("GET",     "/networks"),
        ALLOW("GET",     "/networks/"),
        ALLOW("GET",     "/networks/{id:.+}"),
        BODY("POST",     "/networks/create", ROUTE_NETWORK_CREATE),
        BODY("POST",     "/networks/{id:.*}/connect", ROUTE_NETWORK_CONNECT),
        ALLOW("POST",    "/networks/{id:.*}/disconnect"),
        ALLOW("POST",    "/networks/prune"),
        ALLOW("DELETE",  "/networks/{id:.*}"),

        /* grpc router */
        DENY("POST",     "/grpc", RULE_BUILDKIT, BUILDKIT_REASON),
};

/* ---- Template matching ------------------------------------------------------------------------- */

struct span {
        const char *p;
        size_t len;
};

/* Match s[0..len) against template `t` as gorilla/mux's anchored regexp would.  Greedy, with
 * backtracking, so the captured value is the one Go's regexp reports; `cap` (may be NULL) gets the
 * first variable.  Templates are ours, so a malformed one is a programmer error. */
/* NOLINTNEXTLINE(misc-no-recursion): one level per {variable} of our own constant templates (2 at most). */
static bool tpl_match(const char *t, const char *s, size_t len, struct span *cap)
{
        const char *close, *colon, *rest;
        bool any, nonempty;
        size_t max = 0;

        for (; *t && *t != '{'; t++, s++, len--)
                if (len == 0 || *s != *t)
                        return false;
        if (!*t)
                return len == 0;

        close = strchr(t, '}');
        assert(close);
        colon = memchr(t, ':', (size_t) (close - t));
        if (!colon) {
                any = false;                    /* gorilla's default: [^/]+ */
                nonempty = true;
        } else if (close - colon == 3 && colon[1] == '.' && (colon[2] == '*' || colon[2] == '+')) {
                any = true;                     /* Go's '.' matches any byte but '\n' */
                nonempty = colon[2] == '+';
        } else {
                assert(!"unsupported template variable");
                return false;
        }
        rest = close + 1;

        while (max < len && s[max] != (any ? '\n' : '/'))
                max++;
        for (size_t n = max + 1; n-- > (nonempty ? 1u : 0u);) {
                if (tpl_match(rest, s + n, len - n, NULL)) {
                        if (cap)
                                *cap = (struct span) { s, n };
                        return true;
                }
        }
        return false;
}

static bool method_matches(const struct route_row *row, const char *method, const char **ret_pattern)
{
        if (strcmp(row->method, method) == 0) {
                *ret_pattern = row->pattern;
                return true;
        }
        if (strcmp(method, "HEAD") == 0 && strcmp(row->method, "GET") == 0) {
                *ret_pattern = row->head_pattern;
                return true;
        }
        return false;
}

/* ---- Target normalisation ---------------------------------------------------------------------- */

static int fail(struct route_error *err, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct route_error *err, int r, const char *fmt, ...)
{
        va_list ap;

        if (!err)
                return r;
        va_start(ap, fmt);
        (void) vsnprintf(err->text, sizeof(err->text), fmt, ap);   /* cut if too long */
        va_end(ap);
        return r;
}

/* RFC 7230 token characters: Go's net/http refuses any other method. */
static bool is_token_char(char c)
{
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                return true;
        return c && strchr("!#$%&'*+-.^_`|~", c);
}

/* Go's getScheme: a letter, then letters, digits, '+', '-' or '.', then ':'.  Returns the length
 * up to and including the ':' when there is a scheme, else 0. */
static size_t scheme_length(const char *uri)
{
        size_t i = 0;

        if (!((uri[0] >= 'a' && uri[0] <= 'z') || (uri[0] >= 'A' && uri[0] <= 'Z')))
                return 0;
        for (i = 1; uri[i]; i++) {
                char c = uri[i];
                if (c == ':')
                        return i + 1;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '+' || c == '-' || c == '.'))
                        return 0;
        }
        return 0;
}

/* Split the raw target into path and query as url.ParseRequestURI does. */
static int split_target(const char *uri, struct span *ret_path, const char **ret_query,
                        struct route_error *err)
{
        size_t skip = scheme_length(uri);
        const char *rest = uri + skip;
        const char *q = strchr(rest, '?');
        size_t restlen = q ? (size_t) (q - rest) : strlen(rest);

        /* Absolute-form ("http://host/path"): Go cuts the query before the authority, so
         * "http://h?x/p" has no path at all. */
        if (skip > 0 && restlen >= 2 && rest[0] == '/' && rest[1] == '/') {
                const char *slash = memchr(rest + 2, '/', restlen - 2);
                if (!slash)
                        return fail(err, -EINVAL, "request target has no path after the host");
                restlen -= (size_t) (slash - rest);
                rest = slash;
        }
        if (restlen == 0 || rest[0] != '/')
                return fail(err, -EINVAL, "request target must be an absolute path");

        *ret_path = (struct span) { rest, restlen };
        *ret_query = q ? q + 1 : NULL;
        return 0;
}

/* Percent-decode the path as Go's url.PathUnescape does ('+' stays '+'). */
static int decode_path(struct span raw, char *out, size_t cap, struct route_error *err)
{
        size_t n = 0;

        for (size_t i = 0; i < raw.len; i++) {
                char c = raw.p[i];

                if (c == '%') {
                        int hi = i + 1 < raw.len ? hex_value(raw.p[i + 1]) : -1;
                        int lo = i + 2 < raw.len ? hex_value(raw.p[i + 2]) : -1;
                        if (hi < 0 || lo < 0)
                                return fail(err, -EINVAL, "invalid %%-escape at byte %zu of the path", i);
                        c = (char) (hi << 4 | lo);
                        if (c == '\0')
                                return fail(err, -EINVAL, "%%00 (NUL byte) in the path");
                        i += 2;
                }
                if (n >= cap - 1)
                        return fail(err, -E2BIG, "path longer than %d bytes", ROUTE_PATH_MAX - 1);
                out[n++] = c;
        }
        out[n] = '\0';
        return 0;
}

/* gorilla/mux redirects (and never dispatches) any path its cleanPath changes: path.Clean, with a
 * trailing '/' put back.  So: no empty segment but a final one, no "." or ".." segment. */
static int check_clean(const char *path, struct route_error *err)
{
        const char *seg = path + 1;

        for (;;) {
                size_t len = strcspn(seg, "/");
                bool last = seg[len] == '\0';

                if (len == 0 && !last)
                        return fail(err, -EINVAL, "path has an empty segment (\"//\"); dockerd would redirect it");
                if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
                        return fail(err, -EINVAL, "path has a \".\" or \"..\" segment; dockerd would redirect it");
                if (last)
                        return 0;
                seg += len + 1;
        }
}

/* dockerd's "/v{version:[0-9.]+}" prefix: returns the length of the version text (0 if none). */
static size_t version_length(const char *path)
{
        size_t n = 0;

        if (path[0] != '/' || path[1] != 'v')
                return 0;
        while ((path[2 + n] >= '0' && path[2 + n] <= '9') || path[2 + n] == '.')
                n++;
        return path[2 + n] == '/' ? n : 0;
}

/* ---- Public API -------------------------------------------------------------------------------- */

/* What *ret holds after a failure: no route (ROUTE_UNKNOWN, nothing to act on). */
static void route_reset(struct route *r)
{
        r->action = ROUTE_UNKNOWN;
        r->pattern = r->rule = r->reason = NULL;
        r->body_required = r->has_version = false;
        r->version[0] = r->method[0] = r->path[0] = r->param[0] = '\0';
        r->query.n = 0;
}

int route_parse(const char *method, const char *uri, struct route *ret, struct route_error *err)
{
        struct route *r = ret;   /* built in place: zeroing and copying its 14 KiB cost more than routing */
        struct span raw_path = { NULL, 0 }, cap = { NULL, 0 };
        const char *raw_query = NULL, *pattern = NULL, *path;
        const struct route_row *row = NULL;
        size_t vlen, mlen;
        int rc;

        assert(ret);
        route_reset(r);
        if (!method || !uri)
                return fail(err, -EINVAL, "missing method or request target");

        mlen = strlen(method);
        if (mlen == 0)
                return fail(err, -EINVAL, "empty method");
        if (mlen >= sizeof(r->method))
                return fail(err, -E2BIG, "method longer than %zu bytes", sizeof(r->method) - 1);
        for (size_t i = 0; i < mlen; i++)
                if (!is_token_char(method[i]))
                        return fail(err, -EINVAL, "method has a character HTTP does not allow");

        /* Go's URL parser refuses control bytes in the target; so does dockerd, before any plugin. */
        for (const char *p = uri; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return fail(err, -EINVAL, "control byte in the request target");

        rc = split_target(uri, &raw_path, &raw_query, err);
        if (rc < 0)
                return rc;

        rc = decode_path(raw_path, r->path, sizeof(r->path), err);
        if (rc < 0)
                goto out;
        rc = check_clean(r->path, err);
        if (rc < 0)
                goto out;

        vlen = version_length(r->path);
        if (vlen > 0) {
                if (vlen >= sizeof(r->version)) {
                        rc = fail(err, -E2BIG, "API version longer than %zu bytes", sizeof(r->version) - 1);
                        goto out;
                }
                memcpy(r->version, r->path + 2, vlen);
                r->version[vlen] = '\0';
                r->has_version = true;
                memmove(r->path, r->path + 2 + vlen, strlen(r->path + 2 + vlen) + 1);
        }
        memcpy(r->method, method, mlen + 1);

        rc = query_parse(raw_query, &r->query);
        if (rc == -E2BIG) {
                rc = fail(err, rc, "query has more than %d parameters or %d bytes", QUERY_MAX_PAIRS,
                          QUERY_MAX_BYTES);
                goto out;
        } else if (rc < 0) {
                rc = fail(err, rc, "%s", raw_query && strchr(raw_query, ';') ?
                          "query contains ';', which Go (and so dockerd) refuses as a separator" :
                          "query has an invalid %-escape or a %00 byte");
                goto out;
        }

        path = r->path;
        for (size_t i = 0; i < sizeof(ROUTES) / sizeof(ROUTES[0]); i++) {
                if (method_matches(&ROUTES[i], method, &pattern) &&
                    tpl_match(ROUTES[i].tpl, path, strlen(path), &cap)) {
                        row = &ROUTES[i];
                        break;
                }
        }

        if (row) {
                if (cap.len >= sizeof(r->param)) {
                        rc = fail(err, -E2BIG, "route parameter longer than %zu bytes", sizeof(r->param) - 1);
                        goto out;
                }
                if (cap.len > 0)
                        memcpy(r->param, cap.p, cap.len);
                r->param[cap.len] = '\0';
                r->action = row->action;
                r->pattern = pattern;
                r->rule = row->action == ROUTE_DENY ? rule_id(row->rule) : NULL;
                r->rule_code = row->rule;
                r->reason = row->reason;
                r->body_required = row->body_required;
        } else {
                r->action = ROUTE_UNKNOWN;
        }

        return 0;
out:
        route_reset(r);
        return rc;
}

/* Go's strconv.Atoi as moby's versions.compare uses it: an optional sign and decimal digits,
 * saturating on overflow; anything else (including "") is 0 because the error is ignored. */
static long long version_part(const char *s, size_t len)
{
        bool neg = false;
        long long v = 0;
        size_t i = 0;

        if (len > 0 && (s[0] == '+' || s[0] == '-')) {
                neg = s[0] == '-';
                i = 1;
        }
        if (i == len)
                return 0;
        for (size_t j = i; j < len; j++)
                if (s[j] < '0' || s[j] > '9')
                        return 0;
        for (; i < len; i++) {
                int d = s[i] - '0';
                if (v > (LLONG_MAX - d) / 10)
                        return neg ? LLONG_MIN : LLONG_MAX;
                v = v * 10 + d;
        }
        return neg ? -v : v;
}

int api_version_compare(const char *a, const char *b)
{
        if (!a)
                a = "";
        if (!b)
                b = "";

        /* Walk both strings part by part; a string that has run out contributes 0s. */
        for (;;) {
                size_t alen = strcspn(a, "."), blen = strcspn(b, ".");
                long long x = version_part(a, alen);
                long long y = version_part(b, blen);

                if (x != y)
                        return x < y ? -1 : 1;
                if (a[alen] == '\0' && b[blen] == '\0')
                        return 0;
                a = a[alen] ? a + alen + 1 : a + alen;
                b = b[blen] ? b + blen + 1 : b + blen;
        }
}

const char *route_action_name(enum route_action a)
{
        switch (a) {
        case ROUTE_UNKNOWN:          return "unknown";
        case ROUTE_ALLOW:            return "allow";
        case ROUTE_DENY:             return "deny";
        case ROUTE_CONTAINER_CREATE: return "container_create";
        case ROUTE_CONTAINER_START:  return "container_start";
        case ROUTE_CONTAINER_UPDATE: return "container_update";
        case ROUTE_EXEC_CREATE:      return "exec_create";
        case ROUTE_EXEC_START:       return "exec_start";
        case ROUTE_NETWORK_CONNECT:  return "network_connect";
        case ROUTE_NETWORK_CREATE:   return "network_create";
        case ROUTE_VOLUME_CREATE:    return "volume_create";
        case ROUTE_BUILD:            return "build";
        case ROUTE_ARCHIVE_PUT:      return "archive_put";
        case ROUTE_CONTAINER_RENAME: return "container_rename";
        }
        return "invalid";
}
