/* The rules for every endpoint other than container create, and the user rule they share. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy/eval.h"
#include "policy/gojson.h"
#include "policy/rules.h"

#define NAME(id, s) [id] = (s),
#define ENUM(id, s) id,

int eval_parse_body(const char *buf, size_t len, const char *what, json_t **ret, struct decision *d)
{
        json_error_t err;
        /* Duplicate keys: Go keeps the last, a naive checker the first.  Deny them outright. */
        json_t *v = gojson_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
        if (!v) {
                char q[200];
                quote_value(err.text, 160, q, sizeof(q));
                decision_add(d, "shape", "the %s body is not valid JSON (line %d, column %d: %s)", what, err.line,
                             err.column, q);
                return -EINVAL;
        }
        if (!json_is_object(v)) {
                json_decref(v);
                decision_add(d, "shape", "the %s body is not a JSON object", what);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

void eval_user(const struct policy *p, const char *user, const char *path, bool empty_ok, struct decision *d)
{
        char q[160];
        const char *colon = strchr(user, ':');
        size_t nlen = colon ? (size_t) (colon - user) : strlen(user);
        uint64_t uid, gid;
        bool ok;

        if (user[0] == '\0') {
                if (!empty_ok)
                        decision_add(d, "user", "%s is empty (the image's user, often root); set --user %" PRIu32,
                                     path, p->uid);
                return;
        }
        /* A name resolves inside the image, where it can map to UID 0: numeric only, unless the
         * policy trusts its images (accept_user_name). */
        ok = (parse_canonical_id(user, nlen, UINT32_MAX, &uid) && uid == p->uid) ||
             (p->accept_user_name && nlen == strlen(p->user) && strncmp(user, p->user, nlen) == 0);
        if (ok && colon)
                ok = parse_canonical_id(colon + 1, strlen(colon + 1), INT32_MAX, &gid) && gid >= 1;
        if (!ok) {
                quote_value(user, 100, q, sizeof(q));
                decision_add(d, "user", "%s is %s; set --user %" PRIu32 " (or %" PRIu32 ":GID with a numeric GID >= 1)%s%s",
                             path, q, p->uid, p->uid, p->accept_user_name ? ", or --user " : "",
                             p->accept_user_name ? p->user : "");
        }
}

/* --- exec ------------------------------------------------------------------------------------ */

#define EXEC_FIELDS(X) \
        X(E_USER, "User") X(E_PRIVILEGED, "Privileged") X(E_TTY, "Tty") X(E_CONSOLESIZE, "ConsoleSize") \
        X(E_ATTACHSTDIN, "AttachStdin") X(E_ATTACHSTDERR, "AttachStderr") X(E_ATTACHSTDOUT, "AttachStdout") \
        X(E_DETACH, "Detach") X(E_DETACHKEYS, "DetachKeys") X(E_ENV, "Env") X(E_WORKINGDIR, "WorkingDir") \
        X(E_CMD, "Cmd")
enum { EXEC_FIELDS(ENUM) E__MAX };
static const char *const exec_fields[E__MAX] = { EXEC_FIELDS(NAME) };
static const struct gostruct exec_struct = { "the exec body", exec_fields, E__MAX, true };

void eval_exec_create(const struct policy *p, json_t *body, struct decision *d)
{
        json_t *f[E__MAX];
        const char *user;
        bool privileged;

        if (!body) {
                decision_add(d, "shape", "the exec request has no JSON body that the plugin can see; send it as application/json");
                return;
        }
        gojson_bind(body, &exec_struct, "the exec body", f, d);
        go_bool(f[E_PRIVILEGED], "Exec.Privileged", d, &privileged);
        if (privileged)
                decision_add(d, "privileged", "Exec.Privileged is true; remove --privileged from docker exec");
        go_string(f[E_USER], "Exec.User", d, &user);
        eval_user(p, user, "Exec.User", true, d);
}

#define PROCESS_FIELDS(X) X(P_PRIVILEGED, "privileged") X(P_USER, "user")
enum { PROCESS_FIELDS(ENUM) P__MAX };
static const char *const process_fields[P__MAX] = { PROCESS_FIELDS(NAME) };
static const struct gostruct process_struct = { "ProcessConfig", process_fields, P__MAX, false };

void eval_exec_view(const struct policy *p, json_t *inspect, struct decision *d)
{
        json_t *f[P__MAX];
        const char *user;
        bool privileged;

        json_t *pc = json_is_object(inspect) ? json_object_get(inspect, "ProcessConfig") : NULL;
        if (!json_is_object(pc)) {
                decision_add(d, "recheck", "dockerd's view of the exec has no ProcessConfig");
                return;
        }
        gojson_bind(pc, &process_struct, "ProcessConfig", f, d);
        go_bool(f[P_PRIVILEGED], "Exec.Privileged", d, &privileged);
        if (privileged)
                decision_add(d, "privileged", "the exec is privileged; run docker exec without --privileged");
        go_string(f[P_USER], "Exec.User", d, &user);
        eval_user(p, user, "Exec.User", true, d);
}

/* --- update ---------------------------------------------------------------------------------- */

/* UpdateConfig: Resources plus RestartPolicy. */
#define UPDATE_FIELDS(X) RESOURCES_FIELDS(X, U_) \
        X(U_RESTARTPOLICY, "RestartPolicy")
enum { UPDATE_FIELDS(ENUM) U__MAX };
static const char *const update_fields[U__MAX] = { UPDATE_FIELDS(NAME) };
static const struct gostruct update_struct = { "the update body", update_fields, U__MAX, true };

void eval_container_update(const struct policy *p, json_t *body, struct decision *d)
{
        json_t *f[U__MAX];

        if (!body) {
                decision_add(d, "shape", "the update request has no JSON body that the plugin can see; send it as application/json");
                return;
        }
        gojson_bind(body, &update_struct, "the update body", f, d);
        const struct resource_fields rf = RESOURCE_FIELDS_OF(f, U_);

        check_resource_fields(p, &rf, "Update", true, false, d);
        check_empty(f[U_CGROUPPARENT], "Update.CgroupParent", "kernel", "the cgroup parent cannot be changed", d);
}

/* --- network connect ------------------------------------------------------------------------- */

#define CONNECT_FIELDS(X) X(C_CONTAINER, "Container") X(C_ENDPOINTCONFIG, "EndpointConfig")
enum { CONNECT_FIELDS(ENUM) C__MAX };
static const char *const connect_fields[C__MAX] = { CONNECT_FIELDS(NAME) };
static const struct gostruct connect_struct = { "the connect body", connect_fields, C__MAX, true };

void eval_network_connect(const struct policy *p, const char *network, json_t *body, struct decision *d)
{
        json_t *f[C__MAX];
        char q[160];

        quote_value(network, 120, q, sizeof(q));
        if (p->network != NETWORK_BRIDGE || strcmp(network, "bridge") != 0)
                decision_add(d, "network", "connecting a container to network %s is not allowed%s", q,
                             p->network == NETWORK_BRIDGE ? "; only the default bridge is" : " (the policy allows no network)");
        if (!body) {
                decision_add(d, "shape", "the connect request has no JSON body that the plugin can see; send it as application/json");
                return;
        }
        gojson_bind(body, &connect_struct, "the connect body", f, d);
        check_endpoint_settings(f[C_ENDPOINTCONFIG], "EndpointConfig", d);
}

/* --- volume create --------------------------------------------------------------------------- */

#define VOLUME_FIELDS(X) \
        X(V_NAME, "Name") X(V_DRIVER, "Driver") X(V_DRIVEROPTS, "DriverOpts") X(V_LABELS, "Labels") \
        X(V_CLUSTERVOLUMESPEC, "ClusterVolumeSpec")
enum { VOLUME_FIELDS(ENUM) V__MAX };
static const char *const volume_fields[V__MAX] = { VOLUME_FIELDS(NAME) };
static const struct gostruct volume_struct = { "the volume body", volume_fields, V__MAX, true };

void eval_volume_create(const struct policy *p, json_t *body, struct decision *d)
{
        json_t *f[V__MAX];
        const char *driver;
        char q[160];

        (void) p;
        if (!body) {
                decision_add(d, "shape", "the volume request has no JSON body that the plugin can see; send it as application/json");
                return;
        }
        gojson_bind(body, &volume_struct, "the volume body", f, d);
        if (go_string(f[V_DRIVER], "Volume.Driver", d, &driver) == 0 && driver[0] && strcmp(driver, "local") != 0) {
                quote_value(driver, 80, q, sizeof(q));
                decision_add(d, "volumes", "Volume.Driver is %s; only the local driver is allowed", q);
        }
        /* local + type=none,o=bind,device=/etc is a bind mount of any host path in disguise. */
        check_empty(f[V_DRIVEROPTS], "Volume.DriverOpts", "volumes", "remove the driver options (-o)", d);
        check_empty(f[V_CLUSTERVOLUMESPEC], "Volume.ClusterVolumeSpec", "swarm", "cluster volumes are not allowed", d);
}

/* --- query-only endpoints -------------------------------------------------------------------- */

/* A parameter the rule reads must occur at most once: Go reads the first, a careless checker the last. */
static const char *query_once(const struct query *q, const char *key, struct decision *d)
{
        if (query_count(q, key) > 1) {
                decision_add(d, "shape", "the query repeats \"%s\"; send it once", key);
                return NULL;
        }
        return query_get(q, key);
}

void eval_build(const struct policy *p, const struct query *q, struct decision *d)
{
        const char *v;
        char qv[160];

        v = query_once(q, "networkmode", d);
        if (v && !(v[0] == '\0' || strcmp(v, "default") == 0 || strcmp(v, "none") == 0 ||
                   (p->network == NETWORK_BRIDGE && strcmp(v, "bridge") == 0))) {
                quote_value(v, 120, qv, sizeof(qv));
                decision_add(d, "build", "networkmode is %s; build with --network none%s", qv,
                             p->network == NETWORK_BRIDGE ? " or bridge" : "");
        }
        static const char *const forbidden[] = { "remote", "cgroupparent", "outputs" };
        for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
                v = query_once(q, forbidden[i], d);
                if (v && v[0] && i == 0)   /* a remote URL may hold user:token@: never quoted */
                        decision_add(d, "build", "remote is set (a build context URL); remove it");
                else if (v && v[0]) {
                        quote_value(v, 120, qv, sizeof(qv));
                        decision_add(d, "build", "%s is %s; remove it", forbidden[i], qv);
                }
        }
}

void eval_container_start(const struct policy *p, const struct query *q, struct decision *d)
{
        (void) p;
        static const char *const forbidden[] = { "checkpoint", "checkpoint-dir" };
        for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
                const char *v = query_once(q, forbidden[i], d);
                if (v && v[0])
                        decision_add(d, "checkpoint", "start restores from a checkpoint (%s); start without --checkpoint",
                                     forbidden[i]);
        }
}
