/* libFuzzer target: the update evaluator (eval_container_update) over a request body (see fuzz_body.h). */
#include "tests/fuzz/fuzz_body.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void) argc;
        (void) argv;
        fuzz_body_init();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_body(data, size, eval_container_update);
        return 0;
}
