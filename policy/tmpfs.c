/* The options of a tmpfs at an allowed target: nosuid, nodev, noexec (unless the policy allows
 * exec), a size within the memory limit, and only options whose meaning is known.
 *
 * dockerd starts every tmpfs from "noexec,nosuid,nodev,rprivate", appends the client's options, and
 * keeps the last of each (moby/sys mount.MergeTmpfsOptions), so a client's "exec", "suid" or "dev"
 * wins.  The kernel's default size without size= is half the host's memory. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/gojson.h"
#include "policy/checks.h"
#include "policy/units.h"

#define TMPFS_OPTIONS_MAX 1024

/* Flags whose meaning is harmless at any value, as MergeTmpfsOptions knows them. */
static const char *const harmless_flags[] = {
        "defaults", "rw", "ro", "nosuid", "nodev", "noexec", "atime", "noatime", "diratime",
        "nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime", "private", "rprivate",
        NULL
};
/* key=value data options with no effect beyond the tmpfs itself (size= is judged apart). */
static const char *const harmless_data[] = { "mode", "uid", "gid", "nr_inodes", NULL };

static bool in_list(const char *const *list, const char *s, size_t len)
{
        for (; *list; list++)
                if (strlen(*list) == len && memcmp(*list, s, len) == 0)
                        return true;
        return false;
}

static void check_size(const struct policy *p, int64_t size, const char *field, const char *fix,
                       struct decision *d)
{
        char lim[32];

        format_bytes(p->memory_limit, lim, sizeof(lim));
        if (size <= 0)
                decision_add(d, RULE_MOUNTS, "%s has no size (the kernel would give it half the host's memory); %s, at most %s",
                             field, fix, lim);
        else if (size > p->memory_limit) {
                char have[32];
                format_bytes(size, have, sizeof(have));
                decision_add(d, RULE_MOUNTS, "%s is %s, over the memory limit; %s, at most %s", field, have, fix, lim);
        }
}

void check_tmpfs_data(const struct policy *p, const char *opts, const char *field, struct decision *d)
{
        char buf[TMPFS_OPTIONS_MAX], q[160];
        int64_t size = 0;

        if (strlen(opts) >= sizeof(buf)) {
                decision_add(d, RULE_MOUNTS, "%s has options longer than %d bytes", field, TMPFS_OPTIONS_MAX - 1);
                return;
        }
        memcpy(buf, opts, strlen(opts) + 1);
        for (char *tok = buf, *end; opts[0] && tok; tok = end) {
                end = strchr(tok, ',');
                if (end)
                        *end++ = '\0';
                const char *eq = strchr(tok, '=');
                size_t klen = eq ? (size_t) (eq - tok) : strlen(tok);
                quote_value(tok, 60, q, sizeof(q));
                if (!eq && in_list(harmless_flags, tok, klen))
                        continue;
                if (!eq && strcmp(tok, "exec") == 0) {
                        if (!p->tmpfs_exec)
                                decision_add(d, RULE_MOUNTS, "%s has exec (programs written there could run); remove it (the policy's tmpfs_exec allows it)",
                                             field);
                        continue;
                }
                if (eq && in_list(harmless_data, tok, klen))
                        continue;
                if (eq && klen == 4 && memcmp(tok, "size", 4) == 0) {
                        /* The last size= wins, as in dockerd. */
                        if (parse_memory_size(eq + 1, &size) < 0) {
                                decision_add(d, RULE_MOUNTS, "%s has %s, not a size the plugin can read; use size= with digits and k, m or g",
                                             field, q);
                                size = INT64_MAX;
                        }
                        continue;
                }
                if (strcmp(tok, "suid") == 0 || strcmp(tok, "dev") == 0)
                        decision_add(d, RULE_MOUNTS, "%s has %s, which turns off no%s (setuid files or device nodes there would work); remove it",
                                     field, q, tok);
                else
                        decision_add(d, RULE_MOUNTS, "%s has %s, an option the policy does not allow; use only size, mode, uid, gid, nr_inodes, ro/rw, noexec and the atime options",
                                     field, q);
        }
        if (size != INT64_MAX)
                check_size(p, size, field, "add size= to " FIX(TMPFS) ", as in /tmp:size=64m", d);
}

/* mount.TmpfsOptions */
#define TMPFSOPT_FIELDS(X) X(TM_SIZEBYTES, "SizeBytes") X(TM_MODE, "Mode") X(TM_OPTIONS, "Options")
#define TM_ENUM(id, s) id,
#define TM_NAME(id, s) [id] = (s),
enum { TMPFSOPT_FIELDS(TM_ENUM) TM__MAX };
static const char *const tmpfsopt_fields[TM__MAX] = { TMPFSOPT_FIELDS(TM_NAME) };
static const struct gostruct tmpfsopt_struct = { "TmpfsOptions", tmpfsopt_fields, TM__MAX, true };

void check_tmpfs_mount(const struct policy *p, json_t *opts, const char *field, struct decision *d)
{
        json_t *t[TM__MAX], *arr, *o;
        char sub[128];
        int64_t size = 0;
        size_t i;

        snprintf(sub, sizeof(sub), "%s.TmpfsOptions", field);
        if (gojson_bind(opts, &tmpfsopt_struct, sub, t, d) < 0)
                return;
        snprintf(sub, sizeof(sub), "%s.TmpfsOptions.SizeBytes", field);
        if (go_int64(t[TM_SIZEBYTES], sub, d, &size) == 0)
                check_size(p, size, sub, "set " FIX(MOUNT_TMPFS_SIZE), d);

        /* Options (API 1.46): dockerd takes only [["exec"]] and [["noexec"]]. */
        snprintf(sub, sizeof(sub), "%s.TmpfsOptions.Options", field);
        if (go_array(t[TM_OPTIONS], sub, d, &arr) < 0 || !arr)
                return;
        json_array_foreach(arr, i, o) {
                const char *s = NULL;
                if (json_is_array(o) && json_array_size(o) == 1)
                        s = json_string_value(json_array_get(o, 0));
                if (s && strcmp(s, "noexec") == 0)
                        continue;
                if (s && strcmp(s, "exec") == 0 && p->tmpfs_exec)
                        continue;
                decision_add(d, RULE_MOUNTS, "%s[%zu] is not [\"noexec\"]%s; remove it", sub, i,
                             p->tmpfs_exec ? " or [\"exec\"]" : " (exec needs the policy's tmpfs_exec)");
        }
}
