/* The policy printed in the policy-file schema, so that `arandu-authz policy > file` gives a file
 * that loads to the same policy; and its digest, the SHA-256 of that text, which every audit line
 * carries.  The text is canonical: keys in a fixed order, numbers in one form, so two policies that
 * enforce the same thing print (and digest) the same whatever files and variables they came from. */

#include "policy/config_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy/actions.h"
#include "policy/sha256.h"
#include "policy/units.h"

static json_t *ulimits_json(const struct policy *p)
{
        json_t *o = json_object();

        for (size_t i = 0; o && i < POLICY_ULIMITS; i++)
                if (p->ulimit_max[i] >= 0 &&
                    json_object_set_new(o, config_ulimit_names[i], json_integer(p->ulimit_max[i])) < 0) {
                        json_decref(o);
                        return NULL;
                }
        return o;
}

/* A CPU count as the policy file has always printed it: "2.0", "0.5", "1.000000001".  A whole
 * count keeps its ".0", so the printed text, and with it the digest, stays what it was. */
static void print_cpus(int64_t nano, char *buf, size_t size)
{
        char n[32];

        format_cpus(nano, n, sizeof(n));
        snprintf(buf, size, "%s%s", n, strchr(n, '.') ? "" : ".0");
}

/* A size as the policy file has always printed it: "4g", "1536m", "1000b".  A size in no larger
 * unit keeps its "b", for the same reason. */
static void print_memory(int64_t bytes, char *buf, size_t size)
{
        char n[24];   /* any int64 and a unit letter */
        size_t len;

        format_bytes(bytes, n, sizeof(n));
        len = strlen(n);
        snprintf(buf, size, "%s%s", n, len > 0 && is_digit(n[len - 1]) ? "b" : "");
}

static json_t *string_list(const char *base, size_t stride, size_t n)
{
        json_t *a = json_array();

        for (size_t i = 0; a && i < n; i++)
                if (json_array_append_new(a, json_string(base + i * stride)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

/* Only the rules set to warn, in the table's order: "deny" is the default, and a fixed order keeps
 * the printed text (and so the digest) canonical. */
static json_t *rule_actions_json(const struct policy *p)
{
        json_t *o = json_object();

        for (size_t i = 0; o && i < policy_rule_count(); i++)
                if ((p->warn_rules >> i & 1) &&
                    json_object_set_new(o, policy_rule_id(i), json_string("warn")) < 0) {
                        json_decref(o);
                        return NULL;
                }
        return o;
}

int policy_print(const struct policy *p, FILE *out)
{
        _cleanup_json_ json_t *o = json_object();
        char cpus[64], memory[32];
        int fails = 0;

        if (!o)
                return -ENOMEM;
        print_cpus(p->cpu_limit_nano, cpus, sizeof(cpus));
        print_memory(p->memory_limit, memory, sizeof(memory));

        /* json_object_set_new steals the value even on failure, and a NULL value just fails. */
#define SET(k, v) (fails += json_object_set_new(o, (k), (v)) < 0)
        SET("user", json_string(p->user));
        SET("uid", json_integer(p->uid));
        SET("accept_user_name", json_boolean(p->accept_user_name));
        SET("cpu_limit", json_string(cpus));
        SET("memory_limit", json_string(memory));
        SET("pids_limit", json_integer(p->pids_limit));
        SET("no_new_privileges", json_boolean(p->no_new_privileges));
        SET("restart_max_retries", json_integer(p->restart_max_retries));
        SET("ulimits", ulimits_json(p));
        SET("allow_builds", json_boolean(p->allow_builds));
        SET("network_mode", json_string(p->network == NETWORK_BRIDGE ? "bridge" : "none"));
        SET("readonly_rootfs", json_boolean(p->readonly_rootfs));
        SET("allowlist_domains", string_list(p->domains[0], sizeof(p->domains[0]), p->n_domains));
        SET("allow_network_settings", json_boolean(p->allow_network_settings));
        SET("repos_dir", json_string(p->repos_dir));
        SET("artifacts_dir", json_string(p->artifacts_dir));
        SET("tmpfs_targets", string_list(p->tmpfs_targets[0], sizeof(p->tmpfs_targets[0]),
                                         p->n_tmpfs_targets));
        SET("tmpfs_exec", json_boolean(p->tmpfs_exec));
        SET("allowed_cap_add", string_list(p->cap_add[0], sizeof(p->cap_add[0]), p->n_cap_add));
        SET("docker_host", json_string(p->docker_host));
        SET("deny_on_audit_failure", json_boolean(p->deny_on_audit_failure));
        SET("rule_actions", rule_actions_json(p));
#undef SET
        if (fails)
                return -ENOMEM;
        if (json_dumpf(o, out, JSON_INDENT(2)) < 0 || fputc('\n', out) == EOF || fflush(out) == EOF)
                return -EIO;
        return 0;
}

int policy_digest(const struct policy *p, char ret_hex[65])
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        int r;

        if (!f)
                return -ENOMEM;
        r = policy_print(p, f);
        if (fclose(f) != 0 && r == 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        return sha256_hex(text, len, ret_hex);
}
