/* Unit tests for policy/decision: deny until proven allow, bounded violations, the message dockerd
 * shows, and quoting of user-controlled strings. */
#include <string.h>

#include "policy/decision.h"
#include "tests/unit/cutest.h"

static void test_lifecycle(void)
{
        struct decision d;
        memset(&d, 0xa5, sizeof(d));
        decision_init(&d);
        CU_ASSERT_FALSE(d.allow);                /* fail closed from the start */
        CU_ASSERT_FALSE(d.complete);
        CU_ASSERT_FALSE(d.truncated);
        CU_ASSERT_EQUAL(d.n, 0);
        decision_finish(&d);
        CU_ASSERT_TRUE(d.complete);
        CU_ASSERT_TRUE(d.allow);

        decision_init(&d);
        decision_add(&d, RULE_CPU, "x");
        decision_finish(&d);
        CU_ASSERT_FALSE(d.allow);
        CU_ASSERT_TRUE(decision_has(&d, "cpu"));
        CU_ASSERT_FALSE(decision_has(&d, "memory"));
        CU_ASSERT_FALSE(decision_has(&d, "cp"));
        CU_ASSERT_STRING_EQUAL(d.v[0].text, "cpu: x");

        /* a violation recorded after finish still denies */
        decision_init(&d);
        decision_finish(&d);
        decision_add(&d, RULE_ERROR, "late");
        CU_ASSERT_FALSE(d.allow);
}

static void test_truncation(void)
{
        struct decision d;
        decision_init(&d);
        for (int i = 0; i < DECISION_MAX_VIOLATIONS; i++)
                decision_add(&d, RULE_MOUNTS, "bind %d", i);
        CU_ASSERT_FALSE(d.truncated);
        decision_add(&d, RULE_PRIVILEGED, "one too many");
        CU_ASSERT_TRUE(d.truncated);
        CU_ASSERT_EQUAL(d.n, DECISION_MAX_VIOLATIONS);
        decision_finish(&d);
        CU_ASSERT_FALSE(d.allow);

        /* truncated with no violation kept cannot happen, but must deny if it did */
        decision_init(&d);
        d.truncated = true;
        decision_finish(&d);
        CU_ASSERT_FALSE(d.allow);

        /* a long text is cut, terminated */
        char big[VIOLATION_TEXT_MAX * 2];
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        decision_init(&d);
        decision_add(&d, RULE_SHAPE, "%s", big);
        CU_ASSERT_EQUAL(strlen(d.v[0].text), VIOLATION_TEXT_MAX - 1);
        CU_ASSERT_TRUE(strncmp(d.v[0].text, "shape: xxx", 10) == 0);
        /* ... and says so */
        CU_ASSERT_STRING_EQUAL(d.v[0].text + VIOLATION_TEXT_MAX - 4, "...");
        /* one that fits exactly is whole */
        decision_init(&d);
        big[VIOLATION_TEXT_MAX - 1 - strlen("shape: ")] = '\0';
        decision_add(&d, RULE_SHAPE, "%s", big);
        CU_ASSERT_EQUAL(strlen(d.v[0].text), VIOLATION_TEXT_MAX - 1);
        CU_ASSERT_EQUAL(d.v[0].text[VIOLATION_TEXT_MAX - 2], 'x');
}

static void test_message(void)
{
        struct decision d;
        char msg[512];

        decision_init(&d);
        decision_add(&d, RULE_CPU, "a");
        decision_add(&d, RULE_USER, "b");
        decision_add(&d, RULE_CPU, "c");
        decision_finish(&d);
        CU_ASSERT_EQUAL(decision_message(&d, msg, sizeof(msg)), strlen("cpu: a; user: b; cpu: c"));
        CU_ASSERT_STRING_EQUAL(msg, "cpu: a; user: b; cpu: c");

        /* bounded, always terminated */
        char small[6];
        memset(small, 'Z', sizeof(small));
        decision_message(&d, small, sizeof(small));
        CU_ASSERT_STRING_EQUAL(small, "cpu: ");
        char one[1] = { 'Z' };
        decision_message(&d, one, sizeof(one));
        CU_ASSERT_EQUAL(one[0], '\0');
        CU_ASSERT_EQUAL(decision_message(&d, NULL, 0), 0);

        /* allowed */
        decision_init(&d);
        decision_finish(&d);
        decision_message(&d, msg, sizeof(msg));
        CU_ASSERT_STRING_EQUAL(msg, "allowed");

        /* never evaluated to the end, nothing recorded: an error, not an allow */
        decision_init(&d);
        decision_message(&d, msg, sizeof(msg));
        CU_ASSERT_STRING_EQUAL(msg, "error: evaluation did not complete");

        /* evaluated, denied without a violation (cannot happen): still a deny */
        decision_init(&d);
        decision_finish(&d);
        d.allow = false;
        decision_message(&d, msg, sizeof(msg));
        CU_ASSERT_STRING_EQUAL(msg, "denied");

        /* truncated */
        decision_init(&d);
        for (int i = 0; i <= DECISION_MAX_VIOLATIONS; i++)
                decision_add(&d, RULE_MOUNTS, "m");
        decision_finish(&d);
        char big[DECISION_MAX_VIOLATIONS * 16 + 128];
        decision_message(&d, big, sizeof(big));
        CU_ASSERT_TRUE(strncmp(big, "mounts: m; mounts: m", 20) == 0);
        CU_ASSERT_PTR_NULL(strstr(big, "mounts: mounts:"));
        size_t blen = strlen(big), tlen = strlen("; (more violations not shown)");
        CU_ASSERT_TRUE(blen > tlen && strcmp(big + blen - tlen, "; (more violations not shown)") == 0);
}

/* The note that a container must be created again: once, at the end, after the truncation note. */
static void test_recreate(void)
{
        struct decision d;
        char msg[2048];

        decision_init(&d);
        decision_add(&d, RULE_MEMORY, "a");
        decision_add(&d, RULE_USER, "b");
        decision_recreate(&d, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        decision_finish(&d);
        decision_message(&d, msg, sizeof(msg));
        CU_ASSERT_STRING_EQUAL(msg, "memory: a; user: b; the container was created with these settings, which neither a "
                                    "start nor a rename changes: remove it and create it again compliant (docker rm 0123456789ab, "
                                    "docker-py container.remove(), docker compose up --force-recreate)");

        /* after the truncation note; an ID that is not hex is not shown */
        decision_init(&d);
        for (int i = 0; i <= DECISION_MAX_VIOLATIONS; i++)
                decision_add(&d, RULE_MOUNTS, "m");
        decision_recreate(&d, "evil; rm -rf /");
        decision_finish(&d);
        char big[DECISION_MAX_VIOLATIONS * 16 + 512];
        decision_message(&d, big, sizeof(big));
        CU_ASSERT_PTR_NOT_NULL(strstr(big, "; (more violations not shown); the container was created"));
        CU_ASSERT_PTR_NOT_NULL(strstr(big, "(docker rm CONTAINER, "));
        CU_ASSERT_PTR_NULL(strstr(big, "evil"));
        decision_recreate(&d, NULL);
        CU_ASSERT_STRING_EQUAL(d.recreate, "CONTAINER");

        /* no note without a violation, and none after decision_init */
        decision_init(&d);
        decision_recreate(&d, "0123456789abcdef");
        decision_message(&d, msg, sizeof(msg));
        CU_ASSERT_STRING_EQUAL(msg, "error: evaluation did not complete");
        decision_init(&d);
        CU_ASSERT_STRING_EQUAL(d.recreate, "");
}

struct quote_case {
        const char *in;
        size_t max;
        const char *out;
};

static const struct quote_case quote_cases[] = {
        { "abc", 100, "\"abc\"" },
        { "", 100, "\"\"" },
        { "a\"b", 100, "\"a\\\"b\"" },
        { "a\\b", 100, "\"a\\\\b\"" },
        { "a\nb", 100, "\"a\\x0ab\"" },
        { "\x1b[31m", 100, "\"\\x1b[31m\"" },
        { "\x7f", 100, "\"\\x7f\"" },
        { "\xc5\xbf", 100, "\"\\xc5\\xbf\"" },
        { "x; privileged: y", 100, "\"x\\x3b privileged: y\"" },   /* no value forges a violation */
        { "abcdef", 3, "\"abc...\"" },
        { "abc", 3, "\"abc\"" },
};

static void test_quote(void)
{
        char buf[64];
        for (size_t i = 0; i < sizeof(quote_cases) / sizeof(quote_cases[0]); i++) {
                quote_value(quote_cases[i].in, quote_cases[i].max, buf, sizeof(buf));
                CU_ASSERT_STRING_EQUAL(buf, quote_cases[i].out);
        }
        quote_value(NULL, 10, buf, sizeof(buf));
        CU_ASSERT_STRING_EQUAL(buf, "null");

        /* small buffers: never written past, always terminated, cut with "..." */
        for (size_t size = 0; size < 24; size++) {
                char b[32];
                memset(b, 'Z', sizeof(b));
                quote_value("0123456789abcdefghij\n", 1000, b, size);
                for (size_t k = size; k < sizeof(b); k++)
                        CU_ASSERT_EQUAL(b[k], 'Z');
                if (size > 0) {
                        CU_ASSERT_TRUE(memchr(b, '\0', size) != NULL);
                }
                if (size >= 8) {
                        CU_ASSERT_EQUAL(b[0], '"');
                        size_t n = strlen(b);
                        CU_ASSERT_EQUAL(b[n - 1], '"');
                }
        }
}

static const struct cu_test tests[] = {
        { "deny until finished clean", test_lifecycle },
        { "bounded violations and texts", test_truncation },
        { "message: each rule with its text", test_message },
        { "message: the container to create again", test_recreate },
        { "quote_value", test_quote },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = {
        { "decision", tests },
};

CU_MAIN(SUITES)
