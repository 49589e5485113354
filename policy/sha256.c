/* SHA-256 through libcrypto's low-level SHA256_* functions: see sha256.h.  Checked against the
 * NIST test vectors in tests/unit/test_sha256.c.
 *
 * Not EVP: OpenSSL 3 deprecates these functions but keeps them, and they run the same SHA-NI code
 * without what EVP's first use costs, about 3 ms at every start (OPENSSL_init_crypto reading
 * openssl.cnf, the default provider's algorithm tables, the fetch), all before the policy digest
 * and so before the first decision.  A fingerprint needs none of that.  They neither allocate nor
 * take a lock. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "policy/sha256.h"

#include <errno.h>
#include <openssl/sha.h>

int sha256_hex(const void *data, size_t len, char ret_hex[SHA256_HEX_SIZE])
{
        static const char digits[] = "0123456789abcdef";
        unsigned char d[SHA256_DIGEST_LENGTH];
        SHA256_CTX c;

        ret_hex[0] = '\0';
        if (!SHA256_Init(&c) || !SHA256_Update(&c, data, len) || !SHA256_Final(d, &c))
                return -EIO;
        for (size_t i = 0; i < sizeof(d); i++) {
                ret_hex[2 * i] = digits[d[i] >> 4];
                ret_hex[2 * i + 1] = digits[d[i] & 15];
        }
        ret_hex[64] = '\0';
        return 0;
}
