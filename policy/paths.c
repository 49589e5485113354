/* Path cleaning and symlink-resolved containment for bind sources (see paths.h). */
#define _GNU_SOURCE   /* O_PATH */
#include "policy/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int path_clean(const char *in, char *buf, size_t size)
{
        return path_clean_flags(in, 0, buf, size);
}

int path_clean_flags(const char *in, unsigned flags, char *buf, size_t size)
{
        size_t len = 0;
        bool rooted = in[0] == '/';
        size_t floor = rooted ? 1 : 0;   /* ".." never climbs above this */
        size_t dotdot = floor;           /* nor over the leading ".." kept in a relative path (Go's dotdot) */
        const char *p = in;

        if (size < 2)
                return -E2BIG;
        if (rooted)
                buf[len++] = '/';
        while (*p) {
                while (*p == '/')
                        p++;
                const char *seg = p;
                while (*p && *p != '/')
                        p++;
                size_t n = (size_t) (p - seg);
                if (n == 0 || (n == 1 && seg[0] == '.'))
                        continue;
                bool keep = false;
                if (n == 2 && seg[0] == '.' && seg[1] == '.') {
                        if (flags & PATH_CLEAN_REFUSE_DOTDOT)
                                return -EINVAL;
                        if (len > dotdot) {
                                while (len > dotdot && buf[len - 1] != '/')
                                        len--;
                                if (len > dotdot)
                                        len--;      /* the separator */
                                continue;
                        }
                        if (rooted)
                                continue;
                        /* relative path climbing out: keep "..", as Go does */
                        keep = true;
                }
                if (len > floor && n + 1 > size - 1 - len)
                        return -E2BIG;
                if (n > size - 1 - len)
                        return -E2BIG;
                if (len > floor)
                        buf[len++] = '/';
                memcpy(buf + len, seg, n);
                len += n;
                if (keep)
                        dotdot = len;
        }
        if (len == 0)
                buf[len++] = '.';
        buf[len] = '\0';
        return (int) len;
}

bool path_has_dotdot(const char *path)
{
        const char *p = path;
        while (*p) {
                const char *seg = p;
                while (*p && *p != '/')
                        p++;
                if (p - seg == 2 && seg[0] == '.' && seg[1] == '.')
                        return true;
                if (*p)
                        p++;
        }
        return false;
}

/* realpath(3) of an existing path, in three system calls: the kernel follows the whole path once
 * (open with O_PATH: no file is read, no device opened) and /proc names what it reached.  realpath
 * itself reads every component as a possible symlink, a dozen calls for a bind source, on every
 * create.  Without /proc (a bare chroot), realpath.  NULL and errno as realpath's. */
static char *resolve_existing(const char *path, char real[PATH_MAX])
{
        int fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        char link[32];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, real, PATH_MAX);
        close(fd);
        if (n > 0 && n < PATH_MAX && real[0] == '/') {
                real[n] = '\0';
                return real;
        }
        return realpath(path, real);   /* no /proc, or an odd answer from it */
}

/* The length of the longest prefix of the absolute `path` that exists, found from the top: lstat(2)
 * of each prefix in turn until one is missing (for a source under a root not made yet, that is the
 * first call); 1 for "/".  -errno when a prefix cannot be looked at (ENOTDIR, ELOOP, EACCES ...).
 * The whole length when every prefix exists, the last one only as a name (a dangling symlink). */
static ssize_t existing_prefix(char *path)
{
        size_t keep = 1;

        for (size_t i = 1;; i++) {
                char c = path[i];
                if (c != '/' && c != '\0')
                        continue;
                if (path[i - 1] != '/') {   /* the end of a component (clean paths have no "//") */
                        struct stat st;
                        path[i] = '\0';
                        int r = lstat(path, &st), e = errno;
                        path[i] = c;
                        if (r < 0)
                                return e == ENOENT ? (ssize_t) keep : -(ssize_t) (e > 0 ? e : EIO);
                        keep = i;
                }
                if (c == '\0')
                        return (ssize_t) keep;
        }
}

int path_resolve(const char *path, char *buf, size_t size)
{
        char head[PATH_MAX];
        char real[PATH_MAX];
        size_t cut;

        if (size > 0)
                buf[0] = '\0';   /* on failure too: nothing that reads as a path */
        if (path[0] != '/')
                return -EINVAL;
        if (strlen(path) >= sizeof(head))
                return -E2BIG;
        memcpy(head, path, strlen(path) + 1);
        cut = strlen(head);

        if (!resolve_existing(head, real)) {
                int e = errno;
                if (e != ENOENT)
                        return e > 0 ? -e : -EIO;   /* never a success with nothing resolved */
                /* Part of it does not exist yet: resolve the longest prefix that does, and append
                 * the rest, every component of which is truly missing (lstat ENOENT), so that a
                 * dangling symlink is never mistaken for a directory to be made. */
                ssize_t k = existing_prefix(head);
                if (k < 0)
                        return (int) k;
                if ((size_t) k == cut)
                        return -ENOENT;          /* it exists but does not resolve: a dangling link */
                cut = (size_t) k;
                if (cut == 1) {
                        real[0] = '/';           /* "/" always resolves */
                        real[1] = '\0';
                } else {
                        head[cut] = '\0';
                        if (!resolve_existing(head, real)) {
                                e = errno;       /* the prefix is a dangling link (ENOENT), or ... */
                                return e > 0 ? -e : -EIO;
                        }
                }
        }

        const char *rest = path + cut;              /* "" or "/a/b", not yet existing */
        size_t rl = strlen(real);
        if (strcmp(real, "/") == 0 && rest[0] == '/')
                rl = 0;                              /* avoid "//a" */
        if (rl + strlen(rest) + 1 > size)
                return -E2BIG;
        memcpy(buf, real, rl);
        memcpy(buf + rl, rest, strlen(rest) + 1);
        if (buf[0] == '\0') {
                buf[0] = '/';
                buf[1] = '\0';
        }
        return 0;
}

bool path_strictly_inside(const char *path, const char *root)
{
        size_t rl = strlen(root);
        if (strcmp(root, "/") == 0)
                return path[0] == '/' && path[1] != '\0';
        return strncmp(path, root, rl) == 0 && path[rl] == '/' && path[rl + 1] != '\0';
}

int path_check_source(const char *src, const char *root, char *why, size_t whysz)
{
        char clean[PATH_MAX], rroot[PATH_MAX], child[PATH_MAX];
        struct stat st;
        int r;

        if (src[0] != '/') {
                snprintf(why, whysz, "is not an absolute host path");
                return -EINVAL;
        }
        if (path_has_dotdot(src)) {
                snprintf(why, whysz, "contains \"..\"");
                return -EINVAL;
        }
        if (path_clean(src, clean, sizeof(clean)) < 0) {
                snprintf(why, whysz, "is too long");
                return -E2BIG;
        }
        /* Only a direct child: anything deeper lies inside some job's writable tree, where that job
         * can swap a component for a symlink that dockerd follows when it mounts (at a restart,
         * for an archive request) without asking us again. */
        size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
        if (!path_strictly_inside(clean, root) || strchr(clean + rl + 1, '/')) {
                snprintf(why, whysz, "is not a directory directly inside %s", root);
                return -EPERM;
        }
        r = path_resolve(root, rroot, sizeof(rroot));
        if (r < 0) {
                snprintf(why, whysz, "cannot be checked: %s does not resolve (%s)", root, strerror(-r));
                return r;
        }
        if (snprintf(child, sizeof(child), "%s/%s", strcmp(rroot, "/") == 0 ? "" : rroot, clean + rl + 1) >= (int) sizeof(child)) {
                snprintf(why, whysz, "is too long");
                return -E2BIG;
        }
        if (lstat(child, &st) < 0) {
                r = errno;
                if (r == ENOENT)
                        snprintf(why, whysz, "does not exist (dockerd would make it, as root)");
                else
                        snprintf(why, whysz, "cannot be checked (%s)", strerror(r));
                return -r;
        }
        if (S_ISLNK(st.st_mode)) {
                snprintf(why, whysz, "is a symlink");
                return -EPERM;
        }
        if (!S_ISDIR(st.st_mode)) {
                snprintf(why, whysz, "is not a directory");
                return -ENOTDIR;
        }
        return 0;
}
