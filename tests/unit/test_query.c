/* Unit tests for policy/query.c: url.ParseQuery semantics, one table row per case.  Expected
 * results are what Go 1.17+ gives (url.ParseQuery returns an error for ';' and bad escapes), plus
 * our refusal of a decoded NUL byte. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy/query.h"
#include "tests/unit/cutest.h"

#define MAXP 4

struct query_case {
        const char *raw;
        int rc;
        size_t n;
        const char *pairs[MAXP][2];   /* expected key, value, in order */
};

static const struct query_case CASES[] = {
        { NULL,                 0, 0, { { NULL, NULL } } },
        { "",                   0, 0, { { NULL, NULL } } },
        { "&",                  0, 0, { { NULL, NULL } } },
        { "&&&",                0, 0, { { NULL, NULL } } },
        { "a=1",                0, 1, { { "a", "1" } } },
        { "a=1&b=2",            0, 2, { { "a", "1" }, { "b", "2" } } },
        { "&&a=1&&b=2&&",       0, 2, { { "a", "1" }, { "b", "2" } } },
        { "a",                  0, 1, { { "a", "" } } },
        { "a=",                 0, 1, { { "a", "" } } },
        { "=x",                 0, 1, { { "", "x" } } },
        { "=",                  0, 1, { { "", "" } } },
        { "a=b=c",              0, 1, { { "a", "b=c" } } },
        { "a=1&a=2",            0, 2, { { "a", "1" }, { "a", "2" } } },
        { "a+b=c+d",            0, 1, { { "a b", "c d" } } },
        { "a=%2B",              0, 1, { { "a", "+" } } },
        { "%41=%62%63",         0, 1, { { "A", "bc" } } },
        { "a=%26&b",            0, 2, { { "a", "&" }, { "b", "" } } },
        { "a=%3D",              0, 1, { { "a", "=" } } },
        { "a=%3B",              0, 1, { { "a", ";" } } },   /* only a raw ';' is refused */
        { "a=?x/y",             0, 1, { { "a", "?x/y" } } },
        { "k=%e2%82%ac",        0, 1, { { "k", "\xe2\x82\xac" } } },
        { "k=\xc3\xa9",         0, 1, { { "k", "\xc3\xa9" } } },
        { "networkmode=host",   0, 1, { { "networkmode", "host" } } },
        { "A=1",                0, 1, { { "A", "1" } } },
        { "a=1%20%20",          0, 1, { { "a", "1  " } } },
        { "a;b",                -EINVAL, 0, { { NULL, NULL } } },
        { "a=1;b=2",            -EINVAL, 0, { { NULL, NULL } } },
        { "a=1&b=2;",           -EINVAL, 0, { { NULL, NULL } } },
        { ";",                  -EINVAL, 0, { { NULL, NULL } } },
        { "%",                  -EINVAL, 0, { { NULL, NULL } } },
        { "a=%",                -EINVAL, 0, { { NULL, NULL } } },
        { "a=%4",               -EINVAL, 0, { { NULL, NULL } } },
        { "a=%zz",              -EINVAL, 0, { { NULL, NULL } } },
        { "a=%g1",              -EINVAL, 0, { { NULL, NULL } } },
        { "a=%4g",              -EINVAL, 0, { { NULL, NULL } } },
        { "a=1&b=%",            -EINVAL, 0, { { NULL, NULL } } },
        { "%&a=1",              -EINVAL, 0, { { NULL, NULL } } },
        { "a=%00",              -EINVAL, 0, { { NULL, NULL } } },
        { "%00=1",              -EINVAL, 0, { { NULL, NULL } } },
        { "a=none%00host",      -EINVAL, 0, { { NULL, NULL } } },
};

static void test_cases(void)
{
        for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
                const struct query_case *c = &CASES[i];
                static struct query q;
                int rc;

                q.n = 99;
                rc = query_parse(c->raw, &q);
                CU_ASSERT_EQUAL(rc, c->rc);
                CU_ASSERT_EQUAL(q.n, c->n);
                if (rc != c->rc || q.n != c->n) {
                        fprintf(stderr, "case %zu (%s): rc %d n %zu\n", i, c->raw ? c->raw : "NULL", rc, q.n);
                        continue;
                }
                for (size_t j = 0; j < c->n && j < MAXP; j++) {
                        CU_ASSERT_STRING_EQUAL(q.pairs[j].key, c->pairs[j][0]);
                        CU_ASSERT_STRING_EQUAL(q.pairs[j].value, c->pairs[j][1]);
                }
        }
}

static void test_get_count(void)
{
        static struct query q;

        CU_ASSERT_EQUAL(query_parse("a=1&b=&a=2&c&A=3", &q), 0);
        CU_ASSERT_EQUAL(query_count(&q, "a"), 2);
        CU_ASSERT_STRING_EQUAL(query_get(&q, "a"), "1");      /* Values.Get: the first */
        CU_ASSERT_EQUAL(query_count(&q, "b"), 1);
        CU_ASSERT_STRING_EQUAL(query_get(&q, "b"), "");
        CU_ASSERT_STRING_EQUAL(query_get(&q, "c"), "");
        CU_ASSERT_STRING_EQUAL(query_get(&q, "A"), "3");      /* keys are case-sensitive */
        CU_ASSERT_EQUAL(query_count(&q, "A"), 1);
        CU_ASSERT_PTR_NULL(query_get(&q, "d"));
        CU_ASSERT_EQUAL(query_count(&q, "d"), 0);
        CU_ASSERT_PTR_NULL(query_get(&q, ""));
        CU_ASSERT_PTR_NULL(query_get(NULL, "a"));
        CU_ASSERT_PTR_NULL(query_get(&q, NULL));
        CU_ASSERT_EQUAL(query_count(NULL, "a"), 0);

        /* a failed parse leaves nothing to find */
        CU_ASSERT_EQUAL(query_parse("a=1;b=2", &q), -EINVAL);
        CU_ASSERT_PTR_NULL(query_get(&q, "a"));
        CU_ASSERT_EQUAL(query_count(&q, "a"), 0);
}

/* "k0=&k1=&..." with `n` pairs. */
static void make_pairs(char *buf, size_t cap, size_t n)
{
        size_t len = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                int w = snprintf(buf + len, cap - len, "%sk%zu=", i ? "&" : "", i);
                CU_ASSERT_FATAL(w > 0 && (size_t) w < cap - len);
                len += (size_t) w;
        }
}

static void test_pair_cap(void)
{
        static char raw[2048];
        static struct query q;

        make_pairs(raw, sizeof(raw), QUERY_MAX_PAIRS);
        CU_ASSERT_EQUAL(query_parse(raw, &q), 0);
        CU_ASSERT_EQUAL(q.n, QUERY_MAX_PAIRS);
        CU_ASSERT_STRING_EQUAL(q.pairs[QUERY_MAX_PAIRS - 1].key, "k63");

        make_pairs(raw, sizeof(raw), QUERY_MAX_PAIRS + 1);
        CU_ASSERT_EQUAL(query_parse(raw, &q), -E2BIG);
        CU_ASSERT_EQUAL(q.n, 0);

        /* empty segments do not count as pairs */
        memset(raw, '&', 1000);
        memcpy(raw + 1000, "a=1", 4);
        CU_ASSERT_EQUAL(query_parse(raw, &q), 0);
        CU_ASSERT_EQUAL(q.n, 1);
}

static void test_byte_cap(void)
{
        static char raw[QUERY_MAX_BYTES + 16];
        static struct query q;

        /* "a=" + v: storage is "a\0" + v + "\0" = len(v) + 3 */
        memcpy(raw, "a=", 2);
        memset(raw + 2, 'x', QUERY_MAX_BYTES - 3);
        raw[2 + QUERY_MAX_BYTES - 3] = '\0';
        CU_ASSERT_EQUAL(query_parse(raw, &q), 0);
        CU_ASSERT_EQUAL(q.n, 1);
        CU_ASSERT_EQUAL(strlen(q.pairs[0].value), QUERY_MAX_BYTES - 3);

        memset(raw + 2, 'x', QUERY_MAX_BYTES - 2);
        raw[2 + QUERY_MAX_BYTES - 2] = '\0';
        CU_ASSERT_EQUAL(query_parse(raw, &q), -E2BIG);
        CU_ASSERT_EQUAL(q.n, 0);

        /* escapes shrink: 3 raw bytes per stored byte, so a long raw query can still fit */
        for (size_t i = 0; i < 2000; i++)
                memcpy(raw + 2 + 3 * i, "%41", 3);
        raw[2 + 3 * 2000] = '\0';
        CU_ASSERT_EQUAL(query_parse(raw, &q), 0);
        CU_ASSERT_EQUAL(strlen(q.pairs[0].value), 2000);
        CU_ASSERT_EQUAL(q.pairs[0].value[1999], 'A');
}

static const struct cu_test QUERY_TESTS[] = {
        { "ParseQuery table", test_cases },
        { "get and count", test_get_count },
        { "pair cap", test_pair_cap },
        { "byte cap", test_byte_cap },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "query", QUERY_TESTS },
};

CU_MAIN(SUITES)
