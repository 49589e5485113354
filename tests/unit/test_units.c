/* Unit tests for policy/units.c: the strict integer parser, the size and CPU-count scanners and
 * their printed forms, each on both sides of every bound it enforces.  (parse_canonical_id's full
 * table, and the formatters' message forms, are in test_resources.c; parse_memory_size and
 * parse_cpus through the loader in test_config.c.) */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "policy/units.h"
#include "tests/unit/cutest.h"

static void test_parse_int64(void)
{
        static const struct {
                const char *s;
                int64_t min, max;
                int r;
                int64_t v;
        } c[] = {
                /* the range, both sides of each end */
                { "4", 5, 10, -ERANGE, 0 },
                { "5", 5, 10, 0, 5 },
                { "10", 5, 10, 0, 10 },
                { "11", 5, 10, -ERANGE, 0 },
                { "0", 0, 0, 0, 0 },
                { "1", 0, 0, -ERANGE, 0 },
                /* 64 bits: reported, never clamped */
                { "9223372036854775807", 0, INT64_MAX, 0, INT64_MAX },
                { "9223372036854775808", 0, INT64_MAX, -ERANGE, 0 },
                { "99999999999999999999999", 0, INT64_MAX, -ERANGE, 0 },
                /* the first byte must be a digit, whatever min allows */
                { "", INT64_MIN, INT64_MAX, -EINVAL, 0 },
                { "-1", INT64_MIN, INT64_MAX, -EINVAL, 0 },
                { "+1", 0, 10, -EINVAL, 0 },
                { " 1", 0, 10, -EINVAL, 0 },
                { "0x10", 0, 100, -EINVAL, 0 },
                { "x", 0, 10, -EINVAL, 0 },
                /* the whole string, when no end pointer is asked for */
                { "1 ", 0, 10, -EINVAL, 0 },
                { "1k", 0, 10, -EINVAL, 0 },
                { "007", 0, 10, 0, 7 },
        };

        for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
                int64_t v = -42;
                int r = parse_int64(c[i].s, c[i].min, c[i].max, NULL, &v);
                CU_ASSERT_EQUAL(r, c[i].r);
                CU_ASSERT_EQUAL(v, r == 0 ? c[i].v : -42);   /* untouched on failure */
                if (r != c[i].r)
                        fprintf(stderr, "\n  parse_int64(\"%s\") = %d\n", c[i].s, r);
        }
}

static void test_parse_int64_end(void)
{
        const char *s = "512m", *end = NULL;
        int64_t v = 0;

        CU_ASSERT_EQUAL(parse_int64(s, 0, INT64_MAX, &end, &v), 0);
        CU_ASSERT_EQUAL(v, 512);
        CU_ASSERT_PTR_EQUAL(end, s + 3);

        s = "12";
        CU_ASSERT_EQUAL(parse_int64(s, 0, INT64_MAX, &end, &v), 0);
        CU_ASSERT_PTR_EQUAL(end, s + 2);

        /* failures leave both outputs alone */
        end = NULL;
        v = -1;
        CU_ASSERT_EQUAL(parse_int64("20m", 0, 10, &end, &v), -ERANGE);
        CU_ASSERT_EQUAL(parse_int64("m", 0, 10, &end, &v), -EINVAL);
        CU_ASSERT_PTR_NULL(end);
        CU_ASSERT_EQUAL(v, -1);
}

static void test_canonical_id_len(void)
{
        uint64_t v = 0;

        /* only the len bytes count */
        CU_ASSERT_TRUE(parse_canonical_id("1234", 2, UINT64_MAX, &v));
        CU_ASSERT_EQUAL(v, 12);
        CU_ASSERT_FALSE(parse_canonical_id("1234", 0, UINT64_MAX, &v));
        /* max, both sides */
        CU_ASSERT_TRUE(parse_canonical_id("100", 3, 100, &v));
        CU_ASSERT_EQUAL(v, 100);
        CU_ASSERT_FALSE(parse_canonical_id("101", 3, 100, &v));
        CU_ASSERT_EQUAL(v, 100);   /* untouched */
        /* 20 digits at most */
        CU_ASSERT_TRUE(parse_canonical_id("10000000000000000000", 20, UINT64_MAX, &v));
        CU_ASSERT_FALSE(parse_canonical_id("100000000000000000000", 21, UINT64_MAX, &v));
}

static void test_scan_memory_size(void)
{
        static const struct {
                const char *s;
                enum units_status st;
                int64_t v;
        } c[] = {
                { "1", UNITS_OK, 1 },
                { "0", UNITS_NOT_POSITIVE, 0 },
                { "0g", UNITS_NOT_POSITIVE, 0 },
                { "-1", UNITS_NOT_POSITIVE, 0 },
                { "", UNITS_EMPTY, 0 },
                { "1000b", UNITS_OK, 1000 },
                { "1k", UNITS_OK, 1024 },
                { "4G", UNITS_OK, INT64_C(4) << 30 },
                { "1536m", UNITS_OK, INT64_C(1536) << 20 },
                /* the top, in bytes and with each unit */
                { "9223372036854775807", UNITS_OK, INT64_MAX },
                { "9223372036854775808", UNITS_TOO_BIG, 0 },
                { "9223372036854775807b", UNITS_OK, INT64_MAX },
                { "8589934591g", UNITS_OK, INT64_C(8589934591) << 30 },
                { "8589934592g", UNITS_TOO_BIG, 0 },
                { "9007199254740991k", UNITS_OK, INT64_C(9007199254740991) << 10 },
                { "9007199254740992k", UNITS_TOO_BIG, 0 },
                /* syntax */
                { "1.5g", UNITS_FRACTION, 0 },
                { "1.g", UNITS_SYNTAX, 0 },
                { "4gb", UNITS_SYNTAX, 0 },
                { "4 g", UNITS_SYNTAX, 0 },
                { "1t", UNITS_SYNTAX, 0 },
                { "g", UNITS_SYNTAX, 0 },
                { " 4g", UNITS_SYNTAX, 0 },
                { "+4g", UNITS_SYNTAX, 0 },
        };

        for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
                int64_t v = -42;
                enum units_status st = scan_memory_size(c[i].s, &v);
                CU_ASSERT_EQUAL(st, c[i].st);
                CU_ASSERT_EQUAL(v, st == UNITS_OK ? c[i].v : -42);
                if (st != c[i].st)
                        fprintf(stderr, "\n  scan_memory_size(\"%s\") = %d\n", c[i].s, (int) st);
        }
}

static void test_scan_cpus(void)
{
        static const struct {
                const char *s;
                enum units_status st;
                int64_t v;
        } c[] = {
                /* the bottom: one nano-CPU, not zero, not a tenth of one */
                { "0.000000001", UNITS_OK, 1 },
                { "0.0000000001", UNITS_TOO_PRECISE, 0 },
                { "0.000000000", UNITS_NOT_POSITIVE, 0 },
                { "0", UNITS_NOT_POSITIVE, 0 },
                { "-1", UNITS_NOT_POSITIVE, 0 },
                { "-0.5", UNITS_NOT_POSITIVE, 0 },
                /* the top: 1024 CPUs */
                { "1024", UNITS_OK, 1024 * UNITS_NANO_PER_CPU },
                { "1024.000000000", UNITS_OK, 1024 * UNITS_NANO_PER_CPU },
                { "1024.000000001", UNITS_TOO_BIG, 0 },
                { "1025", UNITS_TOO_BIG, 0 },
                { "99999999999999999999999", UNITS_TOO_BIG, 0 },
                /* exact decimals */
                { "0.1", UNITS_OK, 100000000 },
                { ".5", UNITS_OK, 500000000 },
                { "2.", UNITS_OK, 2 * UNITS_NANO_PER_CPU },
                { "1.000000001", UNITS_OK, 1000000001 },
                /* not numbers */
                { "", UNITS_EMPTY, 0 },
                { ".", UNITS_SYNTAX, 0 },
                { "1e3", UNITS_SYNTAX, 0 },
                { " 1", UNITS_SYNTAX, 0 },
                { "1,5", UNITS_SYNTAX, 0 },
                { "nan", UNITS_NOT_FINITE, 0 },
                { "-Infinity", UNITS_NOT_FINITE, 0 },
        };

        for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
                int64_t v = -42;
                enum units_status st = scan_cpus(c[i].s, &v);
                CU_ASSERT_EQUAL(st, c[i].st);
                CU_ASSERT_EQUAL(v, st == UNITS_OK ? c[i].v : -42);
                if (st != c[i].st)
                        fprintf(stderr, "\n  scan_cpus(\"%s\") = %d\n", c[i].s, (int) st);
        }
}

static void test_scan_cpus_real(void)
{
        static const struct {
                double d;
                enum units_status st;
                int64_t v;
        } c[] = {
                { 1e-9, UNITS_OK, 1 },
                { 1e-10, UNITS_TOO_PRECISE, 0 },
                { 0.1, UNITS_OK, 100000000 },
                { 2.5, UNITS_OK, 2500000000 },
                { 0.1234567891, UNITS_TOO_PRECISE, 0 },
                { 1024.0, UNITS_OK, 1024 * UNITS_NANO_PER_CPU },
                { 1024.5, UNITS_TOO_BIG, 0 },
                { 0.0, UNITS_NOT_POSITIVE, 0 },
                { -1.0, UNITS_NOT_POSITIVE, 0 },
                { INFINITY, UNITS_NOT_FINITE, 0 },
                { NAN, UNITS_NOT_FINITE, 0 },
        };

        for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
                int64_t v = -42;
                enum units_status st = scan_cpus_real(c[i].d, &v);
                CU_ASSERT_EQUAL(st, c[i].st);
                if (st == UNITS_OK)
                        CU_ASSERT_EQUAL(v, c[i].v);
                if (st != c[i].st)
                        fprintf(stderr, "\n  scan_cpus_real(%.17g) = %d\n", c[i].d, (int) st);
        }
}

static void test_parse_wrappers(void)
{
        int64_t v = -42;

        CU_ASSERT_EQUAL(parse_memory_size("1k", &v), 0);
        CU_ASSERT_EQUAL(v, 1024);
        CU_ASSERT_EQUAL(parse_memory_size("0", &v), -EINVAL);
        CU_ASSERT_EQUAL(parse_memory_size(NULL, &v), -EINVAL);
        CU_ASSERT_EQUAL(v, 1024);
        CU_ASSERT_EQUAL(parse_cpus("0.5", &v), 0);
        CU_ASSERT_EQUAL(v, 500000000);
        CU_ASSERT_EQUAL(parse_cpus("1025", &v), -EINVAL);
        CU_ASSERT_EQUAL(parse_cpus(NULL, &v), -EINVAL);
        CU_ASSERT_EQUAL(v, 500000000);
}

static void test_format_bounds(void)
{
        static const struct {
                int64_t v;
                const char *s;
        } b[] = {
                { 1023, "1023" }, { 1024, "1k" }, { 1025, "1025" },
                { (INT64_C(1) << 20) - 1024, "1023k" }, { INT64_C(1) << 20, "1m" },
                { (INT64_C(1) << 30) - (INT64_C(1) << 20), "1023m" }, { INT64_C(1) << 30, "1g" },
                { INT64_C(1) << 62, "4294967296g" },
                { INT64_MAX, "9223372036854775807" }, { 1, "1" }, { 0, "0" }, { -1024, "-1024" },
                { INT64_MIN, "-9223372036854775808" },
        }, c[] = {
                { 999999999, "0.999999999" }, { 1000000000, "1" }, { 1000000001, "1.000000001" },
                { 1, "0.000000001" }, { 0, "0" }, { -1, "-1" }, { 1100000000, "1.1" },
                { INT64_MAX, "9223372036.854775807" },
        };
        char buf[32];

        for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
                format_bytes(b[i].v, buf, sizeof(buf));
                CU_ASSERT_STRING_EQUAL(buf, b[i].s);
        }
        for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
                format_cpus(c[i].v, buf, sizeof(buf));
                CU_ASSERT_STRING_EQUAL(buf, c[i].s);
        }
        /* a short buffer cuts, NUL-terminated; size 0 writes nothing */
        format_bytes(INT64_C(4) << 30, buf, 2);
        CU_ASSERT_STRING_EQUAL(buf, "4");
        format_cpus(500000000, buf, 3);
        CU_ASSERT_STRING_EQUAL(buf, "0.");
        memcpy(buf, "xyz", 4);
        format_bytes(1024, buf, 0);
        format_cpus(1, buf, 0);
        CU_ASSERT_STRING_EQUAL(buf, "xyz");
}

static const struct cu_test TESTS[] = {
        { "parse_int64", test_parse_int64 },
        { "parse_int64 end pointer", test_parse_int64_end },
        { "parse_canonical_id length and max", test_canonical_id_len },
        { "scan_memory_size", test_scan_memory_size },
        { "scan_cpus", test_scan_cpus },
        { "scan_cpus_real", test_scan_cpus_real },
        { "parse_memory_size, parse_cpus", test_parse_wrappers },
        { "format_bytes, format_cpus bounds", test_format_bounds },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = { { "units", TESTS } };

CU_MAIN(SUITES)
