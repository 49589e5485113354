/* The kernel rule: no sysctls, cgroup parent or runtime annotations, the runc runtime, and no
 * protection from the OOM killer. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy/checks.h"
#include "policy/create.h"
#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/gojson.h"

void create_check_kernel(const struct policy *p, const struct create_view *c, struct decision *d)
{
        json_t *const *hc = c->hc;
        (void) p;
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
