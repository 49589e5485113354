/* The user rule: the process runs as the policy's UID with a group other than 0 (Config.User,
 * Exec.User, GroupAdd).  What a name or a bare UID resolves to in the image is identity.c's, at the
 * second look (view.c). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy/create.h"
#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/gojson.h"
#include "policy/units.h"

void user_fix(const struct policy *p, const char *path, char *buf, size_t size)
{
        /* Any GID >= 1 will do, and a UID:GID needs no look-up in the image: the UID twice is one. */
        char ids[32];
        snprintf(ids, sizeof(ids), "%" PRIu32 ":%" PRIu32, p->uid, p->uid);
        if (strncmp(path, "Exec.", 5) == 0)
                snprintf(buf, size, "give a numeric UID:GID such as " FIX_EXEC_USER_IDS, ids, ids);
        else
                snprintf(buf, size, "give a numeric UID:GID such as " FIX_USER_IDS, ids, ids, ids);
}

void eval_user(const struct policy *p, const char *user, const char *path, bool empty_ok, struct decision *d)
{
        char q[48], fix[224];
        const char *colon = strchr(user, ':');
        size_t nlen = colon ? (size_t) (colon - user) : strlen(user);
        bool ours = nlen == strlen(p->user) && strncmp(user, p->user, nlen) == 0;
        uint64_t uid, gid;
        bool ok;

        user_fix(p, path, fix, sizeof(fix));
        if (user[0] == '\0') {
                if (!empty_ok)
                        decision_add(d, RULE_USER, "%s is empty (the image's user, often root); %s", path, fix);
                return;
        }
        /* A name resolves inside the image, where it can map to UID 0: numeric only, unless the
         * policy trusts its images (accept_user_name). */
        ok = (parse_canonical_id(user, nlen, UINT32_MAX, &uid) && uid == p->uid) || (p->accept_user_name && ours);
        if (ok && colon)
                ok = parse_canonical_id(colon + 1, strlen(colon + 1), INT32_MAX, &gid) && gid >= 1;
        if (ok)
                return;
        quote_value(user, 40, q, sizeof(q));
        /* dockerd takes a user part that is not a number (strconv.Atoi allows a sign) for a name, and
         * looks it up in the image. */
        bool name = nlen > 0 && !strchr("0123456789+-", user[0]);
        if (!name)
                decision_add(d, RULE_USER, "%s is %s; %s", path, q, fix);
        else if (!p->accept_user_name)
                decision_add(d, RULE_USER, "%s is %s, a user name, which the image may map to root; %s, or have the admin set "
                             "\"accept_user_name\": true in the policy to allow the name %.32s", path, q, fix, p->user);
        else if (ours)
                decision_add(d, RULE_USER, "%s is %s, whose group is not a numeric GID >= 1; %s, or use the name %.32s with such a GID",
                             path, q, fix, p->user);
        else
                decision_add(d, RULE_USER, "%s is %s, not the policy's user name; %s, or use the name %.32s", path, q, fix,
                             p->user);
}

void create_check_user(const struct policy *p, const struct create_view *c, struct decision *d)
{
        const char *user;

        go_string(c->top[T_USER], "Config.User", d, &user);
        eval_user(p, user, "Config.User", false, d);
}

void create_check_group_add(const struct policy *p, const struct create_view *c, struct decision *d)
{
        json_t *arr, *v;
        const char *s;
        char q[160];
        size_t i;

        (void) p;
        if (go_array(c->hc[H_GROUPADD], "HostConfig.GroupAdd", d, &arr) == 0 && arr)
                json_array_foreach(arr, i, v) {
                        uint64_t gid;
                        if (go_string(v, "HostConfig.GroupAdd[]", d, &s) < 0)
                                continue;
                        if (!parse_canonical_id(s, strlen(s), INT32_MAX, &gid) || gid == 0) {
                                quote_value(s, 60, q, sizeof(q));
                                decision_add(d, RULE_USER, "HostConfig.GroupAdd has %s; give " FIX(GROUP_ADD) " only numeric groups >= 1 (no root group, no names)",
                                             q);
                        }
                }
}
