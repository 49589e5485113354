/* Unit tests for authz/decide: AuthZReq envelopes to decisions.
 *
 * 1. Every real envelope recorded from dockerd 20.10.24 (tests/fixtures/dockerd-20.10.24 from the
 *    repository root, where make runs the tests; ARANDU_FIXTURES overrides the directory) is decided with the default policy,
 *    DOCKER_REPOS_DIR=/srv/arandu/repos and DOCKER_ARTIFACTS_DIR=/srv/arandu/artifacts, against the
 *    expectations of that directory's README (here with the exact rule ids).  A fixture file the
 *    table does not know fails the test, so does a table row without its file.
 * 2. Envelope edge cases: what dockerd could send, or an attacker could make it send. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/decide.h"
#include "authz/recheck.h"
#include "policy/gojson.h"
#include "policy/decision.h"
#include "policy/policy.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

/* --- the recorded fixtures ------------------------------------------------------------------- */

#define LIMITS "user,cpu,memory,network,rootfs"   /* what a plain `docker create bb id` lacks */

struct fixture {
        const char *scenario;      /* file name up to ".cli" */
        const char *suffix;        /* "" or ".2" (second request of the command) */
        const char *rules;         /* exact rule ids; "" = allow */
        const char *route;         /* info.route */
};

static const struct fixture fixtures[] = {
        { "compliant", "", "", "POST /containers/create" },
        { "privileged", "", "privileged," LIMITS, "POST /containers/create" },
        { "capadd", "", "privileges," LIMITS, "POST /containers/create" },
        { "pidhost", "", "namespaces," LIMITS, "POST /containers/create" },
        { "nethost", "", LIMITS, "POST /containers/create" },
        { "device", "", "devices," LIMITS, "POST /containers/create" },
        { "secopt", "", "privileges," LIMITS, "POST /containers/create" },
        { "bindroot", "", "mounts," LIMITS, "POST /containers/create" },
        { "mountbind", "", "mounts", "POST /containers/create" },
        { "tmpfs", "", "mounts", "POST /containers/create" },
        { "sysctl", "", "kernel," LIMITS, "POST /containers/create" },
        { "norestrict", "", LIMITS, "POST /containers/create" },
        { "userroot", "", "user", "POST /containers/create" },
        { "cpuquota", "", "", "POST /containers/create" },
        { "pidslimit", "", "kernel", "POST /containers/create" },
        { "volfrom", "", "mounts", "POST /containers/create" },
        { "exec-root", "", "", "GET /containers/{name:.*}/json" },
        { "exec-root", ".2", "privileged,user", "POST /containers/{name:.*}/exec" },
        { "update", "", "", "POST /containers/{name:.*}/update" },
        { "netconnect", "", "network", "POST /networks/{id:.*}/connect" },
        { "volcreate", "", "volumes", "POST /volumes/create" },
        { "start", "", "", "POST /containers/{name:.*}/start" },
        { "cp", "", "", NULL },
        { "rm", "", "", NULL },
        { "rm", ".2", "", NULL },
};

#define N_FIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* "secopt.cli28.2.2.2.req.json" -> scenario "secopt", suffix ".2" (CLI versions have 3 parts). */
static const struct fixture *fixture_for(const char *file)
{
        const char *cli = strstr(file, ".cli");
        const char *end = strstr(file, ".req.json");
        if (!cli || !end || end[9] != '\0')
                return NULL;
        /* skip the three version parts */
        const char *v = cli + 4;
        for (int dots = 0; v < end && dots < 3; v++)
                if (*v == '.')
                        dots++;
        /* v is after the third dot (or at end): when it is not at end, what remains is the suffix */
        char suffix[16] = "";
        if (v < end) {
                /* the version had 3 parts and a suffix ".N" follows: v points just past that dot */
                snprintf(suffix, sizeof(suffix), ".%.*s", (int) (end - v), v);
        }
        size_t slen = (size_t) (cli - file);
        for (size_t i = 0; i < N_FIXTURES; i++)
                if (strlen(fixtures[i].scenario) == slen && strncmp(fixtures[i].scenario, file, slen) == 0 &&
                    strcmp(fixtures[i].suffix, suffix) == 0)
                        return &fixtures[i];
        return NULL;
}

static void test_fixtures(void)
{
        struct policy *p = tu_fixture_policy();
        const char *dir = tu_fixtures_dir();
        DIR *d = opendir(dir);
        if (!d)
                fprintf(stderr, "\n  cannot open fixture directory %s\n", dir);
        CU_ASSERT_FATAL(d != NULL);

        unsigned seen[N_FIXTURES] = { 0 };
        size_t files = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (!strstr(e->d_name, ".req.json"))
                        continue;
                files++;
                const struct fixture *f = fixture_for(e->d_name);
                if (!f)
                        fprintf(stderr, "\n  fixture %s has no expectation\n", e->d_name);
                CU_ASSERT_PTR_NOT_NULL(f);
                if (!f)
                        continue;
                seen[f - fixtures]++;

                char path[4096];
                tu_path(path, sizeof(path), "%s/%s", dir, e->d_name);
                size_t len = 0;
                char *env = tu_read_file(path, &len);
                CU_ASSERT_FATAL(env != NULL);
                struct decision dec;
                struct request_info info;
                decide_request(p, env, len, &dec, &info);
                bool ok = dec.complete && dec.allow == (f->rules[0] == '\0') && tu_rules_are(&dec, f->rules) &&
                          tu_texts_well_formed(&dec) && (!f->route || strcmp(info.route, f->route) == 0);
                if (!ok) {
                        fprintf(stderr, "\n  want [%s] route %s, got route %s", f->rules, f->route ? f->route : "-", info.route);
                        tu_dump(e->d_name, &dec);
                }
                CU_ASSERT_TRUE(ok);
                if (strcmp(f->scenario, "compliant") == 0) {
                        CU_ASSERT_STRING_EQUAL(info.method, "POST");
                        CU_ASSERT_STRING_EQUAL(info.image, "bb");
                        CU_ASSERT_TRUE(strncmp(info.container_name, "c-", 2) == 0);
                }
                free(env);
        }
        closedir(d);
        CU_ASSERT_TRUE(files >= 2 * N_FIXTURES - 1);  /* two CLIs per scenario; "rm.2" only for 28.2.2 */
        for (size_t i = 0; i < N_FIXTURES; i++) {
                if (!seen[i])
                        fprintf(stderr, "\n  no fixture file for %s%s\n", fixtures[i].scenario, fixtures[i].suffix);
                CU_ASSERT_TRUE(seen[i] > 0);
        }
        policy_unref(p);
}

/* The same recorded compliant create under the full default policy: the pids and no-new-privileges
 * rules, which its flags predate, are the only two it breaks. */
static void test_fixtures_default_policy(void)
{
        struct policy *p = tu_policy(TU_FIXTURE_REPOS, TU_FIXTURE_ARTIFACTS);
        const char *names[] = { "compliant.cli20.10.24.req.json", "compliant.cli28.2.2.req.json" };
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                char path[4096];
                size_t len = 0;
                tu_path(path, sizeof(path), "%s/%s", tu_fixtures_dir(), names[i]);
                char *env = tu_read_file(path, &len);
                CU_ASSERT_FATAL(env != NULL);
                struct decision dec;
                struct request_info info;
                decide_request(p, env, len, &dec, &info);
                bool ok = dec.complete && !dec.allow && tu_rules_are(&dec, "pids,privileges");
                if (!ok)
                        tu_dump(names[i], &dec);
                CU_ASSERT_TRUE(ok);
                free(env);
        }
        policy_unref(p);
}

/* --- envelopes built here -------------------------------------------------------------------- */

static char *b64(const char *in, size_t len)
{
        static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char *out = malloc(len / 3 * 4 + 5);
        CU_ASSERT_FATAL(out != NULL);
        size_t o = 0, i = 0;
        for (; i + 2 < len; i += 3) {
                unsigned n = (unsigned char) in[i] << 16 | (unsigned char) in[i + 1] << 8 | (unsigned char) in[i + 2];
                out[o++] = tbl[n >> 18];
                out[o++] = tbl[n >> 12 & 63];
                out[o++] = tbl[n >> 6 & 63];
                out[o++] = tbl[n & 63];
        }
        if (i < len) {
                unsigned n = (unsigned char) in[i] << 16 | (i + 1 < len ? (unsigned char) in[i + 1] << 8 : 0);
                out[o++] = tbl[n >> 18];
                out[o++] = tbl[n >> 12 & 63];
                out[o++] = i + 1 < len ? tbl[n >> 6 & 63] : '=';
                out[o++] = '=';
        }
        out[o] = '\0';
        return out;
}

/* An AuthZReq envelope as dockerd writes it.  body NULL: no RequestBody key; raw_b64: use as is. */
static char *envelope(const char *method, const char *uri, const char *body, const char *raw_b64,
                      const char *content_type)
{
        json_t *env = json_object();
        if (method)
                json_object_set_new(env, "RequestMethod", json_string(method));
        if (uri)
                json_object_set_new(env, "RequestUri", json_string(uri));
        json_t *headers = json_object();
        if (content_type)
                json_object_set_new(headers, "Content-Type", json_string(content_type));
        json_object_set_new(headers, "User-Agent", json_string("Docker-Client/28.2.2 (linux)"));
        json_object_set_new(env, "RequestHeaders", headers);
        if (body) {
                char *enc = b64(body, strlen(body));
                json_object_set_new(env, "RequestBody", json_string(enc));
                free(enc);
        } else if (raw_b64) {
                json_object_set_new(env, "RequestBody", json_string(raw_b64));
        }
        char *text = json_dumps(env, JSON_COMPACT);
        json_decref(env);
        CU_ASSERT_FATAL(text != NULL);
        return text;
}

static const char COMPLIANT[] =
        "{\"User\":\"1000\",\"Image\":\"bb\",\"Cmd\":[\"id\"],\"HostConfig\":{\"Binds\":[\"" TU_FIXTURE_REPOS "/demo:/workspace:ro\","
        "\"" TU_FIXTURE_ARTIFACTS "/demo:/artifacts\"],\"NetworkMode\":\"none\",\"ReadonlyRootfs\":true,\"Memory\":1073741824,"
        "\"NanoCpus\":1000000000},\"NetworkingConfig\":{\"EndpointsConfig\":{}}}";

struct env_case {
        const char *name;
        const char *method;
        const char *uri;
        const char *body;          /* encoded here */
        const char *raw_b64;       /* used as is when body is NULL */
        const char *content_type;
        const char *rules;         /* exact rule ids, "" = allow */
        const char *mention;
        bool complete;             /* did evaluation run to its end */
};

static const struct env_case env_cases[] = {
        /* allowed */
        { "GET list", "GET", "/v1.41/containers/json?all=1", NULL, NULL, NULL, "", NULL, true },
        { "GET without version", "GET", "/containers/json", NULL, NULL, NULL, "", NULL, true },
        { "HEAD ping", "HEAD", "/_ping", NULL, NULL, NULL, "", NULL, true },
        { "GET version", "GET", "/v1.41/version", NULL, NULL, NULL, "", NULL, true },
        { "GET info, 1.24", "GET", "/v1.24/info", NULL, NULL, NULL, "", NULL, true },
        { "GET info, 1.100", "GET", "/v1.100/info", NULL, NULL, NULL, "", NULL, true },
        { "create compliant", "POST", "/v1.41/containers/create?name=c", COMPLIANT, NULL, "application/json", "", NULL, true },
        { "create compliant, json charset", "POST", "/v1.41/containers/create", COMPLIANT, NULL, "application/json; charset=utf-8", "",
          NULL, true },
        { "create compliant, absolute-form target", "POST", "http://docker/v1.41/containers/create", COMPLIANT, NULL,
          "application/json", "", NULL, true },
        { "start", "POST", "/v1.41/containers/c/start", NULL, NULL, NULL, "", NULL, true },
        /* API versions before 1.24 let start carry a HostConfig */
        { "API 1.23", "GET", "/v1.23/containers/json", NULL, NULL, NULL, "api-version", "1.23", true },
        { "API 1.23 start", "POST", "/v1.23/containers/c/start", NULL, NULL, NULL, "api-version,shape", NULL, true },
        { "API 1.23 start with a HostConfig", "POST", "/v1.23/containers/c/start", "{\"Binds\":[\"/etc:/h\"]}", NULL,
          "application/json", "api-version,shape", "HostConfig at start", true },
        { "start with a body", "POST", "/v1.41/containers/c/start", "{\"Privileged\":true}", NULL, "application/json",
          "shape", "start without a body", true },
        { "start with {} (dockerd ignores up to 7 bytes)", "POST", "/v1.41/containers/c/start", "{}", NULL,
          "application/json", "", NULL, true },
        { "start with 7 bytes", "POST", "/v1.41/containers/c/start", "{ \"\":1}", NULL, "application/json", "", NULL, true },
        { "start with 8 bytes", "POST", "/v1.41/containers/c/start", "{ \"a\":1}", NULL, "application/json", "shape", NULL,
          true },
        { "API 1.23 restart", "POST", "/v1.23/containers/c/restart", NULL, NULL, NULL, "api-version", NULL, true },
        { "API 1.9", "GET", "/v1.9/info", NULL, NULL, NULL, "api-version", NULL, true },
        { "API 1.0", "GET", "/v1.0/info", NULL, NULL, NULL, "api-version", NULL, true },
        /* routes */
        { "unknown route", "GET", "/v1.41/frobnicate", NULL, NULL, NULL, "route", "/frobnicate", true },
        { "unknown method", "PATCH", "/v1.41/containers/c", NULL, NULL, NULL, "route", NULL, true },
        { "plugin disable", "POST", "/v1.41/plugins/arandu-authz/disable", NULL, NULL, NULL, "plugin", NULL, true },
        { "swarm init", "POST", "/v1.41/swarm/init", "{}", NULL, "application/json", "swarm", NULL, true },
        { "buildkit session", "POST", "/session", NULL, NULL, NULL, "buildkit", NULL, true },
        { "checkpoint create", "POST", "/v1.41/containers/c/checkpoints", "{}", NULL, "application/json", "checkpoint", NULL, true },
        { "start from checkpoint", "POST", "/v1.41/containers/c/start?checkpoint=cp", NULL, NULL, NULL, "checkpoint", NULL, true },
        { "build, host network", "POST", "/v1.41/build?networkmode=host", NULL, NULL, "application/x-tar", "build", NULL, true },
        { "build, query with ;", "POST", "/v1.41/build?networkmode=none;networkmode=host", NULL, NULL, NULL, "route", NULL, false },
        { "bad escape in path", "GET", "/v1.41/containers/%zz/json", NULL, NULL, NULL, "route", NULL, false },
        { "dot-dot path", "GET", "/v1.41/containers/../info", NULL, NULL, NULL, "route", NULL, false },
        /* bodies */
        { "create, no body", "POST", "/v1.41/containers/create", NULL, NULL, "application/json", "shape", "POST /containers/create", false },
        { "create, empty body", "POST", "/v1.41/containers/create", NULL, "", "application/json", "shape", NULL, false },
        { "create, body but form type", "POST", "/v1.41/containers/create", COMPLIANT, NULL, "application/x-www-form-urlencoded",
          "shape", "form", true },
        { "create, body but multipart", "POST", "/v1.41/containers/create", COMPLIANT, NULL, "multipart/form-data; boundary=x",
          "shape", NULL, true },
        { "create, no body, form type", "POST", "/v1.41/containers/create", NULL, NULL, "application/x-www-form-urlencoded", "shape",
          NULL, false },
        { "create, no body, text type", "POST", "/v1.41/containers/create", NULL, NULL, "text/plain", "shape", NULL, false },
        { "create, body, no type", "POST", "/v1.41/containers/create", COMPLIANT, NULL, NULL, "", NULL, true },
        { "create, duplicate key", "POST", "/v1.41/containers/create", "{\"User\":\"1000\",\"User\":\"0\"}", NULL, "application/json",
          "shape", NULL, false },
        { "create, trailing data", "POST", "/v1.41/containers/create", "{} {}", NULL, "application/json", "shape", NULL, false },
        { "create, array", "POST", "/v1.41/containers/create", "[]", NULL, "application/json", "shape", NULL, false },
        { "create, not JSON", "POST", "/v1.41/containers/create", "User=0", NULL, "application/json", "shape", NULL, false },
        { "exec, no body", "POST", "/v1.41/containers/c/exec", NULL, NULL, "application/json", "shape", NULL, false },
        { "update, no body", "POST", "/v1.41/containers/c/update", NULL, NULL, "application/json", "shape", NULL, false },
        { "volume, no body", "POST", "/v1.41/volumes/create", NULL, NULL, "application/json", "shape", NULL, false },
        { "connect, no body", "POST", "/v1.41/networks/bridge/connect", NULL, NULL, "application/json", "shape", NULL, false },
        { "exec privileged", "POST", "/v1.41/containers/c/exec", "{\"Privileged\":true,\"Cmd\":[\"sh\"]}", NULL, "application/json",
          "privileged", NULL, true },
        /* base64 */
        { "bad base64 characters", "POST", "/v1.41/containers/create", NULL, "!!!!", "application/json", "envelope", "base64", false },
        { "bad base64 length", "POST", "/v1.41/containers/create", NULL, "e30", "application/json", "envelope", NULL, false },
        { "bad base64 padding", "POST", "/v1.41/containers/create", NULL, "e3=9", "application/json", "envelope", NULL, false },
        { "base64 with newline", "POST", "/v1.41/containers/create", NULL, "e30=\ne30=", "application/json", "envelope", NULL, false },
        { "base64 url alphabet", "POST", "/v1.41/containers/create", NULL, "-_-_", "application/json", "envelope", NULL, false },
        { "base64 padding mid-way", "POST", "/v1.41/containers/create", NULL, "e30=e30=", "application/json", "envelope", NULL, false },
        { "base64 three pads", "POST", "/v1.41/containers/create", NULL, "e===", "application/json", "envelope", NULL, false },
        { "base64, two pads", "POST", "/v1.41/containers/c/update", NULL, "eyJhIjoxfQ==", "application/json", "shape", NULL, true },
        /* envelope fields */
        { "no RequestUri", "GET", NULL, NULL, NULL, NULL, "envelope", "RequestUri", false },
        { "no RequestMethod", NULL, "/v1.41/info", NULL, NULL, NULL, "envelope", NULL, false },
        { "empty RequestUri", "GET", "", NULL, NULL, NULL, "envelope", NULL, false },
};

static void check_env(const struct policy *p, const char *name, const char *text, size_t len, const char *rules,
                      const char *mention, bool complete)
{
        struct decision d;
        struct request_info info;
        decide_request(p, text, len, &d, &info);
        bool ok = d.allow == (rules[0] == '\0') && d.complete == complete && tu_rules_are(&d, rules) &&
                  (!mention || tu_mentions(&d, mention));
        char msg[4096];
        decision_message(&d, msg, sizeof(msg));
        /* the message dockerd shows names each rule once, next to its own text */
        if (rules[0])
                ok = ok && tu_message_names(msg, rules);
        if (!ok) {
                fprintf(stderr, "\n  want [%s] complete=%d", rules, complete);
                tu_dump(name, &d);
        }
        CU_ASSERT_TRUE(ok);
}

static void check_env_cases(const struct policy *p, const struct env_case *cases, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                const struct env_case *c = &cases[i];
                char *text = envelope(c->method, c->uri, c->body, c->raw_b64, c->content_type);
                check_env(p, c->name, text, strlen(text), c->rules, c->mention, c->complete);
                free(text);
        }
}

static void test_envelopes(void)
{
        struct policy *p = tu_fixture_policy();
        check_env_cases(p, env_cases, sizeof(env_cases) / sizeof(env_cases[0]));
        policy_unref(p);
}

/* Names dockerd could read as IDs, at create and rename; rename is rechecked like a start. */
static void test_names(void)
{
        static const struct env_case cases[] = {
                { "create named as hex", "POST", "/v1.41/containers/create?name=deadbeef", COMPLIANT, NULL, "application/json",
                  "names", "deadbeef", true },
                { "create named as a short ID", "POST", "/v1.41/containers/create?name=3f4e5d6c7b8a", COMPLIANT, NULL,
                  "application/json", "names", NULL, true },
                { "create named job-7", "POST", "/v1.41/containers/create?name=job-7", COMPLIANT, NULL, "application/json", "", NULL,
                  true },
                { "create named DEADBEEF", "POST", "/v1.41/containers/create?name=DEADBEEF", COMPLIANT, NULL, "application/json", "",
                  NULL, true },
                { "rename to hex", "POST", "/v1.41/containers/job/rename?name=cafe", NULL, NULL, NULL, "names", "new name", true },
                { "rename to /hex", "POST", "/v1.41/containers/job/rename?name=%2Fcafe", NULL, NULL, NULL, "names", NULL, true },
                { "rename to job-8", "POST", "/v1.41/containers/job/rename?name=job-8", NULL, NULL, NULL, "", NULL, true },
        };
        struct policy *p = tu_fixture_policy();
        check_env_cases(p, cases, sizeof(cases) / sizeof(cases[0]));
        /* an allowed rename goes on to the second look of its source, like a start */
        struct decision d;
        struct request_info info;
        char *text = envelope("POST", "/v1.41/containers/job/rename?name=job-8", NULL, NULL, NULL);
        decide_request(p, text, strlen(text), &d, &info);
        CU_ASSERT(d.allow && info.recheck == RECHECK_CONTAINER && strcmp(info.target, "job") == 0);
        free(text);
        policy_unref(p);
}

/* A body dockerd reads and never showed the plugin (a form, which Go parses when the first of
 * several Content-Type headers says so; chunked): denied where the handler takes no JSON body. */
static void test_unseen_bodies(void)
{
        static const struct {
                const char *name, *method, *uri, *headers;   /* headers: JSON object members */
                const char *rules;
        } cases[] = {
                { "start, form body held back", "POST", "/v1.45/containers/job/start",
                  "\"Content-Type\":\"application/json\",\"Content-Length\":\"7\"", "shape" },
                { "rename, form body", "POST", "/v1.41/containers/job/rename?name=job-8",
                  "\"Content-Type\":\"application/json\",\"Content-Length\":\"13\"", "shape" },
                { "restart, chunked (no length)", "POST", "/v1.41/containers/job/restart", "\"Content-Type\":\"application/json\"",
                  "shape" },
                { "kill, chunked", "POST", "/v1.41/containers/job/kill", "\"Content-Type\":\"text/plain\"", "shape" },
                /* what clients send */
                { "start, CLI 20.10 (text/plain, length 0)", "POST", "/v1.41/containers/job/start",
                  "\"Content-Type\":\"text/plain\",\"Content-Length\":\"0\"", "" },
                { "start, docker-py (length 0)", "POST", "/v1.41/containers/job/start", "\"Content-Length\":\"0\"", "" },
                { "start, Go client 28 (nothing)", "POST", "/v1.51/containers/job/start", "\"User-Agent\":\"Docker-Client/28.5.2\"", "" },
                { "GET list", "GET", "/v1.41/containers/json", "\"Content-Type\":\"text/plain\",\"Content-Length\":\"0\"", "" },
                /* tar streams are never forwarded, and judged by their own rules */
                { "archive upload", "PUT", "/v1.41/containers/job/archive?path=/artifacts",
                  "\"Content-Type\":\"application/x-tar\",\"Content-Length\":\"10240\"", "" },
                { "image load", "POST", "/v1.41/images/load", "\"Content-Type\":\"application/x-tar\",\"Content-Length\":\"10240\"", "" },
                { "import from stdin", "POST", "/v1.41/images/create?fromSrc=-&repo=bb",
                  "\"Content-Type\":\"application/x-tar\",\"Content-Length\":\"10240\"", "" },
                { "import from a URL", "POST", "/v1.41/images/create?fromSrc=http%3A%2F%2F169.254.169.254%2Flatest&repo=bb",
                  "\"Content-Length\":\"0\"", "network" },
                { "pull", "POST", "/v1.41/images/create?fromImage=busybox&tag=latest", "\"Content-Length\":\"0\"", "" },
        };
        struct policy *p = tu_fixture_policy();
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char text[1024];
                snprintf(text, sizeof(text), "{\"RequestMethod\":\"%s\",\"RequestUri\":\"%s\",\"RequestHeaders\":{%s}}",
                         cases[i].method, cases[i].uri, cases[i].headers);
                check_env(p, cases[i].name, text, strlen(text), cases[i].rules, NULL, true);
        }
        policy_unref(p);
}

/* The request arena (gojson_arena_begin): a body bigger than its chunk spills to malloc and is
 * decided the same; and after every decision of this program, no JSON value outlived its request
 * (or the arena would have been retired). */
static void test_arena(void)
{
        struct policy *p = tu_fixture_policy();
        size_t n = 4000, cap = sizeof(COMPLIANT) + n * 120, o;
        char *body = malloc(cap);
        CU_ASSERT_FATAL(body != NULL);

        /* COMPLIANT with an Env of n 100-byte entries in front: ~400 KB, past the 256 KiB chunk. */
        o = (size_t) snprintf(body, cap, "{\"Env\":[");
        for (size_t i = 0; i < n; i++)
                o += (size_t) snprintf(body + o, cap - o, "%s\"V%04zu=%096d\"", i ? "," : "", i, 0);
        o += (size_t) snprintf(body + o, cap - o, "],%s", COMPLIANT + 1);
        CU_ASSERT_FATAL(o < cap);
        char *text = envelope("POST", "/v1.41/containers/create", body, NULL, "application/json");
        for (int round = 0; round < 3; round++)
                check_env(p, "create with a 400 KB Env", text, strlen(text), "", NULL, true);
        free(text);
        free(body);
        policy_unref(p);
        CU_ASSERT_TRUE(gojson_arena_usable());
}

static void test_raw_envelopes(void)
{
        static const struct {
                const char *name, *text;
        } cases[] = {
                { "not JSON", "RequestMethod=GET" },
                { "empty", "" },
                { "array", "[{\"RequestMethod\":\"GET\",\"RequestUri\":\"/info\"}]" },
                { "string", "\"GET /info\"" },
                { "null", "null" },
                { "empty object", "{}" },
                { "truncated", "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/info\"" },
                { "duplicate RequestUri", "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/info\",\"RequestUri\":\"/plugins/x/disable\"}" },
                { "RequestUri not a string", "{\"RequestMethod\":\"GET\",\"RequestUri\":1}" },
                { "RequestMethod not a string", "{\"RequestMethod\":[\"GET\"],\"RequestUri\":\"/info\"}" },
                { "RequestBody not a string", "{\"RequestMethod\":\"POST\",\"RequestUri\":\"/containers/create\",\"RequestBody\":{}}" },
                { "User not a string", "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/info\",\"User\":1}" },
        };
        struct policy *p = tu_fixture_policy();
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_env(p, cases[i].name, cases[i].text, strlen(cases[i].text), "envelope", NULL, false);

        /* the length is honoured: a NUL inside is not the end */
        static const char nul[] = "{\"RequestMethod\":\"GET\",\"RequestUri\":\"/info\"}\0junk";
        check_env(p, "NUL inside", nul, sizeof(nul) - 1, "envelope", NULL, false);
        check_env(p, "exact length", nul, strlen(nul), "", NULL, true);
        policy_unref(p);
}

static void test_request_info(void)
{
        struct policy *p = tu_fixture_policy();
        char *text = envelope("POST", "/v1.41/containers/create?name=job-1", COMPLIANT, NULL, "application/json");
        json_t *env = tu_json(text);
        free(text);
        json_object_set_new(env, "User", json_string("alice"));
        json_object_set_new(env, "UserAuthNMethod", json_string("TLS"));
        text = json_dumps(env, JSON_COMPACT);
        json_decref(env);

        struct decision d;
        struct request_info info;
        decide_request(p, text, strlen(text), &d, &info);
        CU_ASSERT_TRUE(d.allow);
        CU_ASSERT_STRING_EQUAL(info.method, "POST");
        CU_ASSERT_STRING_EQUAL(info.uri, "/v1.41/containers/create?name=job-1");
        CU_ASSERT_STRING_EQUAL(info.route, "POST /containers/create");
        CU_ASSERT_STRING_EQUAL(info.user, "alice");
        CU_ASSERT_STRING_EQUAL(info.authn, "TLS");
        CU_ASSERT_STRING_EQUAL(info.container_name, "job-1");
        CU_ASSERT_STRING_EQUAL(info.image, "bb");
        free(text);

        /* an unparsable envelope still yields a complete, denied decision and an "unknown" route */
        decide_request(p, "x", 1, &d, &info);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_STRING_EQUAL(info.route, "unknown");

        /* a very long URI is truncated in info, never overflowing it */
        char uri[2048];
        memset(uri, 'a', sizeof(uri) - 1);
        uri[0] = '/';
        uri[sizeof(uri) - 1] = '\0';
        text = envelope("GET", uri, NULL, NULL, NULL);
        decide_request(p, text, strlen(text), &d, &info);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_EQUAL(strlen(info.uri), sizeof(info.uri) - 1);
        free(text);
        policy_unref(p);
}

static void test_response(void)
{
        static const char res[] =
                "{\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.41/containers/create\",\"RequestHeaders\":{},"
                "\"ResponseStatusCode\":201,\"ResponseHeaders\":{},\"ResponseBody\":\"e30=\"}";
        struct request_info info;
        CU_ASSERT_EQUAL(decide_read_response(res, strlen(res), &info), 0);
        CU_ASSERT_EQUAL(info.status, 201);
        CU_ASSERT_STRING_EQUAL(info.method, "POST");
        CU_ASSERT_STRING_EQUAL(info.uri, "/v1.41/containers/create");
        CU_ASSERT_EQUAL(decide_read_response("[]", 2, &info), -EINVAL);
        CU_ASSERT_EQUAL(decide_read_response("{\"RequestUri\":1}", 16, &info), -EINVAL);
}

static void test_bare_body(void)
{
        struct policy *p = tu_fixture_policy();
        struct decision d;
        struct request_info info;
        decide_create_body(p, COMPLIANT, strlen(COMPLIANT), &d, &info);
        CU_ASSERT_TRUE(d.allow);
        CU_ASSERT_STRING_EQUAL(info.route, "POST /containers/create");
        CU_ASSERT_STRING_EQUAL(info.image, "bb");

        static const char root[] = "{\"User\":\"0\",\"Image\":\"bb\"}";
        decide_create_body(p, root, strlen(root), &d, &info);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_TRUE(tu_rules_are(&d, LIMITS));

        static const char dup[] = "{\"User\":\"1000\",\"User\":\"0\"}";
        decide_create_body(p, dup, strlen(dup), &d, &info);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_TRUE(tu_rules_are(&d, "shape"));

        decide_create_body(p, "", 0, &d, &info);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_TRUE(decision_has(&d, "shape"));
        policy_unref(p);
}

static const struct cu_test fixture_tests[] = {
        { "recorded dockerd 20.10.24 envelopes", test_fixtures },
        { "recorded compliant creates, full default policy", test_fixtures_default_policy },
        { NULL, NULL },
};

static const struct cu_test envelope_tests[] = {
        { "built envelopes: routes, versions, bodies, base64", test_envelopes },
        { "names that read as IDs, rename judged like a start", test_names },
        { "bodies dockerd reads and never showed", test_unseen_bodies },
        { "raw envelopes that are not what dockerd sends", test_raw_envelopes },
        { "request info for the audit log", test_request_info },
        { "AuthZRes envelopes", test_response },
        { "bare create bodies (check)", test_bare_body },
        { "request arena: large bodies, nothing outlives a request", test_arena },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "fixtures", fixture_tests },
        { "envelopes", envelope_tests },
};

CU_MAIN_FIXTURE_ROOTS(SUITES)
