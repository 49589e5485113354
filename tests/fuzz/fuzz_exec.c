/* libFuzzer target: the exec evaluator (eval_exec_create) over a request body (see fuzz_body.h). */
#include "tests/fuzz/fuzz_body.h"

FUZZ_BODY_TARGET(eval_exec_create)
