/* Configuration: the built-in defaults, the JSON policy file and the environment, layered in that
 * order into one validated, immutable, reference-counted policy.
 *
 * Loading is fail-fast and exhaustive.  Every problem becomes one line naming the setting as the
 * admin wrote it ("policy file memory_limit: ..." or "DOCKER_MEMORY_LIMIT: ..."), all of them are
 * collected so that one run shows everything to fix, and any error means no policy at all: the
 * daemon never serves with a policy that is half what the admin meant.  Allowed-but-risky settings
 * and directories that do not exist yet are warnings.
 *
 * This file: the layers, the problem lines, the defaults, loading and reference counting.  Each
 * setting's parsers and the settings table are in policy/config_settings.c, the checks across
 * settings in policy/config_check.c, the printed form in policy/config_print.c, numbers and units
 * in policy/units.c; what they share in policy/config_internal.h. */

#include "policy/config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/escape.h"
#include "policy/gojson.h"
#include "policy/units.h"

/* A policy is a few hundred bytes; the cap stops a mistyped path (a log, a disk image) from being
 * slurped into memory. */
#define POLICY_FILE_MAX   (1024L * 1024L)

/* ------------------------------------------------------------------------------------------------
 * Problem lines
 * --------------------------------------------------------------------------------------------- */

struct quoted config_quote(const char *s)
{
        struct quoted q = { .str = "" };   /* for cppcheck, which does not see escape_str write it */

        escape_str(s, QUOTE_CUT, ESCAPE_QUOTE, q.str, sizeof(q.str));
        return q;
}

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

int config_fail(struct loader *l, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        add_line(l->pr->errors, &l->pr->n_errors, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

void config_warn(struct loader *l, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        add_line(l->pr->warnings, &l->pr->n_warnings, fmt, ap);
        va_end(ap);
}

const char *config_who(const struct loader *l, enum setting_id id)
{
        if (l->by[id])
                return l->by[id];
        return config_settings[id].env ? config_settings[id].env : config_settings[id].file_label;
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
/* The policy file's bytes (a new buffer in *ret, its length in *ret_len). */
static int read_policy_file(struct loader *l, const char *path, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0, cap;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                int err = errno;
                return config_fail(l, "policy file %s: cannot open: %s", Q(path), strerror(err));
        }
        if (fstat(fd, &st) < 0) {
                int err = errno;
                return config_fail(l, "policy file %s: cannot stat: %s", Q(path), strerror(err));
        }
        if (!S_ISREG(st.st_mode))
                return config_fail(l, "policy file %s: not a regular file", Q(path));
        if (st.st_size > POLICY_FILE_MAX)
                return config_fail(l, "policy file %s: larger than %ld bytes", Q(path), POLICY_FILE_MAX);
        if (st.st_mode & (S_IWGRP | S_IWOTH))
                config_warn(l, "policy file %s: writable by group or others; whoever can write it can "
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
                        return config_fail(l, "policy file %s: cannot read: %s", Q(path), strerror(err));
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        if (len == cap)
                return config_fail(l, "policy file %s: changed while being read", Q(path));
        *ret = buf;
        buf = NULL;
        *ret_len = len;
        return 0;
}

/* Apply a policy document (the policy-file schema).  Problems name it as `kind` and `name`
 * ("policy file" "\"/etc/...\"", "policy bundle" "serial 42"). */
static int load_text(struct loader *l, const char *kind, const char *name, const char *text, size_t len)
{
        _cleanup_json_ json_t *root = NULL;
        json_error_t e;
        const char *key;
        json_t *v;
        int r;

        if (len > POLICY_FILE_MAX)
                return config_fail(l, "%s %s: larger than %ld bytes", kind, name, POLICY_FILE_MAX);
        root = gojson_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
        if (!root)
                return config_fail(l, "%s %s: line %d column %d: %s", kind, name, e.line, e.column, e.text);
        if (!json_is_object(root))
                return config_fail(l, "%s %s: expected a JSON object, got %s", kind, name, json_kind(root));
        json_object_foreach(root, key, v) {
                enum setting_id id;
                for (id = 0; id < S__MAX; id++)
                        if (streq(key, config_settings[id].key))
                                break;
                if (id == S__MAX) {
                        /* A misspelt key would otherwise silently leave the default in force. */
                        config_fail(l, "%s %s: unknown setting (the keys are those "
                             "\"arandu-authz policy\" prints)", kind, Q(key));
                        continue;
                }
                r = config_settings[id].from_json(l, config_settings[id].file_label, v);
                if (r == -ENOMEM)
                        return r;
                record(l, id, config_settings[id].file_label, r);
        }
        return 0;
}

static int load_file(struct loader *l, const char *path)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r;

        r = read_policy_file(l, path, &text, &len);
        if (r < 0)
                return r;
        return load_text(l, "policy file", Q(path), text, len);
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

                if (!config_settings[id].env)
                        continue;
                v = env(config_settings[id].env);
                if (!v)
                        continue;
                r = config_settings[id].from_env(l, config_settings[id].env, v);
                if (r == -ENOMEM)
                        return r;
                record(l, id, config_settings[id].env, r);
        }
        return 0;
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
        p->cpu_limit_nano = 2 * UNITS_NANO_PER_CPU;
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

/* The policy document: a file, or text given with its name. */
struct source {
        const char *path;
        const char *name, *text;
        size_t len;
};

static int load(const struct source *src, const char *(*env)(const char *name),
                struct policy **ret, struct policy_problems *problems)
{
        struct policy_problems local = { 0 };
        struct loader l = { 0 };
        int r = 0;

        l.pr = problems ? problems : &local;
        memset(l.pr, 0, sizeof(*l.pr));
        l.p = policy_new_default();
        if (!l.p)
                return -ENOMEM;

        if (src->path)
                r = load_file(&l, src->path);
        else if (src->text)
                r = load_text(&l, "policy bundle", src->name, src->text, src->len);
        if (r != -ENOMEM)
                r = load_env(&l, env ? env : process_env);
        if (r == -ENOMEM) {
                config_fail(&l, "out of memory while loading the policy");
                policy_unref(l.p);
                return -ENOMEM;
        }
        config_check(&l);
        if (l.pr->n_errors > 0) {
                policy_unref(l.p);
                return -EINVAL;
        }
        /* Once, here: every audit line names the policy that decided it. */
        r = policy_digest(l.p, l.p->sha256);
        if (r < 0) {
                config_fail(&l, "cannot compute the policy's digest: %s", strerror(-r));
                policy_unref(l.p);
                return r;
        }
        *ret = l.p;
        return 0;
}

int policy_load(const char *path, const char *(*env)(const char *name),
                struct policy **ret, struct policy_problems *problems)
{
        const struct source src = { .path = path };
        return load(&src, env, ret, problems);
}

int policy_load_text(const char *name, const char *text, size_t len, const char *(*env)(const char *name),
                     struct policy **ret, struct policy_problems *problems)
{
        const struct source src = { .name = name, .text = text, .len = len };
        return load(&src, env, ret, problems);
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
