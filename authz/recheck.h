/* The second look's fetching: ask dockerd, over p->docker_host, for what policy/view.h needs to
 * judge a start, and hand each answer back to it.
 *
 * The inspect request passes through this plugin too, so callers must not hold a server thread while
 * waiting (see server.c: the connection is suspended). */
#pragma once

#include "policy/decision.h"
#include "policy/policy.h"
#include "policy/view.h"

#define RECHECK_TIMEOUT_MS    5000            /* dockerd answers an inspect in milliseconds */
#define RECHECK_RESPONSE_MAX  (4u << 20)      /* an inspect is a few KiB; never hold more */

/* The full IDs the look judged ("" when it did not get that far), for the audit log. */
struct recheck_seen {
        char container[65];
        char exec[65];
};

/* Run the look at `id` to its end and add every violation to `d`; a failed lookup (libcurl cannot
 * be loaded, unreachable, timeout, not 200, not JSON) is itself a violation (rule "recheck").
 * Blocks for at most about RECHECK_TIMEOUT_MS per lookup (at most five), plus, for the first one,
 * the wait for libcurl's load (curl_lazy.h) if it has not finished. */
void recheck_run(const struct policy *p, enum recheck_kind kind, const char *id, struct decision *d,
                 struct recheck_seen *seen);
