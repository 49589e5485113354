/* Rule actions: what a violation of each rule does.  "deny" (the default) denies the request;
 * "warn" lets it through while the decision still lists the violation, so an admin can roll a rule
 * out by watching the audit log first (policy file `rule_actions`).
 *
 * The one place where a decision with violations can still allow: policy_apply_rule_actions().
 * Both the server and the offline `check` reach it through decide_request(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy/decision.h"
#include "policy/policy.h"
#include "policy/rules.h"

/* The rule ids a decision can name (policy/rules.h), in its order: bit i of policy.warn_rules is rule i. */
size_t policy_rule_count(void);
const char *policy_rule_id(size_t i);

/* The index of rule `id`, or -ENOENT for an id no rule has. */
int policy_rule_index(const char *id);

/* NULL when rule i may be set to "warn"; otherwise why not (a static string).  Rules that mean
 * "the plugin could not see or judge the request" (envelope, shape, error, recheck, audit ...) or
 * whose allow would take the plugin out of the chain (plugin) always deny: a warning there is an
 * open door, not a rollout. */
const char *policy_rule_warn_refused(size_t i);

/* Does the policy set rule `r` to warn? */
bool policy_rule_warns(const struct policy *p, enum rule r);

/* After decision_finish(): when every violation in `d` is of a rule the policy sets to warn (and
 * the list is complete), allow the request and mark the decision warned; the violations stay for
 * the audit log and `check`.  Otherwise `d` is left as it is.  Idempotent. */
void policy_apply_rule_actions(const struct policy *p, struct decision *d);
