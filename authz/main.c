/* arandu-authz: the command line.
 *
 *   serve    run the AuthZ plugin on its unix socket (authz/server.c)
 *   check    judge AuthZReq envelopes or bare container-create bodies offline, as the server would
 *   policy   validate and print the effective policy
 *   version
 *
 * Exit statuses: 0 success (check: everything allowed), 1 check: something denied / serve: could not
 * run, 2 bad usage or (check) an unreadable input, 78 (EX_CONFIG) an invalid configuration. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "authz/cleanup.h"
#include "authz/audit.h"
#include "authz/decide.h"
#include "authz/log.h"
#include "authz/server.h"
#include "policy/decision.h"
#include "policy/policy.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

#define PROG "arandu-authz"
#define EXIT_USAGE 2

/* The largest input `check` reads: the server's cap on an AuthZReq envelope. */
#define CHECK_INPUT_MAX SERVER_AUTHZREQ_MAX

static void usage(FILE *out)
{
        fprintf(out,
                "usage: " PROG " serve [--socket PATH] [--policy FILE] [--audit-log PATH|-] [--dry-run]\n"
                "       " PROG " check [--policy FILE] FILE...\n"
                "       " PROG " policy [--policy FILE]\n"
                "       " PROG " version\n"
                "\n"
                "Docker Engine authorization plugin enforcing Arandu's container hardening policy.\n"
                "\n"
                "  serve    serve the AuthZ plugin protocol on a unix socket\n"
                "           (default socket " SERVER_DEFAULT_SOCKET ")\n"
                "           --audit-log PATH|-  one JSON line per decision (- for standard output);\n"
                "                               SIGUSR1 reopens it after rotation\n"
                "           --dry-run           allow everything, log what would have been denied\n"
                "  check    decide AuthZReq envelopes or bare container-create bodies offline;\n"
                "           exit 0 all allowed, 1 any denied, 2 an error\n"
                "  policy   validate and print the effective policy as JSON\n"
                "\n"
                "The policy is built from the defaults, then --policy FILE, then the environment\n"
                "(DOCKER_USER, DOCKER_USER_UID, DOCKER_CPU_LIMIT, DOCKER_MEMORY_LIMIT, DOCKER_NETWORK_MODE,\n"
                "DOCKER_READONLY_ROOTFS, DOCKER_ALLOWLIST_DOMAINS, DOCKER_REPOS_DIR, DOCKER_ARTIFACTS_DIR,\n"
                "DOCKER_HOST).  An invalid configuration exits with status 78.\n"
                "ARANDU_AUTHZ_LOG_LEVEL=error|warning|info|debug sets what the daemon logs (default info).\n");
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, PROG ": ");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\n");
        usage(stderr);
        return EXIT_USAGE;
}

/* Load the effective policy, printing every problem.  0, or the exit status to return. */
static int load_policy(const char *path, struct policy **ret)
{
        struct policy_problems problems = { 0 };
        struct policy *p = NULL;
        int r;

        r = policy_load(path, NULL, &p, &problems);

        size_t nw = problems.n_warnings < POLICY_PROBLEMS_MAX ? problems.n_warnings : POLICY_PROBLEMS_MAX;
        for (size_t i = 0; i < nw; i++)
                fprintf(stderr, PROG ": warning: %s\n", problems.warnings[i]);

        if (r < 0) {
                size_t ne = problems.n_errors < POLICY_PROBLEMS_MAX ? problems.n_errors : POLICY_PROBLEMS_MAX;
                for (size_t i = 0; i < ne; i++)
                        fprintf(stderr, PROG ": %s\n", problems.errors[i]);
                if (ne == 0)
                        fprintf(stderr, PROG ": cannot load the policy%s%s: %s\n", path ? " from " : "",
                                path ? path : "", strerror(-r));
                return EX_CONFIG;
        }
        *ret = p;
        return 0;
}

/* ---- serve ------------------------------------------------------------------------------------ */

static int cmd_serve(int argc, char **argv)
{
        static const struct option options[] = {
                { "socket", required_argument, NULL, 's' },
                { "policy", required_argument, NULL, 'p' },
                { "audit-log", required_argument, NULL, 'a' },
                { "dry-run", no_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct server_config cfg = { .socket_path = SERVER_DEFAULT_SOCKET, .listen_fd = -1 };
        _cleanup_policy_ struct policy *policy = NULL;
        const char *policy_path = NULL, *audit_path = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        cfg.socket_path = optarg;
                        break;
                case 'p':
                        policy_path = optarg;
                        break;
                case 'a':
                        audit_path = optarg;
                        break;
                case 'n':
                        cfg.dry_run = true;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_SUCCESS;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        if (optind < argc)
                return usage_error("serve: unexpected argument %s", argv[optind]);

        /* Before any thread exists (the audit writer, libmicrohttpd's pool): every thread inherits
         * the blocked mask, and only server_run()'s sigwait takes SIGTERM and friends. */
        r = server_block_signals();
        if (r < 0) {
                fprintf(stderr, PROG ": cannot block signals: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }

        r = load_policy(policy_path, &policy);
        if (r != 0)
                return r;
        cfg.policy = policy;

        if (audit_path) {
                r = audit_open(audit_path, &cfg.audit);
                if (r < 0) {
                        fprintf(stderr, PROG ": --audit-log: cannot open %s: %s\n", audit_path, strerror(-r));
                        return EX_CONFIG;
                }
        }

        r = server_run(&cfg);
        cfg.audit = audit_close(cfg.audit);

        switch (r) {
        case 0:
                return EXIT_SUCCESS;
        case -EEXIST:         /* --socket names something that is not a socket */
        case -ENAMETOOLONG:
        case -EINVAL:
                return EX_CONFIG;
        default:
                return EXIT_FAILURE;
        }
}

/* ---- check ------------------------------------------------------------------------------------ */

/* Read all of `path` ("-": standard input), at most `cap` bytes.  0 with a new buffer (NUL-terminated,
 * for convenience) in *ret and its length in *ret_len; -E2BIG beyond cap; -errno. */
static int read_input(const char *path, size_t cap, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, alloc = 0;

        if (strcmp(path, "-") == 0) {
                fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        } else {
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        }
        if (fd < 0)
                return -errno;

        for (;;) {
                if (alloc - len < 2) {
                        /* One byte beyond cap is read to tell "exactly cap" from "more". */
                        if (alloc >= cap + 2)
                                return -E2BIG;
                        size_t want = alloc == 0 ? 64 * 1024 : (alloc > (cap + 2) / 2 ? cap + 2 : alloc * 2);
                        char *p = realloc(buf, want);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        alloc = want;
                }
                ssize_t n = read(fd, buf + len, alloc - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len > cap)
                        return -E2BIG;
        }
        buf[len] = '\0';
        *ret = buf;
        buf = NULL;
        *ret_len = len;
        return 0;
}

/* Does the input look like an AuthZReq envelope (a top-level object with RequestMethod or
 * RequestUri) rather than a container-create body? */
static bool is_envelope(const char *buf, size_t len)
{
        json_t *o = json_loadb(buf, len, 0, NULL);
        bool ret = json_is_object(o) &&
                   (json_object_get(o, "RequestMethod") || json_object_get(o, "RequestUri"));
        json_decref(o);
        return ret;
}

static void print_decision(const char *name, const struct decision *d)
{
        bool allow = d->allow && d->complete;
        size_t n = d->n < DECISION_MAX_VIOLATIONS ? d->n : DECISION_MAX_VIOLATIONS;

        printf("%s: %s\n", name, allow ? "allow" : "deny");
        for (size_t i = 0; i < n; i++)
                printf("  %s\n", d->v[i].text);
        if (d->truncated)
                printf("  (more violations than could be listed)\n");
        if (!allow && n == 0)
                printf("  (the evaluation did not complete)\n");
}

static int cmd_check(int argc, char **argv)
{
        static const struct option options[] = {
                { "policy", required_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        _cleanup_policy_ struct policy *policy = NULL;
        const char *policy_path = NULL;
        bool any_error = false, any_deny = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'p':
                        policy_path = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_SUCCESS;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        if (optind >= argc)
                return usage_error("check: %s", "no FILE given");

        r = load_policy(policy_path, &policy);
        if (r != 0)
                return r;

        for (int i = optind; i < argc; i++) {
                const char *path = argv[i];
                _cleanup_free_ char *buf = NULL;
                struct decision d;
                struct request_info info;
                size_t len = 0;

                r = read_input(path, CHECK_INPUT_MAX, &buf, &len);
                if (r == -E2BIG) {
                        fprintf(stderr, PROG ": %s: larger than %u bytes (the server's cap on an envelope)\n",
                                path, CHECK_INPUT_MAX);
                        any_error = true;
                        continue;
                }
                if (r < 0) {
                        fprintf(stderr, PROG ": %s: %s\n", path, strerror(-r));
                        any_error = true;
                        continue;
                }

                memset(&info, 0, sizeof(info));
                if (is_envelope(buf, len))
                        authz_decide_request(policy, buf, len, &d, &info);
                else
                        authz_decide_create_body(policy, buf, len, &d, &info);

                print_decision(path, &d);
                if (!(d.allow && d.complete))
                        any_deny = true;
        }

        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, PROG ": cannot write to standard output: %s\n", strerror(errno));
                return EXIT_USAGE;
        }
        return any_error ? EXIT_USAGE : any_deny ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---- policy, version -------------------------------------------------------------------------- */

static int cmd_policy(int argc, char **argv)
{
        static const struct option options[] = {
                { "policy", required_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        _cleanup_policy_ struct policy *policy = NULL;
        const char *policy_path = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'p':
                        policy_path = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_SUCCESS;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        if (optind < argc)
                return usage_error("policy: unexpected argument %s", argv[optind]);

        r = load_policy(policy_path, &policy);
        if (r != 0)
                return r;

        r = policy_print(policy, stdout);
        if (r < 0 || fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, PROG ": cannot print the policy: %s\n", strerror(r < 0 ? -r : errno));
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}

static int cmd_version(int argc, char **argv)
{
        (void) argv;
        if (argc > 1)
                return usage_error("version: unexpected argument %s", argv[1]);
        printf(PROG " %s\n", VERSION);
        return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int main(int argc, char **argv)
{
        static const struct {
                const char *name;
                int (*run)(int argc, char **argv);
        } commands[] = {
                { "serve", cmd_serve },
                { "check", cmd_check },
                { "policy", cmd_policy },
                { "version", cmd_version },
        };
        const char *level = getenv("ARANDU_AUTHZ_LOG_LEVEL");

        if (level && *level) {
                int l;
                if (log_level_from_string(level, &l) < 0) {
                        fprintf(stderr, PROG ": ARANDU_AUTHZ_LOG_LEVEL: %s is not one of error, warning, "
                                "info, debug\n", level);
                        return EX_CONFIG;
                }
                log_set_max_level(l);
        }

        if (argc < 2) {
                usage(stderr);
                return EXIT_USAGE;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
                usage(stdout);
                return EXIT_SUCCESS;
        }
        if (strcmp(argv[1], "--version") == 0)
                return cmd_version(1, argv + 1);

        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(argv[1], commands[i].name) == 0) {
                        /* getopt_long() sees the subcommand as its program name. */
                        optind = 1;
                        return commands[i].run(argc - 1, argv + 1);
                }

        return usage_error("unknown command %s", argv[1]);
}
