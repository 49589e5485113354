/* Logging: see log.h. */
#define _GNU_SOURCE   /* the GNU strerror_r, which returns the text */
#include "authz/log.h"

#include "policy/escape.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Long enough for any message we write; a longer one is cut with "...", never split in two lines. */
#define LOG_LINE_MAX 4096

static atomic_int max_level = LOG_INFO;

int log_get_max_level(void)
{
        return atomic_load_explicit(&max_level, memory_order_relaxed);
}

void log_set_max_level(int level)
{
        if (level < LOG_EMERG)
                level = LOG_EMERG;
        if (level > LOG_DEBUG)
                level = LOG_DEBUG;
        atomic_store_explicit(&max_level, level, memory_order_relaxed);
}

int log_level_from_string(const char *s, int *ret_level)
{
        static const struct {
                const char *name;
                int level;
        } names[] = {
                { "error", LOG_ERR },     { "err", LOG_ERR },  { "3", LOG_ERR },
                { "warning", LOG_WARNING }, { "warn", LOG_WARNING }, { "4", LOG_WARNING },
                { "info", LOG_INFO },     { "6", LOG_INFO },
                { "debug", LOG_DEBUG },   { "7", LOG_DEBUG },
        };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strcasecmp(s, names[i].name) == 0) {
                        *ret_level = names[i].level;
                        return 0;
                }
        return -EINVAL;
}

int log_internal(int level, int error, const char *fmt, ...)
{
        char line[LOG_LINE_MAX];
        size_t len = 0;
        int saved_errno = errno;   /* logging must not clobber the caller's errno */
        int e = error < 0 ? -error : error;
        va_list ap;
        int n;

        if (level < LOG_EMERG || level > LOG_DEBUG)
                level = LOG_ERR;

        n = snprintf(line, sizeof(line), "<%d>", level);
        if (n > 0)
                len = (size_t) n;

        va_start(ap, fmt);
        n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
        va_end(ap);
        if (n > 0)
                len = (size_t) n >= sizeof(line) - len ? sizeof(line) - 1 : len + (size_t) n;

        if (e != 0 && len < sizeof(line) - 1) {
                char ebuf[128];
                n = snprintf(line + len, sizeof(line) - len, ": %s",
                             strerror_r(e, ebuf, sizeof(ebuf)));
                if (n > 0)
                        len = (size_t) n >= sizeof(line) - len ? sizeof(line) - 1 : len + (size_t) n;
        }

        /* Cut: mark it, and keep room for the newline. */
        if (len >= sizeof(line) - 1) {
                len = sizeof(line) - 5;
                memcpy(line + len, "...", 3);   // NOLINT(bugprone-not-null-terminated-result): counted, written with its length
                len += 3;
        }
        line[len++] = '\n';

        /* One write(2) per line: concurrent threads' lines do not interleave.  A failed write to
         * stderr has nowhere to be reported. */
        for (size_t off = 0; off < len;) {
                ssize_t w = write(STDERR_FILENO, line + off, len - off);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                off += (size_t) w;
        }

        errno = saved_errno;
        return -e;
}

const char *log_escape(const char *s, char *buf, size_t size)
{
        if (!buf || size < 8) {
                if (buf && size > 0)
                        buf[0] = '\0';
                return buf;
        }
        if (!s) {
                snprintf(buf, size, "(null)");
                return buf;
        }
        escape_str(s, ESCAPE_NO_MAX, ESCAPE_QUOTE, buf, size);
        return buf;
}
