/* Prometheus metrics: counters the daemon keeps, and a root-only unix socket that serves them in the
 * text exposition format (version 0.0.4) to `GET /metrics`.
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

struct metrics_server;

/* Serve GET /metrics on a new unix socket at `path` (mode 0600 from creation, like the plugin's
 * socket; an existing non-socket path is refused) from one thread.  `audit` is borrowed and must
 * outlive the server.  0 with a new server in *ret, or -errno (logged). */
int metrics_serve(const char *path, struct audit *audit, struct metrics_server **ret);

/* Stop serving, remove the socket, free.  Accepts NULL, returns NULL. */
struct metrics_server *metrics_stop(struct metrics_server *m);
