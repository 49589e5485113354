/* policy/buf.c: the cap on both sides, the sticky error, steal, lent storage, growth. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/buf.h"
#include "tests/unit/cutest.h"

/* Exactly the cap is taken, in one append or byte by byte; one byte more is -E2BIG. */
static void test_cap(void)
{
        struct buf b;

        buf_init(&b, 4, 10);
        CU_ASSERT_EQUAL(buf_append(&b, "0123456789", 10), 0);
        CU_ASSERT_EQUAL(buf_len(&b), 10);
        CU_ASSERT_EQUAL(buf_avail(&b), 0);
        CU_ASSERT_EQUAL(buf_append(&b, "", 0), 0);
        CU_ASSERT_STRING_EQUAL(buf_str(&b), "0123456789");
        CU_ASSERT_TRUE(b.alloc <= 11);   /* never allocated past cap + the NUL */
        CU_ASSERT_EQUAL(buf_append(&b, "x", 1), -E2BIG);
        CU_ASSERT_EQUAL(buf_error(&b), -E2BIG);
        CU_ASSERT_EQUAL(buf_len(&b), 0);   /* given up at once */
        buf_free(&b);

        buf_init(&b, 1, 10);
        for (int i = 0; i < 10; i++)
                CU_ASSERT_EQUAL(buf_append(&b, "y", 1), 0);
        CU_ASSERT_EQUAL(buf_len(&b), 10);
        CU_ASSERT_EQUAL(buf_append(&b, "y", 1), -E2BIG);
        buf_free(&b);

        /* over by one in a single append: nothing taken */
        buf_init(&b, 0, 10);
        CU_ASSERT_EQUAL(buf_append(&b, "01234567890", 11), -E2BIG);
        CU_ASSERT_EQUAL(buf_len(&b), 0);
        buf_free(&b);

        /* a cap of 0 holds the empty string */
        char *s = NULL;
        size_t n = 99;
        buf_init(&b, 0, 0);
        CU_ASSERT_EQUAL(buf_append(&b, "", 0), 0);
        CU_ASSERT_EQUAL(buf_steal(&b, &s, &n), 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_EQUAL(n, 0);
        CU_ASSERT_STRING_EQUAL(s, "");
        free(s);
        CU_ASSERT_EQUAL(buf_append(&b, "z", 1), -E2BIG);
        buf_free(&b);
}

/* After the first failure every append fails the same way, whatever it is, until a reset. */
static void test_sticky(void)
{
        struct buf b;
        char untouched[] = "untouched";
        char *s = untouched;
        size_t n = 7;

        buf_init(&b, 0, 8);
        CU_ASSERT_EQUAL(buf_puts(&b, "abc"), 0);
        CU_ASSERT_EQUAL(buf_puts(&b, "defghi"), -E2BIG);
        CU_ASSERT_EQUAL(buf_puts(&b, "d"), -E2BIG);        /* would fit: still refused */
        CU_ASSERT_EQUAL(buf_append(&b, NULL, 0), -E2BIG);
        CU_ASSERT_EQUAL(buf_printf(&b, "%d", 1), -E2BIG);
        CU_ASSERT_PTR_NULL(buf_ptr(&b));
        CU_ASSERT_STRING_EQUAL(buf_str(&b), "");
        CU_ASSERT_EQUAL(buf_steal(&b, &s, &n), -E2BIG);
        CU_ASSERT_STRING_EQUAL(s, "untouched");
        CU_ASSERT_EQUAL(n, 7);
        /* steal (and reset) clear the error */
        CU_ASSERT_EQUAL(buf_error(&b), 0);
        CU_ASSERT_EQUAL(buf_puts(&b, "again"), 0);
        CU_ASSERT_EQUAL(buf_puts(&b, "again"), -E2BIG);
        buf_reset(&b);
        CU_ASSERT_EQUAL(buf_error(&b), 0);
        CU_ASSERT_EQUAL(buf_puts(&b, "12345678"), 0);
        CU_ASSERT_STRING_EQUAL(buf_str(&b), "12345678");
        buf_free(&b);
}

static void test_steal(void)
{
        struct buf b;
        char *s = NULL;
        size_t n = 0;

        /* never allocated: a new "" */
        buf_init(&b, 0, 100);
        CU_ASSERT_EQUAL(buf_steal(&b, &s, &n), 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_EQUAL(n, 0);
        CU_ASSERT_EQUAL(s[0], '\0');
        free(s);

        /* bytes with a NUL among them: all given, and a NUL after */
        CU_ASSERT_EQUAL(buf_append(&b, "a\0b", 3), 0);
        CU_ASSERT_EQUAL(buf_steal(&b, &s, &n), 0);
        CU_ASSERT_EQUAL(n, 3);
        CU_ASSERT_EQUAL(memcmp(s, "a\0b", 4), 0);
        /* b is empty and reusable; s is no longer its own */
        CU_ASSERT_EQUAL(buf_len(&b), 0);
        CU_ASSERT_PTR_NULL(buf_ptr(&b));
        CU_ASSERT_EQUAL(buf_puts(&b, "next"), 0);
        CU_ASSERT_TRUE(buf_ptr(&b) != s);
        free(s);
        buf_reset(&b);
        CU_ASSERT_EQUAL(buf_len(&b), 0);
        CU_ASSERT_PTR_NOT_NULL(buf_ptr(&b));   /* the allocation is kept */
        CU_ASSERT_EQUAL(buf_puts(&b, "xy"), 0);
        CU_ASSERT_EQUAL(buf_steal(&b, &s, &n), 0);
        CU_ASSERT_STRING_EQUAL(s, "xy");
        free(s);
        buf_free(&b);
        buf_free(NULL);
}

/* Lent storage: used first, copied to the heap when outgrown, copied out exactly by steal. */
static void test_lent(void)
{
        char stack[8];
        struct buf b;
        char *s = NULL;
        size_t n = 0;

        buf_init_lent(&b, stack, sizeof(stack), 1000);
        CU_ASSERT_EQUAL(buf_puts(&b, "1234567"), 0);   /* 7 and the NUL's byte */
        CU_ASSERT_PTR_EQUAL(buf_ptr(&b), stack);
        CU_ASSERT_EQUAL(buf_steal(&b, &s, &n), 0);
        CU_ASSERT_TRUE(s != stack);
        CU_ASSERT_STRING_EQUAL(s, "1234567");
        free(s);
        CU_ASSERT_PTR_EQUAL(buf_ptr(&b), stack);       /* back to the storage */
        CU_ASSERT_EQUAL(buf_puts(&b, "12345678"), 0);
        CU_ASSERT_TRUE(buf_ptr(&b) != stack);
        CU_ASSERT_EQUAL(b.alloc, 16);                  /* doubled from the storage's size */
        CU_ASSERT_STRING_EQUAL(buf_str(&b), "12345678");
        buf_free(&b);
        CU_ASSERT_PTR_EQUAL(buf_ptr(&b), stack);

        /* storage larger than the cap: the cap still holds */
        buf_init_lent(&b, stack, sizeof(stack), 3);
        CU_ASSERT_EQUAL(buf_puts(&b, "abc"), 0);
        CU_ASSERT_EQUAL(buf_puts(&b, "d"), -E2BIG);
        buf_reset(&b);
        CU_ASSERT_EQUAL(buf_puts(&b, "abc"), 0);
        CU_ASSERT_PTR_EQUAL(buf_ptr(&b), stack);
        buf_free(&b);
}

static void test_zero_length(void)
{
        struct buf b;

        buf_init(&b, 0, 16);
        CU_ASSERT_EQUAL(buf_append(&b, NULL, 0), 0);
        CU_ASSERT_EQUAL(buf_puts(&b, ""), 0);
        CU_ASSERT_EQUAL(buf_printf(&b, "%s", ""), 0);
        CU_ASSERT_EQUAL(buf_len(&b), 0);
        CU_ASSERT_STRING_EQUAL(buf_str(&b), "");
        CU_ASSERT_EQUAL(buf_puts(&b, "a"), 0);
        CU_ASSERT_EQUAL(buf_append(&b, NULL, 0), 0);
        CU_ASSERT_EQUAL(buf_len(&b), 1);
        buf_free(&b);
}

/* Many small appends across many doublings: every byte where it belongs; the allocation at most
 * twice what is held (but never below the first), and the last step clamped to the cap. */
static void test_growth(void)
{
        enum { CAP = 100000 };
        struct buf b;
        char *s = NULL;
        size_t n = 0;

        bool ok = true;
        buf_init(&b, 16, CAP);
        for (size_t i = 0; i < CAP && ok; i++) {
                char c = (char) ('a' + i % 26);
                ok = buf_append(&b, &c, 1) == 0 && b.alloc > b.len && (b.alloc <= 16 || b.alloc <= 2 * (b.len + 1));
        }
        CU_ASSERT_TRUE(ok);
        CU_ASSERT_EQUAL(b.alloc, CAP + 1);
        CU_ASSERT_EQUAL(buf_append(&b, "x", 1), -E2BIG);
        buf_reset(&b);
        for (size_t i = 0; i < CAP && ok; i++) {
                char c = (char) ('a' + i % 26);
                ok = buf_append(&b, &c, 1) == 0;
        }
        CU_ASSERT_TRUE(ok);
        CU_ASSERT_EQUAL(buf_steal(&b, &s, &n), 0);
        CU_ASSERT_EQUAL_FATAL(n, CAP);
        bool same = true;
        for (size_t i = 0; i < CAP; i++)
                same = same && s[i] == (char) ('a' + i % 26);
        CU_ASSERT_TRUE(same);
        CU_ASSERT_EQUAL(s[CAP], '\0');
        free(s);

        /* printf: fits in the room, or formatted again after growing */
        buf_init(&b, 4, 64);
        CU_ASSERT_EQUAL(buf_printf(&b, "%d", 12), 0);
        CU_ASSERT_EQUAL(buf_printf(&b, "-%s-%05d", "abcdefghij", 42), 0);
        CU_ASSERT_STRING_EQUAL(buf_str(&b), "12-abcdefghij-00042");
        char big[80];
        memset(big, 'q', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        CU_ASSERT_EQUAL(buf_printf(&b, "%s", big), -E2BIG);
        buf_free(&b);
}

/* A length no allocation could hold: refused by the cap check, which cannot overflow.  (Through
 * volatile, or the compiler rightly sees a copy past `c` on a path that is never taken.) */
static void test_overflow_n(void)
{
        static volatile size_t max = SIZE_MAX, mib = 1u << 20;
        struct buf b;
        char c = 'x';

        buf_init(&b, 0, SIZE_MAX - 1);
        CU_ASSERT_EQUAL(buf_append(&b, "ab", 2), 0);
        CU_ASSERT_EQUAL(buf_append(&b, &c, max), -E2BIG);
        buf_reset(&b);
        CU_ASSERT_EQUAL(buf_append(&b, "a", 1), 0);
        CU_ASSERT_EQUAL(buf_append(&b, &c, max - 1), -E2BIG);   /* the cap itself, with 1 byte held */
        buf_free(&b);

        buf_init(&b, 0, mib);
        CU_ASSERT_EQUAL(buf_append(&b, "ab", 2), 0);
        CU_ASSERT_EQUAL(buf_append(&b, &c, max), -E2BIG);
        buf_reset(&b);
        CU_ASSERT_EQUAL(buf_append(&b, "ab", 2), 0);
        CU_ASSERT_EQUAL(buf_append(&b, &c, max - 1), -E2BIG);
        buf_reset(&b);
        CU_ASSERT_EQUAL(buf_append(&b, &c, mib + 1), -E2BIG);
        buf_free(&b);
}

static const struct cu_test TESTS[] = {
        { "the cap exactly, and one byte over", test_cap },
        { "the error is sticky", test_sticky },
        { "steal hands over the bytes and a NUL", test_steal },
        { "lent storage", test_lent },
        { "zero-length appends", test_zero_length },
        { "growth across many appends", test_growth },
        { "overflow-sized n", test_overflow_n },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = { { "buf", TESTS } };

CU_MAIN(SUITES)
