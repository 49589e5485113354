/* The rules for every endpoint other than container create, and the user rule they share. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/gojson.h"
#include "policy/checks.h"
#include "policy/units.h"


int eval_parse_body(const char *buf, size_t len, const char *what, json_t **ret, struct decision *d)
{
        json_error_t err;
        /* Duplicate keys: Go keeps the last, a naive checker the first.  Deny them outright. */
        json_t *v = gojson_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
        if (!v) {
                char q[200];
                quote_value(err.text, 160, q, sizeof(q));
                decision_add(d, RULE_SHAPE, "the %s body is not valid JSON (line %d, column %d: %s)", what, err.line,
                             err.column, q);
                return -EINVAL;
        }
        if (!json_is_object(v)) {
                json_decref(v);
                decision_add(d, RULE_SHAPE, "the %s body is not a JSON object", what);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

void user_fix(const struct policy *p, const char *path, char *buf, size_t size)
{
        /* Any GID >= 1 will do, and a UID:GID needs no look-up in the image: the UID twice is one. */
        char ids[32];
        snprintf(ids, sizeof(ids), "%" PRIu32 ":%" PRIu32, p->uid, p->uid);
        if (strncmp(path, "Exec.", 5) == 0)
                snprintf(buf, size, "give a numeric UID:GID such as " FIX_EXEC_USER_IDS, ids, ids);
        else
                snprintf(buf, size, "give a numeric UID:GID such as " FIX_USER_IDS, ids, ids, ids);
}

void eval_user(const struct policy *p, const char *user, const char *path, bool empty_ok, struct decision *d)
{
        char q[48], fix[224];
        const char *colon = strchr(user, ':');
        size_t nlen = colon ? (size_t) (colon - user) : strlen(user);
        bool ours = nlen == strlen(p->user) && strncmp(user, p->user, nlen) == 0;
        uint64_t uid, gid;
        bool ok;

        user_fix(p, path, fix, sizeof(fix));
        if (user[0] == '\0') {
                if (!empty_ok)
                        decision_add(d, RULE_USER, "%s is empty (the image's user, often root); %s", path, fix);
                return;
        }
        /* A name resolves inside the image, where it can map to UID 0: numeric only, unless the
         * policy trusts its images (accept_user_name). */
        ok = (parse_canonical_id(user, nlen, UINT32_MAX, &uid) && uid == p->uid) || (p->accept_user_name && ours);
        if (ok && colon)
                ok = parse_canonical_id(colon + 1, strlen(colon + 1), INT32_MAX, &gid) && gid >= 1;
        if (ok)
                return;
        quote_value(user, 40, q, sizeof(q));
        /* dockerd takes a user part that is not a number (strconv.Atoi allows a sign) for a name, and
         * looks it up in the image. */
        bool name = nlen > 0 && !strchr("0123456789+-", user[0]);
        if (!name)
                decision_add(d, RULE_USER, "%s is %s; %s", path, q, fix);
        else if (!p->accept_user_name)
                decision_add(d, RULE_USER, "%s is %s, a user name, which the image may map to root; %s, or have the admin set "
                             "\"accept_user_name\": true in the policy to allow the name %.32s", path, q, fix, p->user);
        else if (ours)
                decision_add(d, RULE_USER, "%s is %s, whose group is not a numeric GID >= 1; %s, or use the name %.32s with such a GID",
                             path, q, fix, p->user);
        else
                decision_add(d, RULE_USER, "%s is %s, not the policy's user name; %s, or use the name %.32s", path, q, fix,
                             p->user);
}

/* --- exec ------------------------------------------------------------------------------------ */

#define EXEC_FIELDS(X) \
        X(E_USER, "User") X(E_PRIVILEGED, "Privileged") X(E_TTY, "Tty") X(E_CONSOLESIZE, "ConsoleSize") \
        X(E_ATTACHSTDIN, "AttachStdin") X(E_ATTACHSTDERR, "AttachStderr") X(E_ATTACHSTDOUT, "AttachStdout") \
        X(E_DETACH, "Detach") X(E_DETACHKEYS, "DetachKeys") X(E_ENV, "Env") X(E_WORKINGDIR, "WorkingDir") \
        X(E_CMD, "Cmd") X(E_CONTAINER, "Container")
/* Container: a field of the exec config up to API 1.24 that docker-py still sends; dockerd ignores
 * it (the path names the container). */
enum { EXEC_FIELDS(FIELD_ENUM) E__MAX };
static const char *const exec_fields[E__MAX] = { EXEC_FIELDS(FIELD_NAME) };
static const struct gostruct exec_struct = { "the exec body", exec_fields, E__MAX, true };

void eval_exec_create(const struct policy *p, json_t *body, struct decision *d)
{
        json_t *f[E__MAX];
        const char *user;
        bool privileged;

        if (!body) {
                decision_add(d, RULE_SHAPE, "the exec request has no JSON body that the plugin can see; send it as application/json");
                return;
        }
        gojson_bind(body, &exec_struct, "the exec body", f, d);
        go_bool(f[E_PRIVILEGED], "Exec.Privileged", d, &privileged);
        if (privileged)
                decision_add(d, RULE_PRIVILEGED, "Exec.Privileged is true; remove " FIX(EXEC_PRIVILEGED));
        go_string(f[E_USER], "Exec.User", d, &user);
        eval_user(p, user, "Exec.User", true, d);
}

#define PROCESS_FIELDS(X) X(P_PRIVILEGED, "privileged") X(P_USER, "user")
enum { PROCESS_FIELDS(FIELD_ENUM) P__MAX };
static const char *const process_fields[P__MAX] = { PROCESS_FIELDS(FIELD_NAME) };
static const struct gostruct process_struct = { "ProcessConfig", process_fields, P__MAX, false };

void eval_exec_view(const struct policy *p, json_t *inspect, struct decision *d)
{
        json_t *f[P__MAX];
        const char *user;
        bool privileged;

        json_t *pc = json_is_object(inspect) ? json_object_get(inspect, "ProcessConfig") : NULL;
        if (!json_is_object(pc)) {
                decision_add(d, RULE_RECHECK, "dockerd's view of the exec has no ProcessConfig");
                return;
        }
        gojson_bind(pc, &process_struct, "ProcessConfig", f, d);
        go_bool(f[P_PRIVILEGED], "Exec.Privileged", d, &privileged);
        if (privileged)
                decision_add(d, RULE_PRIVILEGED, "the exec is privileged; run it again without " FIX(EXEC_PRIVILEGED));
        go_string(f[P_USER], "Exec.User", d, &user);
        eval_user(p, user, "Exec.User", true, d);
}

/* --- update ---------------------------------------------------------------------------------- */

/* UpdateConfig: Resources plus RestartPolicy. */
#define UPDATE_FIELDS(X) RESOURCES_FIELDS(X, U_) \
        X(U_RESTARTPOLICY, "RestartPolicy")
enum { UPDATE_FIELDS(FIELD_ENUM) U__MAX };
static const char *const update_fields[U__MAX] = { UPDATE_FIELDS(FIELD_NAME) };
static const struct gostruct update_struct = { "the update body", update_fields, U__MAX, true };

void eval_container_update(const struct policy *p, json_t *body, struct decision *d)
{
        json_t *f[U__MAX];

        if (!body) {
                decision_add(d, RULE_SHAPE, "the update request has no JSON body that the plugin can see; send it as application/json");
                return;
        }
        gojson_bind(body, &update_struct, "the update body", f, d);
        const struct resource_fields rf = RESOURCE_FIELDS_OF(f, U_);

        check_resource_fields(p, &rf, "Update", true, false, d);
        check_empty(f[U_CGROUPPARENT], "Update.CgroupParent", RULE_KERNEL, "the cgroup parent cannot be changed", d);
        check_restart(p, f[U_RESTARTPOLICY], "Update.RestartPolicy", d);
}

/* --- network connect ------------------------------------------------------------------------- */

#define CONNECT_FIELDS(X) X(C_CONTAINER, "Container") X(C_ENDPOINTCONFIG, "EndpointConfig")
enum { CONNECT_FIELDS(FIELD_ENUM) C__MAX };
static const char *const connect_fields[C__MAX] = { CONNECT_FIELDS(FIELD_NAME) };
static const struct gostruct connect_struct = { "the connect body", connect_fields, C__MAX, true };

void eval_network_connect(const struct policy *p, const char *network, json_t *body, struct decision *d)
{
        json_t *f[C__MAX];
        char q[160];

        quote_value(network, 120, q, sizeof(q));
        if (p->network != NETWORK_BRIDGE || strcmp(network, "bridge") != 0)
                decision_add(d, RULE_NETWORK, "connecting a container to network %s is not allowed%s", q,
                             p->network == NETWORK_BRIDGE ? "; only the default bridge is" : " (the policy allows no network)");
        if (!body) {
                decision_add(d, RULE_SHAPE, "the connect request has no JSON body that the plugin can see; send it as application/json");
                return;
        }
        gojson_bind(body, &connect_struct, "the connect body", f, d);
        check_endpoint_settings(p, f[C_ENDPOINTCONFIG], "EndpointConfig", false, d);
}

/* --- volume create --------------------------------------------------------------------------- */

#define VOLUME_FIELDS(X) \
        X(V_NAME, "Name") X(V_DRIVER, "Driver") X(V_DRIVEROPTS, "DriverOpts") X(V_LABELS, "Labels") \
        X(V_CLUSTERVOLUMESPEC, "ClusterVolumeSpec")
enum { VOLUME_FIELDS(FIELD_ENUM) V__MAX };
static const char *const volume_fields[V__MAX] = { VOLUME_FIELDS(FIELD_NAME) };
static const struct gostruct volume_struct = { "the volume body", volume_fields, V__MAX, true };

void eval_volume_create(const struct policy *p, json_t *body, struct decision *d)
{
        json_t *f[V__MAX];
        const char *driver;
        char q[160];

        (void) p;
        if (!body) {
                decision_add(d, RULE_SHAPE, "the volume request has no JSON body that the plugin can see; send it as application/json");
                return;
        }
        gojson_bind(body, &volume_struct, "the volume body", f, d);
        if (go_string(f[V_DRIVER], "Volume.Driver", d, &driver) == 0 && driver[0] && strcmp(driver, "local") != 0) {
                quote_value(driver, 80, q, sizeof(q));
                decision_add(d, RULE_VOLUMES, "Volume.Driver is %s; only the local driver is allowed", q);
        }
        /* local + type=none,o=bind,device=/etc is a bind mount of any host path in disguise. */
        check_empty(f[V_DRIVEROPTS], "Volume.DriverOpts", RULE_VOLUMES, "remove the driver options, " FIX(VOLUME_OPT), d);
        check_empty(f[V_CLUSTERVOLUMESPEC], "Volume.ClusterVolumeSpec", RULE_SWARM, "cluster volumes are not allowed", d);
}

/* --- query-only endpoints -------------------------------------------------------------------- */

/* A parameter the rule reads must occur at most once: Go reads the first, a careless checker the last. */
static const char *query_once(const struct query *q, const char *key, struct decision *d)
{
        if (query_count(q, key) > 1) {
                decision_add(d, RULE_SHAPE, "the query repeats \"%s\"; send it once", key);
                return NULL;
        }
        return query_get(q, key);
}

/* strconv.ParseInt(v, 10, 64); dockerd reads an unparsable value as 0. */
static int64_t query_int64(const char *v)
{
        bool neg = v[0] == '-';
        uint64_t n = 0;
        size_t i = v[0] == '-' || v[0] == '+';

        if (!v[i])
                return 0;
        for (; v[i]; i++) {
                if (v[i] < '0' || v[i] > '9' || n > (UINT64_C(1) << 63) / 10)
                        return 0;
                n = n * 10 + (uint64_t) (v[i] - '0');
        }
        if (n > (uint64_t) INT64_MAX + neg)
                return 0;
        return neg ? (int64_t) (0 - n) : (int64_t) n;
}

static int64_t query_num(const struct query *q, const char *key, struct decision *d)
{
        const char *v = query_once(q, key, d);
        return v ? query_int64(v) : 0;
}

/* Each RUN step of a classic build is a container that dockerd makes itself, with the build's
 * network, cgroup and limits, as root, writable: none of the create rules applies to it. */
void eval_build(const struct policy *p, const struct query *q, struct decision *d)
{
        const char *v;
        char qv[160];

        if (!p->allow_builds) {
                decision_add(d, RULE_BUILD, "image builds are not allowed: each RUN step runs as root in a container outside every rule "
                             "(network, limits, read-only rootfs); build images elsewhere and docker load or docker import them");
                return;
        }
        v = query_once(q, "version", d);
        if (v && v[0] && strcmp(v, "1") != 0)
                decision_add(d, RULE_BUILDKIT, "version is not 1 (a BuildKit build); build with the classic builder (DOCKER_BUILDKIT=0)");
        v = query_once(q, "networkmode", d);
        if (!v || strcmp(v, "none") != 0) {
                quote_value(v ? v : "", 120, qv, sizeof(qv));
                decision_add(d, RULE_BUILD, "networkmode is %s (the default is the bridge); set " FIX(BUILD_NETWORK) " to none", qv);
        }
        int64_t memory = query_num(q, "memory", d), swap = query_num(q, "memswap", d);
        int64_t quota = query_num(q, "cpuquota", d), period = query_num(q, "cpuperiod", d);
        check_memory(p, memory, swap, LIMITS_BUILD, d);
        check_cpu(p, 0, quota, period, LIMITS_BUILD, d);
        int64_t shm = query_num(q, "shmsize", d);
        if (shm < 0 || shm > p->memory_limit)
                decision_add(d, RULE_BUILD, "shmsize is %" PRId64 ", over the memory limit; lower " FIX(BUILD_SHM_SIZE), shm);
        static const char *const forbidden[] = { "remote", "cgroupparent", "outputs", "ulimits", "isolation" };
        for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
                v = query_once(q, forbidden[i], d);
                if (i == 3 && v && (strcmp(v, "[]") == 0 || strcmp(v, "null") == 0))
                        continue;   /* what the CLI sends without --ulimit */
                if (v && v[0] && i == 0)   /* a remote URL may hold user:token@: never quoted */
                        decision_add(d, RULE_BUILD, "remote is set (a build context URL); remove it");
                else if (v && v[0]) {
                        quote_value(v, 120, qv, sizeof(qv));
                        decision_add(d, RULE_BUILD, "%s is %s; remove it", forbidden[i], qv);
                }
        }
}

/* --- archive upload -------------------------------------------------------------------------- */

#ifndef ST_NODEV
#define ST_NODEV 4   /* glibc declares it only under _GNU_SOURCE; the kernel's value */
#endif

void eval_archive_put(const struct policy *p, struct decision *d)
{
        struct statvfs sv;
        char q[PATH_MAX + 16];

        quote_value(p->artifacts_dir, 200, q, sizeof(q));
        if (statvfs(p->artifacts_dir, &sv) < 0)
                decision_add(d, RULE_ARCHIVE, "archive uploads (docker cp into a container, put_archive) are not allowed: the artifacts "
                             "root %s cannot be checked (%s); docker cp out of the container still works", q, strerror(errno));
        else if (!(sv.f_flag & ST_NOSUID) || !(sv.f_flag & ST_NODEV))
                decision_add(d, RULE_ARCHIVE, "archive uploads (docker cp into a container, put_archive) are not allowed: dockerd "
                             "extracts them as root, and the artifacts root %s is not on a nosuid,nodev mount, so a setuid-root "
                             "file or a device node copied in would work on the host; the host admin must mount it nosuid,nodev "
                             "(docker cp out of the container still works)", q);
        if (!p->no_new_privileges && (!p->readonly_rootfs || p->n_tmpfs_targets > 0))
                decision_add(d, RULE_ARCHIVE, "archive uploads are not allowed while the policy allows a writable root filesystem or "
                             "tmpfs without no-new-privileges: a setuid-root file copied in would make the job root in its "
                             "container; set no_new_privileges (or upload nothing)");
}

/* --- network create -------------------------------------------------------------------------- */

#define NETCREATE_FIELDS(X) \
        X(NW_NAME, "Name") X(NW_CHECKDUPLICATE, "CheckDuplicate") X(NW_DRIVER, "Driver") X(NW_SCOPE, "Scope") \
        X(NW_ENABLEIPV4, "EnableIPv4") X(NW_ENABLEIPV6, "EnableIPv6") X(NW_IPAM, "IPAM") X(NW_INTERNAL, "Internal") \
        X(NW_ATTACHABLE, "Attachable") X(NW_INGRESS, "Ingress") X(NW_CONFIGONLY, "ConfigOnly") \
        X(NW_CONFIGFROM, "ConfigFrom") X(NW_OPTIONS, "Options") X(NW_LABELS, "Labels")
enum { NETCREATE_FIELDS(FIELD_ENUM) NW__MAX };
static const char *const netcreate_fields[NW__MAX] = { NETCREATE_FIELDS(FIELD_NAME) };
static const struct gostruct netcreate_struct = { "the network body", netcreate_fields, NW__MAX, true };

#define IPAM_FIELDS(X) X(IP_DRIVER, "Driver") X(IP_CONFIG, "Config") X(IP_OPTIONS, "Options")
enum { IPAM_FIELDS(FIELD_ENUM) IP__MAX };
static const char *const ipam_fields[IP__MAX] = { IPAM_FIELDS(FIELD_NAME) };
static const struct gostruct ipam_struct = { "IPAM", ipam_fields, IP__MAX, true };

/* A user network makes a host bridge, addresses and routes, and no container may join one (create
 * and connect allow only none and the default bridge): under "none" there is nothing to create it
 * for; under "bridge" a plain one is allowed (compose makes a project network by default). */
void eval_network_create(const struct policy *p, json_t *body, struct decision *d)
{
        json_t *f[NW__MAX], *ipam[IP__MAX];
        const char *driver, *scope, *ipam_driver;
        bool ipv6, ingress, config_only, attachable;
        char q[160];

        if (p->network != NETWORK_BRIDGE) {
                decision_add(d, RULE_NETWORK, "creating networks is not allowed: the policy allows only " FIX(NETWORK) " none, so no container may join one");
                return;
        }
        if (!body) {
                decision_add(d, RULE_SHAPE, "the network request has no JSON body that the plugin can see; send it as application/json");
                return;
        }
        gojson_bind(body, &netcreate_struct, "the network body", f, d);
        if (go_string(f[NW_DRIVER], "Network.Driver", d, &driver) == 0 && driver[0] && strcmp(driver, "bridge") != 0) {
                quote_value(driver, 80, q, sizeof(q));
                decision_add(d, RULE_NETWORK, "Network.Driver is %s; only the bridge driver is allowed", q);
        }
        if (go_string(f[NW_SCOPE], "Network.Scope", d, &scope) == 0 && scope[0] && strcmp(scope, "local") != 0)
                decision_add(d, RULE_NETWORK, "Network.Scope is not local; remove " FIX(NETWORK_SCOPE));
        check_empty(f[NW_OPTIONS], "Network.Options", RULE_NETWORK, "remove " FIX(NETWORK_OPT) ": they set host interface and firewall settings", d);
        check_empty(f[NW_CONFIGFROM], "Network.ConfigFrom", RULE_NETWORK, "remove " FIX(NETWORK_CONFIG_FROM), d);
        go_bool(f[NW_ENABLEIPV6], "Network.EnableIPv6", d, &ipv6);
        go_bool(f[NW_INGRESS], "Network.Ingress", d, &ingress);
        go_bool(f[NW_CONFIGONLY], "Network.ConfigOnly", d, &config_only);
        go_bool(f[NW_ATTACHABLE], "Network.Attachable", d, &attachable);
        if (ipv6)
                decision_add(d, RULE_NETWORK, "Network.EnableIPv6 is true; remove " FIX(NETWORK_IPV6));
        if (ingress || config_only || attachable)
                decision_add(d, RULE_NETWORK, "Network.Ingress, ConfigOnly or Attachable is true (swarm and config-only networks); remove it");
        if (gojson_bind(f[NW_IPAM], &ipam_struct, "Network.IPAM", ipam, d) == 0) {
                if (go_string(ipam[IP_DRIVER], "Network.IPAM.Driver", d, &ipam_driver) == 0 && ipam_driver[0] &&
                    strcmp(ipam_driver, "default") != 0)
                        decision_add(d, RULE_NETWORK, "Network.IPAM.Driver is not default; remove " FIX(NETWORK_IPAM_DRIVER));
                check_empty(ipam[IP_CONFIG], "Network.IPAM.Config", RULE_NETWORK,
                            "remove " FIX(NETWORK_IPAM_POOL) ": the daemon's address pools choose", d);
                check_empty(ipam[IP_OPTIONS], "Network.IPAM.Options", RULE_NETWORK, "remove " FIX(NETWORK_IPAM_OPT), d);
        }
}

void eval_container_start(const struct policy *p, const struct query *q, struct decision *d)
{
        (void) p;
        static const char *const forbidden[] = { "checkpoint", "checkpoint-dir" };
        for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
                const char *v = query_once(q, forbidden[i], d);
                if (v && v[0])
                        decision_add(d, RULE_CHECKPOINT, "start restores from a checkpoint (%s); start without --checkpoint",
                                     forbidden[i]);
        }
}
