/* libFuzzer target: path normalisation and routing.  Input: "METHOD\nREQUEST-URI" (without a
 * newline, the whole input is the URI of a POST).  route_parse must either fail cleanly or return
 * a route whose fields are consistent; api_version_compare must be antisymmetric. */
#include <errno.h>

#include "policy/route.h"
#include "tests/fuzz/fuzz.h"

FUZZ_INITIALIZE()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct route rt;
        struct route_error err;
        char *in = fuzz_strndup(data, size);
        const char *method = "POST", *uri = in;
        char *nl = memchr(in, '\n', size);

        if (nl) {
                *nl = '\0';
                method = in;
                uri = nl + 1;
        }
        memset(&err, 0, sizeof(err));
        int r = route_parse(method, uri, &rt, &err);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL || r == -E2BIG);
                FUZZ_CHECK(strnlen(err.text, sizeof(err.text)) < sizeof(err.text));
        } else {
                FUZZ_CHECK(strnlen(rt.path, sizeof(rt.path)) < sizeof(rt.path));
                FUZZ_CHECK(strnlen(rt.param, sizeof(rt.param)) < sizeof(rt.param));
                FUZZ_CHECK(strnlen(rt.method, sizeof(rt.method)) < sizeof(rt.method));
                FUZZ_CHECK(rt.query.n <= QUERY_MAX_PAIRS);
                FUZZ_CHECK((rt.action == ROUTE_UNKNOWN) == (rt.pattern == NULL));
                if (rt.action == ROUTE_DENY)
                        FUZZ_CHECK(rt.rule != NULL && rt.reason != NULL);
                FUZZ_CHECK(route_action_name(rt.action) != NULL);
                if (rt.has_version) {
                        FUZZ_CHECK(strnlen(rt.version, sizeof(rt.version)) < sizeof(rt.version));
                        int a = api_version_compare(rt.version, "1.24");
                        int b = api_version_compare("1.24", rt.version);
                        FUZZ_CHECK((a < 0) == (b > 0) && (a == 0) == (b == 0));
                        FUZZ_CHECK(api_version_compare(rt.version, rt.version) == 0);
                }
        }
        free(in);
        return 0;
}
