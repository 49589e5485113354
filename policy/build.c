/* POST /build: denied unless the policy allows builds; then every RUN step's container is held to
 * the job's limits (networkmode, memory, CPU, /dev/shm) and nothing dockerd would do beside it
 * (remote contexts, outputs, cgroup parent, ulimits, isolation, BuildKit). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/checks.h"
#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/units.h"

/* strconv.ParseInt(v, 10, 64); dockerd reads an unparsable value as 0. */
static int64_t query_int64(const char *v)
{
        bool neg = v[0] == '-';
        uint64_t n = 0;
        size_t i = v[0] == '-' || v[0] == '+';

        if (!v[i])
                return 0;
        for (; v[i]; i++) {
                if (v[i] < '0' || v[i] > '9' || n > (UINT64_C(1) << 63) / 10)
                        return 0;
                n = n * 10 + (uint64_t) (v[i] - '0');
        }
        if (n > (uint64_t) INT64_MAX + neg)
                return 0;
        return neg ? (int64_t) (0 - n) : (int64_t) n;
}

static int64_t query_num(const struct query *q, const char *key, struct decision *d)
{
        const char *v = query_once(q, key, d);
        return v ? query_int64(v) : 0;
}

/* Each RUN step of a classic build is a container that dockerd makes itself, with the build's
 * network, cgroup and limits, as root, writable: none of the create rules applies to it. */
void eval_build(const struct policy *p, const struct query *q, struct decision *d)
{
        const char *v;
        char qv[160];

        if (!p->allow_builds) {
                decision_add(d, RULE_BUILD, "image builds are not allowed: each RUN step runs as root in a container outside every rule "
                             "(network, limits, read-only rootfs); build images elsewhere and docker load or docker import them");
                return;
        }
        v = query_once(q, "version", d);
        if (v && v[0] && strcmp(v, "1") != 0)
                decision_add(d, RULE_BUILDKIT, "version is not 1 (a BuildKit build); build with the classic builder (DOCKER_BUILDKIT=0)");
        v = query_once(q, "networkmode", d);
        if (!v || strcmp(v, "none") != 0) {
                quote_value(v ? v : "", 120, qv, sizeof(qv));
                decision_add(d, RULE_BUILD, "networkmode is %s (the default is the bridge); set " FIX(BUILD_NETWORK) " to none", qv);
        }
        int64_t memory = query_num(q, "memory", d), swap = query_num(q, "memswap", d);
        int64_t quota = query_num(q, "cpuquota", d), period = query_num(q, "cpuperiod", d);
        check_memory(p, memory, swap, LIMITS_BUILD, d);
        check_cpu(p, 0, quota, period, LIMITS_BUILD, d);
        int64_t shm = query_num(q, "shmsize", d);
        if (shm < 0 || shm > p->memory_limit)
                decision_add(d, RULE_BUILD, "shmsize is %" PRId64 ", over the memory limit; lower " FIX(BUILD_SHM_SIZE), shm);
        static const char *const forbidden[] = { "remote", "cgroupparent", "outputs", "ulimits", "isolation" };
        for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
                v = query_once(q, forbidden[i], d);
                if (i == 3 && v && (strcmp(v, "[]") == 0 || strcmp(v, "null") == 0))
                        continue;   /* what the CLI sends without --ulimit */
                if (v && v[0] && i == 0)   /* a remote URL may hold user:token@: never quoted */
                        decision_add(d, RULE_BUILD, "remote is set (a build context URL); remove it");
                else if (v && v[0]) {
                        quote_value(v, 120, qv, sizeof(qv));
                        decision_add(d, RULE_BUILD, "%s is %s; remove it", forbidden[i], qv);
                }
        }
}
