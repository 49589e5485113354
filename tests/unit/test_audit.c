/* The audit log: real files and pipes.  Lines are valid JSON with the documented fields; a full
 * queue drops and counts instead of blocking; reopen after rename writes to the new file; write
 * errors are counted and reported once, not per line.
 *
 * The line itself is written by hand (authz/audit.c) and must give the same bytes as the jansson
 * formatter it replaced (tests/fuzz/audit_diff.h): over hand-written cases and over pseudo-random
 * ones (ARANDU_AUDIT_SEED, ARANDU_AUDIT_CASES); tests/fuzz/fuzz_audit.c fuzzes the same comparison. */
#include "tests/fuzz/audit_diff.h"

/* ---- the tests -------------------------------------------------------------------------------- */


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
        decision_add(d, RULE_NETWORK, "HostConfig.NetworkMode is \"host\"; set --network none");
        decision_add(d, RULE_PRIVILEGED, "HostConfig.Privileged is true; remove --privileged");
        decision_add(d, RULE_NETWORK, "NetworkingConfig.EndpointsConfig names \"host\"");
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

/* ---- the line, byte for byte against the reference -------------------------------------------- */

static size_t differential_failures;

/* s as C source (bytes outside printable ASCII as \xNN), for failure reports. */
static void print_escaped(const char *label, const char *s)
{
        fprintf(stderr, "    %s: ", label);
        if (!s) {
                fprintf(stderr, "(none)\n");
                return;
        }
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p >= 0x20 && *p < 0x7f)
                        fputc(*p, stderr);
                else
                        fprintf(stderr, "\\x%02x", *p);
        }
        fputc('\n', stderr);
}

/* The differential for one case; the first few failures are shown. */
static void check_case(const struct audit_case *c, const char *name, size_t index)
{
        char *line = NULL, *ref = NULL;
        const char *why = audit_differential(c, &line, &ref);
        if (why && differential_failures++ < 5) {
                size_t at = 0;
                while (line && ref && line[at] && line[at] == ref[at])
                        at++;
                fprintf(stderr, "\n  %s %zu: %s (from byte %zu)\n", name, index, why, at);
                print_escaped("line     ", line);
                print_escaped("reference", ref);
        }
        CU_ASSERT_PTR_NULL(why);
        free(line);
        free(ref);
}

static void set(char *field, size_t size, const char *value)
{
        snprintf(field, size, "%s", value);
}

#define SET(field, value) set((field), sizeof(field), (value))

/* A field filled to its last byte with one pattern (cut where the size ends). */
static void fill_max(char *field, size_t size, const char *pattern)
{
        size_t n = strlen(pattern), len = 0;
        while (len < size - 1) {
                size_t k = n < size - 1 - len ? n : size - 1 - len;
                memcpy(field + len, pattern, k);
                len += k;
        }
        field[len] = '\0';
}

#define FILL_MAX(field, pattern) fill_max((field), sizeof(field), (pattern))

/* A realistic denied create, every field set. */
static void base_case(struct audit_case *c)
{
        memset(c, 0, sizeof(*c));
        SET(c->info.method, "POST");
        SET(c->info.uri, "/v1.41/containers/create?name=job-7");
        SET(c->info.route, "POST /containers/create");
        SET(c->info.user, "alice");
        SET(c->info.authn, "TLS");
        SET(c->info.container_name, "job-7");
        SET(c->info.image, "busybox");
        SET(c->info.body_sha256, "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592");
        SET(c->info.policy_sha256, "2c26b46b68ffc68ff99b453c1d3041342c26b46b68ffc68ff99b453c1d304134");
        decision_init(&c->d);
        decision_add(&c->d, RULE_NETWORK, "HostConfig.NetworkMode is \"host\"; set --network none");
        decision_add(&c->d, RULE_PRIVILEGED, "HostConfig.Privileged is true; remove --privileged");
        decision_add(&c->d, RULE_NETWORK, "NetworkingConfig.EndpointsConfig names \"host\"");
        decision_finish(&c->d);
        c->latency_us = 41.6;
        SET(c->time, "2024-05-01T12:00:00.123456Z");
}

/* What escaping and UTF-8 repair must get right, one string per case. */
static const char *const hostile[] = {
        "", "plain", "quote\" backslash\\ slash/ del\x7f",
        "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
        "\x19\x1a\x1b\x1c\x1d\x1e\x1f",
        "/x\n{\"decision\":\"allow\"}\r\xc3", "bad\xff\xfe\xed\xa0\x80 image",
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd \xef\xbb\xbf \xf4\x8f\xbf\xbf \xed\x9f\xbf \xee\x80\x80",
        "\xc0\xaf/\xed\xa0\x80/\xf4\x90\x80\x80/\xe2\x82", "\xc1\xbf\xe0\x80\xaf\xe0\x9f\xbf\xf0\x80\x80\xaf\xf0\x8f\xbf\xbf",
        "\xf5\x80\x80\x80\xf8\x88\x80\x80\x80\xfc\x84\x80\x80\x80\x80", "\x80\xbf\x80", "\xc3", "\xe2\x82", "\xf0\x9f\x98",
        "\xe2" "a\xf0\x9f\"\xc3\\", "\\u0000 \\\" \\\\", "\xed\xbf\xbf\xed\xb0\x80", "\xef\xbf\xbf\xef\xbf\xbe",
};

static void test_format_hostile_strings(void)
{
        static struct audit_case c;
        size_t k = 0;

        for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
                base_case(&c);
                SET(c.info.method, hostile[i]);
                SET(c.info.uri, hostile[i]);
                SET(c.info.route, hostile[i]);
                SET(c.info.user, hostile[i]);
                SET(c.info.authn, hostile[i]);
                SET(c.info.container_name, hostile[i]);
                SET(c.info.image, hostile[i]);
                SET(c.info.body_sha256, hostile[i]);
                SET(c.info.policy_sha256, hostile[i]);
                SET(c.d.v[0].text, hostile[i]);
                SET(c.rules[1], hostile[i]);
                c.d.v[1].rule = c.rules[1];
                check_case(&c, "hostile string", k++);
        }
        /* Every byte alone, and after a lead byte (which it may or may not continue). */
        for (unsigned b = 1; b < 256; b++) {
                char one[2] = { (char) b, '\0' }, two[3] = { '\xe2', (char) b, '\0' };
                base_case(&c);
                SET(c.info.uri, one);
                SET(c.info.image, two);
                SET(c.d.v[2].text, one);
                check_case(&c, "byte", k++);
                SET(c.time, one);   /* the time is checked, not repaired: invalid bytes fail both */
                check_case(&c, "byte in the time", k++);
        }
}

static void test_format_max_lengths(void)
{
        static const char *const patterns[] = { "a", "\x01", "\"", "\xff", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "ab\xc3\xa9" };
        static struct audit_case c;
        size_t k = 0;

        for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
                base_case(&c);
                FILL_MAX(c.info.method, patterns[i]);
                FILL_MAX(c.info.uri, patterns[i]);
                FILL_MAX(c.info.route, patterns[i]);
                FILL_MAX(c.info.user, patterns[i]);
                FILL_MAX(c.info.authn, patterns[i]);
                FILL_MAX(c.info.container_name, patterns[i]);
                FILL_MAX(c.info.image, patterns[i]);
                FILL_MAX(c.info.body_sha256, patterns[i]);
                FILL_MAX(c.info.policy_sha256, patterns[i]);
                /* as many violations as fit, each text as long as it can be */
                c.d.n = DECISION_MAX_VIOLATIONS;
                c.d.truncated = true;
                for (size_t v = 0; v < DECISION_MAX_VIOLATIONS; v++) {
                        c.d.v[v].rule = rule_pool[v % (sizeof(rule_pool) / sizeof(rule_pool[0]))];
                        FILL_MAX(c.d.v[v].text, patterns[i]);
                }
                check_case(&c, "longest strings", k++);
                /* the longest time the formatters take (63 bytes), and longer ones cut there */
                FILL_MAX(c.time, patterns[i]);
                check_case(&c, "longest strings and time", k++);
        }
}

static void test_format_violations(void)
{
        static struct audit_case c;
        size_t k = 0;

        /* None, one, as many as fit, and a count beyond what fits (only 48 are read). */
        static const size_t counts[] = { 0, 1, 2, DECISION_MAX_VIOLATIONS - 1, DECISION_MAX_VIOLATIONS,
                                         DECISION_MAX_VIOLATIONS + 1, 1000 };
        for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
                for (int truncated = 0; truncated <= 1; truncated++) {
                        base_case(&c);
                        c.d.allow = false;
                        c.d.n = counts[i];
                        c.d.truncated = truncated;
                        for (size_t v = 0; v < DECISION_MAX_VIOLATIONS; v++) {
                                c.d.v[v].rule = rule_pool[(v * 7) % (sizeof(rule_pool) / sizeof(rule_pool[0]))];
                                snprintf(c.d.v[v].text, sizeof(c.d.v[v].text), "%s: violation %zu", c.d.v[v].rule, v);
                        }
                        check_case(&c, "violations", k++);
                }

        /* Duplicate ids (the same pointer, the same text at another address), no id, odd ids. */
        base_case(&c);
        static const char *const rules[] = { "network", "network", NULL, rule_network_too, "privileged", NULL,
                                             "", "", "we\"ird\n\xff", "we\"ird\n\xff", "privileged", "network" };
        c.d.n = sizeof(rules) / sizeof(rules[0]);
        for (size_t v = 0; v < c.d.n; v++) {
                c.d.v[v].rule = rules[v];
                snprintf(c.d.v[v].text, sizeof(c.d.v[v].text), "reason %zu", v);
        }
        check_case(&c, "duplicate rule ids", k++);

        /* Rule ids that are not in v[] anymore do not count: v[48..] is never read. */
        base_case(&c);
        c.d.n = DECISION_MAX_VIOLATIONS + 5;
        c.d.truncated = true;
        for (size_t v = 0; v < DECISION_MAX_VIOLATIONS; v++)
                c.d.v[v].rule = v % 2 ? "memory" : NULL;
        check_case(&c, "rule ids, every other one missing", k++);
}

static void test_format_modes_and_latency(void)
{
        static struct audit_case c;
        size_t k = 0;

        /* dry-run / warn / enforce from every combination of the flags, with and without violations */
        for (unsigned m = 0; m < 64; m++) {
                base_case(&c);
                c.dry_run = m & 1;
                c.d.allow = m & 2;
                c.d.complete = m & 4;
                c.d.warned = m & 8;
                c.d.truncated = m & 16;
                if (m & 32)
                        c.d.n = 0;
                c.info_null = m == 63;
                check_case(&c, "mode", k++);
        }
        for (size_t i = 0; i < sizeof(latency_specials) / sizeof(latency_specials[0]); i++) {
                base_case(&c);
                c.latency_us = latency_specials[i];
                check_case(&c, "latency", k++);
        }
        static const double more[] = { 0.1, 0.499999, 0.500001, 3.5, 4.5, 123456.789, 1e14 + 0.5, 99999999999999.5,
                                       -1e-300, -INFINITY, 1e15 - 0.5, 1e15 + 0.4, 1e16, DBL_MAX };
        for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
                base_case(&c);
                c.latency_us = more[i];
                check_case(&c, "latency", k++);
        }
        double p = 1.0 / 1048576;
        for (int e = -20; e <= 60; e++) {   /* powers of two plus a half, in range and beyond */
                base_case(&c);
                c.latency_us = p + 0.5;
                p *= 2;
                check_case(&c, "latency 2^e", k++);
        }
}

static void test_format_empty_and_time(void)
{
        static struct audit_case c;
        size_t k = 0;

        /* No request info at all, and an all-empty one: method, route and uri still there, empty. */
        memset(&c, 0, sizeof(c));
        decision_init(&c.d);
        SET(c.time, "2024-05-01T12:00:00.123456Z");
        c.info_null = true;
        check_case(&c, "no info", k++);
        c.info_null = false;
        check_case(&c, "empty info", k++);
        decision_finish(&c.d);
        check_case(&c, "empty info, allowed", k++);

        /* Times: empty, odd bytes, at and over the 63 bytes kept, cut in a character at byte 63. */
        static const char *const times[] = {
                "", "x", "\"\\/\x01\x1f\x7f", "caf\xc3\xa9", "\xff", "\xc3",
                "123456789012345678901234567890123456789012345678901234567890123",
                "1234567890123456789012345678901234567890123456789012345678901234",
                "12345678901234567890123456789012345678901234567890123456789012\xc3\xa9",
                "1234567890123456789012345678901234567890123456789012345678901\xe2\x82\xac",
                "123456789012345678901234567890123456789012345678901234567890123\xc3\xa9",
        };
        for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
                base_case(&c);
                SET(c.time, times[i]);
                check_case(&c, "time", k++);
        }
}

/* Many thousands of pseudo-random cases: random bytes, tokens and lengths in every string, random
 * counts of violations, modes, latencies and times.  ARANDU_AUDIT_SEED and ARANDU_AUDIT_CASES
 * change the seed and the count. */
static void test_format_random(void)
{
        static struct audit_case c;
        const char *seed_env = getenv("ARANDU_AUDIT_SEED"), *cases_env = getenv("ARANDU_AUDIT_CASES");
        uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : 0x61756469745f6cULL;
        size_t cases = cases_env ? strtoul(cases_env, NULL, 10) : 20000;
#ifdef RUNNING_ON_VALGRIND
        if (!cases_env && RUNNING_ON_VALGRIND)
                cases = 2000;   /* 50 times slower there; memcheck needs the variety, not the count */
#endif
        struct byte_src src = { .data = NULL, .state = seed };
        size_t failed_before = differential_failures, lossy_mismatch = 0;

        for (size_t i = 0; i < cases; i++) {
                build_case(&src, &c);
                check_case(&c, "random case", i);
                /* audit_json_string() (the server's error messages use it) keeps its behaviour */
                json_t *a = audit_json_string(c.info.uri), *b = ref_json_string(c.info.uri);
                lossy_mismatch += !a || !b || !json_equal(a, b);
                json_decref(a);
                json_decref(b);
        }
        CU_ASSERT_EQUAL(lossy_mismatch, 0);
        printf("\n    %zu random cases (seed 0x%llx): %zu differ", cases, (unsigned long long) seed,
               differential_failures - failed_before);
}

/* Without a time argument the line has the time of the call, as RFC 3339 with microseconds. */
static void test_format_time_now(void)
{
        static struct audit_case c;
        char before[64], after[64], *line = NULL;
        size_t len = 0;

        base_case(&c);
        CU_ASSERT_FATAL(ref_format_time(before, sizeof(before)) == 0);
        CU_ASSERT_FATAL(audit_format_line(&c.info, &c.d, false, 1, NULL, &line, &len) == 0);
        CU_ASSERT_FATAL(ref_format_time(after, sizeof(after)) == 0);
        CU_ASSERT_FATAL(strncmp(line, "{\"time\":\"", 9) == 0);
        const char *t = line + 9, *end = strchr(t, '"');
        CU_ASSERT_FATAL(end != NULL && end - t == 27);
        char now[28];
        memcpy(now, t, 27);
        now[27] = '\0';
        /* fixed width: ordered as strings */
        CU_ASSERT(strcmp(before, now) <= 0 && strcmp(now, after) <= 0);
        if (!(strcmp(before, now) <= 0 && strcmp(now, after) <= 0))
                fprintf(stderr, "\n  time %s not between %s and %s\n", now, before, after);
        free(line);
}

static void test_format_errors(void)
{
        static struct audit_case c;
        char *line = NULL;
        size_t len = 0;

        base_case(&c);
        CU_ASSERT(audit_format_line(&c.info, NULL, false, 1, NULL, &line, &len) == -EINVAL);
        CU_ASSERT(audit_format_line(&c.info, &c.d, false, 1, NULL, NULL, &len) == -EINVAL);
        CU_ASSERT(audit_format_line(&c.info, &c.d, false, 1, NULL, &line, NULL) == -EINVAL);
        CU_ASSERT(audit_format_line(&c.info, &c.d, false, 1, "\xff", &line, &len) == -EINVAL);
        CU_ASSERT(line == NULL && len == 0);
}


static const struct cu_test audit_tests[] = {
        { "lines are JSON with the fields", test_lines_are_json_with_fields },
        { "hostile strings stay one JSON line", test_hostile_strings_stay_one_json_line },
        { "a full queue drops and counts", test_full_queue_drops_and_counts },
        { "reopen after rename", test_reopen_after_rename },
        { "write errors counted, reported once", test_write_errors_are_counted_and_rate_limited },
        { "open errors", test_open_errors },
        { "lossy JSON strings", test_json_string_lossy },
        { "line: hostile strings, every byte", test_format_hostile_strings },
        { "line: strings at their longest", test_format_max_lengths },
        { "line: violations, duplicate rule ids", test_format_violations },
        { "line: modes and latencies", test_format_modes_and_latency },
        { "line: empty info, times", test_format_empty_and_time },
        { "line: random cases", test_format_random },
        { "line: the time of the call", test_format_time_now },
        { "line: errors", test_format_errors },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "audit", audit_tests },
};

CU_MAIN(SUITES)
