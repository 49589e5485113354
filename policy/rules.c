/* The rule table (see rules.h). */
#include "policy/rules.h"

#include <errno.h>
#include <string.h>

#define RULE_ROW(e, id_, files_, summary_, settings_, warn_) \
        [RULE_##e] = { .id = (id_), .files = (files_), .summary = (summary_), .settings = (settings_), \
                       .warn_refused = (warn_) },
static const struct rule_info RULES[RULE__MAX] = { RULE_TABLE(RULE_ROW) };
#undef RULE_ROW

_Static_assert(RULE__MAX <= 64, "policy.warn_rules is a 64-bit mask");

const struct rule_info *rule_info(enum rule r)
{
        return (unsigned) r < RULE__MAX ? &RULES[r] : NULL;
}

const char *rule_id(enum rule r)
{
        return (unsigned) r < RULE__MAX ? RULES[r].id : "unknown";
}

int rule_from_id(const char *id)
{
        for (int i = 0; id && i < RULE__MAX; i++)
                if (strcmp(RULES[i].id, id) == 0)
                        return i;
        return -ENOENT;
}
