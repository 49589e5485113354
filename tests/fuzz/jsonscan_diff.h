/* The fast JSON path held to jansson (policy/jsonscan.h), for tests/unit/test_jsonscan.c and
 * tests/fuzz/fuzz_jsonscan.c.  Whenever the fast path answers, jansson must give the same value
 * (same types, same key order: compared as compact dumps); where jansson refuses, the fast path must
 * hand over (JSONSCAN_SLOW). */
#pragma once

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "policy/jsonscan.h"

/* NULL when the two agree on buf[0..len) under `flags`, else what went wrong.  *ret_r: the fast
 * path's answer (to count how much of the input it covered). */
static inline const char *jsonscan_disagreement(const char *buf, size_t len, size_t flags,
                                                enum jsonscan_result *ret_r)
{
        json_t *fast = NULL, *slow;
        json_error_t e;
        const char *why = NULL;

        enum jsonscan_result r = jsonscan_loadb(buf, len, flags, &fast);
        slow = json_loadb(buf, len, flags, &e);
        if (r == JSONSCAN_OK) {
                if (!fast)
                        why = "JSONSCAN_OK without a value";
                else if (!slow)
                        why = "the fast path accepted what jansson refuses";
                else {
                        char *a = json_dumps(fast, JSON_COMPACT), *b = json_dumps(slow, JSON_COMPACT);
                        if (!a || !b)
                                why = "a value could not be dumped";
                        else if (strcmp(a, b) != 0 || !json_equal(fast, slow))
                                why = "the fast path and jansson give different values";
                        free(a);
                        free(b);
                }
        } else if (fast)
                why = "a value came back with a failure";
        else if (r == JSONSCAN_OOM)
                why = "out of memory reported with no allocation failing";
        json_decref(fast);
        json_decref(slow);
        if (ret_r)
                *ret_r = r;
        return why;
}
