/* Unit tests for policy/config.c: number parsers, every setting from the environment and from the
 * policy file on both sides of its bounds, every error and warning line, layering, and the
 * print -> load round trip.
 *
 * The environment is a fake lookup over a small table (NULL value = unset, "" = set but empty);
 * policy files are real temporary files.  Unless a test says otherwise, DOCKER_REPOS_DIR and
 * DOCKER_ARTIFACTS_DIR point at fresh temporary directories, so that no "does not exist yet"
 * warning depends on the machine the tests run on. */

#include "policy/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/cutest.h"

#define GIB (INT64_C(1) << 30)
#define MIB (INT64_C(1) << 20)
#define KIB (INT64_C(1) << 10)
#define NANO INT64_C(1000000000)
#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------------------------------
 * Fixtures
 * --------------------------------------------------------------------------------------------- */

struct envvar {
        const char *name;
        const char *value;   /* NULL: unset (overrides the base directories too) */
};

#define ENV(...) ((const struct envvar[]){ __VA_ARGS__, { NULL, NULL } })
#define NOENV    ((const struct envvar *)NULL)

static const struct envvar *fake_table;
static bool base_dirs = true;
static char repos_tmp[64], artifacts_tmp[64], scratch_tmp[64];

static void remove_tmp_dirs(void)
{
        rmdir(repos_tmp);
        rmdir(artifacts_tmp);
        rmdir(scratch_tmp);
}

static void make_tmp_dirs(void)
{
        if (repos_tmp[0])
                return;
        snprintf(repos_tmp, sizeof(repos_tmp), "/tmp/arandu-repos.XXXXXX");
        snprintf(artifacts_tmp, sizeof(artifacts_tmp), "/tmp/arandu-artifacts.XXXXXX");
        snprintf(scratch_tmp, sizeof(scratch_tmp), "/tmp/arandu-scratch.XXXXXX");
        if (!mkdtemp(repos_tmp) || !mkdtemp(artifacts_tmp) || !mkdtemp(scratch_tmp)) {
                perror("mkdtemp");
                exit(2);
        }
        atexit(remove_tmp_dirs);
}

static const char *fake_env(const char *name)
{
        for (const struct envvar *e = fake_table; e && e->name; e++)
                if (strcmp(e->name, name) == 0)
                        return e->value;
        if (base_dirs && strcmp(name, "DOCKER_REPOS_DIR") == 0)
                return repos_tmp;
        if (base_dirs && strcmp(name, "DOCKER_ARTIFACTS_DIR") == 0)
                return artifacts_tmp;
        return NULL;
}

/* Write `content` to a new temporary file; the path goes to `path` (at least 48 bytes). */
static void write_tmp(const char *content, char *path)
{
        int fd;
        size_t len = strlen(content);

        snprintf(path, 48, "/tmp/arandu-policy.XXXXXX");
        fd = mkstemp(path);
        if (fd < 0 || write(fd, content, len) != (ssize_t)len || close(fd) < 0) {
                perror("write_tmp");
                exit(2);
        }
}

static struct policy sentinel;   /* what *ret must still point at after a failed load */

struct run {
        int r;
        struct policy *p;
        struct policy_problems pr;
};

/* Load with an optional policy file holding `json` and the fake environment `env`. */
static void run_load(const char *json, const struct envvar *env, struct run *out)
{
        char path[48];

        make_tmp_dirs();
        memset(out, 0xa5, sizeof(*out));   /* policy_load must reset the problems */
        out->p = &sentinel;
        if (json)
                write_tmp(json, path);
        fake_table = env;
        out->r = policy_load(json ? path : NULL, fake_env, &out->p, &out->pr);
        fake_table = NULL;
        if (json)
                unlink(path);
}

static bool has_line(const struct policy_problems *pr, bool errors, const char *needle)
{
        size_t n = errors ? pr->n_errors : pr->n_warnings;

        for (size_t i = 0; i < n; i++)
                if (strstr(errors ? pr->errors[i] : pr->warnings[i], needle))
                        return true;
        return false;
}

static void dump(const char *what, const char *json, const struct run *run)
{
        fprintf(stderr, "\n  -- %s; file %s; r=%d\n", what, json ? json : "(none)", run->r);
        for (size_t i = 0; i < run->pr.n_errors && i < POLICY_PROBLEMS_MAX; i++)
                fprintf(stderr, "     error: %s\n", run->pr.errors[i]);
        for (size_t i = 0; i < run->pr.n_warnings && i < POLICY_PROBLEMS_MAX; i++)
                fprintf(stderr, "     warning: %s\n", run->pr.warnings[i]);
}

/* Expect success; returns the policy (caller unrefs) or NULL after recording a failure. */
static struct policy *load_ok(const char *json, const struct envvar *env, struct run *run)
{
        run_load(json, env, run);
        bool ok = run->r == 0 && run->pr.n_errors == 0 && run->p != &sentinel && run->p;
        CU_ASSERT(ok);
        if (!ok) {
                dump("expected success", json, run);
                return NULL;
        }
        return run->p;
}

/* Expect failure with exactly `n_errors` lines, one of them containing `needle`, *ret untouched. */
static void load_fails(const char *json, const struct envvar *env, size_t n_errors,
                       const char *needle, struct run *run)
{
        run_load(json, env, run);
        bool ok = run->r == -EINVAL && run->p == &sentinel && run->pr.n_errors == n_errors &&
                  has_line(&run->pr, true, needle);
        CU_ASSERT(ok);
        if (!ok)
                dump(needle, json, run);
}

static void load_err(const char *json, const struct envvar *env, const char *needle)
{
        struct run run;
        load_fails(json, env, 1, needle, &run);
}

static void expect_warning(const struct run *run, const char *needle)
{
        bool ok = has_line(&run->pr, false, needle);
        CU_ASSERT(ok);
        if (!ok)
                dump(needle, NULL, run);
}

static void expect_no_warnings(const struct run *run)
{
        CU_ASSERT_EQUAL(run->pr.n_warnings, 0);
        if (run->pr.n_warnings)
                dump("expected no warnings", NULL, run);
}

/* ------------------------------------------------------------------------------------------------
 * Number parsers
 * --------------------------------------------------------------------------------------------- */

static void test_parse_memory_size(void)
{
        static const struct { const char *s; int64_t want; } good[] = {
                { "4g", 4 * GIB }, { "4G", 4 * GIB }, { "512m", 512 * MIB }, { "512M", 512 * MIB },
                { "1k", KIB }, { "1K", KIB }, { "1b", 1 }, { "1B", 1 }, { "1", 1 }, { "1024", 1024 },
                { "007m", 7 * MIB }, { "1536m", 1536 * MIB },
                { "9223372036854775807", INT64_MAX }, { "9223372036854775807b", INT64_MAX },
                { "8589934591g", INT64_C(8589934591) * GIB },
                { "8796093022207m", INT64_C(8796093022207) * MIB },
                { "9007199254740991k", INT64_C(9007199254740991) * KIB },
        };
        static const char *const bad[] = {
                "", "0", "0g", "0b", "000", "g", "k", "-1", "-1g", "+1", " 1", "1 ", "1\n", "1.5g",
                "1.0", ".5g", "1gb", "1kb", "1mb", "1t", "1e3", "0x10", "1gg", "nan", "four",
                "9223372036854775808", "8589934592g", "8796093022208m", "9007199254740992k",
                "99999999999999999999999", "-9223372036854775808",
        };

        for (size_t i = 0; i < N_ELEM(good); i++) {
                int64_t v = -1;
                int r = parse_memory_size(good[i].s, &v);
                CU_ASSERT_EQUAL(r, 0);
                CU_ASSERT_EQUAL(v, good[i].want);
                if (r != 0 || v != good[i].want)
                        fprintf(stderr, "\n  parse_memory_size(\"%s\") = %d, %lld\n", good[i].s, r,
                                (long long)v);
        }
        for (size_t i = 0; i < N_ELEM(bad); i++) {
                int64_t v = 12345;
                int r = parse_memory_size(bad[i], &v);
                CU_ASSERT_EQUAL(r, -EINVAL);
                CU_ASSERT_EQUAL(v, 12345);   /* untouched on failure */
                if (r != -EINVAL)
                        fprintf(stderr, "\n  parse_memory_size(\"%s\") accepted\n", bad[i]);
        }
        int64_t v = 7;
        CU_ASSERT_EQUAL(parse_memory_size(NULL, &v), -EINVAL);
        CU_ASSERT_EQUAL(v, 7);
}

static void test_parse_cpus(void)
{
        static const struct { const char *s; int64_t want; } good[] = {
                { "2", 2 * NANO }, { "2.0", 2 * NANO }, { "0.5", NANO / 2 }, { ".5", NANO / 2 },
                { "2.", 2 * NANO }, { "0.1", 100000000 }, { "0.000000001", 1 },
                { "1.123456789", 1123456789 }, { "1024", 1024 * NANO },
                { "1024.000000000", 1024 * NANO }, { "0001.5", 1500000000 },
                { "1023.999999999", 1024 * NANO - 1 }, { "0.3", 300000000 },
        };
        static const char *const bad[] = {
                "", "0", "0.0", "0.000000000", ".", "-1", "-0.5", "-0", "0.0000000001",
                "1.1234567891", "2.0000000000", "1024.000000001", "1025", "1024.5",
                "99999999999999999999999", "nan", "NaN", "inf", "-inf", "Infinity", "1e3", "1e-3",
                "+1", " 1", "1 ", "1,5", "1.2.3", "0x1", "abc", "2.0\n", "--1", "-",
        };

        for (size_t i = 0; i < N_ELEM(good); i++) {
                int64_t v = -1;
                int r = parse_cpus(good[i].s, &v);
                CU_ASSERT_EQUAL(r, 0);
                CU_ASSERT_EQUAL(v, good[i].want);
                if (r != 0 || v != good[i].want)
                        fprintf(stderr, "\n  parse_cpus(\"%s\") = %d, %lld\n", good[i].s, r,
                                (long long)v);
        }
        for (size_t i = 0; i < N_ELEM(bad); i++) {
                int64_t v = 12345;
                int r = parse_cpus(bad[i], &v);
                CU_ASSERT_EQUAL(r, -EINVAL);
                CU_ASSERT_EQUAL(v, 12345);
                if (r != -EINVAL)
                        fprintf(stderr, "\n  parse_cpus(\"%s\") accepted\n", bad[i]);
        }
        int64_t v = 7;
        CU_ASSERT_EQUAL(parse_cpus(NULL, &v), -EINVAL);
        CU_ASSERT_EQUAL(v, 7);
}

/* ------------------------------------------------------------------------------------------------
 * Defaults and reference counting
 * --------------------------------------------------------------------------------------------- */

static void check_defaults(const struct policy *p)
{
        CU_ASSERT_STRING_EQUAL(p->user, "arandu-user");
        CU_ASSERT_EQUAL(p->uid, 1000);
        CU_ASSERT_FALSE(p->accept_user_name);
        CU_ASSERT_EQUAL(p->cpu_limit_nano, 2 * NANO);
        CU_ASSERT_EQUAL(p->memory_limit, 4 * GIB);
        CU_ASSERT_EQUAL(p->pids_limit, 1024);
        CU_ASSERT_TRUE(p->no_new_privileges);
        CU_ASSERT_EQUAL(p->restart_max_retries, 3);
        CU_ASSERT_FALSE(p->allow_builds);
        CU_ASSERT_FALSE(p->tmpfs_exec);
        CU_ASSERT_FALSE(p->allow_network_settings);
        CU_ASSERT_EQUAL(p->ulimit_max[policy_ulimit_index("core")], 0);
        CU_ASSERT_EQUAL(p->ulimit_max[policy_ulimit_index("nofile")], 1048576);
        CU_ASSERT_EQUAL(p->ulimit_max[policy_ulimit_index("nproc")], 65536);
        CU_ASSERT_EQUAL(p->ulimit_max[policy_ulimit_index("stack")], 64 * MIB);
        CU_ASSERT_EQUAL(p->ulimit_max[policy_ulimit_index("memlock")], 64 * MIB);
        CU_ASSERT_EQUAL(p->ulimit_max[policy_ulimit_index("rtprio")], -1);
        CU_ASSERT_EQUAL(p->ulimit_max[policy_ulimit_index("rttime")], -1);
        CU_ASSERT_EQUAL(p->ulimit_max[policy_ulimit_index("cpu")], -1);
        CU_ASSERT_EQUAL(p->network, NETWORK_NONE);
        CU_ASSERT_TRUE(p->readonly_rootfs);
        CU_ASSERT_EQUAL(p->n_domains, 0);
        CU_ASSERT_EQUAL(p->n_tmpfs_targets, 0);
        CU_ASSERT_EQUAL(p->n_cap_add, 0);
        CU_ASSERT_STRING_EQUAL(p->docker_host, "unix:///var/run/docker.sock");
        CU_ASSERT_FALSE(p->deny_on_audit_failure);
}

static void test_new_default(void)
{
        struct policy *p = policy_new_default();

        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        check_defaults(p);
        CU_ASSERT_EQUAL(p->refs, 1);
        CU_ASSERT_STRING_EQUAL(p->repos_dir, "/var/lib/arandu/repos");
        CU_ASSERT_STRING_EQUAL(p->artifacts_dir, "/var/lib/arandu/artifacts");
        CU_ASSERT_PTR_NULL(policy_unref(p));
}

static void test_load_defaults(void)
{
        struct run run;
        struct policy *p = load_ok(NULL, NOENV, &run);

        if (!p)
                return;
        check_defaults(p);
        CU_ASSERT_STRING_EQUAL(p->repos_dir, repos_tmp);
        CU_ASSERT_STRING_EQUAL(p->artifacts_dir, artifacts_tmp);
        expect_no_warnings(&run);
        policy_unref(p);

        /* The built-in directories: valid, warned about only if this machine lacks them. */
        base_dirs = false;
        p = load_ok(NULL, NOENV, &run);
        base_dirs = true;
        if (!p)
                return;
        CU_ASSERT_STRING_EQUAL(p->repos_dir, "/var/lib/arandu/repos");
        struct stat st;
        if (stat("/var/lib/arandu/repos", &st) < 0)
                expect_warning(&run, "DOCKER_REPOS_DIR: \"/var/lib/arandu/repos\" does not exist yet");
        if (stat("/var/lib/arandu/artifacts", &st) < 0)
                expect_warning(&run, "DOCKER_ARTIFACTS_DIR: \"/var/lib/arandu/artifacts\" does not "
                               "exist yet");
        policy_unref(p);

        /* problems may be NULL */
        p = &sentinel;
        fake_table = NULL;
        CU_ASSERT_EQUAL(policy_load(NULL, fake_env, &p, NULL), 0);
        CU_ASSERT(p != &sentinel);
        if (p != &sentinel)
                policy_unref(p);
        p = &sentinel;
        fake_table = ENV({ "DOCKER_USER", "root" });
        CU_ASSERT_EQUAL(policy_load(NULL, fake_env, &p, NULL), -EINVAL);
        CU_ASSERT_PTR_EQUAL(p, &sentinel);
        fake_table = NULL;
}

/* env == NULL reads the process environment. */
static void test_process_environment(void)
{
        struct policy_problems pr;
        struct policy *p = &sentinel;
        char *saved = getenv("DOCKER_USER") ? strdup(getenv("DOCKER_USER")) : NULL;

        CU_ASSERT_EQUAL(setenv("DOCKER_USER", "root", 1), 0);
        CU_ASSERT_EQUAL(policy_load(NULL, NULL, &p, &pr), -EINVAL);
        CU_ASSERT_PTR_EQUAL(p, &sentinel);
        CU_ASSERT(has_line(&pr, true, "DOCKER_USER: \"root\" would run containers as root"));
        if (saved)
                setenv("DOCKER_USER", saved, 1);
        else
                unsetenv("DOCKER_USER");
        free(saved);
}

static void test_refcount(void)
{
        struct policy *p = policy_new_default();

        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_PTR_EQUAL(policy_ref(p), p);
        CU_ASSERT_EQUAL(p->refs, 2);
        CU_ASSERT_PTR_NULL(policy_unref(p));
        CU_ASSERT_EQUAL(p->refs, 1);
        CU_ASSERT_PTR_NULL(policy_unref(p));   /* freed: valgrind checks there is no leak */
        CU_ASSERT_PTR_NULL(policy_unref(NULL));
        CU_ASSERT_PTR_NULL(policy_ref(NULL));
}

#define REF_THREADS 4
#define REF_ROUNDS  200000

static void *ref_worker(void *arg)
{
        struct policy *p = arg;

        for (int i = 0; i < REF_ROUNDS; i++) {
                policy_ref(p);
                policy_unref(p);
        }
        return NULL;
}

/* Readers take and drop references from many threads while a reload swaps the pointer. */
static void test_refcount_threads(void)
{
        pthread_t t[REF_THREADS];
        struct policy *p = policy_new_default();

        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        for (int i = 0; i < REF_THREADS; i++)
                CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, ref_worker, p), 0);
        for (int i = 0; i < REF_THREADS; i++)
                pthread_join(t[i], NULL);
        CU_ASSERT_EQUAL(__atomic_load_n(&p->refs, __ATOMIC_SEQ_CST), 1);
        policy_unref(p);
}

/* ------------------------------------------------------------------------------------------------
 * Environment variables
 * --------------------------------------------------------------------------------------------- */

static void test_env_user(void)
{
        static const char *const ok[] = { "alice", "_svc", "a.b-c_d", "svc1",
                                          "abcdefghijklmnopqrstuvwxyz012345" /* 32 */ };
        static const char *const invalid[] = { "1000", "bad name", "a:b", "-x", ".x", "\xc3\xa4rger",
                                               "abcdefghijklmnopqrstuvwxyz0123456" /* 33 */,
                                               "a/b", "a\nb", "*" };
        struct run run;

        for (size_t i = 0; i < N_ELEM(ok); i++) {
                struct policy *p = load_ok(NULL, ENV({ "DOCKER_USER", ok[i] }), &run);
                if (p)
                        CU_ASSERT_STRING_EQUAL(p->user, ok[i]);
                policy_unref(p);
        }
        /* the exact line: the fail-fast contract */
        load_fails(NULL, ENV({ "DOCKER_USER", "root" }), 1, "DOCKER_USER", &run);
        CU_ASSERT_STRING_EQUAL(run.pr.errors[0],
                               "DOCKER_USER: \"root\" would run containers as root; set a non-root "
                               "user name");
        load_err(NULL, ENV({ "DOCKER_USER", "0" }), "DOCKER_USER: \"0\" would run containers as root");
        load_err(NULL, ENV({ "DOCKER_USER", "" }), "DOCKER_USER: is empty");
        for (size_t i = 0; i < N_ELEM(invalid); i++)
                load_err(NULL, ENV({ "DOCKER_USER", invalid[i] }), "is not a valid user name");
}

static void test_env_uid(void)
{
        static const struct { const char *s; uint32_t want; } ok[] = {
                { "1", 1 }, { "1000", 1000 }, { "65534", 65534 }, { "2147483646", 2147483646u },
        };
        static const char *const not_canonical[] = { "00", "01000", "+1000", "-1", " 1000", "1000 ",
                                                     "abc", "1e3", "0x10", "1000\n" };
        static const char *const out_of_range[] = { "2147483647", "4294967295", "4294967296",
                                                    "99999999999999999999" };
        struct run run;

        for (size_t i = 0; i < N_ELEM(ok); i++) {
                struct policy *p = load_ok(NULL, ENV({ "DOCKER_USER_UID", ok[i].s }), &run);
                if (p)
                        CU_ASSERT_EQUAL(p->uid, ok[i].want);
                policy_unref(p);
        }
        load_err(NULL, ENV({ "DOCKER_USER_UID", "0" }),
                 "DOCKER_USER_UID: \"0\" would run containers as root");
        load_err(NULL, ENV({ "DOCKER_USER_UID", "" }), "DOCKER_USER_UID: \"\" is not a canonical");
        for (size_t i = 0; i < N_ELEM(not_canonical); i++)
                load_err(NULL, ENV({ "DOCKER_USER_UID", not_canonical[i] }),
                         "is not a canonical decimal UID");
        for (size_t i = 0; i < N_ELEM(out_of_range); i++)
                load_err(NULL, ENV({ "DOCKER_USER_UID", out_of_range[i] }),
                         "is out of range; set a UID from 1 to 2147483646");
}

static void test_env_cpu(void)
{
        static const struct { const char *s; int64_t want; } ok[] = {
                { "2", 2 * NANO }, { "0.5", NANO / 2 }, { "0.000000001", 1 }, { "1024", 1024 * NANO },
                { "1.123456789", 1123456789 },
        };
        static const struct { const char *s, *why; } bad[] = {
                { "0", "DOCKER_CPU_LIMIT: \"0\" is not > 0" },
                { "0.0", "is not > 0" },
                { "-1", "DOCKER_CPU_LIMIT: \"-1\" is not > 0" },
                { "abc", "DOCKER_CPU_LIMIT: \"abc\" is not a number" },
                { "nan", "is not a finite number" },
                { "NaN", "is not a finite number" },
                { "inf", "is not a finite number" },
                { "-Infinity", "is not a finite number" },
                { "0.0000000001", "has more than 9 decimals" },
                { "1024.000000001", "is more than 1024 CPUs" },
                { "1025", "is more than 1024 CPUs" },
                { "1e3", "is not a number" },
                { "", "DOCKER_CPU_LIMIT: is empty" },
        };
        struct run run;

        for (size_t i = 0; i < N_ELEM(ok); i++) {
                struct policy *p = load_ok(NULL, ENV({ "DOCKER_CPU_LIMIT", ok[i].s }), &run);
                if (p)
                        CU_ASSERT_EQUAL(p->cpu_limit_nano, ok[i].want);
                policy_unref(p);
        }
        for (size_t i = 0; i < N_ELEM(bad); i++)
                load_err(NULL, ENV({ "DOCKER_CPU_LIMIT", bad[i].s }), bad[i].why);
}

static void test_env_memory(void)
{
        static const struct { const char *s; int64_t want; } ok[] = {
                { "1", 1 }, { "512m", 512 * MIB }, { "4G", 4 * GIB }, { "9223372036854775807", INT64_MAX },
        };
        static const struct { const char *s, *why; } bad[] = {
                { "", "DOCKER_MEMORY_LIMIT: is empty (memory unset)" },
                { "0", "DOCKER_MEMORY_LIMIT: \"0\" is not > 0 (no limit)" },
                { "0m", "is not > 0" },
                { "-1", "is not > 0" },
                { "abc", "DOCKER_MEMORY_LIMIT: \"abc\" is not a size" },
                { "4gb", "is not a size" },
                { "4 g", "is not a size" },
                { "1.5g", "DOCKER_MEMORY_LIMIT: \"1.5g\" has a fraction; use a smaller unit" },
                { "8589934592g", "is too large" },
                { "9223372036854775808", "is too large" },
        };
        struct run run;

        for (size_t i = 0; i < N_ELEM(ok); i++) {
                struct policy *p = load_ok(NULL, ENV({ "DOCKER_MEMORY_LIMIT", ok[i].s }), &run);
                if (p)
                        CU_ASSERT_EQUAL(p->memory_limit, ok[i].want);
                policy_unref(p);
        }
        for (size_t i = 0; i < N_ELEM(bad); i++)
                load_err(NULL, ENV({ "DOCKER_MEMORY_LIMIT", bad[i].s }), bad[i].why);
}

static void test_env_network(void)
{
        static const char *const bad[] = { "", "Bridge", "NONE", "container:abc", "default", "none ",
                                           "my-net" };
        struct run run;
        struct policy *p;

        p = load_ok(NULL, ENV({ "DOCKER_NETWORK_MODE", "none" }), &run);
        if (p)
                CU_ASSERT_EQUAL(p->network, NETWORK_NONE);
        expect_no_warnings(&run);
        policy_unref(p);

        p = load_ok(NULL, ENV({ "DOCKER_NETWORK_MODE", "bridge" }), &run);
        if (p)
                CU_ASSERT_EQUAL(p->network, NETWORK_BRIDGE);
        CU_ASSERT_EQUAL(run.pr.n_warnings, 1);
        expect_warning(&run, "DOCKER_NETWORK_MODE: bridge networking is allowed");
        policy_unref(p);

        load_fails(NULL, ENV({ "DOCKER_NETWORK_MODE", "host" }), 1, "DOCKER_NETWORK_MODE", &run);
        CU_ASSERT_STRING_EQUAL(run.pr.errors[0],
                               "DOCKER_NETWORK_MODE: \"host\" is not allowed; use \"none\" or \"bridge\"");
        for (size_t i = 0; i < N_ELEM(bad); i++)
                load_err(NULL, ENV({ "DOCKER_NETWORK_MODE", bad[i] }), "DOCKER_NETWORK_MODE:");
}

static void test_env_readonly(void)
{
        static const struct { const char *s; bool want; } ok[] = {
                { "true", true }, { "TRUE", true }, { "True", true }, { "1", true }, { "yes", true },
                { "YES", true }, { "false", false }, { "FALSE", false }, { "0", false }, { "no", false },
                { "No", false },
        };
        static const char *const bad[] = { "", "maybe", "2", " true", "on", "off", "t", "y" };
        struct run run;

        for (size_t i = 0; i < N_ELEM(ok); i++) {
                struct policy *p = load_ok(NULL, ENV({ "DOCKER_READONLY_ROOTFS", ok[i].s }), &run);
                if (!p)
                        continue;
                CU_ASSERT_EQUAL(p->readonly_rootfs, ok[i].want);
                if (ok[i].want) {
                        expect_no_warnings(&run);
                } else {
                        CU_ASSERT_EQUAL(run.pr.n_warnings, 1);
                        expect_warning(&run, "DOCKER_READONLY_ROOTFS: a read-only root filesystem is "
                                       "not required");
                }
                policy_unref(p);
        }
        for (size_t i = 0; i < N_ELEM(bad); i++)
                load_err(NULL, ENV({ "DOCKER_READONLY_ROOTFS", bad[i] }),
                         "DOCKER_READONLY_ROOTFS: ");
}

static void test_env_domains(void)
{
        char label63[64], label64[65], name253[300], name254[300], list32[2048], list33[2048];
        struct run run;
        struct policy *p;

        memset(label63, 'a', 63), label63[63] = '\0';
        memset(label64, 'a', 64), label64[64] = '\0';
        snprintf(name253, sizeof(name253), "[\"%.63s.%.63s.%.63s.%.61s\"]", label63, label63, label63,
                 label63);
        snprintf(name254, sizeof(name254), "[\"%.63s.%.63s.%.63s.%.62s\"]", label63, label63, label63,
                 label63);
        size_t o = 0;
        o += (size_t)snprintf(list32 + o, sizeof(list32) - o, "[");
        for (int i = 0; i < 32; i++)
                o += (size_t)snprintf(list32 + o, sizeof(list32) - o, "%s\"h%d.example\"", i ? "," : "", i);
        snprintf(list32 + o, sizeof(list32) - o, "]");
        snprintf(list33, sizeof(list33), "%.*s,\"h32.example\"]", (int)strlen(list32) - 1, list32);

        p = load_ok(NULL, ENV({ "DOCKER_ALLOWLIST_DOMAINS", "[]" }), &run);
        if (p)
                CU_ASSERT_EQUAL(p->n_domains, 0);
        policy_unref(p);

        p = load_ok(NULL, ENV({ "DOCKER_ALLOWLIST_DOMAINS",
                                "[\"pypi.org\", \"*.GitHub.com\", \"localhost\", \"a-b.c0\", \"10.0.0.1\"]" }),
                    &run);
        if (p) {
                CU_ASSERT_EQUAL(p->n_domains, 5);
                CU_ASSERT_STRING_EQUAL(p->domains[0], "pypi.org");
                CU_ASSERT_STRING_EQUAL(p->domains[1], "*.github.com");   /* lower-cased */
                CU_ASSERT_STRING_EQUAL(p->domains[2], "localhost");
                CU_ASSERT_STRING_EQUAL(p->domains[3], "a-b.c0");
        }
        expect_no_warnings(&run);
        policy_unref(p);

        char json[128];
        snprintf(json, sizeof(json), "[\"%s.com\"]", label63);
        p = load_ok(NULL, ENV({ "DOCKER_ALLOWLIST_DOMAINS", json }), &run);
        policy_unref(p);
        p = load_ok(NULL, ENV({ "DOCKER_ALLOWLIST_DOMAINS", name253 }), &run);
        if (p)
                CU_ASSERT_EQUAL(strlen(p->domains[0]), 253);
        policy_unref(p);
        p = load_ok(NULL, ENV({ "DOCKER_ALLOWLIST_DOMAINS", list32 }), &run);
        if (p)
                CU_ASSERT_EQUAL(p->n_domains, 32);
        policy_unref(p);

        static const struct { const char *s, *why; } bad[] = {
                { "", "DOCKER_ALLOWLIST_DOMAINS: not a JSON array of host names" },
                { "pypi.org", "not a JSON array of host names" },
                { "[\"a.com\",]", "not a JSON array of host names" },
                { "{\"a\":\"b\"}", "expected an array of host names, got an object" },
                { "[1]", "DOCKER_ALLOWLIST_DOMAINS: entry 1 is an integer, expected a host name" },
                { "[\"-a.com\"]", "entry 1 \"-a.com\" has a label starting with '-'" },
                { "[\"a-.com\"]", "has a label ending with '-'" },
                { "[\"a..b\"]", "has an empty label" },
                { "[\"\"]", "entry 1 \"\" is empty" },
                { "[\"*\"]", "may hold only letters" },
                { "[\"*.\"]", "has an empty label" },
                { "[\"a.*.b\"]", "may hold only letters" },
                { "[\"*.*.a\"]", "may hold only letters" },
                { "[\"a.com.\"]", "has an empty label" },
                { "[\".a.com\"]", "has an empty label" },
                { "[\"a_b.com\"]", "may hold only letters" },
                { "[\"a b\"]", "may hold only letters" },
                { "[\"ok.com\", \"https://x.com\"]", "entry 2 \"https://x.com\"" },
        };
        for (size_t i = 0; i < N_ELEM(bad); i++)
                load_err(NULL, ENV({ "DOCKER_ALLOWLIST_DOMAINS", bad[i].s }), bad[i].why);
        snprintf(json, sizeof(json), "[\"%s.com\"]", label64);
        load_err(NULL, ENV({ "DOCKER_ALLOWLIST_DOMAINS", json }), "has a label longer than 63");
        load_err(NULL, ENV({ "DOCKER_ALLOWLIST_DOMAINS", name254 }), "is longer than 253 characters");
        load_err(NULL, ENV({ "DOCKER_ALLOWLIST_DOMAINS", list33 }), "33 entries; at most 32");
        /* every bad entry is reported */
        load_fails(NULL, ENV({ "DOCKER_ALLOWLIST_DOMAINS", "[\"a.com\", \"bad..x\", \"-y\"]" }), 2,
                   "entry 3 \"-y\"", &run);
        CU_ASSERT(has_line(&run.pr, true, "entry 2 \"bad..x\""));
}

static void test_env_dirs(void)
{
        static const struct { const char *in, *want; } ok[] = {
                /* Paths no host has: the "does not exist yet" warning must not depend on the machine. */
                { "/nonexistent.arandu-test/repos/", "/nonexistent.arandu-test/repos" },
                { "//nonexistent.arandu-test//./repos/.", "/nonexistent.arandu-test/repos" },
                { "/nonexistent.arandu-test/d\xc3\xa9p\xc3\xb4t", "/nonexistent.arandu-test/d\xc3\xa9p\xc3\xb4t" },
        };
        static const struct { const char *s, *why; } bad[] = {
                { "", "is empty; give an absolute path" },
                { "relative/x", "\"relative/x\" is not an absolute path" },
                { "./x", "\"./x\" is not an absolute path" },
                { "~/repos", "\"~/repos\" is not an absolute path" },
                { "/", "\"/\" is the root directory" },
                { "//", "\"//\" is the root directory" },
                { "/./", "\"/./\" is the root directory" },
                { "/srv/../etc", "\"/srv/../etc\" has a \"..\" segment" },
                { "/srv/..", "\"/srv/..\" has a \"..\" segment" },
                { "/srv/a\nb", "\"/srv/a\\x0ab\" has control characters" },
                { "/srv/\xff", "\"/srv/\\xff\" is not valid UTF-8" },
                { "/srv/\xc0\xaf", "\"/srv/\\xc0\\xaf\" is not valid UTF-8" },   /* overlong '/' */
                { "/srv/\xed\xa0\x80", "\"/srv/\\xed\\xa0\\x80\" is not valid UTF-8" },   /* surrogate */
        };
        static const char *const vars[] = { "DOCKER_REPOS_DIR", "DOCKER_ARTIFACTS_DIR" };
        struct run run;
        char msg[128], longpath[5000];

        memset(longpath, 'x', sizeof(longpath) - 1);
        longpath[0] = '/';
        longpath[sizeof(longpath) - 1] = '\0';

        for (size_t v = 0; v < N_ELEM(vars); v++) {
                for (size_t i = 0; i < N_ELEM(ok); i++) {
                        struct policy *p = load_ok(NULL, ENV({ vars[v], ok[i].in }), &run);
                        if (p)
                                CU_ASSERT_STRING_EQUAL(v ? p->artifacts_dir : p->repos_dir, ok[i].want);
                        snprintf(msg, sizeof(msg), "%s: \"%s\" does not exist yet", vars[v], ok[i].want);
                        if (strncmp(ok[i].want, "/nonexistent.arandu-test/d", 26) != 0)
                                expect_warning(&run, msg);
                        CU_ASSERT_EQUAL(run.pr.n_warnings, 1);
                        policy_unref(p);
                }
                for (size_t i = 0; i < N_ELEM(bad); i++) {
                        snprintf(msg, sizeof(msg), "%s: %s", vars[v], bad[i].why);
                        load_err(NULL, ENV({ vars[v], bad[i].s }), msg);
                }
                load_err(NULL, ENV({ vars[v], longpath }), "is too long");
        }

        /* an existing directory: no warning; a file: warned */
        struct policy *p = load_ok(NULL, ENV({ "DOCKER_REPOS_DIR", scratch_tmp }), &run);
        expect_no_warnings(&run);
        policy_unref(p);
        char file[48];
        write_tmp("x", file);
        p = load_ok(NULL, ENV({ "DOCKER_ARTIFACTS_DIR", file }), &run);
        expect_warning(&run, "is not a directory");
        policy_unref(p);
        unlink(file);
}

static void test_dirs_overlap(void)
{
        struct run run;
        struct policy *p;

        load_err(NULL, ENV({ "DOCKER_REPOS_DIR", "/srv/x" }, { "DOCKER_ARTIFACTS_DIR", "/srv/x/" }),
                 "DOCKER_ARTIFACTS_DIR: \"/srv/x\" is also DOCKER_REPOS_DIR");
        load_err(NULL, ENV({ "DOCKER_REPOS_DIR", "/srv/x" }, { "DOCKER_ARTIFACTS_DIR", "/srv/x/art" }),
                 "DOCKER_ARTIFACTS_DIR: \"/srv/x/art\" is inside DOCKER_REPOS_DIR \"/srv/x\"");
        load_err(NULL, ENV({ "DOCKER_REPOS_DIR", "/srv/x/repos" }, { "DOCKER_ARTIFACTS_DIR", "/srv/x" }),
                 "DOCKER_REPOS_DIR: \"/srv/x/repos\" is inside DOCKER_ARTIFACTS_DIR \"/srv/x\"");
        /* a shared prefix is not nesting */
        p = load_ok(NULL, ENV({ "DOCKER_REPOS_DIR", "/srv/a" }, { "DOCKER_ARTIFACTS_DIR", "/srv/ab" }),
                    &run);
        policy_unref(p);
        p = load_ok(NULL, ENV({ "DOCKER_REPOS_DIR", "/srv/ab" }, { "DOCKER_ARTIFACTS_DIR", "/srv/a" }),
                    &run);
        policy_unref(p);
        /* the same from the file, named by its keys; and mixed layers name each one's layer */
        load_err("{\"repos_dir\": \"/srv/y\", \"artifacts_dir\": \"/srv/y/a\"}",
                 ENV({ "DOCKER_REPOS_DIR", NULL }, { "DOCKER_ARTIFACTS_DIR", NULL }),
                 "policy file artifacts_dir: \"/srv/y/a\" is inside policy file repos_dir \"/srv/y\"");
        load_err("{\"repos_dir\": \"/srv/y\"}",
                 ENV({ "DOCKER_REPOS_DIR", NULL }, { "DOCKER_ARTIFACTS_DIR", "/srv/y" }),
                 "DOCKER_ARTIFACTS_DIR: \"/srv/y\" is also policy file repos_dir");
        /* an invalid directory is reported once, not also as an overlap */
        load_err(NULL, ENV({ "DOCKER_REPOS_DIR", "/srv/../x" }, { "DOCKER_ARTIFACTS_DIR", "/srv" }),
                 "DOCKER_REPOS_DIR: \"/srv/../x\" has a \"..\" segment");
}

/* The directories at POLICY_PATH_MAX, cleaned by path_clean_flags: both sides of the bound, and
 * which error a path with two wins (the first segment that fails). */
static void test_dirs_path_max(void)
{
        static char s[POLICY_PATH_MAX + 8];
        struct run run;
        struct policy *p;

        /* POLICY_PATH_MAX - 1 bytes fit with the NUL, and with a trailing slash too */
        memset(s, 'a', POLICY_PATH_MAX - 1);
        s[0] = '/';
        s[POLICY_PATH_MAX - 1] = '\0';
        p = load_ok(NULL, ENV({ "DOCKER_REPOS_DIR", s }), &run);
        if (p)
                CU_ASSERT_EQUAL(strlen(p->repos_dir), POLICY_PATH_MAX - 1);
        policy_unref(p);
        s[POLICY_PATH_MAX - 1] = '/';
        s[POLICY_PATH_MAX] = '\0';
        p = load_ok(NULL, ENV({ "DOCKER_ARTIFACTS_DIR", s }), &run);
        if (p)
                CU_ASSERT_EQUAL(strlen(p->artifacts_dir), POLICY_PATH_MAX - 1);
        policy_unref(p);
        /* POLICY_PATH_MAX bytes do not */
        s[POLICY_PATH_MAX - 1] = 'a';
        load_err(NULL, ENV({ "DOCKER_REPOS_DIR", s }), "is too long");
        /* too long, then "..": too long; "..", then too long: the ".." */
        memcpy(s + POLICY_PATH_MAX, "/..", 4);
        load_err(NULL, ENV({ "DOCKER_REPOS_DIR", s }), "is too long");
        memcpy(s, "/../", 4);
        load_err(NULL, ENV({ "DOCKER_REPOS_DIR", s }), "has a \"..\" segment");
}

static void test_env_docker_host(void)
{
        static const struct { const char *in, *want; } ok[] = {
                { "unix:///run/docker.sock", "unix:///run/docker.sock" },
                { "unix:///var//run/./docker.sock", "unix:///var/run/docker.sock" },
        };
        static const struct { const char *s, *why; } bad[] = {
                { "", "DOCKER_HOST: \"\" is not a unix socket" },
                { "tcp://127.0.0.1:2375", "DOCKER_HOST: \"tcp://127.0.0.1:2375\" is not a unix socket" },
                { "ssh://user@host", "is not a unix socket" },
                { "/var/run/docker.sock", "is not a unix socket" },
                { "UNIX:///var/run/docker.sock", "is not a unix socket" },
                { "npipe:////./pipe/docker_engine", "is not a unix socket" },
                { "unix://run/docker.sock", "the socket path is not an absolute path" },
                { "unix://", "the socket path is empty" },
                { "unix:///", "is not a socket path" },
                { "unix:///a/../b", "the socket path has a \"..\" segment" },
        };
        char path107[140], path108[140];
        struct run run;

        for (size_t i = 0; i < N_ELEM(ok); i++) {
                struct policy *p = load_ok(NULL, ENV({ "DOCKER_HOST", ok[i].in }), &run);
                if (p)
                        CU_ASSERT_STRING_EQUAL(p->docker_host, ok[i].want);
                policy_unref(p);
        }
        for (size_t i = 0; i < N_ELEM(bad); i++)
                load_err(NULL, ENV({ "DOCKER_HOST", bad[i].s }), bad[i].why);

        /* sun_path holds 107 bytes and the NUL */
        memcpy(path107, "unix://", 7);
        memset(path107 + 7, 'a', 107);
        path107[7] = '/';
        path107[7 + 107] = '\0';
        memcpy(path108, path107, sizeof(path107));
        path108[7 + 107] = 'b';
        path108[7 + 108] = '\0';
        struct policy *p = load_ok(NULL, ENV({ "DOCKER_HOST", path107 }), &run);
        policy_unref(p);
        load_err(NULL, ENV({ "DOCKER_HOST", path108 }), "longer than 107 bytes");
}

/* Every variable, set but empty, is an error naming it: empty is not "use the default". */
static void test_env_pids_nnp(void)
{
        static const struct { const char *s; int64_t want; } pids_ok[] = {
                { "1", 1 }, { "1024", 1024 }, { "4096", 4096 }, { "0", 0 }, { "9223372036854775807", INT64_MAX },
        };
        static const char *const pids_bad[] = { "-1", "ten", "1k", " 1", "1.0", "+5", "9223372036854775808" };
        struct run run;

        for (size_t i = 0; i < N_ELEM(pids_ok); i++) {
                struct policy *p = load_ok(NULL, ENV({ "DOCKER_PIDS_LIMIT", pids_ok[i].s }), &run);
                if (!p)
                        continue;
                CU_ASSERT_EQUAL(p->pids_limit, pids_ok[i].want);
                if (pids_ok[i].want)
                        expect_no_warnings(&run);
                else
                        expect_warning(&run, "DOCKER_PIDS_LIMIT: 0, no pids limit is required");
                policy_unref(p);
        }
        for (size_t i = 0; i < N_ELEM(pids_bad); i++)
                load_err(NULL, ENV({ "DOCKER_PIDS_LIMIT", pids_bad[i] }), "DOCKER_PIDS_LIMIT: ");

        struct policy *p = load_ok(NULL, ENV({ "DOCKER_NO_NEW_PRIVILEGES", "false" }), &run);
        if (p) {
                CU_ASSERT_FALSE(p->no_new_privileges);
                CU_ASSERT_EQUAL(run.pr.n_warnings, 1);
                expect_warning(&run, "DOCKER_NO_NEW_PRIVILEGES: no-new-privileges is not required");
                policy_unref(p);
        }
        p = load_ok(NULL, ENV({ "DOCKER_NO_NEW_PRIVILEGES", "1" }), &run);
        if (p) {
                CU_ASSERT_TRUE(p->no_new_privileges);
                expect_no_warnings(&run);
                policy_unref(p);
        }
        load_err(NULL, ENV({ "DOCKER_NO_NEW_PRIVILEGES", "maybe" }), "DOCKER_NO_NEW_PRIVILEGES: ");
        /* the environment wins over the file, as for every setting */
        p = load_ok("{\"pids_limit\": 10, \"no_new_privileges\": true}",
                    ENV({ "DOCKER_PIDS_LIMIT", "20" }, { "DOCKER_NO_NEW_PRIVILEGES", "no" }), &run);
        if (p) {
                CU_ASSERT_EQUAL(p->pids_limit, 20);
                CU_ASSERT_FALSE(p->no_new_privileges);
                policy_unref(p);
        }
}

static void test_env_set_but_empty(void)
{
        static const char *const vars[] = {
                "DOCKER_USER", "DOCKER_USER_UID", "DOCKER_CPU_LIMIT", "DOCKER_MEMORY_LIMIT",
                "DOCKER_NETWORK_MODE", "DOCKER_READONLY_ROOTFS", "DOCKER_ALLOWLIST_DOMAINS",
                "DOCKER_REPOS_DIR", "DOCKER_ARTIFACTS_DIR", "DOCKER_HOST", "DOCKER_PIDS_LIMIT",
                "DOCKER_NO_NEW_PRIVILEGES",
        };
        char needle[64];

        for (size_t i = 0; i < N_ELEM(vars); i++) {
                snprintf(needle, sizeof(needle), "%s: ", vars[i]);
                load_err(NULL, ENV({ vars[i], "" }), needle);
        }
}

/* ------------------------------------------------------------------------------------------------
 * The policy file
 * --------------------------------------------------------------------------------------------- */

enum field { F_UID, F_CPU, F_MEMORY, F_PIDS, F_ACCEPT, F_READONLY, F_NETWORK, F_DENY_AUDIT };

static int64_t field(const struct policy *p, enum field f)
{
        switch (f) {
        case F_UID:        return p->uid;
        case F_CPU:        return p->cpu_limit_nano;
        case F_MEMORY:     return p->memory_limit;
        case F_PIDS:       return p->pids_limit;
        case F_ACCEPT:     return p->accept_user_name;
        case F_READONLY:   return p->readonly_rootfs;
        case F_NETWORK:    return p->network;
        case F_DENY_AUDIT: return p->deny_on_audit_failure;
        }
        return -1;
}

static void test_file_values(void)
{
        static const struct { const char *json; enum field f; int64_t want; } ok[] = {
                { "{\"uid\": 1}", F_UID, 1 },
                { "{\"uid\": 2147483646}", F_UID, 2147483646 },
                { "{\"cpu_limit\": 2}", F_CPU, 2 * NANO },
                { "{\"cpu_limit\": 2.5}", F_CPU, 2500000000 },
                { "{\"cpu_limit\": 0.1}", F_CPU, 100000000 },
                { "{\"cpu_limit\": 1e-9}", F_CPU, 1 },
                { "{\"cpu_limit\": 0.123456789}", F_CPU, 123456789 },
                { "{\"cpu_limit\": 1024}", F_CPU, 1024 * NANO },
                { "{\"cpu_limit\": 1024.0}", F_CPU, 1024 * NANO },
                { "{\"cpu_limit\": \"0.5\"}", F_CPU, NANO / 2 },
                { "{\"memory_limit\": \"512m\"}", F_MEMORY, 512 * MIB },
                { "{\"memory_limit\": \"1G\"}", F_MEMORY, GIB },
                { "{\"memory_limit\": 1073741824}", F_MEMORY, GIB },
                { "{\"memory_limit\": 1}", F_MEMORY, 1 },
                { "{\"pids_limit\": 1}", F_PIDS, 1 },
                { "{\"pids_limit\": 4096}", F_PIDS, 4096 },
                { "{\"network_mode\": \"none\"}", F_NETWORK, NETWORK_NONE },
                { "{\"readonly_rootfs\": true}", F_READONLY, true },
                { "{\"accept_user_name\": false}", F_ACCEPT, false },
                { "{\"deny_on_audit_failure\": true}", F_DENY_AUDIT, true },
                { "{\"deny_on_audit_failure\": false}", F_DENY_AUDIT, false },
                { "{}", F_UID, 1000 },
        };
        struct run run;

        for (size_t i = 0; i < N_ELEM(ok); i++) {
                struct policy *p = load_ok(ok[i].json, NOENV, &run);
                if (!p)
                        continue;
                CU_ASSERT_EQUAL(field(p, ok[i].f), ok[i].want);
                if (field(p, ok[i].f) != ok[i].want)
                        fprintf(stderr, "\n  %s: got %lld\n", ok[i].json, (long long)field(p, ok[i].f));
                expect_no_warnings(&run);
                policy_unref(p);
        }

        struct policy *p = load_ok("{\"user\": \"svc\", \"docker_host\": \"unix:///run/d.sock\", "
                                   "\"allowlist_domains\": [\"PyPI.org\"]}", NOENV, &run);
        if (p) {
                CU_ASSERT_STRING_EQUAL(p->user, "svc");
                CU_ASSERT_STRING_EQUAL(p->docker_host, "unix:///run/d.sock");
                CU_ASSERT_EQUAL(p->n_domains, 1);
                CU_ASSERT_STRING_EQUAL(p->domains[0], "pypi.org");
        }
        policy_unref(p);
}

static void test_file_bad_values(void)
{
        static const struct { const char *json, *why; } bad[] = {
                { "{\"user\": \"root\"}",
                  "policy file user: \"root\" would run containers as root; set a non-root user name" },
                { "{\"user\": \"0\"}", "policy file user: \"0\" would run containers as root" },
                { "{\"user\": \"\"}", "policy file user: is empty" },
                { "{\"user\": \"a:b\"}", "policy file user: \"a:b\" is not a valid user name" },
                { "{\"uid\": 0}", "policy file uid: 0 would run containers as root" },
                { "{\"uid\": -5}", "policy file uid: -5 is out of range" },
                { "{\"uid\": 2147483647}", "policy file uid: 2147483647 is out of range" },
                { "{\"cpu_limit\": 0}", "policy file cpu_limit: 0 is not > 0" },
                { "{\"cpu_limit\": -1}", "policy file cpu_limit: -1 is not > 0" },
                { "{\"cpu_limit\": 0.0}", "policy file cpu_limit: 0 is not > 0" },
                { "{\"cpu_limit\": -0.5}", "is not > 0" },
                { "{\"cpu_limit\": 1025}", "policy file cpu_limit: 1025 is more than 1024 CPUs" },
                { "{\"cpu_limit\": 1024.5}", "is more than 1024 CPUs" },
                { "{\"cpu_limit\": 1e300}", "is more than 1024 CPUs" },
                { "{\"cpu_limit\": 0.1234567891}", "has more than 9 decimals" },
                { "{\"cpu_limit\": 1e-10}", "has more than 9 decimals" },
                { "{\"cpu_limit\": \"0\"}", "policy file cpu_limit: \"0\" is not > 0" },
                { "{\"cpu_limit\": \"two\"}", "policy file cpu_limit: \"two\" is not a number" },
                { "{\"cpu_limit\": \"nan\"}", "is not a finite number" },
                { "{\"memory_limit\": \"0\"}", "policy file memory_limit: \"0\" is not > 0" },
                { "{\"memory_limit\": 0}", "policy file memory_limit: 0 is not > 0" },
                { "{\"memory_limit\": -1}", "policy file memory_limit: -1 is not > 0" },
                { "{\"memory_limit\": \"\"}", "policy file memory_limit: is empty (memory unset)" },
                { "{\"memory_limit\": \"4x\"}", "policy file memory_limit: \"4x\" is not a size" },
                { "{\"memory_limit\": \"1.5g\"}", "has a fraction" },
                { "{\"pids_limit\": -1}", "policy file pids_limit: -1 is negative" },
                { "{\"network_mode\": \"host\"}", "policy file network_mode: \"host\" is not allowed" },
                { "{\"network_mode\": \"container:x\"}", "is not allowed" },
                { "{\"repos_dir\": \"rel\"}", "policy file repos_dir: \"rel\" is not an absolute path" },
                { "{\"artifacts_dir\": \"/\"}", "policy file artifacts_dir: \"/\" is the root directory" },
                { "{\"docker_host\": \"tcp://h:2375\"}", "policy file docker_host: \"tcp://h:2375\" is not" },
                { "{\"allowlist_domains\": [\"a..b\"]}",
                  "policy file allowlist_domains: entry 1 \"a..b\" has an empty label" },
        };

        for (size_t i = 0; i < N_ELEM(bad); i++)
                load_err(bad[i].json, NOENV, bad[i].why);
}

static void test_file_types(void)
{
        static const struct { const char *json, *why; } bad[] = {
                { "{\"user\": 1}", "policy file user: expected a string, got an integer" },
                { "{\"user\": null}", "policy file user: expected a string, got null" },
                { "{\"uid\": \"1000\"}", "policy file uid: expected an integer, got a string" },
                { "{\"uid\": 1000.0}", "policy file uid: expected an integer, got a real number" },
                { "{\"accept_user_name\": \"true\"}", "policy file accept_user_name: expected true or false" },
                { "{\"accept_user_name\": 1}", "policy file accept_user_name: expected true or false" },
                { "{\"cpu_limit\": true}", "policy file cpu_limit: expected a number or a string" },
                { "{\"cpu_limit\": null}", "policy file cpu_limit: expected a number or a string" },
                { "{\"cpu_limit\": [2]}", "got an array" },
                { "{\"memory_limit\": 1.5}", "policy file memory_limit: expected a size string" },
                { "{\"memory_limit\": []}", "policy file memory_limit: expected a size string" },
                { "{\"pids_limit\": \"10\"}", "policy file pids_limit: expected an integer, got a string" },
                { "{\"pids_limit\": 1.0}", "policy file pids_limit: expected an integer" },
                { "{\"network_mode\": 0}", "policy file network_mode: expected a string" },
                { "{\"readonly_rootfs\": \"false\"}", "policy file readonly_rootfs: expected true or false" },
                { "{\"readonly_rootfs\": 0}", "policy file readonly_rootfs: expected true or false" },
                { "{\"allowlist_domains\": \"pypi.org\"}",
                  "policy file allowlist_domains: expected an array of host names, got a string" },
                { "{\"allowlist_domains\": [null]}", "entry 1 is null, expected a host name string" },
                { "{\"repos_dir\": null}", "policy file repos_dir: expected a string, got null" },
                { "{\"artifacts_dir\": {}}", "policy file artifacts_dir: expected a string, got an object" },
                { "{\"tmpfs_targets\": \"/tmp\"}", "policy file tmpfs_targets: expected an array" },
                { "{\"tmpfs_targets\": [1]}", "entry 1 is an integer, expected a path string" },
                { "{\"allowed_cap_add\": \"CHOWN\"}", "policy file allowed_cap_add: expected an array" },
                { "{\"allowed_cap_add\": [true]}", "entry 1 is a boolean, expected a capability name" },
                { "{\"docker_host\": 1}", "policy file docker_host: expected a string" },
                { "{\"deny_on_audit_failure\": 0}", "policy file deny_on_audit_failure: expected true or false" },
        };

        for (size_t i = 0; i < N_ELEM(bad); i++)
                load_err(bad[i].json, NOENV, bad[i].why);
}

static void test_file_tmpfs(void)
{
        struct run run;
        struct policy *p = load_ok("{\"tmpfs_targets\": [\"/tmp\", \"/run\", \"/var/cache/x\", \"/tmp\"]}",
                                   NOENV, &run);

        if (p) {
                CU_ASSERT_EQUAL(p->n_tmpfs_targets, 3);   /* the repeated /tmp once */
                CU_ASSERT_STRING_EQUAL(p->tmpfs_targets[0], "/tmp");
                CU_ASSERT_STRING_EQUAL(p->tmpfs_targets[2], "/var/cache/x");
        }
        expect_no_warnings(&run);
        policy_unref(p);
        p = load_ok("{\"tmpfs_targets\": []}", NOENV, &run);
        if (p)
                CU_ASSERT_EQUAL(p->n_tmpfs_targets, 0);
        policy_unref(p);

        static const struct { const char *json, *why; } bad[] = {
                { "{\"tmpfs_targets\": [\"tmp\"]}",
                  "policy file tmpfs_targets: entry 1 \"tmp\" is not an absolute path" },
                { "{\"tmpfs_targets\": [\"/tmp/\"]}", "entry 1 \"/tmp/\" is not a clean path; write \"/tmp\"" },
                { "{\"tmpfs_targets\": [\"//tmp\"]}", "is not a clean path" },
                { "{\"tmpfs_targets\": [\"/a/./b\"]}", "is not a clean path" },
                { "{\"tmpfs_targets\": [\"/tmp/../etc\"]}", "has a \"..\" segment" },
                { "{\"tmpfs_targets\": [\"\"]}", "entry 1 \"\" is empty" },
                { "{\"tmpfs_targets\": [\"/\"]}", "entry 1 \"/\" is the root or a bind target" },
                { "{\"tmpfs_targets\": [\"/run\", \"/workspace\"]}",
                  "entry 2 \"/workspace\" is the root or a bind target" },
                { "{\"tmpfs_targets\": [\"/artifacts\"]}", "\"/artifacts\" is the root or a bind target" },
                { "{\"tmpfs_targets\": [\"/etc\"]}", "\"/etc\" would hide the image's /etc/passwd" },
        };
        for (size_t i = 0; i < N_ELEM(bad); i++)
                load_err(bad[i].json, NOENV, bad[i].why);

        /* 33 entries; and a 256-byte target */
        char json[4096], longname[300];
        size_t o = (size_t)snprintf(json, sizeof(json), "{\"tmpfs_targets\": [");
        for (int i = 0; i < 33; i++)
                o += (size_t)snprintf(json + o, sizeof(json) - o, "%s\"/t%d\"", i ? "," : "", i);
        snprintf(json + o, sizeof(json) - o, "]}");
        load_err(json, NOENV, "policy file tmpfs_targets: 33 entries; at most 32");
        memset(longname, 'x', sizeof(longname));
        longname[0] = '/';
        longname[256] = '\0';
        snprintf(json, sizeof(json), "{\"tmpfs_targets\": [\"%s\"]}", longname);
        load_err(json, NOENV, "is longer than 255 bytes");
        longname[255] = '\0';
        snprintf(json, sizeof(json), "{\"tmpfs_targets\": [\"%s\"]}", longname);
        p = load_ok(json, NOENV, &run);
        policy_unref(p);
}

static void test_file_caps(void)
{
        struct run run;
        struct policy *p = load_ok("{\"allowed_cap_add\": [\"net_bind_service\", \"CAP_CHOWN\", "
                                   "\"cap_kill\", \"chown\"]}", NOENV, &run);

        if (p) {
                CU_ASSERT_EQUAL(p->n_cap_add, 3);
                CU_ASSERT_STRING_EQUAL(p->cap_add[0], "NET_BIND_SERVICE");
                CU_ASSERT_STRING_EQUAL(p->cap_add[1], "CHOWN");
                CU_ASSERT_STRING_EQUAL(p->cap_add[2], "KILL");
        }
        CU_ASSERT_EQUAL(run.pr.n_warnings, 3);   /* one per capability */
        expect_warning(&run, "policy file allowed_cap_add: containers may add capability NET_BIND_SERVICE");
        expect_warning(&run, "containers may add capability CHOWN");
        policy_unref(p);

        p = load_ok("{\"allowed_cap_add\": []}", NOENV, &run);
        expect_no_warnings(&run);
        policy_unref(p);

        static const char *const forbidden[] = {
                "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "DAC_READ_SEARCH", "NET_ADMIN",
                "SYS_BOOT", "MAC_ADMIN", "MAC_OVERRIDE", "BPF", "PERFMON",
                "cap_sys_admin", "Cap_Net_Admin", "bpf",
        };
        char json[128], needle[128];
        for (size_t i = 0; i < N_ELEM(forbidden); i++) {
                snprintf(json, sizeof(json), "{\"allowed_cap_add\": [\"%s\"]}", forbidden[i]);
                snprintf(needle, sizeof(needle), "policy file allowed_cap_add: entry 1 \"%s\" would "
                         "defeat the policy", forbidden[i]);
                load_err(json, NOENV, needle);
        }
        load_err("{\"allowed_cap_add\": [\"ALL\"]}", NOENV, "entry 1 \"ALL\" grants every capability");
        load_err("{\"allowed_cap_add\": [\"all\"]}", NOENV, "grants every capability");
        load_err("{\"allowed_cap_add\": [\"CAP_ALL\"]}", NOENV, "grants every capability");
        load_err("{\"allowed_cap_add\": [\"FOO\"]}", NOENV, "entry 1 \"FOO\" is not a Linux capability");
        load_err("{\"allowed_cap_add\": [\"\"]}", NOENV, "is not a Linux capability");
        load_err("{\"allowed_cap_add\": [\"CAP_\"]}", NOENV, "is not a Linux capability");
        load_err("{\"allowed_cap_add\": [\"CAP_CAP_CHOWN\"]}", NOENV, "is not a Linux capability");
        load_err("{\"allowed_cap_add\": [\" CHOWN\"]}", NOENV, "is not a Linux capability");
        /* every bad entry reported */
        load_fails("{\"allowed_cap_add\": [\"CHOWN\", \"SYS_ADMIN\", \"ALL\"]}", NOENV, 2,
                   "entry 2 \"SYS_ADMIN\"", &run);
        CU_ASSERT(has_line(&run.pr, true, "entry 3 \"ALL\""));
}

static void test_file_warnings(void)
{
        struct run run;
        struct policy *p;

        p = load_ok("{\"accept_user_name\": true}", NOENV, &run);
        if (p)
                CU_ASSERT_TRUE(p->accept_user_name);
        CU_ASSERT_EQUAL(run.pr.n_warnings, 1);
        expect_warning(&run, "policy file accept_user_name: User \"arandu-user\" is accepted besides "
                       "UID 1000");
        policy_unref(p);

        p = load_ok("{\"readonly_rootfs\": false, \"network_mode\": \"bridge\"}", NOENV, &run);
        CU_ASSERT_EQUAL(run.pr.n_warnings, 2);
        expect_warning(&run, "policy file readonly_rootfs: a read-only root filesystem is not required");
        expect_warning(&run, "policy file network_mode: bridge networking is allowed");
        policy_unref(p);

        /* a root others can write: a bind source there could be swapped before the mount */
        char wdir[] = "/tmp/arandu-wroot.XXXXXX", json[128];
        CU_ASSERT_FATAL(mkdtemp(wdir) != NULL);
        CU_ASSERT_FATAL(chmod(wdir, 0777) == 0);
        snprintf(json, sizeof(json), "{\"artifacts_dir\": \"%s\"}", wdir);
        p = load_ok(json, ENV({ "DOCKER_ARTIFACTS_DIR", NULL }), &run);
        CU_ASSERT_EQUAL(run.pr.n_warnings, 1);
        expect_warning(&run, "can be written by every user");
        policy_unref(p);
        CU_ASSERT_FATAL(chmod(wdir, 0755) == 0);
        p = load_ok(json, ENV({ "DOCKER_ARTIFACTS_DIR", NULL }), &run);
        expect_no_warnings(&run);
        policy_unref(p);
        rmdir(wdir);

        /* a directory named by the file that does not exist */
        p = load_ok("{\"repos_dir\": \"/nonexistent/arandu/r\"}", ENV({ "DOCKER_REPOS_DIR", NULL }), &run);
        CU_ASSERT_EQUAL(run.pr.n_warnings, 1);
        expect_warning(&run, "policy file repos_dir: \"/nonexistent/arandu/r\" does not exist yet");
        policy_unref(p);
}

static void test_file_limits(void)
{
        struct run run;
        struct policy *p;

        /* restart_max_retries: 0 to 100 */
        static const struct { const char *json; int64_t want; } restart_ok[] = {
                { "{\"restart_max_retries\": 0}", 0 }, { "{\"restart_max_retries\": 1}", 1 },
                { "{\"restart_max_retries\": 100}", 100 },
        };
        for (size_t i = 0; i < N_ELEM(restart_ok); i++) {
                p = load_ok(restart_ok[i].json, NOENV, &run);
                if (p)
                        CU_ASSERT_EQUAL(p->restart_max_retries, restart_ok[i].want);
                expect_no_warnings(&run);
                policy_unref(p);
        }
        load_err("{\"restart_max_retries\": -1}", NOENV, "policy file restart_max_retries: -1 is out of range");
        load_err("{\"restart_max_retries\": 101}", NOENV, "policy file restart_max_retries: 101 is out of range");
        load_err("{\"restart_max_retries\": \"3\"}", NOENV, "policy file restart_max_retries: expected an integer");

        /* ulimits: the object replaces the defaults */
        p = load_ok("{\"ulimits\": {\"nofile\": 4096, \"core\": 0}}", NOENV, &run);
        if (p) {
                CU_ASSERT_EQUAL(p->ulimit_max[policy_ulimit_index("nofile")], 4096);
                CU_ASSERT_EQUAL(p->ulimit_max[policy_ulimit_index("core")], 0);
                CU_ASSERT_EQUAL(p->ulimit_max[policy_ulimit_index("nproc")], -1);
                CU_ASSERT_EQUAL(p->ulimit_max[policy_ulimit_index("stack")], -1);
                expect_no_warnings(&run);
                policy_unref(p);
        }
        p = load_ok("{\"ulimits\": {}}", NOENV, &run);
        if (p) {
                for (size_t i = 0; i < POLICY_ULIMITS; i++)
                        CU_ASSERT_EQUAL(p->ulimit_max[i], -1);
                policy_unref(p);
        }
        load_err("{\"ulimits\": {\"rtprio\": 0}}", NOENV, "policy file ulimits: \"rtprio\" cannot be allowed");
        load_err("{\"ulimits\": {\"rttime\": 1}}", NOENV, "policy file ulimits: \"rttime\" cannot be allowed");
        load_err("{\"ulimits\": {\"bogus\": 1}}", NOENV, "policy file ulimits: \"bogus\" is not a ulimit");
        load_err("{\"ulimits\": {\"nofile\": -1}}", NOENV, "policy file ulimits: \"nofile\": expected a whole number");
        load_err("{\"ulimits\": {\"nofile\": \"10\"}}", NOENV, "policy file ulimits: \"nofile\": expected a whole number");
        load_err("{\"ulimits\": [\"nofile\"]}", NOENV, "policy file ulimits: expected an object");

        /* unsafe choices load, with a warning each */
        p = load_ok("{\"pids_limit\": 0, \"no_new_privileges\": false, \"allow_builds\": true}", NOENV, &run);
        if (p) {
                CU_ASSERT_EQUAL(p->pids_limit, 0);
                CU_ASSERT_FALSE(p->no_new_privileges);
                CU_ASSERT_TRUE(p->allow_builds);
                CU_ASSERT_EQUAL(run.pr.n_warnings, 3);
                expect_warning(&run, "policy file pids_limit: 0, no pids limit is required");
                expect_warning(&run, "policy file no_new_privileges: no-new-privileges is not required");
                expect_warning(&run, "policy file allow_builds: classic builds are allowed");
                policy_unref(p);
        }
        p = load_ok("{\"tmpfs_exec\": true, \"network_mode\": \"bridge\", \"allow_network_settings\": true,"
                    " \"allowlist_domains\": [\"pypi.org\"]}", NOENV, &run);
        if (p) {
                CU_ASSERT_TRUE(p->tmpfs_exec);
                CU_ASSERT_TRUE(p->allow_network_settings);
                CU_ASSERT_EQUAL(run.pr.n_warnings, 3);
                expect_warning(&run, "policy file tmpfs_exec: a tmpfs may be mounted exec");
                expect_warning(&run, "policy file allow_network_settings: bridge containers may set Dns, ExtraHosts, "
                               "MacAddress and Links (not Dns or ExtraHosts");
                policy_unref(p);
        }
        /* without bridge networking the settings reach nothing: no warning */
        p = load_ok("{\"allow_network_settings\": true}", NOENV, &run);
        if (p) {
                CU_ASSERT_EQUAL(run.pr.n_warnings, 0);
                policy_unref(p);
        }
        load_err("{\"tmpfs_exec\": \"yes\"}", NOENV, "policy file tmpfs_exec: ");
        load_err("{\"allow_network_settings\": 1}", NOENV, "policy file allow_network_settings: ");
        load_err("{\"allow_builds\": 1}", NOENV, "policy file allow_builds: ");
        load_err("{\"no_new_privileges\": \"true\"}", NOENV, "policy file no_new_privileges: ");
}

static void test_file_keys(void)
{
        struct run run;

        load_err("{\"usr\": \"x\"}", NOENV, "policy file \"usr\": unknown setting");
        load_err("{\"User\": \"svc\"}", NOENV, "policy file \"User\": unknown setting");
        load_err("{\"DOCKER_USER\": \"svc\"}", NOENV, "policy file \"DOCKER_USER\": unknown setting");
        load_err("{\"user\": \"svc\", \"cpu\": 2}", NOENV, "policy file \"cpu\": unknown setting");
        load_fails("{\"a\": 1, \"user\": \"root\", \"b\": 2}", NOENV, 3, "\"a\": unknown", &run);
        CU_ASSERT(has_line(&run.pr, true, "\"b\": unknown"));
        CU_ASSERT(has_line(&run.pr, true, "policy file user: \"root\""));

        /* duplicate keys: rejected with the place */
        load_fails("{\"user\": \"alice\",\n \"user\": \"bob\"}", NOENV, 1, "duplicate object key", &run);
        CU_ASSERT(has_line(&run.pr, true, "line 2 column"));
        CU_ASSERT(has_line(&run.pr, true, "policy file \"/tmp/arandu-policy."));
}

static void test_file_unreadable(void)
{
        struct run run;
        struct policy_problems pr;
        struct policy *p = &sentinel;

        load_fails("{\n  \"user\": \"a\",\n}", NOENV, 1, "line 3 column 1: string or '}' expected", &run);
        load_err("{\"user\": \"svc\"", NOENV, "policy file \"/tmp/arandu-policy.");
        load_err("", NOENV, "line 1 column 0");
        load_err("[]", NOENV, "expected a JSON object, got an array");
        load_err("\"user\"", NOENV, "line 1 column");   /* jansson wants an object or array */
        load_err("{\"user\": \"a\\u0000b\"}", NOENV, "\\u0000 is not allowed");
        load_err("{\"user\": \"svc\"} {}", NOENV, "end of file expected");
        load_err("{\"user\": \"\xff\"}", NOENV, "unable to decode byte");

        /* a missing file, a directory, a FIFO (must not block) */
        fake_table = NULL;
        CU_ASSERT_EQUAL(policy_load("/nonexistent/arandu.json", fake_env, &p, &pr), -EINVAL);
        CU_ASSERT_PTR_EQUAL(p, &sentinel);
        CU_ASSERT_EQUAL(pr.n_errors, 1);
        CU_ASSERT(has_line(&pr, true, "policy file \"/nonexistent/arandu.json\": cannot open: No such "
                           "file or directory"));
        CU_ASSERT_EQUAL(policy_load(scratch_tmp, fake_env, &p, &pr), -EINVAL);
        CU_ASSERT(has_line(&pr, true, "not a regular file"));
        char fifo[80];
        snprintf(fifo, sizeof(fifo), "%s/fifo", scratch_tmp);
        CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
        CU_ASSERT_EQUAL(policy_load(fifo, fake_env, &p, &pr), -EINVAL);
        CU_ASSERT(has_line(&pr, true, "not a regular file"));
        unlink(fifo);
        CU_ASSERT_PTR_EQUAL(p, &sentinel);

        /* over the size cap */
        char big[48];
        write_tmp("{}", big);
        CU_ASSERT_EQUAL(truncate(big, 1024 * 1024 + 1), 0);
        CU_ASSERT_EQUAL(policy_load(big, fake_env, &p, &pr), -EINVAL);
        CU_ASSERT(has_line(&pr, true, "larger than 1048576 bytes"));
        unlink(big);

        /* a policy file others can write: loaded, with a warning */
        char loose[48];
        write_tmp("{}", loose);
        chmod(loose, 0666);
        CU_ASSERT_EQUAL(policy_load(loose, fake_env, &p, &pr), 0);
        CU_ASSERT(has_line(&pr, false, "writable by group or others"));
        if (p != &sentinel)
                policy_unref(p);
        unlink(loose);
}

/* ------------------------------------------------------------------------------------------------
 * Layering and collection
 * --------------------------------------------------------------------------------------------- */

static void test_layering(void)
{
        struct run run;
        struct policy *p;

        p = load_ok("{\"user\": \"fileuser\", \"cpu_limit\": \"1.5\", \"memory_limit\": \"1g\", "
                    "\"uid\": 2000, \"network_mode\": \"bridge\"}",
                    ENV({ "DOCKER_USER", "envuser" }, { "DOCKER_MEMORY_LIMIT", "2g" },
                        { "DOCKER_NETWORK_MODE", "none" }), &run);
        if (p) {
                CU_ASSERT_STRING_EQUAL(p->user, "envuser");          /* env over file */
                CU_ASSERT_EQUAL(p->memory_limit, 2 * GIB);
                CU_ASSERT_EQUAL(p->network, NETWORK_NONE);
                CU_ASSERT_EQUAL(p->cpu_limit_nano, 1500000000);      /* file over default */
                CU_ASSERT_EQUAL(p->uid, 2000);
                CU_ASSERT_EQUAL(p->readonly_rootfs, true);           /* default */
        }
        expect_no_warnings(&run);   /* the file's bridge was overridden */
        policy_unref(p);

        /* warnings name the layer that set the value */
        p = load_ok("{\"network_mode\": \"none\"}", ENV({ "DOCKER_NETWORK_MODE", "bridge" }), &run);
        expect_warning(&run, "DOCKER_NETWORK_MODE: bridge networking is allowed");
        policy_unref(p);
        p = load_ok("{\"readonly_rootfs\": false}", NOENV, &run);
        expect_warning(&run, "policy file readonly_rootfs:");
        policy_unref(p);
        p = load_ok("{\"readonly_rootfs\": false}", ENV({ "DOCKER_READONLY_ROOTFS", "yes" }), &run);
        expect_no_warnings(&run);
        policy_unref(p);

        /* an invalid file value is an error even when the environment overrides it */
        load_err("{\"user\": \"root\"}", ENV({ "DOCKER_USER", "alice" }), "policy file user: \"root\"");
        /* an invalid env value is an error even when the file has a good one */
        load_err("{\"memory_limit\": \"2g\"}", ENV({ "DOCKER_MEMORY_LIMIT", "" }),
                 "DOCKER_MEMORY_LIMIT: is empty (memory unset)");
        /* an unset variable leaves the file's value */
        p = load_ok("{\"memory_limit\": \"3g\"}", ENV({ "DOCKER_MEMORY_LIMIT", NULL }), &run);
        if (p)
                CU_ASSERT_EQUAL(p->memory_limit, 3 * GIB);
        policy_unref(p);
}

static void test_collects_all(void)
{
        struct run run;
        static const char *const names[] = {
                "DOCKER_USER:", "DOCKER_USER_UID:", "DOCKER_CPU_LIMIT:", "DOCKER_MEMORY_LIMIT:",
                "DOCKER_NETWORK_MODE:", "DOCKER_READONLY_ROOTFS:", "DOCKER_ALLOWLIST_DOMAINS:",
                "DOCKER_REPOS_DIR:", "DOCKER_ARTIFACTS_DIR:", "DOCKER_HOST:", "policy file \"x\"",
                "policy file pids_limit:",
        };

        load_fails("{\"x\": 1, \"pids_limit\": -1}",
                   ENV({ "DOCKER_USER", "root" }, { "DOCKER_USER_UID", "0" }, { "DOCKER_CPU_LIMIT", "0" },
                       { "DOCKER_MEMORY_LIMIT", "" }, { "DOCKER_NETWORK_MODE", "host" },
                       { "DOCKER_READONLY_ROOTFS", "maybe" }, { "DOCKER_ALLOWLIST_DOMAINS", "x" },
                       { "DOCKER_REPOS_DIR", "rel" }, { "DOCKER_ARTIFACTS_DIR", "rel2" },
                       { "DOCKER_HOST", "tcp://x:1" }),
                   N_ELEM(names), "DOCKER_USER: \"root\"", &run);
        for (size_t i = 0; i < N_ELEM(names); i++) {
                bool ok = has_line(&run.pr, true, names[i]);
                CU_ASSERT(ok);
                if (!ok)
                        dump(names[i], NULL, &run);
        }
}

static void test_problems_overflow(void)
{
        char json[1024];
        size_t o = (size_t)snprintf(json, sizeof(json), "{");
        struct run run;

        for (int i = 0; i < 20; i++)
                o += (size_t)snprintf(json + o, sizeof(json) - o, "%s\"k%d\": 1", i ? "," : "", i);
        snprintf(json + o, sizeof(json) - o, "}");
        run_load(json, NOENV, &run);
        CU_ASSERT_EQUAL(run.r, -EINVAL);
        CU_ASSERT_PTR_EQUAL(run.p, &sentinel);
        CU_ASSERT_EQUAL(run.pr.n_errors, POLICY_PROBLEMS_MAX);
        CU_ASSERT_STRING_EQUAL(run.pr.errors[0], "policy file \"k0\": unknown setting (the keys are those "
                               "\"arandu-authz policy\" prints)");
        CU_ASSERT_STRING_EQUAL(run.pr.errors[POLICY_PROBLEMS_MAX - 1],
                               "(more problems not shown; fix these and run again)");
}

/* Values are quoted with escapes and cut, so a hostile value cannot forge or flood lines. */
static void test_quoting(void)
{
        char value[400];
        struct run run;

        memset(value, 'r', sizeof(value) - 1);
        value[sizeof(value) - 1] = '\0';
        value[0] = '\x1b';
        value[1] = '"';
        load_fails(NULL, ENV({ "DOCKER_NETWORK_MODE", value }), 1, "DOCKER_NETWORK_MODE: \"\\x1b\\\"rrr", &run);
        CU_ASSERT(has_line(&run.pr, true, "rrr...\" is not allowed"));
        CU_ASSERT(strlen(run.pr.errors[0]) < 200);
}

/* ------------------------------------------------------------------------------------------------
 * Printing
 * --------------------------------------------------------------------------------------------- */

static const char *const SCHEMA_KEYS[] = {
        "user", "uid", "accept_user_name", "cpu_limit", "memory_limit", "pids_limit", "no_new_privileges",
        "restart_max_retries", "ulimits", "allow_builds", "network_mode",
        "readonly_rootfs", "allowlist_domains", "allow_network_settings", "repos_dir", "artifacts_dir",
        "tmpfs_targets", "tmpfs_exec", "allowed_cap_add", "docker_host", "deny_on_audit_failure", "rule_actions",
};

/* Print `p` into a new temporary file; its path goes to `path`.  Returns policy_print's result. */
static int print_to_tmp(const struct policy *p, char *path)
{
        FILE *f;
        int fd, r;

        snprintf(path, 48, "/tmp/arandu-print.XXXXXX");
        fd = mkstemp(path);
        if (fd < 0 || !(f = fdopen(fd, "w"))) {
                perror("print_to_tmp");
                exit(2);
        }
        r = policy_print(p, f);
        fclose(f);
        return r;
}

static void check_same(const struct policy *a, const struct policy *b)
{
        CU_ASSERT_STRING_EQUAL(a->user, b->user);
        CU_ASSERT_EQUAL(a->uid, b->uid);
        CU_ASSERT_EQUAL(a->accept_user_name, b->accept_user_name);
        CU_ASSERT_EQUAL(a->cpu_limit_nano, b->cpu_limit_nano);
        CU_ASSERT_EQUAL(a->memory_limit, b->memory_limit);
        CU_ASSERT_EQUAL(a->pids_limit, b->pids_limit);
        CU_ASSERT_EQUAL(a->no_new_privileges, b->no_new_privileges);
        CU_ASSERT_EQUAL(a->restart_max_retries, b->restart_max_retries);
        CU_ASSERT_EQUAL(a->allow_builds, b->allow_builds);
        CU_ASSERT_EQUAL(a->tmpfs_exec, b->tmpfs_exec);
        CU_ASSERT_EQUAL(a->allow_network_settings, b->allow_network_settings);
        for (size_t i = 0; i < POLICY_ULIMITS; i++)
                CU_ASSERT_EQUAL(a->ulimit_max[i], b->ulimit_max[i]);
        CU_ASSERT_EQUAL(a->network, b->network);
        CU_ASSERT_EQUAL(a->readonly_rootfs, b->readonly_rootfs);
        CU_ASSERT_STRING_EQUAL(a->repos_dir, b->repos_dir);
        CU_ASSERT_STRING_EQUAL(a->artifacts_dir, b->artifacts_dir);
        CU_ASSERT_STRING_EQUAL(a->docker_host, b->docker_host);
        CU_ASSERT_EQUAL(a->deny_on_audit_failure, b->deny_on_audit_failure);
        CU_ASSERT_EQUAL_FATAL(a->n_domains, b->n_domains);
        for (size_t i = 0; i < a->n_domains; i++)
                CU_ASSERT_STRING_EQUAL(a->domains[i], b->domains[i]);
        CU_ASSERT_EQUAL_FATAL(a->n_tmpfs_targets, b->n_tmpfs_targets);
        for (size_t i = 0; i < a->n_tmpfs_targets; i++)
                CU_ASSERT_STRING_EQUAL(a->tmpfs_targets[i], b->tmpfs_targets[i]);
        CU_ASSERT_EQUAL_FATAL(a->n_cap_add, b->n_cap_add);
        for (size_t i = 0; i < a->n_cap_add; i++)
                CU_ASSERT_STRING_EQUAL(a->cap_add[i], b->cap_add[i]);
}

/* print -> load from that file alone -> the same policy, printed the same. */
static void round_trip(const struct policy *p)
{
        char path[48], path2[48];
        struct run run = { 0 };
        struct policy *q = &sentinel;

        CU_ASSERT_EQUAL_FATAL(print_to_tmp(p, path), 0);
        base_dirs = false;
        fake_table = NULL;
        CU_ASSERT_EQUAL(policy_load(path, fake_env, &q, &run.pr), 0);
        base_dirs = true;
        if (q == &sentinel) {
                run.r = -EINVAL;
                dump("round trip", path, &run);
                unlink(path);
                return;
        }
        check_same(p, q);
        CU_ASSERT_EQUAL(print_to_tmp(q, path2), 0);

        /* the two printed texts are identical */
        json_error_t e;
        json_t *a = json_load_file(path, 0, &e), *b = json_load_file(path2, 0, &e);
        CU_ASSERT(a && b && json_equal(a, b));
        json_decref(a);
        json_decref(b);
        policy_unref(q);
        unlink(path);
        unlink(path2);
}

static void test_print_defaults(void)
{
        struct policy *p = policy_new_default();
        char path[48];
        json_error_t e;
        json_t *o, *v;
        const char *key;
        size_t i = 0;

        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_EQUAL_FATAL(print_to_tmp(p, path), 0);
        o = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(o);
        CU_ASSERT_EQUAL(json_object_size(o), N_ELEM(SCHEMA_KEYS));
        json_object_foreach(o, key, v) {   /* exactly the schema, in its order */
                if (i < N_ELEM(SCHEMA_KEYS))
                        CU_ASSERT_STRING_EQUAL(key, SCHEMA_KEYS[i]);
                i++;
        }
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "user")), "arandu-user");
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "uid")), 1000);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "cpu_limit")), "2.0");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "memory_limit")), "4g");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "network_mode")), "none");
        CU_ASSERT(json_is_true(json_object_get(o, "readonly_rootfs")));
        CU_ASSERT(json_is_false(json_object_get(o, "accept_user_name")));
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "pids_limit")), 1024);
        CU_ASSERT(json_is_true(json_object_get(o, "no_new_privileges")));
        CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(o, "ulimits"), "nofile")), 1048576);
        CU_ASSERT_PTR_NULL(json_object_get(json_object_get(o, "ulimits"), "rtprio"));
        CU_ASSERT(json_is_array(json_object_get(o, "allowlist_domains")));
        CU_ASSERT_EQUAL(json_array_size(json_object_get(o, "tmpfs_targets")), 0);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "repos_dir")), "/var/lib/arandu/repos");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "docker_host")),
                               "unix:///var/run/docker.sock");
        CU_ASSERT(json_is_false(json_object_get(o, "deny_on_audit_failure")));
        json_decref(o);

        /* one JSON object, then a newline */
        FILE *f = fopen(path, "r");
        char buf[4096];
        size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
        if (f)
                fclose(f);
        buf[n] = '\0';
        CU_ASSERT(n > 2 && buf[0] == '{' && buf[n - 2] == '}' && buf[n - 1] == '\n');
        unlink(path);

        round_trip(p);
        policy_unref(p);
}

static void test_print_round_trip(void)
{
        char json[2048];
        struct run run;
        struct policy *p;

        snprintf(json, sizeof(json),
                 "{\"user\": \"svc\", \"uid\": 4242, \"accept_user_name\": true, \"cpu_limit\": 1.5,"
                 " \"memory_limit\": \"1536m\", \"pids_limit\": 256, \"network_mode\": \"bridge\","
                 " \"no_new_privileges\": false, \"restart_max_retries\": 0, \"allow_builds\": true,"
                 " \"ulimits\": {\"nofile\": 2048, \"nproc\": 0},"
                 " \"readonly_rootfs\": false, \"allowlist_domains\": [\"pypi.org\", \"*.Example.com\"],"
                 " \"repos_dir\": \"%s/\", \"artifacts_dir\": \"/nonexistent//art\","
                 " \"tmpfs_targets\": [\"/tmp\", \"/run\"], \"allowed_cap_add\": [\"net_bind_service\", \"CAP_CHOWN\"],"
                 " \"docker_host\": \"unix:///run//docker.sock\", \"deny_on_audit_failure\": true}",
                 scratch_tmp);
        p = load_ok(json, ENV({ "DOCKER_REPOS_DIR", NULL }, { "DOCKER_ARTIFACTS_DIR", NULL },
                              { "DOCKER_CPU_LIMIT", "0.000000001" }), &run);
        if (!p)
                return;
        CU_ASSERT_STRING_EQUAL(p->repos_dir, scratch_tmp);
        CU_ASSERT_STRING_EQUAL(p->artifacts_dir, "/nonexistent/art");
        CU_ASSERT_EQUAL(p->cpu_limit_nano, 1);
        round_trip(p);

        /* odd values print exactly */
        static const struct { int64_t cpu, mem; } odd[] = {
                { 1, 1 }, { 1123456789, 1000 }, { 1024 * NANO, INT64_MAX }, { NANO / 2, 1536 * MIB },
                { 100000000, 3 * KIB }, { 1000000001, 5 * GIB + 1 },
        };
        for (size_t i = 0; i < N_ELEM(odd); i++) {
                p->cpu_limit_nano = odd[i].cpu;
                p->memory_limit = odd[i].mem;
                round_trip(p);
        }
        policy_unref(p);
}

static void test_print_error(void)
{
        struct policy *p = policy_new_default();
        FILE *f = fopen("/dev/full", "w");

        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        if (f) {
                CU_ASSERT_EQUAL(policy_print(p, f), -EIO);
                fclose(f);
        }
        policy_unref(p);
}

/* ------------------------------------------------------------------------------------------------ */

static const struct cu_test NUMBER_TESTS[] = {
        { "parse_memory_size", test_parse_memory_size },
        { "parse_cpus", test_parse_cpus },
        { NULL, NULL },
};

static const struct cu_test DEFAULT_TESTS[] = {
        { "new_default", test_new_default },
        { "load_defaults", test_load_defaults },
        { "process_environment", test_process_environment },
        { "refcount", test_refcount },
        { "refcount_threads", test_refcount_threads },
        { NULL, NULL },
};

static const struct cu_test ENV_TESTS[] = {
        { "user", test_env_user },
        { "uid", test_env_uid },
        { "cpu", test_env_cpu },
        { "memory", test_env_memory },
        { "network", test_env_network },
        { "readonly", test_env_readonly },
        { "pids and no-new-privileges", test_env_pids_nnp },
        { "domains", test_env_domains },
        { "dirs", test_env_dirs },
        { "dirs_overlap", test_dirs_overlap },
        { "dirs at POLICY_PATH_MAX", test_dirs_path_max },
        { "docker_host", test_env_docker_host },
        { "set_but_empty", test_env_set_but_empty },
        { NULL, NULL },
};

static const struct cu_test FILE_TESTS[] = {
        { "values", test_file_values },
        { "bad_values", test_file_bad_values },
        { "types", test_file_types },
        { "tmpfs", test_file_tmpfs },
        { "caps", test_file_caps },
        { "warnings", test_file_warnings },
        { "limits, restarts, builds", test_file_limits },
        { "keys", test_file_keys },
        { "unreadable", test_file_unreadable },
        { NULL, NULL },
};

static const struct cu_test LOAD_TESTS[] = {
        { "layering", test_layering },
        { "collects_all", test_collects_all },
        { "problems_overflow", test_problems_overflow },
        { "quoting", test_quoting },
        { NULL, NULL },
};

static const struct cu_test PRINT_TESTS[] = {
        { "defaults", test_print_defaults },
        { "round_trip", test_print_round_trip },
        { "write_error", test_print_error },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "config/numbers", NUMBER_TESTS },
        { "config/defaults", DEFAULT_TESTS },
        { "config/env", ENV_TESTS },
        { "config/file", FILE_TESTS },
        { "config/load", LOAD_TESTS },
        { "config/print", PRINT_TESTS },
};

CU_MAIN(SUITES)
