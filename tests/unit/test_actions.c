/* Rule actions (policy file "rule_actions": warn instead of deny), the policy digest, and the audit
 * line built from a real decision: warn mode, body and policy digests, and no secrets. */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authz/audit.h"
#include "policy/decide.h"
#include "authz/version.h"
#include "policy/actions.h"
#include "policy/decision.h"
#include "policy/policy.h"
#include "policy/sha256.h"
#include "tests/unit/cutest.h"

/* A create that breaks only the rootfs rule (and carries a secret in its environment). */
static const char ROOTFS_ONLY[] =
        "{\"User\":\"1000\",\"Image\":\"bb\",\"Env\":[\"PASSWORD=hunter2\"],\"HostConfig\":{"
        "\"NetworkMode\":\"none\",\"ReadonlyRootfs\":false,\"Memory\":1073741824,\"NanoCpus\":1000000000,"
        "\"PidsLimit\":100,\"SecurityOpt\":[\"no-new-privileges\"]}}";
/* rootfs and privileged. */
static const char ROOTFS_PRIV[] =
        "{\"User\":\"1000\",\"Image\":\"bb\",\"HostConfig\":{\"Privileged\":true,"
        "\"NetworkMode\":\"none\",\"ReadonlyRootfs\":false,\"Memory\":1073741824,\"NanoCpus\":1000000000,"
        "\"PidsLimit\":100,\"SecurityOpt\":[\"no-new-privileges\"]}}";

static const char *no_env(const char *name)
{
        (void) name;
        return NULL;
}

/* Load a policy from JSON text through a temporary file.  0 and *ret, or the error with problems. */
static int load_text(const char *text, struct policy **ret, struct policy_problems *pr)
{
        char path[] = "/tmp/arandu-actions-XXXXXX";
        int fd = mkstemp(path);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t) strlen(text));
        close(fd);
        int r = policy_load(path, no_env, ret, pr);
        unlink(path);
        return r;
}

static bool problem_says(const struct policy_problems *pr, const char *needle)
{
        for (size_t i = 0; i < pr->n_errors && i < POLICY_PROBLEMS_MAX; i++)
                if (strstr(pr->errors[i], needle))
                        return true;
        return false;
}

static void set_warn(struct policy *p, const char *rule)
{
        int i = policy_rule_index(rule);
        CU_ASSERT_FATAL(i >= 0);
        p->warn_rules |= UINT64_C(1) << i;
}

static char *b64(const char *in)
{
        static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        size_t n = strlen(in), o = 0;
        char *out = malloc(n / 3 * 4 + 8);
        CU_ASSERT_FATAL(out != NULL);
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i += 3) {
                unsigned v = (unsigned char) in[i] << 16;
                if (i + 1 < n)
                        v |= (unsigned char) in[i + 1] << 8;
                if (i + 2 < n)
                        v |= (unsigned char) in[i + 2];
                out[o++] = t[v >> 18 & 63];
                out[o++] = t[v >> 12 & 63];
                out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
                out[o++] = i + 2 < n ? t[v & 63] : '=';
        }
        out[o] = '\0';
        return out;
}

static char *envelope(const char *method, const char *uri, const char *body, const char *registry_auth)
{
        json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "User", "alice", "UserAuthNMethod", "TLS",
                              "RequestMethod", method, "RequestUri", uri);
        json_t *h = json_pack("{s:s}", "Content-Type", "application/json");
        if (registry_auth)
                json_object_set_new(h, "X-Registry-Auth", json_string(registry_auth));
        json_object_set_new(o, "RequestHeaders", h);
        if (body) {
                char *e = b64(body);
                json_object_set_new(o, "RequestBody", json_string(e));
                free(e);
        }
        char *s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        CU_ASSERT_FATAL(s != NULL);
        return s;
}

/* Decide an envelope and format its audit line (parsed; the raw text in *ret_text). */
static json_t *decide_and_audit(const struct policy *p, const char *env, bool dry_run, struct decision *d,
                                char **ret_text)
{
        struct request_info info;
        char *line = NULL;
        size_t len = 0;

        decide_request(p, env, strlen(env), d, &info);
        CU_ASSERT_FATAL(audit_format_line(&info, d, dry_run, 5, NULL, &line, &len) == 0);
        CU_ASSERT(len > 0 && line[len - 1] == '\n' && memchr(line, '\n', len - 1) == NULL);
        json_t *o = json_loadb(line, len, 0, NULL);
        CU_ASSERT_FATAL(json_is_object(o));
        if (ret_text)
                *ret_text = line;
        else
                free(line);
        return o;
}

/* ---- the policy file -------------------------------------------------------------------------- */

static void test_config_rule_actions(void)
{
        struct policy_problems pr;
        struct policy *p = NULL;

        CU_ASSERT_FATAL(load_text("{\"rule_actions\": {\"rootfs\": \"warn\", \"pids\": \"warn\", "
                                  "\"memory\": \"deny\"}}", &p, &pr) == 0);
        CU_ASSERT(policy_rule_warns(p, RULE_ROOTFS));
        CU_ASSERT(policy_rule_warns(p, RULE_PIDS));
        CU_ASSERT(!policy_rule_warns(p, RULE_MEMORY));
        CU_ASSERT(!policy_rule_warns(p, RULE_PRIVILEGED));
        CU_ASSERT(!policy_rule_warns(p, RULE__MAX));
        /* each warn-rule is a warning at load time */
        bool warned = false;
        for (size_t i = 0; i < pr.n_warnings && i < POLICY_PROBLEMS_MAX; i++)
                warned |= strstr(pr.warnings[i], "rule rootfs only warns") != NULL;
        CU_ASSERT(warned);

        /* printed: only the warn-rules, in table order; loads back to the same digest */
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        CU_ASSERT_FATAL(f != NULL);
        CU_ASSERT(policy_print(p, f) == 0);
        (void) fclose(f);
        json_t *o = json_loads(text, 0, NULL);
        json_t *ra = json_object_get(o, "rule_actions");
        CU_ASSERT(json_object_size(ra) == 2);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ra, "rootfs")), "warn");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ra, "pids")), "warn");
        json_decref(o);
        struct policy *q = NULL;
        CU_ASSERT_FATAL(load_text(text, &q, &pr) == 0);
        CU_ASSERT_EQUAL(q->warn_rules, p->warn_rules);
        CU_ASSERT_STRING_EQUAL(q->sha256, p->sha256);
        free(text);
        policy_unref(q);
        policy_unref(p);
}

static void test_config_rule_actions_errors(void)
{
        static const struct { const char *json, *says; } bad[] = {
                { "{\"rule_actions\": {\"rootf\": \"warn\"}}", "\"rootf\" is not a rule id" },
                { "{\"rule_actions\": {\"rootfs\": \"allow\"}}", "expected \"deny\" or \"warn\"" },
                { "{\"rule_actions\": {\"rootfs\": true}}", "expected \"deny\" or \"warn\", got a boolean" },
                { "{\"rule_actions\": [\"rootfs\"]}", "policy file rule_actions: expected an object" },
                { "{\"rule_actions\": {\"shape\": \"warn\"}}", "\"shape\" cannot be set to warn" },
                { "{\"rule_actions\": {\"envelope\": \"warn\"}}", "cannot be set to warn" },
                { "{\"rule_actions\": {\"api-version\": \"warn\"}}", "\"api-version\" cannot be set to warn" },
                { "{\"rule_actions\": {\"route\": \"warn\"}}", "\"route\" cannot be set to warn" },
                { "{\"rule_actions\": {\"plugin\": \"warn\"}}", "out of dockerd's chain" },
                { "{\"rule_actions\": {\"audit\": \"warn\"}}", "cannot be set to warn" },
                { "{\"rule_actions\": {\"recheck\": \"warn\"}}", "cannot be set to warn" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct policy_problems pr;
                struct policy *p = NULL;
                CU_ASSERT(load_text(bad[i].json, &p, &pr) == -EINVAL);
                CU_ASSERT(p == NULL);
                if (!problem_says(&pr, bad[i].says))
                        (void) fprintf(stderr, "\n%s: expected a problem saying %s, got %s\n", bad[i].json,
                                bad[i].says, pr.n_errors ? pr.errors[0] : "(none)");
                CU_ASSERT(problem_says(&pr, bad[i].says));
        }
        /* deny is accepted for every rule, even those that cannot warn */
        struct policy_problems pr;
        struct policy *p = NULL;
        CU_ASSERT(load_text("{\"rule_actions\": {\"shape\": \"deny\", \"plugin\": \"deny\"}}", &p, &pr) == 0);
        CU_ASSERT(p && p->warn_rules == 0);
        policy_unref(p);
}

static void test_policy_digest(void)
{
        struct policy_problems pr;
        struct policy *a = NULL, *b = NULL, *c = NULL;
        char hex[65];

        CU_ASSERT_FATAL(load_text("{\"pids_limit\": 10, \"memory_limit\": \"4g\"}", &a, &pr) == 0);
        /* the same policy written differently: same digest */
        CU_ASSERT_FATAL(load_text("{\"memory_limit\": 4294967296, \"pids_limit\": 10}", &b, &pr) == 0);
        CU_ASSERT_FATAL(load_text("{\"pids_limit\": 11}", &c, &pr) == 0);
        CU_ASSERT_EQUAL(strlen(a->sha256), 64);
        CU_ASSERT_STRING_EQUAL(a->sha256, b->sha256);
        CU_ASSERT_STRING_NOT_EQUAL(a->sha256, c->sha256);
        /* it is the SHA-256 of policy_print's text */
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        CU_ASSERT_FATAL(f != NULL);
        CU_ASSERT(policy_print(a, f) == 0);
        (void) fclose(f);
        sha256_hex(text, len, hex);
        CU_ASSERT_STRING_EQUAL(hex, a->sha256);
        CU_ASSERT(policy_digest(a, hex) == 0);
        CU_ASSERT_STRING_EQUAL(hex, a->sha256);
        free(text);
        policy_unref(a);
        policy_unref(b);
        policy_unref(c);
}

/* ---- the decision ----------------------------------------------------------------------------- */

static void test_apply(void)
{
        struct policy *p = policy_new_default();
        struct decision d;

        CU_ASSERT_FATAL(p != NULL);
        set_warn(p, "rootfs");
        set_warn(p, "pids");

        /* only warn-rules: allowed, warned, violations kept */
        decision_init(&d);
        decision_add(&d, RULE_ROOTFS, "HostConfig.ReadonlyRootfs is false");
        decision_add(&d, RULE_PIDS, "no limit");
        decision_finish(&d);
        CU_ASSERT(!d.allow);
        policy_apply_rule_actions(p, &d);
        CU_ASSERT(d.allow && d.warned && d.n == 2);
        policy_apply_rule_actions(p, &d);   /* idempotent */
        CU_ASSERT(d.allow && d.warned && d.n == 2);

        /* a later violation (e.g. the audit log failing) denies again */
        decision_add(&d, RULE_AUDIT, "cannot write");
        CU_ASSERT(!d.allow && !d.warned);

        /* one deny-rule among them: denied */
        decision_init(&d);
        decision_add(&d, RULE_ROOTFS, "x");
        decision_add(&d, RULE_PRIVILEGED, "y");
        decision_finish(&d);
        policy_apply_rule_actions(p, &d);
        CU_ASSERT(!d.allow && !d.warned);

        /* incomplete evaluation, or a truncated list: denied */
        decision_init(&d);
        decision_add(&d, RULE_ROOTFS, "x");
        policy_apply_rule_actions(p, &d);
        CU_ASSERT(!d.allow && !d.warned);
        decision_init(&d);
        for (int i = 0; i < DECISION_MAX_VIOLATIONS + 1; i++)
                decision_add(&d, RULE_ROOTFS, "x");
        decision_finish(&d);
        CU_ASSERT(d.truncated);
        policy_apply_rule_actions(p, &d);
        CU_ASSERT(!d.allow && !d.warned);

        /* no violation: a plain allow, not warned */
        decision_init(&d);
        decision_finish(&d);
        policy_apply_rule_actions(p, &d);
        CU_ASSERT(d.allow && !d.warned);

        /* a refused rule's bit set by hand never warns */
        p->warn_rules |= UINT64_C(1) << policy_rule_index("shape");
        decision_init(&d);
        decision_add(&d, RULE_SHAPE, "x");
        decision_finish(&d);
        policy_apply_rule_actions(p, &d);
        CU_ASSERT(!d.allow);

        /* no policy: nothing changes */
        decision_init(&d);
        decision_add(&d, RULE_ROOTFS, "x");
        decision_finish(&d);
        policy_apply_rule_actions(NULL, &d);
        CU_ASSERT(!d.allow);
        policy_unref(p);
}

/* Every rule the table lists is a real id; every id the code can produce is in the table. */
static void test_rule_table(void)
{
        static const char *const used[] = {
                "user", "cpu", "memory", "pids", "limits", "logs", "restart", "network", "rootfs", "mounts", "privileged",
                "privileges", "namespaces", "devices", "kernel", "checkpoint", "volumes", "build",
                "buildkit", "swarm", "route", "api-version", "plugin", "shape", "envelope", "recheck",
                "audit", "error", "internal",
        };
        for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++)
                CU_ASSERT(policy_rule_index(used[i]) >= 0);
        CU_ASSERT(policy_rule_index("nope") == -ENOENT);
        CU_ASSERT(policy_rule_count() <= 64);
        CU_ASSERT(policy_rule_warn_refused((size_t) policy_rule_index("rootfs")) == NULL);
        CU_ASSERT(policy_rule_warn_refused((size_t) policy_rule_index("shape")) != NULL);
        CU_ASSERT(policy_rule_warn_refused((size_t) policy_rule_index("route")) != NULL);
        CU_ASSERT(policy_rule_warn_refused((size_t) policy_rule_index("api-version")) != NULL);
}

/* `check` and the server both see warnings: authz_decide_* applies the rule actions. */
static void test_decide_warns(void)
{
        struct policy *p = policy_new_default();
        struct request_info info;
        struct decision d;

        CU_ASSERT_FATAL(p != NULL);
        decide_create_body(p, ROOTFS_ONLY, strlen(ROOTFS_ONLY), &d, &info);
        CU_ASSERT(!d.allow);
        CU_ASSERT(decision_has(&d, "rootfs") && d.n == 1);

        set_warn(p, "rootfs");
        decide_create_body(p, ROOTFS_ONLY, strlen(ROOTFS_ONLY), &d, &info);
        CU_ASSERT(d.allow && d.complete && d.warned && d.n == 1);
        decide_create_body(p, ROOTFS_PRIV, strlen(ROOTFS_PRIV), &d, &info);
        CU_ASSERT(!d.allow && !d.warned);

        char *env = envelope("POST", "/v1.41/containers/create?name=w", ROOTFS_ONLY, NULL);
        decide_request(p, env, strlen(env), &d, &info);
        CU_ASSERT(d.allow && d.warned);
        free(env);
        policy_unref(p);
}

/* ---- the audit line --------------------------------------------------------------------------- */

static void test_audit_line_fields(void)
{
        struct policy_problems pr;
        struct policy *p = NULL;
        struct decision d;
        char hex[65];

        CU_ASSERT_FATAL(load_text("{\"rule_actions\": {\"rootfs\": \"warn\"}}", &p, &pr) == 0);

        /* warn: allowed, mode warn, the would-be violations listed */
        char *env = envelope("POST", "/v1.41/containers/create?name=job-7", ROOTFS_ONLY, NULL);
        json_t *o = decide_and_audit(p, env, false, &d, NULL);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "decision")), "allow");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "mode")), "warn");
        CU_ASSERT(json_array_size(json_object_get(o, "rules")) == 1);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(o, "rules"), 0)), "rootfs");
        CU_ASSERT(json_array_size(json_object_get(o, "reasons")) == 1);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "user")), "alice");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "authn")), "TLS");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "container_name")), "job-7");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "image")), "bb");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "route")), "POST /containers/create");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "version")), VERSION);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "policy_sha256")), p->sha256);
        sha256_hex(ROOTFS_ONLY, strlen(ROOTFS_ONLY), hex);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "body_sha256")), hex);
        CU_ASSERT(json_is_integer(json_object_get(o, "latency_us")));
        json_decref(o);

        /* dry-run: mode dry-run, the decision as the policy made it */
        o = decide_and_audit(p, env, true, &d, NULL);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "mode")), "dry-run");
        json_decref(o);
        free(env);

        /* a real deny: mode enforce */
        env = envelope("POST", "/v1.41/containers/create", ROOTFS_PRIV, NULL);
        o = decide_and_audit(p, env, false, &d, NULL);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "decision")), "deny");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "mode")), "enforce");
        CU_ASSERT(json_array_size(json_object_get(o, "rules")) == 2);
        json_decref(o);
        free(env);

        /* no body: no body digest */
        env = envelope("GET", "/v1.41/version", NULL, NULL);
        o = decide_and_audit(p, env, false, &d, NULL);
        CU_ASSERT(json_object_get(o, "body_sha256") == NULL);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "mode")), "enforce");
        json_decref(o);
        free(env);
        policy_unref(p);
}

static void test_audit_line_no_secrets(void)
{
        struct policy *p = policy_new_default();
        struct decision d;
        char *text;
        /* {"username":"u","password":"hunter2"} as the docker CLI base64url-encodes it */
        static const char registry_auth[] = "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6Imh1bnRlcjIifQ==";

        CU_ASSERT_FATAL(p != NULL);

        /* Env values, the registry credentials header: in neither allow nor deny lines */
        for (int warn = 0; warn < 2; warn++) {
                if (warn)
                        set_warn(p, "rootfs");
                char *env = envelope("POST", "/v1.41/containers/create?name=s", ROOTFS_ONLY, registry_auth);
                CU_ASSERT_FATAL(strstr(env, "hunter2") == NULL);   /* only base64 in the envelope */
                json_t *o = decide_and_audit(p, env, false, &d, &text);
                CU_ASSERT(strstr(text, "hunter2") == NULL);
                CU_ASSERT(strstr(text, "PASSWORD") == NULL);
                CU_ASSERT(strstr(text, registry_auth) == NULL);
                CU_ASSERT(strstr(text, "eyJ1c2Vy") == NULL);
                CU_ASSERT(strstr(text, "X-Registry-Auth") == NULL);
                json_decref(o);
                free(text);
                free(env);
        }

        /* image pull with the credentials header */
        char *env = envelope("POST", "/v1.41/images/create?fromImage=bb&tag=latest", NULL, registry_auth);
        json_t *o = decide_and_audit(p, env, false, &d, &text);
        CU_ASSERT(strstr(text, "eyJ1c2Vy") == NULL);
        CU_ASSERT(strstr(text, "fromImage=bb") != NULL);
        json_decref(o);
        free(text);
        free(env);

        /* build args and URLs with credentials in the query are redacted */
        env = envelope("POST", "/v1.41/build?t=x&buildargs=%7B%22TOKEN%22%3A%22hunter2%22%7D"
                       "&remote=https%3A%2F%2Fu%3Ahunter2%40github.com%2Fx.git&networkmode=none", NULL, NULL);
        o = decide_and_audit(p, env, false, &d, &text);
        CU_ASSERT(strstr(text, "hunter2") == NULL);   /* nor in the reasons */
        const char *uri = json_string_value(json_object_get(o, "uri"));
        CU_ASSERT_STRING_EQUAL(uri, "/v1.41/build?t=x&buildargs=REDACTED&remote=REDACTED&networkmode=none");
        json_decref(o);
        free(text);
        free(env);

        /* a login's body is a password: no digest of it either */
        env = envelope("POST", "/v1.41/auth", "{\"username\":\"u\",\"password\":\"hunter2\"}", NULL);
        o = decide_and_audit(p, env, false, &d, &text);
        CU_ASSERT(strstr(text, "hunter2") == NULL);
        CU_ASSERT(json_object_get(o, "body_sha256") == NULL);
        json_decref(o);
        free(text);
        free(env);
        policy_unref(p);
}

static const struct cu_test config_tests[] = {
        { "rule_actions load, print, round trip", test_config_rule_actions },
        { "rule_actions errors", test_config_rule_actions_errors },
        { "policy digest", test_policy_digest },
        { NULL, NULL },
};

static const struct cu_test decision_tests[] = {
        { "apply: all warn allows, anything else denies", test_apply },
        { "rule table", test_rule_table },
        { "decide applies rule actions", test_decide_warns },
        { NULL, NULL },
};

static const struct cu_test audit_tests[] = {
        { "line fields: mode, digests, version", test_audit_line_fields },
        { "no env values, credentials or build args", test_audit_line_no_secrets },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "actions/config", config_tests },
        { "actions/decision", decision_tests },
        { "actions/audit", audit_tests },
};

CU_MAIN(SUITES)
