/* Allocation-failure sweep (jansson's json_set_alloc_funcs tests, curl's torture mode) over the
 * decoder and the evaluators: for each envelope, run decide_request once to count its
 * allocations (A), then for every N in 1..A+1 run it again with the Nth allocation failing, and again
 * with every allocation from the Nth on failing.  Whenever an allocation failed, the decision must
 * be a deny with a reason; when none failed (N = A+1), the same decision as the clean run.  A crash
 * is a failure of the test program itself.  policy_load (file, environment, digest) is swept the
 * same way: a failed allocation must fail the load, never yield a policy.  And gojson_loadb itself,
 * on documents chosen to make jansson misread under allocation failure (see test_jansson_misread).
 *
 * Allocations are counted where the library makes them: its own malloc/calloc/realloc/strdup/strndup
 * calls, which the link redirects to the __wrap_ functions below (-Wl,--wrap=..., set for this
 * program in mk/allocfail.mk; without it the program does not link), and jansson's, which go through
 * the allocators gojson_init installs with json_set_alloc_funcs (policy/gojson.c; CU_MAIN_FIXTURE_ROOTS
 * calls it first in main) and so through the same wrappers.  Allocations inside libc itself (realpath, stdio) are not failed.
 *
 * Envelopes: the recorded dockerd 20.10.24 fixtures (ARANDU_FIXTURES overrides
 * tests/fixtures/dockerd-20.10.24), under the default policy with the fixtures' roots, plus two
 * built here (an allowed exec, an allowed create through Mounts). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "authz/audit.h"
#include "policy/decide.h"
#include "policy/decision.h"
#include "policy/gojson.h"
#include "policy/policy.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

/* --- the failing allocator ------------------------------------------------------------------- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static struct {
        bool armed;       /* count (and maybe fail) only inside the code under test */
        size_t count;     /* allocations seen since armed */
        size_t fail_at;   /* 0: never fail */
        bool sticky;      /* fail every allocation from fail_at on, not just that one */
        size_t failed;    /* allocations refused */
} A;

static bool refuse(void)
{
        if (!A.armed)
                return false;
        A.count++;
        if (A.fail_at && (A.count == A.fail_at || (A.sticky && A.count > A.fail_at))) {
                A.failed++;
                return true;
        }
        return false;
}

void *__wrap_malloc(size_t size)
{
        return refuse() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
        return refuse() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
        return refuse() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
        return refuse() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
        return refuse() ? NULL : __real_strndup(s, n);
}

static void arm(size_t fail_at, bool sticky)
{
        A.count = 0;
        A.failed = 0;
        A.fail_at = fail_at;
        A.sticky = sticky;
        A.armed = true;
}

static void disarm(void)
{
        A.armed = false;
}

/* jansson allocates through the allocators gojson_init installs with json_set_alloc_funcs
 * (policy/gojson.c), which call malloc from inside the library: wrapped too.  Without gojson_init
 * they would be jansson's own, whose malloc calls (inside libjansson) the wrap does not see: so a
 * jansson allocation must reach the wrapper.  The test must not install its own, or it would test
 * jansson's behaviour instead of the library's. */
static void check_json_allocators(void)
{
        json_malloc_t m = NULL;
        json_free_t f = NULL;
        json_get_alloc_funcs(&m, &f);
        CU_ASSERT_FATAL(m != NULL && m != malloc && f != NULL);
        arm(0, false);
        json_t *probe = json_object();
        disarm();
        CU_ASSERT_FATAL(probe != NULL && A.count > 0);
        json_decref(probe);
}

/* --- the sweep ------------------------------------------------------------------------------- */

/* Totals over every sweep, printed at the end. */
static size_t swept_runs, swept_max_n, swept_envelopes, jansson_aborts;

/* Sweep one envelope; `want_allow` is what the clean run must decide (checked too). */
static void sweep(const struct policy *p, const char *name, const char *envelope, size_t len, bool want_allow)
{
        static struct decision clean, d;
        struct request_info info;

        check_json_allocators();
        arm(0, false);
        decide_request(p, envelope, len, &clean, &info);
        disarm();
        size_t total = A.count;
        if (clean.allow != want_allow)
                tu_dump(name, &clean);
        CU_ASSERT_EQUAL(clean.allow, want_allow);
        CU_ASSERT_TRUE(total > 0);   /* the wrap is in effect: the decoder allocates */

        for (int sticky = 0; sticky <= 1; sticky++)
                for (size_t n = 1; n <= total + 1; n++) {
                        arm(n, sticky);
                        decide_request(p, envelope, len, &d, &info);
                        disarm();
                        swept_runs++;
                        bool ok;
                        if (A.failed > 0)
                                ok = !d.allow && d.n > 0;
                        else
                                ok = d.allow == clean.allow && d.n == clean.n;
                        if (!ok) {
                                fprintf(stderr, "\n  %s: allocation %zu%s failed (%zu refused of %zu):", name, n,
                                        sticky ? " and later" : "", A.failed, A.count);
                                tu_dump(name, &d);
                        }
                        CU_ASSERT_TRUE(ok);
                        /* n = total + 1 fails nothing, and must not: the run is deterministic */
                        CU_ASSERT_EQUAL(A.failed > 0, n <= total);
                }
        if (total + 1 > swept_max_n)
                swept_max_n = total + 1;
        swept_envelopes++;
        printf("\n    %-36s %s, allocations 1..%zu failed one at a time and from each on", name,
               want_allow ? "allow" : "deny ", total);
}


/* The recorded envelopes that cover each decoder path: create (allowed, denied for privileges, for
 * mounts, through quota), exec, GET, DELETE, update, start, network connect, volume create. */
static const struct {
        const char *file;
        bool allow;
} recorded[] = {
        { "compliant.cli28.2.2.req.json", true },
        { "compliant.cli20.10.24.req.json", true },
        { "privileged.cli28.2.2.req.json", false },
        { "mountbind.cli28.2.2.req.json", false },
        { "cpuquota.cli20.10.24.req.json", true },
        { "tmpfs.cli28.2.2.req.json", false },
        { "exec-root.cli28.2.2.2.req.json", false },
        { "exec-root.cli28.2.2.req.json", true },     /* GET /containers/{id}/json */
        { "rm.cli28.2.2.req.json", true },            /* DELETE /containers/{id} */
        { "update.cli28.2.2.req.json", true },
        { "start.cli28.2.2.req.json", true },
        { "netconnect.cli28.2.2.req.json", false },
        { "volcreate.cli28.2.2.req.json", false },
};

static void test_recorded(void)
{
        gojson_arena_disable();   /* every JSON allocation through malloc (gojson.h) */
        struct policy *p = tu_fixture_policy();
        for (size_t i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++) {
                char path[4096];
                size_t len = 0;
                tu_path(path, sizeof(path), "%s/%s", tu_fixtures_dir(), recorded[i].file);
                char *env = tu_read_file(path, &len);
                if (!env)
                        fprintf(stderr, "\n  cannot read fixture %s (set ARANDU_FIXTURES)\n", path);
                CU_ASSERT_FATAL(env != NULL);
                sweep(p, recorded[i].file, env, len, recorded[i].allow);
                free(env);
        }
        policy_unref(p);
}

static void test_built(void)
{
        gojson_arena_disable();   /* every JSON allocation through malloc (gojson.h) */
        static const char exec_ok[] =
                "{\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.43/containers/c/exec\",\"RequestHeaders\":"
                "{\"Content-Type\":\"application/json\"},\"RequestBody\":"
                "\"eyJVc2VyIjoiIiwiUHJpdmlsZWdlZCI6ZmFsc2UsIkNtZCI6WyJpZCJdLCJBdHRhY2hTdGRvdXQiOnRydWV9\"}";
        static const char mounts_ok[] =
                "{\"RequestMethod\":\"POST\",\"RequestUri\":\"/v1.43/containers/create?name=m\",\"RequestBody\":"
                "\"eyJVc2VyIjoiMTAwMCIsIkltYWdlIjoiYmIiLCJIb3N0Q29uZmlnIjp7Ik5ldHdvcmtNb2RlIjoibm9uZSIsIlJlYWRvbmx5"
                "Um9vdGZzIjp0cnVlLCJNZW1vcnkiOjEwNzM3NDE4MjQsIk5hbm9DcHVzIjoxMDAwMDAwMDAwLCJNb3VudHMiOlt7IlR5cGUi"
                "OiJiaW5kIiwiU291cmNlIjoiL3Nydi9hcmFuZHUvcmVwb3MvZGVtbyIsIlRhcmdldCI6Ii93b3Jrc3BhY2UiLCJSZWFkT25s"
                "eSI6dHJ1ZSwiQmluZE9wdGlvbnMiOnsiUHJvcGFnYXRpb24iOiIifX0seyJUeXBlIjoiYmluZCIsIlNvdXJjZSI6Ii9zcnYv"
                "YXJhbmR1L2FydGlmYWN0cy9kZW1vIiwiVGFyZ2V0IjoiL2FydGlmYWN0cyJ9XX0sIk5ldHdvcmtpbmdDb25maWciOnsiRW5k"
                "cG9pbnRzQ29uZmlnIjp7Im5vbmUiOnt9fX19\"}";
        struct policy *p = tu_fixture_policy();
        sweep(p, "built: exec as the image user", exec_ok, strlen(exec_ok), true);
        sweep(p, "built: create with Mounts", mounts_ok, strlen(mounts_ok), true);
        policy_unref(p);
}

/* policy_load from a file with every setting, plus the environment: a failed allocation fails the
 * load (the daemon then does not start, and dockerd refuses every request). */
static void test_policy_load(void)
{
        char dir[4096], file[4200];
        tu_mkdtemp(dir, sizeof(dir));
        tu_path(file, sizeof(file), "%s/policy.json", dir);
        tu_write_file(file,
                      "{\"user\":\"arandu-user\",\"uid\":1000,\"cpu_limit\":\"1.5\",\"memory_limit\":\"2g\","
                      "\"pids_limit\":256,\"network_mode\":\"none\",\"readonly_rootfs\":true,"
                      "\"allowlist_domains\":[\"example.org\",\"pypi.org\"],\"repos_dir\":\"/srv/arandu/repos\","
                      "\"artifacts_dir\":\"/srv/arandu/artifacts\",\"tmpfs_targets\":[\"/tmp\"],"
                      "\"allowed_cap_add\":[\"NET_BIND_SERVICE\"]}\n");
        check_json_allocators();
        struct policy *p = NULL;
        arm(0, false);
        int r = policy_load(file, tu_fixture_env, &p, NULL);
        disarm();
        size_t total = A.count;
        CU_ASSERT_FATAL(r == 0 && p != NULL);
        policy_unref(p);
        for (int sticky = 0; sticky <= 1; sticky++)
                for (size_t n = 1; n <= total + 1; n++) {
                        struct policy_problems problems;
                        p = NULL;
                        arm(n, sticky);
                        r = policy_load(file, tu_fixture_env, &p, &problems);
                        disarm();
                        swept_runs++;
                        /* -ENOMEM before the loader could record a line (the policy itself) */
                        bool ok = A.failed > 0 ? r < 0 && p == NULL && (problems.n_errors > 0 || r == -ENOMEM)
                                               : r == 0 && p != NULL;
                        if (!ok)
                                fprintf(stderr, "\n  policy_load: allocation %zu%s failed: r=%d p=%p errors=%zu\n", n,
                                        sticky ? " and later" : "", r, (void *) p, problems.n_errors);
                        CU_ASSERT_TRUE(ok);
                        policy_unref(p);
                }
        printf("\n    %-36s allocations 1..%zu failed one at a time and from each on", "policy_load (file + env)", total);
        tu_rm_rf(dir);
}

/* The jansson behaviour gojson_loadb guards against: with one allocation failed, json_loadb can
 * return a document other than its input (a token's byte dropped: "1000000000000000000000" read as
 * "100000000000000000000").  gojson_loadb must return the input's value or nothing.
 *
 * jansson can also abort under allocation failure (its lexer asserts that a byte it failed to save
 * is there: load.c lex_unget_unsave and lex_scan_string); gojson_loadb avoids the string case, not
 * the one of a number token of 16 or more characters that crosses a growth of jansson's token
 * buffer.  An abort is a denial (dockerd refuses requests while the plugin is down), never an
 * allow, so each failing parse runs in a child here: it may die of SIGABRT, counted and printed,
 * but must never come back with a different document. */
enum { PARSE_NULL_OOM = 'N', PARSE_SAME = 'S', PARSE_DIFFERENT = 'D', PARSE_NULL_OTHER = 'O' };

static char parse_in_child(const char *doc, size_t len, json_t *clean, size_t n, bool sticky, int *ret_sig,
                           bool *ret_failed)
{
        int fds[2];
        CU_ASSERT_FATAL(pipe(fds) == 0);
        fflush(NULL);
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0) {
                json_error_t err;
                close(fds[0]);
                /* jansson's assert message would be noise in the test log: the parent reports */
                int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
                if (null >= 0)
                        dup2(null, STDERR_FILENO);
                arm(n, sticky);
                json_t *v = gojson_loadb(doc, len, JSON_REJECT_DUPLICATES, &err);
                disarm();
                char out[2] = { PARSE_NULL_OTHER, A.failed > 0 ? 'F' : '-' };
                if (!v)
                        out[0] = strcmp(err.text, "out of memory") == 0 ? PARSE_NULL_OOM : PARSE_NULL_OTHER;
                else
                        out[0] = json_equal(v, clean) ? PARSE_SAME : PARSE_DIFFERENT;
                json_decref(v);
                json_decref(clean);   /* the child's copy: leak checkers look at children too */
                if (write(fds[1], out, 2) != 2)
                        _exit(3);
                _exit(0);
        }
        close(fds[1]);
        char in[2] = { 0, 0 };
        ssize_t got = read(fds[0], in, 2);
        close(fds[0]);
        int status = 0;
        CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
        *ret_sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        *ret_failed = in[1] == 'F';
        return got == 2 ? in[0] : 0;
}

static void test_jansson_misread(void)
{
        static const char *const docs[] = {
                "{\"User\":\"1000000000000000000000\",\"HostConfig\":{\"Memory\":1000000000000000000}}",
                "{\"HostConfig\":{\"Privileged\":false,\"Memory\":1073741824000,\"Binds\":[\"/srv/arandu/repos/x:/workspace:ro\"]}}",
                "{\"Labels\":{\"a\\u00e9\\n\\\"b\":\"\\ud83d\\ude00 escaped \\t values\"},\"User\":\"1000\"}",
                "{\"A\":1.00000000000000000000001,\"B\":-1234567890123456789,\"C\":[true,false,null,12345678901234567890123456789e-10]}",
        };
        for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
                json_error_t err;
                size_t len = strlen(docs[i]), aborts = 0;
                arm(0, false);
                json_t *clean = gojson_loadb(docs[i], len, JSON_REJECT_DUPLICATES, &err);
                disarm();
                size_t total = A.count;
                CU_ASSERT_FATAL(clean != NULL);
                for (int sticky = 0; sticky <= 1; sticky++)
                        for (size_t n = 1; n <= total + 1; n++) {
                                int sig = 0;
                                bool failed = false;
                                char r = parse_in_child(docs[i], len, clean, n, sticky, &sig, &failed);
                                swept_runs++;
                                if (sig) {
                                        /* only jansson's own assert, and only after a failed allocation */
                                        CU_ASSERT_EQUAL(sig, SIGABRT);
                                        CU_ASSERT_TRUE(n <= total);
                                        aborts++;
                                        continue;
                                }
                                if (r == PARSE_DIFFERENT)
                                        fprintf(stderr, "\n  document %zu misread with allocation %zu%s failed\n", i, n,
                                                sticky ? " and later" : "");
                                CU_ASSERT_TRUE(failed ? r == PARSE_NULL_OOM : r == PARSE_SAME);
                        }
                json_decref(clean);
                printf("\n    gojson_loadb document %zu                allocations 1..%zu failed one at a time and from each on; %zu jansson aborts",
                       i, total, aborts);
                jansson_aborts += aborts;
        }
}

/* audit_format_line (authz/audit.c): a line that fits its stack buffer is one malloc(); a long one
 * (every violation, every text full of control bytes, so six bytes out per byte in) moves to the
 * heap and doubles, then gives back what it did not use.  A failed allocation gives -ENOMEM with
 * the outputs untouched and nothing left allocated (valgrind and LSan check that), except the
 * last realloc, which only shrinks: the line is still given, the same bytes. */
static void test_audit_line(void)
{
        static struct decision d;
        static struct request_info info;

        for (int big = 0; big <= 1; big++) {
                memset(&info, 0, sizeof(info));
                snprintf(info.method, sizeof(info.method), "POST");
                snprintf(info.uri, sizeof(info.uri), "/v1.41/containers/create");
                decision_init(&d);
                if (big) {
                        d.n = DECISION_MAX_VIOLATIONS;
                        d.truncated = true;
                        for (size_t i = 0; i < DECISION_MAX_VIOLATIONS; i++) {
                                d.v[i].rule = "memory";
                                memset(d.v[i].text, i % 3 ? 'm' : '\x01', VIOLATION_TEXT_MAX - 1);
                                d.v[i].text[VIOLATION_TEXT_MAX - 1] = '\0';
                        }
                }
                char *clean = NULL;
                size_t clean_len = 0;
                arm(0, false);
                int r = audit_format_line(&info, &d, false, 7, "2024-05-01T12:00:00.000000Z", &clean, &clean_len);
                disarm();
                size_t total = A.count;
                CU_ASSERT_FATAL(r == 0);
                CU_ASSERT_TRUE(big ? total > 1 : total == 1);
                for (int sticky = 0; sticky <= 1; sticky++)
                        for (size_t n = 1; n <= total + 1; n++) {
                                char *line = NULL;
                                size_t len = 0;
                                arm(n, sticky);
                                r = audit_format_line(&info, &d, false, 7, "2024-05-01T12:00:00.000000Z", &line, &len);
                                disarm();
                                swept_runs++;
                                /* the same line (nothing failed, or only the shrinking realloc), or
                                 * -ENOMEM with the outputs untouched */
                                CU_ASSERT_TRUE(r == 0 ? len == clean_len && memcmp(line, clean, len + 1) == 0
                                                      : r == -ENOMEM && line == NULL && len == 0 && A.failed > 0);
                                /* all but the last allocation are needed for the line */
                                CU_ASSERT_TRUE(n >= total || r == -ENOMEM);
                                CU_ASSERT_TRUE(n <= total || (r == 0 && A.failed == 0));
                                free(line);
                        }
                free(clean);
                printf("\n    %-36s allocations 1..%zu failed one at a time and from each on",
                       big ? "audit_format_line (long line)" : "audit_format_line", total);
        }
}

static void test_summary(void)
{
        printf("\n    swept %zu envelopes, N up to %zu, %zu failing runs in all (%zu aborts inside jansson's parser, "
               "in children)\n", swept_envelopes, swept_max_n, swept_runs, jansson_aborts);
        CU_ASSERT_TRUE(swept_envelopes >= 4);
}

static const struct cu_test sweep_tests[] = {
        { "recorded envelopes: every allocation failed in turn", test_recorded },
        { "built envelopes: every allocation failed in turn", test_built },
        { "policy loading: every allocation failed in turn", test_policy_load },
        { "jansson's misreads under allocation failure are discarded", test_jansson_misread },
        { "audit lines: every allocation failed in turn", test_audit_line },
        { "summary", test_summary },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "allocation failures", sweep_tests },
};

CU_MAIN_FIXTURE_ROOTS(SUITES)
