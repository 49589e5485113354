/* The fast path of gojson_loadb(): request JSON parsed in one pass into the same jansson values.
 *
 * jansson's lexer reads one character at a time through a stream, copies every token into a
 * growing buffer and decodes strings in a second pass: about half of a decision's cost, and most of
 * a 1 MiB body's.  This scanner reads the buffer in place (runs of plain string bytes 8 at a time)
 * and builds the values with the same jansson calls in the same order, so the result is the value
 * json_loadb() returns: same types, same key order, and with duplicates allowed the same
 * last-value-in-first-place.
 *
 * It never rules alone on what is not plainly valid.  Anything else returns JSONSCAN_SLOW and the
 * caller asks jansson, whose value or error then stands: a syntax error, a refused duplicate key,
 * an escape jansson refuses (\u0000, a lone surrogate), an integer of 19 digits or more (jansson's
 * range check decides), a real longer than 63 characters, nesting deeper than JSONSCAN_MAX_DEPTH, a
 * top-level value that is not an object or array.  tests/unit/test_jsonscan.c and
 * tests/fuzz/fuzz_jsonscan.c hold it to json_loadb. */
#pragma once

#include <jansson.h>
#include <stddef.h>

/* Objects and arrays nested this deep at most (dockerd's bodies: 5; jansson allows 2048). */
#define JSONSCAN_MAX_DEPTH 32

enum jsonscan_result {
        JSONSCAN_OK,     /* *ret is the value json_loadb would return */
        JSONSCAN_SLOW,   /* not covered here: ask jansson */
        JSONSCAN_OOM,    /* an allocation failed: no value (never retry under memory pressure) */
};

/* Parse buf[0..len) as json_loadb(buf, len, flags) would, for flags 0 or JSON_REJECT_DUPLICATES
 * (other flags: JSONSCAN_SLOW).  JSONSCAN_OK: a new reference in *ret; otherwise *ret is NULL. */
enum jsonscan_result jsonscan_loadb(const char *buf, size_t len, size_t flags, json_t **ret);
