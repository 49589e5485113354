/* libFuzzer target: the fast JSON path (policy/jsonscan.c) against jansson, with and without
 * JSON_REJECT_DUPLICATES (see jsonscan_diff.h). */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/jsonscan_diff.h"

FUZZ_INITIALIZE()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *why = jsonscan_disagreement((const char *) data, size, JSON_REJECT_DUPLICATES, NULL);
        if (why)
                fprintf(stderr, "jsonscan: %s\n", why);
        FUZZ_CHECK(why == NULL);
        why = jsonscan_disagreement((const char *) data, size, 0, NULL);
        if (why)
                fprintf(stderr, "jsonscan (duplicates allowed): %s\n", why);
        FUZZ_CHECK(why == NULL);
        return 0;
}
