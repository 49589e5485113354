/* SHA-256 against the FIPS 180-4 / NIST example vectors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/sha256.h"
#include "tests/unit/cutest.h"

static void test_vectors(void)
{
        static const struct { const char *in, *out; } v[] = {
                { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
                { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
                { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
                { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                  "klmnopqrlmnopqrsmnopqrstnopqrstu",
                  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
        };
        char hex[SHA256_HEX_SIZE];

        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                CU_ASSERT_EQUAL(sha256_hex(v[i].in, strlen(v[i].in), hex), 0);
                CU_ASSERT_STRING_EQUAL(hex, v[i].out);
        }
}

/* One million 'a': crosses every block boundary case many times. */
static void test_million_a(void)
{
        char *buf = malloc(1000000);
        char hex[SHA256_HEX_SIZE];

        CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
        if (!buf)
                return;
        memset(buf, 'a', 1000000);
        CU_ASSERT_EQUAL(sha256_hex(buf, 1000000, hex), 0);
        CU_ASSERT_STRING_EQUAL(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        free(buf);
}

static const struct cu_test TESTS[] = {
        { "NIST vectors", test_vectors },
        { "one million a", test_million_a },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = { { "sha256", TESTS } };

CU_MAIN(SUITES)
