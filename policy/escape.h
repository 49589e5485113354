/* One escaper for user-controlled strings shown to people: deny messages (quote_value,
 * policy/decision.h), configuration problem lines (config_quote, policy/config_internal.h) and log
 * lines (log_escape, authz/log.h).
 *
 * The output is printable ASCII whatever the input: `"` and `\` are backslash-escaped, every other
 * byte below 0x20 or from 0x7f up is written as \xNN, so that a crafted value can neither forge a
 * second line nor send escape sequences to a terminal, and look-alike bytes show.  UTF-8 is escaped
 * byte by byte too: a cut inside a sequence still leaves valid (ASCII) output. */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum {
        ESCAPE_QUOTE     = 1 << 0,   /* wrap the output in double quotes */
        ESCAPE_SEMICOLON = 1 << 1,   /* ';' as \x3b: it separates the violations of a deny message */
};

/* No cut on input bytes: only the output size cuts. */
#define ESCAPE_NO_MAX SIZE_MAX

/* Escape at most `max` input bytes of `s` (not NULL) into buf, NUL-terminated, never writing more
 * than `size` bytes.  When bytes of `s` are left out (past `max`, or the next escape would not
 * leave room for the end), the output ends in "..." (before the closing quote), so a cut value
 * never looks whole.  Room for that end is always kept, so a value that would just fit without it
 * is cut anyway: where a cut falls depends on `size` alone, not on what follows.
 *
 * A buffer too small for the shortest cut output (`"..."` and NUL: 6 bytes quoted, 4 unquoted)
 * gets "" (when size > 0): never half an escape or a quote that does not close.
 * Returns the length written (without the NUL). */
size_t escape_str(const char *s, size_t max, unsigned flags, char *buf, size_t size);
