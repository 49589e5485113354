/* Signed policy bundles: one policy for a fleet, published once, never replaced by anything
 * unsigned or older.
 *
 * A bundle is one JSON object:
 *
 *   {"bundle":"arandu-authz/1","serial":42,"policy":"<base64>","signature":"<base64>"}
 *
 * "policy" holds the policy file's bytes exactly as written (base64, so that no re-encoding can
 * change what was signed); "serial" is a positive integer that every new bundle must raise;
 * "signature" is Ed25519 over
 *
 *   "arandu-authz bundle 1\n" SERIAL "\n" POLICY-BYTES
 *
 * so a serial cannot be moved to another policy, nor a policy to another serial.  Nothing else is
 * accepted: unknown or duplicate keys, a serial that is not a plain integer, bad base64 and
 * oversized input are refused before the signature is checked.  Keys are PEM files (PKCS#8 private,
 * SubjectPublicKeyInfo public), as `openssl genpkey -algorithm ed25519` writes them.
 *
 * Verifying says only that the key's holder published these bytes; the policy in them is then
 * loaded and validated as a policy file is (policy_load_text()). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define BUNDLE_FORMAT "arandu-authz/1"
#define BUNDLE_MAX_BYTES (2u << 20)        /* a 1 MiB policy in base64, and the rest */
#define BUNDLE_SERIAL_MAX 9007199254740991ull   /* 2^53 - 1: exact in every JSON reader */

struct bundle {
        uint64_t serial;
        char *policy;                      /* the policy document, NUL-terminated */
        size_t policy_len;
};

/* Why a bundle or key was refused, for the log: one line. */
struct bundle_error {
        char text[256];
};

/* Parse `text` and check its signature with `key` (public or private).  0 with the contents in
 * *ret (bundle_clear() it); -EBADMSG (not a well-formed bundle), -EKEYREJECTED (the signature
 * does not verify with this key) or -ENOMEM, with the reason in *err. */
int bundle_open(const char *text, size_t len, EVP_PKEY *key, struct bundle *ret, struct bundle_error *err);

void bundle_clear(struct bundle *b);

/* Sign `policy` as bundle `serial` (1..BUNDLE_SERIAL_MAX) with the private `key`: the bundle's
 * text, with a final newline, in a new buffer.  0, -EINVAL or -ENOMEM. */
int bundle_sign(const char *policy, size_t len, uint64_t serial, EVP_PKEY *key, char **ret, size_t *ret_len);

/* Load an Ed25519 key from a PEM file: the private key when `private`, else the public key (a
 * private key file is accepted there too).  0, or -errno / -EBADMSG (not an Ed25519 key) with the
 * reason in *err. */
int bundle_key_load(const char *path, bool private, EVP_PKEY **ret, struct bundle_error *err);

/* A new Ed25519 key pair.  0 or -ENOMEM. */
int bundle_keygen(EVP_PKEY **ret);
