/* The restart rule: no restart policy, or on-failure with a bounded count.  dockerd restarts a
 * container on its own, asking no plugin, also when the daemon starts. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy/checks.h"
#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/gojson.h"

/* container.RestartPolicy */
enum { RP_NAME, RP_MAX, RP__MAX };
static const char *const restart_fields[RP__MAX] = { [RP_NAME] = "Name", [RP_MAX] = "MaximumRetryCount" };
static const struct gostruct restart_struct = { "RestartPolicy", restart_fields, RP__MAX, true };

void check_restart(const struct policy *p, json_t *v, const char *path, struct decision *d)
{
        json_t *f[RP__MAX];
        const char *name;
        int64_t retries;
        char q[80], fix[192];

        if (gojson_bind(v, &restart_struct, path, f, d) < 0)
                return;
        go_string(f[RP_NAME], path, d, &name);
        go_int64(f[RP_MAX], path, d, &retries);
        if (p->restart_max_retries > 0)
                snprintf(fix, sizeof(fix), "set " FIX(RESTART) " to no, or to on-failure with 1 to %" PRId64 " retries",
                         p->restart_max_retries);
        else
                snprintf(fix, sizeof(fix), "set " FIX(RESTART) " to no (the policy allows no restarts)");
        /* "" is "no" at create, and "unchanged" at update. */
        if (name[0] == '\0' || strcmp(name, "no") == 0) {
                if (retries != 0)
                        decision_add(d, RULE_RESTART, "%s.MaximumRetryCount is %" PRId64 " without on-failure; set it to 0",
                                     path, retries);
                return;
        }
        quote_value(name, 40, q, sizeof(q));
        if (strcmp(name, "on-failure") != 0) {
                decision_add(d, RULE_RESTART, "%s.Name is %s: dockerd restarts the container on its own, asking no plugin, "
                             "also when the daemon starts; %s", path, q, fix);
                return;
        }
        /* on-failure with 0 retries restarts without end. */
        if (retries <= 0 || retries > p->restart_max_retries)
                decision_add(d, RULE_RESTART, "%s is on-failure with MaximumRetryCount %" PRId64 "%s; %s",
                             path, retries, retries == 0 ? " (no bound)" : "", fix);
}
