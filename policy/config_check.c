/* The checks of a loaded policy across its settings, and the warnings about allowed-but-risky
 * values, run once on the final values of every layer (policy/config.c, policy_load).  A setting
 * some layer gave an invalid value for (l->bad) is left out of the cross-checks: its own error
 * already says what to fix. */

#include "policy/config_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "policy/actions.h"
#include "policy/paths.h"

static void check_dir_exists(struct loader *l, enum setting_id id, const char *dir)
{
        struct stat st;

        if (stat(dir, &st) < 0) {
                int err = errno;
                if (err == ENOENT)
                        config_warn(l, "%s: %s does not exist yet", config_who(l, id), Q(dir));
                else
                        config_warn(l, "%s: %s cannot be checked: %s", config_who(l, id), Q(dir), strerror(err));
        } else if (!S_ISDIR(st.st_mode)) {
                config_warn(l, "%s: %s is not a directory", config_who(l, id), Q(dir));
        } else if ((st.st_mode & S_IWOTH) || (st.st_uid == (uid_t) l->p->uid && (st.st_mode & S_IWUSR)) ||
                   (st.st_gid == (gid_t) l->p->uid && (st.st_mode & S_IWGRP))) {
                /* Bind sources are its direct children: whoever can rename entries here can swap
                 * one for a symlink between our check and dockerd's mount. */
                config_warn(l, "%s: %s can be written by %s; whoever can write there can swap a bind source "
                     "for a symlink before dockerd mounts it; make it owned by root, mode 0755",
                     config_who(l, id), Q(dir), (st.st_mode & S_IWOTH) ? "every user" :
                     st.st_uid == (uid_t) l->p->uid ? "the jobs' uid" : "the jobs' group");
        }
}

/* Checks across settings, and the warnings, on the final values. */
void config_check(struct loader *l)
{
        const struct policy *p = l->p;

        if (!l->bad[S_REPOS] && !l->bad[S_ARTIFACTS]) {
                if (streq(p->repos_dir, p->artifacts_dir))
                        config_fail(l, "%s: %s is also %s; repositories (read-only) and artifacts "
                             "(writable) need separate directories",
                             config_who(l, S_ARTIFACTS), Q(p->artifacts_dir), config_who(l, S_REPOS));
                else if (path_strictly_inside(p->artifacts_dir, p->repos_dir))
                        config_fail(l, "%s: %s is inside %s %s; a writable artifacts bind would overlap "
                             "the read-only repositories", config_who(l, S_ARTIFACTS), Q(p->artifacts_dir),
                             config_who(l, S_REPOS), Q(p->repos_dir));
                else if (path_strictly_inside(p->repos_dir, p->artifacts_dir))
                        config_fail(l, "%s: %s is inside %s %s; repositories would be writable through "
                             "the artifacts bind", config_who(l, S_REPOS), Q(p->repos_dir),
                             config_who(l, S_ARTIFACTS), Q(p->artifacts_dir));
        }

        if (!p->readonly_rootfs)
                config_warn(l, "%s: a read-only root filesystem is not required; containers may write "
                     "to their image layer", config_who(l, S_READONLY));
        if (p->pids_limit == 0)
                config_warn(l, "%s: 0, no pids limit is required; a fork bomb in one container can "
                     "exhaust the host's processes", config_who(l, S_PIDS));
        if (!p->no_new_privileges)
                config_warn(l, "%s: no-new-privileges is not required; a setuid-root binary in an image "
                     "makes the job root inside its container", config_who(l, S_NNP));
        if (p->allow_builds)
                config_warn(l, "%s: classic builds are allowed (networkmode=none, within the limits); "
                     "each RUN step runs as root inside its container", config_who(l, S_BUILDS));
        if (p->tmpfs_exec)
                config_warn(l, "%s: a tmpfs may be mounted exec; a job can run programs it writes there "
                     "even on a read-only root", config_who(l, S_TMPFS_EXEC));
        if (p->allow_network_settings && p->network == NETWORK_BRIDGE)
                config_warn(l, "%s: bridge containers may set Dns, ExtraHosts, MacAddress and Links%s",
                     config_who(l, S_NET_SETTINGS),
                     p->n_domains ? " (not Dns or ExtraHosts: they would route around allowlist_domains)" : "");
        if (p->network == NETWORK_BRIDGE)
                config_warn(l, "%s: bridge networking is allowed; containers can reach the network "
                     "through the default bridge", config_who(l, S_NETWORK));
        if (p->accept_user_name)
                config_warn(l, "%s: User %s is accepted besides UID %" PRIu32 "; a name resolves inside "
                     "the image, where it can be UID 0: use only with trusted images",
                     config_who(l, S_ACCEPT_USER_NAME), Q(p->user), p->uid);
        for (size_t i = 0; i < p->n_cap_add; i++)
                config_warn(l, "%s: containers may add capability %s", config_who(l, S_CAPS), p->cap_add[i]);
        for (size_t i = 0; i < policy_rule_count(); i++)
                if (p->warn_rules >> i & 1)
                        config_warn(l, "%s: rule %s only warns; requests that break it are allowed and "
                             "audited", config_who(l, S_RULE_ACTIONS), policy_rule_id(i));
        if (!l->bad[S_REPOS])
                check_dir_exists(l, S_REPOS, p->repos_dir);
        if (!l->bad[S_ARTIFACTS])
                check_dir_exists(l, S_ARTIFACTS, p->artifacts_dir);
}

