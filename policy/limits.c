/* The limits rule: ulimits and /dev/shm, limits beyond CPU and memory that dockerd applies. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/gojson.h"
#include "policy/checks.h"
#include "policy/units.h"

#define DEFAULT_SHM_SIZE (INT64_C(64) << 20)   /* dockerd's /dev/shm size when ShmSize is 0 */

/* units.Ulimit */
enum { UL_NAME, UL_HARD, UL_SOFT, UL__MAX };
static const char *const ulimit_fields[UL__MAX] = { [UL_NAME] = "Name", [UL_HARD] = "Hard", [UL_SOFT] = "Soft" };
static const struct gostruct ulimit_struct = { "Ulimit", ulimit_fields, UL__MAX, true };

void check_ulimits(const struct policy *p, json_t *v, const char *path, struct decision *d)
{
        json_t *arr, *e;
        size_t i;

        if (go_array(v, path, d, &arr) < 0 || !arr)
                return;
        json_array_foreach(arr, i, e) {
                json_t *f[UL__MAX];
                char at[96], q[80];
                const char *name;
                int64_t soft, hard;

                snprintf(at, sizeof(at), "%s[%zu]", path, i);
                if (gojson_bind(e, &ulimit_struct, at, f, d) < 0)
                        continue;
                go_string(f[UL_NAME], at, d, &name);
                go_int64(f[UL_SOFT], at, d, &soft);
                go_int64(f[UL_HARD], at, d, &hard);
                quote_value(name, 40, q, sizeof(q));
                int k = policy_ulimit_index(name);
                if (k < 0 || p->ulimit_max[k] < 0) {
                        decision_add(d, RULE_LIMITS, "%s sets ulimit %s, which the policy does not allow%s; remove it from " FIX(ULIMIT),
                                     at, q, k >= 0 && (strcmp(name, "rtprio") == 0 || strcmp(name, "rttime") == 0) ?
                                     " (realtime scheduling escapes the CPU limit)" : "");
                        continue;
                }
                /* -1 is "unlimited" to dockerd (RLIM_INFINITY). */
                if (soft < 0 || hard < 0 || soft > p->ulimit_max[k] || hard > p->ulimit_max[k])
                        decision_add(d, RULE_LIMITS, "%s sets %s to %" PRId64 ":%" PRId64 " (soft:hard, -1 is unlimited); set both to at most %" PRId64
                                     " in " FIX(ULIMIT), at, q, soft, hard, p->ulimit_max[k]);
        }
}

void check_shm_size(const struct policy *p, const json_t *v, bool view, struct decision *d)
{
        char lim[32], have[32];
        int64_t shm;

        if (go_int64(v, "HostConfig.ShmSize", d, &shm) < 0)
                return;
        /* The daemon's view shows its default size for 0. */
        if (shm == 0 || (view && shm == DEFAULT_SHM_SIZE))
                return;
        format_bytes(p->memory_limit, lim, sizeof(lim));
        format_bytes(shm, have, sizeof(have));
        if (shm < 0 || shm > p->memory_limit)
                decision_add(d, RULE_LIMITS, "HostConfig.ShmSize is %s, over the memory limit; set " FIX(SHM_SIZE) " to at most %s, or leave it unset",
                             have, lim);
}
