/* Shared by the libFuzzer targets (tests/fuzz/fuzz_<name>.c) and replay.c, the main that runs a
 * target's corpus without libFuzzer (so a gcc build can replay it in `make test`).
 *
 * A target defines LLVMFuzzerTestOneInput and LLVMFuzzerInitialize, whose first statement is
 * gojson_init() (policy/gojson.h: libFuzzer and replay.c call the initializer before any input);
 * FUZZ_INITIALIZE() defines one that does only that.  replay.c has no default initializer, so a
 * target without one does not link.  A broken invariant calls FUZZ_CHECK, which aborts (a libFuzzer
 * crash, a failed replay) whatever NDEBUG says. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/decision.h"
#include "policy/gojson.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The initializer of a target with nothing else to set up. */
#define FUZZ_INITIALIZE()                                                                         \
        int LLVMFuzzerInitialize(int *argc, char ***argv)                                         \
        {                                                                                         \
                (void) argc;                                                                      \
                (void) argv;                                                                      \
                gojson_init();                                                                    \
                return 0;                                                                         \
        }

#define FUZZ_CHECK(cond)                                                                          \
        do {                                                                                      \
                if (!(cond)) {                                                                    \
                        fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                                  \
                }                                                                                 \
        } while (0)

/* The policy the fixtures were recorded for: the built-in defaults with the fixtures' roots.
 * Aborts when out of memory (a harness failure, not a finding). */
static inline struct policy *fuzz_policy(const char *repos, const char *artifacts)
{
        struct policy *p = policy_new_default();
        FUZZ_CHECK(p != NULL);
        json_t *probe = gojson_loadb("{}", 2, 0, NULL);
        FUZZ_CHECK(probe != NULL);   /* else gojson_init was not called: every input would be denied */
        json_decref(probe);
        snprintf(p->repos_dir, sizeof(p->repos_dir), "%s", repos ? repos : "/srv/arandu/repos");
        snprintf(p->artifacts_dir, sizeof(p->artifacts_dir), "%s", artifacts ? artifacts : "/srv/arandu/artifacts");
        return p;
}

/* Every opt-in of the policy switched on, so the evaluators' other branches are reached too. */
static inline struct policy *fuzz_policy_loose(void)
{
        struct policy *p = fuzz_policy(NULL, NULL);
        p->network = NETWORK_BRIDGE;
        p->accept_user_name = true;
        p->pids_limit = 100;
        p->readonly_rootfs = false;
        p->n_tmpfs_targets = 2;
        snprintf(p->tmpfs_targets[0], sizeof(p->tmpfs_targets[0]), "/tmp");
        snprintf(p->tmpfs_targets[1], sizeof(p->tmpfs_targets[1]), "/run");
        p->n_cap_add = 1;
        snprintf(p->cap_add[0], sizeof(p->cap_add[0]), "NET_BIND_SERVICE");
        return p;
}

/* The invariants every decision keeps, whatever the input: allow only when complete and without a
 * violation (none of the fuzz policies sets a rule to warn); every violation names a rule and its text starts with it; the message fits. */
static inline void fuzz_check_decision(const struct decision *d)
{
        static char msg[DECISION_MAX_VIOLATIONS * (VIOLATION_TEXT_MAX + 80) + 64];
        FUZZ_CHECK(d->n <= DECISION_MAX_VIOLATIONS);
        /* (a "warn" rule action allows with violations listed: the fuzz policies set none) */
        if (d->allow)
                FUZZ_CHECK(d->complete && d->n == 0 && !d->truncated && !d->warned);
        for (size_t i = 0; i < d->n; i++) {
                size_t rl;
                FUZZ_CHECK(d->v[i].rule != NULL);
                rl = strlen(d->v[i].rule);
                FUZZ_CHECK(strnlen(d->v[i].text, VIOLATION_TEXT_MAX) < VIOLATION_TEXT_MAX);
                FUZZ_CHECK(strncmp(d->v[i].text, d->v[i].rule, rl) == 0);
        }
        size_t n = decision_message(d, msg, sizeof(msg));
        FUZZ_CHECK(n < sizeof(msg) && strlen(msg) == n);
}

/* A NUL-terminated copy of the input (aborts when out of memory). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        FUZZ_CHECK(s != NULL);
        if (size)
                memcpy(s, data, size);
        s[size] = '\0';
        return s;
}
