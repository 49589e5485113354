/* Rule actions (see actions.h): the table of rule ids, and the warn decision. */
#include "policy/actions.h"

#include <errno.h>
#include <string.h>

#define NOT_SEEN  "the plugin could not read the request as dockerd will; it always denies"
#define INTERNAL  "an internal failure; the plugin fails closed"

/* Every id passed to decision_add() anywhere, in README order. */
static const struct {
        const char *id;
        const char *warn_refused;   /* NULL: may warn */
} RULES[] = {
        { "user", NULL },
        { "cpu", NULL },
        { "memory", NULL },
        { "pids", NULL },
        { "limits", NULL },
        { "logs", NULL },
        { "restart", NULL },
        { "network", NULL },
        { "rootfs", NULL },
        { "mounts", NULL },
        { "privileged", NULL },
        { "privileges", NULL },
        { "namespaces", NULL },
        { "devices", NULL },
        { "kernel", NULL },
        { "checkpoint", NULL },
        { "volumes", NULL },
        { "archive", NULL },
        { "build", NULL },
        { "buildkit", NULL },
        { "swarm", NULL },
        { "route", NOT_SEEN },
        { "api-version", NOT_SEEN },
        { "plugin", "disabling or replacing an AuthZ plugin takes it out of dockerd's chain; it always denies" },
        { "shape", NOT_SEEN },
        { "envelope", NOT_SEEN },
        { "recheck", "the plugin could not check dockerd's own view of the container; it always denies" },
        { "names", "a start could be judged on one container and carried out on another; it always denies" },
        { "audit", "deny_on_audit_failure decides this one" },
        { "error", INTERNAL },
        { "internal", INTERNAL },
};

_Static_assert(sizeof(RULES) / sizeof(RULES[0]) <= 64, "policy.warn_rules is a 64-bit mask");

size_t policy_rule_count(void)
{
        return sizeof(RULES) / sizeof(RULES[0]);
}

const char *policy_rule_id(size_t i)
{
        return i < policy_rule_count() ? RULES[i].id : NULL;
}

int policy_rule_index(const char *id)
{
        for (size_t i = 0; id && i < policy_rule_count(); i++)
                if (strcmp(RULES[i].id, id) == 0)
                        return (int) i;
        return -ENOENT;
}

const char *policy_rule_warn_refused(size_t i)
{
        return i < policy_rule_count() ? RULES[i].warn_refused : "unknown rule";
}

bool policy_rule_warns(const struct policy *p, const char *id)
{
        int i = policy_rule_index(id);

        /* The mask is checked against the table too: a bit set by hand for a refused rule
         * never turns into an allow. */
        return p && i >= 0 && !RULES[i].warn_refused && (p->warn_rules >> i & 1);
}

void policy_apply_rule_actions(const struct policy *p, struct decision *d)
{
        /* Fail closed: an incomplete or truncated list may hide a deny-rule. */
        if (!p || !d || !d->complete || d->allow || d->truncated || d->n == 0 ||
            d->n > DECISION_MAX_VIOLATIONS)
                return;
        for (size_t i = 0; i < d->n; i++)
                if (!policy_rule_warns(p, d->v[i].rule))
                        return;
        d->allow = true;
        d->warned = true;
}
