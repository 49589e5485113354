/* Helpers shared by the unit-test programs: temporary directory trees, JSON bodies built from a
 * template and mutated one field at a time, and checks over decisions.
 *
 * Header-only (static functions), so every test program stays one .c file linked against the
 * library.  Failures to set up the test environment are fatal CUnit assertions. */
#pragma once

#include <CUnit/CUnit.h>
#include <errno.h>
#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy/decision.h"
#include "policy/gojson.h"
#include "policy/policy.h"

/* --- files ----------------------------------------------------------------------------------- */

/* A new empty directory under $TMPDIR (or /tmp), path in buf (PATH_MAX).  The parent is resolved
 * first, so the path is absolute and clean, as policy roots must be. */
static inline void tu_mkdtemp(char *buf, size_t size)
{
        const char *tmp = getenv("TMPDIR");
        char parent[PATH_MAX];
        if (!tmp || tmp[0] != '/' || !realpath(tmp, parent))
                snprintf(parent, sizeof(parent), "/tmp");
        int n = snprintf(buf, size, "%s/arandu-unit-XXXXXX", strcmp(parent, "/") == 0 ? "" : parent);
        CU_ASSERT_FATAL(n > 0 && (size_t) n < size);
        CU_ASSERT_FATAL(mkdtemp(buf) != NULL);
}

/* rm -rf, never following symlinks. */
static inline void tu_rm_rf(const char *path)
{
        struct stat st;
        if (!path || path[0] != '/' || lstat(path, &st) < 0)
                return;
        if (S_ISDIR(st.st_mode)) {
                DIR *dir = opendir(path);
                struct dirent *e;
                while (dir && (e = readdir(dir))) {
                        char sub[PATH_MAX];
                        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                                continue;
                        if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) < (int) sizeof(sub))
                                tu_rm_rf(sub);
                }
                if (dir)
                        closedir(dir);
                rmdir(path);
        } else
                unlink(path);
}

/* printf-style path, fatal if it does not fit. */
static inline void tu_path(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline void tu_path(char *buf, size_t size, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, size, fmt, ap);
        va_end(ap);
        CU_ASSERT_FATAL(n > 0 && (size_t) n < size);
}

static inline void tu_mkdir(const char *path)
{
        CU_ASSERT_FATAL(mkdir(path, 0755) == 0 || errno == EEXIST);
}

static inline void tu_symlink(const char *target, const char *link)
{
        CU_ASSERT_FATAL(symlink(target, link) == 0 || errno == EEXIST);
}

static inline void tu_write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "we");
        CU_ASSERT_FATAL(f != NULL);
        fputs(text, f);
        CU_ASSERT_FATAL(fclose(f) == 0);
}

/* The recorded dockerd envelopes: tests/fixtures/dockerd-20.10.24 from the repository root,
 * where make runs the tests, or $ARANDU_FIXTURES. */
static inline const char *tu_fixtures_dir(void)
{
        const char *env = getenv("ARANDU_FIXTURES");
        return env && env[0] ? env : "tests/fixtures/dockerd-20.10.24";
}

/* Whole file into a new NUL-terminated buffer (caller frees); NULL when unreadable. */
static inline char *tu_read_file(const char *path, size_t *ret_len)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        size_t cap = 4096, len = 0;
        char *buf = malloc(cap);
        while (buf) {
                size_t n = fread(buf + len, 1, cap - 1 - len, f);
                len += n;
                if (len < cap - 1)
                        break;
                char *nb = realloc(buf, cap * 2);
                if (!nb) {
                        free(buf);
                        buf = NULL;
                        break;
                }
                buf = nb;
                cap *= 2;
        }
        fclose(f);
        if (buf) {
                buf[len] = '\0';
                if (ret_len)
                        *ret_len = len;
        }
        return buf;
}

/* --- templates ------------------------------------------------------------------------------- */

/* Up to 4 variables substituted in templates: "$R" -> value. */
struct tu_vars {
        size_t n;
        const char *name[4];
        const char *value[4];
};

/* Substitute vars into tmpl; new string (caller frees). */
static inline char *tu_subst(const char *tmpl, const struct tu_vars *vars)
{
        size_t cap = strlen(tmpl) + 256, len = 0;
        char *out = malloc(cap);
        CU_ASSERT_FATAL(out != NULL);
        for (const char *s = tmpl; *s;) {
                size_t i;
                for (i = 0; vars && i < vars->n; i++) {
                        size_t nl = strlen(vars->name[i]);
                        if (strncmp(s, vars->name[i], nl) == 0)
                                break;
                }
                const char *piece = s;
                size_t pl = 1, skip = 1;
                if (vars && i < vars->n) {
                        piece = vars->value[i];
                        pl = strlen(piece);
                        skip = strlen(vars->name[i]);
                }
                if (pl + 1 > cap - len) {
                        cap = (cap + pl) * 2;
                        char *grown = realloc(out, cap);
                        CU_ASSERT_FATAL(grown != NULL);
                        out = grown;
                }
                memcpy(out + len, piece, pl);
                len += pl;
                s += skip;
        }
        out[len] = '\0';
        return out;
}

/* Parse JSON text (any value, duplicates rejected); fatal on error.  New reference. */
static inline json_t *tu_json(const char *text)
{
        json_error_t err;
        json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
        if (!v)
                fprintf(stderr, "\ntest JSON does not parse: %s: %s\n", err.text, text);
        CU_ASSERT_FATAL(v != NULL);
        return v;
}

/* Set the member at a dotted path ("HostConfig.NanoCpus") to the JSON text `value` (after
 * substitution), creating missing objects on the way; value NULL deletes the member. */
static inline void tu_set(json_t *root, const char *path, const char *value, const struct tu_vars *vars)
{
        char key[256];
        json_t *obj = root;
        const char *p = path;

        for (;;) {
                const char *dot = strchr(p, '.');
                size_t n = dot ? (size_t) (dot - p) : strlen(p);
                CU_ASSERT_FATAL(n < sizeof(key));
                memcpy(key, p, n);
                key[n] = '\0';
                CU_ASSERT_FATAL(json_is_object(obj));
                if (!dot) {
                        if (!value) {
                                json_object_del(obj, key);
                                return;
                        }
                        char *text = tu_subst(value, vars);
                        json_t *v = tu_json(text);
                        free(text);
                        CU_ASSERT_FATAL(json_object_set_new(obj, key, v) == 0);
                        return;
                }
                json_t *next = json_object_get(obj, key);
                if (!next || json_is_null(next)) {
                        next = json_object();
                        CU_ASSERT_FATAL(json_object_set_new(obj, key, next) == 0);
                }
                obj = next;
                p = dot + 1;
        }
}

/* --- decisions ------------------------------------------------------------------------------- */

/* The distinct rule ids of d, comma-separated, in order of first appearance. */
static inline void tu_rules(const struct decision *d, char *buf, size_t size)
{
        size_t len = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < d->n; i++) {
                bool seen = false;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(d->v[i].rule, d->v[j].rule) == 0)
                                seen = true;
                if (seen)
                        continue;
                int k = snprintf(buf + len, size - len, "%s%s", len ? "," : "", d->v[i].rule);
                if (k < 0 || (size_t) k >= size - len)
                        return;
                len += (size_t) k;
        }
}

/* Does d carry every rule id of the comma-separated list? */
static inline bool tu_rules_include(const struct decision *d, const char *want)
{
        for (const char *p = want; *p;) {
                const char *c = strchr(p, ',');
                size_t n = c ? (size_t) (c - p) : strlen(p);
                char id[64];
                if (n >= sizeof(id))
                        return false;
                memcpy(id, p, n);
                id[n] = '\0';
                if (!decision_has(d, id))
                        return false;
                p = c ? c + 1 : p + n;
        }
        return true;
}

/* Is the set of rule ids in d exactly the comma-separated set `want` ("" = none)? */
static inline bool tu_rules_are(const struct decision *d, const char *want)
{
        if (!tu_rules_include(d, want))
                return false;
        size_t nwant = want[0] ? 1 : 0;
        for (const char *w = want; *w; w++)
                nwant += *w == ',';
        char have[512];
        tu_rules(d, have, sizeof(have));
        size_t nhave = have[0] ? 1 : 0;
        for (const char *h = have; *h; h++)
                nhave += *h == ',';
        return nhave == nwant;
}

/* Does decision_message()'s text give every rule of the comma-separated `want` as "rule: ", first
 * or after "; ", and never twice in a row ("rule: rule: ")? */
static inline bool tu_message_names(const char *msg, const char *want)
{
        for (const char *w = want; *w;) {
                size_t n = strcspn(w, ",");
                char head[64], mid[68], twice[130];
                if (n >= sizeof(head) - 2)
                        return false;
                snprintf(head, sizeof(head), "%.*s: ", (int) n, w);
                snprintf(mid, sizeof(mid), "; %s", head);
                snprintf(twice, sizeof(twice), "%s%s", head, head);
                if ((strncmp(msg, head, strlen(head)) != 0 && !strstr(msg, mid)) || strstr(msg, twice))
                        return false;
                w += n;
                if (*w == ',')
                        w++;
        }
        return true;
}

/* Words that start the "how to fix it" part of a violation text. */
static inline bool tu_says_fix(const char *text)
{
        static const char *const verbs[] = {
                "; set ", "; remove", "; add ", "; use ", "; send", "; lower", "; only", "; bind ", "; mount ",
                "; build ", "; start ", "; connect", "; devices cannot", "; device rules cannot",
                "; the cgroup parent cannot", "; cluster volumes", "; volume options", "; image mounts",
                ": binds are allowed only", ": only the ro or rw", ": only bind mounts", "remove it", "; dockerd expects",
                "only the default bridge is", "the policy allows no network", "; build with",
                "not allowed", "; set --", "; give ", "; in -v", "; in --mount", "; create it without",
                "; run it again without", "; choose",
        };
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
                if (strstr(text, verbs[i]))
                        return true;
        return false;
}

/* Every violation text starts with "<rule>: " and says how to fix it. */
static inline bool tu_texts_well_formed(const struct decision *d)
{
        for (size_t i = 0; i < d->n; i++) {
                size_t rl = strlen(d->v[i].rule);
                if (strncmp(d->v[i].text, d->v[i].rule, rl) != 0 || strncmp(d->v[i].text + rl, ": ", 2) != 0) {
                        fprintf(stderr, "\nviolation text without its rule prefix: %s\n", d->v[i].text);
                        return false;
                }
                if (!tu_says_fix(d->v[i].text)) {
                        fprintf(stderr, "\nviolation text without a fix: %s\n", d->v[i].text);
                        return false;
                }
        }
        return true;
}

/* Does some violation text contain `needle`? */
static inline bool tu_mentions(const struct decision *d, const char *needle)
{
        for (size_t i = 0; i < d->n; i++)
                if (strstr(d->v[i].text, needle))
                        return true;
        return false;
}

static inline void tu_dump(const char *name, const struct decision *d)
{
        char msg[8192];
        decision_message(d, msg, sizeof(msg));
        fprintf(stderr, "\n  case %s: allow=%d complete=%d: %s\n", name, d->allow, d->complete, msg);
}

/* --- policy ---------------------------------------------------------------------------------- */

/* The built-in default policy (policy_new_default) with the repository and artifacts roots set. */
static inline struct policy *tu_policy(const char *repos, const char *artifacts)
{
        struct policy *p = policy_new_default();
        CU_ASSERT_FATAL(p != NULL);
        if (repos)
                snprintf(p->repos_dir, sizeof(p->repos_dir), "%s", repos);
        if (artifacts)
                snprintf(p->artifacts_dir, sizeof(p->artifacts_dir), "%s", artifacts);
        return p;
}

/* The roots the recorded fixtures were made with, as the environment gives them to policy_load. */
#define TU_FIXTURE_REPOS     "/srv/arandu/repos"
#define TU_FIXTURE_ARTIFACTS "/srv/arandu/artifacts"

static inline const char *tu_fixture_env(const char *name)
{
        if (strcmp(name, "DOCKER_REPOS_DIR") == 0)
                return TU_FIXTURE_REPOS;
        if (strcmp(name, "DOCKER_ARTIFACTS_DIR") == 0)
                return TU_FIXTURE_ARTIFACTS;
        /* The fixtures' compliant flags predate these two rules and set neither. */
        if (strcmp(name, "DOCKER_PIDS_LIMIT") == 0)
                return "0";
        if (strcmp(name, "DOCKER_NO_NEW_PRIVILEGES") == 0)
                return "false";
        return NULL;
}

/* The recorded fixtures bind TU_FIXTURE_REPOS/demo and TU_FIXTURE_ARTIFACTS/demo, which must exist
 * as directories to be allowed.  Made in a private mount namespace on a tmpfs at /srv, so that the
 * host's /srv is neither needed nor touched; unprivileged through a user namespace.  The tmpfs is
 * nosuid,nodev; TU_PLAIN_MOUNT is a tmpfs inside it without nosuid.  Call before any
 * thread starts.  Fatal (exit 1) when it cannot be done. */
static inline void tu_proc_write(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
                ssize_t n = write(fd, text, strlen(text));
                (void) n;
                close(fd);
        }
}

#define TU_PLAIN_MOUNT "/srv/plain"

static inline void tu_fixture_roots(void)
{
        uid_t uid = getuid();
        gid_t gid = getgid();
        if (syscall(SYS_unshare, uid == 0 ? CLONE_NEWNS : CLONE_NEWUSER | CLONE_NEWNS) < 0) {
                perror("tu_fixture_roots: unshare");
                exit(1);
        }
        if (uid != 0) {
                char map[64];
                tu_proc_write("/proc/self/setgroups", "deny");
                snprintf(map, sizeof(map), "%u %u 1", (unsigned) uid, (unsigned) uid);
                tu_proc_write("/proc/self/uid_map", map);
                snprintf(map, sizeof(map), "%u %u 1", (unsigned) gid, (unsigned) gid);
                tu_proc_write("/proc/self/gid_map", map);
        }
        static const char *const dirs[] = {
                "/srv/arandu", TU_FIXTURE_REPOS, TU_FIXTURE_ARTIFACTS, TU_FIXTURE_REPOS "/demo", TU_FIXTURE_ARTIFACTS "/demo",
        };
        if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("arandu-unit", "/srv", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
                perror("tu_fixture_roots: mount a private tmpfs at /srv");
                exit(1);
        }
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
                if (mkdir(dirs[i], 0755) < 0) {
                        perror(dirs[i]);
                        exit(1);
                }
        /* and one mount without nosuid (nor nodev, as root), for the archive rule */
        if (mkdir(TU_PLAIN_MOUNT, 0755) < 0 || mount("arandu-plain", TU_PLAIN_MOUNT, "tmpfs", 0, "mode=0755") < 0) {
                perror("tu_fixture_roots: " TU_PLAIN_MOUNT);
                exit(1);
        }
}

#define CU_MAIN_FIXTURE_ROOTS(suites) \
        int main(void) { gojson_init(); tu_fixture_roots(); return cu_run((suites), sizeof(suites) / sizeof((suites)[0])); }

/* The policy the fixtures were recorded for, loaded as the daemon loads it: built-in defaults, no
 * file, the fixtures' roots from the environment, no pids limit and no-new-privileges not required. */
static inline struct policy *tu_fixture_policy(void)
{
        struct policy *p = NULL;
        struct policy_problems problems;
        int r = policy_load(NULL, tu_fixture_env, &p, &problems);
        if (r < 0)
                for (size_t i = 0; i < problems.n_errors; i++)
                        fprintf(stderr, "\n  policy: %s\n", problems.errors[i]);
        CU_ASSERT_FATAL(r == 0 && p != NULL);
        CU_ASSERT_STRING_EQUAL(p->repos_dir, TU_FIXTURE_REPOS);
        CU_ASSERT_STRING_EQUAL(p->artifacts_dir, TU_FIXTURE_ARTIFACTS);
        return p;
}
