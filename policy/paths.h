/* Host and container paths: lexical cleaning (Go's path.Clean) and containment after resolving
 * symlinks, for bind-mount sources and for the directories the policy names (policy/config*.c):
 * the one cleaner and the one containment check of the library. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Go's path.Clean of `in` into buf: "//" collapsed, "." segments and a trailing '/' dropped, ".."
 * resolved lexically (never above "/"), "" as ".".  -E2BIG if it does not fit `size` with its NUL
 * (the input may be longer, but a segment that a later ".." removes must fit too), else the length. */
int path_clean(const char *in, char *buf, size_t size);

enum {
        /* Refuse a ".." segment, -EINVAL, rather than resolve it: what it means depends on
         * symlinks, and a path that reads differently to the admin and to the mount checks is how
         * binds escape.  The error is that of the first segment in order that fails (".." or too
         * long). */
        PATH_CLEAN_REFUSE_DOTDOT = 1 << 0,
};

/* path_clean() with flags (PATH_CLEAN_*); path_clean(in, ...) is path_clean_flags(in, 0, ...). */
int path_clean_flags(const char *in, unsigned flags, char *buf, size_t size);

/* Does `path` have a ".." segment? */
bool path_has_dotdot(const char *path);

/* Resolve symlinks in `path` (absolute) as far as it exists: the longest existing prefix goes
 * through realpath(3) (or the same through /proc/self/fd), the rest, which does not exist yet, is
 * appended.  A component that exists
 * but cannot be followed (a dangling symlink, a loop, no permission) is an error: dockerd would
 * create or mount through it, and we cannot tell where it leads.  0 or -errno. */
int path_resolve(const char *path, char *buf, size_t size);

/* Is `path` strictly inside `root` (a descendant, not root itself)?  Both must be clean: then
 * "/srv/ab" is not inside "/srv/a", and everything but "/" is inside "/".  "Equal or inside" is
 * streq(path, root) || path_strictly_inside(path, root). */
bool path_strictly_inside(const char *path, const char *root);

/* Check a bind source: absolute, no "..", and (cleaned) an existing directory directly inside
 * `root`, itself not a symlink (`root` is resolved first).  0 when it is; otherwise -EPERM
 * (elsewhere, deeper, a symlink), -EINVAL (relative or ".."), -ENOENT, -ENOTDIR or another -errno,
 * with a sentence in why. */
int path_check_source(const char *src, const char *root, char *why, size_t whysz);
