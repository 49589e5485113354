/* The rules: every id a decision can name, in one table.
 *
 * decision_add() takes an enum rule, so a rule that is not in this table does not compile.  The
 * order is the docs' order, and rule i is bit i of policy.warn_rules.  docs/rules.md's rule index
 * is this table: tests/unit/test_rules.c checks both, and that each rule is decided in exactly the
 * files its row names.
 *
 * X(ENUM, "id", "files", "what it checks", "policy settings", warn)
 *   files:  where the rule is decided, space-separated, the main one first
 *   settings: the policy settings it reads (their keys in a policy file), space-separated
 *   warn:   NULL when rule_actions may set the rule to "warn"; otherwise why it always denies */
#pragma once

#include <stddef.h>

#define RULE_NOT_SEEN "the plugin could not read the request as dockerd will; it always denies"
#define RULE_FAILED "an internal failure; the plugin fails closed"

#define RULE_TABLE(X) \
        X(USER, "user", "policy/user.c policy/identity.c policy/view.c", \
          "who the process runs as: the policy's UID with a group other than 0, resolved as dockerd will", \
          "uid accept_user_name", NULL) \
        X(CPU, "cpu", "policy/resources.c", \
          "a CPU limit within the policy's, no realtime CPU", "cpu_limit", NULL) \
        X(MEMORY, "memory", "policy/resources.c", \
          "a memory limit within the policy's, no extra swap, no OOM-kill disable", "memory_limit", NULL) \
        X(PIDS, "pids", "policy/resources.c", "a process limit within the policy's", "pids_limit", NULL) \
        X(LIMITS, "limits", "policy/limits.c", \
          "ulimits the policy lists within their bounds; /dev/shm within the memory limit", "ulimits memory_limit", NULL) \
        X(LOGS, "logs", "policy/logs.c", "a log driver that keeps the output on this host, with its own options", \
          "", NULL) \
        X(RESTART, "restart", "policy/restart.c", "no restart, or a bounded on-failure", "restart_max_retries", NULL) \
        X(NETWORK, "network", "policy/network.c policy/decide.c", \
          "no network (or the bridge), no published ports, no DNS or address settings", \
          "network_mode allow_network_settings allowlist_domains", NULL) \
        X(ROOTFS, "rootfs", "policy/mounts.c", "a read-only root filesystem", "readonly_rootfs", NULL) \
        X(MOUNTS, "mounts", "policy/mounts.c policy/tmpfs.c", \
          "only the repository (read-only) at /workspace and the artifacts dir at /artifacts; tmpfs where listed", \
          "repos_dir artifacts_dir tmpfs_targets tmpfs_exec", NULL) \
        X(PRIVILEGED, "privileged", "policy/privileges.c policy/exec.c", "not privileged", "", NULL) \
        X(PRIVILEGES, "privileges", "policy/privileges.c", \
          "no added capabilities, no-new-privileges, no security options, masked paths kept", \
          "allowed_cap_add no_new_privileges", NULL) \
        X(NAMESPACES, "namespaces", "policy/namespaces.c", "no host or shared namespaces", "", NULL) \
        X(DEVICES, "devices", "policy/resources.c", "no devices, GPUs or device cgroup rules", "", NULL) \
        X(KERNEL, "kernel", "policy/kernel.c policy/endpoints.c", \
          "no sysctls, cgroup parent, other runtime, OOM score below 0", \
          "", NULL) \
        X(CHECKPOINT, "checkpoint", "policy/endpoints.c policy/route.c", "no checkpoint or restore", "", NULL) \
        X(VOLUMES, "volumes", "policy/endpoints.c", "volumes of the local driver, without driver options", "", NULL) \
        X(ARCHIVE, "archive", "policy/endpoints.c", \
          "uploads into a container only where what dockerd extracts as root stays inert", \
          "artifacts_dir no_new_privileges readonly_rootfs tmpfs_targets", NULL) \
        X(BUILD, "build", "policy/build.c", "builds only when allowed, and then within the job's limits", \
          "allow_builds network_mode cpu_limit memory_limit", NULL) \
        X(BUILDKIT, "buildkit", "policy/build.c policy/route.c", "no BuildKit (not mediated by AuthZ)", "", NULL) \
        X(SWARM, "swarm", "policy/route.c policy/endpoints.c", "no swarm, services, secrets or cluster volumes", \
          "", NULL) \
        X(ROUTE, "route", "policy/route.c policy/decide.c", "only Engine API routes the plugin knows", "", \
          RULE_NOT_SEEN) \
        X(API_VERSION, "api-version", "policy/decide.c", "API version 1.24 or newer", "", RULE_NOT_SEEN) \
        X(PLUGIN, "plugin", "policy/route.c", "no plugin installs or changes", "", \
          "disabling or replacing an AuthZ plugin takes it out of dockerd's chain; it always denies") \
        X(SHAPE, "shape", "policy/decide.c policy/checks.c policy/create.c policy/endpoints.c policy/exec.c " \
          "policy/gojson.c policy/logs.c policy/mounts.c policy/network.c", \
          "the body read exactly as dockerd reads it: JSON, known fields, each once", "", RULE_NOT_SEEN) \
        X(ENVELOPE, "envelope", "policy/decide.c", "the AuthZ request from dockerd is whole and well-formed", "", \
          RULE_NOT_SEEN) \
        X(RECHECK, "recheck", "policy/view.c policy/create.c policy/decide.c policy/exec.c", \
          "dockerd's own view of a start could be checked", "docker_host", \
          "the plugin could not check dockerd's own view of the container; it always denies") \
        X(NAMES, "names", "policy/names.c policy/view.c", \
          "container names that cannot read as an ID; a start names the container judged", "", \
          "a start could be judged on one container and carried out on another; it always denies") \
        X(POLICY, "policy", "policy/decide.c", "a policy is in force (with --policy-url: a signed bundle)", "", \
          "with no policy to judge by, the plugin denies everything") \
        X(AUDIT, "audit", "policy/decide.c", "the audit log takes the line", "deny_on_audit_failure", \
          "deny_on_audit_failure decides this one") \
        X(ERROR, "error", "policy/decide.c policy/create.c policy/gojson.c policy/view.c", \
          "out of memory while deciding", "", RULE_FAILED) \
        X(INTERNAL, "internal", "policy/decide.c", "the daemon could not carry a step out", "", RULE_FAILED)

#define RULE_ENUM(e, ...) RULE_##e,
enum rule {
        RULE_TABLE(RULE_ENUM)
        RULE__MAX
};
#undef RULE_ENUM

struct rule_info {
        const char *id;
        const char *files;
        const char *summary;
        const char *settings;
        const char *warn_refused;
};

/* The row of `r`; every value of enum rule has one. */
const struct rule_info *rule_info(enum rule r);

/* "memory" for RULE_MEMORY; "unknown" for a value out of range. */
const char *rule_id(enum rule r);

/* The rule whose id is `id`, or -ENOENT. */
int rule_from_id(const char *id);

/* The rule index of docs/rules.md, from this table: a markdown table with a row per rule (id,
 * what it checks, policy settings, may warn, code).  0 and a new NUL-terminated text in *ret (its
 * length in *ret_len, the caller frees), or -ENOMEM. */
int rules_markdown(char **ret, size_t *ret_len);
