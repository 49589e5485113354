/* Container names and references as dockerd resolves them (daemon.GetContainer): the exact full ID,
 * else an exact name ("x" and "/x" alike), else a unique ID prefix.  A start is judged by the
 * container the plugin's look found and carried out on the one dockerd's own, later look finds; the
 * rules here keep the two the same. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "policy/eval.h"
#include "policy/fixes.h"

#define ID_LEN 64

static bool lower_hex(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return n > 0;
}

bool name_reads_as_id(const char *name)
{
        if (name && name[0] == '/')
                name++;
        size_t n = name ? strlen(name) : 0;
        return n >= 2 && n <= ID_LEN && lower_hex(name, n);   /* dockerd refuses 1-character names */
}

void eval_container_name(const char *name, const char *field, struct decision *d)
{
        char q[160];

        if (!name_reads_as_id(name))
                return;
        quote_value(name, 80, q, sizeof(q));
        decision_add(d, RULE_NAMES, "%s %s could also be read as a container ID (lowercase hex): dockerd would then start whichever container it names; "
                     "choose a name with a letter beyond a-f, a dash or an underscore, for " FIX(NAME) " or docker rename",
                     field, q);
}

int reference_matches(const char *ref, const char *id, const char *name, char *why, size_t whysz)
{
        size_t n = strlen(ref);
        bool hex = n < ID_LEN && lower_hex(ref, n);

        if (!id || strlen(id) != ID_LEN || !lower_hex(id, ID_LEN)) {
                snprintf(why, whysz, "dockerd's view has no full container ID");
                return -EINVAL;
        }
        if (strcmp(ref, id) == 0)
                return 0;
        bool by_name = name && (name[0] == '/' ? strcmp(name + 1, ref[0] == '/' ? ref + 1 : ref) == 0 : false);
        bool by_prefix = hex && strncmp(id, ref, n) == 0;
        if (by_name && hex && !(by_prefix && n >= 12)) {
                /* Should that name go away, the same reference reads as an ID prefix of another. */
                snprintf(why, whysz, "the container is named %.80s, which could also be read as an ID; start it by its ID, %.12s",
                         name, id);
                return -EINVAL;
        }
        if (by_name || by_prefix)
                return 0;
        snprintf(why, whysz, "dockerd's view is of container %.12s named %.80s, which %.80s does not name (renamed meanwhile?); retry, by ID",
                 id, name ? name : "(none)", ref);
        return -EINVAL;
}
