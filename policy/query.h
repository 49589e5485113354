/* URL query strings, parsed as Go's url.ParseQuery does (dockerd reads its parameters this way).
 *
 * Pairs are split on '&'; a ';' anywhere, or an invalid %-escape, is an error (Go 1.17+ rejects both,
 * and a plugin that guessed differently would read another value than the daemon).  '+' means space.
 * Keys are kept exactly (Go's query keys are case-sensitive).  No allocation: the struct holds its
 * own storage. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define QUERY_MAX_PAIRS 64
#define QUERY_MAX_BYTES 8192

struct query_pair {
        const char *key;     /* decoded, NUL-terminated, points into query.buf */
        const char *value;   /* decoded, NUL-terminated ("" when there was no '=') */
};

struct query {
        size_t n;
        struct query_pair pairs[QUERY_MAX_PAIRS];
        char buf[QUERY_MAX_BYTES];
};

/* The value of a hex digit (either case), or -1: the %XX escapes of URLs. */
int hex_value(char c);

/* Parse `raw` (the part after '?', without it; may be NULL or empty).  0 on success; -EINVAL on ';'
 * or a bad escape; -E2BIG over the caps.  On failure *ret is left empty (n = 0). */
int query_parse(const char *raw, struct query *ret);

/* How many times `key` occurs. */
size_t query_count(const struct query *q, const char *key);

/* The first value of `key` (Go's Values.Get), or NULL when absent. */
const char *query_get(const struct query *q, const char *key);
