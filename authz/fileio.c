/* Whole files in and out: see fileio.h. */
#include "authz/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authz/cleanup.h"
#include "policy/buf.h"

int file_read_all(const char *path, size_t cap, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = -1;
        _cleanup_buf_ struct buf buf;
        char chunk[64 * 1024];

        buf_init(&buf, sizeof(chunk), cap);
        if (strcmp(path, "-") == 0)
                fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        else
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;

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

        if ((size_t) snprintf(tmp, sizeof(tmp), "%s.arandu-authz.new", path) >= sizeof(tmp))
                return -ENAMETOOLONG;
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
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
