/* daemon.json edited as text (policy/daemonjson.h): the plugin added and removed, every other byte
 * kept; files dockerd would read differently refused. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "policy/daemonjson.h"
#include "tests/unit/cutest.h"

#define P "arandu-authz"

/* enable (or disable) `in` and expect `out` (NULL: unchanged, return 0). */
static void expect_edit(bool enable, const char *in, const char *out)
{
        struct daemonjson_error err = { "" };
        char *got = NULL;
        size_t len = 0;
        int r = enable ? daemonjson_enable(in, strlen(in), P, &got, &len, &err)
                       : daemonjson_disable(in, strlen(in), P, &got, &len, &err);

        if (!out) {
                if (r != 0)
                        fprintf(stderr, "\n  %s of %s: %d %s, expected no change\n", enable ? "enable" : "disable", in, r, err.text);
                CU_ASSERT_EQUAL(r, 0);
                CU_ASSERT_PTR_NULL(got);
                return;
        }
        if (r != 1 || strcmp(got, out) != 0)
                fprintf(stderr, "\n  %s of\n%s\n  gave %d\n%s\n  expected\n%s\n", enable ? "enable" : "disable", in, r,
                        got ? got : err.text, out);
        CU_ASSERT_EQUAL(r, 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        CU_ASSERT_STRING_EQUAL(got, out);
        CU_ASSERT_EQUAL(len, strlen(out));
        /* What we write reads as dockerd reads it, and names the plugin (or not) as asked. */
        CU_ASSERT_EQUAL(daemonjson_names(got, len, P, &err), enable ? 1 : 0);
        free(got);
}

static void test_enable(void)
{
        /* no file yet, an empty object */
        expect_edit(true, "", "{\n  \"authorization-plugins\": [\"" P "\"]\n}\n");
        expect_edit(true, "\n", "{\n  \"authorization-plugins\": [\"" P "\"]\n}\n");
        expect_edit(true, "{}\n", "{\n  \"authorization-plugins\": [\"" P "\"]\n}\n");
        expect_edit(true, "{ }", "{\n  \"authorization-plugins\": [\"" P "\"]\n}");
        /* a new first member, indented and separated as the file's own */
        expect_edit(true, "{\n    \"debug\": true,\n    \"log-level\": \"warn\"\n}\n",
                    "{\n    \"authorization-plugins\": [\"" P "\"],\n    \"debug\": true,\n    \"log-level\": \"warn\"\n}\n");
        expect_edit(true, "{\n\t\"data-root\":\"/srv/docker\"\n}",
                    "{\n\t\"authorization-plugins\":[\"" P "\"],\n\t\"data-root\":\"/srv/docker\"\n}");
        expect_edit(true, "{\"debug\":true}", "{\"authorization-plugins\":[\"" P "\"], \"debug\":true}");
        /* values keep their spelling: jansson would print 1e3, 0.1 and the escapes differently */
        expect_edit(true, "{\n  \"max-concurrent-downloads\": 1e3,\n  \"x\": 0.1,\n  \"labels\": [\"a\\u00e9\"]\n}\n",
                    "{\n  \"authorization-plugins\": [\"" P "\"],\n  \"max-concurrent-downloads\": 1e3,\n  \"x\": 0.1,\n  \"labels\": [\"a\\u00e9\"]\n}\n");
        /* an existing list: appended, separated as its entries are */
        expect_edit(true, "{\"authorization-plugins\": []}", "{\"authorization-plugins\": [\"" P "\"]}");
        expect_edit(true, "{\"authorization-plugins\": [\"other\"]}", "{\"authorization-plugins\": [\"other\", \"" P "\"]}");
        expect_edit(true, "{\"authorization-plugins\": [\"a\",\"b\"]}", "{\"authorization-plugins\": [\"a\",\"b\",\"" P "\"]}");
        expect_edit(true, "{\n  \"authorization-plugins\": [\n    \"other\"\n  ],\n  \"debug\": true\n}\n",
                    "{\n  \"authorization-plugins\": [\n    \"other\",\n    \"" P "\"\n  ],\n  \"debug\": true\n}\n");
        /* already there: nothing to do */
        expect_edit(true, "{\"authorization-plugins\": [\"" P "\"]}", NULL);
        expect_edit(true, "{\"authorization-plugins\": [\"x\", \"arandu\\u002dauthz\"]}", NULL);
        /* a key that only contains the name, or a value that does, is not the list */
        expect_edit(true, "{\"note\": \"authorization-plugins\"}",
                    "{\"authorization-plugins\": [\"" P "\"], \"note\": \"authorization-plugins\"}");
}

static void test_disable(void)
{
        expect_edit(false, "", NULL);
        expect_edit(false, "{\"debug\": true}", NULL);
        expect_edit(false, "{\"authorization-plugins\": [\"other\"]}", NULL);
        /* the only entry of the only member */
        expect_edit(false, "{\n  \"authorization-plugins\": [\"" P "\"]\n}\n", "{}\n");
        /* the member goes with its comma, first, middle or last */
        expect_edit(false, "{\n  \"authorization-plugins\": [\"" P "\"],\n  \"debug\": true\n}\n", "{\n  \"debug\": true\n}\n");
        expect_edit(false, "{\"a\": 1, \"authorization-plugins\": [\"" P "\"], \"b\": 2}", "{\"a\": 1, \"b\": 2}");
        expect_edit(false, "{\n  \"debug\": true,\n  \"authorization-plugins\": [\"" P "\"]\n}\n", "{\n  \"debug\": true\n}\n");
        /* other plugins stay, in their order */
        expect_edit(false, "{\"authorization-plugins\": [\"a\", \"" P "\", \"b\"]}", "{\"authorization-plugins\": [\"a\", \"b\"]}");
        expect_edit(false, "{\"authorization-plugins\": [\"" P "\", \"b\"]}", "{\"authorization-plugins\": [\"b\"]}");
        expect_edit(false, "{\"authorization-plugins\": [\"a\",\"" P "\"]}", "{\"authorization-plugins\": [\"a\"]}");
        expect_edit(false, "{\"authorization-plugins\": [\"" P "\", \"a\", \"" P "\"]}", "{\"authorization-plugins\": [\"a\"]}");
        /* enable then disable gives the file back */
        const char *orig = "{\n  \"debug\": true,\n  \"storage-driver\": \"overlay2\"\n}\n";
        struct daemonjson_error err;
        char *on = NULL, *off = NULL;
        size_t n1, n2;
        CU_ASSERT_EQUAL_FATAL(daemonjson_enable(orig, strlen(orig), P, &on, &n1, &err), 1);
        CU_ASSERT_EQUAL_FATAL(daemonjson_disable(on, n1, P, &off, &n2, &err), 1);
        CU_ASSERT_STRING_EQUAL(off, orig);
        free(on);
        free(off);
}

/* Files dockerd would read otherwise, or that the edit cannot keep whole: refused, saying why. */
static void test_refused(void)
{
        static const struct {
                const char *text, *why;
        } cases[] = {
                { "{", "not valid JSON" },
                { "{\"debug\": true,}", "not valid JSON" },
                { "[\"" P "\"]", "not a JSON object" },
                { "\"x\"", "not valid JSON" },
                { "{\"debug\": true, \"debug\": false}", "not valid JSON" },   /* Go would take the last */
                { "{\"authorization-plugins\": \"" P "\"}", "is not a list" },
                { "{\"authorization-plugins\": [1]}", "not a string" },
                { "{\"authorization-plugins\": null}", "is not a list" },
                { "\xef\xbb\xbf{}", "not valid JSON" },
                { "{} {}", "not valid JSON" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct daemonjson_error err = { "" };
                char *out = NULL;
                size_t len = 0;
                const char *t = cases[i].text;
                CU_ASSERT_EQUAL(daemonjson_enable(t, strlen(t), P, &out, &len, &err), -EINVAL);
                CU_ASSERT_PTR_NULL(out);
                if (!strstr(err.text, cases[i].why))
                        fprintf(stderr, "\n  %s: %s\n", t, err.text);
                CU_ASSERT_PTR_NOT_NULL(strstr(err.text, cases[i].why));
                CU_ASSERT_EQUAL(daemonjson_disable(t, strlen(t), P, &out, &len, &err), -EINVAL);
                CU_ASSERT_EQUAL(daemonjson_names(t, strlen(t), P, &err), -EINVAL);
        }
}

/* A name that needs escaping is written as JSON. */
static void test_names(void)
{
        struct daemonjson_error err;
        char *out = NULL;
        size_t len;
        CU_ASSERT_EQUAL_FATAL(daemonjson_enable("{}", 2, "we\"ird", &out, &len, &err), 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "[\"we\\\"ird\"]"));
        CU_ASSERT_EQUAL(daemonjson_names(out, len, "we\"ird", &err), 1);
        CU_ASSERT_EQUAL(daemonjson_names(out, len, P, &err), 0);
        free(out);
}

static const struct cu_test tests[] = {
        { "enable: added, every other byte kept", test_enable },
        { "disable: removed, every other byte kept", test_disable },
        { "files dockerd would read otherwise are refused", test_refused },
        { "names written as JSON", test_names },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "daemonjson", tests },
};

CU_MAIN(SUITES)
