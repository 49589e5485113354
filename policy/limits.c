/* Limits beyond CPU and memory that dockerd applies on its own: ulimits, /dev/shm, restarts. */
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
