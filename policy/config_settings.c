/* Each setting of the policy: its parsers from the policy file (JSON) and from the environment,
 * and its row in the settings table (policy/config_internal.h, struct setting).
 *
 * A parser validates one value, writes it into the loader's policy, and reports what is wrong as
 * problem lines naming the setting as the admin wrote it (`label`).  A list is replaced only when
 * every entry is good.  Checks that need more than one setting are in policy/config_check.c. */

#include "policy/config_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy/actions.h"
#include "policy/gojson.h"
#include "policy/jsontext.h"
#include "policy/paths.h"
#include "policy/units.h"

/* (uid_t)-1 means "unchanged" to chown/setresuid, and tools that read UIDs as signed 32-bit
 * integers misbehave from 2^31 on: keep the policy UID below both. */
#define POLICY_UID_MAX    INT64_C(2147483646)
/* useradd's and utmp's limit; longer names are not portable across the images' tools. */
#define USER_NAME_MAX     32
/* sizeof(sockaddr_un.sun_path) - 1: a longer DOCKER_HOST could never be connected to. */
#define UNIX_PATH_MAX_    107

/* ------------------------------------------------------------------------------------------------
 * Names and paths
 * --------------------------------------------------------------------------------------------- */

/* The portable user-name set (POSIX portable filename characters, not starting with a digit, '-'
 * or '.').  No ':' (User is "name[:group]") and never all digits (that would be read as a UID). */
static bool valid_user_name(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > USER_NAME_MAX || !(is_alpha(s[0]) || s[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!(is_alnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
                        return false;
        return true;
}

/* NULL when `s` is a DNS host name (RFC 1123 labels, optional leading "*." wildcard), else why not. */
static const char *host_name_problem(const char *s)
{
        const char *name = s;
        size_t label = 0;
        char prev = 0;

        if (!*s)
                return "is empty";
        if (strlen(s) > 253)
                return "is longer than 253 characters";
        if (s[0] == '*' && s[1] == '.')
                name = s + 2;
        for (const char *c = name;; c++) {
                if (*c == '.' || *c == '\0') {
                        if (label == 0)
                                return "has an empty label";
                        if (prev == '-')
                                return "has a label ending with '-'";
                        if (*c == '\0')
                                return NULL;
                        label = 0;
                        continue;
                }
                if (!is_alnum(*c) && *c != '-')
                        return "may hold only letters, digits, '-' and '.' (and a leading \"*.\")";
                if (label == 0 && *c == '-')
                        return "has a label starting with '-'";
                if (++label > 63)
                        return "has a label longer than 63 characters";
                prev = *c;
        }
}

enum path_status {
        PATH_OK = 0,
        PATH_EMPTY,
        PATH_RELATIVE,
        PATH_DOTDOT,
        PATH_CONTROL,
        PATH_UTF8,
        PATH_TOO_LONG,
        PATH__MAX,
};

static const char *const PATH_WHY[PATH__MAX] = {
        [PATH_OK]       = "",
        [PATH_EMPTY]    = "is empty; give an absolute path",
        [PATH_RELATIVE] = "is not an absolute path",
        [PATH_DOTDOT]   = "has a \"..\" segment; give the path without it",
        [PATH_CONTROL]  = "has control characters",
        [PATH_UTF8]     = "is not valid UTF-8",
        [PATH_TOO_LONG] = "is too long",
};

/* Clean an absolute path lexically (path_clean_flags in policy/paths.h): collapse "//", drop "."
 * segments and a trailing '/'.  A ".." segment is refused rather than resolved: what it means
 * depends on symlinks, and a root that reads differently to the admin and to the mount checks is
 * how binds escape. */
static enum path_status clean_abs_path(const char *in, char *out, size_t size)
{
        if (!*in)
                return PATH_EMPTY;
        if (in[0] != '/')
                return PATH_RELATIVE;
        for (const char *c = in; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        return PATH_CONTROL;
        /* strict UTF-8: the policy is printed as JSON, paths reach the JSON audit log */
        if (!json_utf8_valid(in, strlen(in)))
                return PATH_UTF8;
        int r = path_clean_flags(in, PATH_CLEAN_REFUSE_DOTDOT, out, size);
        if (r == -EINVAL)
                return PATH_DOTDOT;
        return r < 0 ? PATH_TOO_LONG : PATH_OK;
}

/* ------------------------------------------------------------------------------------------------
 * Capabilities
 * --------------------------------------------------------------------------------------------- */

/* Every Linux capability (capability.h, up to CAP_CHECKPOINT_RESTORE), without the CAP_ prefix:
 * dockerd refuses unknown names, so a typo here would only hide a rule that never matches. */
static const char *const CAPABILITIES[] = {
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
        "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
        "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
        "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
        "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
        "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

/* Capabilities that would let a container undo the rest of the policy: never allowed. */
static const struct {
        const char *name;
        const char *why;
} FORBIDDEN_CAPS[] = {
        { "SYS_ADMIN",       "mounts, namespaces and most of root's powers" },
        { "SYS_MODULE",      "loads kernel modules" },
        { "SYS_PTRACE",      "traces and injects code into other processes" },
        { "SYS_RAWIO",       "raw I/O ports and device memory" },
        { "DAC_READ_SEARCH", "open_by_handle_at reads any host file (the \"shocker\" escape)" },
        { "NET_ADMIN",       "reconfigures the network, defeating the network policy" },
        { "SYS_BOOT",        "reboots or kexecs the host" },
        { "MAC_ADMIN",       "changes the AppArmor/SELinux policy" },
        { "MAC_OVERRIDE",    "overrides the AppArmor/SELinux policy" },
        { "BPF",             "loads BPF programs into the kernel" },
        { "PERFMON",         "kernel performance monitoring leaks kernel memory layout" },
};

/* ------------------------------------------------------------------------------------------------
 * Parsers
 * --------------------------------------------------------------------------------------------- */

static int type_error(struct loader *l, const char *label, const char *want, const json_t *v)
{
        /* -EINVAL spelled out (config_fail() returns it too): clang's analyzer does not follow variadic
         * calls, and would otherwise assume the want_*() helpers can succeed without setting *ret. */
        (void) config_fail(l, "%s: expected %s, got %s", label, want, json_kind(v));
        return -EINVAL;
}

static int want_string(struct loader *l, const char *label, const json_t *v, const char **ret)
{
        if (!json_is_string(v))
                return type_error(l, label, "a string", v);
        *ret = json_string_value(v);
        return 0;
}

static int want_bool(struct loader *l, const char *label, const json_t *v, bool *ret)
{
        if (!json_is_boolean(v))
                return type_error(l, label, "true or false", v);
        *ret = json_is_true(v);
        return 0;
}

/* --- user, uid --------------------------------------------------------------------------------- */

static int user_set(struct loader *l, const char *label, const char *s)
{
        if (!*s)
                return config_fail(l, "%s: is empty; containers would run as the image's user, often root; "
                            "set a non-root user name", label);
        if (streq(s, "root") || streq(s, "0"))
                return config_fail(l, "%s: %s would run containers as root; set a non-root user name",
                            label, Q(s));
        if (!valid_user_name(s))
                return config_fail(l, "%s: %s is not a valid user name (1-%d of A-Z a-z 0-9 _ . -, "
                            "starting with a letter or _)", label, Q(s), USER_NAME_MAX);
        return copy_str(l->p->user, sizeof(l->p->user), s);
}

static int user_from_json(struct loader *l, const char *label, json_t *v)
{
        const char *s = NULL;
        int r = want_string(l, label, v, &s);
        return r < 0 ? r : user_set(l, label, s);
}

static int uid_set(struct loader *l, const char *label, int64_t uid, const char *shown)
{
        if (uid == 0)
                return config_fail(l, "%s: %s would run containers as root; set a non-root UID", label, shown);
        if (uid < 1 || uid > POLICY_UID_MAX)
                return config_fail(l, "%s: %s is out of range; set a UID from 1 to %" PRId64,
                            label, shown, POLICY_UID_MAX);
        l->p->uid = (uint32_t)uid;
        return 0;
}

static int uid_from_json(struct loader *l, const char *label, json_t *v)
{
        char shown[32];

        if (!json_is_integer(v))
                return type_error(l, label, "an integer", v);
        snprintf(shown, sizeof(shown), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return uid_set(l, label, json_integer_value(v), shown);
}

/* Canonical decimal only: the user rule compares UIDs as dockerd's User strings, where "01000" is
 * not "1000"; an admin who wrote it that way should hear so here rather than see every job denied. */
static int uid_from_env(struct loader *l, const char *label, const char *s)
{
        const char *end = s;
        int64_t v = 0;
        int r;

        r = parse_int64(s, 0, INT64_MAX, &end, &v);
        if (r == -ERANGE)
                return config_fail(l, "%s: %s is out of range; set a UID from 1 to %" PRId64,
                            label, Q(s), POLICY_UID_MAX);
        if (r < 0 || *end != '\0' || (s[0] == '0' && s[1] != '\0'))
                return config_fail(l, "%s: %s is not a canonical decimal UID (digits only, no sign, spaces "
                            "or leading zeros)", label, Q(s));
        return uid_set(l, label, v, Q(s));
}

/* --- cpu, memory, pids ------------------------------------------------------------------------- */

static const char *const CPU_WHY[UNITS__MAX] = {
        [UNITS_OK]           = "",
        [UNITS_EMPTY]        = "is empty; set a CPU count > 0 such as \"2.0\"",
        [UNITS_SYNTAX]       = "is not a number; set a decimal CPU count > 0 such as \"2.0\"",
        [UNITS_NOT_FINITE]   = "is not a finite number; set a decimal CPU count > 0 such as \"2.0\"",
        [UNITS_NOT_POSITIVE] = "is not > 0; containers need a CPU limit above 0",
        [UNITS_TOO_PRECISE]  = "has more than 9 decimals; Docker counts CPUs in units of 1e-9",
        [UNITS_FRACTION]     = "is not a number",
        [UNITS_TOO_BIG]      = "is more than 1024 CPUs",
};

static const char *const MEMORY_WHY[UNITS__MAX] = {
        [UNITS_OK]           = "",
        [UNITS_EMPTY]        = "is empty (memory unset); set a size such as \"4g\" (units b k m g)",
        [UNITS_SYNTAX]       = "is not a size; use digits and an optional unit b, k, m or g, e.g. \"4g\"",
        [UNITS_NOT_FINITE]   = "is not a size",
        [UNITS_NOT_POSITIVE] = "is not > 0 (no limit); set a size such as \"4g\"",
        [UNITS_TOO_PRECISE]  = "is not a size",
        [UNITS_FRACTION]     = "has a fraction; use a smaller unit, e.g. \"1536m\" for 1.5g",
        [UNITS_TOO_BIG]      = "is too large (over 2^63-1 bytes)",
};

static int cpu_set(struct loader *l, const char *label, enum units_status st, int64_t nano,
                   const char *shown)
{
        if (st != UNITS_OK) {
                if (st == UNITS_EMPTY)
                        return config_fail(l, "%s: %s", label, CPU_WHY[st]);
                return config_fail(l, "%s: %s %s", label, shown, CPU_WHY[st]);
        }
        l->p->cpu_limit_nano = nano;
        return 0;
}

static int cpu_from_env(struct loader *l, const char *label, const char *s)
{
        int64_t nano = 0;
        enum units_status st = scan_cpus(s, &nano);   /* before reading nano */
        return cpu_set(l, label, st, nano, Q(s));
}


static int cpu_from_json(struct loader *l, const char *label, json_t *v)
{
        char shown[64];
        int64_t nano = 0;

        if (json_is_string(v))
                return cpu_from_env(l, label, json_string_value(v));
        if (json_is_integer(v)) {
                json_int_t n = json_integer_value(v);
                snprintf(shown, sizeof(shown), "%" JSON_INTEGER_FORMAT, n);
                if (n <= 0)
                        return cpu_set(l, label, UNITS_NOT_POSITIVE, 0, shown);
                if (n > UNITS_CPUS_MAX)
                        return cpu_set(l, label, UNITS_TOO_BIG, 0, shown);
                return cpu_set(l, label, UNITS_OK, n * UNITS_NANO_PER_CPU, shown);
        }
        if (json_is_real(v)) {
                enum units_status st = scan_cpus_real(json_real_value(v), &nano);
                snprintf(shown, sizeof(shown), "%.17g", json_real_value(v));
                return cpu_set(l, label, st, nano, shown);
        }
        return type_error(l, label, "a number or a string such as \"2.0\"", v);
}

static int memory_set(struct loader *l, const char *label, enum units_status st, int64_t bytes,
                      const char *shown)
{
        if (st != UNITS_OK) {
                if (st == UNITS_EMPTY)
                        return config_fail(l, "%s: %s", label, MEMORY_WHY[st]);
                return config_fail(l, "%s: %s %s", label, shown, MEMORY_WHY[st]);
        }
        l->p->memory_limit = bytes;
        return 0;
}

static int memory_from_env(struct loader *l, const char *label, const char *s)
{
        int64_t bytes = 0;
        enum units_status st = scan_memory_size(s, &bytes);   /* before reading bytes */
        return memory_set(l, label, st, bytes, Q(s));
}

static int memory_from_json(struct loader *l, const char *label, json_t *v)
{
        char shown[32];

        if (json_is_string(v))
                return memory_from_env(l, label, json_string_value(v));
        if (json_is_integer(v)) {
                json_int_t n = json_integer_value(v);
                snprintf(shown, sizeof(shown), "%" JSON_INTEGER_FORMAT, n);
                return memory_set(l, label, n > 0 ? UNITS_OK : UNITS_NOT_POSITIVE, n, shown);
        }
        return type_error(l, label, "a size string such as \"4g\" or an integer number of bytes", v);
}

static int pids_set(struct loader *l, const char *label, json_int_t n)
{
        if (n < 0)
                return config_fail(l, "%s: %" JSON_INTEGER_FORMAT " is negative; use the most processes a "
                            "container may have (0: not required)", label, n);
        l->p->pids_limit = n;
        return 0;
}

static int pids_from_json(struct loader *l, const char *label, json_t *v)
{
        if (!json_is_integer(v))
                return type_error(l, label, "an integer", v);
        return pids_set(l, label, json_integer_value(v));
}

static int pids_from_env(struct loader *l, const char *label, const char *s)
{
        const char *end = s;
        int64_t n = 0;

        if (parse_int64(s, 0, INT64_MAX, &end, &n) < 0 || *end != '\0')
                return config_fail(l, "%s: %s is not a whole number; use the most processes a container "
                            "may have, such as 1024", label, Q(s));
        return pids_set(l, label, (json_int_t) n);
}

/* --- restart policy, ulimits ------------------------------------------------------------------- */

#define RESTART_RETRIES_MAX 100

static int restart_from_json(struct loader *l, const char *label, json_t *v)
{
        if (!json_is_integer(v))
                return type_error(l, label, "an integer", v);
        json_int_t n = json_integer_value(v);
        if (n < 0 || n > RESTART_RETRIES_MAX)
                return config_fail(l, "%s: %" JSON_INTEGER_FORMAT " is out of range; use 0 (only --restart "
                            "no) to %d", label, n, RESTART_RETRIES_MAX);
        l->p->restart_max_retries = n;
        return 0;
}

const char *const config_ulimit_names[POLICY_ULIMITS] = {
        "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc",
        "rss", "rtprio", "rttime", "sigpending", "stack",
};

int policy_ulimit_index(const char *name)
{
        for (size_t i = 0; i < POLICY_ULIMITS; i++)
                if (streq(name, config_ulimit_names[i]))
                        return (int) i;
        return -ENOENT;
}

/* {"nofile": 1048576, "core": 0}: the ulimits a container may set, each with the most its Soft and
 * Hard values may be.  The object replaces the defaults; every entry is checked and reported. */
static int ulimits_from_json(struct loader *l, const char *label, json_t *obj)
{
        int64_t max[POLICY_ULIMITS];
        const char *key;
        json_t *v;
        int r = 0;

        if (!json_is_object(obj))
                return type_error(l, label, "an object of ulimit name: most value", obj);
        for (size_t i = 0; i < POLICY_ULIMITS; i++)
                max[i] = -1;
        json_object_foreach(obj, key, v) {
                int i = policy_ulimit_index(key);
                if (i < 0) {
                        r = config_fail(l, "%s: %s is not a ulimit dockerd knows", label, Q(key));
                } else if (streq(key, "rtprio") || streq(key, "rttime")) {
                        r = config_fail(l, "%s: %s cannot be allowed: realtime scheduling escapes the CPU "
                                 "limit", label, Q(key));
                } else if (!json_is_integer(v) || json_integer_value(v) < 0) {
                        r = config_fail(l, "%s: %s: expected a whole number >= 0 (the most Soft and Hard "
                                 "may be)", label, Q(key));
                } else {
                        max[i] = json_integer_value(v);
                }
        }
        if (r == 0)
                memcpy(l->p->ulimit_max, max, sizeof(max));
        return r;
}


/* --- network, rootfs, booleans ----------------------------------------------------------------- */

static int network_set(struct loader *l, const char *label, const char *s)
{
        if (streq(s, "none"))
                l->p->network = NETWORK_NONE;
        else if (streq(s, "bridge"))
                l->p->network = NETWORK_BRIDGE;
        else
                return config_fail(l, "%s: %s is not allowed; use \"none\" or \"bridge\"", label, Q(s));
        return 0;
}

static int network_from_json(struct loader *l, const char *label, json_t *v)
{
        const char *s = NULL;
        int r = want_string(l, label, v, &s);
        return r < 0 ? r : network_set(l, label, s);
}

static int bool_from_env(struct loader *l, const char *label, const char *s, bool *ret)
{
        static const char *const yes[] = { "true", "1", "yes" }, *const no[] = { "false", "0", "no" };

        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
                if (strcasecmp(s, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcasecmp(s, no[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return config_fail(l, "%s: %s is not a boolean; use true or false (also 1/0, yes/no)", label, Q(s));
}

static int readonly_from_env(struct loader *l, const char *label, const char *s)
{
        return bool_from_env(l, label, s, &l->p->readonly_rootfs);
}

static int nnp_from_env(struct loader *l, const char *label, const char *s)
{
        return bool_from_env(l, label, s, &l->p->no_new_privileges);
}

static int nnp_from_json(struct loader *l, const char *label, json_t *v)
{
        return want_bool(l, label, v, &l->p->no_new_privileges);
}

static int builds_from_json(struct loader *l, const char *label, json_t *v)
{
        return want_bool(l, label, v, &l->p->allow_builds);
}

static int tmpfs_exec_from_json(struct loader *l, const char *label, json_t *v)
{
        return want_bool(l, label, v, &l->p->tmpfs_exec);
}

static int net_settings_from_json(struct loader *l, const char *label, json_t *v)
{
        return want_bool(l, label, v, &l->p->allow_network_settings);
}

static int readonly_from_json(struct loader *l, const char *label, json_t *v)
{
        return want_bool(l, label, v, &l->p->readonly_rootfs);
}

static int accept_user_name_from_json(struct loader *l, const char *label, json_t *v)
{
        return want_bool(l, label, v, &l->p->accept_user_name);
}

static int deny_audit_from_json(struct loader *l, const char *label, json_t *v)
{
        return want_bool(l, label, v, &l->p->deny_on_audit_failure);
}

/* --- rule actions ------------------------------------------------------------------------------ */

/* {"rootfs": "warn", "pids": "deny"}: every entry is checked and reported; the mask is replaced only
 * when all are good.  Keys are exact rule ids (as the audit log and messages print them). */
static int rule_actions_from_json(struct loader *l, const char *label, json_t *obj)
{
        uint64_t mask = l->p->warn_rules;
        const char *key;
        json_t *v;
        int r = 0;

        if (!json_is_object(obj))
                return type_error(l, label, "an object of rule id: \"deny\" or \"warn\"", obj);
        json_object_foreach(obj, key, v) {
                const char *s = json_string_value(v), *why;
                int i = policy_rule_index(key);

                if (i < 0) {
                        r = config_fail(l, "%s: %s is not a rule id; the ids are those of docs/rules.md "
                                 "and of denial messages", label, Q(key));
                        continue;
                }
                if (!s || (!streq(s, "deny") && !streq(s, "warn"))) {
                        r = config_fail(l, "%s: %s: expected \"deny\" or \"warn\", got %s", label, Q(key),
                                 s ? Q(s) : json_kind(v));
                        continue;
                }
                why = policy_rule_warn_refused((size_t)i);
                if (streq(s, "warn") && why) {
                        r = config_fail(l, "%s: %s cannot be set to warn: %s", label, Q(key), why);
                        continue;
                }
                if (streq(s, "warn"))
                        mask |= UINT64_C(1) << i;
                else
                        mask &= ~(UINT64_C(1) << i);
        }
        if (r < 0)
                return r;
        l->p->warn_rules = mask;
        return 0;
}

/* --- lists ------------------------------------------------------------------------------------- */

/* Host names, lower-cased (DNS is case-insensitive; one spelling keeps later comparisons simple).
 * Every bad entry is reported; the list is replaced only when all are good. */
static int domains_set(struct loader *l, const char *label, json_t *arr)
{
        char list[POLICY_MAX_LIST][POLICY_NAME_MAX];
        size_t i, n = json_array_size(arr);
        json_t *v;
        int r = 0;

        if (!json_is_array(arr))
                return type_error(l, label, "an array of host names", arr);
        if (n > POLICY_MAX_LIST)
                return config_fail(l, "%s: %zu entries; at most %d are allowed", label, n, POLICY_MAX_LIST);
        json_array_foreach(arr, i, v) {
                const char *s = json_string_value(v), *why;
                if (!s) {
                        r = config_fail(l, "%s: entry %zu is %s, expected a host name string",
                                 label, i + 1, json_kind(v));
                        continue;
                }
                why = host_name_problem(s);
                if (why) {
                        r = config_fail(l, "%s: entry %zu %s %s", label, i + 1, Q(s), why);
                        continue;
                }
                /* a valid name is at most 253 bytes: it fits */
                size_t k;
                for (k = 0; s[k]; k++)
                        list[i][k] = to_lower(s[k]);
                memset(list[i] + k, 0, sizeof(list[i]) - k);
        }
        if (r < 0)
                return r;
        memcpy(l->p->domains, list, n * sizeof(list[0]));
        memset(l->p->domains + n, 0, (POLICY_MAX_LIST - n) * sizeof(list[0]));
        l->p->n_domains = n;
        return 0;
}

static int domains_from_env(struct loader *l, const char *label, const char *s)
{
        _cleanup_json_ json_t *arr = NULL;
        json_error_t e;

        arr = gojson_loadb(s, strlen(s), JSON_REJECT_DUPLICATES, &e);
        if (!arr)
                return config_fail(l, "%s: not a JSON array of host names (column %d: %s); "
                            "e.g. [\"pypi.org\",\"*.github.com\"]", label, e.column, e.text);
        return domains_set(l, label, arr);
}

static int tmpfs_from_json(struct loader *l, const char *label, json_t *arr)
{
        static const char *const reserved[] = { "/", "/workspace", "/artifacts" };
        char list[POLICY_MAX_LIST][POLICY_NAME_MAX];
        char clean[POLICY_PATH_MAX];
        size_t i, n = 0;
        json_t *v;
        int r = 0;

        if (!json_is_array(arr))
                return type_error(l, label, "an array of absolute container paths", arr);
        if (json_array_size(arr) > POLICY_MAX_LIST)
                return config_fail(l, "%s: %zu entries; at most %d are allowed",
                            label, json_array_size(arr), POLICY_MAX_LIST);
        json_array_foreach(arr, i, v) {
                const char *s = json_string_value(v);
                enum path_status st;
                bool dup = false;

                if (!s) {
                        r = config_fail(l, "%s: entry %zu is %s, expected a path string",
                                 label, i + 1, json_kind(v));
                        continue;
                }
                st = clean_abs_path(s, clean, sizeof(clean));
                if (st != PATH_OK) {
                        r = config_fail(l, "%s: entry %zu %s %s", label, i + 1, Q(s), PATH_WHY[st]);
                        continue;
                }
                /* Required clean, not cleaned: the rule compares dockerd's targets to these
                 * strings, and the admin should see exactly what is compared. */
                if (!streq(clean, s)) {
                        r = config_fail(l, "%s: entry %zu %s is not a clean path; write %s",
                                 label, i + 1, Q(s), Q(clean));
                        continue;
                }
                bool is_reserved = false;
                for (size_t k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++)
                        is_reserved |= streq(s, reserved[k]);
                if (is_reserved) {
                        /* a tmpfs over / hides the read-only root; over a bind target it replaces it */
                        r = config_fail(l, "%s: entry %zu %s is the root or a bind target; a tmpfs there "
                                 "would replace it", label, i + 1, Q(s));
                        continue;
                }
                if (streq(s, "/etc")) {
                        /* dockerd reads the user's files from the image beneath it; the second look
                         * would read the empty tmpfs */
                        r = config_fail(l, "%s: entry %zu %s would hide the image's /etc/passwd and /etc/group "
                                 "from the plugin's user lookup", label, i + 1, Q(s));
                        continue;
                }
                if (strlen(s) >= POLICY_NAME_MAX) {
                        r = config_fail(l, "%s: entry %zu %s is longer than %d bytes",
                                 label, i + 1, Q(s), POLICY_NAME_MAX - 1);
                        continue;
                }
                for (size_t k = 0; k < n; k++)
                        dup |= streq(list[k], s);
                if (!dup)
                        (void)copy_str(list[n++], sizeof(list[0]), s);
        }
        if (r < 0)
                return r;
        memcpy(l->p->tmpfs_targets, list, n * sizeof(list[0]));
        memset(l->p->tmpfs_targets + n, 0, (POLICY_MAX_LIST - n) * sizeof(list[0]));
        l->p->n_tmpfs_targets = n;
        return 0;
}

/* Names as dockerd compares them: upper-cased, "CAP_" optional (stored without it). */
static int caps_from_json(struct loader *l, const char *label, json_t *arr)
{
        char list[POLICY_MAX_LIST][sizeof(l->p->cap_add[0])];
        size_t i, n = 0;
        json_t *v;
        int r = 0;

        if (!json_is_array(arr))
                return type_error(l, label, "an array of capability names", arr);
        if (json_array_size(arr) > POLICY_MAX_LIST)
                return config_fail(l, "%s: %zu entries; at most %d are allowed",
                            label, json_array_size(arr), POLICY_MAX_LIST);
        json_array_foreach(arr, i, v) {
                const char *s = json_string_value(v), *name, *why = NULL;
                char up[sizeof(list[0]) + 4];
                size_t k, len;
                bool known = false, dup = false;

                if (!s) {
                        r = config_fail(l, "%s: entry %zu is %s, expected a capability name",
                                 label, i + 1, json_kind(v));
                        continue;
                }
                len = strlen(s);
                if (len >= sizeof(up)) {
                        r = config_fail(l, "%s: entry %zu %s is not a Linux capability", label, i + 1, Q(s));
                        continue;
                }
                for (k = 0; k < len; k++)
                        up[k] = to_upper(s[k]);
                up[k] = '\0';
                name = strncmp(up, "CAP_", 4) == 0 ? up + 4 : up;
                if (streq(name, "ALL")) {
                        r = config_fail(l, "%s: entry %zu %s grants every capability; list the few that "
                                 "jobs need", label, i + 1, Q(s));
                        continue;
                }
                for (k = 0; k < sizeof(FORBIDDEN_CAPS) / sizeof(FORBIDDEN_CAPS[0]); k++)
                        if (streq(name, FORBIDDEN_CAPS[k].name))
                                why = FORBIDDEN_CAPS[k].why;
                if (why) {
                        r = config_fail(l, "%s: entry %zu %s would defeat the policy (%s)",
                                 label, i + 1, Q(s), why);
                        continue;
                }
                for (k = 0; k < sizeof(CAPABILITIES) / sizeof(CAPABILITIES[0]); k++)
                        known |= streq(name, CAPABILITIES[k]);
                if (!known) {
                        r = config_fail(l, "%s: entry %zu %s is not a Linux capability", label, i + 1, Q(s));
                        continue;
                }
                for (k = 0; k < n; k++)
                        dup |= streq(list[k], name);
                if (!dup)
                        (void)copy_str(list[n++], sizeof(list[0]), name);
        }
        if (r < 0)
                return r;
        memcpy(l->p->cap_add, list, n * sizeof(list[0]));
        memset(l->p->cap_add + n, 0, (POLICY_MAX_LIST - n) * sizeof(list[0]));
        l->p->n_cap_add = n;
        return 0;
}

/* --- directories, docker host ------------------------------------------------------------------ */

static int dir_set(struct loader *l, const char *label, const char *s, char *dst, size_t size)
{
        char clean[POLICY_PATH_MAX];
        enum path_status st = clean_abs_path(s, clean, sizeof(clean));

        if (st == PATH_EMPTY)
                return config_fail(l, "%s: %s", label, PATH_WHY[st]);
        if (st != PATH_OK)
                return config_fail(l, "%s: %s %s", label, Q(s), PATH_WHY[st]);
        if (streq(clean, "/"))
                return config_fail(l, "%s: %s is the root directory; every host path would be bindable",
                            label, Q(s));
        return copy_str(dst, size, clean) < 0 ? config_fail(l, "%s: %s is too long", label, Q(s)) : 0;
}

static int repos_from_env(struct loader *l, const char *label, const char *s)
{
        return dir_set(l, label, s, l->p->repos_dir, sizeof(l->p->repos_dir));
}

static int artifacts_from_env(struct loader *l, const char *label, const char *s)
{
        return dir_set(l, label, s, l->p->artifacts_dir, sizeof(l->p->artifacts_dir));
}

static int repos_from_json(struct loader *l, const char *label, json_t *v)
{
        const char *s = NULL;
        int r = want_string(l, label, v, &s);
        return r < 0 ? r : repos_from_env(l, label, s);
}

static int artifacts_from_json(struct loader *l, const char *label, json_t *v)
{
        const char *s = NULL;
        int r = want_string(l, label, v, &s);
        return r < 0 ? r : artifacts_from_env(l, label, s);
}

/* The plugin asks dockerd for its own view of a container over this socket; TCP would put the
 * daemon's full API on the network, so only unix:// is accepted. */
static int docker_host_from_env(struct loader *l, const char *label, const char *s)
{
        static const char scheme[] = "unix://";
        char clean[POLICY_PATH_MAX], full[sizeof(scheme) + UNIX_PATH_MAX_];
        enum path_status st;

        if (strncmp(s, scheme, sizeof(scheme) - 1) != 0)
                return config_fail(l, "%s: %s is not a unix socket; use unix:///absolute/path "
                            "(the plugin reaches dockerd over unix sockets only)", label, Q(s));
        st = clean_abs_path(s + sizeof(scheme) - 1, clean, sizeof(clean));
        if (st != PATH_OK)
                return config_fail(l, "%s: %s: the socket path %s", label, Q(s), PATH_WHY[st]);
        if (streq(clean, "/"))
                return config_fail(l, "%s: %s is not a socket path", label, Q(s));
        if (strlen(clean) > UNIX_PATH_MAX_)
                return config_fail(l, "%s: %s: the socket path is longer than %d bytes, the most a unix "
                            "socket address holds", label, Q(s), UNIX_PATH_MAX_);
        memcpy(full, scheme, sizeof(scheme) - 1);
        memcpy(full + sizeof(scheme) - 1, clean, strlen(clean) + 1);
        return copy_str(l->p->docker_host, sizeof(l->p->docker_host), full);
}

static int docker_host_from_json(struct loader *l, const char *label, json_t *v)
{
        const char *s = NULL;
        int r = want_string(l, label, v, &s);
        return r < 0 ? r : docker_host_from_env(l, label, s);
}

/* --- the settings table ------------------------------------------------------------------------ */

#define SETTING(k, e, fj, fe) { .key = (k), .file_label = "policy file " k, .env = (e), \
                                .from_json = (fj), .from_env = (fe) }

const struct setting config_settings[S__MAX] = {
        [S_USER]             = SETTING("user", "DOCKER_USER", user_from_json, user_set),
        [S_UID]              = SETTING("uid", "DOCKER_USER_UID", uid_from_json, uid_from_env),
        [S_ACCEPT_USER_NAME] = SETTING("accept_user_name", NULL, accept_user_name_from_json, NULL),
        [S_CPU]              = SETTING("cpu_limit", "DOCKER_CPU_LIMIT", cpu_from_json, cpu_from_env),
        [S_MEMORY]           = SETTING("memory_limit", "DOCKER_MEMORY_LIMIT", memory_from_json,
                                       memory_from_env),
        [S_PIDS]             = SETTING("pids_limit", "DOCKER_PIDS_LIMIT", pids_from_json, pids_from_env),
        [S_NNP]              = SETTING("no_new_privileges", "DOCKER_NO_NEW_PRIVILEGES", nnp_from_json,
                                       nnp_from_env),
        [S_RESTART]          = SETTING("restart_max_retries", NULL, restart_from_json, NULL),
        [S_ULIMITS]          = SETTING("ulimits", NULL, ulimits_from_json, NULL),
        [S_BUILDS]           = SETTING("allow_builds", NULL, builds_from_json, NULL),
        [S_TMPFS_EXEC]       = SETTING("tmpfs_exec", NULL, tmpfs_exec_from_json, NULL),
        [S_NET_SETTINGS]     = SETTING("allow_network_settings", NULL, net_settings_from_json, NULL),
        [S_NETWORK]          = SETTING("network_mode", "DOCKER_NETWORK_MODE", network_from_json,
                                       network_set),
        [S_READONLY]         = SETTING("readonly_rootfs", "DOCKER_READONLY_ROOTFS",
                                       readonly_from_json, readonly_from_env),
        [S_DOMAINS]          = SETTING("allowlist_domains", "DOCKER_ALLOWLIST_DOMAINS", domains_set,
                                       domains_from_env),
        [S_REPOS]            = SETTING("repos_dir", "DOCKER_REPOS_DIR", repos_from_json,
                                       repos_from_env),
        [S_ARTIFACTS]        = SETTING("artifacts_dir", "DOCKER_ARTIFACTS_DIR", artifacts_from_json,
                                       artifacts_from_env),
        [S_TMPFS]            = SETTING("tmpfs_targets", NULL, tmpfs_from_json, NULL),
        [S_CAPS]             = SETTING("allowed_cap_add", NULL, caps_from_json, NULL),
        [S_DOCKER_HOST]      = SETTING("docker_host", "DOCKER_HOST", docker_host_from_json,
                                       docker_host_from_env),
        [S_DENY_AUDIT]       = SETTING("deny_on_audit_failure", NULL, deny_audit_from_json, NULL),
        [S_RULE_ACTIONS]     = SETTING("rule_actions", NULL, rule_actions_from_json, NULL),
};
