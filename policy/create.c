/* POST /containers/create, and dockerd's view of a created container: the body bound to Go's
 * struct views once, then every rule family's check (create.h) over it.
 *
 * The top level is container.Config plus HostConfig and NetworkingConfig; anything else there is
 * denied, because daemons before 27.0 honour HostConfig fields at the top level too.  Unknown
 * HostConfig keys are denied: a field added by a future Engine version could weaken isolation
 * without us knowing. */
#include <string.h>

#include "policy/checks.h"
#include "policy/create.h"
#include "policy/eval.h"
#include "policy/gojson.h"

static const char *const top_fields[T__MAX] = { TOP_FIELDS(FIELD_NAME) };
static const struct gostruct top_struct = { "Config", top_fields, T__MAX, true };
static const char *const hc_fields[H__MAX] = { HC_FIELDS(FIELD_NAME) };
static const struct gostruct hc_struct = { "HostConfig", hc_fields, H__MAX, true };

/* The create rules over a Config-shaped object with HostConfig and NetworkingConfig.  `view`: the
 * object is the daemon's own view of a created container (GET /containers/{id}/json), not a request:
 * unknown keys are its own fields, and dockerd's defaults appear filled in. */
static void eval_create(const struct policy *p, json_t *body, bool view, struct decision *d)
{
        struct create_view c = { .view = view };
        struct gostruct ts = top_struct, hs = hc_struct;

        ts.strict = hs.strict = !view;
        gojson_bind(body, &ts, "the create body", c.top, d);
        gojson_bind(c.top[T_HOSTCONFIG], &hs, "HostConfig", c.hc, d);

        create_check_user(p, &c, d);
        create_check_resources(p, &c, d);
        create_check_network(p, &c, d);
        create_check_rootfs(p, &c, d);
        create_check_mounts(p, &c, d);
        create_check_privileges(p, &c, d);
        create_check_group_add(p, &c, d);
        create_check_namespaces(p, &c, d);
        create_check_kernel(p, &c, d);
        check_shm_size(p, c.hc[H_SHMSIZE], view, d);
        check_restart(p, c.hc[H_RESTARTPOLICY], "HostConfig.RestartPolicy", d);
        check_log_config(c.hc[H_LOGCONFIG], d);
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
