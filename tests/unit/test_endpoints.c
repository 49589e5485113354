/* Unit tests for the rules of every endpoint other than container create (policy/endpoints.c):
 * exec, update, network connect, volume create, build and start. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/decision.h"
#include "policy/eval.h"
#include "policy/policy.h"
#include "policy/query.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

static void pol_bridge(struct policy *p)
{
        p->network = NETWORK_BRIDGE;
}

static void pol_pids(struct policy *p)
{
        p->pids_limit = 100;
}

static void pol_nopids(struct policy *p)
{
        p->pids_limit = 0;
}

static void pol_names(struct policy *p)
{
        p->accept_user_name = true;
}

static void pol_builds(struct policy *p)
{
        p->allow_builds = true;
}

static void pol_builds_bridge(struct policy *p)
{
        p->allow_builds = true;
        p->network = NETWORK_BRIDGE;
}

/* the artifacts root on a nosuid,nodev mount (tu_fixture_roots), and not */
static void pol_arts_nosuid(struct policy *p)
{
        snprintf(p->artifacts_dir, sizeof(p->artifacts_dir), "%s", TU_FIXTURE_ARTIFACTS);
}

static void pol_arts_plain(struct policy *p)
{
        snprintf(p->artifacts_dir, sizeof(p->artifacts_dir), "%s", TU_PLAIN_MOUNT);
}

static void pol_arts_missing(struct policy *p)
{
        snprintf(p->artifacts_dir, sizeof(p->artifacts_dir), "/srv/arandu/not-here");
}

static void pol_arts_nosuid_rw_nonnp(struct policy *p)
{
        pol_arts_nosuid(p);
        p->readonly_rootfs = false;
        p->no_new_privileges = false;
}

static void pol_arts_nosuid_rw(struct policy *p)
{
        pol_arts_nosuid(p);
        p->readonly_rootfs = false;
}

static void pol_arts_nosuid_nonnp(struct policy *p)
{
        pol_arts_nosuid(p);
        p->no_new_privileges = false;
}

enum endpoint { EXEC, UPDATE, CONNECT, VOLUME, BUILD, START, NETCREATE, ARCHIVE };

struct ep_case {
        const char *name;
        enum endpoint ep;
        const char *arg;        /* body JSON (NULL: no body); BUILD/START: the raw query */
        const char *network;    /* CONNECT: the network of the path */
        const char *rules;      /* exact set of rule ids, "" = allow */
        const char *mention;
        void (*tweak)(struct policy *);
};

static bool run_case(const struct ep_case *c)
{
        struct policy *p = tu_policy("/srv/arandu/repos", "/srv/arandu/artifacts");
        if (c->tweak)
                c->tweak(p);
        struct decision d;
        decision_init(&d);
        json_t *body = NULL;
        struct query *q = NULL;

        if (c->ep == BUILD || c->ep == START) {
                q = malloc(sizeof(*q));
                CU_ASSERT_FATAL(q != NULL);
                CU_ASSERT_FATAL(query_parse(c->arg, q) == 0);
        } else if (c->arg) {
                body = tu_json(c->arg);
        }
        switch (c->ep) {
        case EXEC:
                eval_exec_create(p, body, &d);
                break;
        case UPDATE:
                eval_container_update(p, body, &d);
                break;
        case CONNECT:
                eval_network_connect(p, c->network, body, &d);
                break;
        case VOLUME:
                eval_volume_create(p, body, &d);
                break;
        case BUILD:
                eval_build(p, q, &d);
                break;
        case START:
                eval_container_start(p, q, &d);
                break;
        case NETCREATE:
                eval_network_create(p, body, &d);
                break;
        case ARCHIVE:
                eval_archive_put(p, &d);
                break;
        }
        decision_finish(&d);

        bool ok = d.complete && d.allow == (c->rules[0] == '\0') && tu_rules_are(&d, c->rules) &&
                  (!c->mention || tu_mentions(&d, c->mention)) && tu_texts_well_formed(&d);
        /* TU_PRINT=1 prints every violation text, to review the messages */
        if (getenv("TU_PRINT"))
                for (size_t i = 0; i < d.n; i++)
                        fprintf(stderr, "TEXT %s\n", d.v[i].text);
        if (!ok) {
                fprintf(stderr, "\n  want [%s]%s%s", c->rules, c->mention ? " mentioning " : "", c->mention ? c->mention : "");
                tu_dump(c->name, &d);
        }
        json_decref(body);
        free(q);
        policy_unref(p);
        return ok;
}

#define RUN(table) \
        for (size_t i_ = 0; i_ < sizeof(table) / sizeof(table[0]); i_++) \
                CU_ASSERT_TRUE(run_case(&table[i_]))

/* --- exec ------------------------------------------------------------------------------------ */

#define CLI_EXEC(user, priv) \
        "{\"User\":\"" user "\",\"Privileged\":" priv ",\"Tty\":false,\"AttachStdin\":false,\"AttachStderr\":true," \
        "\"AttachStdout\":true,\"Detach\":false,\"DetachKeys\":\"\",\"Env\":null,\"WorkingDir\":\"\",\"Cmd\":[\"id\"]}"

static void test_exec(void)
{
        static const struct ep_case cases[] = {
                { "cli body, no user", EXEC, CLI_EXEC("", "false"), NULL, "", NULL, NULL },
                { "cli body, root, privileged", EXEC, CLI_EXEC("root", "true"), NULL, "privileged,user", NULL, NULL },
                { "empty object", EXEC, "{}", NULL, "", NULL, NULL },
                { "User null", EXEC, "{\"User\":null}", NULL, "", NULL, NULL },
                { "User 1000", EXEC, "{\"User\":\"1000\"}", NULL, "", NULL, NULL },
                { "User 1000:1000", EXEC, "{\"User\":\"1000:1000\"}", NULL, "", NULL, NULL },
                { "User 1000:0", EXEC, "{\"User\":\"1000:0\"}", NULL, "user", "Exec.User", NULL },
                { "User root", EXEC, "{\"User\":\"root\"}", NULL, "user", "Exec.User is \"root\"", NULL },
                { "User 0", EXEC, "{\"User\":\"0\"}", NULL, "user", NULL, NULL },
                { "User 0:0", EXEC, "{\"User\":\"0:0\"}", NULL, "user", NULL, NULL },
                { "User 00", EXEC, "{\"User\":\"00\"}", NULL, "user", NULL, NULL },
                { "User 1001", EXEC, "{\"User\":\"1001\"}", NULL, "user", NULL, NULL },
                { "User name", EXEC, "{\"User\":\"arandu-user\"}", NULL, "user", NULL, NULL },
                { "User name accepted", EXEC, "{\"User\":\"arandu-user\"}", NULL, "", NULL, pol_names },
                { "User root, names accepted", EXEC, "{\"User\":\"root\"}", NULL, "user", NULL, pol_names },
                { "user folded", EXEC, "{\"user\":\"root\"}", NULL, "user", NULL, NULL },
                { "User number", EXEC, "{\"User\":0}", NULL, "shape", "Exec.User", NULL },
                { "Privileged", EXEC, "{\"Privileged\":true}", NULL, "privileged", "Exec.Privileged", NULL },
                { "Privileged false", EXEC, "{\"Privileged\":false}", NULL, "", NULL, NULL },
                { "privileged folded", EXEC, "{\"PRIVILEGED\":true}", NULL, "privileged", NULL, NULL },
                { "Privileged twice", EXEC, "{\"Privileged\":false,\"privileged\":true}", NULL, "shape,privileged", NULL, NULL },
                { "Privileged string", EXEC, "{\"Privileged\":\"true\"}", NULL, "shape", NULL, NULL },
                { "unknown key", EXEC, "{\"Cmd\":[\"id\"],\"Foo\":1}", NULL, "shape", "Foo", NULL },
                { "ConsoleSize", EXEC, "{\"ConsoleSize\":[24,80]}", NULL, "", NULL, NULL },
                { "docker-py 7 body (Container, ignored by dockerd)", EXEC,
                  "{\"Container\":\"3f4e5d6c7b8a\",\"User\":\"1000:1000\",\"Privileged\":false,\"Tty\":false,\"AttachStdin\":false,"
                  "\"AttachStdout\":true,\"AttachStderr\":true,\"Cmd\":[\"id\"],\"Env\":null}", NULL, "", NULL, NULL },
                { "Container with a privileged exec", EXEC, "{\"Container\":\"x\",\"Privileged\":true}", NULL, "privileged", NULL, NULL },
                { "no body", EXEC, NULL, NULL, "shape", NULL, NULL },
                { "array body", EXEC, "[]", NULL, "shape", NULL, NULL },
        };
        RUN(cases);
}

/* --- update ---------------------------------------------------------------------------------- */

#define CLI_UPDATE(mem, nano) \
        "{\"CpuShares\":0,\"Memory\":" mem ",\"NanoCpus\":" nano ",\"CgroupParent\":\"\",\"BlkioWeight\":0," \
        "\"BlkioWeightDevice\":null,\"BlkioDeviceReadBps\":null,\"BlkioDeviceWriteBps\":null,\"BlkioDeviceReadIOps\":null," \
        "\"BlkioDeviceWriteIOps\":null,\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0," \
        "\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":null,\"DeviceCgroupRules\":null,\"DeviceRequests\":null," \
        "\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":null,\"OomKillDisable\":null,\"PidsLimit\":null," \
        "\"Ulimits\":null,\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0," \
        "\"RestartPolicy\":{\"Name\":\"\",\"MaximumRetryCount\":0}}"

static void test_update(void)
{
        static const struct ep_case cases[] = {
                { "cli body: cpus 2, memory unchanged", UPDATE, CLI_UPDATE("0", "2000000000"), NULL, "", NULL, NULL },
                { "cli body: cpus 2.000000001", UPDATE, CLI_UPDATE("0", "2000000001"), NULL, "cpu", "NanoCpus", NULL },
                { "cli body: memory 4g", UPDATE, CLI_UPDATE("4294967296", "0"), NULL, "", NULL, NULL },
                { "cli body: memory 4g+1", UPDATE, CLI_UPDATE("4294967297", "0"), NULL, "memory", "Memory", NULL },
                { "empty: nothing changes", UPDATE, "{}", NULL, "", NULL, NULL },
                { "all zero", UPDATE, "{\"NanoCpus\":0,\"Memory\":0,\"CpuQuota\":0,\"CpuPeriod\":0,\"MemorySwap\":0}", NULL, "", NULL, NULL },
                { "NanoCpus 1", UPDATE, "{\"NanoCpus\":1}", NULL, "", NULL, NULL },
                { "NanoCpus -1", UPDATE, "{\"NanoCpus\":-1}", NULL, "cpu", NULL, NULL },
                { "NanoCpus 2e9 exponent", UPDATE, "{\"NanoCpus\":2e9}", NULL, "shape", "NanoCpus", NULL },
                { "Memory -1", UPDATE, "{\"Memory\":-1}", NULL, "memory", "Update.Memory is -1", NULL },
                { "Memory 1", UPDATE, "{\"Memory\":1}", NULL, "", NULL, NULL },
                { "MemorySwap -1", UPDATE, "{\"MemorySwap\":-1}", NULL, "memory", "MemorySwap is -1", NULL },
                { "MemorySwap -1 with Memory", UPDATE, "{\"Memory\":1073741824,\"MemorySwap\":-1}", NULL, "memory", NULL, NULL },
                { "MemorySwap = Memory", UPDATE, "{\"Memory\":1073741824,\"MemorySwap\":1073741824}", NULL, "", NULL, NULL },
                { "MemorySwap > Memory", UPDATE, "{\"Memory\":1073741824,\"MemorySwap\":2147483648}", NULL, "memory", NULL, NULL },
                { "MemorySwap alone", UPDATE, "{\"MemorySwap\":1073741824}", NULL, "memory", NULL, NULL },
                { "OomKillDisable", UPDATE, "{\"OomKillDisable\":true}", NULL, "memory", "OomKillDisable", NULL },
                { "OomKillDisable false", UPDATE, "{\"OomKillDisable\":false}", NULL, "", NULL, NULL },
                /* quota and period come together: the current period is not known here */
                { "quota alone", UPDATE, "{\"CpuQuota\":100000}", NULL, "cpu", "together", NULL },
                { "period alone", UPDATE, "{\"CpuPeriod\":100000}", NULL, "cpu", "together", NULL },
                { "quota/period at limit", UPDATE, "{\"CpuQuota\":200000,\"CpuPeriod\":100000}", NULL, "", NULL, NULL },
                { "quota/period over", UPDATE, "{\"CpuQuota\":200001,\"CpuPeriod\":100000}", NULL, "cpu", NULL, NULL },
                { "quota -1 with period", UPDATE, "{\"CpuQuota\":-1,\"CpuPeriod\":100000}", NULL, "cpu", NULL, NULL },
                { "quota with negative period", UPDATE, "{\"CpuQuota\":100000,\"CpuPeriod\":-1}", NULL, "cpu", NULL, NULL },
                { "CpuRealtimeRuntime", UPDATE, "{\"CpuRealtimeRuntime\":1}", NULL, "cpu", NULL, NULL },
                { "CpuRealtimePeriod", UPDATE, "{\"CpuRealtimePeriod\":1000000}", NULL, "cpu", NULL, NULL },
                /* devices, cgroup parent */
                { "Devices", UPDATE, "{\"Devices\":[{\"PathOnHost\":\"/dev/sda\",\"PathInContainer\":\"/dev/sda\",\"CgroupPermissions\":\"rwm\"}]}",
                  NULL, "devices", "Update.Devices", NULL },
                { "Devices []", UPDATE, "{\"Devices\":[]}", NULL, "", NULL, NULL },
                { "DeviceRequests", UPDATE, "{\"DeviceRequests\":[{\"Count\":-1}]}", NULL, "devices", NULL, NULL },
                { "DeviceCgroupRules", UPDATE, "{\"DeviceCgroupRules\":[\"a *:* rwm\"]}", NULL, "devices", NULL, NULL },
                { "CgroupParent", UPDATE, "{\"CgroupParent\":\"/\"}", NULL, "kernel", "CgroupParent", NULL },
                { "CgroupParent empty", UPDATE, "{\"CgroupParent\":\"\"}", NULL, "", NULL, NULL },
                /* pids */
                { "pids policy: null", UPDATE, "{\"PidsLimit\":null}", NULL, "", NULL, pol_pids },
                { "pids policy: missing", UPDATE, "{}", NULL, "", NULL, pol_pids },
                { "pids policy: 100", UPDATE, "{\"PidsLimit\":100}", NULL, "", NULL, pol_pids },
                { "pids policy: 101", UPDATE, "{\"PidsLimit\":101}", NULL, "pids", "Update.PidsLimit", pol_pids },
                { "pids policy: 0 (unlimited)", UPDATE, "{\"PidsLimit\":0}", NULL, "pids", NULL, pol_pids },
                { "pids policy: -1", UPDATE, "{\"PidsLimit\":-1}", NULL, "pids", NULL, pol_pids },
                { "pids policy: 1.5", UPDATE, "{\"PidsLimit\":1.5}", NULL, "shape", NULL, pol_pids },
                { "no pids policy: -1", UPDATE, "{\"PidsLimit\":-1}", NULL, "", NULL, pol_nopids },
                { "default policy: 1024", UPDATE, "{\"PidsLimit\":1024}", NULL, "", NULL, NULL },
                { "default policy: 1025", UPDATE, "{\"PidsLimit\":1025}", NULL, "pids", NULL, NULL },
                { "default policy: -1", UPDATE, "{\"PidsLimit\":-1}", NULL, "pids", NULL, NULL },
                /* restart policy: as at create; "" leaves it unchanged */
                { "restart unchanged", UPDATE, "{\"RestartPolicy\":{\"Name\":\"\",\"MaximumRetryCount\":0}}", NULL, "", NULL, NULL },
                { "restart no", UPDATE, "{\"RestartPolicy\":{\"Name\":\"no\"}}", NULL, "", NULL, NULL },
                { "restart on-failure:3", UPDATE, "{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}}", NULL, "", NULL, NULL },
                { "restart on-failure:4", UPDATE, "{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":4}}", NULL,
                  "restart", "Update.RestartPolicy", NULL },
                { "restart always", UPDATE, "{\"RestartPolicy\":{\"Name\":\"always\"}}", NULL, "restart", "asking no plugin", NULL },
                { "restart unless-stopped", UPDATE, "{\"RestartPolicy\":{\"Name\":\"unless-stopped\"}}", NULL, "restart", NULL, NULL },
                /* ulimits */
                { "ulimit nofile", UPDATE, "{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1024,\"Hard\":2048}]}", NULL, "", NULL, NULL },
                { "ulimit rtprio", UPDATE, "{\"Ulimits\":[{\"Name\":\"rtprio\",\"Soft\":99,\"Hard\":99}]}", NULL, "limits", "realtime", NULL },
                { "ulimit core unlimited", UPDATE, "{\"Ulimits\":[{\"Name\":\"core\",\"Soft\":-1,\"Hard\":-1}]}", NULL, "limits", NULL, NULL },
                /* shape */
                { "Privileged is not an update field", UPDATE, "{\"Privileged\":true}", NULL, "shape", "Privileged", NULL },
                { "Memory twice", UPDATE, "{\"Memory\":1,\"memory\":8589934592}", NULL, "shape,memory", NULL, NULL },
                { "folded key", UPDATE, "{\"nanocpus\":3000000000}", NULL, "cpu", NULL, NULL },
                { "no body", UPDATE, NULL, NULL, "shape", NULL, NULL },
        };
        RUN(cases);
}

/* --- network connect ------------------------------------------------------------------------- */

#define CLI_CONNECT(opts) \
        "{\"Container\":\"c\",\"EndpointConfig\":{\"IPAMConfig\":{},\"Links\":null,\"Aliases\":[],\"MacAddress\":\"\"," \
        "\"DriverOpts\":" opts ",\"GwPriority\":0,\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\"," \
        "\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}"

static void test_connect(void)
{
        static const struct ep_case cases[] = {
                /* policy none: every network */
                { "none policy: host", CONNECT, CLI_CONNECT("{}"), "host", "network", "\"host\"", NULL },
                { "none policy: bridge", CONNECT, CLI_CONNECT("{}"), "bridge", "network", "no network", NULL },
                { "none policy: none", CONNECT, CLI_CONNECT("{}"), "none", "network", NULL, NULL },
                { "none policy: custom", CONNECT, CLI_CONNECT("{}"), "mynet", "network", NULL, NULL },
                /* policy bridge: only the default bridge */
                { "bridge policy: bridge", CONNECT, CLI_CONNECT("{}"), "bridge", "", NULL, pol_bridge },
                { "bridge policy: bridge, minimal body", CONNECT, "{\"Container\":\"c\"}", "bridge", "", NULL, pol_bridge },
                { "bridge policy: bridge, null endpoint", CONNECT, "{\"Container\":\"c\",\"EndpointConfig\":null}", "bridge", "", NULL,
                  pol_bridge },
                { "bridge policy: host", CONNECT, CLI_CONNECT("{}"), "host", "network", "only the default bridge", pol_bridge },
                { "bridge policy: none", CONNECT, CLI_CONNECT("{}"), "none", "network", NULL, pol_bridge },
                { "bridge policy: default", CONNECT, CLI_CONNECT("{}"), "default", "network", NULL, pol_bridge },
                { "bridge policy: Bridge", CONNECT, CLI_CONNECT("{}"), "Bridge", "network", NULL, pol_bridge },
                { "bridge policy: custom", CONNECT, CLI_CONNECT("{}"), "mynet", "network", NULL, pol_bridge },
                { "bridge policy: DriverOpts", CONNECT, CLI_CONNECT("{\"com.docker.network.endpoint.sysctls\":\"x\"}"), "bridge",
                  "network", "EndpointConfig.DriverOpts", pol_bridge },
                { "bridge policy: driveropts folded", CONNECT, "{\"Container\":\"c\",\"EndpointConfig\":{\"driveropts\":{\"a\":\"b\"}}}",
                  "bridge", "network", NULL, pol_bridge },
                { "bridge policy: unknown key", CONNECT, "{\"Container\":\"c\",\"Foo\":1}", "bridge", "shape", "Foo", pol_bridge },
                { "bridge policy: no body", CONNECT, NULL, "bridge", "shape", NULL, pol_bridge },
                { "none policy: no body", CONNECT, NULL, "bridge", "network,shape", NULL, NULL },
        };
        RUN(cases);
}

/* --- volume create --------------------------------------------------------------------------- */

static void test_volume(void)
{
        static const struct ep_case cases[] = {
                { "local, no options", VOLUME, "{\"Name\":\"v\",\"Driver\":\"local\",\"DriverOpts\":{},\"Labels\":{}}", NULL, "", NULL, NULL },
                { "name only", VOLUME, "{\"Name\":\"v\"}", NULL, "", NULL, NULL },
                { "empty", VOLUME, "{}", NULL, "", NULL, NULL },
                { "driver empty", VOLUME, "{\"Driver\":\"\"}", NULL, "", NULL, NULL },
                { "DriverOpts null", VOLUME, "{\"DriverOpts\":null}", NULL, "", NULL, NULL },
                { "labels", VOLUME, "{\"Labels\":{\"a\":\"b\"}}", NULL, "", NULL, NULL },
                { "bind in disguise", VOLUME,
                  "{\"Name\":\"v\",\"Driver\":\"local\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"},\"Labels\":{}}",
                  NULL, "volumes", "Volume.DriverOpts", NULL },
                { "one option", VOLUME, "{\"DriverOpts\":{\"size\":\"1g\"}}", NULL, "volumes", NULL, NULL },
                { "driveropts folded", VOLUME, "{\"driveropts\":{\"device\":\"/etc\"}}", NULL, "volumes", NULL, NULL },
                { "DriverOpts twice", VOLUME, "{\"DriverOpts\":{},\"driverOpts\":{\"o\":\"bind\"}}", NULL, "shape,volumes", NULL, NULL },
                { "driver nfs", VOLUME, "{\"Name\":\"v\",\"Driver\":\"nfs\"}", NULL, "volumes", "\"nfs\"", NULL },
                { "driver Local", VOLUME, "{\"Driver\":\"Local\"}", NULL, "volumes", NULL, NULL },
                { "driver nfs with options", VOLUME, "{\"Driver\":\"nfs\",\"DriverOpts\":{\"a\":\"b\"}}", NULL, "volumes", NULL, NULL },
                { "driver number", VOLUME, "{\"Driver\":1}", NULL, "shape", NULL, NULL },
                { "cluster volume", VOLUME, "{\"ClusterVolumeSpec\":{\"Group\":\"g\"}}", NULL, "swarm", NULL, NULL },
                { "unknown key", VOLUME, "{\"Name\":\"v\",\"Foo\":1}", NULL, "shape", NULL, NULL },
                { "no body", VOLUME, NULL, NULL, "shape", NULL, NULL },
        };
        RUN(cases);
}

/* --- build ----------------------------------------------------------------------------------- */

static void test_build(void)
{
#define B_OK "networkmode=none&memory=1073741824&cpuquota=100000&cpuperiod=100000"
        static const struct ep_case cases[] = {
                /* not allowed by default, whatever the query */
                { "default policy: no query", BUILD, "", NULL, "build", "docker load or docker import", NULL },
                { "default policy: compliant query", BUILD, B_OK, NULL, "build", "not allowed", NULL },
                /* allowed: networkmode none and the limits */
                { "compliant", BUILD, B_OK, NULL, "", NULL, pol_builds },
                { "CLI query", BUILD, B_OK "&t=img%3Alatest&dockerfile=Dockerfile&rm=1&version=1&ulimits=null&shmsize=0",
                  NULL, "", NULL, pol_builds },
                { "ulimits []", BUILD, B_OK "&ulimits=%5B%5D", NULL, "", NULL, pol_builds },
                { "ulimits set", BUILD, B_OK "&ulimits=%5B%7B%22Name%22%3A%22core%22%7D%5D", NULL, "build", "ulimits", pol_builds },
                { "no query", BUILD, "", NULL, "build,memory,cpu", "the default is the bridge", pol_builds },
                { "networkmode default", BUILD, "networkmode=default&memory=1073741824&cpuquota=100000", NULL, "build", NULL, pol_builds },
                { "networkmode empty", BUILD, "networkmode=&memory=1073741824&cpuquota=100000", NULL, "build", NULL, pol_builds },
                { "networkmode host", BUILD, "networkmode=host&memory=1073741824&cpuquota=100000", NULL, "build", "\"host\"", pol_builds },
                { "networkmode host, escaped", BUILD, "networkmode=ho%73t&memory=1073741824&cpuquota=100000", NULL, "build", NULL, pol_builds },
                { "networkmode bridge, bridge policy", BUILD, "networkmode=bridge&memory=1073741824&cpuquota=100000", NULL, "build",
                  NULL, pol_builds_bridge },
                { "networkmode none+space", BUILD, "networkmode=none+&memory=1073741824&cpuquota=100000", NULL, "build", NULL, pol_builds },
                { "networkmode repeated", BUILD, "networkmode=none&networkmode=host&memory=1073741824&cpuquota=100000", NULL,
                  "shape,build", "networkmode", pol_builds },
                { "networkMode (Go keys are exact)", BUILD, "networkMode=none&memory=1073741824&cpuquota=100000", NULL, "build", NULL, pol_builds },
                /* memory: required, at most 4g */
                { "memory 4g", BUILD, "networkmode=none&memory=4294967296&cpuquota=200000&cpuperiod=100000", NULL, "", NULL, pol_builds },
                { "memory 4g+1", BUILD, "networkmode=none&memory=4294967297&cpuquota=100000", NULL, "memory", NULL, pol_builds },
                { "memory missing", BUILD, "networkmode=none&cpuquota=100000", NULL, "memory", NULL, pol_builds },
                { "memory junk (dockerd reads 0)", BUILD, "networkmode=none&memory=1g&cpuquota=100000", NULL, "memory", NULL, pol_builds },
                { "memswap -1", BUILD, B_OK "&memswap=-1", NULL, "memory", NULL, pol_builds },
                /* cpu: a quota of at most 2 CPUs */
                { "cpu 2", BUILD, "networkmode=none&memory=1073741824&cpuquota=200000&cpuperiod=100000", NULL, "", NULL, pol_builds },
                { "cpu 2.01", BUILD, "networkmode=none&memory=1073741824&cpuquota=201000&cpuperiod=100000", NULL, "cpu", NULL, pol_builds },
                { "cpu missing", BUILD, "networkmode=none&memory=1073741824", NULL, "cpu", NULL, pol_builds },
                /* shmsize */
                { "shmsize 4g", BUILD, B_OK "&shmsize=4294967296", NULL, "", NULL, pol_builds },
                { "shmsize 4g+1", BUILD, B_OK "&shmsize=4294967297", NULL, "build", "shmsize", pol_builds },
                /* forbidden parameters */
                { "remote", BUILD, B_OK "&remote=https%3A%2F%2Fu%3Atoken%40example.com%2Fr.git", NULL, "build", "remote is set", pol_builds },
                { "remote empty", BUILD, B_OK "&remote=", NULL, "", NULL, pol_builds },
                { "remote repeated", BUILD, B_OK "&remote=&remote=x", NULL, "shape", NULL, pol_builds },
                { "cgroupparent", BUILD, B_OK "&cgroupparent=%2F", NULL, "build", "cgroupparent", pol_builds },
                { "outputs", BUILD, B_OK "&outputs=%5B%7B%22Type%22%3A%22local%22%7D%5D", NULL, "build", "outputs", pol_builds },
                { "isolation", BUILD, B_OK "&isolation=hyperv", NULL, "build", "isolation", pol_builds },
                { "version 2", BUILD, B_OK "&version=2", NULL, "buildkit", "DOCKER_BUILDKIT=0", pol_builds },
        };
#undef B_OK
        RUN(cases);
}

/* --- archive upload -------------------------------------------------------------------------- */

static void test_archive(void)
{
        static const struct ep_case cases[] = {
                { "artifacts root nosuid,nodev", ARCHIVE, NULL, NULL, "", NULL, pol_arts_nosuid },
                { "artifacts root without nosuid", ARCHIVE, NULL, NULL, "archive", "mount it nosuid,nodev", pol_arts_plain },
                { "artifacts root missing", ARCHIVE, NULL, NULL, "archive", "cannot be checked", pol_arts_missing },
                { "writable rootfs with no-new-privileges", ARCHIVE, NULL, NULL, "", NULL, pol_arts_nosuid_rw },
                { "read-only rootfs without no-new-privileges", ARCHIVE, NULL, NULL, "", NULL, pol_arts_nosuid_nonnp },
                { "writable rootfs without no-new-privileges", ARCHIVE, NULL, NULL, "archive", "set no_new_privileges",
                  pol_arts_nosuid_rw_nonnp },
        };
        RUN(cases);
}

/* --- network create -------------------------------------------------------------------------- */

/* What `docker network create n` (CLI 28) and compose v2 send for a project network. */
#define NET_CLI "{\"Name\":\"n\",\"Driver\":\"bridge\",\"Scope\":\"\",\"EnableIPv6\":null,\"IPAM\":{\"Driver\":\"default\"," \
                "\"Options\":{},\"Config\":[]},\"Internal\":false,\"Attachable\":false,\"Ingress\":false,\"ConfigOnly\":false," \
                "\"ConfigFrom\":null,\"Options\":{},\"Labels\":{}}"
#define NET_COMPOSE "{\"Name\":\"p_default\",\"CheckDuplicate\":true,\"Driver\":\"\",\"Scope\":\"\",\"Internal\":false," \
                    "\"Attachable\":false,\"Ingress\":false,\"IPAM\":{\"Driver\":\"\",\"Config\":null,\"Options\":null}," \
                    "\"Options\":null,\"Labels\":{\"com.docker.compose.network\":\"default\"}}"

static void test_network_create(void)
{
        static const struct ep_case cases[] = {
                { "none policy: CLI body", NETCREATE, NET_CLI, NULL, "network", "only --network (docker-py network_mode, compose network_mode) none", NULL },
                { "none policy: {}", NETCREATE, "{\"Name\":\"n\"}", NULL, "network", NULL, NULL },
                { "CLI body", NETCREATE, NET_CLI, NULL, "", NULL, pol_bridge },
                { "compose body", NETCREATE, NET_COMPOSE, NULL, "", NULL, pol_bridge },
                { "name only", NETCREATE, "{\"Name\":\"n\"}", NULL, "", NULL, pol_bridge },
                { "driver macvlan", NETCREATE, "{\"Name\":\"n\",\"Driver\":\"macvlan\"}", NULL, "network", "\"macvlan\"", pol_bridge },
                { "driver overlay", NETCREATE, "{\"Name\":\"n\",\"Driver\":\"overlay\"}", NULL, "network", NULL, pol_bridge },
                { "driver host", NETCREATE, "{\"Name\":\"n\",\"Driver\":\"host\"}", NULL, "network", NULL, pol_bridge },
                { "scope swarm", NETCREATE, "{\"Name\":\"n\",\"Scope\":\"swarm\"}", NULL, "network", "--scope", pol_bridge },
                { "scope local", NETCREATE, "{\"Name\":\"n\",\"Scope\":\"local\"}", NULL, "", NULL, pol_bridge },
                { "driver option", NETCREATE, "{\"Name\":\"n\",\"Options\":{\"com.docker.network.bridge.name\":\"eth0\"}}", NULL,
                  "network", "remove -o/--opt (docker-py networks.create options, compose networks driver_opts)", pol_bridge },
                { "subnet", NETCREATE, "{\"Name\":\"n\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.9.0.0/16\"}]}}", NULL,
                  "network", "--subnet", pol_bridge },
                { "ipam driver", NETCREATE, "{\"Name\":\"n\",\"IPAM\":{\"Driver\":\"dhcp\"}}", NULL, "network", "--ipam-driver", pol_bridge },
                { "ipam option", NETCREATE, "{\"Name\":\"n\",\"IPAM\":{\"Options\":{\"a\":\"b\"}}}", NULL, "network", "--ipam-opt", pol_bridge },
                { "ipv6", NETCREATE, "{\"Name\":\"n\",\"EnableIPv6\":true}", NULL, "network", "--ipv6", pol_bridge },
                { "ipv6 false", NETCREATE, "{\"Name\":\"n\",\"EnableIPv6\":false}", NULL, "", NULL, pol_bridge },
                { "attachable", NETCREATE, "{\"Name\":\"n\",\"Attachable\":true}", NULL, "network", NULL, pol_bridge },
                { "ingress", NETCREATE, "{\"Name\":\"n\",\"Ingress\":true}", NULL, "network", NULL, pol_bridge },
                { "config only", NETCREATE, "{\"Name\":\"n\",\"ConfigOnly\":true}", NULL, "network", NULL, pol_bridge },
                { "config from", NETCREATE, "{\"Name\":\"n\",\"ConfigFrom\":{\"Network\":\"c\"}}", NULL, "network", "--config-from", pol_bridge },
                { "internal", NETCREATE, "{\"Name\":\"n\",\"Internal\":true}", NULL, "", NULL, pol_bridge },
                { "driver folded key", NETCREATE, "{\"Name\":\"n\",\"driver\":\"macvlan\"}", NULL, "network", NULL, pol_bridge },
                { "driver a number", NETCREATE, "{\"Name\":\"n\",\"Driver\":1}", NULL, "shape", NULL, pol_bridge },
                { "unknown key", NETCREATE, "{\"Name\":\"n\",\"Foo\":1}", NULL, "shape", "Foo", pol_bridge },
                { "no body", NETCREATE, NULL, NULL, "shape", NULL, pol_bridge },
        };
        RUN(cases);
}

/* --- start ----------------------------------------------------------------------------------- */

static void test_start(void)
{
        static const struct ep_case cases[] = {
                { "no query", START, "", NULL, "", NULL, NULL },
                { "detachKeys", START, "detachKeys=ctrl-x", NULL, "", NULL, NULL },
                { "checkpoint", START, "checkpoint=cp1", NULL, "checkpoint", "--checkpoint", NULL },
                { "checkpoint-dir", START, "checkpoint-dir=%2Ftmp%2Fcp", NULL, "checkpoint", NULL, NULL },
                { "both", START, "checkpoint=cp1&checkpoint-dir=%2Ftmp", NULL, "checkpoint", NULL, NULL },
                { "checkpoint empty", START, "checkpoint=", NULL, "", NULL, NULL },
                { "checkpoint repeated", START, "checkpoint=&checkpoint=cp1", NULL, "shape", NULL, NULL },
                { "Checkpoint (exact keys)", START, "Checkpoint=cp1", NULL, "", NULL, NULL },
        };
        RUN(cases);
}

static const struct cu_test body_tests[] = {
        { "exec: Privileged and User", test_exec },
        { "update: bounds, 0 = unchanged", test_update },
        { "network connect", test_connect },
        { "volume create", test_volume },
        { "network create", test_network_create },
        { "archive upload", test_archive },
        { NULL, NULL },
};

static const struct cu_test query_tests[] = {
        { "build", test_build },
        { "start", test_start },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "endpoint bodies", body_tests },
        { "endpoint queries", query_tests },
};

CU_MAIN_FIXTURE_ROOTS(SUITES)
