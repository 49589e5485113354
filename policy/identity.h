/* The identity dockerd gives a container's process or an exec: its user lookup, from the image's
 * own /etc/passwd and /etc/group (see identity.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/decision.h"
#include "policy/policy.h"

#define IDENTITY_GROUPS_MAX 64
#define IDENTITY_NAME_MAX   256

/* The two files as read from the container; NULL for one that does not exist (dockerd then looks
 * up nothing in it). */
struct identity_files {
        const char *passwd;
        size_t passwd_len;
        const char *group;
        size_t group_len;
};

struct identity {
        int64_t uid, gid;
        int64_t groups[IDENTITY_GROUPS_MAX];   /* supplementary, GroupAdd included */
        size_t n_groups;
        bool too_many_groups;
};

/* Resolve `spec` ("user[:group]", user and group each a name or a number) and the container's
 * GroupAdd entries as dockerd will.  0, or -errno with a sentence in why (a name that is not there,
 * a line dockerd would refuse). */
int identity_resolve(const char *spec, const struct identity_files *files, const char *const *group_add,
                     size_t n_group_add, struct identity *id, char *why, size_t whysz);

/* Does the identity of `spec` with `n_group_add` GroupAdd entries depend on the image's files?
 * Only "UID:GID" with both numbers and no GroupAdd does not (a numeric GroupAdd entry also matches
 * a group of that name). */
bool identity_needs_lookup(const char *spec, size_t n_group_add);

/* Rule "user": `what` (e.g. "Config.User") resolves to the policy's uid with a gid and every
 * supplementary group other than 0, or a violation naming what it would be. */
void check_identity(const struct policy *p, const char *what, const char *spec, const struct identity_files *files,
                    const char *const *group_add, size_t n_group_add, struct decision *d);

/* The first file of a tar stream (GET /containers/{id}/archive answers one); it must be a regular
 * file.  0 with *data pointing into `tar`, or -EINVAL with a sentence in why. */
int identity_tar_file(const char *tar, size_t len, const char **data, size_t *data_len, char *why, size_t whysz);
