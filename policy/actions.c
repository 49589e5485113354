/* Rule actions (see actions.h): the table of rule ids, and the warn decision. */
#include "policy/actions.h"

#include <errno.h>
#include <string.h>

#include "policy/rules.h"

size_t policy_rule_count(void)
{
        return RULE__MAX;
}

const char *policy_rule_id(size_t i)
{
        return i < RULE__MAX ? rule_id((enum rule) i) : NULL;
}

int policy_rule_index(const char *id)
{
        return rule_from_id(id);
}

const char *policy_rule_warn_refused(size_t i)
{
        return i < RULE__MAX ? rule_info((enum rule) i)->warn_refused : "unknown rule";
}

bool policy_rule_warns(const struct policy *p, enum rule r)
{
        /* The mask is checked against the table too: a bit set by hand for a refused rule
         * never turns into an allow. */
        return p && (unsigned) r < RULE__MAX && !rule_info(r)->warn_refused && (p->warn_rules >> r & 1);
}

void policy_apply_rule_actions(const struct policy *p, struct decision *d)
{
        /* Fail closed: an incomplete or truncated list may hide a deny-rule. */
        if (!p || !d || !d->complete || d->allow || d->truncated || d->n == 0 ||
            d->n > DECISION_MAX_VIOLATIONS)
                return;
        for (size_t i = 0; i < d->n; i++)
                if (!policy_rule_warns(p, d->v[i].code))
                        return;
        d->allow = true;
        d->warned = true;
}
