/* Attack cases: one or more for every class of attack, each judged by what the daemon did.
 *
 * Blocked: dockerd answered 403 naming our plugin.  Anything else is a miss: a create (or exec,
 * update, connect, volume, build, swarm init) that succeeded is inspected to say whether the forbidden
 * setting took hold (a bypass); one that dockerd itself refused is still a miss ("only the daemon
 * refused"), because a different daemon version might have accepted it. */
#include "tests/e2e/tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/e2e/harness.h"

/* Compliant pieces: an attack changes one thing. */
#define TOP   "\"Image\":\"bb\",\"Cmd\":[\"true\"],\"User\":\"1000\""
#define TOPNU "\"Image\":\"bb\",\"Cmd\":[\"true\"]"
#define CPU   "\"NanoCpus\":1000000000"
#define MEM   "\"Memory\":1073741824"
#define NET   "\"NetworkMode\":\"none\""
#define RO    "\"ReadonlyRootfs\":true"
#define PIDS  "\"PidsLimit\":512"
#define NNP   "\"SecurityOpt\":[\"no-new-privileges\"]"
#define LIM   PIDS "," NNP
#define HC    CPU "," MEM "," NET "," RO "," LIM
#define BODY(extra_hc)   "{" TOP ",\"HostConfig\":{" HC "," extra_hc "}}"
#define BODYT(top, hc)   "{" top ",\"HostConfig\":{" hc "}}"
#define PRIV  BODY("\"Privileged\":true")
/* SecurityOpt besides no-new-privileges */
#define SECOPT(opt) BODYT(TOP, CPU "," MEM "," NET "," RO "," PIDS ",\"SecurityOpt\":[\"no-new-privileges\"," opt "]")

struct create_attack {
        const char *desc;
        const char *body;          /* template, see expand() */
        const char *hold;          /* json_holds() spec over the container's inspect */
        const char *target;        /* NULL: /v1.41/containers/create */
        const char *hdr[4];
        unsigned flags;
};

static int n_created;

/* Judge a create: blocked, or a miss (with a bypass when the forbidden setting took hold). */
static void judge_create(const char *desc, struct http_res *r, const char *hold)
{
        char rules[128];
        if (denied_by_plugin(r)) {
                denied_rules(r->body, rules, sizeof(rules));
                e2e_result(K_ATTACK, true, "%s (denied: %s)", desc, rules);
                return;
        }
        if (r->status != 201) {
                e2e_result(K_ATTACK, false, "%s: not denied by the plugin; only the daemon refused (HTTP %ld)", desc,
                           r->status);
                e2e_diag("%.400s", r->body);
                return;
        }
        json_t *cr = json_loadb(r->body, r->len, 0, NULL);
        const char *id = json_string_value(json_object_get(cr, "Id"));
        char what[400] = "";
        bool held = false;
        if (id) {
                json_t *ins = inspect_container(id);
                held = ins && json_holds(ins, hold, what, sizeof(what));
                json_decref(ins);
                rm_container(id);
        }
        n_created++;
        if (held)
                e2e_result(K_ATTACK, false, "%s: BYPASS, dockerd created it and %s", desc, what);
        else
                e2e_result(K_ATTACK, false, "%s: allowed by the plugin (created; the setting did not show in inspect: %s)",
                           desc, hold);
        json_decref(cr);
}

static void run_create(const struct create_attack *a)
{
        static char body[65536];
        struct http_res r;
        expand(a->body, body, sizeof(body));
        const char *hdr[5] = { a->hdr[0], a->hdr[1], a->hdr[2], a->hdr[3], NULL };
        http("POST", a->target ? a->target : E2E_API "/containers/create", hdr, body, strlen(body), a->flags, 60, &r);
        judge_create(a->desc, &r, a->hold);
        http_free(&r);
}

#define RUN_TABLE(t) do { for (size_t i_ = 0; i_ < sizeof(t) / sizeof((t)[0]); i_++) run_create(&(t)[i_]); } while (0)

/* ---- every create rule through HostConfig ----------------------------------------------------- */

static const struct create_attack hostconfig_rules[] = {
        { "HostConfig.Privileged true", PRIV, "HostConfig.Privileged=true" },
        { "User 0", BODYT("\"Image\":\"bb\",\"User\":\"0\"", HC), "Config.User=\"0\"" },
        { "User 00", BODYT("\"Image\":\"bb\",\"User\":\"00\"", HC), "Config.User=\"00\"" },
        { "User +0", BODYT("\"Image\":\"bb\",\"User\":\"+0\"", HC), "Config.User=\"+0\"" },
        { "User 0:0", BODYT("\"Image\":\"bb\",\"User\":\"0:0\"", HC), "Config.User=\"0:0\"" },
        { "User root", BODYT("\"Image\":\"bb\",\"User\":\"root\"", HC), "Config.User=\"root\"" },
        { "User arandu-user (a name, resolved in the image)", BODYT("\"Image\":\"bb\",\"User\":\"arandu-user\"", HC),
          "Config.User=\"arandu-user\"" },
        { "User 1000:0 (UID:0 group)", BODYT("\"Image\":\"bb\",\"User\":\"1000:0\"", HC), "Config.User=\"1000:0\"" },
        { "User missing (image user, root)", BODYT(TOPNU, HC), "Config.User=\"\"" },
        { "GroupAdd [\"0\"]", BODY("\"GroupAdd\":[\"0\"]"), "HostConfig.GroupAdd~\"0\"" },
        { "GroupAdd [\"root\"]", BODY("\"GroupAdd\":[\"root\"]"), "HostConfig.GroupAdd~root" },
        { "no CPU limit", BODYT(TOP, MEM "," NET "," RO "," LIM), "HostConfig.NanoCpus=0" },
        { "NanoCpus 3 CPUs", BODYT(TOP, "\"NanoCpus\":3000000000," MEM "," NET "," RO "," LIM), "HostConfig.NanoCpus=3000000000" },
        { "CpuQuota 300000/100000", BODYT(TOP, "\"CpuQuota\":300000,\"CpuPeriod\":100000," MEM "," NET "," RO "," LIM),
          "HostConfig.CpuQuota=300000" },
        { "CpuQuota -1 (no limit)", BODYT(TOP, "\"CpuQuota\":-1,\"CpuPeriod\":100000," MEM "," NET "," RO "," LIM),
          "HostConfig.CpuQuota=-1" },
        { "no memory limit", BODYT(TOP, CPU "," NET "," RO "," LIM), "HostConfig.Memory=0" },
        { "Memory 8g", BODYT(TOP, CPU ",\"Memory\":8589934592," NET "," RO "," LIM), "HostConfig.Memory=8589934592" },
        { "MemorySwap -1", BODY("\"MemorySwap\":-1"), "HostConfig.MemorySwap=-1" },
        { "OomKillDisable true", BODY("\"OomKillDisable\":true"), "HostConfig.OomKillDisable=true" },
        { "NetworkMode host", BODYT(TOP, CPU "," MEM ",\"NetworkMode\":\"host\"," RO "," LIM), "HostConfig.NetworkMode=\"host\"" },
        { "NetworkMode container:<helper>", BODYT(TOP, CPU "," MEM ",\"NetworkMode\":\"container:@CID\"," RO "," LIM),
          "HostConfig.NetworkMode~container:" },
        { "NetworkMode <user network>", BODYT(TOP, CPU "," MEM ",\"NetworkMode\":\"@NET\"," RO "," LIM), "HostConfig.NetworkMode=\"@NET\"" },
        { "NetworkMode bridge (policy none)", BODYT(TOP, CPU "," MEM ",\"NetworkMode\":\"bridge\"," RO "," LIM),
          "HostConfig.NetworkMode=\"bridge\"" },
        { "NetworkMode missing (the default network)", BODYT(TOP, CPU "," MEM "," RO "," LIM), "HostConfig.NetworkMode!=\"none\"" },
        { "PortBindings", BODY("\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"18080\"}]}"), "HostConfig.PortBindings~18080" },
        { "PublishAllPorts", BODY("\"PublishAllPorts\":true"), "HostConfig.PublishAllPorts=true" },
        { "ReadonlyRootfs false", BODYT(TOP, CPU "," MEM "," NET ",\"ReadonlyRootfs\":false," LIM), "HostConfig.ReadonlyRootfs=false" },
        { "ReadonlyRootfs missing", BODYT(TOP, CPU "," MEM "," NET "," LIM), "HostConfig.ReadonlyRootfs=false" },
        { "CapAdd SYS_ADMIN", BODY("\"CapAdd\":[\"SYS_ADMIN\"]"), "HostConfig.CapAdd~SYS_ADMIN" },
        { "SecurityOpt seccomp=unconfined", SECOPT("\"seccomp=unconfined\""), "HostConfig.SecurityOpt~unconfined" },
        { "MaskedPaths [] (unmask everything)", BODY("\"MaskedPaths\":[]"), "HostConfig.MaskedPaths=[]" },
        { "ReadonlyPaths []", BODY("\"ReadonlyPaths\":[]"), "HostConfig.ReadonlyPaths=[]" },
        { "PidMode host", BODY("\"PidMode\":\"host\""), "HostConfig.PidMode=\"host\"" },
        { "PidMode container:<helper>", BODY("\"PidMode\":\"container:@CID\""), "HostConfig.PidMode~container:" },
        { "IpcMode host", BODY("\"IpcMode\":\"host\""), "HostConfig.IpcMode=\"host\"" },
        { "IpcMode container:<helper>", BODY("\"IpcMode\":\"container:@CID\""), "HostConfig.IpcMode~container:" },
        { "UTSMode host", BODY("\"UTSMode\":\"host\""), "HostConfig.UTSMode=\"host\"" },
        { "UsernsMode host", BODY("\"UsernsMode\":\"host\""), "HostConfig.UsernsMode=\"host\"" },
        { "CgroupnsMode host", BODY("\"CgroupnsMode\":\"host\""), "HostConfig.CgroupnsMode=\"host\"" },
        { "Devices /dev/mem", BODY("\"Devices\":[{\"PathOnHost\":\"/dev/mem\",\"PathInContainer\":\"/dev/mem\",\"CgroupPermissions\":\"rwm\"}]"),
          "HostConfig.Devices~/dev/mem" },
        { "DeviceCgroupRules a *:* rwm", BODY("\"DeviceCgroupRules\":[\"a *:* rwm\"]"), "HostConfig.DeviceCgroupRules~rwm" },
        { "Sysctls kernel.shm_rmid_forced", BODY("\"Sysctls\":{\"kernel.shm_rmid_forced\":\"1\"}"), "HostConfig.Sysctls~shm_rmid" },
        { "CgroupParent /e2e-escape", BODY("\"CgroupParent\":\"/e2e-escape\""), "HostConfig.CgroupParent~e2e-escape" },
        { "Runtime io.containerd.runc.v2", BODY("\"Runtime\":\"io.containerd.runc.v2\""), "HostConfig.Runtime~containerd" },
        { "OomScoreAdj -1000", BODY("\"OomScoreAdj\":-1000"), "HostConfig.OomScoreAdj=-1000" },
        { "unknown HostConfig key Capabilities (API 1.40)", BODY("\"Capabilities\":[\"CAP_SYS_ADMIN\"]"),
          "HostConfig.Capabilities~SYS_ADMIN" },
};

/* ---- mounts through Binds and Mounts; .., symlinks, volumes, tmpfs, propagation ------------------- */

#define MNT(obj) BODY("\"Mounts\":[" obj "]")
static const struct create_attack mount_attacks[] = {
        { "Binds /:/host", BODY("\"Binds\":[\"/:/host\"]"), "HostConfig.Binds~/host" },
        { "Binds /etc:/workspace:ro", BODY("\"Binds\":[\"/etc:/workspace:ro\"]"), "HostConfig.Binds~/etc:" },
        { "Binds repos dir read-write at /workspace", BODY("\"Binds\":[\"@R/demo:/workspace\"]"), "Mounts[0].RW=true" },
        { "Binds source with .. out of the repos dir", BODY("\"Binds\":[\"@R/demo/../../../../etc:/workspace:ro\"]"),
          "Mounts~\"/etc\"" },
        { "Binds source through a symlink to / (repos/link-root/etc)", BODY("\"Binds\":[\"@R/link-root/etc:/workspace:ro\"]"),
          "Mounts~link-root" },
        { "Binds source is a symlink to /etc (artifacts/link-etc)", BODY("\"Binds\":[\"@A/link-etc:/artifacts\"]"),
          "Mounts~link-etc" },
        { "Binds source deeper, inside another job's artifacts dir", BODY("\"Binds\":[\"@R/demo:/workspace:ro\",\"@A/demo/swap:/artifacts\"]"),
          "Mounts~swap" },
        { "Binds source that does not exist yet (dockerd makes it)", BODY("\"Binds\":[\"@A/e2e-not-yet:/artifacts\"]"),
          "Mounts~e2e-not-yet" },
        { "Binds target /workspace/../etc", BODY("\"Binds\":[\"@R/demo:/workspace/../etc:ro\"]"), "Mounts~\"/etc\"" },
        { "Binds propagation rshared", BODY("\"Binds\":[\"@R/demo:/workspace:ro,rshared\"]"), "Mounts[0].Propagation=\"rshared\"" },
        { "Binds named volume (volume-driver bind)", BODY("\"Binds\":[\"e2evol:/workspace\"]"), "Mounts~e2evol" },
        { "Binds anonymous volume /data", BODY("\"Binds\":[\"/data\"]"), "Mounts~\"/data\"" },
        { "Binds with VolumeDriver local", BODY("\"Binds\":[\"e2evol2:/artifacts\"],\"VolumeDriver\":\"local\""),
          "HostConfig.VolumeDriver=\"local\"" },
        { "Config.Volumes anonymous volume", "{" TOP ",\"Volumes\":{\"/data\":{}},\"HostConfig\":{" HC "}}", "Mounts~\"/data\"" },
        { "VolumesFrom <helper>", BODY("\"VolumesFrom\":[\"@CID\"]"), "HostConfig.VolumesFrom~@CID" },
        { "Tmpfs /tmp", BODY("\"Tmpfs\":{\"/tmp\":\"\"}"), "HostConfig.Tmpfs~/tmp" },
        { "Mounts bind / at /workspace", MNT("{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/workspace\",\"ReadOnly\":true}"),
          "Mounts~\"Source\":\"/\"" },
        { "Mounts bind repos dir read-write", MNT("{\"Type\":\"bind\",\"Source\":\"@R/demo\",\"Target\":\"/workspace\"}"),
          "Mounts[0].RW=true" },
        { "Mounts bind source with ..", MNT("{\"Type\":\"bind\",\"Source\":\"@R/demo/../../../../etc\",\"Target\":\"/workspace\",\"ReadOnly\":true}"),
          "Mounts~etc" },
        { "Mounts bind source through a symlink", MNT("{\"Type\":\"bind\",\"Source\":\"@A/link-etc\",\"Target\":\"/artifacts\"}"),
          "Mounts~link-etc" },
        { "Mounts bind propagation rshared", MNT("{\"Type\":\"bind\",\"Source\":\"@R/demo\",\"Target\":\"/workspace\",\"ReadOnly\":true,\"BindOptions\":{\"Propagation\":\"rshared\"}}"),
          "Mounts[0].Propagation=\"rshared\"" },
        { "Mounts bind at /etc", MNT("{\"Type\":\"bind\",\"Source\":\"@A/demo\",\"Target\":\"/etc\"}"), "Mounts~\"/etc\"" },
        { "Mounts volume with local driver bind options (device=/etc)",
          MNT("{\"Type\":\"volume\",\"Source\":\"e2ebindvol\",\"Target\":\"/workspace\",\"VolumeOptions\":{\"DriverConfig\":{\"Name\":\"local\",\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}}}"),
          "Mounts~e2ebindvol" },
        { "Mounts anonymous volume", MNT("{\"Type\":\"volume\",\"Target\":\"/data\"}"), "Mounts~\"/data\"" },
        { "Mounts tmpfs /tmp", MNT("{\"Type\":\"tmpfs\",\"Target\":\"/tmp\"}"), "HostConfig.Mounts~tmpfs" },
        { "Mounts lowercase keys (type/source/target)", MNT("{\"type\":\"bind\",\"source\":\"/\",\"target\":\"/workspace\",\"readonly\":true}"),
          "Mounts~\"Source\":\"/\"" },
};

/* ---- decoding: cases, Unicode folding, duplicates, merged objects, top-level fields ------------- */

static const struct create_attack decoding_attacks[] = {
        { "lower-case key privileged", BODY("\"privileged\":true"), "HostConfig.Privileged=true" },
        { "upper-case key PRIVILEGED", BODY("\"PRIVILEGED\":true"), "HostConfig.Privileged=true" },
        { "lower-case hostconfig object", "{" TOP ",\"hostconfig\":{" HC ",\"Privileged\":true}}", "HostConfig.Privileged=true" },
        { "key Uſer (U+017F for s) = 0", "{\"Image\":\"bb\",\"U\u017fer\":\"0\",\"HostConfig\":{" HC "}}", "Config.User=\"0\"" },
        { "key NetworKMode (Kelvin sign U+212A for k) = host",
          "{" TOP ",\"HostConfig\":{" CPU "," MEM "," RO "," LIM ",\"Networ\u212aMode\":\"host\"}}", "HostConfig.NetworkMode=\"host\"" },
        { "key Bindſ (U+017F) = /:/host", BODY("\"Bind\u017f\":[\"/:/host\"]"), "HostConfig.Binds~/host" },
        { "key ſecurityOpt = seccomp=unconfined", BODY("\"\u017fecurityOpt\":[\"seccomp=unconfined\"]"),
          "HostConfig.SecurityOpt~unconfined" },
        { "key HoſtConfig (U+017F) object with Privileged", "{" TOP ",\"Ho\u017ftConfig\":{" HC ",\"Privileged\":true}}",
          "HostConfig.Privileged=true" },
        { "key NetworKingConfig (Kelvin) with EndpointsConfig for a user network",
          "{" TOP ",\"Networ\u212aingConfig\":{\"EndpointsConfig\":{\"@NET\":{}}},\"HostConfig\":{" HC "}}",
          "NetworkSettings.Networks~@NET" },
        { "EndpointsConfig for a user network with NetworkMode none", "{" TOP ",\"NetworkingConfig\":{\"EndpointsConfig\":{\"@NET\":{}}},\"HostConfig\":{" HC "}}",
          "NetworkSettings.Networks~@NET" },
        { "EndpointsConfig host with NetworkMode none", "{" TOP ",\"NetworkingConfig\":{\"EndpointsConfig\":{\"host\":{}}},\"HostConfig\":{" HC "}}",
          "NetworkSettings.Networks~host" },
        { "escaped key \\u0050rivileged", BODY("\"\\u0050rivileged\":true"), "HostConfig.Privileged=true" },
        { "duplicate key Privileged false then true", BODY("\"Privileged\":false,\"Privileged\":true"), "HostConfig.Privileged=true" },
        { "case-colliding keys Privileged false, privileged true", BODY("\"Privileged\":false,\"privileged\":true"),
          "HostConfig.Privileged=true" },
        { "case-colliding keys User 1000, user 0", "{" TOP ",\"user\":\"0\",\"HostConfig\":{" HC "}}", "Config.User=\"0\"" },
        { "two HostConfig objects (exact duplicate)", "{" TOP ",\"HostConfig\":{" HC "},\"HostConfig\":{" HC ",\"Privileged\":true}}",
          "HostConfig.Privileged=true" },
        { "two HostConfig objects Go merges (HostConfig, hostConfig)",
          "{" TOP ",\"HostConfig\":{" HC "},\"hostConfig\":{\"Privileged\":true}}", "HostConfig.Privileged=true" },
        { "top-level Privileged with HostConfig null", "{" TOP ",\"Privileged\":true," HC ",\"HostConfig\":null}",
          "HostConfig.Privileged=true" },
        { "top-level Privileged without HostConfig", "{" TOP ",\"Privileged\":true," HC "}", "HostConfig.Privileged=true" },
        { "top-level Binds with a HostConfig", "{" TOP ",\"Binds\":[\"/:/host\"],\"HostConfig\":{" HC "}}", "HostConfig.Binds~/host" },
        { "top-level VolumeDriver with a HostConfig (dockerd copies it in)",
          "{" TOP ",\"VolumeDriver\":\"local\",\"HostConfig\":{" HC ",\"Binds\":[\"e2evol3:/artifacts\"]}}",
          "HostConfig.VolumeDriver=\"local\"" },
        { "top-level Memory 8g with HostConfig Memory 0 (copied in)",
          "{" TOP ",\"Memory\":8589934592,\"HostConfig\":{" CPU "," NET "," RO "," LIM "}}", "HostConfig.Memory=8589934592" },
        { "CapAdd as a string (strslice)", BODY("\"CapAdd\":\"SYS_ADMIN\""), "HostConfig.CapAdd~SYS_ADMIN" },
        { "Privileged as string \"true\"", BODY("\"Privileged\":\"true\""), "HostConfig.Privileged=true" },
        { "trailing second JSON value with Privileged", BODYT(TOP, HC) " {\"HostConfig\":{\"Privileged\":true}}",
          "HostConfig.Privileged=true" },
        { "Memory as 1.073741824e9 (float)", BODYT(TOP, CPU ",\"Memory\":1.073741824e9," NET "," RO "," LIM), "HostConfig.Memory!=1073741824" },
};

/* ---- capability and security-option spellings ------------------------------------------------------ */

static const struct create_attack spelling_attacks[] = {
        { "CapAdd sys_admin", BODY("\"CapAdd\":[\"sys_admin\"]"), "HostConfig.CapAdd~sys_admin" },
        { "CapAdd CAP_SYS_ADMIN", BODY("\"CapAdd\":[\"CAP_SYS_ADMIN\"]"), "HostConfig.CapAdd~SYS_ADMIN" },
        { "CapAdd cap_sys_admin", BODY("\"CapAdd\":[\"cap_sys_admin\"]"), "HostConfig.CapAdd~sys_admin" },
        { "CapAdd Cap_Sys_Admin", BODY("\"CapAdd\":[\"Cap_Sys_Admin\"]"), "HostConfig.CapAdd~Sys_Admin" },
        { "CapAdd ALL", BODY("\"CapAdd\":[\"ALL\"]"), "HostConfig.CapAdd~ALL" },
        { "CapAdd all", BODY("\"CapAdd\":[\"all\"]"), "HostConfig.CapAdd~all" },
        { "CapAdd NET_RAW (not allowed by the policy)", BODY("\"CapAdd\":[\"NET_RAW\"]"), "HostConfig.CapAdd~NET_RAW" },
        { "SecurityOpt seccomp:unconfined (colon form)", SECOPT("\"seccomp:unconfined\""), "HostConfig.SecurityOpt~unconfined" },
        { "SecurityOpt apparmor=unconfined", SECOPT("\"apparmor=unconfined\""), "HostConfig.SecurityOpt~unconfined" },
        { "SecurityOpt label=disable", SECOPT("\"label=disable\""), "HostConfig.SecurityOpt~disable" },
        { "SecurityOpt label:disable", SECOPT("\"label:disable\""), "HostConfig.SecurityOpt~disable" },
        { "SecurityOpt systempaths=unconfined", SECOPT("\"systempaths=unconfined\""), "HostConfig.SecurityOpt~unconfined" },
        { "SecurityOpt no-new-privileges=false", SECOPT("\"no-new-privileges=false\""), "HostConfig.SecurityOpt~false" },
        { "SecurityOpt no-new-privileges:false", SECOPT("\"no-new-privileges:false\""), "HostConfig.SecurityOpt~false" },
        { "SecurityOpt NO-NEW-PRIVILEGES=false", SECOPT("\"NO-NEW-PRIVILEGES=false\""), "HostConfig.SecurityOpt~false" },
};

/* ---- transport: framing, size, Content-Type, targets, versions -------------------------------------- */

static const struct create_attack transport_attacks[] = {
        { "chunked body", PRIV, "HostConfig.Privileged=true", NULL, { NULL }, HTTP_CHUNKED },
        { "Content-Type application/json; charset=utf-8", PRIV, "HostConfig.Privileged=true", NULL,
          { "Content-Type: application/json; charset=utf-8" }, 0 },
        { "Content-Type Application/JSON", PRIV, "HostConfig.Privileged=true", NULL, { "Content-Type: Application/JSON" }, 0 },
        { "no Content-Type (dockerd accepts it, does not forward the body)", PRIV, "HostConfig.Privileged=true", NULL, { NULL },
          HTTP_NO_CT },
        { "two Content-Type headers, text/plain then application/json", PRIV, "HostConfig.Privileged=true", NULL,
          { "Content-Type: text/plain", "Content-Type: application/json" }, 0 },
        { "two Content-Type headers, application/json then text/plain", PRIV, "HostConfig.Privileged=true", NULL,
          { "Content-Type: application/json", "Content-Type: text/plain" }, 0 },
        { "query ending in /auth (dockerd skips the body)", PRIV, "HostConfig.Privileged=true",
          E2E_API "/containers/create?x=/auth", { NULL }, 0 },
        { "percent-encoded path containers%2Fcreate", PRIV, "HostConfig.Privileged=true", E2E_API "/containers%2Fcreate" },
        { "percent-encoded path %63ontainers/create", PRIV, "HostConfig.Privileged=true", E2E_API "/%63ontainers/create" },
        { "percent-encoded version /v1%2E41", PRIV, "HostConfig.Privileged=true", "/v1%2E41/containers/create" },
        { "absolute-form target http://docker/v1.41/containers/create", PRIV, "HostConfig.Privileged=true",
          "http://docker" E2E_API "/containers/create" },
        { "absolute-form target with another host", PRIV, "HostConfig.Privileged=true", "http://evil.example:99" E2E_API "/containers/create" },
        { "no version prefix", PRIV, "HostConfig.Privileged=true", "/containers/create" },
        { "version /v1.41.0", PRIV, "HostConfig.Privileged=true", "/v1.41.0/containers/create" },
        { "version /v01.41", PRIV, "HostConfig.Privileged=true", "/v01.41/containers/create" },
        { "version /v1.24", PRIV, "HostConfig.Privileged=true", "/v1.24/containers/create" },
        { "version /v1.12 (older than 1.24)", PRIV, "HostConfig.Privileged=true", "/v1.12/containers/create" },
        { "query string name=x&name=y", PRIV, "HostConfig.Privileged=true", E2E_API "/containers/create?name=e2e-q1&name=e2e-q2" },
};

static void test_hostconfig_rules(void) { RUN_TABLE(hostconfig_rules); }
static void test_mounts(void) { RUN_TABLE(mount_attacks); }
static void test_decoding(void) { RUN_TABLE(decoding_attacks); }
static void test_spellings(void) { RUN_TABLE(spelling_attacks); }
static void test_transport(void) { RUN_TABLE(transport_attacks); }

/* The fields of the newer APIs, sent at the engine's own API version (dockerd ignores most of them
 * below the version that brought them): each is denied, or, if it is one the policy knows to be
 * safe, allowed and shown to do only what it says. */
static const struct create_attack newer_fields[] = {
        { "HostConfig.Annotations (runtime annotations, API 1.43)",
          BODY("\"Annotations\":{\"org.opencontainers.e2e\":\"1\"}"), "HostConfig.Annotations~org.opencontainers" },
        { "Mounts image mount (API 1.48)", MNT("{\"Type\":\"image\",\"Source\":\"bb\",\"Target\":\"/img\"}"),
          "Mounts~\"image\"" },
        { "Mounts volume with VolumeOptions.Subpath (API 1.45)",
          MNT("{\"Type\":\"volume\",\"Source\":\"e2esub\",\"Target\":\"/data\",\"VolumeOptions\":{\"Subpath\":\"x\"}}"),
          "HostConfig.Mounts~e2esub" },
        { "Mounts bind at /workspace with BindOptions.ReadOnlyNonRecursive (API 1.44)",
          MNT("{\"Type\":\"bind\",\"Source\":\"@R/demo\",\"Target\":\"/workspace\",\"ReadOnly\":true,"
              "\"BindOptions\":{\"ReadOnlyNonRecursive\":true}}"), "HostConfig.Mounts~ReadOnlyNonRecursive" },
        { "Mounts bind with BindOptions.CreateMountpoint, a missing source (API 1.42)",
          MNT("{\"Type\":\"bind\",\"Source\":\"@R/made-by-dockerd\",\"Target\":\"/workspace\",\"ReadOnly\":true,"
              "\"BindOptions\":{\"CreateMountpoint\":true}}"), "HostConfig.Mounts~CreateMountpoint" },
        { "Mounts tmpfs with TmpfsOptions.Options exec (API 1.46)",
          MNT("{\"Type\":\"tmpfs\",\"Target\":\"/tmp\",\"TmpfsOptions\":{\"SizeBytes\":1048576,\"Options\":[[\"exec\"]]}}"),
          "HostConfig.Mounts~exec" },
        { "HostConfig.CgroupnsMode host (API 1.41)", BODY("\"CgroupnsMode\":\"host\""), "HostConfig.CgroupnsMode=\"host\"" },
};

static void test_newer_fields(void)
{
        char target[64], version[16], desc[300];
        json_t *v = http_get_json("/version");
        const char *api = json_string_value(json_object_get(v, "ApiVersion"));
        snprintf(version, sizeof(version), "%.15s", api ? api : "1.41");
        snprintf(target, sizeof(target), "/v%s/containers/create", version);
        json_decref(v);
        for (size_t i = 0; i < sizeof(newer_fields) / sizeof(newer_fields[0]); i++) {
                struct create_attack a = newer_fields[i];
                snprintf(desc, sizeof(desc), "%s, at API %s", a.desc, version);
                a.desc = desc;
                a.target = target;
                run_create(&a);
        }

        /* known safe: a /workspace bind that is read-only all the way down */
        static char body[4096];
        struct http_res r;
        expand(MNT("{\"Type\":\"bind\",\"Source\":\"@R/demo\",\"Target\":\"/workspace\",\"ReadOnly\":true,"
                   "\"BindOptions\":{\"ReadOnlyForceRecursive\":true}}"), body, sizeof(body));
        http("POST", target, NULL, body, strlen(body), 0, 60, &r);
        json_t *cr = r.status == 201 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
        const char *id = json_string_value(json_object_get(cr, "Id"));
        json_t *ins = id ? inspect_container(id) : NULL;
        char what[400] = "";
        bool ro = ins && json_holds(ins, "Mounts[0].RW=false", what, sizeof(what));
        e2e_result(K_ORDINARY, id && ro, "a /workspace bind with BindOptions.ReadOnlyForceRecursive, at API %s: created, "
                   "read-only (HTTP %ld%s%.200s)", version, r.status, id ? "" : ": ", id ? "" : r.body);
        json_decref(ins);
        json_decref(cr);
        if (id)
                rm_container(id);
        http_free(&r);
}

static void test_big_body(void)
{
        static const char pre[] = "{" TOP ",\"Labels\":{\"pad\":\"";
        static const char post[] = "\"},\"HostConfig\":{" HC ",\"Privileged\":true}}";
        size_t pad = 1100000, len = strlen(pre) + pad + strlen(post);
        char *b = malloc(len + 1);
        if (!b) {
                e2e_result(K_ATTACK, false, "body over 1 MiB: out of memory");
                return;
        }
        memcpy(b, pre, strlen(pre));
        memset(b + strlen(pre), 'x', pad);
        memcpy(b + strlen(pre) + pad, post, strlen(post) + 1);
        struct http_res r;
        http("POST", E2E_API "/containers/create", NULL, b, len, 0, 60, &r);
        judge_create("body over 1 MiB (not forwarded by dockerd)", &r, "HostConfig.Privileged=true");
        http_free(&r);
        http("POST", E2E_API "/containers/create", NULL, b, len, HTTP_CHUNKED, 60, &r);
        judge_create("chunked body over 1 MiB", &r, "HostConfig.Privileged=true");
        http_free(&r);
        free(b);
}

/* ---- the same through both docker CLIs ---------------------------------------------------------- */

#define CB_LIM "--pids-limit|512|--security-opt|no-new-privileges"
#define CB "--user|1000|--cpus|1|--memory|1g|--network|none|--read-only|" CB_LIM
#define CB_NOUSER "--cpus|1|--memory|1g|--network|none|--read-only|" CB_LIM
#define CB_NONET "--user|1000|--cpus|1|--memory|1g|--read-only|" CB_LIM

struct cli_attack {
        const char *desc;
        const char *args;          /* '|'-separated, expanded */
        const char *hold;
};

static const struct cli_attack cli_attacks[] = {
        { "--privileged", CB "|--privileged", "HostConfig.Privileged=true" },
        { "--user 0", CB_NOUSER "|--user|0", "Config.User=\"0\"" },
        { "--user root", CB_NOUSER "|--user|root", "Config.User=\"root\"" },
        { "--user 0:0", CB_NOUSER "|--user|0:0", "Config.User=\"0:0\"" },
        { "--user 1000:0", CB_NOUSER "|--user|1000:0", "Config.User=\"1000:0\"" },
        { "no --user", CB_NOUSER, "Config.User=\"\"" },
        { "--group-add 0", CB "|--group-add|0", "HostConfig.GroupAdd~\"0\"" },
        { "--cpus 3", CB "|--cpus|3", "HostConfig.NanoCpus=3000000000" },
        { "--memory 8g", CB "|--memory|8g", "HostConfig.Memory=8589934592" },
        { "--memory-swap -1", CB "|--memory-swap|-1", "HostConfig.MemorySwap=-1" },
        { "--oom-kill-disable", CB "|--oom-kill-disable", "HostConfig.OomKillDisable=true" },
        { "--oom-score-adj -1000", CB "|--oom-score-adj|-1000", "HostConfig.OomScoreAdj=-1000" },
        { "no --read-only", "--user|1000|--cpus|1|--memory|1g|--network|none|" CB_LIM, "HostConfig.ReadonlyRootfs=false" },
        { "--network host", CB_NONET "|--network|host", "HostConfig.NetworkMode=\"host\"" },
        { "--network <user network>", CB_NONET "|--network|@NET", "HostConfig.NetworkMode=\"@NET\"" },
        { "--network container:<helper>", CB_NONET "|--network|container:@CID", "HostConfig.NetworkMode~container" },
        { "-p 18081:80", CB "|-p|18081:80", "HostConfig.PortBindings~18081" },
        { "--cap-add SYS_ADMIN", CB "|--cap-add|SYS_ADMIN", "HostConfig.CapAdd~SYS_ADMIN" },
        { "--cap-add sys_admin", CB "|--cap-add|sys_admin", "HostConfig.CapAdd~ADMIN;HostConfig.CapAdd~admin" },
        { "--cap-add cap_sys_admin", CB "|--cap-add|cap_sys_admin", "HostConfig.CapAdd~ADMIN;HostConfig.CapAdd~admin" },
        { "--cap-add ALL", CB "|--cap-add|ALL", "HostConfig.CapAdd~ALL" },
        { "--security-opt seccomp=unconfined", CB "|--security-opt|seccomp=unconfined", "HostConfig.SecurityOpt~unconfined" },
        { "--security-opt apparmor=unconfined", CB "|--security-opt|apparmor=unconfined", "HostConfig.SecurityOpt~unconfined" },
        { "--security-opt label=disable", CB "|--security-opt|label=disable", "HostConfig.SecurityOpt~disable" },
        { "--security-opt systempaths=unconfined", CB "|--security-opt|systempaths=unconfined", "HostConfig.SecurityOpt~unconfined" },
        { "--pid host", CB "|--pid|host", "HostConfig.PidMode=\"host\"" },
        { "--ipc host", CB "|--ipc|host", "HostConfig.IpcMode=\"host\"" },
        { "--uts host", CB "|--uts|host", "HostConfig.UTSMode=\"host\"" },
        { "--userns host", CB "|--userns|host", "HostConfig.UsernsMode=\"host\"" },
        { "--cgroupns host", CB "|--cgroupns|host", "HostConfig.CgroupnsMode=\"host\"" },
        { "--device /dev/mem", CB "|--device|/dev/mem", "HostConfig.Devices~/dev/mem" },
        { "--sysctl kernel.shm_rmid_forced=1", CB "|--sysctl|kernel.shm_rmid_forced=1", "HostConfig.Sysctls~shm" },
        { "--cgroup-parent /e2e-escape", CB "|--cgroup-parent|/e2e-escape", "HostConfig.CgroupParent~e2e" },
        { "-v /:/host", CB "|-v|/:/host", "HostConfig.Binds~/host" },
        { "-v repos dir at /workspace read-write", CB "|-v|@R/demo:/workspace", "Mounts[0].RW=true" },
        { "-v source with ..", CB "|-v|@R/demo/../../../../etc:/workspace:ro", "Mounts~etc" },
        { "-v source through a symlink", CB "|-v|@R/link-root/etc:/workspace:ro", "Mounts~link-root" },
        { "-v :ro,rshared (propagation)", CB "|-v|@R/demo:/workspace:ro,rshared", "Mounts[0].Propagation=\"rshared\"" },
        { "-v named volume", CB "|-v|e2eclivol:/artifacts", "Mounts~e2eclivol" },
        { "-v anonymous volume /data", CB "|-v|/data", "Mounts~\"/data\"" },
        { "--volume-driver local -v vol:/artifacts", CB "|--volume-driver|local|-v|e2eclivol2:/artifacts", "HostConfig.VolumeDriver=\"local\"" },
        { "--volumes-from <helper>", CB "|--volumes-from|@CID", "HostConfig.VolumesFrom~@CID" },
        { "--tmpfs /tmp", CB "|--tmpfs|/tmp", "HostConfig.Tmpfs~/tmp" },
        { "--mount type=bind,src=/,dst=/workspace,ro", CB "|--mount|type=bind,src=/,dst=/workspace,ro", "Mounts~\"Source\":\"/\"" },
        { "--mount type=bind,bind-propagation=rshared", CB "|--mount|type=bind,src=@R/demo,dst=/workspace,ro,bind-propagation=rshared",
          "Mounts[0].Propagation=\"rshared\"" },
        { "--mount type=volume with local bind options", CB "|--mount|type=volume,src=e2eclibind,dst=/workspace,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc",
          "Mounts~e2eclibind" },
        { "--mount type=tmpfs,dst=/tmp", CB "|--mount|type=tmpfs,dst=/tmp", "HostConfig.Mounts~tmpfs" },
};

static void test_cli(void)
{
        struct cmd_res *r = malloc(sizeof(*r));
        if (!r)
                return;
        for (int c = 0; c < E.n_clis; c++) {
                for (size_t i = 0; i < sizeof(cli_attacks) / sizeof(cli_attacks[0]); i++) {
                        const struct cli_attack *a = &cli_attacks[i];
                        char args[1024], name[64];
                        const char *argv[48];
                        int n = 0;
                        snprintf(name, sizeof(name), "e2e-cli-%d-%zu", c, i);
                        argv[n++] = E.clis[c];
                        argv[n++] = "create";
                        argv[n++] = "--pull";
                        argv[n++] = "never";
                        argv[n++] = "--name";
                        argv[n++] = name;
                        expand(a->args, args, sizeof(args));
                        for (char *p = args, *q; p && n < 44; p = q) {
                                q = strchr(p, '|');
                                if (q)
                                        *q++ = '\0';
                                argv[n++] = p;
                        }
                        argv[n++] = "bb";
                        argv[n++] = "true";
                        argv[n] = NULL;
                        run_cmd(r, 60, argv);
                        char desc[300], rules[128];
                        snprintf(desc, sizeof(desc), "%s: docker create %s", E.clis[c], a->desc);
                        if (cli_denied(r)) {
                                denied_rules(r->err, rules, sizeof(rules));
                                e2e_result(K_ATTACK, true, "%s (denied: %s)", desc, rules);
                                continue;
                        }
                        json_t *ins = r->status == 0 ? inspect_container(name) : NULL;
                        char what[400] = "";
                        if (r->status != 0) {
                                e2e_result(K_ATTACK, false, "%s: not denied by the plugin; only the daemon/CLI refused", desc);
                                e2e_diag("%.400s", r->err);
                        } else if (ins && json_holds(ins, a->hold, what, sizeof(what))) {
                                e2e_result(K_ATTACK, false, "%s: BYPASS, created and %s", desc, what);
                        } else {
                                e2e_result(K_ATTACK, false, "%s: allowed by the plugin (created)", desc);
                        }
                        json_decref(ins);
                        rm_container(name);
                }
        }
        free(r);
}

/* ---- other endpoints -------------------------------------------------------------------------------- */

/* Judge a non-create request: blocked, else run `held` to see whether it took effect. */
static void judge(const char *desc, struct http_res *r, bool (*held)(const char *arg, char *what, size_t n),
                  const char *arg)
{
        char rules[128], what[400] = "";
        if (denied_by_plugin(r)) {
                denied_rules(r->body, rules, sizeof(rules));
                e2e_result(K_ATTACK, true, "%s (denied: %s)", desc, rules);
        } else if (r->status >= 200 && r->status < 300 && held && held(arg, what, sizeof(what))) {
                e2e_result(K_ATTACK, false, "%s: BYPASS, %s", desc, what);
        } else if (r->status >= 200 && r->status < 300) {
                e2e_result(K_ATTACK, false, "%s: allowed by the plugin (HTTP %ld)", desc, r->status);
        } else {
                e2e_result(K_ATTACK, false, "%s: not denied by the plugin; only the daemon refused (HTTP %ld)", desc, r->status);
                e2e_diag("%.300s", r->body);
        }
}

static void req(const char *desc, const char *method, const char *tpl_target, const char *tpl_body,
                const char *const *hdr, unsigned flags, bool (*held)(const char *, char *, size_t), const char *arg)
{
        static char body[8192];
        char target[1024];
        struct http_res r;
        expand(tpl_target, target, sizeof(target));
        if (tpl_body)
                expand(tpl_body, body, sizeof(body));
        http(method, target, hdr, tpl_body ? body : NULL, tpl_body ? strlen(body) : 0, flags, 60, &r);
        judge(desc, &r, held, arg);
        http_free(&r);
}

/* exec: the created exec's view */
static char last_exec_id[80];
static bool exec_held(const char *spec, char *what, size_t n)
{
        char path[160];
        snprintf(path, sizeof(path), "/exec/%s/json", last_exec_id);
        json_t *v = http_get_json(path);
        bool h = v && json_holds(v, spec, what, n);
        json_decref(v);
        return h;
}

static void exec_attack(const char *desc, const char *body, const char *hold)
{
        static char b[2048];
        char target[200];
        struct http_res r;
        expand(body, b, sizeof(b));
        snprintf(target, sizeof(target), E2E_API "/containers/%s/exec", V_CID);
        http("POST", target, NULL, b, strlen(b), 0, 60, &r);
        last_exec_id[0] = '\0';
        json_t *v = r.status == 201 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
        if (v && json_string_value(json_object_get(v, "Id")))
                snprintf(last_exec_id, sizeof(last_exec_id), "%s", json_string_value(json_object_get(v, "Id")));
        json_decref(v);
        judge(desc, &r, exec_held, hold);
        http_free(&r);
}

static void test_exec(void)
{
        exec_attack("exec User 0", "{\"User\":\"0\",\"Cmd\":[\"id\",\"-u\"]}", "ProcessConfig.user=\"0\"");
        exec_attack("exec User root", "{\"User\":\"root\",\"Cmd\":[\"id\"]}", "ProcessConfig.user=\"root\"");
        exec_attack("exec User 0:0", "{\"User\":\"0:0\",\"Cmd\":[\"id\"]}", "ProcessConfig.user=\"0:0\"");
        exec_attack("exec User 00", "{\"User\":\"00\",\"Cmd\":[\"id\"]}", "ProcessConfig.user=\"00\"");
        exec_attack("exec User 1000:0", "{\"User\":\"1000:0\",\"Cmd\":[\"id\"]}", "ProcessConfig.user=\"1000:0\"");
        exec_attack("exec Privileged", "{\"Privileged\":true,\"Cmd\":[\"id\"]}", "ProcessConfig.privileged=true");
        exec_attack("exec privileged (lower case)", "{\"privileged\":true,\"Cmd\":[\"id\"]}", "ProcessConfig.privileged=true");
        exec_attack("exec uſer (U+017F) 0", "{\"u\u017fer\":\"0\",\"Cmd\":[\"id\"]}", "ProcessConfig.user=\"0\"");
        exec_attack("exec User twice (User 1000, user 0)", "{\"User\":\"1000\",\"user\":\"0\",\"Cmd\":[\"id\"]}",
                    "ProcessConfig.user=\"0\"");

        struct cmd_res *r = malloc(sizeof(*r));
        if (!r)
                return;
        for (int c = 0; c < E.n_clis; c++) {
                static const char *const users[] = { "0", "root", "0:0" };
                for (size_t i = 0; i < 3; i++) {
                        cli(r, 60, E.clis[c], "exec", "-u", users[i], V_CID, "id", "-u", CLI_END);
                        if (cli_denied(r))
                                e2e_result(K_ATTACK, true, "%s: docker exec -u %s (denied)", E.clis[c], users[i]);
                        else
                                e2e_result(K_ATTACK, false, "%s: docker exec -u %s: %s (status %d, out %.40s)", E.clis[c], users[i],
                                           r->status == 0 ? (strcmp(r->out, "0") == 0 ? "BYPASS, ran as uid 0" : "allowed") :
                                           "not denied by the plugin", r->status, r->out);
                }
                cli(r, 60, E.clis[c], "exec", "--privileged", V_CID, "id", "-u", CLI_END);
                if (cli_denied(r))
                        e2e_result(K_ATTACK, true, "%s: docker exec --privileged (denied)", E.clis[c]);
                else
                        e2e_result(K_ATTACK, false, "%s: docker exec --privileged: %s", E.clis[c],
                                   r->status == 0 ? "BYPASS, it ran" : "not denied by the plugin");
        }
        free(r);
}

/* update: the container's view after the update */
static bool cid_holds(const char *spec, char *what, size_t n)
{
        json_t *v = inspect_container(V_CID);
        bool h = v && json_holds(v, spec, what, n);
        json_decref(v);
        return h;
}

static void test_update(void)
{
        static const struct { const char *desc, *body, *hold; } u[] = {
                { "update Memory 8g", "{\"Memory\":8589934592}", "HostConfig.Memory=8589934592" },
                { "update memory (lower case) 8g", "{\"memory\":8589934592}", "HostConfig.Memory=8589934592" },
                { "update Memory -1", "{\"Memory\":-1}", "HostConfig.Memory=-1;HostConfig.Memory=0" },
                { "update MemorySwap -1", "{\"MemorySwap\":-1}", "HostConfig.MemorySwap=-1" },
                { "update Memory 1g and MemorySwap -1", "{\"Memory\":1073741824,\"MemorySwap\":-1}", "HostConfig.MemorySwap=-1" },
                { "update NanoCpus 4 CPUs", "{\"NanoCpus\":4000000000}", "HostConfig.NanoCpus=4000000000" },
                { "update NanoCpus -1", "{\"NanoCpus\":-1}", "HostConfig.NanoCpus=-1" },
                { "update CpuQuota -1, CpuPeriod 100000", "{\"CpuQuota\":-1,\"CpuPeriod\":100000}", "HostConfig.CpuQuota=-1" },
                { "update CpuPeriod 1000 alone", "{\"CpuPeriod\":1000}", "HostConfig.CpuPeriod=1000" },
                { "update OomKillDisable", "{\"OomKillDisable\":true}", "HostConfig.OomKillDisable=true" },
                { "update Devices", "{\"Devices\":[{\"PathOnHost\":\"/dev/mem\",\"PathInContainer\":\"/dev/mem\",\"CgroupPermissions\":\"rwm\"}]}",
                  "HostConfig.Devices~mem" },
                { "update Memory twice (Memory 512m, memory 8g)", "{\"Memory\":536870912,\"memory\":8589934592}",
                  "HostConfig.Memory=8589934592" },
                { "update chunked Memory 8g", "{\"Memory\":8589934592}", "HostConfig.Memory=8589934592" },
        };
        char target[200];
        snprintf(target, sizeof(target), E2E_API "/containers/%s/update", V_CID);
        for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
                req(u[i].desc, "POST", target, u[i].body, NULL, strstr(u[i].desc, "chunked") ? HTTP_CHUNKED : 0, cid_holds,
                    u[i].hold);

        struct cmd_res *r = malloc(sizeof(*r));
        if (!r)
                return;
        for (int c = 0; c < E.n_clis; c++) {
                static const char *const flags[][2] = { { "--memory", "8g" }, { "--cpus", "3" }, { "--memory-swap", "-1" } };
                for (size_t i = 0; i < 3; i++) {
                        cli(r, 60, E.clis[c], "update", flags[i][0], flags[i][1], V_CID, CLI_END);
                        e2e_result(K_ATTACK, cli_denied(r), "%s: docker update %s %s%s", E.clis[c], flags[i][0], flags[i][1],
                                   cli_denied(r) ? " (denied)" : r->status == 0 ? ": allowed (BYPASS)" : ": not denied by the plugin");
                }
        }
        free(r);
}

static bool connected(const char *net, char *what, size_t n)
{
        json_t *v = inspect_container(V_CID);
        char spec[128];
        snprintf(spec, sizeof(spec), "NetworkSettings.Networks~\"%s\"", net);
        bool h = v && json_holds(v, spec, what, n);
        json_decref(v);
        return h;
}

static void test_network_connect(void)
{
        static char body[256];
        snprintf(body, sizeof(body), "{\"Container\":\"%s\"}", V_CID);
        req("network connect to a user network", "POST", E2E_API "/networks/@NET/connect", body, NULL, 0, connected, V_NET);
        req("network connect, percent-encoded network name", "POST", E2E_API "/networks/e2e%2Dnet/connect", body, NULL, 0,
            connected, V_NET);
        req("network connect to host", "POST", E2E_API "/networks/host/connect", body, NULL, 0, connected, "host");
        req("network connect, chunked body", "POST", E2E_API "/networks/@NET/connect", body, NULL, HTTP_CHUNKED, connected, V_NET);
        struct cmd_res *r = malloc(sizeof(*r));
        if (!r)
                return;
        for (int c = 0; c < E.n_clis; c++) {
                cli(r, 60, E.clis[c], "network", "connect", V_NET, V_CID, CLI_END);
                e2e_result(K_ATTACK, cli_denied(r), "%s: docker network connect %s%s", E.clis[c], V_NET,
                           cli_denied(r) ? " (denied)" : r->status == 0 ? ": allowed (BYPASS)" : ": not denied by the plugin");
        }
        free(r);
}

static bool volume_exists(const char *name, char *what, size_t n)
{
        char path[200];
        snprintf(path, sizeof(path), "/volumes/%s", name);
        json_t *v = http_get_json(path);
        if (v)
                snprintf(what, n, "volume %s exists: %.200s", name, json_string_value(json_object_get(v, "Mountpoint")));
        json_decref(v);
        return v != NULL;
}

static void test_volume_create(void)
{
        req("volume create with local bind options (device=/etc)", "POST", E2E_API "/volumes/create",
            "{\"Name\":\"e2e-bindvol\",\"Driver\":\"local\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}",
            NULL, 0, volume_exists, "e2e-bindvol");
        req("volume create, lower-case driveropts", "POST", E2E_API "/volumes/create",
            "{\"Name\":\"e2e-bindvol2\",\"driveropts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}",
            NULL, 0, volume_exists, "e2e-bindvol2");
        req("volume create with tmpfs options", "POST", E2E_API "/volumes/create",
            "{\"Name\":\"e2e-tmpvol\",\"DriverOpts\":{\"type\":\"tmpfs\",\"device\":\"tmpfs\"}}", NULL, 0, volume_exists, "e2e-tmpvol");
        req("volume create, chunked body", "POST", E2E_API "/volumes/create",
            "{\"Name\":\"e2e-bindvol3\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}",
            NULL, HTTP_CHUNKED, volume_exists, "e2e-bindvol3");
        struct cmd_res *r = malloc(sizeof(*r));
        if (!r)
                return;
        for (int c = 0; c < E.n_clis; c++) {
                char name[32];
                snprintf(name, sizeof(name), "e2e-clibindvol%d", c);
                cli(r, 60, E.clis[c], "volume", "create", "-o", "type=none", "-o", "o=bind", "-o", "device=/etc", name, CLI_END);
                char what[300];
                e2e_result(K_ATTACK, cli_denied(r), "%s: docker volume create -o type=none,o=bind,device=/etc%s", E.clis[c],
                           cli_denied(r) ? " (denied)" : volume_exists(name, what, sizeof(what)) ? ": BYPASS" : ": not denied by the plugin");
        }
        free(r);
}

/* builds */
static bool image_exists(const char *tag, char *what, size_t n)
{
        char path[200];
        snprintf(path, sizeof(path), "/images/%s/json", tag);
        json_t *v = http_get_json(path);
        if (v)
                snprintf(what, n, "image %s was built", tag);
        json_decref(v);
        return v != NULL;
}

static char *build_context(size_t *len)
{
        char dir[200], cmd[1200], tar[220];
        snprintf(dir, sizeof(dir), "%s/buildctx", E.t);
        snprintf(tar, sizeof(tar), "%s/buildctx.tar", E.t);
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && printf 'FROM bb\\nRUN ls /sys/class/net\\n' > '%s/Dockerfile' && tar -C '%s' -cf '%s' Dockerfile",
                 dir, dir, dir, tar);
        const char *sh[] = { "/bin/sh", "-c", cmd, NULL };
        struct cmd_res *r = malloc(sizeof(*r));
        if (!r || run_cmd(r, 30, sh) != 0) {
                free(r);
                return NULL;
        }
        free(r);
        FILE *f = fopen(tar, "rbe");
        if (!f)
                return NULL;
        char *buf = malloc(1 << 16);
        *len = buf ? fread(buf, 1, 1 << 16, f) : 0;
        fclose(f);
        return buf;
}

static void test_build(void)
{
        size_t len = 0;
        char *ctx = build_context(&len);
        struct http_res r;
        static const char *const tar_ct[] = { "Content-Type: application/x-tar", NULL };
        if (!ctx) {
                e2e_result(K_ATTACK, false, "build: could not make a build context");
                return;
        }
        /* builds are denied by default: each RUN step is a root container outside every rule */
        http("POST", E2E_API "/build?t=e2e-build-plain&version=1", tar_ct, ctx, len, 0, 120, &r);
        judge("build with no networkmode (the bridge, root, no limits)", &r, image_exists, "e2e-build-plain");
        http_free(&r);
        http("POST", E2E_API "/build?networkmode=none&t=e2e-build-none&memory=1073741824&cpuquota=100000", tar_ct, ctx, len, 0, 120, &r);
        judge("build with networkmode=none within the limits (builds are off by default)", &r, image_exists, "e2e-build-none");
        http_free(&r);
        http("POST", E2E_API "/build?networkmode=host&t=e2e-build-host&version=1", tar_ct, ctx, len, 0, 120, &r);
        judge("build with networkmode=host", &r, image_exists, "e2e-build-host");
        http_free(&r);
        http("POST", E2E_API "/build?networkmode=container:e2e-helper&t=e2e-build-ctr", tar_ct, ctx, len, 0, 120, &r);
        judge("build with networkmode=container:<helper>", &r, image_exists, "e2e-build-ctr");
        http_free(&r);
        http("POST", E2E_API "/build?NetworkMode=host&networkmode=none&t=e2e-build-case", tar_ct, ctx, len, 0, 120, &r);
        /* Go's FormValue is case-sensitive: NetworkMode is ignored, so this one is harmless either way;
         * it is here to show the plugin reads the parameter dockerd reads.  Not counted. */
        http_free(&r);
        http("POST", E2E_API "/build?networkmode=host&networkmode=none&t=e2e-build-rep", tar_ct, ctx, len, 0, 120, &r);
        judge("build with networkmode repeated (host first)", &r, image_exists, "e2e-build-rep");
        http_free(&r);
        http("POST", E2E_API "/build?networkmode=host&t=e2e-build-chunked", tar_ct, ctx, len, HTTP_CHUNKED, 120, &r);
        judge("build with networkmode=host, chunked context", &r, image_exists, "e2e-build-chunked");
        http_free(&r);
        free(ctx);

        /* Form-encoded bodies: Go's FormValue reads the body first, and dockerd never forwards a form
         * body to the plugin.  The context comes from `remote` (a Dockerfile on a local HTTP server). */
        static const char *const form1[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
        static const char *const form2[] = { "Content-Type: application/x-www-form-urlencoded", "Content-Type: application/x-tar", NULL };
        static const char *const form3[] = { "Content-Type: multipart/form-data; boundary=e2eb", "Content-Type: application/x-tar", NULL };
        char body[600];
        snprintf(body, sizeof(body), "networkmode=host&t=e2e-build-form&remote=http%%3A%%2F%%2F127.0.0.1%%3A%d%%2FDockerfile.txt", httpd_port);
        http("POST", E2E_API "/build", form1, body, strlen(body), 0, 120, &r);
        judge("build, form-encoded body with networkmode=host", &r, image_exists, "e2e-build-form");
        http_free(&r);
        /* The same form behind a repeated Content-Type (form first, x-tar last): dockerd parses the
         * body by the first value and sends the plugin only the last, so the plugin cannot tell this
         * from an ordinary tar build (README, "What AuthZ cannot see").  dockerd 20.10 does not act on
         * such a body (it answers "unexpected EOF"); these checks hold it to that, so that a daemon
         * that does act on it shows up here.  Not counted as attacks: no plugin can decide them. */
        snprintf(body, sizeof(body), "networkmode=host&t=e2e-build-form2&remote=http%%3A%%2F%%2F127.0.0.1%%3A%d%%2FDockerfile.txt", httpd_port);
        http("POST", E2E_API "/build", form2, body, strlen(body), 0, 120, &r);
        char hidden[200];
        e2e_result(K_OTHER, denied_by_plugin(&r) || !image_exists("e2e-build-form2", hidden, sizeof(hidden)),
                   "build: a form body behind a repeated Content-Type is not acted on (HTTP %ld; the plugin cannot see it)", r.status);
        http_free(&r);
        snprintf(body, sizeof(body),
                 "--e2eb\r\nContent-Disposition: form-data; name=\"networkmode\"\r\n\r\nhost\r\n"
                 "--e2eb\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\ne2e-build-form3\r\n"
                 "--e2eb\r\nContent-Disposition: form-data; name=\"remote\"\r\n\r\nhttp://127.0.0.1:%d/Dockerfile.txt\r\n--e2eb--\r\n",
                 httpd_port);
        http("POST", E2E_API "/build", form3, body, strlen(body), 0, 120, &r);
        e2e_result(K_OTHER, denied_by_plugin(&r) || !image_exists("e2e-build-form3", hidden, sizeof(hidden)),
                   "build: a multipart body behind a repeated Content-Type is not acted on (HTTP %ld; the plugin cannot see it)", r.status);
        http_free(&r);

        struct cmd_res *cr = malloc(sizeof(*cr));
        if (!cr)
                return;
        setenv("DOCKER_BUILDKIT", "0", 1);
        for (int c = 0; c < E.n_clis; c++) {
                char dir[200], tag[40];
                snprintf(dir, sizeof(dir), "%s/buildctx", E.t);
                snprintf(tag, sizeof(tag), "e2e-clibuild%d", c);
                char what[200];
                static const char *const net[] = { "host", NULL };
                for (size_t k = 0; k < 2; k++) {
                        if (net[k])
                                cli(cr, 120, E.clis[c], "build", "--network", net[k], "-t", tag, dir, CLI_END);
                        else
                                cli(cr, 120, E.clis[c], "build", "-t", tag, dir, CLI_END);
                        e2e_result(K_ATTACK, cli_denied(cr), "%s: docker build%s%s%s", E.clis[c], net[k] ? " --network " : "",
                                   net[k] ? net[k] : "", cli_denied(cr) ? " (denied)" : image_exists(tag, what, sizeof(what)) ?
                                   ": BYPASS, built" : ": not denied by the plugin");
                        if (!cli_denied(cr))
                                e2e_diag("%.300s", cr->err);
                }
        }
        unsetenv("DOCKER_BUILDKIT");
        free(cr);
}

static bool swarm_active(const char *arg, char *what, size_t n)
{
        (void) arg;
        json_t *v = http_get_json("/info");
        const char *st = json_string_value(json_object_get(json_object_get(v, "Swarm"), "LocalNodeState"));
        bool h = st && strcmp(st, "active") == 0;
        if (h)
                snprintf(what, n, "this dockerd is now a swarm manager");
        json_decref(v);
        return h;
}

static void test_swarm_plugins_routes(void)
{
        req("swarm init", "POST", E2E_API "/swarm/init", "{\"ListenAddr\":\"127.0.0.1:2377\",\"AdvertiseAddr\":\"127.0.0.1:2377\"}",
            NULL, 0, swarm_active, NULL);
        req("swarm join", "POST", E2E_API "/swarm/join", "{\"ListenAddr\":\"127.0.0.1:2377\",\"RemoteAddrs\":[\"127.0.0.1:1\"],\"JoinToken\":\"x\"}",
            NULL, 0, swarm_active, NULL);
        req("service create (privileged task)", "POST", E2E_API "/services/create",
            "{\"Name\":\"e2e-svc\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"bb\",\"Command\":[\"sleep\",\"60\"],\"Privileges\":{}}}}",
            NULL, 0, NULL, NULL);
        req("secret create", "POST", E2E_API "/secrets/create", "{\"Name\":\"e2e\",\"Data\":\"eA==\"}", NULL, 0, NULL, NULL);
        req("plugin install (pull, from localhost:1 only)", "POST", E2E_API "/plugins/pull?remote=localhost:1/e2e/none:latest&name=e2e-none",
            "[]", NULL, 0, NULL, NULL);
        char t[300];
        snprintf(t, sizeof(t), E2E_API "/plugins/%s/disable", E.name);
        req("plugin disable (our own AuthZ plugin)", "POST", t, NULL, NULL, 0, NULL, NULL);
        snprintf(t, sizeof(t), E2E_API "/plugins/%s?force=1", E.name);
        req("plugin removal (our own AuthZ plugin)", "DELETE", t, NULL, NULL, 0, NULL, NULL);
        req("plugin create", "POST", E2E_API "/plugins/create?name=e2e-plugin", "x", (const char *const[]) { "Content-Type: application/x-tar", NULL },
            0, NULL, NULL);
        req("plugin set", "POST", E2E_API "/plugins/e2e-none/set", "[\"DEBUG=1\"]", NULL, 0, NULL, NULL);
        req("BuildKit session (POST /session)", "POST", E2E_API "/session", NULL,
            (const char *const[]) { "Upgrade: h2c", "Connection: Upgrade", "X-Docker-Expose-Session-Uuid: e2e", NULL }, 0, NULL, NULL);
        req("BuildKit gRPC (POST /grpc)", "POST", E2E_API "/grpc", NULL,
            (const char *const[]) { "Upgrade: h2c", "Connection: Upgrade", NULL }, 0, NULL, NULL);
        req("checkpoint create", "POST", E2E_API "/containers/@CID/checkpoints", "{\"CheckpointID\":\"e2e\"}", NULL, 0, NULL, NULL);
        req("unknown route GET /debug/vars", "GET", "/debug/vars", NULL, NULL, 0, NULL, NULL);
        req("unknown route GET /debug/pprof/", "GET", "/debug/pprof/", NULL, NULL, 0, NULL, NULL);
        req("start restoring a checkpoint", "POST", E2E_API "/containers/@CID/start?checkpoint=e2e", NULL, NULL, 0, NULL, NULL);
        struct cmd_res *r = malloc(sizeof(*r));
        if (!r)
                return;
        for (int c = 0; c < E.n_clis; c++) {
                cli(r, 60, E.clis[c], "plugin", "disable", E.name, CLI_END);
                e2e_result(K_ATTACK, cli_denied(r), "%s: docker plugin disable %s%s", E.clis[c], E.name,
                           cli_denied(r) ? " (denied)" : ": not denied by the plugin");
                cli(r, 60, E.clis[c], "plugin", "rm", "-f", E.name, CLI_END);
                e2e_result(K_ATTACK, cli_denied(r), "%s: docker plugin rm -f %s%s", E.clis[c], E.name,
                           cli_denied(r) ? " (denied)" : ": not denied by the plugin");
                cli(r, 60, E.clis[c], "swarm", "init", "--listen-addr", "127.0.0.1:2377", "--advertise-addr", "127.0.0.1", CLI_END);
                char what[100];
                e2e_result(K_ATTACK, cli_denied(r), "%s: docker swarm init%s", E.clis[c],
                           cli_denied(r) ? " (denied)" : swarm_active(NULL, what, sizeof(what)) ? ": BYPASS" : ": not denied by the plugin");
        }
        free(r);
}

/* API < 1.24 lets POST /containers/{id}/start carry a HostConfig that dockerd applies. */
static bool oldstart_held(const char *id, char *what, size_t n)
{
        json_t *v = inspect_container(id);
        bool h = v && json_holds(v, "HostConfig.Privileged=true;HostConfig.Binds~/host", what, n);
        json_decref(v);
        return h;
}

static void test_old_start(void)
{
        struct http_res r;
        static const char body[] = "{" TOP ",\"HostConfig\":{" HC "}}";
        http("POST", E2E_API "/containers/create?name=e2e-oldstart", NULL, body, strlen(body), 0, 60, &r);
        bool made = r.status == 201;
        http_free(&r);
        if (!made) {
                e2e_result(K_ATTACK, false, "start with a HostConfig body: could not create the container");
                return;
        }
        static const char hc[] = "{\"Privileged\":true,\"Binds\":[\"/:/host\"]}";
        http("POST", "/v1.23/containers/e2e-oldstart/start", NULL, hc, strlen(hc), 0, 60, &r);
        judge("start with a HostConfig body on API v1.23", &r, oldstart_held, "e2e-oldstart");
        http_free(&r);
        http("POST", "/v01.23/containers/e2e-oldstart/start", NULL, hc, strlen(hc), 0, 60, &r);
        judge("start with a HostConfig body on API v01.23", &r, oldstart_held, "e2e-oldstart");
        http_free(&r);
        http("POST", "/v1.23/containers/e2e-oldstart/start", NULL, hc, strlen(hc), HTTP_CHUNKED, 60, &r);
        judge("start with a chunked HostConfig body on API v1.23", &r, oldstart_held, "e2e-oldstart");
        http_free(&r);
        http("POST", E2E_API "/containers/e2e-oldstart/start", NULL, hc, strlen(hc), 0, 60, &r);
        /* v1.41 refuses a start body itself; judged only when it took effect */
        if (!denied_by_plugin(&r) && r.status >= 200 && r.status < 300) {
                char what[300];
                if (oldstart_held("e2e-oldstart", what, sizeof(what)))
                        e2e_result(K_ATTACK, false, "start with a HostConfig body on API v1.41: BYPASS, %s", what);
        }
        http_free(&r);
        rm_container("e2e-oldstart");
}

/* ---- what dockerd does later on its own: logs, restarts, limits ------------------------------------ */

static const struct create_attack later_attacks[] = {
        { "LogConfig syslog over tcp (output of a network=none job leaves the host)",
          BODY("\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\"tcp://127.0.0.1:1514\"}}"),
          "HostConfig.LogConfig.Type=\"syslog\"" },
        { "LogConfig syslog into a host unix socket", BODY("\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\"unix:///dev/log\"}}"),
          "HostConfig.LogConfig.Type=\"syslog\"" },
        { "LogConfig gelf over udp", BODY("\"LogConfig\":{\"Type\":\"gelf\",\"Config\":{\"gelf-address\":\"udp://127.0.0.1:12201\"}}"),
          "HostConfig.LogConfig.Type=\"gelf\"" },
        { "LogConfig fluentd", BODY("\"LogConfig\":{\"Type\":\"fluentd\",\"Config\":{\"fluentd-address\":\"tcp://127.0.0.1:24224\"}}"),
          "HostConfig.LogConfig.Type=\"fluentd\"" },
        { "LogConfig json-file max-size 100g", BODY("\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{\"max-size\":\"100g\"}}"),
          "HostConfig.LogConfig.Config~100g" },
        { "RestartPolicy always (restarted by dockerd, asking no plugin)", BODY("\"RestartPolicy\":{\"Name\":\"always\"}"),
          "HostConfig.RestartPolicy.Name=\"always\"" },
        { "RestartPolicy unless-stopped", BODY("\"RestartPolicy\":{\"Name\":\"unless-stopped\"}"),
          "HostConfig.RestartPolicy.Name=\"unless-stopped\"" },
        { "RestartPolicy on-failure without a bound", BODY("\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":0}"),
          "HostConfig.RestartPolicy.Name=\"on-failure\"" },
        { "Ulimits rtprio 99 (realtime scheduling)", BODY("\"Ulimits\":[{\"Name\":\"rtprio\",\"Soft\":99,\"Hard\":99}]"),
          "HostConfig.Ulimits~rtprio" },
        { "Ulimits core unlimited", BODY("\"Ulimits\":[{\"Name\":\"core\",\"Soft\":-1,\"Hard\":-1}]"), "HostConfig.Ulimits~core" },
        { "PidsLimit -1", BODYT(TOP, CPU "," MEM "," NET "," RO "," NNP ",\"PidsLimit\":-1"), "HostConfig.PidsLimit=-1" },
        { "no PidsLimit", BODYT(TOP, CPU "," MEM "," NET "," RO "," NNP), "HostConfig.PidsLimit=null;HostConfig.PidsLimit=0" },
        { "ShmSize 8g (memory beyond the limit)", BODY("\"ShmSize\":8589934592"), "HostConfig.ShmSize=8589934592" },
        { "CpuRealtimeRuntime", BODY("\"CpuRealtimeRuntime\":10000"), "HostConfig.CpuRealtimeRuntime=10000" },
        { "no no-new-privileges", BODYT(TOP, CPU "," MEM "," NET "," RO "," PIDS), "HostConfig.SecurityOpt=null" },
};

static void test_later(void)
{
        RUN_TABLE(later_attacks);

        /* update can set a restart policy too */
        char target[200];
        snprintf(target, sizeof(target), E2E_API "/containers/%s/update", V_CID);
        req("update RestartPolicy always", "POST", target, "{\"RestartPolicy\":{\"Name\":\"always\"}}", NULL, 0, cid_holds,
            "HostConfig.RestartPolicy.Name=\"always\"");
        req("update Ulimits rtprio", "POST", target, "{\"Ulimits\":[{\"Name\":\"rtprio\",\"Soft\":99,\"Hard\":99}]}", NULL, 0, cid_holds,
            "HostConfig.Ulimits~rtprio");

        struct cmd_res *r = malloc(sizeof(*r));
        if (!r)
                return;
        static const char *const flags[][3] = {
                { "--log-driver", "syslog", "--log-opt=syslog-address=tcp://127.0.0.1:1514" },
                { "--log-driver", "gelf", "--log-opt=gelf-address=udp://127.0.0.1:12201" },
                { "--restart", "always", NULL },
                { "--restart", "on-failure", NULL },
                { "--ulimit", "rtprio=99", NULL },
                { "--ulimit", "core=-1", NULL },
                { "--pids-limit", "-1", NULL },
                { "--shm-size", "8g", NULL },
        };
        static const char *const holds[] = {
                "HostConfig.LogConfig.Type=\"syslog\"", "HostConfig.LogConfig.Type=\"gelf\"",
                "HostConfig.RestartPolicy.Name=\"always\"", "HostConfig.RestartPolicy.Name=\"on-failure\"",
                "HostConfig.Ulimits~rtprio", "HostConfig.Ulimits~core", "HostConfig.PidsLimit=-1", "HostConfig.ShmSize=8589934592",
        };
        for (int c = 0; c < E.n_clis; c++)
                for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
                        char name[64], desc[200], what[300] = "";
                        snprintf(name, sizeof(name), "e2e-later-%d-%zu", c, i);
                        /* the CLI's last --pids-limit wins */
                        cli(r, 60, E.clis[c], "create", "--pull", "never", "--name", name, "--user", "1000", "--cpus", "1",
                            "--memory", "1g", "--network", "none", "--read-only", "--pids-limit", "512", "--security-opt",
                            "no-new-privileges", flags[i][0], flags[i][1], flags[i][2] ? flags[i][2] : "--label=e2e", "bb", "true",
                            CLI_END);
                        snprintf(desc, sizeof(desc), "%s: docker create %s %s%s%s", E.clis[c], flags[i][0], flags[i][1],
                                 flags[i][2] ? " " : "", flags[i][2] ? flags[i][2] : "");
                        if (cli_denied(r)) {
                                e2e_result(K_ATTACK, true, "%s (denied)", desc);
                                continue;
                        }
                        json_t *ins = r->status == 0 ? inspect_container(name) : NULL;
                        e2e_result(K_ATTACK, false, "%s: %s", desc, r->status != 0 ? "not denied by the plugin; only the daemon/CLI refused" :
                                   ins && json_holds(ins, holds[i], what, sizeof(what)) ? "BYPASS, created with the setting" :
                                   "allowed by the plugin (created)");
                        if (r->status != 0)
                                e2e_diag("%.300s", r->err);
                        json_decref(ins);
                        rm_container(name);
                }
        for (int c = 0; c < E.n_clis; c++) {
                cli(r, 60, E.clis[c], "update", "--restart", "always", V_CID, CLI_END);
                e2e_result(K_ATTACK, cli_denied(r), "%s: docker update --restart always%s", E.clis[c],
                           cli_denied(r) ? " (denied)" : r->status == 0 ? ": allowed (BYPASS)" : ": not denied by the plugin");
        }
        free(r);
}

/* ---- a setuid-root helper in an imported image: no-new-privileges keeps the job uid 1000 ----------- */

static void test_setuid(void)
{
        struct cmd_res *r = malloc(sizeof(*r));
        if (!r)
                return;
        if (e2e_import_suid_image("bbsuid:latest") < 0) {
                e2e_result(K_ATTACK, false, "setuid: could not import an image with a setuid-root helper");
                free(r);
                return;
        }
        for (int c = 0; c < E.n_clis; c++) {
                /* compliant: the helper's setuid bit is inert */
                cli(r, 60, E.clis[c], "run", "--rm", "--pull", "never", "--user", "1000:1000", "--cpus", "1", "--memory", "1g",
                    "--network", "none", "--read-only", "--pids-limit", "512", "--security-opt", "no-new-privileges",
                    "bbsuid", "/bin/euid", CLI_END);
                e2e_result(K_ATTACK, r->status == 0 && strcmp(r->out, "1000") == 0,
                           "%s: a setuid-root helper under --security-opt no-new-privileges runs with euid %s (want 1000)",
                           E.clis[c], r->status == 0 ? r->out : "?");
                if (r->status != 0)
                        e2e_diag("%.300s", r->err);
                /* without no-new-privileges it would be euid 0: the plugin refuses it */
                cli(r, 60, E.clis[c], "run", "--rm", "--pull", "never", "--user", "1000:1000", "--cpus", "1", "--memory", "1g",
                    "--network", "none", "--read-only", "--pids-limit", "512", "bbsuid", "/bin/euid", CLI_END);
                if (cli_denied(r))
                        e2e_result(K_ATTACK, true, "%s: the same run without no-new-privileges (denied)", E.clis[c]);
                else
                        e2e_result(K_ATTACK, false, "%s: the same run without no-new-privileges: %s (euid %s)", E.clis[c],
                                   r->status == 0 ? "allowed" : "not denied by the plugin", r->out);
        }

        /* docker cp of a setuid-root file into /artifacts: dockerd extracts it as root, mode kept;
         * on the nosuid artifacts mount it stays inert for the host's users */
        char src[300], dst[200], on_host[300], cmd[2000];
        snprintf(src, sizeof(src), "%s/suid-src", E.t);
        snprintf(on_host, sizeof(on_host), "%s/demo/euid-copied", E.arts);
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && cp \"$(dirname \"$(readlink -f /proc/%d/exe)\")/euid\" '%s/euid-copied' && "
                 "chown 0:0 '%s/euid-copied' && chmod 4755 '%s/euid-copied'", src, (int) getpid(), src, src, src);
        const char *sh[] = { "/bin/sh", "-c", cmd, NULL };
        snprintf(dst, sizeof(dst), "%s:/artifacts/", V_CID);
        snprintf(src + strlen(src), sizeof(src) - strlen(src), "/euid-copied");
        if (run_cmd(r, 30, sh) != 0) {
                e2e_result(K_ATTACK, false, "docker cp of a setuid-root file: could not make the file");
        } else {
                cli(r, 60, E.clis[0], "cp", "-a", src, dst, CLI_END);
                if (cli_denied(r)) {
                        e2e_result(K_ATTACK, true, "docker cp -a of a setuid-root file into /artifacts (denied)");
                } else {
                        const char *as_user[] = { "setpriv", "--reuid", "1000", "--regid", "1000", "--clear-groups", on_host, NULL };
                        struct stat st;
                        bool landed = stat(on_host, &st) == 0 && (st.st_mode & S_ISUID) && st.st_uid == 0;
                        run_cmd(r, 30, as_user);
                        e2e_result(K_ATTACK, !landed || strcmp(r->out, "1000") == 0,
                                   "docker cp -a of a setuid-root file into /artifacts: %s; run by uid 1000 on the host it has euid %s",
                                   landed ? "it landed setuid root" : "it did not land setuid root", r->out);
                }
        }
        unlink(on_host);
        free(r);
}

/* ---- networks: none may join one, so none is made under network_mode none ---------------------- */

static bool network_exists(const char *name, char *what, size_t n)
{
        char path[200];
        snprintf(path, sizeof(path), "/networks/%s", name);
        json_t *v = http_get_json(path);
        if (v)
                snprintf(what, n, "network %s exists", name);
        json_decref(v);
        return v != NULL;
}

static void test_network_create(void)
{
        req("network create (a host bridge, addresses, routes)", "POST", E2E_API "/networks/create",
            "{\"Name\":\"e2e-netc1\",\"Driver\":\"bridge\"}", NULL, 0, network_exists, "e2e-netc1");
        req("network create with bridge options and a subnet", "POST", E2E_API "/networks/create",
            "{\"Name\":\"e2e-netc2\",\"Driver\":\"bridge\",\"Options\":{\"com.docker.network.bridge.name\":\"e2ebr0\"},"
            "\"IPAM\":{\"Config\":[{\"Subnet\":\"10.213.0.0/24\"}]}}", NULL, 0, network_exists, "e2e-netc2");
        struct cmd_res *r = malloc(sizeof(*r));
        if (!r)
                return;
        for (int c = 0; c < E.n_clis; c++) {
                char name[40], what[200];
                snprintf(name, sizeof(name), "e2e-clinet%d", c);
                cli(r, 60, E.clis[c], "network", "create", "--subnet", "10.214.0.0/24", name, CLI_END);
                e2e_result(K_ATTACK, cli_denied(r), "%s: docker network create --subnet%s", E.clis[c],
                           cli_denied(r) ? " (denied)" : network_exists(name, what, sizeof(what)) ? ": BYPASS, created" :
                           ": not denied by the plugin");
                cli(r, 60, E.clis[c], "network", "rm", name, CLI_END);
        }
        free(r);
}

void add_attack_tests(CU_pSuite s)
{
        CU_add_test(s, "create: every rule through HostConfig", test_hostconfig_rules);
        CU_add_test(s, "create: Binds, Mounts, volumes, tmpfs", test_mounts);
        CU_add_test(s, "create: decoding tricks", test_decoding);
        CU_add_test(s, "create: capability and security-option spellings", test_spellings);
        CU_add_test(s, "create: transport, paths, versions", test_transport);
        CU_add_test(s, "create: the newer APIs' fields at the engine's own version", test_newer_fields);
        CU_add_test(s, "create: bodies over 1 MiB", test_big_body);
        CU_add_test(s, "create: both docker CLIs", test_cli);
        CU_add_test(s, "start with a HostConfig (old API)", test_old_start);
        CU_add_test(s, "exec as root or privileged", test_exec);
        CU_add_test(s, "update raising or removing limits", test_update);
        CU_add_test(s, "network connect", test_network_connect);
        CU_add_test(s, "volume create with bind options", test_volume_create);
        CU_add_test(s, "builds", test_build);
        CU_add_test(s, "later effects: log drivers, restarts, ulimits, pids, shm", test_later);
        CU_add_test(s, "a setuid-root helper and no-new-privileges", test_setuid);
        CU_add_test(s, "network create", test_network_create);
        CU_add_test(s, "swarm, plugins, sessions, unknown routes", test_swarm_plugins_routes);
}
