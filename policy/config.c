/* Configuration: the built-in defaults, the JSON policy file and the environment, layered in that
 * order into one validated, immutable, reference-counted policy; and its printed form.
 *
 * Loading is fail-fast and exhaustive.  Every problem becomes one line naming the setting as the
 * admin wrote it ("policy file memory_limit: ..." or "DOCKER_MEMORY_LIMIT: ..."), all of them are
 * collected so that one run shows everything to fix, and any error means no policy at all: the
 * daemon never serves with a policy that is half what the admin meant.  Allowed-but-risky settings
 * and directories that do not exist yet are warnings.  The printed form is the policy-file schema,
 * so `arandu-authz policy > file` gives a policy file that loads to the same policy. */

#include "policy/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/actions.h"
#include "policy/gojson.h"
#include "policy/jsontext.h"
#include "policy/sha256.h"

/* A policy is a few hundred bytes; the cap stops a mistyped path (a log, a disk image) from being
 * slurped into memory. */
#define POLICY_FILE_MAX   (1024L * 1024L)
#define NANO_PER_CPU      INT64_C(1000000000)
/* Beyond any host Docker runs on; it also keeps nano-CPUs far from int64 overflow. */
#define CPUS_MAX          1024
/* (uid_t)-1 means "unchanged" to chown/setresuid, and tools that read UIDs as signed 32-bit
 * integers misbehave from 2^31 on: keep the policy UID below both. */
#define POLICY_UID_MAX    INT64_C(2147483646)
/* useradd's and utmp's limit; longer names are not portable across the images' tools. */
#define USER_NAME_MAX     32
/* sizeof(sockaddr_un.sun_path) - 1: a longer DOCKER_HOST could never be connected to. */
#define UNIX_PATH_MAX_    107
/* User-controlled values in problem lines are quoted and cut, so one line stays one readable line. */
#define QUOTE_CUT         80

/* ------------------------------------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------------------------------- */

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
#define _cleanup_json_  __attribute__((cleanup(json_decrefp)))   /* jansson's helper */
#define _cleanup_free_  __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

static bool streq(const char *a, const char *b) { return strcmp(a, b) == 0; }
/* ASCII classes by hand: <ctype.h> follows the locale, and config values must not. */
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
static char to_lower(char c) { return (char) (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); }
static char to_upper(char c) { return (char) (c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c); }

/* Copy a string into a fixed field, zero-filling the rest so that two equal policies are equal
 * bytes too.  -E2BIG (field untouched) when it does not fit. */
static int copy_str(char *dst, size_t size, const char *src)
{
        size_t n = strlen(src);
        if (n >= size)
                return -E2BIG;
        memset(dst, 0, size);
        memcpy(dst, src, n + 1);   /* n < size */
        return 0;
}

/* A user-controlled value quoted for a problem line: "...", with quotes, backslashes, control and
 * non-ASCII bytes escaped (env values need not be UTF-8, and lines go to terminals and journald),
 * cut after QUOTE_CUT bytes.  Returned by value so it can be used inline in a format call; the
 * temporary lives until the end of that full expression (C11 6.2.4p8). */
struct quoted {
        char str[QUOTE_CUT * 4 + 8];
};

static struct quoted quote(const char *s)
{
        static const char hex[] = "0123456789abcdef";
        struct quoted q;
        size_t o = 0;

        q.str[o++] = '"';
        for (size_t i = 0; s[i]; i++) {
                unsigned char c = (unsigned char)s[i];
                if (i == QUOTE_CUT) {
                        memcpy(q.str + o, "...", 3);
                        o += 3;
                        break;
                }
                if (c == '"' || c == '\\') {
                        q.str[o++] = '\\';
                        q.str[o++] = (char)c;
                } else if (c < 0x20 || c >= 0x7f) {
                        q.str[o++] = '\\';
                        q.str[o++] = 'x';
                        q.str[o++] = hex[c >> 4];
                        q.str[o++] = hex[c & 0xf];
                } else {
                        q.str[o++] = (char)c;
                }
        }
        q.str[o++] = '"';
        q.str[o] = '\0';
        return q;
}
#define Q(s) (quote(s).str)

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF): the policy is printed as
 * JSON and paths end up in the JSON audit log, which both need valid UTF-8. */
static bool utf8_valid(const char *s)
{
        const unsigned char *p = (const unsigned char *) s;

        for (size_t left = strlen(s), n; left > 0; p += n, left -= n) {
                n = json_utf8_len(p, left);
                if (n == 0)
                        return false;
        }
        return true;
}

/* ------------------------------------------------------------------------------------------------
 * Numbers
 * --------------------------------------------------------------------------------------------- */

/* The one strict integer parser.  strtoll alone would accept leading spaces and a sign, so the
 * first byte must be a digit; overflow is reported, not clamped; the range is checked.  Where the
 * digits end goes to *ret_end, so callers decide what may follow. */
static int strict_int64(const char *s, int64_t min, int64_t max, const char **ret_end, int64_t *ret)
{
        char *end;
        long long v;

        if (!is_digit(s[0]))
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno != 0)
                return -errno;
        if (v < min || v > max)
                return -ERANGE;
        *ret_end = end;
        *ret = v;
        return 0;
}

enum num_status {
        NUM_OK = 0,
        NUM_EMPTY,
        NUM_SYNTAX,
        NUM_NOT_FINITE,
        NUM_NOT_POSITIVE,
        NUM_TOO_PRECISE,
        NUM_FRACTION,
        NUM_TOO_BIG,
        NUM__MAX,
};

static bool is_nonfinite_word(const char *s)
{
        if (*s == '-' || *s == '+')
                s++;
        return strcasecmp(s, "nan") == 0 || strcasecmp(s, "inf") == 0 ||
               strcasecmp(s, "infinity") == 0;
}

/* CPUs as Docker counts them: nano-CPUs, an integer.  The digits are read by hand so that "0.1"
 * is exactly 100000000 (strtod would round through binary floating point). */
static enum num_status cpus_scan(const char *s, int64_t *ret_nano)
{
        int64_t whole = 0, frac = 0;
        size_t n_whole = 0, n_frac = 0;
        bool neg = false, big = false;
        const char *c = s;

        if (!*c)
                return NUM_EMPTY;
        if (is_nonfinite_word(s))
                return NUM_NOT_FINITE;
        if (*c == '-') {
                neg = true;
                c++;
        }
        for (; is_digit(*c); c++, n_whole++) {
                /* Stop accumulating once over the cap: any number of digits, no overflow. */
                if (whole > CPUS_MAX)
                        big = true;
                else
                        whole = whole * 10 + (*c - '0');
        }
        if (*c == '.')
                for (c++; is_digit(*c); c++, n_frac++)
                        if (n_frac < 9)
                                frac = frac * 10 + (*c - '0');
        if (*c != '\0' || n_whole + n_frac == 0)
                return NUM_SYNTAX;
        if (n_frac > 9)
                return NUM_TOO_PRECISE;
        for (size_t i = n_frac; i < 9; i++)
                frac *= 10;
        if (neg)
                return NUM_NOT_POSITIVE;
        if (big || whole > CPUS_MAX)
                return NUM_TOO_BIG;
        int64_t nano = whole * NANO_PER_CPU + frac;
        if (nano == 0)
                return NUM_NOT_POSITIVE;
        if (nano > CPUS_MAX * NANO_PER_CPU)
                return NUM_TOO_BIG;
        *ret_nano = nano;
        return NUM_OK;
}

/* Digits and at most one unit letter b, k, m or g (1024-based, case-insensitive), as the seed. */
static enum num_status memory_scan(const char *s, int64_t *ret_bytes)
{
        const char *end = s;
        int64_t n = 0, mult = 1;
        int r;

        if (!*s)
                return NUM_EMPTY;
        if (s[0] == '-' && is_digit(s[1]))
                return NUM_NOT_POSITIVE;
        r = strict_int64(s, 0, INT64_MAX, &end, &n);
        if (r == -ERANGE)
                return NUM_TOO_BIG;
        if (r < 0)
                return NUM_SYNTAX;
        if (*end == '.' && is_digit(end[1]))
                return NUM_FRACTION;
        switch (to_lower(*end)) {
        case '\0': break;
        case 'b': mult = 1; end++; break;
        case 'k': mult = INT64_C(1) << 10; end++; break;
        case 'm': mult = INT64_C(1) << 20; end++; break;
        case 'g': mult = INT64_C(1) << 30; end++; break;
        default: return NUM_SYNTAX;
        }
        if (*end != '\0')
                return NUM_SYNTAX;
        if (n > INT64_MAX / mult)
                return NUM_TOO_BIG;
        if (n == 0)
                return NUM_NOT_POSITIVE;
        *ret_bytes = n * mult;
        return NUM_OK;
}

int parse_memory_size(const char *s, int64_t *ret_bytes)
{
        int64_t v;

        if (!s || memory_scan(s, &v) != NUM_OK)
                return -EINVAL;
        *ret_bytes = v;
        return 0;
}

int parse_cpus(const char *s, int64_t *ret_nano)
{
        int64_t v;

        if (!s || cpus_scan(s, &v) != NUM_OK)
                return -EINVAL;
        *ret_nano = v;
        return 0;
}

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

/* Clean an absolute path lexically: collapse "//", drop "." segments and a trailing '/'.  A ".."
 * segment is refused rather than resolved: what it means depends on symlinks, and a root that
 * reads differently to the admin and to the mount checks is how binds escape. */
static enum path_status clean_abs_path(const char *in, char *out, size_t size)
{
        const char *seg = in;
        size_t o = 0;

        if (!*in)
                return PATH_EMPTY;
        if (in[0] != '/')
                return PATH_RELATIVE;
        for (const char *c = in; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        return PATH_CONTROL;
        if (!utf8_valid(in))
                return PATH_UTF8;
        for (;;) {
                while (*seg == '/')
                        seg++;
                size_t len = strcspn(seg, "/");
                if (len == 0)
                        break;
                if (len == 2 && seg[0] == '.' && seg[1] == '.')
                        return PATH_DOTDOT;
                if (!(len == 1 && seg[0] == '.')) {
                        /* room for '/', the segment and the NUL */
                        if (size - o < len + 2)
                                return PATH_TOO_LONG;
                        out[o++] = '/';
                        memcpy(out + o, seg, len);
                        o += len;
                }
                seg += len;
        }
        if (o == 0)
                out[o++] = '/';
        out[o] = '\0';
        return PATH_OK;
}

/* Is `inner` equal to `outer` or below it?  Both clean and absolute. */
static bool path_within(const char *inner, const char *outer)
{
        size_t n = strlen(outer);

        if (streq(outer, "/"))
                return true;
        return strncmp(inner, outer, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
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
 * The loader: settings, layers, problems
 * --------------------------------------------------------------------------------------------- */

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

typedef char problem_line[sizeof(((struct policy_problems *)NULL)->errors[0])];
_Static_assert(sizeof(((struct policy_problems *)NULL)->warnings[0]) == sizeof(problem_line),
               "errors and warnings lines differ in size");

/* Append one line.  When the table is full, the last line says so instead: the admin learns there
 * is more, and no allocation is needed on this path. */
__attribute__((format(printf, 3, 0)))
static void add_line(problem_line *lines, size_t *n, const char *fmt, va_list ap)
{
        if (*n >= POLICY_PROBLEMS_MAX) {
                snprintf(lines[POLICY_PROBLEMS_MAX - 1], sizeof(problem_line),
                         "(more problems not shown; fix these and run again)");
                return;
        }
        (void) vsnprintf(lines[*n], sizeof(problem_line), fmt, ap);   /* cut if too long */
        (*n)++;
}

__attribute__((format(printf, 2, 3)))
static int fail(struct loader *l, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        add_line(l->pr->errors, &l->pr->n_errors, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

__attribute__((format(printf, 2, 3)))
static void warn(struct loader *l, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        add_line(l->pr->warnings, &l->pr->n_warnings, fmt, ap);
        va_end(ap);
}

static const char *json_kind(const json_t *v)
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

static int type_error(struct loader *l, const char *label, const char *want, const json_t *v)
{
        /* -EINVAL spelled out (fail() returns it too): clang's analyzer does not follow variadic
         * calls, and would otherwise assume the want_*() helpers can succeed without setting *ret. */
        (void) fail(l, "%s: expected %s, got %s", label, want, json_kind(v));
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
                return fail(l, "%s: is empty; containers would run as the image's user, often root; "
                            "set a non-root user name", label);
        if (streq(s, "root") || streq(s, "0"))
                return fail(l, "%s: %s would run containers as root; set a non-root user name",
                            label, Q(s));
        if (!valid_user_name(s))
                return fail(l, "%s: %s is not a valid user name (1-%d of A-Z a-z 0-9 _ . -, "
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
                return fail(l, "%s: %s would run containers as root; set a non-root UID", label, shown);
        if (uid < 1 || uid > POLICY_UID_MAX)
                return fail(l, "%s: %s is out of range; set a UID from 1 to %" PRId64,
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

        r = strict_int64(s, 0, INT64_MAX, &end, &v);
        if (r == -ERANGE)
                return fail(l, "%s: %s is out of range; set a UID from 1 to %" PRId64,
                            label, Q(s), POLICY_UID_MAX);
        if (r < 0 || *end != '\0' || (s[0] == '0' && s[1] != '\0'))
                return fail(l, "%s: %s is not a canonical decimal UID (digits only, no sign, spaces "
                            "or leading zeros)", label, Q(s));
        return uid_set(l, label, v, Q(s));
}

/* --- cpu, memory, pids ------------------------------------------------------------------------- */

static const char *const CPU_WHY[NUM__MAX] = {
        [NUM_OK]           = "",
        [NUM_EMPTY]        = "is empty; set a CPU count > 0 such as \"2.0\"",
        [NUM_SYNTAX]       = "is not a number; set a decimal CPU count > 0 such as \"2.0\"",
        [NUM_NOT_FINITE]   = "is not a finite number; set a decimal CPU count > 0 such as \"2.0\"",
        [NUM_NOT_POSITIVE] = "is not > 0; containers need a CPU limit above 0",
        [NUM_TOO_PRECISE]  = "has more than 9 decimals; Docker counts CPUs in units of 1e-9",
        [NUM_FRACTION]     = "is not a number",
        [NUM_TOO_BIG]      = "is more than 1024 CPUs",
};

static const char *const MEMORY_WHY[NUM__MAX] = {
        [NUM_OK]           = "",
        [NUM_EMPTY]        = "is empty (memory unset); set a size such as \"4g\" (units b k m g)",
        [NUM_SYNTAX]       = "is not a size; use digits and an optional unit b, k, m or g, e.g. \"4g\"",
        [NUM_NOT_FINITE]   = "is not a size",
        [NUM_NOT_POSITIVE] = "is not > 0 (no limit); set a size such as \"4g\"",
        [NUM_TOO_PRECISE]  = "is not a size",
        [NUM_FRACTION]     = "has a fraction; use a smaller unit, e.g. \"1536m\" for 1.5g",
        [NUM_TOO_BIG]      = "is too large (over 2^63-1 bytes)",
};

static int cpu_set(struct loader *l, const char *label, enum num_status st, int64_t nano,
                   const char *shown)
{
        if (st != NUM_OK) {
                if (st == NUM_EMPTY)
                        return fail(l, "%s: %s", label, CPU_WHY[st]);
                return fail(l, "%s: %s %s", label, shown, CPU_WHY[st]);
        }
        l->p->cpu_limit_nano = nano;
        return 0;
}

static int cpu_from_env(struct loader *l, const char *label, const char *s)
{
        int64_t nano = 0;
        enum num_status st = cpus_scan(s, &nano);   /* before reading nano */
        return cpu_set(l, label, st, nano, Q(s));
}

/* A JSON real has lost its text; recover it exactly.  Below 1025 a double carries ~13 significant
 * digits more than 9 decimals need, so "%.9f" gives back the admin's decimals, and the value is
 * accepted only if those decimals read back as the same double (else it had more than 9). */
static enum num_status cpus_from_real(double v, int64_t *ret_nano)
{
        char buf[64];

        if (!isfinite(v))
                return NUM_NOT_FINITE;
        if (v <= 0)
                return NUM_NOT_POSITIVE;
        if (v > CPUS_MAX)
                return NUM_TOO_BIG;
        snprintf(buf, sizeof(buf), "%.9f", v);
        enum num_status st = cpus_scan(buf, ret_nano);
        /* 1e-10 prints as "0.000000000": a positive value lost to rounding is too precise */
        if (st == NUM_NOT_POSITIVE ||
            (st == NUM_OK && (double)*ret_nano / (double)NANO_PER_CPU != v))
                return NUM_TOO_PRECISE;
        return st;
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
                        return cpu_set(l, label, NUM_NOT_POSITIVE, 0, shown);
                if (n > CPUS_MAX)
                        return cpu_set(l, label, NUM_TOO_BIG, 0, shown);
                return cpu_set(l, label, NUM_OK, n * NANO_PER_CPU, shown);
        }
        if (json_is_real(v)) {
                enum num_status st = cpus_from_real(json_real_value(v), &nano);
                snprintf(shown, sizeof(shown), "%.17g", json_real_value(v));
                return cpu_set(l, label, st, nano, shown);
        }
        return type_error(l, label, "a number or a string such as \"2.0\"", v);
}

static int memory_set(struct loader *l, const char *label, enum num_status st, int64_t bytes,
                      const char *shown)
{
        if (st != NUM_OK) {
                if (st == NUM_EMPTY)
                        return fail(l, "%s: %s", label, MEMORY_WHY[st]);
                return fail(l, "%s: %s %s", label, shown, MEMORY_WHY[st]);
        }
        l->p->memory_limit = bytes;
        return 0;
}

static int memory_from_env(struct loader *l, const char *label, const char *s)
{
        int64_t bytes = 0;
        enum num_status st = memory_scan(s, &bytes);   /* before reading bytes */
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
                return memory_set(l, label, n > 0 ? NUM_OK : NUM_NOT_POSITIVE, n, shown);
        }
        return type_error(l, label, "a size string such as \"4g\" or an integer number of bytes", v);
}

static int pids_set(struct loader *l, const char *label, json_int_t n)
{
        if (n < 0)
                return fail(l, "%s: %" JSON_INTEGER_FORMAT " is negative; use the most processes a "
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

        if (strict_int64(s, 0, INT64_MAX, &end, &n) < 0 || *end != '\0')
                return fail(l, "%s: %s is not a whole number; use the most processes a container "
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
                return fail(l, "%s: %" JSON_INTEGER_FORMAT " is out of range; use 0 (only --restart "
                            "no) to %d", label, n, RESTART_RETRIES_MAX);
        l->p->restart_max_retries = n;
        return 0;
}

static const char *const ULIMIT_NAMES[POLICY_ULIMITS] = {
        "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc",
        "rss", "rtprio", "rttime", "sigpending", "stack",
};

int policy_ulimit_index(const char *name)
{
        for (size_t i = 0; i < POLICY_ULIMITS; i++)
                if (streq(name, ULIMIT_NAMES[i]))
                        return (int) i;
        return -1;
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
                        r = fail(l, "%s: %s is not a ulimit dockerd knows", label, Q(key));
                } else if (streq(key, "rtprio") || streq(key, "rttime")) {
                        r = fail(l, "%s: %s cannot be allowed: realtime scheduling escapes the CPU "
                                 "limit", label, Q(key));
                } else if (!json_is_integer(v) || json_integer_value(v) < 0) {
                        r = fail(l, "%s: %s: expected a whole number >= 0 (the most Soft and Hard "
                                 "may be)", label, Q(key));
                } else {
                        max[i] = json_integer_value(v);
                }
        }
        if (r == 0)
                memcpy(l->p->ulimit_max, max, sizeof(max));
        return r;
}

static json_t *ulimits_json(const struct policy *p)
{
        json_t *o = json_object();

        for (size_t i = 0; o && i < POLICY_ULIMITS; i++)
                if (p->ulimit_max[i] >= 0 &&
                    json_object_set_new(o, ULIMIT_NAMES[i], json_integer(p->ulimit_max[i])) < 0) {
                        json_decref(o);
                        return NULL;
                }
        return o;
}

/* --- network, rootfs, booleans ----------------------------------------------------------------- */

static int network_set(struct loader *l, const char *label, const char *s)
{
        if (streq(s, "none"))
                l->p->network = NETWORK_NONE;
        else if (streq(s, "bridge"))
                l->p->network = NETWORK_BRIDGE;
        else
                return fail(l, "%s: %s is not allowed; use \"none\" or \"bridge\"", label, Q(s));
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
        return fail(l, "%s: %s is not a boolean; use true or false (also 1/0, yes/no)", label, Q(s));
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
                        r = fail(l, "%s: %s is not a rule id; the ids are those of docs/rules.md "
                                 "and of denial messages", label, Q(key));
                        continue;
                }
                if (!s || (!streq(s, "deny") && !streq(s, "warn"))) {
                        r = fail(l, "%s: %s: expected \"deny\" or \"warn\", got %s", label, Q(key),
                                 s ? Q(s) : json_kind(v));
                        continue;
                }
                why = policy_rule_warn_refused((size_t)i);
                if (streq(s, "warn") && why) {
                        r = fail(l, "%s: %s cannot be set to warn: %s", label, Q(key), why);
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
                return fail(l, "%s: %zu entries; at most %d are allowed", label, n, POLICY_MAX_LIST);
        json_array_foreach(arr, i, v) {
                const char *s = json_string_value(v), *why;
                if (!s) {
                        r = fail(l, "%s: entry %zu is %s, expected a host name string",
                                 label, i + 1, json_kind(v));
                        continue;
                }
                why = host_name_problem(s);
                if (why) {
                        r = fail(l, "%s: entry %zu %s %s", label, i + 1, Q(s), why);
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
                return fail(l, "%s: not a JSON array of host names (column %d: %s); "
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
                return fail(l, "%s: %zu entries; at most %d are allowed",
                            label, json_array_size(arr), POLICY_MAX_LIST);
        json_array_foreach(arr, i, v) {
                const char *s = json_string_value(v);
                enum path_status st;
                bool dup = false;

                if (!s) {
                        r = fail(l, "%s: entry %zu is %s, expected a path string",
                                 label, i + 1, json_kind(v));
                        continue;
                }
                st = clean_abs_path(s, clean, sizeof(clean));
                if (st != PATH_OK) {
                        r = fail(l, "%s: entry %zu %s %s", label, i + 1, Q(s), PATH_WHY[st]);
                        continue;
                }
                /* Required clean, not cleaned: the rule compares dockerd's targets to these
                 * strings, and the admin should see exactly what is compared. */
                if (!streq(clean, s)) {
                        r = fail(l, "%s: entry %zu %s is not a clean path; write %s",
                                 label, i + 1, Q(s), Q(clean));
                        continue;
                }
                bool is_reserved = false;
                for (size_t k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++)
                        is_reserved |= streq(s, reserved[k]);
                if (is_reserved) {
                        /* a tmpfs over / hides the read-only root; over a bind target it replaces it */
                        r = fail(l, "%s: entry %zu %s is the root or a bind target; a tmpfs there "
                                 "would replace it", label, i + 1, Q(s));
                        continue;
                }
                if (streq(s, "/etc")) {
                        /* dockerd reads the user's files from the image beneath it; the second look
                         * would read the empty tmpfs */
                        r = fail(l, "%s: entry %zu %s would hide the image's /etc/passwd and /etc/group "
                                 "from the plugin's user lookup", label, i + 1, Q(s));
                        continue;
                }
                if (strlen(s) >= POLICY_NAME_MAX) {
                        r = fail(l, "%s: entry %zu %s is longer than %d bytes",
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
                return fail(l, "%s: %zu entries; at most %d are allowed",
                            label, json_array_size(arr), POLICY_MAX_LIST);
        json_array_foreach(arr, i, v) {
                const char *s = json_string_value(v), *name, *why = NULL;
                char up[sizeof(list[0]) + 4];
                size_t k, len;
                bool known = false, dup = false;

                if (!s) {
                        r = fail(l, "%s: entry %zu is %s, expected a capability name",
                                 label, i + 1, json_kind(v));
                        continue;
                }
                len = strlen(s);
                if (len >= sizeof(up)) {
                        r = fail(l, "%s: entry %zu %s is not a Linux capability", label, i + 1, Q(s));
                        continue;
                }
                for (k = 0; k < len; k++)
                        up[k] = to_upper(s[k]);
                up[k] = '\0';
                name = strncmp(up, "CAP_", 4) == 0 ? up + 4 : up;
                if (streq(name, "ALL")) {
                        r = fail(l, "%s: entry %zu %s grants every capability; list the few that "
                                 "jobs need", label, i + 1, Q(s));
                        continue;
                }
                for (k = 0; k < sizeof(FORBIDDEN_CAPS) / sizeof(FORBIDDEN_CAPS[0]); k++)
                        if (streq(name, FORBIDDEN_CAPS[k].name))
                                why = FORBIDDEN_CAPS[k].why;
                if (why) {
                        r = fail(l, "%s: entry %zu %s would defeat the policy (%s)",
                                 label, i + 1, Q(s), why);
                        continue;
                }
                for (k = 0; k < sizeof(CAPABILITIES) / sizeof(CAPABILITIES[0]); k++)
                        known |= streq(name, CAPABILITIES[k]);
                if (!known) {
                        r = fail(l, "%s: entry %zu %s is not a Linux capability", label, i + 1, Q(s));
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
                return fail(l, "%s: %s", label, PATH_WHY[st]);
        if (st != PATH_OK)
                return fail(l, "%s: %s %s", label, Q(s), PATH_WHY[st]);
        if (streq(clean, "/"))
                return fail(l, "%s: %s is the root directory; every host path would be bindable",
                            label, Q(s));
        return copy_str(dst, size, clean) < 0 ? fail(l, "%s: %s is too long", label, Q(s)) : 0;
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
                return fail(l, "%s: %s is not a unix socket; use unix:///absolute/path "
                            "(the plugin reaches dockerd over unix sockets only)", label, Q(s));
        st = clean_abs_path(s + sizeof(scheme) - 1, clean, sizeof(clean));
        if (st != PATH_OK)
                return fail(l, "%s: %s: the socket path %s", label, Q(s), PATH_WHY[st]);
        if (streq(clean, "/"))
                return fail(l, "%s: %s is not a socket path", label, Q(s));
        if (strlen(clean) > UNIX_PATH_MAX_)
                return fail(l, "%s: %s: the socket path is longer than %d bytes, the most a unix "
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

struct setting {
        const char *key;          /* policy-file key, also the printed key */
        const char *file_label;   /* "policy file <key>", how problems name it */
        const char *env;          /* environment variable, NULL: file only */
        int (*from_json)(struct loader *l, const char *label, json_t *v);
        int (*from_env)(struct loader *l, const char *label, const char *s);
};

#define SETTING(k, e, fj, fe) { .key = (k), .file_label = "policy file " k, .env = (e), \
                                .from_json = (fj), .from_env = (fe) }

static const struct setting SETTINGS[S__MAX] = {
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

/* How a problem about a setting names it: the layer that set it, or for a default the variable
 * (or key) an admin would use to change it. */
static const char *who(const struct loader *l, enum setting_id id)
{
        if (l->by[id])
                return l->by[id];
        return SETTINGS[id].env ? SETTINGS[id].env : SETTINGS[id].file_label;
}

static void record(struct loader *l, enum setting_id id, const char *label, int r)
{
        if (r < 0)
                l->bad[id] = true;
        else
                l->by[id] = label;
}

/* --- layers ------------------------------------------------------------------------------------ */

/* Read the policy file with O_CLOEXEC (json_load_file's fopen would leak the descriptor into
 * children) and O_NONBLOCK (a FIFO must not hang startup), a regular file only, size-capped. */
static int read_policy_file(struct loader *l, const char *path, json_t **ret)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        json_error_t e;
        struct stat st;
        size_t len = 0, cap;
        json_t *j;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                int err = errno;
                return fail(l, "policy file %s: cannot open: %s", Q(path), strerror(err));
        }
        if (fstat(fd, &st) < 0) {
                int err = errno;
                return fail(l, "policy file %s: cannot stat: %s", Q(path), strerror(err));
        }
        if (!S_ISREG(st.st_mode))
                return fail(l, "policy file %s: not a regular file", Q(path));
        if (st.st_size > POLICY_FILE_MAX)
                return fail(l, "policy file %s: larger than %ld bytes", Q(path), POLICY_FILE_MAX);
        if (st.st_mode & (S_IWGRP | S_IWOTH))
                warn(l, "policy file %s: writable by group or others; whoever can write it can "
                     "loosen the policy", Q(path));

        /* One byte more than fstat said, to notice a file that grows while we read it. */
        cap = (size_t)st.st_size + 1;
        buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        while (len < cap) {
                ssize_t n = read(fd, buf + len, cap - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int err = errno;
                        return fail(l, "policy file %s: cannot read: %s", Q(path), strerror(err));
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        if (len == cap)
                return fail(l, "policy file %s: changed while being read", Q(path));

        j = gojson_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
        if (!j)
                return fail(l, "policy file %s: line %d column %d: %s",
                            Q(path), e.line, e.column, e.text);
        *ret = j;
        return 0;
}

static int load_file(struct loader *l, const char *path)
{
        _cleanup_json_ json_t *root = NULL;
        const char *key;
        json_t *v;
        int r;

        r = read_policy_file(l, path, &root);
        if (r < 0)
                return r;
        if (!json_is_object(root))
                return fail(l, "policy file %s: expected a JSON object, got %s",
                            Q(path), json_kind(root));
        json_object_foreach(root, key, v) {
                enum setting_id id;
                for (id = 0; id < S__MAX; id++)
                        if (streq(key, SETTINGS[id].key))
                                break;
                if (id == S__MAX) {
                        /* A misspelt key would otherwise silently leave the default in force. */
                        fail(l, "policy file %s: unknown setting (the keys are those "
                             "\"arandu-authz policy\" prints)", Q(key));
                        continue;
                }
                r = SETTINGS[id].from_json(l, SETTINGS[id].file_label, v);
                if (r == -ENOMEM)
                        return r;
                record(l, id, SETTINGS[id].file_label, r);
        }
        return 0;
}

static const char *process_env(const char *name)
{
        return getenv(name);
}

/* A variable that is set but empty counts as set: "DOCKER_MEMORY_LIMIT=" means no memory limit,
 * which is an error, not the default. */
static int load_env(struct loader *l, const char *(*env)(const char *name))
{
        for (enum setting_id id = 0; id < S__MAX; id++) {
                const char *v;
                int r;

                if (!SETTINGS[id].env)
                        continue;
                v = env(SETTINGS[id].env);
                if (!v)
                        continue;
                r = SETTINGS[id].from_env(l, SETTINGS[id].env, v);
                if (r == -ENOMEM)
                        return r;
                record(l, id, SETTINGS[id].env, r);
        }
        return 0;
}

static void check_dir_exists(struct loader *l, enum setting_id id, const char *dir)
{
        struct stat st;

        if (stat(dir, &st) < 0) {
                int err = errno;
                if (err == ENOENT)
                        warn(l, "%s: %s does not exist yet", who(l, id), Q(dir));
                else
                        warn(l, "%s: %s cannot be checked: %s", who(l, id), Q(dir), strerror(err));
        } else if (!S_ISDIR(st.st_mode)) {
                warn(l, "%s: %s is not a directory", who(l, id), Q(dir));
        } else if ((st.st_mode & S_IWOTH) || (st.st_uid == (uid_t) l->p->uid && (st.st_mode & S_IWUSR)) ||
                   (st.st_gid == (gid_t) l->p->uid && (st.st_mode & S_IWGRP))) {
                /* Bind sources are its direct children: whoever can rename entries here can swap
                 * one for a symlink between our check and dockerd's mount. */
                warn(l, "%s: %s can be written by %s; whoever can write there can swap a bind source "
                     "for a symlink before dockerd mounts it; make it owned by root, mode 0755",
                     who(l, id), Q(dir), (st.st_mode & S_IWOTH) ? "every user" :
                     st.st_uid == (uid_t) l->p->uid ? "the jobs' uid" : "the jobs' group");
        }
}

/* Checks across settings, and the warnings, on the final values. */
static void check_policy(struct loader *l)
{
        const struct policy *p = l->p;

        if (!l->bad[S_REPOS] && !l->bad[S_ARTIFACTS]) {
                if (streq(p->repos_dir, p->artifacts_dir))
                        fail(l, "%s: %s is also %s; repositories (read-only) and artifacts "
                             "(writable) need separate directories",
                             who(l, S_ARTIFACTS), Q(p->artifacts_dir), who(l, S_REPOS));
                else if (path_within(p->artifacts_dir, p->repos_dir))
                        fail(l, "%s: %s is inside %s %s; a writable artifacts bind would overlap "
                             "the read-only repositories", who(l, S_ARTIFACTS), Q(p->artifacts_dir),
                             who(l, S_REPOS), Q(p->repos_dir));
                else if (path_within(p->repos_dir, p->artifacts_dir))
                        fail(l, "%s: %s is inside %s %s; repositories would be writable through "
                             "the artifacts bind", who(l, S_REPOS), Q(p->repos_dir),
                             who(l, S_ARTIFACTS), Q(p->artifacts_dir));
        }

        if (!p->readonly_rootfs)
                warn(l, "%s: a read-only root filesystem is not required; containers may write "
                     "to their image layer", who(l, S_READONLY));
        if (p->pids_limit == 0)
                warn(l, "%s: 0, no pids limit is required; a fork bomb in one container can "
                     "exhaust the host's processes", who(l, S_PIDS));
        if (!p->no_new_privileges)
                warn(l, "%s: no-new-privileges is not required; a setuid-root binary in an image "
                     "makes the job root inside its container", who(l, S_NNP));
        if (p->allow_builds)
                warn(l, "%s: classic builds are allowed (networkmode=none, within the limits); "
                     "each RUN step runs as root inside its container", who(l, S_BUILDS));
        if (p->tmpfs_exec)
                warn(l, "%s: a tmpfs may be mounted exec; a job can run programs it writes there "
                     "even on a read-only root", who(l, S_TMPFS_EXEC));
        if (p->allow_network_settings && p->network == NETWORK_BRIDGE)
                warn(l, "%s: bridge containers may set Dns, ExtraHosts, MacAddress and Links%s",
                     who(l, S_NET_SETTINGS),
                     p->n_domains ? " (not Dns or ExtraHosts: they would route around allowlist_domains)" : "");
        if (p->network == NETWORK_BRIDGE)
                warn(l, "%s: bridge networking is allowed; containers can reach the network "
                     "through the default bridge", who(l, S_NETWORK));
        if (p->accept_user_name)
                warn(l, "%s: User %s is accepted besides UID %" PRIu32 "; a name resolves inside "
                     "the image, where it can be UID 0: use only with trusted images",
                     who(l, S_ACCEPT_USER_NAME), Q(p->user), p->uid);
        for (size_t i = 0; i < p->n_cap_add; i++)
                warn(l, "%s: containers may add capability %s", who(l, S_CAPS), p->cap_add[i]);
        for (size_t i = 0; i < policy_rule_count(); i++)
                if (p->warn_rules >> i & 1)
                        warn(l, "%s: rule %s only warns; requests that break it are allowed and "
                             "audited", who(l, S_RULE_ACTIONS), policy_rule_id(i));
        if (!l->bad[S_REPOS])
                check_dir_exists(l, S_REPOS, p->repos_dir);
        if (!l->bad[S_ARTIFACTS])
                check_dir_exists(l, S_ARTIFACTS, p->artifacts_dir);
}

/* ------------------------------------------------------------------------------------------------
 * Public API
 * --------------------------------------------------------------------------------------------- */

struct policy *policy_new_default(void)
{
        struct policy *p = calloc(1, sizeof(*p));

        if (!p)
                return NULL;
        p->refs = 1;
        (void)copy_str(p->user, sizeof(p->user), "arandu-user");
        p->uid = 1000;
        p->accept_user_name = false;
        p->cpu_limit_nano = 2 * NANO_PER_CPU;
        p->memory_limit = INT64_C(4) << 30;
        p->pids_limit = 1024;
        p->no_new_privileges = true;
        p->restart_max_retries = 3;
        for (size_t i = 0; i < POLICY_ULIMITS; i++)
                p->ulimit_max[i] = -1;
        /* What ordinary jobs raise: open files, processes, stack, locked memory; core dumps off. */
        p->ulimit_max[policy_ulimit_index("core")] = 0;
        p->ulimit_max[policy_ulimit_index("nofile")] = 1048576;
        p->ulimit_max[policy_ulimit_index("nproc")] = 65536;
        p->ulimit_max[policy_ulimit_index("stack")] = INT64_C(64) << 20;
        p->ulimit_max[policy_ulimit_index("memlock")] = INT64_C(64) << 20;
        p->allow_builds = false;
        p->tmpfs_exec = false;
        p->allow_network_settings = false;
        p->network = NETWORK_NONE;
        p->readonly_rootfs = true;
        (void)copy_str(p->repos_dir, sizeof(p->repos_dir), "/var/lib/arandu/repos");
        (void)copy_str(p->artifacts_dir, sizeof(p->artifacts_dir), "/var/lib/arandu/artifacts");
        (void)copy_str(p->docker_host, sizeof(p->docker_host), "unix:///var/run/docker.sock");
        p->deny_on_audit_failure = false;
        return p;
}

int policy_load(const char *path, const char *(*env)(const char *name),
                struct policy **ret, struct policy_problems *problems)
{
        struct policy_problems local = { 0 };
        struct loader l = { 0 };
        int r;

        l.pr = problems ? problems : &local;
        memset(l.pr, 0, sizeof(*l.pr));
        l.p = policy_new_default();
        if (!l.p)
                return -ENOMEM;

        r = path ? load_file(&l, path) : 0;
        if (r != -ENOMEM)
                r = load_env(&l, env ? env : process_env);
        if (r == -ENOMEM) {
                fail(&l, "out of memory while loading the policy");
                policy_unref(l.p);
                return -ENOMEM;
        }
        check_policy(&l);
        if (l.pr->n_errors > 0) {
                policy_unref(l.p);
                return -EINVAL;
        }
        /* Once, here: every audit line names the policy that decided it. */
        r = policy_digest(l.p, l.p->sha256);
        if (r < 0) {
                fail(&l, "cannot compute the policy's digest: %s", strerror(-r));
                policy_unref(l.p);
                return r;
        }
        *ret = l.p;
        return 0;
}

struct policy *policy_ref(struct policy *p)
{
        /* Relaxed: taking a reference needs no ordering, only that the count is not torn. */
        if (p && __atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED) == 0)
                abort();   /* referencing a freed policy: a bug, and continuing would be a UAF */
        return p;
}

struct policy *policy_unref(struct policy *p)
{
        unsigned old;

        if (!p)
                return NULL;
        /* Release our reads of the policy before the count drops; the last one acquires all the
         * others' before freeing. */
        old = __atomic_fetch_sub(&p->refs, 1, __ATOMIC_ACQ_REL);
        if (old == 0)
                abort();
        if (old == 1)
                free(p);
        return NULL;
}

/* "2.0", "0.5", "1.000000001": exact, from the integer nano-CPUs. */
static void format_cpus(int64_t nano, char *buf, size_t size)
{
        char frac[32];
        size_t n;

        snprintf(frac, sizeof(frac), "%09" PRId64, nano % NANO_PER_CPU);
        for (n = strlen(frac); n > 1 && frac[n - 1] == '0'; n--)
                frac[n - 1] = '\0';
        snprintf(buf, size, "%" PRId64 ".%s", nano / NANO_PER_CPU, frac);
}

/* The largest unit that divides exactly: "4g", "1536m", "1000b". */
static void format_memory(int64_t bytes, char *buf, size_t size)
{
        static const struct { char unit; int shift; } units[] = { { 'g', 30 }, { 'm', 20 }, { 'k', 10 } };

        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                int64_t m = INT64_C(1) << units[i].shift;
                if (bytes % m == 0) {
                        snprintf(buf, size, "%" PRId64 "%c", bytes / m, units[i].unit);
                        return;
                }
        }
        snprintf(buf, size, "%" PRId64 "b", bytes);
}

static json_t *string_list(const char *base, size_t stride, size_t n)
{
        json_t *a = json_array();

        for (size_t i = 0; a && i < n; i++)
                if (json_array_append_new(a, json_string(base + i * stride)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

/* Only the rules set to warn, in the table's order: "deny" is the default, and a fixed order keeps
 * the printed text (and so the digest) canonical. */
static json_t *rule_actions_json(const struct policy *p)
{
        json_t *o = json_object();

        for (size_t i = 0; o && i < policy_rule_count(); i++)
                if ((p->warn_rules >> i & 1) &&
                    json_object_set_new(o, policy_rule_id(i), json_string("warn")) < 0) {
                        json_decref(o);
                        return NULL;
                }
        return o;
}

int policy_print(const struct policy *p, FILE *out)
{
        _cleanup_json_ json_t *o = json_object();
        char cpus[64], memory[32];
        int fails = 0;

        if (!o)
                return -ENOMEM;
        format_cpus(p->cpu_limit_nano, cpus, sizeof(cpus));
        format_memory(p->memory_limit, memory, sizeof(memory));

        /* json_object_set_new steals the value even on failure, and a NULL value just fails. */
#define SET(k, v) (fails += json_object_set_new(o, (k), (v)) < 0)
        SET("user", json_string(p->user));
        SET("uid", json_integer(p->uid));
        SET("accept_user_name", json_boolean(p->accept_user_name));
        SET("cpu_limit", json_string(cpus));
        SET("memory_limit", json_string(memory));
        SET("pids_limit", json_integer(p->pids_limit));
        SET("no_new_privileges", json_boolean(p->no_new_privileges));
        SET("restart_max_retries", json_integer(p->restart_max_retries));
        SET("ulimits", ulimits_json(p));
        SET("allow_builds", json_boolean(p->allow_builds));
        SET("network_mode", json_string(p->network == NETWORK_BRIDGE ? "bridge" : "none"));
        SET("readonly_rootfs", json_boolean(p->readonly_rootfs));
        SET("allowlist_domains", string_list(p->domains[0], sizeof(p->domains[0]), p->n_domains));
        SET("allow_network_settings", json_boolean(p->allow_network_settings));
        SET("repos_dir", json_string(p->repos_dir));
        SET("artifacts_dir", json_string(p->artifacts_dir));
        SET("tmpfs_targets", string_list(p->tmpfs_targets[0], sizeof(p->tmpfs_targets[0]),
                                         p->n_tmpfs_targets));
        SET("tmpfs_exec", json_boolean(p->tmpfs_exec));
        SET("allowed_cap_add", string_list(p->cap_add[0], sizeof(p->cap_add[0]), p->n_cap_add));
        SET("docker_host", json_string(p->docker_host));
        SET("deny_on_audit_failure", json_boolean(p->deny_on_audit_failure));
        SET("rule_actions", rule_actions_json(p));
#undef SET
        if (fails)
                return -ENOMEM;
        if (json_dumpf(o, out, JSON_INDENT(2)) < 0 || fputc('\n', out) == EOF || fflush(out) == EOF)
                return -EIO;
        return 0;
}

int policy_digest(const struct policy *p, char ret_hex[65])
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        int r;

        if (!f)
                return -ENOMEM;
        r = policy_print(p, f);
        if (fclose(f) != 0 && r == 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        return sha256_hex(text, len, ret_hex);
}
