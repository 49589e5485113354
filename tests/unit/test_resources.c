/* Unit tests for the helpers of policy/resources.c: canonical ids, capability names, and the
 * units used in messages. */
#include <stdint.h>
#include <string.h>

#include "policy/eval.h"
#include "policy/checks.h"
#include "tests/unit/cutest.h"

struct id_case {
        const char *s;
        size_t len;          /* (size_t) -1: strlen */
        uint64_t max;
        bool ok;
        uint64_t value;
};

#define ALL ((size_t) -1)

static const struct id_case id_cases[] = {
        { "0", ALL, UINT32_MAX, true, 0 },
        { "1", ALL, UINT32_MAX, true, 1 },
        { "1000", ALL, UINT32_MAX, true, 1000 },
        { "4294967295", ALL, UINT32_MAX, true, UINT32_MAX },
        { "4294967296", ALL, UINT32_MAX, false, 0 },
        { "4294968296", ALL, UINT32_MAX, false, 0 },      /* 1000 + 2^32: no wrap-around */
        { "2147483647", ALL, INT32_MAX, true, INT32_MAX },
        { "2147483648", ALL, INT32_MAX, false, 0 },
        { "18446744073709551615", ALL, UINT64_MAX, true, UINT64_MAX },
        { "18446744073709551616", ALL, UINT64_MAX, false, 0 },
        { "99999999999999999999", ALL, UINT64_MAX, false, 0 },
        { "100000000000000000000", ALL, UINT64_MAX, false, 0 },
        { "", ALL, UINT32_MAX, false, 0 },
        { "00", ALL, UINT32_MAX, false, 0 },
        { "01", ALL, UINT32_MAX, false, 0 },
        { "01000", ALL, UINT32_MAX, false, 0 },
        { "+1", ALL, UINT32_MAX, false, 0 },
        { "-1", ALL, UINT32_MAX, false, 0 },
        { "-0", ALL, UINT32_MAX, false, 0 },
        { " 1", ALL, UINT32_MAX, false, 0 },
        { "1 ", ALL, UINT32_MAX, false, 0 },
        { "1a", ALL, UINT32_MAX, false, 0 },
        { "0x10", ALL, UINT32_MAX, false, 0 },
        { "1e3", ALL, UINT32_MAX, false, 0 },
        { "\xd9\xa1", ALL, UINT32_MAX, false, 0 },         /* Arabic-Indic digit one */
        { "1000:0", 4, UINT32_MAX, true, 1000 },           /* a prefix, as the user rule uses it */
        { "1000:0", 0, UINT32_MAX, false, 0 },
        { "1000", 5, UINT32_MAX, false, 0 },               /* includes the NUL: not a digit */
};

static void test_canonical_id(void)
{
        for (size_t i = 0; i < sizeof(id_cases) / sizeof(id_cases[0]); i++) {
                const struct id_case *c = &id_cases[i];
                uint64_t v = 12345;
                bool ok = parse_canonical_id(c->s, c->len == ALL ? strlen(c->s) : c->len, c->max, &v);
                CU_ASSERT_EQUAL(ok, c->ok);
                if (c->ok) {
                        CU_ASSERT_EQUAL(v, c->value);
                } else {
                        CU_ASSERT_EQUAL(v, 12345);     /* untouched on failure */
                }
        }
}

static void test_cap_normalise(void)
{
        static const char *const cases[][2] = {
                { "SYS_ADMIN", "SYS_ADMIN" },
                { "sys_admin", "SYS_ADMIN" },
                { "cap_sys_admin", "SYS_ADMIN" },
                { "CAP_SYS_ADMIN", "SYS_ADMIN" },
                { "Cap_Net_Raw", "NET_RAW" },
                { "CAP_", "" },
                { "", "" },
                { "all", "ALL" },
                { "CAP_ALL", "ALL" },
                { "CAP_CAP_X", "CAP_X" },
                { "CA", "CA" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char buf[64];
                cap_normalise(cases[i][0], buf, sizeof(buf));
                CU_ASSERT_STRING_EQUAL(buf, cases[i][1]);
        }
        char small[4];
        cap_normalise("cap_sys_admin", small, sizeof(small));
        CU_ASSERT_STRING_EQUAL(small, "SYS");
}

static void test_format(void)
{
        static const struct {
                int64_t v;
                const char *bytes;
        } b[] = {
                { INT64_C(4) << 30, "4g" }, { INT64_C(1) << 30, "1g" }, { INT64_C(512) << 20, "512m" }, { 1024, "1k" },
                { 1023, "1023" }, { 1536, "1536" }, { 0, "0" }, { -1, "-1" }, { (INT64_C(4) << 30) + 1, "4294967297" },
                { INT64_C(1) << 40, "1024g" }, { INT64_C(3) << 20, "3m" },
        };
        for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
                char buf[32];
                format_bytes(b[i].v, buf, sizeof(buf));
                CU_ASSERT_STRING_EQUAL(buf, b[i].bytes);
        }
        static const struct {
                int64_t v;
                const char *cpus;
        } c[] = {
                { 2000000000, "2" }, { 500000000, "0.5" }, { 1, "0.000000001" }, { 1500000000, "1.5" },
                { 2000000001, "2.000000001" }, { 0, "0" }, { 250000000, "0.25" }, { 100000000000, "100" },
        };
        for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
                char buf[32];
                format_cpus(c[i].v, buf, sizeof(buf));
                CU_ASSERT_STRING_EQUAL(buf, c[i].cpus);
        }
}

static const struct cu_test tests[] = {
        { "parse_canonical_id", test_canonical_id },
        { "cap_normalise", test_cap_normalise },
        { "format_bytes, format_cpus", test_format },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "resources", tests },
};

CU_MAIN(SUITES)
