/* libFuzzer target: query strings, parsed as Go's url.ParseQuery.  Every decoded key and value
 * must lie inside the struct's own buffer, be NUL-terminated, and be found again by query_get. */
#include <errno.h>

#include "policy/query.h"
#include "tests/fuzz/fuzz.h"

FUZZ_INITIALIZE()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct query q;
        char *in = fuzz_strndup(data, size);
        int r = query_parse(in, &q);

        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL || r == -E2BIG);
                FUZZ_CHECK(q.n == 0);
        } else {
                const char *lo = q.buf, *hi = q.buf + sizeof(q.buf);
                FUZZ_CHECK(q.n <= QUERY_MAX_PAIRS);
                for (size_t i = 0; i < q.n; i++) {
                        const char *k = q.pairs[i].key, *v = q.pairs[i].value;
                        FUZZ_CHECK(k >= lo && k < hi && v >= lo && v < hi);
                        FUZZ_CHECK(strnlen(k, (size_t) (hi - k)) < (size_t) (hi - k));
                        FUZZ_CHECK(strnlen(v, (size_t) (hi - v)) < (size_t) (hi - v));
                        FUZZ_CHECK(query_count(&q, k) >= 1);
                        FUZZ_CHECK(query_get(&q, k) != NULL);
                }
        }
        FUZZ_CHECK(query_parse(NULL, &q) == 0 && q.n == 0);
        free(in);
        return 0;
}
