/* Unit tests for policy/jsonscan (the fast path of gojson_loadb): wherever it answers, jansson gives
 * the same value; where jansson refuses, it hands over, so errors are jansson's own; and it does
 * answer for what dockerd sends (the fixtures), or it would not be worth having. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "policy/gojson.h"
#include "policy/jsonscan.h"
#include "tests/fuzz/jsonscan_diff.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

/* Covered by the fast path: must come back JSONSCAN_OK with jansson's value. */
static const char *const fast_cases[] = {
        "{}",
        "[]",
        " \n{ \"RequestMethod\" : \"GET\" , \"RequestUri\" : \"/_ping\" }\r\n\t",
        "{\"User\":\"\",\"RequestMethod\":\"POST\",\"RequestBody\":\"eyJJbWFnZSI6ImJiIn0=\","
        "\"RequestHeaders\":{\"Content-Type\":\"application/json\"},\"RequestPeerCertificates\":null}",
        "{\"a\":true,\"b\":false,\"c\":null,\"d\":{},\"e\":[],\"f\":[1,-2,\"x\",[null]]}",
        "{\"ResponseStatusCode\":200}",
        /* numbers: integers up to 18 digits, reals through strtod */
        "[0,-0,7,-7,123456789012345678,-123456789012345678]",
        "[0.5,-0.5,1e3,1E3,1e+3,1e-3,-0.0,2.5e-300,1e-400,0.1,1.7976931348623157e308]",
        /* escapes, decoded as jansson does */
        "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
        "{\"s\":\"\\u0041\\u00e9\\u20ac\\u2028\\u003c\\u003e\\u0026\"}",
        "{\"s\":\"\\ud83d\\ude00 \\uD83D\\uDE00\"}",
        "{\"\\u0050rivileged\":true}",
        "{\"k\\\"ey\":\"v\\\\\"}",
        /* UTF-8 */
        "{\"s\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf\"}",
        "{\"\xc5\xbf" "ecurityOpt\":[\"x\"],\"\xe2\x84\xaa\":1}",
        /* long plain runs, and stop bytes at every offset of a word */
        "{\"a\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}",
        "{\"a\":\"\\n\",\"b\":\"x\\n\",\"c\":\"xx\\n\",\"d\":\"xxxxxxx\\n\",\"e\":\"xxxxxxxx\\n\",\"f\":\"xxxxxxxxx\\n\"}",
        "{\"a\":\"\xc3\xa9\",\"b\":\"xxxxxxx\xc3\xa9\",\"c\":\"xxxxxxxx\xc3\xa9xxxxxxxxxxxxxxxx\"}",
};

/* jansson refuses: the fast path must hand over, and the error is jansson's. */
static const char *const error_cases[] = {
        "", " ", "{", "[", "}", "{\"a\":\"b\"", "{\"a\":\"b\",}", "[1,]", "[,1]", "{\"a\" \"b\"}",
        "{\"a\":\"b\"} x", "{\"a\":\"b\"}{}", "{a:\"b\"}", "{'a':1}", "\"just a string\"", "1", "null",
        "{\"a\":\"b\",\"a\":\"c\"}",                          /* duplicate key */
        "{\"h\":{\"A\":\"1\",\"A\":\"2\"}}",                  /* duplicate nested key */
        "{\"a\":\"b\nc\"}", "{\"a\":\"\x01\"}", "{\"a\":\"\x7f\x1f\"}",   /* control bytes */
        "{\"a\":nul}", "{\"a\":tru}", "{\"a\":truex}", "{\"a\":True}", "{\"a\":nulll}",
        "{\"a\":\"\xff\"}", "{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\xe0\x80\xaf\"}",   /* invalid, overlong */
        "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xf4\x90\x80\x80\"}", "{\"a\":\"\xc3\"}",   /* surrogate, > U+10FFFF, cut */
        "{\"a\":\"\xe2\x82\"}", "{\"a\":\"\x80\"}", "{\"a\":\"\xf5\x80\x80\x80\"}",
        "{\"a\":\"b\\u0000\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",   /* NUL, lone halves */
        "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"\\ud800x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12g4\"}",
        "{\"a\":\"\\x\"}", "{\"a\":\"\\\"}", "{\"a\":\"\\",
        "[01]", "[-]", "[1.]", "[.5]", "[1e]", "[1e+]", "[+1]", "[-01]", "[1.5.2]", "[0x10]",
        "[1e999]", "[-1e999]", "[99999999999999999999]", "[-99999999999999999999]",
        "[NaN]", "[Infinity]", "[1 2]", "[\"a\" \"b\"]",
        "\xef\xbb\xbf{}",                                    /* a byte-order mark */
        "{\"a\":1}\x00",
};

static void check_same(const char *s, size_t len, size_t flags, bool must_be_fast)
{
        enum jsonscan_result r;
        const char *why = jsonscan_disagreement(s, len, flags, &r);
        if (why)
                printf("\n    %s: %.80s", why, s);
        CU_ASSERT_PTR_NULL(why);
        if (must_be_fast) {
                if (r != JSONSCAN_OK)
                        printf("\n    not on the fast path: %.80s", s);
                CU_ASSERT_EQUAL(r, JSONSCAN_OK);
        }
}

static void test_fast_cases(void)
{
        for (size_t i = 0; i < sizeof(fast_cases) / sizeof(fast_cases[0]); i++) {
                check_same(fast_cases[i], strlen(fast_cases[i]), JSON_REJECT_DUPLICATES, true);
                check_same(fast_cases[i], strlen(fast_cases[i]), 0, true);
        }
}

static void test_error_cases(void)
{
        for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
                const char *s = error_cases[i];
                size_t len = strlen(s) + (s[0] == '{' && strcmp(s, "{\"a\":1}") == 0);
                json_t *v = NULL;
                json_error_t e1, e2;

                CU_ASSERT_EQUAL(jsonscan_loadb(s, len, JSON_REJECT_DUPLICATES, &v), JSONSCAN_SLOW);
                CU_ASSERT_PTR_NULL(v);
                /* Through gojson_loadb: jansson's error, text and position. */
                json_t *a = gojson_loadb(s, len, JSON_REJECT_DUPLICATES, &e1);
                json_t *b = json_loadb(s, len, JSON_REJECT_DUPLICATES, &e2);
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
        /* The NUL after a value (length includes it). */
        json_t *v = NULL;
        CU_ASSERT_EQUAL(jsonscan_loadb("{\"a\":1}", 8, 0, &v), JSONSCAN_SLOW);
}

/* Without JSON_REJECT_DUPLICATES jansson keeps the last value in the first key's place. */
static void test_duplicates_allowed(void)
{
        const char *s = "{\"a\":1,\"b\":2,\"a\":3}";
        json_t *v = NULL;

        CU_ASSERT_EQUAL(jsonscan_loadb(s, strlen(s), 0, &v), JSONSCAN_OK);
        char *d = v ? json_dumps(v, JSON_COMPACT) : NULL;
        CU_ASSERT_PTR_NOT_NULL(d);
        if (d)
                CU_ASSERT_STRING_EQUAL(d, "{\"a\":3,\"b\":2}");
        free(d);
        json_decref(v);
        check_same(s, strlen(s), 0, true);
        CU_ASSERT_EQUAL(jsonscan_loadb(s, strlen(s), JSON_REJECT_DUPLICATES, &v), JSONSCAN_SLOW);
        /* Many keys, then one again. */
        char buf[4096];
        size_t o = 0;
        buf[o++] = '{';
        for (int i = 0; i < 200; i++)
                o += (size_t) snprintf(buf + o, sizeof(buf) - o, "%s\"k%d\":\"v\"", i ? "," : "", i);
        buf[o++] = '}';
        check_same(buf, o, JSON_REJECT_DUPLICATES, true);
        snprintf(buf + o - 1, sizeof(buf) - o + 1, ",\"k7\":\"w\"}");
        CU_ASSERT_EQUAL(jsonscan_loadb(buf, strlen(buf), JSON_REJECT_DUPLICATES, &v), JSONSCAN_SLOW);
        check_same(buf, strlen(buf), 0, true);
        /* Other flags are jansson's business. */
        CU_ASSERT_EQUAL(jsonscan_loadb("{}", 2, JSON_DECODE_ANY, &v), JSONSCAN_SLOW);
        CU_ASSERT_EQUAL(jsonscan_loadb("{}", 2, JSON_ALLOW_NUL, &v), JSONSCAN_SLOW);
}

/* Nesting to JSONSCAN_MAX_DEPTH is covered; deeper is jansson's (which allows 2048). */
static void test_depth(void)
{
        char buf[512];

        for (int depth = 1; depth <= JSONSCAN_MAX_DEPTH + 3; depth++) {
                size_t o = 0;
                for (int i = 0; i < depth; i++)
                        buf[o++] = i % 2 ? '[' : '{', o += i % 2 ? 0 : (size_t) snprintf(buf + o, sizeof(buf) - o, "\"k\":");
                buf[o++] = '1';
                for (int i = depth - 1; i >= 0; i--)
                        buf[o++] = i % 2 ? ']' : '}';
                json_t *v = NULL;
                enum jsonscan_result r = jsonscan_loadb(buf, o, JSON_REJECT_DUPLICATES, &v);
                CU_ASSERT_EQUAL(r, depth <= JSONSCAN_MAX_DEPTH ? JSONSCAN_OK : JSONSCAN_SLOW);
                json_decref(v);
                check_same(buf, o, JSON_REJECT_DUPLICATES, false);
        }
}

/* A length short of the buffer's end: nothing past it is read. */
static void test_explicit_length(void)
{
        const char *s = "{\"RequestMethod\":\"GET\"}garbage";
        json_t *v = NULL;

        CU_ASSERT_EQUAL(jsonscan_loadb(s, 23, JSON_REJECT_DUPLICATES, &v), JSONSCAN_OK);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(v, "RequestMethod")), "GET");
        json_decref(v);
        CU_ASSERT_EQUAL(jsonscan_loadb(s, 20, JSON_REJECT_DUPLICATES, &v), JSONSCAN_SLOW);
        CU_ASSERT_EQUAL(jsonscan_loadb(NULL, 0, 0, &v), JSONSCAN_SLOW);
}

/* Long strings with escapes: the decoding stack grows, and keys decoded onto it survive their
 * values' growth. */
static void test_long_decoded_strings(void)
{
        size_t n = 100000, o = 0;
        char *buf = malloc(n * 3 + 100);

        CU_ASSERT_FATAL(buf != NULL);
        o += (size_t) snprintf(buf + o, n * 3 + 100 - o, "{\"k\\u0065y\":{\"n\\u0065sted\\n\":\"");
        for (size_t i = 0; i < n; i++)
                o += (size_t) snprintf(buf + o, n * 3 + 100 - o, "%s", i % 7 ? "a" : "\\t");
        o += (size_t) snprintf(buf + o, n * 3 + 100 - o, "\",\"b\":[\"\\u00e9\"]},\"z\":\"\xc3\xa9\"}");
        check_same(buf, o, JSON_REJECT_DUPLICATES, true);
        free(buf);
}

/* Deterministic pseudo-random documents: a grammar of what dockerd sends, then byte mutations, so
 * that both the fast path's answers and its hand-overs are compared with jansson many times. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return (unsigned) (rng % n);
}

static void gen_string(char *b, size_t *o, size_t cap)
{
        static const char *const pieces[] = {
                "a", "Privileged", "\\n", "\\\"", "\\\\", "\\/", "\\u0041", "\\u00e9", "\\ud83d\\ude00",
                "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", " ", "0123456789abcdef", "\\u0000",
                "\\ud800", "\x01", "\xff", "\"",
        };
        b[(*o)++] = '"';
        for (unsigned i = rnd(6); i > 0 && *o + 40 < cap; i--) {
                /* mostly valid pieces; the last four break the string */
                const char *p = pieces[rnd(50) == 0 ? rnd(19) : rnd(15)];
                size_t l = strlen(p);
                memcpy(b + *o, p, l + 1);   /* with its NUL, overwritten by what follows */
                *o += l;
        }
        b[(*o)++] = '"';
}

// NOLINTNEXTLINE(misc-no-recursion): depth bounded
static void gen_value(char *b, size_t *o, size_t cap, int depth)
{
        static const char *const scalars[] = {
                "true", "false", "null", "0", "-1", "1073741824", "123456789012345678", "1234567890123456789",
                "1.5", "-2e-3", "1e999", "01", "-",
        };
        if (*o + 200 >= cap) {
                memcpy(b + *o, "null", 5);
                *o += 4;
                return;
        }
        unsigned k = depth > 6 ? rnd(3) + 2 : rnd(5);
        if (k == 0 || k == 1) {
                char open = k ? '[' : '{', close = k ? ']' : '}';
                b[(*o)++] = open;
                for (unsigned i = rnd(5); i > 0; i--) {
                        if (!k) {
                                gen_string(b, o, cap);
                                b[(*o)++] = ':';
                        }
                        gen_value(b, o, cap, depth + 1);
                        if (i > 1)
                                b[(*o)++] = ',';
                        if (rnd(8) == 0)
                                b[(*o)++] = ' ';
                }
                b[(*o)++] = close;
        } else if (k == 2)
                gen_string(b, o, cap);
        else {
                const char *s = scalars[rnd(30) == 0 ? rnd(13) : rnd(9)];
                size_t l = strlen(s);
                memcpy(b + *o, s, l + 1);
                *o += l;
        }
}

static void test_random_documents(void)
{
        static char buf[16384];
        size_t fast = 0, total = 0, bad = 0;

        for (int i = 0; i < 20000; i++) {
                size_t o = 0;
                buf[o++] = '{';
                for (unsigned m = rnd(4); m > 0; m--) {
                        gen_string(buf, &o, sizeof(buf));
                        buf[o++] = ':';
                        gen_value(buf, &o, sizeof(buf), 1);
                        if (m > 1)
                                buf[o++] = ',';
                }
                buf[o++] = '}';
                if (i % 4 == 3)   /* a byte changed, dropped or added */
                        for (unsigned m = rnd(3) + 1; m > 0 && o > 1; m--) {
                                size_t at = rnd((unsigned) o);
                                switch (rnd(3)) {
                                case 0: buf[at] = (char) rnd(256); break;
                                case 1: memmove(buf + at, buf + at + 1, o - at - 1); o--; break;
                                default: memmove(buf + at + 1, buf + at, o - at); buf[at] = "{}[]\",:\\ 0e"[rnd(11)]; o++; break;
                                }
                        }
                for (int f = 0; f < 2; f++) {
                        enum jsonscan_result r;
                        const char *why = jsonscan_disagreement(buf, o, f ? 0 : JSON_REJECT_DUPLICATES, &r);
                        total++;
                        fast += r == JSONSCAN_OK;
                        if (why && bad++ < 5)
                                printf("\n    %s: %.*s", why, (int) (o < 200 ? o : 200), buf);
                }
        }
        CU_ASSERT_EQUAL(bad, 0);
        /* Both sides exercised: most documents answered, many handed over. */
        CU_ASSERT(fast > total / 3);
        CU_ASSERT(fast < total);
}

/* Every fixture envelope, and the request body inside it, is on the fast path and equal to jansson's. */
static void test_fixtures_are_fast(void)
{
        const char *dir = tu_fixtures_dir();
        DIR *d = opendir(dir);
        size_t n = 0;

        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        for (struct dirent *e; (e = readdir(d));) {
                size_t l = strlen(e->d_name);
                if (l < 5 || strcmp(e->d_name + l - 5, ".json") != 0)
                        continue;
                char path[4096];
                size_t len;
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                char *s = tu_read_file(path, &len);
                CU_ASSERT_PTR_NOT_NULL(s);
                if (!s)
                        continue;
                check_same(s, len, JSON_REJECT_DUPLICATES, true);
                free(s);
                n++;
        }
        closedir(d);
        CU_ASSERT(n >= 90);
}

static const struct cu_test jsonscan_tests[] = {
        { "what it covers equals jansson", test_fast_cases },
        { "what jansson refuses is handed over", test_error_cases },
        { "duplicates and flags", test_duplicates_allowed },
        { "nesting depth", test_depth },
        { "explicit length", test_explicit_length },
        { "long decoded strings", test_long_decoded_strings },
        { "20,000 random documents against jansson", test_random_documents },
        { "the fixtures are on the fast path", test_fixtures_are_fast },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "jsonscan", jsonscan_tests },
};

CU_MAIN(SUITES)
