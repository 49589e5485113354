/* The body targets (fuzz_create, fuzz_exec, fuzz_update): the input is a request body, parsed as
 * dockerd accepts it (eval_parse_body), then judged by one evaluator under two policies: the
 * default one with the fixtures' roots, and one with every opt-in on. */
#pragma once

#include "policy/eval.h"
#include "tests/fuzz/fuzz.h"

typedef void (*fuzz_evaluator)(const struct policy *p, json_t *body, struct decision *d);

static struct policy *fuzz_strict, *fuzz_loose;

static inline void fuzz_body_init(void)
{
        fuzz_strict = fuzz_policy(NULL, NULL);
        fuzz_loose = fuzz_policy_loose();
}

static inline void fuzz_body(const uint8_t *data, size_t size, fuzz_evaluator eval)
{
        static struct decision d;
        const struct policy *pols[2] = { fuzz_strict, fuzz_loose };

        for (int i = 0; i < 2; i++) {
                json_t *body = NULL;
                decision_init(&d);
                if (eval_parse_body((const char *) data, size, "request", &body, &d) < 0) {
                        FUZZ_CHECK(body == NULL && d.n > 0 && !d.allow);
                        fuzz_check_decision(&d);
                        return;   /* the second policy would fail to parse it the same way */
                }
                FUZZ_CHECK(json_is_object(body));
                eval(pols[i], body, &d);
                decision_finish(&d);
                fuzz_check_decision(&d);
                json_decref(body);
        }
}

/* A body target's two entry points, for the evaluator `eval`. */
#define FUZZ_BODY_TARGET(eval)                                                     \
        int LLVMFuzzerInitialize(int *argc, char ***argv)                          \
        {                                                                          \
                (void) argc;                                                       \
                (void) argv;                                                       \
                gojson_init();                                                     \
                fuzz_body_init();                                                  \
                return 0;                                                          \
        }                                                                          \
                                                                                   \
        int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)               \
        {                                                                          \
                fuzz_body(data, size, (eval));                                     \
                return 0;                                                          \
        }
