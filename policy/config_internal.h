/* Internal to policy/config*.c: what the loader's files share.  Not for the rest of policy/.
 *
 *   policy/config.c           layers (defaults < policy file < environment), problem lines, load,
 *                             reference counting
 *   policy/config_settings.c  each setting: its JSON and environment parsers, its row in the table
 *   policy/config_check.c     checks across settings, and the warnings, on the final values
 *   policy/config_print.c     the policy printed as a policy file, and its digest
 *   policy/units.c            numbers, sizes and CPU counts (shared with the rules) */
#pragma once

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/policy.h"

/* ---- small helpers ----------------------------------------------------------------------------- */

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
#define _cleanup_json_  __attribute__((cleanup(json_decrefp)))   /* jansson's helper */
#define _cleanup_free_  __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

static inline bool streq(const char *a, const char *b) { return strcmp(a, b) == 0; }
/* ASCII classes by hand: <ctype.h> follows the locale, and config values must not. */
static inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
static inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
static inline char to_lower(char c) { return (char) (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); }
static inline char to_upper(char c) { return (char) (c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c); }

/* Copy a string into a fixed field, zero-filling the rest so that two equal policies are equal
 * bytes too.  -E2BIG (field untouched) when it does not fit. */
static inline int copy_str(char *dst, size_t size, const char *src)
{
        size_t n = strlen(src);
        if (n >= size)
                return -E2BIG;
        memset(dst, 0, size);
        memcpy(dst, src, n + 1);   /* n < size */
        return 0;
}

/* User-controlled values in problem lines are quoted and cut, so one line stays one readable line. */
#define QUOTE_CUT         80

/* A user-controlled value quoted for a problem line: "...", with quotes, backslashes, control and
 * non-ASCII bytes escaped (env values need not be UTF-8, and lines go to terminals and journald),
 * cut after QUOTE_CUT bytes (escape_str() in policy/escape.h; `s` not NULL).  Returned by value
 * so it can be used inline in a format call; the temporary lives until the end of that full
 * expression (C11 6.2.4p8). */
struct quoted {
        char str[QUOTE_CUT * 4 + 8];
};

struct quoted config_quote(const char *s);
#define Q(s) (config_quote(s).str)

static inline const char *json_kind(const json_t *v)
{
        if (!v)
                return "nothing";
        switch (json_typeof(v)) {
        case JSON_OBJECT:  return "an object";
        case JSON_ARRAY:   return "an array";
        case JSON_STRING:  return "a string";
        case JSON_INTEGER: return "an integer";
        case JSON_REAL:    return "a real number";
        case JSON_TRUE:
        case JSON_FALSE:   return "a boolean";
        case JSON_NULL:    return "null";
        }
        return "an unknown JSON value";
}

/* ---- the loader ------------------------------------------------------------------------------ */

enum setting_id {
        S_USER,
        S_UID,
        S_ACCEPT_USER_NAME,
        S_CPU,
        S_MEMORY,
        S_PIDS,
        S_NNP,
        S_RESTART,
        S_ULIMITS,
        S_BUILDS,
        S_TMPFS_EXEC,
        S_NET_SETTINGS,
        S_NETWORK,
        S_READONLY,
        S_DOMAINS,
        S_REPOS,
        S_ARTIFACTS,
        S_TMPFS,
        S_CAPS,
        S_DOCKER_HOST,
        S_DENY_AUDIT,
        S_RULE_ACTIONS,
        S__MAX,
};

struct loader {
        struct policy *p;
        struct policy_problems *pr;
        const char *by[S__MAX];   /* label of the last layer that set it; NULL: the default */
        bool bad[S__MAX];         /* some layer gave an invalid value: skip cross-checks on it */
};

/* Record a problem line (printf format; the table is bounded, see policy_problems).  config_fail()
 * is for errors and returns -EINVAL, so a parser can `return config_fail(...)`. */
__attribute__((format(printf, 2, 3)))
int config_fail(struct loader *l, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
void config_warn(struct loader *l, const char *fmt, ...);

/* How a problem about a setting names it: the layer that set it, or for a default the variable
 * (or key) an admin would use to change it.  Borrowed, static or from the settings table. */
const char *config_who(const struct loader *l, enum setting_id id);

/* ---- the settings (policy/config_settings.c) ---------------------------------------------------- */

struct setting {
        const char *key;          /* policy-file key, also the printed key */
        const char *file_label;   /* "policy file <key>", how problems name it */
        const char *env;          /* environment variable, NULL: file only */
        int (*from_json)(struct loader *l, const char *label, json_t *v);
        int (*from_env)(struct loader *l, const char *label, const char *s);
};

/* One row per setting, indexed by enum setting_id. */
extern const struct setting config_settings[S__MAX];

/* The ulimit names dockerd knows, indexed as policy->ulimit_max. */
extern const char *const config_ulimit_names[POLICY_ULIMITS];

/* ---- checks (policy/config_check.c) ------------------------------------------------------------- */

/* Checks across settings, and the warnings, on the final values: problem lines through l. */
void config_check(struct loader *l);
