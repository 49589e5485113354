/* Unit tests for the second look: the daemon's own view of a container or exec
 * (eval_container_view, eval_exec_view).
 *
 * tests/data/inspect-compliant.json is a real `GET /containers/{id}/json` from dockerd 20.10.24 for
 * a container created with the compliant flags (paths rewritten to /srv/arandu/...; SecurityOpt and
 * PidsLimit as dockerd shows --security-opt no-new-privileges --pids-limit 512).  Each case
 * changes one field of it and checks the decision and the rule. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/decision.h"
#include "policy/eval.h"
#include "policy/policy.h"
#include "policy/view.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

static struct policy *policy;

static struct policy *test_policy(void)
{
        struct policy *p = policy_new_default();
        CU_ASSERT_FATAL(p != NULL);
        snprintf(p->repos_dir, sizeof(p->repos_dir), "/srv/arandu/repos");
        snprintf(p->artifacts_dir, sizeof(p->artifacts_dir), "/srv/arandu/artifacts");
        return p;
}

static json_t *load_view(void)
{
        json_error_t err;
        json_t *v = json_load_file("tests/data/inspect-compliant.json", 0, &err);
        CU_ASSERT_FATAL(v != NULL);
        return v;
}

static json_t *hostconfig(json_t *v)
{
        return json_object_get(v, "HostConfig");
}

/* Judge `v` (consumed) and check: allowed, or denied naming `rule`. */
static void expect(json_t *v, const char *rule)
{
        struct decision d;
        decision_init(&d);
        eval_container_view(policy, v, &d);
        decision_finish(&d);
        if (!rule) {
                if (!d.allow)
                        for (size_t i = 0; i < d.n; i++)
                                fprintf(stderr, "unexpected: %s\n", d.v[i].text);
                CU_ASSERT_TRUE(d.allow);
        } else {
                CU_ASSERT_FALSE(d.allow);
                CU_ASSERT_TRUE(decision_has(&d, rule));
        }
        json_decref(v);
}

static void test_compliant(void)
{
        expect(load_view(), NULL);
}

static void test_daemon_defaults_accepted(void)
{
        json_t *v;
        static const char *const ipc_ok[] = { "private", "shareable", "none", "" };
        for (size_t i = 0; i < sizeof(ipc_ok) / sizeof(ipc_ok[0]); i++) {
                v = load_view();
                json_object_set_new(hostconfig(v), "IpcMode", json_string(ipc_ok[i]));
                expect(v, NULL);
        }
        static const char *const cgns_ok[] = { "host", "private", "" };
        for (size_t i = 0; i < sizeof(cgns_ok) / sizeof(cgns_ok[0]); i++) {
                v = load_view();
                json_object_set_new(hostconfig(v), "CgroupnsMode", json_string(cgns_ok[i]));
                expect(v, NULL);
        }
        /* Fields a newer daemon adds are its own, not a request trick. */
        v = load_view();
        json_object_set_new(hostconfig(v), "SomeFutureField", json_true());
        json_object_set_new(json_object_get(v, "Config"), "AnotherField", json_string("x"));
        expect(v, NULL);
}

static void test_swap(void)
{
        const json_int_t g = 1073741824;
        struct { json_int_t memory, swap; const char *rule; } cases[] = {
                { g, 2 * g, NULL },          /* the daemon's default for MemorySwap 0 */
                { g, g, NULL },              /* no swap */
                { g / 2, 2 * g, NULL },      /* an update lowered Memory and kept the swap */
                { g, 8 * g, NULL },          /* twice the 4g limit: what MemorySwap 0 allows at most */
                { g, 8 * g + 1, "memory" },
                { g, -1, "memory" },         /* unlimited */
                { g, g - 1, "memory" },      /* below Memory: not a value dockerd produces */
                { 4 * g + 1, 2 * (4 * g + 1), "memory" },
                { 0, 0, "memory" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                json_t *v = load_view();
                json_object_set_new(hostconfig(v), "Memory", json_integer(cases[i].memory));
                json_object_set_new(hostconfig(v), "MemorySwap", json_integer(cases[i].swap));
                expect(v, cases[i].rule);
        }
}

static void test_masked_paths(void)
{
        json_t *v = load_view();
        json_object_set_new(hostconfig(v), "MaskedPaths", json_array());   /* privileged, or unmasked */
        expect(v, "privileges");

        v = load_view();
        json_array_remove(json_object_get(hostconfig(v), "MaskedPaths"), 0);
        expect(v, "privileges");

        v = load_view();
        json_object_set_new(hostconfig(v), "ReadonlyPaths", json_null());
        expect(v, "privileges");

        v = load_view();   /* more than the defaults is fine */
        json_array_append_new(json_object_get(hostconfig(v), "MaskedPaths"), json_string("/proc/extra"));
        expect(v, NULL);
}

static void test_what_requests_cannot_show(void)
{
        /* An image's VOLUME lands in Config.Volumes: an anonymous volume. */
        json_t *v = load_view();
        json_t *vols = json_object();
        json_object_set_new(vols, "/data", json_object());
        json_object_set_new(json_object_get(v, "Config"), "Volumes", vols);
        expect(v, "mounts");

        /* A container created before the policy (or the plugin). */
        v = load_view();
        json_object_set_new(hostconfig(v), "Privileged", json_true());
        expect(v, "privileged");

        v = load_view();
        json_object_set_new(json_object_get(v, "Config"), "User", json_string("0"));
        expect(v, "user");

        v = load_view();
        json_object_set_new(hostconfig(v), "NetworkMode", json_string("host"));
        expect(v, "network");

        v = load_view();
        json_t *nets = json_object_get(json_object_get(v, "NetworkSettings"), "Networks");
        json_object_set_new(nets, "mynet", json_object());
        expect(v, "network");

        v = load_view();
        json_object_set_new(hostconfig(v), "ReadonlyRootfs", json_false());
        expect(v, "rootfs");

        v = load_view();
        json_object_set_new(hostconfig(v), "IpcMode", json_string("host"));
        expect(v, "namespaces");

        v = load_view();
        json_object_set_new(hostconfig(v), "PidMode", json_string("host"));
        expect(v, "namespaces");

        v = load_view();
        json_t *binds = json_array();
        json_array_append_new(binds, json_string("/etc:/workspace:ro"));
        json_object_set_new(hostconfig(v), "Binds", binds);
        expect(v, "mounts");
}

/* What dockerd does later on its own: restarts, log delivery, /dev/shm, limits. */
static void set_json(json_t *v, const char *field, const char *text)
{
        json_error_t err;
        json_t *x = json_loads(text, JSON_DECODE_ANY, &err);
        CU_ASSERT_FATAL(x != NULL);
        json_object_set_new(hostconfig(v), field, x);
}

static void test_later_effects(void)
{
        static const struct { const char *field, *value, *rule; } cases[] = {
                { "RestartPolicy", "{\"Name\":\"always\",\"MaximumRetryCount\":0}", "restart" },
                { "RestartPolicy", "{\"Name\":\"unless-stopped\",\"MaximumRetryCount\":0}", "restart" },
                { "RestartPolicy", "{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}", NULL },
                { "RestartPolicy", "{\"Name\":\"on-failure\",\"MaximumRetryCount\":0}", "restart" },
                { "LogConfig", "{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\"unix:///dev/log\"}}", "logs" },
                { "LogConfig", "{\"Type\":\"journald\",\"Config\":{}}", NULL },
                { "ShmSize", "67108864", NULL },      /* the daemon's default, shown for 0 */
                { "ShmSize", "8589934592", "limits" },
                { "Ulimits", "[{\"Name\":\"rtprio\",\"Hard\":99,\"Soft\":99}]", "limits" },
                { "Ulimits", "[{\"Name\":\"nofile\",\"Hard\":2048,\"Soft\":1024}]", NULL },
                { "PidsLimit", "null", "pids" },
                { "PidsLimit", "-1", "pids" },
                { "PidsLimit", "1024", NULL },
                { "PidsLimit", "1025", "pids" },
                { "SecurityOpt", "null", "privileges" },
                { "SecurityOpt", "[\"no-new-privileges:true\"]", NULL },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                json_t *v = load_view();
                set_json(v, cases[i].field, cases[i].value);
                expect(v, cases[i].rule);
        }
}

static void test_malformed_view(void)
{
        json_t *v = load_view();
        json_object_del(v, "HostConfig");
        expect(v, "recheck");

        v = load_view();
        json_object_set_new(v, "Config", json_string("x"));
        expect(v, "recheck");

        expect(json_array(), "recheck");
}

static void expect_exec(json_t *v, const char *rule)
{
        struct decision d;
        decision_init(&d);
        eval_exec_view(policy, v, &d);
        decision_finish(&d);
        if (!rule) {
                CU_ASSERT_TRUE(d.allow);
        } else {
                CU_ASSERT_FALSE(d.allow);
                CU_ASSERT_TRUE(decision_has(&d, rule));
        }
        json_decref(v);
}

static void test_exec_view(void)
{
        /* The shape of GET /exec/{id}/json: ProcessConfig's keys are lower-case. */
        expect_exec(json_pack("{s:s,s:{s:b,s:s,s:s}}", "ContainerID", "c1", "ProcessConfig",
                              "privileged", 0, "user", "", "entrypoint", "id"), NULL);
        expect_exec(json_pack("{s:{s:b,s:s}}", "ProcessConfig", "privileged", 0, "user", "1000"), NULL);
        expect_exec(json_pack("{s:{s:b,s:s}}", "ProcessConfig", "privileged", 0, "user", "1000:1000"), NULL);
        expect_exec(json_pack("{s:{s:b,s:s}}", "ProcessConfig", "privileged", 1, "user", ""), "privileged");
        expect_exec(json_pack("{s:{s:b,s:s}}", "ProcessConfig", "privileged", 0, "user", "root"), "user");
        expect_exec(json_pack("{s:{s:b,s:s}}", "ProcessConfig", "privileged", 0, "user", "0"), "user");
        expect_exec(json_pack("{s:{s:b,s:s}}", "ProcessConfig", "privileged", 0, "user", "1000:0"), "user");
        expect_exec(json_pack("{s:s}", "ID", "e1"), "recheck");
        expect_exec(json_pack("{s:s}", "ProcessConfig", "x"), "recheck");
}

static void setup(void)
{
        if (!policy)
                policy = test_policy();
}

/* ---- the conversation (policy/view.h): what the look asks dockerd for, and its judgment ---------- */

#define CID "f9c96b32fee61d4eac65783b0cde9d2ebd608d619ca54acca4e718d4a30e7597"
#define ETC_DIR \
        "eyJuYW1lIjoiZXRjIiwic2l6ZSI6NDA5NiwibW9kZSI6MjE0NzQ4NDE0MSwibXRpbWUiOiIyMDI0LTAxLTAxVDAwOjAwOjAwWiIsImxpbmtUYXJnZXQiOiIifQ=="
#define ETC_SYMLINK \
        "eyJuYW1lIjoiZXRjIiwic2l6ZSI6MTIsIm1vZGUiOjEzNDIxODIzOSwibXRpbWUiOiIyMDI0LTAxLTAxVDAwOjAwOjAwWiIsImxpbmtUYXJnZXQiOiIvYXJ0aWZhY3RzL2V0YyJ9"

/* One answer of dockerd's: a status and a body (a JSON text, or a tar's contents made here), or the
 * daemon's failure sentence. */
struct answer {
        const char *path;      /* the path the look must ask for next */
        long status;
        const char *body;
        bool tar;              /* body is a file's contents, answered as the archive API's tar */
        const char *path_stat;
        const char *failure;
};

/* A one-file ustar stream of `text` (no checksum: dockerd's reader and ours do not need one). */
static char *make_tar(const char *text, size_t *ret_len)
{
        size_t n = strlen(text), len = 512 + (n + 511) / 512 * 512 + 1024;
        char *t = calloc(1, len);
        CU_ASSERT_FATAL(t != NULL);
        /* the header's fields, each NUL-padded in the zeroed block */
        snprintf(t, 100, "file");
        snprintf(t + 124, 12, "%011o", (unsigned) (n & 07777777777));
        t[156] = '0';
        snprintf(t + 257, 6, "ustar");
        snprintf(t + 512, n + 1, "%s", text);
        *ret_len = len;
        return t;
}

/* Run the look at `id` against the scripted answers; every fetch must be the next one expected, and
 * every answer must be asked for.  The IDs the look saw in *ret. */
static void converse(enum recheck_kind kind, const char *id, const struct answer *script, size_t n,
                     struct decision *d, struct view *ret)
{
        struct view_fetch f;
        size_t i = 0;

        view_begin(ret, kind, id, d);
        while (view_next(ret, &f)) {
                CU_ASSERT_FATAL(i < n);
                if (strcmp(f.path, script[i].path) != 0)
                        fprintf(stderr, "\n  fetch %zu: %s, expected %s\n", i, f.path, script[i].path);
                CU_ASSERT_STRING_EQUAL(f.path, script[i].path);
                CU_ASSERT_EQUAL(f.head, script[i].path_stat != NULL);
                struct view_answer a = { .failure = script[i].failure, .status = script[i].status,
                                         .body = script[i].body, .path_stat = script[i].path_stat };
                char *tar = NULL;
                if (script[i].tar)
                        a.body = tar = make_tar(script[i].body, &a.len);
                else if (a.body)
                        a.len = strlen(a.body);
                view_take(policy, ret, &a, d);
                free(tar);
                i++;
        }
        CU_ASSERT_EQUAL(i, n);
        decision_finish(d);
        view_end(ret);
}

/* The compliant view with one change: HostConfig/Config field `field` (NULL: none) set to `json`. */
static char *view_with(const char *where, const char *field, const char *json)
{
        json_t *v = load_view();
        if (field)
                CU_ASSERT_FATAL(json_object_set_new(json_object_get(v, where), field, json_loads(json, JSON_DECODE_ANY, NULL)) == 0);
        char *text = json_dumps(v, JSON_COMPACT);
        json_decref(v);
        CU_ASSERT_FATAL(text != NULL);
        return text;
}

#define C_JSON "/containers/" CID "/json"
#define C_ETC "/containers/" CID "/archive?path=/etc"
#define C_PASSWD "/containers/" CID "/archive?path=/etc/passwd"
#define C_GROUP "/containers/" CID "/archive?path=/etc/group"
#define PASSWD "root:x:0:0::/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\n"
#define GROUP "root:x:0:\nu:x:1000:\n"

static void test_look_start(void)
{
        char *view = view_with("Config", NULL, NULL);
        struct decision d;
        struct view v;

        /* A bare UID: the image's files say which groups it gets. */
        const struct answer resolved[] = {
                { C_JSON, 200, view }, { C_ETC, 200, NULL, false, ETC_DIR },
                { C_PASSWD, 200, PASSWD, true }, { C_GROUP, 200, GROUP, true },
        };
        decision_init(&d);
        converse(RECHECK_CONTAINER, CID, resolved, 4, &d, &v);
        CU_ASSERT_TRUE(d.allow);
        CU_ASSERT_STRING_EQUAL(v.container, CID);
        CU_ASSERT_STRING_EQUAL(d.recreate, "");

        /* By a name that cannot read as an ID, and by a 12-digit prefix: the files are read from
         * the container dockerd showed, by its full ID. */
        struct answer by_ref[4];
        memcpy(by_ref, resolved, sizeof(by_ref));
        by_ref[0].path = "/containers/ss/json";
        decision_init(&d);
        converse(RECHECK_CONTAINER, "ss", by_ref, 4, &d, &v);
        CU_ASSERT_TRUE(d.allow);
        by_ref[0].path = "/containers/f9c96b32fee6/json";
        decision_init(&d);
        converse(RECHECK_CONTAINER, "f9c96b32fee6", by_ref, 4, &d, &v);
        CU_ASSERT_TRUE(d.allow);
        /* No /etc, no passwd, no group: dockerd gives the bare UID group 0. */
        const struct answer bare[] = {
                { C_JSON, 200, view }, { C_ETC, 404, NULL, false, "" },
                { C_PASSWD, 404, "" }, { C_GROUP, 404, "" },
        };
        decision_init(&d);
        converse(RECHECK_CONTAINER, CID, bare, 4, &d, &v);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_TRUE(decision_has(&d, "user"));
        CU_ASSERT_STRING_EQUAL(d.recreate, "f9c96b32fee6");
        free(view);

        /* UID:GID needs no lookup: one fetch. */
        view = view_with("Config", "User", "\"1000:1000\"");
        const struct answer ids[] = { { C_JSON, 200, view } };
        decision_init(&d);
        converse(RECHECK_CONTAINER, CID, ids, 1, &d, &v);
        CU_ASSERT_TRUE(d.allow);
        free(view);
}

static void test_look_start_denied(void)
{
        char *view = view_with("Config", NULL, NULL), *priv = view_with("HostConfig", "Privileged", "true");
        struct decision d;
        struct view v;

        /* /etc a symlink (into /artifacts): dockerd would read other files than the look. */
        const struct answer link[] = { { C_JSON, 200, view }, { C_ETC, 200, NULL, false, ETC_SYMLINK } };
        decision_init(&d);
        converse(RECHECK_CONTAINER, CID, link, 2, &d, &v);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_PTR_NOT_NULL(strstr(d.v[0].text, "is a symlink"));
        CU_ASSERT_STRING_EQUAL(d.recreate, "f9c96b32fee6");

        /* A container denied on its settings reads no file of it, and must be created again. */
        const struct answer denied[] = { { C_JSON, 200, priv } };
        decision_init(&d);
        converse(RECHECK_CONTAINER, CID, denied, 1, &d, &v);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_TRUE(decision_has(&d, "privileged"));
        CU_ASSERT_STRING_EQUAL(d.recreate, "f9c96b32fee6");

        /* A reference that does not name the container judged: no new container would help. */
        const struct answer other[] = { { "/containers/other/json", 200, view } };
        decision_init(&d);
        converse(RECHECK_CONTAINER, "other", other, 1, &d, &v);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_TRUE(decision_has(&d, "names"));
        CU_ASSERT_STRING_EQUAL(d.recreate, "");

        /* Looks that fail deny (rule recheck), ask nothing more, and need no new container. */
        const struct answer gone[] = { { C_JSON, 404, "{\"message\":\"No such container\"}" } };
        decision_init(&d);
        converse(RECHECK_CONTAINER, CID, gone, 1, &d, &v);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_PTR_NOT_NULL(strstr(d.v[0].text, "recheck: dockerd answered 404 when asked about container " CID));
        CU_ASSERT_STRING_EQUAL(d.recreate, "");
        const struct answer down[] = { { C_JSON, 0, NULL, false, NULL, "cannot ask dockerd about it: timeout" } };
        decision_init(&d);
        converse(RECHECK_CONTAINER, CID, down, 1, &d, &v);
        CU_ASSERT_STRING_EQUAL(d.v[0].text, "recheck: cannot ask dockerd about it: timeout");
        CU_ASSERT_EQUAL(d.n, 1);
        const struct answer broken[] = {
                { C_JSON, 200, view }, { C_ETC, 200, NULL, false, ETC_DIR }, { C_PASSWD, 500, "" },
        };
        decision_init(&d);
        converse(RECHECK_CONTAINER, CID, broken, 3, &d, &v);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_TRUE(decision_has(&d, "recheck"));
        CU_ASSERT_STRING_EQUAL(d.recreate, "");
        const struct answer garbled[] = { { C_JSON, 200, view }, { C_ETC, 200, NULL, false, "not base64" } };
        decision_init(&d);
        converse(RECHECK_CONTAINER, CID, garbled, 2, &d, &v);
        CU_ASSERT_TRUE(decision_has(&d, "recheck"));

        /* A request already denied (dry-run judges the look too): a failed look adds no note. */
        decision_init(&d);
        decision_add(&d, RULE_PRIVILEGED, "from the request");
        converse(RECHECK_CONTAINER, CID, gone, 1, &d, &v);
        CU_ASSERT_EQUAL(d.n, 2);
        CU_ASSERT_STRING_EQUAL(d.recreate, "");
        decision_init(&d);
        decision_add(&d, RULE_PRIVILEGED, "from the request");
        converse(RECHECK_CONTAINER, CID, down, 1, &d, &v);
        CU_ASSERT_EQUAL(d.n, 2);
        CU_ASSERT_STRING_EQUAL(d.recreate, "");
        free(view);
        free(priv);
}

static void test_look_exec(void)
{
        char *view = view_with("Config", NULL, NULL);
        struct decision d;
        struct view v;

        /* No user of its own: the container's user, resolved in the image. */
        const struct answer inherit[] = {
                { "/exec/e1/json", 200, "{\"ID\":\"e1\",\"ContainerID\":\"" CID "\",\"ProcessConfig\":{\"user\":\"\",\"privileged\":false}}" },
                { C_JSON, 200, view }, { C_ETC, 200, NULL, false, ETC_DIR },
                { C_PASSWD, 200, PASSWD, true }, { C_GROUP, 200, GROUP, true },
        };
        decision_init(&d);
        converse(RECHECK_EXEC, "e1", inherit, 5, &d, &v);
        CU_ASSERT_TRUE(d.allow);
        CU_ASSERT_STRING_EQUAL(v.exec, "e1");
        CU_ASSERT_STRING_EQUAL(v.container, CID);

        /* Its own UID:GID: no file read. */
        const struct answer own[] = {
                { "/exec/e1/json", 200, "{\"ID\":\"e1\",\"ContainerID\":\"" CID "\",\"ProcessConfig\":{\"user\":\"1000:1000\",\"privileged\":false}}" },
                { C_JSON, 200, view },
        };
        decision_init(&d);
        converse(RECHECK_EXEC, "e1", own, 2, &d, &v);
        CU_ASSERT_TRUE(d.allow);

        /* Its own bare UID is the one resolved, named by its field. */
        const struct answer root[] = {
                { "/exec/e1/json", 200, "{\"ID\":\"e1\",\"ContainerID\":\"" CID "\",\"ProcessConfig\":{\"user\":\"1000\",\"privileged\":false}}" },
                { C_JSON, 200, view }, { C_ETC, 404, NULL, false, "" }, { C_PASSWD, 404, "" }, { C_GROUP, 404, "" },
        };
        decision_init(&d);
        converse(RECHECK_EXEC, "e1", root, 5, &d, &v);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_PTR_NOT_NULL(strstr(d.v[0].text, "Exec.User"));
        CU_ASSERT_STRING_EQUAL(d.recreate, "");   /* an exec is run again, not its container made again */

        /* An exec whose view names no container: denied, nothing more asked. */
        const struct answer orphan[] = {
                { "/exec/e%2F1/json", 200, "{\"ID\":\"e1\",\"ProcessConfig\":{\"user\":\"\",\"privileged\":false}}" },
        };
        decision_init(&d);
        converse(RECHECK_EXEC, "e/1", orphan, 1, &d, &v);
        CU_ASSERT_PTR_NOT_NULL(strstr(d.v[0].text, "names no container"));

        /* A privileged exec, and an over-long reference. */
        const struct answer privileged[] = {
                { "/exec/e1/json", 200, "{\"ID\":\"e1\",\"ContainerID\":\"" CID "\",\"ProcessConfig\":{\"user\":\"1000:1000\",\"privileged\":true}}" },
                { C_JSON, 200, view },
        };
        decision_init(&d);
        converse(RECHECK_EXEC, "e1", privileged, 2, &d, &v);
        CU_ASSERT_TRUE(decision_has(&d, "privileged"));
        char longid[300];
        memset(longid, 'a', sizeof(longid) - 1);
        longid[sizeof(longid) - 1] = '\0';
        decision_init(&d);
        const struct answer nothing[1] = { { "" } };   /* asked for nothing */
        converse(RECHECK_EXEC, longid, nothing, 0, &d, &v);
        CU_ASSERT_TRUE(decision_has(&d, "recheck"));
        free(view);
}

static void test_setup(void)
{
        setup();
        CU_ASSERT_PTR_NOT_NULL(policy);
}

static const struct cu_test tests[] = {
        { "setup", test_setup },
        { "compliant view allowed", test_compliant },
        { "daemon defaults accepted", test_daemon_defaults_accepted },
        { "swap as dockerd shows it", test_swap },
        { "masked and read-only paths", test_masked_paths },
        { "what dockerd does later on its own", test_later_effects },
        { "what requests cannot show", test_what_requests_cannot_show },
        { "malformed view denied", test_malformed_view },
        { "exec view", test_exec_view },
        { "the look at a start: what it asks, what it allows", test_look_start },
        { "the look at a start: what denies, and when to create again", test_look_start_denied },
        { "the look at an exec start", test_look_exec },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "view", tests },
};

CU_MAIN_FIXTURE_ROOTS(SUITES)
