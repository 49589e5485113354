/* The other endpoints: body parsing, update, volume create, archive upload, start. */
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
