/* Unit tests for authz/envelope: the fast path must give exactly what
 * json_loadb(..., JSON_REJECT_DUPLICATES) gives (same value, same key order), and hand everything it
 * does not cover to jansson (same errors). */
#include <jansson.h>
#include <string.h>

#include "authz/envelope.h"
#include "tests/unit/cutest.h"

static const char *const same_cases[] = {
        /* dockerd's shape */
        "{\"User\":\"\",\"UserAuthNMethod\":\"\",\"RequestMethod\":\"POST\","
        "\"RequestUri\":\"/v1.41/containers/create?name=c\",\"RequestBody\":\"eyJJbWFnZSI6ImJiIn0=\","
        "\"RequestHeaders\":{\"Content-Type\":\"application/json\",\"User-Agent\":\"Docker-Client/20.10.24\"},"
        "\"RequestPeerCertificates\":null}",
        " \n{ \"RequestMethod\" : \"GET\" , \"RequestUri\" : \"/_ping\" }\r\n\t",
        "{}",
        "{\"a\":true,\"b\":false,\"c\":null,\"d\":{}}",
        "{\"RequestHeaders\":{\"X\":null,\"Y\":true}}",
        /* handed to jansson: escapes, non-ASCII, numbers, arrays, nesting */
        "{\"RequestUri\":\"/v1.41/containers/\\u0063reate\"}",
        "{\"RequestUri\":\"/caf\xc3\xa9\"}",
        "{\"ResponseStatusCode\":200}",
        "{\"RequestPeerCertificates\":[\"x\"]}",
        "{\"RequestHeaders\":{\"A\":{\"B\":\"c\"}}}",
        "[]",
};

static const char *const error_cases[] = {
        "",
        "{",
        "{\"a\":\"b\"",
        "{\"a\":\"b\",}",
        "{\"a\" \"b\"}",
        "{\"a\":\"b\"} x",
        "{\"a\":\"b\"}{}",
        "{\"a\":\"b\",\"a\":\"c\"}",                               /* duplicate key */
        "{\"RequestHeaders\":{\"A\":\"1\",\"A\":\"2\"}}",           /* duplicate nested key */
        "{\"a\":\"b\nc\"}",                                         /* control byte in a string */
        "{\"a\":nul}",
        "{\"a\":tru}",
        "{\"a\":\"\xff\"}",                                         /* invalid UTF-8 */
        "{\"a\":\"b\\u0000\"}",                                     /* NUL without JSON_ALLOW_NUL */
        "{a:\"b\"}",
        "\"just a string\"",
};

static void test_same_value(void)
{
        for (size_t i = 0; i < sizeof(same_cases) / sizeof(same_cases[0]); i++) {
                const char *s = same_cases[i];
                json_error_t e1, e2;
                json_t *a = envelope_load(s, strlen(s), &e1);
                json_t *b = json_loadb(s, strlen(s), JSON_REJECT_DUPLICATES, &e2);
                CU_ASSERT_PTR_NOT_NULL(a);
                CU_ASSERT_PTR_NOT_NULL(b);
                CU_ASSERT(json_equal(a, b));
                /* Same key order (json_equal ignores it; the audit and the rules iterate). */
                char *da = json_dumps(a, JSON_COMPACT), *db = json_dumps(b, JSON_COMPACT);
                CU_ASSERT_PTR_NOT_NULL(da);
                CU_ASSERT_PTR_NOT_NULL(db);
                if (da && db)
                        CU_ASSERT_STRING_EQUAL(da, db);
                free(da);
                free(db);
                json_decref(a);
                json_decref(b);
        }
}

static void test_same_error(void)
{
        for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
                const char *s = error_cases[i];
                json_error_t e1, e2;
                json_t *a = envelope_load(s, strlen(s), &e1);
                json_t *b = json_loadb(s, strlen(s), JSON_REJECT_DUPLICATES, &e2);
                CU_ASSERT_PTR_NULL(a);
                CU_ASSERT_PTR_NULL(b);
                if (!a && !b) {
                        CU_ASSERT_STRING_EQUAL(e1.text, e2.text);
                        CU_ASSERT_EQUAL(e1.line, e2.line);
                        CU_ASSERT_EQUAL(e1.column, e2.column);
                }
                json_decref(a);
                json_decref(b);
        }
}

/* A length that stops short of the buffer's NUL: nothing past it is read. */
static void test_explicit_length(void)
{
        const char *s = "{\"RequestMethod\":\"GET\"}garbage";
        json_error_t e;
        json_t *a = envelope_load(s, 23, &e);
        CU_ASSERT_PTR_NOT_NULL(a);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(a, "RequestMethod")), "GET");
        json_decref(a);
        CU_ASSERT_PTR_NULL(envelope_load(s, 20, &e));
}

/* More keys than the fast path tracks: still correct (jansson's answer), duplicates still refused. */
static void test_many_keys(void)
{
        char buf[8192];
        size_t o = 0;
        json_error_t e;

        buf[o++] = '{';
        for (int i = 0; i < 100; i++)
                o += (size_t) snprintf(buf + o, sizeof(buf) - o, "%s\"k%d\":\"v\"", i ? "," : "", i);
        buf[o++] = '}';
        buf[o] = '\0';
        json_t *a = envelope_load(buf, o, &e);
        CU_ASSERT_PTR_NOT_NULL(a);
        CU_ASSERT_EQUAL(json_object_size(a), 100);
        json_decref(a);
        snprintf(buf + o - 1, sizeof(buf) - o + 1, ",\"k7\":\"w\"}");
        CU_ASSERT_PTR_NULL(envelope_load(buf, strlen(buf), &e));
}

static const struct cu_test envelope_tests[] = {
        { "fast path and jansson give the same value", test_same_value },
        { "errors are jansson's", test_same_error },
        { "explicit length", test_explicit_length },
        { "more keys than the fast path tracks", test_many_keys },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "envelope", envelope_tests },
};

CU_MAIN(SUITES)
