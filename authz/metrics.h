/* Prometheus metrics: counters the daemon keeps, served in the text exposition format (version
 * 0.0.4) to `GET /metrics` on a root-only unix socket (--metrics-socket), on a loopback TCP address
 * (--metrics-listen, a scrape target for a Prometheus on the same host), or both.  The same server
 * code serves either socket: one libmicrohttpd daemon per socket, each with one thread of its own,
 * none from the plugin's pool, so a scrape never takes a worker from dockerd.
 *
 * TCP is loopback only (127.0.0.0/8, [::1]): the metrics name images, routes and rules, and they
 * are served without TLS or authentication, so they must not be reachable from the network.
 *
 * Names (all prefixed arandu_authz_; documented in README.md):
 *   decisions_total{result}                 AuthZReq answers: result="allow", "deny", or "dry_run_deny"
 *                                           (would have been denied, allowed because of --dry-run)
 *   rule_violations_total{rule}             decisions that found the rule violated (once per decision)
 *   route_decisions_total{route,result}     decisions per endpoint pattern ("POST /containers/create")
 *   decision_duration_seconds               histogram of the time to decide (envelope to answer)
 *   errors_total{kind}                      "incomplete": evaluation did not complete (bad envelope,
 *                                           oversized, out of memory; always denied)
 *   policy_reloads_total{result}            SIGHUP reloads: result="success" or "failure"
 *   policy_last_reload_success              1 when the last reload (if any) succeeded, else 0
 *   audit_lines_total{state}                audit log lines: "written", "dropped" (queue full),
 *                                           "failed" (write error); only with --audit-log
 *   audit_ship_lines_total{state}           --audit-url: "sent", "dropped" (queue full or given up)
 *   audit_ship_failures_total               --audit-url: failed POST attempts (each one retried)
 *   policy_info{sha256[,serial]}            1 for the policy in force (serial: its signed bundle's)
 *   policy_serial, bundle_polls_total{result}, bundle_last_success_timestamp_seconds
 *                                           --policy-url (authz/bundlepoll.h)
 *
 * Label sets are bounded: rule ids and route patterns come from fixed tables in the code, and past
 * METRICS_MAX_SERIES distinct values further ones are counted under "other", so a flood of odd
 * requests cannot grow memory or the scrape without bound.  Counting never fails and never blocks
 * a decision for more than a short mutex hold. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "authz/audit.h"
#include "policy/decision.h"

#define METRICS_MAX_SERIES 128                    /* distinct rule ids, and distinct routes */
#define METRICS_RESPONSE_MAX (256u << 10)          /* a scrape is a few KiB; a hard cap all the same */

/* Count one AuthZReq decision.  `route` may be NULL or empty ("unknown"). */
void metrics_decision(const struct decision *d, const char *route, bool allowed, bool dry_run,
                      double latency_us);

void metrics_policy_reload(bool success);

/* Lines handed to the collector (--audit-url), lines dropped, and failed attempts. */
void metrics_ship(uint64_t sent, uint64_t dropped, uint64_t failures);

/* One poll of --policy-url (authz/bundlepoll.h). */
enum metrics_bundle_result {
        METRICS_BUNDLE_UPDATED = 0,
        METRICS_BUNDLE_UNCHANGED,
        METRICS_BUNDLE_REFUSED,
        METRICS_BUNDLE_FAILED,
        METRICS_BUNDLE_N,
};
void metrics_bundle_fetch(enum metrics_bundle_result result);

/* Forget every count (for tests). */
void metrics_reset(void);

/* The exposition text (new buffer, free() it), including `audit`'s line counts when not NULL
 * (borrowed).  0, or -ENOMEM / -E2BIG. */
int metrics_format(struct audit *audit, char **ret, size_t *ret_len);

/* A TCP address to serve the metrics on, as --metrics-listen gives it. */
struct metrics_listen {
        struct sockaddr_storage addr;   /* AF_INET or AF_INET6, port in network order */
        socklen_t len;
};

#define METRICS_LISTEN_ERROR_MAX 256

/* Parse a --metrics-listen value: "127.X.Y.Z:PORT" (dotted quad, within 127.0.0.0/8) or
 * "[::1]:PORT", PORT a decimal in 1..65535.  Names are not resolved (a hostname is refused), and any
 * other address, 0.0.0.0 and :: included, is refused.  0 with the address in *ret; -EINVAL with a
 * sentence in why (`why_size` bytes, NUL-terminated; the value is quoted in it), *ret untouched. */
int metrics_parse_listen(const char *s, struct metrics_listen *ret, char *why, size_t why_size);

struct metrics_server;

/* Serve GET /metrics from a new server: on a new unix socket at `path` when not NULL (mode 0600
 * from creation, like the plugin's socket; an existing non-socket path is refused), and on a TCP
 * socket bound to `tcp` when not NULL (borrowed; SO_REUSEADDR, so a restart does not wait out
 * TIME_WAIT; port 0 binds an ephemeral port, see metrics_tcp_port).  At least one of them.  Each
 * socket is served by one thread.  `audit` is borrowed and must outlive the server.  0 with a new
 * server in *ret, or -errno (logged): -EADDRINUSE when the port is taken, -EINVAL, -EEXIST or
 * -ENAMETOOLONG for a bad `path`. */
int metrics_serve(const char *path, const struct metrics_listen *tcp, struct audit *audit,
                  struct metrics_server **ret);

/* The TCP port `m` listens on (host order), or -ENOENT when it serves no TCP socket. */
int metrics_tcp_port(const struct metrics_server *m);

/* Stop serving, remove the socket, free.  Accepts NULL, returns NULL. */
struct metrics_server *metrics_stop(struct metrics_server *m);
