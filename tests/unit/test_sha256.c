/* SHA-256 against the FIPS 180-4 / NIST example vectors, fed whole and in odd-sized pieces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/sha256.h"
#include "tests/unit/cutest.h"

static void hex_of_pieces(const char *data, size_t len, size_t piece, char hex[SHA256_HEX_SIZE])
{
        static const char digits[] = "0123456789abcdef";
        unsigned char d[SHA256_DIGEST_SIZE];
        struct sha256 s;

        sha256_init(&s);
        for (size_t i = 0; i < len; i += piece)
                sha256_update(&s, data + i, len - i < piece ? len - i : piece);
        sha256_final(&s, d);
        for (size_t i = 0; i < sizeof(d); i++) {
                hex[2 * i] = digits[d[i] >> 4];
                hex[2 * i + 1] = digits[d[i] & 15];
        }
        hex[64] = '\0';
}

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
                sha256_hex(v[i].in, strlen(v[i].in), hex);
                CU_ASSERT_STRING_EQUAL(hex, v[i].out);
                for (size_t piece = 1; piece < 70; piece += 3) {
                        hex_of_pieces(v[i].in, strlen(v[i].in), piece, hex);
                        CU_ASSERT_STRING_EQUAL(hex, v[i].out);
                }
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
        sha256_hex(buf, 1000000, hex);
        CU_ASSERT_STRING_EQUAL(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        hex_of_pieces(buf, 1000000, 4093, hex);
        CU_ASSERT_STRING_EQUAL(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        free(buf);
}

static const struct cu_test TESTS[] = {
        { "NIST vectors, whole and in pieces", test_vectors },
        { "one million a", test_million_a },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = { { "sha256", TESTS } };

CU_MAIN(SUITES)
