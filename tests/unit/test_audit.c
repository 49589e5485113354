/* The audit log: real files and pipes.  Lines are valid JSON with the documented fields; a full
 * queue drops and counts instead of blocking; reopen after rename writes to the new file; write
 * errors are counted and reported once, not per line. */
#define _GNU_SOURCE   /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "authz/audit.h"
#include "policy/decision.h"
#include "tests/unit/cutest.h"

static char tmpdir[64];

static void make_tmpdir(void)
{
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/arandu-audit-XXXXXX");
        CU_ASSERT_FATAL(mkdtemp(tmpdir) != NULL);
}

static void remove_tmpdir(void)
{
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        CU_ASSERT(system(cmd) == 0);
}

/* Read a whole small file into a new NUL-terminated buffer. */
static char *slurp(const char *path)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        size_t cap = 1 << 20, len = 0;
        char *buf = malloc(cap + 1);
        if (buf)
                len = fread(buf, 1, cap, f);
        fclose(f);
        if (buf)
                buf[len] = '\0';
        return buf;
}

/* Split into lines and parse each as JSON: an array of objects (NULL if any line is not one). */
static json_t *parse_lines(const char *text)
{
        json_t *arr = json_array();
        const char *p = text;

        while (*p) {
                const char *nl = strchr(p, '\n');
                if (!nl) {   /* every line ends with a newline */
                        json_decref(arr);
                        return NULL;
                }
                json_error_t err;
                json_t *o = json_loadb(p, (size_t) (nl - p), JSON_REJECT_DUPLICATES, &err);
                if (!json_is_object(o)) {
                        json_decref(o);
                        json_decref(arr);
                        return NULL;
                }
                json_array_append_new(arr, o);
                p = nl + 1;
        }
        return arr;
}

static void wait_written(struct audit *a, uint64_t n)
{
        struct audit_stats st;
        for (int i = 0; i < 500; i++) {
                audit_get_stats(a, &st);
                if (st.written >= n)
                        return;
                usleep(10000);
        }
        CU_FAIL("the writer did not write in 5 s");
}

/* Run with stderr sent to a file; returns what was written there. */
struct stderr_capture {
        int saved;
        char path[128];
};

static void capture_start(struct stderr_capture *c)
{
        snprintf(c->path, sizeof(c->path), "%s/stderr", tmpdir);
        int fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        CU_ASSERT_FATAL(fd >= 0);
        c->saved = dup(STDERR_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
}

static char *capture_end(struct stderr_capture *c)
{
        dup2(c->saved, STDERR_FILENO);
        close(c->saved);
        return slurp(c->path);
}

static size_t count_substr(const char *s, const char *needle)
{
        size_t n = 0;
        for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

static void deny_decision(struct decision *d)
{
        decision_init(d);
        decision_add(d, "network", "HostConfig.NetworkMode is \"host\"; set --network none");
        decision_add(d, "privileged", "HostConfig.Privileged is true; remove --privileged");
        decision_add(d, "network", "NetworkingConfig.EndpointsConfig names \"host\"");
        decision_finish(d);
}

static void allow_decision(struct decision *d)
{
        decision_init(d);
        decision_finish(d);
}

static void test_lines_are_json_with_fields(void)
{
        char path[128];
        struct audit *a = NULL;
        struct decision d;
        struct request_info create = { .method = "POST", .uri = "/v1.41/containers/create?name=x",
                                       .route = "POST /containers/create", .user = "alice",
                                       .authn = "TLS", .container_name = "x", .image = "busybox" };
        struct request_info get = { .method = "GET", .uri = "/v1.41/version", .route = "GET /version" };

        make_tmpdir();
        snprintf(path, sizeof(path), "%s/audit.log", tmpdir);
        CU_ASSERT_FATAL(audit_open(path, &a) == 0);

        deny_decision(&d);
        CU_ASSERT(audit_record(a, &create, &d, false, 41.6) == 0);
        allow_decision(&d);
        CU_ASSERT(audit_record(a, &get, &d, true, 3.2) == 0);
        a = audit_close(a);
        CU_ASSERT(a == NULL);

        struct stat st;
        CU_ASSERT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);

        char *text = slurp(path);
        CU_ASSERT_FATAL(text != NULL);
        json_t *lines = parse_lines(text);
        CU_ASSERT_FATAL(lines != NULL);
        CU_ASSERT_FATAL(json_array_size(lines) == 2);

        json_t *l = json_array_get(lines, 0);
        const char *t = json_string_value(json_object_get(l, "time"));
        /* 2024-05-01T12:00:00.123456Z */
        CU_ASSERT(t && strlen(t) == 27 && t[4] == '-' && t[10] == 'T' && t[19] == '.' && t[26] == 'Z');
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "decision")), "deny");
        json_t *rules = json_object_get(l, "rules");
        CU_ASSERT(json_array_size(rules) == 2);   /* "network" listed once */
        CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(rules, 0)), "network");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(rules, 1)), "privileged");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "method")), "POST");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "route")), "POST /containers/create");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "uri")), "/v1.41/containers/create?name=x");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "user")), "alice");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "authn")), "TLS");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "container_name")), "x");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "image")), "busybox");
        CU_ASSERT(json_is_integer(json_object_get(l, "latency_us")));
        CU_ASSERT(json_integer_value(json_object_get(l, "latency_us")) == 42);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "mode")), "enforce");
        json_t *reasons = json_object_get(l, "reasons");
        CU_ASSERT(json_array_size(reasons) == 3);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(reasons, 0)),
                               "network: HostConfig.NetworkMode is \"host\"; set --network none");

        l = json_array_get(lines, 1);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "decision")), "allow");
        CU_ASSERT(json_array_size(json_object_get(l, "rules")) == 0);
        CU_ASSERT(json_array_size(json_object_get(l, "reasons")) == 0);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "mode")), "dry-run");
        /* Empty optional fields are left out. */
        CU_ASSERT(json_object_get(l, "user") == NULL);
        CU_ASSERT(json_object_get(l, "authn") == NULL);
        CU_ASSERT(json_object_get(l, "container_name") == NULL);
        CU_ASSERT(json_object_get(l, "image") == NULL);

        json_decref(lines);
        free(text);
        remove_tmpdir();
}

/* User-controlled strings cut in the middle of a UTF-8 character, or raw bytes, or forged line
 * breaks, still give one valid JSON line each. */
static void test_hostile_strings_stay_one_json_line(void)
{
        char path[128];
        struct audit *a = NULL;
        struct decision d;
        struct request_info info = { .method = "POST", .route = "unknown" };

        snprintf(info.uri, sizeof(info.uri), "/x\n{\"decision\":\"allow\"}\r\xc3");
        snprintf(info.image, sizeof(info.image), "bad\xff\xfe\xed\xa0\x80 image");
        make_tmpdir();
        snprintf(path, sizeof(path), "%s/audit.log", tmpdir);
        CU_ASSERT_FATAL(audit_open(path, &a) == 0);
        deny_decision(&d);
        CU_ASSERT(audit_record(a, &info, &d, false, 1) == 0);
        a = audit_close(a);

        char *text = slurp(path);
        CU_ASSERT_FATAL(text != NULL);
        json_t *lines = parse_lines(text);
        CU_ASSERT_FATAL(lines != NULL);
        CU_ASSERT(json_array_size(lines) == 1);
        json_t *l = json_array_get(lines, 0);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "decision")), "deny");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(l, "uri")),
                               "/x\n{\"decision\":\"allow\"}\r\xef\xbf\xbd");
        CU_ASSERT(strstr(json_string_value(json_object_get(l, "image")), "bad\xef\xbf\xbd") != NULL);
        json_decref(lines);
        free(text);
        remove_tmpdir();
}

struct drain {
        int fd;
        size_t lines;
};

static void *drain_main(void *arg)
{
        struct drain *dr = arg;
        char buf[65536];
        ssize_t n;

        while ((n = read(dr->fd, buf, sizeof(buf))) > 0)
                for (ssize_t i = 0; i < n; i++)
                        dr->lines += buf[i] == '\n';
        return NULL;
}

/* The writer is stuck on a pipe nobody reads: recording must neither block nor grow without
 * bound.  Lines beyond the queue are dropped and counted, and reported once the writer catches up. */
static void test_full_queue_drops_and_counts(void)
{
        enum { N = 3000, QUEUE = 16 };
        struct audit *a = NULL;
        struct decision d;
        struct request_info info = { .method = "GET", .uri = "/v1.41/info", .route = "GET /info" };
        struct stderr_capture cap = { 0 };
        int p[2];

        make_tmpdir();
        CU_ASSERT_FATAL(pipe2(p, O_CLOEXEC) == 0);
        capture_start(&cap);
        CU_ASSERT_FATAL(audit_open_fd(p[1], QUEUE, &a) == 0);

        allow_decision(&d);
        struct timespec t0, t1;
        size_t nobufs = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < N; i++) {
                int r = audit_record(a, &info, &d, false, 1);
                CU_ASSERT(r == 0 || r == -ENOBUFS);
                nobufs += r == -ENOBUFS;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
        CU_ASSERT(secs < 2.0);   /* 3000 lines into a stuck writer: no waiting */

        struct audit_stats st;
        audit_get_stats(a, &st);
        CU_ASSERT(st.dropped > 0);
        CU_ASSERT(st.dropped == nobufs);
        CU_ASSERT(st.recorded + st.dropped == N);
        /* A 64 KiB pipe holds a few hundred lines; the queue QUEUE more. */
        CU_ASSERT(st.recorded < 1000);

        /* Unblock the writer, flush, and check every queued line arrived. */
        struct drain dr = { .fd = p[0] };
        pthread_t th;
        CU_ASSERT_FATAL(pthread_create(&th, NULL, drain_main, &dr) == 0);
        wait_written(a, st.recorded);
        audit_get_stats(a, &st);
        a = audit_close(a);   /* closes p[1]: the drain sees EOF */
        pthread_join(th, NULL);
        close(p[0]);
        CU_ASSERT(dr.lines == st.recorded);
        CU_ASSERT(st.written == st.recorded);

        char *err = capture_end(&cap);
        CU_ASSERT_FATAL(err != NULL);
        /* Reported each time the writer caught up; the reports add up to every dropped line. */
        unsigned long long reported = 0;
        for (const char *q = err; (q = strstr(q, "dropped ")); q += 8)
                reported += strtoull(q + 8, NULL, 10);
        CU_ASSERT(reported == st.dropped);
        CU_ASSERT(strncmp(err, "<4>", 3) == 0);
        free(err);
        remove_tmpdir();
}

/* logrotate moves the file away and sends SIGUSR1: lines after the reopen go to the new file. */
static void test_reopen_after_rename(void)
{
        char path[128], rotated[128];
        struct audit *a = NULL;
        struct decision d;
        struct request_info before = { .method = "GET", .uri = "/before", .route = "unknown" };
        struct request_info after = { .method = "GET", .uri = "/after", .route = "unknown" };

        make_tmpdir();
        snprintf(path, sizeof(path), "%s/audit.log", tmpdir);
        snprintf(rotated, sizeof(rotated), "%s/audit.log.1", tmpdir);
        CU_ASSERT_FATAL(audit_open(path, &a) == 0);
        allow_decision(&d);
        CU_ASSERT(audit_record(a, &before, &d, false, 1) == 0);
        wait_written(a, 1);

        CU_ASSERT_FATAL(rename(path, rotated) == 0);
        CU_ASSERT(audit_reopen(a) == 0);
        CU_ASSERT(audit_record(a, &after, &d, false, 1) == 0);
        a = audit_close(a);

        char *old_text = slurp(rotated), *new_text = slurp(path);
        CU_ASSERT_FATAL(old_text && new_text);
        CU_ASSERT(strstr(old_text, "\"/before\"") != NULL);
        CU_ASSERT(strstr(old_text, "\"/after\"") == NULL);
        CU_ASSERT(strstr(new_text, "\"/after\"") != NULL);
        CU_ASSERT(strstr(new_text, "\"/before\"") == NULL);
        free(old_text);
        free(new_text);

        /* Reopening a log on a descriptor is a no-op, not an error. */
        int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        CU_ASSERT_FATAL(audit_open_fd(fd, 0, &a) == 0);
        CU_ASSERT(audit_reopen(a) == 0);
        a = audit_close(a);
        remove_tmpdir();
}

/* A full disk: lines are counted as lost, the log is unhealthy, and stderr gets one report for
 * the burst, not one per line. */
static void test_write_errors_are_counted_and_rate_limited(void)
{
        struct audit *a = NULL;
        struct decision d;
        struct request_info info = { .method = "GET", .uri = "/v1.41/info", .route = "GET /info" };
        struct stderr_capture cap = { 0 };

        if (access("/dev/full", W_OK) != 0) {
                CU_PASS("no /dev/full");
                return;
        }
        make_tmpdir();
        capture_start(&cap);
        CU_ASSERT_FATAL(audit_open("/dev/full", &a) == 0);
        CU_ASSERT(audit_healthy(a));
        allow_decision(&d);
        for (int i = 0; i < 200; i++) {
                CU_ASSERT(audit_record(a, &info, &d, false, 1) == 0);
                if (i % 50 == 0)
                        usleep(2000);   /* several batches, several failed writes */
        }
        struct audit_stats st;
        for (int i = 0; i < 500; i++) {
                audit_get_stats(a, &st);
                if (st.failed == 200)
                        break;
                usleep(10000);
        }
        CU_ASSERT(st.failed == 200);
        CU_ASSERT(st.written == 0);
        CU_ASSERT(!audit_healthy(a));
        a = audit_close(a);

        char *err = capture_end(&cap);
        CU_ASSERT_FATAL(err != NULL);
        CU_ASSERT(count_substr(err, "cannot write to \"/dev/full\"") == 1);
        CU_ASSERT(strstr(err, "No space left on device") != NULL);
        free(err);
        remove_tmpdir();
}

static void test_open_errors(void)
{
        struct audit *a = NULL;

        CU_ASSERT(audit_open("/nonexistent-dir/audit.log", &a) == -ENOENT);
        CU_ASSERT(a == NULL);
        CU_ASSERT(audit_open("", &a) == -EINVAL);
        CU_ASSERT(audit_record(NULL, NULL, NULL, false, 0) == 0);   /* no audit log configured */
        CU_ASSERT(audit_close(NULL) == NULL);

        /* "-" is standard output, and closing the log leaves fd 1 open. */
        CU_ASSERT_FATAL(audit_open("-", &a) == 0);
        a = audit_close(a);
        CU_ASSERT(fcntl(STDOUT_FILENO, F_GETFD) >= 0);
}

static void test_json_string_lossy(void)
{
        json_t *j = audit_json_string("caf\xc3\xa9");
        CU_ASSERT_STRING_EQUAL(json_string_value(j), "caf\xc3\xa9");
        json_decref(j);
        j = audit_json_string("\xc0\xaf/\xed\xa0\x80/\xf4\x90\x80\x80/\xe2\x82");   /* overlong, surrogate, > U+10FFFF, cut */
        CU_ASSERT_FATAL(j != NULL);
        const char *s = json_string_value(j);
        CU_ASSERT(strchr(s, '/') != NULL);
        CU_ASSERT(strstr(s, "\xc0") == NULL && strstr(s, "\xed\xa0") == NULL && strstr(s, "\xf4\x90") == NULL);
        json_decref(j);
        j = audit_json_string(NULL);
        CU_ASSERT_STRING_EQUAL(json_string_value(j), "");
        json_decref(j);
}

static const struct cu_test audit_tests[] = {
        { "lines are JSON with the fields", test_lines_are_json_with_fields },
        { "hostile strings stay one JSON line", test_hostile_strings_stay_one_json_line },
        { "a full queue drops and counts", test_full_queue_drops_and_counts },
        { "reopen after rename", test_reopen_after_rename },
        { "write errors counted, reported once", test_write_errors_are_counted_and_rate_limited },
        { "open errors", test_open_errors },
        { "lossy JSON strings", test_json_string_lossy },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "audit", audit_tests },
};

CU_MAIN(SUITES)
