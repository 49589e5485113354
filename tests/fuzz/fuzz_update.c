/* libFuzzer target: the update evaluator (eval_container_update) over a request body (see fuzz_body.h). */
#include "tests/fuzz/fuzz_body.h"

FUZZ_BODY_TARGET(eval_container_update)
