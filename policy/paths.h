/* Host and container paths: lexical cleaning (Go's path.Clean) and containment after resolving
 * symlinks, for bind-mount sources. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Go's path.Clean of `in` into buf.  -E2BIG if it does not fit, else the length. */
int path_clean(const char *in, char *buf, size_t size);

/* Does `path` have a ".." segment? */
bool path_has_dotdot(const char *path);

/* Resolve symlinks in `path` (absolute) as far as it exists: the longest existing prefix goes
 * through realpath(3) (or the same through /proc/self/fd), the rest, which does not exist yet, is
 * appended.  A component that exists
 * but cannot be followed (a dangling symlink, a loop, no permission) is an error: dockerd would
 * create or mount through it, and we cannot tell where it leads.  0 or -errno. */
int path_resolve(const char *path, char *buf, size_t size);

/* Is `path` strictly inside `root` (a descendant, not root itself)?  Both must be clean. */
bool path_strictly_inside(const char *path, const char *root);

/* Check a bind source: absolute, no "..", and (cleaned) an existing directory directly inside
 * `root`, itself not a symlink (`root` is resolved first).  0 when it is; otherwise -EPERM
 * (elsewhere, deeper, a symlink), -EINVAL (relative or ".."), -ENOENT, -ENOTDIR or another -errno,
 * with a sentence in why. */
int path_check_source(const char *src, const char *root, char *why, size_t whysz);
