/* libFuzzer target: the audit line.  The input is read as a recipe for one case (a request_info, a
 * decision, dry-run or not, a latency and a time: string lengths, raw bytes, escape and UTF-8
 * tokens), as tests/unit/test_audit.c's pseudo-random cases are; audit_format_line must give byte
 * for byte what the jansson formatter it replaced gave, one line ending in '\n' and a NUL that
 * parses as a JSON object, or fail as that formatter failed (a time that is not valid UTF-8).
 *
 * The reference formatter, the case builder and the comparison are those of the unit test
 * (tests/fuzz/audit_diff.h), so the two cannot drift apart.  Seeds: tests/fuzz/corpus/audit. */
#include "tests/fuzz/audit_diff.h"

#include "tests/fuzz/fuzz.h"

FUZZ_INITIALIZE()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct audit_case c;
        struct byte_src src = { .data = data, .size = size };
        char *line = NULL, *ref = NULL;

        build_case(&src, &c);
        const char *why = audit_differential(&c, &line, &ref);
        if (why)
                fprintf(stderr, "audit line: %s\n  line:      %s\n  reference: %s\n", why, line ? line : "(none)",
                        ref ? ref : "(none)");
        FUZZ_CHECK(why == NULL);
        free(line);
        free(ref);
        return 0;
}
