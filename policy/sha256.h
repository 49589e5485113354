/* SHA-256, for the audit log's body and policy digests.
 *
 * Through libcrypto (OpenSSL), linked for this alone now that libcurl is loaded at run time: it
 * uses the CPU's SHA instructions, five times faster here than portable C, and the body digest is
 * on the path of every decision.  Its low-level functions, not EVP (sha256.c says why).
 * It fingerprints data; it does not protect it. */
#pragma once

#include <stddef.h>

#define SHA256_HEX_SIZE 65   /* 64 lower-case hex digits and a NUL */

/* The digest of data[0..len) as lower-case hex, NUL-terminated, in ret_hex.  0, or -EIO when
 * libcrypto failed (then ret_hex is ""). */
int sha256_hex(const void *data, size_t len, char ret_hex[SHA256_HEX_SIZE]);
