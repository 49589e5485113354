/* Reading request JSON the way dockerd's Go encoding/json does.
 *
 * Go matches object keys to struct fields case-insensitively, with Unicode simple folding: besides
 * ASCII case, 'ſ' (U+017F) matches s and the Kelvin sign (U+212A) matches k.  When two keys of one
 * object reach the same field, Go keeps the last; we deny instead, because a checker that reads the
 * first would be bypassed (e.g. "Privileged":false,"privileged":true).  Map-typed fields (Labels,
 * Sysctls, Tmpfs ...) keep exact keys; duplicates there are rejected by the parser
 * (JSON_REJECT_DUPLICATES).  A null or missing field is Go's zero value.  Type mismatches, which make
 * dockerd fail the request anyway, are denied as "shape" violations rather than guessed at. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "policy/decision.h"

#define GOSTRUCT_MAX_FIELDS 96

/* A Go struct's JSON field names, in the order of the caller's field enum. */
struct gostruct {
        const char *name;              /* for messages: "HostConfig" */
        const char *const *fields;
        size_t n;
        bool strict;                   /* unknown keys are violations (dockerd would ignore them) */
};

/* A struct's fields as an X-macro list X(ID, "Name"): FIELD_ENUM makes its enum, FIELD_NAME the
 * `fields` array in the same order. */
#define FIELD_ENUM(id, s) id,
#define FIELD_NAME(id, s) [id] = (s),

/* Does the JSON key `key` reach the Go field `field` (ASCII)? */
bool gojson_key_matches(const char *key, const char *field);

/* Install this library's jansson allocators (json_set_alloc_funcs: the out-of-memory guard of
 * gojson_loadb and the request arena below) for the whole process.  Every program that links the
 * library calls it once, first thing in main() (the unit tests' CU_MAIN, the fuzz targets'
 * LLVMFuzzerInitialize), before any JSON value is made: jansson frees a value with the allocator
 * current at the time, which must be the one that made it.  Idempotent and thread-safe
 * (pthread_once), so a second call does nothing.  Nothing replaces jansson's allocators after it.
 *
 * Without it, linking the library changes nothing in the process, and the library fails closed:
 * gojson_loadb returns NULL with err->text GOJSON_NOT_INITIALISED (so every policy load and every
 * decision that parses JSON fails: a deny), and the arena is never used. */
void gojson_init(void);
#define GOJSON_NOT_INITIALISED "arandu-authz library not initialised (gojson_init was not called)"

/* json_loadb for request JSON, safe when memory runs out.  jansson's lexer ignores a failed
 * allocation when it saves a token's bytes (lex_save in load.c, 2.14 and upstream): the byte is
 * dropped and parsing goes on, so "Memory":10737418240 can come out as 1073741824, or a later escape
 * check hits assert(0).  Under the allocators gojson_init installs, inside gojson_loadb, the first
 * failed allocation makes every later one of the same parse fail too, and a parse during which any
 * allocation failed is discarded: NULL, with err->text "out of memory".  Before gojson_init: NULL,
 * err->text GOJSON_NOT_INITIALISED, nothing parsed.  Same contract as json_loadb otherwise (new
 * reference).  For flags 0 and JSON_REJECT_DUPLICATES the one-pass scanner of jsonscan.h builds the
 * value, and hands to json_loadb what it does not cover. */
json_t *gojson_loadb(const char *buf, size_t len, size_t flags, json_error_t *err);

/* Scope the JSON values of one request to a per-thread arena: between begin and end, jansson's
 * allocations on this thread come from one reused chunk (plain malloc once it is full) and their
 * release costs nothing.  Every value made in between must be released before end, which returns
 * how many were not (0; otherwise a bug, and this thread stops using its arena, so that those
 * values stay valid).  Not nested. */
void gojson_arena_begin(void);
size_t gojson_arena_end(void);
/* False once a request's values outlived it on this thread, after gojson_arena_disable(), and
 * before gojson_init() (begin does nothing then). */
bool gojson_arena_usable(void);
/* Plain malloc for this thread's requests from now on: the allocation-failure tests use it to reach
 * every allocation (with the arena, the same code paths allocate from malloc only when it is full). */
void gojson_arena_disable(void);

/* Bind the keys of `obj` to the fields of `st`: ret_vals[i] is the value (borrowed) of field i, or
 * NULL.  `obj` may be NULL or JSON null (all fields NULL).  Every colliding key, unknown key (when
 * strict) or non-object is recorded in `d` under rule "shape", naming `path`.
 * Returns 0, or -EINVAL when anything was recorded. */
int gojson_bind(json_t *obj, const struct gostruct *st, const char *path,
                json_t **ret_vals, struct decision *d);

/* Typed reads with Go's semantics: NULL (missing) or JSON null is the zero value.  A wrong type is
 * recorded as a "shape" violation naming `path`, the zero value is returned, and -EINVAL. */
int go_bool(const json_t *v, const char *path, struct decision *d, bool *ret);
int go_int64(const json_t *v, const char *path, struct decision *d, int64_t *ret);
int go_string(const json_t *v, const char *path, struct decision *d, const char **ret);
/* Arrays and objects: *ret is NULL for missing/null, else the borrowed value. */
int go_array(json_t *v, const char *path, struct decision *d, json_t **ret);
int go_object(json_t *v, const char *path, struct decision *d, json_t **ret);

/* Number of entries of an array or object value (0 for NULL/null). */
size_t go_len(const json_t *v);
