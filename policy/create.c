/* POST /containers/create: every rule of the hardening policy over the body dockerd will decode.
 *
 * The body is read through Go-compatible struct views (gojson.h): the top level is container.Config
 * plus HostConfig and NetworkingConfig; anything else at the top level is denied, because daemons
 * before 27.0 honour HostConfig fields there too.  Unknown HostConfig keys are denied: a field added
 * by a future Engine version could weaken isolation without us knowing. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/gojson.h"
#include "policy/paths.h"
#include "policy/checks.h"
#include "policy/units.h"


/* container.Config fields, plus the wrapper's HostConfig and NetworkingConfig. */
#define TOP_FIELDS(X) \
        X(T_HOSTNAME, "Hostname") X(T_DOMAINNAME, "Domainname") X(T_USER, "User") \
        X(T_ATTACHSTDIN, "AttachStdin") X(T_ATTACHSTDOUT, "AttachStdout") X(T_ATTACHSTDERR, "AttachStderr") \
        X(T_EXPOSEDPORTS, "ExposedPorts") X(T_TTY, "Tty") X(T_OPENSTDIN, "OpenStdin") X(T_STDINONCE, "StdinOnce") \
        X(T_ENV, "Env") X(T_CMD, "Cmd") X(T_HEALTHCHECK, "Healthcheck") X(T_ARGSESCAPED, "ArgsEscaped") \
        X(T_IMAGE, "Image") X(T_VOLUMES, "Volumes") X(T_WORKINGDIR, "WorkingDir") X(T_ENTRYPOINT, "Entrypoint") \
        X(T_NETWORKDISABLED, "NetworkDisabled") X(T_MACADDRESS, "MacAddress") X(T_ONBUILD, "OnBuild") \
        X(T_LABELS, "Labels") X(T_STOPSIGNAL, "StopSignal") X(T_STOPTIMEOUT, "StopTimeout") X(T_SHELL, "Shell") \
        X(T_HOSTCONFIG, "HostConfig") X(T_NETWORKINGCONFIG, "NetworkingConfig")
enum { TOP_FIELDS(FIELD_ENUM) T__MAX };
static const char *const top_fields[T__MAX] = { TOP_FIELDS(FIELD_NAME) };
static const struct gostruct top_struct = { "Config", top_fields, T__MAX, true };

/* container.HostConfig, with the embedded Resources promoted (API v1.41 to current). */
#define HC_FIELDS(X) \
        X(H_BINDS, "Binds") X(H_CONTAINERIDFILE, "ContainerIDFile") X(H_LOGCONFIG, "LogConfig") \
        X(H_NETWORKMODE, "NetworkMode") X(H_PORTBINDINGS, "PortBindings") X(H_RESTARTPOLICY, "RestartPolicy") \
        X(H_AUTOREMOVE, "AutoRemove") X(H_VOLUMEDRIVER, "VolumeDriver") X(H_VOLUMESFROM, "VolumesFrom") \
        X(H_CONSOLESIZE, "ConsoleSize") X(H_ANNOTATIONS, "Annotations") X(H_CAPADD, "CapAdd") \
        X(H_CAPDROP, "CapDrop") X(H_CGROUPNSMODE, "CgroupnsMode") X(H_DNS, "Dns") X(H_DNSOPTIONS, "DnsOptions") \
        X(H_DNSSEARCH, "DnsSearch") X(H_EXTRAHOSTS, "ExtraHosts") X(H_GROUPADD, "GroupAdd") X(H_IPCMODE, "IpcMode") \
        X(H_CGROUP, "Cgroup") X(H_LINKS, "Links") X(H_OOMSCOREADJ, "OomScoreAdj") X(H_PIDMODE, "PidMode") \
        X(H_PRIVILEGED, "Privileged") X(H_PUBLISHALLPORTS, "PublishAllPorts") X(H_READONLYROOTFS, "ReadonlyRootfs") \
        X(H_SECURITYOPT, "SecurityOpt") X(H_STORAGEOPT, "StorageOpt") X(H_TMPFS, "Tmpfs") X(H_UTSMODE, "UTSMode") \
        X(H_USERNSMODE, "UsernsMode") X(H_SHMSIZE, "ShmSize") X(H_SYSCTLS, "Sysctls") X(H_RUNTIME, "Runtime") \
        X(H_ISOLATION, "Isolation") \
        RESOURCES_FIELDS(X, H_) \
        X(H_MOUNTS, "Mounts") X(H_MASKEDPATHS, "MaskedPaths") X(H_READONLYPATHS, "ReadonlyPaths") X(H_INIT, "Init")
enum { HC_FIELDS(FIELD_ENUM) H__MAX };
static const char *const hc_fields[H__MAX] = { HC_FIELDS(FIELD_NAME) };
static const struct gostruct hc_struct = { "HostConfig", hc_fields, H__MAX, true };

#define NC_FIELDS(X) X(N_ENDPOINTSCONFIG, "EndpointsConfig")
enum { NC_FIELDS(FIELD_ENUM) N__MAX };
static const char *const nc_fields[N__MAX] = { NC_FIELDS(FIELD_NAME) };
/* Loose: docker-py's run(network=NAME) sends {"NAME": null} here beside HostConfig.NetworkMode, and
 * dockerd ignores every key but EndpointsConfig (duplicates are still refused). */
static const struct gostruct nc_struct = { "NetworkingConfig", nc_fields, N__MAX, false };

/* mount.Mount and its option structs. */
#define MOUNT_FIELDS(X) \
        X(M_TYPE, "Type") X(M_SOURCE, "Source") X(M_TARGET, "Target") X(M_READONLY, "ReadOnly") \
        X(M_CONSISTENCY, "Consistency") X(M_BINDOPTIONS, "BindOptions") X(M_VOLUMEOPTIONS, "VolumeOptions") \
        X(M_IMAGEOPTIONS, "ImageOptions") X(M_TMPFSOPTIONS, "TmpfsOptions") X(M_CLUSTEROPTIONS, "ClusterOptions")
enum { MOUNT_FIELDS(FIELD_ENUM) M__MAX };
static const char *const mount_fields[M__MAX] = { MOUNT_FIELDS(FIELD_NAME) };
static const struct gostruct mount_struct = { "Mounts[]", mount_fields, M__MAX, true };

#define BINDOPT_FIELDS(X) \
        X(B_PROPAGATION, "Propagation") X(B_NONRECURSIVE, "NonRecursive") X(B_CREATEMOUNTPOINT, "CreateMountpoint") \
        X(B_READONLYNONRECURSIVE, "ReadOnlyNonRecursive") X(B_READONLYFORCERECURSIVE, "ReadOnlyForceRecursive")
enum { BINDOPT_FIELDS(FIELD_ENUM) B__MAX };
static const char *const bindopt_fields[B__MAX] = { BINDOPT_FIELDS(FIELD_NAME) };
static const struct gostruct bindopt_struct = { "BindOptions", bindopt_fields, B__MAX, true };


enum mount_slot { SLOT_WORKSPACE, SLOT_ARTIFACTS, SLOT__MAX };

/* What one create request mounts, counted across Binds and Mounts. */
struct mount_count {
        unsigned at[SLOT__MAX];
};

static const char *slot_target[SLOT__MAX] = { "/workspace", "/artifacts" };

static const char *slot_root(const struct policy *p, enum mount_slot s)
{
        return s == SLOT_WORKSPACE ? p->repos_dir : p->artifacts_dir;
}

/* Which allowed slot a container path names after cleaning, or -1. */
static int target_slot(const char *target)
{
        char clean[PATH_MAX];
        if (target[0] != '/' || path_clean(target, clean, sizeof(clean)) < 0)
                return -1;
        for (int s = 0; s < SLOT__MAX; s++)
                if (strcmp(clean, slot_target[s]) == 0)
                        return s;
        return -1;
}

static bool tmpfs_target_allowed(const struct policy *p, const char *target)
{
        char clean[PATH_MAX];
        if (target[0] != '/' || path_has_dotdot(target) || path_clean(target, clean, sizeof(clean)) < 0)
                return false;
        for (size_t i = 0; i < p->n_tmpfs_targets; i++)
                if (strcmp(clean, p->tmpfs_targets[i]) == 0)
                        return true;
        return false;
}

/* dockerd's default propagation, spelled out: a mount of the job's never reaches the host. */
static bool private_propagation(const char *s)
{
        return strcmp(s, "private") == 0 || strcmp(s, "rprivate") == 0;
}

/* One bind of `src` at slot `s`: the source must be inside its root, /workspace read-only.  `spec`:
 * a HostConfig.Binds entry (-v), else a Mounts one (--mount). */
static void check_bind(const struct policy *p, const char *field, const char *src, int s, bool readonly,
                       bool spec, struct mount_count *mc, struct decision *d)
{
        char why[PATH_MAX + 128], q[128];
        quote_value(src, 100, q, sizeof(q));

        if (++mc->at[s] == 2)
                decision_add(d, RULE_MOUNTS, "%s mounts %s a second time; mount it once", field, slot_target[s]);
        if (path_check_source(src, slot_root(p, s), why, sizeof(why)) < 0)
                decision_add(d, RULE_MOUNTS, "%s source %s %s; bind a directory under %s at %s with %s",
                             field, q, why, slot_root(p, s), slot_target[s], spec ? FIX(VOLUME) : FIX(MOUNT));
        if (s == SLOT_WORKSPACE && !readonly)
                decision_add(d, RULE_MOUNTS, "%s mounts /workspace read-write; add %s", field,
                             spec ? FIX(VOLUME_RO) : FIX(MOUNT_READONLY));
}

/* HostConfig.Binds entries, split as dockerd's Linux parser does: "src:dst[:mode]". */
static void check_bind_spec(const struct policy *p, const char *spec, size_t idx, struct mount_count *mc,
                            struct decision *d)
{
        char field[64], q[160];
        const char *parts[4];
        size_t lens[4], n = 0;
        const char *s = spec;

        snprintf(field, sizeof(field), "HostConfig.Binds[%zu]", idx);
        quote_value(spec, 120, q, sizeof(q));

        /* strings.SplitN(spec, ":", 4) */
        while (n < 3) {
                const char *c = strchr(s, ':');
                if (!c)
                        break;
                parts[n] = s;
                lens[n++] = (size_t) (c - s);
                s = c + 1;
        }
        parts[n] = s;
        lens[n++] = strlen(s);

        if (n == 1) {
                decision_add(d, RULE_MOUNTS, "%s is %s, an anonymous volume; in " FIX(VOLUME) " only binds at /workspace and /artifacts are allowed", field, q);
                return;
        }
        if (n == 4 || lens[0] == 0) {
                decision_add(d, RULE_MOUNTS, "%s is %s, not a valid bind; give " FIX(VOLUME) " SRC:/workspace:ro or SRC:/artifacts", field, q);
                return;
        }
        if (parts[0][0] != '/') {
                decision_add(d, RULE_MOUNTS, "%s is %s, a named volume; in " FIX(VOLUME) " only binds of host directories are allowed", field, q);
                return;
        }

        char src[PATH_MAX], dst[PATH_MAX], mode[256];
        if (lens[0] >= sizeof(src) || lens[1] >= sizeof(dst) || (n == 3 && lens[2] >= sizeof(mode))) {
                decision_add(d, RULE_MOUNTS, "%s is too long", field);
                return;
        }
        memcpy(src, parts[0], lens[0]);
        src[lens[0]] = '\0';
        memcpy(dst, parts[1], lens[1]);
        dst[lens[1]] = '\0';
        mode[0] = '\0';
        if (n == 3) {
                memcpy(mode, parts[2], lens[2]);
                mode[lens[2]] = '\0';
        }

        int slot = target_slot(dst);
        if (slot < 0) {
                decision_add(d, RULE_MOUNTS, "%s is %s; in " FIX(VOLUME) " binds are allowed only at /workspace (read-only) and /artifacts", field, q);
                return;
        }

        /* Mode: only ro/rw.  Propagation, SELinux relabel (z/Z, which relabels the host directory)
         * and nocopy are denied. */
        bool ro = false, bad = n == 3 && mode[0] == '\0';
        for (char *tok = mode, *end; n == 3 && tok; tok = end) {
                end = strchr(tok, ',');
                if (end)
                        *end++ = '\0';
                if (strcmp(tok, "ro") == 0)
                        ro = true;
                else if (strcmp(tok, "rw") != 0 && !private_propagation(tok))
                        bad = true;
        }
        if (bad)
                decision_add(d, RULE_MOUNTS, "%s is %s; remove every option but ro, rw and private/rprivate (the default) from " FIX(VOLUME) ": no shared or slave propagation, z/Z relabel or nocopy",
                             field, q);
        check_bind(p, field, src, slot, ro, true, mc, d);
}

static void check_mount_object(const struct policy *p, json_t *m, size_t idx, struct mount_count *mc,
                               struct decision *d)
{
        json_t *f[M__MAX], *b[B__MAX];
        char field[64], sub[96], q[160];
        const char *type, *src, *target;
        bool ro;

        snprintf(field, sizeof(field), "HostConfig.Mounts[%zu]", idx);
        if (gojson_bind(m, &mount_struct, field, f, d) < 0)
                return;
        snprintf(sub, sizeof(sub), "%s.Type", field);
        go_string(f[M_TYPE], sub, d, &type);
        snprintf(sub, sizeof(sub), "%s.Source", field);
        go_string(f[M_SOURCE], sub, d, &src);
        snprintf(sub, sizeof(sub), "%s.Target", field);
        go_string(f[M_TARGET], sub, d, &target);
        snprintf(sub, sizeof(sub), "%s.ReadOnly", field);
        go_bool(f[M_READONLY], sub, d, &ro);

        if (strcmp(type, "tmpfs") == 0) {
                quote_value(target, 120, q, sizeof(q));
                if (!tmpfs_target_allowed(p, target))
                        decision_add(d, RULE_MOUNTS, "%s is a tmpfs at %s, which the policy does not allow; remove it from " FIX(MOUNT) ", or have the admin add the target to the policy's tmpfs_targets",
                                     field, q);
                else
                        check_tmpfs_mount(p, f[M_TMPFSOPTIONS], field, d);
                if (src[0])
                        decision_add(d, RULE_MOUNTS, "%s is a tmpfs with a Source; remove it", field);
        } else if (strcmp(type, "bind") == 0) {
                snprintf(sub, sizeof(sub), "%s.BindOptions", field);
                if (gojson_bind(f[M_BINDOPTIONS], &bindopt_struct, sub, b, d) == 0) {
                        const char *prop;
                        bool crt, ronr;
                        go_string(b[B_PROPAGATION], sub, d, &prop);
                        go_bool(b[B_CREATEMOUNTPOINT], sub, d, &crt);
                        go_bool(b[B_READONLYNONRECURSIVE], sub, d, &ronr);
                        if (prop[0] && !private_propagation(prop)) {
                                quote_value(prop, 40, q, sizeof(q));
                                decision_add(d, RULE_MOUNTS, "%s.Propagation is %s, but only private or rprivate (the default) is allowed; remove " FIX(MOUNT_PROPAGATION),
                                             sub, q);
                        }
                        if (crt)
                                decision_add(d, RULE_MOUNTS, "%s.CreateMountpoint is true; remove it", sub);
                        if (ronr)
                                decision_add(d, RULE_MOUNTS, "%s.ReadOnlyNonRecursive is true; remove it", sub);
                }
                int slot = target_slot(target);
                quote_value(target, 120, q, sizeof(q));
                if (slot < 0)
                        decision_add(d, RULE_MOUNTS, "%s binds at %s; in " FIX(MOUNT) " binds are allowed only at /workspace (read-only) and /artifacts",
                                     field, q);
                else
                        check_bind(p, field, src, slot, ro, false, mc, d);
        } else {
                quote_value(type, 40, q, sizeof(q));
                decision_add(d, RULE_MOUNTS, "%s has Type %s; in " FIX(MOUNT) " only bind mounts at /workspace and /artifacts are allowed", field, q);
        }
        snprintf(sub, sizeof(sub), "%s.VolumeOptions", field);
        check_empty(f[M_VOLUMEOPTIONS], sub, RULE_MOUNTS, "volume options are not allowed", d);
        snprintf(sub, sizeof(sub), "%s.ImageOptions", field);
        check_empty(f[M_IMAGEOPTIONS], sub, RULE_MOUNTS, "image mounts are not allowed", d);
        snprintf(sub, sizeof(sub), "%s.ClusterOptions", field);
        check_empty(f[M_CLUSTEROPTIONS], sub, RULE_MOUNTS, "cluster volumes are not allowed", d);
        if (strcmp(type, "tmpfs") != 0) {
                snprintf(sub, sizeof(sub), "%s.TmpfsOptions", field);
                check_empty(f[M_TMPFSOPTIONS], sub, RULE_MOUNTS, "remove it", d);
        }
}

static void check_mounts(const struct policy *p, json_t *const *top, json_t *const *hc, struct decision *d)
{
        struct mount_count mc = { 0 };
        json_t *arr, *v, *vol;
        const char *s, *key;
        size_t i;

        if (go_array(hc[H_BINDS], "HostConfig.Binds", d, &arr) == 0 && arr)
                json_array_foreach(arr, i, v) {
                        char path[48];
                        snprintf(path, sizeof(path), "HostConfig.Binds[%zu]", i);
                        if (go_string(v, path, d, &s) == 0)
                                check_bind_spec(p, s, i, &mc, d);
                }
        if (go_array(hc[H_MOUNTS], "HostConfig.Mounts", d, &arr) == 0 && arr)
                json_array_foreach(arr, i, v)
                        check_mount_object(p, v, i, &mc, d);

        if (go_object(top[T_VOLUMES], "Config.Volumes", d, &vol) == 0 && vol)
                json_object_foreach(vol, key, v) {
                        char q[160];
                        /* docker-py and compose v1 name their bind targets here too; dockerd skips
                         * a volume whose cleaned destination is already mounted. */
                        int slot = target_slot(key);
                        if (slot >= 0 && mc.at[slot] > 0)
                                continue;
                        quote_value(key, 120, q, sizeof(q));
                        decision_add(d, RULE_MOUNTS, "Config.Volumes has %s, an anonymous volume (the image's VOLUME, or " FIX(VOLUME) " without a source); remove it",
                                     q);
                }
        check_empty(hc[H_VOLUMESFROM], "HostConfig.VolumesFrom", RULE_MOUNTS, "remove " FIX(VOLUMES_FROM), d);
        check_empty(hc[H_VOLUMEDRIVER], "HostConfig.VolumeDriver", RULE_MOUNTS, "remove " FIX(VOLUME_DRIVER), d);

        json_t *tmpfs;
        if (go_object(hc[H_TMPFS], "HostConfig.Tmpfs", d, &tmpfs) == 0 && tmpfs)
                json_object_foreach(tmpfs, key, v) {
                        char q[160];
                        quote_value(key, 120, q, sizeof(q));
                        if (!tmpfs_target_allowed(p, key))
                                decision_add(d, RULE_MOUNTS, "HostConfig.Tmpfs mounts a tmpfs at %s, which the policy does not allow; remove it from " FIX(TMPFS) ", or have the admin add the target to the policy's tmpfs_targets",
                                             q);
                        if (!json_is_string(v))
                                decision_add(d, RULE_SHAPE, "HostConfig.Tmpfs[%s] is not a string; send the tmpfs options as a string (\"size=64m\")",
                                             q);
                        else if (tmpfs_target_allowed(p, key)) {
                                char field[192];
                                snprintf(field, sizeof(field), "HostConfig.Tmpfs[%s]", q);
                                check_tmpfs_data(p, json_string_value(v), field, d);
                        }
                }
}

/* Bridge containers: the resolver, host entries, MAC and links follow the policy.  With an
 * allowlist, a resolver or a host entry of the client's choosing would route around it. */
static void check_network_settings(const struct policy *p, json_t *const *top, json_t *const *hc,
                                   bool view, struct decision *d)
{
        static const char fix[] = "the policy's allow_network_settings allows it";
        char how[256];

        if (p->network != NETWORK_BRIDGE)
                return;
        if (!p->allow_network_settings || p->n_domains) {
                const char *why = p->allow_network_settings ? "it would route around allowlist_domains" : fix;
                snprintf(how, sizeof(how), "remove " FIX(DNS) "; %s", why);
                check_empty(hc[H_DNS], "HostConfig.Dns", RULE_NETWORK, how, d);
                snprintf(how, sizeof(how), "remove " FIX(ADD_HOST) "; %s", why);
                check_empty(hc[H_EXTRAHOSTS], "HostConfig.ExtraHosts", RULE_NETWORK, how, d);
        }
        if (p->allow_network_settings)
                return;
        snprintf(how, sizeof(how), "remove " FIX(DNS_SEARCH) "; %s", fix);
        check_empty(hc[H_DNSSEARCH], "HostConfig.DnsSearch", RULE_NETWORK, how, d);
        snprintf(how, sizeof(how), "remove " FIX(DNS_OPTION) "; %s", fix);
        check_empty(hc[H_DNSOPTIONS], "HostConfig.DnsOptions", RULE_NETWORK, how, d);
        snprintf(how, sizeof(how), "remove " FIX(LINK) "; %s", fix);
        check_empty(hc[H_LINKS], "HostConfig.Links", RULE_NETWORK, how, d);
        snprintf(how, sizeof(how), "remove " FIX(MAC_ADDRESS) "; %s", fix);
        if (!view)
                check_empty(top[T_MACADDRESS], "Config.MacAddress", RULE_NETWORK, how, d);
}

static void check_network(const struct policy *p, json_t *const *top, json_t *const *hc, bool view,
                          struct decision *d)
{
        const char *mode;
        char q[160];
        bool publish_all;

        go_string(hc[H_NETWORKMODE], "HostConfig.NetworkMode", d, &mode);
        quote_value(mode, 120, q, sizeof(q));
        bool ok = strcmp(mode, "none") == 0 ||
                  (p->network == NETWORK_BRIDGE &&
                   (strcmp(mode, "bridge") == 0 || strcmp(mode, "default") == 0 || mode[0] == '\0'));
        if (!ok)
                decision_add(d, RULE_NETWORK, "HostConfig.NetworkMode is %s; set " FIX(NETWORK) " to none%s", q,
                             p->network == NETWORK_BRIDGE ? " or bridge" : "");

        json_t *ports;
        if (go_object(hc[H_PORTBINDINGS], "HostConfig.PortBindings", d, &ports) == 0 && go_len(ports))
                decision_add(d, RULE_NETWORK, "HostConfig.PortBindings publishes %zu port(s); remove " FIX(PUBLISH), go_len(ports));
        go_bool(hc[H_PUBLISHALLPORTS], "HostConfig.PublishAllPorts", d, &publish_all);
        if (publish_all)
                decision_add(d, RULE_NETWORK, "HostConfig.PublishAllPorts is true; remove " FIX(PUBLISH_ALL));

        json_t *nc[N__MAX], *eps, *v;
        const char *key;
        if (gojson_bind(top[T_NETWORKINGCONFIG], &nc_struct, "NetworkingConfig", nc, d) < 0)
                return;
        if (go_object(nc[N_ENDPOINTSCONFIG], "NetworkingConfig.EndpointsConfig", d, &eps) < 0 || !eps)
                return;
        json_object_foreach(eps, key, v) {
                char path[256], qk[72];   /* in the path of the endpoint's own messages too */
                quote_value(key, 60, qk, sizeof(qk));
                bool allowed = strcmp(key, "none") == 0 ||
                               (p->network == NETWORK_BRIDGE && (strcmp(key, "bridge") == 0 || strcmp(key, "default") == 0));
                if (!allowed)
                        decision_add(d, RULE_NETWORK, "NetworkingConfig.EndpointsConfig connects to network %s; set " FIX(NETWORK) " to none%s",
                                     qk, p->network == NETWORK_BRIDGE ? " or bridge" : "");
                snprintf(path, sizeof(path), "NetworkingConfig.EndpointsConfig[%s]", qk);
                check_endpoint_settings(p, v, path, view, d);
        }
}

/* The paths dockerd masks or makes read-only by default (moby oci/defaults.go): in the daemon's own
 * view of a container these lists are filled in, and must still contain every default. */
static const char *const default_masked[] = {
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", NULL
};
static const char *const default_readonly[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL
};

static void check_path_list(json_t *v, const char *path, const char *const *defaults, bool view,
                            struct decision *d)
{
        json_t *arr, *e;
        size_t i;

        if (!view) {
                /* [] (not null) unmasks every path: only absent or null keeps the defaults. */
                if (v && !json_is_null(v))
                        decision_add(d, RULE_PRIVILEGES, "%s is set (it replaces the default list); remove it (" FIX_CLI(SECURITY_OPT) " systempaths=unconfined sets it)", path);
                return;
        }
        if (go_array(v, path, d, &arr) < 0)
                return;
        for (const char *const *want = defaults; *want; want++) {
                bool found = false;
                json_array_foreach(arr, i, e)
                        if (json_is_string(e) && strcmp(json_string_value(e), *want) == 0)
                                found = true;
                if (!found)
                        decision_add(d, RULE_PRIVILEGES, "%s lacks the default %s (the container runs unmasked); create it without " FIX(PRIVILEGED) " and " FIX_CLI(SECURITY_OPT) " systempaths=unconfined",
                                     path, *want);
        }
}

static void check_privileges(const struct policy *p, json_t *const *hc, bool view, struct decision *d)
{
        bool privileged;
        json_t *arr, *v;
        size_t i;
        const char *s;
        char q[160];

        go_bool(hc[H_PRIVILEGED], "HostConfig.Privileged", d, &privileged);
        if (privileged)
                decision_add(d, RULE_PRIVILEGED, "HostConfig.Privileged is true; remove " FIX(PRIVILEGED));

        if (go_array(hc[H_CAPADD], "HostConfig.CapAdd", d, &arr) == 0 && arr)
                json_array_foreach(arr, i, v) {
                        char cap[64];
                        bool allowed = false;
                        if (go_string(v, "HostConfig.CapAdd[]", d, &s) < 0)
                                continue;
                        cap_normalise(s, cap, sizeof(cap));
                        for (size_t k = 0; k < p->n_cap_add && strcmp(cap, "ALL") != 0; k++)
                                if (strcmp(cap, p->cap_add[k]) == 0)
                                        allowed = true;
                        quote_value(s, 60, q, sizeof(q));
                        if (!allowed)
                                decision_add(d, RULE_PRIVILEGES, "HostConfig.CapAdd adds %s; remove it from " FIX(CAP_ADD), q);
                }

        bool nnp = false;
        if (go_array(hc[H_SECURITYOPT], "HostConfig.SecurityOpt", d, &arr) == 0 && arr)
                json_array_foreach(arr, i, v) {
                        if (go_string(v, "HostConfig.SecurityOpt[]", d, &s) < 0)
                                continue;
                        if (strcmp(s, "no-new-privileges") == 0 || strcmp(s, "no-new-privileges=true") == 0 ||
                            strcmp(s, "no-new-privileges:true") == 0) {
                                nnp = true;
                                continue;
                        }
                        quote_value(s, 120, q, sizeof(q));
                        decision_add(d, RULE_PRIVILEGES, "HostConfig.SecurityOpt has %s, but only no-new-privileges is allowed; remove it from " FIX(SECURITY_OPT),
                                     q);
                }

        /* Without it a setuid-root binary in the image (or copied in) makes the job root again. */
        if (p->no_new_privileges && !nnp)
                decision_add(d, RULE_PRIVILEGES, "HostConfig.SecurityOpt lacks no-new-privileges (a setuid binary in the image would make the job root); "
                             "add no-new-privileges to " FIX(SECURITY_OPT));

        check_path_list(hc[H_MASKEDPATHS], "HostConfig.MaskedPaths", default_masked, view, d);
        check_path_list(hc[H_READONLYPATHS], "HostConfig.ReadonlyPaths", default_readonly, view, d);

        if (go_array(hc[H_GROUPADD], "HostConfig.GroupAdd", d, &arr) == 0 && arr)
                json_array_foreach(arr, i, v) {
                        uint64_t gid;
                        if (go_string(v, "HostConfig.GroupAdd[]", d, &s) < 0)
                                continue;
                        if (!parse_canonical_id(s, strlen(s), INT32_MAX, &gid) || gid == 0) {
                                quote_value(s, 60, q, sizeof(q));
                                decision_add(d, RULE_USER, "HostConfig.GroupAdd has %s; give " FIX(GROUP_ADD) " only numeric groups >= 1 (no root group, no names)",
                                             q);
                        }
                }
}

static void check_mode(json_t *v, const char *path, const char *flag, const char *const *allowed,
                       struct decision *d)
{
        const char *s;
        char q[160];
        if (go_string(v, path, d, &s) < 0)
                return;
        for (; *allowed; allowed++)
                if (strcmp(s, *allowed) == 0)
                        return;
        quote_value(s, 120, q, sizeof(q));
        decision_add(d, RULE_NAMESPACES, "%s is %s, but the container must have its own namespace; remove %s", path, q, flag);
}

static void check_namespaces(json_t *const *hc, bool view, struct decision *d)
{
        static const char *const empty[] = { "", NULL };
        static const char *const ipc_request[] = { "", "private", "none", NULL };
        static const char *const cgroupns_request[] = { "", "private", NULL };
        /* The daemon's view shows its defaults for "": default-ipc-mode "shareable" (a namespace of
         * the container's own that others may join, which create denies them), and on cgroup v1
         * default-cgroupns-mode "host". */
        static const char *const ipc_view[] = { "", "private", "none", "shareable", NULL };
        static const char *const cgroupns_view[] = { "", "private", "host", NULL };
        const char *const *ipc = view ? ipc_view : ipc_request;
        const char *const *cgroupns = view ? cgroupns_view : cgroupns_request;

        check_mode(hc[H_PIDMODE], "HostConfig.PidMode", FIX(PID), empty, d);
        check_mode(hc[H_UTSMODE], "HostConfig.UTSMode", FIX(UTS), empty, d);
        check_mode(hc[H_USERNSMODE], "HostConfig.UsernsMode", FIX(USERNS), empty, d);
        check_mode(hc[H_IPCMODE], "HostConfig.IpcMode", FIX(IPC), ipc, d);
        check_mode(hc[H_CGROUPNSMODE], "HostConfig.CgroupnsMode", FIX(CGROUPNS), cgroupns, d);
        /* No client flag sets it (it joins another container's cgroup): named by its field. */
        check_mode(hc[H_CGROUP], "HostConfig.Cgroup", "it", empty, d);
}

static void check_kernel(json_t *const *hc, struct decision *d)
{
        const char *runtime;
        int64_t oom;
        char q[160];

        check_empty(hc[H_SYSCTLS], "HostConfig.Sysctls", RULE_KERNEL, "remove " FIX(SYSCTL), d);
        check_empty(hc[H_CGROUPPARENT], "HostConfig.CgroupParent", RULE_KERNEL, "remove " FIX(CGROUP_PARENT), d);
        check_empty(hc[H_ANNOTATIONS], "HostConfig.Annotations", RULE_KERNEL, "remove " FIX(ANNOTATION), d);
        if (go_string(hc[H_RUNTIME], "HostConfig.Runtime", d, &runtime) == 0 &&
            runtime[0] && strcmp(runtime, "runc") != 0) {
                quote_value(runtime, 80, q, sizeof(q));
                decision_add(d, RULE_KERNEL, "HostConfig.Runtime is %s, but only runc is allowed; remove " FIX(RUNTIME), q);
        }
        if (go_int64(hc[H_OOMSCOREADJ], "HostConfig.OomScoreAdj", d, &oom) == 0 && oom < 0)
                decision_add(d, RULE_KERNEL, "HostConfig.OomScoreAdj is %" PRId64 " (protects the container from the OOM killer); set " FIX(OOM_SCORE_ADJ) " to 0 or more",
                             oom);
}

static void check_resources(const struct policy *p, json_t *const *hc, bool view, struct decision *d)
{
        const struct resource_fields f = RESOURCE_FIELDS_OF(hc, H_);

        check_resource_fields(p, &f, "HostConfig", false, view, d);
}

/* The create rules over a Config-shaped object with HostConfig and NetworkingConfig.  `view`: the
 * object is the daemon's own view of a created container (GET /containers/{id}/json), not a request:
 * unknown keys are its own fields, and dockerd's defaults appear filled in. */
static void eval_create(const struct policy *p, json_t *body, bool view, struct decision *d)
{
        json_t *top[T__MAX], *hc[H__MAX];
        struct gostruct ts = top_struct, hs = hc_struct;
        const char *user;
        bool readonly;

        ts.strict = hs.strict = !view;
        gojson_bind(body, &ts, "the create body", top, d);
        gojson_bind(top[T_HOSTCONFIG], &hs, "HostConfig", hc, d);

        go_string(top[T_USER], "Config.User", d, &user);
        eval_user(p, user, "Config.User", false, d);
        check_resources(p, hc, view, d);
        check_network(p, top, hc, view, d);
        check_network_settings(p, top, hc, view, d);
        go_bool(hc[H_READONLYROOTFS], "HostConfig.ReadonlyRootfs", d, &readonly);
        if (p->readonly_rootfs && !readonly)
                decision_add(d, RULE_ROOTFS, "HostConfig.ReadonlyRootfs is false; add " FIX(READ_ONLY));
        check_mounts(p, top, hc, d);
        check_privileges(p, hc, view, d);
        check_namespaces(hc, view, d);
        check_kernel(hc, d);
        check_shm_size(p, hc[H_SHMSIZE], view, d);
        check_restart(p, hc[H_RESTARTPOLICY], "HostConfig.RestartPolicy", d);
        check_log_config(hc[H_LOGCONFIG], d);
}

void eval_container_create(const struct policy *p, json_t *body, struct decision *d)
{
        if (!body) {
                decision_add(d, RULE_SHAPE, "the create request has no JSON body that the plugin can see; send the body as application/json, under 1 MiB");
                return;
        }
        if (!json_is_object(body)) {
                decision_add(d, RULE_SHAPE, "the create body is not a JSON object");
                return;
        }
        eval_create(p, body, false, d);
}

void eval_container_view(const struct policy *p, json_t *inspect, struct decision *d)
{
        const char *key;
        json_t *v, *config, *hostconfig, *networks = NULL;

        if (!json_is_object(inspect)) {
                decision_add(d, RULE_RECHECK, "dockerd's view of the container is not a JSON object");
                return;
        }
        config = json_object_get(inspect, "Config");
        hostconfig = json_object_get(inspect, "HostConfig");
        if (!json_is_object(config) || !json_is_object(hostconfig)) {
                decision_add(d, RULE_RECHECK, "dockerd's view of the container has no Config or HostConfig");
                return;
        }
        json_t *ns = json_object_get(inspect, "NetworkSettings");
        if (json_is_object(ns))
                networks = json_object_get(ns, "Networks");

        /* Reassemble the create shape: Config's fields, HostConfig, and the networks as endpoints. */
        json_t *body = json_object();
        json_t *nc = json_object();
        if (!body || !nc) {
                json_decref(body);
                json_decref(nc);
                decision_add(d, RULE_ERROR, "out of memory");
                return;
        }
        int r = 0;
        json_object_foreach(config, key, v)
                r |= json_object_set(body, key, v);
        r |= json_object_set(body, "HostConfig", hostconfig);
        if (networks && !json_is_null(networks))
                r |= json_object_set(nc, "EndpointsConfig", networks);
        r |= json_object_set_new(body, "NetworkingConfig", nc);
        if (r)
                decision_add(d, RULE_ERROR, "out of memory");
        else
                eval_create(p, body, true, d);
        json_decref(body);
}
