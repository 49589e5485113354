/* Container names that dockerd could also read as IDs, and whether a start's reference names for
 * good the container dockerd's view showed (policy/names.c). */
#include <stdio.h>
#include <string.h>

#include "policy/decision.h"
#include "policy/eval.h"
#include "tests/unit/cutest.h"

#define ID  "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899"
#define ID2 "abc0000000000000000000000000000000000000000000000000000000000000"

static void test_name_reads_as_id(void)
{
        static const struct { const char *name; bool id; } cases[] = {
                { "ab", true }, { "/ab", true }, { "3f4e5d6c7b8a", true }, { ID, true }, { "/" ID, true },
                { ID "0", false },        /* 65: never a prefix of a 64-character ID */
                { "a", false },           /* dockerd refuses 1-character names */
                { "", false }, { "/", false }, { NULL, false },
                { "AB", false }, { "aB", false },   /* prefixes are matched case-sensitively */
                { "abg", false }, { "ab-c", false }, { "ab_c", false }, { "job-7", false }, { "//ab", false },
                { "e2e-race-d", false }, { "deadbeef", true }, { "cafe", true }, { "face", true }, { "fade1", true },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                bool got = name_reads_as_id(cases[i].name);
                if (got != cases[i].id)
                        fprintf(stderr, "\n  %s: %d\n", cases[i].name ? cases[i].name : "(null)", got);
                CU_ASSERT_EQUAL(got, cases[i].id);
        }
}

static void test_eval_name(void)
{
        struct decision d;

        decision_init(&d);
        eval_container_name("deadbeef", "?name=", &d);
        CU_ASSERT_EQUAL(d.n, 1);
        CU_ASSERT(d.n == 1 && strcmp(d.v[0].rule, "names") == 0 && strstr(d.v[0].text, "\"deadbeef\"") != NULL);
        decision_init(&d);
        eval_container_name("job-7", "?name=", &d);
        eval_container_name(NULL, "?name=", &d);
        eval_container_name("", "?name=", &d);
        CU_ASSERT_EQUAL(d.n, 0);
}

static void test_reference(void)
{
        static const struct {
                const char *ref, *id, *name;
                int rc;
        } cases[] = {
                { ID, ID, "/job", 0 },                          /* the full ID: looked up first */
                { "job", ID, "/job", 0 },                       /* a name that cannot read as an ID */
                { "/job", ID, "/job", 0 },
                { "3f4e", ID, "/job", 0 },                      /* an ID prefix, not the name */
                { "3f4e5d6c7b8a", ID, "/job", 0 },
                { "3f4e5d6c7b8a", ID, "/3f4e5d6c7b8a", 0 },     /* dockerd's own fallback name: its short ID */
                { "3f4e5d6c7b8", ID, "/3f4e5d6c7b8", -EINVAL },      /* under 12: another ID could share it */
                { "abc", ID, "/abc", -EINVAL },                      /* a hex name: gone, it reads as another's prefix */
                { "abc", ID2, "/abc", -EINVAL },                     /* also its own prefix: shorter than 12 */
                { "job", ID, "/away", -EINVAL },                     /* renamed between the look-ups */
                { "3f4f", ID, "/job", -EINVAL },                     /* neither */
                { "parent/alias", ID, "/job", -EINVAL },             /* a link alias */
                { "JOB", ID, "/job", -EINVAL },                      /* names are exact */
                { "job", "3f4e", "/job", -EINVAL },                  /* no full ID in the view */
                { "job", NULL, "/job", -EINVAL },
                { "job", ID, NULL, -EINVAL },
                { "3F4E", ID, "/job", -EINVAL },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char why[300] = "";
                int r = reference_matches(cases[i].ref, cases[i].id, cases[i].name, why, sizeof(why));
                if (r != cases[i].rc)
                        fprintf(stderr, "\n  %s -> %s: %d (%s)\n", cases[i].ref, cases[i].name ? cases[i].name : "(null)", r, why);
                CU_ASSERT_EQUAL(r, cases[i].rc);
                CU_ASSERT(r == 0 || why[0] != '\0');
        }
}

static const struct cu_test TESTS[] = {
        { "names dockerd could read as IDs", test_name_reads_as_id },
        { "the names rule", test_eval_name },
        { "a reference names the judged container", test_reference },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = { { "names", TESTS } };

CU_MAIN(SUITES)
