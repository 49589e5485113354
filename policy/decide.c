/* From an AuthZ envelope to a decision (see decide.h).
 *
 * The envelope is dockerd's JSON with exact wire keys (RequestMethod, RequestUri, RequestBody as
 * base64, RequestHeaders ...); any key may be missing.  Every path out of here without a complete
 * evaluation leaves the decision denied, with a reason. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strcasestr */
#endif
#include "policy/decide.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/view.h"
#include "policy/route.h"
#include "policy/base64.h"
#include "policy/query.h"
#include "policy/actions.h"
#include "policy/eval.h"
#include "policy/gojson.h"
#include "policy/sha256.h"

#define MIN_API_VERSION "1.24"  /* older versions let POST /containers/{id}/start carry a HostConfig */

/* Copy, truncating to fit (callers that must not act on a truncated value check the length). */
static void copy_str(char *dst, size_t size, const char *src)
{
        size_t n = src ? strnlen(src, size - 1) : 0;
        if (n)
                memcpy(dst, src, n);
        dst[n] = '\0';
}

/* Query parameters whose values are secrets by nature (build args are how people pass tokens to a
 * build, however often they are told not to). */
static bool secret_query_key(const char *key, size_t len)
{
        return len == 9 && memcmp(key, "buildargs", 9) == 0;
}

/* Does the (still percent-encoded) query value hold a URL with credentials, scheme://user[:pw]@host
 * (remote= of a build, fromSrc= of an import)? */
static bool url_with_userinfo(const char *v, size_t len)
{
        char dec[1024];
        size_t n = 0;

        for (size_t i = 0; i < len && n < sizeof(dec) - 1; i++) {
                int hi, lo;
                if (v[i] == '%' && i + 2 < len && (hi = hex_value(v[i + 1])) >= 0 &&
                    (lo = hex_value(v[i + 2])) >= 0) {
                        dec[n++] = (char) (hi << 4 | lo);
                        i += 2;
                } else
                        dec[n++] = v[i];
        }
        dec[n] = '\0';
        const char *auth = strstr(dec, "://");
        if (!auth)
                return false;
        auth += 3;
        size_t host_end = strcspn(auth, "/?#");
        return memchr(auth, '@', host_end) != NULL;
}

/* The URI for the audit log: as received, except that secret query values become "REDACTED".
 * Always NUL-terminated, truncated to size. */
static void redact_uri(const char *uri, char *dst, size_t size)
{
        size_t o = 0;
        const char *q;

        if (!uri)
                uri = "";
        q = strchr(uri, '?');
        size_t head = q ? (size_t) (q - uri) + 1 : strlen(uri);
        if (head > size - 1)
                head = size - 1;
        memcpy(dst, uri, head);
        o = head;
        for (const char *p = q ? q + 1 : NULL; p && o < size - 1;) {
                size_t plen = strcspn(p, "&;");
                const char *eq = memchr(p, '=', plen);
                size_t klen = eq ? (size_t) (eq - p) : plen;
                bool hide = eq && (secret_query_key(p, klen) ||
                                   url_with_userinfo(eq + 1, plen - klen - 1));
                size_t n = hide ? klen + 1 : plen;
                if (n > size - 1 - o)
                        n = size - 1 - o;
                memcpy(dst + o, p, n);
                o += n;
                if (hide) {
                        static const char redacted[] = "REDACTED";
                        size_t r = sizeof(redacted) - 1 < size - 1 - o ? sizeof(redacted) - 1 : size - 1 - o;
                        memcpy(dst + o, redacted, r);
                        o += r;
                }
                if (p[plen] == '\0')
                        break;
                if (o < size - 1)
                        dst[o++] = p[plen];
                p += plen + 1;
        }
        dst[o] = '\0';
}

/* The body's fingerprint for the audit log, except for the routes whose body is a credential: a
 * login's or a secret's digest could be brute-forced back to a weak password. */
static void note_body_digest(const char *route, const char *raw, size_t len, struct request_info *info)
{
        if (len == 0 || strcmp(route, "POST /auth") == 0 || strncmp(route, "POST /secrets", 13) == 0)
                return;
        (void) sha256_hex(raw, len, info->body_sha256);   /* on failure "": the field is left out */
}

/* Envelope string field: missing/null -> NULL; another type -> -EINVAL. */
static int env_string(json_t *env, const char *key, const char **ret)
{
        json_t *v = json_object_get(env, key);
        *ret = NULL;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v))
                return -EINVAL;
        *ret = json_string_value(v);
        return 0;
}

/* Record a create's image for the audit log (never the body itself). */
static void note_image(json_t *body, struct request_info *info)
{
        const char *key;
        json_t *v;

        if (!body || !json_is_object(body))
                return;
        json_object_foreach(body, key, v)
                if (gojson_key_matches(key, "Image") && json_is_string(v))
                        copy_str(info->image, sizeof(info->image), json_string_value(v));
}

/* The request passes only once the second look at `param` (dockerd's own view) passes too. */
static void want_recheck(struct request_info *info, enum recheck_kind kind, const char *param, struct decision *d)
{
        info->recheck = kind;
        copy_str(info->target, sizeof(info->target), param);
        if (strlen(param) >= sizeof(info->target))
                decision_add(d, RULE_RECHECK, "the %s is too long to look up", kind == RECHECK_EXEC ? "exec id" : "container name");
}

static void decide_routed(const struct policy *p, const struct route *rt, json_t *body, struct decision *d,
                          struct request_info *info)
{
        switch (rt->action) {
        case ROUTE_ALLOW:
                if (rt->pattern && strcmp(rt->pattern, "POST /images/create") == 0) {
                        /* fromSrc=URL: dockerd fetches any URL for the client, and shows it the answer */
                        const char *src = query_get(&rt->query, "fromSrc");
                        if (src && src[0] && strcmp(src, "-") != 0)
                                decision_add(d, RULE_NETWORK, "POST /images/create?fromSrc=URL makes dockerd fetch a URL for the client; import from a file instead (docker import FILE, or fromSrc=- with the tar as the body)");
                }
                break;
        case ROUTE_EXEC_START:
                want_recheck(info, RECHECK_EXEC, rt->param, d);
                break;
        case ROUTE_UNKNOWN: {
                char q[200];
                quote_value(rt->path, 160, q, sizeof(q));
                decision_add(d, RULE_ROUTE, "%s %s is not a Docker Engine API route the plugin knows, and it denies what it cannot classify; check the path and method (or ask the admin to classify the route)",
                             rt->method, q);
                break;
        }
        case ROUTE_DENY:
                decision_add(d, rt->rule ? rt->rule_code : RULE_ROUTE, "%s is not allowed: %s", rt->pattern,
                             rt->reason ? rt->reason : "denied by policy");
                break;
        case ROUTE_CONTAINER_CREATE:
                copy_str(info->container_name, sizeof(info->container_name), query_get(&rt->query, "name"));
                eval_container_name(query_get(&rt->query, "name"), "?name=", d);
                note_image(body, info);
                eval_container_create(p, body, d);
                break;
        case ROUTE_CONTAINER_START:
                eval_container_start(p, &rt->query, d);
                want_recheck(info, RECHECK_CONTAINER, rt->param, d);
                break;
        case ROUTE_CONTAINER_RENAME:
                /* Judged like a start: a container that may not start may not take a name that a
                 * start was judged by. */
                eval_container_name(query_get(&rt->query, "name"), "the new name", d);
                want_recheck(info, RECHECK_CONTAINER, rt->param, d);
                break;
        case ROUTE_CONTAINER_UPDATE:
                eval_container_update(p, body, d);
                break;
        case ROUTE_EXEC_CREATE:
                eval_exec_create(p, body, d);
                break;
        case ROUTE_NETWORK_CONNECT:
                eval_network_connect(p, rt->param, body, d);
                break;
        case ROUTE_NETWORK_CREATE:
                eval_network_create(p, body, d);
                break;
        case ROUTE_VOLUME_CREATE:
                eval_volume_create(p, body, d);
                break;
        case ROUTE_BUILD:
                eval_build(p, &rt->query, d);
                break;
        case ROUTE_ARCHIVE_PUT:
                eval_archive_put(p, d);
                break;
        }
}

/* The routes whose handlers read a body that is not JSON (tar streams): dockerd never forwards it. */
static bool streams_body(const struct route *rt)
{
        static const char *const streaming[] = {
                "POST /images/load", "POST /images/create", "POST /plugins/create", NULL
        };
        if (rt->action == ROUTE_ARCHIVE_PUT || rt->action == ROUTE_BUILD)
                return true;
        for (size_t i = 0; rt->pattern && streaming[i]; i++)
                if (strcmp(rt->pattern, streaming[i]) == 0)
                        return true;
        return false;
}

/* A body dockerd read and the plugin never saw: Go's ParseForm reads one when the *first*
 * Content-Type is a form (the plugin is shown the last), before the handler looks the container up;
 * a client holding it back holds the request between the plugin's look and dockerd's.  Go hides a
 * chunked body's length, so a Content-Type without a Content-Length is one too. */
static void check_unseen_body(const struct route *rt, json_t *headers, size_t raw_len, struct decision *d)
{
        const char *key, *length = NULL;
        bool typed = false;
        json_t *v;

        if (raw_len > 0 || rt->body_required || streams_body(rt))
                return;
        json_object_foreach(headers, key, v) {
                if (strcasecmp(key, "Content-Length") == 0 && json_is_string(v))
                        length = json_string_value(v);
                if (strcasecmp(key, "Content-Type") == 0)
                        typed = true;
        }
        if (length ? strcmp(length, "0") != 0 : typed)
                decision_add(d, RULE_SHAPE, "%s %s carries a body dockerd did not show the plugin (Content-Length %s); send no body, or JSON",
                             rt->method, rt->pattern ? rt->pattern : "", length ? length : "unknown, chunked");
}

/* Form bodies are read by Go's ParseForm into the same values as the query, and are never
 * forwarded to plugins: deny them.  Only the last Content-Type value reaches us (dockerd keeps the
 * last of repeated headers), so this is a backstop, never a reason to skip parsing. */
static bool form_content_type(json_t *headers)
{
        const char *key;
        json_t *v;
        json_object_foreach(headers, key, v) {
                if (strcasecmp(key, "Content-Type") != 0 || !json_is_string(v))
                        continue;
                const char *s = json_string_value(v);
                if (strcasestr(s, "application/x-www-form-urlencoded") || strcasestr(s, "multipart/"))
                        return true;
        }
        return false;
}

void decide_request(const struct policy *p, const char *envelope, size_t len,
                          struct decision *d, struct request_info *info)
{
        json_error_t jerr;
        json_t *env = NULL, *body = NULL;
        char *raw = NULL;
        size_t raw_len = 0;
        const char *method, *uri, *b64, *user, *authn;
        struct route *rt = NULL;
        struct route_error rerr = { { 0 } };
        int r;

        decision_init(d);
        memset(info, 0, sizeof(*info));
        copy_str(info->route, sizeof(info->route), "unknown");
        copy_str(info->policy_sha256, sizeof(info->policy_sha256), p ? p->sha256 : NULL);
        info->policy_serial = p ? p->serial : 0;

        gojson_arena_begin();   /* every JSON value below lives until `out` */
        env = gojson_loadb(envelope, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!env || !json_is_object(env)) {
                decision_add(d, RULE_ENVELOPE, "the AuthZ request from dockerd is not a JSON object (%s)", env ? "wrong type" : jerr.text);
                goto out;
        }
        if (env_string(env, "RequestMethod", &method) < 0 || env_string(env, "RequestUri", &uri) < 0 ||
            env_string(env, "RequestBody", &b64) < 0 || env_string(env, "User", &user) < 0 ||
            env_string(env, "UserAuthNMethod", &authn) < 0) {
                decision_add(d, RULE_ENVELOPE, "the AuthZ request has a field of the wrong type");
                goto out;
        }
        copy_str(info->method, sizeof(info->method), method);
        redact_uri(uri, info->uri, sizeof(info->uri));
        copy_str(info->user, sizeof(info->user), user);
        copy_str(info->authn, sizeof(info->authn), authn);
        if (!method || !uri || !method[0] || !uri[0]) {
                decision_add(d, RULE_ENVELOPE, "the AuthZ request has no RequestMethod or RequestUri");
                goto out;
        }

        rt = malloc(sizeof(*rt));
        if (!rt) {
                decision_add(d, RULE_ERROR, "out of memory");
                goto out;
        }
        r = route_parse(method, uri, rt, &rerr);
        if (r < 0) {
                decision_add(d, RULE_ROUTE, "the request target cannot be read as dockerd reads it: %s", rerr.text);
                goto out;
        }
        copy_str(info->route, sizeof(info->route), rt->pattern ? rt->pattern : "unknown");

        if (rt->has_version && api_version_compare(rt->version, MIN_API_VERSION) < 0)
                decision_add(d, RULE_API_VERSION, "API version %s is older than %s (old versions accept settings the plugin cannot see, such as a HostConfig on start); use API version %s or newer",
                             rt->version, MIN_API_VERSION, MIN_API_VERSION);

        json_t *headers = json_object_get(env, "RequestHeaders");
        if (json_is_object(headers) && form_content_type(headers))   /* json_is_object(NULL) is false */
                decision_add(d, RULE_SHAPE, "form-encoded and multipart requests are not allowed; send JSON");

        if (b64 && b64[0]) {
                r = base64_decode(b64, strlen(b64), &raw, &raw_len);
                if (r < 0) {
                        decision_add(d, RULE_ENVELOPE, "RequestBody is not valid base64");
                        goto out;
                }
                note_body_digest(info->route, raw, raw_len, info);
        }
        if (json_is_object(headers))
                check_unseen_body(rt, headers, raw_len, d);
        if (rt->pattern && strcmp(rt->pattern, "POST /containers/{name:.*}/start") == 0 &&
            ((rt->has_version && api_version_compare(rt->version, MIN_API_VERSION) < 0) || raw_len > 7)) {
                /* dockerd 20.10 applies a HostConfig sent with a start below API 1.24, after every
                 * look the plugin takes (a chunked one never reaches us); newer ones refuse it. */
                decision_add(d, RULE_SHAPE, "a start request carries a body (a HostConfig at start, which old API versions apply); start without a body, at API version %s or newer",
                             MIN_API_VERSION);
                d->forced = true;
        }
        if (rt->body_required) {
                /* dockerd forwards a body only when it is JSON and under its size cap; a request it
                 * will still act on may arrive here without one (CVE-2024-41110, CVE-2026-34040). */
                if (raw_len == 0) {
                        decision_add(d, RULE_SHAPE, "%s needs a JSON body the plugin can see, and dockerd forwarded none (empty, not application/json, chunked, or over 1 MiB)",
                                     rt->pattern);
                        goto out;
                }
                if (eval_parse_body(raw, raw_len, "request", &body, d) < 0)
                        goto out;
        }
        decide_routed(p, rt, body, d, info);
        decision_finish(d);
        policy_apply_rule_actions(p, d);
out:
        json_decref(body);
        json_decref(env);
        (void) gojson_arena_end();   /* 0: every value is released (test_decide checks) */
        free(raw);
        free(rt);
}

void decide_unreadable(const struct policy *p, int err, size_t cap, struct decision *d, struct request_info *info)
{
        decision_init(d);
        memset(info, 0, sizeof(*info));
        copy_str(info->route, sizeof(info->route), "unknown");
        copy_str(info->policy_sha256, sizeof(info->policy_sha256), p ? p->sha256 : NULL);
        info->policy_serial = p ? p->serial : 0;
        if (err == -E2BIG)
                decision_add(d, RULE_ENVELOPE, "the AuthZReq envelope is larger than %zu bytes", cap);
        else
                decision_add(d, RULE_INTERNAL, "out of memory while reading the AuthZReq envelope");
}

void decide_view_unavailable(struct decision *d, int err, unsigned queued_max)
{
        if (err == -EBUSY)
                decision_add(d, RULE_RECHECK, "%u starts are already waiting for their check of dockerd's view; retry",
                             queued_max);
        else if (err == -ENOMEM)
                decision_add(d, RULE_INTERNAL, "out of memory before checking dockerd's view");
        else
                decision_add(d, RULE_INTERNAL, "cannot start the check of dockerd's view (%s)", strerror(-err));
}

void decide_no_policy(const char *why, const char *envelope, size_t len, struct decision *d,
                      struct request_info *info)
{
        decision_init(d);
        memset(info, 0, sizeof(*info));
        if (envelope)   /* who asked for what, for the audit line; nothing is judged */
                (void) decide_read_response(envelope, len, info);
        copy_str(info->route, sizeof(info->route), "unknown");
        decision_add(d, RULE_POLICY, "no signed policy is in force yet, so every request is denied: %s",
                     why && *why ? why : "none has been received");
}

void decide_audit_failed(const struct policy *p, struct decision *d)
{
        if (!p || !p->deny_on_audit_failure)
                return;
        decision_add(d, RULE_AUDIT, "the audit log cannot be written and the policy sets "
                                 "deny_on_audit_failure; fix the audit log (disk space, permissions)");
}

int decide_read_response(const char *envelope, size_t len, struct request_info *info)
{
        json_error_t jerr;
        const char *method, *uri, *user, *authn;

        memset(info, 0, sizeof(*info));
        json_t *env = json_loadb(envelope, len, 0, &jerr);
        if (!env || !json_is_object(env)) {
                json_decref(env);
                return -EINVAL;
        }
        int r = 0;
        if (env_string(env, "RequestMethod", &method) < 0 || env_string(env, "RequestUri", &uri) < 0 ||
            env_string(env, "User", &user) < 0 || env_string(env, "UserAuthNMethod", &authn) < 0)
                r = -EINVAL;
        else {
                copy_str(info->method, sizeof(info->method), method);
                redact_uri(uri, info->uri, sizeof(info->uri));
                copy_str(info->user, sizeof(info->user), user);
                copy_str(info->authn, sizeof(info->authn), authn);
        }
        json_t *st = json_object_get(env, "ResponseStatusCode");
        if (json_is_integer(st))
                info->status = (int) json_integer_value(st);
        json_decref(env);
        return r;
}

void decide_create_body(const struct policy *p, const char *body, size_t len,
                              struct decision *d, struct request_info *info)
{
        json_t *v = NULL;

        decision_init(d);
        memset(info, 0, sizeof(*info));
        copy_str(info->method, sizeof(info->method), "POST");
        copy_str(info->route, sizeof(info->route), "POST /containers/create");
        copy_str(info->policy_sha256, sizeof(info->policy_sha256), p ? p->sha256 : NULL);
        info->policy_serial = p ? p->serial : 0;
        note_body_digest(info->route, body, len, info);
        if (eval_parse_body(body, len, "create", &v, d) < 0)
                return;
        note_image(v, info);
        eval_container_create(p, v, d);
        decision_finish(d);
        policy_apply_rule_actions(p, d);
        json_decref(v);
}
