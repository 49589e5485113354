/* Unit tests for POST /containers/create (policy/create.c and the shared checks in resources.c).
 *
 * Every case starts from a compliant body (the docker CLI 28.2.2 body of the "compliant" fixture,
 * with the repository and artifacts roots replaced by temporary directories) and changes one thing:
 * each bound is tried just inside and just outside.  A case lists the exact set of rule ids the
 * decision must carry ("" = allowed); a leading '+' means "at least these". */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/decision.h"
#include "policy/eval.h"
#include "policy/policy.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

#define LONG_S "\xc5\xbf"         /* U+017F, folds to s */
#define KELVIN "\xe2\x84\xaa"     /* U+212A, folds to k */

static const char COMPLIANT[] =
        "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"1000\",\"AttachStdin\":false,\"AttachStdout\":true,"
        "\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"id\"],"
        "\"Image\":\"bb\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{},"
        "\"HostConfig\":{\"Binds\":[\"$R/demo:/workspace:ro\",\"$A/demo:/artifacts\"],\"ContainerIDFile\":\"\","
        "\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"none\",\"PortBindings\":{},"
        "\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\","
        "\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\","
        "\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\","
        "\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,"
        "\"PublishAllPorts\":false,\"ReadonlyRootfs\":true,\"SecurityOpt\":[\"no-new-privileges\"],\"UTSMode\":\"\",\"UsernsMode\":\"\","
        "\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":1073741824,\"NanoCpus\":1000000000,"
        "\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],"
        "\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,"
        "\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\","
        "\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,"
        "\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":512,\"Ulimits\":[],"
        "\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,"
        "\"ReadonlyPaths\":null},\"NetworkingConfig\":{\"EndpointsConfig\":{}}}";

/* --- the host tree: roots, a checkout, symlinks in and out --------------------------------------- */

static char base[PATH_MAX], repos[PATH_MAX], artifacts[PATH_MAX], other[PATH_MAX];
static struct tu_vars vars;

static void cleanup(void)
{
        tu_rm_rf(base);
}

static void tree(void)
{
        char p[PATH_MAX], t[PATH_MAX];
        if (base[0])
                return;
        tu_mkdtemp(base, sizeof(base));
        atexit(cleanup);
        tu_path(repos, sizeof(repos), "%s/repos", base);
        tu_path(artifacts, sizeof(artifacts), "%s/artifacts", base);
        tu_path(other, sizeof(other), "%s/other", base);
        tu_mkdir(repos);
        tu_mkdir(artifacts);
        tu_mkdir(other);
        tu_path(p, sizeof(p), "%s/demo", repos), tu_mkdir(p);
        tu_path(p, sizeof(p), "%s/demo2", repos), tu_mkdir(p);
        tu_path(p, sizeof(p), "%s/demo", artifacts), tu_mkdir(p);
        tu_path(p, sizeof(p), "%s/evil", repos), tu_symlink(other, p);                 /* inside -> outside */
        tu_path(p, sizeof(p), "%s/inner", repos), tu_path(t, sizeof(t), "%s/demo", repos), tu_symlink(t, p);
        tu_path(p, sizeof(p), "%s/dangling", repos), tu_path(t, sizeof(t), "%s/nope", base), tu_symlink(t, p);
        tu_path(p, sizeof(p), "%s/evil", artifacts), tu_symlink("/etc", p);
        tu_path(p, sizeof(p), "%s/sneaky", artifacts), tu_symlink(repos, p);           /* artifacts -> repos */
        tu_path(p, sizeof(p), "%s/demo/sub", repos), tu_mkdir(p);
        tu_path(p, sizeof(p), "%s/file", artifacts), tu_write_file(p, "x");
        vars = (struct tu_vars) { 4, { "$R", "$A", "$O", "$B" }, { repos, artifacts, other, base } };
}

/* --- policy variants --------------------------------------------------------------------------- */

static void pol_bridge(struct policy *p)
{
        p->network = NETWORK_BRIDGE;
}

static void pol_bridge_settings(struct policy *p)
{
        p->network = NETWORK_BRIDGE;
        p->allow_network_settings = true;
}

static void pol_bridge_settings_allowlist(struct policy *p)
{
        pol_bridge_settings(p);
        snprintf(p->domains[0], sizeof(p->domains[0]), "pypi.org");
        p->n_domains = 1;
}

static void pol_pids(struct policy *p)
{
        p->pids_limit = 100;
}

static void pol_nopids(struct policy *p)
{
        p->pids_limit = 0;
}

static void pol_nnp_off(struct policy *p)
{
        p->no_new_privileges = false;
}

static void pol_names(struct policy *p)
{
        p->accept_user_name = true;
}

static void pol_rw(struct policy *p)
{
        p->readonly_rootfs = false;
}

static void pol_tmpfs(struct policy *p)
{
        snprintf(p->tmpfs_targets[0], sizeof(p->tmpfs_targets[0]), "/tmp");
        snprintf(p->tmpfs_targets[1], sizeof(p->tmpfs_targets[1]), "/run");
        p->n_tmpfs_targets = 2;
}

static void pol_tmpfs_exec(struct policy *p)
{
        pol_tmpfs(p);
        p->tmpfs_exec = true;
}

static void pol_caps(struct policy *p)
{
        snprintf(p->cap_add[0], sizeof(p->cap_add[0]), "NET_BIND_SERVICE");
        p->n_cap_add = 1;
}

/* A policy that lists "ALL" (a loader must refuse it; the rule must hold even if one did not). */
static void pol_caps_all(struct policy *p)
{
        pol_caps(p);
        snprintf(p->cap_add[1], sizeof(p->cap_add[1]), "ALL");
        p->n_cap_add = 2;
}

static void pol_cpu_half(struct policy *p)
{
        p->cpu_limit_nano = 500000000;
}

/* --- the case runner --------------------------------------------------------------------------- */

struct mut {
        const char *path;     /* dotted; NULL ends the list */
        const char *value;    /* JSON text with $R $A $O $B; NULL deletes */
};

struct create_case {
        const char *name;
        struct mut m[4];
        const char *rules;    /* exact set of rule ids, "" = allow; "+a,b" = at least a and b */
        const char *mention;  /* a substring of some violation text (the field it names), or NULL */
        void (*tweak)(struct policy *);
};

#define HC "HostConfig."
#define S(x) "\"" x "\""
#define M1(p, v) { { p, v } }
#define M2(p1, v1, p2, v2) { { p1, v1 }, { p2, v2 } }
#define M3(p1, v1, p2, v2, p3, v3) { { p1, v1 }, { p2, v2 }, { p3, v3 } }
#define DEL NULL

static struct policy *make_policy(void (*tweak)(struct policy *))
{
        struct policy *p = tu_policy(repos, artifacts);
        if (tweak)
                tweak(p);
        return p;
}

static bool check_decision(const char *name, const struct decision *d, const char *rules, const char *mention)
{
        bool at_least = rules[0] == '+';
        bool ok = d->complete && d->allow == (rules[0] == '\0');
        if (at_least)
                ok = ok && tu_rules_include(d, rules + 1);
        else
                ok = ok && tu_rules_are(d, rules);
        if (mention)
                ok = ok && tu_mentions(d, mention);
        ok = ok && tu_texts_well_formed(d);
        /* TU_PRINT=1 prints every violation text, to review the messages */
        if (getenv("TU_PRINT"))
                for (size_t i = 0; i < d->n; i++)
                        fprintf(stderr, "TEXT %s\n", d->v[i].text);
        if (!ok) {
                fprintf(stderr, "\n  want [%s]%s%s", rules, mention ? " mentioning " : "", mention ? mention : "");
                tu_dump(name, d);
        }
        return ok;
}

static void run_cases(const struct create_case *cases, size_t n)
{
        tree();
        for (size_t i = 0; i < n; i++) {
                const struct create_case *c = &cases[i];
                char *text = tu_subst(COMPLIANT, &vars);
                json_t *body = tu_json(text);
                free(text);
                for (size_t k = 0; k < 4 && c->m[k].path; k++)
                        tu_set(body, c->m[k].path, c->m[k].value, &vars);
                struct policy *p = make_policy(c->tweak);
                struct decision d;
                decision_init(&d);
                eval_container_create(p, body, &d);
                decision_finish(&d);
                CU_ASSERT_TRUE(check_decision(c->name, &d, c->rules, c->mention));
                json_decref(body);
                policy_unref(p);
        }
}

#define RUN(table) run_cases(table, sizeof(table) / sizeof(table[0]))

/* --- the compliant body itself --------------------------------------------------------------- */

static void test_compliant(void)
{
        static const struct create_case cases[] = {
                { "compliant", { { NULL, NULL } }, "", NULL, NULL },
                { "compliant, bridge policy", { { NULL, NULL } }, "", NULL, pol_bridge },
                { "no binds at all", M1(HC "Binds", "null"), "", NULL, NULL },
                { "empty binds", M1(HC "Binds", "[]"), "", NULL, NULL },
                { "minimal body", M3("HostConfig", "{\"NanoCpus\":1,\"Memory\":1,\"PidsLimit\":1,\"NetworkMode\":\"none\",\"ReadonlyRootfs\":true,"
                                     "\"SecurityOpt\":[\"no-new-privileges\"]}",
                                     "Volumes", DEL, "NetworkingConfig", DEL), "", NULL, NULL },
        };
        RUN(cases);
}

/* --- user ------------------------------------------------------------------------------------ */

static void test_user(void)
{
        static const struct create_case cases[] = {
                { "1000", M1("User", S("1000")), "", NULL, NULL },
                { "1000:1000", M1("User", S("1000:1000")), "", NULL, NULL },
                { "1000:1", M1("User", S("1000:1")), "", NULL, NULL },
                { "1000:2147483647", M1("User", S("1000:2147483647")), "", NULL, NULL },
                { "1000:2147483648", M1("User", S("1000:2147483648")), "user", "Config.User", NULL },
                { "empty", M1("User", S("")), "user", "Config.User is empty", NULL },
                { "missing", M1("User", DEL), "user", "Config.User", NULL },
                { "null", M1("User", "null"), "user", "Config.User", NULL },
                { "0", M1("User", S("0")), "user", "Config.User is \"0\"", NULL },
                { "00", M1("User", S("00")), "user", NULL, NULL },
                { "+0", M1("User", S("+0")), "user", NULL, NULL },
                { "-0", M1("User", S("-0")), "user", NULL, NULL },
                { "0:0", M1("User", S("0:0")), "user", NULL, NULL },
                { "root", M1("User", S("root")), "user", "\"root\"", NULL },
                { "root:root", M1("User", S("root:root")), "user", NULL, NULL },
                { "1000:0", M1("User", S("1000:0")), "user", NULL, NULL },
                { "1000:00", M1("User", S("1000:00")), "user", NULL, NULL },
                { "1000:01", M1("User", S("1000:01")), "user", NULL, NULL },
                { "1000:root", M1("User", S("1000:root")), "user", NULL, NULL },
                { "1000:-1", M1("User", S("1000:-1")), "user", NULL, NULL },
                { "01000", M1("User", S("01000")), "user", NULL, NULL },
                { "+1000", M1("User", S("+1000")), "user", NULL, NULL },
                { "1000:", M1("User", S("1000:")), "user", NULL, NULL },
                { ":1000", M1("User", S(":1000")), "user", NULL, NULL },
                { "1000:1000:1", M1("User", S("1000:1000:1")), "user", NULL, NULL },
                { "1001", M1("User", S("1001")), "user", NULL, NULL },
                { "999", M1("User", S("999")), "user", NULL, NULL },
                { "1000 + 2^32", M1("User", S("4294968296")), "user", NULL, NULL },
                { "huge", M1("User", S("100000000000000000000000")), "user", NULL, NULL },
                { "leading space", M1("User", S(" 1000")), "user", NULL, NULL },
                { "trailing space", M1("User", S("1000 ")), "user", NULL, NULL },
                { "trailing newline", M1("User", S("1000\\n")), "user", NULL, NULL },
                { "name", M1("User", S("arandu-user")), "user", "\"arandu-user\"", NULL },
                { "name:gid", M1("User", S("arandu-user:1000")), "user", NULL, NULL },
                { "number, not string", M1("User", "1000"), "shape,user", "Config.User", NULL },
                /* accept_user_name: the configured name, optionally with a numeric GID >= 1 */
                { "name accepted", M1("User", S("arandu-user")), "", NULL, pol_names },
                { "name:gid accepted", M1("User", S("arandu-user:1000")), "", NULL, pol_names },
                { "uid still accepted", M1("User", S("1000")), "", NULL, pol_names },
                { "name:0", M1("User", S("arandu-user:0")), "user", NULL, pol_names },
                { "name:root", M1("User", S("arandu-user:root")), "user", NULL, pol_names },
                { "name:", M1("User", S("arandu-user:")), "user", NULL, pol_names },
                { "longer name", M1("User", S("arandu-userx")), "user", NULL, pol_names },
                { "shorter name", M1("User", S("arandu-use")), "user", NULL, pol_names },
                { "name, other case", M1("User", S("Arandu-user")), "user", NULL, pol_names },
                { "root, names accepted", M1("User", S("root")), "user", NULL, pol_names },
                { "0, names accepted", M1("User", S("0")), "user", NULL, pol_names },
                /* GroupAdd */
                { "GroupAdd 1000", M1(HC "GroupAdd", "[\"1000\"]"), "", NULL, NULL },
                { "GroupAdd 1", M1(HC "GroupAdd", "[\"1\"]"), "", NULL, NULL },
                { "GroupAdd 2147483647", M1(HC "GroupAdd", "[\"2147483647\"]"), "", NULL, NULL },
                { "GroupAdd empty", M1(HC "GroupAdd", "[]"), "", NULL, NULL },
                { "GroupAdd 0", M1(HC "GroupAdd", "[\"0\"]"), "user", "HostConfig.GroupAdd", NULL },
                { "GroupAdd root", M1(HC "GroupAdd", "[\"root\"]"), "user", "\"root\"", NULL },
                { "GroupAdd name", M1(HC "GroupAdd", "[\"arandu-user\"]"), "user", NULL, NULL },
                { "GroupAdd name, names accepted", M1(HC "GroupAdd", "[\"arandu-user\"]"), "user", NULL, pol_names },
                { "GroupAdd 01", M1(HC "GroupAdd", "[\"01\"]"), "user", NULL, NULL },
                { "GroupAdd 00", M1(HC "GroupAdd", "[\"00\"]"), "user", NULL, NULL },
                { "GroupAdd empty string", M1(HC "GroupAdd", "[\"\"]"), "user", NULL, NULL },
                { "GroupAdd 2147483648", M1(HC "GroupAdd", "[\"2147483648\"]"), "user", NULL, NULL },
                { "GroupAdd 1 and 0", M1(HC "GroupAdd", "[\"1\",\"0\"]"), "user", NULL, NULL },
                { "GroupAdd number", M1(HC "GroupAdd", "[0]"), "shape", "GroupAdd", NULL },
                { "GroupAdd string", M1(HC "GroupAdd", S("0")), "shape", "GroupAdd", NULL },
        };
        RUN(cases);
}

/* --- cpu ------------------------------------------------------------------------------------- */

static void test_cpu(void)
{
        static const struct create_case cases[] = {
                { "NanoCpus 2e9 (limit)", M1(HC "NanoCpus", "2000000000"), "", NULL, NULL },
                { "NanoCpus 2e9+1", M1(HC "NanoCpus", "2000000001"), "cpu", "NanoCpus", NULL },
                { "NanoCpus 1", M1(HC "NanoCpus", "1"), "", NULL, NULL },
                { "NanoCpus 0", M1(HC "NanoCpus", "0"), "cpu", "HostConfig.NanoCpus", NULL },
                { "NanoCpus -1", M1(HC "NanoCpus", "-1"), "cpu", "NanoCpus", NULL },
                { "NanoCpus min int64", M1(HC "NanoCpus", "-9223372036854775808"), "cpu", NULL, NULL },
                { "NanoCpus max int64", M1(HC "NanoCpus", "9223372036854775807"), "cpu", NULL, NULL },
                { "NanoCpus null", M1(HC "NanoCpus", "null"), "cpu", NULL, NULL },
                { "NanoCpus missing", M1(HC "NanoCpus", DEL), "cpu", NULL, NULL },
                { "NanoCpus 2e9 as exponent", M1(HC "NanoCpus", "2e9"), "shape,cpu", "HostConfig.NanoCpus", NULL },
                { "NanoCpus 1.0e9", M1(HC "NanoCpus", "1000000000.0"), "shape,cpu", NULL, NULL },
                { "NanoCpus string", M1(HC "NanoCpus", S("1000000000")), "shape,cpu", NULL, NULL },
                { "NanoCpus half-CPU policy, at limit", M1(HC "NanoCpus", "500000000"), "", NULL, pol_cpu_half },
                { "NanoCpus half-CPU policy, over", M1(HC "NanoCpus", "500000001"), "cpu", "0.5", pol_cpu_half },
                /* quota / period, NanoCpus 0 */
                { "quota 200000/100000", M3(HC "NanoCpus", "0", HC "CpuQuota", "200000", HC "CpuPeriod", "100000"), "", NULL, NULL },
                { "quota 200001/100000", M3(HC "NanoCpus", "0", HC "CpuQuota", "200001", HC "CpuPeriod", "100000"), "cpu",
                  "HostConfig.CpuQuota/HostConfig.CpuPeriod is 200001/100000", NULL },
                { "quota 200000, period 0 (100000)", M3(HC "NanoCpus", "0", HC "CpuQuota", "200000", HC "CpuPeriod", "0"), "", NULL, NULL },
                { "quota 200001, period 0 (100000)", M3(HC "NanoCpus", "0", HC "CpuQuota", "200001", HC "CpuPeriod", "0"), "cpu", NULL, NULL },
                { "quota 50000/100000", M3(HC "NanoCpus", "0", HC "CpuQuota", "50000", HC "CpuPeriod", "100000"), "", NULL, NULL },
                { "quota 2000/1000", M3(HC "NanoCpus", "0", HC "CpuQuota", "2000", HC "CpuPeriod", "1000"), "", NULL, NULL },
                { "quota 2001/1000", M3(HC "NanoCpus", "0", HC "CpuQuota", "2001", HC "CpuPeriod", "1000"), "cpu", NULL, NULL },
                { "quota 2000000/1000000", M3(HC "NanoCpus", "0", HC "CpuQuota", "2000000", HC "CpuPeriod", "1000000"), "", NULL, NULL },
                { "quota 2000001/1000000", M3(HC "NanoCpus", "0", HC "CpuQuota", "2000001", HC "CpuPeriod", "1000000"), "cpu", NULL, NULL },
                { "quota 1/1000000", M3(HC "NanoCpus", "0", HC "CpuQuota", "1", HC "CpuPeriod", "1000000"), "", NULL, NULL },
                { "quota -1 (unlimited)", M3(HC "NanoCpus", "0", HC "CpuQuota", "-1", HC "CpuPeriod", "100000"), "cpu", "CpuQuota", NULL },
                { "quota -1, period 0", M3(HC "NanoCpus", "0", HC "CpuQuota", "-1", HC "CpuPeriod", "0"), "cpu", NULL, NULL },
                { "period alone (no limit)", M3(HC "NanoCpus", "0", HC "CpuQuota", "0", HC "CpuPeriod", "100000"), "cpu", NULL, NULL },
                { "negative period", M3(HC "NanoCpus", "0", HC "CpuQuota", "100000", HC "CpuPeriod", "-1"), "cpu", "CpuPeriod", NULL },
                { "quota overflow", M3(HC "NanoCpus", "0", HC "CpuQuota", "9223372036854775807", HC "CpuPeriod", "1"), "cpu", NULL, NULL },
                { "quota huge period", M3(HC "NanoCpus", "0", HC "CpuQuota", "9223372036854775807", HC "CpuPeriod", "9223372036854775807"),
                  "", NULL, NULL },
                { "quota half-CPU policy, at limit", M3(HC "NanoCpus", "0", HC "CpuQuota", "50000", HC "CpuPeriod", "100000"), "", NULL,
                  pol_cpu_half },
                { "quota half-CPU policy, over", M3(HC "NanoCpus", "0", HC "CpuQuota", "50001", HC "CpuPeriod", "100000"), "cpu", NULL,
                  pol_cpu_half },
                /* NanoCpus within bounds does not excuse an unlimited quota (dockerd applies both) */
                { "NanoCpus ok + quota -1", M1(HC "CpuQuota", "-1"), "cpu", "CpuQuota", NULL },
                { "quota 1.5e5", M3(HC "NanoCpus", "0", HC "CpuQuota", "1.5e5", HC "CpuPeriod", "100000"), "shape,cpu", NULL, NULL },
                /* real-time and Windows-only knobs */
                { "CpuRealtimePeriod", M1(HC "CpuRealtimePeriod", "1000000"), "cpu", "CpuRealtimePeriod", NULL },
                { "CpuRealtimeRuntime", M1(HC "CpuRealtimeRuntime", "950000"), "cpu", "CpuRealtimeRuntime", NULL },
                { "CpuRealtimeRuntime -1", M1(HC "CpuRealtimeRuntime", "-1"), "cpu", NULL, NULL },
                { "CpuRealtime null", M2(HC "CpuRealtimePeriod", "null", HC "CpuRealtimeRuntime", "null"), "", NULL, NULL },
                { "CpuCount", M1(HC "CpuCount", "1"), "cpu", "CpuCount", NULL },
                { "CpuPercent", M1(HC "CpuPercent", "50"), "cpu", "CpuPercent", NULL },
                { "CpuShares", M1(HC "CpuShares", "1024"), "", NULL, NULL },
                { "CpusetCpus", M1(HC "CpusetCpus", S("0-1")), "", NULL, NULL },
        };
        RUN(cases);
}

/* --- memory ---------------------------------------------------------------------------------- */

static void test_memory(void)
{
        static const struct create_case cases[] = {
                { "4g (limit)", M1(HC "Memory", "4294967296"), "", NULL, NULL },
                { "4g+1", M1(HC "Memory", "4294967297"), "memory", "HostConfig.Memory is 4294967297, over the limit", NULL },
                { "4g-1", M1(HC "Memory", "4294967295"), "", NULL, NULL },
                { "8g", M1(HC "Memory", "8589934592"), "memory", "8g", NULL },
                { "1 byte", M1(HC "Memory", "1"), "", NULL, NULL },
                { "0", M1(HC "Memory", "0"), "memory",
                  "HostConfig.Memory is 0 (no limit); set --memory (docker-py mem_limit, compose mem_limit) to at most 4g", NULL },
                { "-1", M1(HC "Memory", "-1"), "memory", NULL, NULL },
                { "null", M1(HC "Memory", "null"), "memory", NULL, NULL },
                { "missing", M1(HC "Memory", DEL), "memory", NULL, NULL },
                { "max int64", M1(HC "Memory", "9223372036854775807"), "memory", NULL, NULL },
                { "exponent", M1(HC "Memory", "1e9"), "shape,memory", NULL, NULL },
                { "string", M1(HC "Memory", S("1g")), "shape,memory", NULL, NULL },
                /* swap */
                { "swap = memory", M1(HC "MemorySwap", "1073741824"), "", NULL, NULL },
                { "swap = memory = 4g", M2(HC "Memory", "4294967296", HC "MemorySwap", "4294967296"), "", NULL, NULL },
                { "swap 0", M1(HC "MemorySwap", "0"), "", NULL, NULL },
                { "swap null", M1(HC "MemorySwap", "null"), "", NULL, NULL },
                { "swap -1 (unlimited)", M1(HC "MemorySwap", "-1"), "memory", "MemorySwap is -1", NULL },
                { "swap memory+1", M1(HC "MemorySwap", "1073741825"), "memory", "MemorySwap", NULL },
                { "swap memory-1", M1(HC "MemorySwap", "1073741823"), "memory", NULL, NULL },
                { "swap 2x", M1(HC "MemorySwap", "2147483648"), "memory", NULL, NULL },
                { "swap -2", M1(HC "MemorySwap", "-2"), "memory", NULL, NULL },
                { "swap without memory", M2(HC "Memory", "0", HC "MemorySwap", "1073741824"), "memory", NULL, NULL },
                { "swap = memory, both 0", M2(HC "Memory", "0", HC "MemorySwap", "0"), "memory", NULL, NULL },
                /* the OOM killer */
                { "OomKillDisable true", M1(HC "OomKillDisable", "true"), "memory", "OomKillDisable", NULL },
                { "OomKillDisable false", M1(HC "OomKillDisable", "false"), "", NULL, NULL },
                { "OomKillDisable null", M1(HC "OomKillDisable", "null"), "", NULL, NULL },
                { "OomKillDisable \"true\"", M1(HC "OomKillDisable", S("true")), "shape", "OomKillDisable", NULL },
                { "OomKillDisable 1", M1(HC "OomKillDisable", "1"), "shape", NULL, NULL },
                /* not bounded by the policy */
                { "MemoryReservation", M1(HC "MemoryReservation", "536870912"), "", NULL, NULL },
                { "MemorySwappiness", M1(HC "MemorySwappiness", "0"), "", NULL, NULL },
        };
        RUN(cases);
}

/* --- pids ------------------------------------------------------------------------------------ */

static void test_pids(void)
{
        static const struct create_case cases[] = {
                { "limit 100: 100", M1(HC "PidsLimit", "100"), "", NULL, pol_pids },
                { "limit 100: 1", M1(HC "PidsLimit", "1"), "", NULL, pol_pids },
                { "limit 100: 101", M1(HC "PidsLimit", "101"), "pids", "HostConfig.PidsLimit is 101", pol_pids },
                { "limit 100: 0", M1(HC "PidsLimit", "0"), "pids", "HostConfig.PidsLimit is 0", pol_pids },
                { "limit 100: -1", M1(HC "PidsLimit", "-1"), "pids", NULL, pol_pids },
                { "limit 100: null", M1(HC "PidsLimit", "null"), "pids", NULL, pol_pids },
                { "limit 100: missing", M1(HC "PidsLimit", DEL), "pids", NULL, pol_pids },
                { "limit 100: 100.0", M1(HC "PidsLimit", "100.0"), "shape", "PidsLimit", pol_pids },
                { "limit 100: string", M1(HC "PidsLimit", S("100")), "shape", NULL, pol_pids },
                { "default 1024: 1024", M1(HC "PidsLimit", "1024"), "", NULL, NULL },
                { "default 1024: 1025", M1(HC "PidsLimit", "1025"), "pids", "HostConfig.PidsLimit is 1025", NULL },
                { "default 1024: 0", M1(HC "PidsLimit", "0"), "pids", "set --pids-limit", NULL },
                { "default 1024: -1", M1(HC "PidsLimit", "-1"), "pids", NULL, NULL },
                { "default 1024: missing", M1(HC "PidsLimit", DEL), "pids", NULL, NULL },
                { "no limit required: 0", M1(HC "PidsLimit", "0"), "", NULL, pol_nopids },
                { "no limit required: -1", M1(HC "PidsLimit", "-1"), "", NULL, pol_nopids },
                { "no limit required: null", M1(HC "PidsLimit", "null"), "", NULL, pol_nopids },
                { "no limit required: 100000", M1(HC "PidsLimit", "100000"), "", NULL, pol_nopids },
        };
        RUN(cases);
}

/* --- network --------------------------------------------------------------------------------- */

static void test_network(void)
{
        static const char PORTS[] = "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]}";
        static const struct create_case cases[] = {
                /* policy none */
                { "none", M1(HC "NetworkMode", S("none")), "", NULL, NULL },
                { "host", M1(HC "NetworkMode", S("host")), "network", "HostConfig.NetworkMode is \"host\"", NULL },
                { "bridge", M1(HC "NetworkMode", S("bridge")), "network", NULL, NULL },
                { "default", M1(HC "NetworkMode", S("default")), "network", NULL, NULL },
                { "empty", M1(HC "NetworkMode", S("")), "network", NULL, NULL },
                { "null", M1(HC "NetworkMode", "null"), "network", NULL, NULL },
                { "missing", M1(HC "NetworkMode", DEL), "network", NULL, NULL },
                { "container:x", M1(HC "NetworkMode", S("container:x")), "network", NULL, NULL },
                { "custom", M1(HC "NetworkMode", S("mynet")), "network", NULL, NULL },
                { "None", M1(HC "NetworkMode", S("None")), "network", NULL, NULL },
                { "NONE", M1(HC "NetworkMode", S("NONE")), "network", NULL, NULL },
                { "none ", M1(HC "NetworkMode", S("none ")), "network", NULL, NULL },
                { "number", M1(HC "NetworkMode", "0"), "shape,network", NULL, NULL },
                /* policy bridge */
                { "bridge policy: bridge", M1(HC "NetworkMode", S("bridge")), "", NULL, pol_bridge },
                { "bridge policy: default", M1(HC "NetworkMode", S("default")), "", NULL, pol_bridge },
                { "bridge policy: empty", M1(HC "NetworkMode", S("")), "", NULL, pol_bridge },
                { "bridge policy: missing", M1(HC "NetworkMode", DEL), "", NULL, pol_bridge },
                { "bridge policy: none", M1(HC "NetworkMode", S("none")), "", NULL, pol_bridge },
                { "bridge: Dns", M2(HC "NetworkMode", S("bridge"), HC "Dns", "[\"8.8.8.8\"]"), "network", "--dns", pol_bridge },
                { "bridge: Dns empty", M2(HC "NetworkMode", S("bridge"), HC "Dns", "[]"), "", NULL, pol_bridge },
                { "bridge: Dns null", M2(HC "NetworkMode", S("bridge"), HC "Dns", "null"), "", NULL, pol_bridge },
                { "bridge: DnsSearch", M1(HC "DnsSearch", "[\"corp\"]"), "network", "--dns-search", pol_bridge },
                { "bridge: DnsOptions", M1(HC "DnsOptions", "[\"ndots:1\"]"), "network", "--dns-option", pol_bridge },
                { "bridge: ExtraHosts", M1(HC "ExtraHosts", "[\"pypi.org:10.0.0.1\"]"), "network", "--add-host", pol_bridge },
                { "bridge: Links", M1(HC "Links", "[\"db:db\"]"), "network", "--link", pol_bridge },
                /* Without NetworkingConfig (raw API clients) or without its EndpointsConfig: the
                 * settings are still judged. */
                { "bridge: Links, no NetworkingConfig", M2(HC "Links", "[\"db:db\"]", "NetworkingConfig", DEL), "network", "--link",
                  pol_bridge },
                { "bridge: Dns, NetworkingConfig without endpoints", M2(HC "Dns", "[\"8.8.8.8\"]", "NetworkingConfig", "{}"), "network",
                  "--dns", pol_bridge },
                { "bridge: MacAddress", M1("MacAddress", S("02:42:ac:11:00:09")), "network", "--mac-address", pol_bridge },
                { "bridge: MacAddress empty", M1("MacAddress", S("")), "", NULL, pol_bridge },
                { "bridge: endpoint MacAddress", M1("NetworkingConfig.EndpointsConfig", "{\"bridge\":{\"MacAddress\":\"02:42:ac:11:00:09\"}}"),
                  "network", "MacAddress", pol_bridge },
                { "bridge: endpoint Links", M1("NetworkingConfig.EndpointsConfig", "{\"bridge\":{\"Links\":[\"db\"]}}"),
                  "network", "Links", pol_bridge },
                { "bridge: endpoint LinkLocalIPs", M1("NetworkingConfig.EndpointsConfig",
                                                     "{\"bridge\":{\"IPAMConfig\":{\"LinkLocalIPs\":[\"169.254.9.9\"]}}}"),
                  "network", "--link-local-ip (docker-py link_local_ips", pol_bridge },
                { "bridge: endpoint IPv4Address", M1("NetworkingConfig.EndpointsConfig",
                                                    "{\"bridge\":{\"IPAMConfig\":{\"IPv4Address\":\"172.17.0.9\"}}}"),
                  "network", "--ip (docker-py ipv4_address", pol_bridge },
                { "bridge: endpoint IPv6Address", M1("NetworkingConfig.EndpointsConfig",
                                                    "{\"bridge\":{\"IPAMConfig\":{\"IPv6Address\":\"fd00::9\"}}}"),
                  "network", "--ip6", pol_bridge },
                /* compose sends the object with nothing chosen in it */
                { "bridge: endpoint IPAMConfig empty", M1("NetworkingConfig.EndpointsConfig",
                  "{\"bridge\":{\"IPAMConfig\":{\"IPv4Address\":\"\",\"IPv6Address\":\"\",\"LinkLocalIPs\":null}}}"),
                  "", NULL, pol_bridge },
                { "bridge: endpoint IPAMConfig null, LinkLocalIPs []", M1("NetworkingConfig.EndpointsConfig",
                  "{\"bridge\":{\"IPAMConfig\":{\"LinkLocalIPs\":[]},\"Aliases\":null,\"GwPriority\":0}}"),
                  "", NULL, pol_bridge },
                { "bridge: endpoint IPAMConfig unknown key", M1("NetworkingConfig.EndpointsConfig",
                                                               "{\"bridge\":{\"IPAMConfig\":{\"Subnet\":\"x\"}}}"),
                  "shape", "Subnet", pol_bridge },
                { "bridge: endpoint unknown key", M1("NetworkingConfig.EndpointsConfig", "{\"bridge\":{\"Future\":1}}"),
                  "shape", "Future", pol_bridge },
                { "bridge, settings allowed: endpoint LinkLocalIPs", M1("NetworkingConfig.EndpointsConfig",
                  "{\"bridge\":{\"IPAMConfig\":{\"LinkLocalIPs\":[\"169.254.9.9\"]}}}"), "", NULL, pol_bridge_settings },
                { "bridge, settings allowed: Dns, search, hosts", M3(HC "Dns", "[\"8.8.8.8\"]", HC "DnsSearch", "[\"corp\"]",
                                                                     HC "ExtraHosts", "[\"h:10.0.0.1\"]"), "", NULL, pol_bridge_settings },
                { "bridge, settings allowed: links, MAC", M2(HC "Links", "[\"db:db\"]", "MacAddress", S("02:42:ac:11:00:09")),
                  "", NULL, pol_bridge_settings },
                { "bridge, settings allowed, allowlist: Dns", M1(HC "Dns", "[\"8.8.8.8\"]"), "network", "allowlist_domains",
                  pol_bridge_settings_allowlist },
                { "bridge, settings allowed, allowlist: ExtraHosts", M1(HC "ExtraHosts", "[\"pypi.org:10.0.0.1\"]"), "network",
                  "allowlist_domains", pol_bridge_settings_allowlist },
                { "bridge, settings allowed, allowlist: DnsSearch", M1(HC "DnsSearch", "[\"corp\"]"), "", NULL,
                  pol_bridge_settings_allowlist },
                { "none policy: Dns (no network to use it)", M1(HC "Dns", "[\"8.8.8.8\"]"), "", NULL, NULL },
                { "bridge policy: host", M1(HC "NetworkMode", S("host")), "network", "to none or bridge", pol_bridge },
                { "bridge policy: container:x", M1(HC "NetworkMode", S("container:x")), "network", NULL, pol_bridge },
                { "bridge policy: custom", M1(HC "NetworkMode", S("mynet")), "network", NULL, pol_bridge },
                { "bridge policy: Bridge", M1(HC "NetworkMode", S("Bridge")), "network", NULL, pol_bridge },
                /* published ports */
                { "PortBindings {}", M1(HC "PortBindings", "{}"), "", NULL, NULL },
                { "PortBindings null", M1(HC "PortBindings", "null"), "", NULL, NULL },
                { "PortBindings", M1(HC "PortBindings", PORTS), "network", "PortBindings", NULL },
                { "PortBindings, bridge policy", M2(HC "NetworkMode", S("bridge"), HC "PortBindings", PORTS), "network",
                  "PortBindings", pol_bridge },
                { "PortBindings array", M1(HC "PortBindings", "[]"), "shape", NULL, NULL },
                { "PublishAllPorts", M1(HC "PublishAllPorts", "true"), "network", "PublishAllPorts", NULL },
                { "PublishAllPorts, bridge policy", M1(HC "PublishAllPorts", "true"), "network", NULL, pol_bridge },
                { "PublishAllPorts null", M1(HC "PublishAllPorts", "null"), "", NULL, NULL },
                { "ExposedPorts", M1("ExposedPorts", "{\"80/tcp\":{}}"), "", NULL, NULL },
                /* endpoints */
                { "endpoint none", M1("NetworkingConfig.EndpointsConfig", "{\"none\":{}}"), "", NULL, NULL },
                { "endpoint none null", M1("NetworkingConfig.EndpointsConfig", "{\"none\":null}"), "", NULL, NULL },
                { "endpoints null", M1("NetworkingConfig.EndpointsConfig", "null"), "", NULL, NULL },
                { "NetworkingConfig null", M1("NetworkingConfig", "null"), "", NULL, NULL },
                { "endpoint host", M1("NetworkingConfig.EndpointsConfig", "{\"host\":{}}"), "network", "\"host\"", NULL },
                { "endpoint bridge", M1("NetworkingConfig.EndpointsConfig", "{\"bridge\":{}}"), "network", NULL, NULL },
                { "endpoint default", M1("NetworkingConfig.EndpointsConfig", "{\"default\":{}}"), "network", NULL, NULL },
                { "endpoint custom", M1("NetworkingConfig.EndpointsConfig", "{\"mynet\":{}}"), "network", NULL, NULL },
                { "endpoint None", M1("NetworkingConfig.EndpointsConfig", "{\"None\":{}}"), "network", NULL, NULL },
                { "endpoint none + host", M1("NetworkingConfig.EndpointsConfig", "{\"none\":{},\"host\":{}}"), "network", NULL, NULL },
                { "bridge policy: endpoint bridge", M2(HC "NetworkMode", S("bridge"), "NetworkingConfig.EndpointsConfig", "{\"bridge\":{}}"),
                  "", NULL, pol_bridge },
                { "bridge policy: endpoint default", M1("NetworkingConfig.EndpointsConfig", "{\"default\":{}}"), "", NULL, pol_bridge },
                { "bridge policy: endpoint host", M1("NetworkingConfig.EndpointsConfig", "{\"host\":{}}"), "network", NULL, pol_bridge },
                { "bridge policy: endpoint custom", M1("NetworkingConfig.EndpointsConfig", "{\"mynet\":{}}"), "network", NULL, pol_bridge },
                { "endpoint DriverOpts", M1("NetworkingConfig.EndpointsConfig",
                                            "{\"none\":{\"DriverOpts\":{\"com.docker.network.endpoint.sysctls\":\"net.ipv4.ip_forward=1\"}}}"),
                  "network", "DriverOpts", NULL },
                { "endpoint DriverOpts, bridge policy", M1("NetworkingConfig.EndpointsConfig",
                                                           "{\"bridge\":{\"DriverOpts\":{\"a\":\"b\"}}}"),
                  "network", "DriverOpts", pol_bridge },
                { "endpoint driveropts folded", M1("NetworkingConfig.EndpointsConfig", "{\"none\":{\"driveropts\":{\"a\":\"b\"}}}"),
                  "network", "DriverOpts", NULL },
                { "endpoint DriverOpts {}", M1("NetworkingConfig.EndpointsConfig", "{\"none\":{\"DriverOpts\":{}}}"), "", NULL, NULL },
                { "endpoint other settings", M1("NetworkingConfig.EndpointsConfig",
                                                "{\"none\":{\"Aliases\":[\"a\"],\"IPAMConfig\":{},\"Links\":null}}"), "", NULL, NULL },
                { "endpoint DriverOpts twice", M1("NetworkingConfig.EndpointsConfig",
                                                  "{\"none\":{\"DriverOpts\":{},\"driverOpts\":{\"a\":\"b\"}}}"),
                  "+shape", NULL, NULL },
                { "endpoint settings not an object", M1("NetworkingConfig.EndpointsConfig", "{\"none\":[]}"), "shape", NULL, NULL },
                /* dockerd ignores it; docker-py's run(network="none") sends {"none": null} */
                { "NetworkingConfig unknown key", M1("NetworkingConfig.Foo", "1"), "", NULL, NULL },
                { "NetworkingConfig as docker-py's network=", M1("NetworkingConfig.none", "null"), "", NULL, NULL },
                { "NetworkingConfig endpointsconfig beside EndpointsConfig", M1("NetworkingConfig.endpointsconfig", "{\"host\":{}}"),
                  "shape", "reads as one field", NULL },
                { "EndpointsConfig array", M1("NetworkingConfig.EndpointsConfig", "[]"), "shape", NULL, NULL },
        };
        RUN(cases);
}

/* --- rootfs ---------------------------------------------------------------------------------- */

static void test_rootfs(void)
{
        static const struct create_case cases[] = {
                { "read-only", M1(HC "ReadonlyRootfs", "true"), "", NULL, NULL },
                { "read-write", M1(HC "ReadonlyRootfs", "false"), "rootfs", "HostConfig.ReadonlyRootfs", NULL },
                { "null", M1(HC "ReadonlyRootfs", "null"), "rootfs", NULL, NULL },
                { "missing", M1(HC "ReadonlyRootfs", DEL), "rootfs", NULL, NULL },
                { "string", M1(HC "ReadonlyRootfs", S("true")), "shape,rootfs", NULL, NULL },
                { "1", M1(HC "ReadonlyRootfs", "1"), "shape,rootfs", NULL, NULL },
                { "not required: read-write", M1(HC "ReadonlyRootfs", "false"), "", NULL, pol_rw },
                { "not required: missing", M1(HC "ReadonlyRootfs", DEL), "", NULL, pol_rw },
        };
        RUN(cases);
}

/* --- mounts: Binds --------------------------------------------------------------------------- */

#define BINDS HC "Binds"
#define B1(x) "[\"" x "\"]"
#define WS(mode) "[\"$R/demo:/workspace" mode "\"]"

static void test_binds(void)
{
        static const struct create_case cases[] = {
                { "workspace ro", M1(BINDS, WS(":ro")), "", NULL, NULL },
                { "artifacts only", M1(BINDS, B1("$A/demo:/artifacts")), "", NULL, NULL },
                { "artifacts rw", M1(BINDS, B1("$A/demo:/artifacts:rw")), "", NULL, NULL },
                { "artifacts ro", M1(BINDS, B1("$A/demo:/artifacts:ro")), "", NULL, NULL },
                { "workspace, no mode (rw)", M1(BINDS, WS("")), "mounts", "read-write", NULL },
                { "workspace rw", M1(BINDS, WS(":rw")), "mounts", "read-write", NULL },
                { "workspace trailing slash", M1(BINDS, "[\"$R/demo:/workspace/:ro\"]"), "", NULL, NULL },
                { "workspace sub-target", M1(BINDS, "[\"$R/demo:/workspace/sub:ro\"]"), "mounts", "/workspace/sub", NULL },
                { "workspace other case", M1(BINDS, "[\"$R/demo:/Workspace:ro\"]"), "mounts", NULL, NULL },
                { "relative target", M1(BINDS, "[\"$R/demo:workspace:ro\"]"), "mounts", NULL, NULL },
                { "target /", M1(BINDS, "[\"$R/demo:/:ro\"]"), "mounts", NULL, NULL },
                { "target /etc", M1(BINDS, "[\"$R/demo:/etc:ro\"]"), "mounts", NULL, NULL },
                { "target with ..", M1(BINDS, "[\"$R/demo:/x/../workspace:ro\"]"), "", NULL, NULL },
                /* sources */
                { "source not yet existing", M1(BINDS, "[\"$R/newdir:/workspace:ro\"]"), "mounts", "does not exist", NULL },
                { "source deeper, not yet existing", M1(BINDS, "[\"$R/new/deeper:/workspace:ro\"]"), "mounts", "directly inside", NULL },
                { "source deeper, existing", M1(BINDS, "[\"$R/demo/sub:/workspace:ro\"]"), "mounts", "directly inside", NULL },
                { "source trailing slash", M1(BINDS, "[\"$R/demo/:/workspace:ro\"]"), "", NULL, NULL },
                { "source symlink inside", M1(BINDS, "[\"$R/inner:/workspace:ro\"]"), "mounts", "is a symlink", NULL },
                { "source symlink escape", M1(BINDS, "[\"$R/evil:/workspace:ro\"]"), "mounts", "symlink", NULL },
                { "source under symlink escape", M1(BINDS, "[\"$R/evil/new:/workspace:ro\"]"), "mounts", "directly inside", NULL },
                { "source dangling symlink", M1(BINDS, "[\"$R/dangling:/workspace:ro\"]"), "mounts", "symlink", NULL },
                { "source outside", M1(BINDS, "[\"/etc:/workspace:ro\"]"), "mounts", "\"/etc\"", NULL },
                { "source /", M1(BINDS, "[\"/:/workspace:ro\"]"), "mounts", NULL, NULL },
                { "source other dir", M1(BINDS, "[\"$O:/workspace:ro\"]"), "mounts", NULL, NULL },
                { "source is the root", M1(BINDS, "[\"$R:/workspace:ro\"]"), "mounts", "directly inside", NULL },
                { "source is the root/", M1(BINDS, "[\"$R/:/workspace:ro\"]"), "mounts", NULL, NULL },
                { "source is the root/.", M1(BINDS, "[\"$R/.:/workspace:ro\"]"), "mounts", NULL, NULL },
                { "source sibling prefix", M1(BINDS, "[\"$RX/demo:/workspace:ro\"]"), "mounts", NULL, NULL },
                { "source ..", M1(BINDS, "[\"$R/../other:/workspace:ro\"]"), "mounts", "\"..\"", NULL },
                { "source .. back inside", M1(BINDS, "[\"$R/demo/../demo2:/workspace:ro\"]"), "mounts", "\"..\"", NULL },
                { "source artifacts at workspace", M1(BINDS, "[\"$A/demo:/workspace:ro\"]"), "mounts", NULL, NULL },
                { "source repos at artifacts", M1(BINDS, B1("$R/demo:/artifacts")), "mounts", NULL, NULL },
                { "artifacts root", M1(BINDS, B1("$A:/artifacts")), "mounts", NULL, NULL },
                { "artifacts symlink to /etc", M1(BINDS, B1("$A/evil:/artifacts")), "mounts", "symlink", NULL },
                { "artifacts symlink to repos", M1(BINDS, B1("$A/sneaky/demo:/artifacts")), "mounts", "directly inside", NULL },
                { "artifacts a file", M1(BINDS, B1("$A/file:/artifacts")), "mounts", "not a directory", NULL },
                /* named, anonymous, malformed */
                { "named volume", M1(BINDS, "[\"repos:/workspace:ro\"]"), "mounts", "named volume", NULL },
                { "relative source", M1(BINDS, "[\"./repos/demo:/workspace:ro\"]"), "mounts", NULL, NULL },
                { "anonymous volume", M1(BINDS, "[\"/data\"]"), "mounts", "anonymous", NULL },
                { "anonymous volume at workspace", M1(BINDS, "[\"/workspace\"]"), "mounts", NULL, NULL },
                { "4 parts", M1(BINDS, "[\"$R/demo:/workspace:ro:x\"]"), "mounts", "not a valid bind", NULL },
                { "empty source", M1(BINDS, "[\":/workspace:ro\"]"), "mounts", NULL, NULL },
                { "empty spec", M1(BINDS, "[\"\"]"), "mounts", NULL, NULL },
                { "null spec", M1(BINDS, "[null]"), "mounts", NULL, NULL },
                /* options */
                { "empty mode", M1(BINDS, WS(":")), "mounts", NULL, NULL },
                { "ro,z", M1(BINDS, WS(":ro,z")), "mounts", "remove every option but ro, rw and private", NULL },
                { "ro,Z", M1(BINDS, WS(":ro,Z")), "mounts", NULL, NULL },
                { "z", M1(BINDS, WS(":z")), "mounts", NULL, NULL },
                { "Z", M1(BINDS, WS(":Z")), "mounts", NULL, NULL },
                { "ro,rshared", M1(BINDS, WS(":ro,rshared")), "mounts", NULL, NULL },
                { "ro,shared", M1(BINDS, WS(":ro,shared")), "mounts", NULL, NULL },
                { "ro,rslave", M1(BINDS, WS(":ro,rslave")), "mounts", NULL, NULL },
                { "ro,rprivate (the default, spelled out)", M1(BINDS, WS(":ro,rprivate")), "", NULL, NULL },
                { "ro,private", M1(BINDS, WS(":ro,private")), "", NULL, NULL },
                { "ro,rslave", M1(BINDS, WS(":ro,rslave")), "mounts", "shared or slave", NULL },
                { "ro,slave", M1(BINDS, WS(":ro,slave")), "mounts", NULL, NULL },
                { "ro,shared", M1(BINDS, WS(":ro,shared")), "mounts", NULL, NULL },
                { "ro,RPRIVATE (exact)", M1(BINDS, WS(":ro,RPRIVATE")), "mounts", NULL, NULL },
                { "ro,nocopy", M1(BINDS, WS(":ro,nocopy")), "mounts", NULL, NULL },
                { "ro,", M1(BINDS, WS(":ro,")), "mounts", NULL, NULL },
                { "RO", M1(BINDS, WS(":RO")), "mounts", NULL, NULL },
                { "artifacts z", M1(BINDS, B1("$A/demo:/artifacts:z")), "mounts", NULL, NULL },
                { "artifacts rshared", M1(BINDS, B1("$A/demo:/artifacts:rshared")), "mounts", NULL, NULL },
                /* counts */
                { "two workspace binds", M1(BINDS, "[\"$R/demo:/workspace:ro\",\"$R/demo2:/workspace:ro\"]"), "mounts",
                  "a second time", NULL },
                { "two artifacts binds", M1(BINDS, "[\"$A/demo:/artifacts\",\"$A/demo:/artifacts\"]"), "mounts", "a second time", NULL },
                { "workspace and /workspace/", M1(BINDS, "[\"$R/demo:/workspace:ro\",\"$R/demo2:/workspace/:ro\"]"), "mounts", NULL, NULL },
                { "a third bind", M1(BINDS, "[\"$R/demo:/workspace:ro\",\"$A/demo:/artifacts\",\"/etc:/etc:ro\"]"), "mounts", NULL, NULL },
                { "binds string", M1(BINDS, S("$R/demo:/workspace:ro")), "shape", "HostConfig.Binds", NULL },
                { "binds number entry", M1(BINDS, "[1]"), "shape", NULL, NULL },
        };
        RUN(cases);
}

/* --- mounts: Mounts -------------------------------------------------------------------------- */

#define MOUNTS HC "Mounts"
#define WSM(extra) "[{\"Type\":\"bind\",\"Source\":\"$R/demo\",\"Target\":\"/workspace\",\"ReadOnly\":true" extra "}]"
#define MB(v) { { BINDS, "null" }, { MOUNTS, v } }

static void test_mounts(void)
{
        static const struct create_case cases[] = {
                { "bind ro", MB(WSM("")), "", NULL, NULL },
                { "bind ro, with the artifacts Bind", M1(MOUNTS, WSM("")), "mounts", "a second time", NULL },
                { "bind rw", MB("[{\"Type\":\"bind\",\"Source\":\"$R/demo\",\"Target\":\"/workspace\"}]"),
                  "mounts", "read-write", NULL },
                { "bind ReadOnly false", MB("[{\"Type\":\"bind\",\"Source\":\"$R/demo\",\"Target\":\"/workspace\",\"ReadOnly\":false}]"),
                  "mounts", NULL, NULL },
                { "bind ReadOnly string", MB("[{\"Type\":\"bind\",\"Source\":\"$R/demo\",\"Target\":\"/workspace\",\"ReadOnly\":\"true\"}]"),
                  "shape,mounts", NULL, NULL },
                { "bind folded keys", MB("[{\"type\":\"bind\",\"source\":\"$R/demo\",\"TARGET\":\"/workspace\",\"readonly\":true}]"),
                  "", NULL, NULL },
                { "bind artifacts rw", MB("[{\"Type\":\"bind\",\"Source\":\"$A/demo\",\"Target\":\"/artifacts\"}]"),
                  "", NULL, NULL },
                { "bind outside", MB("[{\"Type\":\"bind\",\"Source\":\"/etc\",\"Target\":\"/workspace\",\"ReadOnly\":true}]"),
                  "mounts", "HostConfig.Mounts[0]", NULL },
                { "bind root itself", MB("[{\"Type\":\"bind\",\"Source\":\"$R\",\"Target\":\"/workspace\",\"ReadOnly\":true}]"),
                  "mounts", NULL, NULL },
                { "bind ..", MB("[{\"Type\":\"bind\",\"Source\":\"$R/../other\",\"Target\":\"/workspace\",\"ReadOnly\":true}]"),
                  "mounts", "\"..\"", NULL },
                { "bind symlink escape", MB("[{\"Type\":\"bind\",\"Source\":\"$R/evil\",\"Target\":\"/workspace\",\"ReadOnly\":true}]"),
                  "mounts", "symlink", NULL },
                { "bind relative source", MB("[{\"Type\":\"bind\",\"Source\":\"demo\",\"Target\":\"/workspace\",\"ReadOnly\":true}]"),
                  "mounts", NULL, NULL },
                { "bind no source", MB("[{\"Type\":\"bind\",\"Target\":\"/workspace\",\"ReadOnly\":true}]"),
                  "mounts", NULL, NULL },
                { "bind other target", MB("[{\"Type\":\"bind\",\"Source\":\"$R/demo\",\"Target\":\"/tmp\",\"ReadOnly\":true}]"),
                  "mounts", "\"/tmp\"", NULL },
                { "bind target slash", MB("[{\"Type\":\"bind\",\"Source\":\"$R/demo\",\"Target\":\"/workspace/\",\"ReadOnly\":true}]"),
                  "", NULL, NULL },
                { "bind and Binds at workspace", M2(BINDS, WS(":ro"), MOUNTS, WSM("")), "mounts", "a second time", NULL },
                { "two mounts at workspace", MB(
                                                "[{\"Type\":\"bind\",\"Source\":\"$R/demo\",\"Target\":\"/workspace\",\"ReadOnly\":true},"
                                                "{\"Type\":\"bind\",\"Source\":\"$R/demo2\",\"Target\":\"/workspace\",\"ReadOnly\":true}]"),
                  "mounts", "a second time", NULL },
                /* BindOptions */
                { "Propagation", MB(WSM(",\"BindOptions\":{\"Propagation\":\"rshared\"}")), "mounts", "Propagation", NULL },
                { "Propagation empty", MB(WSM(",\"BindOptions\":{\"Propagation\":\"\"}")), "", NULL, NULL },
                { "Propagation rprivate", MB(WSM(",\"BindOptions\":{\"Propagation\":\"rprivate\"}")), "", NULL, NULL },
                { "Propagation private", MB(WSM(",\"BindOptions\":{\"Propagation\":\"private\"}")), "", NULL, NULL },
                { "Propagation rslave", MB(WSM(",\"BindOptions\":{\"Propagation\":\"rslave\"}")), "mounts", "\"rslave\"", NULL },
                { "Propagation slave", MB(WSM(",\"BindOptions\":{\"Propagation\":\"slave\"}")), "mounts", NULL, NULL },
                { "Propagation shared", MB(WSM(",\"BindOptions\":{\"Propagation\":\"shared\"}")), "mounts", NULL, NULL },
                { "CreateMountpoint", MB(WSM(",\"BindOptions\":{\"CreateMountpoint\":true}")), "mounts", "CreateMountpoint", NULL },
                { "ReadOnlyNonRecursive", MB(WSM(",\"BindOptions\":{\"ReadOnlyNonRecursive\":true}")), "mounts",
                  "ReadOnlyNonRecursive", NULL },
                { "ReadOnlyForceRecursive", MB(WSM(",\"BindOptions\":{\"ReadOnlyForceRecursive\":true}")), "", NULL, NULL },
                { "NonRecursive", MB(WSM(",\"BindOptions\":{\"NonRecursive\":true}")), "", NULL, NULL },
                { "BindOptions empty", MB(WSM(",\"BindOptions\":{}")), "", NULL, NULL },
                { "BindOptions null", MB(WSM(",\"BindOptions\":null")), "", NULL, NULL },
                { "BindOptions unknown", MB(WSM(",\"BindOptions\":{\"Foo\":true}")), "shape", "Foo", NULL },
                { "BindOptions propagation folded", MB(WSM(",\"BindOptions\":{\"propagation\":\"shared\"}")), "mounts", NULL, NULL },
                { "VolumeOptions on a bind", MB(WSM(",\"VolumeOptions\":{\"NoCopy\":true}")), "mounts", "VolumeOptions", NULL },
                { "TmpfsOptions on a bind", MB(WSM(",\"TmpfsOptions\":{\"SizeBytes\":1}")), "mounts", "TmpfsOptions", NULL },
                { "Consistency", MB(WSM(",\"Consistency\":\"cached\"")), "", NULL, NULL },
                { "mount unknown key", MB(WSM(",\"Foo\":1")), "shape", "Foo", NULL },
                { "mount Type twice", MB(WSM(",\"type\":\"volume\"")), "+shape", NULL, NULL },
                /* other types */
                { "volume", MB("[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/data\"}]"), "mounts", "\"volume\"", NULL },
                { "volume with options", MB("[{\"Type\":\"volume\",\"Target\":\"/data\",\"VolumeOptions\":{\"DriverConfig\":"
                                                             "{\"Name\":\"local\",\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}}}]"),
                  "mounts", NULL, NULL },
                { "tmpfs", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\"}]"), "mounts", "tmpfs", NULL },
                { "tmpfs listed", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":67108864}}]"),
                  "", NULL, pol_tmpfs },
                { "tmpfs listed, trailing slash", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp/\",\"TmpfsOptions\":{\"SizeBytes\":1024}}]"),
                  "", NULL, pol_tmpfs },
                { "tmpfs listed, no size", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\"}]"), "mounts", "tmpfs-size", pol_tmpfs },
                { "tmpfs size 0", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":0}}]"), "mounts",
                  "no size", pol_tmpfs },
                { "tmpfs size -1", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":-1}}]"), "mounts",
                  NULL, pol_tmpfs },
                { "tmpfs size = memory limit", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":4294967296}}]"),
                  "", NULL, pol_tmpfs },
                { "tmpfs size over memory limit", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":4294967297}}]"),
                  "mounts", "over the memory limit", pol_tmpfs },
                { "tmpfs mode", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":1024,\"Mode\":1023}}]"),
                  "", NULL, pol_tmpfs },
                { "tmpfs Options noexec", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":1024,"
                                           "\"Options\":[[\"noexec\"]]}}]"), "", NULL, pol_tmpfs },
                { "tmpfs Options exec", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":1024,"
                                         "\"Options\":[[\"exec\"]]}}]"), "mounts", "tmpfs_exec", pol_tmpfs },
                { "tmpfs Options exec, tmpfs_exec", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":1024,"
                                                     "\"Options\":[[\"exec\"]]}}]"), "", NULL, pol_tmpfs_exec },
                { "tmpfs Options suid", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":1024,"
                                         "\"Options\":[[\"suid\"]]}}]"), "mounts", NULL, pol_tmpfs_exec },
                { "tmpfs Options key=value", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":1024,"
                                              "\"Options\":[[\"exec\",\"1\"]]}}]"), "mounts", NULL, pol_tmpfs_exec },
                { "tmpfs Options not arrays", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":1024,"
                                               "\"Options\":[\"noexec\"]}}]"), "mounts", NULL, pol_tmpfs },
                { "tmpfs not listed", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/var\"}]"), "mounts", NULL, pol_tmpfs },
                { "tmpfs listed via ..", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/etc/../tmp\"}]"), "mounts", NULL, pol_tmpfs },
                { "tmpfs over workspace", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/workspace\"}]"), "mounts", NULL, pol_tmpfs },
                { "tmpfs with a source", MB("[{\"Type\":\"tmpfs\",\"Source\":\"/etc\",\"Target\":\"/tmp\"}]"), "mounts",
                  "Source", pol_tmpfs },
                { "tmpfs options unknown", MB("[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"Foo\":1}}]"),
                  "shape", NULL, pol_tmpfs },
                { "npipe", MB("[{\"Type\":\"npipe\",\"Source\":\"x\",\"Target\":\"/x\"}]"), "mounts", NULL, NULL },
                { "image", MB("[{\"Type\":\"image\",\"Source\":\"bb\",\"Target\":\"/x\"}]"), "mounts", NULL, NULL },
                { "image options", MB("[{\"Type\":\"image\",\"Source\":\"bb\",\"Target\":\"/x\",\"ImageOptions\":{\"Subpath\":\"a\"}}]"),
                  "mounts", "ImageOptions", NULL },
                { "cluster", MB("[{\"Type\":\"cluster\",\"Source\":\"x\",\"Target\":\"/x\"}]"), "mounts", NULL, NULL },
                { "no type", MB("[{\"Source\":\"$R/demo\",\"Target\":\"/workspace\",\"ReadOnly\":true}]"), "mounts", NULL, NULL },
                { "type BIND", MB("[{\"Type\":\"BIND\",\"Source\":\"$R/demo\",\"Target\":\"/workspace\",\"ReadOnly\":true}]"),
                  "mounts", NULL, NULL },
                { "null entry", MB("[null]"), "mounts", NULL, NULL },
                { "entry not an object", MB("[\"$R/demo:/workspace:ro\"]"), "shape", NULL, NULL },
                { "Mounts empty", M1(MOUNTS, "[]"), "", NULL, NULL },
                { "Mounts null", M1(MOUNTS, "null"), "", NULL, NULL },
                { "Mounts object", M1(MOUNTS, "{}"), "shape", NULL, NULL },
        };
        RUN(cases);
}

/* --- mounts: tmpfs, volumes ------------------------------------------------------------------ */

static void test_volumes(void)
{
        static const struct create_case cases[] = {
                { "Tmpfs /tmp", M1(HC "Tmpfs", "{\"/tmp\":\"size=64m\"}"), "mounts", "HostConfig.Tmpfs", NULL },
                { "Tmpfs /tmp listed", M1(HC "Tmpfs", "{\"/tmp\":\"size=64m\"}"), "", NULL, pol_tmpfs },
                { "Tmpfs /tmp/ listed", M1(HC "Tmpfs", "{\"/tmp/\":\"size=1k\"}"), "", NULL, pol_tmpfs },
                { "Tmpfs two listed", M1(HC "Tmpfs", "{\"/tmp\":\"size=1m\",\"/run\":\"size=1g\"}"), "", NULL, pol_tmpfs },
                { "Tmpfs no size", M1(HC "Tmpfs", "{\"/tmp\":\"\"}"), "mounts", "add size= to --tmpfs (docker-py and compose: tmpfs)", pol_tmpfs },
                { "Tmpfs options without size", M1(HC "Tmpfs", "{\"/tmp\":\"noexec,mode=1777\"}"), "mounts", "no size", pol_tmpfs },
                { "Tmpfs size = memory limit", M1(HC "Tmpfs", "{\"/tmp\":\"size=4g\"}"), "", NULL, pol_tmpfs },
                { "Tmpfs size = memory limit in k", M1(HC "Tmpfs", "{\"/tmp\":\"size=4194304k\"}"), "", NULL, pol_tmpfs },
                { "Tmpfs size over memory limit", M1(HC "Tmpfs", "{\"/tmp\":\"size=4194305k\"}"), "mounts", "over the memory limit",
                  pol_tmpfs },
                { "Tmpfs 1TiB", M1(HC "Tmpfs", "{\"/tmp\":\"exec,suid,dev,size=1099511627776\"}"), "mounts", "nosuid", pol_tmpfs },
                { "Tmpfs size in t", M1(HC "Tmpfs", "{\"/tmp\":\"size=1t\"}"), "mounts", "not a size", pol_tmpfs },
                { "Tmpfs size percent", M1(HC "Tmpfs", "{\"/tmp\":\"size=50%\"}"), "mounts", "not a size", pol_tmpfs },
                { "Tmpfs size 0 (unlimited)", M1(HC "Tmpfs", "{\"/tmp\":\"size=0\"}"), "mounts", NULL, pol_tmpfs },
                { "Tmpfs size hex", M1(HC "Tmpfs", "{\"/tmp\":\"size=0x10\"}"), "mounts", NULL, pol_tmpfs },
                { "Tmpfs last size wins (small)", M1(HC "Tmpfs", "{\"/tmp\":\"size=1t,size=64m\"}"), "mounts", "not a size", pol_tmpfs },
                { "Tmpfs last size wins (large)", M1(HC "Tmpfs", "{\"/tmp\":\"size=64m,size=5g\"}"), "mounts", "over", pol_tmpfs },
                { "Tmpfs harmless options", M1(HC "Tmpfs", "{\"/tmp\":\"rw,noexec,nosuid,nodev,noatime,rprivate,mode=1777,uid=1000,gid=1000,nr_inodes=1k,size=64m\"}"),
                  "", NULL, pol_tmpfs },
                { "Tmpfs exec", M1(HC "Tmpfs", "{\"/tmp\":\"exec,size=64m\"}"), "mounts", "tmpfs_exec", pol_tmpfs },
                { "Tmpfs exec, tmpfs_exec", M1(HC "Tmpfs", "{\"/tmp\":\"exec,size=64m\"}"), "", NULL, pol_tmpfs_exec },
                { "Tmpfs suid, tmpfs_exec", M1(HC "Tmpfs", "{\"/tmp\":\"suid,size=64m\"}"), "mounts", "nosuid", pol_tmpfs_exec },
                { "Tmpfs dev, tmpfs_exec", M1(HC "Tmpfs", "{\"/tmp\":\"dev,size=64m\"}"), "mounts", "nodev", pol_tmpfs_exec },
                { "Tmpfs shared", M1(HC "Tmpfs", "{\"/tmp\":\"rshared,size=64m\"}"), "mounts", "does not allow", pol_tmpfs },
                { "Tmpfs bind", M1(HC "Tmpfs", "{\"/tmp\":\"bind,size=64m\"}"), "mounts", NULL, pol_tmpfs },
                { "Tmpfs mpol", M1(HC "Tmpfs", "{\"/tmp\":\"mpol=bind:0,size=64m\"}"), "mounts", NULL, pol_tmpfs },
                { "Tmpfs empty option", M1(HC "Tmpfs", "{\"/tmp\":\"size=64m,\"}"), "mounts", NULL, pol_tmpfs },
                { "Tmpfs EXEC (exact)", M1(HC "Tmpfs", "{\"/tmp\":\"EXEC,size=64m\"}"), "mounts", NULL, pol_tmpfs_exec },
                { "Tmpfs /TMP (map keys are exact)", M1(HC "Tmpfs", "{\"/TMP\":\"\"}"), "mounts", NULL, pol_tmpfs },
                { "Tmpfs /var not listed", M1(HC "Tmpfs", "{\"/var\":\"\"}"), "mounts", NULL, pol_tmpfs },
                { "Tmpfs listed and not", M1(HC "Tmpfs", "{\"/tmp\":\"\",\"/var\":\"\"}"), "mounts", NULL, pol_tmpfs },
                { "Tmpfs relative", M1(HC "Tmpfs", "{\"tmp\":\"\"}"), "mounts", NULL, pol_tmpfs },
                { "Tmpfs via ..", M1(HC "Tmpfs", "{\"/x/../tmp\":\"\"}"), "mounts", NULL, pol_tmpfs },
                { "Tmpfs value not a string", M1(HC "Tmpfs", "{\"/tmp\":1}"), "shape", "HostConfig.Tmpfs", pol_tmpfs },
                { "Tmpfs empty", M1(HC "Tmpfs", "{}"), "", NULL, NULL },
                { "Tmpfs null", M1(HC "Tmpfs", "null"), "", NULL, NULL },
                { "Tmpfs array", M1(HC "Tmpfs", "[\"/tmp\"]"), "shape", NULL, pol_tmpfs },
                { "Volumes {}", M1("Volumes", "{}"), "", NULL, NULL },
                { "Volumes null", M1("Volumes", "null"), "", NULL, NULL },
                { "Volumes missing", M1("Volumes", DEL), "", NULL, NULL },
                { "Volumes /data", M1("Volumes", "{\"/data\":{}}"), "mounts", "Config.Volumes", NULL },
                { "Volumes /workspace, nothing mounted there", M2("Volumes", "{\"/workspace\":{}}", HC "Binds", "null"), "mounts", NULL,
                  NULL },
                { "Volumes at both bind targets (docker-py)", M1("Volumes", "{\"/workspace\":{},\"/artifacts\":{}}"), "", NULL, NULL },
                { "Volumes /workspace/ (cleaned)", M1("Volumes", "{\"/workspace/\":{}}"), "", NULL, NULL },
                { "Volumes workspace (relative: not the destination)", M1("Volumes", "{\"workspace\":{}}"), "mounts", NULL, NULL },
                { "Volumes /workspace and /data", M1("Volumes", "{\"/workspace\":{},\"/data\":{}}"), "mounts", "/data", NULL },
                { "Volumes /artifacts, only workspace bound", M2("Volumes", "{\"/artifacts\":{}}", HC "Binds", "[\"$R/demo:/workspace:ro\"]"),
                  "mounts", "/artifacts", NULL },
                { "Volumes two", M1("Volumes", "{\"/a\":{},\"/b\":{}}"), "mounts", NULL, NULL },
                { "Volumes array", M1("Volumes", "[\"/data\"]"), "shape", NULL, NULL },
                { "VolumesFrom", M1(HC "VolumesFrom", "[\"c\"]"), "mounts", "VolumesFrom", NULL },
                { "VolumesFrom ro", M1(HC "VolumesFrom", "[\"c:ro\"]"), "mounts", NULL, NULL },
                { "VolumesFrom []", M1(HC "VolumesFrom", "[]"), "", NULL, NULL },
                { "VolumesFrom null", M1(HC "VolumesFrom", "null"), "", NULL, NULL },
                { "VolumeDriver local", M1(HC "VolumeDriver", S("local")), "mounts", "VolumeDriver", NULL },
                { "VolumeDriver nfs", M1(HC "VolumeDriver", S("nfs")), "mounts", NULL, NULL },
                { "VolumeDriver empty", M1(HC "VolumeDriver", S("")), "", NULL, NULL },
                { "VolumeDriver null", M1(HC "VolumeDriver", "null"), "", NULL, NULL },
        };
        RUN(cases);
}

/* --- privileges ------------------------------------------------------------------------------ */

static void test_privileges(void)
{
        static const struct create_case cases[] = {
                { "Privileged", M1(HC "Privileged", "true"), "privileged", "HostConfig.Privileged", NULL },
                { "Privileged false", M1(HC "Privileged", "false"), "", NULL, NULL },
                { "Privileged null", M1(HC "Privileged", "null"), "", NULL, NULL },
                { "Privileged \"true\"", M1(HC "Privileged", S("true")), "shape", "HostConfig.Privileged", NULL },
                { "Privileged 1", M1(HC "Privileged", "1"), "shape", NULL, NULL },
                /* CapAdd, compared as dockerd normalises: case-folded, CAP_ optional */
                { "CapAdd SYS_ADMIN", M1(HC "CapAdd", "[\"SYS_ADMIN\"]"), "privileges", "\"SYS_ADMIN\"", NULL },
                { "CapAdd cap_sys_admin", M1(HC "CapAdd", "[\"cap_sys_admin\"]"), "privileges", NULL, NULL },
                { "CapAdd ALL", M1(HC "CapAdd", "[\"ALL\"]"), "privileges", NULL, NULL },
                { "CapAdd []", M1(HC "CapAdd", "[]"), "", NULL, NULL },
                { "CapAdd null", M1(HC "CapAdd", "null"), "", NULL, NULL },
                { "CapAdd NET_BIND_SERVICE, none allowed", M1(HC "CapAdd", "[\"NET_BIND_SERVICE\"]"), "privileges", NULL, NULL },
                { "CapAdd string (StrSlice form)", M1(HC "CapAdd", S("SYS_ADMIN")), "shape", "CapAdd", NULL },
                { "CapAdd number", M1(HC "CapAdd", "[1]"), "shape", NULL, NULL },
                { "allowed NET_BIND_SERVICE", M1(HC "CapAdd", "[\"NET_BIND_SERVICE\"]"), "", NULL, pol_caps },
                { "allowed net_bind_service", M1(HC "CapAdd", "[\"net_bind_service\"]"), "", NULL, pol_caps },
                { "allowed CAP_NET_BIND_SERVICE", M1(HC "CapAdd", "[\"CAP_NET_BIND_SERVICE\"]"), "", NULL, pol_caps },
                { "allowed cap_net_bind_service", M1(HC "CapAdd", "[\"cap_net_bind_service\"]"), "", NULL, pol_caps },
                { "allowed Cap_Net_Bind_Service", M1(HC "CapAdd", "[\"Cap_Net_Bind_Service\"]"), "", NULL, pol_caps },
                { "allowed, and SYS_ADMIN", M1(HC "CapAdd", "[\"NET_BIND_SERVICE\",\"SYS_ADMIN\"]"), "privileges", "SYS_ADMIN", pol_caps },
                { "allowed list: ALL", M1(HC "CapAdd", "[\"ALL\"]"), "privileges", NULL, pol_caps },
                { "allowed list: all", M1(HC "CapAdd", "[\"all\"]"), "privileges", NULL, pol_caps },
                { "allowed list: CAP_ALL", M1(HC "CapAdd", "[\"CAP_ALL\"]"), "privileges", NULL, pol_caps },
                { "policy lists ALL: ALL", M1(HC "CapAdd", "[\"ALL\"]"), "privileges", NULL, pol_caps_all },
                { "policy lists ALL: all", M1(HC "CapAdd", "[\"all\"]"), "privileges", NULL, pol_caps_all },
                { "double prefix", M1(HC "CapAdd", "[\"CAP_CAP_NET_BIND_SERVICE\"]"), "privileges", NULL, pol_caps },
                { "leading space", M1(HC "CapAdd", "[\" NET_BIND_SERVICE\"]"), "privileges", NULL, pol_caps },
                { "prefix only", M1(HC "CapAdd", "[\"CAP_\"]"), "privileges", NULL, pol_caps },
                { "CapDrop ALL", M1(HC "CapDrop", "[\"ALL\"]"), "", NULL, NULL },
                /* SecurityOpt */
                { "no-new-privileges", M1(HC "SecurityOpt", "[\"no-new-privileges\"]"), "", NULL, NULL },
                { "no-new-privileges=true", M1(HC "SecurityOpt", "[\"no-new-privileges=true\"]"), "", NULL, NULL },
                { "no-new-privileges:true", M1(HC "SecurityOpt", "[\"no-new-privileges:true\"]"), "", NULL, NULL },
                { "SecurityOpt []", M1(HC "SecurityOpt", "[]"), "privileges", "lacks no-new-privileges", NULL },
                { "SecurityOpt null", M1(HC "SecurityOpt", "null"), "privileges", "security_opt", NULL },
                { "SecurityOpt missing", M1(HC "SecurityOpt", DEL), "privileges", NULL, NULL },
                { "nnp not required: []", M1(HC "SecurityOpt", "[]"), "", NULL, pol_nnp_off },
                { "nnp not required: missing", M1(HC "SecurityOpt", DEL), "", NULL, pol_nnp_off },
                { "nnp not required: nnp=false", M1(HC "SecurityOpt", "[\"no-new-privileges=false\"]"), "privileges", NULL, pol_nnp_off },
                { "nnp not required: seccomp", M1(HC "SecurityOpt", "[\"seccomp=unconfined\"]"), "privileges", NULL, pol_nnp_off },
                { "seccomp=unconfined", M1(HC "SecurityOpt", "[\"seccomp=unconfined\"]"), "privileges", "seccomp=unconfined", NULL },
                { "seccomp:unconfined", M1(HC "SecurityOpt", "[\"seccomp:unconfined\"]"), "privileges", NULL, NULL },
                { "seccomp profile", M1(HC "SecurityOpt", "[\"seccomp={}\"]"), "privileges", NULL, NULL },
                { "apparmor=unconfined", M1(HC "SecurityOpt", "[\"apparmor=unconfined\"]"), "privileges", NULL, NULL },
                { "label=disable", M1(HC "SecurityOpt", "[\"label=disable\"]"), "privileges", NULL, NULL },
                { "label:disable", M1(HC "SecurityOpt", "[\"label:disable\"]"), "privileges", NULL, NULL },
                { "disable", M1(HC "SecurityOpt", "[\"disable\"]"), "privileges", NULL, NULL },
                { "systempaths=unconfined", M1(HC "SecurityOpt", "[\"systempaths=unconfined\"]"), "privileges", NULL, NULL },
                { "no-new-privileges=false", M1(HC "SecurityOpt", "[\"no-new-privileges=false\"]"), "privileges", NULL, NULL },
                { "no-new-privileges:false", M1(HC "SecurityOpt", "[\"no-new-privileges:false\"]"), "privileges", NULL, NULL },
                { "nnp then nnp=false", M1(HC "SecurityOpt", "[\"no-new-privileges\",\"no-new-privileges=false\"]"), "privileges", NULL, NULL },
                { "no-new-privileges=1", M1(HC "SecurityOpt", "[\"no-new-privileges=1\"]"), "privileges", NULL, NULL },
                { "NO-NEW-PRIVILEGES", M1(HC "SecurityOpt", "[\"NO-NEW-PRIVILEGES\"]"), "privileges", NULL, NULL },
                { "nnp and seccomp", M1(HC "SecurityOpt", "[\"no-new-privileges\",\"seccomp=unconfined\"]"), "privileges", NULL, NULL },
                { "SecurityOpt string", M1(HC "SecurityOpt", S("no-new-privileges")), "shape,privileges", NULL, NULL },
                /* MaskedPaths / ReadonlyPaths: [] unmasks everything */
                { "MaskedPaths null", M1(HC "MaskedPaths", "null"), "", NULL, NULL },
                { "MaskedPaths missing", M1(HC "MaskedPaths", DEL), "", NULL, NULL },
                { "MaskedPaths []", M1(HC "MaskedPaths", "[]"), "privileges", "MaskedPaths", NULL },
                { "MaskedPaths list", M1(HC "MaskedPaths", "[\"/proc/kcore\"]"), "privileges", NULL, NULL },
                { "ReadonlyPaths null", M1(HC "ReadonlyPaths", "null"), "", NULL, NULL },
                { "ReadonlyPaths []", M1(HC "ReadonlyPaths", "[]"), "privileges", "ReadonlyPaths", NULL },
                { "ReadonlyPaths list", M1(HC "ReadonlyPaths", "[\"/proc/sys\"]"), "privileges", NULL, NULL },
        };
        RUN(cases);
}

/* --- namespaces ------------------------------------------------------------------------------ */

static void test_namespaces(void)
{
        static const struct create_case cases[] = {
                { "PidMode host", M1(HC "PidMode", S("host")), "namespaces", "HostConfig.PidMode is \"host\"", NULL },
                { "PidMode container", M1(HC "PidMode", S("container:c")), "namespaces", NULL, NULL },
                { "PidMode empty", M1(HC "PidMode", S("")), "", NULL, NULL },
                { "PidMode null", M1(HC "PidMode", "null"), "", NULL, NULL },
                { "PidMode number", M1(HC "PidMode", "1"), "shape", NULL, NULL },
                { "UTSMode host", M1(HC "UTSMode", S("host")), "namespaces", "UTSMode", NULL },
                { "UTSMode empty", M1(HC "UTSMode", S("")), "", NULL, NULL },
                { "UsernsMode host", M1(HC "UsernsMode", S("host")), "namespaces", "UsernsMode", NULL },
                { "UsernsMode empty", M1(HC "UsernsMode", S("")), "", NULL, NULL },
                { "IpcMode host", M1(HC "IpcMode", S("host")), "namespaces", "IpcMode", NULL },
                { "IpcMode container", M1(HC "IpcMode", S("container:c")), "namespaces", NULL, NULL },
                { "IpcMode shareable", M1(HC "IpcMode", S("shareable")), "namespaces", NULL, NULL },
                { "IpcMode private", M1(HC "IpcMode", S("private")), "", NULL, NULL },
                { "IpcMode none", M1(HC "IpcMode", S("none")), "", NULL, NULL },
                { "IpcMode empty", M1(HC "IpcMode", S("")), "", NULL, NULL },
                { "IpcMode Private", M1(HC "IpcMode", S("Private")), "namespaces", NULL, NULL },
                { "CgroupnsMode host", M1(HC "CgroupnsMode", S("host")), "namespaces", "CgroupnsMode", NULL },
                { "CgroupnsMode private", M1(HC "CgroupnsMode", S("private")), "", NULL, NULL },
                { "CgroupnsMode empty", M1(HC "CgroupnsMode", S("")), "", NULL, NULL },
                { "Cgroup host", M1(HC "Cgroup", S("host")), "namespaces", "HostConfig.Cgroup", NULL },
                { "Cgroup container", M1(HC "Cgroup", S("container:c")), "namespaces", NULL, NULL },
                { "Cgroup empty", M1(HC "Cgroup", S("")), "", NULL, NULL },
        };
        RUN(cases);
}

/* --- devices --------------------------------------------------------------------------------- */

static void test_devices(void)
{
        static const struct create_case cases[] = {
                { "Devices", M1(HC "Devices", "[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/xnull\",\"CgroupPermissions\":\"rwm\"}]"),
                  "devices", "HostConfig.Devices", NULL },
                { "Devices []", M1(HC "Devices", "[]"), "", NULL, NULL },
                { "Devices null", M1(HC "Devices", "null"), "", NULL, NULL },
                { "Devices object", M1(HC "Devices", "{\"a\":1}"), "devices", NULL, NULL },
                { "DeviceRequests", M1(HC "DeviceRequests", "[{\"Driver\":\"nvidia\",\"Count\":-1,\"Capabilities\":[[\"gpu\"]]}]"),
                  "devices", "DeviceRequests", NULL },
                { "DeviceRequests []", M1(HC "DeviceRequests", "[]"), "", NULL, NULL },
                { "DeviceCgroupRules", M1(HC "DeviceCgroupRules", "[\"c 1:3 mr\"]"), "devices", "DeviceCgroupRules", NULL },
                { "DeviceCgroupRules []", M1(HC "DeviceCgroupRules", "[]"), "", NULL, NULL },
                { "DeviceCgroupRules string", M1(HC "DeviceCgroupRules", S("a *:* rwm")), "devices", NULL, NULL },
        };
        RUN(cases);
}

/* --- kernel ---------------------------------------------------------------------------------- */

static void test_kernel(void)
{
        static const struct create_case cases[] = {
                { "Sysctls", M1(HC "Sysctls", "{\"net.ipv4.ip_forward\":\"1\"}"), "kernel", "HostConfig.Sysctls", NULL },
                { "Sysctls {}", M1(HC "Sysctls", "{}"), "", NULL, NULL },
                { "Sysctls null", M1(HC "Sysctls", "null"), "", NULL, NULL },
                { "CgroupParent", M1(HC "CgroupParent", S("/evil")), "kernel", "CgroupParent", NULL },
                { "CgroupParent empty", M1(HC "CgroupParent", S("")), "", NULL, NULL },
                { "Runtime runc", M1(HC "Runtime", S("runc")), "", NULL, NULL },
                { "Runtime empty", M1(HC "Runtime", S("")), "", NULL, NULL },
                { "Runtime null", M1(HC "Runtime", "null"), "", NULL, NULL },
                { "Runtime runsc", M1(HC "Runtime", S("runsc")), "kernel", "\"runsc\"", NULL },
                { "Runtime shim", M1(HC "Runtime", S("io.containerd.runc.v2")), "kernel", NULL, NULL },
                { "Runtime RUNC", M1(HC "Runtime", S("RUNC")), "kernel", NULL, NULL },
                { "Runtime number", M1(HC "Runtime", "1"), "shape", NULL, NULL },
                { "OomScoreAdj -1", M1(HC "OomScoreAdj", "-1"), "kernel", "OomScoreAdj", NULL },
                { "OomScoreAdj -1000", M1(HC "OomScoreAdj", "-1000"), "kernel", NULL, NULL },
                { "OomScoreAdj 0", M1(HC "OomScoreAdj", "0"), "", NULL, NULL },
                { "OomScoreAdj 1", M1(HC "OomScoreAdj", "1"), "", NULL, NULL },
                { "OomScoreAdj 1000", M1(HC "OomScoreAdj", "1000"), "", NULL, NULL },
                { "OomScoreAdj -1.0", M1(HC "OomScoreAdj", "-1.0"), "shape", NULL, NULL },
                { "Annotations", M1(HC "Annotations", "{\"a\":\"b\"}"), "kernel", "Annotations", NULL },
                { "Annotations {}", M1(HC "Annotations", "{}"), "", NULL, NULL },
        };
        RUN(cases);
}

/* --- shape ----------------------------------------------------------------------------------- */

static void test_shape(void)
{
        static const struct create_case cases[] = {
                /* top level: Config fields plus HostConfig and NetworkingConfig only */
                { "top-level Privileged", M1("Privileged", "true"), "shape", "\"Privileged\"", NULL },
                { "top-level privileged false", M1("privileged", "false"), "shape", NULL, NULL },
                { "top-level CapAdd", M1("CapAdd", "[\"SYS_ADMIN\"]"), "shape", NULL, NULL },
                { "top-level Binds", M1("Binds", "[\"/:/host\"]"), "shape", NULL, NULL },
                { "top-level unknown", M1("Foo", "1"), "shape", NULL, NULL },
                { "HostConfig unknown key", M1(HC "Foo", "1"), "shape", "HostConfig has unknown key \"Foo\"", NULL },
                { "HostConfig look-alike key", M1(HC "Pr\xc4\xb1vileged", "true"), "shape", "\\xc4\\xb1", NULL },
                { "HostConfig null", M1("HostConfig", "null"), "cpu,memory,pids,network,rootfs,privileges", NULL, NULL },
                { "HostConfig missing", M1("HostConfig", DEL), "cpu,memory,pids,network,rootfs,privileges", NULL, NULL },
                { "HostConfig {}", M1("HostConfig", "{}"), "cpu,memory,pids,network,rootfs,privileges", NULL, NULL },
                { "HostConfig array", M1("HostConfig", "[]"), "shape,cpu,memory,pids,network,rootfs,privileges", "not a JSON object", NULL },
                { "HostConfig twice", M1("hostconfig", "{\"Privileged\":true}"), "+shape", "\"HostConfig\" and \"hostconfig\"", NULL },
                { "HostConfig twice, same content", M1("HOSTCONFIG", "{}"), "+shape", NULL, NULL },
                { "User twice", M1("user", S("0")), "shape,user", NULL, NULL },
                { "Privileged twice", M1(HC "privileged", "true"), "shape,privileged", "\"Privileged\" and \"privileged\"", NULL },
                { "Privileged twice, null last", M1(HC "PRIVILEGED", "null"), "shape", NULL, NULL },
                { "NetworkMode twice via Kelvin", M1(HC "Networ" KELVIN "Mode", S("host")), "shape,network", NULL, NULL },
                { "SecurityOpt twice via long s", M1(HC LONG_S "ecurityOpt", "[\"seccomp=unconfined\"]"), "shape,privileges", NULL, NULL },
                /* folded keys are the fields they fold to */
                { "ſecurityOpt", M2(HC "SecurityOpt", DEL, HC LONG_S "ecurityOpt", "[\"seccomp=unconfined\"]"), "privileges", NULL, NULL },
                { "ſecurityOpt allowed value", M2(HC "SecurityOpt", DEL, HC LONG_S "ecurityOpt", "[\"no-new-privileges\"]"), "", NULL, NULL },
                { "ſysctls", M1(HC LONG_S "ysctls", "{\"kernel.shm_rmid_forced\":\"1\"}"), "kernel", NULL, NULL },
                { "ReadonlyRootfſ", M2(HC "ReadonlyRootfs", DEL, HC "ReadonlyRootf" LONG_S, "false"), "rootfs", NULL, NULL },
                { "ReadonlyRootfſ true", M2(HC "ReadonlyRootfs", DEL, HC "ReadonlyRootf" LONG_S, "true"), "", NULL, NULL },
                { "PidſLimit", M2(HC "PidsLimit", DEL, HC "Pid" LONG_S "Limit", "0"), "pids", NULL, pol_pids },
                { "PidſLimit ok", M2(HC "PidsLimit", DEL, HC "Pid" LONG_S "Limit", "100"), "", NULL, pol_pids },
                { "OomKillDisable via Kelvin", M2(HC "OomKillDisable", DEL, HC "Oom" KELVIN "illDisable", "true"), "memory", NULL, NULL },
                { "NetworkMode via Kelvin", M2(HC "NetworkMode", DEL, HC "Networ" KELVIN "Mode", S("host")), "network", NULL, NULL },
                { "NetworkMode via Kelvin, none", M2(HC "NetworkMode", DEL, HC "Networ" KELVIN "Mode", S("none")), "", NULL, NULL },
                { "Uſer", M2("User", DEL, "U" LONG_S "er", S("0")), "user", NULL, NULL },
                { "ſ does not stand for i", M2(HC "Privileged", DEL, HC "Pr" LONG_S "vileged", "true"), "shape", NULL, NULL },
                { "lower-case fields", M3(HC "Privileged", DEL, HC "NanoCpus", DEL, HC "nanocpus", "3000000000"), "cpu", NULL, NULL },
                /* map keys are not fields */
                { "Labels named like fields", M1("Labels", "{\"Privileged\":\"true\",\"HostConfig\":\"x\"}"), "", NULL, NULL },
                /* types */
                { "Volumes string", M1("Volumes", S("/data")), "shape", NULL, NULL },
                { "NetworkingConfig array", M1("NetworkingConfig", "[]"), "shape", NULL, NULL },
        };
        RUN(cases);
}

/* The whole compliant HostConfig under a folded key is read as HostConfig. */
static void test_folded_hostconfig(void)
{
        tree();
        char *text = tu_subst(COMPLIANT, &vars);
        json_t *body = tu_json(text);
        free(text);
        json_t *hc = json_incref(json_object_get(body, "HostConfig"));
        json_object_del(body, "HostConfig");
        json_object_set_new(body, "ho" LONG_S "tconfig", hc);
        struct policy *p = tu_policy(repos, artifacts);
        struct decision d;
        decision_init(&d);
        eval_container_create(p, body, &d);
        decision_finish(&d);
        CU_ASSERT_TRUE(check_decision("folded HostConfig", &d, "", NULL));

        /* ... and so is a privileged one. */
        json_object_set_new(hc, "Privileged", json_true());
        decision_init(&d);
        eval_container_create(p, body, &d);
        decision_finish(&d);
        CU_ASSERT_TRUE(check_decision("folded HostConfig, privileged", &d, "privileged", NULL));
        json_decref(body);
        policy_unref(p);
}

/* Raw bodies through eval_parse_body: duplicates never reach the rules. */
static void test_raw_bodies(void)
{
        static const char *const bad[] = {
                "{\"User\":\"1000\",\"User\":\"0\"}",
                "{\"HostConfig\":{\"Privileged\":false,\"Privileged\":true}}",
                "{\"HostConfig\":{\"NetworkMode\":\"none\"},\"HostConfig\":{\"NetworkMode\":\"host\"}}",
                "{\"HostConfig\":{\"Binds\":[],\"Binds\":[\"/:/host\"]}}",
                "{\"HostConfig\":{\"Sysctls\":{\"a\":\"1\",\"a\":\"2\"}}}",
                "[{\"User\":\"1000\"}]",
                "",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                json_t *v = NULL;
                struct decision d;
                decision_init(&d);
                CU_ASSERT_EQUAL(eval_parse_body(bad[i], strlen(bad[i]), "create", &v, &d), -EINVAL);
                CU_ASSERT_PTR_NULL(v);
                CU_ASSERT_TRUE(decision_has(&d, "shape"));
                decision_finish(&d);
                CU_ASSERT_FALSE(d.allow);
        }

        /* escaped keys decode before folding: "\u017fecurityOpt" is SecurityOpt */
        tree();
        static const char raw[] =
                "{\"User\":\"1000\",\"HostConfig\":{\"NanoCpus\":1000000000,\"Memory\":1073741824,\"NetworkMode\":\"none\","
                "\"PidsLimit\":100,\"ReadonlyRootfs\":true,\"\\u017fecurityOpt\":[\"no-new-privileges\",\"apparmor=unconfined\"]}}";
        json_t *v = NULL;
        struct decision d;
        decision_init(&d);
        CU_ASSERT_EQUAL_FATAL(eval_parse_body(raw, strlen(raw), "create", &v, &d), 0);
        struct policy *p = tu_policy(repos, artifacts);
        eval_container_create(p, v, &d);
        decision_finish(&d);
        CU_ASSERT_TRUE(check_decision("escaped long s", &d, "privileges", "apparmor=unconfined"));
        json_decref(v);
        policy_unref(p);
}

static void test_no_body(void)
{
        struct policy *p = tu_policy("/srv/arandu/repos", "/srv/arandu/artifacts");
        struct decision d;
        decision_init(&d);
        eval_container_create(p, NULL, &d);
        decision_finish(&d);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_TRUE(decision_has(&d, "shape"));

        json_t *arr = json_array();
        decision_init(&d);
        eval_container_create(p, arr, &d);
        decision_finish(&d);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_TRUE(decision_has(&d, "shape"));
        json_decref(arr);
        policy_unref(p);
}

/* --- messages -------------------------------------------------------------------------------- */

static void test_message(void)
{
        tree();
        char *text = tu_subst(COMPLIANT, &vars);
        json_t *body = tu_json(text);
        free(text);
        tu_set(body, "User", S("0"), &vars);
        tu_set(body, HC "Memory", "0", &vars);
        tu_set(body, HC "Privileged", "true", &vars);
        tu_set(body, HC "CapAdd", "[\"SYS_ADMIN\",\"NET_ADMIN\"]", &vars);
        struct policy *p = tu_policy(repos, artifacts);
        struct decision d;
        decision_init(&d);
        eval_container_create(p, body, &d);
        decision_finish(&d);

        char msg[4096];
        size_t n = decision_message(&d, msg, sizeof(msg));
        CU_ASSERT_EQUAL(n, strlen(msg));
        /* every text, "; "-separated, each starting with its rule id, once */
        static const char head[] = "user: Config.User is \"0\"; give a numeric UID:GID such as --user 1000:1000 "
                                   "(docker-py user=\"1000:1000\", compose user: \"1000:1000\"); memory: ";
        CU_ASSERT_TRUE(strncmp(msg, head, strlen(head)) == 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "; memory: HostConfig.Memory is 0 (no limit); set --memory (docker-py mem_limit, "
                                           "compose mem_limit) to at most 4g; "));
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "; privileged: HostConfig.Privileged is true; remove --privileged (docker-py and "
                                          "compose: privileged)"));
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "privileges: HostConfig.CapAdd adds \"SYS_ADMIN\"; remove it from --cap-add "
                                           "(docker-py and compose: cap_add); privileges: HostConfig.CapAdd adds \"NET_ADMIN\""));
        CU_ASSERT_PTR_NULL(strstr(msg, "privileged: privileged:"));
        CU_ASSERT_PTR_NULL(strstr(msg, "user,"));
        CU_ASSERT_EQUAL(d.n, 5);
        if (d.n == 5)
                CU_ASSERT_STRING_EQUAL(d.v[1].text, "memory: HostConfig.Memory is 0 (no limit); set --memory (docker-py mem_limit, "
                                                    "compose mem_limit) to at most 4g");

        /* a short buffer: truncated, terminated */
        char small[12];
        decision_message(&d, small, sizeof(small));
        CU_ASSERT_STRING_EQUAL(small, "user: Confi");

        /* allowed */
        json_decref(body);
        text = tu_subst(COMPLIANT, &vars);
        body = tu_json(text);
        free(text);
        decision_init(&d);
        eval_container_create(p, body, &d);
        decision_finish(&d);
        CU_ASSERT_TRUE(d.allow);
        decision_message(&d, msg, sizeof(msg));
        CU_ASSERT_STRING_EQUAL(msg, "allowed");
        json_decref(body);
        policy_unref(p);
}

/* More violations than a decision holds: still denied, and the message says so. */
static void test_many_violations(void)
{
        tree();
        char *text = tu_subst(COMPLIANT, &vars);
        json_t *body = tu_json(text);
        free(text);
        json_t *binds = json_array();
        for (int i = 0; i < 2 * DECISION_MAX_VIOLATIONS; i++)
                json_array_append_new(binds, json_string("/etc:/etc:ro"));
        json_object_set_new(json_object_get(body, "HostConfig"), "Binds", binds);
        struct policy *p = tu_policy(repos, artifacts);
        struct decision d;
        decision_init(&d);
        eval_container_create(p, body, &d);
        decision_finish(&d);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_TRUE(d.truncated);
        CU_ASSERT_EQUAL(d.n, DECISION_MAX_VIOLATIONS);
        char msg[DECISION_MAX_VIOLATIONS * VIOLATION_TEXT_MAX + 256];
        decision_message(&d, msg, sizeof(msg));
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "(more violations not shown)"));
        CU_ASSERT_TRUE(strncmp(msg, "mounts: ", 8) == 0);
        json_decref(body);
        policy_unref(p);
}

/* --- limits: ulimits, /dev/shm --------------------------------------------------------------- */

#define UL(name, soft, hard) "[{\"Name\":\"" name "\",\"Soft\":" #soft ",\"Hard\":" #hard "}]"

static void test_limits(void)
{
        static const struct create_case cases[] = {
                { "no ulimits", M1(HC "Ulimits", "null"), "", NULL, NULL },
                { "nofile 1024:2048", M1(HC "Ulimits", UL("nofile", 1024, 2048)), "", NULL, NULL },
                { "nofile at the bound", M1(HC "Ulimits", UL("nofile", 1048576, 1048576)), "", NULL, NULL },
                { "nofile over the bound", M1(HC "Ulimits", UL("nofile", 1024, 1048577)), "limits", "at most 1048576", NULL },
                { "nofile unlimited", M1(HC "Ulimits", UL("nofile", -1, -1)), "limits", "-1 is unlimited", NULL },
                { "core 0", M1(HC "Ulimits", UL("core", 0, 0)), "", NULL, NULL },
                { "core 1", M1(HC "Ulimits", UL("core", 0, 1)), "limits", "core", NULL },
                { "core unlimited", M1(HC "Ulimits", UL("core", -1, -1)), "limits", NULL, NULL },
                { "nproc at the bound", M1(HC "Ulimits", UL("nproc", 65536, 65536)), "", NULL, NULL },
                { "nproc over", M1(HC "Ulimits", UL("nproc", 65537, 65537)), "limits", NULL, NULL },
                { "stack 64m", M1(HC "Ulimits", UL("stack", 67108864, 67108864)), "", NULL, NULL },
                { "stack 64m+1", M1(HC "Ulimits", UL("stack", 67108864, 67108865)), "limits", NULL, NULL },
                { "memlock 64m", M1(HC "Ulimits", UL("memlock", 67108864, 67108864)), "", NULL, NULL },
                { "memlock over", M1(HC "Ulimits", UL("memlock", 67108865, 67108865)), "limits", NULL, NULL },
                { "rtprio", M1(HC "Ulimits", UL("rtprio", 99, 99)), "limits", "realtime", NULL },
                { "rtprio 0", M1(HC "Ulimits", UL("rtprio", 0, 0)), "limits", "realtime", NULL },
                { "rttime", M1(HC "Ulimits", UL("rttime", 1, 1)), "limits", "realtime", NULL },
                { "unknown name", M1(HC "Ulimits", UL("bogus", 1, 1)), "limits", "bogus", NULL },
                { "second entry", M1(HC "Ulimits", "[{\"Name\":\"nofile\",\"Soft\":1,\"Hard\":1},{\"Name\":\"core\",\"Soft\":-1,\"Hard\":-1}]"),
                  "limits", "Ulimits[1]", NULL },
                { "ulimits not an array", M1(HC "Ulimits", "{}"), "shape", NULL, NULL },
                { "soft a string", M1(HC "Ulimits", "[{\"Name\":\"nofile\",\"Soft\":\"1\",\"Hard\":1}]"), "shape", NULL, NULL },
                /* ShmSize: 0 is dockerd's 64m default; the memory limit in the body is 1g, the policy's 4g */
                { "shm unset", M1(HC "ShmSize", "0"), "", NULL, NULL },
                { "shm missing", M1(HC "ShmSize", DEL), "", NULL, NULL },
                { "shm 64m", M1(HC "ShmSize", "67108864"), "", NULL, NULL },
                { "shm at the memory limit", M1(HC "ShmSize", "4294967296"), "", NULL, NULL },
                { "shm over the memory limit", M1(HC "ShmSize", "4294967297"), "limits", "--shm-size (docker-py and compose: shm_size) to at most 4g", NULL },
                { "shm 8g", M1(HC "ShmSize", "8589934592"), "limits", NULL, NULL },
                { "shm negative", M1(HC "ShmSize", "-1"), "limits", NULL, NULL },
                /* realtime CPU */
                { "cpu-rt-runtime", M1(HC "CpuRealtimeRuntime", "950000"), "cpu", "CpuRealtime", NULL },
                { "cpu-rt-period", M1(HC "CpuRealtimePeriod", "1000000"), "cpu", NULL, NULL },
        };
        RUN(cases);
}

/* --- restart --------------------------------------------------------------------------------- */

#define RP(name, n) "{\"Name\":\"" name "\",\"MaximumRetryCount\":" #n "}"

static void pol_norestart(struct policy *p)
{
        p->restart_max_retries = 0;
}

static void test_restart(void)
{
        static const struct create_case cases[] = {
                { "no", M1(HC "RestartPolicy", RP("no", 0)), "", NULL, NULL },
                { "empty", M1(HC "RestartPolicy", RP("", 0)), "", NULL, NULL },
                { "missing", M1(HC "RestartPolicy", DEL), "", NULL, NULL },
                { "null", M1(HC "RestartPolicy", "null"), "", NULL, NULL },
                { "on-failure:1", M1(HC "RestartPolicy", RP("on-failure", 1)), "", NULL, NULL },
                { "on-failure:3", M1(HC "RestartPolicy", RP("on-failure", 3)), "", NULL, NULL },
                { "on-failure:4", M1(HC "RestartPolicy", RP("on-failure", 4)), "restart", "on-failure with 1 to 3 retries", NULL },
                { "on-failure:0", M1(HC "RestartPolicy", RP("on-failure", 0)), "restart", "no bound", NULL },
                { "on-failure:-1", M1(HC "RestartPolicy", RP("on-failure", -1)), "restart", NULL, NULL },
                { "always", M1(HC "RestartPolicy", RP("always", 0)), "restart", "asking no plugin", NULL },
                { "unless-stopped", M1(HC "RestartPolicy", RP("unless-stopped", 0)), "restart", NULL, NULL },
                { "Always", M1(HC "RestartPolicy", RP("Always", 0)), "restart", NULL, NULL },
                { "no with retries", M1(HC "RestartPolicy", RP("no", 2)), "restart", "MaximumRetryCount is 2", NULL },
                { "no restarts allowed: on-failure:1", M1(HC "RestartPolicy", RP("on-failure", 1)), "restart",
                  "allows no restarts", pol_norestart },
                { "no restarts allowed: no", M1(HC "RestartPolicy", RP("no", 0)), "", NULL, pol_norestart },
                { "name a number", M1(HC "RestartPolicy", "{\"Name\":1}"), "shape", NULL, NULL },
                { "folded key", M1(HC "RestartPolicy", "{\"name\":\"always\"}"), "restart", NULL, NULL },
        };
        RUN(cases);
}

/* --- logs ------------------------------------------------------------------------------------ */

#define LC(type, cfg) "{\"Type\":\"" type "\",\"Config\":" cfg "}"

static void test_logs(void)
{
        static const struct create_case cases[] = {
                { "daemon default", M1(HC "LogConfig", LC("", "{}")), "", NULL, NULL },
                { "missing", M1(HC "LogConfig", DEL), "", NULL, NULL },
                { "config null", M1(HC "LogConfig", LC("json-file", "null")), "", NULL, NULL },
                { "json-file", M1(HC "LogConfig", LC("json-file", "{}")), "", NULL, NULL },
                { "local", M1(HC "LogConfig", LC("local", "{}")), "", NULL, NULL },
                { "journald", M1(HC "LogConfig", LC("journald", "{}")), "", NULL, NULL },
                { "none", M1(HC "LogConfig", LC("none", "{}")), "", NULL, NULL },
                { "syslog", M1(HC "LogConfig", LC("syslog", "{}")), "logs", "json-file, local, journald or none", NULL },
                { "syslog unix", M1(HC "LogConfig", LC("syslog", "{\"syslog-address\":\"unix:///dev/log\"}")), "logs", NULL, NULL },
                { "gelf", M1(HC "LogConfig", LC("gelf", "{\"gelf-address\":\"udp://127.0.0.1:12201\"}")), "logs", NULL, NULL },
                { "fluentd", M1(HC "LogConfig", LC("fluentd", "{}")), "logs", NULL, NULL },
                { "JSON-FILE", M1(HC "LogConfig", LC("JSON-FILE", "{}")), "logs", NULL, NULL },
                { "max-size 10m", M1(HC "LogConfig", LC("json-file", "{\"max-size\":\"10m\"}")), "", NULL, NULL },
                { "max-size 1g", M1(HC "LogConfig", LC("json-file", "{\"max-size\":\"1g\"}")), "", NULL, NULL },
                { "max-size 1GiB", M1(HC "LogConfig", LC("local", "{\"max-size\":\"1GiB\"}")), "", NULL, NULL },
                { "max-size 1073741825", M1(HC "LogConfig", LC("json-file", "{\"max-size\":\"1073741825\"}")), "logs", "up to 1g", NULL },
                { "max-size 2g", M1(HC "LogConfig", LC("json-file", "{\"max-size\":\"2g\"}")), "logs", NULL, NULL },
                { "max-size -1", M1(HC "LogConfig", LC("json-file", "{\"max-size\":\"-1\"}")), "logs", NULL, NULL },
                { "max-size junk", M1(HC "LogConfig", LC("json-file", "{\"max-size\":\"ten\"}")), "logs", NULL, NULL },
                { "max-file 1", M1(HC "LogConfig", LC("json-file", "{\"max-file\":\"1\"}")), "", NULL, NULL },
                { "max-file 100", M1(HC "LogConfig", LC("json-file", "{\"max-file\":\"100\"}")), "", NULL, NULL },
                { "max-file 101", M1(HC "LogConfig", LC("json-file", "{\"max-file\":\"101\"}")), "logs", "from 1 to 100", NULL },
                { "max-file 0", M1(HC "LogConfig", LC("json-file", "{\"max-file\":\"0\"}")), "logs", NULL, NULL },
                { "compress true", M1(HC "LogConfig", LC("local", "{\"compress\":\"true\"}")), "", NULL, NULL },
                { "compress 0", M1(HC "LogConfig", LC("json-file", "{\"compress\":\"0\"}")), "", NULL, NULL },
                { "compress yes", M1(HC "LogConfig", LC("json-file", "{\"compress\":\"yes\"}")), "logs", "use true or false", NULL },
                { "mode non-blocking", M1(HC "LogConfig", LC("json-file", "{\"mode\":\"non-blocking\",\"max-buffer-size\":\"4m\"}")), "", NULL, NULL },
                { "mode other", M1(HC "LogConfig", LC("json-file", "{\"mode\":\"fast\"}")), "logs", "blocking or non-blocking", NULL },
                { "max-buffer-size 64m", M1(HC "LogConfig", LC("journald", "{\"max-buffer-size\":\"64m\"}")), "", NULL, NULL },
                { "max-buffer-size 65m", M1(HC "LogConfig", LC("journald", "{\"max-buffer-size\":\"65m\"}")), "logs", "up to 64m", NULL },
                { "journald tag", M1(HC "LogConfig", LC("journald", "{\"tag\":\"{{.Name}}\"}")), "", NULL, NULL },
                { "journald cache", M1(HC "LogConfig", LC("journald", "{\"cache-max-size\":\"20m\",\"cache-max-file\":\"5\"}")), "", NULL, NULL },
                { "journald max-size", M1(HC "LogConfig", LC("journald", "{\"max-size\":\"10m\"}")), "logs", "not an option", NULL },
                { "local tag", M1(HC "LogConfig", LC("local", "{\"tag\":\"x\"}")), "logs", NULL, NULL },
                { "json-file syslog-address", M1(HC "LogConfig", LC("json-file", "{\"syslog-address\":\"tcp://1.2.3.4:514\"}")), "logs", NULL, NULL },
                { "default driver max-size", M1(HC "LogConfig", LC("", "{\"max-size\":\"10m\"}")), "", NULL, NULL },
                { "default driver syslog-address", M1(HC "LogConfig", LC("", "{\"syslog-address\":\"udp://1.2.3.4:514\"}")), "logs",
                  "daemon's default", NULL },
                { "none with an option", M1(HC "LogConfig", LC("none", "{\"max-size\":\"1m\"}")), "logs", "takes no options", NULL },
                { "option not a string", M1(HC "LogConfig", LC("json-file", "{\"max-size\":10}")), "shape", NULL, NULL },
                { "type not a string", M1(HC "LogConfig", "{\"Type\":1}"), "shape", NULL, NULL },
        };
        RUN(cases);
}

/* policy_new_default() is what the tables assume. */
static void test_default_policy(void)
{
        struct policy *p = policy_new_default();
        CU_ASSERT_FATAL(p != NULL);
        CU_ASSERT_EQUAL(p->uid, 1000);
        CU_ASSERT_STRING_EQUAL(p->user, "arandu-user");
        CU_ASSERT_FALSE(p->accept_user_name);
        CU_ASSERT_EQUAL(p->cpu_limit_nano, INT64_C(2000000000));
        CU_ASSERT_EQUAL(p->memory_limit, INT64_C(4) << 30);
        CU_ASSERT_EQUAL(p->pids_limit, 1024);
        CU_ASSERT_TRUE(p->no_new_privileges);
        CU_ASSERT_EQUAL(p->restart_max_retries, 3);
        CU_ASSERT_FALSE(p->allow_builds);
        CU_ASSERT_EQUAL(p->network, NETWORK_NONE);
        CU_ASSERT_TRUE(p->readonly_rootfs);
        CU_ASSERT_EQUAL(p->n_tmpfs_targets, 0);
        CU_ASSERT_EQUAL(p->n_cap_add, 0);
        policy_unref(p);
}

static const struct cu_test rule_tests[] = {
        { "compliant bodies", test_compliant },
        { "user and GroupAdd", test_user },
        { "cpu", test_cpu },
        { "memory", test_memory },
        { "pids", test_pids },
        { "network", test_network },
        { "rootfs", test_rootfs },
        { "mounts: Binds", test_binds },
        { "mounts: Mounts", test_mounts },
        { "mounts: Tmpfs and volumes", test_volumes },
        { "privileges", test_privileges },
        { "namespaces", test_namespaces },
        { "devices", test_devices },
        { "kernel", test_kernel },
        { "limits", test_limits },
        { "restart", test_restart },
        { "logs", test_logs },
        { NULL, NULL },
};

static const struct cu_test shape_tests[] = {
        { "shape: keys, folding, collisions, types", test_shape },
        { "shape: folded HostConfig", test_folded_hostconfig },
        { "shape: raw bodies", test_raw_bodies },
        { "shape: no body, not an object", test_no_body },
        { NULL, NULL },
};

static const struct cu_test message_tests[] = {
        { "message: ids, then texts", test_message },
        { "message: more violations than fit", test_many_violations },
        { "the default policy", test_default_policy },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "create rules", rule_tests },
        { "create shape", shape_tests },
        { "create messages", message_tests },
};

CU_MAIN(SUITES)
