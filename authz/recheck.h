/* The second look: before a container or an exec starts, ask dockerd for its own view of it and
 * judge that with the same rules.
 *
 * Parser differences are the root of every AuthZ bypass; the daemon's canonical configuration
 * (GET /containers/{id}/json, GET /exec/{id}/json) is what will actually run.  It also catches image
 * settings merged in at create time and containers created before the policy was tightened.  The
 * inspect request passes through this plugin too, so callers must not hold a server thread while
 * waiting (see server.c: the connection is suspended). */
#pragma once

#include "policy/decision.h"
#include "policy/policy.h"

#define RECHECK_TIMEOUT_MS    5000            /* dockerd answers an inspect in milliseconds */
#define RECHECK_RESPONSE_MAX  (4u << 20)      /* an inspect is a few KiB; never hold more */

enum recheck_kind {
        RECHECK_NONE = 0,
        RECHECK_CONTAINER,   /* POST /containers/{id}/start */
        RECHECK_EXEC,        /* POST /exec/{id}/start */
};

/* The full IDs the look judged ("" when it did not get that far), for the audit log. */
struct recheck_seen {
        char container[65];
        char exec[65];
};

/* Fetch dockerd's view of `id` through p->docker_host and add every violation to `d`; a failed
 * lookup (libcurl cannot be loaded, unreachable, timeout, not 200, not JSON) is itself a violation
 * (rule "recheck").  Blocks for at most about RECHECK_TIMEOUT_MS per lookup (an exec needs two),
 * plus, for the first one, the wait for libcurl's load (curl_lazy.h) if it has not finished. */
void recheck_run(const struct policy *p, enum recheck_kind kind, const char *id, struct decision *d,
                 struct recheck_seen *seen);
