/* The mounts rule: at most the repository, read-only, at /workspace and the artifacts dir at
 * /artifacts, each a directory directly inside its root (paths.c resolves the sources), tmpfs only at
 * the policy's targets (tmpfs.c judges their options), no volumes; and the rootfs rule. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "policy/checks.h"
#include "policy/create.h"
#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/gojson.h"
#include "policy/paths.h"

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

void create_check_mounts(const struct policy *p, const struct create_view *c, struct decision *d)
{
        json_t *const *top = c->top, *const *hc = c->hc;
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

void create_check_rootfs(const struct policy *p, const struct create_view *c, struct decision *d)
{
        bool readonly;

        go_bool(c->hc[H_READONLYROOTFS], "HostConfig.ReadonlyRootfs", d, &readonly);
        if (p->readonly_rootfs && !readonly)
                decision_add(d, RULE_ROOTFS, "HostConfig.ReadonlyRootfs is false; add " FIX(READ_ONLY));
}
