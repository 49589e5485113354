/* Signed policy bundles (policy/bundle.h): what verifies, what is refused and why, the bounds of
 * the serial, key files; and the policy in force from bundles (authz/reload.h): never an older or
 * repeated serial, SIGHUP rebuilds from the bundle with the environment. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "authz/reload.h"
#include "policy/base64.h"
#include "policy/bundle.h"
#include "policy/policy.h"
#include "tests/unit/cutest.h"
#include "tests/unit/testutil.h"

static const char POLICY[] = "{\"memory_limit\": \"2g\"}\n";

static EVP_PKEY *key(void)
{
        EVP_PKEY *k = NULL;
        CU_ASSERT_FATAL(bundle_keygen(&k) == 0);
        return k;
}

static char *sign(EVP_PKEY *k, const char *policy, uint64_t serial)
{
        char *b = NULL;
        size_t len = 0;
        CU_ASSERT_FATAL(bundle_sign(policy, strlen(policy), serial, k, &b, &len) == 0);
        CU_ASSERT(strlen(b) == len);
        return b;
}

/* bundle_open() of `text`: the result, and the reason in *err. */
static int open_text(const char *text, EVP_PKEY *k, struct bundle_error *err)
{
        struct bundle b = { 0 };
        int r = bundle_open(text, strlen(text), k, &b, err);
        bundle_clear(&b);
        return r;
}

/* `text` with the first `from` replaced by `to` (a new string). */
static char *replace(const char *text, const char *from, const char *to)
{
        const char *at = strstr(text, from);
        CU_ASSERT_FATAL(at != NULL);
        size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
        char *out = malloc(n);
        CU_ASSERT_FATAL(out != NULL);
        snprintf(out, n, "%.*s%s%s", (int) (at - text), text, to, at + strlen(from));
        return out;
}

static void test_round_trip(void)
{
        EVP_PKEY *k = key();
        char *text = sign(k, POLICY, 42);
        struct bundle b = { 0 };
        struct bundle_error err;

        CU_ASSERT(bundle_open(text, strlen(text), k, &b, &err) == 0);
        CU_ASSERT(b.serial == 42);
        CU_ASSERT(b.policy_len == strlen(POLICY));
        CU_ASSERT(b.policy && memcmp(b.policy, POLICY, b.policy_len) == 0);
        bundle_clear(&b);
        CU_ASSERT(b.policy == NULL);

        /* verifies with the public half alone */
        char *pem = NULL;
        long pem_len;
        BIO *bio = BIO_new(BIO_s_mem());
        CU_ASSERT_FATAL(bio && PEM_write_bio_PUBKEY(bio, k) == 1);
        pem_len = BIO_get_mem_data(bio, &pem);
        BIO *in = BIO_new_mem_buf(pem, (int) pem_len);
        EVP_PKEY *pub = PEM_read_bio_PUBKEY(in, NULL, NULL, NULL);
        CU_ASSERT_FATAL(pub != NULL);
        CU_ASSERT(open_text(text, pub, &err) == 0);
        /* and a public key cannot sign */
        char *out = NULL;
        size_t out_len;
        CU_ASSERT(bundle_sign(POLICY, strlen(POLICY), 43, pub, &out, &out_len) == -EINVAL);
        BIO_free(in);
        BIO_free(bio);
        EVP_PKEY_free(pub);
        free(text);
        EVP_PKEY_free(k);
}

/* Every part is bound by the signature. */
static void test_tampered(void)
{
        EVP_PKEY *k = key(), *other = key();
        char *text = sign(k, POLICY, 42);
        struct bundle_error err;
        char *t;

        CU_ASSERT(open_text(text, other, &err) == -EKEYREJECTED);
        CU_ASSERT(strstr(err.text, "does not verify") != NULL);

        t = replace(text, "\"serial\":42", "\"serial\":43");
        CU_ASSERT(open_text(t, k, &err) == -EKEYREJECTED);
        free(t);

        /* another policy under the same signature */
        char *p64 = NULL, *q64 = NULL;
        size_t len;
        char *signed2 = sign(k, "{\"memory_limit\": \"4g\"}\n", 42);
        p64 = strstr(text, "\"policy\":\"");
        q64 = strstr(signed2, "\"policy\":\"");
        CU_ASSERT_FATAL(p64 && q64);
        char mine[256], theirs[256];
        len = strcspn(p64 + 10, "\"");
        snprintf(mine, sizeof(mine), "%.*s", (int) len, p64 + 10);
        len = strcspn(q64 + 10, "\"");
        snprintf(theirs, sizeof(theirs), "%.*s", (int) len, q64 + 10);
        t = replace(text, mine, theirs);
        CU_ASSERT(open_text(t, k, &err) == -EKEYREJECTED);
        free(t);
        free(signed2);

        /* one bit of the signature */
        char *sig = strstr(text, "\"signature\":\"") + 13;
        char saved = sig[5];
        sig[5] = sig[5] == 'A' ? 'B' : 'A';
        CU_ASSERT(open_text(text, k, &err) == -EKEYREJECTED);
        sig[5] = saved;
        CU_ASSERT(open_text(text, k, &err) == 0);

        /* truncated anywhere */
        for (size_t n = 0; n < strlen(text) - 2; n += 7) {
                struct bundle b = { 0 };
                CU_ASSERT(bundle_open(text, n, k, &b, &err) == -EBADMSG);
        }
        free(text);
        EVP_PKEY_free(k);
        EVP_PKEY_free(other);
}

static void test_format(void)
{
        EVP_PKEY *k = key();
        char *text = sign(k, POLICY, 42);
        struct bundle_error err;
        static const struct {
                const char *from, *to;
        } bad[] = {
                { "\"serial\":42", "\"serial\":0" },
                { "\"serial\":42", "\"serial\":-42" },
                { "\"serial\":42", "\"serial\":42.0" },
                { "\"serial\":42", "\"serial\":\"42\"" },
                { "\"serial\":42", "\"serial\":9007199254740992" },      /* 2^53 */
                { "\"serial\":42", "\"serial\":42,\"serial\":43" },      /* duplicate */
                { "\"serial\":42", "\"serial\":42,\"extra\":1" },
                { "\"serial\":42,", "" },                                 /* missing */
                { "arandu-authz/1", "arandu-authz/2" },
                { "\"policy\":\"", "\"policy\":\"!" },                    /* not base64 */
                { "\"signature\":\"", "\"signature\":\"AAAA" },           /* 67 bytes */
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *t = replace(text, bad[i].from, bad[i].to);
                int r = open_text(t, k, &err);
                if (r != -EBADMSG)
                        fprintf(stderr, "\n%s -> %s: %d\n", bad[i].from, bad[i].to, r);
                CU_ASSERT(r == -EBADMSG);
                free(t);
        }
        CU_ASSERT(open_text("[]", k, &err) == -EBADMSG);
        CU_ASSERT(open_text("", k, &err) == -EBADMSG);

        /* larger than a bundle can be: refused before it is parsed */
        size_t big = BUNDLE_MAX_BYTES + 1;
        char *huge = malloc(big + 1);
        CU_ASSERT_FATAL(huge != NULL);
        memset(huge, ' ', big);
        huge[big] = '\0';
        struct bundle b = { 0 };
        CU_ASSERT(bundle_open(huge, big, k, &b, &err) == -EBADMSG);
        CU_ASSERT(strstr(err.text, "larger") != NULL);
        free(huge);
        free(text);
        EVP_PKEY_free(k);
}

static void test_serial_bounds(void)
{
        EVP_PKEY *k = key();
        char *out = NULL;
        size_t len;
        struct bundle_error err;

        CU_ASSERT(bundle_sign(POLICY, strlen(POLICY), 0, k, &out, &len) == -EINVAL);
        CU_ASSERT(bundle_sign(POLICY, strlen(POLICY), BUNDLE_SERIAL_MAX + 1, k, &out, &len) == -EINVAL);
        char *one = sign(k, POLICY, 1), *max = sign(k, POLICY, BUNDLE_SERIAL_MAX);
        CU_ASSERT(open_text(one, k, &err) == 0);
        CU_ASSERT(open_text(max, k, &err) == 0);
        free(one);
        free(max);
        EVP_PKEY_free(k);
}

static void test_key_files(void)
{
        char dir[64], priv[128], pub[128], junk[128], rsa_path[128];
        struct bundle_error err;
        EVP_PKEY *k = key(), *got = NULL;
        FILE *f;

        tu_mkdtemp(dir, sizeof(dir));
        tu_path(priv, sizeof(priv), "%s/k.key", dir);
        tu_path(pub, sizeof(pub), "%s/k.pub", dir);
        tu_path(junk, sizeof(junk), "%s/junk", dir);
        tu_path(rsa_path, sizeof(rsa_path), "%s/rsa.pub", dir);
        f = fopen(priv, "w");
        CU_ASSERT_FATAL(f && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1);
        fclose(f);
        f = fopen(pub, "w");
        CU_ASSERT_FATAL(f && PEM_write_PUBKEY(f, k) == 1);
        fclose(f);
        tu_write_file(junk, "not a key\n");
        EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 1024);
        CU_ASSERT_FATAL(rsa != NULL);
        f = fopen(rsa_path, "w");
        CU_ASSERT_FATAL(f && PEM_write_PUBKEY(f, rsa) == 1);
        fclose(f);

        char *text = sign(k, POLICY, 7);
        CU_ASSERT(bundle_key_load(pub, false, &got, &err) == 0);
        CU_ASSERT(open_text(text, got, &err) == 0);
        EVP_PKEY_free(got);
        CU_ASSERT(bundle_key_load(priv, false, &got, &err) == 0);   /* a private key verifies too */
        EVP_PKEY_free(got);
        CU_ASSERT(bundle_key_load(priv, true, &got, &err) == 0);
        EVP_PKEY_free(got);
        CU_ASSERT(bundle_key_load(pub, true, &got, &err) == -EBADMSG);   /* cannot sign with it */
        CU_ASSERT(bundle_key_load(junk, false, &got, &err) == -EBADMSG);
        CU_ASSERT(bundle_key_load(rsa_path, false, &got, &err) == -EBADMSG);
        CU_ASSERT(strstr(err.text, "not an Ed25519 key") != NULL);
        tu_path(junk, sizeof(junk), "%s/missing", dir);
        CU_ASSERT(bundle_key_load(junk, false, &got, &err) == -ENOENT);
        /* an RSA key is no key for a bundle at all */
        CU_ASSERT(open_text(text, rsa, &err) == -EINVAL);

        free(text);
        EVP_PKEY_free(rsa);
        EVP_PKEY_free(k);
        tu_rm_rf(dir);
}

/* ---- the policy in force from bundles ---- */

static const char *env_memory;
static const char *test_env(const char *name)
{
        return strcmp(name, "DOCKER_MEMORY_LIMIT") == 0 ? env_memory : NULL;
}

static struct policy *load(const char *text)
{
        struct policy *p = NULL;
        CU_ASSERT_FATAL(policy_load_text("serial x", text, strlen(text), test_env, &p, NULL) == 0);
        return p;
}

static int hook_calls;
static void count_hook(void *arg)
{
        (*(int *) arg)++;
}

static void test_in_force(void)
{
        struct policy *p, *cur;

        env_memory = NULL;
        CU_ASSERT(policy_current_init(NULL, NULL) == 0);
        CU_ASSERT(policy_current() == NULL);
        CU_ASSERT(policy_current_serial() == 0);
        policy_current_set_why_none("the server is down");
        char why[64];
        policy_current_why_none(why, sizeof(why));
        CU_ASSERT_STRING_EQUAL(why, "the server is down");

        p = load("{\"memory_limit\": \"2g\"}");
        CU_ASSERT(policy_current_set_bundle(p, "{\"memory_limit\": \"2g\"}", 22, 5) == 0);
        policy_unref(p);
        cur = policy_current();
        CU_ASSERT_FATAL(cur != NULL);
        CU_ASSERT(cur->serial == 5);
        CU_ASSERT(cur->memory_limit == 2ull << 30);
        policy_unref(cur);
        policy_current_why_none(why, sizeof(why));
        CU_ASSERT_STRING_EQUAL(why, "");

        /* never the same serial again, never an older one */
        p = load("{\"memory_limit\": \"1g\"}");
        CU_ASSERT(policy_current_set_bundle(p, "{\"memory_limit\": \"1g\"}", 22, 5) == -ESTALE);
        CU_ASSERT(policy_current_set_bundle(p, "{\"memory_limit\": \"1g\"}", 22, 4) == -ESTALE);
        CU_ASSERT(policy_current_serial() == 5);
        CU_ASSERT(policy_current_set_bundle(p, "{\"memory_limit\": \"1g\"}", 22, 6) == 0);
        policy_unref(p);
        CU_ASSERT(policy_current_serial() == 6);

        /* SIGHUP: the bundle's text again, with the environment read anew (here: the process's,
         * which sets no DOCKER_MEMORY_LIMIT) */
        unsetenv("DOCKER_MEMORY_LIMIT");
        CU_ASSERT(policy_reload() == 0);
        cur = policy_current();
        CU_ASSERT_FATAL(cur != NULL);
        CU_ASSERT(cur->serial == 6);
        CU_ASSERT(cur->memory_limit == 1ull << 30);
        policy_unref(cur);
        setenv("DOCKER_MEMORY_LIMIT", "512m", 1);
        CU_ASSERT(policy_reload() == 0);
        cur = policy_current();
        CU_ASSERT(cur && cur->memory_limit == 512ull << 20 && cur->serial == 6);
        policy_unref(cur);
        unsetenv("DOCKER_MEMORY_LIMIT");

        /* the hook (the bundle poller's "ask the server now") runs at each reload, until removed */
        hook_calls = 0;
        policy_current_set_reload_hook(count_hook, &hook_calls);
        CU_ASSERT(policy_reload() == 0);
        CU_ASSERT(hook_calls == 1);
        policy_current_set_reload_hook(NULL, NULL);
        CU_ASSERT(policy_reload() == 0);
        CU_ASSERT(hook_calls == 1);

        policy_current_fini();
        CU_ASSERT(policy_current() == NULL);
        CU_ASSERT(policy_current_serial() == 0);
}

static const struct cu_test TESTS[] = {
        { "sign and open", test_round_trip },
        { "every part is signed", test_tampered },
        { "only the bundle format", test_format },
        { "serial bounds", test_serial_bounds },
        { "key files", test_key_files },
        { "the policy in force from bundles", test_in_force },
        { NULL, NULL },
};

static const struct cu_suite SUITES[] = { { "bundle", TESTS } };

CU_MAIN(SUITES)
