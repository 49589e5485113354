/* Checks every rule family uses (see checks.h). */
#include "policy/checks.h"

#include <stdio.h>

#include "policy/eval.h"

void check_empty(const json_t *v, const char *path, enum rule rule, const char *fix, struct decision *d)
{
        if (!v || json_is_null(v))
                return;
        if ((json_is_array(v) || json_is_object(v)) && go_len(v) == 0)
                return;
        if (json_is_string(v) && json_string_length(v) == 0)
                return;
        if (json_is_array(v) || json_is_object(v))
                decision_add(d, rule, "%s has %zu entr%s; %s", path, go_len(v), go_len(v) == 1 ? "y" : "ies", fix);
        else if (json_is_string(v)) {
                char q[128];
                quote_value(json_string_value(v), 100, q, sizeof(q));
                decision_add(d, rule, "%s is %s; %s", path, q, fix);
        } else
                decision_add(d, rule, "%s is set; %s", path, fix);
}

const char *query_once(const struct query *q, const char *key, struct decision *d)
{
        if (query_count(q, key) > 1) {
                decision_add(d, RULE_SHAPE, "the query repeats \"%s\"; send it once", key);
                return NULL;
        }
        return query_get(q, key);
}
