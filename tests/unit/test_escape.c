/* escape_str (policy/escape.h): every class of byte, the cut on input bytes and on the output size,
 * on both sides of each bound, and the three wrappers that use it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "authz/log.h"
#include "policy/config_internal.h"
#include "policy/decision.h"
#include "policy/escape.h"
#include "tests/unit/cutest.h"

#define FQ  ESCAPE_QUOTE
#define FQS (ESCAPE_QUOTE | ESCAPE_SEMICOLON)

/* Escape into a buffer of exactly `size` bytes, inside a larger one filled with 'Z', and check
 * that nothing past `size` was written and that the returned length is the string's. */
static const char *esc(const char *s, size_t max, unsigned flags, size_t size)
{
        static char b[512];

        CU_ASSERT_FATAL(size < sizeof(b));
        memset(b, 'Z', sizeof(b));
        size_t n = escape_str(s, max, flags, b, size);
        for (size_t k = size; k < sizeof(b); k++)
                CU_ASSERT_EQUAL(b[k], 'Z');
        if (size > 0) {
                CU_ASSERT_PTR_NOT_NULL(memchr(b, '\0', size));
                CU_ASSERT_EQUAL(n, strlen(b));
        } else {
                CU_ASSERT_EQUAL(n, 0);
        }
        return b;
}

static void test_bytes(void)
{
        static const struct {
                const char *in;
                unsigned flags;
                const char *out;
        } cases[] = {
                { "abc XYZ 09 ~!", FQ, "\"abc XYZ 09 ~!\"" },   /* printable ASCII as is */
                { "", FQ, "\"\"" },
                { "", 0, "" },
                { "a\"b", FQ, "\"a\\\"b\"" },
                { "a\\b", FQ, "\"a\\\\b\"" },
                { "a\"b\\c", 0, "a\\\"b\\\\c" },                /* escaped unquoted too */
                { "\x01\x09\x0a\x0d\x1b\x1f", FQ, "\"\\x01\\x09\\x0a\\x0d\\x1b\\x1f\"" },
                { " ", FQ, "\" \"" },                           /* 0x20: first byte as is */
                { "~", FQ, "\"~\"" },                           /* 0x7e: last byte as is */
                { "\x7f", FQ, "\"\\x7f\"" },                    /* DEL */
                { "\x80\xff", FQ, "\"\\x80\\xff\"" },
                { "\xc5\xbf", FQ, "\"\\xc5\\xbf\"" },           /* UTF-8 byte by byte: look-alikes show */
                { "a;b", FQ, "\"a;b\"" },
                { "a;b", FQS, "\"a\\x3bb\"" },
                { "a;b", ESCAPE_SEMICOLON, "a\\x3bb" },
                { "x\x1b[31m", 0, "x\\x1b[31m" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                CU_ASSERT_STRING_EQUAL(esc(cases[i].in, ESCAPE_NO_MAX, cases[i].flags, 64), cases[i].out);

        /* Every byte alone: as is exactly when printable ASCII other than " and \ (and ;). */
        for (unsigned c = 1; c < 256; c++) {
                char in[2] = { (char) c, '\0' }, want[8];
                if (c == '"' || c == '\\')
                        snprintf(want, sizeof(want), "\\%c", (char) c);
                else if (c < 0x20 || c >= 0x7f || c == ';')
                        snprintf(want, sizeof(want), "\\x%02x", c);
                else
                        snprintf(want, sizeof(want), "%c", (char) c);
                CU_ASSERT_STRING_EQUAL(esc(in, ESCAPE_NO_MAX, ESCAPE_SEMICOLON, 16), want);
        }
}

static void test_max(void)
{
        /* the cut on input bytes, both sides */
        CU_ASSERT_STRING_EQUAL(esc("abcdef", 5, FQ, 64), "\"abcde...\"");
        CU_ASSERT_STRING_EQUAL(esc("abcdef", 6, FQ, 64), "\"abcdef\"");
        CU_ASSERT_STRING_EQUAL(esc("abcdef", 7, FQ, 64), "\"abcdef\"");
        CU_ASSERT_STRING_EQUAL(esc("abcdef", 0, FQ, 64), "\"...\"");
        CU_ASSERT_STRING_EQUAL(esc("", 0, FQ, 64), "\"\"");
        CU_ASSERT_STRING_EQUAL(esc("abcdef", 5, 0, 64), "abcde...");
        /* max counts input bytes, not output: an escape is one byte */
        CU_ASSERT_STRING_EQUAL(esc("\n\n\n", 2, FQ, 64), "\"\\x0a\\x0a...\"");
        CU_ASSERT_STRING_EQUAL(esc("\n\n", 2, FQ, 64), "\"\\x0a\\x0a\"");
        /* a UTF-8 sequence cut in the middle: the bytes before the cut, escaped */
        CU_ASSERT_STRING_EQUAL(esc("\xc3\xa9", 1, FQ, 64), "\"\\xc3...\"");
        CU_ASSERT_STRING_EQUAL(esc("a\xe2\x82\xac", 3, FQ, 64), "\"a\\xe2\\x82...\"");
        CU_ASSERT_STRING_EQUAL(esc("a\xe2\x82\xac", 4, FQ, 64), "\"a\\xe2\\x82\\xac\"");
}

static void test_size(void)
{
        /* "abcdef" quoted is 8 bytes and its NUL; room for `..."` is kept, so it needs 12 */
        CU_ASSERT_STRING_EQUAL(esc("abcdef", ESCAPE_NO_MAX, FQ, 12), "\"abcdef\"");
        CU_ASSERT_STRING_EQUAL(esc("abcdef", ESCAPE_NO_MAX, FQ, 11), "\"abcde...\"");
        CU_ASSERT_STRING_EQUAL(esc("abcdef", ESCAPE_NO_MAX, 0, 10), "abcdef");
        CU_ASSERT_STRING_EQUAL(esc("abcdef", ESCAPE_NO_MAX, 0, 9), "abcde...");
        /* an escape is written whole or not at all */
        CU_ASSERT_STRING_EQUAL(esc("a\n", ESCAPE_NO_MAX, FQ, 11), "\"a\\x0a\"");
        CU_ASSERT_STRING_EQUAL(esc("a\n", ESCAPE_NO_MAX, FQ, 10), "\"a...\"");
        CU_ASSERT_STRING_EQUAL(esc("a\"", ESCAPE_NO_MAX, FQ, 9), "\"a\\\"\"");
        CU_ASSERT_STRING_EQUAL(esc("a\"", ESCAPE_NO_MAX, FQ, 8), "\"a...\"");
        /* a UTF-8 sequence cut in the middle by the size */
        CU_ASSERT_STRING_EQUAL(esc("\xe2\x82\xac", ESCAPE_NO_MAX, FQ, 14), "\"\\xe2\\x82...\"");
        CU_ASSERT_STRING_EQUAL(esc("\xe2\x82\xac", ESCAPE_NO_MAX, FQ, 18), "\"\\xe2\\x82\\xac\"");
        /* the smallest buffers: nothing, then "", then the shortest cut output */
        CU_ASSERT_EQUAL(esc("abc", ESCAPE_NO_MAX, FQ, 0)[0], 'Z');   /* esc() checks every byte */
        CU_ASSERT_EQUAL(esc("abc", ESCAPE_NO_MAX, 0, 0)[0], 'Z');
        CU_ASSERT_STRING_EQUAL(esc("abc", ESCAPE_NO_MAX, FQ, 1), "");
        CU_ASSERT_STRING_EQUAL(esc("abc", ESCAPE_NO_MAX, 0, 1), "");
        CU_ASSERT_STRING_EQUAL(esc("abc", ESCAPE_NO_MAX, FQ, 2), "");
        CU_ASSERT_STRING_EQUAL(esc("abc", ESCAPE_NO_MAX, 0, 2), "");
        CU_ASSERT_STRING_EQUAL(esc("", ESCAPE_NO_MAX, FQ, 2), "");
        CU_ASSERT_STRING_EQUAL(esc("abc", ESCAPE_NO_MAX, FQ, 5), "");
        CU_ASSERT_STRING_EQUAL(esc("abc", ESCAPE_NO_MAX, FQ, 6), "\"...\"");
        CU_ASSERT_STRING_EQUAL(esc("", ESCAPE_NO_MAX, FQ, 6), "\"\"");
        CU_ASSERT_STRING_EQUAL(esc("abc", ESCAPE_NO_MAX, 0, 3), "");
        CU_ASSERT_STRING_EQUAL(esc("abc", ESCAPE_NO_MAX, 0, 4), "...");
        CU_ASSERT_STRING_EQUAL(esc("abc", ESCAPE_NO_MAX, 0, 5), "a...");

        /* every size, every flag: bounded, terminated, quotes closed */
        static const char *const in = "ab\"c\n\xc3\xa9;d\\e";
        for (unsigned flags = 0; flags < 4; flags++)
                for (size_t size = 0; size < 48; size++) {
                        const char *b = esc(in, ESCAPE_NO_MAX, flags, size);
                        size_t n = size ? strlen(b) : 0;
                        if ((flags & FQ) && n > 0) {
                                CU_ASSERT_EQUAL(b[0], '"');
                                CU_ASSERT_EQUAL(b[n - 1], '"');
                                CU_ASSERT_TRUE(n >= 2);
                        }
                }
}

/* What the three callers keep of their own. */
static void test_wrappers(void)
{
        char buf[LOG_ESCAPE_SIZE];

        quote_value("a;b", 100, buf, sizeof(buf));
        CU_ASSERT_STRING_EQUAL(buf, "\"a\\x3bb\"");
        CU_ASSERT_STRING_EQUAL(LOG_ESC("a;b"), "\"a;b\"");
        CU_ASSERT_STRING_EQUAL(Q("a;b"), "\"a;b\"");

        quote_value(NULL, 100, buf, sizeof(buf));
        CU_ASSERT_STRING_EQUAL(buf, "null");
        CU_ASSERT_STRING_EQUAL(LOG_ESC(NULL), "(null)");

        /* quote_value keeps one byte more free than escape_str needs */
        quote_value("abcdef", 100, buf, 12);
        CU_ASSERT_STRING_EQUAL(buf, "\"abcde...\"");
        quote_value("abcdef", 100, buf, 13);
        CU_ASSERT_STRING_EQUAL(buf, "\"abcdef\"");
        CU_ASSERT_STRING_EQUAL(log_escape("abcdef", buf, 12), "\"abcdef\"");
        CU_ASSERT_STRING_EQUAL(log_escape("abcdef", buf, 11), "\"abcde...\"");
        /* under 8 bytes, both write "" */
        quote_value("a", 100, buf, 7);
        CU_ASSERT_STRING_EQUAL(buf, "");
        CU_ASSERT_STRING_EQUAL(log_escape("a", buf, 7), "");

        /* config_quote: cut after QUOTE_CUT input bytes */
        char in[QUOTE_CUT + 2];
        memset(in, 'x', sizeof(in) - 1);
        in[sizeof(in) - 1] = '\0';
        in[QUOTE_CUT] = '\0';
        CU_ASSERT_EQUAL(strlen(Q(in)), QUOTE_CUT + 2);
        in[QUOTE_CUT] = 'x';
        CU_ASSERT_EQUAL(strlen(Q(in)), QUOTE_CUT + 5);
        CU_ASSERT_PTR_NOT_NULL(strstr(Q(in), "x...\""));
}

static const struct cu_test TESTS[] = {
        { "each class of byte", test_bytes },
        { "cut on input bytes", test_max },
        { "cut on the output size", test_size },
        { "quote_value, log_escape, config_quote", test_wrappers },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = { { "escape", TESTS } };

CU_MAIN(SUITES)
