/* The hardening policy: an immutable, reference-counted value.
 *
 * A policy is built once (defaults < policy file < environment), validated, and then only read.
 * A reload builds a new one and swaps the pointer; readers hold a reference for one decision.
 * This module knows nothing of HTTP or sockets. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy/units.h"   /* parse_memory_size, parse_cpus, format_bytes, format_cpus */

#define POLICY_MAX_LIST    32   /* entries in tmpfs_targets, allowed_cap_add, allowlist_domains */
#define POLICY_NAME_MAX    256
#define POLICY_PATH_MAX    4096
#define POLICY_PROBLEMS_MAX 16
#define POLICY_ULIMITS     15   /* the names dockerd's --ulimit knows */

enum network_policy {
        NETWORK_NONE = 0,   /* only NetworkMode "none" */
        NETWORK_BRIDGE,     /* "none" or the default bridge ("bridge", "default", "") */
};

struct policy {
        unsigned refs;

        char user[POLICY_NAME_MAX];          /* DOCKER_USER */
        uint32_t uid;                        /* DOCKER_USER_UID, never 0 */
        bool accept_user_name;               /* allow User "<user>[:GID]" besides the UID */

        int64_t cpu_limit_nano;              /* DOCKER_CPU_LIMIT in units of 1e-9 CPUs, > 0 */
        int64_t memory_limit;                /* DOCKER_MEMORY_LIMIT in bytes, > 0 */
        int64_t pids_limit;                  /* DOCKER_PIDS_LIMIT; 0: not required, else PidsLimit
                                              * must be in (0, pids_limit] */
        int64_t restart_max_retries;         /* on-failure's most retries; 0: only "no" */
        int64_t ulimit_max[POLICY_ULIMITS];  /* per policy_ulimit_index(name): most Soft and Hard
                                              * values; -1: that ulimit is not allowed */

        enum network_policy network;         /* DOCKER_NETWORK_MODE */
        bool readonly_rootfs;                /* DOCKER_READONLY_ROOTFS */
        bool no_new_privileges;              /* DOCKER_NO_NEW_PRIVILEGES: SecurityOpt must hold it */
        bool allow_builds;                   /* POST /build, only with networkmode=none and limits */
        bool tmpfs_exec;                     /* a tmpfs may be mounted exec (never suid or dev) */
        bool allow_network_settings;         /* bridge: Dns*, ExtraHosts, MacAddress, Links allowed */

        char repos_dir[POLICY_PATH_MAX];     /* DOCKER_REPOS_DIR, absolute, cleaned */
        char artifacts_dir[POLICY_PATH_MAX]; /* DOCKER_ARTIFACTS_DIR, absolute, cleaned */

        size_t n_tmpfs_targets;              /* container paths where a tmpfs is allowed */
        char tmpfs_targets[POLICY_MAX_LIST][POLICY_NAME_MAX];
        size_t n_cap_add;                    /* capabilities CapAdd may name, canonical "NET_BIND_SERVICE" */
        char cap_add[POLICY_MAX_LIST][64];
        size_t n_domains;                    /* DOCKER_ALLOWLIST_DOMAINS, validated host names */
        char domains[POLICY_MAX_LIST][POLICY_NAME_MAX];

        char docker_host[POLICY_PATH_MAX];   /* DOCKER_HOST, unix:// only */
        bool deny_on_audit_failure;          /* deny everything while the audit log cannot be written */
        uint64_t warn_rules;                 /* rule_actions: bit i set = rule policy_rule_id(i) only
                                              * warns (policy/actions.h) */

        char sha256[65];                     /* hex SHA-256 of policy_print()'s text, set by
                                              * policy_load() ("" for policy_new_default()) */
        uint64_t serial;                     /* the signed bundle's serial it came from; 0: none */
};

/* Problems found while loading: one line each, naming the setting.  Fixed size, no allocation. */
struct policy_problems {
        size_t n_errors;
        size_t n_warnings;
        char errors[POLICY_PROBLEMS_MAX][320];
        char warnings[POLICY_PROBLEMS_MAX][320];
};

/* A new policy with the built-in defaults (the seed's values), refs = 1.  NULL on ENOMEM. */
struct policy *policy_new_default(void);

/* Build the effective policy: defaults, then the JSON file at `path` (NULL: none), then the
 * environment (`getenv`-like lookup, NULL: the process environment).  On success returns 0 and a
 * new reference in *ret; warnings are recorded in `problems`.  On any error returns -EINVAL
 * (or -ENOMEM/-errno) with one line per problem in `problems`; *ret is untouched. */
int policy_load(const char *path, const char *(*env)(const char *name),
                struct policy **ret, struct policy_problems *problems);

/* The same, with the policy document given as text (a signed bundle's, named `name` in problems,
 * "serial 42") instead of a file. */
int policy_load_text(const char *name, const char *text, size_t len, const char *(*env)(const char *name),
                     struct policy **ret, struct policy_problems *problems);

struct policy *policy_ref(struct policy *p);
struct policy *policy_unref(struct policy *p);   /* accepts NULL, returns NULL */

/* Print the policy as a JSON object (the policy-file schema) followed by a newline. */
int policy_print(const struct policy *p, FILE *out);

/* The hex SHA-256 of what policy_print() writes for `p`: the same for two policies that enforce
 * the same thing, whatever files and variables they came from.  0 or -ENOMEM/-EIO. */
int policy_digest(const struct policy *p, char ret_hex[65]);

/* The index in ulimit_max of a ulimit name dockerd accepts ("core", "cpu", ... "stack"), or -ENOENT. */
int policy_ulimit_index(const char *name);
