/* A decision: allow, or deny with every violated rule.
 *
 * Fixed size and allocation-free, so that running out of memory can never turn into an allow.
 * A decision starts as deny (decision_init); only decision_finish() on a complete evaluation with no
 * violation turns it into allow. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy/rules.h"

#define DECISION_MAX_VIOLATIONS 48
#define VIOLATION_TEXT_MAX      384

struct violation {
        enum rule code;
        const char *rule;                 /* its id, rule_id(code): "user", "memory", ... */
        char text[VIOLATION_TEXT_MAX];    /* "rule: text", e.g. "memory: HostConfig.Memory is 0 (no
                                           * limit); set --memory (docker-py mem_limit, compose
                                           * mem_limit) to at most 4g"; a text cut to fit ends
                                           * in "..." */
};

struct decision {
        bool allow;
        bool complete;                    /* evaluation ran to its end */
        bool truncated;                   /* more violations than fit */
        bool warned;                      /* allowed although v[] is not empty: every violation is of
                                           * a rule the policy sets to warn (policy/actions.h) */
        bool forced;                      /* denied whatever the mode, dry-run included: dockerd
                                           * would act on what the plugin cannot judge */
        char recreate[13];                /* "" or the short ID of an existing container whose own
                                           * settings broke a rule (decision_recreate) */
        size_t n;
        struct violation v[DECISION_MAX_VIOLATIONS];
};

void decision_init(struct decision *d);

/* Record a violation of `rule`.  The text gets the "rule: " prefix, and is cut with
 * "..." when it does not fit VIOLATION_TEXT_MAX.  Denies (also a decision that was allowed with
 * warnings). */
void decision_add(struct decision *d, enum rule rule, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Mark the evaluation complete: allow iff no violation was recorded. */
void decision_finish(struct decision *d);

/* Say once, at the end of the message, that the container `id` (dockerd's view of it) exists with
 * settings that broke a rule, which no start can change: it must be removed and created again.
 * For the second look at a start; an `id` that is not hex is shown as CONTAINER. */
void decision_recreate(struct decision *d, const char *id);

/* The message dockerd shows: every violation as "rule: text", "; "-separated, then the notes (more
 * violations than were kept; the container to create again).  "denied", or "error: evaluation did
 * not complete", when none was recorded; "allowed" for an allow.  Always NUL-terminated, truncated
 * to size; returns the length written. */
size_t decision_message(const struct decision *d, char *buf, size_t size);

/* Quote a user-controlled string for a message: "..." with control bytes and quotes escaped,
 * ';' as \x3b so that no value reads as another violation, cut at `max` input bytes with "..."
 * (escape_str() in policy/escape.h).  Writes at most size bytes, NUL-terminated: "" when size < 8,
 * null (unquoted) for s NULL. */
void quote_value(const char *s, size_t max, char *buf, size_t size);

/* Has the decision recorded a violation of the rule whose id is `rule`? */
bool decision_has(const struct decision *d, const char *rule);
