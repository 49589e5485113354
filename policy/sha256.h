/* SHA-256 (FIPS 180-4), for the audit log's body and policy digests.
 *
 * Small and dependency-free: libcurl exports no hash, and pulling in libcrypto for one digest of a
 * few kilobytes per request is not worth a second crypto library in the plugin.  Not constant-time
 * and not for keys: it fingerprints data, it does not protect it. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE    65   /* 64 lower-case hex digits and a NUL */

struct sha256 {
        uint32_t h[8];
        uint64_t bytes;           /* total length so far */
        unsigned char block[64];
        size_t fill;              /* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char ret_digest[SHA256_DIGEST_SIZE]);

/* One-shot: the digest of data[0..len) as lower-case hex, NUL-terminated, in ret_hex. */
void sha256_hex(const void *data, size_t len, char ret_hex[SHA256_HEX_SIZE]);
