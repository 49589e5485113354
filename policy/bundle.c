/* Signed policy bundles: see bundle.h. */
#include "policy/bundle.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "policy/base64.h"

#define SIGNATURE_BYTES 64
#define DOMAIN "arandu-authz bundle 1\n"

__attribute__((format(printf, 3, 4)))
static int fail(struct bundle_error *err, int r, const char *fmt, ...)
{
        va_list ap;

        if (err) {
                va_start(ap, fmt);
                (void) vsnprintf(err->text, sizeof(err->text), fmt, ap);
                va_end(ap);
        }
        return r;
}

/* The signed message: the domain, the serial, the policy's bytes.  A new buffer. */
static unsigned char *message(uint64_t serial, const char *policy, size_t len, size_t *ret_len)
{
        char head[sizeof(DOMAIN) + 24];
        int n = snprintf(head, sizeof(head), DOMAIN "%" PRIu64 "\n", serial);
        unsigned char *m;

        if (n < 0 || (size_t) n >= sizeof(head) || len > SIZE_MAX - (size_t) n)
                return NULL;
        m = malloc((size_t) n + len + 1);
        if (!m)
                return NULL;
        memcpy(m, head, (size_t) n);
        memcpy(m + n, policy, len);
        *ret_len = (size_t) n + len;
        return m;
}

static bool is_ed25519(EVP_PKEY *key)
{
        return key && EVP_PKEY_id(key) == EVP_PKEY_ED25519;
}

void bundle_clear(struct bundle *b)
{
        if (!b)
                return;
        free(b->policy);
        *b = (struct bundle) { 0 };
}

int bundle_open(const char *text, size_t len, EVP_PKEY *key, struct bundle *ret, struct bundle_error *err)
{
        json_t *root = NULL, *v;
        json_error_t je;
        char *policy = NULL, *sig = NULL;
        size_t policy_len = 0, sig_len = 0;
        unsigned char *msg = NULL;
        size_t msg_len = 0;
        uint64_t serial;
        EVP_MD_CTX *ctx = NULL;
        int r;

        if (!is_ed25519(key))
                return fail(err, -EINVAL, "the key is not an Ed25519 key");
        if (len > BUNDLE_MAX_BYTES)
                return fail(err, -EBADMSG, "larger than %u bytes", BUNDLE_MAX_BYTES);
        root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        if (!root) {
                r = fail(err, -EBADMSG, "not JSON: line %d column %d: %s", je.line, je.column, je.text);
                goto done;
        }
        if (!json_is_object(root) || json_object_size(root) != 4) {
                r = fail(err, -EBADMSG, "not a bundle: expected an object with exactly bundle, serial, policy and signature");
                goto done;
        }
        v = json_object_get(root, "bundle");
        if (!json_is_string(v) || strcmp(json_string_value(v), BUNDLE_FORMAT) != 0) {
                r = fail(err, -EBADMSG, "not a bundle of format \"" BUNDLE_FORMAT "\"");
                goto done;
        }
        v = json_object_get(root, "serial");
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            (uint64_t) json_integer_value(v) > BUNDLE_SERIAL_MAX) {
                r = fail(err, -EBADMSG, "serial: expected an integer from 1 to %llu", BUNDLE_SERIAL_MAX);
                goto done;
        }
        serial = (uint64_t) json_integer_value(v);
        v = json_object_get(root, "policy");
        if (!json_is_string(v)) {
                r = fail(err, -EBADMSG, "policy: expected a base64 string");
                goto done;
        }
        r = base64_decode(json_string_value(v), json_string_length(v), &policy, &policy_len);
        if (r < 0) {
                r = r == -ENOMEM ? -ENOMEM : fail(err, -EBADMSG, "policy: not valid base64");
                goto done;
        }
        v = json_object_get(root, "signature");
        if (!json_is_string(v)) {
                r = fail(err, -EBADMSG, "signature: expected a base64 string");
                goto done;
        }
        r = base64_decode(json_string_value(v), json_string_length(v), &sig, &sig_len);
        if (r < 0 || sig_len != SIGNATURE_BYTES) {
                r = r == -ENOMEM ? -ENOMEM : fail(err, -EBADMSG, "signature: not %d bytes of base64", SIGNATURE_BYTES);
                goto done;
        }

        msg = message(serial, policy, policy_len, &msg_len);
        ctx = EVP_MD_CTX_new();
        if (!msg || !ctx) {
                r = -ENOMEM;
                goto done;
        }
        if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) != 1 ||
            EVP_DigestVerify(ctx, (const unsigned char *) sig, sig_len, msg, msg_len) != 1) {
                r = fail(err, -EKEYREJECTED, "the signature of serial %" PRIu64 " does not verify with the key", serial);
                goto done;
        }
        *ret = (struct bundle) { .serial = serial, .policy = policy, .policy_len = policy_len };
        policy = NULL;
        r = 0;
done:
        ERR_clear_error();
        EVP_MD_CTX_free(ctx);
        free(msg);
        free(sig);
        free(policy);
        json_decref(root);
        return r;
}

/* Standard base64 with padding, NUL-terminated, in a new buffer. */
static char *base64_encode(const unsigned char *in, size_t len)
{
        size_t out_len = 4 * ((len + 2) / 3) + 1;
        char *out;

        if (len > INT32_MAX)
                return NULL;
        out = malloc(out_len);
        if (out)
                (void) EVP_EncodeBlock((unsigned char *) out, in, (int) len);
        return out;
}

int bundle_sign(const char *policy, size_t len, uint64_t serial, EVP_PKEY *key, char **ret, size_t *ret_len)
{
        unsigned char sig[SIGNATURE_BYTES];
        size_t sig_len = sizeof(sig), msg_len = 0;
        unsigned char *msg = NULL;
        char *p64 = NULL, *s64 = NULL, *out = NULL;
        EVP_MD_CTX *ctx = NULL;
        int r = -ENOMEM;

        if (!is_ed25519(key) || serial < 1 || serial > BUNDLE_SERIAL_MAX || len > BUNDLE_MAX_BYTES / 2)
                return -EINVAL;
        msg = message(serial, policy, len, &msg_len);
        ctx = EVP_MD_CTX_new();
        if (!msg || !ctx)
                goto done;
        if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
            EVP_DigestSign(ctx, sig, &sig_len, msg, msg_len) != 1 || sig_len != SIGNATURE_BYTES) {
                r = -EINVAL;   /* a public key only */
                goto done;
        }
        p64 = base64_encode((const unsigned char *) policy, len);
        s64 = base64_encode(sig, sig_len);
        if (!p64 || !s64)
                goto done;
        size_t n = strlen(p64) + strlen(s64) + 128;
        out = malloc(n);
        if (!out)
                goto done;
        int w = snprintf(out, n, "{\"bundle\":\"" BUNDLE_FORMAT "\",\"serial\":%" PRIu64
                         ",\"policy\":\"%s\",\"signature\":\"%s\"}\n", serial, p64, s64);
        if (w < 0 || (size_t) w >= n) {
                free(out);
                out = NULL;
                r = -EINVAL;
                goto done;
        }
        *ret = out;
        *ret_len = (size_t) w;
        out = NULL;
        r = 0;
done:
        ERR_clear_error();
        EVP_MD_CTX_free(ctx);
        free(msg);
        free(p64);
        free(s64);
        return r;
}

int bundle_key_load(const char *path, bool private, EVP_PKEY **ret, struct bundle_error *err)
{
        EVP_PKEY *key = NULL;
        FILE *f = fopen(path, "re");

        if (!f) {
                int e = errno;
                return fail(err, -e, "cannot open %s: %s", path, strerror(e));
        }
        if (!private)
                key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
        if (!key) {
                rewind(f);
                key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        }
        (void) fclose(f);
        ERR_clear_error();
        if (!key)
                return fail(err, -EBADMSG, "%s holds no PEM %s key", path, private ? "private" : "public or private");
        if (!is_ed25519(key)) {
                EVP_PKEY_free(key);
                return fail(err, -EBADMSG, "%s is not an Ed25519 key", path);
        }
        *ret = key;
        return 0;
}

int bundle_keygen(EVP_PKEY **ret)
{
        EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

        ERR_clear_error();
        if (!key)
                return -ENOMEM;
        *ret = key;
        return 0;
}
