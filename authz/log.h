/* Logging for the daemon and the command line: one line per message on stderr.
 *
 * Each line starts with a `<N>` syslog priority so that journald files it at the right level when
 * the daemon runs under systemd (sd-daemon(3)'s convention).  A line is formatted into a buffer and
 * written with a single write(2), so the lines of concurrent threads (libmicrohttpd's pool, the
 * audit writer) never interleave.  Messages below the current level cost one comparison: the
 * arguments are not evaluated.
 *
 * Only the daemon side (authz/) logs; policy/ stays pure.  Request bodies, environment values and
 * credentials are never logged; other user-controlled strings go through log_escape() first. */
#pragma once

#include <stddef.h>
#include <syslog.h>   /* LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG */

/* The most verbose level that is written (LOG_INFO unless changed). */
int log_get_max_level(void);
void log_set_max_level(int level);

/* Parse "error", "warning", "info", "debug" (or 3, 4, 6, 7) into a level: 0 or -EINVAL. */
int log_level_from_string(const char *s, int *ret_level);

/* Write one line at `level`.  `error` is 0 or an errno value (either sign), whose strerror text is
 * appended as ": text".  Returns -abs(error), so error paths can return it directly. */
int log_internal(int level, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_full_errno(level, error, ...)                                          \
        ({                                                                         \
                int _level = (level), _e = (error);                                \
                log_get_max_level() >= _level ? log_internal(_level, _e, __VA_ARGS__) \
                                              : -(_e < 0 ? -_e : _e);              \
        })

#define log_error(...)   ((void) log_full_errno(LOG_ERR, 0, __VA_ARGS__))
#define log_warning(...) ((void) log_full_errno(LOG_WARNING, 0, __VA_ARGS__))
#define log_info(...)    ((void) log_full_errno(LOG_INFO, 0, __VA_ARGS__))
#define log_debug(...)   ((void) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__))

/* `return log_error_errno(r, "...")`: logs with strerror(r) appended and evaluates to -abs(r). */
#define log_error_errno(error, ...)   log_full_errno(LOG_ERR, (error), __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, (error), __VA_ARGS__)

/* Quote a user-controlled string for a log line: `"..."`, with `"` and `\` backslash-escaped and
 * every control byte, DEL and non-ASCII byte written as \xNN, so that a crafted name can neither
 * forge a second log line nor send escape sequences to a terminal.  Cut to fit `size` with "...".
 * `s` NULL is written as (null).  Returns buf, always NUL-terminated ("" when size < 8).
 * escape_str() in policy/escape.h, with no cut on input bytes. */
const char *log_escape(const char *s, char *buf, size_t size);

#define LOG_ESCAPE_SIZE 256

/* log_escape() into a buffer that lives until the end of the enclosing block, for use directly in
 * a log call: log_info("bad path %s", LOG_ESC(path)). */
#define LOG_ESC(s) log_escape((s), (char[LOG_ESCAPE_SIZE]){ 0 }, LOG_ESCAPE_SIZE)
