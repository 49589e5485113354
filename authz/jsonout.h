/* Writing JSON text by hand into one buffer: the audit line, and the answers to dockerd.
 *
 * Strings are escaped exactly as jansson 2.14's json_dumpb(JSON_COMPACT) escapes them, so that text
 * written here is byte for byte what jansson would print (tests/fuzz/audit_diff.h holds the audit
 * line to that): `"` and `\`, \b \f \n \r \t, any other byte below 0x20 as \u00XX (upper-case hex);
 * '/', DEL and non-ASCII characters as they are; and, where jansson would refuse the string, each
 * byte of an invalid UTF-8 sequence as U+FFFD, as audit_json_string() does.
 *
 * The text starts on the stack and moves to the heap, doubling, only when it outgrows it (a
 * policy/buf.h buffer over the stack); a failed allocation drops the rest and jsonout_finish()
 * reports it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "policy/buf.h"

#define JSONOUT_STACK 4096
/* Far above the longest text the fixed-size inputs can make (48 violations of 384 bytes, each byte
 * escaped to six, and the request's fields: about 120 KiB), so that only a bug could reach it, and
 * then not exhaust memory. */
#define JSONOUT_MAX (1u << 20)

struct jsonout {
        struct buf b;   /* over `stack` until the text outgrows it */
        char stack[JSONOUT_STACK];
};

void jsonout_init(struct jsonout *o);

static inline void jsonout_mem(struct jsonout *o, const char *s, size_t n)
{
        (void) buf_append(&o->b, s, n);   /* a failure is sticky: jsonout_finish() reports it */
}

/* A string literal (its length known at compile time), as it is. */
#define jsonout_lit(o, lit) jsonout_mem((o), "" lit, sizeof(lit) - 1)

/* s[0..n) as a quoted JSON string (see above). */
void jsonout_string(struct jsonout *o, const char *s, size_t n);

/* A NUL-terminated string that needs no escaping (our own constants), as it is. */
static inline void jsonout_plain(struct jsonout *o, const char *s)
{
        jsonout_mem(o, s, strlen(s));
}

/* The text as a new buffer of its size plus a NUL (one malloc() when it stayed on the stack; a
 * heap buffer is shrunk when much of it is unused), its length without the NUL in *ret_len.
 * 0, or -ENOMEM (-E2BIG past JSONOUT_MAX) with nothing allocated and *ret untouched. */
int jsonout_finish(struct jsonout *o, char **ret, size_t *ret_len);
