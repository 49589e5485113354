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
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "authz/audit.h"
#include "authz/auditq.h"
#include "authz/bundlecmd.h"
#include "authz/bundlepoll.h"
#include "authz/cleanup.h"
#include "authz/fileio.h"
#include "authz/dockerd.h"
#include "policy/decide.h"
#include "authz/log.h"
#include "authz/metrics.h"
#include "authz/reload.h"
#include "authz/server.h"
#include "authz/ship.h"
#include "policy/decision.h"
#include "policy/gojson.h"
#include "policy/rules.h"
#include "policy/units.h"
#include "policy/policy.h"

#include "authz/version.h"

#define PROG "arandu-authz"
#define EXIT_USAGE 2

/* The largest input `check` reads: the server's cap on an AuthZReq envelope. */
#define CHECK_INPUT_MAX SERVER_AUTHZREQ_MAX

static void usage(FILE *out)
{
        fprintf(out,
                "usage: " PROG " serve [--socket PATH] [--policy FILE] [--audit-log PATH|-] [--dry-run]\n"
                "                          [--audit-url URL] [--metrics-socket PATH] [--metrics-listen ADDR:PORT]\n"
                "                          [--policy-url URL --policy-key FILE [--policy-cache FILE]\n"
                "                           [--policy-interval SECONDS]]\n"
                "       " PROG " check [--policy FILE] FILE...\n"
                "       " PROG " policy [--policy FILE]\n"
                "       " PROG " audit [--since TIME] [--decision D] [--rule R] [--summary] [--json] ... FILE...\n"
                "       " PROG " rules [--markdown]\n"
                "       " PROG " dockerd enable|disable|status [--reload] ...\n"
                "       " PROG " bundle keygen|sign|verify ...\n"
                "       " PROG " version\n"
                "\n"
                "Docker Engine authorization plugin enforcing Arandu's container hardening policy.\n"
                "\n"
                "  serve    serve the AuthZ plugin protocol on a unix socket\n"
                "           (default socket " SERVER_DEFAULT_SOCKET ")\n"
                "           --audit-log PATH|-  one JSON line per decision (- for standard output);\n"
                "                               SIGUSR1 reopens it after rotation\n"
                "           --dry-run           allow everything, log what would have been denied\n"
                "           --audit-url URL     also POST audit lines (JSON lines) to a collector\n"
                "           --metrics-socket PATH  Prometheus metrics (GET /metrics) on a 0600 socket\n"
                "           --metrics-listen ADDR:PORT  the same on TCP, loopback only (127.0.0.0/8 or\n"
                "                               [::1]: no TLS, no authentication), e.g. 127.0.0.1:9464\n"
                "           --policy-url URL    the policy from a signed bundle polled at URL (instead of\n"
                "                               --policy), verified with --policy-key (Ed25519, PEM);\n"
                "                               the last good one kept in --policy-cache (default\n"
                "                               " BUNDLEPOLL_DEFAULT_CACHE "); every --policy-interval\n"
                "                               seconds (default 30, jittered)\n"
                "           SIGHUP reloads the policy (file and environment); an invalid one is refused\n"
                "           A socket passed by systemd (LISTEN_FDS) is served instead of --socket.\n"
                "  check    decide AuthZReq envelopes or bare container-create bodies offline;\n"
                "           exit 0 all allowed, 1 any denied, 2 an error\n"
                "  policy   validate and print the effective policy as JSON\n"
                "  audit    filter and summarise audit logs, plain or gzip (" PROG " audit --help)\n"
                "  rules    list the rule ids a deny names (and rule_actions takes), which may warn\n"
                "  dockerd  switch dockerd's enforcement through the plugin on or off in daemon.json,\n"
                "           or say whether it enforces now (" PROG " dockerd --help)\n"
                "  bundle   make keys, sign and verify policy bundles (" PROG " bundle --help)\n"
                "\n"
                "The policy is built from the defaults, then --policy FILE, then the environment\n"
                "(DOCKER_USER, DOCKER_USER_UID, DOCKER_CPU_LIMIT, DOCKER_MEMORY_LIMIT, DOCKER_NETWORK_MODE,\n"
                "DOCKER_READONLY_ROOTFS, DOCKER_PIDS_LIMIT, DOCKER_NO_NEW_PRIVILEGES, DOCKER_ALLOWLIST_DOMAINS,\n"
                "DOCKER_REPOS_DIR, DOCKER_ARTIFACTS_DIR, DOCKER_HOST); see arandu-authz(8).  An invalid configuration exits with status 78.\n"
                "ARANDU_AUTHZ_LOG_LEVEL=error|warning|info|debug sets what the daemon logs (default info).\n");
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, PROG ": ");
        va_start(ap, fmt);
        (void) vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\n");
        usage(stderr);
        return EXIT_USAGE;
}

/* Load the effective policy, printing every problem.  0, or the exit status to return. */
/* Load the policy, reporting every problem: on the daemon's log (with its priorities, for
 * journald) when serving, else plainly on stderr. */
static int load_policy_for(const char *path, bool daemon, struct policy **ret)
{
        struct policy_problems problems = { 0 };
        struct policy *p = NULL;
        int r;

        r = policy_load(path, NULL, &p, &problems);

        size_t nw = problems.n_warnings < POLICY_PROBLEMS_MAX ? problems.n_warnings : POLICY_PROBLEMS_MAX;
        for (size_t i = 0; i < nw; i++)
                if (daemon)
                        log_warning("policy: %s", problems.warnings[i]);
                else
                        fprintf(stderr, PROG ": warning: %s\n", problems.warnings[i]);

        if (r < 0) {
                size_t ne = problems.n_errors < POLICY_PROBLEMS_MAX ? problems.n_errors : POLICY_PROBLEMS_MAX;
                for (size_t i = 0; i < ne; i++)
                        if (daemon)
                                log_error("policy: %s", problems.errors[i]);
                        else
                                fprintf(stderr, PROG ": %s\n", problems.errors[i]);
                if (ne == 0)
                        fprintf(stderr, PROG ": cannot load the policy%s%s: %s\n", path ? " from " : "",
                                path ? path : "", strerror(-r));
                return EX_CONFIG;
        }
        *ret = p;
        return 0;
}

static int load_policy(const char *path, struct policy **ret)
{
        return load_policy_for(path, false, ret);
}

/* ---- serve ------------------------------------------------------------------------------------ */

/* systemd socket activation, with sd_listen_fds(3)'s rules and without libsystemd: when LISTEN_PID
 * is our pid and LISTEN_FDS is 1, fd 3 is our listening socket (it must be a listening AF_UNIX
 * SOCK_STREAM socket; it is made close-on-exec and non-blocking, as libmicrohttpd's pool needs).
 * LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES are unset either way, so nothing we might start
 * inherits them.  0 with the fd in *ret_fd (untouched when none was passed), or -errno (logged). */
#define LISTEN_FDS_START 3
static int take_listen_fd(int *ret_fd)
{
        const char *pid_s = getenv("LISTEN_PID"), *fds_s = getenv("LISTEN_FDS");
        int fd = LISTEN_FDS_START, type = 0, listening = 0;
        socklen_t len = sizeof(type);
        struct sockaddr_storage sa;
        int64_t pid, n;
        int r = 0;

        if (!pid_s || !fds_s)
                goto done;
        if (parse_int64(pid_s, 1, INT32_MAX, NULL, &pid) < 0 || parse_int64(fds_s, 0, INT32_MAX, NULL, &n) < 0) {
                fprintf(stderr, PROG ": socket activation: LISTEN_PID or LISTEN_FDS is not a number\n");
                r = -EINVAL;
                goto done;
        }
        if ((pid_t) pid != getpid() || n == 0)
                goto done;   /* meant for another process (inherited), or nothing passed */
        if (n != 1) {
                fprintf(stderr, PROG ": socket activation: %" PRId64 " sockets passed, expected one "
                        "(one ListenStream= in the socket unit)\n", n);
                r = -E2BIG;
                goto done;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM ||
            (len = sizeof(listening), getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0) ||
            !listening || (len = sizeof(sa), getsockname(fd, (struct sockaddr *) &sa, &len) < 0) ||
            sa.ss_family != AF_UNIX) {
                fprintf(stderr, PROG ": socket activation: fd 3 is not a listening unix stream socket\n");
                r = -ENOTSOCK;
                goto done;
        }
        int fl = fcntl(fd, F_GETFL);
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
                r = -errno;
                fprintf(stderr, PROG ": socket activation: cannot configure fd 3: %s\n", strerror(errno));
                goto done;
        }
        *ret_fd = fd;
done:
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
        return r;
}

static int cmd_serve(int argc, char **argv)
{
        static const struct option options[] = {
                { "socket", required_argument, NULL, 's' },
                { "policy", required_argument, NULL, 'p' },
                { "audit-log", required_argument, NULL, 'a' },
                { "dry-run", no_argument, NULL, 'n' },
                { "audit-url", required_argument, NULL, 'U' },
                { "metrics-socket", required_argument, NULL, 'M' },
                { "policy-url", required_argument, NULL, 'u' },
                { "policy-key", required_argument, NULL, 'k' },
                { "policy-cache", required_argument, NULL, 'c' },
                { "policy-interval", required_argument, NULL, 'i' },
                { "metrics-listen", required_argument, NULL, 'L' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct bundlepoll_config bundles = { .cache_path = BUNDLEPOLL_DEFAULT_CACHE,
                                             .interval_s = BUNDLEPOLL_DEFAULT_INTERVAL_S };
        struct bundlepoll *poller = NULL;
        struct server_config cfg = { .socket_path = SERVER_DEFAULT_SOCKET, .listen_fd = -1 };
        const char *audit_url = NULL, *metrics_path = NULL, *metrics_addr = NULL;
        struct metrics_listen metrics_tcp;
        struct metrics_server *metrics = NULL;
        struct ship *ship = NULL;
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
                case 'U':
                        audit_url = optarg;
                        break;
                case 'M':
                        metrics_path = optarg;
                        break;
                case 'u':
                        bundles.url = optarg;
                        break;
                case 'k':
                        bundles.key_path = optarg;
                        break;
                case 'c':
                        bundles.cache_path = optarg;
                        break;
                case 'i': {
                        int64_t n;
                        if (parse_int64(optarg, 1, 86400, NULL, &n) < 0)
                                return usage_error("serve: --policy-interval %s is not a number of seconds from 1 to 86400",
                                                   optarg);
                        bundles.interval_s = (unsigned) n;
                        break;
                }
                case 'L':
                        metrics_addr = optarg;
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
        if (bundles.url && policy_path)
                return usage_error("serve: --policy-url and --policy are exclusive: the bundle is the policy file");
        if (!bundles.url != !bundles.key_path)
                return usage_error("serve: --policy-url and --policy-key go together");
        if (metrics_addr) {
                char why[METRICS_LISTEN_ERROR_MAX];
                if (metrics_parse_listen(metrics_addr, &metrics_tcp, why, sizeof(why)) < 0) {
                        fprintf(stderr, PROG ": --metrics-listen: %s\n", why);
                        return EX_CONFIG;
                }
        }

        /* Before any thread exists: it unsets the LISTEN_* variables. */
        r = take_listen_fd(&cfg.listen_fd);
        if (r < 0)
                return EXIT_FAILURE;

        /* Before any thread exists (the audit writer, libmicrohttpd's pool): every thread inherits
         * the blocked mask, and only server_run()'s sigwait takes SIGTERM and friends. */
        r = server_block_signals();
        if (r < 0) {
                fprintf(stderr, PROG ": cannot block signals: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }

        if (bundles.url) {
                cfg.policy_from_bundles = true;
                (void) policy_current_init(NULL, NULL);
        } else {
                r = load_policy_for(policy_path, true, &policy);
                if (r != 0)
                        return r;
                cfg.policy = policy;
                cfg.policy_path = policy_path;   /* SIGHUP reloads from it */
        }

        /* --audit-url alone: lines are still built by the audit module, and only shipped. */
        if (audit_url && !audit_path)
                audit_path = "/dev/null";
        if (audit_path) {
                r = audit_open(audit_path, &cfg.audit);
                if (r < 0) {
                        fprintf(stderr, PROG ": --audit-log: cannot open %s: %s\n", audit_path, strerror(-r));
                        return EX_CONFIG;
                }
        }

        if (audit_url) {
                r = ship_open(audit_url, &ship);
                if (r < 0) {
                        fprintf(stderr, PROG ": --audit-url: cannot ship audit lines: %s\n", strerror(-r));
                        cfg.audit = audit_close(cfg.audit);
                        return r == -EINVAL ? EX_CONFIG : EXIT_FAILURE;
                }
                audit_set_sink(cfg.audit, ship_line, ship);
        }
        if (metrics_path || metrics_addr) {
                r = metrics_serve(metrics_path, metrics_addr ? &metrics_tcp : NULL, cfg.audit, &metrics);
                if (r < 0) {
                        cfg.audit = audit_close(cfg.audit);
                        ship = ship_close(ship);
                        return r == -EEXIST || r == -ENAMETOOLONG || r == -EINVAL ? EX_CONFIG : EXIT_FAILURE;
                }
        }

        if (bundles.url) {
                r = bundlepoll_start(&bundles, &poller);
                if (r < 0) {
                        metrics = metrics_stop(metrics);
                        cfg.audit = audit_close(cfg.audit);
                        ship = ship_close(ship);
                        policy_current_fini();
                        return r == -EINVAL ? EX_CONFIG : EXIT_FAILURE;
                }
        }

        r = server_run(&cfg);
        poller = bundlepoll_stop(poller);
        if (bundles.url)
                policy_current_fini();
        metrics = metrics_stop(metrics);
        /* No decision runs any more: the audit log drains, then the shipper gets its last lines. */
        cfg.audit = audit_close(cfg.audit);
        ship = ship_close(ship);

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

        /* A warned allow lists what it would deny once the rules are set back to deny. */
        printf("%s: %s\n", name, allow ? (d->warned ? "allow (warn)" : "allow") : "deny");
        for (size_t i = 0; i < n; i++)
                printf("  %s%s\n", d->warned ? "warn: " : "", d->v[i].text);
        if (d->truncated)
                printf("  (more violations than could be listed)\n");
        if (!allow && n == 0)
                printf("  (the evaluation did not complete)\n");
}

/* The options of `check` and `policy`: only --policy FILE.  Returns -1 to go on, else the exit
 * status (--help, bad usage). */
static int parse_policy_option(int argc, char **argv, const char **ret_path)
{
        static const struct option options[] = {
                { "policy", required_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'p':
                        *ret_path = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_SUCCESS;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        return -1;
}

static int cmd_check(int argc, char **argv)
{
        _cleanup_policy_ struct policy *policy = NULL;
        const char *policy_path = NULL;
        bool any_error = false, any_deny = false;
        int r;

        int o = parse_policy_option(argc, argv, &policy_path);
        if (o >= 0)
                return o;
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

                r = file_read_all(path, CHECK_INPUT_MAX, &buf, &len);
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
                        decide_request(policy, buf, len, &d, &info);
                else
                        decide_create_body(policy, buf, len, &d, &info);

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
        _cleanup_policy_ struct policy *policy = NULL;
        const char *policy_path = NULL;
        int r;

        int o = parse_policy_option(argc, argv, &policy_path);
        if (o >= 0)
                return o;
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

/* Every rule of policy/rules.h: the ids rule_actions takes, and which of them may warn.  With
 * --markdown, the rule index of docs/rules.md (a unit test holds the two together). */
static int cmd_rules(int argc, char **argv)
{
        bool markdown = argc == 2 && strcmp(argv[1], "--markdown") == 0;

        if (argc > 2 || (argc == 2 && !markdown))
                return usage_error("rules: unexpected argument %s", argv[1]);
        if (markdown) {
                char *text = NULL;
                size_t len = 0;
                if (rules_markdown(&text, &len) < 0) {
                        fprintf(stderr, PROG ": rules: out of memory\n");
                        return EXIT_FAILURE;
                }
                (void) fwrite(text, 1, len, stdout);   /* ferror(stdout) is checked below */
                free(text);
        } else {
                printf("%-12s %-5s %s\n", "RULE", "WARN", "WHAT IT CHECKS");
                for (int i = 0; i < RULE__MAX; i++) {
                        const struct rule_info *r = rule_info((enum rule) i);
                        printf("%-12s %-5s %s\n", r->id, r->warn_refused ? "no" : "yes", r->summary);
                }
        }
        return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_SUCCESS : EXIT_FAILURE;
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
                { "audit", auditq_main },
                { "rules", cmd_rules },
                { "dockerd", dockerd_main },
                { "bundle", bundle_main },
                { "version", cmd_version },
        };
        const char *level = getenv("ARANDU_AUTHZ_LOG_LEVEL");

        gojson_init();   /* before any JSON value, and before any thread (policy/gojson.h) */
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
