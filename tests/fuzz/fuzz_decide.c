/* libFuzzer target: the envelope decoder.  The input is a whole AuthZReq envelope as dockerd POSTs
 * it; decide_request decodes it (JSON, base64 body, route, query, body) and decides under the
 * default policy with the fixtures' roots.  The same bytes also go through decide_read_response (the
 * AuthZRes reader) and decide_create_body (a bare body, as `check` reads it).
 * Seeds: tests/fuzz/corpus/decide (the recorded dockerd 20.10.24 envelopes and hand-made ones). */
#include "policy/decide.h"
#include "tests/fuzz/fuzz.h"

static struct policy *policy;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void) argc;
        (void) argv;
        gojson_init();
        policy = fuzz_policy(NULL, NULL);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct decision d;
        struct request_info info;

        decide_request(policy, (const char *) data, size, &d, &info);
        fuzz_check_decision(&d);
        FUZZ_CHECK(strnlen(info.route, sizeof(info.route)) < sizeof(info.route));
        FUZZ_CHECK(strnlen(info.uri, sizeof(info.uri)) < sizeof(info.uri));
        FUZZ_CHECK(strnlen(info.image, sizeof(info.image)) < sizeof(info.image));

        (void) decide_read_response((const char *) data, size, &info);
        FUZZ_CHECK(strnlen(info.method, sizeof(info.method)) < sizeof(info.method));

        decide_create_body(policy, (const char *) data, size, &d, &info);
        fuzz_check_decision(&d);
        return 0;
}
