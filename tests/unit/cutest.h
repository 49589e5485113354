/* Shared main() for CUnit test programs.
 *
 * Each tests/unit/test_<module>.c defines its suites in a `static const struct cu_suite SUITES[]` and
 * ends with CU_MAIN(SUITES).  The exit status comes from CU_get_number_of_failures(), because
 * CU_basic_run_tests() returns success even when assertions fail; a program that ran no test fails.
 * CU_MAIN's main() first calls gojson_init(), as every program that links the library must
 * (policy/gojson.h); only test_noinit.c, which tests what happens without it, has its own main(). */
#pragma once

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy/gojson.h"

struct cu_test {
        const char *name;
        void (*fn)(void);
};

struct cu_suite {
        const char *name;
        const struct cu_test *tests;   /* terminated by { NULL, NULL } */
};

static inline int cu_run(const struct cu_suite *suites, size_t n)
{
        if (CU_initialize_registry() != CUE_SUCCESS)
                return 2;
        for (size_t i = 0; i < n; i++) {
                CU_pSuite s = CU_add_suite(suites[i].name, NULL, NULL);
                if (!s)
                        return 2;
                for (const struct cu_test *t = suites[i].tests; t->name; t++)
                        if (!CU_add_test(s, t->name, t->fn))
                                return 2;
        }
        CU_basic_set_mode(CU_BRM_NORMAL);
        CU_basic_run_tests();
        unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
        unsigned ran = CU_get_number_of_tests_run();
        unsigned asserts = CU_get_number_of_asserts();
        CU_cleanup_registry();
        if (ran == 0 || asserts == 0) {
                fprintf(stderr, "no tests ran\n");
                return 1;
        }
        return failures ? 1 : 0;
}

#define CU_MAIN(suites) \
        int main(void) { gojson_init(); return cu_run((suites), sizeof(suites) / sizeof((suites)[0])); }
