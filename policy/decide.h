/* From an AuthZ envelope to a decision: decode the envelope, route the request, decode the body as
 * dockerd will, and run the policy's rules.
 *
 * Nothing here can fail open: every error (malformed envelope, bad base64, unparsable body, unknown
 * route, out of memory) becomes a deny with a reason.  No I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/decision.h"
#include "policy/policy.h"

/* What the audit log records about a request.  Strings are copied in, truncated to fit, and never
 * contain bodies, environment values or credentials (the URI's query values that can carry them,
 * build args and URLs with a user:password@, are replaced by "REDACTED"). */
struct request_info {
        char method[16];
        char uri[512];            /* RequestUri as received (truncated) */
        char route[96];           /* the endpoint pattern, e.g. "POST /containers/create", or "unknown" */
        char user[128];           /* envelope "User" (TLS client), "" if none */
        char authn[64];           /* envelope "UserAuthNMethod", "" if none */
        char container_name[128]; /* create: the ?name= query value */
        char image[256];          /* create: Config.Image */
        int status;               /* AuthZRes: ResponseStatusCode, else 0 */
        char body_sha256[65];     /* hex SHA-256 of the decoded request body, "" if none (or a
                                   * credential: /auth, /secrets, see decide.c) */
        char policy_sha256[65];   /* the deciding policy's digest (policy.sha256) */
        uint64_t policy_serial;   /* its signed bundle's serial (policy.serial), 0: none */
        int recheck;              /* enum recheck_kind: the request passed, and dockerd's own view of
                                   * `target` must be judged before it may proceed (starts) */
        char target[256];         /* the container or exec id of a start */
        char judged_container[65];/* the full ID of the container the second look judged, "" if none */
        char judged_exec[65];     /* and of the exec */
};

/* Decide one AuthZReq envelope (the raw JSON POSTed by dockerd).  Always fills `d` (complete and
 * allow only when every rule passed, or every violation is of a rule the policy sets to warn: then
 * d->warned) and `info` (as far as the envelope could be read). */
void decide_request(const struct policy *p, const char *envelope, size_t len,
                          struct decision *d, struct request_info *info);

/* An envelope the daemon could not read whole: -E2BIG over `cap` bytes, -ENOMEM out of memory.
 * Denied without a byte of it read; fills `d` and `info` as decide_request() does. */
void decide_unreadable(const struct policy *p, int err, size_t cap, struct decision *d, struct request_info *info);

/* A passed start whose second look the daemon cannot start: -EBUSY when `queued_max` looks already
 * wait (rule "recheck": retry), -ENOMEM or another error (rule "internal").  Denies. */
void decide_view_unavailable(struct decision *d, int err, unsigned queued_max);

/* The audit log could not take the request's line (or is failing): under deny_on_audit_failure
 * the request is denied (rule "audit"); otherwise `d` is left as it is. */
void decide_audit_failed(const struct policy *p, struct decision *d);

/* No policy is in force yet (a bundle source gave none, and none was kept from before): the
 * request is denied, `why` (one line) saying what is missing.  Only the method, URI and user are
 * read from `envelope` (NULL: none), for the audit line. */
void decide_no_policy(const char *why, const char *envelope, size_t len, struct decision *d,
                      struct request_info *info);

/* Read an AuthZRes envelope for the audit log only (decisions are made on the request).
 * Returns 0, or -EINVAL when the envelope could not be read (info then holds what could). */
int decide_read_response(const char *envelope, size_t len, struct request_info *info);

/* Decide a bare container-create body (for `arandu-authz check`), as if POSTed to /containers/create. */
void decide_create_body(const struct policy *p, const char *body, size_t len,
                        struct decision *d, struct request_info *info);
