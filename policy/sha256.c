/* SHA-256 through libcrypto's EVP interface: see sha256.h.  Checked against the NIST test vectors
 * in tests/unit/test_sha256.c. */
#include "policy/sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>

static const EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

/* Fetched once: OpenSSL 3 would otherwise look the algorithm up, under a lock, on every call. */
static void fetch_md(void)
{
        sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

int sha256_hex(const void *data, size_t len, char ret_hex[SHA256_HEX_SIZE])
{
        static const char digits[] = "0123456789abcdef";
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned n = 0;

        ret_hex[0] = '\0';
        if (pthread_once(&sha256_once, fetch_md) != 0 || !sha256_md)
                return -EIO;
        if (!EVP_Digest(data, len, d, &n, sha256_md, NULL) || n != 32)
                return -EIO;
        for (size_t i = 0; i < n; i++) {
                ret_hex[2 * i] = digits[d[i] >> 4];
                ret_hex[2 * i + 1] = digits[d[i] & 15];
        }
        ret_hex[64] = '\0';
        return 0;
}
