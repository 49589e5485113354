/* Loading an AuthZ envelope without paying for a general JSON parser on the common case.
 *
 * dockerd's envelopes are flat: a JSON object of short ASCII strings (method, URI, user), one long
 * ASCII string (the base64 body) and one object of ASCII header strings.  jansson's lexer costs tens
 * of nanoseconds per byte, most of it on the base64 string, which the decision only copies.  The fast
 * path here scans exactly that shape and builds the same jansson value; anything else (an escape, a
 * byte outside printable ASCII, a number, an array, deeper nesting, a duplicate key, a syntax error,
 * too many keys) is handed to json_loadb(), so results and error texts are jansson's own. */
#pragma once

#include <jansson.h>
#include <stddef.h>

/* Exactly json_loadb(buf, len, JSON_REJECT_DUPLICATES, err): a new reference, or NULL with `err`
 * filled in; except when an allocation fails, on either path: then NULL with "out of memory" (see
 * gojson_loadb), never a retry or a value built after the failure. */
json_t *envelope_load(const char *buf, size_t len, json_error_t *err);
