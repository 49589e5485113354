/* The privileged and privileges rules: not privileged, no capabilities added but those the policy
 * allows, no security options but no-new-privileges (required when the policy says so), and the
 * default masked and read-only paths kept. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy/checks.h"
#include "policy/create.h"
#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/gojson.h"

void cap_normalise(const char *in, char *buf, size_t size)
{
        size_t j = 0;
        if (strncasecmp(in, "CAP_", 4) == 0)
                in += 4;
        for (; *in && j + 1 < size; in++)
                buf[j++] = (char) toupper((unsigned char) *in);
        if (size)
                buf[j] = '\0';
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

void create_check_privileges(const struct policy *p, const struct create_view *c, struct decision *d)
{
        json_t *const *hc = c->hc;
        bool view = c->view;
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
}
