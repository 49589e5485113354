/* Unit tests for the deny messages as a whole: the table of client names (policy/fixes.h) says what
 * each row claims, and every message form, rendered with the longest values a request or a policy
 * can put in it, fits VIOLATION_TEXT_MAX whole (a text that does not fit is cut, so its fix would
 * be lost). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/decision.h"
#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/identity.h"
#include "policy/policy.h"
#include "policy/query.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

/* --- the table --------------------------------------------------------------------------------- */

struct row {
        const char *name, *kind, *cli, *py, *compose, *phrase;
};

#define ROW_(kind, cli, py, compose) #kind, cli, py, compose, FIX_PHRASE_##kind(cli, py, compose)
#define ROW(name) { #name, FIXROW_##name(ROW_) },
static const struct row rows[] = { FIX_ROWS(ROW) };

/* "--memory-swap" -> "memory_swap": what docker-py and compose would call the flag. */
static void undash(const char *cli, char *buf, size_t size)
{
        size_t j = 0;
        while (*cli == '-')
                cli++;
        for (; *cli && j + 1 < size; cli++)
                buf[j++] = *cli == '-' ? '_' : *cli;
        buf[j] = '\0';
}

static void test_table(void)
{
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                const struct row *r = &rows[i];
                char plain[64];
                bool ok;
                undash(r->cli, plain, sizeof(plain));
                if (strcmp(r->kind, "SAME") == 0)
                        ok = strcmp(r->py, plain) == 0 && strcmp(r->compose, plain) == 0;
                else if (strcmp(r->kind, "EACH") == 0)
                        ok = r->py[0] && r->compose[0] && !(strcmp(r->py, plain) == 0 && strcmp(r->compose, plain) == 0);
                else if (strcmp(r->kind, "PY") == 0 || strcmp(r->kind, "EXEC") == 0)
                        ok = r->py[0] && !r->compose[0];
                else if (strcmp(r->kind, "COMPOSE") == 0)
                        ok = !r->py[0] && r->compose[0];
                else
                        ok = strcmp(r->kind, "CLI") == 0 && !r->py[0] && !r->compose[0];
                /* The docker CLI's one-line error is read as "rule: text; rule: text". */
                ok = ok && r->cli[0] && !strstr(r->phrase, "; ") && strlen(r->phrase) < 120;
                if (!ok)
                        fprintf(stderr, "\n  row %s (%s): \"%s\"\n", r->name, r->kind, r->phrase);
                CU_ASSERT_TRUE(ok);
        }
        CU_ASSERT_STRING_EQUAL(FIX(PRIVILEGED), "--privileged (docker-py and compose: privileged)");
        CU_ASSERT_STRING_EQUAL(FIX(MEMORY), "--memory (docker-py mem_limit, compose mem_limit)");
        CU_ASSERT_STRING_EQUAL(FIX(CPUS), "--cpus (docker-py nano_cpus, compose cpus)");
        CU_ASSERT_STRING_EQUAL(FIX(PUBLISH_ALL), "-P/--publish-all (docker-py publish_all_ports)");
}

/* --- every message form, at its longest -------------------------------------------------------- */

#define LONG_LEN 300
static char long_s[LONG_LEN + 1], long_path[LONG_LEN + 2], long_hex[65];
static struct tu_vars vars;

/* Long values, printable or (`escaped`) UTF-8 whose bytes quote_value() shows as \xNN, four times
 * as long. */
static void setup_values(bool escaped)
{
        for (size_t i = 0; i < LONG_LEN; i++)
                long_s[i] = escaped ? "\xc5\xbf"[i % 2] : (char) ('a' + i % 26);   /* U+017F */
        long_s[LONG_LEN] = '\0';
        snprintf(long_path, sizeof(long_path), "/%s", long_s);
        memset(long_hex, 'a', 64);
        long_hex[64] = '\0';
        vars = (struct tu_vars) { 3, { "$L", "$P", "$H" }, { long_s, long_path, long_hex } };
}

/* The policy with the longest words a message can take from it (all admin choices: the roots stay
 * short paths). */
static struct policy *long_policy(bool bridge, bool accept_names)
{
        struct policy *p = tu_policy("/var/lib/arandu/repos", "/var/lib/arandu/artifacts");
        p->uid = 2147483646;
        memset(p->user, 'u', sizeof(p->user) - 1);
        p->user[sizeof(p->user) - 1] = '\0';
        p->accept_user_name = accept_names;
        p->cpu_limit_nano = 1999999999;
        p->memory_limit = 1073741823;
        p->pids_limit = INT64_MAX;
        p->restart_max_retries = INT64_MAX;
        for (int i = 0; i < POLICY_ULIMITS; i++)
                p->ulimit_max[i] = INT64_MAX - 1;
        p->ulimit_max[policy_ulimit_index("core")] = -1;
        p->network = bridge ? NETWORK_BRIDGE : NETWORK_NONE;
        p->allow_builds = true;
        p->n_tmpfs_targets = 1;
        snprintf(p->tmpfs_targets[0], sizeof(p->tmpfs_targets[0]), "/tmp");
        p->n_domains = bridge ? 1 : 0;
        snprintf(p->domains[0], sizeof(p->domains[0]), "example.org");
        return p;
}

static size_t n_texts, longest;
static char longest_text[VIOLATION_TEXT_MAX];

/* Does a clause after "; " in `text` read as another violation, "word: "?  The message's reader
 * (a person, or a script like tests/e2e/smoke.sh) takes those for rule ids. */
static bool looks_like_rule(const char *text)
{
        for (const char *s = strstr(text, "; "); s; s = strstr(s + 1, "; ")) {
                const char *w = s + 2;
                size_t n = 0;
                while ((w[n] >= 'a' && w[n] <= 'z') || (w[n] >= '0' && w[n] <= '9') || (n > 0 && w[n] == '-'))
                        n++;
                if (n > 0 && w[n] == ':' && w[n + 1] == ' ')
                        return true;
        }
        return false;
}

/* Every text whole: shorter than the most a violation holds, so never cut; and one clause. */
static void expect_whole(const char *name, const struct decision *d)
{
        CU_ASSERT_TRUE(d->n > 0);
        for (size_t i = 0; i < d->n; i++) {
                size_t n = strlen(d->v[i].text);
                n_texts++;
                if (n > longest) {
                        longest = n;
                        snprintf(longest_text, sizeof(longest_text), "%s", d->v[i].text);
                }
                if (n >= VIOLATION_TEXT_MAX - 1)
                        fprintf(stderr, "\n  %s: %zu bytes: %s\n", name, n, d->v[i].text);
                CU_ASSERT_TRUE(n < VIOLATION_TEXT_MAX - 1);
                if (looks_like_rule(d->v[i].text))
                        fprintf(stderr, "\n  %s: a clause reads as a rule: %s\n", name, d->v[i].text);
                CU_ASSERT_FALSE(looks_like_rule(d->v[i].text));
        }
}

#define HC "HostConfig."
#define S(x) "\"" x "\""

struct change {
        const char *path, *value;   /* tu_set() over the compliant create body; "" ends a list */
};

struct create_case {
        const char *name;
        struct change c[4];
};

static const char COMPLIANT[] =
        "{\"Image\":\"bb\",\"User\":\"1000:1000\",\"HostConfig\":{\"NanoCpus\":1000000000,\"Memory\":1073741823,"
        "\"NetworkMode\":\"none\",\"ReadonlyRootfs\":true,\"SecurityOpt\":[\"no-new-privileges\"],\"PidsLimit\":512}}";

#define MIN64 "-9223372036854775808"
#define MAX64 "9223372036854775807"

static const struct create_case create_cases[] = {
        { "user name", { { "User", S("$L") } } },
        { "user uid 0", { { "User", S("0:$L") } } },
        { "user empty", { { "User", S("") } } },
        { "user the policy's name, group 0", { { "User", NULL } } },   /* set in test_create_forms */
        { "cpu none", { { HC "NanoCpus", NULL } } },
        { "cpu nano negative", { { HC "NanoCpus", MIN64 } } },
        { "cpu nano over", { { HC "NanoCpus", MAX64 } } },
        { "cpu quota negative", { { HC "CpuQuota", MIN64 }, { HC "CpuPeriod", "100000" } } },
        { "cpu period negative", { { HC "CpuQuota", "1" }, { HC "CpuPeriod", MIN64 } } },
        { "cpu quota over", { { HC "CpuQuota", MAX64 }, { HC "CpuPeriod", "1000" } } },
        { "cpu realtime, windows", { { HC "CpuRealtimePeriod", "1" }, { HC "CpuCount", "1" } } },
        { "memory none", { { HC "Memory", MIN64 } } },
        { "memory over, swap", { { HC "Memory", MAX64 }, { HC "MemorySwap", MIN64 } } },
        { "memory swap -1", { { HC "MemorySwap", "-1" }, { HC "OomKillDisable", "true" } } },
        { "pids", { { HC "PidsLimit", MIN64 } } },
        { "ulimit name", { { HC "Ulimits", "[{\"Name\":\"$L\",\"Soft\":1,\"Hard\":1},{\"Name\":\"core\",\"Soft\":1,\"Hard\":1}]" } } },
        { "ulimit values", { { HC "Ulimits", "[{\"Name\":\"nofile\",\"Soft\":" MIN64 ",\"Hard\":" MAX64 "}]" } } },
        { "devices", { { HC "Devices", "[{\"PathOnHost\":\"$P\"}]" }, { HC "DeviceRequests", "[{}]" },
                       { HC "DeviceCgroupRules", "[\"$L\"]" } } },
        { "network mode", { { HC "NetworkMode", S("$L") } } },
        { "ports", { { HC "PortBindings", "{\"80/tcp\":[]}" }, { HC "PublishAllPorts", "true" } } },
        { "endpoints", { { "NetworkingConfig", "{\"EndpointsConfig\":{\"$L\":{\"DriverOpts\":{\"a\":\"b\"},"
                                               "\"MacAddress\":\"$L\",\"Links\":[\"$L\"],\"IPAMConfig\":{\"IPv4Address\":\"$L\","
                                               "\"IPv6Address\":\"$L\",\"LinkLocalIPs\":[\"$L\"]}}}}" } } },
        { "network settings", { { HC "Dns", "[\"$L\"]" }, { HC "ExtraHosts", "[\"$L\"]" }, { HC "DnsSearch", "[\"$L\"]" } } },
        { "network settings 2", { { HC "DnsOptions", "[\"$L\"]" }, { HC "Links", "[\"$L\"]" }, { "MacAddress", S("$L") } } },
        { "rootfs", { { HC "ReadonlyRootfs", "false" } } },
        { "bind anonymous", { { HC "Binds", "[\"$L\"]" } } },
        { "bind invalid", { { HC "Binds", "[\"$L:$L:$L:$L\"]" } } },
        { "bind named", { { HC "Binds", "[\"$L:/workspace\"]" } } },
        { "bind target", { { HC "Binds", "[\"$P:$P\"]" } } },
        { "bind mode", { { HC "Binds", "[\"$P:/workspace:$L\"]" } } },
        { "bind source, twice, rw", { { HC "Binds", "[\"$P:/workspace\",\"$P:/workspace\"]" } } },
        { "bind too long", { { HC "Binds", NULL } } },   /* set in test_create_forms */
        { "mount tmpfs target", { { HC "Mounts", "[{\"Type\":\"tmpfs\",\"Target\":\"$P\",\"Source\":\"x\"}]" } } },
        { "mount tmpfs size", { { HC "Mounts", "[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":"
                                               "{\"SizeBytes\":" MAX64 ",\"Options\":[[\"$L\"]]}}]" } } },
        { "mount tmpfs no size", { { HC "Mounts", "[{\"Type\":\"tmpfs\",\"Target\":\"/tmp\"}]" } } },
        { "mount bind options", { { HC "Mounts", "[{\"Type\":\"bind\",\"Source\":\"$P\",\"Target\":\"/workspace\","
                                                 "\"BindOptions\":{\"Propagation\":\"$L\",\"CreateMountpoint\":true,"
                                                 "\"ReadOnlyNonRecursive\":true},\"TmpfsOptions\":{}}]" } } },
        { "mount bind target", { { HC "Mounts", "[{\"Type\":\"bind\",\"Source\":\"/x\",\"Target\":\"$P\"}]" } } },
        { "mount type", { { HC "Mounts", "[{\"Type\":\"$L\",\"Target\":\"/x\",\"VolumeOptions\":{},"
                                         "\"ImageOptions\":{},\"ClusterOptions\":{}}]" } } },
        { "volumes", { { "Volumes", "{\"$P\":{}}" }, { HC "VolumesFrom", "[\"$L\"]" }, { HC "VolumeDriver", S("$L") } } },
        { "tmpfs target", { { HC "Tmpfs", "{\"$P\":1}" } } },
        { "tmpfs no size", { { HC "Tmpfs", "{\"/tmp\":\"\"}" } } },
        { "tmpfs options", { { HC "Tmpfs", "{\"/tmp\":\"size=$L,exec,suid,$L\"}" } } },
        { "tmpfs over", { { HC "Tmpfs", "{\"/tmp\":\"size=9999999g\"}" } } },
        { "tmpfs long", { { HC "Tmpfs", NULL } } },   /* set in test_create_forms */
        { "privileges", { { HC "Privileged", "true" }, { HC "CapAdd", "[\"$L\"]" }, { HC "SecurityOpt", "[\"$L\"]" } } },
        { "paths", { { HC "MaskedPaths", "[]" }, { HC "ReadonlyPaths", "[]" }, { HC "GroupAdd", "[\"$L\"]" } } },
        { "namespaces", { { HC "PidMode", S("$L") }, { HC "UTSMode", S("$L") }, { HC "UsernsMode", S("$L") } } },
        { "namespaces 2", { { HC "IpcMode", S("$L") }, { HC "CgroupnsMode", S("$L") }, { HC "Cgroup", S("$L") } } },
        { "kernel", { { HC "Sysctls", "{\"$L\":\"1\"}" }, { HC "CgroupParent", S("$L") }, { HC "Annotations", "{\"$L\":\"1\"}" } } },
        { "kernel 2", { { HC "Runtime", S("$L") }, { HC "OomScoreAdj", MIN64 }, { HC "ShmSize", MAX64 } } },
        { "restart name", { { HC "RestartPolicy", "{\"Name\":\"$L\"}" } } },
        { "restart retries", { { HC "RestartPolicy", "{\"Name\":\"on-failure\",\"MaximumRetryCount\":" MIN64 "}" } } },
        { "restart no", { { HC "RestartPolicy", "{\"Name\":\"no\",\"MaximumRetryCount\":" MIN64 "}" } } },
        { "log driver", { { HC "LogConfig", "{\"Type\":\"$L\"}" } } },
        { "log options", { { HC "LogConfig", "{\"Type\":\"json-file\",\"Config\":{\"$L\":\"1\",\"max-size\":\"$L\","
                                             "\"max-file\":\"$L\",\"compress\":\"$L\",\"mode\":\"$L\",\"x\":1}}" } } },
        { "log none", { { HC "LogConfig", "{\"Type\":\"none\",\"Config\":{\"$L\":\"1\"}}" } } },
        { "shape", { { HC "$L", "true" }, { HC "Privileged", S("$L") }, { "$L", "1" } } },
};

/* Judge dockerd's view of a container, written as a template over `vars`. */
static void judge_view(const struct policy *p, const char *tpl, struct decision *d)
{
        char *text = tu_subst(tpl, &vars);
        json_t *view = tu_json(text);
        free(text);
        decision_init(d);
        eval_container_view(p, view, d);
        json_decref(view);
}

static void run_create(const struct policy *p, const struct create_case *c, json_t *body)
{
        struct decision d;
        decision_init(&d);
        eval_container_create(p, body, &d);
        decision_finish(&d);
        expect_whole(c->name, &d);
}

static void create_forms(bool escaped)
{
        setup_values(escaped);
        struct policy *pols[] = { long_policy(true, false), long_policy(false, true) };
        for (size_t k = 0; k < 2; k++)
                for (size_t i = 0; i < sizeof(create_cases) / sizeof(create_cases[0]); i++) {
                        const struct create_case *c = &create_cases[i];
                        char *text = tu_subst(COMPLIANT, &vars);
                        json_t *body = tu_json(text);
                        free(text);
                        for (size_t j = 0; j < 4 && c->c[j].path; j++) {
                                if (c->c[j].value) {
                                        tu_set(body, c->c[j].path, c->c[j].value, &vars);
                                        continue;
                                }
                                json_t *hc = json_object_get(body, "HostConfig");
                                char big[PATH_MAX + 64];
                                memset(big, 'b', sizeof(big) - 1);
                                big[0] = '/';
                                big[sizeof(big) - 1] = '\0';
                                if (strcmp(c->name, "bind too long") == 0)
                                        json_object_set_new(hc, "Binds", json_pack("[s]", big));
                                else if (strcmp(c->name, "tmpfs long") == 0)
                                        json_object_set_new(hc, "Tmpfs", json_pack("{ss}", "/tmp", big));
                                else if (strcmp(c->c[j].path, "User") == 0) {
                                        char u[sizeof(pols[k]->user) + 8];
                                        snprintf(u, sizeof(u), "%s:0", pols[k]->user);
                                        json_object_set_new(body, "User", json_string(u));
                                } else
                                        json_object_del(hc, c->c[j].path + strlen(HC));
                        }
                        run_create(pols[k], c, body);
                        json_decref(body);
                }
        /* the daemon's own view: defaults missing from the masked and read-only paths */
        struct decision d;
        judge_view(pols[0], "{\"Id\":\"$H\",\"Name\":\"/$L\",\"Config\":{\"User\":\"$L\",\"Image\":\"bb\"},"
                   "\"HostConfig\":{\"MaskedPaths\":[],\"ReadonlyPaths\":[],\"Privileged\":true}}", &d);
        decision_finish(&d);
        expect_whole("view", &d);

        /* names */
        decision_init(&d);
        eval_container_name(long_hex, "?name=", &d);
        eval_container_name(long_hex, "the new name", &d);
        expect_whole("names", &d);
        for (size_t k = 0; k < 2; k++)
                policy_unref(pols[k]);
}

static void run_body(const char *name, const struct policy *p, const char *tmpl,
                     void (*eval)(const struct policy *, json_t *, struct decision *))
{
        char *text = tu_subst(tmpl, &vars);
        json_t *body = tu_json(text);
        free(text);
        struct decision d;
        decision_init(&d);
        eval(p, body, &d);
        decision_finish(&d);
        expect_whole(name, &d);
        json_decref(body);
}

static void other_forms(bool escaped)
{
        setup_values(escaped);
        struct policy *pols[] = { long_policy(true, false), long_policy(false, true) };
        for (size_t k = 0; k < 2; k++) {
                const struct policy *p = pols[k];
                run_body("update", p, "{\"NanoCpus\":" MIN64 ",\"Memory\":" MIN64 ",\"MemorySwap\":-1,\"PidsLimit\":" MIN64 ","
                         "\"Devices\":[{}],\"DeviceRequests\":[{}],\"DeviceCgroupRules\":[\"$L\"],\"CgroupParent\":\"$L\","
                         "\"RestartPolicy\":{\"Name\":\"$L\"},\"CpuRealtimeRuntime\":1,\"CpuPercent\":1}", eval_container_update);
                run_body("update quota alone", p, "{\"CpuQuota\":" MIN64 "}", eval_container_update);
                run_body("update over", p, "{\"NanoCpus\":" MAX64 ",\"Memory\":" MAX64 ",\"MemorySwap\":" MIN64 ","
                         "\"CpuQuota\":" MAX64 ",\"CpuPeriod\":1000,\"OomKillDisable\":true}", eval_container_update);
                run_body("exec", p, "{\"Privileged\":true,\"User\":\"$L\"}", eval_exec_create);
                run_body("exec numeric", p, "{\"User\":\"0:$L\"}", eval_exec_create);
                run_body("exec view", p, "{\"ProcessConfig\":{\"privileged\":true,\"user\":\"$L\"}}", eval_exec_view);
                run_body("network create", p, "{\"Name\":\"n\",\"Driver\":\"$L\",\"Scope\":\"$L\",\"Options\":{\"a\":\"b\"},"
                         "\"ConfigFrom\":{\"Network\":\"$L\"},\"EnableIPv6\":true,\"Attachable\":true,"
                         "\"IPAM\":{\"Driver\":\"$L\",\"Config\":[{}],\"Options\":{\"a\":\"b\"}}}", eval_network_create);
                run_body("volume create", p, "{\"Driver\":\"$L\",\"DriverOpts\":{\"a\":\"b\"},\"ClusterVolumeSpec\":{}}",
                         eval_volume_create);

                struct decision d;
                decision_init(&d);
                json_t *body = tu_json("{\"EndpointConfig\":{\"DriverOpts\":{\"a\":\"b\"},\"MacAddress\":\"x\",\"Links\":[\"y\"]}}");
                eval_network_connect(p, long_s, body, &d);
                json_decref(body);
                expect_whole("network connect", &d);

                /* builds: every limit wrong */
                char raw[4096];
                snprintf(raw, sizeof(raw), "version=2&networkmode=%s&memory=-1&memswap=-1&cpuquota=-1&cpuperiod=-1&"
                         "shmsize=" MIN64 "&cgroupparent=%s&isolation=%s&remote=%s", long_s, long_s, long_s, long_s);
                struct query q;
                CU_ASSERT_FATAL(query_parse(raw, &q) == 0);
                decision_init(&d);
                eval_build(p, &q, &d);
                expect_whole("build", &d);
                snprintf(raw, sizeof(raw), "networkmode=none&memory=" MAX64 "&memswap=" MIN64 "&cpuquota=" MAX64 "&cpuperiod=1000");
                CU_ASSERT_FATAL(query_parse(raw, &q) == 0);
                decision_init(&d);
                eval_build(p, &q, &d);
                expect_whole("build over", &d);
                snprintf(raw, sizeof(raw), "networkmode=none&memory=1&cpuquota=0&cpuperiod=0");
                CU_ASSERT_FATAL(query_parse(raw, &q) == 0);
                decision_init(&d);
                eval_build(p, &q, &d);
                expect_whole("build no cpu", &d);

                /* the identity at start: unresolvable, and root by the image's files */
                static const char passwd[] = "root:x:0:0::/:/bin/sh\n";
                const struct identity_files f = { passwd, strlen(passwd), NULL, 0 };
                decision_init(&d);
                check_identity(p, "Config.User", long_s, &f, NULL, 0, &d);
                check_identity(p, "Exec.User", "root", &f, NULL, 0, &d);
                check_identity(p, "Config.User", "0:0", &f, NULL, 0, &d);
                expect_whole("identity", &d);
        }
        for (size_t k = 0; k < 2; k++)
                policy_unref(pols[k]);
}

static void test_create_forms(void)
{
        create_forms(false);
        create_forms(true);
}

static void test_other_forms(void)
{
        other_forms(false);
        other_forms(true);
}

/* The user rule's words for each kind of value, docker-py's and compose's spellings included. */
static void test_user_words(void)
{
        struct policy *p = policy_new_default();
        CU_ASSERT_FATAL(p != NULL);
        struct decision d;

        decision_init(&d);
        eval_user(p, "arandu-user", "Config.User", false, &d);
        CU_ASSERT_EQUAL(d.n, 1);
        CU_ASSERT_STRING_EQUAL(d.v[0].text, "user: Config.User is \"arandu-user\", a user name, which the image may map to "
                               "root; give a numeric UID:GID such as --user 1000:1000 (docker-py user=\"1000:1000\", "
                               "compose user: \"1000:1000\"), or have the admin set \"accept_user_name\": true in the "
                               "policy to allow the name arandu-user");
        decision_init(&d);
        eval_user(p, "0", "Config.User", false, &d);
        CU_ASSERT_STRING_EQUAL(d.v[0].text, "user: Config.User is \"0\"; give a numeric UID:GID such as --user 1000:1000 "
                               "(docker-py user=\"1000:1000\", compose user: \"1000:1000\")");
        decision_init(&d);
        eval_user(p, "root", "Exec.User", true, &d);
        CU_ASSERT_PTR_NOT_NULL(strstr(d.v[0].text, "; give a numeric UID:GID such as --user 1000:1000 of docker exec and "
                                      "docker compose exec (docker-py exec_run user=\"1000:1000\"), or have the admin set "
                                      "\"accept_user_name\": true"));

        p->accept_user_name = true;
        decision_init(&d);
        eval_user(p, "root", "Config.User", false, &d);
        CU_ASSERT_PTR_NOT_NULL(strstr(d.v[0].text, "\"root\", not the policy's user name; give a numeric UID:GID "));
        CU_ASSERT_PTR_NOT_NULL(strstr(d.v[0].text, "\"), or use the name arandu-user"));
        CU_ASSERT_PTR_NULL(strstr(d.v[0].text, "accept_user_name"));
        decision_init(&d);
        eval_user(p, "arandu-user:0", "Config.User", false, &d);
        CU_ASSERT_PTR_NOT_NULL(strstr(d.v[0].text, "whose group is not a numeric GID >= 1"));
        decision_init(&d);
        eval_user(p, "arandu-user:5", "Config.User", false, &d);
        CU_ASSERT_EQUAL(d.n, 0);
        policy_unref(p);
}

/* The whole message of a denied start: each rule once, the note that the container must be created
 * again once, at the end. */
static void test_start_message(void)
{
        const bool escaped = false;
        setup_values(escaped);
        struct policy *p = long_policy(true, false);
        struct decision d;
        judge_view(p, "{\"Id\":\"$H\",\"Name\":\"/job\",\"Config\":{\"User\":\"0\",\"Image\":\"bb\"},"
                   "\"HostConfig\":{\"Privileged\":true}}", &d);
        decision_recreate(&d, long_hex);
        decision_finish(&d);
        char msg[DECISION_MAX_VIOLATIONS * (VIOLATION_TEXT_MAX + 2) + 2048];
        size_t n = decision_message(&d, msg, sizeof(msg));
        CU_ASSERT_TRUE(n < sizeof(msg) - 1);
        CU_ASSERT_TRUE(strncmp(msg, "user: Config.User is \"0\"; ", 26) == 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "; privileged: HostConfig.Privileged is true; remove --privileged (docker-py and "
                                      "compose: privileged); "));
        static const char head[] = "; the container was created with these settings";
        const char *note = strstr(msg, head);
        CU_ASSERT_PTR_NOT_NULL(note);
        if (note) {
                CU_ASSERT_PTR_NULL(strstr(note + strlen(head), "the container was created"));
                CU_ASSERT_PTR_NOT_NULL(strstr(note, "(docker rm aaaaaaaaaaaa, docker-py container.remove(), "
                                              "docker compose up --force-recreate)"));
                CU_ASSERT_EQUAL(note[strlen(note) - 1], ')');
        }
        policy_unref(p);
}

static void test_count(void)
{
        /* the forms above ran (a guard against a table of cases that silently emptied) */
        CU_ASSERT_TRUE(n_texts > 150);
        if (getenv("ARANDU_UNIT_VERBOSE"))
                fprintf(stderr, "\n  %zu texts, the longest %zu bytes: %s\n", n_texts, longest, longest_text);
}

static const struct cu_test tests[] = {
        { "the table of client names", test_table },
        { "create forms fit whole", test_create_forms },
        { "other endpoints' forms fit whole", test_other_forms },
        { "the user rule's words", test_user_words },
        { "a denied start's message", test_start_message },
        { "forms counted", test_count },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "messages", tests },
};

CU_MAIN(SUITES)
