/* The rule table (see rules.h). */
#include "policy/rules.h"

#include <errno.h>
#include <string.h>

#include "policy/buf.h"

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

/* "policy/user.c policy/view.c" as "`policy/user.c`, `policy/view.c`" */
static void put_list(struct buf *b, const char *list)
{
        for (const char *p = list; *p;) {
                size_t n = strcspn(p, " ");
                (void) buf_printf(b, "%s`%.*s`", p == list ? "" : ", ", (int) n, p);
                p += n;
                p += strspn(p, " ");
        }
}

int rules_markdown(char **ret, size_t *ret_len)
{
        struct buf b;

        buf_init(&b, 8192, 1u << 20);
        (void) buf_puts(&b, "| rule | what it checks | policy settings | may warn | decided in |\n"
                            "|---|---|---|---|---|\n");
        for (int i = 0; i < RULE__MAX; i++) {
                const struct rule_info *r = &RULES[i];
                (void) buf_printf(&b, "| `%s` | %s | ", r->id, r->summary);
                if (r->settings[0])
                        put_list(&b, r->settings);
                (void) buf_printf(&b, " | %s | ", r->warn_refused ? "no" : "yes");
                put_list(&b, r->files);
                (void) buf_puts(&b, " |\n");
        }
        return buf_steal(&b, ret, ret_len);
}
