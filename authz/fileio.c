/* Whole files in and out: see fileio.h. */
#define _GNU_SOURCE   /* mkostemp(3) */
#include "authz/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authz/cleanup.h"
#include "policy/buf.h"

static int read_fd(int fd, size_t cap, char **ret, size_t *ret_len)
{
        _cleanup_buf_ struct buf buf;
        char chunk[64 * 1024];

        buf_init(&buf, sizeof(chunk), cap);
        for (;;) {
                ssize_t n = read(fd, chunk, sizeof(chunk));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                int r = buf_append(&buf, chunk, (size_t) n);
                if (r < 0)
                        return r;   /* -E2BIG past cap */
        }
        return buf_steal(&buf, ret, ret_len);
}

int file_read_all(const char *path, size_t cap, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = -1;

        if (strcmp(path, "-") == 0)
                fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        else
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_fd(fd, cap, ret, ret_len);
}

int file_read_regular(const char *path, size_t cap, char **ret, size_t *ret_len, struct stat *ret_st)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if (ret_st)
                *ret_st = st;
        return read_fd(fd, cap, ret, ret_len);
}

static int write_all(int fd, const char *p, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
        char tmp[4200], dir[4200];
        int r;

        /* A new name each time: a file left by a crash, or made by someone else, is never reused. */
        if ((size_t) snprintf(tmp, sizeof(tmp), "%s.arandu-authz.XXXXXX", path) >= sizeof(tmp))
                return -ENAMETOOLONG;
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = write_all(fd, data, len);
        if (r == 0 && (fchmod(fd, mode) < 0 || fsync(fd) < 0 || rename(tmp, path) < 0))
                r = -errno;
        if (r < 0) {
                (void) unlink(tmp);
                return r;
        }
        snprintf(dir, sizeof(dir), "%s", path);
        char *slash = strrchr(dir, '/');
        if (!slash)
                snprintf(dir, sizeof(dir), ".");
        else
                *(slash == dir ? slash + 1 : slash) = '\0';
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0)
                (void) fsync(dfd);
        return 0;
}
