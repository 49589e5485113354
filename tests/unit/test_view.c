/* Unit tests for the second look: the daemon's own view of a container or exec
 * (eval_container_view, eval_exec_view).
 *
 * tests/data/inspect-compliant.json is a real `GET /containers/{id}/json` from dockerd 20.10.24 for
 * a container created with the compliant flags (paths rewritten to /srv/arandu/...; SecurityOpt and
 * PidsLimit as dockerd shows --security-opt no-new-privileges --pids-limit 512).  Each case
 * changes one field of it and checks the decision and the rule. */
#include <jansson.h>
#include <string.h>

#include "policy/decision.h"
#include "policy/eval.h"
#include "policy/policy.h"
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
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "view", tests },
};

CU_MAIN_FIXTURE_ROOTS(SUITES)
