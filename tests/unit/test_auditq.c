/* `arandu-authz audit` over real temporary files, plain and gzip: every filter, the summary tables
 * (text and JSON), time parsing, lines that are not audit lines, and following a live log. */
#define _GNU_SOURCE   /* pipe2(2) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "authz/audit.h"
#include "authz/auditq.h"
#include "policy/decide.h"
#include "policy/decision.h"
#include "policy/gojson.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

static char tmpdir[64];

static void make_tmpdir(void)
{
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/arandu-auditq-XXXXXX");
        CU_ASSERT_FATAL(mkdtemp(tmpdir) != NULL);
}

static void remove_tmpdir(void)
{
        tu_rm_rf(tmpdir);
}

#define T0 "2024-05-01T"   /* every generated line is on this day, hour given per line */

/* One audit line as the plugin formats it. */
static char *line(const char *hour_min, const char *user, const char *image, const char *rule1,
                  const char *rule2, bool dry_run)
{
        struct request_info info = { .method = "POST", .uri = "/v1.41/containers/create",
                                     .route = "POST /containers/create" };
        struct decision d;
        char time[40], *s = NULL;
        size_t len = 0;

        snprintf(info.user, sizeof(info.user), "%s", user);
        snprintf(info.image, sizeof(info.image), "%s", image);
        snprintf(time, sizeof(time), T0 "%s:00.000001Z", hour_min);
        decision_init(&d);
        CU_ASSERT_FATAL(!rule1 || rule_from_id(rule1) >= 0);
        CU_ASSERT_FATAL(!rule2 || rule_from_id(rule2) >= 0);
        if (rule1)
                decision_add(&d, (enum rule) rule_from_id(rule1), "broken");
        if (rule2)
                decision_add(&d, (enum rule) rule_from_id(rule2), "broken too");
        decision_finish(&d);
        CU_ASSERT_FATAL(audit_format_line(&info, &d, dry_run, 3, time, &s, &len) == 0);
        return s;
}

/* The standard log: 8 lines over three hours. */
static void write_log(FILE *f)
{
        char *l[] = {
                line("10:00", "alice", "busybox", NULL, NULL, false),          /* allow */
                line("10:10", "alice", "python:3.12", "privileged", NULL, false),
                line("10:20", "bob", "busybox", "memory", "privileged", false),
                line("11:00", "", "busybox", NULL, NULL, false),               /* allow, no user */
                line("11:30", "bob", "ubuntu:22.04", "mounts", NULL, false),
                line("12:00", "carol", "busybox", "privileged", NULL, true),   /* dry-run */
                line("12:15", "alice", "", NULL, NULL, false),                 /* allow, not a create */
                line("12:59", "bob", "python:3.11", "memory", NULL, false),
        };
        for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
                (void) fputs(l[i], f);
                free(l[i]);
        }
}

static void make_plain(const char *path)
{
        FILE *f = fopen(path, "we");
        CU_ASSERT_FATAL(f != NULL);
        write_log(f);
        CU_ASSERT_FATAL(fclose(f) == 0);
}

static void make_gz(const char *path)
{
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        CU_ASSERT_FATAL(m != NULL);
        write_log(m);
        (void) fclose(m);
        gzFile g = gzopen(path, "wb");
        CU_ASSERT_FATAL(g != NULL);
        CU_ASSERT_FATAL(gzwrite(g, text, (unsigned) len) == (int) len);
        CU_ASSERT_FATAL(gzclose(g) == Z_OK);
        free(text);
}

static const struct auditq_filter ANY = { .since_us = INT64_MIN, .until_us = INT64_MAX };

/* Run a query over files; returns the stats, the printed output in *ret_out (if asked). */
static struct auditq_stats run(const struct auditq_filter *f, enum auditq_output form, const char *const *paths,
                               char **ret_out)
{
        struct auditq *q = NULL;
        struct auditq_stats st;
        char *out = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&out, &len);

        CU_ASSERT_FATAL(m != NULL);
        CU_ASSERT_FATAL(auditq_new(f, AUDITQ_HOUR, &q) == 0);
        for (size_t i = 0; paths[i]; i++)
                CU_ASSERT(auditq_read(q, paths[i], form, m) == 0);
        (void) fclose(m);
        auditq_get_stats(q, &st);
        auditq_free(q);
        if (ret_out)
                *ret_out = out;
        else
                free(out);
        return st;
}

static size_t count_lines(const char *s)
{
        size_t n = 0;
        for (; *s; s++)
                n += *s == '\n';
        return n;
}

static int64_t at(const char *s)
{
        int64_t t = 0;
        CU_ASSERT_FATAL(auditq_parse_time(s, 0, &t) == 0);
        return t;
}

/* ---- tests ------------------------------------------------------------------------------------ */

static void test_parse_time(void)
{
        int64_t t;
        const int64_t now = INT64_C(1714564800) * 1000000;   /* 2024-05-01T12:00:00Z */

        CU_ASSERT(auditq_parse_time("2024-05-01T12:00:00Z", 0, &t) == 0 && t == now);
        CU_ASSERT(auditq_parse_time("2024-05-01t12:00:00z", 0, &t) == 0 && t == now);
        CU_ASSERT(auditq_parse_time("2024-05-01 12:00:00", 0, &t) == 0 && t == now);
        CU_ASSERT(auditq_parse_time("2024-05-01T12:00Z", 0, &t) == 0 && t == now);
        CU_ASSERT(auditq_parse_time("2024-05-01T14:00:00+02:00", 0, &t) == 0 && t == now);
        CU_ASSERT(auditq_parse_time("2024-05-01T11:30:00-00:30", 0, &t) == 0 && t == now);
        CU_ASSERT(auditq_parse_time("2024-05-01T12:00:00.5Z", 0, &t) == 0 && t == now + 500000);
        CU_ASSERT(auditq_parse_time("2024-05-01T12:00:00.123456789Z", 0, &t) == 0 && t == now + 123456);
        CU_ASSERT(auditq_parse_time("2024-05-01", 0, &t) == 0 && t == now - INT64_C(12) * 3600 * 1000000);
        CU_ASSERT(auditq_parse_time("1970-01-01T00:00:00Z", 0, &t) == 0 && t == 0);
        CU_ASSERT(auditq_parse_time("2024-02-29", 0, &t) == 0);
        CU_ASSERT(auditq_parse_time("24h", now, &t) == 0 && t == now - INT64_C(86400) * 1000000);
        CU_ASSERT(auditq_parse_time("90s", now, &t) == 0 && t == now - INT64_C(90) * 1000000);
        CU_ASSERT(auditq_parse_time("30m", now, &t) == 0 && t == now - INT64_C(1800) * 1000000);
        CU_ASSERT(auditq_parse_time("7d", now, &t) == 0 && t == now - INT64_C(7) * 86400 * 1000000);
        CU_ASSERT(auditq_parse_time("2w", now, &t) == 0 && t == now - INT64_C(14) * 86400 * 1000000);

        static const char *const bad[] = {
                "", "h", "24", "24x", "-1h", "1.5h", "2023-02-29", "2024-13-01", "2024-04-31",
                "2024-05-01T24:00:00Z", "2024-05-01T12:60Z", "2024-05-01T12:00:00.Z",
                "2024-05-01T12:00:00+2:00", "2024-05-01T12:00:00Zjunk", "2024/05/01", "yesterday",
                "2024-05-01T12",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                if (auditq_parse_time(bad[i], now, &t) == 0)
                        (void) fprintf(stderr, "\naccepted %s\n", bad[i]);
                CU_ASSERT(auditq_parse_time(bad[i], now, &t) == -EINVAL);
        }
}

static void test_filters(void)
{
        char plain[128], gz[128];

        make_tmpdir();
        snprintf(plain, sizeof(plain), "%s/audit.log", tmpdir);
        snprintf(gz, sizeof(gz), "%s/audit.log.1.gz", tmpdir);
        make_plain(plain);
        make_gz(gz);
        const char *const one[] = { plain, NULL }, *const gzonly[] = { gz, NULL }, *const both[] = { gz, plain, NULL };

        struct auditq_stats st = run(&ANY, AUDITQ_NONE, one, NULL);
        CU_ASSERT(st.files == 1 && st.lines == 8 && st.matched == 8 && st.malformed == 0);
        CU_ASSERT(st.allow == 3 && st.deny == 5);
        CU_ASSERT(st.enforce == 7 && st.dry_run == 1 && st.warn == 0);

        /* the same from the gzip-compressed copy, and from both */
        st = run(&ANY, AUDITQ_NONE, gzonly, NULL);
        CU_ASSERT(st.lines == 8 && st.matched == 8 && st.deny == 5);
        st = run(&ANY, AUDITQ_NONE, both, NULL);
        CU_ASSERT(st.files == 2 && st.lines == 16 && st.matched == 16 && st.deny == 10);

        struct auditq_filter f = ANY;
        char *out;

        /* decision: the denials, printed as JSON lines that are the original lines */
        f.decision = "deny";
        st = run(&f, AUDITQ_JSON, one, &out);
        CU_ASSERT(st.matched == 5);
        CU_ASSERT(count_lines(out) == 5);
        CU_ASSERT(strstr(out, "\"decision\":\"allow\"") == NULL);
        json_t *o = json_loadb(out, strcspn(out, "\n"), 0, NULL);
        CU_ASSERT(json_is_object(o) && strcmp(json_string_value(json_object_get(o, "time")), T0 "10:10:00.000001Z") == 0);
        json_decref(o);
        free(out);

        /* since / until: [since, until) */
        f = ANY;
        f.since_us = at(T0 "11:00:00.000001Z");
        st = run(&f, AUDITQ_NONE, one, NULL);
        CU_ASSERT(st.matched == 5);
        f.until_us = at(T0 "12:15:00Z");
        st = run(&f, AUDITQ_NONE, one, NULL);
        CU_ASSERT(st.matched == 3);
        f.decision = "deny";   /* denials since 11:00 and before 12:15 */
        st = run(&f, AUDITQ_NONE, gzonly, NULL);
        CU_ASSERT(st.matched == 2);

        /* rule: exact and a pattern; a line naming two rules matches either */
        f = ANY;
        f.rule = "privileged";
        CU_ASSERT(run(&f, AUDITQ_NONE, one, NULL).matched == 3);
        f.rule = "mem*";
        CU_ASSERT(run(&f, AUDITQ_NONE, one, NULL).matched == 2);
        f.rule = "nope";
        CU_ASSERT(run(&f, AUDITQ_NONE, one, NULL).matched == 0);

        /* user, image */
        f = ANY;
        f.user = "bob";
        CU_ASSERT(run(&f, AUDITQ_NONE, one, NULL).matched == 3);
        f.user = "";   /* requests without a TLS user */
        CU_ASSERT(run(&f, AUDITQ_NONE, one, NULL).matched == 1);
        f = ANY;
        f.image = "python:*";
        CU_ASSERT(run(&f, AUDITQ_NONE, one, NULL).matched == 2);
        f.image = "busybox";
        f.decision = "allow";
        CU_ASSERT(run(&f, AUDITQ_NONE, one, NULL).matched == 2);

        /* mode */
        f = ANY;
        f.mode = "dry-run";
        CU_ASSERT(run(&f, AUDITQ_NONE, one, NULL).matched == 1);
        f.mode = "enforce";
        CU_ASSERT(run(&f, AUDITQ_NONE, one, NULL).matched == 7);

        /* the table: one row per line, with the columns */
        f = ANY;
        f.user = "carol";
        st = run(&f, AUDITQ_TABLE, one, &out);
        CU_ASSERT(st.matched == 1 && count_lines(out) == 1);
        CU_ASSERT(strstr(out, T0 "12:00:00.000001Z") == out);
        CU_ASSERT(strstr(out, " deny ") && strstr(out, " dry-run ") && strstr(out, " carol ") &&
                  strstr(out, "POST /containers/create") && strstr(out, " busybox ") && strstr(out, "privileged\n"));
        free(out);

        /* a missing file is an error, and the others are still read */
        char missing[160];
        snprintf(missing, sizeof(missing), "%s/nope.log", tmpdir);
        struct auditq *q = NULL;
        CU_ASSERT_FATAL(auditq_new(&ANY, AUDITQ_HOUR, &q) == 0);
        CU_ASSERT(auditq_read(q, missing, AUDITQ_NONE, NULL) == -ENOENT);
        CU_ASSERT(auditq_read(q, plain, AUDITQ_NONE, NULL) == 0);
        auditq_get_stats(q, &st);
        CU_ASSERT(st.matched == 8);
        auditq_free(q);
        remove_tmpdir();
}

static json_t *find(json_t *arr, const char *key, const char *value)
{
        size_t i;
        json_t *e;
        json_array_foreach(arr, i, e)
                if (strcmp(json_string_value(json_object_get(e, key)), value) == 0)
                        return e;
        return NULL;
}

static json_int_t num(json_t *o, const char *key)
{
        return json_integer_value(json_object_get(o, key));
}

static void test_summary(void)
{
        char plain[128], *out = NULL;
        size_t len = 0;
        struct auditq *q = NULL;

        make_tmpdir();
        snprintf(plain, sizeof(plain), "%s/audit.log", tmpdir);
        make_plain(plain);

        /* JSON */
        CU_ASSERT_FATAL(auditq_new(&ANY, AUDITQ_HOUR, &q) == 0);
        CU_ASSERT(auditq_read(q, plain, AUDITQ_NONE, NULL) == 0);
        FILE *m = open_memstream(&out, &len);
        CU_ASSERT(auditq_summary(q, true, 2, m) == 0);
        (void) fclose(m);
        json_t *o = json_loads(out, 0, NULL);
        CU_ASSERT_FATAL(json_is_object(o));
        CU_ASSERT(num(o, "lines") == 8 && num(o, "matched") == 8 && num(o, "allow") == 3 && num(o, "deny") == 5);
        CU_ASSERT(num(json_object_get(o, "modes"), "dry-run") == 1);

        /* top rules, cut at --top 2: privileged 3, memory 2 (mounts 1 left out) */
        json_t *rules = json_object_get(o, "rules");
        CU_ASSERT(json_array_size(rules) == 2);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(rules, 0), "rule")), "privileged");
        CU_ASSERT(num(json_array_get(rules, 0), "count") == 3);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(rules, 1), "rule")), "memory");
        CU_ASSERT(num(json_array_get(rules, 1), "count") == 2);

        /* top images: busybox 4 (2 allow, 2 deny), then python:3.12 / python:3.11 / ubuntu at 1 */
        json_t *images = json_object_get(o, "images"), *e;
        CU_ASSERT(json_array_size(images) == 2);
        e = json_array_get(images, 0);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "image")), "busybox");
        CU_ASSERT(num(e, "count") == 4 && num(e, "allow") == 2 && num(e, "deny") == 2);

        /* top users: alice 3, bob 3 (ties by name) */
        json_t *users = json_object_get(o, "users");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(users, 0), "user")), "alice");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(users, 1), "user")), "bob");
        CU_ASSERT(num(json_array_get(users, 0), "allow") == 2 && num(json_array_get(users, 1), "deny") == 3);

        /* per hour, in time order, never cut by --top */
        json_t *over = json_object_get(o, "over_time");
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "bucket")), "hour");
        CU_ASSERT_FATAL(json_array_size(over) == 3);
        e = find(over, "start", T0 "10:00Z");
        CU_ASSERT(e && num(e, "allow") == 1 && num(e, "deny") == 2);
        e = find(over, "start", T0 "11:00Z");
        CU_ASSERT(e && num(e, "allow") == 1 && num(e, "deny") == 1);
        e = find(over, "start", T0 "12:00Z");
        CU_ASSERT(e && num(e, "allow") == 1 && num(e, "deny") == 2);
        CU_ASSERT(json_array_get(over, 0) == find(over, "start", T0 "10:00Z"));
        json_decref(o);
        free(out);

        /* text */
        out = NULL;
        m = open_memstream(&out, &len);
        CU_ASSERT(auditq_summary(q, false, 10, m) == 0);
        (void) fclose(m);
        CU_ASSERT(strstr(out, "8 lines in 1 files, 8 matched") != NULL);
        CU_ASSERT(strstr(out, "3 allow, 5 deny") != NULL);
        CU_ASSERT(strstr(out, "top rules") && strstr(out, "top images") && strstr(out, "top users") &&
                  strstr(out, "per hour"));
        CU_ASSERT(strstr(out, "(none)") != NULL);   /* the line without a user */
        free(out);
        auditq_free(q);

        /* per day, with a filter: only the matched lines are counted */
        struct auditq_filter f = ANY;
        f.decision = "deny";
        CU_ASSERT_FATAL(auditq_new(&f, AUDITQ_DAY, &q) == 0);
        CU_ASSERT(auditq_read(q, plain, AUDITQ_NONE, NULL) == 0);
        out = NULL;
        m = open_memstream(&out, &len);
        CU_ASSERT(auditq_summary(q, true, 10, m) == 0);
        (void) fclose(m);
        o = json_loads(out, 0, NULL);
        over = json_object_get(o, "over_time");
        CU_ASSERT(json_array_size(over) == 1);
        e = json_array_get(over, 0);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "start")), "2024-05-01");
        CU_ASSERT(num(e, "deny") == 5 && num(e, "allow") == 0);
        CU_ASSERT(num(o, "matched") == 5);
        json_decref(o);
        free(out);
        auditq_free(q);
        remove_tmpdir();
}

/* Lines the fast scanner hands to jansson, lines that are not audit lines, a truncated .gz. */
static void test_odd_lines(void)
{
        char path[128], gz[128];

        make_tmpdir();
        snprintf(path, sizeof(path), "%s/odd.log", tmpdir);
        FILE *f = fopen(path, "we");
        CU_ASSERT_FATAL(f != NULL);
        /* \u escapes (jansson's path) and a control character in a user name */
        (void) fputs("{\"time\":\"2024-05-01T10:00:00.000000Z\",\"decision\":\"deny\",\"mode\":\"enforce\","
              "\"rules\":[\"user\"],\"user\":\"jos\\u00e9\\u001b[31m\",\"image\":\"busybox\",\"reasons\":[]}\n", f);
        /* keys in another order, whitespace, an old line with dry_run instead of mode */
        (void) fputs(" { \"decision\" : \"deny\", \"rules\" : [ \"cpu\" , \"memory\" ], \"dry_run\" : true,"
              " \"time\" : \"2024-05-01T10:05:00Z\" }\n", f);
        /* not audit lines: garbage, a cut line (a full disk), a wrong decision, no time */
        (void) fputs("garbage\n", f);
        (void) fputs("{\"time\":\"2024-05-01T10:06:00.000000Z\",\"decision\":\"de\n", f);
        (void) fputs("{\"time\":\"2024-05-01T10:07:00.000000Z\",\"decision\":\"maybe\",\"rules\":[]}\n", f);
        (void) fputs("{\"decision\":\"allow\",\"rules\":[]}\n", f);
        (void) fputs("\n", f);   /* empty lines are skipped, not counted */
        /* the last line without a newline still counts */
        (void) fputs("{\"time\":\"2024-05-01T10:08:00.000000Z\",\"decision\":\"allow\",\"rules\":[]}", f);
        CU_ASSERT_FATAL(fclose(f) == 0);

        const char *const paths[] = { path, NULL };
        char *out;
        struct auditq_stats st = run(&ANY, AUDITQ_TABLE, paths, &out);
        CU_ASSERT(st.lines == 7);
        CU_ASSERT(st.malformed == 4);
        CU_ASSERT(st.matched == 3);
        CU_ASSERT(st.dry_run == 1);
        /* the user is decoded, and the escape byte printed escaped, never raw */
        CU_ASSERT(strstr(out, "jos\xc3\xa9\\x1b[31m") != NULL);
        CU_ASSERT(strchr(out, '\x1b') == NULL);
        CU_ASSERT(strstr(out, "cpu,memory") != NULL);
        free(out);

        struct auditq_filter fl = ANY;
        fl.user = "jos\xc3\xa9*";
        CU_ASSERT(run(&fl, AUDITQ_NONE, paths, NULL).matched == 1);
        fl = ANY;
        fl.mode = "dry-run";
        fl.rule = "memory";
        CU_ASSERT(run(&fl, AUDITQ_NONE, paths, NULL).matched == 1);

        /* a .gz cut in the middle: the lines before the cut count, and the file is reported */
        snprintf(gz, sizeof(gz), "%s/cut.log.gz", tmpdir);
        make_gz(gz);
        struct stat gst;
        CU_ASSERT_FATAL(stat(gz, &gst) == 0 && gst.st_size > 12);
        CU_ASSERT_FATAL(truncate(gz, gst.st_size - 12) == 0);   /* the trailer and the last bytes */
        struct auditq *q = NULL;
        CU_ASSERT_FATAL(auditq_new(&ANY, AUDITQ_HOUR, &q) == 0);
        CU_ASSERT(auditq_read(q, gz, AUDITQ_NONE, NULL) == -EBADMSG);
        auditq_get_stats(q, &st);
        CU_ASSERT(st.matched >= 1);
        auditq_free(q);
        remove_tmpdir();
}

/* Names from clients that would act on a terminal: each comes out escaped in the table and the
 * summary, never raw; the audit line that carried it stays one JSON line holding the exact name. */
static void test_hostile_names(void)
{
        static const struct {
                const char *name, *shown;
        } cases[] = {
                { "a\x1b[2Jb", "a\\x1b[2Jb" },                  /* C0: ESC */
                { "a\nb\rc", "a\\x0ab\\x0dc" },                 /* a new row, a carriage return */
                { "a\x7f" "b", "a\\x7fb" },                     /* DEL */
                { "a\xc2\x9b" "31mb", "a\\u009b31mb" },         /* C1 CSI */
                { "a\xc2\x85" "b", "a\\u0085b" },               /* C1 NEL */
                { "a\xe2\x80\xae" "gpj.exe", "a\\u202egpj.exe" },   /* RIGHT-TO-LEFT OVERRIDE */
                { "a\xe2\x81\xa6" "b\xe2\x81\xa9", "a\\u2066b\\u2069" },   /* LRI ... PDI */
                { "a\xe2\x80\x8f" "b\xd8\x9c", "a\\u200fb\\u061c" },      /* RLM, ALM */
                { "a\xe2\x80\xa8" "b\xe2\x80\xa9", "a\\u2028b\\u2029" },  /* LINE/PARAGRAPH SEP. */
                { "a\\x1b", "a\\\\x1b" },                       /* a forged escape */
                { "b\xe2\x80\x8b" "b", "b\\u200bb" },              /* ZERO WIDTH SPACE */
                { "b\xef\xbb\xbf" "b\xc2\xad", "b\\ufeffb\\u00ad" },   /* BOM, SOFT HYPHEN */
                { "t\xf3\xa0\x81\x81", "t\\U000e0041" },           /* TAG LATIN CAPITAL A */
                { "bb\xcc\x81", "bb\\u0301" },                     /* a combining acute accent */
                { "b\xe2\x83\x9d" "b", "b\\u20ddb" },              /* COMBINING ENCLOSING CIRCLE */
                { "jos\xc3\xa9-\xe6\x97\xa5", "jos\xc3\xa9-\xe6\x97\xa5" },   /* ordinary UTF-8 */
        };
        const size_t n = sizeof(cases) / sizeof(cases[0]);
        char path[128], *out = NULL;
        size_t len = 0;

        make_tmpdir();
        snprintf(path, sizeof(path), "%s/hostile.log", tmpdir);
        FILE *f = fopen(path, "we");
        CU_ASSERT_FATAL(f != NULL);
        for (size_t i = 0; i < n; i++) {
                char *l = line("10:00", cases[i].name, cases[i].name, "user", NULL, false);
                /* one line, and it reads back as the very name */
                CU_ASSERT(count_lines(l) == 1 && l[strlen(l) - 1] == '\n');
                json_t *o = json_loads(l, 0, NULL);
                CU_ASSERT_FATAL(o != NULL);
                CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "user")), cases[i].name);
                json_decref(o);
                (void) fputs(l, f);
                free(l);
        }
        /* bytes that are not UTF-8 never come from the plugin (it writes U+FFFD); from elsewhere
         * they are shown escaped */
        (void) fputs("{\"time\":\"2024-05-01T10:00:00Z\",\"decision\":\"deny\",\"rules\":[],\"user\":\"x\x9b" "y\"}\n", f);
        CU_ASSERT_FATAL(fclose(f) == 0);

        const char *const paths[] = { path, NULL };
        struct auditq_stats st = run(&ANY, AUDITQ_TABLE, paths, &out);
        CU_ASSERT(st.matched == n + 1 && st.malformed == 0);
        CU_ASSERT(strstr(out, "x\\x9by") != NULL);
        CU_ASSERT(count_lines(out) == st.matched);   /* one row each */
        for (size_t i = 0; i < n; i++)
                CU_ASSERT(strstr(out, cases[i].shown) != NULL);
        /* the width counts terminal columns: "josé-日" is 7 of the user column's 12 (日 takes two) */
        CU_ASSERT(strstr(out, "jos\xc3\xa9-\xe6\x97\xa5" "      POST /containers/create") != NULL);
        CU_ASSERT(strchr(out, '\x1b') == NULL && strchr(out, '\r') == NULL && strchr(out, '\x7f') == NULL);
        CU_ASSERT(strstr(out, "\xc2\x9b") == NULL && strstr(out, "\xc2\x85") == NULL);
        CU_ASSERT(strstr(out, "\xe2\x80\xae") == NULL && strstr(out, "\xe2\x80\xa8") == NULL);
        CU_ASSERT(strstr(out, "\xe2\x81\xa6") == NULL && strstr(out, "\x9b") == NULL);
        free(out);

        /* the summary's top-images table */
        struct auditq *q = NULL;
        CU_ASSERT_FATAL(auditq_new(&ANY, AUDITQ_HOUR, &q) == 0);
        CU_ASSERT(auditq_read(q, path, AUDITQ_NONE, NULL) == 0);
        FILE *m = open_memstream(&out, &len);
        CU_ASSERT_FATAL(m != NULL);
        CU_ASSERT(auditq_summary(q, false, 100, m) == 0);
        (void) fclose(m);
        CU_ASSERT(strstr(out, "a\\u202egpj.exe") != NULL);
        CU_ASSERT(strstr(out, "\xe2\x80\xae") == NULL && strchr(out, '\x1b') == NULL);
        free(out);
        auditq_free(q);
        remove_tmpdir();
}

/* Bytes that are not UTF-8 are read wherever they sit in a string (with \u escapes around them,
 * or deep inside), and shown escaped; a line that is not JSON for another reason stays malformed.
 * No line's values outlive it (the arena stays in use). */
static void test_foreign_bytes(void)
{
        char path[128], *out = NULL;

        make_tmpdir();
        snprintf(path, sizeof(path), "%s/foreign.log", tmpdir);
        FILE *f = fopen(path, "we");
        CU_ASSERT_FATAL(f != NULL);
        (void) fputs("{\"time\":\"2024-05-01T10:00:00Z\",\"decision\":\"deny\",\"rules\":[\"r\x80s\",\"ok\"],"
              "\"user\":\"jos\\u00e9\x9b\",\"x\":[[{\"y\":\"\xff\"}]]}\n", f);
        /* not JSON: a \u0000 of its own, a byte outside a string, one after a backslash */
        (void) fputs("{\"time\":\"2024-05-01T10:01:00Z\",\"decision\":\"deny\",\"user\":\"a\x9b\",\"z\":\"\\u0000\"}\n", f);
        (void) fputs("{\"time\":\"2024-05-01T10:02:00Z\",\"decision\":\"deny\",\"user\":\"a\",\"z\":\x9b}\n", f);
        (void) fputs("{\"time\":\"2024-05-01T10:03:00Z\",\"decision\":\"deny\",\"user\":\"\\\x9b\"}\n", f);
        CU_ASSERT_FATAL(fclose(f) == 0);

        const char *const paths[] = { path, NULL };
        struct auditq_stats st = run(&ANY, AUDITQ_TABLE, paths, &out);
        CU_ASSERT(st.lines == 4 && st.matched == 1 && st.malformed == 3);
        CU_ASSERT(strstr(out, "jos\xc3\xa9\\x9b ") != NULL);
        CU_ASSERT(strstr(out, "r\\x80s,ok\n") != NULL);
        CU_ASSERT(strstr(out, "\x9b") == NULL && strstr(out, "\x80") == NULL);
        free(out);

        struct auditq_filter fl = ANY;
        fl.rule = "r\x80s";
        CU_ASSERT(run(&fl, AUDITQ_NONE, paths, NULL).matched == 1);
        CU_ASSERT(gojson_arena_usable());
        remove_tmpdir();
}

/* Read from `fd` until `want` newlines arrived in total (*buf accumulates) or 5 s passed. */
static size_t read_rows(int fd, char *buf, size_t cap, size_t *have, size_t want)
{
        for (int i = 0; i < 500 && count_lines(buf) < want; i++) {
                ssize_t n = read(fd, buf + *have, cap - 1 - *have);
                if (n > 0) {
                        *have += (size_t) n;
                        buf[*have] = '\0';
                } else
                        (void) usleep(10 * 1000);
        }
        return count_lines(buf);
}

static void append(const char *path, const char *hour_min, const char *image)
{
        FILE *f = fopen(path, "ae");
        char *l = line(hour_min, "alice", image, "privileged", NULL, false);
        CU_ASSERT_FATAL(f != NULL);
        (void) fputs(l, f);
        free(l);
        CU_ASSERT_FATAL(fclose(f) == 0);
}

/* --follow: the lines there, then those appended; a rotated log is read to its end and the new
 * one followed; a truncated one read again; the filter applies throughout. */
static void test_follow(void)
{
        char path[128], rotated[160], buf[8192] = "";
        size_t have = 0;
        int p[2];

        make_tmpdir();
        snprintf(path, sizeof(path), "%s/audit.log", tmpdir);
        snprintf(rotated, sizeof(rotated), "%s.1", path);
        make_plain(path);
        CU_ASSERT_FATAL(pipe2(p, O_CLOEXEC) == 0);
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0) {
                struct auditq_filter f = ANY;
                struct auditq *q = NULL;
                f.decision = "deny";
                (void) signal(SIGPIPE, SIG_IGN);
                close(p[0]);
                FILE *out = fdopen(p[1], "w");
                if (!out || auditq_new(&f, AUDITQ_HOUR, &q) < 0)
                        _exit(3);
                _exit(auditq_follow(q, path, AUDITQ_TABLE, out) == -EIO ? 4 : 5);
        }
        close(p[1]);
        (void) fcntl(p[0], F_SETFL, O_NONBLOCK);

        CU_ASSERT(read_rows(p[0], buf, sizeof(buf), &have, 5) == 5);   /* the log's five denies */
        append(path, "13:00", "appended");
        CU_ASSERT(read_rows(p[0], buf, sizeof(buf), &have, 6) == 6);
        CU_ASSERT(strstr(buf, "appended") != NULL);

        /* logrotate: the log renamed, a line still written to it, a new log at the path */
        CU_ASSERT_FATAL(rename(path, rotated) == 0);
        append(rotated, "13:01", "late-in-old");
        append(path, "13:02", "in-new");
        CU_ASSERT(read_rows(p[0], buf, sizeof(buf), &have, 8) == 8);
        char *late = strstr(buf, "late-in-old"), *fresh = strstr(buf, "in-new");
        CU_ASSERT(late != NULL && fresh != NULL && late < fresh);

        /* copytruncate: emptied in place, then written again */
        CU_ASSERT_FATAL(truncate(path, 0) == 0);
        (void) usleep(300 * 1000);   /* the follower sees the shrink at its next look (0.1 s) */
        append(path, "13:03", "after-truncate");
        CU_ASSERT(read_rows(p[0], buf, sizeof(buf), &have, 9) == 9);
        CU_ASSERT(strstr(buf, "after-truncate") != NULL);
        CU_ASSERT(strstr(buf, "allow") == NULL);

        /* the reader gone: the follower stops with -EIO */
        close(p[0]);
        append(path, "13:04", "nobody-reads");
        int status = 0;
        for (int i = 0; i < 300 && waitpid(pid, &status, WNOHANG) == 0; i++)
                (void) usleep(10 * 1000);
        if (waitpid(pid, &status, WNOHANG) == 0) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, &status, 0);
        }
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 4);
        remove_tmpdir();
}

static const struct cu_test TESTS[] = {
        { "time parsing", test_parse_time },
        { "filters over plain and gzip files", test_filters },
        { "summary, text and JSON", test_summary },
        { "odd lines, truncated gzip", test_odd_lines },
        { "names that would act on a terminal", test_hostile_names },
        { "bytes that are not UTF-8, lines that are not JSON", test_foreign_bytes },
        { "following a log through rotation and truncation", test_follow },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = { { "auditq", TESTS } };

CU_MAIN(SUITES)
