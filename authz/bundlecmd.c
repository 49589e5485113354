/* `arandu-authz bundle keygen|sign|verify`: make and check signed policy bundles (policy/bundle.h).
 *
 * The policy inside is validated as `serve` will validate it, but without this machine's
 * environment: a bundle is for other hosts, whose variables are theirs. */
#include "authz/bundlecmd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "authz/cleanup.h"
#include "authz/fileio.h"
#include "policy/bundle.h"
#include "policy/policy.h"
#include "policy/units.h"

#define PROG "arandu-authz"
#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EX_CONFIG 78

static void usage(FILE *out)
{
        (void) fprintf(out,
                "usage: " PROG " bundle keygen PREFIX\n"
                "       " PROG " bundle sign --key PREFIX.key --serial N [-o BUNDLE] POLICY\n"
                "       " PROG " bundle verify --key PREFIX.pub [--after N] BUNDLE\n"
                "\n"
                "keygen  writes a new Ed25519 key pair: PREFIX.key (private, 0600) and PREFIX.pub\n"
                "sign    signs the policy file POLICY as bundle serial N (1 to 2^53-1; every new\n"
                "        bundle needs a higher one, e.g. $(date +%%s)); -o writes BUNDLE atomically,\n"
                "        else standard output.  An invalid policy is not signed.\n"
                "verify  checks BUNDLE (- for standard input) as serve does: format, signature,\n"
                "        the policy inside; --after N also refuses a serial not above N.\n"
                "\n"
                "Exit status: 0 done or valid, 1 refused (format, signature, serial), 2 bad usage or\n"
                "unreadable file, 78 the policy inside is invalid.\n");
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
        va_list ap;

        (void) fprintf(stderr, PROG " bundle: ");
        va_start(ap, fmt);
        (void) vfprintf(stderr, fmt, ap);
        va_end(ap);
        (void) fprintf(stderr, "\n");
        usage(stderr);
        return EXIT_USAGE;
}

static const char *no_env(const char *name)
{
        (void) name;
        return NULL;
}

/* Validate a policy document; print its problems.  0, or EX_CONFIG. */
static int validate(const char *name, const char *text, size_t len, char sha256[65])
{
        struct policy_problems *pr = calloc(1, sizeof(*pr));
        struct policy *p = NULL;
        int r;

        if (!pr) {
                (void) fprintf(stderr, PROG " bundle: out of memory\n");
                return EXIT_FAILURE;
        }
        r = policy_load_text(name, text, len, no_env, &p, pr);
        size_t nw = pr->n_warnings < POLICY_PROBLEMS_MAX ? pr->n_warnings : POLICY_PROBLEMS_MAX;
        size_t ne = pr->n_errors < POLICY_PROBLEMS_MAX ? pr->n_errors : POLICY_PROBLEMS_MAX;
        for (size_t i = 0; i < nw; i++)
                (void) fprintf(stderr, PROG " bundle: warning: %s\n", pr->warnings[i]);
        for (size_t i = 0; i < ne; i++)
                (void) fprintf(stderr, PROG " bundle: %s\n", pr->errors[i]);
        free(pr);
        if (r < 0)
                return r == -ENOMEM ? EXIT_FAILURE : EX_CONFIG;
        if (sha256)
                memcpy(sha256, p->sha256, 65);
        policy_unref(p);
        return 0;
}

static int write_key(const char *path, EVP_PKEY *key, bool private)
{
        /* A new file only: an existing key is never overwritten. */
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, private ? 0600 : 0644);
        FILE *f;
        int ok;

        if (fd < 0) {
                (void) fprintf(stderr, PROG " bundle keygen: %s: %s\n", path, strerror(errno));
                return -1;
        }
        f = fdopen(fd, "w");
        if (!f) {
                close(fd);
                (void) unlink(path);
                return -1;
        }
        ok = private ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_PUBKEY(f, key);
        if (fflush(f) != 0 || fsync(fileno(f)) != 0)
                ok = 0;
        if (fclose(f) != 0)
                ok = 0;
        if (ok != 1) {
                (void) fprintf(stderr, PROG " bundle keygen: cannot write %s\n", path);
                (void) unlink(path);
                return -1;
        }
        return 0;
}

static int cmd_keygen(int argc, char **argv)
{
        EVP_PKEY *key = NULL;
        char priv[4096], pub[4096];

        if (argc != 2)
                return usage_error("keygen: give one PREFIX");
        if ((size_t) snprintf(priv, sizeof(priv), "%s.key", argv[1]) >= sizeof(priv) ||
            (size_t) snprintf(pub, sizeof(pub), "%s.pub", argv[1]) >= sizeof(pub))
                return usage_error("keygen: PREFIX is too long");
        if (bundle_keygen(&key) < 0) {
                (void) fprintf(stderr, PROG " bundle keygen: cannot make a key\n");
                return EXIT_FAILURE;
        }
        int r = write_key(priv, key, true);
        if (r == 0 && (r = write_key(pub, key, false)) < 0)
                (void) unlink(priv);
        EVP_PKEY_free(key);
        if (r < 0)
                return EXIT_FAILURE;
        (void) printf("wrote %s (private: keep it on the publishing machine only) and %s (for every host)\n",
                      priv, pub);
        return EXIT_SUCCESS;
}

static int cmd_sign(int argc, char **argv)
{
        static const struct option options[] = {
                { "key", required_argument, NULL, 'k' },
                { "serial", required_argument, NULL, 's' },
                { "out", required_argument, NULL, 'o' },
                { NULL, 0, NULL, 0 },
        };
        const char *key_path = NULL, *out_path = NULL;
        _cleanup_free_ char *policy = NULL, *bundle = NULL;
        size_t policy_len = 0, bundle_len = 0;
        struct bundle_error err;
        EVP_PKEY *key = NULL;
        int64_t serial = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "o:", options, NULL)) >= 0)
                switch (c) {
                case 'k':
                        key_path = optarg;
                        break;
                case 's':
                        if (parse_int64(optarg, 1, (int64_t) BUNDLE_SERIAL_MAX, NULL, &serial) < 0)
                                return usage_error("sign: --serial %s is not an integer from 1 to 2^53-1", optarg);
                        break;
                case 'o':
                        out_path = optarg;
                        break;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        if (!key_path || serial == 0 || argc - optind != 1)
                return usage_error("sign: give --key, --serial and one POLICY file");
        r = file_read_all(argv[optind], BUNDLE_MAX_BYTES / 2, &policy, &policy_len);
        if (r < 0) {
                (void) fprintf(stderr, PROG " bundle sign: %s: %s\n", argv[optind],
                               r == -E2BIG ? "larger than 1 MiB" : strerror(-r));
                return EXIT_USAGE;
        }
        char name[32];
        snprintf(name, sizeof(name), "serial %lld", (long long) serial);
        r = validate(name, policy, policy_len, NULL);
        if (r != 0) {
                (void) fprintf(stderr, PROG " bundle sign: %s is not a valid policy; nothing signed\n", argv[optind]);
                return r;
        }
        if (bundle_key_load(key_path, true, &key, &err) < 0) {
                (void) fprintf(stderr, PROG " bundle sign: %s\n", err.text);
                return EXIT_USAGE;
        }
        r = bundle_sign(policy, policy_len, (uint64_t) serial, key, &bundle, &bundle_len);
        EVP_PKEY_free(key);
        if (r < 0) {
                (void) fprintf(stderr, PROG " bundle sign: cannot sign: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }
        if (out_path) {
                r = file_write_atomic(out_path, bundle, bundle_len, 0644);
                if (r < 0) {
                        (void) fprintf(stderr, PROG " bundle sign: %s: %s\n", out_path, strerror(-r));
                        return EXIT_FAILURE;
                }
                (void) fprintf(stderr, "signed %s as serial %lld: %s\n", argv[optind], (long long) serial, out_path);
                return EXIT_SUCCESS;
        }
        if (fwrite(bundle, 1, bundle_len, stdout) != bundle_len || fflush(stdout) != 0)
                return EXIT_FAILURE;
        return EXIT_SUCCESS;
}

static int cmd_verify(int argc, char **argv)
{
        static const struct option options[] = {
                { "key", required_argument, NULL, 'k' },
                { "after", required_argument, NULL, 'a' },
                { NULL, 0, NULL, 0 },
        };
        const char *key_path = NULL;
        _cleanup_free_ char *text = NULL;
        struct bundle b = { 0 };
        struct bundle_error err;
        EVP_PKEY *key = NULL;
        int64_t after = 0;
        size_t len = 0;
        char sha[65];
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'k':
                        key_path = optarg;
                        break;
                case 'a':
                        if (parse_int64(optarg, 0, (int64_t) BUNDLE_SERIAL_MAX, NULL, &after) < 0)
                                return usage_error("verify: --after %s is not an integer from 0 to 2^53-1", optarg);
                        break;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        if (!key_path || argc - optind != 1)
                return usage_error("verify: give --key and one BUNDLE");
        const char *path = argv[optind];
        r = file_read_all(path, BUNDLE_MAX_BYTES + 1, &text, &len);
        if (r < 0) {
                (void) fprintf(stderr, PROG " bundle verify: %s: %s\n", path, strerror(-r));
                return EXIT_USAGE;
        }
        if (bundle_key_load(key_path, false, &key, &err) < 0) {
                (void) fprintf(stderr, PROG " bundle verify: %s\n", err.text);
                return EXIT_USAGE;
        }
        r = bundle_open(text, len, key, &b, &err);
        EVP_PKEY_free(key);
        if (r < 0) {
                (void) fprintf(stderr, PROG " bundle verify: %s: refused: %s\n", path,
                               r == -ENOMEM ? "out of memory" : err.text);
                return EXIT_REFUSED;   /* 1, as EXIT_FAILURE for out of memory */
        }
        if (b.serial <= (uint64_t) after) {
                (void) fprintf(stderr, PROG " bundle verify: %s: refused: serial %llu is not above %lld\n", path,
                               (unsigned long long) b.serial, (long long) after);
                bundle_clear(&b);
                return EXIT_REFUSED;
        }
        char name[32];
        snprintf(name, sizeof(name), "serial %llu", (unsigned long long) b.serial);
        r = validate(name, b.policy, b.policy_len, sha);
        if (r == 0)
                (void) printf("%s: serial %llu, signature good, policy valid (sha256 %s)\n", path,
                              (unsigned long long) b.serial, sha);
        bundle_clear(&b);
        return r;
}

int bundle_main(int argc, char **argv)
{
        if (argc < 2)
                return usage_error("give keygen, sign or verify");
        optind = 1;
        if (strcmp(argv[1], "keygen") == 0)
                return cmd_keygen(argc - 1, argv + 1);
        if (strcmp(argv[1], "sign") == 0)
                return cmd_sign(argc - 1, argv + 1);
        if (strcmp(argv[1], "verify") == 0)
                return cmd_verify(argc - 1, argv + 1);
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                usage(stdout);
                return EXIT_SUCCESS;
        }
        return usage_error("unknown command %s", argv[1]);
}
