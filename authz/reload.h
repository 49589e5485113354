/* The policy in force, and its live reload.
 *
 * The daemon holds one current policy.  Each request takes its own reference (policy_current()) for
 * its whole decision and drops it after, so a reload never changes the rules under a decision in
 * progress: a request is judged by the policy that was current when it started, whole.
 *
 * SIGHUP (authz/server.c) calls policy_reload(): the policy is built again from scratch, exactly as
 * at start (defaults < the same --policy file < the environment, which is re-read), validated, and
 * only if it is valid swapped in.  An invalid file, an unsafe value or a missing file is logged,
 * one line per problem, and the old policy stays: a typo never takes the plugin down and never
 * weakens it.  Reloads are counted (authz/metrics.h). */
#pragma once

#include "policy/policy.h"

/* Make `p` (borrowed: a reference is taken; NULL: none yet, requests are denied) the current
 * policy, to be reloaded later from `path` (copied; NULL: no file, defaults and environment only).
 * Replaces any previous one. */
int policy_current_init(struct policy *p, const char *path);

/* The current policy: a new reference (policy_unref() it when done), or NULL before
 * policy_current_init() (callers then deny). */
struct policy *policy_current(void);

/* Rebuild the policy from the same path and the environment and swap it in when valid.  Warnings
 * and errors are logged.  0 on success, or -EINVAL/-ENOMEM/-errno with the old policy kept. */
int policy_reload(void);

/* Drop the current policy and the path (at shutdown).  policy_current() then returns NULL. */
void policy_current_fini(void);

/* With --policy-url (authz/bundlepoll.h).  Put in force `p` (a reference is taken; its serial is
 * set), built from a verified bundle's policy document `text` (copied: SIGHUP rebuilds from it with
 * the environment read anew) of `serial`.  0, -ESTALE when `serial` is not above the one in force
 * (nothing changes: never back to an older bundle), -ENOMEM. */
int policy_current_set_bundle(struct policy *p, const char *text, size_t len, uint64_t serial);

/* The serial of the bundle in force, 0 when none. */
uint64_t policy_current_serial(void);

/* Log a load's warnings and errors, one line each, prefixed with `who` ("reload"), and when it
 * `failed`, how many errors did not fit. */
void policy_problems_log(const char *who, const struct policy_problems *pr, bool failed);

/* Called at the start of each policy_reload() (SIGHUP), e.g. to poll the bundle server at once;
 * NULL removes it.  The hook must not call back into this module's reload. */
void policy_current_set_reload_hook(void (*fn)(void *arg), void *arg);

/* Why there is no policy while there is none (one line, for the deny message), and reading it. */
void policy_current_set_why_none(const char *why);
void policy_current_why_none(char *buf, size_t len);
